// The bench's pure parts (issue 17): its arguments and plan, the switch timeline from an engine
// event log, "caught up" from `sync status`, the RPO and lag statistics, the goals table, and the
// report rendered from a synthetic results object (and from the committed results.json).
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { MIN_LAG_BUDGET_MS, RUN_BUDGET_MS, lagBudget, lagCells, parseArgs } from "../../bench/args";
import { drillSlopes, goalRows, lagCellFigures, lagOverall, rpoSummary, switchBreakdown } from "../../bench/goals";
import { renderMarkdown } from "../../bench/report";
import { fitLine, percentile, GiB, MiB } from "../../bench/stats";
import { syncVerdict } from "../../bench/syncWait";
import { stragglerFigures, stragglerSection } from "../../bench/stragglers";
import { isProgressLine, switchTimeline, withToolProgress } from "../../bench/timeline";
import { LagCell, LagRun, Results, RpoSetting, SwitchOutcome } from "../../bench/types";
import { SYNC_A_INIT, SYNC_A_MASTER, SYNC_B_BEHIND, SYNC_B_CAUGHT_UP, SYNC_B_MASTER_DOWN } from "../script/cephSyncText";
import { period } from "./rgw/fixtures";

describe("bench arguments and plan (bench/args.ts)", () => {
    it("defaults: both leases (the lab's, then Ceph's), 3 runs, drills of 10/1000/10000 objects, 4 RPO runs", () => {
        const a = parseArgs([]);
        expect([a.leases, a.runs, a.drillCounts, a.rpoRuns, a.lagBudgetMs]).to.deep.equal([[15, 120], 3, [10, 1000, 10000], 4, undefined]);
    });

    it("--quick keeps both leases but one run, drill-counts 10 and one RPO run", () => {
        const a = parseArgs(["--quick"]);
        expect([a.leases, a.runs, a.drillCounts, a.rpoRuns]).to.deep.equal([[15, 120], 1, [10], 1]);
        expect(parseArgs(["--quick", "--runs", "2", "--rpo-runs", "3"])).to.include({ runs: 2, rpoRuns: 3 });
    });

    it("takes leases in the order given", () => {
        expect(parseArgs(["--leases", "120,30"]).leases).to.deep.equal([120, 30]);
    });

    const refused: [string[], RegExp][] = [
        [["--leases", "0"], /--leases 0 is not allowed/],
        [["--leases", "15,x"], /positive integers/],
        [["--leases", "1.5"], /positive integers/],
        [["--leases", "15,15"], /distinct/],
        [["--rpo-runs", "0"], /--rpo-runs 0 is not allowed; allowed: 1 to 20/],
        [["--drill-counts", "-3"], /positive integers/],
        [["--lag-budget", "0"], /--lag-budget/],
        [["--leases"], /needs a value/],
        [["--nope"], /unknown argument --nope/],
    ];
    for (const [argv, message] of refused) it(`refuses ${argv.join(" ")}`, () => expect(() => parseArgs(argv)).to.throw(message));

    it("default lag cells: 10 to 10,000 objects x 1 MiB, 100 MiB, 1 GiB, but not 10,000 x 1 GiB", () => {
        const cells = lagCells({ quick: false });
        expect(cells).to.have.length(11);
        expect(cells.some((c) => c.objects === 10000 && c.bytes === GiB)).to.equal(false);
        expect(cells.filter((c) => c.objects === 10000).map((c) => c.bytes)).to.deep.equal([MiB, 100 * MiB]);
        // Every size at the smallest count first: a budget that runs out still leaves each size measured.
        expect(cells.slice(0, 3)).to.deep.equal([{ objects: 10, bytes: MiB }, { objects: 10, bytes: 100 * MiB }, { objects: 10, bytes: GiB }]);
    });

    it("cells given on the command line are all measured; --quick is 10 and 100 objects of 1 MiB", () => {
        expect(lagCells({ quick: false, counts: [10000], sizesMiB: [1024] })).to.deep.equal([{ objects: 10000, bytes: GiB }]);
        expect(lagCells({ quick: true })).to.deep.equal([{ objects: 10, bytes: MiB }, { objects: 100, bytes: MiB }]);
    });

    it("the lag budget: --lag-budget, else what is left of the run's budget, at least the minimum", () => {
        expect(lagBudget({ lagBudgetMs: 60_000 }, 0)).to.equal(60_000);
        expect(lagBudget({}, RUN_BUDGET_MS - 12 * 60_000)).to.equal(12 * 60_000);
        expect(lagBudget({}, RUN_BUDGET_MS + 60_000)).to.equal(MIN_LAG_BUDGET_MS);
    });
});

