// Scenarios for `promtool test rules`: for every alert, in both roles, one series set with the
// problem and one healthy, each with what must (not) fire. The series model what each cluster
// really exposes (Velero 1.18 metrics, kube-state-metrics' Backup/Schedule series, Ceph RGW sync
// counters): the active cluster runs schedule "hourly"; the passive one has no Schedule but sees
// the replicated Backups, and Velero there still recomputes velero_backup_last_successful_timestamp
// from them. Expected texts are written out by hand, independent of the rule templates.

export type Role = "active" | "passive";

export const SITES: Record<Role, string> = { active: "site-a", passive: "site-b" };
/** The zone each site's RGW pulls data from (the other site's zone). */
const SOURCE_ZONE: Record<Role, string> = { active: "zoneb", passive: "zonea" };
/** Zone ids (Ceph's zone UUIDs), which label Ceph 20.2's sync delta instead of the zone names. */
const ZONE_ID: Record<string, string> = { zonea: "5a1c3e9e-0d5e-4c52-9d0b-6b1f2d0a7a11", zoneb: "b7e2f4c1-8f3a-4c0e-a1d2-3e4f5a6b7c8d" };
const LOCAL_ZONE: Record<Role, string> = { active: "zonea", passive: "zoneb" };
export const RUNBOOK = "https://git.example.com/infra/velero-ceph-dr/-/blob/main/docs/runbook.md";
/** The kopia repository Velero maintains on the active site (BackupRepository name). */
const REPOSITORY = "velero-default-kopia-x7k2p";

/** Values of one series as a function of the number of 1m samples before the evaluation. */
type Values = (evalMinutes: number) => string;

/** The same value at every sample. */
const steady = (v: number): Values => (m) => `${v}x${m + 10}`;
/** Starts at `start` and grows by `perMinute` each sample (counters, or timestamps that keep up). */
const ticking = (start: number, perMinute: number): Values => (m) => `${start}+${perMinute}x${m + 10}`;
/** A counter at 0 that grows by 2 a minute from `minutesBeforeEval` minutes before the evaluation on. */
const growingSince = (minutesBeforeEval: number): Values => (m) => `0x${m - minutesBeforeEval} 1+2x${minutesBeforeEval + 10}`;
/** `before`, then `after` from `minutesBeforeEval` minutes before the evaluation on. */
const stepsTo = (before: number, after: number, minutesBeforeEval: number): Values =>
    (m) => `${before}x${m - minutesBeforeEval} ${after}x${minutesBeforeEval + 10}`;

export type SeriesSet = Map<string, Values>;

/** A series as scraped from the Velero server pod. */
const veleroServer = (selector: string) => selector.replace(/\{(.*)\}$/, (_, inner: string) =>
    `{${inner ? `${inner},` : ""}job="velero",pod="velero-7d9f"}`);

/** Velero's per-schedule series, as InitSchedule creates them (plus what a backup run sets). */
function scheduleSeries(set: SeriesSet, schedule: string, lastStatus: number): void {
    const s = `schedule="${schedule}"`;
    set.set(veleroServer(`velero_backup_attempt_total{${s}}`), steady(schedule ? 5 : 0));
    set.set(veleroServer(`velero_backup_success_total{${s}}`), steady(schedule ? 5 : 0));
    for (const counter of ["failure", "validation_failure", "partial_failure"]) {
        set.set(veleroServer(`velero_backup_${counter}_total{${s}}`), steady(0));
    }
    set.set(veleroServer(`velero_backup_last_status{${s}}`), steady(lastStatus));
    set.set(veleroServer(`velero_backup_items_errors{${s}}`), steady(0));
    for (const counter of ["attempt", "success", "failure"]) {
        set.set(veleroServer(`velero_backup_deletion_${counter}_total{${s}}`), steady(0));
    }
    for (const counter of ["success", "failed", "validation_failed", "partial_failure"]) {
        set.set(veleroServer(`velero_restore_${counter}_total{${s}}`), steady(0));
    }
}

