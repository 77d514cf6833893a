import { expect } from "chai";
import { renderDashboard } from "../../../components/monitoring/dashboard";
import {
    CheckWindow, DashboardCheck, PanelCheck, TargetCheck, checkDashboard, checkWindow, queriedPanels, renderReportMarkdown, substituteMacros,
    summarize, targetVerdict, unknownExpectedNoData,
} from "../../../scripts/monitoring/dashboardCheck";
import { RangeQuerier, RangeSeries } from "../../../scripts/monitoring/prometheusApi";

const START = new Date("2026-11-30T07:00:00Z");
const END = new Date("2026-11-30T08:00:00Z");

/** Answers by metric name found in the query; records every query sent. */
class FakePrometheus implements RangeQuerier {
    readonly queries: string[] = [];
    constructor(private readonly byMetric: Record<string, RangeSeries[] | Error>) {}
    async queryRange(expr: string): Promise<RangeSeries[]> {
        this.queries.push(expr);
        for (const [metric, answer] of Object.entries(this.byMetric)) {
            if (expr.includes(metric)) {
                if (answer instanceof Error) throw answer;
                return answer;
            }
        }
        return [];
    }
}

const oneSeries = (labels: Record<string, string>, n = 3): RangeSeries[] => [
    { labels, samples: Array.from({ length: n }, (_, i) => ({ t: START.getTime() / 1000 + 15 * i, v: i })) },
];

describe("monitoring/dashboardCheck: window and macros", () => {
    const windows: Array<[string, Parameters<typeof checkWindow>[2], { stepSeconds: number; rateIntervalSeconds: number }]> = [
        ["an hour, defaults: step = scrape interval (3600/300 = 12 s is less)", {}, { stepSeconds: 15, rateIntervalSeconds: 60 }],
        ["an hour, 5 s scrapes", { scrapeIntervalSeconds: 5 }, { stepSeconds: 12, rateIntervalSeconds: 20 }],
        ["an hour, a 60 s step", { stepSeconds: 60 }, { stepSeconds: 60, rateIntervalSeconds: 75 }],
        ["an hour, 100 points", { maxPoints: 100 }, { stepSeconds: 36, rateIntervalSeconds: 60 }],
    ];
    for (const [what, opts, want] of windows) {
        it(`checkWindow: ${what}`, () => {
            expect(checkWindow(START, END, opts)).to.deep.include(want);
        });
    }

    it("checkWindow: a day gives Grafana's step of range / 300 points", () => {
        expect(checkWindow(START, new Date(START.getTime() + 86400_000))).to.deep.include({ stepSeconds: 288, rateIntervalSeconds: 303 });
    });

    it("checkWindow: an empty or reversed window is an error", () => {
        expect(() => checkWindow(END, START)).to.throw("the window is empty: 2026-11-30T08:00:00.000Z is not before 2026-11-30T07:00:00.000Z");
        expect(() => checkWindow(START, START)).to.throw("the window is empty");
    });

    const w: CheckWindow = { start: START, end: END, stepSeconds: 15, rateIntervalSeconds: 75 };
    const macros: Array<[string, string]> = [
        ["rate(x[$__rate_interval])", "rate(x[1m15s])"],
        ["avg_over_time(x[$__interval])", "avg_over_time(x[15s])"],
        ["increase(x[$__range])", "increase(x[1h])"],
        ["sum(x) / sum(y)", "sum(x) / sum(y)"],
    ];
    for (const [expr, want] of macros) {
        it(`substituteMacros: ${expr} -> ${want}`, () => {
            expect(substituteMacros(expr, w)).to.equal(want);
        });
    }

    it("substituteMacros: a variable it cannot fill in is an error naming it", () => {
        expect(() => substituteMacros(`x{site="$site"}`, w)).to.throw("expression uses the Grafana variable $site");
        expect(() => substituteMacros("rate(x[${__rate_interval_ms}])", w)).to.throw("Grafana variable ${__rate_interval_ms");
    });
});

