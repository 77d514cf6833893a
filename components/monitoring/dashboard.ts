// Grafana dashboard for one cluster: backup freshness and outcomes, the backup location, RGW
// replication per source zone and the end-to-end RPO. Loaded by Grafana's dashboard sidecar.
import { RECORDED, REPO_MAINTENANCE_FAILURES, RGW_SYNC_DELTA } from "./alertRules";
import { AlertRuleSettings } from "./settings";

/** Fixed so links and bookmarks survive re-deploys; the same in both clusters. */
export const DASHBOARD_UID = "velero-ceph-dr";
/** ConfigMap key (file name) the sidecar writes the dashboard to. */
export const DASHBOARD_FILE = "velero-ceph-dr.json";

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

interface Target {
    expr: string;
    legendFormat: string;
}

export interface DashboardPanel {
    id: number;
    type: string;
    title: string;
    description?: string;
    gridPos: { x: number; y: number; w: number; h: number };
    datasource?: typeof DATASOURCE;
    targets?: (Target & { refId: string; datasource: typeof DATASOURCE })[];
    fieldConfig?: Record<string, unknown>;
    options?: Record<string, unknown>;
    collapsed?: boolean;
    panels?: unknown[];
}

export interface Dashboard {
    uid: string;
    title: string;
    panels: DashboardPanel[];
    templating: { list: Record<string, unknown>[] };
    [key: string]: unknown;
}

/** Grafana's own interval variable for rate windows; tests substitute a duration before parsing. */
const RATE = "$__rate_interval";

