import { expect } from "chai";
import { renderDashboard } from "../../../components/monitoring/dashboard";
import { CliDeps, EXIT, MAIN_PANELS, UsageError, main, panelsToDraw, parseCliArgs } from "../../../scripts/monitoring/dashboard-cli";
import { queriedPanels } from "../../../scripts/monitoring/dashboardCheck";
import { RangeQuerier, RangeSeries } from "../../../scripts/monitoring/prometheusApi";

const BASE = ["--prometheus", "http://127.0.0.1:9090", "--site", "site-a", "--from", "2026-11-30T07:00:00Z", "--to", "2026-11-30T08:00:00Z", "--report", "report.md"];

/** BASE with one flag's value replaced, or the flag dropped when value is undefined. */
function withFlag(flag: string, value: string | undefined): string[] {
    const out: string[] = [];
    for (let i = 0; i < BASE.length; i += 2) {
        if (BASE[i] !== flag) out.push(BASE[i], BASE[i + 1]);
    }
    return value === undefined ? out : [...out, flag, value];
}

describe("monitoring/dashboard-cli: flags", () => {
    it("reads the flags into options, with the dashboard settings' defaults", () => {
        const o = parseCliArgs([...BASE, "--png", "out.png", "--panels", "Backup outcomes, Backups visible", "--step=30",
            "--expect-no-data", "Node-agent data uploads=no node-agent", "--expect-no-data", "Backup outcomes#D=none failed validation"]);
        expect(o).to.deep.include({ prometheus: "http://127.0.0.1:9090", site: "site-a", png: "out.png", report: "report.md", stepSeconds: 30 });
        expect(o.from.toISOString()).to.equal("2026-11-30T07:00:00.000Z");
        expect(o.panels).to.deep.equal(["Backup outcomes", "Backups visible"]);
        expect(o.expectNoData).to.deep.equal({ "Node-agent data uploads": "no node-agent", "Backup outcomes#D": "none failed validation" });
        expect(o).to.include({ nodeAgent: true, rgwSync: true });
        expect(parseCliArgs([...BASE, "--node-agent", "false", "--rgw-sync", "false"])).to.include({ nodeAgent: false, rgwSync: false });
    });

    const refused: Array<[string, string[], string]> = [
        ["no --prometheus", withFlag("--prometheus", undefined), "--prometheus is required"],
        ["a --prometheus that is no URL", withFlag("--prometheus", "127.0.0.1:9090"), `--prometheus "127.0.0.1:9090" is not allowed; allowed: an http(s) URL`],
        ["a --prometheus with credentials", withFlag("--prometheus", "http://admin:pw@127.0.0.1:9090"), "--prometheus must not carry credentials"],
        ["a --site that is no DNS label", withFlag("--site", "Site_A"), `--site "Site_A" is not allowed; allowed: 1 to 63 lowercase letters`],
        ["a --from without a zone", withFlag("--from", "2026-11-30T07:00:00"), `--from "2026-11-30T07:00:00" is not allowed; allowed: an ISO 8601 time with its zone`],
        ["a --to that is a date only", withFlag("--to", "2026-11-30"), `--to "2026-11-30" is not allowed`],
        ["--from after --to", withFlag("--from", "2026-11-30T09:00:00Z"), "--from 2026-11-30T09:00:00.000Z must be before --to 2026-11-30T08:00:00.000Z"],
        ["neither --png nor --report", withFlag("--report", undefined), "give --png, --report or both"],
        ["a --png that is no .png", [...BASE, "--png", "out.svg"], `--png "out.svg" must name a .png file`],
        ["an empty --panels", [...BASE, "--panels", " , "], "--panels names no panel"],
        ["--expect-no-data without a reason", [...BASE, "--expect-no-data", "Backups visible="], `--expect-no-data "Backups visible=" is not allowed`],
        ["--expect-no-data without =", [...BASE, "--expect-no-data", "Backups visible"], `--expect-no-data "Backups visible" is not allowed`],
        ["the same panel expected empty twice", [...BASE, "--expect-no-data", "A=x", "--expect-no-data", "A=y"], `--expect-no-data names "A" twice`],
        ["--node-agent yes", [...BASE, "--node-agent", "yes"], `--node-agent "yes" is not allowed; allowed: true or false`],
        ["--step 0", [...BASE, "--step", "0"], `--step "0" is not allowed; allowed: whole seconds, at least 1`],
        ["--scrape-interval 1.5", [...BASE, "--scrape-interval", "1.5"], `--scrape-interval "1.5" is not allowed`],
        ["a flag given twice", [...BASE, "--site", "site-b"], "--site given twice"],
        ["an empty flag", withFlag("--site", ""), "--site is empty"],
        ["an unknown flag", [...BASE, "--grafana", "x"], "Unknown option '--grafana'"],
        ["a positional argument", [...BASE, "extra"], "Unexpected argument 'extra'"],
        ["a flag without its value", [...BASE, "--png"], "argument missing"],
    ];
    for (const [what, argv, message] of refused) {
        it(`refuses ${what}`, () => {
            expect(() => parseCliArgs(argv)).to.throw(UsageError, message);
        });
    }
});

