// Prometheus rules for Velero backups, RGW multisite replication and the end-to-end RPO.
//
// The same rules run in both clusters; only the site label differs. Nothing here knows the role:
// - "schedule exists here" (a Schedule object, or Velero's per-schedule counters, which Velero
//   creates for a Schedule and deletes with it) marks the active cluster for a schedule;
// - the passive cluster has no Schedules, but Velero's backup sync gives it the Backups (with
//   their labels, including the RPO), and Velero even recomputes
//   velero_backup_last_successful_timestamp from them. Rules about a schedule's own runs are
//   therefore joined with "schedule exists here", and the end-to-end rule with its absence.
// Metric names were checked against Velero 1.18.1 (pkg/metrics/metrics.go) and Ceph's mgr
// prometheus module / ceph-exporter (RGW sync counters renamed to ceph_data_sync_from_zone_*
// with a source_zone label). Ceph 20.2 (Tentacle) adds a labeled "rgw_sync_delta" counter set
// (rgw_sync_counters.cc: time counter sync_delta, "Sync delta between data log shard in seconds");
// 16.2 and 18.2 have no replication lag in seconds at all.
import { describeDuration, parseDurationSeconds } from "../../core/duration";
import { RPO_SECONDS_LABEL } from "../../core/labels";
import { AlertName, RUNBOOK_ANCHORS } from "./alertNames";
import { KSM_METRICS } from "./kubeStateMetrics";
import { AlertRuleSettings, endToEndAllowanceSeconds, pendingForOf } from "./settings";

export type Severity = "critical" | "warning";

export interface AlertingRule {
    alert: string;
    expr: string;
    for?: string;
    labels: Record<string, string>;
    annotations: { summary: string; description: string; runbook_url: string };
}

export interface RecordingRule {
    record: string;
    expr: string;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
    name: string;
    rules: Rule[];
}

export function isAlertingRule(rule: Rule): rule is AlertingRule {
    return (rule as AlertingRule).alert !== undefined;
}

/** Recorded series, shared by the alerts and the dashboard. */
export const RECORDED = {
    /** RPO of each Schedule in this cluster (absent on the passive cluster). */
    scheduleRpo: "schedule:velero_schedule_rpo_seconds:max",
    /** Completion time of the newest Completed Backup of each schedule that this cluster sees. */
    newestBackupCompletion: "schedule:velero_backup_last_completed_timestamp_seconds:max",
    /** RPO carried by that newest Backup (falls back to the largest RPO among the schedule's Backups). */
    newestBackupRpo: "schedule:velero_backup_last_completed_rpo_seconds:max",
} as const;

export { RUNBOOK_ANCHORS };
export type { AlertName };

/** Window over which counters of failed runs are looked at; an alert resolves this long after the last failure. */
export const FAILURE_WINDOW = "1h";

/**
 * Velero 1.18's repository-maintenance counters: created on a repository's first maintenance
 * result, not at start (unlike the per-schedule counters), so the first failure after a Velero
 * start is a new series at 1, which increase() cannot see.
 */
export const REPO_MAINTENANCE_FAILURES = "velero_repo_maintenance_failure_total";
/**
 * Ceph 20.2's RGW data-sync delta (seconds) per datalog shard, as ceph-exporter names the labeled
 * counter (key rgw_sync_delta, counter sync_delta), labels source_zone_id, local_zone_id, shard_id.
 */
export const RGW_SYNC_DELTA = "ceph_rgw_sync_delta_sync_delta";

/** Joins the lines of a multi-line PromQL expression (the indentation in them is for reading). */
function promql(lines: string[]): string {
    return lines.join("\n");
}

/** Text naming a schedule, or ad-hoc backups when the series has no schedule label. */
const SCHEDULE_PHRASE = "{{ if $labels.schedule }}schedule {{ $labels.schedule }}{{ else }}ad-hoc backups (no schedule){{ end }}";

