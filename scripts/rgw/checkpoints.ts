// Decisions on sync state, pure: the `status` object, "caught up", "really running", how far
// metadata sync is behind the current period. Inputs are the models (JSON) and, for caught-up,
// the parsed `sync status` text (syncText.ts says why that one is text).
import { BucketEntry, Period, SyncInfo, syncRunning } from "./models";
import { BucketSyncText, SyncSection, SyncStatusText } from "./syncText";

/** What `rgw-multisite.sh status` prints (docs/script-contract.md). */
export interface ZoneStatus {
    zone: string | null;
    zoneId: string | null;
    zonegroup: string | null;
    realm: string | null;
    realmId: string | null;
    period: string | null;
    periodEpoch: number | null;
    metadataMaster: string | null;
    isMaster: boolean;
    readOnly: boolean | null;
    metadataSync: SyncSection;
    dataSync: Record<string, SyncSection & { id?: string }>;
}

/**
 * The status of the zone `sync status` describes, against the period: every other zone of its
 * zonegroup gets a dataSync entry (state absent when `sync status` lists no such source).
 */
export function zoneStatus(sync: SyncStatusText, period: Period): ZoneStatus {
    const me = sync.header.zone;
    const mine = me ? period.zoneById(me.id) : undefined;
    const master = period.zoneById(period.masterZoneId);
    const dataSync = { ...sync.data };
    if (mine) {
        for (const z of period.zones) {
            if (z.zonegroup !== mine.zonegroup || z.id === me?.id || z.name in dataSync) continue;
            dataSync[z.name] = { state: "absent", caughtUp: false, behindShards: [], error: "no data sync source for this zone" };
        }
    }
    return {
        zone: me?.name || null,
        zoneId: me?.id || null,
        zonegroup: sync.header.zonegroup?.name || null,
        realm: sync.header.realm?.name || period.realmName || null,
        realmId: period.realmId || null,
        period: period.id || null,
        periodEpoch: period.epoch,
        metadataMaster: master ? master.name : period.masterZoneId || null,
        isMaster: !!(me?.id && period.masterZoneId === me.id),
        readOnly: mine ? mine.readOnly : null,
        metadataSync: sync.metadata,
        dataSync,
    };
}

export function metadataCaughtUp(s: ZoneStatus): boolean {
    return s.isMaster || s.metadataSync.caughtUp;
}

export function allCaughtUp(s: ZoneStatus): boolean {
    // A source the zone deliberately does not sync from (fenced off: "not syncing from zone") has
    // nothing to wait for; it is named in the status summary.
    return metadataCaughtUp(s) && Object.values(s.dataSync).every((d) => d.caughtUp || d.state === "not-syncing");
}

/** One line for progress and refusals: "metadata caught up; data from zonea syncing, ...". */
export function statusSummary(s: ZoneStatus): string {
    const part = (name: string, v: Partial<SyncSection>): string => {
        if (v.caughtUp) return `${name} caught up`;
        if (v.error) return `${name} ${v.error}`;
        let text = `${name} ${v.state}`;
        if (v.shards) text += `, incremental ${v.incrementalShards}/${v.shards} shards`;
        if (v.behindShards?.length) text += `, behind shards [${v.behindShards.join(",")}]`;
        else if (v.behindCount) text += `, behind on ${v.behindCount} shards`;
        if (v.oldestChange) text += `, oldest change not applied ${v.oldestChange}`;
        return text;
    };
    return [part("metadata", s.isMaster ? { caughtUp: true } : s.metadataSync), ...Object.entries(s.dataSync).map(([k, v]) => part(`data from ${k}`, v))].join("; ");
}

/** Why sync has not really started ("" when it has): `metadata sync init with 0 shards`. */
export function notRunningReason(what: string, info: SyncInfo): string {
    return syncRunning(info) ? "" : `${what} ${info.status || "?"} with ${info.numShards} shards`;
}

/**
 * How many realm epochs this zone's metadata sync is behind the current period (what Ceph checks
 * before a master change); undefined when it is not behind or cannot tell.
 */
export function metadataEpochsBehind(metadata: SyncInfo, period: Period): number | undefined {
    const e = metadata.realmEpoch;
    const cur = period.realmEpoch;
    return e !== undefined && Number.isInteger(e) && e > 0 && Number.isInteger(cur) && cur > 1 && e < cur ? cur - e : undefined;
}

// ---------------------------------------------------------------------------------------------
// Fencing a zone that does not answer, and readmitting it (issue 16 item 7)
// ---------------------------------------------------------------------------------------------

