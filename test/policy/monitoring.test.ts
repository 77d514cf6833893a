import { expect } from "chai";
import { renderAlertRules, renderPrometheusRule } from "../../components/monitoring/alertRules";
import { resolveAlertRuleSettings } from "../../components/monitoring/settings";
import { CORE_DR_ALERTS, drAlertRulesDeclared } from "../../policy/monitoring";
import { HELM_RELEASE_TYPE, PROMETHEUS_RULE_TYPE, PolicyResource } from "../../policy/resources";
import { policyResource, summary, validateStack } from "./harness";

function release(cluster = "cluster", chart = "velero"): PolicyResource {
    return policyResource({ type: HELM_RELEASE_TYPE, name: "velero-release", props: { chart, version: "12.1.0", values: {} }, provider: cluster });
}

function rule(cluster = "cluster", drop: string[] = []): PolicyResource {
    const groups = renderAlertRules(resolveAlertRuleSettings({ site: "site-a", runbookBaseUrl: "https://git.example.com/runbook.md" }))
        .map((g) => ({ ...g, rules: g.rules.filter((r) => !("alert" in r) || !drop.includes(String(r.alert))) }));
    const props = renderPrometheusRule(groups, { name: "velero-dr-alerts", namespace: "monitoring", labels: { release: "kube-prometheus-stack" } });
    return policyResource({ type: PROMETHEUS_RULE_TYPE, name: "dr-alerts-rules", props, provider: cluster });
}

describe("policy dr-alert-rules-declared", () => {
    it("knows the core alerts from the rule renderer", () => {
        expect(CORE_DR_ALERTS).to.include.members(["VeleroBackupTooOld", "VeleroBackupStorageLocationUnavailable", "VeleroMetricsAbsent", "DrReplicatedBackupTooOld"]);
        expect(CORE_DR_ALERTS).not.to.include.members(["RgwSyncStalled", "VeleroNodeAgentUploadFailures"]);
    });

    it("passes Velero with the DR rules in the same cluster", async () => {
        expect((await validateStack(drAlertRulesDeclared, [release(), rule()])).violations).to.deep.equal([]);
    });

    it("reports Velero without any PrometheusRule", async () => {
        const { violations } = await validateStack(drAlertRulesDeclared, [release()]);
        expect(violations.map((v) => v.urn)).to.deep.equal([release().urn]);
        expect(violations[0].message).to.contain("Velero is installed (velero-release, provider cluster) without the DR alert rules in that cluster");
    });

    it("reports the rules declared in another cluster", async () => {
        const { violations } = await validateStack(drAlertRulesDeclared, [release("site-b-cluster"), rule("site-a-cluster")]);
        expect(summary(violations)).to.have.length(1);
        expect(violations[0].message).to.contain("provider site-b-cluster) without the DR alert rules");
    });

    it("reports rules that lack some of the core alerts, by name", async () => {
        const { violations } = await validateStack(drAlertRulesDeclared, [release(), rule("cluster", ["VeleroBackupTooOld", "DrNoBackupsVisible"])]);
        expect(summary(violations)).to.deep.equal([
            "dr-alert-rules-declared: The PrometheusRules in the cluster of velero-release (provider cluster) lack DR alerts: VeleroBackupTooOld, DrNoBackupsVisible",
        ]);
    });

    it("does not apply without a Velero release (the failover stack, other charts)", async () => {
        expect((await validateStack(drAlertRulesDeclared, [rule()])).notApplicable).to.equal("no Velero Helm release in this stack");
        expect((await validateStack(drAlertRulesDeclared, [release("cluster", "kube-prometheus-stack")])).notApplicable).to.be.a("string");
    });
});
