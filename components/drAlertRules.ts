import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlertName, renderAlertRules, renderPrometheusRule, renderedAlertNames } from "./monitoring/alertRules";
import { DASHBOARD_FILE, DASHBOARD_UID, renderDashboard } from "./monitoring/dashboard";
import { KSM_CONFIG_KEY, renderKsmCustomResourceConfigText } from "./monitoring/kubeStateMetrics";
import { MONITORING_DEFAULTS, alertRuleSettingsProblems, monitoringObjectNames, resolveAlertRuleSettings } from "./monitoring/settings";
import { dnsLabelProblem, labelKeyProblem, labelValueProblem } from "../core/validators";

export * from "./monitoring/settings";
export * from "./monitoring/alertRules";
export * from "./monitoring/dashboard";
export * from "./monitoring/kubeStateMetrics";
export { ALERT_NAMES, NODE_AGENT_ALERTS, RGW_SYNC_ALERTS, WAIT_SETTING_OF } from "./monitoring/alertNames";

export interface DrAlertRulesArgs {
    /** This cluster's site, e.g. `site-a`: the site label of every alert and part of the dashboard title. */
    site: string;
    /**
     * URL of docs/runbook.md as people open it (no `#`); each alert's `runbook_url` is
     * `<runbookBaseUrl>#<anchor>` (anchors listed in docs/alerts.md).
     */
    runbookBaseUrl: string;
    /** Namespace of the monitoring stack (kube-prometheus-stack): all three objects go there. Default `monitoring`. */
    namespace?: string;
    /** Prefix of the Kubernetes object names: `<prefix>-alerts`, `<prefix>-dashboard`, `<prefix>-ksm-config`. Default `velero-dr`. */
    objectNamePrefix?: string;
    /** Labels that the Prometheus' `ruleSelector` matches. Default `{ release: "kube-prometheus-stack" }`. */
    ruleSelectorLabels?: Record<string, string>;
    /** Labels that Grafana's dashboard sidecar looks for. Default `{ grafana_dashboard: "1" }`. */
    dashboardSidecarLabels?: Record<string, string>;
    /** Name of the site label on alerts, e.g. `cluster`. Default `site`. */
    siteLabel?: string;
    /** How long one backup may take; added to each schedule's RPO before alerting. Default `30m`. */
    backupDurationAllowance?: string;
    /** How long RGW multisite may take to replicate a backup. Default `15m`. */
    replicationAllowance?: string;
    /** Velero's backup sync period on the passive cluster (BSL `backupSyncPeriod`). Default `1m`. */
    backupSyncPeriod?: string;
    /** How long a schedule's latest backup may stay unsuccessful before the critical alert. Default `6h`. */
    backupFailingFor?: string;
    /** How long RGW data sync may go without a poll before the critical alert. Default `15m`. */
    rgwSyncStalledFor?: string;
    /** How long Velero may see no backup at all before the warning. Default `24h`. */
    noBackupsVisibleFor?: string;
    /** Whether Velero's node-agent runs: renders its alerts and panel. Default true. */
    nodeAgent?: boolean;
    /** Whether this Prometheus scrapes the local Ceph's RGW sync metrics: renders their alerts and panels. Default true. */
    rgwSync?: boolean;
    /**
     * How long the named alerts' conditions must hold before they fire (their `for:`), e.g.
     * `{ RgwSyncPollErrors: "1m" }`, instead of the waits in docs/alerts.md; `"0s"` drops the
     * wait (fires at the first evaluation that matches). Refused for unknown alerts, for alerts
     * not rendered (node-agent alerts without nodeAgent, RGW alerts without rgwSync), and for
     * VeleroBackupFailingPersistently, RgwSyncStalled and DrNoBackupsVisible, whose waits are
     * backupFailingFor, rgwSyncStalledFor and noBackupsVisibleFor. Default `{}`.
     */
    pendingFor?: Partial<Record<AlertName, string>>;
    /**
     * Window of the RGW sync poll and fetch error rates in their alerts: they resolve this long
     * after the last error. At least 30s and twice the scrape interval. Default `5m`.
     */
    rgwSyncRateWindow?: string;
    /**
     * Whether to declare the kube-state-metrics custom-resource-state ConfigMap that the RPO rules
     * need (see docs/alerts.md for the chart values). Default true.
     */
    kubeStateMetricsConfig?: boolean;
}

function labelProblems(field: string, labels: Record<string, string>): string[] {
    const problems: string[] = [];
    if (Object.keys(labels).length === 0) problems.push(`${field} is empty; it must select something`);
    for (const [key, value] of Object.entries(labels)) {
        if (labelKeyProblem(key)) problems.push(`${field} key ${JSON.stringify(key)} is not a Kubernetes label key`);
        if (typeof value !== "string" || labelValueProblem(value)) {
            problems.push(`${field}.${key} = ${JSON.stringify(value)} is not a Kubernetes label value`);
        }
    }
    return problems;
}

