// The one duration grammar of this project: whole hours, minutes and seconds, in that order, at
// least one of them: "720h", "1h30m", "90s", "720h0m0s" (how Kubernetes prints a Duration back).
//
// Why this grammar: the durations written here are read by two parsers. Velero reads Schedule
// `ttl` and BackupStorageLocation `backupSyncPeriod` with Go's time.ParseDuration, which also takes
// fractions ("1.5h"), ns/us/ms and any unit order, but no days; Prometheus reads rule `for` with
// its model.ParseDuration, which takes y/w/d and ms but no fractions and only in descending order.
// This grammar is what both accept, so a value is valid wherever it goes (the alert rules'
// backupSyncPeriod is the BackupStorageLocation's), and whole seconds are the unit of the RPO
// label. Days and weeks are written in hours ("168h").

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** What a duration may look like, for messages. */
export const DURATION_ALLOWED = "allowed: whole hours, minutes and seconds in that order, such as 720h, 1h30m or 90s (no days: 7d is 168h)";

/** Seconds in a duration, or undefined when the text is not one. */
export function durationSecondsOrUndefined(text: string): number | undefined {
    const m = DURATION.exec(text);
    if (!m || text === "") return undefined;
    return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** Seconds in a duration; throws naming the text and what is allowed. */
export function parseDurationSeconds(text: string): number {
    const seconds = durationSecondsOrUndefined(text);
    if (seconds === undefined) throw new Error(`${JSON.stringify(text)} is not a duration; ${DURATION_ALLOWED}`);
    return seconds;
}

/** Why a text is not a duration, or undefined. */
export function durationProblem(text: string): string | undefined {
    return durationSecondsOrUndefined(text) === undefined ? DURATION_ALLOWED : undefined;
}

/** Seconds as the shortest duration of the grammar: 5400 -> "1h30m", 93600 -> "26h", 0 -> "0s". */
export function formatDuration(seconds: number): string {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    const out = `${h ? `${h}h` : ""}${m ? `${m}m` : ""}${s ? `${s}s` : ""}`;
    return out || "0s";
}

/**
 * Seconds for people to read in alert texts, with days: 2760 -> "46m", 93600 -> "1d2h". Not
 * parsed back: texts only.
 */
export function describeDuration(seconds: number): string {
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
