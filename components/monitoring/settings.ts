// Settings of the DR alert rules, shared by the rule renderer, the dashboard and the component.
// Pure: validated and defaulted here, so tests and the component see the same values.
import { DURATION_ALLOWED, durationSecondsOrUndefined, parseDurationSeconds } from "../../core/duration";
import { dnsLabelProblem, prometheusLabelNameProblem, runbookUrlProblem } from "../../core/validators";
import { ALERT_NAMES, AlertName, NODE_AGENT_ALERTS, RGW_SYNC_ALERTS, WAIT_SETTING_OF } from "./alertNames";

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
    /**
     * How long the named alerts' conditions must hold before they fire (their `for:`), instead of
     * the rules' own waits; a zero duration ("0s") renders the alert without `for:`, so it fires
     * at the first evaluation that matches. Not for the alerts whose wait is a setting of its own
     * (backupFailingFor, rgwSyncStalledFor, noBackupsVisibleFor).
     */
    pendingFor: Partial<Record<AlertName, string>>;
    /**
     * Window of the rates of RGW sync poll and fetch errors in their alerts: an error counts that
     * long, so the alerts resolve that long after the last error.
     */
    rgwSyncRateWindow: string;
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
    pendingFor: {},
    rgwSyncRateWindow: "5m",
};

/** The duration settings, each with what it allows beyond the duration grammar. */
type DurationSetting = "backupDurationAllowance" | "replicationAllowance" | "backupSyncPeriod" | "backupFailingFor"
    | "rgwSyncStalledFor" | "noBackupsVisibleFor" | "rgwSyncRateWindow";

/** Shortest rate window: a rate needs two samples inside it, and 15s is the shortest common scrape interval. */
export const MIN_RATE_WINDOW_SECONDS = 30;

/** Why a duration setting's value is not allowed, or undefined (its name and value are added by the caller). */
export function durationSettingProblem(setting: DurationSetting, value: unknown): string | undefined {
    const seconds = typeof value === "string" ? durationSecondsOrUndefined(value) : undefined;
    if (seconds === undefined) return DURATION_ALLOWED;
    // An allowance may be 0 (no slack); a wait or period of 0 would make its alert fire at once.
    if (setting === "backupDurationAllowance" || setting === "replicationAllowance") return undefined;
    if (setting === "rgwSyncRateWindow" && seconds < MIN_RATE_WINDOW_SECONDS) {
        return `allowed: at least ${MIN_RATE_WINDOW_SECONDS}s, and at least twice the scrape interval: a rate needs two scrapes inside its window`;
    }
    return seconds === 0 ? "it must be longer than 0s" : undefined;
}

/** Setting names as the caller's users know them (a stack's config keys); the settings' own names by default. */
export type SettingNames = (setting: keyof AlertRuleSettings) => string;

/** A problem with a pendingFor value: `at` is "" for the whole value or `.<alert>` for one entry. */
export interface PendingForProblem {
    at: string;
    value: unknown;
    allowed: string;
}

/** The alerts whose wait pendingFor may set, for messages. */
export const PENDING_FOR_ALLOWED_NAMES: readonly AlertName[] = ALERT_NAMES.filter((n) => WAIT_SETTING_OF[n] === undefined);

/**
 * Every problem with a pendingFor value: not an object, an unknown alert, an alert whose wait is
 * its own setting, an alert these settings do not render, a value that is not a duration.
 */
export function pendingForProblems(
    value: unknown,
    rendered: { nodeAgent: unknown; rgwSync: unknown },
    nameOf: SettingNames = (setting) => setting,
): PendingForProblem[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return [{ at: "", value, allowed: `allowed: an object that maps alert names to durations, such as {"RgwSyncPollErrors": "1m"}` }];
    }
    const problems: PendingForProblem[] = [];
    for (const [name, wait] of Object.entries(value)) {
        const at = `.${name}`;
        const alert = name as AlertName;
        const ownSetting = WAIT_SETTING_OF[alert];
        if (!(ALERT_NAMES as readonly string[]).includes(name)) {
            problems.push({ at, value: wait, allowed: `there is no alert ${JSON.stringify(name)}; allowed names: ${PENDING_FOR_ALLOWED_NAMES.join(", ")}` });
        } else if (ownSetting) {
            problems.push({ at, value: wait, allowed: `the wait of ${name} is the setting ${nameOf(ownSetting)} (its texts state it as the threshold): set ${nameOf(ownSetting)} instead` });
        } else if (NODE_AGENT_ALERTS.includes(alert) && rendered.nodeAgent === false) {
            problems.push({ at, value: wait, allowed: `${name} is not rendered because ${nameOf("nodeAgent")} is false (no node-agent runs): remove this entry` });
        } else if (RGW_SYNC_ALERTS.includes(alert) && rendered.rgwSync === false) {
            problems.push({ at, value: wait, allowed: `${name} is not rendered because ${nameOf("rgwSync")} is false (no RGW sync metrics are scraped): remove this entry` });
        } else if (typeof wait !== "string" || durationSecondsOrUndefined(wait) === undefined) {
            problems.push({ at, value: wait, allowed: `${DURATION_ALLOWED}; or 0s for no wait (the alert fires at the first evaluation that matches)` });
        }
    }
    return problems;
}

