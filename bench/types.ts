// The bench's results, as bench/results.json holds them. Optional fields that only older runs have
// (the replay lab's mocked program evaluation and per-command steps) stay so `--render` reads them.
import { LabSettings, Site } from "../scripts/lab/labSettings";
import { Fit } from "./stats";
import { StragglerResults } from "./stragglers";

export interface Args {
    runs: number;
    quick: boolean;
    keep: boolean;
    out: string;
    /** The lag series' time budget; without --lag-budget, what is left of RUN_BUDGET_MS when the series starts. */
    lagBudgetMs?: number;
    counts?: number[];
    sizesMiB?: number[];
    lagOnly: boolean;
    /** rgw_sync_lease_period values, in the order measured (`ceph-lab.sh sync-lease N`). */
    leases: number[];
    /** Object counts of the switch backups of the drill-by-size phase (at the last lease). */
    drillCounts: number[];
    /** Backups per passiveBackupSyncPeriod setting in the RPO phase. */
    rpoRuns: number;
    /** Runs of the straggler cell before and after rgw_data_notify_interval_msec (bench/stragglers.ts). */
    stragglerRuns: number;
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

/** One line of a switch's timeline: seconds after `pulumi up` started (1 s resolution: the engine stamps events in whole seconds). */
export interface TimelineEntry {
    offsetS: number;
    step: string;
}

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
    /** Program: the resources' starts and ends (and the tool's progress lines, when the event log carries them). */
    timeline?: TimelineEntry[];
    /** Program: whether the engine's event log carried the tool's `==>` progress lines. */
    timelineHasProgress?: boolean;
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

/** One lease setting: both gateways restarted with it, then the drills (and, at the last lease, the lost site). */
export interface LeaseResults {
    leaseS: number;
    /** `ceph-lab.sh sync-lease N` and the wait until both zones' `sync status` say caught up. */
    setLeaseMs?: number;
    caughtUpMs?: number;
    program: Scenario;
    manual: Scenario;
}

/** A program drill whose switch backup had `objects` objects (same total size). */
export interface DrillBySize {
    objects: number;
    bytes: number;
    leaseS: number;
    toFirstWriteMs?: number;
    toRestoreReadyMs?: number;
    switchMs?: number;
    error?: string;
}

/** One Velero backup made on A and waited for on B. */
export interface RpoRun {
    name: string;
    /** When the bench saw it Completed on A (polled every 0.5 s) and Velero's status.completionTimestamp (RFC 3339, 1 s resolution). */
    completedOnA?: string;
    completionTimestamp?: string;
    /** Seen Completed on B (polled every 0.5 s, up to 5 min) minus seen Completed on A. */
    rpoMs?: number;
    /** velero-backup.json found in B's zone (HeadObject every 0.5 s) minus seen Completed on A (may be negative: Velero uploads it before it marks the backup Completed). */
    replicationMs?: number;
    /** Seconds after the setting's first backup completed on A (the runs start tick/N apart, so they sample Velero's sync tick). */
    offsetFromFirstS?: number;
    error?: string;
}

export interface RpoSetting {
    /** The failover stack's passiveBackupSyncPeriod (the passive BackupStorageLocation's backupSyncPeriod). */
    period: string;
    applyMs?: number;
    runs: RpoRun[];
    error?: string;
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
    /** The run's arguments (older results.json files lack the newer ones). */
    args: Partial<Omit<Args, "out" | "render">> & Pick<Args, "runs" | "quick">;
    lab: LabSettings;
    /** Wall time of each phase of the run, in the order run. */
    phaseMs?: Record<string, number>;
    machine: Record<string, unknown>;
    versions: Record<string, unknown>;
    method: Record<string, unknown>;
    setup: Record<string, number>;
    /** The lab lifecycle's own timings (scripts/lab/drill.ts keys: lab.cephUp, siteA.up, failover.up, ...). */
    labTimingsMs?: Record<string, number>;
    lag: LagCell[];
    lagModel?: { lag: Fit; upload: Fit; toB: Fit };
    /** Older runs (one lease, the lab's): the switches. Newer runs keep them in byLease. */
    program: Scenario;
    manual: Scenario;
    byLease?: Record<string, LeaseResults>;
    stragglers?: StragglerResults;
    drillBySize?: DrillBySize[];
    rpo?: RpoSetting[];
    reapply: Reapply;
    afterManual?: { failoverReapplyMs?: number; changes?: Record<string, number>; periodsUnchanged?: boolean; detail?: string };
    checks: Array<{ name: string; ok: boolean; detail: string }>;
    errors: string[];
}
