// The ensure subcommands as idempotent steps on a Session (role changes: roles.ts): each creates what is
// absent, never flips a role on a re-run, and a re-run with the same arguments changes nothing.
// The order of radosgw-admin calls is part of the behaviour (scripts and tests replay it).
import { BucketVerdict, ZoneStatus, allCaughtUp, bucketVerdict, featurePlan, notRunningReason, statusSummary } from "./checkpoints";
import {
    BucketEntry, Period, SyncGroup, bucketInstanceId, parseAdminJson, bucketSyncDisabled, flowZones, parseBucketList, parseMetadataList,
    parseSyncInfo, parseSyncPolicy, parseUserInfo, parseZoneRecord, pipeInPlace, syncInfoHasSource, zoneInFlows,
} from "./models";
import { Session, Via, badArguments, failed, isEnoent, refused, timedOut } from "./session";
import { bucketSyncSummary, parseBucketSyncText } from "./syncText";

/** The flags of one call, as parsed and checked by core/rgwCalls.ts. */
export type Flags = ReadonlyMap<string, string | true>;

export const opt = (flags: Flags, name: string): string => {
    const v = flags.get(name);
    return typeof v === "string" ? v : "";
};
export const has = (flags: Flags, name: string): boolean => flags.get(name) !== undefined && flags.get(name) !== "";

// Names of the sync-policy objects this tool owns (opt-in bucket scope).
export const POLICY = {
    zonegroupGroup: "dr-zonegroup", // zonegroup-level group, status allowed
    zonegroupFlow: "dr-symmetrical", // its symmetrical flow over the zones
    zonegroupPipe: "dr-all", // its pipe * -> *
    bucketGroup: "dr-bucket", // bucket-level group, status enabled (on the metadata master only)
    bucketPipe: "dr-bucket", // its pipe (source/dest zones *)
} as const;

const SYSTEM_USER_DISPLAY_NAME = "Multisite synchronization user";
const DEFAULT_SYSTEM_UID = "synchronization-user";

// ---------------------------------------------------------------------------------------------
// Shared steps
// ---------------------------------------------------------------------------------------------

/** Make the zone's system key the one from the environment (sync and commit forwarding use it). */
async function ensureZoneSystemKey(s: Session, zone: string): Promise<boolean> {
    const keys = s.requireSecrets("systemAccessKey", "systemSecretKey");
    const z = parseZoneRecord(await s.must(["zone", "get", "--rgw-zone", zone]));
    if (z.systemKey.accessKey === keys.systemAccessKey && z.systemKey.secretKey === keys.systemSecretKey) return false;
    s.step(`zone ${zone}: setting its system key to RGW_SYSTEM_ACCESS_KEY`);
    await s.must(["zone", "modify", "--rgw-zone", zone, "--access-key", keys.systemAccessKey, "--secret", keys.systemSecretKey]);
    return true;
}

/** NAME is in `metadata list KIND` (user, bucket) as this zone knows it. */
async function metadataHas(s: Session, kind: "user" | "bucket", name: string): Promise<boolean> {
    return parseMetadataList(await s.must(["metadata", "list", kind])).includes(name);
}

interface KeyPair {
    accessKey: string;
    secretKey: string;
    /** The environment variables they come from (progress names them, never the values). */
    accessVar: string;
    secretVar: string;
}

/** Create the user, or add the key pair / system flag / display name. Never removes a key. */
async function ensureUser(s: Session, uid: string, display: string, key: KeyPair, system: boolean): Promise<boolean> {
    if (!(await metadataHas(s, "user", uid))) {
        s.step(`creating user ${uid}${system ? " (system)" : ""}`);
        await s.must(["user", "create", "--uid", uid, "--display-name", display, "--access-key", key.accessKey, "--secret", key.secretKey, ...(system ? ["--system"] : [])]);
        return true;
    }
    const user = parseUserInfo(await s.must(["user", "info", "--uid", uid]));
    let changed = false;
    const k = user.keys.find((x) => x.accessKey === key.accessKey);
    if (!k || k.secretKey !== key.secretKey) {
        s.step(!k
            ? `user ${uid}: adding the access key from ${key.accessVar}`
            : `user ${uid}: the access key from ${key.accessVar} has another secret; setting the secret from ${key.secretVar}`);
        await s.must(["key", "create", "--uid", uid, "--key-type", "s3", "--access-key", key.accessKey, "--secret", key.secretKey]);
        changed = true;
    }
    if (system && !user.system) {
        s.step(`user ${uid}: making it a system user`);
        await s.must(["user", "modify", "--uid", uid, "--system"]);
        changed = true;
    }
    if (user.displayName !== display) {
        s.step(`user ${uid}: setting its display name`);
        await s.must(["user", "modify", "--uid", uid, "--display-name", display]);
        changed = true;
    }
    return changed;
}

/** Zonegroup-level (no args) or bucket-level (`--bucket B`) sync policy; none = no groups. */
async function loadPolicy(s: Session, ...args: string[]): Promise<SyncGroup[]> {
    const r = await s.call(["sync", "policy", "get", ...args]);
    if (r.code !== 0) {
        if (!isEnoent(r)) throw failed(`radosgw-admin sync policy get ${args.join(" ")} failed: ${r.stderr.replace(/\n$/, "")}`.replace("get  failed", "get failed"));
        return [];
    }
    return parseSyncPolicy(r.stdout);
}

