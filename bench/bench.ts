// `npm run bench`: a benchmark (not a test) of the DR path on the lab of `npm run lab`: two sites,
// each in its own network namespace with a Ceph 16.2 cluster, a Kubernetes control plane and a
// `velero server`, deployed through the real Pulumi engine by scripts/lab/drill.ts (bringUpSites,
// deployStacks). In one run, phase by phase (each phase's wall time in results.json `phaseMs`):
//   1. for each rgw_sync_lease_period (--leases, default 15 = the lab's, then 120 = Ceph's default;
//      `ceph-lab.sh sync-lease N`, then both zones caught up): a drill (both sites up) through the
//      failover program (`pulumi up -s failover`; switch -> first write on B, -> "restore ready",
//      and the switch's timeline from the engine's event log) and the same drill as the safe manual
//      procedure typed with radosgw-admin (fence, catch-up, promote, demote; a gateway restart after
//      each commit, as Ceph's documentation has it), reported side by side as a ratio (bench/drill.ts);
//   2. at the last lease: a lost site (A's link cut, its daemons running), A's return and the
//      failback, through the program and by hand; a re-apply of site-a, site-b and the failover
//      stack with nothing to change (`pulumi up --expect-no-changes`); and program drills whose
//      switch backup has 10, 1000 and 10000 objects (--drill-counts): drill time against backup size;
//   3. the end-to-end RPO through Velero: a backup Completed in cluster A -> Completed in cluster B,
//      with the failover stack's passiveBackupSyncPeriod at 1m (Velero's default) and 10s (the
//      lab's), --rpo-runs backups each (bench/rpo.ts);
//   4. replication lag A->B of Velero-shaped backups (metadata objects, tarball, kopia-like tree)
//      for 10 to 10,000 objects x 1 MiB/100 MiB/1 GiB (not 10,000 x 1 GiB), beside the raw S3 upload
//      time to A, in what is left of a 45-minute run (--lag-budget) (bench/replication.ts);
//   5. how the lag and the drill grow with object count and size, and issue 17's goals against the
//      measured figures (bench/goals.ts, bench/report.ts).
// It writes bench/RESULTS.md and bench/results.json (partial ones on failure; a failed phase is
// recorded and the independent phases after it still run) and always stops its own lab by pid
// (`k8s-lab.sh down`, `ceph-lab.sh down`).
//
// Usage: npm run bench [-- --runs N] [-- --quick] [-- --keep] [-- --out DIR] [-- --lag-budget MIN]
//          [-- --leases 15,120] [-- --drill-counts 10,1000,10000] [-- --rpo-runs N]
//        npm run bench -- --render bench/results.json    (re-render RESULTS.md only; no lab)
// For trying it out: --quick (both leases, 1 run, 10 and 100 objects of 1 MiB, drill-counts 10,
// rpo-runs 1), --counts 10,100 --sizes-mib 1,1024, --lag-only.
// Settings (environment), with the bench's own defaults so it never meets `npm run lab` or the lab
// tests: LAB_DIR=/tmp/velero-ceph-dr-bench LAB_NET=10.213.2 LAB_BRIDGE=vcdr-bench
// LAB_NETNS_A=vcdrb-a LAB_NETNS_B=vcdrb-b (and the other LAB_* of scripts/lab/README.md).
// Never run it while another lab (`npm run lab`, `npm run test:lab`) runs on the machine: two labs
// must not run at once, and the figures would say little with the cores shared.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LAB_PASSIVE_BACKUP_SYNC_PERIOD, bringUpSites, deployStacks } from "../scripts/lab/drill";
import { k8sLab } from "../scripts/lab/cluster";
import { LabSettings, Recorder, cephLab, masterIs, periodOf, settingsFromEnv } from "../scripts/lab/labSettings";
import { Log, REPO_ROOT, sh } from "../scripts/lab/shell";
import { waitForObjects } from "../scripts/lab/s3";
import { BenchCtx, SWITCH_BACKUP, benchContext } from "./context";
import { lostSite, manualDrill, programDrill, programSwitch, reapply, waitCaughtUp } from "./drill";
import { lagBudget, lagCells, parseArgs } from "./args";
import { RPO_PERIODS } from "./goals";
import { rpoSeries } from "./rpo";
import { BENCH_PREFIX, MULTIPART_ABOVE, PART_BYTES, UPLOAD_CONCURRENCY } from "./objects";
import { lagSeries } from "./replication";
import { NOTIFY_OPTION, NOTIFY_SETTING_MS, stragglersBeforeAfter } from "./stragglers";
import { lagModels, renderMarkdown, writeReport } from "./report";
import { MiB, errText, sec, sizeLabel } from "./stats";
import { DrillBySize, LeaseResults, Results, Scenario } from "./types";

