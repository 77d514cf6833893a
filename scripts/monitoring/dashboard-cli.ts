// Checks the DR dashboard against a running Prometheus: runs each panel's queries over a window,
// writes a Markdown report (does each query return data) and a PNG of the main panels.
//
//   node --require ts-node/register/transpile-only scripts/monitoring/dashboard-cli.ts \
//     --prometheus http://127.0.0.1:9090 --site site-a --from 2026-11-30T08:00:00Z --to 2026-11-30T09:00:00Z \
//     --png docs/dashboard-site-a.png --report dashboard-site-a.md \
//     [--panels "title,title"] [--expect-no-data "TITLE=REASON"]... [--node-agent false] [--rgw-sync false] \
//     [--step SECONDS] [--scrape-interval SECONDS]
//
// Exit status: 0 every query that should return data did; 1 some did not (listed on stderr; the
// report and PNG are still written); 2 bad arguments; 3 the check could not run.
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { Dashboard, renderDashboard } from "../../components/monitoring/dashboard";
import { ALERT_RULE_DEFAULTS } from "../../components/monitoring/settings";
import { dnsLabelProblem } from "../../core/validators";
import {
    CheckWindow, DashboardCheck, ExpectedNoData, checkDashboard, checkWindow, queriedPanels, renderReportMarkdown, summarize, unknownExpectedNoData,
} from "./dashboardCheck";
import { chartFromPanelCheck, renderPanelGridSvg } from "./drawPanels";
import { svgToPng } from "./png";
import { PrometheusClient, RangeQuerier } from "./prometheusApi";

const PROG = "dashboard-cli";

export const EXIT = { ok: 0, missingData: 1, usage: 2, failed: 3 } as const;

/** The panels drawn when --panels is not given (those the dashboard has with these settings). */
export const MAIN_PANELS = [
    "Age of the last successful backup per schedule",
    "Backup outcomes",
    "Age of the newest visible backup vs RPO",
    "Repository maintenance and backup deletions",
    "Fetched bytes per source zone",
    "Poll latency per source zone",
] as const;

export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export interface CliOptions {
    prometheus: string;
    site: string;
    from: Date;
    to: Date;
    png?: string;
    report?: string;
    /** Titles to draw; undefined: MAIN_PANELS. */
    panels?: string[];
    expectNoData: Record<string, string>;
    nodeAgent: boolean;
    rgwSync: boolean;
    stepSeconds?: number;
    scrapeIntervalSeconds?: number;
}

const VALUE_FLAGS = ["prometheus", "site", "from", "to", "png", "report", "panels", "node-agent", "rgw-sync", "step", "scrape-interval"] as const;
const REPEATABLE_FLAGS = ["expect-no-data"] as const;

export const USAGE = `usage: ${PROG} --prometheus URL --site SITE --from ISO --to ISO [--png OUT.png] [--report OUT.md]
       [--panels "TITLE,TITLE"] [--expect-no-data "TITLE=REASON"]... [--node-agent true|false] [--rgw-sync true|false]
       [--step SECONDS] [--scrape-interval SECONDS]
At least one of --png and --report. --panels picks the panels drawn in the PNG (default: the main
panels); every panel is checked. --expect-no-data names a panel (or one target, "TITLE#B") that
cannot have data in this setup: it is reported as no data with the reason, not as a failure.`;

