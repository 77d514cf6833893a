// Does each dashboard query return data? Runs every panel target's expression as a range query
// over a window and reports, per panel and target, the series and samples that came back. Panels
// that cannot have data in a given setup are named by the caller with the reason: they are
// reported as "no data" with that reason, never hidden and never counted as passed.
import { Dashboard, DashboardPanel } from "../../components/monitoring/dashboard";
import { formatDuration } from "../../core/duration";
import { RangeQuerier, RangeSeries } from "./prometheusApi";

/** The time range and resolution of the range queries, and what Grafana's macros stand for. */
export interface CheckWindow {
    start: Date;
    end: Date;
    stepSeconds: number;
    /** What `$__rate_interval` becomes. */
    rateIntervalSeconds: number;
}

/** Points per series Grafana would ask for on a panel about as wide as the PNG's. */
export const DEFAULT_MAX_POINTS = 300;
/** Prometheus' default scrape interval, as Grafana assumes it for the data source. */
export const DEFAULT_SCRAPE_INTERVAL_SECONDS = 15;

/**
 * The window Grafana would query: step = range / maxPoints (whole seconds, at least the scrape
 * interval), `$__rate_interval` = max(step + scrape interval, 4 x scrape interval) as Grafana
 * defines it. An explicit step wins.
 */
export function checkWindow(
    start: Date,
    end: Date,
    opts: { stepSeconds?: number; scrapeIntervalSeconds?: number; maxPoints?: number } = {},
): CheckWindow {
    const rangeSeconds = (end.getTime() - start.getTime()) / 1000;
    if (!(rangeSeconds > 0)) throw new Error(`the window is empty: ${start.toISOString()} is not before ${end.toISOString()}`);
    const scrape = opts.scrapeIntervalSeconds ?? DEFAULT_SCRAPE_INTERVAL_SECONDS;
    const step = opts.stepSeconds ?? Math.max(scrape, Math.ceil(rangeSeconds / (opts.maxPoints ?? DEFAULT_MAX_POINTS)));
    return { start, end, stepSeconds: step, rateIntervalSeconds: Math.max(step + scrape, 4 * scrape) };
}

