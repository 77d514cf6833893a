// Synthetic OpenMetrics for the dashboard check: an hour of the series a healthy active site
// exports (two schedules backing up, RGW replication from zone-b), written the way
// `promtool tsdb create-blocks-from openmetrics` reads them. Series left out on purpose are the
// ones the check must report as "no data".

/** Metric names this file writes; every other series the dashboard queries is absent. */
export const GENERATED_METRICS = [
    "velero_backup_last_successful_timestamp",
    "velero_backup_success_total",
    "velero_backup_failure_total",
    "velero_backup_location_status_gauge",
    "velero_backup_total",
    "schedule:velero_schedule_rpo_seconds:max",
    "schedule:velero_backup_last_completed_timestamp_seconds:max",
    "schedule:velero_backup_last_completed_rpo_seconds:max",
    "ceph_data_sync_from_zone_fetch_bytes_sum",
    "ceph_data_sync_from_zone_poll_latency_sum",
    "ceph_data_sync_from_zone_poll_latency_count",
] as const;

const SCHEDULES = [
    { name: "apps-every-20m", everySeconds: 1200, rpoSeconds: 1800, replicationDelaySeconds: 150 },
    { name: "db-every-10m", everySeconds: 600, rpoSeconds: 900, replicationDelaySeconds: 90 },
];

/** Samples every `intervalSeconds` from `start` to `end` (Unix seconds, inclusive). */
export function syntheticOpenMetrics(start: number, end: number, intervalSeconds = 15): string {
    const families = new Map<string, string[]>();
    const add = (name: string, labels: Record<string, string>, value: number, t: number) => {
        const text = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",");
        const lines = families.get(name) ?? [];
        lines.push(`${name}{${text}} ${Number(value.toFixed(6))} ${t}`);
        families.set(name, lines);
    };
    let fetchedBytes = 0;
    let pollLatencySum = 0;
    let polls = 0;
    for (let t = start; t <= end; t += intervalSeconds) {
        const minute = (t - start) / 60;
        let backupsVisible = 0;
        for (const s of SCHEDULES) {
            const lastBackup = Math.floor(t / s.everySeconds) * s.everySeconds;
            const schedule = { schedule: s.name };
            add("velero_backup_last_successful_timestamp", schedule, lastBackup, t);
            add("velero_backup_success_total", schedule, Math.floor((t - start) / s.everySeconds), t);
            add("velero_backup_failure_total", schedule, 0, t);
            add("schedule:velero_schedule_rpo_seconds:max", schedule, s.rpoSeconds, t);
            // The newest backup this cluster sees completed a replication delay after it was taken.
            const visible = t - lastBackup >= s.replicationDelaySeconds ? lastBackup : lastBackup - s.everySeconds;
            add("schedule:velero_backup_last_completed_timestamp_seconds:max", schedule, visible, t);
            add("schedule:velero_backup_last_completed_rpo_seconds:max", schedule, s.rpoSeconds, t);
            backupsVisible += 10 + Math.floor((t - start) / s.everySeconds);
        }
        add("velero_backup_location_status_gauge", { backup_location_name: "default" }, 1, t);
        add("velero_backup_total", {}, backupsVisible, t);
        // Replication traffic in bursts after each backup, with a steady trickle between.
        const burst = minute % 10 < 3 ? 4_000_000 : 150_000;
        fetchedBytes += burst * intervalSeconds;
        add("ceph_data_sync_from_zone_fetch_bytes_sum", { source_zone: "zone-b" }, fetchedBytes, t);
        polls += intervalSeconds / 5;
        pollLatencySum += (intervalSeconds / 5) * (0.02 + 0.015 * Math.sin(minute / 6));
        add("ceph_data_sync_from_zone_poll_latency_sum", { source_zone: "zone-b" }, pollLatencySum, t);
        add("ceph_data_sync_from_zone_poll_latency_count", { source_zone: "zone-b" }, polls, t);
    }
    const out: string[] = [];
    for (const [name, lines] of families) {
        // Gauges, whatever the name says: OpenMetrics counters would need a family without _total.
        out.push(`# TYPE ${name} gauge`, ...lines);
    }
    out.push("# EOF", "");
    return out.join("\n");
}