/** What a forced promotion commits about the zones that do not answer. */
export interface LostZoneFence {
    /** Zones the new master stops syncing from and the period marks read-only. */
    lost: string[];
    /** Flags for the new master's `zone modify`: sync only from the zones that still answer. */
    syncFlags: string[];
}

/**
 * The fence of a forced promotion while the old master does not answer: the named peer, or (no
 * peer named: the failover stack declares an unreachable site) every other zone of the zonegroup.
 */
/** The other zones of a zonegroup in this period. */
function otherZones(period: Period, zonegroup: string | undefined, zone: string): string[] {
    return (period.zonegroups.find((g) => g.name === zonegroup)?.zones ?? []).map((z) => z.name).filter((n) => n !== zone);
}

export function lostZoneFence(period: Period, zonegroup: string, zone: string, peer: string): LostZoneFence {
    const others = otherZones(period, zonegroup, zone);
    const lost = peer ? [peer] : others;
    const keep = others.filter((n) => !lost.includes(n));
    return { lost, syncFlags: ["--sync-from-all=false", ...(keep.length ? [`--sync-from=${keep.join(",")}`] : [])] };
}

/** `zonegroup get` JSON with the given zones marked read-only, for `zonegroup set`. */
export function zonegroupWithReadOnly(zonegroupJson: unknown, zones: readonly string[]): unknown {
    const g = zonegroupJson as { zones?: { name?: string; read_only?: unknown }[] };
    if (!g || typeof g !== "object" || !Array.isArray(g.zones)) throw new Error("zonegroup get printed no zones");
    // Pacific prints booleans as strings, Reef and later as JSON booleans: keep the zonegroup's own type.
    return { ...g, zones: g.zones.map((z) => (zones.includes(z.name ?? "") ? { ...z, read_only: typeof z.read_only === "boolean" ? true : "true" } : z)) };
}

/** Whether `zone` syncs data from `peer` in this period. */
export function syncsFrom(period: Period, zone: string, peer: string): boolean {
    const from = period.zone(zone)?.syncFrom;
    return from === "all" || (from ?? []).includes(peer);
}

/** Flags of `zone modify` that make `zone` sync from `peer` again, given what it syncs from now. */
export function readmitFlags(period: Period, zone: string, peer: string): string[] {
    const me = period.zone(zone);
    const others = otherZones(period, me?.zonegroup, zone);
    const from = me?.syncFrom === "all" ? others : [...(me?.syncFrom ?? []), peer];
    return others.every((n) => from.includes(n)) ? ["--sync-from-all=true"] : ["--sync-from-all=false", `--sync-from=${[...new Set(from)].join(",")}`];
}

/**
 * Objects this zone has and the peer lacks: what a resumed sync from the peer would delete here if
 * the peer deleted them while fenced off (its log replays its deletes). Sorted; both lists sorted.
 */
export function missingOnPeer(here: readonly string[], peer: readonly string[]): string[] {
    const there = new Set(peer);
    return here.filter((k) => !there.has(k));
}

/** Where one bucket stands on a zone against the sources it syncs from (`bucket sync status`). */
export interface BucketVerdict {
    caughtUp: boolean;
    /** One line per source that is not caught up, e.g. `zonea: incremental, behind shards [1,2]`. */
    lagging: string[];
}

/**
 * Caught up only when every source the zone syncs the bucket from says "caught up" with no
 * behind shards, in incremental sync. A source the zone does not sync from (a fence) is left
 * out; a bucket with no syncing source at all is not caught up (nothing replicates it here), and
 * neither is one whose sync is disabled.
 */
export function bucketVerdict(status: BucketSyncText): BucketVerdict {
    if (status.disabled) return { caughtUp: false, lagging: ["sync is disabled for the bucket"] };
    const syncing = Object.entries(status.sources).filter(([, v]) => !v.notSyncing);
    if (syncing.length === 0) return { caughtUp: false, lagging: ["no source zone syncs the bucket to this zone"] };
    const lagging = syncing
        .filter(([, v]) => !(v.caughtUp && v.state === "incremental" && v.behindShards.length === 0 && !v.error))
        .map(([name, v]) => `${name}: ${[v.error ?? v.state, v.behindShards.length ? `behind shards [${v.behindShards.join(",")}]` : "", v.caughtUp ? "" : "not caught up"].filter(Boolean).join(", ")}`);
    return { caughtUp: lagging.length === 0, lagging };
}

