// 2.-5. Role switches on the deployed lab: through the failover program (the failover stack's
// config set and `pulumi up` on the real engine, which also switches Velero's locations and
// schedules) and as the bare radosgw-admin commands of the Ceph documentation; the drill (both
// sites up), a lost site (A's link cut, its daemons keep running), A's return and the failback;
// and a re-apply with nothing to change. Clock: from the switch's start to the first write the new
// master accepts, and to the newest backup read back complete from it. The manual drill is the safe
// procedure (fence, catch-up, promote, demote) typed with radosgw-admin as Ceph's documentation has
// it, a gateway restart after each period commit; the manual lost site cannot fence (A is cut).
import * as fs from "fs";
import * as path from "path";
import { changeSummary } from "../scripts/lab/pulumiCli";
import { Site, cephLab, endpoint, masterIs, periodOf, zoneOf } from "../scripts/lab/labSettings";
import { WrittenObject, firstSuccessfulWrite, waitForObjects } from "../scripts/lab/s3";
import { BenchCtx, SWITCH_BACKUP, writeSwitchBackup } from "./context";
import { resourceSteps } from "../scripts/lab/engineEvents";
import { syncVerdict } from "./syncWait";
import { Timeline, switchTimeline, withToolProgress } from "./timeline";
import { Reapply, Scenario, SwitchOutcome, TimedStep } from "./types";
import { sec, sleep } from "./stats";

const siteId = (site: Site) => `site-${site}`;

export interface ProgramSwitchSettings {
    activeSite: Site;
    unreachable?: Site[];
    force?: boolean;
}

interface ProgramSwitch {
    settings: ProgramSwitchSettings;
    /** The `pulumi config set` / `config rm` calls. */
    configMs: number;
    /** When `pulumi up -s failover` started (the switch's clock) and how long it took. */
    upStartedAt: number;
    upMs: number;
    changes: Record<string, number>;
    /** The resources `pulumi up` changed, from its event log (1 s resolution). */
    steps: TimedStep[];
    timeline: Timeline;
}

/**
 * The failover stack's settings as an operator sets them (README), then `pulumi up -s failover`:
 * the same config keys scripts/lab/drill.ts sets for its switches, one `pulumi up` (the lab's
 * second, no-change `up` is timed separately, in the re-apply).
 */
export async function programSwitch(ctx: BenchCtx, settings: ProgramSwitchSettings): Promise<ProgramSwitch> {
    const { ws } = ctx.d;
    const t0 = Date.now();
    await ws.configSet("failover", "activeSite", siteId(settings.activeSite));
    await ws.configRm("failover", "unreachableSites");
    for (const [i, site] of (settings.unreachable ?? []).entries()) await ws.configSet("failover", `unreachableSites[${i}]`, siteId(site), { path: true });
    await ws.configSet("failover", "forcePromotion", settings.force ? "true" : "false");
    // `pulumi up` as PulumiWorkspace.up runs it, with the engine's event log for the per-resource steps.
    const eventLog = path.join(ctx.s.dir, "bench-events", `failover-${Date.now()}.jsonl`);
    fs.mkdirSync(path.dirname(eventLog), { recursive: true });
    // The rgw tool's timestamped progress (RGW_PROGRESS_LOG reaches its steps through the engine's environment).
    const progressLog = eventLog.replace(/\.jsonl$/, ".progress.log");
    process.env.RGW_PROGRESS_LOG = progressLog;
    const upStartedAt = Date.now();
    let up: Awaited<ReturnType<typeof ws.run>>;
    try {
        up = await ctx.r.time(`bench.failover.${settings.activeSite}`, `failover: pulumi up with ${JSON.stringify(settings)}`,
            () => ws.run(["up", "--yes", "--skip-preview", "-s", "failover", "--event-log", eventLog]));
    } finally {
        delete process.env.RGW_PROGRESS_LOG;
    }
    const upMs = Date.now() - upStartedAt;
    const events = fs.existsSync(eventLog) ? fs.readFileSync(eventLog, "utf8") : "";
    const progress = fs.existsSync(progressLog) ? fs.readFileSync(progressLog, "utf8") : "";
    const sw: ProgramSwitch = {
        settings, configMs: upStartedAt - t0, upStartedAt, upMs, changes: changeSummary(up.stdout), steps: resourceSteps(events), timeline: withToolProgress(switchTimeline(events, upStartedAt), progress, upStartedAt),
    };
    ctx.log(`    failover program ${JSON.stringify(settings)}: pulumi up ${sec(sw.upMs)} (changes ${JSON.stringify(sw.changes)}; `
        + `${sw.steps.map((x) => `${x.what} ${sec(x.ms)}`).join(", ") || "no step in the event log"}); config set ${sec(sw.configMs)}`);
    return sw;
}