/** What Prometheus in a healthy cluster of `role` holds. */
export function healthy(role: Role): SeriesSet {
    const set: SeriesSet = new Map();
    set.set(veleroServer("velero_backup_total{}"), steady(12));
    // Velero calls InitSchedule("") at start: ad-hoc series exist in both roles.
    scheduleSeries(set, "", 1);
    set.set(veleroServer('velero_backup_location_status_gauge{backup_location_name="default"}'), steady(1));
    set.set('podVolume_data_upload_success_total{job="velero-node-agent",node="node-1"}', steady(3));
    set.set('podVolume_data_upload_failure_total{job="velero-node-agent",node="node-1"}', steady(0));
    const ksm = (metric: string, labels: string) => `kube_velero_${metric}{job="kube-state-metrics",namespace="velero",${labels}}`;
    // Newest backup: 10 minutes old on the active site, 15 on the passive one (replication + sync).
    const newestAge = role === "active" ? 600 : 900;
    set.set(veleroServer('velero_backup_last_successful_timestamp{schedule="hourly"}'), ticking(-newestAge, 60));
    set.set(ksm("backup_completion_timestamp_seconds", 'name="hourly-new",schedule="hourly",phase="Completed"'), ticking(-newestAge, 60));
    set.set(ksm("backup_rpo_seconds", 'name="hourly-new",schedule="hourly"'), steady(3600));
    set.set(ksm("backup_completion_timestamp_seconds", 'name="hourly-old",schedule="hourly",phase="Completed"'), steady(-7200));
    set.set(ksm("backup_rpo_seconds", 'name="hourly-old",schedule="hourly"'), steady(3600));
    if (role === "active") {
        scheduleSeries(set, "hourly", 1);
        // Velero maintains only repositories of ReadWrite locations; the failure counter appears with the first failure.
        set.set(veleroServer(`velero_repo_maintenance_success_total{repository_name="${REPOSITORY}"}`), steady(3));
        set.set(ksm("schedule_rpo_seconds", 'schedule="hourly"'), steady(3600));
        set.set(ksm("schedule_created_timestamp_seconds", 'schedule="hourly"'), steady(-86400));
    }
    const ceph = (metric: string) => `ceph_data_sync_from_zone_${metric}{job="ceph",ceph_daemon="rgw.${SITES[role]}",source_zone="${SOURCE_ZONE[role]}"}`;
    set.set(ceph("poll_latency_count"), ticking(0, 3));
    set.set(ceph("poll_latency_sum"), ticking(0, 0.06));
    set.set(ceph("poll_errors"), steady(0));
    set.set(ceph("fetch_errors"), steady(0));
    set.set(ceph("fetch_bytes_sum"), ticking(0, 4096));
    set.set(ceph("fetch_bytes_count"), ticking(0, 2));
    // Ceph 20.2's data-sync delta per datalog shard, in seconds.
    const delta = (shard: number) => `ceph_rgw_sync_delta_sync_delta{job="ceph",ceph_daemon="rgw.${SITES[role]}",`
        + `source_zone_id="${ZONE_ID[SOURCE_ZONE[role]]}",local_zone_id="${ZONE_ID[LOCAL_ZONE[role]]}",shard_id="${shard}"}`;
    set.set(delta(0), steady(2));
    set.set(delta(1), steady(5));
    return set;
}

/** Series whose selector contains `needle`. */
function matching(set: SeriesSet, needle: string): string[] {
    const keys = [...set.keys()].filter((k) => k.includes(needle));
    if (keys.length === 0) throw new Error(`scenario bug: no series matches ${needle}`);
    return keys;
}
const drop = (set: SeriesSet, needle: string) => matching(set, needle).forEach((k) => set.delete(k));
const replace = (set: SeriesSet, needle: string, values: Values) => matching(set, needle).forEach((k) => set.set(k, values));

export interface RoleCase {
    /** Minutes after the start of the series at which the rules are evaluated. */
    evalMinutes: number;
    /** Turns the healthy series into the problem. */
    problem: (set: SeriesSet, role: Role) => void;
    /** Whether the alert fires on the problem in this role; when false, silence is the point. */
    fires: boolean;
    /** Labels of the firing alert besides alertname, severity and the site label. */
    labels?: Record<string, string>;
    summary?: string;
    description?: string;
}

