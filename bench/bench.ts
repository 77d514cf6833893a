// `npm run bench`: a benchmark (not a test) of the DR path on the lab of `npm run lab`: two sites,
// each in its own network namespace with a Ceph 16.2 cluster, a Kubernetes control plane and a
// `velero server`, deployed through the real Pulumi engine by scripts/lab/drill.ts (bringUpSites,
// deployStacks). In one run it measures:
//   1. replication lag A->B of Velero-shaped backups (metadata objects, tarball, kopia-like tree)
//      for 10/100/1000 objects x 1 MiB/100 MiB/1 GiB, beside the raw S3 upload time to A
//      (bench/replication.ts);
//   2. a drill (both sites up) through the failover program (`pulumi up -s failover`): switch ->
//      first write on B, and -> "restore ready" (newest backup complete on B) (bench/drill.ts);
//   3. a lost site (A's link cut, its daemons running), then A's return and the failback with catch-up;
//   4. the same switches typed as the bare radosgw-admin commands of the Ceph documentation;
//   5. a re-apply of site-a, site-b and the failover stack with nothing to change
//      (`pulumi up --expect-no-changes`);
//   6. how the lag grows with object count and size (bench/report.ts).
// It writes bench/RESULTS.md and bench/results.json (partial ones on failure) and always stops its
// own lab by pid (`k8s-lab.sh down`, `ceph-lab.sh down`).
//
// Usage: npm run bench [-- --runs N] [-- --quick] [-- --keep] [-- --out DIR] [-- --lag-budget MIN]
//        npm run bench -- --render bench/results.json    (re-render RESULTS.md only; no lab)
// For trying it out: --quick (10 and 100 objects of 1 MiB, 1 run), --counts 10,100 --sizes-mib 1,1024, --lag-only.
// Settings (environment), with the bench's own defaults so it never meets `npm run lab` or the lab
// tests: LAB_DIR=/tmp/velero-ceph-dr-bench LAB_NET=10.213.2 LAB_BRIDGE=vcdr-bench
// LAB_NETNS_A=vcdrb-a LAB_NETNS_B=vcdrb-b (and the other LAB_* of scripts/lab/README.md).
// Never run it while another lab (`npm run lab`, `npm run test:lab`) runs on the machine: two labs
// must not run at once, and the figures would say little with the cores shared.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bringUpSites, deployStacks } from "../scripts/lab/drill";
import { k8sLab } from "../scripts/lab/cluster";
import { LabSettings, Recorder, cephLab, periodOf, settingsFromEnv } from "../scripts/lab/labSettings";
import { Log, REPO_ROOT, sh } from "../scripts/lab/shell";
import { waitForObjects } from "../scripts/lab/s3";
import { BenchCtx, benchContext } from "./context";
import { lostSite, manualDrill, programDrill, programSwitch, reapply } from "./drill";
import { BENCH_PREFIX, MULTIPART_ABOVE, PART_BYTES, UPLOAD_CONCURRENCY } from "./objects";
import { lagSeries } from "./replication";
import { lagModels, renderMarkdown, writeReport } from "./report";
import { GiB, MiB, errText, sec, sizeLabel } from "./stats";
import { Args, Results } from "./types";

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

