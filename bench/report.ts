// bench/RESULTS.md and bench/results.json: the headline, the tables and the reading of the
// figures, rendered from the results alone (so `npm run bench -- --render results.json` re-renders).
import * as fs from "fs";
import * as path from "path";
import { Site, endpoint } from "../scripts/lab/labSettings";
import { SWITCH_BACKUP } from "./context";
import { stragglerSection } from "./stragglers";
import { LagCell, LagRun, LeaseResults, Phase, Results, Scenario, SwitchOutcome, TimedStep } from "./types";
import { Fit, GiB, MiB, fitPoints, fmtStat, mibps, plural, ratio, sec, sizeLabel, stat } from "./stats";
import {
    STRAGGLER_CAUSE,
    PRODUCTION_LEASE_S, STRAGGLER_MS, drillSlopes, goalTable, lagCellFigures, lagOverall, lagSlopes, leasesOf, rpoSummary,
} from "./goals";

/** Least squares of the cell medians: ms ~ a + b * objects/1000 + c * GiB. */
function fit(cells: LagCell[], pick: (r: LagRun) => number | undefined): Fit | undefined {
    return fitPoints(cells.map((c) => ({ objects: c.objects, bytes: c.bytes, y: stat(c.runs.map(pick).filter((v): v is number => v !== undefined))?.median }))
        .filter((p): p is { objects: number; bytes: number; y: number } => p.y !== undefined));
}

export function lagModels(cells: LagCell[]): Results["lagModel"] {
    const lag = fit(cells, (x) => (x.error ? undefined : x.lagMs));
    const upload = fit(cells, (x) => (x.error ? undefined : x.uploadMs));
    const toB = fit(cells, (x) => (x.error ? undefined : x.toBMs));
    return lag && upload && toB ? { lag, upload, toB } : undefined;
}

/** Results of the real-engine lab (scripts/lab/drill.ts); older results.json files are of the replay lab. */
export const isEngineRun = (res: Results) => res.labTimingsMs !== undefined;

const cellStat = (c: LagCell, pick: (r: LagRun) => number | undefined) => stat(c.runs.filter((r) => !r.error).map(pick).filter((v): v is number => v !== undefined));

/** A site's gateway as the lab settings give it (scripts/lab/labSettings.ts endpoint()). */
const endpointOf = (res: Results, site: Site) => endpoint(res.lab, site);

function comparisonRows(res: Results, p: Scenario, m: Scenario): Array<[string, number | undefined, number | undefined]> {
    const cmds = isEngineRun(res) ? "pulumi up / commands" : "Ceph commands";
    return [
        [`drill: switch A->B, ${cmds}`, p.drill?.switch.switchMs, m.drill?.switch.switchMs],
        ["drill: switch -> first write on B", p.drill?.switch.toFirstWriteMs, m.drill?.switch.toFirstWriteMs],
        ["drill: switch -> restore ready on B", p.drill?.switch.toRestoreReadyMs, m.drill?.switch.toRestoreReadyMs],
        [`drill: switch back B->A (both up), ${cmds}`, p.drill?.switchBack.switchMs, m.drill?.switchBack.switchMs],
        ["drill: switch back -> first write on A", p.drill?.switchBack.toFirstWriteMs, m.drill?.switchBack.toFirstWriteMs],
        [`lost site: switch to B, ${cmds}`, p.lost?.switch.switchMs, m.lost?.switch.switchMs],
        ["lost site: switch -> first write on B", p.lost?.switch.toFirstWriteMs, m.lost?.switch.toFirstWriteMs],
        ["lost site: switch -> restore ready on B", p.lost?.switch.toRestoreReadyMs, m.lost?.switch.toRestoreReadyMs],
        [isEngineRun(res) ? "A returns as secondary (link healed + rejoin)" : "A returns as secondary (gateway start + rejoin)", p.lost?.returnMs, m.lost?.returnMs],
        ["A returns -> outage's backup complete on A (catch-up)", p.lost?.catchUpMs, m.lost?.catchUpMs],
        [`failback B->A, ${cmds}`, p.lost?.failback.switchMs, m.lost?.failback.switchMs],
        ["failback -> first write on A", p.lost?.failback.toFirstWriteMs, m.lost?.failback.toFirstWriteMs],
        ["failback total: A returns -> first write on A", p.lost?.failbackTotalMs, m.lost?.failbackTotalMs],
    ];
}

/** All measured lag runs. */
const lagRuns = (res: Results) => res.lag.flatMap((c) => c.runs).filter((r) => !r.error && r.lagMs !== undefined);

/** Runs by shape of their lag: all there within 2 s; most objects early but a few late (stragglers); the rest. */
function lagShapes(res: Results): { fast: LagRun[]; stragglers: LagRun[]; other: LagRun[]; pollShaped: boolean } {
    const runs = lagRuns(res);
    const fast = runs.filter((r) => r.lagMs! <= 2000);
    const stragglers = runs.filter((r) => r.lagMs! > 2000 && r.lag90Ms !== undefined && r.lag90Ms <= r.lagMs! / 2);
    const other = runs.filter((r) => !fast.includes(r) && !stragglers.includes(r));
    // A straggler waits for the data log's renewal (STRAGGLER_CAUSE, up to 22.5 s) or the idle poll
    // (20 s), plus the copy: the stragglers' lags spread over 0-30 s rather than growing with the backup.
    const pollShaped = stragglers.length >= 3 && stragglers.every((r) => r.lagMs! <= 32_000) && Math.max(...stragglers.map((r) => r.lagMs!)) >= 10_000;
    return { fast, stragglers, other, pollShaped };
}