/** Grafana's interval macros replaced by durations of this window; other `$` variables are an error. */
export function substituteMacros(expr: string, w: CheckWindow): string {
    const range = Math.max(1, Math.round((w.end.getTime() - w.start.getTime()) / 1000));
    const values: Record<string, number> = { __rate_interval: w.rateIntervalSeconds, __interval: w.stepSeconds, __range: range };
    const out = expr.replace(/\$(__rate_interval|__interval|__range)\b/g, (_, name: string) => formatDuration(values[name]));
    const left = /\$\{?\w+/.exec(out);
    if (left) throw new Error(`expression uses the Grafana variable ${left[0]}, which the check cannot fill in: ${expr}`);
    return out;
}

export type TargetOutcome = "data" | "no data" | "error";

export interface TargetCheck {
    refId: string;
    legendFormat: string;
    /** The expression as the dashboard has it. */
    expr: string;
    /** What was sent to Prometheus (macros filled in). */
    query: string;
    outcome: TargetOutcome;
    series: RangeSeries[];
    sampleCount: number;
    error?: string;
    /** Why this target cannot have data in this setup, when the caller said so. */
    expectedNoData?: string;
}

export interface PanelCheck {
    id: number;
    title: string;
    type: string;
    /** Grafana's unit of the panel's values ("s", "Bps", "short", ...). */
    unit: string;
    targets: TargetCheck[];
}

export interface DashboardCheck {
    dashboardTitle: string;
    window: CheckWindow;
    panels: PanelCheck[];
}

/**
 * Panels (by title) or single targets (`title#refId`) that cannot have data in this setup, with
 * the reason shown in the report.
 */
export type ExpectedNoData = Readonly<Record<string, string>>;

/** Every panel that queries something, rows' nested panels included, in dashboard order. */
export function queriedPanels(d: Dashboard): DashboardPanel[] {
    return d.panels
        .flatMap((p) => [p, ...((p.panels ?? []) as DashboardPanel[])])
        .filter((p) => (p.targets ?? []).length > 0);
}

export function panelUnit(p: DashboardPanel): string {
    const defaults = (p.fieldConfig?.defaults ?? {}) as { unit?: unknown };
    return typeof defaults.unit === "string" ? defaults.unit : "short";
}

/** Keys of `expected` that name no panel or target: a typo would otherwise excuse nothing. */
export function unknownExpectedNoData(d: Dashboard, expected: ExpectedNoData): string[] {
    const known = new Set(queriedPanels(d).flatMap((p) => [p.title, ...(p.targets ?? []).map((t) => `${p.title}#${t.refId}`)]));
    return Object.keys(expected).filter((k) => !known.has(k));
}

/** Runs every target's expression as a range query over the window, one at a time. */
export async function checkDashboard(
    d: Dashboard,
    prometheus: RangeQuerier,
    window: CheckWindow,
    expected: ExpectedNoData = {},
): Promise<DashboardCheck> {
    const unknown = unknownExpectedNoData(d, expected);
    if (unknown.length > 0) {
        throw new Error(`expected-no-data names no panel of the dashboard: ${unknown.map((k) => JSON.stringify(k)).join(", ")}`);
    }
    const panels: PanelCheck[] = [];
    for (const p of queriedPanels(d)) {
        const targets: TargetCheck[] = [];
        for (const t of p.targets ?? []) {
            const reason = expected[`${p.title}#${t.refId}`] ?? expected[p.title];
            const base = { refId: t.refId, legendFormat: t.legendFormat, expr: t.expr, ...(reason ? { expectedNoData: reason } : {}) };
            let query = t.expr;
            try {
                query = substituteMacros(t.expr, window);
                const series = await prometheus.queryRange(query, window.start, window.end, window.stepSeconds);
                const sampleCount = series.reduce((n, s) => n + s.samples.length, 0);
                targets.push({ ...base, query, series, sampleCount, outcome: sampleCount > 0 ? "data" : "no data" });
            } catch (e) {
                targets.push({ ...base, query, series: [], sampleCount: 0, outcome: "error", error: e instanceof Error ? e.message : String(e) });
            }
        }
        panels.push({ id: p.id, title: p.title, type: p.type, unit: panelUnit(p), targets });
    }
    return { dashboardTitle: d.title, window, panels };
}

/** A target named by its panel: `Backup outcomes#B`. */
export interface TargetRef {
    panel: string;
    refId: string;
}

export interface CheckSummary {
    /** Targets that returned data. */
    withData: TargetRef[];
    /** Targets that should have data and have none (or failed): the check fails on these. */
    missing: TargetRef[];
    /** Targets without data where the caller said none can come; neither passed nor failed. */
    expectedEmpty: TargetRef[];
    /** Panels whose every target returned data. */
    panelsWithData: string[];
    /** Panels with at least one missing target. */
    panelsMissing: string[];
}

export function summarize(check: DashboardCheck): CheckSummary {
    const s: CheckSummary = { withData: [], missing: [], expectedEmpty: [], panelsWithData: [], panelsMissing: [] };
    for (const p of check.panels) {
        for (const t of p.targets) {
            const ref = { panel: p.title, refId: t.refId };
            if (t.outcome === "data") s.withData.push(ref);
            else if (t.outcome === "no data" && t.expectedNoData) s.expectedEmpty.push(ref);
            else s.missing.push(ref);
        }
        if (p.targets.every((t) => t.outcome === "data")) s.panelsWithData.push(p.title);
        if (s.missing.some((r) => r.panel === p.title)) s.panelsMissing.push(p.title);
    }
    return s;
}

/** What the Result column says about one target. */
export function targetVerdict(t: TargetCheck): string {
    switch (t.outcome) {
        case "data":
            return t.expectedNoData ? `data (expected none: ${t.expectedNoData})` : "data";
        case "no data":
            return t.expectedNoData ? `no data (expected: ${t.expectedNoData})` : "**NO DATA** (should have data)";
        case "error":
            return `**ERROR**: ${t.error ?? "unknown"}`;
    }
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
    return text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
}

/** Text as a code span inside a table cell (backticks in it lengthen the fence). */
function codeCell(text: string): string {
    const fence = "`".repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((m) => m.length)) + 1);
    return cell(`${fence}${text}${fence}`);
}

/** The report as Markdown: a summary, then one table row per panel target. */
export function renderReportMarkdown(check: DashboardCheck): string {
    const s = summarize(check);
    const total = s.withData.length + s.missing.length + s.expectedEmpty.length;
    const w = check.window;
    const lines = [
        `# Dashboard check: ${check.dashboardTitle}`,
        "",
        `Window ${w.start.toISOString()} to ${w.end.toISOString()}, step ${w.stepSeconds} s, `
            + `\`$__rate_interval\` = ${formatDuration(w.rateIntervalSeconds)}.`,
        "",
        `${s.withData.length} of ${total} queries returned data; ${s.missing.length} should have and did not; `
            + `${s.expectedEmpty.length} have no data in this setup (reason given).`,
        "",
    ];
    if (s.missing.length > 0) {
        lines.push("Without data (should have data):", "", ...s.missing.map((r) => `- ${r.panel} (${r.refId})`), "");
    }
    lines.push("| Panel | Ref | Query | Series | Samples | Result |", "|---|---|---|---:|---:|---|");
    for (const p of check.panels) {
        for (const t of p.targets) {
            lines.push(`| ${cell(p.title)} | ${t.refId} | ${codeCell(t.expr)} | ${t.series.length} | ${t.sampleCount} | ${cell(targetVerdict(t))} |`);
        }
    }
    return `${lines.join("\n")}\n`;
}
