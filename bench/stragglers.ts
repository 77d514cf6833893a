// Replication stragglers: their cause and the settings tried against it, measured before and after
// in the same run. Ceph 18.2 and 20.2 ship `rgw_data_notify_interval_msec = 0`: the master zone no
// longer tells the other zone which bucket shards changed, so every change waits for the other
// zone's idle poll of its data-log shard (`rgw_data_sync_poll_interval`, 20 s). With notifications
// on, a few changes still wait: see STRAGGLER_CAUSE.
import { cephLab } from "../scripts/lab/labSettings";
import { BenchCtx } from "./context";
import { waitCaughtUp } from "./drill";
import { STRAGGLER_MS } from "./goals";
import { lagSeries } from "./replication";
import { MiB, percentile, sec, sizeLabel } from "./stats";
import { LagCell } from "./types";

export const NOTIFY_OPTION = "rgw_data_notify_interval_msec";
/** Pacific's default, which the README recommends for 18.2 and later. */
export const NOTIFY_SETTING_MS = 200;
/** How often an idle data-log shard is read again (18.2 and later; hard-coded 20 s in 16.2). */
export const POLL_OPTION = "rgw_data_sync_poll_interval";
/**
 * Tried on top of the notifications: bounds a missed notification's wait. Its cost, read in Ceph's
 * source and not measured: one datalog read per shard per interval (128 shards: 64 reads a second
 * against the other zone at 2 s, instead of 6.4 at 20 s).
 */
export const POLL_SETTING_S = 2;
/** The cell measured before and after: a small backup, where a straggler is most of the lag. */
export const STRAGGLER_CELL = { objects: 100, bytes: 1 * MiB };

export interface StragglerResults {
    option: string;
    /** What the lab's Ceph ships (`radosgw-admin --show-config-value`). */
    cephDefault?: number;
    setTo: number;
    before: LagCell[];
    after: LagCell[];
    /** Why no before/after was measured (e.g. the default already sends notifications). */
    note?: string;
    /** The idle poll's default here (`rgw_data_sync_poll_interval`), absent where Ceph has no such option. */
    pollDefault?: number;
    /** With the notifications and the shorter idle poll (POLL_SETTING_S). */
    afterPoll?: LagCell[];
}

/** The default of an option as the site's radosgw-admin reads it (no section sets it). */
async function optionDefault(ctx: BenchCtx, option: string): Promise<number> {
    const out = await cephLab(ctx.s, `admin a --show-config-value ${option}`);
    const value = Number(out.trim().split("\n").pop());
    if (!Number.isFinite(value)) throw new Error(`radosgw-admin --show-config-value ${option} printed ${JSON.stringify(out.trim())}`);
    return value;
}

/**
 * Before: the lab's Ceph as shipped; then `ceph-lab.sh rgw-set rgw_data_notify_interval_msec 200`
 * (both gateways restart), both zones caught up again; after. When the default already sends
 * notifications (16.2), only "before" is measured and the note says why.
 */
export async function stragglersBeforeAfter(ctx: BenchCtx, runs: number, budgetMs: number, into: StragglerResults): Promise<void> {
    into.cephDefault = await optionDefault(ctx, NOTIFY_OPTION);
    ctx.log(`==> stragglers: ${NOTIFY_OPTION} is ${into.cephDefault} by default on this Ceph; ${runs} runs of ${STRAGGLER_CELL.objects} x ${sizeLabel(STRAGGLER_CELL.bytes)} before and after`);
    await lagSeries(ctx, [STRAGGLER_CELL], runs, budgetMs / 3, into.before);
    if (into.cephDefault !== 0) {
        into.note = `${NOTIFY_OPTION} is already ${into.cephDefault} ms by default on this Ceph: notifications are on, and no setting shortens the 20 s idle poll`;
        return;
    }
    await setBoth(ctx, NOTIFY_OPTION, NOTIFY_SETTING_MS);
    await lagSeries(ctx, [STRAGGLER_CELL], runs, budgetMs / 3, into.after);
    // A notification can still be missed; the idle poll then bounds the wait.
    into.pollDefault = await optionDefault(ctx, POLL_OPTION).catch(() => undefined);
    if (into.pollDefault === undefined) return;
    into.afterPoll = [];
    await setBoth(ctx, POLL_OPTION, POLL_SETTING_S);
    await lagSeries(ctx, [STRAGGLER_CELL], runs, budgetMs / 3, into.afterPoll);
}

/** `ceph-lab.sh rgw-set` (both gateways restart), then both zones caught up again. */
async function setBoth(ctx: BenchCtx, option: string, value: number): Promise<void> {
    await cephLab(ctx.s, `rgw-set ${option} ${value}`, ctx.r.log);
    const waited = await Promise.all((["a", "b"] as const).map((site) => waitCaughtUp(ctx, site, 600_000)));
    ctx.log(`    ${option} = ${value} on both gateways; both zones caught up ${sec(Math.max(...waited))} after the restart`);
}

/** Median, p95, max of the lag after the upload and how many runs straggled (> 2 s). */
export function stragglerFigures(cells: LagCell[]): { runs: number; medianMs?: number; p95Ms?: number; maxMs?: number; stragglers: number } {
    const lags = cells.flatMap((c) => c.runs).map((r) => r.lagMs).filter((v): v is number => v !== undefined);
    return {
        runs: lags.length,
        medianMs: percentile(lags, 0.5),
        p95Ms: percentile(lags, 0.95),
        maxMs: lags.length ? Math.max(...lags) : undefined,
        stragglers: lags.filter((v) => v > STRAGGLER_MS).length,
    };
}

/** The report's section. */
export function stragglerSection(st: StragglerResults | undefined): string[] {
    if (!st) return [];
    const L = ["## 3. Stragglers: cause and setting", ""];
    const row = (what: string, cells: LagCell[]) => {
        const f = stragglerFigures(cells);
        return `| ${what} | ${f.runs} | ${sec(f.medianMs)} | ${sec(f.p95Ms)} | ${sec(f.maxMs)} | ${f.stragglers} |`;
    };
    L.push(`Lag after the upload of a ${STRAGGLER_CELL.objects}-object ${sizeLabel(STRAGGLER_CELL.bytes)} backup, same run, same lab; straggling run = lag over ${sec(STRAGGLER_MS)}.`, "");
    L.push("| setting | runs | median | p95 | max | straggling runs |", "| --- | ---: | ---: | ---: | ---: | ---: |");
    L.push(row(`${st.option} = ${st.cephDefault ?? "?"} (Ceph's default here)`, st.before));
    if (st.after.length) L.push(row(`${st.option} = ${st.setTo}`, st.after));
    if (st.afterPoll?.length) L.push(row(`${st.option} = ${st.setTo} and ${POLL_OPTION} = ${POLL_SETTING_S} (default ${st.pollDefault})`, st.afterPoll));
    L.push("");
    if (st.note) L.push(st.note, "");
    return L;
}
