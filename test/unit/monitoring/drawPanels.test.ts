import { expect } from "chai";
import { PanelCheck } from "../../../scripts/monitoring/dashboardCheck";
import {
    PANEL_HEIGHT, PANEL_WIDTH, PanelChart, chartFromPanelCheck, formatValue, legendText, niceStep, renderPanelGridSvg, renderPanelSvg, segments,
    ticks, timeStepMinutes, valueRange,
} from "../../../scripts/monitoring/drawPanels";

const T0 = 1796022000;

function chart(overrides: Partial<PanelChart> = {}): PanelChart {
    return { title: "A panel", unit: "short", start: T0, end: T0 + 3600, stepSeconds: 60, series: [], ...overrides };
}

/** A ramp from 0 to `top` over the hour, one sample a minute. */
function ramp(legend: string, top: number): { legend: string; samples: { t: number; v: number }[] } {
    return { legend, samples: Array.from({ length: 61 }, (_, i) => ({ t: T0 + 60 * i, v: (top * i) / 60 })) };
}

/** The texts of the elements with this class, in order. */
function texts(svg: string, cls: string): string[] {
    return [...svg.matchAll(new RegExp(`<text [^>]*class="${cls}"[^>]*>([^<]*)</text>`, "g"))].map((m) => m[1]);
}

