// Standard 5-field cron as Velero's Schedule parses it (robfig/cron, UTC; day of week 0-6, so no
// `7` for Sunday), and the longest gap between runs, which is what an RPO covers. Durations: ./duration.ts.

const FIELDS = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12 },
    { name: "day of week", min: 0, max: 6 },
] as const;

const MACROS: Record<string, string> = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
};

export interface ParsedCron {
    minutes: Set<number>;
    hours: Set<number>;
    daysOfMonth: Set<number>;
    months: Set<number>;
    daysOfWeek: Set<number>;
    /** Cron's rule: when both day fields are restricted, a day matches if either matches. */
    domRestricted: boolean;
    dowRestricted: boolean;
}

function parseField(text: string, index: number): Set<number> {
    const { name, min, max } = FIELDS[index];
    const values = new Set<number>();
    for (const part of text.split(",")) {
        const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
        if (!m) throw new Error(`${name} field "${text}" is not valid cron`);
        const step = m[4] ? Number(m[4]) : 1;
        const from = m[1] === "*" ? min : Number(m[2]);
        const to = m[1] === "*" ? max : m[3] ? Number(m[3]) : m[4] ? max : from;
        if (step < 1 || from < min || to > max || from > to) {
            throw new Error(`${name} field "${text}" is out of range ${min}-${max}`);
        }
        for (let v = from; v <= to; v += step) values.add(v);
    }
    return values;
}

/** Parses a 5-field cron expression or a macro (@daily, ...); throws with what is wrong. */
export function parseCron(expression: string): ParsedCron {
    const text = MACROS[expression.trim()] ?? expression.trim();
    const parts = text.split(/\s+/);
    if (parts.length !== 5) throw new Error(`"${expression}" has ${parts.length} fields; a cron expression has 5 (minute hour day-of-month month day-of-week) or is a macro such as @daily`);
    return {
        minutes: parseField(parts[0], 0),
        hours: parseField(parts[1], 1),
        daysOfMonth: parseField(parts[2], 2),
        months: parseField(parts[3], 3),
        daysOfWeek: parseField(parts[4], 4),
        domRestricted: parts[2] !== "*",
        dowRestricted: parts[4] !== "*",
    };
}

function dayMatches(c: ParsedCron, date: Date): boolean {
    if (!c.months.has(date.getUTCMonth() + 1)) return false;
    const dom = c.daysOfMonth.has(date.getUTCDate());
    const dow = c.daysOfWeek.has(date.getUTCDay());
    if (c.domRestricted && c.dowRestricted) return dom || dow;
    return dom && dow;
}

/**
 * The longest gap, in seconds, between two consecutive runs over a 4-year window (covers leap
 * years and every weekday/month combination). Throws if the expression never runs.
 */
export function cronMaxIntervalSeconds(expression: string): number {
    const c = parseCron(expression);
    const times = [...c.hours].sort((a, b) => a - b).flatMap((h) => [...c.minutes].sort((a, b) => a - b).map((m) => h * 60 + m));
    const start = Date.UTC(2024, 0, 1);
    const days = 4 * 366;
    let previous: number | undefined;
    let first: number | undefined;
    let longest = 0;
    for (let d = 0; d < days; d++) {
        const dayStart = start + d * 86_400_000;
        if (!dayMatches(c, new Date(dayStart))) continue;
        for (const minuteOfDay of times) {
            const t = dayStart + minuteOfDay * 60_000;
            if (previous !== undefined) longest = Math.max(longest, t - previous);
            first ??= t;
            previous = t;
        }
    }
    if (previous === undefined || first === undefined) throw new Error(`"${expression}" never runs`);
    if (first === previous) return days * 86_400;
    return longest / 1000;
}
