// Timing settings of the DR alerts (issue 18): pendingFor overrides the `for:` of named alerts,
// rgwSyncRateWindow is the window of the RGW sync error rates. Validation, rendering, defaults
// unchanged, and one promtool run showing an overridden alert firing and resolving in minutes.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import {
    ALERT_NAMES, ALERT_RULE_DEFAULTS, AlertName, AlertRuleSettings, AlertRuleSettingsInput, AlertingRule, NODE_AGENT_ALERTS,
    PENDING_FOR_ALLOWED_NAMES, RGW_SYNC_ALERTS, WAIT_SETTING_OF, alertRuleSettingsProblems, isAlertingRule, renderAlertRules,
    renderDashboard, resolveAlertRuleSettings,
} from "../../components/drAlertRules";
import { PROJECT_ROOT, promtool, tempDir, writeYaml } from "./promtool";
import { RUNBOOK } from "./scenarios";

const BASE: AlertRuleSettingsInput = { site: "site-a", runbookBaseUrl: RUNBOOK };

function settings(extra: Partial<AlertRuleSettings> = {}): AlertRuleSettings {
    return resolveAlertRuleSettings({ ...BASE, ...extra });
}

function alertsOf(s: AlertRuleSettings): Record<string, AlertingRule> {
    return Object.fromEntries(renderAlertRules(s).flatMap((g) => g.rules).filter(isAlertingRule).map((r) => [r.alert, r]));
}