/** The rule groups: recording rules first, then Velero, RGW sync (optional) and end-to-end alerts. */
export function renderAlertRules(s: AlertRuleSettings): RuleGroup[] {
    const site = s.site;
    const alert = (
        name: AlertName,
        severity: Severity,
        expr: string,
        ruleWait: string | undefined,
        summary: string,
        description: string,
    ): AlertingRule => {
        const forDuration = pendingForOf(s, name, ruleWait);
        return {
            alert: name,
            expr,
            ...(forDuration ? { for: forDuration } : {}),
            labels: { severity, [s.siteLabel]: site },
            annotations: { summary, description, runbook_url: `${s.runbookBaseUrl}#${RUNBOOK_ANCHORS[name]}` },
        };
    };
    // " for <wait>" in texts that state an alert's wait; nothing when it has none.
    const forText = (name: AlertName, ruleWait: string) => {
        const wait = pendingForOf(s, name, ruleWait);
        return wait ? ` for ${wait}` : "";
    };
    const rateWindow = s.rgwSyncRateWindow;
    const backupAllowance = parseDurationSeconds(s.backupDurationAllowance);
    const e2eAllowance = endToEndAllowanceSeconds(s);
    const replicationAllowance = parseDurationSeconds(s.replicationAllowance);
    // A schedule is "here" while Velero runs it: Velero creates these counters for a Schedule and
    // deletes them with it, which other per-schedule series (last status, item errors) outlive.
    const scheduleRunsHere = `max by (schedule) (velero_backup_attempt_total{schedule!=""})`;

    const recording: RuleGroup = {
        name: "velero-ceph-dr.recording",
        rules: [
            { record: RECORDED.scheduleRpo, expr: `max by (schedule) (${KSM_METRICS.scheduleRpo})` },
            {
                record: RECORDED.newestBackupCompletion,
                expr: `max by (schedule) (${KSM_METRICS.backupCompletion}{phase="Completed", schedule!=""})`,
            },
            {
                record: RECORDED.newestBackupRpo,
                expr: promql([
                    `max by (schedule) (`,
                    `  ${KSM_METRICS.backupRpo}{schedule!=""}`,
                    `  and on (namespace, name)`,
                    `  topk by (schedule) (1, ${KSM_METRICS.backupCompletion}{phase="Completed", schedule!=""})`,
                    `)`,
                    `or`,
                    `max by (schedule) (${KSM_METRICS.backupRpo}{schedule!=""})`,
                ]),
            },
        ],
    };

    const velero: RuleGroup = {
        name: "velero-ceph-dr.velero",
        rules: [
            alert("VeleroBackupTooOld", "critical", promql([
                `(time() - max by (schedule) (velero_backup_last_successful_timestamp{schedule!=""}))`,
                `> on (schedule)`,
                `(${RECORDED.scheduleRpo} + ${backupAllowance})`,
            ]), "5m",
            `Velero schedule {{ $labels.schedule }} on ${site} has no successful backup within its RPO`,
            `The last successful backup of schedule {{ $labels.schedule }} completed {{ $value | humanizeDuration }} ago, `
                + `more than its RPO (Schedule label ${RPO_SECONDS_LABEL}) plus ${s.backupDurationAllowance} for a backup to run. `
                + `Data changed since then would be lost in a disaster.`),
            alert("VeleroScheduleNeverSucceeded", "critical", promql([
                `(`,
                `  (time() - max by (schedule) (${KSM_METRICS.scheduleCreated}))`,
                `  > on (schedule)`,
                `  (${RECORDED.scheduleRpo} + ${backupAllowance})`,
                `)`,
                `unless on (schedule) max by (schedule) (velero_backup_last_successful_timestamp)`,
            ]), "5m",
            `Velero schedule {{ $labels.schedule }} on ${site} has never completed a backup`,
            `Schedule {{ $labels.schedule }} was created {{ $value | humanizeDuration }} ago, longer than its RPO plus `
                + `${s.backupDurationAllowance}, and this cluster holds no Completed backup of it.`),
            alert("VeleroScheduleRpoUnknown", "warning", promql([
                scheduleRunsHere,
                `unless on (schedule) ${RECORDED.scheduleRpo}`,
            ]), "15m",
            `RPO of Velero schedule {{ $labels.schedule }} on ${site} is unknown`,
            `Velero runs schedule {{ $labels.schedule }}, but kube-state-metrics exports no ${KSM_METRICS.scheduleRpo} for it: `
                + `the Schedule lacks the label ${RPO_SECONDS_LABEL}, or the custom-resource-state config is not loaded. `
                + `The RPO alerts cannot judge this schedule.`),
            alert("VeleroBackupFailed", "warning", promql([
                `(sum by (schedule) (increase(velero_backup_failure_total[${FAILURE_WINDOW}])) > 0)`,
                `or`,
                `(sum by (schedule) (increase(velero_backup_validation_failure_total[${FAILURE_WINDOW}])) > 0)`,
            ]), undefined,
            `Velero backup failed on ${site}: ${SCHEDULE_PHRASE}`,
            `A Velero backup of ${SCHEDULE_PHRASE} ended Failed or FailedValidation in the last ${FAILURE_WINDOW}. `
                + `On a passive site this is usually an ad-hoc backup refused by the ReadOnly backup location.`),
            alert("VeleroBackupFailingPersistently", "critical", promql([
                `(max by (schedule) (velero_backup_last_status{schedule!=""}) == 0)`,
                `and on (schedule) ${scheduleRunsHere}`,
            ]), s.backupFailingFor,
            `Velero schedule {{ $labels.schedule }} on ${site} has been failing for ${s.backupFailingFor}`,
            `The latest backup of schedule {{ $labels.schedule }} did not succeed (Failed, PartiallyFailed or FailedValidation) `
                + `and none of its backups has succeeded for at least ${s.backupFailingFor}.`),
            alert("VeleroBackupPartiallyFailed", "warning", promql([
                `sum by (schedule) (increase(velero_backup_partial_failure_total[${FAILURE_WINDOW}])) > 0`,
            ]), undefined,
            `Velero backup partially failed on ${site}: ${SCHEDULE_PHRASE}`,
            `A Velero backup of ${SCHEDULE_PHRASE} ended PartiallyFailed in the last ${FAILURE_WINDOW}: `
                + `some items or volumes are missing from it.`),
            alert("VeleroBackupItemErrors", "warning", promql([
                `(max by (schedule) (velero_backup_items_errors{schedule!=""}) > 0)`,
                `and on (schedule) ${scheduleRunsHere}`,
            ]), undefined,
            `Last backup of Velero schedule {{ $labels.schedule }} on ${site} had item errors`,
            `The latest backup of schedule {{ $labels.schedule }} reported {{ $value }} item errors.`),
            alert("VeleroBackupStorageLocationUnavailable", "critical", promql([
                `max by (backup_location_name) (velero_backup_location_status_gauge) == 0`,
            ]), "5m",
            `Velero backup storage location {{ $labels.backup_location_name }} on ${site} is unavailable`,
            `Velero cannot validate backup storage location {{ $labels.backup_location_name }} (the bucket in the local RGW zone). `
                + `Where it is ReadWrite no backup can be written; where it is ReadOnly replicated backups stop appearing.`),
            alert("VeleroMetricsAbsent", "critical", "absent(velero_backup_total)", "10m",
                `Velero metrics are absent on ${site}`,
                `Prometheus has no Velero server metrics${forText("VeleroMetricsAbsent", "10m")}: Velero is down or not scraped (Velero chart `
                + `metrics.serviceMonitor). The other Velero alerts are blind meanwhile.`),
            ...(s.nodeAgent ? [
                alert("VeleroNodeAgentMetricsAbsent", "warning", "absent(podVolume_data_upload_failure_total)", "10m",
                    `Velero node-agent metrics are absent on ${site}`,
                    `Prometheus has no Velero node-agent metrics${forText("VeleroNodeAgentMetricsAbsent", "10m")}: the node-agent DaemonSet is down or not scraped `
                    + `(Velero chart metrics.nodeAgentPodMonitor). Volume data backups cannot be watched meanwhile.`),
                alert("VeleroNodeAgentUploadFailures", "warning", promql([
                    `sum by (node) (increase(podVolume_data_upload_failure_total[${FAILURE_WINDOW}])) > 0`,
                ]), undefined,
                `Velero node-agent on node {{ $labels.node }} (${site}) failed to upload volume data`,
                `Volume data uploads (DataUploads of the data mover) failed on node {{ $labels.node }} in the last ${FAILURE_WINDOW}.`),
            ] : []),
            alert("VeleroRestoreFailed", "warning", promql([
                `(sum by (schedule) (increase(velero_restore_failed_total[${FAILURE_WINDOW}])) > 0)`,
                `or`,
                `(sum by (schedule) (increase(velero_restore_validation_failed_total[${FAILURE_WINDOW}])) > 0)`,
            ]), undefined,
            `Velero restore failed on ${site}: ${SCHEDULE_PHRASE}`,
            `A Velero restore from ${SCHEDULE_PHRASE} ended Failed or FailedValidation in the last ${FAILURE_WINDOW}.`),
            alert("VeleroRestorePartiallyFailed", "warning", promql([
                `sum by (schedule) (increase(velero_restore_partial_failure_total[${FAILURE_WINDOW}])) > 0`,
            ]), undefined,
            `Velero restore partially failed on ${site}: ${SCHEDULE_PHRASE}`,
            `A Velero restore from ${SCHEDULE_PHRASE} ended PartiallyFailed in the last ${FAILURE_WINDOW}: `
                + `some items were not restored.`),
            // Velero skips maintenance of repositories whose location is ReadOnly: active site only.
            alert("VeleroRepoMaintenanceFailed", "warning", promql([
                `(sum by (repository_name) (increase(${REPO_MAINTENANCE_FAILURES}[${FAILURE_WINDOW}])) > 0)`,
                `or`,
                `(sum by (repository_name) (${REPO_MAINTENANCE_FAILURES} unless ${REPO_MAINTENANCE_FAILURES} offset ${FAILURE_WINDOW}) > 0)`,
            ]), undefined,
            `Velero repository maintenance failed on ${site}: {{ $labels.repository_name }}`,
            `A maintenance job of backup repository {{ $labels.repository_name }} failed or could not start in the last ${FAILURE_WINDOW}. `
                + `Without maintenance the kopia repository in the bucket is not pruned and keeps growing.`),
            // Velero's garbage collection exports no metric; the deletions it requests do.
            alert("VeleroBackupDeletionFailed", "warning", promql([
                `sum by (schedule) (increase(velero_backup_deletion_failure_total[${FAILURE_WINDOW}])) > 0`,
            ]), undefined,
            `Velero backup deletion failed on ${site}: ${SCHEDULE_PHRASE}`,
            `Deleting a backup of ${SCHEDULE_PHRASE} failed in the last ${FAILURE_WINDOW} (a DeleteBackupRequest ended with errors). `
                + `Expired backups are deleted this way by Velero's garbage collection: their data stays in the bucket.`),
        ],
    };

    const rgwSync: RuleGroup = {
        name: "velero-ceph-dr.rgw-sync",
        rules: [
            alert("RgwSyncPollErrors", "warning", promql([
                `sum by (source_zone) (rate(ceph_data_sync_from_zone_poll_errors[${rateWindow}])) > 0`,
            ]), "15m",
            `RGW data sync on ${site} keeps failing to poll zone {{ $labels.source_zone }}`,
            `Requests for the replication logs of zone {{ $labels.source_zone }} have been failing${forText("RgwSyncPollErrors", "15m")}: `
                + `the zone is unreachable or rejects the sync user.`),
            alert("RgwSyncFetchErrors", "warning", promql([
                `sum by (source_zone) (rate(ceph_data_sync_from_zone_fetch_errors[${rateWindow}])) > 0`,
            ]), "15m",
            `RGW data sync on ${site} keeps failing to fetch objects from zone {{ $labels.source_zone }}`,
            `Objects from zone {{ $labels.source_zone }} have been failing to replicate${forText("RgwSyncFetchErrors", "15m")}; `
                + `radosgw-admin sync error list shows which.`),
            alert("RgwSyncStalled", "critical", promql([
                `sum by (source_zone) (rate(ceph_data_sync_from_zone_poll_latency_count[10m])) == 0`,
            ]), s.rgwSyncStalledFor,
            `RGW data sync on ${site} from zone {{ $labels.source_zone }} is stalled`,
            `No replication-log poll of zone {{ $labels.source_zone }} has completed for ${s.rgwSyncStalledFor} `
                + `(plus the 10m rate window): backups stop replicating in this direction.`),
            alert("RgwSyncMetricsAbsent", "warning", "absent(ceph_data_sync_from_zone_poll_latency_count)", "15m",
                `RGW sync metrics are absent on ${site}`,
                `Prometheus has no ceph_data_sync_from_zone_* series${forText("RgwSyncMetricsAbsent", "15m")}: RGW data sync is not running, or the `
                + `Ceph exporter (mgr prometheus module on Pacific, ceph-exporter from Reef on) is not scraped. `
                + `Replication cannot be watched meanwhile.`),
            // Only Ceph 20.2 and later export the delta; on older releases this alert never fires. Its
            // labels are zone ids (source_zone_id, local_zone_id, shard_id), not the zone names of
            // the ceph_data_sync_from_zone_* series, so the alert names the source zone by id.
            alert("RgwSyncLagging", "warning", promql([
                `max by (source_zone_id) (${RGW_SYNC_DELTA}) > ${replicationAllowance}`,
            ]), "10m",
            `RGW data sync on ${site} is behind the zone with id {{ $labels.source_zone_id }}`,
            `RGW data sync from the zone with id {{ $labels.source_zone_id }} is {{ $value | humanizeDuration }} behind on its most lagging `
                + `datalog shard, more than the ${s.replicationAllowance} allowed for replication${forText("RgwSyncLagging", "10m") ? `,${forText("RgwSyncLagging", "10m")}` : ""}. `
                + `Backups written there are not yet here.`),
        ],
    };

    const endToEnd: RuleGroup = {
        name: "velero-ceph-dr.end-to-end",
        rules: [
            alert("DrReplicatedBackupTooOld", "critical", promql([
                `(`,
                `  (time() - ${RECORDED.newestBackupCompletion})`,
                `  > on (schedule)`,
                `  (${RECORDED.newestBackupRpo} + ${e2eAllowance})`,
                `)`,
                `unless on (schedule) ${RECORDED.scheduleRpo}`,
            ]), "5m",
            `Newest backup of schedule {{ $labels.schedule }} visible on ${site} is older than its RPO`,
            `The newest Completed backup of schedule {{ $labels.schedule }} that Velero on ${site} can see completed `
                + `{{ $value | humanizeDuration }} ago, more than its RPO plus ${describeDuration(e2eAllowance)} `
                + `(${s.backupDurationAllowance} backup run, ${s.replicationAllowance} replication, ${s.backupSyncPeriod} Velero backup sync). `
                + `A failover to ${site} now would lose more data than the RPO allows.`),
            alert("DrBackupStateMetricsAbsent", "warning", promql([
                `(max(velero_backup_total) > 0)`,
                // A running scheduled backup has no completion time yet, but already its RPO label.
                `unless on () (count(${KSM_METRICS.backupCompletion}) or count(${KSM_METRICS.backupRpo}))`,
            ]), "30m",
            `Velero Backup state metrics are missing on ${site}`,
            `Velero sees {{ $value }} backups but kube-state-metrics exports no ${KSM_METRICS.backupCompletion}: `
                + `its custom-resource-state config or its RBAC for velero.io is missing. The RPO alerts are blind meanwhile.`),
            alert("DrNoBackupsVisible", "warning", "max(velero_backup_total) == 0", s.noBackupsVisibleFor,
                `Velero on ${site} sees no backup at all`,
                `Velero on ${site} has seen no Backup object for ${s.noBackupsVisibleFor}: on the active site no schedule ran, `
                + `on the passive site nothing was replicated into the bucket or the backup location points elsewhere.`),
        ],
    };

    return [recording, velero, ...(s.rgwSync ? [rgwSync] : []), endToEnd];
}

/** Every alert name the settings render, in order. */
export function renderedAlertNames(s: AlertRuleSettings): AlertName[] {
    return renderAlertRules(s).flatMap((g) => g.rules.filter(isAlertingRule).map((r) => r.alert as AlertName));
}

export interface PrometheusRuleOptions {
    name: string;
    namespace: string;
    /** Labels that the Prometheus' `ruleSelector` matches. */
    labels: Record<string, string>;
}

/** The PrometheusRule object (monitoring.coreos.com/v1) holding the groups. */
export function renderPrometheusRule(groups: RuleGroup[], o: PrometheusRuleOptions) {
    return {
        apiVersion: "monitoring.coreos.com/v1" as const,
        kind: "PrometheusRule" as const,
        metadata: { name: o.name, namespace: o.namespace, labels: { ...o.labels } },
        spec: { groups },
    };
}
