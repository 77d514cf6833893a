// The bench's command line and the plan it implies (which lag cells, in what order). Pure, so the
// unit tests read it without a lab.
import * as path from "path";
import { REPO_ROOT } from "../scripts/lab/shell";
import { GiB, MiB } from "./stats";
import { Args } from "./types";

/** The whole default run should end within this (the lag series takes what is left, unless --lag-budget says otherwise). */
export const RUN_BUDGET_MS = 45 * 60_000;
/** The lag series gets at least this much even when the phases before it overran. */
export const MIN_LAG_BUDGET_MS = 6 * 60_000;
/** The lab's lease, then Ceph's default: production clusters run 120 s. */
export const DEFAULT_LEASES = [15, 120];
export const DEFAULT_COUNTS = [10, 100, 1000, 10000];
export const DEFAULT_SIZES_MIB = [1, 100, 1024];
export const DEFAULT_DRILL_COUNTS = [10, 1000, 10000];

const USAGE = "allowed: --runs N, --quick, --keep, --out DIR, --lag-budget MIN, --leases S,S, --drill-counts N,N, --rpo-runs N, --straggler-runs N, "
    + "--counts N,N --sizes-mib N,N --lag-only, --render RESULTS_JSON";

export function parseArgs(argv: string[]): Args {
    const list = (v: string, what: string) => v.split(",").map((x) => {
        const n = Number(x);
        if (!/^\d+$/.test(x.trim()) || !Number.isInteger(n) || n < 1) throw new Error(`${what} ${v} is not allowed; allowed: comma-separated positive integers`);
        return n;
    });
    const count = (v: string, what: string, max: number) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${what} ${v} is not allowed; allowed: 1 to ${max}`);
        return n;
    };
    const args: Args = {
        runs: 3, quick: false, keep: false, lagOnly: false, out: path.join(REPO_ROOT, "bench"),
        leases: DEFAULT_LEASES, drillCounts: DEFAULT_DRILL_COUNTS, rpoRuns: 4, stragglerRuns: 6,
    };
    const given = new Set<string>();
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        given.add(a);
        const value = () => {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${a} needs a value`);
            return v;
        };
        if (a === "--runs") args.runs = count(value(), a, 20);
        else if (a === "--quick") args.quick = true;
        else if (a === "--keep") args.keep = true;
        else if (a === "--out") args.out = path.resolve(value());
        else if (a === "--render") args.render = path.resolve(value());
        else if (a === "--counts") args.counts = list(value(), a).map((n) => Math.max(n, 9));
        else if (a === "--sizes-mib") args.sizesMiB = list(value(), a);
        else if (a === "--lag-only") args.lagOnly = true;
        else if (a === "--leases") {
            args.leases = list(value(), a);
            if (new Set(args.leases).size !== args.leases.length) throw new Error(`--leases ${argv[i]} is not allowed; allowed: distinct positive integers (seconds)`);
        }
        else if (a === "--drill-counts") args.drillCounts = list(value(), a).map((n) => Math.max(n, 9));
        else if (a === "--rpo-runs") args.rpoRuns = count(value(), a, 20);
        else if (a === "--straggler-runs") args.stragglerRuns = count(value(), a, 40);
        else if (a === "--lag-budget") {
            const m = Number(value());
            if (!(m > 0 && m <= 120)) throw new Error(`--lag-budget ${argv[i]} is not allowed; allowed: minutes, 0 to 120`);
            args.lagBudgetMs = m * 60_000;
        } else throw new Error(`unknown argument ${a}; ${USAGE}`);
    }
    if (args.quick) {
        // A short smoke of every phase: both leases, one run, small cells.
        if (!given.has("--runs")) args.runs = 1;
        if (!given.has("--drill-counts")) args.drillCounts = [10];
        if (!given.has("--rpo-runs")) args.rpoRuns = 1;
        if (!given.has("--straggler-runs")) args.stragglerRuns = 2;
    }
    return args;
}

export interface LagCellPlan {
    objects: number;
    bytes: number;
}

/**
 * The lag series' cells, fewest objects first and every size at each count (so a budget that runs
 * out still leaves every size measured at the small counts). By default 10,000 objects only at
 * 1 MiB and 100 MiB (10,000 objects of 1 GiB would take too long on 2 cores); cells given on the
 * command line are all measured.
 */
export function lagCells(args: Pick<Args, "quick" | "counts" | "sizesMiB">): LagCellPlan[] {
    const counts = args.counts ?? (args.quick ? [10, 100] : DEFAULT_COUNTS);
    const sizes = (args.sizesMiB ?? (args.quick ? [1] : DEFAULT_SIZES_MIB)).map((m) => m * MiB);
    const explicit = args.counts !== undefined || args.sizesMiB !== undefined;
    const cells: LagCellPlan[] = [];
    for (const objects of counts) {
        for (const bytes of sizes) {
            if (!explicit && objects >= 10000 && bytes >= GiB) continue;
            cells.push({ objects, bytes });
        }
    }
    return cells;
}

/** The lag series' budget: --lag-budget, else what is left of RUN_BUDGET_MS (at least MIN_LAG_BUDGET_MS). */
export function lagBudget(args: Pick<Args, "lagBudgetMs">, elapsedMs: number): number {
    return args.lagBudgetMs ?? Math.max(MIN_LAG_BUDGET_MS, RUN_BUDGET_MS - elapsedMs);
}
