import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import {
    AlertRuleSettings, isAlertingRule, renderAlertRules, renderedAlertNames, resolveAlertRuleSettings,
} from "../../components/drAlertRules";
import { PROJECT_ROOT, findPromtool, promtool, promtoolAsync, tempDir, writeYaml } from "./promtool";
import { ALERT_CASES, PromtoolTest, RUNBOOK, Role, SITES, promtoolCases } from "./scenarios";

const ROLES: Role[] = ["active", "passive"];

function settingsFor(role: Role, extra: Partial<AlertRuleSettings> = {}): AlertRuleSettings {
    return resolveAlertRuleSettings({ site: SITES[role], runbookBaseUrl: RUNBOOK, ...extra });
}

/** Writes the rules of `role`'s site and the test cases, runs `promtool test rules`. */
function runPromtoolTests(role: Role, tests: PromtoolTest[], settings = settingsFor(role)) {
    const { dir, cleanup } = tempDir("dr-rules");
    try {
        writeYaml(path.join(dir, "rules.yaml"), { groups: renderAlertRules(settings) });
        writeYaml(path.join(dir, "tests.yaml"), { rule_files: ["rules.yaml"], evaluation_interval: "1m", tests });
        return promtool(["test", "rules", "tests.yaml"], dir);
    } finally {
        cleanup();
    }
}

/**
 * Writes the rules of `role`'s site and one test file per name, runs `promtool test rules` once
 * over all of them, and splits its output by file ("Unit Testing:  <file>" starts each section).
 */
async function runPromtoolTestFiles(role: Role, testsByName: Record<string, PromtoolTest[]>): Promise<Record<string, string>> {
    const { dir, cleanup } = tempDir("dr-rules");
    try {
        writeYaml(path.join(dir, "rules.yaml"), { groups: renderAlertRules(settingsFor(role)) });
        const files = Object.entries(testsByName).map(([name, tests]) => {
            const file = `tests-${name}.yaml`;
            writeYaml(path.join(dir, file), { rule_files: ["rules.yaml"], evaluation_interval: "1m", tests });
            return [name, file] as const;
        });
        const r = await promtoolAsync(["test", "rules", ...files.map(([, f]) => f)], dir);
        const byFile: Record<string, string> = {};
        for (const part of r.output.split(/^Unit Testing:\s+/m).slice(1)) {
            const [file, ...rest] = part.split("\n");
            byFile[file.trim()] = rest.join("\n");
        }
        return Object.fromEntries(files.map(([name, f]) => [name, byFile[f]]));
    } finally {
        cleanup();
    }
}

describe("DR alert rules: promtool check rules", () => {
    it("finds promtool, or fails saying how to install it", () => {
        expect(findPromtool()).to.match(/promtool$/);
        const { dir, cleanup } = tempDir("no-promtool");
        try {
            expect(() => findPromtool(dir, path.join(dir, "missing", "promtool"))).to.throw(/promtool not found.*run scripts\/install-promtool\.sh/);
        } finally {
            cleanup();
        }
    });

    for (const role of ROLES) {
        it(`the rules of the ${role} site's cluster (${SITES[role]}) pass promtool check rules`, () => {
            const { dir, cleanup } = tempDir("dr-rules");
            try {
                writeYaml(path.join(dir, "rules.yaml"), { groups: renderAlertRules(settingsFor(role)) });
                const r = promtool(["check", "rules", "rules.yaml"], dir);
                expect(r.status, r.output).to.equal(0);
                expect(r.output).to.match(/SUCCESS: \d+ rules found/);
            } finally {
                cleanup();
            }
        });
    }

    it("promtool check rules rejects a broken expression (the check can fail)", () => {
        const { dir, cleanup } = tempDir("dr-rules");
        try {
            writeYaml(path.join(dir, "rules.yaml"), { groups: [{ name: "broken", rules: [{ alert: "Broken", expr: "sum by (x (up)" }] }] });
            const r = promtool(["check", "rules", "rules.yaml"], dir);
            expect(r.status, r.output).to.not.equal(0);
        } finally {
            cleanup();
        }
    });
});