describe("bench statistics (bench/stats.ts)", () => {
    it("nearest-rank percentile: p95 of up to 20 values is the max", () => {
        expect(percentile([3, 1, 2], 0.95)).to.equal(3);
        expect(percentile(Array.from({ length: 40 }, (_, i) => i + 1), 0.95)).to.equal(38);
        expect(percentile([5, 1], 0.5)).to.equal(1);
        expect(percentile([], 0.95)).to.equal(undefined);
    });

    it("fits a line, and refuses a single x", () => {
        const f = fitLine([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }]);
        expect(f?.slope).to.be.closeTo(2, 1e-9);
        expect(f?.intercept).to.be.closeTo(1, 1e-9);
        expect(f?.r2).to.be.closeTo(1, 1e-9);
        expect(fitLine([{ x: 1, y: 1 }, { x: 1, y: 2 }])).to.equal(undefined);
    });
});

describe("switch timeline from the engine's event log (bench/timeline.ts)", () => {
    const urn = (name: string, type = "pulumi-nodejs:dynamic/dr:Step") => `urn:pulumi:failover::velero-ceph-dr::${type}::${name}`;
    const ev = (o: object) => JSON.stringify(o);
    const start = 1_796_037_694_000; // ms: `pulumi up` started here
    // Shaped like the lab's own logs (scripts/lab/drill.ts events/*.jsonl): debug and ephemeral
    // diagnostics, planning events, the stack resource, then the steps.
    const log = [
        ev({ sequence: 0, timestamp: 1_796_037_694, diagnosticEvent: { prefix: "warning: ", message: "using pulumi-language-nodejs from $PATH\n", severity: "warning" } }),
        ev({ timestamp: 1_796_037_695, resourcePreEvent: { metadata: { urn: urn("velero-ceph-dr-failover", "pulumi:pulumi:Stack"), op: "same" } } }),
        ev({ timestamp: 1_796_037_699, diagnosticEvent: { message: "Registering resource: t=pulumi-nodejs:dynamic/dr:Step, name=ceph-metadata-master\n", severity: "debug" } }),
        ev({ timestamp: 1_796_037_699, resourcePreEvent: { planning: true, metadata: { urn: urn("ceph-metadata-master"), op: "update" } } }),
        ev({ timestamp: 1_796_037_700, resourcePreEvent: { metadata: { urn: urn("ceph-metadata-master"), op: "update" } } }),
        ev({ timestamp: 1_796_037_700, diagnosticEvent: { urn: urn("site-a-backup-location", "kubernetes:velero.io/v1:BackupStorageLocation"), message: "\n", severity: "info", ephemeral: true } }),
        ev({ timestamp: 1_796_037_712, resOutputsEvent: { metadata: { urn: urn("ceph-metadata-master"), op: "update" } } }),
        ev({ timestamp: 1_796_037_712, resourcePreEvent: { metadata: { urn: urn("ceph-secondary"), op: "update" } } }),
        ev({ timestamp: 1_796_037_718, resOutputsEvent: { metadata: { urn: urn("ceph-secondary"), op: "update" } } }),
        "not json",
    ];

    it("without progress lines (today's logs): the resources' starts and ends, seconds after pulumi up started", () => {
        const t = switchTimeline(log.join("\n"), start);
        expect(t.hasProgress).to.equal(false);
        expect(t.entries).to.deep.equal([
            { offsetS: 6, step: "ceph-metadata-master started (update)" },
            { offsetS: 18, step: "ceph-metadata-master done" },
            { offsetS: 18, step: "ceph-secondary started (update)" },
            { offsetS: 24, step: "ceph-secondary done" },
        ]);
    });

    it("with a step's progress lines in a diagnosticEvent: each `==>` and indented line at its offset", () => {
        const progress = ev({
            timestamp: 1_796_037_705,
            diagnosticEvent: { urn: urn("ceph-metadata-master"), severity: "info", message: "==> fencing zonea read-only\n    waiting until zone zoneb has caught up\nplain noise\n" },
        });
        const t = switchTimeline([...log.slice(0, 5), progress, ...log.slice(5)].join("\n"), start);
        expect(t.hasProgress).to.equal(true);
        expect(t.entries.filter((e) => e.offsetS === 11).map((e) => e.step)).to.deep.equal([
            "ceph-metadata-master: ==> fencing zonea read-only",
            "ceph-metadata-master: waiting until zone zoneb has caught up",
        ]);
    });

    it("tells progress lines from other output", () => {
        expect([isProgressLine("==> promote zoneb"), isProgressLine("    info"), isProgressLine("plain"), isProgressLine("==>"), isProgressLine("")])
            .to.deep.equal([true, true, false, false, false]);
    });
});

