// `npm run bench`: a benchmark (not a test) of the DR path on the two-cluster Ceph 16.2 lab
// (scripts/lab). In one run it measures:
//   1. replication lag A->B of Velero-shaped backups (metadata objects, tarball, kopia-like tree)
//      for 10/100/1000 objects x 1 MiB/100 MiB/1 GiB, beside the raw S3 upload time to A;
//   2. a drill (both sites up) through the failover program: switch -> first write on B, and
//      -> "restore ready" (newest backup complete on B);
//   3. a lost site (A's gateway stopped first), then A's return and the failback with catch-up;
//   4. the same switches typed as the bare radosgw-admin commands of the Ceph documentation;
//   5. a re-apply of site-a, site-b and the failover stack with nothing to change;
//   6. how the lag grows with object count and size.
// It writes bench/RESULTS.md and bench/results.json (partial ones on failure) and always stops its
// own lab by pid (`ceph-lab.sh down`).
//
// Usage: npm run bench [-- --runs N] [-- --quick] [-- --keep] [-- --out DIR] [-- --lag-budget MIN]
//        npm run bench -- --render bench/results.json    (re-render RESULTS.md only; no lab)
// For trying it out: --quick (10 and 100 objects of 1 MiB, 1 run), --counts 10,100 --sizes-mib 1,1024, --lag-only.
// Settings (environment), with the bench's own defaults so it never meets `npm run lab` or the lab
// tests: LAB_DIR=/tmp/velero-ceph-dr-bench LAB_MON_PORT_A=13321 LAB_MON_PORT_B=13322
// LAB_RGW_PORT_A=18121 LAB_RGW_PORT_B=18122 (and the other LAB_* of scripts/lab/README.md).
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectsCommand,
    HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Deployed, LabSettings, Recorder, Site, cephLab, deploy, endpoint, periodOf, settingsFromEnv, zoneIdByName, zoneOf } from "../scripts/lab/lab";
import { Log, REPO_ROOT, StepResult, asStackReference, recordStack, replay, sh } from "../scripts/lab/replay";
import { WrittenObject, firstSuccessfulWrite, missingOrDifferent, waitForObjects } from "../scripts/lab/s3";

// ---------------------------------------------------------------------------------------------
// Settings and arguments
// ---------------------------------------------------------------------------------------------

const BENCH_DEFAULTS: Record<string, string> = {
    LAB_DIR: "/tmp/velero-ceph-dr-bench",
    LAB_MON_PORT_A: "13321",
    LAB_MON_PORT_B: "13322",
    LAB_RGW_PORT_A: "18121",
    LAB_RGW_PORT_B: "18122",
};
/** Labs of `npm run lab` and of the lab tests: the bench purges its LAB_DIR, so never these. */
const FOREIGN_LAB_DIRS = ["/tmp/velero-ceph-dr-lab", "/tmp/velero-ceph-dr-lab-test"];

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
/** Objects above this size go up as multipart uploads of PART_BYTES parts (Velero's plugin and kopia do too). */
const MULTIPART_ABOVE = 32 * MiB;
const PART_BYTES = 16 * MiB;
/** Requests in flight to a gateway while uploading (objects or parts). */
const UPLOAD_CONCURRENCY = 8;
/** The backup written before each switch: the "newest backup" that restore-ready waits for. */
const SWITCH_BACKUP = { objects: 100, bytes: 10 * MiB };

interface Args {
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

function parseArgs(argv: string[]): Args {
    const list = (v: string, what: string) => v.split(",").map((x) => {
        const n = Number(x);
        if (!Number.isInteger(n) || n < 1) throw new Error(`${what} ${v} is not allowed; allowed: comma-separated positive integers`);
        return n;
    });
    const args: Args = { runs: 5, quick: false, keep: false, lagOnly: false, out: path.join(REPO_ROOT, "bench"), lagBudgetMs: 18 * 60_000 };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined) throw new Error(`${a} needs a value`);
            return v;
        };
        if (a === "--runs") {
            args.runs = Number(value());
            if (!Number.isInteger(args.runs) || args.runs < 1 || args.runs > 20) throw new Error(`--runs ${argv[i]} is not allowed; allowed: 1 to 20`);
        } else if (a === "--quick") args.quick = true;
        else if (a === "--keep") args.keep = true;
        else if (a === "--out") args.out = path.resolve(value());
        else if (a === "--render") args.render = path.resolve(value());
        else if (a === "--counts") args.counts = list(value(), a).map((n) => Math.max(n, 9));
        else if (a === "--sizes-mib") args.sizesMiB = list(value(), a);
        else if (a === "--lag-only") args.lagOnly = true;
        else if (a === "--lag-budget") {
            const m = Number(value());
            if (!(m > 0 && m <= 120)) throw new Error(`--lag-budget ${argv[i]} is not allowed; allowed: minutes, 0 to 120`);
            args.lagBudgetMs = m * 60_000;
        } else throw new Error(`unknown argument ${a}; allowed: --runs N, --quick, --keep, --out DIR, --lag-budget MIN, --counts N,N --sizes-mib N,N --lag-only, --render RESULTS_JSON`);
    }
    if (args.quick && !argv.includes("--runs")) args.runs = 1;
    return args;
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const sec = (ms: number | undefined) => (ms === undefined ? "n/a" : `${(ms / 1000).toFixed(Math.abs(ms) < 1000 ? 2 : 1)} s`);
const errText = (e: unknown) => ((e as Error)?.message ?? String(e)).split("\n").slice(0, 8).join("\n");

function sizeLabel(bytes: number): string {
    if (bytes >= GiB && bytes % GiB === 0) return `${bytes / GiB} GiB`;
    if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`;
    return `${(bytes / MiB).toFixed(1)} MiB`;
}

interface Stat {
    median: number;
    min: number;
    max: number;
    n: number;
}

function stat(values: number[]): Stat | undefined {
    if (values.length === 0) return undefined;
    const v = [...values].sort((x, y) => x - y);
    const mid = Math.floor(v.length / 2);
    return { median: v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2, min: v[0], max: v[v.length - 1], n: v.length };
}

const stripQuotes = (etag: string | undefined) => (etag ?? "").replace(/"/g, "");

/** At most `n` promises of `run` at a time. */
class Limiter {
    private active = 0;
    private waiting: Array<() => void> = [];
    constructor(private readonly n: number) {}
    async run<T>(fn: () => Promise<T>): Promise<T> {
        while (this.active >= this.n) await new Promise<void>((res) => this.waiting.push(res));
        this.active++;
        try {
            return await fn();
        } finally {
            this.active--;
            this.waiting.shift()?.();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Velero-shaped backups of a given object count and total size
// ---------------------------------------------------------------------------------------------

/** Fast unique content: slices of one random pool, each stamped with its key and part. */
class Content {
    private readonly pool = crypto.randomBytes(64 * MiB);
    private next = 0;
    body(len: number, stamp: string): Buffer {
        const b = Buffer.allocUnsafe(len);
        this.next = (this.next + 104_729 + len) % (this.pool.length - len + 1);
        this.pool.copy(b, 0, this.next, this.next + len);
        b.write(stamp.slice(0, len), 0, "latin1");
        return b;
    }
}

interface PlannedObject {
    key: string;
    kind: "metadata" | "tarball" | "kopia";
    parts: Buffer[];
    bytes: number;
    sha256: string;
}

function planObject(content: Content, key: string, kind: PlannedObject["kind"], bytes: number, fixed?: Buffer): PlannedObject {
    const parts: Buffer[] = [];
    if (fixed) parts.push(fixed);
    else if (bytes <= MULTIPART_ABOVE) parts.push(content.body(bytes, `${key}#0#`));
    else for (let off = 0, i = 0; off < bytes; off += PART_BYTES, i++) parts.push(content.body(Math.min(PART_BYTES, bytes - off), `${key}#${i}#`));
    const h = crypto.createHash("sha256");
    for (const p of parts) h.update(p);
    return { key, kind, parts, bytes: parts.reduce((n, p) => n + p.length, 0), sha256: h.digest("hex") };
}

/**
 * One backup as Velero lays it out: `backups/<name>/` holds velero-backup.json, the resource
 * tarball (10% of the size) and three small gzip'd metadata files; `kopia/<name>/` is a kopia-like
 * repository (kopia.repository, kopia.blobcfg, `xn` index blobs, `q` metadata packs and `p` data
 * packs holding the rest). A per-backup kopia prefix (Velero shares one per namespace) keeps each
 * run's objects apart for the cleanup.
 */
