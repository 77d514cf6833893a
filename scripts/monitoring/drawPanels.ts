// Draws dashboard panels as SVG from range-query series: one chart per panel (time axis in
// minutes from the start, value axis in the panel's unit, one polyline per series, a legend),
// and a 2-column grid of them. Pure: no I/O; svgToPng (png.ts) turns the result into a PNG.
import { describeDuration } from "../../core/duration";
import { CheckWindow, PanelCheck } from "./dashboardCheck";
import { Labels, Sample } from "./prometheusApi";

export interface ChartSeries {
    legend: string;
    samples: Sample[];
}

export interface PanelChart {
    title: string;
    /** Grafana's unit: "s" (durations), "Bps" (bytes/s), anything else is a plain number. */
    unit: string;
    /** Unix seconds. */
    start: number;
    end: number;
    /** Samples further apart than 1.5 steps are not joined. */
    stepSeconds: number;
    series: ChartSeries[];
    /** Shown under "no data" when a chart has nothing to draw (e.g. why none is expected). */
    note?: string;
}

/** Grafana's classic palette, readable on white. */
export const SERIES_COLORS = ["#7EB26D", "#EAB839", "#6ED0E0", "#EF843C", "#E24D42", "#1F78C1", "#BA43A9", "#705DA0", "#508642", "#CCA300"];

const FONT = "DejaVu Sans, Verdana, sans-serif";
export const PANEL_WIDTH = 640;
export const PANEL_HEIGHT = 340;
const GAP = 16;
const LEGEND_ROWS = 5;
const LEGEND_ROW_HEIGHT = 15;
/** From the plot's bottom to the first legend row's baseline: below the time axis and its caption. */
const LEGEND_TOP = 46;

/** `{{label}}` in a legend format filled from the series' labels, as Grafana does. */
export function legendText(format: string, labels: Labels): string {
    if (format.trim() === "") {
        const { __name__: name, ...rest } = labels;
        const pairs = Object.entries(rest).map(([k, v]) => `${k}="${v}"`).join(", ");
        return `${name ?? ""}${pairs ? `{${pairs}}` : ""}` || "{}";
    }
    return format.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => labels[name] ?? "").trim();
}

/** The chart of a checked panel: every target's series with its legend text. */
export function chartFromPanelCheck(p: PanelCheck, w: CheckWindow): PanelChart {
    const series = p.targets.flatMap((t) => t.series.map((s) => ({ legend: legendText(t.legendFormat, s.labels), samples: s.samples })));
    const notes = p.targets.map((t) => t.expectedNoData ?? (t.error ? `error: ${t.error}` : undefined)).filter((n): n is string => !!n);
    return {
        title: p.title,
        unit: p.unit,
        start: w.start.getTime() / 1000,
        end: w.end.getTime() / 1000,
        stepSeconds: w.stepSeconds,
        series,
        ...(notes.length > 0 ? { note: notes[0] } : {}),
    };
}

export function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function truncate(text: string, max: number): string {
    return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Rounds away float noise (0.1 + 0.2) so labels print cleanly. */
function clean(v: number): number {
    return Number(v.toPrecision(12));
}

/** Up to 3 significant digits, no trailing zeros. */
function short(v: number): string {
    return String(Number(clean(v).toPrecision(3)));
}

/** A plain number with k/M/G/T for large magnitudes. */
export function formatPlain(v: number): string {
    const a = Math.abs(v);
    for (const [size, suffix] of [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]] as const) {
        if (a >= size) return `${short(v / size)}${suffix}`;
    }
    return short(v);
}

/** Bytes per second in decimal units, as Grafana's "Bps". */
export function formatBytesPerSecond(v: number): string {
    const a = Math.abs(v);
    for (const [size, suffix] of [[1e12, "TB/s"], [1e9, "GB/s"], [1e6, "MB/s"], [1e3, "kB/s"]] as const) {
        if (a >= size) return `${short(v / size)} ${suffix}`;
    }
    return `${short(v)} B/s`;
}

/** Seconds as people read them: "250 ms", "45s", "1h30m", "2d". */
export function formatSeconds(v: number): string {
    if (v === 0) return "0s";
    if (v < 0) return `-${formatSeconds(-v)}`;
    if (v < 1) return `${short(v * 1000)} ms`;
    if (v < 10 && !Number.isInteger(clean(v))) return `${short(v)}s`;
    return describeDuration(Math.round(v));
}

/** A value in the panel's unit. */
export function formatValue(v: number, unit: string): string {
    if (unit === "s") return formatSeconds(v);
    if (unit === "Bps") return formatBytesPerSecond(v);
    return formatPlain(v);
}

/** Steps that read well as durations: ms fractions, then 1-2-5 seconds, minutes, hours, days. */
const DURATION_STEPS = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
    43200, 86400, 172800, 604800,
];

