import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import {
    Fetch, PrometheusClient, parseAlerts, parseEnvelope, parseInstantQuery, parseRangeQuery, parseRules, parseSampleValue, parseTargets,
} from "../../../scripts/monitoring/prometheusApi";

/** Responses captured from Prometheus 2.42 (Debian's package) over synthetic data. */
function captured(name: string): unknown {
    return JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", `${name}.json`), "utf8"));
}

describe("monitoring/prometheusApi: parsers", () => {
    it("a range query's matrix becomes series of numeric samples with their labels", () => {
        const series = parseRangeQuery(captured("query_range-matrix"), "velero_backup_success_total");
        expect(series).to.have.length(1);
        expect(series[0].labels).to.deep.equal({ __name__: "velero_backup_success_total", schedule: "daily" });
        expect(series[0].samples).to.deep.equal([
            { t: 1796027615, v: 0 },
            { t: 1796027915, v: 0 },
            { t: 1796028215, v: 1 },
        ]);
    });

    it("an empty matrix is no series (not an error)", () => {
        expect(parseRangeQuery(captured("query_range-empty"), "nothing")).to.deep.equal([]);
    });

    it("an instant vector and a scalar both become series", () => {
        const vector = parseInstantQuery(captured("query-vector"), "velero_backup_success_total");
        expect(vector).to.deep.equal([{ labels: { __name__: "velero_backup_success_total", schedule: "daily" }, sample: { t: 1796028215, v: 1 } }]);
        const scalar = parseInstantQuery(captured("query-scalar"), "time()");
        expect(scalar).to.have.length(1);
        expect(scalar[0].labels).to.deep.equal({});
        expect(scalar[0].sample.v).to.be.closeTo(1796034815.972, 1e-3);
    });

    it("status error becomes an Error naming the expression and Prometheus' error text", () => {
        const expr = "rate(foo[5m]";
        expect(() => parseInstantQuery(captured("query-error"), expr))
            .to.throw(`Prometheus query "rate(foo[5m]" failed: bad_data: invalid parameter "query": 1:13: parse error: unclosed left parenthesis`);
        expect(() => parseRangeQuery(captured("query-error"), expr)).to.throw(`range query "rate(foo[5m]" failed: bad_data:`);
    });

    const wrongType: Array<[string, () => unknown, string]> = [
        ["a string result to an instant query", () => parseInstantQuery(captured("query-string"), `"abc"`), `resultType "string", expected vector or scalar`],
        ["a matrix to an instant query", () => parseInstantQuery(captured("query_range-matrix"), "x"), `resultType "matrix", expected vector or scalar`],
        ["a vector to a range query", () => parseRangeQuery(captured("query-vector"), "x"), `resultType "vector", expected matrix`],
        ["a scalar to a range query", () => parseRangeQuery(captured("query-scalar"), "time()"), `range query "time()": unexpected response: resultType "scalar"`],
    ];
    for (const [what, parse, message] of wrongType) {
        it(`refuses ${what}`, () => {
            expect(parse).to.throw(message);
        });
    }

    const malformed: Array<[string, unknown, string]> = [
        ["not an object", "oops", "not a JSON object"],
        ["an unknown status", { status: "maybe" }, `status "maybe"`],
        ["no data", { status: "success" }, "data is not an object"],
        ["a result that is not a list", { status: "success", data: { resultType: "matrix", result: {} } }, "result is not a list"],
        ["a sample value that is a number", { status: "success", data: { resultType: "matrix", result: [{ metric: {}, values: [[1, 2]] }] } }, "sample value 2 is not a string"],
        ["a label that is not a string", { status: "success", data: { resultType: "matrix", result: [{ metric: { a: 1 }, values: [] }] } }, "label a is not a string"],
    ];
    for (const [what, body, message] of malformed) {
        it(`says what is wrong with a response with ${what}`, () => {
            expect(() => parseRangeQuery(body, "x")).to.throw(message);
        });
    }

    const values: Array<[string, number]> = [["1", 1], ["1e+00", 1], ["-2.5", -2.5], ["+Inf", Infinity], ["-Inf", -Infinity]];
    for (const [text, v] of values) {
        it(`reads the sample value ${JSON.stringify(text)} as ${v}`, () => {
            expect(parseSampleValue(text, "x")).to.equal(v);
        });
    }
    it("reads NaN, and refuses text that is no number", () => {
        expect(Number.isNaN(parseSampleValue("NaN", "x"))).to.equal(true);
        expect(() => parseSampleValue("abc", "x")).to.throw(`sample value "abc" is not a number`);
        expect(() => parseSampleValue("", "x")).to.throw(`sample value "" is not a number`);
    });

    it("alerts: name, labels, state and activeAt", () => {
        const alerts = parseAlerts(captured("alerts"));
        expect(alerts.map((a) => [a.name, a.state])).to.deep.equal([["AlwaysFiring", "firing"], ["Bad", "pending"]]);
        expect(alerts[0].labels).to.deep.equal({ alertname: "AlwaysFiring", severity: "warning" });
        expect(alerts[0].annotations).to.deep.equal({ summary: "always" });
        expect(alerts[0].activeAt.toISOString()).to.equal("2026-11-30T10:33:01.632Z");
        expect(alerts[0].value).to.equal(1);
    });

    it("alerts: an unknown state or time is an error", () => {
        const body = (alert: Record<string, unknown>) => ({ status: "success", data: { alerts: [{ labels: { alertname: "A" }, value: "1", ...alert }] } });
        expect(() => parseAlerts(body({ state: "inactive", activeAt: "2026-01-01T00:00:00Z" }))).to.throw(`alert state "inactive"`);
        expect(() => parseAlerts(body({ state: "firing", activeAt: "yesterday" }))).to.throw(`time "yesterday" is not an RFC 3339 time`);
    });

    it("rules: groups with recording and alerting rules, their state, `for` and alerts", () => {
        const groups = parseRules(captured("rules"));
        expect(groups).to.have.length(1);
        expect(groups[0]).to.include({ name: "g", file: "rules.yml", intervalSeconds: 60 });
        const [recording, firing, pending] = groups[0].rules;
        expect(recording).to.deep.equal({ type: "recording", name: "job:x:sum", query: "sum(velero_backup_success_total)", health: "ok" });
        expect(firing).to.include({ type: "alerting", name: "AlwaysFiring", state: "firing", forSeconds: 0 });
        expect(pending).to.include({ type: "alerting", name: "Bad", state: "pending", forSeconds: 3600 });
        expect(pending.type === "alerting" && pending.alerts.map((a) => a.state)).to.deep.equal(["pending"]);
    });

    it("rules: a rule's lastError is kept, an unknown rule type is an error", () => {
        const body = (rule: Record<string, unknown>) => ({ status: "success", data: { groups: [{ name: "g", rules: [{ name: "r", query: "q", ...rule }] }] } });
        expect(parseRules(body({ type: "recording", health: "err", lastError: "boom" }))[0].rules[0]).to.include({ health: "err", lastError: "boom" });
        expect(() => parseRules(body({ type: "other" }))).to.throw(`rule r has type "other"`);
    });

    it("targets: job, scrape URL and health of each active target (captured from the lab's Prometheus 2.42)", () => {
        const targets = parseTargets(captured("targets"));
        expect(targets.map((t) => `${t.job} ${t.health}`).sort()).to.deep.equal(["ceph up", "kube-state-metrics up", "velero up"]);
        expect(targets.find((t) => t.job === "ceph")?.scrapeUrl).to.equal("http://10.213.0.11:9283/metrics");
        expect(targets.every((t) => t.lastError === "")).to.equal(true);
    });

    it("targets: a target without health, or with an unknown one, is an error", () => {
        const body = (t: Record<string, unknown>) => ({ status: "success", data: { activeTargets: [{ labels: { job: "j" }, ...t }] } });
        expect(() => parseTargets(body({}))).to.throw("a target has no health");
        expect(() => parseTargets(body({ health: "sideways" }))).to.throw(`a target has health "sideways"`);
        expect(parseTargets(body({ health: "down", lastError: "connection refused" }))[0]).to.include({ job: "j", health: "down", lastError: "connection refused" });
    });

    it("the envelope passes data through on success", () => {
        expect(parseEnvelope({ status: "success", data: { x: 1 } }, "x")).to.deep.equal({ x: 1 });
    });
});

