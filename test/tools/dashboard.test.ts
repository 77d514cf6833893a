// The dashboard check against a real Prometheus: a TSDB built from synthetic OpenMetrics with
// promtool, served by Debian's prometheus binary on loopback. Without prometheus or promtool
// (scripts/install-promtool.sh) or rsvg-convert (librsvg2-bin) this fails, never skips.
import { expect } from "chai";
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderDashboard } from "../../components/monitoring/dashboard";
import { DashboardCheck, checkDashboard, checkWindow, summarize } from "../../scripts/monitoring/dashboardCheck";
import { isPng } from "../../scripts/monitoring/png";
import { PrometheusClient } from "../../scripts/monitoring/prometheusApi";
import { debianPrometheusBinary } from "../../scripts/tools/tools";
import { syntheticOpenMetrics } from "./syntheticMetrics";
import { freePort } from "./ports";

const REPO = path.resolve(__dirname, "..", "..");
const CLI = path.join(REPO, "scripts", "monitoring", "dashboard-cli.ts");

interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

function run(file: string, args: string[], cwd: string): Promise<RunResult> {
    return new Promise((resolve) => {
        execFile(file, args, { cwd, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
            const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
            resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
        });
    });
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, detail: () => string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const got = await probe().catch(() => undefined);
        if (got !== undefined) return got;
        if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s\n${detail()}`);
        await new Promise((r) => setTimeout(r, 250));
    }
}

/** Stops the process by its PID: SIGTERM, then SIGKILL after 10 s. */
function stop(proc: ChildProcess | undefined): Promise<void> {
    return new Promise((resolve) => {
        if (!proc || proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) {
            resolve();
            return;
        }
        const pid = proc.pid;
        const timer = setTimeout(() => process.kill(pid, "SIGKILL"), 10_000);
        proc.once("exit", () => {
            clearTimeout(timer);
            resolve();
        });
        process.kill(pid, "SIGTERM");
    });
}

/** Targets the synthetic data feeds (`panel title#refId`); every other target must come back empty. */
const WITH_DATA = [
    "Age of the last successful backup per schedule#A",
    "Age of the last successful backup per schedule#B",
    "Backup outcomes#A",
    "Backup outcomes#C",
    "Backup storage location status#A",
    "Fetched bytes per source zone#A",
    "Poll latency per source zone#A",
    "Age of the newest visible backup vs RPO#A",
    "Age of the newest visible backup vs RPO#B",
    "Backups visible#A",
];

const NODE_AGENT_REASON = "no node-agent in this setup";

describe("dashboard check against a real Prometheus (synthetic TSDB, Debian's prometheus)", function () {
    this.timeout(180_000);
    let dir = "";
    let prometheus: ChildProcess | undefined;
    let output = "";
    let url = "";
    // An hour of data, ending a couple of hours ago: inside the default retention, clear of the head block.
    const start = new Date((Math.floor(Date.now() / 3_600_000) - 3) * 3_600_000);
    const end = new Date(start.getTime() + 3_600_000);

    before(async () => {
        // Throws, failing the suite, when the binaries are missing: says to run scripts/install-promtool.sh.
        const prometheusBin = debianPrometheusBinary("prometheus");
        const promtoolBin = debianPrometheusBinary("promtool");
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "dashboard-check-"));
        fs.writeFileSync(path.join(dir, "metrics.om"), syntheticOpenMetrics(start.getTime() / 1000, end.getTime() / 1000));
        const blocks = await run(promtoolBin, ["tsdb", "create-blocks-from", "openmetrics", "metrics.om", "data"], dir);
        expect(blocks.code, `promtool tsdb create-blocks-from openmetrics:\n${blocks.stdout}${blocks.stderr}`).to.equal(0);

        // Rules evaluated every second, so alerts() and rules() meet real answers quickly.
        fs.writeFileSync(path.join(dir, "prometheus.yml"), "global:\n  evaluation_interval: 1s\nrule_files: [rules.yml]\n");
        fs.writeFileSync(path.join(dir, "rules.yml"), [
            "groups:",
            "  - name: check",
            "    rules:",
            "      - record: check:backups:max",
            "        expr: max(velero_backup_total)",
            "      - alert: CheckFiring",
            "        expr: vector(1)",
            "        labels: {severity: warning}",
            "      - alert: CheckPending",
            "        expr: vector(1)",
            "        for: 1h",
            "",
        ].join("\n"));
        const port = await freePort();
        url = `http://127.0.0.1:${port}`;
        prometheus = spawn(prometheusBin, [
            `--config.file=${path.join(dir, "prometheus.yml")}`,
            `--storage.tsdb.path=${path.join(dir, "data")}`,
            `--web.listen-address=127.0.0.1:${port}`,
        ], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
        const keep = (b: Buffer) => (output = (output + b.toString()).slice(-20_000));
        prometheus.stdout?.on("data", keep);
        prometheus.stderr?.on("data", keep);
        await waitFor("prometheus ready", 60_000, async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), () => output);
    });

    after(async () => {
        await stop(prometheus);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    let check: DashboardCheck;

    it("reports data for the series generated and no data for the others", async () => {
        const dashboard = renderDashboard({ site: "site-a", nodeAgent: true, rgwSync: true });
        check = await checkDashboard(dashboard, new PrometheusClient(url), checkWindow(start, end), { "Node-agent data uploads": NODE_AGENT_REASON });
        const outcomes = Object.fromEntries(check.panels.flatMap((p) => p.targets.map((t) => [`${p.title}#${t.refId}`, t.outcome])));
        const errors = check.panels.flatMap((p) => p.targets.filter((t) => t.error).map((t) => `${p.title}#${t.refId}: ${t.error}`));
        expect(errors, "queries Prometheus refused").to.deep.equal([]);
        const expected = Object.fromEntries(Object.keys(outcomes).map((k) => [k, WITH_DATA.includes(k) ? "data" : "no data"]));
        expect(outcomes).to.deep.equal(expected);
        expect(WITH_DATA.every((k) => k in outcomes), "a WITH_DATA entry names no target").to.equal(true);
    });

    it("the series are the generated ones: per schedule and zone, values from the synthetic data", () => {
        const target = (title: string, refId = "A") => check.panels.find((p) => p.title === title)?.targets.find((t) => t.refId === refId);
        const age = target("Age of the last successful backup per schedule");
        expect(age?.series.map((s) => s.labels.schedule).sort()).to.deep.equal(["apps-every-20m", "db-every-10m"]);
        expect(age?.sampleCount).to.be.greaterThan(200);
        const ages = age?.series.flatMap((s) => s.samples.map((p) => p.v)) ?? [];
        expect(Math.max(...ages)).to.be.within(1100, 1200);
        const latency = target("Poll latency per source zone")?.series ?? [];
        expect(latency.map((s) => s.labels)).to.deep.equal([{ source_zone: "zone-b" }]);
        for (const p of latency[0].samples) expect(p.v).to.be.within(0.004, 0.036);
        const bytes = target("Fetched bytes per source zone")?.series[0].samples.map((p) => p.v) ?? [];
        expect(Math.max(...bytes)).to.be.within(3.9e6, 4.1e6);
    });

    it("panels expected empty are no data with the reason, not passed; the rest without data are missing", () => {
        const s = summarize(check);
        expect(s.expectedEmpty.map((r) => `${r.panel}#${r.refId}`)).to.deep.equal(["Node-agent data uploads#A", "Node-agent data uploads#B"]);
        expect(s.withData.map((r) => `${r.panel}#${r.refId}`)).to.have.members(WITH_DATA);
        expect(s.panelsWithData).to.not.include("Node-agent data uploads");
        expect(s.panelsMissing).to.include.members(["Restore outcomes", "Sync lag per source zone id (Ceph 20.2 and later)", "Last backup status per schedule"]);
    });

    it("alerts() and rules() read the real answers", async () => {
        const client = new PrometheusClient(url);
        const alerts = await waitFor("both alerts active", 30_000, async () => {
            const a = await client.alerts();
            return a.length === 2 ? a : undefined;
        }, () => output);
        expect(alerts.map((a) => [a.name, a.state]).sort()).to.deep.equal([["CheckFiring", "firing"], ["CheckPending", "pending"]]);
        expect(alerts[0].activeAt.getTime()).to.be.within(Date.now() - 120_000, Date.now() + 1000);
        const groups = await client.rules();
        expect(groups.map((g) => g.name)).to.deep.equal(["check"]);
        expect(groups[0].rules.map((r) => [r.type, r.name])).to.deep.equal([["recording", "check:backups:max"], ["alerting", "CheckFiring"], ["alerting", "CheckPending"]]);
        const pending = groups[0].rules[2];
        expect(pending.type === "alerting" && pending.forSeconds).to.equal(3600);
        expect((await client.query("max(velero_backup_total)", end))[0].sample.v).to.be.greaterThan(0);
    });

    it("the CLI writes the report and a PNG, and exits 1 listing the panels without data", async () => {
        const png = path.join(dir, "dashboard.png");
        const report = path.join(dir, "report.md");
        const r = await run(process.execPath, [
            "--require", "ts-node/register/transpile-only", CLI,
            "--prometheus", url, "--site", "site-a", "--from", start.toISOString(), "--to", end.toISOString(),
            "--png", png, "--report", report, "--expect-no-data", `Node-agent data uploads=${NODE_AGENT_REASON}`,
        ], REPO);
        expect(r.code, `${r.stdout}${r.stderr}`).to.equal(1);
        expect(r.stdout).to.equal(`dashboard-cli: ${WITH_DATA.length} of 24 queries returned data, 2 without data as expected; wrote report ${report}, PNG ${png}\n`);
        expect(r.stderr).to.match(/^dashboard-cli: 12 queries returned no data where they should \(panels: 6\):\n/);
        expect(r.stderr).to.include("  Restore outcomes (A)\n").and.include("  Sync lag per source zone id (Ceph 20.2 and later) (A)\n");
        const image = fs.readFileSync(png);
        expect(isPng(image), "PNG signature").to.equal(true);
        expect(image.length).to.be.greaterThan(10_000);
        const md = fs.readFileSync(report, "utf8");
        expect(md).to.include(`| Node-agent data uploads | A |`).and.include(`no data (expected: ${NODE_AGENT_REASON})`);
        expect(md).to.include("| Backups visible | A | `max(velero_backup_total)` | 1 |");
    });
});
