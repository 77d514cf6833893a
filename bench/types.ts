// The bench's results, as bench/results.json holds them. Optional fields that only older runs have
// (the replay lab's mocked program evaluation and per-command steps) stay so `--render` reads them.
import { LabSettings, Site } from "../scripts/lab/labSettings";
import { Fit } from "./stats";

export interface Args {
    runs: number;
    quick: boolean;
    keep: boolean;
    out: string;
    lagBudgetMs: number;
    counts?: number[];
    sizesMiB?: number[];
    lagOnly: boolean;
    /** Only re-render RESULTS.md from this results.json (after a change of the report's layout). */
    render?: string;
}

export interface LagRun {
    run: number;
    name: string;
    objects: number;
    bytes: number;
    multipartObjects: number;
    uploadMs?: number;
    lagMs?: number;
    /** Half / nine tenths of the objects were on B this long after the upload ended (poll resolution 0.25 s). */
    lag50Ms?: number;
    lag90Ms?: number;
    toBMs?: number;
    verifyMs?: number;
    verified?: boolean;
    deleteReplicatedMs?: number;
    usageAfterCleanup?: Record<Site, number>;
    error?: string;
}

export interface LagCell {
    objects: number;
    bytes: number;
    runs: LagRun[];
    skipped?: string;
}

export interface TimedStep {
    what: string;
    ms: number;
}

export type Phase = { step: string; what: string; ms: number };

export interface SwitchOutcome {
    /**
     * The switch itself. Program: `pulumi up -s failover` (engine, Ceph commands and the Velero
     * locations/schedules); manual: the typed commands. (Runs of the replay lab: the replayed Ceph commands.)
     */
    switchMs: number;
    steps: TimedStep[];
    /** Program: the `pulumi config set`/`rm` calls before `pulumi up` (not in switchMs nor in the clock). */
    configMs?: number;
    /** Program: the engine's summary of changes. */
    changes?: Record<string, number>;
    /** Replay lab only: the program evaluated under mocks, and the time between the script's progress lines. */
    recordMs?: number;
    phases?: Phase[];
    /** From the switch's start (program: `pulumi up`) to the first PUT the new master accepts after it. */
    toFirstWriteMs: number;
    /** From the switch's start until the newest backup is complete on the new master (sha256). */
    toRestoreReadyMs?: number;
}

export interface Scenario {
    drill?: { switch: SwitchOutcome; switchBack: SwitchOutcome };
    lost?: {
        /** Cutting A's link (`ceph-lab.sh cut a`). (Replay lab: stopping A's gateway.) */
        stopAMs: number;
        switch: SwitchOutcome;
        /** Healing A's link and rejoining A as a secondary. */
        returnMs: number;
        returnSteps: TimedStep[];
        /** From A's return until the backup written on B during the outage is complete on A. */
        catchUpMs: number;
        failback: SwitchOutcome;
        /** From A's return to the first write on A as master again. */
        failbackTotalMs: number;
    };
}

export interface ReapplyStack {
    ms: number;
    /** `pulumi up --expect-no-changes` succeeded (exit 0). */
    noChanges?: boolean;
    /** Replay lab only: the replayed commands. */
    steps?: TimedStep[];
    recordMs?: number;
}

export interface Reapply {
    siteA?: ReapplyStack;
    siteB?: ReapplyStack;
    failover?: ReapplyStack;
    periodsUnchanged?: boolean;
    detail?: string;
}

export interface Results {
    startedAt: string;
    finishedAt?: string;
    durationMs?: number;
    complete: boolean;
    args: Omit<Args, "out" | "render">;
    lab: LabSettings;
    machine: Record<string, unknown>;
    versions: Record<string, unknown>;
    method: Record<string, unknown>;
    setup: Record<string, number>;
    /** The lab lifecycle's own timings (scripts/lab/drill.ts keys: lab.cephUp, siteA.up, failover.up, ...). */
    labTimingsMs?: Record<string, number>;
    lag: LagCell[];
    lagModel?: { lag: Fit; upload: Fit; toB: Fit };
    program: Scenario;
    manual: Scenario;
    reapply: Reapply;
    afterManual?: { failoverReapplyMs?: number; changes?: Record<string, number>; periodsUnchanged?: boolean; detail?: string };
    checks: Array<{ name: string; ok: boolean; detail: string }>;
    errors: string[];
}