/** An ISO 8601 time with a date, hours and minutes, and an explicit zone: no local-time surprises. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function isoTime(flag: string, text: string): Date {
    const d = new Date(text);
    if (!ISO_TIME.test(text) || Number.isNaN(d.getTime())) {
        throw new UsageError(`--${flag} ${JSON.stringify(text)} is not allowed; allowed: an ISO 8601 time with its zone, such as 2026-11-30T08:00:00Z`);
    }
    return d;
}

function wholeSeconds(flag: string, text: string): number {
    if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`--${flag} ${JSON.stringify(text)} is not allowed; allowed: whole seconds, at least 1`);
    return Number(text);
}

function bool(flag: string, text: string): boolean {
    if (text !== "true" && text !== "false") throw new UsageError(`--${flag} ${JSON.stringify(text)} is not allowed; allowed: true or false`);
    return text === "true";
}

/** The flags checked into options; the first problem is a UsageError (exit 2). Pure. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
    let values: Record<string, string[] | undefined>;
    try {
        const options = Object.fromEntries([...VALUE_FLAGS, ...REPEATABLE_FLAGS].map((f) => [f, { type: "string" as const, multiple: true }]));
        values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as Record<string, string[] | undefined>;
    } catch (e) {
        throw new UsageError(e instanceof Error ? e.message : String(e));
    }
    const one = (flag: string): string | undefined => {
        const v = values[flag];
        if (v && v.length > 1) throw new UsageError(`--${flag} given twice`);
        if (v && v[0] === "") throw new UsageError(`--${flag} is empty`);
        return v?.[0];
    };
    const required = (flag: string): string => {
        const v = one(flag);
        if (v === undefined) throw new UsageError(`--${flag} is required`);
        return v;
    };

    const prometheus = required("prometheus");
    let url: URL;
    try {
        url = new URL(prometheus);
    } catch {
        throw new UsageError(`--prometheus ${JSON.stringify(prometheus)} is not allowed; allowed: an http(s) URL such as http://127.0.0.1:9090`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new UsageError(`--prometheus ${JSON.stringify(prometheus)} is not allowed; allowed: an http(s) URL such as http://127.0.0.1:9090`);
    }
    if (url.username || url.password) throw new UsageError("--prometheus must not carry credentials: they would show in process lists");

    const site = required("site");
    const siteProblem = dnsLabelProblem(site);
    if (siteProblem) throw new UsageError(`--site ${JSON.stringify(site)} is not allowed; ${siteProblem}`);

    const from = isoTime("from", required("from"));
    const to = isoTime("to", required("to"));
    if (from.getTime() >= to.getTime()) throw new UsageError(`--from ${from.toISOString()} must be before --to ${to.toISOString()}`);

    const png = one("png");
    const report = one("report");
    if (png === undefined && report === undefined) throw new UsageError("give --png, --report or both: the check writes nothing otherwise");
    if (png !== undefined && !png.endsWith(".png")) throw new UsageError(`--png ${JSON.stringify(png)} must name a .png file`);

    const panelsText = one("panels");
    const panels = panelsText?.split(",").map((t) => t.trim()).filter(Boolean);
    if (panelsText !== undefined && panels?.length === 0) throw new UsageError("--panels names no panel");

    const expectNoData: Record<string, string> = {};
    for (const entry of values["expect-no-data"] ?? []) {
        const eq = entry.indexOf("=");
        const title = entry.slice(0, eq).trim();
        const reason = entry.slice(eq + 1).trim();
        if (eq < 0 || title === "" || reason === "") {
            throw new UsageError(`--expect-no-data ${JSON.stringify(entry)} is not allowed; allowed: "PANEL TITLE=REASON" or "PANEL TITLE#REFID=REASON"`);
        }
        if (title in expectNoData) throw new UsageError(`--expect-no-data names ${JSON.stringify(title)} twice`);
        expectNoData[title] = reason;
    }

    const nodeAgent = one("node-agent");
    const rgwSync = one("rgw-sync");
    const step = one("step");
    const scrape = one("scrape-interval");
    return {
        prometheus,
        site,
        from,
        to,
        ...(png !== undefined ? { png } : {}),
        ...(report !== undefined ? { report } : {}),
        ...(panels !== undefined ? { panels } : {}),
        expectNoData,
        nodeAgent: nodeAgent === undefined ? ALERT_RULE_DEFAULTS.nodeAgent : bool("node-agent", nodeAgent),
        rgwSync: rgwSync === undefined ? ALERT_RULE_DEFAULTS.rgwSync : bool("rgw-sync", rgwSync),
        ...(step !== undefined ? { stepSeconds: wholeSeconds("step", step) } : {}),
        ...(scrape !== undefined ? { scrapeIntervalSeconds: wholeSeconds("scrape-interval", scrape) } : {}),
    };
}

/** The titles to draw: the ones asked for (each must be a queried panel), else the main panels present. */
export function panelsToDraw(d: Dashboard, asked: string[] | undefined): string[] {
    const titles = queriedPanels(d).map((p) => p.title);
    if (asked === undefined) return MAIN_PANELS.filter((t) => titles.includes(t));
    const unknown = asked.filter((t) => !titles.includes(t));
    if (unknown.length > 0) {
        throw new UsageError(`--panels names no panel of the dashboard: ${unknown.map((t) => JSON.stringify(t)).join(", ")}; panels: ${titles.join("; ")}`);
    }
    return asked;
}