describe("DR alert settings: pendingFor and rgwSyncRateWindow are validated", () => {
    const cases: Array<[string, Partial<AlertRuleSettings> | Record<string, unknown>, string]> = [
        ["an unknown alert, listing the names allowed", { pendingFor: { VeleroBackupTooOldd: "1m" } },
            `pendingFor.VeleroBackupTooOldd "1m" is not allowed; there is no alert "VeleroBackupTooOldd"; allowed names: ${PENDING_FOR_ALLOWED_NAMES.join(", ")}`],
        ["a value that is not a duration", { pendingFor: { RgwSyncPollErrors: "1 min" } },
            `pendingFor.RgwSyncPollErrors "1 min" is not allowed; allowed: whole hours, minutes and seconds in that order, such as 720h, 1h30m or 90s (no days: 7d is 168h); or 0s for no wait (the alert fires at the first evaluation that matches)`],
        ["a value that is not a string", { pendingFor: { RgwSyncPollErrors: 60 } },
            `pendingFor.RgwSyncPollErrors 60 is not allowed; allowed: whole hours`],
        ["VeleroBackupFailingPersistently, pointing to backupFailingFor", { pendingFor: { VeleroBackupFailingPersistently: "1h" } },
            `pendingFor.VeleroBackupFailingPersistently "1h" is not allowed; the wait of VeleroBackupFailingPersistently is the setting backupFailingFor (its texts state it as the threshold): set backupFailingFor instead`],
        ["RgwSyncStalled, pointing to rgwSyncStalledFor", { pendingFor: { RgwSyncStalled: "1m" } },
            `the wait of RgwSyncStalled is the setting rgwSyncStalledFor`],
        ["DrNoBackupsVisible, pointing to noBackupsVisibleFor", { pendingFor: { DrNoBackupsVisible: "1m" } },
            `the wait of DrNoBackupsVisible is the setting noBackupsVisibleFor`],
        ["a node-agent alert when nodeAgent is false", { nodeAgent: false, pendingFor: { VeleroNodeAgentMetricsAbsent: "1m" } },
            `pendingFor.VeleroNodeAgentMetricsAbsent "1m" is not allowed; VeleroNodeAgentMetricsAbsent is not rendered because nodeAgent is false (no node-agent runs): remove this entry`],
        ["an RGW alert when rgwSync is false", { rgwSync: false, pendingFor: { RgwSyncLagging: "1m" } },
            `pendingFor.RgwSyncLagging "1m" is not allowed; RgwSyncLagging is not rendered because rgwSync is false (no RGW sync metrics are scraped): remove this entry`],
        ["a list instead of a map", { pendingFor: ["RgwSyncPollErrors"] },
            `pendingFor ["RgwSyncPollErrors"] is not allowed; allowed: an object that maps alert names to durations, such as {"RgwSyncPollErrors": "1m"}`],
        ["null", { pendingFor: null }, `pendingFor null is not allowed; allowed: an object`],
        ["a rate window shorter than 30s", { rgwSyncRateWindow: "15s" },
            `rgwSyncRateWindow "15s" is not allowed; allowed: at least 30s, and at least twice the scrape interval: a rate needs two scrapes inside its window`],
        ["a rate window of 0s", { rgwSyncRateWindow: "0s" }, `rgwSyncRateWindow "0s" is not allowed; allowed: at least 30s`],
        ["a rate window that is not a duration", { rgwSyncRateWindow: "5 minutes" }, `rgwSyncRateWindow "5 minutes" is not allowed; allowed: whole hours`],
    ];
    for (const [what, extra, message] of cases) {
        it(`refuses ${what}`, () => {
            const problems = alertRuleSettingsProblems({ ...BASE, ...extra } as AlertRuleSettingsInput);
            expect(problems, JSON.stringify(problems)).to.have.length(1);
            expect(problems[0]).to.contain(message);
            expect(() => resolveAlertRuleSettings({ ...BASE, ...extra } as AlertRuleSettingsInput)).to.throw(/invalid alert rule settings/);
        });
    }

    it("reports every bad entry of pendingFor at once", () => {
        const problems = alertRuleSettingsProblems({ ...BASE, pendingFor: { Nope: "1m", RgwSyncStalled: "1m", VeleroMetricsAbsent: "x" } as Record<string, string> });
        expect(problems.map((p) => p.split(" ")[0])).to.deep.equal(["pendingFor.Nope", "pendingFor.RgwSyncStalled", "pendingFor.VeleroMetricsAbsent"]);
    });

    it("accepts every alert it lists as allowed, 0s, and a rate window of 30s", () => {
        const all = Object.fromEntries(PENDING_FOR_ALLOWED_NAMES.map((n) => [n, "1m"]));
        expect(alertRuleSettingsProblems({ ...BASE, pendingFor: all })).to.deep.equal([]);
        expect(alertRuleSettingsProblems({ ...BASE, pendingFor: { VeleroBackupTooOld: "0s" }, rgwSyncRateWindow: "30s" })).to.deep.equal([]);
    });

    it("the allowed names are every alert but the three with a wait setting of their own", () => {
        expect([...PENDING_FOR_ALLOWED_NAMES, ...Object.keys(WAIT_SETTING_OF)].sort()).to.deep.equal([...ALERT_NAMES].sort());
        expect(Object.keys(WAIT_SETTING_OF).sort()).to.deep.equal(["DrNoBackupsVisible", "RgwSyncStalled", "VeleroBackupFailingPersistently"]);
    });

    it("the node-agent and RGW alert lists are exactly what nodeAgent and rgwSync leave out", () => {
        const all = Object.keys(alertsOf(settings()));
        expect([...all].sort()).to.deep.equal([...ALERT_NAMES].sort());
        const without = (extra: Partial<AlertRuleSettings>) => all.filter((n) => !(n in alertsOf(settings(extra))));
        expect(without({ nodeAgent: false }).sort()).to.deep.equal([...NODE_AGENT_ALERTS].sort());
        expect(without({ rgwSync: false }).sort()).to.deep.equal([...RGW_SYNC_ALERTS].sort());
    });
});