const groupStatus = (groups: SyncGroup[], id: string): string => groups.find((g) => g.id === id)?.status ?? "";

/**
 * Metadata sync (unless the zone is master) and data sync from each other zone have really
 * started: state sync with shards > 0. Local state only (works while the master is away).
 * Returns why not ("" when running).
 */
async function whySyncNotRunning(s: Session, zone: string, isMaster: boolean, peers: string[]): Promise<string> {
    if (!isMaster) {
        const r = await s.call(["metadata", "sync", "status", "--rgw-zone", zone]);
        if (r.code !== 0) return `metadata sync status: ${r.stderr.replace(/\n$/, "") || "failed"}`;
        const reason = parsedOr(() => notRunningReason("metadata sync", parseSyncInfo(r.stdout)), "metadata sync status: unparseable output");
        if (reason) return reason;
    }
    for (const peer of peers) {
        const r = await s.call(["data", "sync", "status", "--rgw-zone", zone, "--source-zone", peer]);
        if (r.code !== 0) return `data sync status from ${peer}: ${r.stderr.replace(/\n$/, "") || "failed"}`;
        const reason = parsedOr(() => notRunningReason(`data sync from ${peer}`, parseSyncInfo(r.stdout)), `data sync status from ${peer}: unparseable output`);
        if (reason) return reason;
    }
    return "";
}

async function waitSyncRunning(s: Session, zone: string, isMaster: boolean, peers: string[]): Promise<void> {
    const deadline = s.deadline();
    let last = "";
    s.step(`waiting until zone ${zone} really syncs (state sync, shards > 0)`);
    for (;;) {
        const reason = await whySyncNotRunning(s, zone, isMaster, peers);
        if (!reason) break;
        if (reason !== last) s.info(`not yet: ${reason}`);
        last = reason;
        if (deadline.passed()) throw timedOut(`zone ${zone} does not sync after ${s.o.waitTimeout}s: ${reason}`);
        await s.sleepPoll();
    }
    s.info(`zone ${zone} syncs (metadata: ${isMaster ? "master" : "running"}; data from: ${peers.join(" ") || "none"})`);
}

export function endpointsOf(period: Period, zone: string): string {
    return period.zone(zone)?.endpoints.join(",") ?? "";
}

// ---------------------------------------------------------------------------------------------
// bootstrap-master, ensure-realm, ensure-master-zone
// ---------------------------------------------------------------------------------------------

/** The metadata master named by REALM's current period if it is not ZONE ("" otherwise). */
async function otherMaster(s: Session, realm: string, zone: string): Promise<string> {
    const master = (await s.loadPeriod(realm)).master;
    return master && master !== zone ? master.replace(/^id:/, "") : "";
}

/** Realm and master zonegroup, each only if absent; no commit (the zonegroup has no zone yet). */
async function ensureRealmSteps(s: Session, realm: string, zonegroup: string, endpoint: string): Promise<boolean> {
    let changed = false;
    if (await s.hasName("realm", realm)) {
        s.info(`realm ${realm} exists`);
        if (!(await s.hasName("zonegroup", zonegroup))) {
            const master = (await s.loadPeriod(realm)).master;
            if (master) {
                s.step(`realm ${realm} already has metadata master ${master.replace(/^id:/, "")}: not creating zonegroup ${zonegroup} as master zonegroup (nothing changed)`);
                return false;
            }
        }
    } else {
        s.step(`creating realm ${realm}`);
        await s.must(["realm", "create", "--rgw-realm", realm, "--default"]);
        changed = true;
    }
    if (await s.hasName("zonegroup", zonegroup)) {
        s.info(`zonegroup ${zonegroup} exists`);
    } else {
        s.step(`creating master zonegroup ${zonegroup} (endpoints ${endpoint})`);
        await s.must(["zonegroup", "create", "--rgw-realm", realm, "--rgw-zonegroup", zonegroup, "--endpoints", endpoint, "--master", "--default"]);
        changed = true;
    }
    return changed;
}

/** Master zone (only if absent), system user, commit, restart. The caller checked that no other zone is master. */
async function ensureMasterZoneSteps(s: Session, realm: string, zonegroup: string, zone: string, endpoint: string, uid: string, changedBefore: boolean): Promise<void> {
    const keys = s.requireSecrets("systemAccessKey", "systemSecretKey");
    let changed = changedBefore;
    if (await s.hasName("zone", zone)) {
        s.info(`zone ${zone} exists`);
        if (await ensureZoneSystemKey(s, zone)) changed = true;
    } else {
        s.step(`creating master zone ${zone} in ${zonegroup} (endpoints ${endpoint})`);
        await s.must(["zone", "create", "--rgw-realm", realm, "--rgw-zonegroup", zonegroup, "--rgw-zone", zone, "--endpoints", endpoint,
            "--access-key", keys.systemAccessKey, "--secret", keys.systemSecretKey, "--master", "--default"]);
        changed = true;
    }
    // The system user carries the zone's system key: peers authenticate realm pull, period
    // forwarding and sync requests with it. Created on the master, replicated by metadata sync.
    const userChanged = await ensureUser(s, uid, SYSTEM_USER_DISPLAY_NAME, systemKeyPair(keys), true);
    s.info(userChanged ? `system user ${uid} ensured` : `system user ${uid} exists with the key`);

    let period = await s.loadPeriod(realm);
    if (changed || period.master !== zone || !period.hasZone(zonegroup, zone)) {
        s.step(`committing the period (realm ${realm})`);
        await s.must(["period", "update", "--commit", "--rgw-realm", realm]);
        period = await s.loadPeriod(realm);
        s.info(`period ${period.id}, metadata master ${period.master}`);
        // The gateway must run as this zone (rgw_zone of the daemon: RGW_RESTART's business).
        await s.restartAfterCommit(endpoint);
    } else {
        s.step(`nothing to change: realm ${realm}, zonegroup ${zonegroup}, master zone ${zone} are in place`);
    }
}

