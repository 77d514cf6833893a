// Units, formatting and statistics of the bench: medians of runs, and a least-squares fit of how
// a time grows with object count and size. Pure functions, no lab.

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

export const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
export const sec = (ms: number | undefined) => (ms === undefined ? "n/a" : `${(ms / 1000).toFixed(Math.abs(ms) < 1000 ? 2 : 1)} s`);
export const errText = (e: unknown) => ((e as Error)?.message ?? String(e)).split("\n").slice(0, 8).join("\n");

export function sizeLabel(bytes: number): string {
    if (bytes >= GiB && bytes % GiB === 0) return `${bytes / GiB} GiB`;
    if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
    return `${(bytes / MiB).toFixed(1)} MiB`;
}

export interface Stat {
    median: number;
    min: number;
    max: number;
    n: number;
}

export function stat(values: number[]): Stat | undefined {
    if (values.length === 0) return undefined;
    const v = [...values].sort((x, y) => x - y);
    const mid = Math.floor(v.length / 2);
    return { median: v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2, min: v[0], max: v[v.length - 1], n: v.length };
}

export interface Fit {
    /** ms = intercept + perThousandObjects * objects/1000 + perGiB * GiB */
    interceptMs: number;
    perThousandObjectsMs: number;
    perGiBMs: number;
    r2: number;
    points: number;
}

/** Least squares of points: y ~ a + b * objects/1000 + c * GiB; undefined with fewer than 4 points or a singular system. */
export function fitPoints(points: Array<{ objects: number; bytes: number; y: number }>): Fit | undefined {
    const pts = points.map((p) => ({ x1: p.objects / 1000, x2: p.bytes / GiB, y: p.y }));
    if (pts.length < 4) return undefined;
    // Normal equations for [1, x1, x2].
    const X = pts.map((p) => [1, p.x1, p.x2]);
    const A = [0, 1, 2].map((i) => [0, 1, 2].map((j) => X.reduce((n, row) => n + row[i] * row[j], 0)));
    const bvec = [0, 1, 2].map((i) => X.reduce((n, row, k) => n + row[i] * pts[k].y, 0));
    // Gaussian elimination.
    const M = A.map((row, i) => [...row, bvec[i]]);
    for (let c = 0; c < 3; c++) {
        let piv = c;
        for (let r = c + 1; r < 3; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
        [M[c], M[piv]] = [M[piv], M[c]];
        if (Math.abs(M[c][c]) < 1e-12) return undefined;
        for (let r = 0; r < 3; r++) {
            if (r === c) continue;
            const f = M[r][c] / M[c][c];
            for (let k = c; k < 4; k++) M[r][k] -= f * M[c][k];
        }
    }
    const coef = [0, 1, 2].map((i) => M[i][3] / M[i][i]);
    const mean = pts.reduce((n, p) => n + p.y, 0) / pts.length;
    const ssTot = pts.reduce((n, p) => n + (p.y - mean) ** 2, 0);
    const ssRes = pts.reduce((n, p) => n + (p.y - (coef[0] + coef[1] * p.x1 + coef[2] * p.x2)) ** 2, 0);
    return { interceptMs: coef[0], perThousandObjectsMs: coef[1], perGiBMs: coef[2], r2: ssTot > 0 ? 1 - ssRes / ssTot : 1, points: pts.length };
}

export const ratio = (p?: number, m?: number) => (p !== undefined && m !== undefined && m > 0 ? `${(p / m).toFixed(2)}x` : "n/a");
export const mibps = (bytes: number, ms?: number) => (ms ? (bytes / MiB / (ms / 1000)).toFixed(1) : "n/a");
export const fmtStat = (st?: Stat) => (st ? `${sec(st.median)} (${sec(st.min)} - ${sec(st.max)})` : "n/a");
export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Nearest-rank percentile (q in 0..1) of the values; with few values p95 is the maximum. */
export function percentile(values: number[], q: number): number | undefined {
    if (values.length === 0) return undefined;
    const v = [...values].sort((x, y) => x - y);
    return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
}

/** Least squares of y ~ intercept + slope * x; undefined with fewer than 2 distinct x. */
export function fitLine(points: Array<{ x: number; y: number }>): { intercept: number; slope: number; r2: number; points: number } | undefined {
    const n = points.length;
    if (new Set(points.map((p) => p.x)).size < 2) return undefined;
    const mx = points.reduce((s, p) => s + p.x, 0) / n;
    const my = points.reduce((s, p) => s + p.y, 0) / n;
    const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
    const sxy = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
    const slope = sxy / sxx;
    const intercept = my - slope * mx;
    const ssTot = points.reduce((s, p) => s + (p.y - my) ** 2, 0);
    const ssRes = points.reduce((s, p) => s + (p.y - (intercept + slope * p.x)) ** 2, 0);
    return { intercept, slope, r2: ssTot > 0 ? 1 - ssRes / ssTot : 1, points: n };
}