/** The whole `pulumi up`, then the resources it changed (indented in the report by their "  " prefix). */
const upSteps = (p: ProgramSwitch): TimedStep[] => [
    { what: `pulumi up -s failover (changes ${JSON.stringify(p.changes)})`, ms: p.upMs },
    ...p.steps.map((x) => ({ what: `  ${x.what}`, ms: x.ms })),
];

function programOutcome(p: ProgramSwitch, after: { firstWrite: number; ready?: number }): SwitchOutcome {
    return {
        switchMs: p.upMs, steps: upSteps(p), configMs: p.configMs, changes: p.changes, toFirstWriteMs: after.firstWrite, toRestoreReadyMs: after.ready,
        timeline: p.timeline.entries, timelineHasProgress: p.timeline.hasProgress,
    };
}

const hideKeys = (ctx: BenchCtx, text: string) => text.split(ctx.systemKeys.access).join("<access-key>").split(ctx.systemKeys.secret).join("<secret>");

/** A bare command as typed from the Ceph documentation, run through the lab; keys never printed. */
async function manualStep(ctx: BenchCtx, steps: TimedStep[], site: Site, args: string): Promise<void> {
    const shown = hideKeys(ctx, args);
    const what = args.startsWith("rgw-") || args.startsWith("heal ") ? args : `${site}: radosgw-admin ${shown}`;
    const t = Date.now();
    try {
        await cephLab(ctx.s, args.startsWith("rgw-") || args.startsWith("heal ") ? args : `admin ${site} ${args}`, ctx.r.log);
    } catch (e) {
        // The failed command line is in the message: never the system user's keys.
        throw new Error(`${what} failed: ${hideKeys(ctx, (e as Error).message)}`);
    }
    steps.push({ what, ms: Date.now() - t });
    ctx.r.log(`    manual: ${what} (${sec(Date.now() - t)})`);
}

const keyFlags = (ctx: BenchCtx) => `--access-key=${ctx.systemKeys.access} --secret=${ctx.systemKeys.secret}`;

/**
 * Polls `radosgw-admin sync status` on `site` every `everyMs` until metadata and data sync say
 * caught up with every source (what an operator waits for); returns the ms waited.
 */
export async function waitCaughtUp(ctx: Pick<BenchCtx, "s">, site: Site, timeoutMs: number, everyMs = 1000): Promise<number> {
    const t0 = Date.now();
    let last = "no answer yet";
    for (;;) {
        const polled = Date.now();
        try {
            const [text, period] = await Promise.all([cephLab(ctx.s, `admin ${site} sync status`), cephLab(ctx.s, `admin ${site} period get`)]);
            const v = syncVerdict(text, period);
            if (v.caughtUp) return Date.now() - t0;
            last = v.summary;
        } catch (e) {
            // A gateway that reloads or restarts answers nothing for a moment: ask again.
            last = (e as Error).message.split("\n")[0];
        }
        if (Date.now() - t0 > timeoutMs) throw new Error(`zone ${site.toUpperCase()} not caught up after ${sec(Date.now() - t0)}: ${last}`);
        // One poll started every `everyMs` (a poll itself takes a few hundred ms).
        await sleep(Math.max(0, everyMs - (Date.now() - polled)));
    }
}