function systemKeyPair(keys: { systemAccessKey: string; systemSecretKey: string }): KeyPair {
    return { accessKey: keys.systemAccessKey, secretKey: keys.systemSecretKey, accessVar: "RGW_SYSTEM_ACCESS_KEY", secretVar: "RGW_SYSTEM_SECRET_KEY" };
}

export async function ensureRealm(s: Session, flags: Flags): Promise<void> {
    const realm = opt(flags, "realm");
    const zonegroup = opt(flags, "zonegroup");
    Object.assign(s.scope, { realm, zonegroup }); // no zone exists yet: nothing names one
    const changed = await ensureRealmSteps(s, realm, zonegroup, opt(flags, "endpoint"));
    if (!changed) s.step(`nothing to change: realm ${realm} and zonegroup ${zonegroup} are in place`);
}

/**
 * ensure-features --zonegroup G --features F[,F]: the zonegroup features a release expects (a
 * realm born on Pacific keeps them disabled after an upgrade), enabled on the metadata master once
 * every zone supports them. Refused (exit 3) while a zone lacks one; on a secondary it changes
 * nothing and says where to run it.
 */
export async function ensureFeatures(s: Session, flags: Flags): Promise<void> {
    s.requireRestart();
    const zonegroup = opt(flags, "zonegroup");
    const wanted = opt(flags, "features").split(",");
    await s.deriveScope("");
    s.scope.zonegroup = zonegroup;
    let period = await s.loadPeriod();
    const plan = featurePlan(parseAdminJson(await s.must(["zonegroup", "get", "--rgw-zonegroup", zonegroup]), "zonegroup get"), wanted);
    if (plan.unsupported.length) {
        throw refused(plan.unsupported.map((u) => `zonegroup feature ${u.feature} is not supported by zone(s) ${u.zones.join(", ") || "(none listed)"}`).join("; ")
            + ": their gateways run a release before the one this site's cephRelease names, or were upgraded without `radosgw-admin zone modify` advertising the new features. "
            + "Upgrade every zone's gateways first (runbook: \"Upgrading Ceph in a multisite realm\"), or set cephRelease to the oldest release any zone runs");
    }
    if (!plan.enable.length) {
        s.step(`nothing to change: zonegroup ${zonegroup} has ${plan.enabled.join(", ")} enabled`);
        return;
    }
    const zone = s.scope.zone;
    if (period.master !== zone) {
        s.warn(`zone ${zone} is not the metadata master (${period.masterShown}): not enabling ${plan.enable.join(", ")} from here; re-run where the master is`);
        return;
    }
    s.step(`enabling zonegroup feature(s) ${plan.enable.join(", ")} on zonegroup ${zonegroup} (every zone supports them)`);
    for (const f of plan.enable) await s.must(["zonegroup", "modify", "--rgw-zonegroup", zonegroup, `--enable-feature=${f}`]);
    s.step("committing the period");
    await s.must(["period", "update", "--commit"]);
    period = await s.loadPeriod();
    await s.restartAfterCommit(endpointsOf(period, zone));
    s.step(`zonegroup ${zonegroup} has ${[...plan.enabled, ...plan.enable].join(", ")} enabled`);
}

/** bootstrap-master = ensure-realm + ensure-master-zone (--system-uid optional there). */
export async function bootstrapMaster(s: Session, flags: Flags): Promise<void> {
    s.requireSecrets("systemAccessKey", "systemSecretKey");
    s.requireRestart();
    const realm = opt(flags, "realm");
    const zonegroup = opt(flags, "zonegroup");
    const zone = opt(flags, "zone");
    const endpoint = opt(flags, "endpoint");
    const uid = opt(flags, "system-uid") || DEFAULT_SYSTEM_UID;
    Object.assign(s.scope, { realm, zonegroup, zone });
    if (await s.hasName("realm", realm)) {
        const master = await otherMaster(s, realm, zone);
        if (master) {
            s.step(`realm ${realm}: its current period names zone ${master} as metadata master, not ${zone}`);
            s.info(`${s.o.subcommand} does not take the master role back (use promote); nothing changed`);
            return;
        }
    }
    let changed = false;
    if (s.o.subcommand === "ensure-master-zone") {
        if (!(await s.hasName("realm", realm))) throw failed(`realm ${realm} does not exist: run ensure-realm first`);
        if (!(await s.hasName("zonegroup", zonegroup))) throw failed(`zonegroup ${zonegroup} does not exist: run ensure-realm first`);
    } else {
        changed = await ensureRealmSteps(s, realm, zonegroup, endpoint);
    }
    await ensureMasterZoneSteps(s, realm, zonegroup, zone, endpoint, uid, changed);
}

