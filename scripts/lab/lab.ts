// `npm run lab`: the DR promise on real components. Two sites, each in its own network namespace:
// a Ceph cluster (mon, OSD, radosgw), a Kubernetes control plane and a `velero server` with the
// AWS plugin. The real Pulumi engine deploys site-a, site-b and the failover stack; a Velero backup
// of cluster A is restored in cluster B through RGW multisite; then the drill, a lost site (cut by
// its link), its return and the failback, each checked with real Velero and real S3.
// Usage: npm run lab [-- --keep] [-- --scope zone|bucket]
// Settings (environment): see scripts/lab/README.md.
import * as fs from "fs";
import * as path from "path";
import { k8sLab, kubeconfigPath } from "./cluster";
import { DrillContext, checkStateAndDestroy, runDrill } from "./drill";
import { Check, LabSettings, Recorder, Scope, cephLab, endpoint, settingsFromEnv } from "./labSettings";
import { toolPath } from "../tools/tools";
import { AlertEvent, describeEvents } from "./alertChecks";
import { Log, sh } from "./shell";

export { settingsFromEnv };
export type { LabSettings };

export interface LabReport {
    settings: LabSettings;
    scope: Scope;
    startedAt: string;
    versions: Record<string, string>;
    timingsMs: Record<string, number>;
    checks: Check[];
    /** What a reviewer sees in the PR of the drill switch: `pulumi preview --diff -s failover`. */
    drillPreview?: string;
    /** Alerts that fired during the drill's incidents, with fired/resolved times (issue 18). */
    alertEvents?: AlertEvent[];
    /** Metric names each site's Prometheus held at the end, by exporter (issue 18). */
    metrics?: DrillContext["metrics"];
    ok: boolean;
}

async function versions(s: LabSettings): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const ask = async (key: string, fn: () => Promise<string>) => {
        out[key] = (await fn().catch((e: Error) => `unknown (${e.message.split("\n")[0]})`)).trim().split("\n")[0];
    };
    await ask("radosgw a", () => cephLab(s, "version a"));
    await ask("radosgw b", () => cephLab(s, "version b"));
    await ask("kube-apiserver a", () => k8sLab(s, "kubectl a version -o json").then((j) => JSON.parse(j).serverVersion?.gitVersion ?? "?"));
    await ask("velero", () => k8sLab(s, "velero a version --client-only").then((t) => /Version:\s*(\S+)/.exec(t)?.[1] ?? t));
    await ask("pulumi", () => sh(`${toolPath("pulumi")} version`).then((o) => o.stdout));
    return out;
}

export async function runLab(opts: { scope: Scope; keep: boolean; log: Log; settings?: LabSettings }): Promise<LabReport> {
    const s = opts.settings ?? settingsFromEnv();
    const r = new Recorder(opts.log);
    const startedAt = new Date().toISOString();
    let drill: DrillContext | undefined;
    try {
        drill = await runDrill(s, r, opts.scope);
        await checkStateAndDestroy(drill);
    } catch (e) {
        r.check("lab lifecycle ran to the end", false, (e as Error).message.split("\n").slice(0, 80).join("\n"));
    }
    const report: LabReport = {
        settings: s, scope: opts.scope, startedAt, versions: await versions(s), timingsMs: r.timingsMs, checks: r.checks,
        drillPreview: drill?.artifacts.drillPreview, alertEvents: drill?.alertEvents, metrics: drill?.metrics, ok: r.checks.length > 0 && r.checks.every((c) => c.ok),
    };
    if (!opts.keep) {
        await k8sLab(s, "down", r.log).catch((e) => r.log(`k8s lab down failed: ${(e as Error).message}`));
        await cephLab(s, "down", r.log).catch((e) => r.log(`ceph lab down failed: ${(e as Error).message}`));
    }
    fs.mkdirSync(s.dir, { recursive: true });
    fs.writeFileSync(path.join(s.dir, "report.json"), JSON.stringify(report, null, 2));
    return report;
}

function parseArgs(argv: string[]): { scope: Scope; keep: boolean } {
    let scope: Scope = "zone";
    let keep = false;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--keep") keep = true;
        else if (argv[i] === "--scope") {
            const v = argv[++i];
            if (v === "zone" || v === "bucket") scope = v;
            else throw new Error(`--scope ${v} is not allowed; allowed: zone or bucket`);
        } else throw new Error(`unknown argument ${argv[i]}; allowed: --keep, --scope zone|bucket`);
    }
    return { scope, keep };
}

if (require.main === module) {
    const t0 = Date.now();
    const log: Log = (line) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
    (async () => {
        const args = parseArgs(process.argv.slice(2));
        const report = await runLab({ ...args, log });
        const s = report.settings;
        console.log("\nSummary");
        for (const [k, v] of Object.entries(report.versions)) console.log(`  ${k.padEnd(40)} ${v}`);
        for (const [k, v] of Object.entries(report.timingsMs)) console.log(`  ${k.padEnd(40)} ${(v / 1000).toFixed(1)} s`);
        if (report.alertEvents?.length) console.log(`  alerts: ${describeEvents(report.alertEvents).split("; ").join("\n          ")}`);
        const passed = report.checks.filter((c) => c.ok).length;
        console.log(`  checks: ${passed} passed, ${report.checks.length - passed} failed`);
        for (const c of report.checks.filter((x) => !x.ok)) console.log(`  FAILED ${c.name}: ${c.detail}`);
        console.log(`  report: ${path.join(s.dir, "report.json")}`);
        if (args.keep) {
            console.log("\nThe lab is still running:");
            for (const site of ["a", "b"] as const) {
                console.log(`  site ${site}: gateway ${endpoint(s, site)}`);
                console.log(`    KUBECONFIG=${kubeconfigPath(s, site)} kubectl get ns    (the built kubectl: scripts/lab/k8s-lab.sh kubectl ${site} ...)`);
                console.log(`    velero --kubeconfig ${kubeconfigPath(s, site)} -n velero backup get    (scripts/lab/k8s-lab.sh velero ${site} ...)`);
            }
            console.log(`  Pulumi: cd ${path.join(s.dir, "project")} && eval "$(bash scripts/tools/env.sh)" && PULUMI_BACKEND_URL=file://${path.join(s.dir, "state")} PULUMI_CONFIG_PASSPHRASE=velero-ceph-dr-lab pulumi stack ls`);
            console.log(`  stop it: LAB_DIR=${s.dir} npm run lab:down`);
        }
        process.exit(report.ok ? 0 : 1);
    })().catch((e) => {
        console.error(`lab: ${(e as Error).message}`);
        process.exit(1);
    });
}
