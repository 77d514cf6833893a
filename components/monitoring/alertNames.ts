// The DR alerts by name: their runbook anchors, and which settings decide whether they are
// rendered or how long they wait. Kept apart from the renderer so the settings can validate
// alert names without importing it (the renderer imports the settings).

/** Where each alert's runbook section is: `docs/runbook.md#<anchor>`. */
export const RUNBOOK_ANCHORS = {
    VeleroBackupTooOld: "velero-backup-too-old",
    VeleroScheduleNeverSucceeded: "velero-schedule-never-succeeded",
    VeleroScheduleRpoUnknown: "velero-schedule-rpo-unknown",
    VeleroBackupFailed: "velero-backup-failed",
    VeleroBackupFailingPersistently: "velero-backup-failing-persistently",
    VeleroBackupPartiallyFailed: "velero-backup-partially-failed",
    VeleroBackupItemErrors: "velero-backup-item-errors",
    VeleroBackupStorageLocationUnavailable: "velero-bsl-unavailable",
    VeleroMetricsAbsent: "velero-metrics-absent",
    VeleroNodeAgentMetricsAbsent: "velero-node-agent-metrics-absent",
    VeleroNodeAgentUploadFailures: "velero-node-agent-upload-failures",
    VeleroRestoreFailed: "velero-restore-failed",
    VeleroRestorePartiallyFailed: "velero-restore-partially-failed",
    VeleroRepoMaintenanceFailed: "velero-repo-maintenance-failed",
    VeleroBackupDeletionFailed: "velero-backup-deletion-failed",
    RgwSyncPollErrors: "rgw-sync-poll-errors",
    RgwSyncFetchErrors: "rgw-sync-fetch-errors",
    RgwSyncStalled: "rgw-sync-stalled",
    RgwSyncMetricsAbsent: "rgw-sync-metrics-absent",
    RgwSyncLagging: "rgw-sync-lagging",
    DrReplicatedBackupTooOld: "dr-replicated-backup-too-old",
    DrBackupStateMetricsAbsent: "dr-backup-state-metrics-absent",
    DrNoBackupsVisible: "dr-no-backups-visible",
} as const;

export type AlertName = keyof typeof RUNBOOK_ANCHORS;

/** Every alert name, in rendering order. */
export const ALERT_NAMES = Object.keys(RUNBOOK_ANCHORS) as AlertName[];

/** Alerts rendered only when Velero's node-agent runs (setting `nodeAgent`). */
export const NODE_AGENT_ALERTS: readonly AlertName[] = ["VeleroNodeAgentMetricsAbsent", "VeleroNodeAgentUploadFailures"];

/** Alerts rendered only when this Prometheus scrapes the local Ceph's RGW sync metrics (setting `rgwSync`). */
export const RGW_SYNC_ALERTS: readonly AlertName[] = [
    "RgwSyncPollErrors", "RgwSyncFetchErrors", "RgwSyncStalled", "RgwSyncMetricsAbsent", "RgwSyncLagging",
];

/**
 * Alerts whose wait (`for:`) is a setting of its own, because their texts state it as the
 * threshold ("failing for 6h"): `pendingFor` may not set these, so the two cannot disagree.
 */
export const WAIT_SETTING_OF: Partial<Record<AlertName, "backupFailingFor" | "rgwSyncStalledFor" | "noBackupsVisibleFor">> = {
    VeleroBackupFailingPersistently: "backupFailingFor",
    RgwSyncStalled: "rgwSyncStalledFor",
    DrNoBackupsVisible: "noBackupsVisibleFor",
};