function planBackup(content: Content, name: string, objects: number, totalBytes: number): PlannedObject[] {
    if (objects < 9) throw new Error(`a Velero-shaped backup needs at least 9 objects, not ${objects}`);
    const meta = (file: string, bytes: number) => planObject(content, `backups/${name}/${file}`, "metadata", bytes);
    const backupJson = Buffer.from(JSON.stringify({
        apiVersion: "velero.io/v1", kind: "Backup",
        metadata: { name, namespace: "velero", labels: { "velero.io/storage-location": "default" } },
        spec: { includedNamespaces: ["*"], storageLocation: "default", ttl: "720h0m0s", defaultVolumesToFsBackup: true },
        status: { phase: "Completed", version: 1, formatVersion: "1.1.0", expiration: "2030-01-01T00:00:00Z", progress: { totalItems: objects, itemsBackedUp: objects } },
        pad: "x".repeat(1024),
    }));
    const metadata = [
        planObject(content, `backups/${name}/velero-backup.json`, "metadata", backupJson.length, backupJson),
        meta(`${name}-logs.gz`, 2 * KiB),
        meta(`${name}-resource-list.json.gz`, 1 * KiB),
        meta(`${name}-podvolumebackups.json.gz`, 1 * KiB),
    ];
    const tarballBytes = Math.max(1 * KiB, Math.round(totalBytes * 0.1));
    const tarball = planObject(content, `backups/${name}/${name}.tar.gz`, "tarball", tarballBytes);

    const kopiaCount = objects - metadata.length - 1;
    const xn = Math.max(1, Math.round(kopiaCount * 0.02));
    const q = Math.round(kopiaCount * 0.05);
    const p = kopiaCount - 2 - xn - q;
    const hex = (i: number, tag: string) => crypto.createHash("md5").update(`${name}/${tag}/${i}`).digest("hex");
    const kopia: PlannedObject[] = [
        planObject(content, `kopia/${name}/kopia.repository`, "kopia", 1 * KiB),
        planObject(content, `kopia/${name}/kopia.blobcfg`, "kopia", 256),
    ];
    for (let i = 0; i < xn; i++) kopia.push(planObject(content, `kopia/${name}/xn0_${hex(i, "xn")}`, "kopia", 1 * KiB));
    for (let i = 0; i < q; i++) kopia.push(planObject(content, `kopia/${name}/q${hex(i, "q")}`, "kopia", 2 * KiB));
    const used = [...metadata, tarball, ...kopia].reduce((n, o) => n + o.bytes, 0);
    const rest = Math.max(p * 256, totalBytes - used);
    const base = Math.floor(rest / p);
    let assigned = 0;
    for (let i = 0; i < p; i++) {
        // +-10% around the mean, in pairs that cancel; the last pack takes the remainder.
        const jitter = i % 2 === 0 && i + 1 < p ? Math.floor(base * 0.1 * ((i % 5) / 4)) : 0;
        const prevJitter = i % 2 === 1 ? Math.floor(base * 0.1 * (((i - 1) % 5) / 4)) : 0;
        const bytes = i === p - 1 ? rest - assigned : Math.max(256, base + jitter - prevJitter);
        assigned += bytes;
        kopia.push(planObject(content, `kopia/${name}/p${hex(i, "p")}`, "kopia", Math.max(256, bytes)));
    }
    return [...kopia, ...metadata.slice(0, 1), tarball, ...metadata.slice(1)];
}

const asWritten = (objects: PlannedObject[]): WrittenObject[] => objects.map((o) => ({ key: o.key, sha256: o.sha256, bytes: o.bytes }));
const prefixesOf = (name: string) => [`backups/${name}/`, `kopia/${name}/`];

async function uploadObject(client: S3Client, bucket: string, o: PlannedObject, lim: Limiter): Promise<string> {
    if (o.parts.length === 1) {
        const out = await lim.run(() => client.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.parts[0] })));
        return stripQuotes(out.ETag);
    }
    const { UploadId } = await lim.run(() => client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: o.key })));
    try {
        const etags = await Promise.all(o.parts.map((body, i) => lim.run(() =>
            client.send(new UploadPartCommand({ Bucket: bucket, Key: o.key, UploadId, PartNumber: i + 1, Body: body })))));
        const done = await lim.run(() => client.send(new CompleteMultipartUploadCommand({
            Bucket: bucket, Key: o.key, UploadId,
            MultipartUpload: { Parts: etags.map((e, i) => ({ ETag: e.ETag, PartNumber: i + 1 })) },
        })));
        if (done.ETag) return stripQuotes(done.ETag);
        // RGW 16's CompleteMultipartUpload answer carries no ETag the SDK reads: ask for it.
        const head = await lim.run(() => client.send(new HeadObjectCommand({ Bucket: bucket, Key: o.key })));
        return stripQuotes(head.ETag);
    } catch (e) {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: o.key, UploadId })).catch(() => undefined);
        throw e;
    }
}

/** Uploads in Velero's order: the kopia data first (in parallel), then the backup's metadata and tarball. Returns key -> ETag. */
async function uploadBackup(client: S3Client, bucket: string, objects: PlannedObject[]): Promise<Map<string, string>> {
    const lim = new Limiter(UPLOAD_CONCURRENCY);
    const etags = new Map<string, string>();
    await Promise.all(objects.filter((o) => o.kind === "kopia").map(async (o) => etags.set(o.key, await uploadObject(client, bucket, o, lim))));
    for (const o of objects.filter((x) => x.kind !== "kopia")) etags.set(o.key, await uploadObject(client, bucket, o, lim));
    return etags;
}

async function listPrefix(client: S3Client, bucket: string, prefix: string): Promise<Map<string, { etag: string; size: number }>> {
    const found = new Map<string, { etag: string; size: number }>();
    let token: string | undefined;
    do {
        const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of out.Contents ?? []) if (o.Key) found.set(o.Key, { etag: stripQuotes(o.ETag), size: o.Size ?? -1 });
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return found;
}

/**
 * Polls the other zone's bucket listing until every object is there with the ETag and size it got
 * on A (content identity; a full read-back with sha256 follows, untimed). Returns ms waited.
 */
async function waitListed(
    client: S3Client, bucket: string, prefixes: string[], expected: Map<string, { etag: string; size: number }>,
    timeoutMs: number, log: Log,
): Promise<{ ms: number; missing: number; polls: number; p50Ms?: number; p90Ms?: number }> {
    const started = Date.now();
    let lastReport = started;
    let polls = 0;
    /** When each object was first seen complete (ms after the wait started; 0 = already at the first poll). */
    const arrived = new Map<string, number>();
    const pct = (q: number) => {
        const t = [...arrived.values()].sort((x, y) => x - y);
        return t.length ? t[Math.min(t.length - 1, Math.ceil(q * expected.size) - 1)] : undefined;
    };
    for (;;) {
        polls++;
        let missing = expected.size;
        const pollStarted = Date.now() - started;
        try {
            const seen = new Map<string, { etag: string; size: number }>();
            for (const p of prefixes) for (const [k, v] of await listPrefix(client, bucket, p)) seen.set(k, v);
            missing = 0;
            for (const [k, want] of expected) {
                const got = seen.get(k);
                if (!got || got.etag !== want.etag || got.size !== want.size) missing++;
                else if (!arrived.has(k)) arrived.set(k, polls === 1 ? 0 : pollStarted);
            }
        } catch {
            // A gateway that restarts or reloads answers nothing for a moment: poll again.
        }
        const ms = Date.now() - started;
        if (missing === 0 || ms > timeoutMs) return { ms, missing, polls, p50Ms: pct(0.5), p90Ms: pct(0.9) };
        if (Date.now() - lastReport > 10_000) {
            log(`      ... ${expected.size - missing}/${expected.size} objects on B after ${sec(ms)}`);
            lastReport = Date.now();
        }
        await sleep(250);
    }
}

async function deletePrefixes(client: S3Client, bucket: string, prefixes: string[]): Promise<number> {
    let n = 0;
    for (const p of prefixes) {
        const keys = [...(await listPrefix(client, bucket, p)).keys()];
        for (let i = 0; i < keys.length; i += 1000) {
            const out = await client.send(new DeleteObjectsCommand({
                Bucket: bucket, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
            }));
            if (out.Errors?.length) throw new Error(`DeleteObjects: ${out.Errors.length} errors, first ${out.Errors[0].Key}: ${out.Errors[0].Code}`);
            n += Math.min(1000, keys.length - i);
        }
    }
    return n;
}

// ---------------------------------------------------------------------------------------------
// Lab context
// ---------------------------------------------------------------------------------------------

interface Ctx {
    s: LabSettings;
    d: Deployed;
    log: Log;
    r: Recorder;
    content: Content;
    /** Objects written by the switch scenarios; all must be on both zones at the end. */
    ledger: WrittenObject[];
    systemKeys: { access: string; secret: string };
    /** Memstore bytes used before the first lag run (RGW's own pools and logs). */
    baselineUsage: Record<Site, number>;
}

const outValue = (run: { outputs: Record<string, { value: unknown }> }, key: string) => String(run.outputs[key].value);

/** Bytes used / available in a site's memstore OSD (the OSD's own statfs counters, via its admin socket; there is no mgr for `ceph df`). */
async function osdUsage(s: LabSettings, site: Site): Promise<{ used: number; avail: number; total: number }> {
    const { stdout } = await sh(`timeout 30 ceph --admin-daemon ${s.dir}/${site}/run/osd.0.asok perf dump osd`);
    const osd = JSON.parse(stdout).osd;
    return { used: osd.stat_bytes_used, avail: osd.stat_bytes_avail, total: osd.stat_bytes };
}

/**
 * Waits until the OSD's usage counter shows at most `limit` bytes used (the counter is refreshed
 * on the OSD's heartbeat, every few seconds, so a read right after a cleanup is stale).
 */
async function usageSettled(s: LabSettings, site: Site, limit: number, timeoutMs: number): Promise<{ used: number; avail: number; total: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const u = await osdUsage(s, site);
        if (u.used <= limit || Date.now() > deadline) return u;
        await sleep(1000);
    }
}

async function masterIs(s: LabSettings, site: Site, askSite: Site = site): Promise<boolean> {
    return (await periodOf(s, askSite)).master === (await zoneIdByName(s, askSite, zoneOf(s, site)));
}

async function writeSwitchBackup(ctx: Ctx, site: Site, name: string): Promise<WrittenObject[]> {
    const planned = planBackup(ctx.content, name, SWITCH_BACKUP.objects, SWITCH_BACKUP.bytes);
    await uploadBackup(ctx.d.clients[site], ctx.d.bucket, planned);
    const written = asWritten(planned);
    ctx.ledger.push(...written);
    return written;
}

// ---------------------------------------------------------------------------------------------
// 1. Replication lag
// ---------------------------------------------------------------------------------------------