/** Every problem with the input, each naming the setting, the bad value and what is allowed. */
export function alertRuleSettingsProblems(input: AlertRuleSettingsInput): string[] {
    const s = { ...ALERT_RULE_DEFAULTS, ...withoutUndefined(input) };
    const problems: string[] = [];
    if (typeof s.site !== "string" || dnsLabelProblem(s.site)) {
        problems.push(`site ${JSON.stringify(s.site)} is not allowed; allowed: a DNS label such as "site-a" (it is shown in alert texts)`);
    }
    const siteLabelIssue = typeof s.siteLabel === "string" ? prometheusLabelNameProblem(s.siteLabel) : "allowed: a Prometheus label name";
    if (siteLabelIssue) {
        problems.push(`siteLabel ${JSON.stringify(s.siteLabel)} is not allowed; ${siteLabelIssue}`);
    }
    if (["alertname", "severity"].includes(s.siteLabel)) {
        problems.push(`siteLabel ${JSON.stringify(s.siteLabel)} is not allowed; it would overwrite the alert's own label`);
    }
    problems.push(...runbookUrlProblems(s.runbookBaseUrl));
    const durations: DurationSetting[] = [
        "backupDurationAllowance", "replicationAllowance", "backupSyncPeriod", "backupFailingFor",
        "rgwSyncStalledFor", "noBackupsVisibleFor", "rgwSyncRateWindow",
    ];
    for (const key of durations) {
        const problem = durationSettingProblem(key, s[key]);
        if (problem) problems.push(`${key} ${JSON.stringify(s[key])} is not allowed; ${problem}`);
    }
    for (const key of ["nodeAgent", "rgwSync"] as const) {
        if (typeof s[key] !== "boolean") problems.push(`${key} ${JSON.stringify(s[key])} is not allowed; allowed: true or false`);
    }
    for (const p of pendingForProblems(s.pendingFor, s)) {
        problems.push(`pendingFor${p.at} ${JSON.stringify(p.value)} is not allowed; ${p.allowed}`);
    }
    return problems;
}

function runbookUrlProblems(value: unknown): string[] {
    const problem = typeof value === "string" ? runbookUrlProblem(value) : runbookUrlProblem("");
    return problem ? [`runbookBaseUrl ${JSON.stringify(value)} is not allowed; ${problem}`] : [];
}

/** Applies defaults and validates; throws one error listing every problem. */
export function resolveAlertRuleSettings(input: AlertRuleSettingsInput): AlertRuleSettings {
    const problems = alertRuleSettingsProblems(input);
    if (problems.length > 0) throw new Error(`invalid alert rule settings: ${problems.join("; ")}`);
    const s = { ...ALERT_RULE_DEFAULTS, ...withoutUndefined(input) } as AlertRuleSettings;
    return { ...s, pendingFor: { ...s.pendingFor } };
}

/**
 * The wait (`for:`) of an alert: its pendingFor override, else the rule's own; undefined (no
 * `for:`) when that is a zero duration.
 */
export function pendingForOf(s: AlertRuleSettings, alert: AlertName, ruleDefault: string | undefined): string | undefined {
    const wait = s.pendingFor[alert] ?? ruleDefault;
    return wait === undefined || parseDurationSeconds(wait) === 0 ? undefined : wait;
}

/** Seconds of slack before the end-to-end RPO alert: a backup's run, replication and Velero's sync. */
export function endToEndAllowanceSeconds(s: AlertRuleSettings): number {
    return parseDurationSeconds(s.backupDurationAllowance) + parseDurationSeconds(s.replicationAllowance) + parseDurationSeconds(s.backupSyncPeriod);
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Where DrAlertRules puts its objects unless told otherwise (the namespace and the name prefix). */
export const MONITORING_DEFAULTS = { namespace: "monitoring", objectNamePrefix: "velero-dr" } as const;

/** The names of DrAlertRules' objects for a prefix: the PrometheusRule and the two ConfigMaps. */
export function monitoringObjectNames(prefix: string = MONITORING_DEFAULTS.objectNamePrefix): { rule: string; dashboard: string; ksmConfig: string } {
    return { rule: `${prefix}-alerts`, dashboard: `${prefix}-dashboard`, ksmConfig: `${prefix}-ksm-config` };
}