// ---------------------------------------------------------------------------------------------
// join-secondary
// ---------------------------------------------------------------------------------------------

export async function joinSecondary(s: Session, flags: Flags): Promise<void> {
    const keys = s.requireSecrets("systemAccessKey", "systemSecretKey");
    s.requireRestart();
    const realm = opt(flags, "realm");
    const zonegroup = opt(flags, "zonegroup");
    const zone = opt(flags, "zone");
    const endpoint = opt(flags, "endpoint");
    const masterUrl = opt(flags, "master-url");
    const withKeys = ["--access-key", keys.systemAccessKey, "--secret", keys.systemSecretKey];
    Object.assign(s.scope, { realm, zonegroup, zone });
    let changed = false;
    let pulled = false;

    if (await s.hasName("realm", realm)) {
        s.info(`realm ${realm} exists`);
    } else {
        s.step(`pulling realm ${realm} from ${masterUrl}`);
        await s.must(["realm", "pull", "--rgw-realm", realm, "--url", masterUrl, ...withKeys]);
        await s.must(["realm", "default", "--rgw-realm", realm]);
        pulled = changed = true;
    }

    if (await s.hasName("zone", zone)) {
        s.info(`zone ${zone} exists`);
        if (await ensureZoneSystemKey(s, zone)) changed = true;
    } else {
        s.step(`pulling the current period from ${masterUrl}`);
        await s.must(["period", "pull", "--rgw-realm", realm, "--url", masterUrl, ...withKeys]);
        const period = await s.loadPeriod(realm);
        if (period.zoneNames(zonegroup).length === 0) throw failed(`zonegroup ${zonegroup} is not in realm ${realm}'s current period (from ${masterUrl})`);
        s.step(`creating secondary zone ${zone} in ${zonegroup} (endpoints ${endpoint})`);
        // No --master: a secondary. The zone keeps the system key for sync and commit forwarding.
        await s.must(["zone", "create", "--rgw-realm", realm, "--rgw-zonegroup", zonegroup, "--rgw-zone", zone, "--endpoints", endpoint, ...withKeys, "--default"]);
        changed = true;
    }
    if (pulled) s.info("realm and period pulled");

    let period = await s.loadPeriod(realm);
    if (changed || !period.hasZone(zonegroup, zone)) {
        s.step("committing the period (forwarded to the metadata master)");
        // WITHOUT keys: given --access-key/--secret, radosgw-admin looks that user up locally
        // (not there yet on a new secondary) and fails with permission denied; without them it
        // signs the forwarded commit with the zone's system key.
        await s.must(["period", "update", "--commit", "--rgw-realm", realm]);
        period = await s.loadPeriod(realm);
        if (!period.hasZone(zonegroup, zone)) throw failed(`zone ${zone} is not in the committed period`);
        changed = true;
    }

    const master = period.master;
    let peers = period.zoneNames(zonegroup).filter((z) => z !== zone);
    if (changed) {
        await s.restartAfterCommit(endpoint);
    } else {
        s.step(`nothing to change: zone ${zone} is in realm ${realm}'s period (metadata master: ${master.replace(/^id:/, "")})`);
    }
    // With a zonegroup sync policy (opt-in bucket scope) whose flows do not name this zone yet,
    // data sync stays "init, 0 shards" until sync-scope adds the zone: wait for metadata only.
    const groups = await loadPolicy(s);
    if (groups.length !== 0 && !zoneInFlows(groups, zone, period.zone(zone)?.id ?? "")) {
        s.info("the zonegroup sync policy has no flow with zone " + zone + " yet: data sync starts once sync-scope adds it");
        peers = [];
    }
    await waitSyncRunning(s, zone, master === zone, peers);
}

// ---------------------------------------------------------------------------------------------
// ensure-user
// ---------------------------------------------------------------------------------------------

export async function ensureUserCommand(s: Session, flags: Flags): Promise<void> {
    const keys = s.requireSecrets("userAccessKey", "userSecretKey");
    const uid = opt(flags, "uid");
    const name = opt(flags, "display-name");
    await s.deriveScope("");
    const period = await s.loadPeriod();
    const here = parseZoneRecord(await s.must(["zone", "get"]));
    if (here.id !== period.masterZoneId) {
        // Users are metadata: written on the master only. On a secondary, succeed only if the
        // user already came over by metadata sync with the key.
        if (await metadataHas(s, "user", uid)) {
            const user = parseUserInfo(await s.must(["user", "info", "--uid", uid]));
            if (user.keys.some((k) => k.accessKey === keys.userAccessKey && k.secretKey === keys.userSecretKey)) {
                s.step(`user ${uid} exists here with the key (this zone is not the metadata master; nothing to change)`);
                return;
            }
        }
        throw refused(`this zone is not the metadata master (master: ${period.master}); run ensure-user against the master`);
    }
    const key = { accessKey: keys.userAccessKey, secretKey: keys.userSecretKey, accessVar: "RGW_USER_ACCESS_KEY", secretVar: "RGW_USER_SECRET_KEY" };
    const changed = await ensureUser(s, uid, name, key, false);
    s.step(changed ? `user ${uid} ensured` : `nothing to change: user ${uid} exists with the key`);
}

