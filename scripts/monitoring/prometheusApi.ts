// A small typed client for the Prometheus HTTP API v1 (query, query_range, alerts, rules).
// The parsers are pure (JSON in, models out, clear errors); PrometheusClient is the thin adapter
// around Node's global fetch.

export type Labels = Readonly<Record<string, string>>;

/** One sample: Unix time in seconds (Prometheus' own unit) and the value. */
export interface Sample {
    t: number;
    v: number;
}

/** An instant-query result: one sample per series (a scalar comes back as one series with no labels). */
export interface InstantSeries {
    labels: Labels;
    sample: Sample;
}

/** A range-query result series. */
export interface RangeSeries {
    labels: Labels;
    samples: Sample[];
}

export type AlertState = "pending" | "firing";

export interface PrometheusAlert {
    /** The alertname label. */
    name: string;
    labels: Labels;
    annotations: Labels;
    state: AlertState;
    activeAt: Date;
    value: number;
}

export interface RecordingRule {
    type: "recording";
    name: string;
    query: string;
    health: string;
    lastError?: string;
}

export interface AlertingRule {
    type: "alerting";
    name: string;
    query: string;
    health: string;
    lastError?: string;
    state: "inactive" | AlertState;
    /** The rule's `for`, in seconds. */
    forSeconds: number;
    labels: Labels;
    alerts: PrometheusAlert[];
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
    name: string;
    file: string;
    intervalSeconds: number;
    rules: Rule[];
}

/** What the dashboard check needs from a Prometheus (a fake in tests). */
export interface RangeQuerier {
    queryRange(expr: string, start: Date, end: Date, stepSeconds: number): Promise<RangeSeries[]>;
}

type Json = unknown;

function isObject(x: Json): x is Record<string, Json> {
    return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** A response that is not what the API documents: names the request and what was wrong. */
function malformed(what: string, problem: string): Error {
    return new Error(`Prometheus ${what}: unexpected response: ${problem}`);
}

/**
 * The `data` of a response envelope. `status: "error"` becomes an Error naming the request
 * (e.g. the expression) and Prometheus' own error text.
 */
export function parseEnvelope(body: Json, what: string): Json {
    if (!isObject(body)) throw malformed(what, "not a JSON object");
    if (body.status === "error") {
        const type = typeof body.errorType === "string" ? `${body.errorType}: ` : "";
        throw new Error(`Prometheus ${what} failed: ${type}${typeof body.error === "string" ? body.error : JSON.stringify(body.error)}`);
    }
    if (body.status !== "success") throw malformed(what, `status ${JSON.stringify(body.status)}`);
    return body.data;
}

/** A sample value as Prometheus writes it: a string, with NaN and ±Inf spelled out. */
export function parseSampleValue(text: Json, what: string): number {
    if (typeof text !== "string") throw malformed(what, `sample value ${JSON.stringify(text)} is not a string`);
    switch (text) {
        case "NaN":
            return NaN;
        case "+Inf":
            return Infinity;
        case "-Inf":
            return -Infinity;
    }
    const v = Number(text);
    if (text.trim() === "" || Number.isNaN(v)) throw malformed(what, `sample value ${JSON.stringify(text)} is not a number`);
    return v;
}

function parseSample(pair: Json, what: string): Sample {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "number") {
        throw malformed(what, `sample ${JSON.stringify(pair)} is not [time, "value"]`);
    }
    return { t: pair[0], v: parseSampleValue(pair[1], what) };
}

function parseLabels(x: Json, what: string): Labels {
    if (!isObject(x)) throw malformed(what, `labels ${JSON.stringify(x)} are not an object`);
    for (const [k, v] of Object.entries(x)) {
        if (typeof v !== "string") throw malformed(what, `label ${k} is not a string`);
    }
    return x as Labels;
}

function resultOf(data: Json, what: string, allowed: readonly string[]): { resultType: string; result: Json } {
    if (!isObject(data)) throw malformed(what, "data is not an object");
    const resultType = data.resultType;
    if (typeof resultType !== "string" || !allowed.includes(resultType)) {
        throw malformed(what, `resultType ${JSON.stringify(resultType)}, expected ${allowed.join(" or ")}`);
    }
    return { resultType, result: data.result };
}