describe("monitoring/prometheusApi: PrometheusClient over a fake fetch", () => {
    interface Call {
        url: string;
        method?: string;
        body?: string;
    }
    function fakeFetch(status: number, body: string, calls: Call[]): Fetch {
        return (async (url: string | URL | Request, init?: RequestInit) => {
            calls.push({ url: String(url), method: init?.method, body: init?.body?.toString() });
            return new Response(body, { status });
        }) as Fetch;
    }

    it("posts a range query as a form with start, end (Unix seconds) and step", async () => {
        const calls: Call[] = [];
        const client = new PrometheusClient("http://prom:9090/", fakeFetch(200, JSON.stringify(captured("query_range-matrix")), calls));
        const series = await client.queryRange("sum(x[5m])", new Date("2026-11-30T07:00:00Z"), new Date("2026-11-30T08:00:00.500Z"), 15);
        expect(series).to.have.length(1);
        expect(calls).to.have.length(1);
        expect(calls[0].url).to.equal("http://prom:9090/api/v1/query_range");
        expect(calls[0].method).to.equal("POST");
        const form = new URLSearchParams(calls[0].body);
        expect(Object.fromEntries(form)).to.deep.equal({ query: "sum(x[5m])", start: "1796022000", end: "1796025600.5", step: "15" });
    });

    it("gets alerts and rules without parameters", async () => {
        const calls: Call[] = [];
        const client = new PrometheusClient("http://prom:9090", fakeFetch(200, JSON.stringify(captured("alerts")), calls));
        expect((await client.alerts()).map((a) => a.name)).to.deep.equal(["AlwaysFiring", "Bad"]);
        expect(calls[0]).to.include({ url: "http://prom:9090/api/v1/alerts", method: "GET" });
    });

    it("an HTTP 400 with an error envelope becomes the expression's error", async () => {
        const client = new PrometheusClient("http://prom:9090", fakeFetch(400, JSON.stringify(captured("query-error")), []));
        let error: Error | undefined;
        await client.query("rate(foo[5m]").catch((e: Error) => (error = e));
        expect(error?.message).to.equal(`Prometheus query "rate(foo[5m]" failed: bad_data: invalid parameter "query": 1:13: parse error: unclosed left parenthesis`);
    });

    it("a body that is not JSON names the HTTP status and the URL", async () => {
        const client = new PrometheusClient("http://prom:9090", fakeFetch(502, "<html>bad gateway</html>", []));
        let error: Error | undefined;
        await client.rules().catch((e: Error) => (error = e));
        expect(error?.message).to.equal("Prometheus rules: HTTP 502 from http://prom:9090/api/v1/rules, not JSON: <html>bad gateway</html>");
    });

    it("a Prometheus that cannot be reached is an error naming the URL", async () => {
        const failing = (async () => {
            throw new TypeError("fetch failed");
        }) as Fetch;
        let error: Error | undefined;
        await new PrometheusClient("http://127.0.0.1:1", failing).query("up").catch((e: Error) => (error = e));
        expect(error?.message).to.equal(`Prometheus query "up": cannot reach http://127.0.0.1:1/api/v1/query: fetch failed`);
    });
});
