// A program switch's timeline from the engine's event log (`pulumi up --event-log FILE`): when each
// resource started and finished, and the failover tool's progress lines (`==> ...` and the indented
// info lines under them) if the log carries them as diagnosticEvents of a step. The program's steps
// (components/step/shellStep.ts) keep a command's output only for an error message, so today's
// logs carry no progress line (seen in the lab's own event logs); the resource starts and ends are
// the timeline then. The engine stamps events in whole seconds: offsets have a resolution of 1 s.
import { engineEvents, urnName } from "../scripts/lab/engineEvents";
import { TimelineEntry } from "./types";

/** A progress line of the rgw/failover tool: `==> step` or an indented info line below one. */
export const isProgressLine = (line: string) => /^==> \S/.test(line) || /^ {2,}\S/.test(line);

export interface Timeline {
    entries: TimelineEntry[];
    /** Whether any step's progress line was in the log. */
    hasProgress: boolean;
}

/**
 * The timeline of one `pulumi up`: offsets in whole seconds from `upStartedAtMs` (when the bench
 * started the CLI; the engine's first event comes a second or so later), never negative.
 */
export function switchTimeline(eventLog: string, upStartedAtMs: number): Timeline {
    const entries: TimelineEntry[] = [];
    let hasProgress = false;
    const offset = (t: number) => Math.max(0, Math.round(t - upStartedAtMs / 1000));
    const started = new Set<string>();
    for (const { e } of engineEvents(eventLog)) {
        const t = e.timestamp;
        if (t === undefined) continue;
        const pre = e.resourcePreEvent;
        if (pre?.metadata?.urn && !pre.planning) {
            const op = pre.metadata.op ?? "?";
            if (op !== "same" && op !== "read" && !pre.metadata.urn.includes("::pulumi:pulumi:Stack::")) {
                started.add(pre.metadata.urn);
                entries.push({ offsetS: offset(t), step: `${urnName(pre.metadata.urn)} started (${op})` });
            }
        }
        const out = e.resOutputsEvent;
        if (out?.metadata?.urn && !out.planning && started.has(out.metadata.urn)) {
            entries.push({ offsetS: offset(t), step: `${urnName(out.metadata.urn)} done` });
        }
        const diag = e.diagnosticEvent;
        if (diag?.urn && diag.message && !diag.ephemeral && diag.severity !== "debug") {
            for (const line of diag.message.split("\n")) {
                if (!isProgressLine(line)) continue;
                hasProgress = true;
                entries.push({ offsetS: offset(t), step: `${urnName(diag.urn)}: ${line.trim()}` });
            }
        }
    }
    return { entries, hasProgress };
}

/**
 * The rgw tool's own progress lines (RGW_PROGRESS_LOG: `ISO-TIME subcommand[pid] line`), as
 * timeline entries at 0.1 s resolution from `pulumi up`'s start, merged with the engine's entries
 * and ordered by time.
 */
export function withToolProgress(timeline: Timeline, progressLog: string, upStartedAtMs: number): Timeline {
    const tool: TimelineEntry[] = [];
    for (const raw of progressLog.split("\n")) {
        const m = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (\S+) (.*)$/.exec(raw);
        if (!m) continue;
        const t = Date.parse(m[1]);
        if (Number.isNaN(t)) continue;
        tool.push({ offsetS: Math.max(0, Math.round((t - upStartedAtMs) / 100) / 10), step: `${m[2].replace(/\[\d+\]$/, "")}: ${m[3].trim()}` });
    }
    if (!tool.length) return timeline;
    const merged = [...timeline.entries, ...tool].map((e, i) => ({ e, i })).sort((x, y) => x.e.offsetS - y.e.offsetS || x.i - y.i).map((x) => x.e);
    return { entries: merged, hasProgress: true };
}