/** The manual procedure's catch-up wait, timed as a step of its own. */
async function manualCatchUp(ctx: BenchCtx, steps: TimedStep[], site: Site): Promise<void> {
    const what = `${site}: radosgw-admin sync status every 1 s until metadata and data are caught up`;
    const ms = await waitCaughtUp(ctx, site, 600_000);
    steps.push({ what, ms });
    ctx.r.log(`    manual: ${what} (${sec(ms)})`);
}

/**
 * The safe planned switch typed by hand (Ceph's documentation: a gateway restart after each period
 * commit): fence the old master read-only, wait until the new one has caught up, promote it, then
 * demote the old one and lift its fence.
 */
async function manualSafeSwitch(ctx: BenchCtx, steps: TimedStep[], from: Site, to: Site): Promise<void> {
    const { s } = ctx;
    await manualStep(ctx, steps, from, `zone modify --rgw-zone=${zoneOf(s, from)} --read-only=true`);
    await manualStep(ctx, steps, from, "period update --commit");
    await manualStep(ctx, steps, from, `rgw-restart ${from}`);
    await manualCatchUp(ctx, steps, to);
    await manualPromote(ctx, steps, to);
    await manualStep(ctx, steps, from, `period pull --url=${endpoint(s, to)} ${keyFlags(ctx)}`);
    await manualStep(ctx, steps, from, `zone modify --rgw-zone=${zoneOf(s, from)} --master=false --read-only=false`);
    await manualStep(ctx, steps, from, "period update --commit");
    await manualStep(ctx, steps, from, `rgw-restart ${from}`);
}

/** The Ceph documentation's promotion of a zone to metadata master, run on that zone's site. */
async function manualPromote(ctx: BenchCtx, steps: TimedStep[], site: Site): Promise<void> {
    const { s } = ctx;
    await manualStep(ctx, steps, site, `zone modify --rgw-zone=${zoneOf(s, site)} --master --default --read-only=false`);
    await manualStep(ctx, steps, site, `zonegroup modify --rgw-zonegroup=${s.zonegroup} --master`);
    await manualStep(ctx, steps, site, "period update --commit");
    await manualStep(ctx, steps, site, `rgw-restart ${site}`);
}

/** The other zone learns the new period from the new master and restarts its gateway. */
async function manualFollow(ctx: BenchCtx, steps: TimedStep[], site: Site, master: Site): Promise<void> {
    await manualStep(ctx, steps, site, `period pull --url=${endpoint(ctx.s, master)} ${keyFlags(ctx)}`);
    await manualStep(ctx, steps, site, `rgw-restart ${site}`);
}

/**
 * The program's switch watched from `pulumi up`'s start: the first write is the first PUT the new
 * master takes once Velero may write there (the site's location is ReadWrite: the failover stack
 * turns it so right after the promotion, while the old master's demote still runs), and restore
 * ready is when the newest backup is complete there and that write was taken. (The passive zone
 * takes object writes before the switch as well: the location, not the zone, is what says Velero
 * writes.)
 */