describe("caught up, as the manual procedure reads `sync status` (bench/syncWait.ts)", () => {
    const periodA = JSON.stringify(period({ master: "zonea" }));
    const cases: [string, string, boolean, RegExp][] = [
        ["secondary caught up (metadata and data)", SYNC_B_CAUGHT_UP, true, /metadata caught up; data from zonea caught up/],
        ["secondary behind on data shards", SYNC_B_BEHIND, false, /data from zonea syncing.*behind/],
        ["secondary while the master does not answer", SYNC_B_MASTER_DOWN, false, /metadata/],
        ["master caught up with its peer", SYNC_A_MASTER, true, /data from zoneb caught up/],
        ["master whose data sync from the peer never started", SYNC_A_INIT, false, /data from zoneb/],
    ];
    for (const [what, text, caughtUp, summary] of cases) {
        it(what, () => {
            const v = syncVerdict(text, periodA);
            expect(v.caughtUp).to.equal(caughtUp);
            expect(v.summary).to.match(summary);
        });
    }
});

// ---------------------------------------------------------------------------------------------
// Synthetic results
// ---------------------------------------------------------------------------------------------

const lagRun = (objects: number, bytes: number, run: number, lagMs: number, lag90Ms = 300): LagRun => ({
    run, name: `lag-${objects}-${bytes}-r${run}`, objects, bytes, multipartObjects: 0, uploadMs: 1000 + objects + bytes / MiB, lagMs, lag50Ms: 200, lag90Ms, toBMs: 1000 + lagMs, verified: true,
});
const cell = (objects: number, bytes: number, lags: number[]): LagCell => ({ objects, bytes, runs: lags.map((l, i) => lagRun(objects, bytes, i + 1, l)) });

const programSwitch = (firstWriteMs: number, readyMs: number): SwitchOutcome => ({
    switchMs: firstWriteMs - 500, configMs: 900, changes: { updated: 6 }, toFirstWriteMs: firstWriteMs, toRestoreReadyMs: readyMs,
    steps: [
        { what: "pulumi up -s failover (changes {\"updated\":6})", ms: firstWriteMs - 500 },
        { what: "  ceph-metadata-master (pulumi-nodejs:dynamic/dr:Step, update)", ms: firstWriteMs - 4000 },
        { what: "  ceph-secondary (pulumi-nodejs:dynamic/dr:Step, update)", ms: 2000 },
    ],
    timeline: [{ offsetS: 3, step: "ceph-metadata-master started (update)" }, { offsetS: 9, step: "ceph-metadata-master done" }],
    timelineHasProgress: false,
});
const manualSwitch = (firstWriteMs: number, catchUpMs: number): SwitchOutcome => ({
    switchMs: firstWriteMs - 300, toFirstWriteMs: firstWriteMs, toRestoreReadyMs: firstWriteMs + 200,
    steps: [
        { what: "a: radosgw-admin zone modify --rgw-zone=zonea --read-only=true", ms: 400 },
        { what: "rgw-restart a", ms: 1500 },
        { what: "b: radosgw-admin sync status every 1 s until metadata and data are caught up", ms: catchUpMs },
    ],
});
const rpo = (period: string, runs: Array<[number, number] | "fail">): RpoSetting => ({
    period,
    runs: runs.map((r, i) => (r === "fail" ? { name: `rpo-${period}-${i}`, error: "not Completed in cluster B within 300 s" }
        : { name: `rpo-${period}-${i}`, rpoMs: r[0], replicationMs: r[1], completedOnA: "2026-11-30T10:00:00.000Z", completionTimestamp: "2026-11-30T10:00:00Z" })),
});