describe("monitoring/dashboardCheck: checking the dashboard", () => {
    const dashboard = renderDashboard({ site: "site-a", nodeAgent: true, rgwSync: true });
    const window = checkWindow(START, END);

    it("queries every target of every panel once, with Grafana's macros filled in", async () => {
        const prometheus = new FakePrometheus({});
        const check = await checkDashboard(dashboard, prometheus, window);
        const targets = queriedPanels(dashboard).flatMap((p) => p.targets ?? []);
        expect(targets.length).to.be.greaterThan(10);
        expect(prometheus.queries).to.have.length(targets.length);
        for (const q of prometheus.queries) expect(q).to.not.include("$");
        expect(check.panels.map((p) => p.title)).to.deep.equal(queriedPanels(dashboard).map((p) => p.title));
    });

    it("reports series and samples per target; a target without series is no data", async () => {
        const check = await checkDashboard(dashboard, new FakePrometheus({
            velero_backup_success_total: [...oneSeries({ schedule: "a" }), ...oneSeries({ schedule: "b" }, 2)],
        }), window);
        const outcomes = check.panels.find((p) => p.title === "Backup outcomes");
        expect(outcomes?.unit).to.equal("short");
        expect(outcomes?.targets.map((t) => [t.refId, t.outcome, t.series.length, t.sampleCount])).to.deep.equal([
            ["A", "data", 2, 5],
            ["B", "no data", 0, 0],
            ["C", "no data", 0, 0],
            ["D", "no data", 0, 0],
        ]);
    });

    it("series that came back without samples are no data", async () => {
        const check = await checkDashboard(dashboard, new FakePrometheus({ velero_backup_total: [{ labels: {}, samples: [] }] }), window);
        expect(check.panels.find((p) => p.title === "Backups visible")?.targets[0]).to.include({ outcome: "no data", sampleCount: 0 });
    });

    it("a query that fails is an error with Prometheus' text, and the check goes on", async () => {
        const check = await checkDashboard(dashboard, new FakePrometheus({
            velero_backup_total: new Error(`Prometheus range query "max(velero_backup_total)" failed: bad_data: boom`),
            velero_backup_location_status_gauge: oneSeries({ backup_location_name: "default" }),
        }), window);
        expect(check.panels.find((p) => p.title === "Backups visible")?.targets[0]).to.include({ outcome: "error" })
            .and.have.property("error").that.includes("bad_data: boom");
        expect(check.panels.find((p) => p.title === "Backup storage location status")?.targets[0].outcome).to.equal("data");
    });

    it("expected-no-data marks a whole panel or one target with the reason, and still queries them", async () => {
        const prometheus = new FakePrometheus({});
        const check = await checkDashboard(dashboard, prometheus, window, {
            "Node-agent data uploads": "no node-agent in the lab",
            "Backup outcomes#D": "no backup failed validation",
        });
        const nodeAgent = check.panels.find((p) => p.title === "Node-agent data uploads");
        expect(nodeAgent?.targets.map((t) => t.expectedNoData)).to.deep.equal(["no node-agent in the lab", "no node-agent in the lab"]);
        const outcomes = check.panels.find((p) => p.title === "Backup outcomes");
        expect(outcomes?.targets.map((t) => t.expectedNoData)).to.deep.equal([undefined, undefined, undefined, "no backup failed validation"]);
        expect(prometheus.queries.some((q) => q.includes("podVolume_data_upload_success_total"))).to.equal(true);
    });

    it("expected-no-data naming no panel or target is refused (a typo would excuse nothing)", async () => {
        expect(unknownExpectedNoData(dashboard, { "Backup outcomes#Z": "x", "Backup outcome": "x", "Backup outcomes": "x" }))
            .to.deep.equal(["Backup outcomes#Z", "Backup outcome"]);
        let error: Error | undefined;
        await checkDashboard(dashboard, new FakePrometheus({}), window, { "Node agent": "x" }).catch((e: Error) => (error = e));
        expect(error?.message).to.equal(`expected-no-data names no panel of the dashboard: "Node agent"`);
    });

    it("without node-agent and RGW sync the dashboard has fewer panels to check", () => {
        const small = renderDashboard({ site: "site-a", nodeAgent: false, rgwSync: false });
        const titles = queriedPanels(small).map((p) => p.title);
        expect(titles).to.not.include("Node-agent data uploads");
        expect(titles).to.not.include("Fetched bytes per source zone");
        expect(titles).to.include("Backups visible");
    });
});