function parseArgs(argv: string[]): Args {
    const list = (v: string, what: string) => v.split(",").map((x) => {
        const n = Number(x);
        if (!Number.isInteger(n) || n < 1) throw new Error(`${what} ${v} is not allowed; allowed: comma-separated positive integers`);
        return n;
    });
    const args: Args = { runs: 5, quick: false, keep: false, lagOnly: false, out: path.join(REPO_ROOT, "bench"), lagBudgetMs: 18 * 60_000 };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${a} needs a value`);
            return v;
        };
        if (a === "--runs") {
            args.runs = Number(value());
            if (!Number.isInteger(args.runs) || args.runs < 1 || args.runs > 20) throw new Error(`--runs ${argv[i]} is not allowed; allowed: 1 to 20`);
        } else if (a === "--quick") args.quick = true;
        else if (a === "--keep") args.keep = true;
        else if (a === "--out") args.out = path.resolve(value());
        else if (a === "--render") args.render = path.resolve(value());
        else if (a === "--counts") args.counts = list(value(), a).map((n) => Math.max(n, 9));
        else if (a === "--sizes-mib") args.sizesMiB = list(value(), a);
        else if (a === "--lag-only") args.lagOnly = true;
        else if (a === "--lag-budget") {
            const m = Number(value());
            if (!(m > 0 && m <= 120)) throw new Error(`--lag-budget ${argv[i]} is not allowed; allowed: minutes, 0 to 120`);
            args.lagBudgetMs = m * 60_000;
        } else throw new Error(`unknown argument ${a}; allowed: --runs N, --quick, --keep, --out DIR, --lag-budget MIN, --counts N,N --sizes-mib N,N --lag-only, --render RESULTS_JSON`);
    }
    if (args.quick && !argv.includes("--runs")) args.runs = 1;
    return args;
}

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
        ceph: await shOut("ceph --version"),
        radosgw: await shOut("radosgw --version"),
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
    const counts = args.counts ?? (args.quick ? [10, 100] : [10, 100, 1000]);
    const sizes = args.sizesMiB?.map((m) => m * MiB) ?? (args.quick ? [1 * MiB] : [1 * MiB, 100 * MiB, 1 * GiB]);
    const res: Results = {
        startedAt: new Date(t0).toISOString(),
        complete: false,
        args: { runs: args.runs, quick: args.quick, keep: args.keep, lagBudgetMs: args.lagBudgetMs, counts: args.counts, sizesMiB: args.sizesMiB, lagOnly: args.lagOnly },
        lab: s,
        machine: await machineInfo(s),
        versions: await versionInfo(),
        method: {
            "backup shape": `per backup, under the bucket's \`${BENCH_PREFIX}\` prefix (Velero's backup sync reads only \`backups/\`, so the lab's Velero servers never import these synthetic backups): `
                + "`backups/<name>/` with velero-backup.json, the resource tarball (10% of the total), logs, resource list and pod volume backups; "
                + "`kopia/<name>/` with kopia.repository, kopia.blobcfg, `xn` index blobs (2%), `q` metadata packs (5%) and `p` data packs sharing the rest. "
                + "Uploaded in Velero's order: kopia data first, then velero-backup.json, tarball, other metadata.",
            "upload": `${UPLOAD_CONCURRENCY} requests in flight; objects above ${sizeLabel(MULTIPART_ABOVE)} as multipart uploads of ${sizeLabel(PART_BYTES)} parts `
                + "(CreateMultipartUpload/UploadPart/CompleteMultipartUpload of @aws-sdk/client-s3; @aws-sdk/lib-storage is not installed and no package was added); "
                + "the client is `rgwS3Client` (components/bucket/rgwBucket.ts) with Velero's keys from site-a's outputs, against each site's gateway address on the lab bridge. "
                + "Content is generated and hashed before the clock starts.",
            "program switch": "the failover stack's `pulumi config set` (activeSite, unreachableSites with --path, forcePromotion), then `pulumi up -s failover --event-log FILE`; "
                + "its steps are the resources it changed, each from the engine's resourcePreEvent to its resOutputsEvent (the engine stamps events in whole seconds).",
            "sizes": "MiB and GiB (binary); 1 GiB = 1073741824 bytes.",
            "memstore": "each OSD is RAM capped at 3 GiB (ceph-lab.sh has no setting for the cap); a 1 GiB backup fits once per zone, so each run's objects are removed before the next.",
        },
        setup: {},
        lag: [],
        program: {},
        manual: {},
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

    try {
        log(`bench lab ${s.dir}: net ${s.net}.0/24 (${s.bridge}, ${s.netnsA}/${s.netnsB}), mon ${s.monPortA}/${s.monPortB}, rgw ${s.rgwPortA}/${s.rgwPortB}; `
            + `${res.machine.nproc} cores, ${res.machine.memoryMiB} MiB; other Ceph daemons running: ${(res.machine.otherCephDaemonsAtStart as string[]).length}`);
        // The lab's own lifecycle (scripts/lab/drill.ts): stop and purge a previous bench lab, both
        // sites up, then site-a, site-b, Velero and the failover stack through the real engine.
        const up0 = Date.now();
        await bringUpSites(s, r);
        res.setup.clustersUpMs = Date.now() - up0;
        const dep0 = Date.now();
        const d = await deployStacks(s, r, "zone");
        res.setup.deployMs = Date.now() - dep0;
        log(`sites up in ${sec(res.setup.clustersUpMs)}, site-a + site-b + failover deployed in ${sec(res.setup.deployMs)}`);
        const ctx = await benchContext(s, d, log, r);
        res.versions = { ...res.versions, ...(await labVersions(ctx)) };
        res.setup.baselineUsageA = ctx.baselineUsage.a;
        res.setup.baselineUsageB = ctx.baselineUsage.b;

        // 1. Replication lag; one failed run does not stop the others.
        await lagSeries(ctx, counts, sizes, args.runs, args.lagBudgetMs, res.lag);
        for (const c of res.lag) for (const run of c.runs) if (run.error) res.errors.push(`lag ${run.name}: ${run.error}`);

        // 2.-5. The switches; a failed one leaves the roles unknown, so the rest is skipped.
        const phases: Array<[string, () => Promise<void>]> = [
            ["program drill", () => programDrill(ctx, res.program)],
            ["program lost site and failback", () => lostSite(ctx, res.program, "program")],
            ["re-apply with nothing to change", () => reapply(ctx, res.reapply)],
            ["manual drill", () => manualDrill(ctx, res.manual)],
            ["manual lost site and failback", () => lostSite(ctx, res.manual, "manual")],
            ["program re-apply after the manual runs", async () => {
                ctx.log("==> failover stack re-applied after the manual runs (activeSite site-a)");
                const before = { a: await periodOf(s, "a"), b: await periodOf(s, "b") };
                const p = await programSwitch(ctx, { activeSite: "a" });
                const after = { a: await periodOf(s, "a"), b: await periodOf(s, "b") };
                res.afterManual = { failoverReapplyMs: p.upMs, changes: p.changes, periodsUnchanged: JSON.stringify(before) === JSON.stringify(after), detail: `a@${before.a.epoch}->${after.a.epoch}, b@${before.b.epoch}->${after.b.epoch}` };
            }],
            ["no object lost", async () => {
                ctx.log(`==> every object written around the switches (${ctx.ledger.length}) is on both zones`);
                const onA = await waitForObjects(ctx.clients.a, ctx.bucket, ctx.ledger, 180_000);
                const onB = await waitForObjects(ctx.clients.b, ctx.bucket, ctx.ledger, 180_000);
                r.check("no object lost: every object written around the switches is on both zones", onA.missing.length === 0 && onB.missing.length === 0,
                    `${ctx.ledger.length} objects; missing on A ${onA.missing.length}, on B ${onB.missing.length}`);
            }],
        ];
        for (const [name, phase] of args.lagOnly ? [] : phases) {
            try {
                await phase();
            } catch (e) {
                res.errors.push(`${name}: ${errText(e)}`);
                log(`${name} FAILED: ${errText(e)}; skipping the remaining switch phases`);
                break;
            }
        }
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