/** The tick labels inside the axis group with this class. */
function axisLabels(svg: string, cls: "x-axis" | "y-axis"): string[] {
    const group = new RegExp(`<g class="${cls}"[^>]*>([\\s\\S]*?)</g>`).exec(svg)?.[1] ?? "";
    return [...group.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
}

describe("monitoring/drawPanels: values, ticks and legends", () => {
    const values: Array<[number, string, string]> = [
        [0, "s", "0s"],
        [0.05, "s", "50 ms"],
        [0.0125, "s", "12.5 ms"],
        [2.5, "s", "2.5s"],
        [45, "s", "45s"],
        [600, "s", "10m"],
        [5400, "s", "1h30m"],
        [93600, "s", "1d2h"],
        [-120, "s", "-2m"],
        [0, "Bps", "0 B/s"],
        [512, "Bps", "512 B/s"],
        [1500, "Bps", "1.5 kB/s"],
        [4_000_000, "Bps", "4 MB/s"],
        [2.5e9, "Bps", "2.5 GB/s"],
        [0.5, "short", "0.5"],
        [12, "short", "12"],
        [1500, "ops", "1.5k"],
        [2_000_000, "none", "2M"],
        [0.30000000000000004, "short", "0.3"],
    ];
    for (const [v, unit, want] of values) {
        it(`formatValue(${v}, ${unit}) = ${want}`, () => {
            expect(formatValue(v, unit)).to.equal(want);
        });
    }

    const steps: Array<[number, number, string, number]> = [
        [1, 4, "short", 0.5],
        [100, 4, "short", 50],
        [7, 4, "short", 2],
        [1800, 4, "s", 600],
        [0.04, 4, "s", 0.01],
        [86400, 4, "s", 21600],
        [40_000_000, 4, "Bps", 10_000_000],
    ];
    for (const [span, count, unit, want] of steps) {
        it(`niceStep(${span}, ${count}, ${unit}) = ${want}`, () => {
            expect(niceStep(span, count, unit)).to.equal(want);
        });
    }

    it("ticks cover the range on multiples of the step, without float noise", () => {
        expect(ticks(0, 1, 0.2)).to.deep.equal([0, 0.2, 0.4, 0.6, 0.8, 1]);
        expect(ticks(-10, 25, 10)).to.deep.equal([-10, 0, 10, 20]);
    });

    it("the value range includes 0, has headroom above a flat maximum, and is never empty", () => {
        expect(valueRange([ramp("x", 1800)], "s")).to.deep.equal({ min: 0, max: 2400, step: 600 });
        expect(valueRange([{ legend: "z", samples: [{ t: T0, v: 0 }] }], "short")).to.deep.include({ min: 0 });
        expect(valueRange([{ legend: "z", samples: [{ t: T0, v: 0 }] }], "short").max).to.be.greaterThan(0);
        expect(valueRange([{ legend: "n", samples: [{ t: T0, v: -5 }, { t: T0 + 1, v: NaN }] }], "short")).to.deep.equal({ min: -6, max: 0, step: 2 });
    });

    const minuteSteps: Array<[number, number]> = [[60, 10], [10, 2], [1440, 180], [180, 30], [20160, 2880]];
    for (const [span, want] of minuteSteps) {
        it(`a ${span}-minute window has time ticks every ${want} minutes`, () => {
            expect(timeStepMinutes(span)).to.equal(want);
        });
    }

    const legends: Array<[string, Record<string, string>, string]> = [
        ["{{schedule}} age", { schedule: "daily" }, "daily age"],
        ["{{ source_zone }} fetch errors", { source_zone: "zone-b" }, "zone-b fetch errors"],
        ["{{missing}} RPO", { schedule: "daily" }, "RPO"],
        ["", { __name__: "up", job: "velero" }, `up{job="velero"}`],
        ["", {}, "{}"],
    ];
    for (const [format, labels, want] of legends) {
        it(`legendText(${JSON.stringify(format)}) = ${JSON.stringify(want)}`, () => {
            expect(legendText(format, labels)).to.equal(want);
        });
    }

    it("segments break at gaps over 1.5 steps and at non-finite values", () => {
        const s = [0, 60, 120, 300, 360, 420, 480].map((dt, i) => ({ t: T0 + dt, v: i === 5 ? NaN : i }));
        expect(segments(s, 60).map((seg) => seg.map((p) => p.t - T0))).to.deep.equal([[0, 60, 120], [300, 360], [480]]);
    });
});

describe("monitoring/drawPanels: SVG", () => {
    it("draws one polyline per series, the title, and legend texts (escaped)", () => {
        const svg = renderPanelSvg(chart({ title: "Age <per> schedule", unit: "s", series: [ramp("daily & weekly age", 1800), ramp("daily RPO", 900)] }));
        expect(svg).to.match(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="340"/);
        expect(texts(svg, "panel-title")).to.deep.equal(["Age &lt;per&gt; schedule"]);
        expect(svg.match(/<polyline class="series"/g)).to.have.length(2);
        expect(svg).to.include(`data-series="0"`).and.include(`data-series="1"`);
        expect(texts(svg, "legend-entry")).to.deep.equal(["daily &amp; weekly age", "daily RPO"]);
        expect(svg).to.not.include("no data");
    });

    it("the value axis is in the panel's unit: durations, bytes/s, plain numbers", () => {
        expect(axisLabels(renderPanelSvg(chart({ unit: "s", series: [ramp("a", 1800)] })), "y-axis")).to.deep.equal(["0s", "10m", "20m", "30m", "40m"]);
        expect(axisLabels(renderPanelSvg(chart({ unit: "Bps", series: [ramp("a", 4e6)] })), "y-axis")).to.deep.equal(["0 B/s", "1 MB/s", "2 MB/s", "3 MB/s", "4 MB/s", "5 MB/s"]);
        expect(axisLabels(renderPanelSvg(chart({ unit: "short", series: [ramp("a", 3)] })), "y-axis")).to.deep.equal(["0", "1", "2", "3", "4"]);
    });

    it("the time axis is in minutes from the start", () => {
        const svg = renderPanelSvg(chart({ series: [ramp("a", 1)] }));
        expect(axisLabels(svg, "x-axis")).to.deep.equal(["0", "10", "20", "30", "40", "50", "60", "minutes from the start"]);
    });

    it("a panel whose series are all empty says no data, with the note, and draws no line", () => {
        const svg = renderPanelSvg(chart({ series: [], note: "expected: no node-agent" }));
        expect(texts(svg, "no-data")).to.deep.equal(["no data"]);
        expect(texts(svg, "no-data-note")).to.deep.equal(["expected: no node-agent"]);
        expect(svg).to.not.include("<polyline");
        expect(axisLabels(svg, "y-axis")).to.deep.equal([]);
        const nanOnly = renderPanelSvg(chart({ series: [{ legend: "x", samples: [{ t: T0, v: NaN }] }] }));
        expect(texts(nanOnly, "no-data")).to.deep.equal(["no data"]);
    });

    it("a lone sample is a dot; a series with a gap is two lines", () => {
        const svg = renderPanelSvg(chart({
            series: [
                { legend: "dot", samples: [{ t: T0 + 600, v: 1 }] },
                { legend: "gap", samples: [0, 60, 1200, 1260].map((dt) => ({ t: T0 + dt, v: 2 })) },
            ],
        }));
        expect(svg.match(/<circle class="series" data-series="0"/g)).to.have.length(1);
        expect(svg.match(/<polyline class="series" data-series="1"/g)).to.have.length(2);
    });

    it("a long legend shows the first entries and counts the rest", () => {
        const svg = renderPanelSvg(chart({ series: Array.from({ length: 8 }, (_, i) => ramp(`s${i}`, i + 1)) }));
        expect(texts(svg, "legend-entry")).to.deep.equal(["s0", "s1", "s2", "s3"]);
        expect(texts(svg, "legend-more")).to.deep.equal(["+4 more series"]);
        expect(svg.match(/<polyline class="series"/g)).to.have.length(8);
    });

    it("the grid has 2 columns, a heading and every panel", () => {
        const charts = ["a", "b", "c"].map((t) => chart({ title: t, series: [ramp(t, 1)] }));
        const svg = renderPanelGridSvg({ title: "Velero DR (site-a)", subtitle: "site-a: window", charts });
        const width = 16 + 2 * (PANEL_WIDTH + 16);
        const height = 56 + 2 * (PANEL_HEIGHT + 16);
        expect(svg).to.include(`width="${width}" height="${height}"`);
        expect(svg.match(/<g class="panel"/g)).to.have.length(3);
        expect(texts(svg, "panel-title")).to.deep.equal(["a", "b", "c"]);
        expect(svg).to.include(`<g class="panel" transform="translate(16,56)">`);
        expect(svg).to.include(`<g class="panel" transform="translate(${16 + PANEL_WIDTH + 16},56)">`);
        expect(svg).to.include(`<g class="panel" transform="translate(16,${56 + PANEL_HEIGHT + 16})">`);
        expect(svg).to.include(">Velero DR (site-a)</text>");
    });

    it("a checked panel becomes a chart: legends from legendFormat, the reason as note", () => {
        const p: PanelCheck = {
            id: 1, title: "Age", type: "timeseries", unit: "s",
            targets: [
                { refId: "A", legendFormat: "{{schedule}} age", expr: "x", query: "x", outcome: "data", sampleCount: 1, series: [{ labels: { schedule: "daily" }, samples: [{ t: T0, v: 1 }] }] },
                { refId: "B", legendFormat: "{{schedule}} RPO", expr: "y", query: "y", outcome: "no data", sampleCount: 0, series: [], expectedNoData: "no schedules" },
            ],
        };
        const c = chartFromPanelCheck(p, { start: new Date(T0 * 1000), end: new Date((T0 + 3600) * 1000), stepSeconds: 15, rateIntervalSeconds: 60 });
        expect(c).to.deep.include({ title: "Age", unit: "s", start: T0, end: T0 + 3600, stepSeconds: 15, note: "no schedules" });
        expect(c.series.map((s) => s.legend)).to.deep.equal(["daily age"]);
    });
});