describe("DR alert settings: rendering", () => {
    const defaults = alertsOf(settings());

    for (const name of PENDING_FOR_ALLOWED_NAMES) {
        it(`pendingFor.${name} changes the for: of ${name} only (and its text where that states the wait)`, () => {
            const overridden = alertsOf(settings({ pendingFor: { [name]: "7m" } }));
            for (const other of ALERT_NAMES.filter((n) => n !== name)) {
                expect(overridden[other], other).to.deep.equal(defaults[other]);
            }
            const rule = overridden[name];
            expect(rule.for).to.equal("7m");
            // Everything but `for` and the description is the default's.
            const withoutWait = (r: AlertingRule) => ({ ...r, for: undefined, annotations: { ...r.annotations, description: undefined } });
            expect(withoutWait(rule)).to.deep.equal(withoutWait(defaults[name]));
            const description = rule.annotations.description;
            const defaultDescription = defaults[name].annotations.description;
            if (defaults[name].for && defaultDescription.includes(`for ${defaults[name].for}`)) {
                expect(description).to.equal(defaultDescription.replace(`for ${defaults[name].for}`, "for 7m"));
            } else {
                expect(description).to.equal(defaultDescription);
            }
        });
    }

    it("a zero wait renders no for:, and texts drop the wait they stated", () => {
        const rules = alertsOf(settings({ pendingFor: { VeleroMetricsAbsent: "0s", RgwSyncLagging: "0m", VeleroBackupFailed: "0s" } }));
        expect(rules.VeleroMetricsAbsent).to.not.have.property("for");
        expect(rules.RgwSyncLagging).to.not.have.property("for");
        expect(rules.VeleroBackupFailed).to.deep.equal(defaults.VeleroBackupFailed);
        expect(rules.VeleroMetricsAbsent.annotations.description).to.match(/^Prometheus has no Velero server metrics: Velero is down/);
        expect(rules.RgwSyncLagging.annotations.description).to.contain("more than the 15m allowed for replication. Backups written");
        expect(defaults.RgwSyncLagging.annotations.description).to.contain("more than the 15m allowed for replication, for 10m. Backups written");
    });

    it("gives an alert without a wait of its own one (VeleroBackupFailed)", () => {
        expect(defaults.VeleroBackupFailed).to.not.have.property("for");
        expect(alertsOf(settings({ pendingFor: { VeleroBackupFailed: "2m" } })).VeleroBackupFailed.for).to.equal("2m");
    });

    it("rgwSyncRateWindow is the window of the poll and fetch error rates, and nothing else changes", () => {
        const rules = alertsOf(settings({ rgwSyncRateWindow: "1m" }));
        expect(defaults.RgwSyncPollErrors.expr).to.equal("sum by (source_zone) (rate(ceph_data_sync_from_zone_poll_errors[5m])) > 0");
        expect(rules.RgwSyncPollErrors.expr).to.equal("sum by (source_zone) (rate(ceph_data_sync_from_zone_poll_errors[1m])) > 0");
        expect(rules.RgwSyncFetchErrors.expr).to.equal("sum by (source_zone) (rate(ceph_data_sync_from_zone_fetch_errors[1m])) > 0");
        for (const other of ALERT_NAMES.filter((n) => n !== "RgwSyncPollErrors" && n !== "RgwSyncFetchErrors")) {
            expect(rules[other], other).to.deep.equal(defaults[other]);
        }
        // The dashboard keeps Grafana's $__rate_interval (see docs/alerts.md).
        expect(renderDashboard(settings({ rgwSyncRateWindow: "1m" }))).to.deep.equal(renderDashboard(settings()));
    });

    it("the allowances reach the RPO rules (a lab can make them short)", () => {
        const rules = alertsOf(settings({ backupDurationAllowance: "1m", replicationAllowance: "0s" }));
        expect(rules.VeleroBackupTooOld.expr).to.include("+ 60)");
        // 1m backup run + 0s replication + 1m backup sync.
        expect(rules.DrReplicatedBackupTooOld.expr).to.include("+ 120)");
        expect(rules.RgwSyncLagging.expr).to.match(/ > 0$/);
    });

    it("defaults: the same rules with the settings left out, given explicitly, or with pendingFor set to the rules' own waits", () => {
        const rendered = JSON.stringify(renderAlertRules(settings()));
        const { siteLabel, backupDurationAllowance, replicationAllowance, backupSyncPeriod, backupFailingFor, rgwSyncStalledFor, noBackupsVisibleFor, rgwSyncRateWindow } = ALERT_RULE_DEFAULTS;
        const explicit = settings({
            siteLabel, backupDurationAllowance, replicationAllowance, backupSyncPeriod, backupFailingFor, rgwSyncStalledFor, noBackupsVisibleFor,
            rgwSyncRateWindow, pendingFor: {},
        });
        expect(JSON.stringify(renderAlertRules(explicit))).to.equal(rendered);
        const ownWaits = Object.fromEntries(PENDING_FOR_ALLOWED_NAMES.filter((n) => defaults[n].for).map((n) => [n, defaults[n].for]));
        expect(Object.keys(ownWaits).length).to.be.greaterThan(10);
        expect(JSON.stringify(renderAlertRules(settings({ pendingFor: ownWaits })))).to.equal(rendered);
        expect(ALERT_RULE_DEFAULTS).to.include({ rgwSyncRateWindow: "5m" });
        expect(ALERT_RULE_DEFAULTS.pendingFor).to.deep.equal({});
    });

    it("resolving copies pendingFor: a caller changing its object later changes nothing", () => {
        const input = { VeleroBackupTooOld: "1m" } as Partial<Record<AlertName, string>>;
        const s = settings({ pendingFor: input });
        input.VeleroBackupTooOld = "9m";
        expect(alertsOf(s).VeleroBackupTooOld.for).to.equal("1m");
    });

    it("docs/alerts.md lists every alert's own wait as the rules render it", () => {
        const doc = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "alerts.md"), "utf8");
        const section = doc.slice(doc.indexOf("## Tuning how long an alert waits"), doc.indexOf("## Dashboard"));
        const listed = Object.fromEntries([...section.matchAll(/^\| `(\w+)` \| (none|`(\w+)`) \|$/gm)].map((m) => [m[1], m[3] ?? "none"]));
        const expected = Object.fromEntries(ALERT_NAMES.map((n) => [n, WAIT_SETTING_OF[n] ?? defaults[n].for ?? "none"]));
        expect(listed).to.deep.equal(expected);
    });
});