export interface AlertCases {
    alert: string;
    severity: "critical" | "warning";
    anchor: string;
    active: RoleCase;
    passive: RoleCase;
}

const M = 240; // most scenarios evaluate after 4h of samples
const both = (c: Omit<RoleCase, "summary" | "description"> & { text: (site: string, role: Role) => { summary: string; description: string } }) => ({
    active: { ...c, ...c.text(SITES.active, "active") },
    passive: { ...c, ...c.text(SITES.passive, "passive") },
});

export const ALERT_CASES: AlertCases[] = [
    {
        alert: "VeleroBackupTooOld", severity: "critical", anchor: "velero-backup-too-old",
        active: {
            evalMinutes: M, fires: true, labels: { schedule: "hourly" },
            problem: (s) => replace(s, 'velero_backup_last_successful_timestamp{schedule="hourly"', steady(0)),
            summary: "Velero schedule hourly on site-a has no successful backup within its RPO",
            description: "The last successful backup of schedule hourly completed 4h 0m 0s ago, more than its RPO "
                + "(Schedule label dr.velero-ceph-dr/rpo-seconds) plus 30m for a backup to run. Data changed since then would be lost in a disaster.",
        },
        // Velero on the passive site derives this timestamp from old replicated backups: not its schedule.
        passive: {
            evalMinutes: M, fires: false,
            problem: (s) => {
                replace(s, 'velero_backup_last_successful_timestamp{schedule="hourly"', steady(0));
                replace(s, 'name="hourly-new"', steady(0));
            },
        },
    },
    {
        alert: "VeleroScheduleNeverSucceeded", severity: "critical", anchor: "velero-schedule-never-succeeded",
        active: {
            evalMinutes: M, fires: true, labels: { schedule: "hourly" },
            problem: (s) => drop(s, "velero_backup_last_successful_timestamp"),
            summary: "Velero schedule hourly on site-a has never completed a backup",
            description: "Schedule hourly was created 1d 4h 0m 0s ago, longer than its RPO plus 30m, and this cluster holds no Completed backup of it.",
        },
        passive: { evalMinutes: M, fires: false, problem: (s) => drop(s, "velero_backup_last_successful_timestamp") },
    },
    {
        alert: "VeleroScheduleRpoUnknown", severity: "warning", anchor: "velero-schedule-rpo-unknown",
        active: {
            evalMinutes: M, fires: true, labels: { schedule: "hourly" },
            problem: (s) => drop(s, "kube_velero_schedule_rpo_seconds"),
            summary: "RPO of Velero schedule hourly on site-a is unknown",
            description: "Velero runs schedule hourly, but kube-state-metrics exports no kube_velero_schedule_rpo_seconds for it: "
                + "the Schedule lacks the label dr.velero-ceph-dr/rpo-seconds, or the custom-resource-state config is not loaded. "
                + "The RPO alerts cannot judge this schedule.",
        },
        // No Schedule runs on the passive site, so even without any kube-state-metrics series nothing is unknown.
        passive: { evalMinutes: M, fires: false, problem: (s) => drop(s, "kube_velero_") },
    },
    {
        alert: "VeleroBackupFailed", severity: "warning", anchor: "velero-backup-failed",
        active: {
            evalMinutes: M, fires: true, labels: { schedule: "hourly" },
            problem: (s) => replace(s, 'velero_backup_failure_total{schedule="hourly"', stepsTo(0, 1, 30)),
            summary: "Velero backup failed on site-a: schedule hourly",
            description: "A Velero backup of schedule hourly ended Failed or FailedValidation in the last 1h. "
                + "On a passive site this is usually an ad-hoc backup refused by the ReadOnly backup location.",
        },
        // An ad-hoc backup on the passive site fails validation (ReadOnly location): worth a warning.
        passive: {
            evalMinutes: M, fires: true, labels: {},
            problem: (s) => replace(s, 'velero_backup_validation_failure_total{schedule=""', stepsTo(0, 1, 30)),
            summary: "Velero backup failed on site-b: ad-hoc backups (no schedule)",
            description: "A Velero backup of ad-hoc backups (no schedule) ended Failed or FailedValidation in the last 1h. "
                + "On a passive site this is usually an ad-hoc backup refused by the ReadOnly backup location.",
        },
    },
    {
        alert: "VeleroBackupFailingPersistently", severity: "critical", anchor: "velero-backup-failing-persistently",
        active: {
            evalMinutes: 7 * 60, fires: true, labels: { schedule: "hourly" },
            problem: (s) => replace(s, 'velero_backup_last_status{schedule="hourly"', steady(0)),
            summary: "Velero schedule hourly on site-a has been failing for 6h",
            description: "The latest backup of schedule hourly did not succeed (Failed, PartiallyFailed or FailedValidation) "
                + "and none of its backups has succeeded for at least 6h.",
        },
        // After a role swap Velero keeps the old schedule's last status (it only removes the counters): stale.
        passive: {
            evalMinutes: 7 * 60, fires: false,
            problem: (s) => s.set(veleroServer('velero_backup_last_status{schedule="hourly"}'), steady(0)),
        },
    },
    {
        alert: "VeleroBackupPartiallyFailed", severity: "warning", anchor: "velero-backup-partially-failed",
        active: {
            evalMinutes: M, fires: true, labels: { schedule: "hourly" },
            problem: (s) => replace(s, 'velero_backup_partial_failure_total{schedule="hourly"', stepsTo(0, 1, 20)),
            summary: "Velero backup partially failed on site-a: schedule hourly",
            description: "A Velero backup of schedule hourly ended PartiallyFailed in the last 1h: some items or volumes are missing from it.",
        },
        passive: {
            evalMinutes: M, fires: true, labels: {},
            problem: (s) => replace(s, 'velero_backup_partial_failure_total{schedule=""', stepsTo(0, 1, 20)),
            summary: "Velero backup partially failed on site-b: ad-hoc backups (no schedule)",
            description: "A Velero backup of ad-hoc backups (no schedule) ended PartiallyFailed in the last 1h: some items or volumes are missing from it.",
        },
    },
    {
        alert: "VeleroBackupItemErrors", severity: "warning", anchor: "velero-backup-item-errors",
        active: {
            evalMinutes: M, fires: true, labels: { schedule: "hourly" },
            problem: (s) => replace(s, 'velero_backup_items_errors{schedule="hourly"', steady(3)),
            summary: "Last backup of Velero schedule hourly on site-a had item errors",
            description: "The latest backup of schedule hourly reported 3 item errors.",
        },
        // Stale gauge of the schedule this cluster ran before the role swap.
        passive: {
            evalMinutes: M, fires: false,
            problem: (s) => s.set(veleroServer('velero_backup_items_errors{schedule="hourly"}'), steady(3)),
        },
    },
    {
        alert: "VeleroBackupStorageLocationUnavailable", severity: "critical", anchor: "velero-bsl-unavailable",
        ...both({
            evalMinutes: M, fires: true, labels: { backup_location_name: "default" },
            problem: (s) => replace(s, "velero_backup_location_status_gauge", stepsTo(1, 0, 30)),
            text: (site) => ({
                summary: `Velero backup storage location default on ${site} is unavailable`,
                description: "Velero cannot validate backup storage location default (the bucket in the local RGW zone). "
                    + "Where it is ReadWrite no backup can be written; where it is ReadOnly replicated backups stop appearing.",
            }),
        }),
    },
    {
        alert: "VeleroMetricsAbsent", severity: "critical", anchor: "velero-metrics-absent",
        ...both({
            evalMinutes: M, fires: true, labels: {},
            problem: (s) => drop(s, 'job="velero"'),
            text: (site) => ({
                summary: `Velero metrics are absent on ${site}`,
                description: "Prometheus has no Velero server metrics for 10m: Velero is down or not scraped (Velero chart "
                    + "metrics.serviceMonitor). The other Velero alerts are blind meanwhile.",
            }),
        }),
    },
    {
        alert: "VeleroNodeAgentMetricsAbsent", severity: "warning", anchor: "velero-node-agent-metrics-absent",
        ...both({
            evalMinutes: M, fires: true, labels: {},
            problem: (s) => drop(s, "podVolume_"),
            text: (site) => ({
                summary: `Velero node-agent metrics are absent on ${site}`,
                description: "Prometheus has no Velero node-agent metrics for 10m: the node-agent DaemonSet is down or not scraped "
                    + "(Velero chart metrics.nodeAgentPodMonitor). Volume data backups cannot be watched meanwhile.",
            }),
        }),
    },
    {
        alert: "VeleroNodeAgentUploadFailures", severity: "warning", anchor: "velero-node-agent-upload-failures",
        ...both({
            evalMinutes: M, fires: true, labels: { node: "node-1" },
            problem: (s) => replace(s, "podVolume_data_upload_failure_total", stepsTo(0, 2, 15)),
            text: (site) => ({
                summary: `Velero node-agent on node node-1 (${site}) failed to upload volume data`,
                description: "Volume data uploads (DataUploads of the data mover) failed on node node-1 in the last 1h.",
            }),
        }),
    },
    {
        alert: "VeleroRestoreFailed", severity: "warning", anchor: "velero-restore-failed",
        ...both({
            evalMinutes: M, fires: true, labels: {},
            problem: (s) => replace(s, 'velero_restore_failed_total{schedule=""', stepsTo(0, 1, 10)),
            text: (site) => ({
                summary: `Velero restore failed on ${site}: ad-hoc backups (no schedule)`,
                description: "A Velero restore from ad-hoc backups (no schedule) ended Failed or FailedValidation in the last 1h.",
            }),
        }),
    },
    {
        alert: "VeleroRestorePartiallyFailed", severity: "warning", anchor: "velero-restore-partially-failed",
        ...both({
            evalMinutes: M, fires: true, labels: {},
            problem: (s) => replace(s, 'velero_restore_partial_failure_total{schedule=""', stepsTo(0, 1, 10)),
            text: (site) => ({
                summary: `Velero restore partially failed on ${site}: ad-hoc backups (no schedule)`,
                description: "A Velero restore from ad-hoc backups (no schedule) ended PartiallyFailed in the last 1h: some items were not restored.",
            }),
        }),
    },
    {
        alert: "VeleroRepoMaintenanceFailed", severity: "warning", anchor: "velero-repo-maintenance-failed",
        // The first failure since Velero started: a new series at 1, 20 minutes before the evaluation.
        active: {
            evalMinutes: M, fires: true, labels: { repository_name: REPOSITORY },
            problem: (s) => s.set(veleroServer(`velero_repo_maintenance_failure_total{repository_name="${REPOSITORY}"}`), (m) => `_x${m - 20} 1x30`),
            summary: `Velero repository maintenance failed on site-a: ${REPOSITORY}`,
            description: `A maintenance job of backup repository ${REPOSITORY} failed or could not start in the last 1h. `
                + "Without maintenance the kopia repository in the bucket is not pruned and keeps growing.",
        },
        // Failures counted while this cluster was active, hours before the swap: old news.
        passive: {
            evalMinutes: M, fires: false,
            problem: (s) => s.set(veleroServer(`velero_repo_maintenance_failure_total{repository_name="${REPOSITORY}"}`), steady(2)),
        },
    },
    {
        alert: "VeleroBackupDeletionFailed", severity: "warning", anchor: "velero-backup-deletion-failed",
        active: {
            evalMinutes: M, fires: true, labels: { schedule: "hourly" },
            problem: (s) => replace(s, 'velero_backup_deletion_failure_total{schedule="hourly"', stepsTo(0, 1, 25)),
            summary: "Velero backup deletion failed on site-a: schedule hourly",
            description: "Deleting a backup of schedule hourly failed in the last 1h (a DeleteBackupRequest ended with errors). "
                + "Expired backups are deleted this way by Velero's garbage collection: their data stays in the bucket.",
        },
        passive: {
            evalMinutes: M, fires: true, labels: {},
            problem: (s) => replace(s, 'velero_backup_deletion_failure_total{schedule=""', stepsTo(0, 1, 25)),
            summary: "Velero backup deletion failed on site-b: ad-hoc backups (no schedule)",
            description: "Deleting a backup of ad-hoc backups (no schedule) failed in the last 1h (a DeleteBackupRequest ended with errors). "
                + "Expired backups are deleted this way by Velero's garbage collection: their data stays in the bucket.",
        },
    },
    {
        alert: "RgwSyncPollErrors", severity: "warning", anchor: "rgw-sync-poll-errors",
        active: rgwCase("active", "poll_errors",
            "RGW data sync on site-a keeps failing to poll zone zoneb",
            "Requests for the replication logs of zone zoneb have been failing for 15m: the zone is unreachable or rejects the sync user."),
        passive: rgwCase("passive", "poll_errors",
            "RGW data sync on site-b keeps failing to poll zone zonea",
            "Requests for the replication logs of zone zonea have been failing for 15m: the zone is unreachable or rejects the sync user."),
    },
    {
        alert: "RgwSyncFetchErrors", severity: "warning", anchor: "rgw-sync-fetch-errors",
        active: rgwCase("active", "fetch_errors",
            "RGW data sync on site-a keeps failing to fetch objects from zone zoneb",
            "Objects from zone zoneb have been failing to replicate for 15m; radosgw-admin sync error list shows which."),
        passive: rgwCase("passive", "fetch_errors",
            "RGW data sync on site-b keeps failing to fetch objects from zone zonea",
            "Objects from zone zonea have been failing to replicate for 15m; radosgw-admin sync error list shows which."),
    },
    {
        alert: "RgwSyncStalled", severity: "critical", anchor: "rgw-sync-stalled",
        active: stalledCase("active"),
        passive: stalledCase("passive"),
    },
    {
        alert: "RgwSyncMetricsAbsent", severity: "warning", anchor: "rgw-sync-metrics-absent",
        ...both({
            evalMinutes: M, fires: true, labels: {},
            problem: (s) => drop(s, "ceph_data_sync_from_zone_"),
            text: (site) => ({
                summary: `RGW sync metrics are absent on ${site}`,
                description: "Prometheus has no ceph_data_sync_from_zone_* series for 15m: RGW data sync is not running, or the "
                    + "Ceph exporter (mgr prometheus module on Pacific, ceph-exporter from Reef on) is not scraped. "
                    + "Replication cannot be watched meanwhile.",
            }),
        }),
    },
    {
        alert: "RgwSyncLagging", severity: "warning", anchor: "rgw-sync-lagging",
        active: lagCase("active"),
        passive: lagCase("passive"),
    },
    {
        alert: "DrReplicatedBackupTooOld", severity: "critical", anchor: "dr-replicated-backup-too-old",
        // On the active site the schedule runs here: VeleroBackupTooOld speaks for it.
        active: { evalMinutes: M, fires: false, problem: (s) => replace(s, 'name="hourly-new",schedule="hourly",phase', steady(0)) },
        passive: {
            evalMinutes: M, fires: true, labels: { schedule: "hourly" },
            problem: (s) => replace(s, 'name="hourly-new",schedule="hourly",phase', steady(0)),
            summary: "Newest backup of schedule hourly visible on site-b is older than its RPO",
            description: "The newest Completed backup of schedule hourly that Velero on site-b can see completed 4h 0m 0s ago, "
                + "more than its RPO plus 46m (30m backup run, 15m replication, 1m Velero backup sync). "
                + "A failover to site-b now would lose more data than the RPO allows.",
        },
    },
    {
        alert: "DrBackupStateMetricsAbsent", severity: "warning", anchor: "dr-backup-state-metrics-absent",
        ...both({
            evalMinutes: M, fires: true, labels: {},
            problem: (s) => drop(s, "kube_velero_backup_"),
            text: (site) => ({
                summary: `Velero Backup state metrics are missing on ${site}`,
                description: "Velero sees 12 backups but kube-state-metrics exports no kube_velero_backup_completion_timestamp_seconds: "
                    + "its custom-resource-state config or its RBAC for velero.io is missing. The RPO alerts are blind meanwhile.",
            }),
        }),
    },
    {
        alert: "DrNoBackupsVisible", severity: "warning", anchor: "dr-no-backups-visible",
        ...both({
            evalMinutes: 25 * 60, fires: true, labels: {},
            problem: (s) => {
                replace(s, "velero_backup_total", steady(0));
                drop(s, "kube_velero_backup_");
                drop(s, "velero_backup_last_successful_timestamp");
            },
            text: (site) => ({
                summary: `Velero on ${site} sees no backup at all`,
                description: `Velero on ${site} has seen no Backup object for 24h: on the active site no schedule ran, `
                    + "on the passive site nothing was replicated into the bucket or the backup location points elsewhere.",
            }),
        }),
    },
];

