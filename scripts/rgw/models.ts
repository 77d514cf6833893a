// radosgw-admin's JSON as typed models: realm, zone, period (zonegroups and zones), users, sync
// policy, `metadata sync status`/`data sync status`, `sync info --bucket`, `bucket list`.
// Tolerant as radosgw-admin behind some prefixes is: banner lines before the JSON are skipped.
// Parse errors never quote the input (it may hold keys).

export class ParseError extends Error {}

/** JSON from radosgw-admin's stdout; banner lines before the first `{`/`[` line are skipped. */
export function parseAdminJson(text: string, what = "radosgw-admin output"): unknown {
    try {
        return JSON.parse(text);
    } catch {
        // fall through: maybe a banner first
    }
    const i = text.search(/^[ \t]*[[{]/m);
    if (i > 0) {
        try {
            return JSON.parse(text.slice(i));
        } catch {
            // fall through
        }
    }
    throw new ParseError(`could not parse ${what} as JSON`);
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
/** radosgw-admin prints booleans as true or "true" depending on the field and version. */
const bool = (v: unknown): boolean => v === true || v === "true";

// ---------------------------------------------------------------------------------------------
// Realm, zone, period
// ---------------------------------------------------------------------------------------------

export interface Realm {
    id: string;
    name: string;
    currentPeriod: string;
}

export function parseRealm(text: string): Realm {
    const r = obj(parseAdminJson(text, "realm"));
    return { id: str(r.id), name: str(r.name), currentPeriod: str(r.current_period) };
}

/** `zone get`: the zone's own record. */
export interface ZoneRecord {
    id: string;
    name: string;
    realmId: string;
    systemKey: { accessKey: string; secretKey: string };
    /** Its RADOS pools: the log pool holds the sync shards' leases, the control pool the gateways' watches. */
    logPool: string;
    controlPool: string;
}

export function parseZoneRecord(text: string): ZoneRecord {
    const z = obj(parseAdminJson(text, "zone"));
    const k = obj(z.system_key);
    return {
        id: str(z.id), name: str(z.name), realmId: str(z.realm_id), systemKey: { accessKey: str(k.access_key), secretKey: str(k.secret_key) },
        logPool: str(z.log_pool), controlPool: str(z.control_pool),
    };
}

/** `realm list`, `zonegroup list`, `zone list`: the names. */
export function parseNameList(text: string, kind: "realm" | "zonegroup" | "zone"): string[] {
    return arr(obj(parseAdminJson(text))[`${kind}s`]).map(str);
}

export interface PeriodZone {
    id: string;
    name: string;
    zonegroup: string;
    endpoints: string[];
    readOnly: boolean;
    /** The zones this zone syncs data from: "all" (sync_from_all, Ceph's default) or the listed ones. */
    syncFrom: "all" | string[];
    /**
     * The zonegroup features the zone's gateways advertise (`supported_features`, Ceph 17 on);
     * undefined when the period has no such field for it (a Pacific zone, or one that has not
     * advertised them since a Pacific zone committed a period).
     */
    supportedFeatures?: string[];
}

export interface ZoneGroup {
    name: string;
    zones: PeriodZone[];
}

/** A realm's period as `period get` prints it, with the questions the steps ask of it. */
export class Period {
    constructor(
        readonly id: string,
        readonly epoch: number | null,
        readonly realmEpoch: number,
        readonly realmId: string,
        readonly realmName: string,
        readonly masterZoneId: string,
        readonly zonegroups: ZoneGroup[],
    ) {}

    static parse(text: string, what = "radosgw-admin output"): Period {
        const p = obj(parseAdminJson(text, what));
        const zonegroups = arr(obj(p.period_map).zonegroups).map((g) => {
            const name = str(obj(g).name);
            const zones = arr(obj(g).zones).map((z) => ({
                id: str(obj(z).id),
                name: str(obj(z).name),
                zonegroup: name,
                endpoints: arr(obj(z).endpoints).map(str),
                readOnly: bool(obj(z).read_only),
                syncFrom: obj(z).sync_from_all === false || obj(z).sync_from_all === "false" ? arr(obj(z).sync_from).map(str) : "all" as const,
                ...(Array.isArray(obj(z).supported_features) ? { supportedFeatures: arr(obj(z).supported_features).map(str) } : {}),
            }));
            return { name, zones };
        });
        const realmEpoch = Number(p.realm_epoch);
        return new Period(str(p.id), typeof p.epoch === "number" ? p.epoch : null, Number.isFinite(realmEpoch) ? realmEpoch : 0,
            str(p.realm_id), str(p.realm_name), str(p.master_zone), zonegroups);
    }

    get zones(): PeriodZone[] {
        return this.zonegroups.flatMap((g) => g.zones);
    }

    zone(name: string): PeriodZone | undefined {
        return this.zones.find((z) => z.name === name);
    }

    zoneById(id: string): PeriodZone | undefined {
        return this.zones.find((z) => z.id === id);
    }

    /** Name of the metadata master zone; "" if none; `id:<id>` if the id is not in the map. */
    get master(): string {
        if (!this.masterZoneId) return "";
        return this.zoneById(this.masterZoneId)?.name ?? `id:${this.masterZoneId}`;
    }

    /** The master's name, or its id when the map does not have it (what messages show). */
    get masterShown(): string {
        return this.master.replace(/^id:/, "");
    }

    /** Names of the zones of zonegroup `zonegroup` (empty when it is not in the period). */
    zoneNames(zonegroup: string): string[] {
        return this.zonegroups.find((g) => g.name === zonegroup)?.zones.map((z) => z.name) ?? [];
    }

    hasZone(zonegroup: string, zone: string): boolean {
        return this.zoneNames(zonegroup).includes(zone);
    }
}

// ---------------------------------------------------------------------------------------------
// Users and bucket metadata
// ---------------------------------------------------------------------------------------------

export interface UserInfo {
    displayName: string;
    keys: { accessKey: string; secretKey: string }[];
    system: boolean;
}

export function parseUserInfo(text: string): UserInfo {
    const u = obj(parseAdminJson(text, "user info"));
    return {
        displayName: str(u.display_name),
        keys: arr(u.keys).map((k) => ({ accessKey: str(obj(k).access_key), secretKey: str(obj(k).secret_key) })),
        system: bool(u.system),
    };
}

/** `metadata list user|bucket`: the names. */
export function parseMetadataList(text: string): string[] {
    return arr(parseAdminJson(text)).map(str);
}

/** `metadata get bucket:B` -> its instance id. */
export function bucketInstanceId(text: string): string {
    return str(obj(obj(obj(parseAdminJson(text)).data).bucket).bucket_id);
}

/** BUCKET_DATASYNC_DISABLED in the instance flags of `metadata get bucket.instance:B:ID`. */
export function bucketSyncDisabled(text: string): boolean {
    const flags = Number(obj(obj(obj(parseAdminJson(text)).data).bucket_info).flags) || 0;
    return (flags & 8) !== 0;
}

/** One entry of `bucket list`. */
export interface BucketEntry {
    name: string;
    size: unknown;
    etag: unknown;
    mtime: unknown;
}

export function parseBucketList(text: string): BucketEntry[] {
    return arr(parseAdminJson(text)).map((e) => {
        const m = obj(obj(e).meta);
        return { name: str(obj(e).name), size: m.size, etag: m.etag, mtime: m.mtime };
    });
}

// ---------------------------------------------------------------------------------------------
// Sync policy and sync info
// ---------------------------------------------------------------------------------------------

export interface PipeEnds {
    zones: string[];
    bucket?: string;
}

export interface SyncGroup {
    id: string;
    status: string;
    symmetrical: { id: string; zones: string[] }[];
    directional: { source: string; dest: string }[];
    pipes: { id: string; source: PipeEnds; dest: PipeEnds }[];
}

/** `sync policy get [--bucket B]`: the groups (empty when there is no policy). */
export function parseSyncPolicy(text: string): SyncGroup[] {
    if (text.trim() === "") return [];
    const d = obj(parseAdminJson(text, "sync policy"));
    const groups = Array.isArray(d.groups) ? d.groups : arr(obj(d.sync_policy).groups);
    const ends = (e: unknown): PipeEnds => ({ zones: arr(obj(e).zones).map(str), ...(typeof obj(e).bucket === "string" ? { bucket: str(obj(e).bucket) } : {}) });
    return groups.map((g) => {
        const flow = obj(obj(g).data_flow);
        return {
            id: str(obj(g).id),
            status: str(obj(g).status),
            symmetrical: arr(flow.symmetrical).map((s) => ({ id: str(obj(s).id), zones: arr(obj(s).zones).map(str) })),
            directional: arr(flow.directional).map((d) => ({ source: str(obj(d).source_zone), dest: str(obj(d).dest_zone) })),
            pipes: arr(obj(g).pipes).map((p) => ({ id: str(obj(p).id), source: ends(obj(p).source), dest: ends(obj(p).dest) })),
        };
    });
}

/** Is the zone (by name or id) in a data flow of some group? */
export function zoneInFlows(groups: SyncGroup[], ...zone: string[]): boolean {
    const want = zone.filter(Boolean);
    return groups.some((g) => g.symmetrical.some((s) => s.zones.some((z) => want.includes(z)))
        || g.directional.some((d) => want.includes(d.source) || want.includes(d.dest)));
}

/** The zones of symmetrical flow `flowId` in group `groupId` ([] if absent). */
export function flowZones(groups: SyncGroup[], groupId: string, flowId: string): string[] {
    return groups.find((g) => g.id === groupId)?.symmetrical.find((f) => f.id === flowId)?.zones ?? [];
}

/**
 * Pipe `pipeId` of group `groupId` exists with source and dest zones `*`, and, when given, those
 * source/dest buckets.
 */
export function pipeInPlace(groups: SyncGroup[], groupId: string, pipeId: string, buckets?: { source: string; dest: string }): boolean {
    const p = groups.find((g) => g.id === groupId)?.pipes.find((x) => x.id === pipeId);
    if (!p) return false;
    const allZones = (e: PipeEnds) => e.zones.length === 1 && e.zones[0] === "*";
    const bucketOk = (e: PipeEnds, want?: string) => want === undefined || e.bucket === want;
    return allZones(p.source) && allZones(p.dest) && bucketOk(p.source, buckets?.source) && bucketOk(p.dest, buckets?.dest);
}

/** `sync info --bucket B`: does it list a source pipe from one of these zones (name or id)? */
export function syncInfoHasSource(text: string, ...zone: string[]): boolean {
    const want = zone.filter(Boolean);
    return arr(obj(parseAdminJson(text, "sync info")).sources).some((p) => {
        const source = obj(obj(p).source);
        return Object.keys(source).length > 0 && want.includes(str(source.zone));
    });
}

// ---------------------------------------------------------------------------------------------
// metadata sync status / data sync status (JSON, local state)
// ---------------------------------------------------------------------------------------------

/** `metadata sync status` or `data sync status --source-zone Z`: this zone's own sync state. */
export interface SyncInfo {
    /** `init`, `building-full-sync-maps`, `sync`, ... ("" when absent). */
    status: string;
    numShards: number;
    /** Realm epoch of metadata sync (undefined for data sync or when absent). */
    realmEpoch?: number;
    /** Per-shard state as Ceph gives it: 0 full sync, 1 incremental sync. */
    shardStates: number[];
    /** Where each shard still in full sync stands (its position, marker and entry count). */
    fullSync: { shard: number; pos: number; marker: string; totalEntries: number }[];
    /** Shards that have carried a change (a non-empty marker) or are in full sync. */
    usedShards: number[];
}

export function parseSyncInfo(text: string): SyncInfo {
    const s = obj(obj(parseAdminJson(text)).sync_status);
    const info = obj(s.info);
    const epoch = Number(info.realm_epoch);
    return {
        status: str(info.status),
        numShards: Number(info.num_shards) || 0,
        ...(info.realm_epoch !== undefined && Number.isFinite(epoch) ? { realmEpoch: epoch } : {}),
        shardStates: arr(s.markers).map((m) => Number(obj(obj(m).val).state)).filter((n) => Number.isInteger(n)),
        usedShards: arr(s.markers).filter((m) => {
            const v = obj(obj(m).val);
            return str(v.marker) !== "" || Number(v.state) === 0 || str(v.status) === "full-sync";
        }).map((m) => Number(obj(m).key)).filter((n) => Number.isInteger(n)),
        fullSync: arr(s.markers).filter((m) => Number(obj(obj(m).val).state) === 0).map((m) => {
            const v = obj(obj(m).val);
            return { shard: Number(obj(m).key), pos: Number(v.pos) || 0, marker: str(v.marker) ?? "", totalEntries: Number(v.total_entries) || 0 };
        }),
    };
}

/** Sync has really started: state `sync` with shards (a zone that never synced says init, 0 shards). */
export function syncRunning(info: SyncInfo): boolean {
    return info.status === "sync" && info.numShards > 0;
}