describe("DR alert rules: shape", () => {
    const settings = settingsFor("active");
    const alerts = renderAlertRules(settings).flatMap((g) => g.rules).filter(isAlertingRule);

    it("every alert has a severity, the site label, a summary, a description and a runbook link", () => {
        expect(alerts.length).to.be.greaterThan(0);
        for (const a of alerts) {
            expect(["critical", "warning"], a.alert).to.include(a.labels.severity);
            expect(a.labels.site, a.alert).to.equal("site-a");
            expect(a.annotations.summary, a.alert).to.be.a("string").with.length.greaterThan(20);
            expect(a.annotations.description, a.alert).to.be.a("string").with.length.greaterThan(40);
            expect(a.annotations.runbook_url, a.alert).to.match(new RegExp(`^${RUNBOOK.replace(/[.]/g, "\\.")}#[a-z0-9-]+$`));
        }
    });

    it("alert names and runbook anchors are unique", () => {
        const names = alerts.map((a) => a.alert);
        const anchors = alerts.map((a) => a.annotations.runbook_url);
        expect(new Set(names).size).to.equal(names.length);
        expect(new Set(anchors).size).to.equal(anchors.length);
    });

    it("the two sites' rules differ only in the site label value and the site name in texts", () => {
        const normalize = (role: Role) => JSON.stringify(renderAlertRules(settingsFor(role))).split(SITES[role]).join("<site>");
        expect(normalize("active")).to.equal(normalize("passive"));
        expect(JSON.stringify(renderAlertRules(settingsFor("active")))).to.not.include("site-b");
    });

    it("RPO thresholds come from the schedules' series, not from a fixed number of hours", () => {
        const byName = Object.fromEntries(alerts.map((a) => [a.alert, a]));
        expect(byName.VeleroBackupTooOld.expr).to.include("schedule:velero_schedule_rpo_seconds:max");
        expect(byName.DrReplicatedBackupTooOld.expr).to.include("schedule:velero_backup_last_completed_rpo_seconds:max");
        // The only numbers there are the allowances from the settings (30m; 30m + 15m + 1m).
        expect(byName.VeleroBackupTooOld.expr).to.include("+ 1800)");
        expect(byName.DrReplicatedBackupTooOld.expr).to.include("+ 2760)");
    });

    it("the site label name is configurable", () => {
        const renamed = renderAlertRules(settingsFor("active", { siteLabel: "cluster" })).flatMap((g) => g.rules).filter(isAlertingRule);
        for (const a of renamed) {
            expect(a.labels.cluster, a.alert).to.equal("site-a");
            expect(a.labels).to.not.have.property("site");
        }
    });

    it("node-agent and RGW sync alerts can be left out", () => {
        const names = renderedAlertNames(settingsFor("active", { nodeAgent: false, rgwSync: false }));
        expect(names.filter((n) => n.startsWith("VeleroNodeAgent") || n.startsWith("RgwSync"))).to.deep.equal([]);
        expect(names).to.include("VeleroBackupTooOld");
    });

    it("docs/alerts.md describes every alert and lists every runbook anchor", () => {
        const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "alerts.md"), "utf8");
        const listed = doc.slice(doc.indexOf("## Runbook anchors")).match(/^- `#([a-z0-9-]+)`$/gm) ?? [];
        const anchors = alerts.map((a) => `- \`#${a.annotations.runbook_url.split("#")[1]}\``);
        expect(listed.sort()).to.deep.equal([...anchors].sort());
        for (const a of alerts) {
            expect(doc, a.alert).to.match(new RegExp(`^\\| \`${a.alert}\` \\| ${a.labels.severity} \\|`, "m"));
        }
    });

    it("refuses bad settings, naming each", () => {
        expect(() => resolveAlertRuleSettings({ site: "Site A", runbookBaseUrl: "docs/runbook.md", backupFailingFor: "6 hours", siteLabel: "severity" }))
            .to.throw(/site "Site A".*siteLabel "severity".*runbookBaseUrl "docs\/runbook.md".*backupFailingFor "6 hours"/);
        expect(() => resolveAlertRuleSettings({ site: "site-a", runbookBaseUrl: `${RUNBOOK}#x` })).to.throw(/without a '#'/);
        expect(() => resolveAlertRuleSettings({ site: "site-a", runbookBaseUrl: RUNBOOK, rgwSyncStalledFor: "0s" })).to.throw(/longer than 0s/);
    });
});

