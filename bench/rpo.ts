// End-to-end RPO on the real lab: a Velero backup Completed in cluster A -> the same backup
// Completed in cluster B (imported by B's backup sync through its ReadOnly location, so B can
// restore it). For each passiveBackupSyncPeriod of the failover stack (the passive location's
// backupSyncPeriod): `pulumi config set`, `pulumi up -s failover`, then N backups made one after
// another, each polled every 0.5 s on A (phase) and on B (Backup object; velero-backup.json in
// B's zone for the replication part).
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { SCHEDULE } from "../scripts/lab/drill";
import { VeleroObject } from "../scripts/lab/cluster";
import { BenchCtx } from "./context";
import { programSwitch } from "./drill";
import { targetPhaseS } from "./goals";
import { RpoRun, RpoSetting } from "./types";
import { errText, sec, sleep } from "./stats";

const POLL_MS = 500;
const FINAL_PHASES = ["Completed", "PartiallyFailed", "Failed", "FailedValidation"];
/** Polls `fn` every POLL_MS until it returns a value; undefined after timeoutMs. */
async function poll<T>(fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn().catch(() => undefined);
        if (v !== undefined) return v;
        if (Date.now() > deadline) return undefined;
        await sleep(POLL_MS);
    }
}

async function rpoRun(ctx: BenchCtx, name: string): Promise<{ run: RpoRun; seenOnB?: number; tookMs: number }> {
    const { a, b } = ctx.d.clusters;
    const run: RpoRun = { name };
    const created = Date.now();
    await a.velero(["backup", "create", name, "--from-schedule", SCHEDULE]);
    // velero-backup.json in B's zone (the replication part), watched from the start.
    const key = `backups/${name}/velero-backup.json`;
    let stopBucket = false;
    const inBucket = (async () => {
        while (!stopBucket && Date.now() - created < 600_000) {
            const found = await ctx.clients.b.send(new HeadObjectCommand({ Bucket: ctx.bucket, Key: key })).then(() => true, () => false);
            if (found) return Date.now();
            await sleep(POLL_MS);
        }
        return undefined;
    })();
    try {
        const done = await poll(async () => {
            const o = await a.veleroObject("backups", name);
            return o?.status?.phase && FINAL_PHASES.includes(o.status.phase) ? o : undefined;
        }, 300_000);
        const completedAt = Date.now();
        if (done?.status?.phase !== "Completed") throw new Error(`backup ${name} in cluster A: phase ${done?.status?.phase ?? "(not final within 300 s)"}`);
        run.completedOnA = new Date(completedAt).toISOString();
        run.completionTimestamp = done.status.completionTimestamp;
        const onB = await poll<VeleroObject>(async () => {
            const o = await b.veleroObject("backups", name);
            return o?.status?.phase === "Completed" ? o : undefined;
        }, 300_000);
        const seenOnB = Date.now();
        if (!onB) throw new Error(`backup ${name} not Completed in cluster B within 300 s of completing in A`);
        run.rpoMs = seenOnB - completedAt;
        const bucketAt = await Promise.race([inBucket, sleep(5_000).then(() => undefined)]);
        if (bucketAt !== undefined) run.replicationMs = bucketAt - completedAt;
        return { run, seenOnB, tookMs: completedAt - created };
    } catch (e) {
        run.error = errText(e);
        return { run, tookMs: Date.now() - created };
    } finally {
        stopBucket = true;
    }
}

/** The RPO series for each setting; the failover stack is back at `restore` at the end. */
export async function rpoSeries(ctx: BenchCtx, periods: string[], runs: number, restore: string, into: RpoSetting[]): Promise<void> {
    try {
        for (const period of periods) {
            const setting: RpoSetting = { period, runs: [] };
            into.push(setting);
            ctx.log(`==> RPO with passiveBackupSyncPeriod ${period}: ${runs} backups in cluster A, each waited for in cluster B`);
            try {
                const t = Date.now();
                await ctx.d.ws.configSet("failover", "passiveBackupSyncPeriod", period);
                await programSwitch(ctx, { activeSite: "a" });
                setting.applyMs = Date.now() - t;
                let previous: { seenOnB: number; tookMs: number } | undefined;
                for (let i = 0; i < runs; i++) {
                    let phase: number | undefined;
                    if (previous) {
                        // Start so that the backup completes at the target phase after B's last tick.
                        const startAt = previous.seenOnB + targetPhaseS(i, runs) * 1000 - previous.tookMs;
                        if (startAt > Date.now()) await sleep(startAt - Date.now());
                    }
                    const name = `rpo-${period.toLowerCase()}-${i + 1}-${Date.now().toString(36)}`;
                    const res = await rpoRun(ctx, name);
                    if (previous && res.run.completedOnA) {
                        phase = (Date.parse(res.run.completedOnA) - previous.seenOnB) / 1000;
                        res.run.phaseAfterPreviousS = Number(phase.toFixed(1));
                    }
                    setting.runs.push(res.run);
                    ctx.log(res.run.error ? `    ${name}: FAILED ${res.run.error}`
                        : `    ${name}: Completed on A, in cluster B ${sec(res.run.rpoMs)} later (velero-backup.json on zone B ${sec(res.run.replicationMs)} after A completed)`
                            + `${phase !== undefined ? `; completed ${phase.toFixed(1)} s after the previous one appeared on B` : ""}`);
                    previous = res.seenOnB !== undefined ? { seenOnB: res.seenOnB, tookMs: res.tookMs } : undefined;
                }
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