function synthetic(): Results {
    return {
        startedAt: "2026-11-30T10:00:00.000Z", durationMs: 38 * 60_000, complete: true,
        args: { runs: 3, quick: false, leases: [15, 120], drillCounts: [10, 1000], rpoRuns: 4 },
        lab: { dir: "/tmp/velero-ceph-dr-bench", realm: "dr", zonegroup: "global", zoneA: "zonea", zoneB: "zoneb", monPortA: 3300, monPortB: 3300, rgwPortA: 8000, rgwPortB: 8000, net: "10.213.2", bridge: "vcdr-bench", netnsA: "vcdrb-a", netnsB: "vcdrb-b", cephA: "16.2", cephB: "16.2" },
        phaseMs: { setup: 300_000, "lease 15 s: program drill": 60_000, RPO: 500_000 },
        machine: { nproc: 2, cpuModel: "test", memoryMiB: 1024, kernel: "k", os: "os", loadAverageAtStart: [1, 1, 1], loadAverageAtEnd: [2, 2, 2], otherCephDaemonsAtStart: [], otherCephDaemonsAtEnd: [] },
        versions: { ceph: "16.2.15", node: "v20", awsSdkClientS3: "3", repoCommit: "abc", repoCommitSubject: "s" },
        method: { m: "method" },
        setup: { clustersUpMs: 60_000, deployMs: 200_000 },
        labTimingsMs: { "lab.cephUp": 10_000 },
        lag: [cell(10, MiB, [400, 500, 600]), cell(1000, MiB, [900, 1200, 1800]), cell(10, 100 * MiB, [700, 21_000, 800]), cell(1000, 100 * MiB, [1500, 1900, 1700])],
        program: {},
        manual: {},
        byLease: {
            15: { leaseS: 15, setLeaseMs: 3000, caughtUpMs: 17_000, program: { drill: { switch: programSwitch(9000, 11_000), switchBack: programSwitch(8000, 9000) } }, manual: { drill: { switch: manualSwitch(30_000, 16_000), switchBack: manualSwitch(29_000, 15_000) } } },
            120: {
                leaseS: 120, setLeaseMs: 3000, caughtUpMs: 118_000,
                program: { drill: { switch: programSwitch(12_000, 14_000), switchBack: programSwitch(11_000, 12_000) }, lost: { stopAMs: 100, switch: programSwitch(12_500, 13_000), returnMs: 5000, returnSteps: [], catchUpMs: 9000, failback: programSwitch(10_000, 11_000), failbackTotalMs: 20_000 } },
                manual: { drill: { switch: manualSwitch(130_000, 110_000), switchBack: manualSwitch(125_000, 100_000) } },
            },
        },
        drillBySize: [
            { objects: 10, bytes: 10 * MiB, leaseS: 120, toFirstWriteMs: 11_000, toRestoreReadyMs: 12_000, switchMs: 10_000 },
            { objects: 1000, bytes: 10 * MiB, leaseS: 120, toFirstWriteMs: 13_000, toRestoreReadyMs: 22_000, switchMs: 12_000 },
        ],
        rpo: [rpo("1m", [[52_000, 300], [37_000, 200], [22_000, 250], [118_000, 400]]), rpo("10s", [[50_000, 300], "fail"])],
        reapply: {},
        checks: [{ name: "no object lost", ok: true, detail: "all there" }],
        errors: [],
    };
}