/** The PNG of the chosen panels. Pure apart from svgToPng, which the caller passes. */
export function renderPng(check: DashboardCheck, titles: string[], site: string, toPng: (svg: string) => Buffer): Buffer {
    const w: CheckWindow = check.window;
    const charts = titles.map((t) => {
        const p = check.panels.find((x) => x.title === t);
        if (!p) throw new Error(`panel ${JSON.stringify(t)} was not checked`);
        return chartFromPanelCheck(p, w);
    });
    const subtitle = `${site}: ${w.start.toISOString()} to ${w.end.toISOString()} (step ${w.stepSeconds} s)`;
    return toPng(renderPanelGridSvg({ title: check.dashboardTitle, subtitle, charts }));
}

export interface CliDeps {
    prometheus: (url: string) => RangeQuerier;
    toPng: (svg: string) => Buffer;
    writeFile: (file: string, data: string | Buffer) => void;
    stdout: (text: string) => void;
    stderr: (text: string) => void;
}

export const processDeps: CliDeps = {
    prometheus: (url) => new PrometheusClient(url),
    toPng: (svg) => svgToPng(svg),
    writeFile: (file, data) => fs.writeFileSync(file, data),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
};

export async function main(argv: readonly string[], deps: CliDeps = processDeps): Promise<number> {
    let o: CliOptions;
    let dashboard: Dashboard;
    let drawn: string[];
    try {
        o = parseCliArgs(argv);
        dashboard = renderDashboard({ site: o.site, nodeAgent: o.nodeAgent, rgwSync: o.rgwSync });
        const unknown = unknownExpectedNoData(dashboard, o.expectNoData);
        if (unknown.length > 0) throw new UsageError(`--expect-no-data names no panel of the dashboard: ${unknown.map((k) => JSON.stringify(k)).join(", ")}`);
        drawn = o.png ? panelsToDraw(dashboard, o.panels) : [];
        for (const file of [o.png, o.report]) {
            if (file !== undefined && !fs.existsSync(path.dirname(path.resolve(file)))) throw new UsageError(`the directory of ${file} does not exist`);
        }
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        deps.stderr(`${PROG}: ${e.message}\n${USAGE}\n`);
        return EXIT.usage;
    }

    let check: DashboardCheck;
    try {
        const window = checkWindow(o.from, o.to, { stepSeconds: o.stepSeconds, scrapeIntervalSeconds: o.scrapeIntervalSeconds });
        const prometheus = deps.prometheus(o.prometheus);
        // A Prometheus that does not answer is a check that could not run, not 30 panels without data.
        await prometheus.queryRange("vector(1)", window.start, window.end, window.stepSeconds);
        check = await checkDashboard(dashboard, prometheus, window, o.expectNoData as ExpectedNoData);
        if (o.report) deps.writeFile(o.report, renderReportMarkdown(check));
        if (o.png) deps.writeFile(o.png, renderPng(check, drawn, o.site, deps.toPng));
    } catch (e) {
        deps.stderr(`${PROG}: error: ${e instanceof Error ? e.message : String(e)}\n`);
        return EXIT.failed;
    }

    const s = summarize(check);
    const total = s.withData.length + s.missing.length + s.expectedEmpty.length;
    const wrote = [o.report && `report ${o.report}`, o.png && `PNG ${o.png}`].filter(Boolean).join(", ");
    deps.stdout(`${PROG}: ${s.withData.length} of ${total} queries returned data, ${s.expectedEmpty.length} without data as expected; wrote ${wrote}\n`);
    if (s.missing.length > 0) {
        deps.stderr(`${PROG}: ${s.missing.length} queries returned no data where they should (panels: ${s.panelsMissing.length}):\n`
            + s.missing.map((r) => `  ${r.panel} (${r.refId})\n`).join(""));
        return EXIT.missingData;
    }
    return EXIT.ok;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (e: unknown) => {
            process.stderr.write(`${PROG}: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
            process.exitCode = EXIT.failed;
        },
    );
}