const lagRange = (rs: LagRun[], sep = "-") => {
    const lo = Math.min(...rs.map((r) => r.lagMs!));
    const hi = Math.max(...rs.map((r) => r.lagMs!));
    return lo === hi ? sec(lo) : `${sec(lo)}${sep}${sec(hi)}`;
};

/** The longest phase of the program's steps in a switch (where its time goes). */
function longestPhase(sw?: SwitchOutcome): { what: string; ms: number } | undefined {
    return [...(sw?.phases ?? [])].sort((x, y) => y.ms - x.ms)[0];
}

function headline(res: Results): string {
    const out: string[] = [];
    const runs = lagRuns(res);
    if (runs.length) {
        const sh = lagShapes(res);
        const counts = runs.map((r) => r.objects);
        const sizes = res.lag.filter((c) => c.runs.length).map((c) => c.bytes);
        const span = `${Math.min(...counts)}-${Math.max(...counts)} objects, ${sizeLabel(Math.min(...sizes))}-${sizeLabel(Math.max(...sizes))}`;
        let t = `Replication: a Velero-shaped backup (metadata, tarball, kopia-like tree; ${span}) was complete on zone B within 2 s after its upload to A ended in ${sh.fast.length} of ${runs.length} runs`;
        if (sh.stragglers.length) t += `; in ${plural(sh.stragglers.length, "run", "runs")} a few straggling objects came ${lagRange(sh.stragglers)} after it${sh.pollShaped ? ` (${STRAGGLER_CAUSE})` : ""}`;
        if (sh.other.length) t += `; ${plural(sh.other.length, "other run", "other runs")} took ${lagRange(sh.other)}`;
        const gib = res.lag.filter((c) => c.bytes === GiB && cellStat(c, (r) => r.toBMs)).map((c) => cellStat(c, (r) => r.toBMs)!.median);
        const bw = Math.max(...res.lag.map((c) => (cellStat(c, (r) => r.uploadMs) && c.bytes >= 100 * MiB ? c.runs[0].bytes / MiB / (cellStat(c, (r) => r.uploadMs)!.median / 1000) : 0)));
        if (gib.length) t += `. 1 GiB was complete on B ${sec(Math.min(...gib))}-${sec(Math.max(...gib))} after its upload started (cell medians; raw S3 upload to A up to ${bw.toFixed(0)} MiB/s)`;
        out.push(`${t}.`);
    }
    const leases = leasesOf(res);
    const prod = leases.find((l) => l.leaseS === PRODUCTION_LEASE_S) ?? leases[leases.length - 1];
    const p = prod?.program ?? res.program;
    const m = prod?.manual ?? res.manual;
    const at = prod && res.byLease ? ` (rgw_sync_lease_period ${prod.leaseS} s)` : "";
    if (p.drill) {
        const lp = longestPhase(p.drill.switch);
        out.push(`Drill through the failover program${at}: first write on B ${sec(p.drill.switch.toFirstWriteMs)} after the switch started, restore ready ${sec(p.drill.switch.toRestoreReadyMs)}`
            + (m.drill ? ` (${res.byLease ? "the safe manual procedure" : "bare radosgw-admin commands"}: ${sec(m.drill.switch.toFirstWriteMs)} and ${sec(m.drill.switch.toRestoreReadyMs)})` : "")
            + (lp ? `; ${sec(lp.ms)} of the program's time is "${lp.what}".` : "."));
    }
    if (p.lost) {
        out.push(`Site A lost: first write on B ${sec(p.lost.switch.toFirstWriteMs)}, restore ready ${sec(p.lost.switch.toRestoreReadyMs)}`
            + (m.lost ? ` (manual ${sec(m.lost.switch.toFirstWriteMs)} and ${sec(m.lost.switch.toRestoreReadyMs)})` : "")
            + `; failback from A's return to the first write on A, catch-up included, ${sec(p.lost.failbackTotalMs)}` + (m.lost ? ` (manual ${sec(m.lost.failbackTotalMs)}).` : "."));
    }
    const ra = res.reapply;
    if (ra.siteA && ra.siteB && ra.failover) {
        out.push(`A re-apply with nothing to change ${isEngineRun(res) ? "(`pulumi up --expect-no-changes`) takes" : "runs"} ${sec(ra.siteA.ms + ra.siteB.ms + ra.failover.ms)}${isEngineRun(res) ? "" : " of commands"} (site-a ${sec(ra.siteA.ms)}, site-b ${sec(ra.siteB.ms)}, failover ${sec(ra.failover.ms)}).`);
    }
    if (!out.length) out.push("No figure was measured (see Errors).");
    out.push(`Whole run: ${res.durationMs !== undefined ? `${(res.durationMs / 60000).toFixed(1)} min` : "unfinished"} on ${res.machine.nproc} cores.`);
    return out.join(" ");
}

function fitText(f: Fit): string {
    return `${sec(f.interceptMs)} + ${sec(f.perThousandObjectsMs)} per 1000 objects + ${sec(f.perGiBMs)} per GiB (R² ${f.r2.toFixed(2)})`;
}

