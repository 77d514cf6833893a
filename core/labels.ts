// Label and annotation keys that more than one part of the project writes or reads: the
// components and the failover stack put them on objects, the policy pack and the alert rules read
// them, and the on-call tools select by them. Defined here once.

/**
 * Label on Schedules (and their backup template) carrying the RPO in seconds. Velero copies it
 * onto every Backup the Schedule creates, and backup sync keeps it on the passive cluster, so
 * alert rules can read the RPO from Backups in both roles; `velero-role.sh stop-schedules` selects
 * this project's Schedules by it.
 */
export const RPO_SECONDS_LABEL = "dr.velero-ceph-dr/rpo-seconds";

/**
 * Label on Schedules (and their backup template, so on every Backup) naming the site whose
 * cluster made the backup. `failover.sh restore` picks by it the newest backup made by the OTHER
 * site: after a failover the new active cluster's first backups may be nearly empty.
 */
export const SITE_LABEL = "dr.velero-ceph-dr/site";

/** Label that Velero itself puts on every Backup a Schedule creates (read, never written, here). */
export const SCHEDULE_NAME_LABEL = "velero.io/schedule-name";

/**
 * Pulumi's annotation that makes a Kubernetes object an upsert over a field manager's existing
 * object (server-side apply with force): Velero's own Secrets, a returning site's old objects.
 */
export const PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce";
