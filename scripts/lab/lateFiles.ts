// Issue 16 item 2 in the lab: a backup whose velero-backup.json reaches the passive zone before its
// other files. Multisite gives no order between objects, so the lab forces the bad one: it writes a
// copy of a real backup under a new name on the active zone, the metadata file first, waits until
// the passive cluster's backup sync has imported it (with no PodVolumeBackup, as the list is not
// there yet), and only then writes the tarball, the logs and a pod-volume list. Velero never reads
// the list again for an imported backup: only the on-call tool's completeness check can notice.
import * as zlib from "zlib";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { listKeys } from "./s3";

/** The PodVolumeBackups the copied backup's list holds (the lab has no kubelet to make real ones). */
export const LATE_PVB_COUNT = 2;

async function getBytes(client: S3Client, bucket: string, key: string): Promise<Buffer> {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
}

async function put(client: S3Client, bucket: string, key: string, body: Buffer): Promise<void> {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** velero-backup.json of `source`, renamed to `name`, without the fields a cluster assigns. */
export function renamedBackupMetadata(sourceJson: Buffer, name: string): Buffer {
    const backup = JSON.parse(sourceJson.toString("utf8")) as { metadata: Record<string, unknown> };
    const kept: Record<string, unknown> = { ...backup.metadata, name };
    for (const assigned of ["uid", "resourceVersion", "creationTimestamp", "managedFields", "generation"]) delete kept[assigned];
    backup.metadata = kept;
    return Buffer.from(JSON.stringify(backup));
}

/** A gzipped PodVolumeBackup list for backup `name` with `count` entries, as Velero writes it. */
export function podVolumeBackupList(name: string, namespace: string, count: number): Buffer {
    const items = Array.from({ length: count }, (_, i) => ({
        apiVersion: "velero.io/v1",
        kind: "PodVolumeBackup",
        metadata: { name: `${name}-pvb-${i}`, namespace, labels: { "velero.io/backup-name": name } },
        spec: {
            node: "lab-node", backupStorageLocation: "default", repoIdentifier: "", uploaderType: "kopia",
            pod: { kind: "Pod", namespace: "drill-app", name: `web-${i}` }, volume: `data-${i}`, tags: { backup: name },
        },
        status: { phase: "Completed", snapshotID: `lab-snapshot-${i}`, path: `/lab/data-${i}` },
    }));
    return zlib.gzipSync(Buffer.from(JSON.stringify(items)));
}

/**
 * Writes a copy of `source` as `name` on the active zone in the bad order: velero-backup.json,
 * then (after `afterMetadata` resolves, e.g. when the passive cluster imported it) every other
 * file, the pod-volume list holding LATE_PVB_COUNT entries. Returns the keys written.
 */
export async function writeBackupMetadataFirst(
    client: S3Client, bucket: string, source: string, name: string, veleroNamespace: string, afterMetadata: () => Promise<void>,
): Promise<string[]> {
    const prefix = (b: string) => `backups/${b}/`;
    const sourceKeys = await listKeys(client, bucket, prefix(source));
    const metadataKey = `${prefix(source)}velero-backup.json`;
    if (!sourceKeys.includes(metadataKey)) throw new Error(`backup ${source} has no velero-backup.json on the active zone`);
    const written = [`${prefix(name)}velero-backup.json`];
    await put(client, bucket, written[0], renamedBackupMetadata(await getBytes(client, bucket, metadataKey), name));
    await afterMetadata();
    for (const key of sourceKeys.filter((k) => k !== metadataKey)) {
        const file = key.slice(prefix(source).length);
        if (!file.startsWith(source)) throw new Error(`unexpected file ${key} in backup ${source}`);
        const target = `${prefix(name)}${name}${file.slice(source.length)}`;
        const body = file === `${source}-podvolumebackups.json.gz`
            ? podVolumeBackupList(name, veleroNamespace, LATE_PVB_COUNT)
            : await getBytes(client, bucket, key);
        await put(client, bucket, target, body);
        written.push(target);
    }
    const listName = `${prefix(name)}${name}-podvolumebackups.json.gz`;
    if (!written.includes(listName)) {
        await put(client, bucket, listName, podVolumeBackupList(name, veleroNamespace, LATE_PVB_COUNT));
        written.push(listName);
    }
    return written.sort();
}
