// S3 reads and writes of the lab and the bench on RGW: listing a bucket, creating one, probing the
// first successful write, and checking that written objects arrive on the other zone unchanged.
import * as crypto from "crypto";
import {
    CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";

export interface WrittenObject {
    key: string;
    sha256: string;
    bytes: number;
}

function sha256(data: Buffer): string {
    return crypto.createHash("sha256").update(data).digest("hex");
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

/** One listed object: what two zones must agree on for a replicated copy to count as the same. */
export interface ObjectSummary {
    key: string;
    size: number;
    etag: string;
}

/** Objects under `prefix` with their size and ETag, sorted by key. */
export async function listObjectSummaries(client: S3Client, bucket: string, prefix = ""): Promise<ObjectSummary[]> {
    const objects: ObjectSummary[] = [];
    let token: string | undefined;
    do {
        const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        for (const o of out.Contents ?? []) if (o.Key) objects.push({ key: o.Key, size: o.Size ?? 0, etag: o.ETag ?? "" });
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return objects.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

/**
 * How the copy's listing differs from the source's, one phrase per object ("missing on the copy",
 * "only on the copy", "differs": size or ETag); empty when they are the same.
 */
export function objectListDifferences(source: ObjectSummary[], copy: ObjectSummary[]): string[] {
    const copies = new Map(copy.map((o) => [o.key, o]));
    const sources = new Set(source.map((o) => o.key));
    const differences: string[] = [];
    for (const o of source) {
        const c = copies.get(o.key);
        if (!c) differences.push(`${o.key} missing on the copy`);
        else if (c.size !== o.size || c.etag !== o.etag) {
            differences.push(`${o.key} differs (size ${o.size} vs ${c.size}, ETag ${o.etag} vs ${c.etag})`);
        }
    }
    for (const c of copy) if (!sources.has(c.key)) differences.push(`${c.key} only on the copy`);
    return differences;
}

/** Keys present in a bucket under `prefix`, sorted (so two zones' lists compare as strings). */
export async function listKeys(client: S3Client, bucket: string, prefix = ""): Promise<string[]> {
    return (await listObjectSummaries(client, bucket, prefix)).map((o) => o.key);
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