// ---------------------------------------------------------------------------------------------
// sync-scope
// ---------------------------------------------------------------------------------------------

/**
 * ZONE's `sync info --bucket` lists PEER (name or id) as a source. Only meaningful when the
 * bucket exists on ZONE (otherwise radosgw-admin "simulates" a result).
 */
async function hasSource(s: Session, zone: string, bucket: string, peer: string): Promise<boolean> {
    const out = await s.must(["sync", "info", "--rgw-zone", zone, "--bucket", bucket]);
    const id = s.period?.zone(peer)?.id ?? "";
    try {
        return syncInfoHasSource(out, peer, id);
    } catch {
        throw failed("could not parse sync info");
    }
}

/** The zonegroup-level part of the bucket scope: group allowed + symmetrical flow over ZONES + pipe * -> *. */
async function ensureZonegroupPolicy(s: Session, zones: string[]): Promise<boolean> {
    let changed = false;
    let groups = await loadPolicy(s);
    const status = groupStatus(groups, POLICY.zonegroupGroup);
    if (!status) {
        s.step(`zonegroup policy: creating group ${POLICY.zonegroupGroup} (allowed)`);
        await s.must(["sync", "group", "create", "--group-id", POLICY.zonegroupGroup, "--status", "allowed"]);
        changed = true;
    } else if (status !== "allowed") {
        s.step(`zonegroup policy: group ${POLICY.zonegroupGroup} is ${status}; setting it to allowed`);
        await s.must(["sync", "group", "modify", "--group-id", POLICY.zonegroupGroup, "--status", "allowed"]);
        changed = true;
    }
    groups = await loadPolicy(s);
    const have = flowZones(groups, POLICY.zonegroupGroup, POLICY.zonegroupFlow);
    // Pacific stores flow zones by name as given; accept ids too.
    const missing = zones.filter((z) => !have.includes(z) && !have.includes(s.period?.zone(z)?.id || z));
    if (missing.length) {
        s.step(`zonegroup policy: symmetrical flow ${POLICY.zonegroupFlow} over ${zones.join(",")}`);
        await s.must(["sync", "group", "flow", "create", "--group-id", POLICY.zonegroupGroup, "--flow-id", POLICY.zonegroupFlow, "--flow-type", "symmetrical", "--zones", zones.join(",")]);
        changed = true;
    }
    if (!pipeInPlace(groups, POLICY.zonegroupGroup, POLICY.zonegroupPipe, { source: "*", dest: "*" })) {
        s.step(`zonegroup policy: pipe ${POLICY.zonegroupPipe} (* -> *)`);
        await s.must(["sync", "group", "pipe", "create", "--group-id", POLICY.zonegroupGroup, "--pipe-id", POLICY.zonegroupPipe,
            "--source-zones", "*", "--source-bucket", "*", "--dest-zones", "*", "--dest-bucket", "*"]);
        changed = true;
    }
    return changed;
}

/** Until ZONE's `sync info --bucket` lists PEER as a source. */
async function waitSource(s: Session, zone: string, bucket: string, peer: string): Promise<void> {
    const deadline = s.deadline();
    s.step(`waiting until zone ${zone} syncs bucket ${bucket} from ${peer}`);
    while (!(await hasSource(s, zone, bucket, peer))) {
        if (deadline.passed()) throw timedOut(`zone ${zone} does not list ${peer} as a sync source of bucket ${bucket} after ${s.o.waitTimeout}s`);
        await s.sleepPoll();
    }
    s.info(`zone ${zone} syncs bucket ${bucket} from ${peer}`);
}

/** On a secondary the bucket arrives by metadata sync; on the metadata master it is there or it is not. */
async function waitBucket(s: Session, bucket: string, zone: string, master: string): Promise<void> {
    const deadline = s.deadline();
    if (await metadataHas(s, "bucket", bucket)) return;
    if (zone === master) throw failed(`bucket ${bucket} does not exist on the metadata master ${zone}: create it first`);
    s.step(`waiting until bucket ${bucket} exists on zone ${zone} (metadata sync)`);
    while (!(await metadataHas(s, "bucket", bucket))) {
        if (deadline.passed()) throw timedOut(`bucket ${bucket} does not exist on zone ${zone} after ${s.o.waitTimeout}s`);
        await s.sleepPoll();
    }
}

/** The checks of the zone (mirror) scope. */
async function verifyZoneSource(s: Session, zone: string, bucket: string, peer: string): Promise<void> {
    s.step(`verifying that bucket ${bucket} on zone ${zone} has ${peer} as a sync source`);
    if (!(await hasSource(s, zone, bucket, peer))) {
        throw failed(`bucket ${bucket} on zone ${zone} does not list zone ${peer} as a sync source (sync info --bucket): it would not be replicated`);
    }
    const peerId = s.period?.zone(peer)?.id ?? "";
    // `bucket sync status` is text only on Pacific (--format json is ignored): syncText.ts.
    const status = parseBucketSyncText(await s.must(["bucket", "sync", "status", "--rgw-zone", zone, "--bucket", bucket]));
    if (status.disabled) throw failed(`bucket sync is disabled for ${bucket} on zone ${zone} (bucket sync status); 'bucket sync enable' on the master fixes it`);
    const source = Object.values(status.sources).find((x) => x.id === peerId);
    if (!source) throw failed(`bucket sync status of ${bucket} on zone ${zone} shows no source zone ${peer}`);
    if (source.notSyncing) throw failed(`zone ${zone} does not sync from zone ${peer} (bucket sync status of ${bucket})`);
}

