// Velero Schedules: each carries its RPO (a label the alert rules read from the Backups), runs at
// least that often, and keeps its backups long enough. Durations and cron gaps are computed by
// components/cron.ts, the same functions the failover stack validates its settings with.
import { cronMaxIntervalSeconds } from "../core/cron";
import { formatDuration, parseDurationSeconds } from "../core/duration";
import { RPO_SECONDS_LABEL } from "../core/labels";
import {
    ResourceValidationPolicy, SCHEDULE_TYPE, forType, isRecord, objectName, stringAt, valueAt,
} from "./resources";

export const DEFAULT_MINIMUM_TTL = "24h";

export interface ScheduleRpoConfig {
    /** Shortest retention allowed for any Schedule's backups, a duration such as 24h. */
    minimumTtl?: string;
}

function secondsOrProblem(text: string): { seconds?: number; problem?: string } {
    try {
        return { seconds: parseDurationSeconds(text) };
    } catch (err) {
        return { problem: (err as Error).message };
    }
}

export const veleroScheduleFitsRpo: ResourceValidationPolicy = {
    name: "velero-schedule-fits-rpo",
    description: `Every Velero Schedule carries its RPO in the label ${RPO_SECONDS_LABEL} (seconds), runs at least that often `
        + "(the longest gap between two runs of its cron is at most the RPO), and sets a TTL of at least twice that gap and at least "
        + "minimumTtl, so a complete backup is always kept while the next one runs.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            minimumTtl: {
                type: "string",
                default: DEFAULT_MINIMUM_TTL,
                description: "Shortest retention (a duration such as 24h or 720h) allowed for any Schedule's backups.",
            },
        },
    },
    validateResource: forType(SCHEDULE_TYPE, (props, args, report) => {
        const where = `Schedule ${objectName(props)}`;
        const minimumTtl = args.getConfig<ScheduleRpoConfig>().minimumTtl ?? DEFAULT_MINIMUM_TTL;

        const rpoLabel = labelOf(props, "metadata.labels", RPO_SECONDS_LABEL);
        const rpoSeconds = rpoLabel !== undefined && /^[1-9]\d*$/.test(rpoLabel) ? Number(rpoLabel) : undefined;
        if (rpoSeconds === undefined) {
            report(`${where}: label ${RPO_SECONDS_LABEL} is ${JSON.stringify(rpoLabel)}; it must be the RPO as a positive whole number of seconds `
                + "(Velero copies it onto every Backup, and the RPO alerts read it there)");
        }
        const templateLabels = valueAt(props, "spec.template.metadata.labels");
        // Velero copies the Schedule's labels onto its Backups only while the template has none.
        if (rpoSeconds !== undefined && isRecord(templateLabels) && Object.keys(templateLabels).length > 0
            && templateLabels[RPO_SECONDS_LABEL] !== rpoLabel) {
            report(`${where}: spec.template.metadata.labels has ${RPO_SECONDS_LABEL} = ${JSON.stringify(templateLabels[RPO_SECONDS_LABEL])}, `
                + `not the Schedule's ${JSON.stringify(rpoLabel)}; with template labels Velero puts only those on the Backups, so they must carry the RPO too`);
        }

        const cron = stringAt(props, "spec.schedule");
        let longestGap: number | undefined;
        if (!cron) {
            report(`${where}: spec.schedule is missing; a Schedule needs a cron expression`);
        } else {
            try {
                longestGap = cronMaxIntervalSeconds(cron);
            } catch (err) {
                report(`${where}: the interval of spec.schedule ${JSON.stringify(cron)} cannot be determined, so its RPO cannot be checked: ${(err as Error).message}`);
            }
        }
        if (longestGap !== undefined && rpoSeconds !== undefined && longestGap > rpoSeconds) {
            report(`${where}: spec.schedule ${JSON.stringify(cron)} leaves up to ${formatDuration(longestGap)} between backups, `
                + `longer than its RPO of ${formatDuration(rpoSeconds)} (${RPO_SECONDS_LABEL} = ${rpoSeconds}); run it more often or raise the RPO`);
        }

        const ttl = stringAt(props, "spec.template.ttl");
        if (!ttl) {
            report(`${where}: spec.template.ttl is missing; set how long backups are kept (Velero's server default would apply silently), at least ${minimumTtl}`);
            return;
        }
        const parsedTtl = secondsOrProblem(ttl);
        if (parsedTtl.seconds === undefined) {
            report(`${where}: spec.template.ttl ${JSON.stringify(ttl)} is not allowed; ${parsedTtl.problem}`);
            return;
        }
        const minimum = secondsOrProblem(minimumTtl);
        if (minimum.seconds === undefined) {
            report(`policy config minimumTtl ${JSON.stringify(minimumTtl)} is not allowed; ${minimum.problem}`);
        } else if (parsedTtl.seconds < minimum.seconds) {
            report(`${where}: spec.template.ttl ${ttl} is shorter than the minimum ${minimumTtl}`);
        }
        if (longestGap !== undefined && parsedTtl.seconds < 2 * longestGap) {
            report(`${where}: spec.template.ttl ${ttl} is shorter than twice the longest gap between runs (${formatDuration(2 * longestGap)}): `
                + "the last complete backup could expire before the next one is safely in place");
        }
    }),
};

/** A label's value: label keys contain dots and slashes, so they are looked up directly, not by path. */
function labelOf(props: Record<string, unknown>, labelsPath: string, key: string): string | undefined {
    const labels = valueAt(props, labelsPath);
    if (!isRecord(labels)) return undefined;
    const value = labels[key];
    return typeof value === "string" ? value : undefined;
}
