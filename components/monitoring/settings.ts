// Settings of the DR alert rules, shared by the rule renderer, the dashboard and the component.
// Pure: validated and defaulted here, so tests and the component see the same values.
import { DURATION_ALLOWED, durationSecondsOrUndefined, parseDurationSeconds } from "../../core/duration";
import { dnsLabelProblem, prometheusLabelNameProblem, runbookUrlProblem } from "../../core/validators";

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
    const durations = {
        backupDurationAllowance: s.backupDurationAllowance,
        replicationAllowance: s.replicationAllowance,
        backupSyncPeriod: s.backupSyncPeriod,
        backupFailingFor: s.backupFailingFor,
        rgwSyncStalledFor: s.rgwSyncStalledFor,
        noBackupsVisibleFor: s.noBackupsVisibleFor,
    };
    for (const [key, value] of Object.entries(durations)) {
        const seconds = typeof value === "string" ? durationSecondsOrUndefined(value) : undefined;
        if (seconds === undefined) {
            problems.push(`${key} ${JSON.stringify(value)} is not allowed; ${DURATION_ALLOWED}`);
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
    const problem = typeof value === "string" ? runbookUrlProblem(value) : runbookUrlProblem("");
    return problem ? [`runbookBaseUrl ${JSON.stringify(value)} is not allowed; ${problem}`] : [];
}

/** Applies defaults and validates; throws one error listing every problem. */
export function resolveAlertRuleSettings(input: AlertRuleSettingsInput): AlertRuleSettings {
    const problems = alertRuleSettingsProblems(input);
    if (problems.length > 0) throw new Error(`invalid alert rule settings: ${problems.join("; ")}`);
    return { ...ALERT_RULE_DEFAULTS, ...withoutUndefined(input) } as AlertRuleSettings;
}

/** Seconds of slack before the end-to-end RPO alert: a backup's run, replication and Velero's sync. */
export function endToEndAllowanceSeconds(s: AlertRuleSettings): number {
    return parseDurationSeconds(s.backupDurationAllowance) + parseDurationSeconds(s.replicationAllowance) + parseDurationSeconds(s.backupSyncPeriod);
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
    return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
