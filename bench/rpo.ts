// End-to-end RPO on the real lab: a Velero backup Completed in cluster A -> the same backup
// Completed in cluster B (imported by B's backup sync through its ReadOnly location, so B can
// restore it). For each passiveBackupSyncPeriod of the failover stack (the passive location's
// backupSyncPeriod): `pulumi config set`, `pulumi up -s failover`, then N backups started one
// tick/N apart (so they complete at phases spread over Velero's 60 s sync tick), all watched by
// one poller every 0.5 s: cluster A's and cluster B's Backup objects (one `kubectl get` each) and
// velero-backup.json in zone B (the replication part).
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { SCHEDULE } from "../scripts/lab/drill";
import { VeleroObject } from "../scripts/lab/cluster";
import { BenchCtx } from "./context";
import { programSwitch } from "./drill";
import { VELERO_SYNC_TICK_S } from "./goals";
import { RpoRun, RpoSetting } from "./types";
import { errText, sec, sleep } from "./stats";

const POLL_MS = 500;
const FINAL_PHASES = ["Completed", "PartiallyFailed", "Failed", "FailedValidation"];
/** How long cluster B gets after a backup completed in A (two skipped ticks and more). */
const WAIT_ON_B_MS = 300_000;
/** How long a backup in A may take. */
const WAIT_ON_A_MS = 300_000;

interface Watched {
    run: RpoRun;
    startedAt: number;
    completedAt?: number;
    inBucketAt?: number;
    done: boolean;
}

const phaseOf = (items: VeleroObject[], name: string) => items.find((o) => o.metadata.name === name);

/** N backups of the lab's schedule in cluster A, started tick/N apart, each followed to cluster B. */
/** Both clusters' locations Available (Velero refuses a backup to an Unavailable one), as an operator checks first. */
async function locationsAvailable(ctx: BenchCtx, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const phases = await Promise.all((["a", "b"] as const).map(async (site) => (await ctx.d.clusters[site].veleroObject("backupstoragelocations", "default"))?.status?.phase));
        if (phases.every((p) => p === "Available")) return;
        if (Date.now() > deadline) throw new Error(`backup locations not Available after ${sec(timeoutMs)}: A ${String(phases[0])}, B ${String(phases[1])}`);
        await sleep(1000);
    }
}

async function rpoRuns(ctx: BenchCtx, period: string, runs: number): Promise<RpoRun[]> {
    const { a, b } = ctx.d.clusters;
    await locationsAvailable(ctx, 180_000);
    const spacingMs = (VELERO_SYNC_TICK_S * 1000) / runs;
    const watched: Watched[] = [];
    const stamp = Date.now().toString(36);
    let creating = true;
    // Backups are made in the background, spaced; the poller below follows them as they appear.
    const creator = (async () => {
        try {
            for (let i = 0; i < runs; i++) {
                if (i > 0) await sleep(spacingMs);
                const name = `rpo-${period.toLowerCase()}-${i + 1}-${stamp}`;
                const w: Watched = { run: { name }, startedAt: Date.now(), done: false };
                watched.push(w);
                await a.velero(["backup", "create", name, "--from-schedule", SCHEDULE]).catch((e) => {
                    w.run.error = `velero backup create: ${errText(e)}`;
                    w.done = true;
                });
            }
        } finally {
            creating = false;
        }
    })();
    while (creating || watched.some((w) => !w.done)) {
        const polled = Date.now();
        const pending = watched.filter((w) => !w.done);
        if (pending.length) {
            const [onA, onB] = await Promise.all([
                a.veleroObjects("backups").catch(() => undefined),
                b.veleroObjects("backups").catch(() => undefined),
            ]);
            await Promise.all(pending.filter((w) => w.inBucketAt === undefined).map(async (w) => {
                // Velero's bucket (ctx.d.bucket), not the bench's synthetic one (ctx.bucket).
                const found = await ctx.clients.b.send(new HeadObjectCommand({ Bucket: ctx.d.bucket, Key: `backups/${w.run.name}/velero-backup.json` })).then(() => true, () => false);
                if (found) w.inBucketAt = Date.now();
            }));
            const now = Date.now();
            for (const w of pending) {
                const x = onA && phaseOf(onA, w.run.name);
                if (w.completedAt === undefined && x?.status?.phase && FINAL_PHASES.includes(x.status.phase)) {
                    if (x.status.phase !== "Completed") {
                        w.run.error = `backup ${w.run.name} in cluster A: phase ${x.status.phase}`;
                        w.done = true;
                        continue;
                    }
                    w.completedAt = now;
                    w.run.completedOnA = new Date(now).toISOString();
                    w.run.completionTimestamp = x.status.completionTimestamp;
                }
                if (w.completedAt === undefined && now - w.startedAt > WAIT_ON_A_MS) {
                    w.run.error = `backup ${w.run.name} not final in cluster A within ${sec(WAIT_ON_A_MS)}`;
                    w.done = true;
                    continue;
                }
                if (w.completedAt === undefined) continue;
                const y = onB && phaseOf(onB, w.run.name);
                if (y?.status?.phase === "Completed") {
                    w.run.rpoMs = now - w.completedAt;
                    if (w.inBucketAt !== undefined) w.run.replicationMs = w.inBucketAt - w.completedAt;
                    w.done = true;
                    ctx.log(`    ${w.run.name}: Completed in cluster B ${sec(w.run.rpoMs)} after it completed in A `
                        + `(velero-backup.json in zone B ${sec(w.run.replicationMs)} after)`);
                } else if (now - w.completedAt > WAIT_ON_B_MS) {
                    w.run.error = `backup ${w.run.name} not Completed in cluster B within ${sec(WAIT_ON_B_MS)} of completing in A`;
                    w.done = true;
                }
            }
        }
        await sleep(Math.max(0, POLL_MS - (Date.now() - polled)));
    }
    await creator;
    // Where in the tick each one completed, relative to the first (they sample the tick's phase).
    const first = watched.find((w) => w.completedAt !== undefined)?.completedAt;
    for (const w of watched) if (first !== undefined && w.completedAt !== undefined) w.run.offsetFromFirstS = Number(((w.completedAt - first) / 1000).toFixed(1));
    return watched.map((w) => w.run);
}

/** The RPO series for each setting; the failover stack is back at `restore` at the end. */
export async function rpoSeries(ctx: BenchCtx, periods: string[], runs: number, restore: string, into: RpoSetting[]): Promise<void> {
    try {
        for (const period of periods) {
            const setting: RpoSetting = { period, runs: [] };
            into.push(setting);
            ctx.log(`==> RPO with passiveBackupSyncPeriod ${period}: ${runs} backups in cluster A, ${sec((VELERO_SYNC_TICK_S * 1000) / runs)} apart, each waited for in cluster B`);
            try {
                const t = Date.now();
                await ctx.d.ws.configSet("failover", "passiveBackupSyncPeriod", period);
                await programSwitch(ctx, { activeSite: "a" });
                setting.applyMs = Date.now() - t;
                setting.runs = await rpoRuns(ctx, period, runs);
                for (const r of setting.runs) if (r.error) ctx.log(`    ${r.name}: FAILED ${r.error}`);
            } catch (e) {
                setting.error = errText(e);
                ctx.log(`    RPO with ${period} FAILED: ${setting.error}`);
            }
        }
    } finally {
        ctx.log(`==> failover stack back to passiveBackupSyncPeriod ${restore}`);
        await ctx.d.ws.configSet("failover", "passiveBackupSyncPeriod", restore);
        await programSwitch(ctx, { activeSite: "a" });
    }
}