/** What `ensure-features` does with a zonegroup (`zonegroup get` JSON) and the wanted features. */
export interface FeaturePlan {
    /** Wanted, not yet enabled, supported by every zone: to enable. */
    enable: string[];
    /** Wanted and already enabled. */
    enabled: string[];
    /** Wanted, not enabled, and some zones lack it (their gateways run an older release). */
    unsupported: { feature: string; zones: string[] }[];
}

/**
 * Pacific zonegroups have no `enabled_features` and its zones no `supported_features`: a zone
 * without the list supports nothing, so nothing is enabled before every zone runs Reef or later.
 */
/** Major and minor of `radosgw-admin --version` ("ceph version 18.2.7 (...) reef (stable)"). */
export function parseCephVersion(text: string): { major: number; minor: number } | undefined {
    const m = /ceph version (\d+)\.(\d+)/.exec(text);
    return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** Ceph 17 (Quincy) lists a zone's bucket index log with `format-ver=2`; Pacific ignores it. */
export const FIRST_RELEASE_WITH_BILOG_V2 = 17;

export interface OlderZoneVerdict {
    /** How this zone's release was judged: from its own `radosgw-admin --version`, or its period entry. */
    basis: "version" | "features";
    /** Zones of the zonegroup that advertise zonegroup features (Ceph 17 or later). */
    newerPeers: string[];
}

/**
 * Whether making `zone` the zone that takes the writes would leave newer zones unable to follow:
 * a zone on Ceph 17 or later lists the source's bucket index log with `format-ver=2`, which a
 * Pacific gateway ignores (it answers the old format, read as an empty list), so the newer zone's
 * incremental bucket sync never advances and reports no error. Undefined when that is not the case.
 * `localVersion` is this zone's own `--version` text when it answered; otherwise the zone's period
 * entry decides (no `supported_features`: Pacific, or not advertised yet). `peerVersions`: the
 * `--version` of peers that answered, by zone name.
 */
export function olderZoneFeedsNewer(
    period: Period, zonegroup: string, zone: string, localVersion?: string, peerVersions: Readonly<Record<string, string>> = {},
): OlderZoneVerdict | undefined {
    const zones = period.zonegroups.find((g) => g.name === zonegroup)?.zones ?? [];
    const advertises = (z: { supportedFeatures?: string[] }) => (z.supportedFeatures?.length ?? 0) > 0;
    // A peer's own --version wins; its period entry is the fallback (a period a Pacific zone
    // committed carries no supported_features for anyone).
    const peerIsNewer = (z: { name: string; supportedFeatures?: string[] }) => {
        const v = peerVersions[z.name] === undefined ? undefined : parseCephVersion(peerVersions[z.name]);
        return v ? v.major >= FIRST_RELEASE_WITH_BILOG_V2 : advertises(z);
    };
    const newerPeers = zones.filter((z) => z.name !== zone && peerIsNewer(z)).map((z) => z.name).sort();
    if (newerPeers.length === 0) return undefined;
    const version = localVersion === undefined ? undefined : parseCephVersion(localVersion);
    if (version) return version.major < FIRST_RELEASE_WITH_BILOG_V2 ? { basis: "version", newerPeers } : undefined;
    const self = zones.find((z) => z.name === zone);
    return self && !advertises(self) ? { basis: "features", newerPeers } : undefined;
}

export function featurePlan(zonegroupJson: unknown, wanted: readonly string[]): FeaturePlan {
    const g = (zonegroupJson ?? {}) as { enabled_features?: unknown; zones?: { name?: unknown; supported_features?: unknown }[] };
    const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
    const enabledNow = list(g.enabled_features);
    const zones = Array.isArray(g.zones) ? g.zones : [];
    const plan: FeaturePlan = { enable: [], enabled: [], unsupported: [] };
    for (const f of wanted) {
        if (enabledNow.includes(f)) {
            plan.enabled.push(f);
            continue;
        }
        const lacking = zones.filter((z) => !list(z.supported_features).includes(f)).map((z) => String(z.name ?? "?"));
        if (lacking.length || zones.length === 0) plan.unsupported.push({ feature: f, zones: lacking });
        else plan.enable.push(f);
    }
    return plan;
}

/**
 * Objects of the peer's listing that this zone lacks or holds with another ETag or size, by name
 * (sorted). Empty: this zone holds every object the peer holds, as the peer holds it.
 */
export function objectsNotHeld(peer: readonly BucketEntry[], here: readonly BucketEntry[]): string[] {
    const mine = new Map(here.map((e) => [e.name, e]));
    return peer.filter((p) => {
        const h = mine.get(p.name);
        return !h || String(h.etag) !== String(p.etag) || String(h.size) !== String(p.size);
    }).map((p) => p.name).sort();
}
