// Settings of the failover stack, which owns the roles. Validated before anything is declared.
import * as pulumi from "@pulumi/pulumi";
import { cronMaxIntervalSeconds, parseCron } from "../core/cron";
import { formatDuration, parseDurationSeconds } from "../core/duration";
import { SITE_IDS, SiteId, otherSite } from "../core/siteContract";
import { dnsLabelProblem, stackNameProblem } from "../core/validators";
import { Checker, ConfigError, RawConfig, parseJson, readRawValues } from "./checker";

export interface BackupSchedule {
    /** Schedule name (a Kubernetes name). */
    name: string;
    /** 5-field cron, UTC. */
    cron: string;
    /** How long backups are kept (a duration of core/duration.ts, e.g. 720h). */
    ttl: string;
    /** Namespaces to back up; ["*"] for all. */
    namespaces: string[];
    /** Recovery point objective in seconds: the newest backup must never be older. */
    rpoSeconds: number;
}

/**
 * Under Velero's 60 s backup-sync tick, so every tick syncs. Velero 1.18 enqueues the sync every
 * minute and skips a location whose last sync (stamped when the previous one ended) is less than
 * its period ago: with exactly 1m that is often the case, and the passive cluster then sees a
 * backup up to 2 minutes late (bench: 1m went past 60 s in 4 of 8 runs, 30s in none of 8).
 */
export const PASSIVE_BACKUP_SYNC_PERIOD_DEFAULT = "30s";

export interface FailoverConfig {
    activeSite: SiteId;
    passiveSite: SiteId;
    /** Sites that get no call at all (their resources leave the program, retained). */
    unreachableSites: SiteId[];
    /** Stack reference names of the region stacks. */
    stacks: Record<SiteId, string>;
    schedules: BackupSchedule[];
    /** The passive location's backupSyncPeriod (a duration; Velero syncs at most every 60 s whatever it is). */
    passiveBackupSyncPeriod: string;
    /** Keep the passive zone read-only in Ceph (restores then need a failover first). */
    strictReadOnlyPassive: boolean;
    /** Allow a promotion that may lose metadata not yet synced from an unreachable master. */
    forcePromotion: boolean;
}

export const FAILOVER_KEYS = [
    "activeSite", "unreachableSites", "siteAStack", "siteBStack", "schedules",
    "passiveBackupSyncPeriod", "strictReadOnlyPassive", "forcePromotion",
] as const;

/** The default: one backup every 6 hours, kept 30 days, RPO 7 hours. */
export const DEFAULT_SCHEDULES = [{ name: "every-6h", cron: "0 */6 * * *", ttl: "720h", namespaces: ["*"], rpo: "7h" }];

/** Extra time a backup may take to complete, added to the interval for the default RPO. */
const DEFAULT_RPO_SLACK_SECONDS = 3600;

/** Parses one schedule entry; returns problems naming `schedules[i].field`. */
export function parseSchedule(entry: unknown, index: number): { schedule?: BackupSchedule; problems: string[] } {
    const at = `schedules[${index}]`;
    const problems: string[] = [];
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
        return { problems: [`${at} = ${JSON.stringify(entry)} is not allowed; allowed: an object with name, cron, ttl, namespaces and rpo`] };
    }
    const e = entry as Record<string, unknown>;
    const known = ["name", "cron", "ttl", "namespaces", "rpo"];
    for (const k of Object.keys(e)) {
        if (!known.includes(k)) problems.push(`${at}.${k} is not a known field; allowed: ${known.join(", ")}`);
    }
    const name = String(e.name ?? "");
    const nameIssue = dnsLabelProblem(name);
    if (nameIssue) problems.push(`${at}.name = ${JSON.stringify(e.name)} is not allowed; ${nameIssue}`);
    const cron = String(e.cron ?? "");
    let interval = 0;
    try {
        parseCron(cron);
        interval = cronMaxIntervalSeconds(cron);
    } catch (err) {
        problems.push(`${at}.cron = ${JSON.stringify(e.cron)} is not allowed; ${(err as Error).message}`);
    }
    const duration = (field: "ttl" | "rpo", fallback?: number): number => {
        if (e[field] === undefined && fallback !== undefined) return fallback;
        try {
            return parseDurationSeconds(String(e[field] ?? ""));
        } catch (err) {
            problems.push(`${at}.${field} = ${JSON.stringify(e[field])} is not allowed; ${(err as Error).message}`);
            return 0;
        }
    };
    const ttl = duration("ttl");
    const rpo = duration("rpo", interval + DEFAULT_RPO_SLACK_SECONDS);
    const namespaces = e.namespaces === undefined ? ["*"] : e.namespaces;
    if (!Array.isArray(namespaces) || namespaces.length === 0 || !namespaces.every((n) => n === "*" || !dnsLabelProblem(String(n)))) {
        problems.push(`${at}.namespaces = ${JSON.stringify(e.namespaces)} is not allowed; allowed: a non-empty list of namespace names, or ["*"] for all`);
    }
    if (interval > 0 && rpo > 0 && rpo < interval) {
        problems.push(`${at}.rpo = ${JSON.stringify(e.rpo)} is not allowed; it is shorter than the longest gap between runs of "${cron}" (${formatDuration(interval)}), so it can never be met: allowed: at least ${formatDuration(interval)}`);
    }
    if (interval > 0 && ttl > 0 && ttl < 2 * interval) {
        problems.push(`${at}.ttl = ${JSON.stringify(e.ttl)} is not allowed; backups would expire before the next one is safely in place: allowed: at least twice the interval, ${formatDuration(2 * interval)}`);
    }
    if (problems.length > 0) return { problems };
    return { schedule: { name, cron, ttl: formatDuration(ttl), namespaces: namespaces as string[], rpoSeconds: rpo }, problems };
}