describe("DR alert settings: promtool, an alert made fast fires and resolves within minutes", () => {
    // Poll errors for 5 minutes (5m30s to 10m30s), scraped every 30s; evaluated every minute.
    const series = [{ series: 'ceph_data_sync_from_zone_poll_errors{job="ceph",source_zone="zoneb"}', values: "0x10 1+1x10 11x40" }];
    const firing = [{
        exp_labels: { severity: "warning", site: "site-a", source_zone: "zoneb" },
        exp_annotations: {
            summary: "RGW data sync on site-a keeps failing to poll zone zoneb",
            description: "Requests for the replication logs of zone zoneb have been failing for 1m: the zone is unreachable or rejects the sync user.",
            runbook_url: `${RUNBOOK}#rgw-sync-poll-errors`,
        },
    }];

    function run(s: AlertRuleSettings, checks: { eval_time: string; exp_alerts: unknown[] }[]) {
        const { dir, cleanup } = tempDir("dr-rules-timing");
        try {
            writeYaml(path.join(dir, "rules.yaml"), { groups: renderAlertRules(s) });
            writeYaml(path.join(dir, "tests.yaml"), {
                rule_files: ["rules.yaml"],
                evaluation_interval: "1m",
                tests: [{
                    name: "poll errors for 5 minutes",
                    interval: "30s",
                    input_series: series,
                    alert_rule_test: checks.map((c) => ({ ...c, alertname: "RgwSyncPollErrors" })),
                }],
            });
            return promtool(["test", "rules", "tests.yaml"], dir);
        } finally {
            cleanup();
        }
    }

    it("with a 1m wait and a 1m rate window: firing 2 minutes into the errors, resolved 2 minutes after they stop", () => {
        const r = run(settings({ pendingFor: { RgwSyncPollErrors: "1m" }, rgwSyncRateWindow: "1m" }), [
            { eval_time: "8m", exp_alerts: firing },
            { eval_time: "13m", exp_alerts: [] },
        ]);
        expect(r.status, `promtool test rules failed:\n${r.output}`).to.equal(0);
    });

    it("with the defaults (15m wait): not firing at the same time (the check can fail)", () => {
        const r = run(settings(), [{ eval_time: "8m", exp_alerts: firing }]);
        expect(r.status, r.output).to.not.equal(0);
        const silent = run(settings(), [{ eval_time: "8m", exp_alerts: [] }, { eval_time: "13m", exp_alerts: [] }]);
        expect(silent.status, `promtool test rules failed:\n${silent.output}`).to.equal(0);
    });

    it("rules with every allowed wait overridden and a short window pass promtool check rules", () => {
        const all = Object.fromEntries(PENDING_FOR_ALLOWED_NAMES.map((n, i) => [n, i % 2 ? "0s" : "1m30s"]));
        const { dir, cleanup } = tempDir("dr-rules-timing");
        try {
            writeYaml(path.join(dir, "rules.yaml"), { groups: renderAlertRules(settings({ pendingFor: all, rgwSyncRateWindow: "30s" })) });
            const r = promtool(["check", "rules", "rules.yaml"], dir);
            expect(r.status, r.output).to.equal(0);
        } finally {
            cleanup();
        }
    });
});