function rgwCase(role: Role, counter: string, summary: string, description: string): RoleCase {
    return {
        evalMinutes: M, fires: true, labels: { source_zone: SOURCE_ZONE[role] }, summary, description,
        problem: (s) => replace(s, `ceph_data_sync_from_zone_${counter}`, growingSince(40)),
    };
}

function stalledCase(role: Role): RoleCase {
    const zone = SOURCE_ZONE[role];
    return {
        evalMinutes: M, fires: true, labels: { source_zone: zone },
        // Polls stop 40 minutes before the evaluation: 10m rate window plus 15m, with margin.
        problem: (s) => replace(s, "poll_latency_count", (m) => `0+3x${m - 40} ${3 * (m - 40)}x50`),
        summary: `RGW data sync on ${SITES[role]} from zone ${zone} is stalled`,
        description: `No replication-log poll of zone ${zone} has completed for 15m (plus the 10m rate window): `
            + "backups stop replicating in this direction.",
    };
}

function lagCase(role: Role): RoleCase {
    const zoneId = ZONE_ID[SOURCE_ZONE[role]];
    return {
        evalMinutes: M, fires: true, labels: { source_zone_id: zoneId },
        // Shard 1 falls 30 minutes behind 20 minutes before the evaluation (the alert holds for 10m).
        problem: (s) => replace(s, 'shard_id="1"', stepsTo(5, 1800, 20)),
        summary: `RGW data sync on ${SITES[role]} is behind the zone with id ${zoneId}`,
        description: `RGW data sync from the zone with id ${zoneId} is 30m 0s behind on its most lagging datalog shard, more than the 15m `
            + "allowed for replication, for 10m. Backups written there are not yet here.",
    };
}