function reading(res: Results): string[] {
    const out: string[] = [];
    const m = res.lagModel;
    if (m) {
        out.push(`Upload to A (least squares over the ${m.upload.points} cell medians): ${fitText(m.upload)}, i.e. about ${(m.upload.perThousandObjectsMs / 1000).toFixed(1)} ms per object `
            + `and ${(GiB / MiB / (m.upload.perGiBMs / 1000)).toFixed(0)} MiB/s of bandwidth. Upload start to everything on B: ${fitText(m.toB)}. Lag after the upload: ${fitText(m.lag)}.`);
    }
    const runs = lagRuns(res);
    if (m && runs.length) {
        const sh = lagShapes(res);
        const range = (rs: LagRun[]) => (rs.length ? ` (${lagRange(rs, " to ")})` : "");
        out.push(`${m.lag.r2 < 0.6 ? `The lag itself follows object count and size only loosely (R² ${m.lag.r2.toFixed(2)})` : `The lag fits count and size with R² ${m.lag.r2.toFixed(2)}`}: `
            + `${sh.fast.length} of ${runs.length} runs had every object on B within 2 s after the upload; in ${plural(sh.stragglers.length, "run", "runs")}${range(sh.stragglers)} nine tenths of the objects were there `
            + `in less than half that time and a few stragglers came late${sh.other.length ? `; ${plural(sh.other.length, "other run", "other runs")} took ${lagRange(sh.other, " to ")}` : ""}.`);
        if (sh.pollShaped) {
            const cells = new Set(sh.stragglers.map((r) => `${r.objects}/${r.bytes}`)).size;
            out.push(`The stragglers' waits spread from ${lagRange(sh.stragglers, " to ")} and came in ${cells} of the ${res.lag.length} cells, small backups as well as large: ${STRAGGLER_CAUSE} `
                + "(read in Ceph's source, rgw_datalog.cc). A change the other zone's sync did not pick up with the earlier entry or a notification waits for that renewal. "
                + "For the RPO, count on up to about 30 s of replication after the upload ends, whatever the backup's size.");
        }
    }
    const gib = res.lag.filter((c) => c.bytes === GiB && cellStat(c, (r) => r.lagMs)).sort((x, y) => x.objects - y.objects);
    if (gib.length >= 2) {
        const r = (c: LagCell) => cellStat(c, (x) => x.lagMs)!.median / cellStat(c, (x) => x.uploadMs)!.median;
        const [few, ...more] = gib;
        const ratios = `lag/upload ${gib.map((c) => `${r(c).toFixed(2)} (${c.objects} objects)`).join(", ")}`;
        if (r(few) > 2 * Math.max(...more.map(r))) {
            out.push(`At 1 GiB the size shows through the largest object: in ${few.objects} objects the GiB is mostly a few multipart objects of hundreds of MiB, which B fetches whole and only after each upload completed, `
                + `while with more, smaller objects the GiB replicates as the upload goes: ${ratios}.`);
        } else out.push(`At 1 GiB: ${ratios}.`);
    }
    if (m && m.upload.r2 >= 0.9 && m.toB.r2 >= 0.8) {
        out.push(`So the cost grows linearly, and mostly on the upload side: per-request overhead (${(m.upload.perThousandObjectsMs / 1000).toFixed(1)} ms per object) and bandwidth. `
            + `Replication adds about ${sec(m.toB.perGiBMs - m.upload.perGiBMs)} per GiB beyond the upload (B copies each object only once it is complete on A, so the last large objects follow after the upload ends) `
            + `and ${Math.abs(m.toB.perThousandObjectsMs - m.upload.perThousandObjectsMs) < 1000 ? "nothing measurable per object" : `${sec(m.toB.perThousandObjectsMs - m.upload.perThousandObjectsMs)} per 1000 objects`}; `
            + "the rest of the lag is the stragglers' waiting time, not a throughput limit, on this loopback lab.");
    }
    return out;
}

/** Per lease, the program drill's switch A->B as a timeline: offset from `pulumi up`'s start, step. */
function timelineSection(lr: LeaseResults): string[] {
    const sw = lr.program.drill?.switch;
    if (!sw?.timeline?.length) return [];
    const L = [`Timeline of the program's drill switch A->B (seconds after \`pulumi up\` started; the engine stamps its resource events in whole seconds`
        + `${sw.timelineHasProgress ? "; the rgw tool's own steps (its RGW_PROGRESS_LOG) to 0.1 s" : "; no progress line of the tool was recorded, only the resources' starts and ends"}):`, ""];
    L.push("| offset | step |", "| ---: | --- |");
    for (const e of sw.timeline) L.push(`| ${e.offsetS} s | ${e.step.replace(/\|/g, "\\|")} |`);
    L.push(`| ${Math.round(sw.toFirstWriteMs / 1000)} s | first write on B accepted |`);
    if (sw.toRestoreReadyMs !== undefined) L.push(`| ${Math.round(sw.toRestoreReadyMs / 1000)} s | restore ready on B |`);
    L.push("");
    return L;
}