/**
 * Alerts and a Grafana dashboard for backups, replication and RPO in one cluster, plus the
 * kube-state-metrics config that exports Velero's Backup and Schedule objects for the RPO rules.
 * The same rules serve both roles, so a failover changes nothing here. The Kubernetes provider
 * of the cluster comes through the resource options.
 */
export class DrAlertRules extends pulumi.ComponentResource {
    /** Name of the PrometheusRule object. */
    public readonly prometheusRuleName: pulumi.Output<string>;
    /** Name of the dashboard ConfigMap. */
    public readonly dashboardConfigMapName: pulumi.Output<string>;
    /** Name of the kube-state-metrics config ConfigMap (for the chart's `customResourceState.name`); undefined when not declared. */
    public readonly kubeStateMetricsConfigMapName: pulumi.Output<string | undefined>;
    /** The dashboard's fixed uid. */
    public readonly dashboardUid: string;
    /** The alerts the PrometheusRule holds. */
    public readonly alertNames: AlertName[];

    constructor(name: string, args: DrAlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("velero-ceph-dr:monitoring:DrAlertRules", name, {}, opts);
        const namespace = args.namespace ?? MONITORING_DEFAULTS.namespace;
        const prefix = args.objectNamePrefix ?? MONITORING_DEFAULTS.objectNamePrefix;
        const objectNames = monitoringObjectNames(prefix);
        const ruleSelectorLabels = args.ruleSelectorLabels ?? { release: "kube-prometheus-stack" };
        const sidecarLabels = args.dashboardSidecarLabels ?? { grafana_dashboard: "1" };
        const withKsmConfig = args.kubeStateMetricsConfig ?? true;
        const settingsInput = {
            site: args.site,
            runbookBaseUrl: args.runbookBaseUrl,
            siteLabel: args.siteLabel,
            backupDurationAllowance: args.backupDurationAllowance,
            replicationAllowance: args.replicationAllowance,
            backupSyncPeriod: args.backupSyncPeriod,
            backupFailingFor: args.backupFailingFor,
            rgwSyncStalledFor: args.rgwSyncStalledFor,
            noBackupsVisibleFor: args.noBackupsVisibleFor,
            nodeAgent: args.nodeAgent,
            rgwSync: args.rgwSync,
            pendingFor: args.pendingFor,
            rgwSyncRateWindow: args.rgwSyncRateWindow,
        };

        const problems = alertRuleSettingsProblems(settingsInput);
        if (dnsLabelProblem(namespace)) problems.push(`namespace ${JSON.stringify(namespace)} is not allowed; allowed: a DNS label such as "monitoring"`);
        // The longest suffix is "-ksm-config" (11 characters); names must stay DNS labels.
        if (dnsLabelProblem(prefix) || prefix.length > 52) {
            problems.push(`objectNamePrefix ${JSON.stringify(prefix)} is not allowed; allowed: a DNS label of at most 52 characters such as "velero-dr"`);
        }
        problems.push(...labelProblems("ruleSelectorLabels", ruleSelectorLabels));
        problems.push(...labelProblems("dashboardSidecarLabels", sidecarLabels));
        if (typeof withKsmConfig !== "boolean") problems.push(`kubeStateMetricsConfig ${JSON.stringify(withKsmConfig)} is not allowed; allowed: true or false`);
        if (problems.length > 0) throw new Error(`DrAlertRules ${name}: ${problems.join("; ")}`);

        const resolved = resolveAlertRuleSettings(settingsInput);
        const groups = renderAlertRules(resolved);
        this.alertNames = renderedAlertNames(resolved);
        this.dashboardUid = DASHBOARD_UID;

        const rule = renderPrometheusRule(groups, { name: objectNames.rule, namespace, labels: ruleSelectorLabels });
        const prometheusRule = new k8s.apiextensions.CustomResource(`${name}-rules`, rule, { parent: this });

        const dashboard = new k8s.core.v1.ConfigMap(`${name}-dashboard`, {
            metadata: { name: objectNames.dashboard, namespace, labels: { ...sidecarLabels } },
            data: { [DASHBOARD_FILE]: `${JSON.stringify(renderDashboard(resolved), null, 2)}\n` },
        }, { parent: this });

        const ksmConfig = withKsmConfig
            ? new k8s.core.v1.ConfigMap(`${name}-ksm-config`, {
                metadata: { name: objectNames.ksmConfig, namespace },
                data: { [KSM_CONFIG_KEY]: renderKsmCustomResourceConfigText() },
            }, { parent: this })
            : undefined;

        this.prometheusRuleName = prometheusRule.metadata.name;
        this.dashboardConfigMapName = dashboard.metadata.name;
        this.kubeStateMetricsConfigMapName = ksmConfig ? ksmConfig.metadata.name : pulumi.output(undefined);
        this.registerOutputs({
            prometheusRuleName: this.prometheusRuleName,
            dashboardConfigMapName: this.dashboardConfigMapName,
            kubeStateMetricsConfigMapName: this.kubeStateMetricsConfigMapName,
            dashboardUid: this.dashboardUid,
            alertNames: this.alertNames,
        });
    }
}
