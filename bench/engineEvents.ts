// Per-resource steps of a `pulumi up` from its engine event log (`pulumi up --event-log FILE`):
// each changed resource from its resourcePreEvent to its resOutputsEvent. The engine stamps its
// events in whole seconds, so a step's time has a resolution of 1 s.
import { TimedStep } from "./types";

interface EngineEvent {
    timestamp?: number;
    resourcePreEvent?: { metadata?: StepMetadata; planning?: boolean };
    resOutputsEvent?: { metadata?: StepMetadata; planning?: boolean };
}

interface StepMetadata {
    op?: string;
    urn?: string;
    type?: string;
}

/** `urn:pulumi:stack::project::type$type::name` -> name. */
const urnName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** The resources an update changed (not `same`, not reads), in the order they started, with their durations. */
export function resourceSteps(eventLog: string): TimedStep[] {
    const started = new Map<string, { t: number; op: string; type: string; order: number }>();
    const steps: Array<TimedStep & { order: number }> = [];
    for (const line of eventLog.split("\n")) {
        if (!line.trim()) continue;
        let e: EngineEvent;
        try {
            e = JSON.parse(line) as EngineEvent;
        } catch {
            continue;
        }
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