/** A 1-2-5 step, or a duration step, giving about `count` intervals over `span`. */
export function niceStep(span: number, count: number, unit: string): number {
    const raw = span / count;
    if (unit === "s" && raw <= DURATION_STEPS[DURATION_STEPS.length - 1]) {
        return DURATION_STEPS.find((s) => s >= raw) ?? raw;
    }
    const magnitude = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
    return clean(step);
}

/** Tick values covering [min, max], on multiples of the step. */
export function ticks(min: number, max: number, step: number): number[] {
    const out: number[] = [];
    for (let v = Math.floor(min / step) * step; v <= max + step * 1e-9; v += step) out.push(clean(v));
    return out;
}

/** The value range to draw: the data's, with 0 included and a little headroom; never empty. */
export function valueRange(series: ChartSeries[], unit: string): { min: number; max: number; step: number } {
    const values = series.flatMap((s) => s.samples.map((p) => p.v)).filter(Number.isFinite);
    const min = Math.min(0, ...values);
    let max = Math.max(0, ...values);
    if (max === min) max = min + 1;
    const step = niceStep(max - min, 4, unit);
    const bottom = Math.floor(clean(min / step)) * step;
    let top = Math.ceil(clean(max / step)) * step;
    // A step of headroom when the data reaches the top, so a flat maximum (an RPO) is not drawn on the frame.
    if (max > 0 && top - max < step * 0.02) top += step;
    return { min: clean(bottom), max: clean(top), step };
}

/** Minute steps for the time axis. */
const MINUTE_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080];

export function timeStepMinutes(spanMinutes: number, maxTicks = 8): number {
    return MINUTE_STEPS.find((s) => spanMinutes / s <= maxTicks) ?? Math.ceil(spanMinutes / maxTicks);
}