/** Replication goal figures: p95 and max of the lag per cell and overall, stragglers counted. */
function lagGoalSection(res: Results): string[] {
    const figures = lagCellFigures(res.lag).filter((f) => f.runs > 0);
    if (!figures.length) return [];
    const o = lagOverall(res.lag);
    const L = ["", `Replication goal figures: p95 and max of the lag after the upload over each cell's runs (nearest rank: with ${res.args.runs} runs a cell's p95 is its max), `
        + `and stragglers (runs whose lag exceeded ${sec(STRAGGLER_MS)}):`, ""];
    L.push("| objects | total | runs | p95 | max | stragglers |", "| ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const f of figures) L.push(`| ${f.objects} | ${sizeLabel(f.bytes)} | ${f.runs} | ${sec(f.p95Ms)} | ${sec(f.maxMs)} | ${f.stragglers} |`);
    L.push(`| all | | ${o.runs} | ${sec(o.p95Ms)} | ${sec(o.maxMs)} | ${o.stragglers} |`);
    L.push("");
    return L;
}

/** Drill time against the switch backup's object count, and the fitted slope. */
function drillBySizeSection(res: Results): string[] {
    const d = res.drillBySize ?? [];
    if (!d.length) return [];
    const L = [`Drill time against the switch backup's size (program drill at lease ${d[0].leaseS} s; each switch backup ${sizeLabel(d[0].bytes)} in total, `
        + "spread over the given number of objects; \"restore ready\" includes reading every object back from B with its sha256):", ""];
    L.push("| objects | pulumi up | first write on B | restore ready |", "| ---: | ---: | ---: | ---: |");
    for (const x of d) L.push(`| ${x.objects} | ${x.error ? `failed: ${x.error.split("\n")[0]}` : sec(x.switchMs)} | ${sec(x.toFirstWriteMs)} | ${sec(x.toRestoreReadyMs)} |`);
    const sl = drillSlopes(d);
    L.push("", `Fitted slope (least squares): first write on B ${sec(sl.firstWritePer1000Ms)} per 1000 objects, restore ready ${sec(sl.readyPer1000Ms)} per 1000 objects.`, "");
    return L;
}

function rpoSection(res: Results): string[] {
    if (!res.rpo?.length) return [];
    const L = ["## End-to-end RPO: backup Completed in cluster A -> Completed in cluster B", ""];
    L.push("Velero 1.18.1's backup sync controller enqueues every 60 s whatever the location's period (a period below that does not sync more often; "
        + "a period of exactly 1m may skip a tick, which makes 120 s); the figures below are what was measured.", "");
    L.push("| passiveBackupSyncPeriod | runs | RPO median | RPO min - max | velero-backup.json on zone B (median, max) | failed |");
    L.push("| --- | ---: | ---: | --- | --- | ---: |");
    for (const setting of res.rpo) {
        const x = rpoSummary(setting);
        L.push(`| ${x.period} | ${x.n} | ${sec(x.medianMs)} | ${sec(x.minMs)} - ${sec(x.maxMs)} | ${sec(x.replicationMedianMs)}, ${sec(x.replicationMaxMs)} | ${x.failed}${setting.error ? ` (${setting.error.split("\n")[0]})` : ""} |`);
    }
    L.push("", "Runs (completed on A = when the bench saw it, polled every 0.5 s; Velero's completionTimestamp has 1 s resolution):", "");
    for (const setting of res.rpo) {
        for (const r of setting.runs) {
            L.push(`- ${setting.period}, ${r.name}: ${r.error ? `FAILED ${r.error.split("\n")[0]}` : `RPO ${sec(r.rpoMs)}, replication ${sec(r.replicationMs)}`}`
                + `${r.offsetFromFirstS !== undefined ? `, completed on A ${r.offsetFromFirstS} s after the first` : ""}`
                + `${r.completionTimestamp ? ` (completionTimestamp ${r.completionTimestamp}, seen ${r.completedOnA})` : ""}`);
        }
    }
    L.push("");
    return L;
}

export function renderMarkdown(res: Results): string {
    const L: string[] = [];
    const engine = isEngineRun(res);
    const mach = res.machine;
    const ver = res.versions;
    if (!engine) {
        L.push("> **These figures predate the real-engine lab.** They were measured on the earlier lab (the Pulumi program evaluated under mocks and its "
            + "Ceph commands replayed; both Ceph clusters on 127.0.0.1; no Kubernetes, no Velero, no `pulumi up`). The lab now deploys through the real Pulumi engine "
            + "(`scripts/lab/drill.ts`), and the next `npm run bench` replaces these results.", "");
    }
    L.push("# Benchmark: Velero backups on Ceph RGW multisite, failover and failback (lab)");
    L.push("");
    if (!res.complete) L.push("**INCOMPLETE RUN: partial results; see Errors at the end.**", "");
    L.push("## Headline", "");
    L.push(headline(res));
    L.push("");
    L.push("## Goals (issue 17)", "");
    L.push(...goalTable(res));
    L.push("");
    L.push(`Run: ${res.startedAt}, ${res.durationMs !== undefined ? `${(res.durationMs / 60000).toFixed(1)} min` : "unfinished"} in total, `
        + `\`npm run bench${res.args.quick ? " -- --quick" : ""}\` (${res.args.runs} runs per lag cell). Generated by \`bench/bench.ts\`; raw figures in \`bench/results.json\`.`);
    L.push("");
    if (res.phaseMs && Object.keys(res.phaseMs).length) {
        L.push("Phases (wall time, in the order run):", "");
        L.push("| phase | time |", "| --- | ---: |");
        for (const [name, ms] of Object.entries(res.phaseMs)) L.push(`| ${name} | ${sec(ms)} |`);
        L.push("");
    }
    L.push("## Machine and versions", "");
    L.push("| | |", "| --- | --- |");
    L.push(`| CPU | ${mach.nproc} cores (nproc), ${mach.cpuModel} |`);
    L.push(`| memory | ${mach.memoryMiB} MiB |`);
    L.push(`| kernel | ${mach.kernel} (${mach.os}) |`);
    L.push(`| load average at start / end | ${(mach.loadAverageAtStart as number[]).join(" ")} / ${((mach.loadAverageAtEnd as number[]) ?? []).join(" ")} |`);
    const others = (mach.otherCephDaemonsAtStart as string[]).length + ((mach.otherCephDaemonsAtEnd as string[] | undefined)?.length ?? 0);
    L.push(`| other Ceph daemons on the machine (start / end) | ${(mach.otherCephDaemonsAtStart as string[]).length} / ${(mach.otherCephDaemonsAtEnd as string[] | undefined)?.length ?? "n/a"}${others ? " (other labs shared the cores during part of the run)" : ""} |`);
    L.push(`| Ceph | ${ver.ceph} |`);
    L.push(`| node | ${ver.node}; @aws-sdk/client-s3 ${ver.awsSdkClientS3} |`);
    L.push(`| this repo | ${ver.repoCommit} (${ver.repoCommitSubject}); the bench itself is committed with these results |`);
    L.push("");
    L.push("## Lab and method", "");
    if (engine) {
        L.push(`Two sites, each in its own network namespace on a private bridge (\`scripts/lab/ceph-lab.sh\`, \`k8s-lab.sh\`; LAB_DIR \`${res.lab.dir}\`, `
            + `net ${res.lab.net}.0/24, netns ${res.lab.netnsA}/${res.lab.netnsB}; gateways ${endpointOf(res, "a")} and ${endpointOf(res, "b")}): a single-node Ceph ${res.lab.cephA === res.lab.cephB ? res.lab.cephA : `${res.lab.cephA} (A) / ${res.lab.cephB} (B)`} cluster `
            + "(one mon, one memstore OSD in RAM capped at 3 GiB, pools of size 1, one beast radosgw), a Kubernetes control plane and a `velero server` each. "
            + "Deployed as `npm run lab` deploys it (`scripts/lab/drill.ts`: `bringUpSites`, `deployStacks`): the real Pulumi engine runs site-a, site-b and the failover stack "
            + "(activeSite site-a), zone scope. Client, both sites and both gateways share the same cores: the figures are for comparing, not absolute capacity.");
    } else {
        L.push(`Two single-node Ceph 16.2 clusters on 127.0.0.1 (\`scripts/lab/ceph-lab.sh\`, LAB_DIR \`${res.lab.dir}\`, mon ports ${res.lab.monPortA}/${res.lab.monPortB}, `
            + `RGW ports ${res.lab.rgwPortA}/${res.lab.rgwPortB}): one mon, one memstore OSD (RAM, capped at 3 GiB, pools of size 1) and one beast radosgw each, `
            + "configured by the program's own recorded steps (site-a, site-b), zone scope. Client, both clusters and both gateways share the same cores: "
            + "the figures are for comparing, not absolute capacity.");
    }
    L.push("");
    for (const [k, v] of Object.entries(res.method)) L.push(`- **${k}**: ${v}`);
    L.push("");
    if (engine) {
        L.push(`Setup: both sites (Ceph and Kubernetes) up in ${sec(res.setup.clustersUpMs)}; site-a, site-b, the Velero servers and the failover stack deployed through the engine in ${sec(res.setup.deployMs)} `
            + "(each stack's `pulumi up` followed by one with `--expect-no-changes`, and the lab's bucket-resource checks).");
        const t = res.labTimingsMs ?? {};
        const keys = ["lab.cephUp", "lab.k8sUp", "siteA.preview", "siteA.up", "siteA.up.noChange", "siteB.up", "siteB.up.noChange", "lab.veleroUp.a", "lab.veleroUp.b", "failover.up", "failover.up.noChange"];
        const shown = keys.filter((k) => t[k] !== undefined).map((k) => `${k} ${sec(t[k])}`);
        if (shown.length) L.push("", `Lab timings: ${shown.join(", ")}.`);
    } else L.push(`Setup: both clusters up in ${sec(res.setup.clustersUpMs)}, site-a and site-b deployed by the program's steps in ${sec(res.setup.deployMs)}.`);
    L.push("");

    L.push("## 1. Replication lag A -> B", "");
    L.push("Lag = from the end of the upload to A until every object is listed on B with the ETag and size it has on A (B's bucket listing polled every 0.25 s); "
        + "median (min - max) of the runs; \"90%\" = the median time until nine tenths of the objects were there. "
        + "Every run is then read back from B in full and compared by sha256 (\"verified\"). Upload = raw S3 upload of the backup to A in the same run.");
    L.push("");
    L.push("| objects | total | multipart objects | runs | upload to A | upload MiB/s | lag after upload | 90% on B | lag / upload | upload start -> all on B | verified | delete reached B |");
    L.push("| ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | --- | --- | --- |");
    for (const c of res.lag) {
        if (c.runs.length === 0) {
            L.push(`| ${c.objects} | ${sizeLabel(c.bytes)} | | 0 | skipped: ${c.skipped ?? "?"} | | | | | | | |`);
            continue;
        }
        const ok = c.runs.filter((r) => !r.error);
        const up = cellStat(c, (r) => r.uploadMs);
        const lag = cellStat(c, (r) => r.lagMs);
        const bytes = c.runs[0].bytes;
        L.push(`| ${c.objects} | ${sizeLabel(c.bytes)} | ${c.runs[0].multipartObjects} | ${ok.length}/${c.runs.length} | ${fmtStat(up)} | ${mibps(bytes, up?.median)} | ${fmtStat(lag)} | ${sec(cellStat(c, (r) => r.lag90Ms)?.median)} | `
            + `${up && lag ? (lag.median / up.median).toFixed(2) : "n/a"} | ${fmtStat(cellStat(c, (r) => r.toBMs))} | ${ok.length ? `${ok.filter((r) => r.verified).length}/${ok.length}` : "-"} | ${fmtStat(cellStat(c, (r) => r.deleteReplicatedMs))} |`);
    }
    const failedRuns = res.lag.flatMap((c) => c.runs.filter((r) => r.error).map((r) => `${r.name}: ${r.error}`));
    const skipped = res.lag.filter((c) => c.skipped).map((c) => `${c.objects} objects, ${sizeLabel(c.bytes)}: ${c.skipped}`);
    if (failedRuns.length || skipped.length) {
        L.push("");
        for (const f of [...failedRuns, ...skipped]) L.push(`- not measured: ${f}`);
    }
    L.push(...lagGoalSection(res));
    const usage = res.lag.flatMap((c) => c.runs).map((r) => r.usageAfterCleanup).filter(Boolean) as Array<Record<Site, number>>;
    if (usage.length) {
        const maxA = Math.max(...usage.map((u) => u.a));
        const maxB = Math.max(...usage.map((u) => u.b));
        L.push("");
        L.push(`Between runs each run's objects are deleted on A, the deletes are waited for on B, and \`radosgw-admin gc process --include-all\` runs on both zones; `
            + `memstore usage after that cleanup was at most ${sizeLabel(maxA)} (A) and ${sizeLabel(maxB)} (B) of 3 GiB, against ${sizeLabel(res.setup.baselineUsageA ?? 0)} / ${sizeLabel(res.setup.baselineUsageB ?? 0)} before the first run `
            + "(OSD `stat_bytes_used` from its admin socket, refreshed on the OSD's heartbeat: the lab has no mgr, so no `ceph df`).");
    }
    L.push("");

    L.push(...stragglerSection(res.stragglers));
    L.push("## 6. How cost grows", "");
    for (const line of reading(res)) L.push(line, "");
    if (res.lag.some((c) => cellStat(c, (r) => r.lagMs))) {
        const counts = [...new Set(res.lag.map((c) => c.objects))].sort((a, b) => a - b);
        const sizes = [...new Set(res.lag.map((c) => c.bytes))].sort((a, b) => a - b);
        const grid = (title: string, pick: (r: LagRun) => number | undefined) => {
            L.push(`${title} (median; objects x total size):`, "");
            L.push(`| objects \\ total | ${sizes.map(sizeLabel).join(" | ")} |`);
            L.push(`| ---: | ${sizes.map(() => "---:").join(" | ")} |`);
            for (const o of counts) {
                L.push(`| ${o} | ${sizes.map((b) => {
                    const c = res.lag.find((x) => x.objects === o && x.bytes === b);
                    const st = c && cellStat(c, pick);
                    return st ? sec(st.median) : "-";
                }).join(" | ")} |`);
            }
            L.push("");
        };
        grid("Upload to A", (r) => r.uploadMs);
        grid("Lag after the upload", (r) => r.lagMs);
        grid("Upload start -> every object on B", (r) => r.toBMs);
        const sl = lagSlopes(res.lag);
        const slope = (what: string, f?: Fit) => (f ? `${what}: ${fitText(f)}` : `${what}: too few cells for a fit`);
        L.push(`Slopes of the lag after the upload (least squares over the cells' figures): ${slope("p95", sl.p95)}; ${slope("max", sl.max)}.`, "");
    }
    L.push(...drillBySizeSection(res));

    L.push("## 2.-4. Switches: the failover program vs the bare radosgw-admin commands", "");
    if (engine) {
        L.push("Clock: from the start of the switch: the program's `pulumi up -s failover` (the `pulumi config set` calls before it are not counted), or the first manual command. "
            + "\"First write\": program, the first PUT the new master accepts once Velero may write there (its backup location turned ReadWrite, watched every 0.25 s from `pulumi up`'s start: "
            + "the failover stack turns it right after the promotion, beside the old master's demote); manual, the first PUT after the last command (Velero untouched); "
            + `"restore ready" = the newest backup (${SWITCH_BACKUP.objects} objects, ${sizeLabel(SWITCH_BACKUP.bytes)}, written to the old master just before the switch; `
            + "in the lost-site case it had reached B before A's link was cut) read back complete from the new master. "
            + "Program = the failover stack's settings (activeSite, unreachableSites, forcePromotion) and one `pulumi up` on the real engine: its Ceph commands "
            + "and the Velero locations and schedules of both clusters; "
            + "manual = the commands of DESIGN.md section 4 / the Ceph multisite documentation typed one by one through `ceph-lab.sh admin SITE` and `rgw-restart` (Ceph only, Velero untouched).");
    } else {
        L.push("Clock: from the switch's first Ceph command. \"First write\" = the first PUT the new master accepts after the switch's commands returned; "
            + `"restore ready" = the newest backup (${SWITCH_BACKUP.objects} objects, ${sizeLabel(SWITCH_BACKUP.bytes)}, written to the old master just before the switch; `
            + "in the lost-site case it had reached B before A's gateway was stopped) read back complete from the new master. "
            + "Program = the Ceph commands the failover stack declares, replayed (its Kubernetes steps are not run: no cluster in the lab); "
            + "manual = the commands of DESIGN.md section 4 / the Ceph multisite documentation typed one by one through `ceph-lab.sh admin SITE` and `rgw-restart`.");
    }
    L.push("");
    const leases = leasesOf(res);
    for (const lr of leases) {
        if (res.byLease) L.push(`### rgw_sync_lease_period ${lr.leaseS} s`, "");
        if (lr.setLeaseMs !== undefined) L.push(`Both gateways restarted with the lease in ${sec(lr.setLeaseMs)}; both zones' \`sync status\` caught up ${sec(lr.caughtUpMs)} after that.`, "");
        L.push("| step | program | manual | program / manual |");
        L.push("| --- | ---: | ---: | ---: |");
        for (const [what, p, m] of comparisonRows(res, lr.program, lr.manual)) {
            if (p !== undefined || m !== undefined) L.push(`| ${what} | ${sec(p)} | ${sec(m)} | ${ratio(p, m)} |`);
        }
        L.push("");
        L.push(...timelineSection(lr));
    }
    if (engine && res.byLease) {
        L.push("Where the difference comes from: both do the same safety steps (fence, catch-up, promote, demote). After each period commit the program waits for the gateway's own "
            + "realm reload (no restart when `rados` sees it) and frees the sync leases (`sync_lock`) the replaced instance left, so sync resumes at its next retry; "
            + "the manual procedure restarts the gateway after each commit, and each restarted or reloaded gateway's sync shards wait out the lease of the old instance "
            + "(up to rgw_sync_lease_period) before the catch-up can finish. The program's time also holds the engine's own (plugins, program evaluation, state) and the Velero "
            + "changes in both clusters; the manual procedure switches Ceph only.");
    } else L.push("Where the difference comes from: the program's `promote` first reads the peer's period (and pulls a newer one), "
        + "runs a preflight (metadata sync caught up, waiting for it when the master answers), fences the reachable old master read-only "
        + "(zone modify, period commit, gateway restart) and waits until data sync has caught up before it promotes; after each commit it waits "
        + "for the gateway's realm reload to settle and for the gateway to answer again (polling every 2 s, `RGW_POLL_INTERVAL`; the settle wait starts with one fixed "
        + `such sleep, which is most of each "committing the period" phase${engine ? "" : " below"}). \`demote\` pulls realm `
        + "and period and restarts the follower only when something changed. The manual commands do none of this: no check that B has every "
        + "object before it becomes master, no fence against writes still landing on A, no wait for the gateways."
        + (engine ? " The program's time also holds the engine's own (plugins, program evaluation, state) and the Velero changes in both clusters." : ""));
    L.push("");
    const lostAt = leases.find((l) => l.program.lost);
    if (lostAt?.program.lost) {
        const pl = lostAt.program.lost;
        const ml = lostAt.manual.lost;
        L.push(engine
            ? `A's link was cut (\`ceph-lab.sh cut a\`; its daemons keep running, clients time out) in ${sec(pl.stopAMs)} (program run) / ${sec(ml?.stopAMs)} (manual run) before each lost-site switch; not counted. A returns with \`heal a\`, counted in "A returns".`
            : `A's gateway was stopped (\`rgw-stop a\`, waits for a clean exit) in ${sec(pl.stopAMs)} (program run) / ${sec(ml?.stopAMs)} (manual run) before each lost-site switch; not counted.`);
        L.push("");
    }
    const stepsTable = (title: string, steps?: TimedStep[], recordMs?: number, phases?: Phase[], configMs?: number) => {
        if (!steps) return;
        const before = recordMs !== undefined ? ` (mocked program evaluation before it: ${sec(recordMs)})` : configMs !== undefined ? ` (pulumi config set before it: ${sec(configMs)})` : "";
        L.push(`${title}${before}:`, "");
        for (const x of steps) {
            // A step whose name starts with two spaces is a part of the step above it (a resource of a `pulumi up`).
            L.push(`${x.what.startsWith("  ") ? "  " : ""}- ${x.what.trim()}: ${sec(x.ms)}`);
            for (const ph of (phases ?? []).filter((p) => x.what.includes(`rgw-multisite.sh ${p.step})`))) L.push(`  - ${ph.what}: ${sec(ph.ms)}`);
        }
        L.push("");
    };
    for (const lr of leases) {
        const p = lr.program;
        const m = lr.manual;
        L.push(res.byLease ? `### Step by step, lease ${lr.leaseS} s` : "### Step by step", "");
        stepsTable("Program, drill switch A->B", p.drill?.switch.steps, p.drill?.switch.recordMs, p.drill?.switch.phases, p.drill?.switch.configMs);
        stepsTable("Manual, drill switch A->B", m.drill?.switch.steps);
        stepsTable("Program, drill switch back", p.drill?.switchBack.steps, p.drill?.switchBack.recordMs, p.drill?.switchBack.phases, p.drill?.switchBack.configMs);
        stepsTable("Manual, drill switch back", m.drill?.switchBack.steps);
        stepsTable("Program, lost site: switch to B", p.lost?.switch.steps, p.lost?.switch.recordMs, p.lost?.switch.phases, p.lost?.switch.configMs);
        stepsTable("Manual, lost site: switch to B", m.lost?.switch.steps);
        stepsTable("Program, A returns", p.lost?.returnSteps);
        stepsTable("Manual, A returns", m.lost?.returnSteps);
        stepsTable("Program, failback", p.lost?.failback.steps, p.lost?.failback.recordMs, p.lost?.failback.phases, p.lost?.failback.configMs);
        stepsTable("Manual, failback", m.lost?.failback.steps);
    }

    L.push(...rpoSection(res));

    L.push("## 5. Re-apply with nothing to change", "");
    const ra = res.reapply;
    if (ra.siteA && ra.siteB && ra.failover && ra.siteA.steps && ra.siteB.steps && ra.failover.steps) {
        L.push(`site-a ${sec(ra.siteA.ms)} (${ra.siteA.steps.length} commands), site-b ${sec(ra.siteB.ms)} (${ra.siteB.steps.length} commands), failover ${sec(ra.failover.ms)} `
            + `(${ra.failover.steps.length} commands; mocked program evaluation ${sec(ra.failover.recordMs)}); periods unchanged: ${ra.periodsUnchanged ? "yes" : "NO"} (${ra.detail}).`);
        L.push("");
        L.push("Slowest commands when there is nothing to do:", "");
        const all = [...ra.siteA.steps.map((x) => ({ ...x, stack: "site-a" })), ...ra.siteB.steps.map((x) => ({ ...x, stack: "site-b" })), ...ra.failover.steps.map((x) => ({ ...x, stack: "failover" }))]
            .sort((x, y) => y.ms - x.ms).slice(0, 8);
        for (const x of all) L.push(`- ${x.stack}: ${x.what}: ${sec(x.ms)}`);
        L.push("");
    } else if (ra.siteA && ra.siteB && ra.failover) {
        const nc = (x: { noChanges?: boolean }) => (x.noChanges ? "no changes" : "CHANGES");
        L.push(`\`pulumi up --expect-no-changes\` (engine start, program evaluation and diff; with nothing to change no step runs): `
            + `site-a ${sec(ra.siteA.ms)} (${nc(ra.siteA)}), site-b ${sec(ra.siteB.ms)} (${nc(ra.siteB)}), failover ${sec(ra.failover.ms)} (${nc(ra.failover)}); `
            + `periods unchanged: ${ra.periodsUnchanged ? "yes" : "NO"} (${ra.detail}).`);
        L.push("");
    } else L.push("Not measured (see Errors).", "");
    if (res.afterManual) {
        L.push(`After the manual runs, the failover stack (activeSite site-a) re-applied in ${sec(res.afterManual.failoverReapplyMs)}${res.afterManual.changes ? ` (changes ${JSON.stringify(res.afterManual.changes)})` : ""}; periods unchanged: ${res.afterManual.periodsUnchanged ? "yes" : "no"} (${res.afterManual.detail}).`);
        L.push("");
    }

    L.push("## Checks", "");
    for (const c of res.checks) L.push(`- [${c.ok ? "x" : " "}] ${c.name}: ${c.detail}`);
    L.push("");
    L.push("## Not measured", "");
    if (engine) {
        L.push(res.rpo?.length
            ? "- A real restore in the drills: \"restore ready\" is the newest (synthetic, Velero-shaped) backup complete on the new master's zone; the RPO section measures when Velero on B lists a real backup, and `npm run lab` restores one."
            : "- Velero's own backups: \"restore ready\" is the newest (synthetic, Velero-shaped) backup complete on the new master's zone; "
                + "Velero's backup sync period (how soon Velero on B lists a new backup) and a real restore come on top (`npm run lab` checks those, and times them).");
        L.push("- The manual procedure's Velero side: the bare commands switch Ceph only; the BackupStorageLocations and Schedules would still have to be changed by hand.");
        L.push("- Network distance between regions: both sites are network namespaces on one machine's bridge; real replication adds WAN latency and bandwidth limits.");
    } else {
        L.push("- Kubernetes and Velero themselves (no cluster here): the failover stack's `velero-role.sh` steps and BackupStorageLocation/Schedule changes are skipped, "
            + "and Velero's backup sync period (how soon Velero on B lists a new backup) adds to restore-ready in a real cluster.");
        L.push("- Pulumi's engine: the program is evaluated under mocks and its declared commands replayed; a real `pulumi up` adds its own preview, plugin and state time.");
        L.push("- Network distance between regions: both zones are on 127.0.0.1; real replication adds WAN latency and bandwidth limits.");
    }
    L.push("");
    if (res.errors.length) {
        L.push("## Errors", "");
        for (const e of res.errors) L.push("```", e, "```");
        L.push("");
    }
    return `${L.join("\n").replace(/\n{3,}/g, "\n\n").trim()}\n`;
}

export function writeReport(out: string, res: Results): void {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "results.json"), `${JSON.stringify(res, null, 2)}\n`);
    fs.writeFileSync(path.join(out, "RESULTS.md"), renderMarkdown(res));
}
