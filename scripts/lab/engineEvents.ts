// A `pulumi up`'s engine event log (`pulumi up --event-log FILE`): per-resource steps with their
// durations (the bench times them), and the order in which steps ran (the lab asserts a switch's
// order). Each changed resource runs from its resourcePreEvent to its resOutputsEvent. The engine
// stamps its events in whole seconds, so a step's time has a resolution of 1 s; the order comes
// from the events' position in the log, which is exact.

/** One changed resource of an update and how long it took. */
export interface TimedStep {
    what: string;
    ms: number;
}

export interface EngineEvent {
    timestamp?: number;
    resourcePreEvent?: { metadata?: StepMetadata; planning?: boolean };
    resOutputsEvent?: { metadata?: StepMetadata; planning?: boolean };
    diagnosticEvent?: { urn?: string; message?: string; severity?: string; ephemeral?: boolean };
}

/** The log's events in order, each with its line position; lines that are not JSON are skipped. */
export function engineEvents(eventLog: string): Array<{ line: number; e: EngineEvent }> {
    const out: Array<{ line: number; e: EngineEvent }> = [];
    eventLog.split("\n").forEach((text, line) => {
        if (!text.trim()) return;
        try {
            out.push({ line, e: JSON.parse(text) as EngineEvent });
        } catch {
            // a partial last line of a log still being written
        }
    });
    return out;
}

interface StepMetadata {
    op?: string;
    urn?: string;
    type?: string;
}

/** `urn:pulumi:stack::project::type$type::name` -> name. */
export const urnName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** The resources an update changed (not `same`, not reads), in the order they started, with their durations. */
export function resourceSteps(eventLog: string): TimedStep[] {
    const started = new Map<string, { t: number; op: string; type: string; order: number }>();
    const steps: Array<TimedStep & { order: number }> = [];
    for (const { e } of engineEvents(eventLog)) {
        const t = e.timestamp;
        if (t === undefined) continue;
        const pre = e.resourcePreEvent;
        if (pre?.metadata?.urn && !pre.planning) {
            const { urn, op = "?", type = "?" } = pre.metadata;
            if (op !== "same" && op !== "read" && type !== "pulumi:pulumi:Stack") started.set(urn, { t, op, type, order: started.size });
        }
        const out = e.resOutputsEvent;
        const begun = out?.metadata?.urn ? started.get(out.metadata.urn) : undefined;
        if (out?.metadata?.urn && begun && !out.planning) {
            steps.push({ what: `${urnName(out.metadata.urn)} (${begun.type}, ${begun.op})`, ms: (t - begun.t) * 1000, order: begun.order });
            started.delete(out.metadata.urn);
        }
    }
    // Started but never finished (the update failed there): shown without a time of their own.
    for (const [urn, b] of started) steps.push({ what: `${urnName(urn)} (${b.type}, ${b.op}, did not finish)`, ms: 0, order: b.order });
    return steps.sort((x, y) => x.order - y.order).map(({ what, ms }) => ({ what, ms }));
}

/** Where each resource's step started and ended in the log (line positions; not planning events). */
function stepPositions(eventLog: string): { started: Map<string, number>; finished: Map<string, number> } {
    const started = new Map<string, number>();
    const finished = new Map<string, number>();
    for (const { line: i, e } of engineEvents(eventLog)) {
        const pre = e.resourcePreEvent;
        if (pre?.metadata?.urn && !pre.planning && !started.has(urnName(pre.metadata.urn))) started.set(urnName(pre.metadata.urn), i);
        const out = e.resOutputsEvent;
        if (out?.metadata?.urn && !out.planning) finished.set(urnName(out.metadata.urn), i);
    }
    return { started, finished };
}

/**
 * Ordering problems of an update: for each [first, then] pair, `first` must have finished before
 * `then` started. Returns one line per violated or unseen pair (empty: the order held).
 */
export function orderProblems(eventLog: string, pairs: readonly (readonly [string, string])[]): string[] {
    const { started, finished } = stepPositions(eventLog);
    const problems: string[] = [];
    for (const [first, then] of pairs) {
        const end = finished.get(first);
        const start = started.get(then);
        if (end === undefined || start === undefined) problems.push(`${end === undefined ? first : then} did not run`);
        else if (end > start) problems.push(`${then} started before ${first} finished`);
    }
    return problems;
}
