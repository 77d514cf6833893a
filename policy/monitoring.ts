// Alerts in every cluster that runs Velero: a backup that silently stops, or a replica that falls
// behind, is found by these rules and by nothing else.
import { isAlertingRule, renderAlertRules } from "../components/monitoring/alertRules";
import { resolveAlertRuleSettings } from "../components/monitoring/settings";
import {
    HELM_RELEASE_TYPE, PROMETHEUS_RULE_TYPE, PolicyResource, StackValidationPolicy, clusterOf, isVeleroRelease, valueAt,
} from "./resources";

/**
 * The alerts DrAlertRules renders whatever its switches: with the node agent and RGW sync alerts
 * off, what remains is the Velero and end-to-end core that every cluster must have.
 */
export const CORE_DR_ALERTS: readonly string[] = renderAlertRules(resolveAlertRuleSettings({
    site: "any-site",
    runbookBaseUrl: "https://runbook.invalid/runbook.md",
    nodeAgent: false,
    rgwSync: false,
})).flatMap((g) => g.rules.filter(isAlertingRule).map((r) => r.alert));

function alertNames(rule: PolicyResource): Set<string> {
    const groups = valueAt(rule.props, "spec.groups");
    const names = new Set<string>();
    if (!Array.isArray(groups)) return names;
    for (const group of groups) {
        const rules = valueAt(group, "rules");
        if (!Array.isArray(rules)) continue;
        for (const r of rules) {
            const alert = valueAt(r, "alert");
            if (typeof alert === "string") names.add(alert);
        }
    }
    return names;
}

export const drAlertRulesDeclared: StackValidationPolicy = {
    name: "dr-alert-rules-declared",
    description: "A stack that installs Velero (the Helm release of chart velero) also declares, in the same cluster, a "
        + "monitoring.coreos.com/v1 PrometheusRule with the DR alerts (DrAlertRules): backups too old or failing, the location "
        + "unavailable, Velero's metrics absent, replicated backups too old.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const releases = args.resources.filter((r) => r.type === HELM_RELEASE_TYPE && isVeleroRelease(r.props));
        if (releases.length === 0) return args.notApplicable("no Velero Helm release in this stack");
        const rules = args.resources.filter((r) => r.type === PROMETHEUS_RULE_TYPE);
        for (const release of releases) {
            const cluster = clusterOf(release);
            const alertsInCluster = new Set(rules.filter((r) => clusterOf(r).key === cluster.key).flatMap((r) => [...alertNames(r)]));
            const missing = CORE_DR_ALERTS.filter((a) => !alertsInCluster.has(a));
            if (missing.length === CORE_DR_ALERTS.length) {
                report(`Velero is installed (${release.name}, ${cluster.label}) without the DR alert rules in that cluster: declare DrAlertRules `
                    + "with the same Kubernetes provider (a PrometheusRule holding the backup, location and replication alerts)", release.urn);
            } else if (missing.length > 0) {
                report(`The PrometheusRules in the cluster of ${release.name} (${cluster.label}) lack DR alerts: ${missing.join(", ")}`, release.urn);
            }
        }
    },
};
