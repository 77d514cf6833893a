// S3 traffic in Velero's layout for the lab: what Velero writes for one backup, and checks that every
// object arrives on the other zone with identical content.
import * as crypto from "crypto";
import {
    CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";

/** The `spec.config` of a Velero BackupStorageLocation for Ceph (components/veleroInstall.ts). */
export interface BslConfig {
    s3Url: string;
    region: string;
    s3ForcePathStyle: string;
    checksumAlgorithm: string;
}

/**
 * An S3 client that talks to RGW the way velero-plugin-for-aws does with this BSL config: the
 * same endpoint, region and addressing, and `checksumAlgorithm: ""` meaning no request checksum
 * (Ceph 16 rejects the SDK's default CRC32). The lab's traffic thus proves the rendered config.
 */
export function s3ClientForBsl(config: BslConfig, keys: { accessKey: string; secretKey: string }): S3Client {
    if (config.checksumAlgorithm !== "") throw new Error(`BSL checksumAlgorithm "${config.checksumAlgorithm}": Ceph 16 needs ""`);
    return new S3Client({
        endpoint: config.s3Url,
        region: config.region,
        forcePathStyle: config.s3ForcePathStyle === "true",
        credentials: { accessKeyId: keys.accessKey, secretAccessKey: keys.secretKey },
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        maxAttempts: 2,
    });
}

export interface WrittenObject {
    key: string;
    sha256: string;
    bytes: number;
}

function sha256(data: Buffer): string {
    return crypto.createHash("sha256").update(data).digest("hex");
}

async function put(client: S3Client, bucket: string, key: string, body: Buffer): Promise<WrittenObject> {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return { key, sha256: sha256(body), bytes: body.length };
}

/**
 * Writes one Velero-shaped backup: `backups/<name>/velero-backup.json`, `<name>.tar.gz`,
 * `<name>-logs.gz`, and a `kopia/<namespace>/` tree of many small objects, like a kopia repository.
 * The metadata file goes first, as Velero does, which is why restores must check the rest arrived.
 */
export async function writeVeleroBackup(
    client: S3Client, bucket: string, name: string, opts: { kopiaObjects: number; tarballBytes: number },
): Promise<WrittenObject[]> {
    const written: WrittenObject[] = [];
    const meta = { apiVersion: "velero.io/v1", kind: "Backup", metadata: { name }, status: { phase: "Completed" } };
    written.push(await put(client, bucket, `backups/${name}/velero-backup.json`, Buffer.from(JSON.stringify(meta))));
    written.push(await put(client, bucket, `backups/${name}/${name}.tar.gz`, crypto.randomBytes(opts.tarballBytes)));
    written.push(await put(client, bucket, `backups/${name}/${name}-logs.gz`, crypto.randomBytes(2048)));
    const kopia = Array.from({ length: opts.kopiaObjects }, (_, i) =>
        put(client, bucket, `kopia/default/p${String(i).padStart(5, "0")}-${name}`, crypto.randomBytes(512 + (i % 7) * 100)));
    written.push(...(await Promise.all(kopia)));
    return written;
}

/** Writes `count` small objects under `prefix` (the objects a failover test counts). */
export async function writeObjects(client: S3Client, bucket: string, prefix: string, count: number): Promise<WrittenObject[]> {
    return Promise.all(Array.from({ length: count }, (_, i) =>
        put(client, bucket, `${prefix}/obj-${String(i).padStart(4, "0")}`, crypto.randomBytes(256))));
}

/** The object's sha256 on this zone, or undefined when absent. */
export async function objectHash(client: S3Client, bucket: string, key: string): Promise<string | undefined> {
    try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return sha256(Buffer.from(await out.Body!.transformToByteArray()));
    } catch (e) {
        if (e instanceof NoSuchKey || (e as { name?: string }).name === "NoSuchKey") return undefined;
        throw e;
    }
}

/** Objects whose content on this zone differs from what was written (or that are absent). */
export async function missingOrDifferent(client: S3Client, bucket: string, objects: WrittenObject[]): Promise<string[]> {
    const bad: string[] = [];
    const batch = 32;
    for (let i = 0; i < objects.length; i += batch) {
        const slice = objects.slice(i, i + batch);
        const hashes = await Promise.all(slice.map((o) => objectHash(client, bucket, o.key)));
        slice.forEach((o, j) => { if (hashes[j] !== o.sha256) bad.push(o.key); });
    }
    return bad;
}

/** Waits until every object is readable on this zone with identical content; returns ms waited. */
export async function waitForObjects(
    client: S3Client, bucket: string, objects: WrittenObject[], timeoutMs: number,
): Promise<{ ms: number; missing: string[] }> {
    const started = Date.now();
    let pending = objects;
    for (;;) {
        const bad = new Set(await missingOrDifferent(client, bucket, pending).catch(() => pending.map((o) => o.key)));
        pending = pending.filter((o) => bad.has(o.key));
        if (pending.length === 0) return { ms: Date.now() - started, missing: [] };
        if (Date.now() - started > timeoutMs) return { ms: Date.now() - started, missing: pending.map((o) => o.key) };
        await new Promise((r) => setTimeout(r, 500));
    }
}

/** Keys present in a bucket (for "does not replicate" checks). */
export async function listKeys(client: S3Client, bucket: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
        const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return keys;
}

export async function createBucket(client: S3Client, bucket: string): Promise<void> {
    try {
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (e) {
        if ((e as { name?: string }).name !== "BucketAlreadyOwnedByYou") throw e;
    }
}

/** Retries a small S3 write until it succeeds (e.g. right after a gateway restart); returns the object. */
export async function firstSuccessfulWrite(client: S3Client, bucket: string, key: string, timeoutMs: number): Promise<WrittenObject> {
    const started = Date.now();
    const body = Buffer.from(`probe ${key} ${started}`);
    for (;;) {
        try {
            await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
            return { key, sha256: sha256(body), bytes: body.length };
        } catch (e) {
            if (Date.now() - started > timeoutMs) throw new Error(`no successful write to ${bucket}/${key} within ${timeoutMs} ms: ${(e as Error).message}`);
            await new Promise((r) => setTimeout(r, 250));
        }
    }
}