describe("RPO and lag figures (bench/goals.ts)", () => {
    it("RPO per setting: median and max of the runs that reached B, failures counted apart", () => {
        const [oneMinute, tenSeconds] = synthetic().rpo!.map(rpoSummary);
        expect(oneMinute).to.deep.include({ period: "1m", n: 4, failed: 0, medianMs: 44_500, maxMs: 118_000, minMs: 22_000, replicationMaxMs: 400 });
        expect(tenSeconds).to.deep.include({ n: 1, failed: 1, medianMs: 50_000 });
    });

    it("lag per cell: p95 and max over the runs, stragglers over 2 s; overall", () => {
        const res = synthetic();
        expect(lagCellFigures(res.lag).map((c) => [c.p95Ms, c.maxMs, c.stragglers])).to.deep.equal([[600, 600, 0], [1800, 1800, 0], [21_000, 21_000, 1], [1900, 1900, 0]]);
        expect(lagOverall(res.lag)).to.deep.include({ runs: 12, maxMs: 21_000, stragglers: 1, worstCell: "10 objects, 100 MiB" });
    });

    it("a failed run is not a figure", () => {
        const c = cell(10, MiB, [400, 9000]);
        c.runs[1].error = "gone";
        expect(lagCellFigures([c])[0]).to.deep.include({ runs: 1, maxMs: 400, stragglers: 0 });
    });

    it("drill time against object count: slope per 1000 objects", () => {
        const s = drillSlopes(synthetic().drillBySize!);
        expect(s.firstWritePer1000Ms).to.be.closeTo(2000 / 0.99, 1e-6);
        expect(s.readyPer1000Ms).to.be.closeTo(10_000 / 0.99, 1e-6);
        expect(drillSlopes([])).to.deep.equal({ firstWritePer1000Ms: undefined, readyPer1000Ms: undefined });
    });
});

describe("issue 17's goals against the figures (bench/goals.ts goalRows)", () => {
    it("judges the planned drill on lease 120, against the manual procedure of the same lease", () => {
        const rows = goalRows(synthetic());
        expect(rows.map((r) => r.met)).to.deep.equal([true, true, false, false, false, false]);
        expect(rows[0].goal).to.include("lease 120 s");
        expect(rows[0].measured).to.equal("12.0 s");
        expect(rows[1].measured).to.equal("0.09x (program 12.0 s, manual 130.0 s)");
        expect(rows[1].why).to.include("manual catch-up wait 110.0 s after a gateway restart per commit");
        expect(rows[2].measured).to.equal("12.5 s");
        expect(rows[2].why).to.include("the engine's start until its first step");
        expect(rows[3].measured).to.include("worst cell p95 21.0 s");
        expect(rows[4].measured).to.equal("21.0 s");
        expect(rows[5].measured).to.equal("median 44.5 s, max 118.0 s (4 runs)");
        expect(rows[5].why).to.include("skip one");
    });

    it("says which cause kept an RPO past one tick: a late velero-backup.json, a skipped tick, or not measured", () => {
        const why = (runs: Array<[number, number]>, replicationMeasured = true) => {
            const res = synthetic();
            res.rpo = [rpo("1m", runs)];
            if (!replicationMeasured) for (const r of res.rpo[0].runs) delete r.replicationMs;
            return goalRows(res)[5].why;
        };
        expect(why([[85_000, 24_000], [40_000, 300]])).to.include("velero-backup.json reached zone B late (a straggler) and missed a tick");
        expect(why([[85_000, 400], [40_000, 300]])).to.include("sync tick can skip one");
        expect(why([[85_000, 400]], false)).to.include("the replication time was not measured to tell which");
        expect(why([[40_000, 400]])).to.include("Velero's 60 s backup sync tick");
    });

    it("met when every figure is within its goal", () => {
        const res = synthetic();
        res.lag = [cell(10, MiB, [400, 500, 600])];
        res.rpo = [rpo("1m", [[30_000, 300], [59_000, 200]])];
        const rows = goalRows(res);
        expect(rows.map((r) => r.met)).to.deep.equal([true, true, false, true, true, true]);
        expect(rows[5].why).to.include("Velero's 60 s backup sync tick");
    });

    it("says not measured when a phase left no figure", () => {
        const res = synthetic();
        res.byLease = {};
        res.lag = [];
        res.rpo = [];
        expect(goalRows(res).map((r) => r.met)).to.deep.equal([undefined, undefined, undefined, undefined, undefined, undefined]);
    });
});