/** Parses and validates the failover stack's settings (pure: tests call it directly). */
export function parseFailoverConfig(raw: RawConfig, prefix: string): FailoverConfig {
    const c = new Checker(raw, prefix);
    const activeSite = c.oneOf("activeSite", SITE_IDS);
    const passiveSite = otherSite(activeSite);

    const unreachableAllowed = `allowed: a list of site ids, each "site-a" or "site-b", e.g. ["site-a"]`;
    const unreachableRaw = parseJson(c, raw, "unreachableSites", [], unreachableAllowed);
    let unreachableSites: SiteId[] = [];
    if (unreachableRaw === undefined) {
        // reported by parseJson
    } else if (!Array.isArray(unreachableRaw) || !unreachableRaw.every((s) => (SITE_IDS as readonly string[]).includes(s))) {
        c.rule(false, "unreachableSites", unreachableAllowed);
    } else {
        unreachableSites = [...new Set(unreachableRaw as SiteId[])];
        c.rule(!unreachableSites.includes(activeSite), "unreachableSites",
            `the active site ${activeSite} cannot be unreachable: switch activeSite to the surviving site`);
    }

    const forcePromotion = c.bool("forcePromotion", false);
    c.rule(!unreachableSites.includes(passiveSite) || forcePromotion, "forcePromotion",
        `${passiveSite} is unreachable, so ${activeSite}'s metadata sync cannot be checked: users, buckets and bucket policies ` +
        `created on ${passiveSite} and not yet replicated may be lost, and objects not yet replicated stay on ${passiveSite} until it returns. ` +
        "Set forcePromotion to true to accept that (and back to false afterwards)");

    const stacks = {
        "site-a": c.require("siteAStack", stackNameProblem, "myorg/velero-ceph-dr/site-a"),
        "site-b": c.require("siteBStack", stackNameProblem, "myorg/velero-ceph-dr/site-b"),
    };
    c.rule(stacks["site-a"] === "" || stacks["site-a"] !== stacks["site-b"], "siteBStack", "it must differ from siteAStack");

    const schedulesAllowed = "allowed: a non-empty list of schedules {name, cron, ttl, namespaces, rpo}";
    const schedulesRaw = parseJson(c, raw, "schedules", DEFAULT_SCHEDULES, schedulesAllowed);
    const schedules: BackupSchedule[] = [];
    if (schedulesRaw === undefined) {
        // reported by parseJson
    } else if (!Array.isArray(schedulesRaw) || schedulesRaw.length === 0) {
        c.rule(false, "schedules", schedulesAllowed);
    } else {
        schedulesRaw.forEach((entry, i) => {
            const { schedule, problems } = parseSchedule(entry, i);
            for (const p of problems) c.problems.push(`${prefix}:${p}`);
            if (schedule) schedules.push(schedule);
        });
        const names = schedules.map((s) => s.name);
        c.rule(new Set(names).size === names.length, "schedules", "schedule names must be unique");
    }

    const passiveBackupSyncPeriod = c.optional("passiveBackupSyncPeriod", PASSIVE_BACKUP_SYNC_PERIOD_DEFAULT, (v) => {
        try {
            return parseDurationSeconds(v) >= 10 ? undefined : "allowed: at least 10s";
        } catch (err) {
            return (err as Error).message;
        }
    });
    const cfg: FailoverConfig = {
        activeSite,
        passiveSite,
        unreachableSites,
        stacks,
        schedules,
        passiveBackupSyncPeriod,
        strictReadOnlyPassive: c.bool("strictReadOnlyPassive", false),
        forcePromotion,
    };
    c.done();
    return cfg;
}

export function loadFailoverConfig(): FailoverConfig {
    const config = new pulumi.Config();
    const raw = readRawValues((k) => config.get(k), (k) => config.getObject<unknown>(k), FAILOVER_KEYS, ["unreachableSites", "schedules"]);
    return parseFailoverConfig(raw, config.name);
}

export { ConfigError };