/** The body of /api/v1/query: a vector, or a scalar as one series without labels. */
export function parseInstantQuery(body: Json, expr: string): InstantSeries[] {
    const what = `query ${JSON.stringify(expr)}`;
    const { resultType, result } = resultOf(parseEnvelope(body, what), what, ["vector", "scalar"]);
    if (resultType === "scalar") return [{ labels: {}, sample: parseSample(result, what) }];
    if (!Array.isArray(result)) throw malformed(what, "result is not a list");
    return result.map((s) => {
        if (!isObject(s)) throw malformed(what, "a series is not an object");
        return { labels: parseLabels(s.metric, what), sample: parseSample(s.value, what) };
    });
}

/** The body of /api/v1/query_range: a matrix. */
export function parseRangeQuery(body: Json, expr: string): RangeSeries[] {
    const what = `range query ${JSON.stringify(expr)}`;
    const { result } = resultOf(parseEnvelope(body, what), what, ["matrix"]);
    if (!Array.isArray(result)) throw malformed(what, "result is not a list");
    return result.map((s) => {
        if (!isObject(s) || !Array.isArray(s.values)) throw malformed(what, "a series has no values list");
        return { labels: parseLabels(s.metric, what), samples: s.values.map((p) => parseSample(p, what)) };
    });
}

function parseDate(x: Json, what: string): Date {
    const d = typeof x === "string" ? new Date(x) : undefined;
    if (!d || Number.isNaN(d.getTime())) throw malformed(what, `time ${JSON.stringify(x)} is not an RFC 3339 time`);
    return d;
}

function parseAlert(a: Json, what: string): PrometheusAlert {
    if (!isObject(a)) throw malformed(what, "an alert is not an object");
    const labels = parseLabels(a.labels, what);
    if (a.state !== "pending" && a.state !== "firing") throw malformed(what, `alert state ${JSON.stringify(a.state)}`);
    return {
        name: labels.alertname ?? "",
        labels,
        annotations: parseLabels(a.annotations ?? {}, what),
        state: a.state,
        activeAt: parseDate(a.activeAt, what),
        value: parseSampleValue(a.value, what),
    };
}

/** The body of /api/v1/alerts: the pending and firing alerts. */
export function parseAlerts(body: Json): PrometheusAlert[] {
    const what = "alerts";
    const data = parseEnvelope(body, what);
    if (!isObject(data) || !Array.isArray(data.alerts)) throw malformed(what, "data.alerts is not a list");
    return data.alerts.map((a) => parseAlert(a, what));
}

function parseRule(r: Json, what: string): Rule {
    if (!isObject(r) || typeof r.name !== "string" || typeof r.query !== "string") throw malformed(what, "a rule has no name or query");
    const common = {
        name: r.name,
        query: r.query,
        health: typeof r.health === "string" ? r.health : "unknown",
        ...(typeof r.lastError === "string" && r.lastError !== "" ? { lastError: r.lastError } : {}),
    };
    if (r.type === "recording") return { type: "recording", ...common };
    if (r.type !== "alerting") throw malformed(what, `rule ${r.name} has type ${JSON.stringify(r.type)}`);
    if (r.state !== "inactive" && r.state !== "pending" && r.state !== "firing") throw malformed(what, `rule ${r.name} has state ${JSON.stringify(r.state)}`);
    return {
        type: "alerting",
        ...common,
        state: r.state,
        forSeconds: typeof r.duration === "number" ? r.duration : 0,
        labels: parseLabels(r.labels ?? {}, what),
        alerts: (Array.isArray(r.alerts) ? r.alerts : []).map((a) => parseAlert(a, what)),
    };
}

/** The body of /api/v1/rules: rule groups with each rule's health and (alerting) state. */
export function parseRules(body: Json): RuleGroup[] {
    const what = "rules";
    const data = parseEnvelope(body, what);
    if (!isObject(data) || !Array.isArray(data.groups)) throw malformed(what, "data.groups is not a list");
    return data.groups.map((g) => {
        if (!isObject(g) || typeof g.name !== "string" || !Array.isArray(g.rules)) throw malformed(what, "a group has no name or rules");
        return {
            name: g.name,
            file: typeof g.file === "string" ? g.file : "",
            intervalSeconds: typeof g.interval === "number" ? g.interval : 0,
            rules: g.rules.map((r) => parseRule(r, what)),
        };
    });
}

