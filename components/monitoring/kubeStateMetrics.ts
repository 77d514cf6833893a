// kube-state-metrics custom-resource-state config that turns Velero's Backup and Schedule objects
// into the series the RPO rules need. Velero's own metrics cannot serve here: they carry no RPO,
// and on the passive cluster they only know what Velero's backup sync has copied in.
import { RPO_SECONDS_LABEL, SCHEDULE_NAME_LABEL } from "../../core/labels";

/** Metric name prefix of the series below (kube-state-metrics' `metricNamePrefix`). */
export const KSM_METRIC_PREFIX = "kube_velero";

/** Series exported by the config of `renderKsmCustomResourceConfig`. */
export const KSM_METRICS = {
    /** Per Backup: completion time (Unix seconds); labels namespace, name, schedule, phase. */
    backupCompletion: `${KSM_METRIC_PREFIX}_backup_completion_timestamp_seconds`,
    /** Per Backup: RPO copied from its Schedule's label; labels namespace, name, schedule. */
    backupRpo: `${KSM_METRIC_PREFIX}_backup_rpo_seconds`,
    /** Per Schedule: its RPO label; labels namespace, schedule. Only where Schedules exist (active). */
    scheduleRpo: `${KSM_METRIC_PREFIX}_schedule_rpo_seconds`,
    /** Per Schedule: creation time (Unix seconds); labels namespace, schedule. */
    scheduleCreated: `${KSM_METRIC_PREFIX}_schedule_created_timestamp_seconds`,
} as const;

/** ConfigMap key that holds the config; the kube-state-metrics chart's `customResourceState.key`. */
export const KSM_CONFIG_KEY = "config.yaml";

// Paths that are legitimately missing (a running backup has no completionTimestamp, an ad-hoc
// backup has no RPO label) would otherwise log an error on every scrape.
const QUIET_ERRORS = 10;

/**
 * The `CustomResourceStateMetrics` config (kube-state-metrics >= 2.5). Value paths point at
 * scalars so each object yields at most one sample per metric; labels are read from the object root.
 */
export function renderKsmCustomResourceConfig(): Record<string, unknown> {
    const velero = (kind: string) => ({ group: "velero.io", version: "v1", kind });
    const gauge = (path: string[]) => ({ type: "Gauge", gauge: { path } });
    return {
        kind: "CustomResourceStateMetrics",
        spec: {
            resources: [
                {
                    groupVersionKind: velero("Backup"),
                    metricNamePrefix: KSM_METRIC_PREFIX,
                    labelsFromPath: {
                        namespace: ["metadata", "namespace"],
                        name: ["metadata", "name"],
                        schedule: ["metadata", "labels", SCHEDULE_NAME_LABEL],
                    },
                    metrics: [
                        {
                            name: "backup_completion_timestamp_seconds",
                            help: "Completion time of a Velero Backup (Unix seconds), with its phase and schedule.",
                            labelsFromPath: { phase: ["status", "phase"] },
                            errorLogV: QUIET_ERRORS,
                            each: gauge(["status", "completionTimestamp"]),
                        },
                        {
                            name: "backup_rpo_seconds",
                            help: `RPO of the Schedule that created a Velero Backup, from the Backup's label ${RPO_SECONDS_LABEL}.`,
                            errorLogV: QUIET_ERRORS,
                            each: gauge(["metadata", "labels", RPO_SECONDS_LABEL]),
                        },
                    ],
                },
                {
                    groupVersionKind: velero("Schedule"),
                    metricNamePrefix: KSM_METRIC_PREFIX,
                    labelsFromPath: {
                        namespace: ["metadata", "namespace"],
                        schedule: ["metadata", "name"],
                    },
                    metrics: [
                        {
                            name: "schedule_rpo_seconds",
                            help: `RPO of a Velero Schedule, from its label ${RPO_SECONDS_LABEL}.`,
                            each: gauge(["metadata", "labels", RPO_SECONDS_LABEL]),
                        },
                        {
                            name: "schedule_created_timestamp_seconds",
                            help: "Creation time of a Velero Schedule (Unix seconds).",
                            each: gauge(["metadata", "creationTimestamp"]),
                        },
                    ],
                },
            ],
        },
    };
}

/**
 * The config as ConfigMap text. JSON is valid YAML, which kube-state-metrics reads; it keeps this
 * program free of a YAML dependency and reads fine in a diff.
 */
export function renderKsmCustomResourceConfigText(): string {
    return `${JSON.stringify(renderKsmCustomResourceConfig(), null, 2)}\n`;
}

/** RBAC rules kube-state-metrics needs to list and watch the objects above. */
export const KSM_RBAC_RULES = [
    { apiGroups: ["velero.io"], resources: ["backups", "schedules"], verbs: ["list", "watch"] },
];

/**
 * Values for the kube-prometheus-stack chart that make its kube-state-metrics read the ConfigMap
 * that `DrAlertRules` declares (kube-state-metrics chart >= 5.36.0 for `customResourceState.create`).
 * The ConfigMap must live in the chart's namespace.
 */
export function kubePrometheusStackKsmValues(configMapName: string): Record<string, unknown> {
    return {
        "kube-state-metrics": {
            customResourceState: { enabled: true, create: false, name: configMapName, key: KSM_CONFIG_KEY },
            rbac: { extraRules: KSM_RBAC_RULES },
        },
    };
}