describe("monitoring/dashboard-cli: panels drawn", () => {
    const full = renderDashboard({ site: "site-a", nodeAgent: true, rgwSync: true });

    it("every default main panel is a panel of the full dashboard", () => {
        const titles = queriedPanels(full).map((p) => p.title);
        for (const t of MAIN_PANELS) expect(titles, t).to.include(t);
        expect(panelsToDraw(full, undefined)).to.deep.equal([...MAIN_PANELS]);
    });

    it("without RGW sync the RGW main panels are left out, not an error", () => {
        const drawn = panelsToDraw(renderDashboard({ site: "site-a", nodeAgent: true, rgwSync: false }), undefined);
        expect(drawn).to.not.include("Fetched bytes per source zone");
        expect(drawn).to.include("Backup outcomes");
    });

    it("--panels titles must be panels of the dashboard", () => {
        expect(panelsToDraw(full, ["Backups visible"])).to.deep.equal(["Backups visible"]);
        expect(() => panelsToDraw(full, ["Backups visible", "Backup size"])).to.throw(UsageError, `--panels names no panel of the dashboard: "Backup size"; panels: Age of the last`);
    });
});

describe("monitoring/dashboard-cli: main over fakes", () => {
    interface Run {
        code: number;
        stdout: string;
        stderr: string;
        files: Map<string, string | Buffer>;
        svgs: string[];
    }

    const anything = (n = 2): RangeSeries[] => [{ labels: { schedule: "daily" }, samples: Array.from({ length: n }, (_, i) => ({ t: 1796022000 + 15 * i, v: i })) }];

    async function run(argv: string[], answer: (expr: string) => RangeSeries[] | Error): Promise<Run> {
        const r: Run = { code: -1, stdout: "", stderr: "", files: new Map(), svgs: [] };
        const prometheus: RangeQuerier = {
            queryRange: async (expr) => {
                const a = answer(expr);
                if (a instanceof Error) throw a;
                return a;
            },
        };
        const deps: CliDeps = {
            prometheus: () => prometheus,
            toPng: (svg) => {
                r.svgs.push(svg);
                return Buffer.from("png");
            },
            writeFile: (file, data) => r.files.set(file, data),
            stdout: (t) => (r.stdout += t),
            stderr: (t) => (r.stderr += t),
        };
        r.code = await main(argv, deps);
        return r;
    }

    it("exit 0 when every query has data or is expected empty; writes the report and the PNG", async () => {
        const r = await run([...BASE, "--png", "out.png", "--node-agent", "false", "--expect-no-data", "Sync lag per source zone id (Ceph 20.2 and later)=Ceph 18.2"],
            (expr) => (expr.includes("rgw_sync_delta") ? [] : anything()));
        expect(r.stderr).to.equal("");
        expect(r.code).to.equal(EXIT.ok);
        expect(r.stdout).to.match(/^dashboard-cli: \d+ of \d+ queries returned data, 1 without data as expected; wrote report report.md, PNG out.png\n$/);
        expect(String(r.files.get("report.md"))).to.include("no data (expected: Ceph 18.2)");
        expect(r.files.get("out.png")?.toString()).to.equal("png");
        expect(r.svgs).to.have.length(1);
        expect(r.svgs[0].match(/<g class="panel"/g)).to.have.length(MAIN_PANELS.length);
    });

    it("exit 1 listing the panels and targets that should have data and have none", async () => {
        const r = await run([...BASE], (expr) => (expr.includes("velero_restore_") ? [] : anything()));
        expect(r.code).to.equal(EXIT.missingData);
        expect(r.stderr).to.equal("dashboard-cli: 3 queries returned no data where they should (panels: 1):\n"
            + "  Restore outcomes (A)\n  Restore outcomes (B)\n  Restore outcomes (C)\n");
        expect(r.files.has("report.md")).to.equal(true);
    });

    it("exit 2 with the usage for bad flags or a panel name the dashboard does not have, before any query", async () => {
        let queried = false;
        for (const argv of [withFlag("--site", "A"), [...BASE, "--expect-no-data", "Nope=x"], [...BASE, "--png", "o.png", "--panels", "Nope"]]) {
            const r = await run(argv, () => {
                queried = true;
                return [];
            });
            expect(r.code, argv.join(" ")).to.equal(EXIT.usage);
            expect(r.stderr).to.match(/^dashboard-cli: .+\nusage: dashboard-cli --prometheus URL/);
        }
        expect(queried).to.equal(false);
    });

    it("exit 2 when the output directory does not exist", async () => {
        const r = await run(withFlag("--report", "/nonexistent-dir/report.md"), () => anything());
        expect(r.code).to.equal(EXIT.usage);
        expect(r.stderr).to.include("the directory of /nonexistent-dir/report.md does not exist");
    });

    it("exit 3 when Prometheus does not answer, writing nothing", async () => {
        const r = await run([...BASE], () => new Error("Prometheus range query \"vector(1)\": cannot reach http://127.0.0.1:9090/api/v1/query_range: fetch failed"));
        expect(r.code).to.equal(EXIT.failed);
        expect(r.stderr).to.include("dashboard-cli: error: Prometheus range query \"vector(1)\": cannot reach");
        expect(r.files.size).to.equal(0);
    });
});