/**
 * Whether the bucket instance the peer's zone knows carries BUCKET_DATASYNC_DISABLED. With a
 * bucket sync policy, Pacific's `bucket sync status` never says "Sync is disabled" after `bucket
 * sync disable` (verified): the instance flags are what metadata sync carries over.
 */
async function peerSeesSyncDisabled(s: Session, bucket: string, peerZone: string): Promise<boolean> {
    const via: Via = "peer";
    const b = await s.call(["metadata", "get", `bucket:${bucket}`, "--rgw-zone", peerZone], { via });
    if (b.code !== 0) return false;
    const id = parsedOr(() => bucketInstanceId(b.stdout), "");
    if (!id) return false;
    const i = await s.call(["metadata", "get", `bucket.instance:${bucket}:${id}`, "--rgw-zone", peerZone], { via });
    return i.code === 0 && parsedOr(() => bucketSyncDisabled(i.stdout), false);
}

/**
 * Objects written before the policy existed are not backfilled, and `bucket sync run` does not
 * repair them; disable, let the peers see it, enable (on the master) does.
 */
async function repairBucket(s: Session, bucket: string, peers: string[]): Promise<void> {
    s.step(`repair: disabling sync of bucket ${bucket}`);
    await s.must(["bucket", "sync", "disable", "--bucket", bucket]);
    if (s.o.peerAdmin) {
        const deadline = s.deadline();
        for (const p of peers) {
            s.step(`repair: waiting until zone ${p} sees sync of ${bucket} disabled`);
            while (!(await peerSeesSyncDisabled(s, bucket, p))) {
                if (deadline.passed()) throw timedOut(`zone ${p} does not see sync of ${bucket} disabled after ${s.o.waitTimeout}s (sync stays disabled: re-run --repair)`);
                await s.sleepPoll();
            }
        }
    } else {
        // No view of the peer: its metadata sync polls every 20 s at most (Pacific); wait 2 polls.
        s.step("repair: waiting 45 s for the peers to see it (set RGW_PEER_ADMIN to wait for their view)");
        await s.o.clock.sleep(45000);
    }
    s.step(`repair: enabling sync of bucket ${bucket} (full sync of the bucket follows)`);
    await s.must(["bucket", "sync", "enable", "--bucket", bucket]);
}