function target(refId: string, outcome: TargetCheck["outcome"], extra: Partial<TargetCheck> = {}): TargetCheck {
    const series = outcome === "data" ? oneSeries({ schedule: "a" }) : [];
    return { refId, legendFormat: "{{schedule}}", expr: `metric_${refId}`, query: `metric_${refId}`, outcome, series, sampleCount: series.length ? 3 : 0, ...extra };
}

function check(panels: Array<Pick<PanelCheck, "title" | "targets">>): DashboardCheck {
    return {
        dashboardTitle: "Velero DR (site-a)",
        window: { start: START, end: END, stepSeconds: 15, rateIntervalSeconds: 60 },
        panels: panels.map((p, i) => ({ id: i + 1, type: "timeseries", unit: "short", ...p })),
    };
}

describe("monitoring/dashboardCheck: summary and report", () => {
    const sample = check([
        { title: "All there", targets: [target("A", "data"), target("B", "data")] },
        { title: "Half there", targets: [target("A", "data"), target("B", "no data")] },
        { title: "Not here", targets: [target("A", "no data", { expectedNoData: "no node-agent" })] },
        { title: "Broken | panel", targets: [target("A", "error", { error: "bad_data: parse error", expr: `a{x="1|2"}` })] },
    ]);

    it("counts targets with data, missing, and expected empty; expected empty is not passed", () => {
        const s = summarize(sample);
        expect(s.withData.map((r) => `${r.panel}#${r.refId}`)).to.deep.equal(["All there#A", "All there#B", "Half there#A"]);
        expect(s.missing.map((r) => `${r.panel}#${r.refId}`)).to.deep.equal(["Half there#B", "Broken | panel#A"]);
        expect(s.expectedEmpty.map((r) => `${r.panel}#${r.refId}`)).to.deep.equal(["Not here#A"]);
        expect(s.panelsWithData).to.deep.equal(["All there"]);
        expect(s.panelsMissing).to.deep.equal(["Half there", "Broken | panel"]);
    });

    const verdicts: Array<[string, TargetCheck, string]> = [
        ["data", target("A", "data"), "data"],
        ["data where none was expected", target("A", "data", { expectedNoData: "x" }), "data (expected none: x)"],
        ["missing", target("A", "no data"), "**NO DATA** (should have data)"],
        ["expected empty", target("A", "no data", { expectedNoData: "no node-agent" }), "no data (expected: no node-agent)"],
        ["an error", target("A", "error", { error: "boom" }), "**ERROR**: boom"],
    ];
    for (const [what, t, want] of verdicts) {
        it(`the result column for ${what}: ${want}`, () => {
            expect(targetVerdict(t)).to.equal(want);
        });
    }

    it("the Markdown report: summary, the missing ones listed, one escaped table row per target", () => {
        const md = renderReportMarkdown(sample);
        const lines = md.split("\n");
        expect(lines[0]).to.equal("# Dashboard check: Velero DR (site-a)");
        expect(md).to.include("Window 2026-11-30T07:00:00.000Z to 2026-11-30T08:00:00.000Z, step 15 s, `$__rate_interval` = 1m.");
        expect(md).to.include("3 of 6 queries returned data; 2 should have and did not; 1 have no data in this setup (reason given).");
        expect(md).to.include("- Half there (B)\n- Broken | panel (A)\n");
        const rows = lines.filter((l) => l.startsWith("| ") && !l.startsWith("| Panel"));
        expect(rows).to.have.length(6);
        expect(rows).to.include("| Half there | B | `metric_B` | 0 | 0 | **NO DATA** (should have data) |");
        expect(rows).to.include("| Not here | A | `metric_A` | 0 | 0 | no data (expected: no node-agent) |");
        expect(rows).to.include("| Broken \\| panel | A | `a{x=\"1\\|2\"}` | 0 | 0 | **ERROR**: bad_data: parse error |");
        expect(rows).to.include("| All there | A | `metric_A` | 1 | 3 | data |");
    });

    it("the Markdown report joins multi-line expressions and lists nothing missing when all is there", () => {
        const md = renderReportMarkdown(check([{ title: "P", targets: [target("A", "data", { expr: "sum(\n  x\n)" })] }]));
        expect(md).to.include("| P | A | `sum( x )` | 1 | 3 | data |");
        expect(md).to.not.include("Without data");
        expect(md).to.include("1 of 1 queries returned data; 0 should have and did not");
    });
});