describe("RESULTS.md (bench/report.ts renderMarkdown)", () => {
    it("shows the goals near the top, each lease side by side, the timeline, the drills by size, RPO and the phases", () => {
        const md = renderMarkdown(synthetic());
        expect(md.indexOf("## Goals (issue 17)")).to.be.greaterThan(md.indexOf("## Headline"));
        expect(md.indexOf("## Goals (issue 17)")).to.be.lessThan(md.indexOf("## Machine and versions"));
        expect(md).to.include("| planned drill on production defaults (lease 120 s): first write on B within 15.0 s of the switch | 12.0 s | yes |");
        expect(md).to.include("### rgw_sync_lease_period 15 s");
        expect(md).to.include("### rgw_sync_lease_period 120 s");
        expect(md).to.include("| drill: switch -> first write on B | 12.0 s | 130.0 s | 0.09x |");
        expect(md).to.include("| 3 s | ceph-metadata-master started (update) |");
        expect(md).to.include("no progress line of the tool was recorded");
        expect(md).to.include("| 1000 | 12.0 s | 13.0 s | 22.0 s |");
        expect(md).to.include("| 1m | 4 | 44.5 s | 22.0 s - 118.0 s |");
        expect(md).to.include("| 10 | 100 MiB | 3 | 21.0 s | 21.0 s | 1 |");
        expect(md).to.include("| RPO | 500.0 s |");
        expect(md).to.include("Drill through the failover program (rgw_sync_lease_period 120 s): first write on B 12.0 s");
    });

    it("re-renders the committed results.json; a run with only the lab's lease and no RPO says so instead of claiming production defaults", () => {
        const saved = JSON.parse(fs.readFileSync(path.join(__dirname, "../../bench/results.json"), "utf8")) as Results;
        const md = renderMarkdown(saved);
        expect(md).to.include("## Goals (issue 17)");
        expect(md).to.include("planned drill on production defaults (lease 120 s)");
        const labLeaseOnly: Results = { ...saved, byLease: { 15: saved.byLease!["15"] }, rpo: [] };
        const older = renderMarkdown(labLeaseOnly);
        expect(older).to.include("planned drill on production defaults (measured at lease 15 s only, not Ceph's 120 s)");
        expect(older).to.include("| end-to-end RPO with the default 1m sync: within 75.0 s (backup Completed on A -> Completed on B) | n/a | not measured |");
    });
});