/** A scrape target's health, as /api/v1/targets reports it. */
export interface ScrapeTarget {
    job: string;
    scrapeUrl: string;
    health: "up" | "down" | "unknown";
    lastError: string;
}

/** The body of /api/v1/targets: the active targets (dropped ones are left out). */
export function parseTargets(body: Json): ScrapeTarget[] {
    const what = "targets";
    const data = parseEnvelope(body, what);
    if (!isObject(data) || !Array.isArray(data.activeTargets)) throw malformed(what, "data.activeTargets is not a list");
    return data.activeTargets.map((t) => {
        if (!isObject(t) || typeof t.health !== "string") throw malformed(what, "a target has no health");
        const labels = parseLabels(t.labels ?? {}, what);
        if (!["up", "down", "unknown"].includes(t.health)) throw malformed(what, `a target has health ${JSON.stringify(t.health)}`);
        return {
            job: labels.job ?? "",
            scrapeUrl: typeof t.scrapeUrl === "string" ? t.scrapeUrl : "",
            health: t.health as ScrapeTarget["health"],
            lastError: typeof t.lastError === "string" ? t.lastError : "",
        };
    });
}

/** Unix seconds as Prometheus takes them in requests. */
function unixSeconds(d: Date): string {
    return String(d.getTime() / 1000);
}

export type Fetch = typeof fetch;

/** The HTTP side: Node 20's global fetch against one Prometheus base URL. */
export class PrometheusClient implements RangeQuerier {
    private readonly base: string;

    constructor(baseUrl: string, private readonly fetchImpl: Fetch = fetch, private readonly timeoutMs = 30_000) {
        this.base = baseUrl.replace(/\/+$/, "");
    }

    async query(expr: string, time?: Date): Promise<InstantSeries[]> {
        const form: Record<string, string> = { query: expr };
        if (time) form.time = unixSeconds(time);
        return parseInstantQuery(await this.call("query", `query ${JSON.stringify(expr)}`, form), expr);
    }

    async queryRange(expr: string, start: Date, end: Date, stepSeconds: number): Promise<RangeSeries[]> {
        const form = { query: expr, start: unixSeconds(start), end: unixSeconds(end), step: String(stepSeconds) };
        return parseRangeQuery(await this.call("query_range", `range query ${JSON.stringify(expr)}`, form), expr);
    }

    async alerts(): Promise<PrometheusAlert[]> {
        return parseAlerts(await this.call("alerts", "alerts"));
    }

    async rules(): Promise<RuleGroup[]> {
        return parseRules(await this.call("rules", "rules"));
    }

    async targets(): Promise<ScrapeTarget[]> {
        return parseTargets(await this.call("targets", "targets"));
    }

    /**
     * GET, or POST with a form when there are parameters (expressions can be longer than a URL may
     * be). Error responses carry the JSON envelope too, so the body is parsed whatever the status.
     */
    private async call(endpoint: string, what: string, form?: Record<string, string>): Promise<unknown> {
        const url = `${this.base}/api/v1/${endpoint}`;
        let response: Response;
        try {
            response = await this.fetchImpl(url, {
                method: form ? "POST" : "GET",
                ...(form ? { body: new URLSearchParams(form), headers: { "content-type": "application/x-www-form-urlencoded" } } : {}),
                signal: AbortSignal.timeout(this.timeoutMs),
            });
        } catch (e) {
            throw new Error(`Prometheus ${what}: cannot reach ${url}: ${e instanceof Error ? e.message : String(e)}`);
        }
        const text = await response.text();
        let body: unknown;
        try {
            body = JSON.parse(text);
        } catch {
            throw new Error(`Prometheus ${what}: HTTP ${response.status} from ${url}, not JSON: ${text.slice(0, 200)}`);
        }
        return body;
    }
}