interface Box {
    x: number;
    y: number;
    w: number;
    h: number;
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** Polyline point lists of a series: broken at non-finite values and at gaps over 1.5 steps. */
export function segments(samples: Sample[], stepSeconds: number): Sample[][] {
    const out: Sample[][] = [];
    let current: Sample[] = [];
    let last: Sample | undefined;
    for (const p of samples) {
        const gap = last !== undefined && p.t - last.t > 1.5 * stepSeconds;
        if (!Number.isFinite(p.v) || gap) {
            if (current.length > 0) out.push(current);
            current = [];
        }
        if (Number.isFinite(p.v)) current.push(p);
        last = p;
    }
    if (current.length > 0) out.push(current);
    return out;
}

/** One panel as an SVG group inside `box`. */
export function renderPanel(chart: PanelChart, box: Box): string {
    const parts: string[] = [];
    const text = (x: number, y: number, s: string, attrs = "") =>
        parts.push(`<text x="${r1(x)}" y="${r1(y)}"${attrs ? ` ${attrs}` : ""}>${escapeXml(s)}</text>`);
    parts.push(`<g class="panel" transform="translate(${box.x},${box.y})">`);
    parts.push(`<rect class="panel-frame" x="0" y="0" width="${box.w}" height="${box.h}" rx="4" fill="#ffffff" stroke="#d0d3d8"/>`);
    text(10, 20, truncate(chart.title, 70), `class="panel-title" font-size="14" font-weight="bold" fill="#1f2328"`);

    const drawable = chart.series.filter((s) => s.samples.some((p) => Number.isFinite(p.v)));
    const legendRows = Math.min(chart.series.length, LEGEND_ROWS);
    const plot = { left: 72, top: 36, right: box.w - 14, bottom: box.h - LEGEND_TOP - 6 - legendRows * LEGEND_ROW_HEIGHT };
    const plotW = plot.right - plot.left;
    const plotH = plot.bottom - plot.top;
    const span = Math.max(1, chart.end - chart.start);
    const xOf = (t: number) => plot.left + ((t - chart.start) / span) * plotW;

    // Time axis: minutes from the start.
    const spanMinutes = span / 60;
    const minuteStep = timeStepMinutes(spanMinutes);
    parts.push(`<g class="x-axis" font-size="10" fill="#555b63" text-anchor="middle">`);
    for (const m of ticks(0, spanMinutes, minuteStep)) {
        const x = xOf(chart.start + m * 60);
        parts.push(`<line x1="${r1(x)}" y1="${plot.top}" x2="${r1(x)}" y2="${plot.bottom}" stroke="#eceef1"/>`);
        text(x, plot.bottom + 13, String(m));
    }
    text(plot.left + plotW / 2, plot.bottom + 26, "minutes from the start");
    parts.push(`</g>`);

    if (drawable.length === 0) {
        parts.push(`<rect x="${plot.left}" y="${plot.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#c7cbd1"/>`);
        text(plot.left + plotW / 2, plot.top + plotH / 2, "no data", `class="no-data" font-size="18" fill="#8a9099" text-anchor="middle"`);
        if (chart.note) {
            text(plot.left + plotW / 2, plot.top + plotH / 2 + 20, truncate(chart.note, 80), `class="no-data-note" font-size="11" fill="#8a9099" text-anchor="middle"`);
        }
    } else {
        const range = valueRange(drawable, chart.unit);
        const yOf = (v: number) => plot.bottom - ((v - range.min) / (range.max - range.min)) * plotH;
        parts.push(`<g class="y-axis" font-size="10" fill="#555b63" text-anchor="end">`);
        for (const v of ticks(range.min, range.max, range.step)) {
            const y = yOf(v);
            parts.push(`<line x1="${plot.left}" y1="${r1(y)}" x2="${plot.right}" y2="${r1(y)}" stroke="#eceef1"/>`);
            text(plot.left - 6, y + 3.5, formatValue(v, chart.unit));
        }
        parts.push(`</g>`);
        parts.push(`<rect x="${plot.left}" y="${plot.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#c7cbd1"/>`);
        chart.series.forEach((s, i) => {
            const color = SERIES_COLORS[i % SERIES_COLORS.length];
            for (const seg of segments(s.samples, chart.stepSeconds)) {
                const points = seg.map((p) => `${r1(xOf(p.t))},${r1(yOf(p.v))}`);
                if (points.length === 1) {
                    const [x, y] = points[0].split(",");
                    parts.push(`<circle class="series" data-series="${i}" cx="${x}" cy="${y}" r="2" fill="${color}"/>`);
                } else {
                    parts.push(`<polyline class="series" data-series="${i}" points="${points.join(" ")}" fill="none" stroke="${color}" stroke-width="1.8"/>`);
                }
            }
        });
    }

    // Legend: one entry a row under the plot; what does not fit is counted.
    parts.push(`<g class="legend" font-size="11" fill="#1f2328">`);
    const shown = chart.series.length > LEGEND_ROWS ? LEGEND_ROWS - 1 : chart.series.length;
    for (let i = 0; i < shown; i++) {
        const y = plot.bottom + LEGEND_TOP + i * LEGEND_ROW_HEIGHT;
        parts.push(`<rect x="${plot.left}" y="${y - 8}" width="12" height="4" fill="${SERIES_COLORS[i % SERIES_COLORS.length]}"/>`);
        text(plot.left + 18, y - 2, truncate(chart.series[i].legend || "(no legend)", 80), `class="legend-entry"`);
    }
    if (shown < chart.series.length) {
        text(plot.left + 18, plot.bottom + LEGEND_TOP + shown * LEGEND_ROW_HEIGHT - 2, `+${chart.series.length - shown} more series`, `class="legend-more" fill="#555b63"`);
    }
    parts.push(`</g>`);
    parts.push(`</g>`);
    return parts.join("\n");
}

function svgDocument(width: number, height: number, body: string): string {
    return [
        `<?xml version="1.0" encoding="UTF-8"?>`,
        `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
        `<rect x="0" y="0" width="${width}" height="${height}" fill="#f4f5f5"/>`,
        body,
        `</svg>`,
        "",
    ].join("\n");
}

/** One panel as a standalone SVG document. */
export function renderPanelSvg(chart: PanelChart): string {
    return svgDocument(PANEL_WIDTH, PANEL_HEIGHT, renderPanel(chart, { x: 0, y: 0, w: PANEL_WIDTH, h: PANEL_HEIGHT }));
}

/** Panels in a grid (2 columns unless told), under a heading naming the dashboard and the window. */
export function renderPanelGridSvg(opts: { title: string; subtitle: string; charts: PanelChart[]; columns?: number }): string {
    const columns = opts.columns ?? 2;
    const rows = Math.max(1, Math.ceil(opts.charts.length / columns));
    const header = 56;
    const width = GAP + columns * (PANEL_WIDTH + GAP);
    const height = header + rows * (PANEL_HEIGHT + GAP);
    const body = [
        `<text x="${GAP}" y="26" font-size="18" font-weight="bold" fill="#1f2328">${escapeXml(opts.title)}</text>`,
        `<text x="${GAP}" y="44" font-size="12" fill="#555b63">${escapeXml(opts.subtitle)}</text>`,
        ...opts.charts.map((c, i) =>
            renderPanel(c, {
                x: GAP + (i % columns) * (PANEL_WIDTH + GAP),
                y: header + Math.floor(i / columns) * (PANEL_HEIGHT + GAP),
                w: PANEL_WIDTH,
                h: PANEL_HEIGHT,
            })),
    ];
    return svgDocument(width, height, body.join("\n"));
}