export async function syncScope(s: Session, flags: Flags): Promise<void> {
    const scope = opt(flags, "scope") || "zone";
    const bucket = opt(flags, "bucket");
    const zonegroup = opt(flags, "zonegroup");
    const zone = opt(flags, "zone");
    const peer = opt(flags, "peer-zone");
    const repair = has(flags, "repair");
    if (zone === peer) throw badArguments("--zone and --peer-zone must differ");
    if (scope !== "bucket" && repair) throw badArguments("--repair applies to --scope bucket only");

    await s.deriveScope(zone);
    s.scope.zonegroup = zonegroup;
    let period = await s.loadPeriod();
    const zones = period.zoneNames(zonegroup);
    if (zones.length === 0) throw failed(`zonegroup ${zonegroup} is not in the current period`);
    if (!zones.includes(zone)) throw failed(`zone ${zone} is not in zonegroup ${zonegroup}`);
    const master = period.master;
    // The peers to verify: --peer-zone if it has joined, else (no --peer-zone) every other zone.
    const peers = peer ? (zones.includes(peer) ? [peer] : []) : zones.filter((z) => z !== zone);
    const waitingFor = peer || "another zone";

    if (scope === "zone") {
        if (peers.length === 0) {
            s.step(`${waitingFor} has not joined zonegroup ${zonegroup} yet: nothing to verify now (the peer's stack verifies later)`);
            return;
        }
        if ((await loadPolicy(s)).length !== 0) s.warn(`zonegroup ${zonegroup} has a sync policy; scope zone expects none (the zones then mirror everything)`);
        await waitBucket(s, bucket, zone, master);
        // Whole-zone mirror: no policy at all. Verify that the bucket really has each peer as a source.
        for (const p of peers) await verifyZoneSource(s, zone, bucket, p);
        s.step(`ok: bucket ${bucket} on zone ${zone} syncs from ${peers.join(" ")} (whole-zone mirror, no sync policy)`);
        return;
    }

    // --scope bucket (opt-in).
    if (master === zone) {
        if (!(await metadataHas(s, "bucket", bucket))) throw failed(`bucket ${bucket} does not exist on the metadata master ${zone}: create it first`);
        // Flow over every zone of the zonegroup (a group without its zone in a flow replicates nothing).
        if (await ensureZonegroupPolicy(s, zones)) {
            s.step("committing the period (zonegroup sync policy)");
            await s.must(["period", "update", "--commit"]);
            period = await s.loadPeriod();
        } else {
            s.info(`zonegroup policy ${POLICY.zonegroupGroup} in place`);
        }
        // Bucket-level policy only on the master: set on a secondary it looks successful but
        // stays local (one-way replication, later overwritten by metadata sync). Pacific, verified.
        const st = groupStatus(await loadPolicy(s, "--bucket", bucket), POLICY.bucketGroup);
        if (!st) {
            s.step(`bucket ${bucket}: creating sync group ${POLICY.bucketGroup} (enabled)`);
            await s.must(["sync", "group", "create", "--bucket", bucket, "--group-id", POLICY.bucketGroup, "--status", "enabled"]);
        } else if (st !== "enabled") {
            s.step(`bucket ${bucket}: sync group ${POLICY.bucketGroup} is ${st}; enabling it`);
            await s.must(["sync", "group", "modify", "--bucket", bucket, "--group-id", POLICY.bucketGroup, "--status", "enabled"]);
        }
        // A group without a pipe replicates nothing.
        if (!pipeInPlace(await loadPolicy(s, "--bucket", bucket), POLICY.bucketGroup, POLICY.bucketPipe)) {
            s.step(`bucket ${bucket}: pipe ${POLICY.bucketPipe} (zones * -> *)`);
            await s.must(["sync", "group", "pipe", "create", "--bucket", bucket, "--group-id", POLICY.bucketGroup, "--pipe-id", POLICY.bucketPipe,
                "--source-zones", "*", "--dest-zones", "*"]);
        }
        if (peers.length === 0) {
            s.step(`${waitingFor} has not joined zonegroup ${zonegroup} yet: policy in place; the peer's sync-scope adds it to the flow`);
            return;
        }
    } else {
        if (peers.length === 0) throw failed(`${waitingFor} is not in zonegroup ${zonegroup}, and this zone is not the metadata master`);
        if (repair) throw refused(`--repair runs on the metadata master (${master}), not on ${zone}`);
        // A zone that joined after the master set the zonegroup policy is missing from the flow.
        // The flow is zonegroup config (part of the period): add this zone and commit, which is
        // forwarded to the master like the join itself (Pacific merges the zones into the
        // existing flow). Bucket-level policy is never written here.
        const groups = await loadPolicy(s);
        if (groupStatus(groups, POLICY.zonegroupGroup)) {
            const have = flowZones(groups, POLICY.zonegroupGroup, POLICY.zonegroupFlow);
            const id = period.zone(zone)?.id ?? "";
            if (!have.includes(zone) && !have.includes(id)) {
                s.step(`zonegroup policy: adding zone ${zone} to flow ${POLICY.zonegroupFlow} (commit forwarded to the master ${master})`);
                await s.must(["sync", "group", "flow", "create", "--group-id", POLICY.zonegroupGroup, "--flow-id", POLICY.zonegroupFlow, "--flow-type", "symmetrical",
                    "--zones", zones.join(",")]);
                await s.must(["period", "update", "--commit"]);
                period = await s.loadPeriod();
            }
        }
        await waitBucket(s, bucket, zone, master);
    }
    // An object written before a zone has learned the bucket policy (its next metadata poll, up
    // to ~20 s on Pacific) is never replicated: ready only when this zone lists the peers as sources.
    for (const p of peers) await waitSource(s, zone, bucket, p);
    if (repair) await repairBucket(s, bucket, peers);
    s.step(`ok: bucket scope for ${bucket}: zone ${zone} syncs it from ${peers.join(" ")}`);
}

// ---------------------------------------------------------------------------------------------
// status, wait-caught-up, backup-objects
// ---------------------------------------------------------------------------------------------

export async function status(s: Session, flags: Flags): Promise<ZoneStatus> {
    await s.deriveScope(opt(flags, "zone"));
    return s.zoneStatus(opt(flags, "zone") || undefined);
}

export async function waitCaughtUp(s: Session, flags: Flags): Promise<void> {
    const timeout = Number(opt(flags, "timeout")) || s.o.waitTimeout;
    const zone = opt(flags, "zone") || undefined;
    const bucket = opt(flags, "bucket");
    await s.deriveScope(opt(flags, "zone"));
    const deadline = s.deadline(timeout);
    let last = "";
    s.step(`waiting until metadata and data sync are caught up${bucket ? `, and bucket ${bucket}` : ""} (up to ${timeout}s)`);
    for (;;) {
        const st = await s.zoneStatus(zone);
        const summary = statusSummary(st);
        if (allCaughtUp(st)) {
            s.info(summary);
            break;
        }
        if (summary !== last) s.info(`not yet: ${summary}`);
        last = summary;
        if (deadline.passed()) throw timedOut(`sync not caught up after ${timeout}s: ${summary}`);
        await s.sleepPoll();
    }
    if (bucket) {
        const verdict = await waitBucketCaughtUp(s, bucket, zone, deadline);
        if (!verdict.caughtUp) throw timedOut(`bucket ${bucket} not caught up after ${timeout}s although the zone's data log is: ${verdict.lagging.join("; ")}`);
    }
    s.step("caught up");
}

/** One look at a bucket's own sync state on this zone (never throws: a failed call is "not caught up"). */
export async function bucketCatchUp(s: Session, bucket: string, zone?: string): Promise<BucketVerdict> {
    const r = await s.call(["bucket", "sync", "status", "--bucket", bucket, ...(zone ? ["--rgw-zone", zone] : [])]);
    if (r.code !== 0) return { caughtUp: false, lagging: [`bucket sync status failed (exit ${r.code})${r.stderr.trim() ? `: ${r.stderr.trim().split("\n").pop()}` : ""}`] };
    return bucketVerdict(parseBucketSyncText(r.stdout));
}