describe("stragglers before and after the notification setting (bench/stragglers.ts)", () => {
    it("median, p95, max and straggling runs (over 2 s) of each side", () => {
        const before = [cell(100, MiB, [17_000, 16_900, 36_600, 9_400])];
        const after = [cell(100, MiB, [240, 260, 120, 2_100])];
        expect(stragglerFigures(before)).to.deep.equal({ runs: 4, medianMs: 16_900, p95Ms: 36_600, maxMs: 36_600, stragglers: 4 });
        expect(stragglerFigures(after)).to.deep.include({ runs: 4, maxMs: 2_100, stragglers: 1 });
        expect(stragglerFigures([])).to.deep.equal({ runs: 0, medianMs: undefined, p95Ms: undefined, maxMs: undefined, stragglers: 0 });
    });

    it("the report's section shows both settings, or the note when only the default was measured", () => {
        const both = stragglerSection({ option: "rgw_data_notify_interval_msec", cephDefault: 0, setTo: 200, before: [cell(100, MiB, [17_000])], after: [cell(100, MiB, [250])] });
        expect(both.join("\n")).to.contain("| rgw_data_notify_interval_msec = 0 (Ceph's default here) | 1 | 17.0 s | 17.0 s | 17.0 s | 1 |");
        expect(both.join("\n")).to.contain("| rgw_data_notify_interval_msec = 200 | 1 | 0.25 s | 0.25 s | 0.25 s | 0 |");
        expect(both.join("\n")).to.not.contain("rgw_data_sync_poll_interval");
        const withPoll = stragglerSection({ option: "rgw_data_notify_interval_msec", cephDefault: 0, setTo: 200, before: [cell(100, MiB, [17_000])],
            after: [cell(100, MiB, [250, 15_500])], pollDefault: 20, afterPoll: [cell(100, MiB, [300, 1_900])] });
        expect(withPoll.join("\n")).to.contain("| rgw_data_notify_interval_msec = 200 and rgw_data_sync_poll_interval = 2 (default 20) | 2 | 0.30 s | 1.9 s | 1.9 s | 0 |");
        const pacific = stragglerSection({ option: "rgw_data_notify_interval_msec", cephDefault: 200, setTo: 200, before: [cell(100, MiB, [300])], after: [], note: "already 200 ms" });
        expect(pacific.join("\n")).to.not.contain("| rgw_data_notify_interval_msec = 200 |");
        expect(pacific.join("\n")).to.contain("already 200 ms");
        expect(stragglerSection(undefined)).to.deep.equal([]);
    });
});

describe("the tool's progress in the switch timeline (bench/timeline.ts withToolProgress)", () => {
    it("merges RGW_PROGRESS_LOG lines at 0.1 s after pulumi up's start with the engine's whole-second entries, in time order", () => {
        const up = Date.parse("2026-11-30T14:00:00.000Z");
        const engine = { entries: [{ offsetS: 10, step: "ceph-metadata-master started (update)" }, { offsetS: 17, step: "ceph-metadata-master done" }], hasProgress: false };
        const log = "2026-11-30T14:00:10.640Z promote[77] ==> preflight: is zone zoneb's metadata caught up with the master zonea?\n"
            + "garbage line\n"
            + "2026-11-30T14:00:12.049Z promote[77]     freed 11 sync lease(s) of zone zoneb\n";
        const t = withToolProgress(engine, log, up);
        expect(t.hasProgress).to.equal(true);
        expect(t.entries).to.deep.equal([
            { offsetS: 10, step: "ceph-metadata-master started (update)" },
            { offsetS: 10.6, step: "promote: ==> preflight: is zone zoneb's metadata caught up with the master zonea?" },
            { offsetS: 12, step: "promote: freed 11 sync lease(s) of zone zoneb" },
            { offsetS: 17, step: "ceph-metadata-master done" },
        ]);
        expect(withToolProgress(engine, "", up)).to.equal(engine);
    });
});

describe("where a program switch's time went (bench/goals.ts switchBreakdown)", () => {
    it("the engine's start, the promotion's span and its catch-up, from the timeline", () => {
        const sw: SwitchOutcome = {
            switchMs: 17_300, steps: [], toFirstWriteMs: 17_300, timeline: [
                { offsetS: 6, step: "site-a-stop-schedules started (create)" },
                { offsetS: 8.4, step: "promote: ==> preflight: is zone zoneb's metadata caught up with the master zonea?" },
                { offsetS: 10.4, step: "promote: ==> waiting until zone zoneb has caught up with the fenced zonea" },
                { offsetS: 15.2, step: "promote: ==> waiting until bucket velero-backups on zone zoneb has caught up with zonea" },
                { offsetS: 16.8, step: "promote: ==> zone zoneb is the metadata master (period p)" },
            ],
        };
        expect(switchBreakdown(sw)).to.equal("the engine's start until its first step 6 s, the promotion (rgw tool) 8.4-16.8 s, of which the catch-up after the fence 4.8 s");
        expect(switchBreakdown({ switchMs: 1, steps: [], toFirstWriteMs: 1 })).to.equal(undefined);
    });
});
