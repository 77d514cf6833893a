// Settings of the DR alert rules, shared by the rule renderer, the dashboard and the component.
// Pure: validated and defaulted here, so tests and the component see the same values.

/** Label that Velero's Schedule carries (and copies onto its Backups): the schedule's RPO in seconds. */
export const RPO_LABEL = "dr.velero-ceph-dr/rpo-seconds";
/** Label that Velero puts on every Backup a Schedule creates. */
export const SCHEDULE_NAME_LABEL = "velero.io/schedule-name";

/** Settings after defaults; every rule renderer takes these. */
export interface AlertRuleSettings {
    /** This cluster's site, e.g. `site-a`: the value of `siteLabel` on every alert. */
    site: string;
    /** Name of the label that carries `site` on every alert. */
    siteLabel: string;
    /** URL of docs/runbook.md as people open it; each alert links `<runbookBaseUrl>#<anchor>`. */
    runbookBaseUrl: string;
    /** How long one backup may take to complete: added to a schedule's RPO before alerting. */
    backupDurationAllowance: string;
    /** How long RGW multisite may take to replicate a backup to the other zone. */
    replicationAllowance: string;
    /** Velero's backup sync period on the passive cluster (its BSL `backupSyncPeriod`). */
    backupSyncPeriod: string;
    /** How long a schedule's latest backup may stay unsuccessful before the critical alert. */
    backupFailingFor: string;
    /** How long RGW data sync may go without polling a source zone before the critical alert. */
    rgwSyncStalledFor: string;
    /** How long Velero may see no backup at all before the warning. */
    noBackupsVisibleFor: string;
    /** Whether Velero's node-agent runs (file-system and data-mover backups): its alerts are rendered. */
    nodeAgent: boolean;
    /** Whether this Prometheus scrapes the local Ceph's RGW sync metrics: the RGW alerts are rendered. */
    rgwSync: boolean;
}

/** What callers give: the site and the runbook URL are required, the rest have defaults. */
export type AlertRuleSettingsInput = Pick<AlertRuleSettings, "site" | "runbookBaseUrl"> & Partial<AlertRuleSettings>;

export const ALERT_RULE_DEFAULTS: Omit<AlertRuleSettings, "site" | "runbookBaseUrl"> = {
    siteLabel: "site",
    backupDurationAllowance: "30m",
    replicationAllowance: "15m",
    backupSyncPeriod: "1m",
    backupFailingFor: "6h",
    rgwSyncStalledFor: "15m",
    noBackupsVisibleFor: "24h",
    nodeAgent: true,
    rgwSync: true,
};

// Prometheus durations in the order Prometheus requires; ms and y are left out on purpose.
const DURATION = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
const UNIT_SECONDS = [7 * 86400, 86400, 3600, 60, 1];

/** Seconds in a Prometheus duration such as `1h30m`; undefined when it is not one. */
export function durationSeconds(value: string): number | undefined {
    const m = DURATION.exec(value);
    if (!m || value === "") return undefined;
    return UNIT_SECONDS.reduce((sum, unit, i) => sum + unit * Number(m[i + 1] ?? 0), 0);
}

/** Renders seconds as a short Prometheus-style duration for people: 2760 -> `46m`, 5400 -> `1h30m`. */
export function formatDuration(seconds: number): string {
    if (seconds === 0) return "0s";
    let rest = seconds;
    let out = "";
    for (const [unit, suffix] of [[86400, "d"], [3600, "h"], [60, "m"], [1, "s"]] as const) {
        const n = Math.floor(rest / unit);
        if (n > 0) out += `${n}${suffix}`;
        rest -= n * unit;
    }
    return out;
}

const SITE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Every problem with the input, each naming the setting, the bad value and what is allowed. */
export function alertRuleSettingsProblems(input: AlertRuleSettingsInput): string[] {
    const s = { ...ALERT_RULE_DEFAULTS, ...withoutUndefined(input) };
    const problems: string[] = [];
    if (typeof s.site !== "string" || !SITE.test(s.site)) {
        problems.push(`site ${JSON.stringify(s.site)} is not allowed; allowed: a DNS label such as "site-a" (it is shown in alert texts)`);
    }
    if (!LABEL_NAME.test(s.siteLabel) || s.siteLabel.startsWith("__")) {
        problems.push(`siteLabel ${JSON.stringify(s.siteLabel)} is not allowed; allowed: a Prometheus label name such as "site" or "cluster"`);
    }
    if (["alertname", "severity"].includes(s.siteLabel)) {
        problems.push(`siteLabel ${JSON.stringify(s.siteLabel)} is not allowed; it would overwrite the alert's own label`);
    }
    problems.push(...runbookUrlProblems(s.runbookBaseUrl));
    const durations = {
        backupDurationAllowance: s.backupDurationAllowance,
        replicationAllowance: s.replicationAllowance,
        backupSyncPeriod: s.backupSyncPeriod,
        backupFailingFor: s.backupFailingFor,
        rgwSyncStalledFor: s.rgwSyncStalledFor,
        noBackupsVisibleFor: s.noBackupsVisibleFor,
    };
    for (const [key, value] of Object.entries(durations)) {
        const seconds = typeof value === "string" ? durationSeconds(value) : undefined;
        if (seconds === undefined) {
            problems.push(`${key} ${JSON.stringify(value)} is not allowed; allowed: a Prometheus duration such as "30m" or "1h30m" (units w, d, h, m, s)`);
        } else if (seconds === 0 && !["backupDurationAllowance", "replicationAllowance"].includes(key)) {
            problems.push(`${key} "${value}" is not allowed; it must be longer than 0s`);
        }
    }
    for (const key of ["nodeAgent", "rgwSync"] as const) {
        if (typeof s[key] !== "boolean") problems.push(`${key} ${JSON.stringify(s[key])} is not allowed; allowed: true or false`);
    }
    return problems;
}

function runbookUrlProblems(value: unknown): string[] {
    const allowed = "allowed: the http(s) URL of docs/runbook.md without a '#' fragment, e.g. https://git.example.com/infra/velero-ceph-dr/-/blob/main/docs/runbook.md";
    if (typeof value !== "string") return [`runbookBaseUrl ${JSON.stringify(value)} is not allowed; ${allowed}`];
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return [`runbookBaseUrl ${JSON.stringify(value)} is not allowed; ${allowed}`];
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || value.includes("#")) {
        return [`runbookBaseUrl ${JSON.stringify(value)} is not allowed; ${allowed}`];
    }
    return [];
}

/** Applies defaults and validates; throws one error listing every problem. */
export function resolveAlertRuleSettings(input: AlertRuleSettingsInput): AlertRuleSettings {
    const problems = alertRuleSettingsProblems(input);
    if (problems.length > 0) throw new Error(`invalid alert rule settings: ${problems.join("; ")}`);
    return { ...ALERT_RULE_DEFAULTS, ...withoutUndefined(input) } as AlertRuleSettings;
}

/** Seconds of slack before the end-to-end RPO alert: a backup's run, replication and Velero's sync. */
export function endToEndAllowanceSeconds(s: AlertRuleSettings): number {
    return requiredDurationSeconds(s.backupDurationAllowance) + requiredDurationSeconds(s.replicationAllowance) + requiredDurationSeconds(s.backupSyncPeriod);
}

/** Seconds in a duration that was already validated. */
export function requiredDurationSeconds(duration: string): number {
    const n = durationSeconds(duration);
    if (n === undefined) throw new Error(`not a Prometheus duration: ${JSON.stringify(duration)}`);
    return n;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
