// Issue 18 item 2 on the lab: the alerts of both sites' Prometheus servers, at quiet points of the
// drill and through two incidents made on purpose (a schedule that stops making backups, and zone
// B's gateway down). Each check records how long the alert took to fire and to resolve.
import { ALERT_NAMES, AlertName, NODE_AGENT_ALERTS, WAIT_SETTING_OF } from "../../components/monitoring/alertNames";
import { describeAlerts } from "./monitoring";
import { PrometheusAlert, PrometheusClient } from "../monitoring/prometheusApi";
import { Recorder, Site } from "./labSettings";

/** The wait the lab's stacks give every alert that takes `alertPendingFor`, and their other timing keys. */
export const LAB_ALERT_WAIT = "20s";
export const LAB_ALERT_CONFIG: Record<string, string> = {
    // The lab's Velero has no node-agent (its pod volume backups are written by the lab itself).
    veleroNodeAgent: "false",
    alertRgwSyncRateWindow: "1m",
    alertBackupDurationAllowance: "30s",
    alertReplicationAllowance: "30s",
};

/** Every alert `alertPendingFor` may name in the lab (no node-agent runs there), each with the lab's wait. */
export function labPendingFor(): Record<string, string> {
    return Object.fromEntries(ALERT_NAMES.filter((n) => !(n in WAIT_SETTING_OF) && !NODE_AGENT_ALERTS.includes(n)).map((n) => [n, LAB_ALERT_WAIT]));
}

/**
 * Alerts that say backups are missing: on a site that runs no schedule (the passive one) none of
 * these may fire, and on the active one only while its backups really are late.
 */
export const MISSING_BACKUP_ALERTS: readonly AlertName[] = [
    "VeleroBackupTooOld", "VeleroScheduleNeverSucceeded", "VeleroScheduleRpoUnknown", "DrReplicatedBackupTooOld", "DrNoBackupsVisible",
];

/** One alert seen firing during an incident: when it fired and resolved, relative to the incident. */
export interface AlertEvent {
    site: string;
    alert: string;
    labels: string;
    /** Seconds from the start of the incident until Prometheus first showed it firing. */
    firedAfterS: number;
    /** Seconds from the end of the incident until it no longer fired (undefined: still firing). */
    resolvedAfterS?: number;
}

export type Prometheuses = Record<Site, PrometheusClient>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function key(a: PrometheusAlert): string {
    return describeAlerts([a]);
}

export async function firing(p: PrometheusClient): Promise<PrometheusAlert[]> {
    return (await p.alerts()).filter((a) => a.state === "firing");
}

/** Names of the alerts that fired at any moment of the last `seconds` (Prometheus' ALERTS series). */
export async function firedWithin(p: PrometheusClient, seconds: number): Promise<string[]> {
    const rows = await p.query(`max by (alertname) (max_over_time(ALERTS{alertstate="firing"}[${Math.max(1, Math.ceil(seconds))}s]))`);
    return rows.map((r) => r.labels.alertname).sort();
}

/**
 * The lab's quiet-point check: on either site no DR alert fires except the ones the drill caused on
 * purpose (`expected`: key `a Alert{labels}` and why), and each of those does fire.
 */
export async function checkQuiet(r: Recorder, proms: Prometheuses, when: string, expected: ReadonlyMap<string, string>, sinceS?: number): Promise<void> {
    const now = { a: await firing(proms.a), b: await firing(proms.b) };
    const keys = (["a", "b"] as Site[]).flatMap((site) => now[site].map((a) => `${site} ${describeAlerts([a])}`));
    const unexpected = keys.filter((k) => !expected.has(k));
    const missing = [...expected.keys()].filter((k) => !keys.includes(k));
    const during = sinceS === undefined ? undefined : { a: await firedWithin(proms.a, sinceS), b: await firedWithin(proms.b, sinceS) };
    const missingDuring = during ? (["a", "b"] as Site[]).flatMap((s) => during[s].filter((n) => MISSING_BACKUP_ALERTS.includes(n as AlertName)).map((n) => `${s}: ${n}`)) : [];
    const expectedText = expected.size ? `; expected and firing: ${[...expected].map(([k, why]) => `${k} (${why})`).join(", ")}` : "";
    r.check(`alerts, ${when}: no DR alert fires on either site${expected.size ? " but the ones the drill caused" : ""}${during ? ", and no missing-backup alert fired since" : ""}`,
        unexpected.length === 0 && missing.length === 0 && missingDuring.length === 0,
        `unexpected: ${unexpected.join(", ") || "none"}${missing.length ? `; expected but not firing: ${missing.join(", ")}` : ""}${expectedText}`
        + (during ? `; fired in the last ${Math.round(sinceS ?? 0)} s on a: ${during.a.join(", ") || "none"}, on b: ${during.b.join(", ") || "none"}` : ""));
}

/**
 * Polls both sites until `done` holds for the firing alerts, recording when each alert first
 * fired (relative to `startedMs`). Returns whether `done` held within `timeoutMs`.
 */
export async function watchFiring(
    proms: Prometheuses, startedMs: number, timeoutMs: number, events: Map<string, AlertEvent>, before: ReadonlySet<string>,
    done: (now: Record<Site, PrometheusAlert[]>) => boolean,
): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const now = { a: await firing(proms.a).catch(() => []), b: await firing(proms.b).catch(() => []) };
        for (const site of ["a", "b"] as Site[]) {
            for (const a of now[site]) {
                const k = `${site} ${key(a)}`;
                if (!events.has(k) && !before.has(k)) events.set(k, { site: `site-${site}`, alert: a.name, labels: key(a), firedAfterS: (Date.now() - startedMs) / 1000 });
            }
        }
        if (done(now)) return true;
        if (Date.now() > deadline) return false;
        await sleep(2000);
    }
}

/** Polls until none of `events` fires any more, recording when each resolved (relative to `recoveredMs`). */
export async function watchResolved(proms: Prometheuses, recoveredMs: number, timeoutMs: number, events: Map<string, AlertEvent>): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const now = { a: await firing(proms.a).catch(() => undefined), b: await firing(proms.b).catch(() => undefined) };
        let open = 0;
        for (const [k, e] of events) {
            if (e.resolvedAfterS !== undefined) continue;
            const site = k.startsWith("a ") ? "a" : "b";
            const list = now[site];
            if (list && !list.some((a) => `${site} ${key(a)}` === k)) e.resolvedAfterS = (Date.now() - recoveredMs) / 1000;
            else open++;
        }
        if (open === 0) return true;
        if (Date.now() > deadline) return false;
        await sleep(2000);
    }
}

/** Whether `site` has `alert` firing (optionally with a label value). */
export function fires(now: Record<Site, PrometheusAlert[]>, site: Site, alert: string, label?: [string, string]): boolean {
    return now[site].some((a) => a.name === alert && (!label || a.labels[label[0]] === label[1]));
}

/** Text of an event list, one per line, for the report and check details. */
export function describeEvents(events: AlertEvent[]): string {
    return events.map((e) => `${e.site} ${e.labels}: fired after ${e.firedAfterS.toFixed(0)} s, `
        + (e.resolvedAfterS === undefined ? "still firing" : `resolved ${e.resolvedAfterS.toFixed(0)} s after recovery`)).join("; ");
}