// ---------------------------------------------------------------------------------------------
// Settings and arguments
// ---------------------------------------------------------------------------------------------

const BENCH_DEFAULTS: Record<string, string> = {
    LAB_DIR: "/tmp/velero-ceph-dr-bench",
    LAB_NET: "10.213.2",
    LAB_BRIDGE: "vcdr-bench",
    LAB_NETNS_A: "vcdrb-a",
    LAB_NETNS_B: "vcdrb-b",
};
/** Labs of `npm run lab` and of the lab tests: the bench purges its LAB_DIR and sets up its own network, so never these. */
const FOREIGN_LAB_DIRS = ["/tmp/velero-ceph-dr-lab", "/tmp/velero-ceph-dr-lab-test"];
const FOREIGN_LAB_NETS = ["10.213.0", "10.213.1"];

// ---------------------------------------------------------------------------------------------
// Machine, versions
// ---------------------------------------------------------------------------------------------

async function shOut(cmd: string): Promise<string> {
    try {
        return (await sh(cmd)).stdout.trim();
    } catch {
        return "unknown";
    }
}

/** Ceph daemons on this machine that are not this bench's (other labs compete for the 2 cores). */
function foreignCephDaemons(s: LabSettings): string[] {
    const found: string[] = [];
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        let argv: string[];
        try {
            argv = fs.readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0");
        } catch {
            continue;
        }
        const bin = path.basename(argv[0] ?? "");
        if (!["ceph-mon", "ceph-osd", "radosgw"].includes(bin)) continue;
        const conf = argv[argv.indexOf("-c") + 1] ?? "";
        if (!conf.startsWith(`${s.dir}/`)) found.push(`${bin} ${conf}`);
    }
    return found;
}

async function machineInfo(s: LabSettings): Promise<Record<string, unknown>> {
    const cpus = os.cpus();
    return {
        nproc: Number(await shOut("nproc")),
        cpuModel: cpus[0]?.model ?? "unknown",
        memoryMiB: Math.round(os.totalmem() / MiB),
        kernel: os.release(),
        os: await shOut(". /etc/os-release && echo \"$PRETTY_NAME\""),
        loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
        otherCephDaemonsAtStart: foreignCephDaemons(s),
    };
}

async function versionInfo(): Promise<Record<string, unknown>> {
    const sdk = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules/@aws-sdk/client-s3/package.json"), "utf8")).version;
    return {
        ceph: await shOut(`bash ${path.join(REPO_ROOT, "scripts/lab/ceph-lab.sh")} version a`),
        cephB: await shOut(`bash ${path.join(REPO_ROOT, "scripts/lab/ceph-lab.sh")} version b`),
        node: process.version,
        awsSdkClientS3: sdk,
        repoCommit: await shOut("git rev-parse HEAD"),
        repoCommitDate: await shOut("git log -1 --format=%cI"),
        repoCommitSubject: await shOut("git log -1 --format=%s"),
    };
}