/** A promtool unit-test case (one entry of `tests:`). */
export interface PromtoolTest {
    name: string;
    interval: string;
    input_series: { series: string; values: string }[];
    alert_rule_test: {
        eval_time: string;
        alertname: string;
        exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
    }[];
}

/** The two promtool cases of one alert in one role: the problem, and the healthy cluster. */
export function promtoolCases(c: AlertCases, role: Role, siteLabel = "site"): PromtoolTest[] {
    const rc = c[role];
    const problem = healthy(role);
    rc.problem(problem, role);
    const series = (set: SeriesSet) => [...set.entries()].map(([s, v]) => ({ series: s, values: v(rc.evalMinutes) }));
    const evalTime = `${rc.evalMinutes}m`;
    const firing = rc.fires
        ? [{
            exp_labels: { severity: c.severity, [siteLabel]: SITES[role], ...(rc.labels ?? {}) },
            exp_annotations: {
                summary: required(rc.summary, c.alert, "summary"),
                description: required(rc.description, c.alert, "description"),
                runbook_url: `${RUNBOOK}#${c.anchor}`,
            },
        }]
        : [];
    return [
        {
            name: `${c.alert} ${rc.fires ? "fires" : "stays silent"} on the problem (${role} ${SITES[role]})`,
            interval: "1m",
            input_series: series(problem),
            alert_rule_test: [{ eval_time: evalTime, alertname: c.alert, exp_alerts: firing }],
        },
        {
            name: `${c.alert} stays silent when healthy (${role} ${SITES[role]})`,
            interval: "1m",
            input_series: series(healthy(role)),
            alert_rule_test: [{ eval_time: evalTime, alertname: c.alert, exp_alerts: [] }],
        },
    ];
}

function required(text: string | undefined, alert: string, what: string): string {
    if (text === undefined) throw new Error(`scenario bug: ${alert} fires but has no expected ${what}`);
    return text;
}