/**
 * Until the bucket itself is caught up on this zone with every source it syncs from, or the
 * deadline: the zone's data log can say caught up while one bucket is not (a bucket whose shards
 * stopped, as between Pacific and Reef zones). Each poll reads `bucket sync status`; once that
 * says caught up, Ceph's own `bucket sync checkpoint` (every shard's marker against the source's
 * newest) confirms it. Returns the last verdict.
 */
export async function waitBucketCaughtUp(
    s: Session, bucket: string, zone: string | undefined, deadline: { passed: () => boolean },
    onStall?: (verdict: BucketVerdict) => Promise<boolean>,
): Promise<BucketVerdict> {
    const unchanged = s.unchangedFor();
    let stallAsked = false;
    for (;;) {
        let verdict = await bucketCatchUp(s, bucket, zone);
        if (verdict.caughtUp) {
            const r = await s.call(["bucket", "sync", "checkpoint", "--bucket", bucket, "--timeout-sec", String(CHECKPOINT_SECONDS), ...(zone ? ["--rgw-zone", zone] : [])]);
            if (r.code === 0) {
                s.info(`bucket ${bucket}: caught up with every source (bucket sync checkpoint complete)`);
                return verdict;
            }
            verdict = { caughtUp: false, lagging: [`bucket sync checkpoint did not complete within ${CHECKPOINT_SECONDS}s (exit ${r.code})`] };
        }
        const summary = verdict.lagging.join("; ");
        const { changed, stillMs } = unchanged(summary);
        if (changed) {
            s.info(`bucket ${bucket} not yet caught up: ${summary}`);
            stallAsked = false;
        }
        // Markers that stand still (Ceph 20.2: a shard held by objects whose sync failed while the
        // zone was fenced) may still leave every object in place: let the caller look at the objects.
        if (onStall && !stallAsked && stillMs >= BUCKET_STALL_SECONDS * 1000) {
            stallAsked = true;
            if (await onStall(verdict)) return { caughtUp: true, lagging: verdict.lagging };
        }
        if (deadline.passed()) return verdict;
        await s.sleepPoll();
    }
}

/** How long a bucket's sync state may stand still before the caller's onStall looks at the objects. */
const BUCKET_STALL_SECONDS = 60;

/** How long one `bucket sync checkpoint` may wait once `bucket sync status` says caught up. */
const CHECKPOINT_SECONDS = 10;

/**
 * A bucket's listing, a page (RGW_LIST_PAGE entries) at a time, by --marker (exclusive, names
 * sorted), from `marker`, on this zone or the peer's; ends after the first short page.
 */
export async function* bucketPages(s: Session, bucket: string, o: { marker?: string; zone?: string; via?: Via } = {}): AsyncGenerator<BucketEntry[]> {
    let marker = o.marker ?? "";
    for (;;) {
        const entries: BucketEntry[] = parseBucketList(await s.must(["bucket", "list", "--bucket", bucket, "--max-entries", String(s.o.listPage),
            ...(marker ? ["--marker", marker] : []), ...(o.zone ? ["--rgw-zone", o.zone] : [])], o.via));
        yield entries;
        if (entries.length < s.o.listPage) return;
        marker = entries[entries.length - 1].name;
    }
}

/** What `backup-objects` prints (docs/script-contract.md). */
export interface BackupObjects {
    zone: string;
    bucket: string;
    backup: string;
    prefix: string;
    objects: { name: string; size: unknown; etag: unknown; mtime: unknown }[];
    bucketSync: ReturnType<typeof bucketSyncSummary>;
}

/**
 * Read-only: the objects of one Velero backup (`backups/NAME/`) as this zone has them, and the
 * bucket's sync state per source zone (kopia data is covered by "caught up", not listed).
 * failover.sh compares two zones' answers before a restore: `velero-backup.json` can replicate
 * before the tarball.
 */
export async function backupObjects(s: Session, flags: Flags): Promise<BackupObjects> {
    const bucket = opt(flags, "bucket");
    const backup = opt(flags, "backup");
    const zone = opt(flags, "zone");
    const prefix = `backups/${backup}/`;
    const zoneArgs = zone ? ["--rgw-zone", zone] : [];
    await s.deriveScope(zone);
    if (s.scope.realm) await s.loadPeriod(); // tells the zonegroup
    // Pacific's `bucket list` ignores --prefix: page by --marker (exclusive, names sorted) from
    // the prefix itself, keep names under it, stop at the first page that goes past it.
    const objects: BackupObjects["objects"] = [];
    for await (const entries of bucketPages(s, bucket, { marker: prefix, zone })) {
        for (const e of entries) if (e.name.startsWith(prefix)) objects.push({ name: e.name, size: e.size, etag: e.etag, mtime: e.mtime });
        if (!entries[entries.length - 1]?.name.startsWith(prefix)) break;
    }
    // `bucket sync status` is text only on Pacific: one block per source zone (syncText.ts).
    const sync = parseBucketSyncText(await s.must(["bucket", "sync", "status", "--bucket", bucket, ...zoneArgs]));
    return { zone: sync.zone, bucket, backup, prefix, objects, bucketSync: bucketSyncSummary(sync) };
}

export function parsedOr<T>(f: () => T, fallback: T): T {
    try {
        return f();
    } catch {
        return fallback;
    }
}
