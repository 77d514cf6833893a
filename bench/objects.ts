// Velero-shaped backups of a given object count and total size, and the S3 calls the bench makes
// with them: upload in Velero's order (multipart above a size), list, wait until listed on the other
// zone, delete. All under the bucket's `bench/` prefix, where Velero never looks (its backup sync
// reads `backups/`), so the lab's real Velero servers do not import the bench's synthetic backups.
import * as crypto from "crypto";
import {
    AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectsCommand,
    HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Log } from "../scripts/lab/shell";
import { WrittenObject } from "../scripts/lab/s3";
import { KiB, MiB, sec, sleep } from "./stats";

/** Every object the bench writes is under this prefix of Velero's bucket. */
export const BENCH_PREFIX = "bench/";
/** Objects above this size go up as multipart uploads of PART_BYTES parts (Velero's plugin and kopia do too). */
export const MULTIPART_ABOVE = 32 * MiB;
export const PART_BYTES = 16 * MiB;
/** Requests in flight to a gateway while uploading (objects or parts). */
export const UPLOAD_CONCURRENCY = 8;

const stripQuotes = (etag: string | undefined) => (etag ?? "").replace(/"/g, "");

/** At most `n` promises of `run` at a time. */
export class Limiter {
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

/** Fast unique content: slices of one random pool, each stamped with its key and part. */
export class Content {
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

export interface PlannedObject {
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
 * One backup as Velero lays it out (under BENCH_PREFIX): `backups/<name>/` holds velero-backup.json, the resource
 * tarball (10% of the size) and three small gzip'd metadata files; `kopia/<name>/` is a kopia-like
 * repository (kopia.repository, kopia.blobcfg, `xn` index blobs, `q` metadata packs and `p` data
 * packs holding the rest). A per-backup kopia prefix (Velero shares one per namespace) keeps each
 * run's objects apart for the cleanup.
 */
export function planBackup(content: Content, name: string, objects: number, totalBytes: number): PlannedObject[] {
    if (objects < 9) throw new Error(`a Velero-shaped backup needs at least 9 objects, not ${objects}`);
    const meta = (file: string, bytes: number) => planObject(content, `${BENCH_PREFIX}backups/${name}/${file}`, "metadata", bytes);
    const backupJson = Buffer.from(JSON.stringify({
        apiVersion: "velero.io/v1", kind: "Backup",
        metadata: { name, namespace: "velero", labels: { "velero.io/storage-location": "default" } },
        spec: { includedNamespaces: ["*"], storageLocation: "default", ttl: "720h0m0s", defaultVolumesToFsBackup: true },
        status: { phase: "Completed", version: 1, formatVersion: "1.1.0", expiration: "2030-01-01T00:00:00Z", progress: { totalItems: objects, itemsBackedUp: objects } },
        pad: "x".repeat(1024),
    }));
    const metadata = [
        planObject(content, `${BENCH_PREFIX}backups/${name}/velero-backup.json`, "metadata", backupJson.length, backupJson),
        meta(`${name}-logs.gz`, 2 * KiB),
        meta(`${name}-resource-list.json.gz`, 1 * KiB),
        meta(`${name}-podvolumebackups.json.gz`, 1 * KiB),
    ];
    const tarballBytes = Math.max(1 * KiB, Math.round(totalBytes * 0.1));
    const tarball = planObject(content, `${BENCH_PREFIX}backups/${name}/${name}.tar.gz`, "tarball", tarballBytes);

    const kopiaCount = objects - metadata.length - 1;
    const xn = Math.max(1, Math.round(kopiaCount * 0.02));
    const q = Math.round(kopiaCount * 0.05);
    const p = kopiaCount - 2 - xn - q;
    const hex = (i: number, tag: string) => crypto.createHash("md5").update(`${name}/${tag}/${i}`).digest("hex");
    const kopia: PlannedObject[] = [
        planObject(content, `${BENCH_PREFIX}kopia/${name}/kopia.repository`, "kopia", 1 * KiB),
        planObject(content, `${BENCH_PREFIX}kopia/${name}/kopia.blobcfg`, "kopia", 256),
    ];
    for (let i = 0; i < xn; i++) kopia.push(planObject(content, `${BENCH_PREFIX}kopia/${name}/xn0_${hex(i, "xn")}`, "kopia", 1 * KiB));
    for (let i = 0; i < q; i++) kopia.push(planObject(content, `${BENCH_PREFIX}kopia/${name}/q${hex(i, "q")}`, "kopia", 2 * KiB));
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
        kopia.push(planObject(content, `${BENCH_PREFIX}kopia/${name}/p${hex(i, "p")}`, "kopia", Math.max(256, bytes)));
    }
    return [...kopia, ...metadata.slice(0, 1), tarball, ...metadata.slice(1)];
}

export const asWritten = (objects: PlannedObject[]): WrittenObject[] => objects.map((o) => ({ key: o.key, sha256: o.sha256, bytes: o.bytes }));
export const prefixesOf = (name: string) => [`${BENCH_PREFIX}backups/${name}/`, `${BENCH_PREFIX}kopia/${name}/`];

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
export async function uploadBackup(client: S3Client, bucket: string, objects: PlannedObject[]): Promise<Map<string, string>> {
    const lim = new Limiter(UPLOAD_CONCURRENCY);
    const etags = new Map<string, string>();
    await Promise.all(objects.filter((o) => o.kind === "kopia").map(async (o) => etags.set(o.key, await uploadObject(client, bucket, o, lim))));
    for (const o of objects.filter((x) => x.kind !== "kopia")) etags.set(o.key, await uploadObject(client, bucket, o, lim));
    return etags;
}

export async function listPrefix(client: S3Client, bucket: string, prefix: string): Promise<Map<string, { etag: string; size: number }>> {
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
export async function waitListed(
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

export async function deletePrefixes(client: S3Client, bucket: string, prefixes: string[]): Promise<number> {
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