/** The dashboard JSON model. Panel ids are assigned in order, so they are unique by construction. */
export function renderDashboard(s: Pick<AlertRuleSettings, "site" | "rgwSync" | "nodeAgent">): Dashboard {
    const panels: DashboardPanel[] = [];
    let y = 0;
    const row = (title: string) => {
        panels.push({ id: panels.length + 1, type: "row", title, collapsed: false, panels: [], gridPos: { x: 0, y, w: 24, h: 1 } });
        y += 1;
    };
    const panel = (
        type: "timeseries" | "stat",
        title: string,
        description: string,
        unit: string,
        targets: Target[],
        place: { x: number; w: number; h?: number },
        extra: { options?: Record<string, unknown>; mappings?: unknown[]; thresholds?: unknown } = {},
    ) => {
        panels.push({
            id: panels.length + 1,
            type,
            title,
            description,
            gridPos: { x: place.x, y, w: place.w, h: place.h ?? 8 },
            datasource: DATASOURCE,
            targets: targets.map((t, i) => ({ ...t, refId: String.fromCharCode(65 + i), datasource: DATASOURCE })),
            fieldConfig: {
                defaults: {
                    unit,
                    ...(extra.mappings ? { mappings: extra.mappings } : {}),
                    ...(extra.thresholds ? { thresholds: extra.thresholds } : {}),
                },
                overrides: [],
            },
            options: extra.options ?? { legend: { displayMode: "table", placement: "right", calcs: ["lastNotNull"] } },
        });
    };

    row("Velero backups");
    panel("timeseries", "Age of the last successful backup per schedule",
        "Time since the last Completed backup of each schedule, and the schedule's RPO (the alert adds the backup-duration allowance to it).",
        "s", [
            { expr: `time() - max by (schedule) (velero_backup_last_successful_timestamp{schedule!=""})`, legendFormat: "{{schedule}} age" },
            { expr: RECORDED.scheduleRpo, legendFormat: "{{schedule}} RPO" },
        ], { x: 0, w: 12 });
    panel("timeseries", "Backup outcomes", "Backups that ended in each outcome per schedule, over the rate window.", "short", [
        { expr: `sum by (schedule) (increase(velero_backup_success_total[${RATE}]))`, legendFormat: "{{schedule}} completed" },
        { expr: `sum by (schedule) (increase(velero_backup_partial_failure_total[${RATE}]))`, legendFormat: "{{schedule}} partially failed" },
        { expr: `sum by (schedule) (increase(velero_backup_failure_total[${RATE}]))`, legendFormat: "{{schedule}} failed" },
        { expr: `sum by (schedule) (increase(velero_backup_validation_failure_total[${RATE}]))`, legendFormat: "{{schedule}} failed validation" },
    ], { x: 12, w: 12 });
    y += 8;
    panel("stat", "Backup storage location status", "1 = available, 0 = unavailable, per backup storage location.", "none", [
        { expr: "max by (backup_location_name) (velero_backup_location_status_gauge)", legendFormat: "{{backup_location_name}}" },
    ], { x: 0, w: 8, h: 6 }, {
        options: { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, colorMode: "background", textMode: "value_and_name" },
        mappings: [{ type: "value", options: { "0": { text: "Unavailable", color: "red" }, "1": { text: "Available", color: "green" } } }],
        thresholds: { mode: "absolute", steps: [{ color: "red", value: null }, { color: "green", value: 1 }] },
    });
    panel("stat", "Last backup status per schedule", "1 = the latest backup succeeded, 0 = it did not.", "none", [
        { expr: `max by (schedule) (velero_backup_last_status{schedule!=""}) and on (schedule) max by (schedule) (velero_backup_attempt_total{schedule!=""})`, legendFormat: "{{schedule}}" },
    ], { x: 8, w: 8, h: 6 }, {
        options: { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, colorMode: "background", textMode: "value_and_name" },
        mappings: [{ type: "value", options: { "0": { text: "Failing", color: "red" }, "1": { text: "OK", color: "green" } } }],
        thresholds: { mode: "absolute", steps: [{ color: "red", value: null }, { color: "green", value: 1 }] },
    });
    panel("timeseries", "Restore outcomes", "Restores that ended in each outcome, over the rate window.", "short", [
        { expr: `sum(increase(velero_restore_success_total[${RATE}]))`, legendFormat: "completed" },
        { expr: `sum(increase(velero_restore_partial_failure_total[${RATE}]))`, legendFormat: "partially failed" },
        { expr: `sum(increase(velero_restore_failed_total[${RATE}]))`, legendFormat: "failed" },
    ], { x: 16, w: 8, h: 6 });
    y += 6;
    panel("timeseries", "Repository maintenance and backup deletions",
        "Repository maintenance jobs per repository and outcome (Velero 1.18; active site only), and failed backup deletions per schedule "
            + "(garbage collection of expired backups deletes through these), over the rate window.",
        "short", [
            { expr: `sum by (repository_name) (increase(velero_repo_maintenance_success_total[${RATE}]))`, legendFormat: "{{repository_name}} maintained" },
            { expr: `sum by (repository_name) (increase(${REPO_MAINTENANCE_FAILURES}[${RATE}]))`, legendFormat: "{{repository_name}} maintenance failed" },
            { expr: `sum by (schedule) (increase(velero_backup_deletion_failure_total[${RATE}]))`, legendFormat: "{{schedule}} deletion failed" },
        ], { x: 0, w: 24, h: 6 });
    y += 6;
    if (s.nodeAgent) {
        panel("timeseries", "Node-agent data uploads", "Data mover uploads per node and outcome, over the rate window.", "short", [
            { expr: `sum by (node) (increase(podVolume_data_upload_success_total[${RATE}]))`, legendFormat: "{{node}} succeeded" },
            { expr: `sum by (node) (increase(podVolume_data_upload_failure_total[${RATE}]))`, legendFormat: "{{node}} failed" },
        ], { x: 0, w: 24, h: 6 });
        y += 6;
    }

    if (s.rgwSync) {
        row("RGW multisite replication (into this site's zone)");
        panel("timeseries", "Fetched bytes per source zone", "Object data replicated from each source zone.", "Bps", [
            { expr: `sum by (source_zone) (rate(ceph_data_sync_from_zone_fetch_bytes_sum[${RATE}]))`, legendFormat: "{{source_zone}}" },
        ], { x: 0, w: 8 });
        panel("timeseries", "Sync errors per source zone", "Failed object fetches and failed replication-log polls.", "ops", [
            { expr: `sum by (source_zone) (rate(ceph_data_sync_from_zone_fetch_errors[${RATE}]))`, legendFormat: "{{source_zone}} fetch errors" },
            { expr: `sum by (source_zone) (rate(ceph_data_sync_from_zone_poll_errors[${RATE}]))`, legendFormat: "{{source_zone}} poll errors" },
        ], { x: 8, w: 8 });
        panel("timeseries", "Poll latency per source zone", "Average latency of replication-log requests to each source zone.", "s", [
            {
                expr: `sum by (source_zone) (rate(ceph_data_sync_from_zone_poll_latency_sum[${RATE}])) / sum by (source_zone) (rate(ceph_data_sync_from_zone_poll_latency_count[${RATE}]))`,
                legendFormat: "{{source_zone}}",
            },
        ], { x: 16, w: 8 });
        y += 8;
        panel("timeseries", "Sync lag per source zone id (Ceph 20.2 and later)",
            "How far data sync from each source zone is behind on its most lagging datalog shard (Ceph's rgw_sync_delta counter, "
                + "labelled with zone ids, not names). Empty on Ceph 16.2 and 18.2, which do not export it.",
            "s", [
                { expr: `max by (source_zone_id) (${RGW_SYNC_DELTA})`, legendFormat: "{{source_zone_id}}" },
            ], { x: 0, w: 24, h: 6 });
        y += 6;
    }

    row("End-to-end RPO (backups visible in this cluster)");
    panel("timeseries", "Age of the newest visible backup vs RPO",
        "Age of the newest Completed backup of each schedule that Velero here can see (on the passive site: replicated and synced), and the RPO it carries.",
        "s", [
            { expr: `time() - ${RECORDED.newestBackupCompletion}`, legendFormat: "{{schedule}} newest backup age" },
            { expr: RECORDED.newestBackupRpo, legendFormat: "{{schedule}} RPO" },
        ], { x: 0, w: 16 });
    panel("stat", "Backups visible", "Backup objects Velero holds in this cluster.", "none", [
        { expr: "max(velero_backup_total)", legendFormat: "backups" },
    ], { x: 16, w: 8 }, { options: { reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false }, textMode: "value" } });

    return {
        uid: DASHBOARD_UID,
        title: `Velero DR: backups, replication and RPO (${s.site})`,
        tags: ["velero", "ceph", "disaster-recovery"],
        timezone: "browser",
        schemaVersion: 39,
        version: 1,
        editable: false,
        refresh: "1m",
        time: { from: "now-24h", to: "now" },
        templating: {
            list: [{
                name: "datasource",
                label: "Data source",
                type: "datasource",
                query: "prometheus",
                current: {},
                hide: 0,
                refresh: 1,
                regex: "",
                includeAll: false,
                multi: false,
                options: [],
            }],
        },
        annotations: { list: [] },
        panels,
    };
}

/** Every PromQL expression the dashboard queries. */
export function dashboardExpressions(d: Dashboard): string[] {
    return d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
}