describe("DR alert rules: promtool test rules, every alert in both roles", () => {
    it("has scenarios for exactly the alerts the rules render", () => {
        const rendered = renderedAlertNames(settingsFor("active"));
        expect(ALERT_CASES.map((c) => c.alert).sort()).to.deep.equal([...rendered].sort());
    });

    it("every alert fires in at least one role with its severity, and each scenario is checked both ways", () => {
        const rules = Object.fromEntries(renderAlertRules(settingsFor("active")).flatMap((g) => g.rules).filter(isAlertingRule).map((r) => [r.alert, r]));
        for (const c of ALERT_CASES) {
            expect(c.active.fires || c.passive.fires, `${c.alert} fires in no role`).to.equal(true);
            expect(rules[c.alert].labels.severity, c.alert).to.equal(c.severity);
            expect(rules[c.alert].annotations.runbook_url, c.alert).to.equal(`${RUNBOOK}#${c.anchor}`);
        }
    });

    // One promtool run per role over all its alerts' files, both roles at once (promtool's own
    // evaluation of the scenarios' hours of samples is the cost); each test judges its section.
    const sections: Partial<Record<Role, Record<string, string>>> = {};
    before(async function () {
        this.timeout(120_000);
        await Promise.all(ROLES.map(async (role) => {
            sections[role] = await runPromtoolTestFiles(role, Object.fromEntries(ALERT_CASES.map((c) => [c.alert, promtoolCases(c, role)])));
        }));
    });
    for (const role of ROLES) {
        for (const c of ALERT_CASES) {
            const verdict = c[role].fires ? "fires" : "stays silent";
            it(`${c.alert}: ${verdict} on the problem and stays silent when healthy (${role}, ${SITES[role]})`, () => {
                const section = sections[role]?.[c.alert];
                expect(section, `promtool printed nothing for ${c.alert}`).to.be.a("string");
                expect(section, `promtool test rules failed:\n${section}`).to.match(/^\s*SUCCESS\s*$/m);
                expect(section).not.to.include("FAILED");
            });
        }
    }

    it("promtool test rules fails on a wrong expectation (the harness can fail)", () => {
        const c = ALERT_CASES.find((x) => x.alert === "VeleroBackupTooOld")!;
        const [problem] = promtoolCases(c, "active");
        const wrong = { ...problem, name: "deliberately wrong", alert_rule_test: [{ ...problem.alert_rule_test[0], exp_alerts: [] }] };
        const r = runPromtoolTests("active", [wrong]);
        expect(r.status, r.output).to.not.equal(0);
        expect(r.output).to.match(/FAILED/);
    });

    it("a first scheduled backup still running does not count as missing Backup state metrics", () => {
        const c = ALERT_CASES.find((x) => x.alert === "DrBackupStateMetricsAbsent")!;
        const [problem] = promtoolCases(c, "active");
        const running = {
            series: 'kube_velero_backup_rpo_seconds{job="kube-state-metrics",namespace="velero",name="hourly-running",schedule="hourly"}',
            values: "3600x250",
        };
        const silent = {
            ...problem,
            name: "running backup only",
            input_series: [...problem.input_series, running],
            alert_rule_test: [{ ...problem.alert_rule_test[0], exp_alerts: [] }],
        };
        const r = runPromtoolTests("active", [silent]);
        expect(r.status, `promtool test rules failed:\n${r.output}`).to.equal(0);
    });

    it("Ceph before 20.2 (no sync delta series): neither the lag alert nor the absent-metrics alert fires", () => {
        const c = ALERT_CASES.find((x) => x.alert === "RgwSyncLagging")!;
        const [, healthyCase] = promtoolCases(c, "active");
        const series = healthyCase.input_series.filter((s) => !s.series.startsWith("ceph_rgw_sync_delta_sync_delta"));
        expect(series.length).to.be.lessThan(healthyCase.input_series.length);
        const evalTime = healthyCase.alert_rule_test[0].eval_time;
        const r = runPromtoolTests("active", [{
            ...healthyCase,
            name: "Pacific/Reef: no rgw_sync_delta counters",
            input_series: series,
            alert_rule_test: ["RgwSyncLagging", "RgwSyncMetricsAbsent"].map((alertname) => ({ eval_time: evalTime, alertname, exp_alerts: [] })),
        }]);
        expect(r.status, `promtool test rules failed:\n${r.output}`).to.equal(0);
    });

    it("a repository-maintenance failure counted more than the window ago stays silent; a new one fires", () => {
        const c = ALERT_CASES.find((x) => x.alert === "VeleroRepoMaintenanceFailed")!;
        const [problem] = promtoolCases(c, "active");
        const failures = (values: string) => problem.input_series.map((s) => (s.series.startsWith("velero_repo_maintenance_failure_total")
            ? { ...s, values } : s));
        const [expectFiring] = problem.alert_rule_test;
        const r = runPromtoolTests("active", [
            { ...problem, name: "old failures only", input_series: failures("2x250"), alert_rule_test: [{ ...expectFiring, exp_alerts: [] }] },
            { ...problem, name: "a second failure grows the counter", input_series: failures("2x220 3x30") },
        ]);
        expect(r.status, `promtool test rules failed:\n${r.output}`).to.equal(0);
    });

    it("the end-to-end RPO follows the newest backup's RPO label, not an older backup's", () => {
        // The schedule's RPO was lowered from a day to an hour: the old backup still carries a day.
        const c = ALERT_CASES.find((x) => x.alert === "DrReplicatedBackupTooOld")!;
        const [problem] = promtoolCases(c, "passive");
        const series = problem.input_series.map((s) => (s.series.startsWith("kube_velero_backup_rpo_seconds") && s.series.includes('name="hourly-old"')
            ? { ...s, values: s.values.replace(/^3600x/, "86400x") }
            : s));
        expect(series).to.not.deep.equal(problem.input_series);
        const r = runPromtoolTests("passive", [{ ...problem, name: "newest backup's RPO wins", input_series: series }]);
        expect(r.status, `promtool test rules failed:\n${r.output}`).to.equal(0);
    });
});
