// What the bench's phases share: the lab as scripts/lab/drill.ts deployed it (real engine), S3
// clients for both zones with Velero's keys, the system user's keys for the manual commands, and
// the memstore OSDs' usage (the lab's RAM budget).
import { HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { rgwS3Client } from "../components/bucket/rgwBucket";
import { DrillContext } from "../scripts/lab/drill";
import { LabSettings, Recorder, Site, endpoint } from "../scripts/lab/labSettings";
import { Log, sh } from "../scripts/lab/shell";
import { WrittenObject, createBucket } from "../scripts/lab/s3";
import { Content, planBackup, uploadBackup, asWritten } from "./objects";
import { MiB, sleep } from "./stats";

/** The backup written before each switch: the "newest backup" that restore-ready waits for. */
export const SWITCH_BACKUP = { objects: 100, bytes: 10 * MiB };

export interface BenchCtx {
    s: LabSettings;
    /** The lab's deployment: workspace (site-a, site-b, failover stacks), clusters, Velero's bucket. */
    d: DrillContext;
    log: Log;
    r: Recorder;
    /** S3 clients of zone A and zone B with Velero's keys (site-a's secret outputs). */
    clients: Record<Site, S3Client>;
    bucket: string;
    content: Content;
    /** Objects written by the switch scenarios; all must be on both zones at the end. */
    ledger: WrittenObject[];
    systemKeys: { access: string; secret: string };
    /** Memstore bytes used before the first lag run (RGW's own pools and logs). */
    baselineUsage: Record<Site, number>;
}

/** The bench's view of a deployed lab: clients and keys read from site-a's outputs. */
export async function benchContext(s: LabSettings, d: DrillContext, log: Log, r: Recorder): Promise<BenchCtx> {
    const out = await d.ws.outputs("site-a", true);
    const keys = { accessKey: String(out.veleroAccessKey), secretKey: String(out.veleroSecretKey) };
    const client = (site: Site) => rgwS3Client({ endpoint: endpoint(s, site), region: s.zonegroup, ...keys });
    const clients = { a: client("a"), b: client("b") };
    // The synthetic backups go to a bucket of their own beside Velero's: Velero marks its location
    // Unavailable (and refuses backups) while its bucket holds a top-level folder it does not know.
    const bucket = `${String(out.bucket)}-bench`.slice(0, 63);
    await createBucket(clients.a, bucket);
    await bucketOnZone(clients.b, bucket, 120_000);
    return {
        s, d, log, r,
        clients,
        bucket,
        content: new Content(),
        ledger: [],
        systemKeys: { access: String(out.systemAccessKey), secret: String(out.systemSecretKey) },
        baselineUsage: { a: (await osdUsage(s, "a")).used, b: (await osdUsage(s, "b")).used },
    };
}

/** Waits until the bucket (created on the master zone) answers on this zone: its metadata has replicated. */
async function bucketOnZone(client: S3Client, bucket: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            await client.send(new HeadBucketCommand({ Bucket: bucket }));
            return;
        } catch (e) {
            if (Date.now() > deadline) throw new Error(`bucket ${bucket} is not on zone B after ${timeoutMs / 1000} s: ${(e as Error).message}`);
            await sleep(500);
        }
    }
}

/** Bytes used / available in a site's memstore OSD (the OSD's own statfs counters, via its admin socket; there is no mgr for `ceph df`). */
export async function osdUsage(s: LabSettings, site: Site): Promise<{ used: number; avail: number; total: number }> {
    const { stdout } = await sh(`timeout 30 ceph --admin-daemon ${s.dir}/${site}/run/osd.0.asok perf dump osd`);
    const osd = JSON.parse(stdout).osd;
    return { used: osd.stat_bytes_used, avail: osd.stat_bytes_avail, total: osd.stat_bytes };
}

/**
 * Waits until the OSD's usage counter shows at most `limit` bytes used (the counter is refreshed
 * on the OSD's heartbeat, every few seconds, so a read right after a cleanup is stale).
 */
export async function usageSettled(s: LabSettings, site: Site, limit: number, timeoutMs: number): Promise<{ used: number; avail: number; total: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const u = await osdUsage(s, site);
        if (u.used <= limit || Date.now() > deadline) return u;
        await sleep(1000);
    }
}

/** The switch backup (SWITCH_BACKUP's size, `objects` objects) written to `site`'s zone; its objects join the ledger. */
export async function writeSwitchBackup(ctx: BenchCtx, site: Site, name: string, objects = SWITCH_BACKUP.objects): Promise<WrittenObject[]> {
    const planned = planBackup(ctx.content, name, objects, SWITCH_BACKUP.bytes);
    await uploadBackup(ctx.clients[site], ctx.bucket, planned);
    const written = asWritten(planned);
    ctx.ledger.push(...written);
    return written;
}
