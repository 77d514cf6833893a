// Sync leases and gateway reloads, as `rados` shows them (pure: parsing and decisions; the calls
// are in reload.ts).
//
// Why: a period commit makes every running radosgw of the zone reload (RGWRealmReloader: frontends
// paused, the store and its sync threads rebuilt, about 0.2 s), so no restart is needed after a
// commit. But each data and metadata sync shard of the old instance holds an exclusive `sync_lock`
// for `rgw_sync_lease_period` (120 s by default) and never unlocks it on the way down; the new
// instance backs off (1, 2, 4, 8, 16, 30 s) until the lock expires. Measured on Ceph 16.2.15 with
// the default lease: the zone's data sync stood still for 121 s after a fence commit. A lock whose
// holder is no longer a running gateway can be broken safely: nothing will renew it.
//
// Who is a running gateway: every radosgw watches its zone's control objects (`notify.0` ..
// `notify.7` in the control pool) under its RADOS client name; `rados listwatchers` names them.

/** A RADOS client that holds a lock: its entity name (`client.4236`) and the lock cookie. */
export interface Locker {
    name: string;
    cookie: string;
}

/** The lock every sync shard's lease takes (RGWContinuousLeaseCR in rgw_cr_rados). */
export const SYNC_LOCK = "sync_lock";

/** The control object every running gateway of a zone watches. */
export const CONTROL_OBJECT = "notify.0";

/** `rados listwatchers OBJ`: one `watcher=ADDR client.N cookie=C` line per watch. */
export function parseWatchers(text: string): string[] {
    const names = new Set<string>();
    for (const line of text.split("\n")) {
        const m = /^watcher=\S+ (client\.\d+) cookie=\d+\s*$/.exec(line.trim());
        if (m) names.add(m[1]);
        else if (line.trim()) throw new Error(`unexpected line from rados listwatchers: ${line.trim()}`);
    }
    return [...names].sort();
}

/** `rados lock info OBJ LOCK` (JSON): who holds the lock. */
export function parseLockers(text: string): Locker[] {
    const doc: unknown = JSON.parse(text);
    const lockers = (doc as { lockers?: unknown }).lockers;
    if (!Array.isArray(lockers)) throw new Error("rados lock info: no lockers list");
    return lockers.map((l: unknown) => {
        const { name, cookie } = l as { name?: unknown; cookie?: unknown };
        if (typeof name !== "string" || typeof cookie !== "string") throw new Error("rados lock info: a locker without name or cookie");
        return { name, cookie };
    });
}

/**
 * The lockers no running gateway is: only these may be broken. With no running gateway seen at all
 * nothing is (a listing that failed or came too early must never free a live lease).
 */
export function staleLockers(lockers: readonly Locker[], liveGateways: readonly string[]): Locker[] {
    if (liveGateways.length === 0) return [];
    return lockers.filter((l) => !liveGateways.includes(l.name));
}

/** Whether every gateway that ran before the commit is gone and at least one runs: each reloaded. */
export function reloaded(before: readonly string[], now: readonly string[]): boolean {
    return now.length > 0 && before.every((c) => !now.includes(c));
}

/**
 * The shards of the sync this zone runs whose leases matter: the ones that have carried a change
 * (a shard that never did holds nothing to wait for, and a bucket's changes always land on the same
 * shards; the Velero bucket's 11 index shards use 11 of the 128 data-log shards), so freeing takes
 * about 20 `rados` calls instead of about 400 (8 s on a 2-core lab).
 */
export interface SyncShards {
    /** Data sync, per source zone id (`data sync status --source-zone`). */
    data: { sourceZoneId: string; shards: number[] }[];
    /** Metadata sync (secondaries only; none on the master). */
    metadata: number[];
}

/** The objects in the zone's log pool whose `sync_lock` is a shard's lease (rgw_data_sync, rgw_sync). */
export function syncLeaseObjects(shards: SyncShards): string[] {
    const out: string[] = [];
    for (const { sourceZoneId, shards: list } of shards.data) {
        for (const i of list) out.push(`datalog.sync-status.shard.${sourceZoneId}.${i}`);
    }
    for (const i of shards.metadata) out.push(`mdlog.sync-status.shard.${i}`);
    return out;
}

/** What `sync status` says is behind, per source zone (its id) and for metadata. */
export interface BehindShards {
    dataSync: Record<string, { id?: string; behindShards: number[] }>;
    metadataSync: { behindShards: number[] };
    isMaster: boolean;
}

/**
 * The lease objects of the shards that are behind: the ones a catch-up waits for. (A fenced source
 * writes nothing more, so an idle shard's stale lease delays nothing the promotion waits for.)
 */
export function behindLeaseObjects(status: BehindShards): string[] {
    const out: string[] = [];
    for (const section of Object.values(status.dataSync)) {
        if (!section.id) continue;
        for (const i of section.behindShards) out.push(`datalog.sync-status.shard.${section.id}.${i}`);
    }
    if (!status.isMaster) for (const i of status.metadataSync.behindShards) out.push(`mdlog.sync-status.shard.${i}`);
    return out;
}