async function watchedProgramSwitch(ctx: BenchCtx, settings: ProgramSwitchSettings, key: string, backup?: WrittenObject[]): Promise<{ p: ProgramSwitch; after: { firstWrite: number; ready?: number } }> {
    const site = settings.activeSite;
    const t0 = Date.now();
    let done = false;
    const readWrite = (async () => {
        const deadline = Date.now() + 300_000;
        for (;;) {
            const bsl = await ctx.d.clusters[site].veleroObject("backupstoragelocations", "default");
            if ((bsl?.spec as { accessMode?: string } | undefined)?.accessMode === "ReadWrite") return;
            if (done || Date.now() > deadline) throw new Error(`site ${site}'s backup location is not ReadWrite ${sec(Date.now() - t0)} after the switch started`);
            await new Promise((res) => setTimeout(res, 250));
        }
    })();
    const first = readWrite.then(() => firstSuccessfulWrite(ctx.clients[site], ctx.bucket, `bench/${key}`, 120_000)).then((w) => {
        ctx.ledger.push(w);
        return Date.now();
    });
    const complete = backup ? waitForObjects(ctx.clients[site], ctx.bucket, backup, 300_000).then((res) => {
        if (res.missing.length) throw new Error(`restore not ready: ${res.missing.length} objects of the newest backup missing on ${site} after ${sec(res.ms)}`);
        return Date.now();
    }) : undefined;
    first.catch(() => undefined); // awaited below, after the switch
    complete?.catch(() => undefined);
    let p: ProgramSwitch;
    try {
        p = await programSwitch(ctx, settings);
    } finally {
        done = true;
    }
    const firstAt = await first;
    const completeAt = complete ? await complete : undefined;
    const after = { firstWrite: firstAt - p.upStartedAt, ready: completeAt !== undefined ? Math.max(completeAt, firstAt) - p.upStartedAt : undefined };
    return { p, after };
}

/** After a switch: the first write, and (in parallel) the newest backup read back complete. */
async function afterSwitch(ctx: BenchCtx, site: Site, t0: number, key: string, backup?: WrittenObject[]): Promise<{ firstWrite: number; ready?: number }> {
    const client = ctx.clients[site];
    const [first, ready] = await Promise.all([
        firstSuccessfulWrite(client, ctx.bucket, `bench/${key}`, 120_000).then((w) => {
            ctx.ledger.push(w);
            return Date.now() - t0;
        }),
        backup ? waitForObjects(client, ctx.bucket, backup, 180_000).then((res) => {
            if (res.missing.length) throw new Error(`restore not ready: ${res.missing.length} objects of the newest backup missing on ${site} after ${sec(res.ms)}`);
            return Date.now() - t0;
        }) : Promise.resolve(undefined),
    ]);
    return { firstWrite: first, ready };
}

async function checkRoles(ctx: BenchCtx, master: Site, when: string, reachable: Site[] = ["a", "b"]): Promise<void> {
    const agree = await Promise.all(reachable.map((site) => masterIs(ctx.s, master, site)));
    const ok = agree.every(Boolean);
    ctx.r.check(`${when}: zone ${master.toUpperCase()} is the metadata master in every reachable zone's period`, ok,
        reachable.map((site, i) => `${site}: ${agree[i]}`).join(", "));
    if (!ok) throw new Error(`${when}: zone ${master.toUpperCase()} is not the metadata master on ${reachable.join(" and ")}`);
}

/** `tag` keeps each drill's objects apart (the ledger holds every one); `objects`: the switch backup's object count. */
export async function programDrill(ctx: BenchCtx, sc: Scenario, tag: string, objects = SWITCH_BACKUP.objects): Promise<void> {
    ctx.log(`==> drill (both sites up) through the failover program (${tag}; switch backup of ${objects} objects)`);
    const backup = await writeSwitchBackup(ctx, "a", `drill-program-${tag}`, objects);
    const { p: sw, after } = await watchedProgramSwitch(ctx, { activeSite: "b" }, `drill-program-${tag}/first-write-on-b`, backup);
    await checkRoles(ctx, "b", "program drill");
    const { p: back, after: afterBack } = await watchedProgramSwitch(ctx, { activeSite: "a" }, `drill-program-${tag}/first-write-on-a-again`);
    await checkRoles(ctx, "a", "program drill, switched back");
    sc.drill = { switch: programOutcome(sw, after), switchBack: programOutcome(back, afterBack) };
    ctx.log(`    drill: first write on B ${sec(after.firstWrite)}, restore ready ${sec(after.ready)}; back to A: first write ${sec(afterBack.firstWrite)}`);
}