/** The engine, Kubernetes and Velero of the running lab (asked once it is deployed). */
async function labVersions(ctx: BenchCtx): Promise<Record<string, unknown>> {
    const ask = async (fn: () => Promise<string>) => (await fn().catch((e: Error) => `unknown (${e.message.split("\n")[0]})`)).trim().split("\n")[0];
    return {
        pulumi: await ask(async () => (await ctx.d.ws.run(["version"], { quiet: true })).stdout),
        kubeApiserver: await ask(() => k8sLab(ctx.s, "kubectl a version -o json").then((j) => JSON.parse(j).serverVersion?.gitVersion ?? "?")),
        velero: await ask(() => k8sLab(ctx.s, "velero a version --client-only")),
    };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    if (args.render) {
        fs.mkdirSync(args.out, { recursive: true });
        const saved = JSON.parse(fs.readFileSync(args.render, "utf8")) as Results;
        saved.lagModel = lagModels(saved.lag);
        fs.writeFileSync(path.join(args.out, "RESULTS.md"), renderMarkdown(saved));
        console.log(`rendered ${path.join(args.out, "RESULTS.md")} from ${args.render}`);
        return 0;
    }
    const s = settingsFromEnv({ ...BENCH_DEFAULTS, ...process.env });
    if (FOREIGN_LAB_DIRS.includes(s.dir.replace(/\/$/, ""))) {
        throw new Error(`LAB_DIR=${s.dir} belongs to \`npm run lab\` or the lab tests; the bench purges its LAB_DIR, so it needs its own (default ${BENCH_DEFAULTS.LAB_DIR})`);
    }
    if (FOREIGN_LAB_NETS.includes(s.net) || s.bridge === "vcdr-br0" || s.bridge === "vcdr-test") {
        throw new Error(`LAB_NET=${s.net} / LAB_BRIDGE=${s.bridge} belong to \`npm run lab\` or the lab tests; the bench needs its own network (default ${BENCH_DEFAULTS.LAB_NET}, ${BENCH_DEFAULTS.LAB_BRIDGE})`);
    }
    const t0 = Date.now();
    const logFile = path.join(os.tmpdir(), "velero-ceph-dr-bench.log");
    fs.writeFileSync(logFile, "");
    const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s]`;
    // Progress lines on the console; everything (each program step's output too) in the log file.
    const log: Log = (line) => {
        fs.appendFileSync(logFile, `${stamp()} ${line}\n`);
        console.log(`${stamp()} ${line}`);
    };
    const verbose: Log = (line) => {
        fs.appendFileSync(logFile, `${stamp()} ${line}\n`);
        if (/^(==>| {4}done in| {4}\[(PASS|FAIL)\])/.test(line)) console.log(`${stamp()} ${line}`);
    };
    const r = new Recorder(verbose);
    const res: Results = {
        startedAt: new Date(t0).toISOString(),
        complete: false,
        args: {
            runs: args.runs, quick: args.quick, keep: args.keep, lagBudgetMs: args.lagBudgetMs, counts: args.counts, sizesMiB: args.sizesMiB, lagOnly: args.lagOnly,
            leases: args.leases, drillCounts: args.drillCounts, rpoRuns: args.rpoRuns, stragglerRuns: args.stragglerRuns,
        },
        lab: s,
        phaseMs: {},
        machine: await machineInfo(s),
        versions: await versionInfo(),
        method: {
            "backup shape": `per backup, in a bucket of their own beside Velero's (\`<bucket>-bench\`, created on zone A with Velero's keys; Velero marks its location Unavailable while its own bucket holds a folder it does not know), under its \`${BENCH_PREFIX}\` prefix: `
                + "`backups/<name>/` with velero-backup.json, the resource tarball (10% of the total), logs, resource list and pod volume backups; "
                + "`kopia/<name>/` with kopia.repository, kopia.blobcfg, `xn` index blobs (2%), `q` metadata packs (5%) and `p` data packs sharing the rest. "
                + "Uploaded in Velero's order: kopia data first, then velero-backup.json, tarball, other metadata.",
            "upload": `${UPLOAD_CONCURRENCY} requests in flight; objects above ${sizeLabel(MULTIPART_ABOVE)} as multipart uploads of ${sizeLabel(PART_BYTES)} parts `
                + "(CreateMultipartUpload/UploadPart/CompleteMultipartUpload of @aws-sdk/client-s3; @aws-sdk/lib-storage is not installed and no package was added); "
                + "the client is `rgwS3Client` (components/bucket/rgwBucket.ts) with Velero's keys from site-a's outputs, against each site's gateway address on the lab bridge. "
                + "Content is generated and hashed before the clock starts.",
            "program switch": "the failover stack's `pulumi config set` (activeSite, unreachableSites with --path, forcePromotion), then `pulumi up -s failover --event-log FILE`; "
                + "its steps are the resources it changed, each from the engine's resourcePreEvent to its resOutputsEvent (the engine stamps events in whole seconds); "
                + "its timeline is each resource's start and end as offsets from `pulumi up`'s start (1 s resolution), with the rgw tool's own progress lines to 0.1 s "
                + "(RGW_PROGRESS_LOG, set in the engine's environment, which the program's steps inherit).",
            "manual switch": "the safe procedure typed with radosgw-admin (`ceph-lab.sh admin SITE`), a gateway restart after each period commit as Ceph's documentation has it: "
                + "old master `zone modify --read-only=true`, `period update --commit`, restart; new master: `sync status` every 1 s until metadata and data are caught up; "
                + "`zone modify --master --default --read-only=false`, `zonegroup modify --master`, `period update --commit`, restart; old master: `period pull`, "
                + "`zone modify --master=false --read-only=false`, `period update --commit`, restart. The lost-site manual switch cannot fence (A is cut): promote B, restart.",
            "leases": "each lease: `ceph-lab.sh sync-lease N` (both gateways restarted with rgw_sync_lease_period = N), then both zones' `sync status` polled every 1 s until caught up, then the drills; "
                + "the lost site, the drills by size, the RPO and the lag series run at the last lease.",
            "rpo": "per passiveBackupSyncPeriod of the failover stack (`pulumi config set`, `pulumi up -s failover`): `velero backup create --from-schedule` in cluster A, "
                + "its phase polled every 0.5 s (the Completed time is when the bench saw it; Velero's completionTimestamp, 1 s resolution, is kept beside it), then cluster B's Backup polled every 0.5 s "
                + "(up to 5 min) until Completed; RPO = seen Completed on B - seen Completed on A. Replication part: velero-backup.json listed in zone B (HeadObject every 0.5 s) - seen Completed on A. "
                + "The N backups of a setting start 60/N s apart (Velero's sync tick is 60 s), so they complete at phases spread over one tick; one poller follows them all.",
            "sizes": "MiB and GiB (binary); 1 GiB = 1073741824 bytes.",
            "memstore": "each OSD is RAM capped at 3 GiB (ceph-lab.sh has no setting for the cap); a 1 GiB backup fits once per zone, so each run's objects are removed before the next.",
        },
        setup: {},
        lag: [],
        program: {},
        manual: {},
        byLease: {},
        drillBySize: [],
        rpo: [],
        reapply: {},
        labTimingsMs: r.timingsMs,
        checks: r.checks,
        errors: [],
    };
    let stopping = false;
    const finish = async (reason?: string) => {
        if (stopping) return;
        stopping = true;
        if (reason) res.errors.push(reason);
        res.finishedAt = new Date().toISOString();
        res.durationMs = Date.now() - t0;
        res.machine.loadAverageAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
        res.machine.otherCephDaemonsAtEnd = foreignCephDaemons(s);
        res.lagModel = lagModels(res.lag);
        res.complete = res.errors.length === 0 && res.checks.every((c) => c.ok);
        if (args.keep) log(`lab left running (--keep): LAB_DIR=${s.dir} npm run lab:down`);
        else {
            // Stop every daemon of this lab by its pid (Kubernetes and Velero first: the namespaces
            // go with the Ceph side); keep the data (and logs) when something failed.
            const purge = res.errors.length ? "" : " --purge";
            await k8sLab(s, `down${purge}`, verbose).catch((e) => {
                res.errors.push(`k8s-lab.sh down failed: ${errText(e)}`);
            });
            await cephLab(s, `down${purge}`, verbose).catch((e) => {
                res.errors.push(`ceph-lab.sh down failed: ${errText(e)}`);
            });
            log(res.errors.length ? `lab stopped; its logs are kept in ${s.dir}` : "lab stopped and removed");
        }
        writeReport(args.out, res);
        log(`report: ${path.join(args.out, "RESULTS.md")} and results.json (${res.complete ? "complete" : "INCOMPLETE"}), ${((Date.now() - t0) / 60000).toFixed(1)} min; full log ${logFile}`);
    };
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
        process.on(sig, () => {
            log(`${sig}: stopping the lab and writing partial results`);
            finish(`interrupted by ${sig}`).finally(() => process.exit(130));
        });
    }

    const phaseMs = res.phaseMs!;
    /** One phase, timed; a failure is recorded and the run goes on (the caller decides what still makes sense). */
    const phase = async (name: string, fn: () => Promise<void>): Promise<boolean> => {
        const p0 = Date.now();
        log(`### phase: ${name}`);
        try {
            await fn();
            return true;
        } catch (e) {
            res.errors.push(`${name}: ${errText(e)}`);
            log(`${name} FAILED: ${errText(e)}`);
            return false;
        } finally {
            phaseMs[name] = Date.now() - p0;
            log(`### phase: ${name}: ${sec(phaseMs[name])}`);
        }
    };

    try {
        log(`bench lab ${s.dir}: net ${s.net}.0/24 (${s.bridge}, ${s.netnsA}/${s.netnsB}), mon ${s.monPortA}/${s.monPortB}, rgw ${s.rgwPortA}/${s.rgwPortB}; `
            + `${res.machine.nproc} cores, ${res.machine.memoryMiB} MiB; other Ceph daemons running: ${(res.machine.otherCephDaemonsAtStart as string[]).length}`);
        // The lab's own lifecycle (scripts/lab/drill.ts): stop and purge a previous bench lab, both
        // sites up, then site-a, site-b, Velero and the failover stack through the real engine.
        let ctx: BenchCtx | undefined;
        await phase("setup", async () => {
            const up0 = Date.now();
            await bringUpSites(s, r);
            res.setup.clustersUpMs = Date.now() - up0;
            const dep0 = Date.now();
            const d = await deployStacks(s, r, "zone");
            res.setup.deployMs = Date.now() - dep0;
            log(`sites up in ${sec(res.setup.clustersUpMs)}, site-a + site-b + failover deployed in ${sec(res.setup.deployMs)}`);
            ctx = await benchContext(s, d, log, r);
            res.versions = { ...res.versions, ...(await labVersions(ctx)) };
            res.setup.baselineUsageA = ctx.baselineUsage.a;
            res.setup.baselineUsageB = ctx.baselineUsage.b;
        });
        if (!ctx) return 1;
        const c: BenchCtx = ctx;
        const lastLease = args.leases[args.leases.length - 1];

        /** After a failed switch the roles are unknown: the program puts A back as active (it converges), or the switches stop. */
        let switchesOk = true;
        const switchPhase = async (name: string, fn: () => Promise<void>): Promise<void> => {
            if (!switchesOk) {
                res.errors.push(`${name}: skipped (a switch failed and the roles could not be restored)`);
                return;
            }
            if (await phase(name, fn)) return;
            switchesOk = await phase(`${name}: restore A as active through the program`, async () => {
                await programSwitch(c, { activeSite: "a" });
                if (!(await masterIs(s, "a", "a")) || !(await masterIs(s, "a", "b"))) throw new Error("zone A is not the metadata master on both zones after the program's switch");
            });
        };
        const setLease = (lease: number, into?: LeaseResults) => phase(`lease ${lease} s: sync-lease and caught up`, async () => {
            const t = Date.now();
            await cephLab(s, `sync-lease ${lease}`, r.log);
            const set = Date.now() - t;
            // Both gateways restarted: every sync shard waits out its lease before sync runs again.
            const waited = await Promise.all((["a", "b"] as const).map((site) => waitCaughtUp(c, site, 600_000)));
            log(`    rgw_sync_lease_period ${lease} s on both gateways in ${sec(set)}; both zones caught up ${sec(Math.max(...waited))} later`);
            if (into) Object.assign(into, { setLeaseMs: set, caughtUpMs: Math.max(...waited) });
        });

        if (!args.lagOnly) {
            // 1. Each lease: the program drill and the safe manual procedure, side by side.
            for (const [i, lease] of args.leases.entries()) {
                const lr: LeaseResults = { leaseS: lease, program: {}, manual: {} };
                res.byLease![String(lease)] = lr;
                if (!(await setLease(lease, lr))) continue;
                await switchPhase(`lease ${lease} s: program drill`, () => programDrill(c, lr.program, `l${lease}`));
                await switchPhase(`lease ${lease} s: manual drill`, () => manualDrill(c, lr.manual, `l${lease}`));
                // Between the first lease and the next: the stragglers before and after the notification
                // setting, then the shorter idle poll (each a gateway restart), so everything after runs
                // with both, as the README recommends.
                if (i === 0) {
                    res.stragglers = { option: NOTIFY_OPTION, setTo: NOTIFY_SETTING_MS, before: [], after: [] };
                    const st = res.stragglers;
                    await phase("stragglers: before and after the data change notifications and the idle poll", () => stragglersBeforeAfter(c, args.stragglerRuns, 15 * 60_000, st));
                }
            }
            // 2. At the last lease: the lost site, the re-apply, drill time against backup size.
            const last = res.byLease![String(lastLease)];
            await switchPhase(`lease ${lastLease} s: program lost site and failback`, () => lostSite(c, last.program, "program"));
            await switchPhase("re-apply with nothing to change", () => reapply(c, res.reapply));
            await switchPhase(`lease ${lastLease} s: manual lost site and failback`, () => lostSite(c, last.manual, "manual"));
            await switchPhase("program re-apply after the manual runs", async () => {
                log("==> failover stack re-applied after the manual runs (activeSite site-a)");
                const before = { a: await periodOf(s, "a"), b: await periodOf(s, "b") };
                const p = await programSwitch(c, { activeSite: "a" });
                const after = { a: await periodOf(s, "a"), b: await periodOf(s, "b") };
                res.afterManual = { failoverReapplyMs: p.upMs, changes: p.changes, periodsUnchanged: JSON.stringify(before) === JSON.stringify(after), detail: `a@${before.a.epoch}->${after.a.epoch}, b@${before.b.epoch}->${after.b.epoch}` };
            });
            for (const objects of args.drillCounts) {
                await switchPhase(`lease ${lastLease} s: program drill, switch backup of ${objects} objects`, async () => {
                    const entry: DrillBySize = { objects, bytes: SWITCH_BACKUP.bytes, leaseS: lastLease };
                    res.drillBySize!.push(entry);
                    const sc: Scenario = {};
                    try {
                        await programDrill(c, sc, `n${objects}`, objects);
                    } catch (e) {
                        entry.error = errText(e);
                        throw e;
                    }
                    Object.assign(entry, { toFirstWriteMs: sc.drill?.switch.toFirstWriteMs, toRestoreReadyMs: sc.drill?.switch.toRestoreReadyMs, switchMs: sc.drill?.switch.switchMs });
                });
            }
            // 3. End-to-end RPO through Velero (needs A active: skipped when the roles are unknown).
            if (switchesOk) await phase("RPO", () => rpoSeries(c, RPO_PERIODS, args.rpoRuns, LAB_PASSIVE_BACKUP_SYNC_PERIOD, res.rpo!));
            else res.errors.push("RPO: skipped (a switch failed and the roles could not be restored)");
            await phase("no object lost", async () => {
                log(`==> every object written around the switches (${c.ledger.length}) is on both zones`);
                const onA = await waitForObjects(c.clients.a, c.bucket, c.ledger, 300_000);
                const onB = await waitForObjects(c.clients.b, c.bucket, c.ledger, 300_000);
                r.check("no object lost: every object written around the switches is on both zones", onA.missing.length === 0 && onB.missing.length === 0,
                    `${c.ledger.length} objects; missing on A ${onA.missing.length}, on B ${onB.missing.length}`);
            });
        } else await setLease(lastLease);

        // 4. Replication lag at the last lease, in what is left of the run's budget; one failed run does not stop the others.
        const budget = lagBudget(args, Date.now() - t0);
        res.args.lagBudgetMs = budget;
        await phase(`lag series (lease ${lastLease} s)`, () => lagSeries(c, lagCells(args), args.runs, budget, res.lag));
        for (const cell of res.lag) for (const run of cell.runs) if (run.error) res.errors.push(`lag ${run.name}: ${run.error}`);
    } catch (e) {
        res.errors.push(errText(e));
        log(`FAILED: ${errText(e)}`);
    } finally {
        await finish();
    }
    return res.complete ? 0 : 1;
}

if (require.main === module) {
    main().then((code) => process.exit(code), (e) => {
        console.error(`bench: ${errText(e)}`);
        process.exit(1);
    });
}