interface LagRun {
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

interface LagCell {
    objects: number;
    bytes: number;
    runs: LagRun[];
    skipped?: string;
}

async function lagRun(ctx: Ctx, objects: number, bytes: number, run: number): Promise<LagRun> {
    const { d, log } = ctx;
    const name = `lag-${objects}o-${sizeLabel(bytes).replace(/ /g, "")}-r${run}`;
    const result: LagRun = { run, name, objects, bytes, multipartObjects: 0 };
    const need = bytes * 1.15 + 64 * MiB;
    for (const site of ["a", "b"] as const) {
        let u = await osdUsage(ctx.s, site);
        if (u.avail < need) u = await usageSettled(ctx.s, site, u.total - need, 30_000);
        if (u.avail < need) {
            throw new Error(`does not fit: site ${site}'s memstore has ${sizeLabel(u.avail)} free of ${sizeLabel(u.total)}, the backup needs ${sizeLabel(bytes)}`);
        }
    }
    const planned = planBackup(ctx.content, name, objects, bytes);
    result.bytes = planned.reduce((n, o) => n + o.bytes, 0);
    result.multipartObjects = planned.filter((o) => o.parts.length > 1).length;
    const prefixes = prefixesOf(name);
    try {
        const t0 = Date.now();
        const etags = await uploadBackup(d.clients.a, d.bucket, planned);
        const t1 = Date.now();
        result.uploadMs = t1 - t0;
        const expected = new Map(planned.map((o) => [o.key, { etag: etags.get(o.key) ?? "", size: o.bytes }]));
        const noEtag = [...expected].filter(([, v]) => !v.etag).map(([k]) => k);
        if (noEtag.length) throw new Error(`no ETag from zone A for ${noEtag.length} objects, e.g. ${noEtag[0]}`);
        const waited = await waitListed(d.clients.b, d.bucket, prefixes, expected, 300_000, log);
        if (waited.missing > 0) throw new Error(`${waited.missing} of ${planned.length} objects not on B after ${sec(waited.ms)}`);
        result.lagMs = waited.ms;
        result.lag50Ms = waited.p50Ms;
        result.lag90Ms = waited.p90Ms;
        result.toBMs = Date.now() - t0;
        const t2 = Date.now();
        const bad = await missingOrDifferent(d.clients.b, d.bucket, asWritten(planned));
        result.verifyMs = Date.now() - t2;
        result.verified = bad.length === 0;
        if (!result.verified) throw new Error(`${bad.length} objects on B differ from what was written (sha256), e.g. ${bad[0]}`);
        log(`    run ${run}: upload ${sec(result.uploadMs)} (${(result.bytes / MiB / (result.uploadMs / 1000)).toFixed(1)} MiB/s), `
            + `lag after upload ${sec(result.lagMs)} (90% of the objects: ${sec(result.lag90Ms)}), sha256 read-back from B ${sec(result.verifyMs)}`);
    } catch (e) {
        result.error = errText(e);
        log(`    run ${run}: FAILED ${result.error}`);
    } finally {
        // Memstore is RAM capped at 3 GiB per OSD: remove this run's objects on A, wait until the
        // deletes reached B, and let both zones' garbage collectors free the tails now.
        const t = Date.now();
        await deletePrefixes(d.clients.a, d.bucket, prefixes);
        let gone = false;
        for (const deadline = Date.now() + 300_000; Date.now() < deadline; await sleep(250)) {
            let left = 0;
            for (const p of prefixes) left += (await listPrefix(d.clients.b, d.bucket, p).catch(() => new Map([["?", 0]]))).size;
            if (left === 0) {
                gone = true;
                break;
            }
        }
        result.deleteReplicatedMs = Date.now() - t;
        if (!gone) result.error = `${result.error ? `${result.error}; ` : ""}deletes did not reach B within 300 s`;
        await cephLab(ctx.s, "admin a gc process --include-all");
        await cephLab(ctx.s, "admin b gc process --include-all");
        const after = {
            a: await usageSettled(ctx.s, "a", ctx.baselineUsage.a + 64 * MiB, 30_000),
            b: await usageSettled(ctx.s, "b", ctx.baselineUsage.b + 64 * MiB, 30_000),
        };
        result.usageAfterCleanup = { a: after.a.used, b: after.b.used };
    }
    return result;
}

async function lagSeries(ctx: Ctx, counts: number[], sizes: number[], runs: number, budgetMs: number, cells: LagCell[]): Promise<void> {
    const started = Date.now();
    for (const bytes of sizes) {
        for (const objects of counts) {
            const cell: LagCell = { objects, bytes, runs: [] };
            cells.push(cell);
            if (Date.now() - started > budgetMs) {
                cell.skipped = `the lag phase's time budget (${sec(budgetMs)}) was used up`;
                ctx.log(`==> lag: ${objects} objects, ${sizeLabel(bytes)}: skipped (${cell.skipped})`);
                continue;
            }
            ctx.log(`==> lag: ${objects} objects, ${sizeLabel(bytes)} in total, ${runs} runs`);
            for (let run = 1; run <= runs; run++) {
                try {
                    cell.runs.push(await lagRun(ctx, objects, bytes, run));
                } catch (e) {
                    cell.skipped = errText(e);
                    ctx.log(`    skipped: ${cell.skipped}`);
                    break;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2.-5. Switches: the failover program and the bare radosgw-admin commands
// ---------------------------------------------------------------------------------------------

interface TimedStep {
    what: string;
    ms: number;
}

interface ProgramSwitch {
    settings: Record<string, unknown>;
    /** Evaluating the program under mocks (stands in for Pulumi's engine; `pulumi up` adds its own overhead). */
    recordMs: number;
    /** The Ceph commands it declares, replayed in order: when they started, how long they took. */
    commandsStartedAt: number;
    commandsMs: number;
    steps: TimedStep[];
    /** Inside each step: the time from one of the script's `==>` lines to the next. */
    phases: Array<{ step: string; what: string; ms: number }>;
}

/** The script's progress lines, shortened: the restart command's environment is the lab's business. */
const phaseLabel = (line: string) => line.trim().replace(/^==> /, "").replace(/\(env .* (rgw-restart [ab])\)$/, "($1)");

async function programSwitch(ctx: Ctx, settings: Record<string, unknown>): Promise<ProgramSwitch> {
    const t0 = Date.now();
    const run = await recordStack("failover", { siteAStack: "lab/velero-ceph-dr/site-a", siteBStack: "lab/velero-ceph-dr/site-b", ...settings }, {
        "lab/velero-ceph-dr/site-a": asStackReference(ctx.d.siteA),
        "lab/velero-ceph-dr/site-b": asStackReference(ctx.d.siteB),
    });
    const marks: Array<{ t: number; step?: string; what: string }> = [];
    const log: Log = (line) => {
        const cmd = /^ {2}\$ scripts\/rgw-multisite\.sh (\S+)/.exec(line);
        if (cmd) marks.push({ t: Date.now(), step: cmd[1], what: "start (flags, periods, peer)" });
        else if (/^ {4}==> /.test(line) && marks.length) marks.push({ t: Date.now(), what: phaseLabel(line) });
        ctx.r.log(line);
    };
    const t1 = Date.now();
    const steps = await replay(run, log);
    const end = Date.now();
    const phases: ProgramSwitch["phases"] = [];
    let step = "";
    marks.forEach((m, i) => {
        step = m.step ?? step;
        const next = marks[i + 1];
        // A step's last line ("zone X is ...") closes it; the time after it belongs to the next step.
        if (next && !next.step) phases.push({ step, what: m.what, ms: next.t - m.t });
    });
    const sw: ProgramSwitch = { settings, recordMs: t1 - t0, commandsStartedAt: t1, commandsMs: end - t1, steps: steps.map(stepOf), phases };
    ctx.log(`    failover program ${JSON.stringify(settings)}: commands ${sec(sw.commandsMs)} (${sw.steps.map((x) => `${x.what} ${sec(x.ms)}`).join(", ")}); mocked program evaluation ${sec(sw.recordMs)}`);
    return sw;
}

function stepOf(x: StepResult): TimedStep {
    const m = /^scripts\/rgw-multisite\.sh (\S+)/.exec(x.command);
    return { what: m ? `${x.name} (rgw-multisite.sh ${m[1]})` : x.name, ms: x.ms };
}

/** A bare command as typed from the Ceph documentation, run through the lab; keys never printed. */
async function manualStep(ctx: Ctx, steps: TimedStep[], site: Site, args: string): Promise<void> {
    const shown = args.replace(ctx.systemKeys.access, "<access-key>").replace(ctx.systemKeys.secret, "<secret>");
    const what = args.startsWith("rgw-") ? `${args}` : `${site}: radosgw-admin ${shown}`;
    const t = Date.now();
    await cephLab(ctx.s, args.startsWith("rgw-") ? args : `admin ${site} ${args}`, ctx.r.log);
    steps.push({ what, ms: Date.now() - t });
    ctx.r.log(`    manual: ${what} (${sec(Date.now() - t)})`);
}

const keyFlags = (ctx: Ctx) => `--access-key=${ctx.systemKeys.access} --secret=${ctx.systemKeys.secret}`;

/** The Ceph documentation's promotion of a zone to metadata master, run on that zone's site. */
async function manualPromote(ctx: Ctx, steps: TimedStep[], site: Site): Promise<void> {
    const { s } = ctx;
    await manualStep(ctx, steps, site, `zone modify --rgw-zone=${zoneOf(s, site)} --master --default --read-only=false`);
    await manualStep(ctx, steps, site, `zonegroup modify --rgw-zonegroup=${s.zonegroup} --master`);
    await manualStep(ctx, steps, site, "period update --commit");
    await manualStep(ctx, steps, site, `rgw-restart ${site}`);
}

/** The other zone learns the new period from the new master and restarts its gateway. */
async function manualFollow(ctx: Ctx, steps: TimedStep[], site: Site, master: Site): Promise<void> {
    await manualStep(ctx, steps, site, `period pull --url=${endpoint(ctx.s, master)} ${keyFlags(ctx)}`);
    await manualStep(ctx, steps, site, `rgw-restart ${site}`);
}

interface SwitchOutcome {
    /** Ceph commands of the switch (program: replayed steps; manual: the typed commands). */
    switchMs: number;
    steps: TimedStep[];
    recordMs?: number;
    phases?: ProgramSwitch["phases"];
    /** From the switch's first command to the first PUT the new master accepts after it. */
    toFirstWriteMs: number;
    /** From the switch's first command until the newest backup is complete on the new master (sha256). */
    toRestoreReadyMs?: number;
}

/** After a switch: the first write, and (in parallel) the newest backup read back complete. */
async function afterSwitch(ctx: Ctx, site: Site, t0: number, key: string, backup?: WrittenObject[]): Promise<{ firstWrite: number; ready?: number }> {
    const client = ctx.d.clients[site];
    const [first, ready] = await Promise.all([
        firstSuccessfulWrite(client, ctx.d.bucket, key, 120_000).then((w) => {
            ctx.ledger.push(w);
            return Date.now() - t0;
        }),
        backup ? waitForObjects(client, ctx.d.bucket, backup, 180_000).then((res) => {
            if (res.missing.length) throw new Error(`restore not ready: ${res.missing.length} objects of the newest backup missing on ${site} after ${sec(res.ms)}`);
            return Date.now() - t0;
        }) : Promise.resolve(undefined),
    ]);
    return { firstWrite: first, ready };
}

interface Scenario {
    drill?: { switch: SwitchOutcome; switchBack: SwitchOutcome };
    lost?: {
        stopAMs: number;
        switch: SwitchOutcome;
        /** Gateway start and rejoin of A as a secondary. */
        returnMs: number;
        returnSteps: TimedStep[];
        /** From A's return until the backup written on B during the outage is complete on A. */
        catchUpMs: number;
        failback: SwitchOutcome;
        /** From A's return to the first write on A as master again. */
        failbackTotalMs: number;
    };
}

async function checkRoles(ctx: Ctx, master: Site, when: string): Promise<void> {
    const ok = (await masterIs(ctx.s, master, "a")) && (await masterIs(ctx.s, master, "b"));
    ctx.r.check(`${when}: zone ${master.toUpperCase()} is the metadata master on both zones`, ok, "period master on a and b");
    if (!ok) throw new Error(`${when}: zone ${master.toUpperCase()} is not the metadata master on both zones`);
}

async function programDrill(ctx: Ctx, sc: Scenario): Promise<void> {
    ctx.log("==> drill (both sites up) through the failover program");
    const backup = await writeSwitchBackup(ctx, "a", "drill-program");
    const sw = await programSwitch(ctx, { activeSite: "site-b" });
    const after = await afterSwitch(ctx, "b", sw.commandsStartedAt, "drill-program/first-write-on-b", backup);
    await checkRoles(ctx, "b", "program drill");
    const back = await programSwitch(ctx, { activeSite: "site-a" });
    const afterBack = await afterSwitch(ctx, "a", back.commandsStartedAt, "drill-program/first-write-on-a-again");
    await checkRoles(ctx, "a", "program drill, switched back");
    sc.drill = {
        switch: { switchMs: sw.commandsMs, steps: sw.steps, phases: sw.phases, recordMs: sw.recordMs, toFirstWriteMs: after.firstWrite, toRestoreReadyMs: after.ready },
        switchBack: { switchMs: back.commandsMs, steps: back.steps, phases: back.phases, recordMs: back.recordMs, toFirstWriteMs: afterBack.firstWrite },
    };
    ctx.log(`    drill: first write on B ${sec(after.firstWrite)}, restore ready ${sec(after.ready)}; back to A: first write ${sec(afterBack.firstWrite)}`);
}

async function manualDrill(ctx: Ctx, sc: Scenario): Promise<void> {
    ctx.log("==> drill (both sites up) with the bare radosgw-admin commands");
    const backup = await writeSwitchBackup(ctx, "a", "drill-manual");
    const steps: TimedStep[] = [];
    const t0 = Date.now();
    await manualPromote(ctx, steps, "b");
    await manualFollow(ctx, steps, "a", "b");
    const switchMs = Date.now() - t0;
    const after = await afterSwitch(ctx, "b", t0, "drill-manual/first-write-on-b", backup);
    await checkRoles(ctx, "b", "manual drill");
    const back: TimedStep[] = [];
    const b0 = Date.now();
    await manualStep(ctx, back, "a", `realm pull --url=${endpoint(ctx.s, "b")} ${keyFlags(ctx)}`);
    await manualPromote(ctx, back, "a");
    await manualFollow(ctx, back, "b", "a");
    const backMs = Date.now() - b0;
    const afterBack = await afterSwitch(ctx, "a", b0, "drill-manual/first-write-on-a-again");
    await checkRoles(ctx, "a", "manual drill, switched back");
    sc.drill = {
        switch: { switchMs, steps, toFirstWriteMs: after.firstWrite, toRestoreReadyMs: after.ready },
        switchBack: { switchMs: backMs, steps: back, toFirstWriteMs: afterBack.firstWrite },
    };
    ctx.log(`    drill: commands ${sec(switchMs)}, first write on B ${sec(after.firstWrite)}, restore ready ${sec(after.ready)}; back to A: first write ${sec(afterBack.firstWrite)}`);
}

/** Site A lost: A's newest backup is on B, A's gateway stops, B takes over, A returns, failback. */
async function lostSite(ctx: Ctx, sc: Scenario, how: "program" | "manual"): Promise<void> {
    const { s, d } = ctx;
    ctx.log(`==> site A lost, return and failback (${how === "program" ? "failover program" : "bare radosgw-admin commands"})`);
    const backup = await writeSwitchBackup(ctx, "a", `lost-${how}`);
    const onB = await waitForObjects(d.clients.b, d.bucket, backup, 180_000);
    if (onB.missing.length) throw new Error(`the backup written before the loss is not on B after ${sec(onB.ms)}`);
    const stop0 = Date.now();
    await cephLab(s, "rgw-stop a", ctx.r.log);
    const stopAMs = Date.now() - stop0;

    // The switch with A unreachable.
    let sw: SwitchOutcome;
    const t0 = Date.now();
    if (how === "program") {
        const p = await programSwitch(ctx, { activeSite: "site-b", unreachableSites: ["site-a"], forcePromotion: "true" });
        const after = await afterSwitch(ctx, "b", p.commandsStartedAt, `lost-${how}/first-write-on-b`, backup);
        sw = { switchMs: p.commandsMs, steps: p.steps, phases: p.phases, recordMs: p.recordMs, toFirstWriteMs: after.firstWrite, toRestoreReadyMs: after.ready };
    } else {
        const steps: TimedStep[] = [];
        await manualPromote(ctx, steps, "b");
        const switchMs = Date.now() - t0;
        const after = await afterSwitch(ctx, "b", t0, `lost-${how}/first-write-on-b`, backup);
        sw = { switchMs, steps, toFirstWriteMs: after.firstWrite, toRestoreReadyMs: after.ready };
    }
    if (!(await masterIs(s, "b"))) throw new Error(`lost site (${how}): zone B is not the metadata master`);
    ctx.r.check(`lost site (${how}): zone B is the metadata master without reaching A`, true, "period master on b");
    ctx.log(`    switch ${sec(sw.switchMs)}, first write on B ${sec(sw.toFirstWriteMs)}, restore ready ${sec(sw.toRestoreReadyMs)}`);

    // Velero on B writes a backup while A is away.
    const outage = await writeSwitchBackup(ctx, "b", `outage-${how}`);

    // A returns as a secondary and catches up.
    const returnSteps: TimedStep[] = [];
    const r0 = Date.now();
    if (how === "program") {
        const t = Date.now();
        await cephLab(s, "rgw-start a", ctx.r.log);
        returnSteps.push({ what: "rgw-start a", ms: Date.now() - t });
        const p = await programSwitch(ctx, { activeSite: "site-b" });
        returnSteps.push(...p.steps);
    } else {
        await manualStep(ctx, returnSteps, "a", `realm pull --url=${endpoint(s, "b")} ${keyFlags(ctx)}`);
        await manualStep(ctx, returnSteps, "a", `period pull --url=${endpoint(s, "b")} ${keyFlags(ctx)}`);
        await manualStep(ctx, returnSteps, "a", "rgw-start a");
    }
    const returnMs = Date.now() - r0;
    await checkRoles(ctx, "b", `lost site (${how}), A returned`);
    const caught = await waitForObjects(d.clients.a, d.bucket, outage, 300_000);
    if (caught.missing.length) throw new Error(`the backup written on B during the outage is not on A after ${sec(caught.ms)}`);
    const catchUpMs = Date.now() - r0;
    ctx.log(`    A returned in ${sec(returnMs)}; the outage's backup complete on A ${sec(catchUpMs)} after its return`);

    // Failback to A.
    let fb: SwitchOutcome;
    let fbStart: number;
    if (how === "program") {
        const p = await programSwitch(ctx, { activeSite: "site-a" });
        fbStart = p.commandsStartedAt;
        const after = await afterSwitch(ctx, "a", fbStart, `lost-${how}/failback-first-write-on-a`, outage);
        fb = { switchMs: p.commandsMs, steps: p.steps, phases: p.phases, recordMs: p.recordMs, toFirstWriteMs: after.firstWrite, toRestoreReadyMs: after.ready };
    } else {
        const steps: TimedStep[] = [];
        const f0 = (fbStart = Date.now());
        await manualStep(ctx, steps, "a", `period pull --url=${endpoint(s, "b")} ${keyFlags(ctx)}`);
        await manualPromote(ctx, steps, "a");
        await manualFollow(ctx, steps, "b", "a");
        const switchMs = Date.now() - f0;
        const after = await afterSwitch(ctx, "a", f0, `lost-${how}/failback-first-write-on-a`, outage);
        fb = { switchMs, steps, toFirstWriteMs: after.firstWrite, toRestoreReadyMs: after.ready };
    }
    const failbackTotalMs = fbStart - r0 + fb.toFirstWriteMs;
    await checkRoles(ctx, "a", `failback (${how})`);
    sc.lost = { stopAMs, switch: sw, returnMs, returnSteps, catchUpMs, failback: fb, failbackTotalMs };
    ctx.log(`    failback switch ${sec(fb.switchMs)}, first write on A ${sec(fb.toFirstWriteMs)} after it; return -> first write on A ${sec(failbackTotalMs)}`);
}

interface Reapply {
    siteA?: { ms: number; steps: TimedStep[] };
    siteB?: { ms: number; steps: TimedStep[] };
    failover?: { ms: number; recordMs: number; steps: TimedStep[] };
    periodsUnchanged?: boolean;
    detail?: string;
}

async function reapply(ctx: Ctx, into: Reapply): Promise<void> {
    ctx.log("==> re-apply with nothing to change: site-a, site-b, failover (activeSite site-a)");
    const before = { a: await periodOf(ctx.s, "a"), b: await periodOf(ctx.s, "b") };
    for (const [key, run] of [["siteA", ctx.d.siteA], ["siteB", ctx.d.siteB]] as const) {
        const t = Date.now();
        const steps = await replay(run, ctx.r.log);
        into[key] = { ms: Date.now() - t, steps: steps.map(stepOf) };
        ctx.log(`    ${key === "siteA" ? "site-a" : "site-b"}: ${steps.length} commands in ${sec(into[key]!.ms)}`);
    }
    const p = await programSwitch(ctx, { activeSite: "site-a" });
    into.failover = { ms: p.commandsMs, recordMs: p.recordMs, steps: p.steps };
    const after = { a: await periodOf(ctx.s, "a"), b: await periodOf(ctx.s, "b") };
    into.periodsUnchanged = JSON.stringify(before) === JSON.stringify(after);
    into.detail = `a@${before.a.epoch}->${after.a.epoch}, b@${before.b.epoch}->${after.b.epoch}`;
    ctx.r.check("re-apply with nothing to change changes no period", into.periodsUnchanged, into.detail);
}

// ---------------------------------------------------------------------------------------------
// Machine, versions
// ---------------------------------------------------------------------------------------------

async function shOut(cmd: string): Promise<string> {
    try {
        return (await sh(cmd)).stdout.trim();
    } catch {
        return "unknown";
    }
}

/** Ceph daemons on this machine that are not this bench's (other labs compete for the 2 cores). */
function foreignCephDaemons(s: LabSettings): string[] {
    const found: string[] = [];
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        let argv: string[];
        try {
            argv = fs.readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0");
        } catch {
            continue;
        }
        const bin = path.basename(argv[0] ?? "");
        if (!["ceph-mon", "ceph-osd", "radosgw"].includes(bin)) continue;
        const conf = argv[argv.indexOf("-c") + 1] ?? "";
        if (!conf.startsWith(`${s.dir}/`)) found.push(`${bin} ${conf}`);
    }
    return found;
}

async function machineInfo(s: LabSettings): Promise<Record<string, unknown>> {
    const cpus = os.cpus();
    return {
        nproc: Number(await shOut("nproc")),
        cpuModel: cpus[0]?.model ?? "unknown",
        memoryMiB: Math.round(os.totalmem() / MiB),
        kernel: os.release(),
        os: await shOut(". /etc/os-release && echo \"$PRETTY_NAME\""),
        loadAverageAtStart: os.loadavg().map((x) => Number(x.toFixed(2))),
        otherCephDaemonsAtStart: foreignCephDaemons(s),
    };
}

async function versionInfo(): Promise<Record<string, unknown>> {
    const sdk = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules/@aws-sdk/client-s3/package.json"), "utf8")).version;
    return {
        ceph: await shOut("ceph --version"),
        radosgw: await shOut("radosgw --version"),
        node: process.version,
        awsSdkClientS3: sdk,
        repoCommit: await shOut("git rev-parse HEAD"),
        repoCommitDate: await shOut("git log -1 --format=%cI"),
        repoCommitSubject: await shOut("git log -1 --format=%s"),
    };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

interface Results {
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
    lag: LagCell[];
    lagModel?: { lag: Fit; upload: Fit; toB: Fit };
    program: Scenario;
    manual: Scenario;
    reapply: Reapply;
    afterManual?: { failoverReapplyMs?: number; periodsUnchanged?: boolean; detail?: string };
    checks: Array<{ name: string; ok: boolean; detail: string }>;
    errors: string[];
}

interface Fit {
    /** ms = intercept + perThousandObjects * objects/1000 + perGiB * GiB */
    interceptMs: number;
    perThousandObjectsMs: number;
    perGiBMs: number;
    r2: number;
    points: number;
}

/** Least squares of the cell medians: ms ~ a + b * objects/1000 + c * GiB. */
function fit(cells: LagCell[], pick: (r: LagRun) => number | undefined): Fit | undefined {
    const pts = cells.map((c) => ({ x1: c.objects / 1000, x2: c.bytes / GiB, y: stat(c.runs.map(pick).filter((v): v is number => v !== undefined))?.median }))
        .filter((p): p is { x1: number; x2: number; y: number } => p.y !== undefined);
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

function lagModels(cells: LagCell[]): Results["lagModel"] {
    const lag = fit(cells, (x) => (x.error ? undefined : x.lagMs));
    const upload = fit(cells, (x) => (x.error ? undefined : x.uploadMs));
    const toB = fit(cells, (x) => (x.error ? undefined : x.toBMs));
    return lag && upload && toB ? { lag, upload, toB } : undefined;
}

const ratio = (p?: number, m?: number) => (p !== undefined && m !== undefined && m > 0 ? `${(p / m).toFixed(2)}x` : "n/a");
const mibps = (bytes: number, ms?: number) => (ms ? (bytes / MiB / (ms / 1000)).toFixed(1) : "n/a");
const fmtStat = (st?: Stat) => (st ? `${sec(st.median)} (${sec(st.min)} - ${sec(st.max)})` : "n/a");
const cellStat = (c: LagCell, pick: (r: LagRun) => number | undefined) => stat(c.runs.filter((r) => !r.error).map(pick).filter((v): v is number => v !== undefined));

function comparisonRows(res: Results): Array<[string, number | undefined, number | undefined]> {
    const p = res.program;
    const m = res.manual;
    return [
        ["drill: switch A->B, Ceph commands", p.drill?.switch.switchMs, m.drill?.switch.switchMs],
        ["drill: switch -> first write on B", p.drill?.switch.toFirstWriteMs, m.drill?.switch.toFirstWriteMs],
        ["drill: switch -> restore ready on B", p.drill?.switch.toRestoreReadyMs, m.drill?.switch.toRestoreReadyMs],
        ["drill: switch back B->A (both up), Ceph commands", p.drill?.switchBack.switchMs, m.drill?.switchBack.switchMs],
        ["drill: switch back -> first write on A", p.drill?.switchBack.toFirstWriteMs, m.drill?.switchBack.toFirstWriteMs],
        ["lost site: switch to B, Ceph commands", p.lost?.switch.switchMs, m.lost?.switch.switchMs],
        ["lost site: switch -> first write on B", p.lost?.switch.toFirstWriteMs, m.lost?.switch.toFirstWriteMs],
        ["lost site: switch -> restore ready on B", p.lost?.switch.toRestoreReadyMs, m.lost?.switch.toRestoreReadyMs],
        ["A returns as secondary (gateway start + rejoin)", p.lost?.returnMs, m.lost?.returnMs],
        ["A returns -> outage's backup complete on A (catch-up)", p.lost?.catchUpMs, m.lost?.catchUpMs],
        ["failback B->A, Ceph commands", p.lost?.failback.switchMs, m.lost?.failback.switchMs],
        ["failback -> first write on A", p.lost?.failback.toFirstWriteMs, m.lost?.failback.toFirstWriteMs],
        ["failback total: A returns -> first write on A", p.lost?.failbackTotalMs, m.lost?.failbackTotalMs],
    ];
}

/** All measured lag runs. */
const lagRuns = (res: Results) => res.lag.flatMap((c) => c.runs).filter((r) => !r.error && r.lagMs !== undefined);

/** Runs by shape of their lag: all there within 2 s; most objects early but a few late (stragglers); the rest. */
function lagShapes(res: Results): { fast: LagRun[]; stragglers: LagRun[]; other: LagRun[]; pollShaped: boolean } {
    const runs = lagRuns(res);
    const fast = runs.filter((r) => r.lagMs! <= 2000);
    const stragglers = runs.filter((r) => r.lagMs! > 2000 && r.lag90Ms !== undefined && r.lag90Ms <= r.lagMs! / 2);
    const other = runs.filter((r) => !fast.includes(r) && !stragglers.includes(r));
    // Pacific's data sync shard waits 20 s when idle: a straggler then waits anything up to about 20 s
    // (plus the copy), so the stragglers' lags spread over 0-30 s rather than growing with the backup.
    const pollShaped = stragglers.length >= 3 && stragglers.every((r) => r.lagMs! <= 32_000) && Math.max(...stragglers.map((r) => r.lagMs!)) >= 10_000;
    return { fast, stragglers, other, pollShaped };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const lagRange = (rs: LagRun[], sep = "-") => {
    const lo = Math.min(...rs.map((r) => r.lagMs!));
    const hi = Math.max(...rs.map((r) => r.lagMs!));
    return lo === hi ? sec(lo) : `${sec(lo)}${sep}${sec(hi)}`;
};

/** The longest phase of the program's steps in a switch (where its time goes). */
function longestPhase(sw?: SwitchOutcome): { what: string; ms: number } | undefined {
    return [...(sw?.phases ?? [])].sort((x, y) => y.ms - x.ms)[0];
}

function headline(res: Results): string {
    const out: string[] = [];
    const runs = lagRuns(res);
    if (runs.length) {
        const sh = lagShapes(res);
        let t = `Replication: a Velero-shaped backup (metadata, tarball, kopia-like tree; 10-1000 objects, 1 MiB-1 GiB) was complete on zone B within 2 s after its upload to A ended in ${sh.fast.length} of ${runs.length} runs`;
        if (sh.stragglers.length) t += `; in ${plural(sh.stragglers.length, "run", "runs")} a few straggling objects came ${lagRange(sh.stragglers)} after it${sh.pollShaped ? " (consistent with data sync's 20 s idle poll)" : ""}`;
        if (sh.other.length) t += `; ${plural(sh.other.length, "other run", "other runs")} took ${lagRange(sh.other)}`;
        const gib = res.lag.filter((c) => c.bytes === GiB && cellStat(c, (r) => r.toBMs)).map((c) => cellStat(c, (r) => r.toBMs)!.median);
        const bw = Math.max(...res.lag.map((c) => (cellStat(c, (r) => r.uploadMs) && c.bytes >= 100 * MiB ? c.runs[0].bytes / MiB / (cellStat(c, (r) => r.uploadMs)!.median / 1000) : 0)));
        if (gib.length) t += `. 1 GiB was complete on B ${sec(Math.min(...gib))}-${sec(Math.max(...gib))} after its upload started (cell medians; raw S3 upload to A up to ${bw.toFixed(0)} MiB/s)`;
        out.push(`${t}.`);
    }
    const p = res.program;
    const m = res.manual;
    if (p.drill) {
        const lp = longestPhase(p.drill.switch);
        out.push(`Drill through the failover program: first write on B ${sec(p.drill.switch.toFirstWriteMs)} after the switch started, restore ready ${sec(p.drill.switch.toRestoreReadyMs)}`
            + (m.drill ? ` (bare radosgw-admin commands: ${sec(m.drill.switch.toFirstWriteMs)} and ${sec(m.drill.switch.toRestoreReadyMs)})` : "")
            + (lp ? `; ${sec(lp.ms)} of the program's time is "${lp.what}".` : "."));
    }
    if (p.lost) {
        out.push(`Site A lost: first write on B ${sec(p.lost.switch.toFirstWriteMs)}, restore ready ${sec(p.lost.switch.toRestoreReadyMs)}`
            + (m.lost ? ` (manual ${sec(m.lost.switch.toFirstWriteMs)} and ${sec(m.lost.switch.toRestoreReadyMs)})` : "")
            + `; failback from A's return to the first write on A, catch-up included, ${sec(p.lost.failbackTotalMs)}` + (m.lost ? ` (manual ${sec(m.lost.failbackTotalMs)}).` : "."));
    }
    const ra = res.reapply;
    if (ra.siteA && ra.siteB && ra.failover) {
        out.push(`A re-apply with nothing to change runs ${sec(ra.siteA.ms + ra.siteB.ms + ra.failover.ms)} of commands (site-a ${sec(ra.siteA.ms)}, site-b ${sec(ra.siteB.ms)}, failover ${sec(ra.failover.ms)}).`);
    }
    if (!out.length) out.push("No figure was measured (see Errors).");
    out.push(`Whole run: ${res.durationMs !== undefined ? `${(res.durationMs / 60000).toFixed(1)} min` : "unfinished"} on ${res.machine.nproc} cores.`);
    return out.join(" ");
}

function fitText(f: Fit): string {
    return `${sec(f.interceptMs)} + ${sec(f.perThousandObjectsMs)} per 1000 objects + ${sec(f.perGiBMs)} per GiB (R² ${f.r2.toFixed(2)})`;
}

function reading(res: Results): string[] {
    const out: string[] = [];
    const m = res.lagModel;
    if (m) {
        out.push(`Upload to A (least squares over the ${m.upload.points} cell medians): ${fitText(m.upload)}, i.e. about ${(m.upload.perThousandObjectsMs / 1000).toFixed(1)} ms per object `
            + `and ${(GiB / MiB / (m.upload.perGiBMs / 1000)).toFixed(0)} MiB/s of bandwidth. Upload start to everything on B: ${fitText(m.toB)}. Lag after the upload: ${fitText(m.lag)}.`);
    }
    const runs = lagRuns(res);
    if (m && runs.length) {
        const sh = lagShapes(res);
        const range = (rs: LagRun[]) => (rs.length ? ` (${lagRange(rs, " to ")})` : "");
        out.push(`${m.lag.r2 < 0.6 ? `The lag itself follows object count and size only loosely (R² ${m.lag.r2.toFixed(2)})` : `The lag fits count and size with R² ${m.lag.r2.toFixed(2)}`}: `
            + `${sh.fast.length} of ${runs.length} runs had every object on B within 2 s after the upload; in ${plural(sh.stragglers.length, "run", "runs")}${range(sh.stragglers)} nine tenths of the objects were there `
            + `in less than half that time and a few stragglers came late${sh.other.length ? `; ${plural(sh.other.length, "other run", "other runs")} took ${lagRange(sh.other, " to ")}` : ""}.`);
        if (sh.pollShaped) {
            const cells = new Set(sh.stragglers.map((r) => `${r.objects}/${r.bytes}`)).size;
            out.push(`The stragglers' waits spread from ${lagRange(sh.stragglers, " to ")} and came in ${cells} of the ${res.lag.length} cells, small backups as well as large, which fits Pacific's data sync: the master notifies the other zone of changed `
                + "data-log shards every 200 ms (`rgw_data_notify_interval_msec`), and a shard whose change was not picked up from a notification is read again only after its "
                + "20 s idle wait (`INCREMENTAL_INTERVAL` in rgw_data_sync.cc). For the RPO, count on up to about 30 s of replication after the upload ends, whatever the backup's size.");
        }
    }
    const gib = res.lag.filter((c) => c.bytes === GiB && cellStat(c, (r) => r.lagMs)).sort((x, y) => x.objects - y.objects);
    if (gib.length >= 2) {
        const r = (c: LagCell) => cellStat(c, (x) => x.lagMs)!.median / cellStat(c, (x) => x.uploadMs)!.median;
        const [few, ...more] = gib;
        const ratios = `lag/upload ${gib.map((c) => `${r(c).toFixed(2)} (${c.objects} objects)`).join(", ")}`;
        if (r(few) > 2 * Math.max(...more.map(r))) {
            out.push(`At 1 GiB the size shows through the largest object: in ${few.objects} objects the GiB is mostly a few multipart objects of hundreds of MiB, which B fetches whole and only after each upload completed, `
                + `while with more, smaller objects the GiB replicates as the upload goes: ${ratios}.`);
        } else out.push(`At 1 GiB: ${ratios}.`);
    }
    if (m && m.upload.r2 >= 0.9 && m.toB.r2 >= 0.8) {
        out.push(`So the cost grows linearly, and mostly on the upload side: per-request overhead (${(m.upload.perThousandObjectsMs / 1000).toFixed(1)} ms per object) and bandwidth. `
            + `Replication adds about ${sec(m.toB.perGiBMs - m.upload.perGiBMs)} per GiB beyond the upload (B copies each object only once it is complete on A, so the last large objects follow after the upload ends) `
            + `and ${Math.abs(m.toB.perThousandObjectsMs - m.upload.perThousandObjectsMs) < 1000 ? "nothing measurable per object" : `${sec(m.toB.perThousandObjectsMs - m.upload.perThousandObjectsMs)} per 1000 objects`}; `
            + "the rest of the lag is the stragglers' waiting time, not a throughput limit, on this loopback lab.");
    }
    return out;
}

function renderMarkdown(res: Results): string {
    const L: string[] = [];
    const mach = res.machine;
    const ver = res.versions;
    L.push("# Benchmark: Velero backups on Ceph RGW multisite, failover and failback (lab)");
    L.push("");
    if (!res.complete) L.push("**INCOMPLETE RUN: partial results; see Errors at the end.**", "");
    L.push("## Headline", "");
    L.push(headline(res));
    L.push("");
    L.push(`Run: ${res.startedAt}, ${res.durationMs !== undefined ? `${(res.durationMs / 60000).toFixed(1)} min` : "unfinished"} in total, `
        + `\`npm run bench${res.args.quick ? " -- --quick" : ""}\` (${res.args.runs} runs per lag cell). Generated by \`bench/bench.ts\`; raw figures in \`bench/results.json\`.`);
    L.push("");
    L.push("## Machine and versions", "");
    L.push("| | |", "| --- | --- |");
    L.push(`| CPU | ${mach.nproc} cores (nproc), ${mach.cpuModel} |`);
    L.push(`| memory | ${mach.memoryMiB} MiB |`);
    L.push(`| kernel | ${mach.kernel} (${mach.os}) |`);
    L.push(`| load average at start / end | ${(mach.loadAverageAtStart as number[]).join(" ")} / ${((mach.loadAverageAtEnd as number[]) ?? []).join(" ")} |`);
    const others = (mach.otherCephDaemonsAtStart as string[]).length + ((mach.otherCephDaemonsAtEnd as string[] | undefined)?.length ?? 0);
    L.push(`| other Ceph daemons on the machine (start / end) | ${(mach.otherCephDaemonsAtStart as string[]).length} / ${(mach.otherCephDaemonsAtEnd as string[] | undefined)?.length ?? "n/a"}${others ? " (other labs shared the cores during part of the run)" : ""} |`);
    L.push(`| Ceph | ${ver.ceph} |`);
    L.push(`| node | ${ver.node}; @aws-sdk/client-s3 ${ver.awsSdkClientS3} |`);
    L.push(`| this repo | ${ver.repoCommit} (${ver.repoCommitSubject}); the bench itself is committed with these results |`);
    L.push("");
    L.push("## Lab and method", "");
    L.push(`Two single-node Ceph 16.2 clusters on 127.0.0.1 (\`scripts/lab/ceph-lab.sh\`, LAB_DIR \`${res.lab.dir}\`, mon ports ${res.lab.monPortA}/${res.lab.monPortB}, `
        + `RGW ports ${res.lab.rgwPortA}/${res.lab.rgwPortB}): one mon, one memstore OSD (RAM, capped at 3 GiB, pools of size 1) and one beast radosgw each, `
        + "configured by the program's own recorded steps (site-a, site-b), zone scope. Client, both clusters and both gateways share the same cores: "
        + "the figures are for comparing, not absolute capacity.");
    L.push("");
    for (const [k, v] of Object.entries(res.method)) L.push(`- **${k}**: ${v}`);
    L.push("");
    L.push(`Setup: both clusters up in ${sec(res.setup.clustersUpMs)}, site-a and site-b deployed by the program's steps in ${sec(res.setup.deployMs)}.`);
    L.push("");

    L.push("## 1. Replication lag A -> B", "");
    L.push("Lag = from the end of the upload to A until every object is listed on B with the ETag and size it has on A (B's bucket listing polled every 0.25 s); "
        + "median (min - max) of the runs; \"90%\" = the median time until nine tenths of the objects were there. "
        + "Every run is then read back from B in full and compared by sha256 (\"verified\"). Upload = raw S3 upload of the backup to A in the same run.");
    L.push("");
    L.push("| objects | total | multipart objects | runs | upload to A | upload MiB/s | lag after upload | 90% on B | lag / upload | upload start -> all on B | verified | delete reached B |");
    L.push("| ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | --- | --- | --- |");
    for (const c of res.lag) {
        if (c.runs.length === 0) {
            L.push(`| ${c.objects} | ${sizeLabel(c.bytes)} | | 0 | skipped: ${c.skipped ?? "?"} | | | | | | | |`);
            continue;
        }
        const ok = c.runs.filter((r) => !r.error);
        const up = cellStat(c, (r) => r.uploadMs);
        const lag = cellStat(c, (r) => r.lagMs);
        const bytes = c.runs[0].bytes;
        L.push(`| ${c.objects} | ${sizeLabel(c.bytes)} | ${c.runs[0].multipartObjects} | ${ok.length}/${c.runs.length} | ${fmtStat(up)} | ${mibps(bytes, up?.median)} | ${fmtStat(lag)} | ${sec(cellStat(c, (r) => r.lag90Ms)?.median)} | `
            + `${up && lag ? (lag.median / up.median).toFixed(2) : "n/a"} | ${fmtStat(cellStat(c, (r) => r.toBMs))} | ${ok.length ? `${ok.filter((r) => r.verified).length}/${ok.length}` : "-"} | ${fmtStat(cellStat(c, (r) => r.deleteReplicatedMs))} |`);
    }
    const failedRuns = res.lag.flatMap((c) => c.runs.filter((r) => r.error).map((r) => `${r.name}: ${r.error}`));
    const skipped = res.lag.filter((c) => c.skipped).map((c) => `${c.objects} objects, ${sizeLabel(c.bytes)}: ${c.skipped}`);
    if (failedRuns.length || skipped.length) {
        L.push("");
        for (const f of [...failedRuns, ...skipped]) L.push(`- not measured: ${f}`);
    }
    const usage = res.lag.flatMap((c) => c.runs).map((r) => r.usageAfterCleanup).filter(Boolean) as Array<Record<Site, number>>;
    if (usage.length) {
        const maxA = Math.max(...usage.map((u) => u.a));
        const maxB = Math.max(...usage.map((u) => u.b));
        L.push("");
        L.push(`Between runs each run's objects are deleted on A, the deletes are waited for on B, and \`radosgw-admin gc process --include-all\` runs on both zones; `
            + `memstore usage after that cleanup was at most ${sizeLabel(maxA)} (A) and ${sizeLabel(maxB)} (B) of 3 GiB, against ${sizeLabel(res.setup.baselineUsageA ?? 0)} / ${sizeLabel(res.setup.baselineUsageB ?? 0)} before the first run `
            + "(OSD `stat_bytes_used` from its admin socket, refreshed on the OSD's heartbeat: the lab has no mgr, so no `ceph df`).");
    }
    L.push("");

    L.push("## 6. How cost grows", "");
    for (const line of reading(res)) L.push(line, "");
    if (res.lag.some((c) => cellStat(c, (r) => r.lagMs))) {
        const counts = [...new Set(res.lag.map((c) => c.objects))].sort((a, b) => a - b);
        const sizes = [...new Set(res.lag.map((c) => c.bytes))].sort((a, b) => a - b);
        const grid = (title: string, pick: (r: LagRun) => number | undefined) => {
            L.push(`${title} (median; objects x total size):`, "");
            L.push(`| objects \\ total | ${sizes.map(sizeLabel).join(" | ")} |`);
            L.push(`| ---: | ${sizes.map(() => "---:").join(" | ")} |`);
            for (const o of counts) {
                L.push(`| ${o} | ${sizes.map((b) => {
                    const c = res.lag.find((x) => x.objects === o && x.bytes === b);
                    const st = c && cellStat(c, pick);
                    return st ? sec(st.median) : "-";
                }).join(" | ")} |`);
            }
            L.push("");
        };
        grid("Upload to A", (r) => r.uploadMs);
        grid("Lag after the upload", (r) => r.lagMs);
        grid("Upload start -> every object on B", (r) => r.toBMs);
    }

    L.push("## 2.-4. Switches: the failover program vs the bare radosgw-admin commands", "");
    L.push("Clock: from the switch's first Ceph command. \"First write\" = the first PUT the new master accepts after the switch's commands returned; "
        + `"restore ready" = the newest backup (${SWITCH_BACKUP.objects} objects, ${sizeLabel(SWITCH_BACKUP.bytes)}, written to the old master just before the switch; `
        + "in the lost-site case it had reached B before A's gateway was stopped) read back complete from the new master. "
        + "Program = the Ceph commands the failover stack declares, replayed (its Kubernetes steps are not run: no cluster in the lab); "
        + "manual = the commands of DESIGN.md section 4 / the Ceph multisite documentation typed one by one through `ceph-lab.sh admin SITE` and `rgw-restart`.");
    L.push("");
    L.push("| step | program | manual | program / manual |");
    L.push("| --- | ---: | ---: | ---: |");
    for (const [what, p, m] of comparisonRows(res)) L.push(`| ${what} | ${sec(p)} | ${sec(m)} | ${ratio(p, m)} |`);
    L.push("");
    L.push("Where the difference comes from: the program's `promote` first reads the peer's period (and pulls a newer one), "
        + "runs a preflight (metadata sync caught up, waiting for it when the master answers), fences the reachable old master read-only "
        + "(zone modify, period commit, gateway restart) and waits until data sync has caught up before it promotes; after each commit it waits "
        + "for the gateway's realm reload to settle and for the gateway to answer again (polling every 2 s, `RGW_POLL_INTERVAL`; the settle wait starts with one fixed "
        + "such sleep, which is most of each \"committing the period\" phase below). `demote` pulls realm "
        + "and period and restarts the follower only when something changed. The manual commands do none of this: no check that B has every "
        + "object before it becomes master, no fence against writes still landing on A, no wait for the gateways.");
    L.push("");
    if (res.program.lost) {
        L.push(`A's gateway was stopped (\`rgw-stop a\`, waits for a clean exit) in ${sec(res.program.lost.stopAMs)} (program run) / ${sec(res.manual.lost?.stopAMs)} (manual run) before each lost-site switch; not counted.`);
        L.push("");
    }
    const stepsTable = (title: string, steps?: TimedStep[], recordMs?: number, phases?: ProgramSwitch["phases"]) => {
        if (!steps) return;
        L.push(`${title}${recordMs !== undefined ? ` (mocked program evaluation before it: ${sec(recordMs)})` : ""}:`, "");
        for (const x of steps) {
            L.push(`- ${x.what}: ${sec(x.ms)}`);
            for (const ph of (phases ?? []).filter((p) => x.what.includes(`rgw-multisite.sh ${p.step})`))) L.push(`  - ${ph.what}: ${sec(ph.ms)}`);
        }
        L.push("");
    };
    L.push("### Step by step", "");
    stepsTable("Program, drill switch A->B", res.program.drill?.switch.steps, res.program.drill?.switch.recordMs, res.program.drill?.switch.phases);
    stepsTable("Manual, drill switch A->B", res.manual.drill?.switch.steps);
    stepsTable("Program, drill switch back", res.program.drill?.switchBack.steps, res.program.drill?.switchBack.recordMs, res.program.drill?.switchBack.phases);
    stepsTable("Manual, drill switch back", res.manual.drill?.switchBack.steps);
    stepsTable("Program, lost site: switch to B", res.program.lost?.switch.steps, res.program.lost?.switch.recordMs, res.program.lost?.switch.phases);
    stepsTable("Manual, lost site: switch to B", res.manual.lost?.switch.steps);
    stepsTable("Program, A returns", res.program.lost?.returnSteps);
    stepsTable("Manual, A returns", res.manual.lost?.returnSteps);
    stepsTable("Program, failback", res.program.lost?.failback.steps, res.program.lost?.failback.recordMs, res.program.lost?.failback.phases);
    stepsTable("Manual, failback", res.manual.lost?.failback.steps);

    L.push("## 5. Re-apply with nothing to change", "");
    const ra = res.reapply;
    if (ra.siteA && ra.siteB && ra.failover) {
        L.push(`site-a ${sec(ra.siteA.ms)} (${ra.siteA.steps.length} commands), site-b ${sec(ra.siteB.ms)} (${ra.siteB.steps.length} commands), failover ${sec(ra.failover.ms)} `
            + `(${ra.failover.steps.length} commands; mocked program evaluation ${sec(ra.failover.recordMs)}); periods unchanged: ${ra.periodsUnchanged ? "yes" : "NO"} (${ra.detail}).`);
        L.push("");
        L.push("Slowest commands when there is nothing to do:", "");
        const all = [...ra.siteA.steps.map((x) => ({ ...x, stack: "site-a" })), ...ra.siteB.steps.map((x) => ({ ...x, stack: "site-b" })), ...ra.failover.steps.map((x) => ({ ...x, stack: "failover" }))]
            .sort((x, y) => y.ms - x.ms).slice(0, 8);
        for (const x of all) L.push(`- ${x.stack}: ${x.what}: ${sec(x.ms)}`);
        L.push("");
    } else L.push("Not measured (see Errors).", "");
    if (res.afterManual) {
        L.push(`After the manual runs, the failover stack (activeSite site-a) re-applied in ${sec(res.afterManual.failoverReapplyMs)}; periods unchanged: ${res.afterManual.periodsUnchanged ? "yes" : "no"} (${res.afterManual.detail}).`);
        L.push("");
    }

    L.push("## Checks", "");
    for (const c of res.checks) L.push(`- [${c.ok ? "x" : " "}] ${c.name}: ${c.detail}`);
    L.push("");
    L.push("## Not measured", "");
    L.push("- Kubernetes and Velero themselves (no cluster here): the failover stack's `velero-role.sh` steps and BackupStorageLocation/Schedule changes are skipped, "
        + "and Velero's backup sync period (how soon Velero on B lists a new backup) adds to restore-ready in a real cluster.");
    L.push("- Pulumi's engine: the program is evaluated under mocks and its declared commands replayed; a real `pulumi up` adds its own preview, plugin and state time.");
    L.push("- Network distance between regions: both zones are on 127.0.0.1; real replication adds WAN latency and bandwidth limits.");
    L.push("");
    if (res.errors.length) {
        L.push("## Errors", "");
        for (const e of res.errors) L.push("```", e, "```");
        L.push("");
    }
    return `${L.join("\n").replace(/\n{3,}/g, "\n\n").trim()}\n`;
}

function writeReport(out: string, res: Results): void {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "results.json"), `${JSON.stringify(res, null, 2)}\n`);
    fs.writeFileSync(path.join(out, "RESULTS.md"), renderMarkdown(res));
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    if (args.render) {
        fs.mkdirSync(args.out, { recursive: true });
        const saved = JSON.parse(fs.readFileSync(args.render, "utf8")) as Results;
        saved.lagModel = lagModels(saved.lag);
        fs.writeFileSync(path.join(args.out, "RESULTS.md"), renderMarkdown(saved));
        console.log(`rendered ${path.join(args.out, "RESULTS.md")} from ${args.render}`);
        return 0;
    }
    const s = settingsFromEnv({ ...BENCH_DEFAULTS, ...process.env });
    if (FOREIGN_LAB_DIRS.includes(s.dir.replace(/\/$/, ""))) {
        throw new Error(`LAB_DIR=${s.dir} belongs to \`npm run lab\` or the lab tests; the bench purges its LAB_DIR, so it needs its own (default ${BENCH_DEFAULTS.LAB_DIR})`);
    }
    const t0 = Date.now();
    const logFile = path.join(os.tmpdir(), "velero-ceph-dr-bench.log");
    fs.writeFileSync(logFile, "");
    const stamp = () => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s]`;
    // Progress lines on the console; everything (each program step's output too) in the log file.
    const log: Log = (line) => {
        fs.appendFileSync(logFile, `${stamp()} ${line}\n`);
        console.log(`${stamp()} ${line}`);
    };
    const verbose: Log = (line) => {
        fs.appendFileSync(logFile, `${stamp()} ${line}\n`);
        if (/^(==>| {4}done in| {4}\[(PASS|FAIL)\])/.test(line)) console.log(`${stamp()} ${line}`);
    };
    const r = new Recorder(verbose);
    const counts = args.counts ?? (args.quick ? [10, 100] : [10, 100, 1000]);
    const sizes = args.sizesMiB?.map((m) => m * MiB) ?? (args.quick ? [1 * MiB] : [1 * MiB, 100 * MiB, 1 * GiB]);
    const res: Results = {
        startedAt: new Date(t0).toISOString(),
        complete: false,
        args: { runs: args.runs, quick: args.quick, keep: args.keep, lagBudgetMs: args.lagBudgetMs, counts: args.counts, sizesMiB: args.sizesMiB, lagOnly: args.lagOnly },
        lab: s,
        machine: await machineInfo(s),
        versions: await versionInfo(),
        method: {
            "backup shape": "per backup: `backups/<name>/` with velero-backup.json, the resource tarball (10% of the total), logs, resource list and pod volume backups; "
                + "`kopia/<name>/` with kopia.repository, kopia.blobcfg, `xn` index blobs (2%), `q` metadata packs (5%) and `p` data packs sharing the rest. "
                + "Uploaded in Velero's order: kopia data first, then velero-backup.json, tarball, other metadata.",
            "upload": `${UPLOAD_CONCURRENCY} requests in flight; objects above ${sizeLabel(MULTIPART_ABOVE)} as multipart uploads of ${sizeLabel(PART_BYTES)} parts `
                + "(CreateMultipartUpload/UploadPart/CompleteMultipartUpload of @aws-sdk/client-s3; @aws-sdk/lib-storage is not installed and no package was added); "
                + "the client is the one the lab builds from the BackupStorageLocation config the failover program renders. Content is generated and hashed before the clock starts.",
            "sizes": "MiB and GiB (binary); 1 GiB = 1073741824 bytes.",
            "memstore": "each OSD is RAM capped at 3 GiB (ceph-lab.sh has no setting for the cap); a 1 GiB backup fits once per zone, so each run's objects are removed before the next.",
        },
        setup: {},
        lag: [],
        program: {},
        manual: {},
        reapply: {},
        checks: r.checks,
        errors: [],
    };
    let stopping = false;
    const finish = async (reason?: string) => {
        if (stopping) return;
        stopping = true;
        if (reason) res.errors.push(reason);
        res.finishedAt = new Date().toISOString();
        res.durationMs = Date.now() - t0;
        res.machine.loadAverageAtEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
        res.machine.otherCephDaemonsAtEnd = foreignCephDaemons(s);
        res.lagModel = lagModels(res.lag);
        res.complete = res.errors.length === 0 && res.checks.every((c) => c.ok);
        if (args.keep) log(`lab left running (--keep): LAB_DIR=${s.dir} scripts/lab/ceph-lab.sh down`);
        else {
            // Stop every daemon of this lab by its pid; keep the data (and logs) when something failed.
            await cephLab(s, res.errors.length ? "down" : "down --purge", verbose).catch((e) => {
                res.errors.push(`ceph-lab.sh down failed: ${errText(e)}`);
            });
            log(res.errors.length ? `lab stopped; its logs are kept in ${s.dir}` : "lab stopped and removed");
        }
        writeReport(args.out, res);
        log(`report: ${path.join(args.out, "RESULTS.md")} and results.json (${res.complete ? "complete" : "INCOMPLETE"}), ${((Date.now() - t0) / 60000).toFixed(1)} min; full log ${logFile}`);
    };
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
        process.on(sig, () => {
            log(`${sig}: stopping the lab and writing partial results`);
            finish(`interrupted by ${sig}`).finally(() => process.exit(130));
        });
    }

    try {
        log(`bench lab ${s.dir}: mon ${s.monPortA}/${s.monPortB}, rgw ${s.rgwPortA}/${s.rgwPortB}; ${res.machine.nproc} cores, ${res.machine.memoryMiB} MiB; `
            + `other Ceph daemons running: ${(res.machine.otherCephDaemonsAtStart as string[]).length}`);
        await cephLab(s, "down --purge", verbose);
        const up0 = Date.now();
        await cephLab(s, "up", verbose);
        res.setup.clustersUpMs = Date.now() - up0;
        const dep0 = Date.now();
        const d = await deploy(s, "zone", r);
        res.setup.deployMs = Date.now() - dep0;
        log(`clusters up in ${sec(res.setup.clustersUpMs)}, site-a + site-b deployed in ${sec(res.setup.deployMs)}`);
        const ctx: Ctx = {
            s, d, log, r, content: new Content(), ledger: [],
            systemKeys: { access: outValue(d.siteA, "systemAccessKey"), secret: outValue(d.siteA, "systemSecretKey") },
            baselineUsage: { a: (await osdUsage(s, "a")).used, b: (await osdUsage(s, "b")).used },
        };
        res.setup.baselineUsageA = ctx.baselineUsage.a;
        res.setup.baselineUsageB = ctx.baselineUsage.b;

        // 1. Replication lag; one failed run does not stop the others.
        await lagSeries(ctx, counts, sizes, args.runs, args.lagBudgetMs, res.lag);
        for (const c of res.lag) for (const run of c.runs) if (run.error) res.errors.push(`lag ${run.name}: ${run.error}`);

        // 2.-5. The switches; a failed one leaves the roles unknown, so the rest is skipped.
        const phases: Array<[string, () => Promise<void>]> = [
            ["program drill", () => programDrill(ctx, res.program)],
            ["program lost site and failback", () => lostSite(ctx, res.program, "program")],
            ["re-apply with nothing to change", () => reapply(ctx, res.reapply)],
            ["manual drill", () => manualDrill(ctx, res.manual)],
            ["manual lost site and failback", () => lostSite(ctx, res.manual, "manual")],
            ["program re-apply after the manual runs", async () => {
                ctx.log("==> failover stack re-applied after the manual runs (activeSite site-a)");
                const before = { a: await periodOf(s, "a"), b: await periodOf(s, "b") };
                const p = await programSwitch(ctx, { activeSite: "site-a" });
                const after = { a: await periodOf(s, "a"), b: await periodOf(s, "b") };
                res.afterManual = { failoverReapplyMs: p.commandsMs, periodsUnchanged: JSON.stringify(before) === JSON.stringify(after), detail: `a@${before.a.epoch}->${after.a.epoch}, b@${before.b.epoch}->${after.b.epoch}` };
            }],
            ["no object lost", async () => {
                ctx.log(`==> every object written around the switches (${ctx.ledger.length}) is on both zones`);
                const onA = await waitForObjects(d.clients.a, d.bucket, ctx.ledger, 180_000);
                const onB = await waitForObjects(d.clients.b, d.bucket, ctx.ledger, 180_000);
                r.check("no object lost: every object written around the switches is on both zones", onA.missing.length === 0 && onB.missing.length === 0,
                    `${ctx.ledger.length} objects; missing on A ${onA.missing.length}, on B ${onB.missing.length}`);
            }],
        ];
        for (const [name, phase] of args.lagOnly ? [] : phases) {
            try {
                await phase();
            } catch (e) {
                res.errors.push(`${name}: ${errText(e)}`);
                log(`${name} FAILED: ${errText(e)}; skipping the remaining switch phases`);
                break;
            }
        }
    } catch (e) {
        res.errors.push(errText(e));
        log(`FAILED: ${errText(e)}`);
    } finally {
        await finish();
    }
    return res.complete ? 0 : 1;
}

if (require.main === module) {
    main().then((code) => process.exit(code), (e) => {
        console.error(`bench: ${errText(e)}`);
        process.exit(1);
    });
}