export async function manualDrill(ctx: BenchCtx, sc: Scenario, tag: string): Promise<void> {
    ctx.log(`==> drill (both sites up), the safe procedure typed with radosgw-admin (${tag})`);
    const backup = await writeSwitchBackup(ctx, "a", `drill-manual-${tag}`);
    const steps: TimedStep[] = [];
    const t0 = Date.now();
    await manualSafeSwitch(ctx, steps, "a", "b");
    const switchMs = Date.now() - t0;
    const after = await afterSwitch(ctx, "b", t0, `drill-manual-${tag}/first-write-on-b`, backup);
    await checkRoles(ctx, "b", "manual drill");
    const back: TimedStep[] = [];
    const b0 = Date.now();
    await manualSafeSwitch(ctx, back, "b", "a");
    const backMs = Date.now() - b0;
    const afterBack = await afterSwitch(ctx, "a", b0, `drill-manual-${tag}/first-write-on-a-again`);
    await checkRoles(ctx, "a", "manual drill, switched back");
    sc.drill = {
        switch: { switchMs, steps, toFirstWriteMs: after.firstWrite, toRestoreReadyMs: after.ready },
        switchBack: { switchMs: backMs, steps: back, toFirstWriteMs: afterBack.firstWrite },
    };
    ctx.log(`    drill: commands ${sec(switchMs)}, first write on B ${sec(after.firstWrite)}, restore ready ${sec(after.ready)}; back to A: first write ${sec(afterBack.firstWrite)}`);
}

/**
 * Site A lost: A's newest backup is on B, A's link is cut (its daemons keep running, as in a lost
 * region), B takes over, B writes a backup, A's link heals and A rejoins as B's secondary, then the failback.
 */
export async function lostSite(ctx: BenchCtx, sc: Scenario, how: "program" | "manual"): Promise<void> {
    const { s } = ctx;
    ctx.log(`==> site A lost, return and failback (${how === "program" ? "failover program" : "bare radosgw-admin commands"})`);
    const backup = await writeSwitchBackup(ctx, "a", `lost-${how}`);
    const onB = await waitForObjects(ctx.clients.b, ctx.bucket, backup, 180_000);
    if (onB.missing.length) throw new Error(`the backup written before the loss is not on B after ${sec(onB.ms)}`);
    const stop0 = Date.now();
    await cephLab(s, "cut a", ctx.r.log);
    const stopAMs = Date.now() - stop0;
    let healed = false;
    try {
        // The switch with A unreachable.
        let sw: SwitchOutcome;
        if (how === "program") {
            const w = await watchedProgramSwitch(ctx, { activeSite: "b", unreachable: ["a"], force: true }, `lost-${how}/first-write-on-b`, backup);
            sw = programOutcome(w.p, w.after);
        } else {
            const steps: TimedStep[] = [];
            const t0 = Date.now();
            await manualPromote(ctx, steps, "b");
            const switchMs = Date.now() - t0;
            const after = await afterSwitch(ctx, "b", t0, `lost-${how}/first-write-on-b`, backup);
            sw = { switchMs, steps, toFirstWriteMs: after.firstWrite, toRestoreReadyMs: after.ready };
        }
        await checkRoles(ctx, "b", `lost site (${how}): without reaching A`, ["b"]);
        ctx.log(`    switch ${sec(sw.switchMs)}, first write on B ${sec(sw.toFirstWriteMs)}, restore ready ${sec(sw.toRestoreReadyMs)}`);

        // Velero on B writes a backup while A is away.
        const outage = await writeSwitchBackup(ctx, "b", `outage-${how}`);

        // A's link returns; A rejoins as a secondary and catches up.
        const returnSteps: TimedStep[] = [];
        const r0 = Date.now();
        await manualStep(ctx, returnSteps, "a", "heal a");
        healed = true;
        if (how === "program") {
            const p = await programSwitch(ctx, { activeSite: "b" });
            returnSteps.push(...upSteps(p));
        } else {
            await manualStep(ctx, returnSteps, "a", `realm pull --url=${endpoint(s, "b")} ${keyFlags(ctx)}`);
            await manualStep(ctx, returnSteps, "a", `period pull --url=${endpoint(s, "b")} ${keyFlags(ctx)}`);
            await manualStep(ctx, returnSteps, "a", "rgw-restart a");
        }
        const returnMs = Date.now() - r0;
        await checkRoles(ctx, "b", `lost site (${how}), A returned`);
        const caught = await waitForObjects(ctx.clients.a, ctx.bucket, outage, 300_000);
        if (caught.missing.length) throw new Error(`the backup written on B during the outage is not on A after ${sec(caught.ms)}`);
        const catchUpMs = Date.now() - r0;
        ctx.log(`    A returned in ${sec(returnMs)}; the outage's backup complete on A ${sec(catchUpMs)} after its return`);

        // Failback to A.
        let fb: SwitchOutcome;
        let fbStart: number;
        if (how === "program") {
            const w = await watchedProgramSwitch(ctx, { activeSite: "a" }, `lost-${how}/failback-first-write-on-a`, outage);
            fbStart = w.p.upStartedAt;
            fb = programOutcome(w.p, w.after);
        } else {
            const steps: TimedStep[] = [];
            const f0 = (fbStart = Date.now());
            await manualStep(ctx, steps, "a", `period pull --url=${endpoint(s, "b")} ${keyFlags(ctx)}`);
            await manualPromote(ctx, steps, "a");
            await manualFollow(ctx, steps, "b", "a");
            const switchMs = Date.now() - f0;
            const after = await afterSwitch(ctx, "a", f0, `lost-${how}/failback-first-write-on-a`, outage);
            fb = { switchMs, steps, toFirstWriteMs: after.firstWrite, toRestoreReadyMs: after.ready };
        }
        const failbackTotalMs = fbStart - r0 + fb.toFirstWriteMs;
        await checkRoles(ctx, "a", `failback (${how})`);
        sc.lost = { stopAMs, switch: sw, returnMs, returnSteps, catchUpMs, failback: fb, failbackTotalMs };
        ctx.log(`    failback switch ${sec(fb.switchMs)}, first write on A ${sec(fb.toFirstWriteMs)} after it; return -> first write on A ${sec(failbackTotalMs)}`);
    } finally {
        // A failed phase must not leave A cut for the lab's teardown and the results.
        if (!healed) await cephLab(s, "heal a", ctx.r.log).catch((e) => ctx.log(`heal a failed: ${(e as Error).message}`));
    }
}

/** `pulumi up --expect-no-changes` on site-a, site-b and failover (activeSite site-a); no period may change. */
export async function reapply(ctx: BenchCtx, into: Reapply): Promise<void> {
    ctx.log("==> re-apply with nothing to change: site-a, site-b, failover (activeSite site-a)");
    const before = { a: await periodOf(ctx.s, "a"), b: await periodOf(ctx.s, "b") };
    for (const [key, stack] of [["siteA", "site-a"], ["siteB", "site-b"], ["failover", "failover"]] as const) {
        const res = await ctx.r.time(`bench.reapply.${stack}`, `${stack}: pulumi up --expect-no-changes`, () => ctx.d.ws.upExpectingNoChanges(stack));
        into[key] = { ms: res.ms, noChanges: res.code === 0 };
        ctx.r.check(`re-apply of ${stack} with nothing to change: pulumi up --expect-no-changes succeeds`, res.code === 0,
            res.code === 0 ? sec(res.ms) : (res.stdout + res.stderr).slice(-1500));
    }
    const after = { a: await periodOf(ctx.s, "a"), b: await periodOf(ctx.s, "b") };
    into.periodsUnchanged = JSON.stringify(before) === JSON.stringify(after);
    into.detail = `a@${before.a.epoch}->${after.a.epoch}, b@${before.b.epoch}->${after.b.epoch}`;
    ctx.r.check("re-apply with nothing to change changes no period", into.periodsUnchanged, into.detail);
}
