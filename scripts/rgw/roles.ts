// The role changes of a zone: promote (with the fence of a reachable old master, or of one that
// does not answer), demote, fence, and readmit (a zone fenced off by a forced promotion syncs
// again). Split from steps.ts, which holds the ensure steps, sync scope and the read-only queries.
import {
    BucketVerdict, allCaughtUp, lostZoneFence, olderZoneFeedsNewer, metadataCaughtUp, metadataEpochsBehind, missingOnPeer, objectsNotHeld, readmitFlags, statusSummary, syncsFrom,
    zonegroupWithReadOnly,
} from "./checkpoints";
import { BucketEntry, Period, parseAdminJson, parseSyncInfo } from "./models";
import { Session, badArguments, failed, indented, refused } from "./session";
import { Flags, bucketPages, endpointsOf, has, opt, parsedOr, waitBucketCaughtUp } from "./steps";
import { followPeerCommit, releaseStaleSyncLeases, reloadAfterCommit, runningGateways } from "./reload";
import { behindLeaseObjects } from "./leases";

/** A fenced peer's gateway reloads in well under a second; silent this long, it hung and is restarted. */
const PEER_RELOAD_ANSWERS_WITHIN_S = 30;

const lossOnForce = (zone: string, master: string) =>
    `metadata (users, buckets, bucket policies) created or changed on ${master} and not yet replicated to ${zone} is lost for ${zone} and will be overwritten when ${master} returns; objects not yet replicated stay on ${master} until it syncs again`;

/** What forcing a commit Ceph refuses as stale means. */
const staleMeaning = (zone: string, master: string, behind: string) =>
    `zone ${zone}'s metadata sync is ${behind || "some"} period(s) behind: metadata changes (users, keys, buckets, bucket policies) that ${master} made and ${zone} never received are lost; the periods committed since then are superseded by the one ${zone} commits now, and when ${master} returns it must be demoted (realm pull and period pull from ${zone}), which overwrites its newer metadata instead of merging it`;

interface PromoteContext {
    zone: string;
    zonegroup: string;
    peer: string;
    peerUrl: string;
    /** The Velero bucket: promotion waits until this zone has it caught up, not only the zone's data log. */
    bucket: string;
    force: boolean;
}

/**
 * With the peer's admin: if the peer knows a newer period (this zone is the stale one, e.g. back
 * after an outage without a demote), learn it first, so a stale local view never makes this a
 * no-op or a second master. Returns the peer's period when the peer answers.
 */
async function learnNewerPeerPeriod(s: Session, c: PromoteContext): Promise<Period | undefined> {
    if (!c.peer || !s.o.peerAdmin) return undefined;
    const r = await s.call(["period", "get", "--rgw-zone", c.peer], { via: "peer" });
    if (r.code !== 0) {
        s.warn(`zone ${c.peer} does not answer through RGW_PEER_ADMIN: promoting without fencing it`);
        return undefined;
    }
    const peerPeriod = Period.parse(r.stdout, "the peer's period");
    if (peerPeriod.realmEpoch > (s.period?.realmEpoch ?? 0)) {
        if (!c.peerUrl) throw failed(`zone ${c.peer} has a newer period than this zone; give --peer-url to pull it`);
        const keys = s.requireSecrets("systemAccessKey", "systemSecretKey");
        s.step(`zone ${c.peer} has a newer period: pulling it from ${c.peerUrl}`);
        await s.must(["realm", "pull", "--url", c.peerUrl, "--access-key", keys.systemAccessKey, "--secret", keys.systemSecretKey]);
        await s.must(["period", "pull", "--url", c.peerUrl, "--access-key", keys.systemAccessKey, "--secret", keys.systemSecretKey]);
        await s.loadPeriod();
    }
    return peerPeriod;
}

/**
 * Refuse (exit 3) unless ZONE's metadata is caught up or --force. `wait` (the master answers):
 * give it up to RGW_WAIT_TIMEOUT to catch up first (e.g. a zone that just pulled a newer period
 * restarts its metadata sync).
 */
async function promotePreflight(s: Session, c: PromoteContext, master: string, wait: boolean): Promise<void> {
    const deadline = s.deadline();
    let last = "";
    let summary = "";
    for (;;) {
        // Forced, the status only words the warning; it asks the master, and a master whose link is
        // cut makes it wait about 40 s for its own timeout (16.2.15). Its gateway is asked first (2 s).
        const masterUrls = c.force && s.period ? endpointsOf(s.period, master) : "";
        if (masterUrls && !(await s.answersWithin(masterUrls, 0))) {
            summary = `the master ${master} does not answer at ${masterUrls}: its sync state is not asked`;
            s.info(summary);
            break;
        }
        const st = await s.zoneStatus(c.zone);
        summary = statusSummary(st);
        if (summary !== last) s.info(summary);
        last = summary;
        if (metadataCaughtUp(st)) return;
        if (!wait || deadline.passed()) break;
        await s.sleepPoll();
    }
    const loss = lossOnForce(c.zone, master);
    if (!c.force) {
        const hint = summary.includes("failed to fetch master") ? ` The master ${master} does not answer.` : "";
        throw refused(`zone ${c.zone}'s metadata sync is not caught up with ${master} (${summary}).${hint} If ${master} is unreachable for good, re-run with --force: ${loss}`);
    }
    s.warn(`--force: promoting although metadata is not caught up: ${loss}`);
}

/**
 * A Pacific zone made the one that takes the writes strands newer zones: they cannot follow its
 * bucket index log (docs/ceph-versions.md, "Mixed versions"). Refused before anything changes,
 * unless --force (the newer zones are lost anyway, or the operator accepts it until the upgrade).
 */
async function refuseOlderZone(s: Session, c: PromoteContext, period: Period): Promise<void> {
    const v = await s.call(["--version"], { unscoped: true });
    // The peer's own binary when the caller gave its admin (a planned switch does).
    const peerVersions: Record<string, string> = {};
    if (c.peer && s.hasPeerAdmin) {
        const pv = await s.call(["--version"], { via: "peer", unscoped: true });
        if (pv.code === 0) peerVersions[c.peer] = pv.stdout;
    }
    const verdict = olderZoneFeedsNewer(period, c.zonegroup, c.zone, v.code === 0 ? v.stdout : undefined, peerVersions);
    if (!verdict) return;
    const seen = verdict.basis === "version"
        ? `zone ${c.zone} runs ${v.stdout.trim().split(" (")[0]}`
        : `zone ${c.zone} advertises no zonegroup features (Ceph before 17, or a newer Ceph that has not run \`radosgw-admin zone modify --rgw-zone ${c.zone}\` since a Pacific zone committed a period)`;
    const why = `${seen}, and ${verdict.newerPeers.join(", ")} run Ceph 17 or later: they list a source's bucket index log in a format Pacific does not know, `
        + `so backups written in zone ${c.zone} would not replicate to them, and nothing reports an error. `
        + `Upgrade zone ${c.zone}'s cluster first (docs/runbook.md, "Upgrading Ceph in a multisite realm")`;
    if (!c.force) throw refused(`${why}; or re-run with --force to promote it anyway.`);
    s.warn(`--force: promoting although ${why}.`);
}

/**
 * Ceph refuses the master change while this zone's metadata sync is on an older realm epoch,
 * even when the shards say caught up: refuse before changing anything (unless --force, which
 * passes --yes-i-really-mean-it if Ceph then asks for it).
 */
async function refuseStaleEpoch(s: Session, c: PromoteContext, master: string): Promise<void> {
    const r = await s.call(["metadata", "sync", "status", "--rgw-zone", c.zone]);
    if (r.code !== 0 || !s.period) return;
    const period = s.period;
    const behind = parsedOr(() => metadataEpochsBehind(parseSyncInfo(r.stdout), period), undefined);
    if (behind !== undefined && !c.force) {
        throw refused(`zone ${c.zone}'s metadata sync is ${behind} period(s) behind the current period (an older realm epoch), and Ceph refuses to promote such a zone (it asks for --yes-i-really-mean-it): ${staleMeaning(c.zone, master, String(behind))}. Wait until its metadata sync has moved to the current period, or, if ${master} is lost for good, allow it with --force (the failover stack's forcePromotion: true)`);
    }
}

/**
 * Fence the old master while it is reachable: read-only, so nothing is written there that the
 * new master would never see; then wait until this zone has everything it wrote before.
 */
async function fenceOldMasterAndCatchUp(s: Session, c: PromoteContext, peerPeriod: Period): Promise<void> {
    if (peerPeriod.zone(c.peer)?.readOnly) {
        s.info(`zone ${c.peer} is already read-only (fenced)`);
    } else {
        s.step(`fencing the current master ${c.peer}: read-only`);
        const before = await runningGateways(s, c.zone);
        await s.must(["zone", "modify", "--rgw-zone", c.peer, "--read-only=true"], "peer");
        await s.must(["period", "update", "--commit", "--rgw-zone", c.peer], "peer");
        // The commit's realm notify makes the peer's gateways reload the fenced period (no restart:
        // a restart would only leave one more set of sync leases to wait out). Restart it only when
        // it stops answering (a reload that hung).
        if (!(await s.answersWithin(c.peerUrl, PEER_RELOAD_ANSWERS_WITHIN_S)) && s.o.peerRestart) {
            s.info(`${c.peer}'s gateway does not answer ${PEER_RELOAD_ANSWERS_WITHIN_S}s after the commit: restarting it`);
            await s.restartGateway(s.o.peerRestart);
        }
        // The period's push reloads this zone's gateways too: their data sync from the peer would
        // stand still for rgw_sync_lease_period (120 s by default) unless the old leases are freed.
        await followPeerCommit(s, c.zone, before);
    }
    s.step(`waiting until zone ${c.zone} has caught up with the fenced ${c.peer}`);
    const deadline = s.deadline();
    // The leases of the shards still behind, each looked at once (the fenced peer adds no new ones).
    const examined = new Set<string>();
    for (;;) {
        const st = await s.zoneStatus(c.zone);
        if (allCaughtUp(st)) break;
        const behind = behindLeaseObjects(st).filter((o) => !examined.has(o));
        behind.forEach((o) => examined.add(o));
        await releaseStaleSyncLeases(s, c.zone, behind);
        await s.sleepPoll();
        if (deadline.passed()) {
            s.info(statusSummary(st));
            if (!metadataCaughtUp(st) && !c.force) {
                throw refused(`zone ${c.zone} did not catch up with ${c.peer} within ${s.o.waitTimeout}s; ${c.peer} stays fenced (read-only): re-run, or demote ${c.peer} to lift the fence`);
            }
            s.warn(`data sync from ${c.peer} not caught up within ${s.o.waitTimeout}s: objects not yet replicated follow later from ${c.peer}`);
            break;
        }
    }
    if (c.bucket) await bucketCaughtUpOrRefuse(s, c);
}

/**
 * The bucket itself, once the zone's data log is caught up (a bucket can stop replicating while
 * the data log says caught up): behind, it blocks the promotion (the peer stays fenced), unless
 * --force, which names it.
 */
async function bucketCaughtUpOrRefuse(s: Session, c: PromoteContext): Promise<void> {
    s.step(`waiting until bucket ${c.bucket} on zone ${c.zone} has caught up with ${c.peer}`);
    // The fenced peer takes no more writes: when the bucket's markers stand still, this zone holding
    // every object the peer holds (same ETag and size) is what "caught up" is for.
    const holdsEveryObject = async (stalled: BucketVerdict): Promise<boolean> => {
        const peer = await bucketEntries(s, c.bucket, "peer", c.peer);
        const notHeld = objectsNotHeld(peer, await bucketEntries(s, c.bucket, "local", c.zone));
        if (notHeld.length) {
            s.info(`bucket ${c.bucket}: zone ${c.zone} lacks ${notHeld.length} of the ${peer.length} object(s) of ${c.peer} (first: ${notHeld[0]}); waiting`);
            return false;
        }
        s.warn(`bucket ${c.bucket}: its sync state has stood still for a minute (${stalled.lagging.join("; ")}), but zone ${c.zone} holds all ${peer.length} object(s) of the fenced ${c.peer} with the same ETags and sizes: going on (see \`radosgw-admin sync error list\` on ${c.zone})`);
        return true;
    };
    const verdict = await waitBucketCaughtUp(s, c.bucket, c.zone, s.deadline(), s.o.peerAdmin ? holdsEveryObject : undefined);
    if (verdict.caughtUp) return;
    const lagging = verdict.lagging.join("; ");
    if (!c.force) {
        throw refused(`bucket ${c.bucket} on zone ${c.zone} is not caught up with ${c.peer} after ${s.o.waitTimeout}s (${lagging}), although the zone's data log may say so: `
            + `promoting now would leave objects of the newest backups behind on ${c.peer}. ${c.peer} stays fenced (read-only): re-run, look at \`radosgw-admin bucket sync status --bucket ${c.bucket}\` on ${c.zone}, or demote ${c.peer} to lift the fence`);
    }
    s.warn(`--force: promoting although bucket ${c.bucket} is not caught up with ${c.peer} (${lagging}): objects ${c.peer} holds and ${c.zone} lacks are missing from ${c.zone}'s backups until the bucket syncs`);
}

/**
 * The master-changing commit, as two calls: `period update` stages the zonegroup, `period commit`
 * commits it. Tentacle's `period update --commit` loads this zone's own zonegroup (which already
 * names it master after `zonegroup modify --master`), so it reads an empty metadata sync status
 * and calls a caught-up zone "2 period(s) behind"; `period commit` loads the current period and
 * reads the real status, as every version did before. Ceph (RGWPeriod::update_sync_status)
 * refuses the commit while the new master's metadata sync is on an older realm epoch ("This zone
 * is N period(s) behind ... add the flag --yes-i-really-mean-it"): with --force retry once with
 * that flag, saying what it means; without, refuse (exit 3).
 */
async function commitPromotion(s: Session, c: PromoteContext, master: string): Promise<void> {
    await s.must(["period", "update"]);
    const args = ["period", "commit"];
    const r = await s.call(args);
    if (r.code === 0) return;
    const stale = r.stderr.includes("behind the current master zone in metadata sync") || r.stderr.includes("--yes-i-really-mean-it");
    if (!stale) throw s.adminFailure(args, r);
    const behind = /This zone is ([0-9]*) period/.exec(r.stderr)?.[1] ?? "";
    s.o.stderr(`${indented(r.stderr).slice(1)}\n`);
    if (!c.force) {
        throw refused(`Ceph refuses to make ${c.zone} the metadata master: ${staleMeaning(c.zone, master, behind)}. Wait until ${c.zone}'s metadata sync has caught up (rgw-multisite.sh status), or, if ${master} is lost for good, allow it with --force (the failover stack's forcePromotion: true). Nothing was committed; zone ${c.zone} and zonegroup ${s.scope.zonegroup} were modified locally only and a re-run repeats it`);
    }
    s.warn(`--force (forcePromotion): Ceph asks for --yes-i-really-mean-it; committing with it. ${staleMeaning(c.zone, master, behind)}`);
    await s.must([...args, "--yes-i-really-mean-it"]);
}

/**
 * Marks zones of another cluster read-only in this cluster's zonegroup, staged for the promotion's
 * commit. `zone modify` only edits zones whose parameters live in this cluster, so the zonegroup is
 * read, edited and set back through stdin; a transport that passes no stdin (e.g. `kubectl exec`
 * without -i) loses only this half of the fence, and says so.
 */
async function fenceInPeriod(s: Session, c: PromoteContext, lost: string[]): Promise<void> {
    s.warn(`fencing the zones that do not answer (${lost.join(", ")}): zone ${c.zone} stops syncing from them and the period marks them read-only; `
        + "when they return, nothing they write reaches it until the failover stack has demoted them and readmits them (rgw-multisite.sh readmit)");
    const lostHalf = (why: string) => s.warn(`could not mark ${lost.join(", ")} read-only in the period (${why}): `
        + `when they return their gateways accept writes until the failover stack demotes them; none of those writes reaches ${c.zone}`);
    let edited: unknown;
    try {
        edited = zonegroupWithReadOnly(parseAdminJson(await s.must(["zonegroup", "get", "--rgw-zonegroup", c.zonegroup]), "zonegroup get"), lost);
    } catch (e) {
        return lostHalf(`zonegroup get: ${(e as Error).message}`);
    }
    const r = await s.call(["zonegroup", "set", "--rgw-zonegroup", c.zonegroup], { input: JSON.stringify(edited) });
    if (r.code !== 0) lostHalf(`zonegroup set: exit ${r.code}${r.stderr ? `: ${r.stderr.trim().split("\n")[0]}` : ""}`);
}

/** Every object of a bucket on this zone or the peer's. */
async function bucketEntries(s: Session, bucket: string, via: "local" | "peer", zone: string): Promise<BucketEntry[]> {
    const all: BucketEntry[] = [];
    for await (const entries of bucketPages(s, bucket, { zone, via })) all.push(...entries);
    return all;
}

/** Every object name of a bucket on this zone or the peer's (sorted). */
async function bucketObjectNames(s: Session, bucket: string, via: "local" | "peer", zone: string): Promise<string[]> {
    return (await bucketEntries(s, bucket, via, zone)).map((e) => e.name).sort();
}

/**
 * readmit --zone Z --peer-zone P: Z syncs data from P again after a forced promotion fenced P off.
 * Sync resumes where it stopped, so P's log replays everything P did while fenced off, deletes
 * included (its garbage collection, its repository maintenance); measured on Ceph 16.2.15, even
 * `bucket sync init` and `data sync init` before resuming did not keep a delete from replaying.
 * So readmit first waits until P has every object Z has (P, demoted, syncs from Z): then no delete
 * of P can remove anything Z holds. If P still lacks objects at the deadline, it refuses and names
 * them: P deleted them while fenced off, and resuming would delete them on Z too.
 */
export async function readmit(s: Session, flags: Flags): Promise<void> {
    s.requireRestart();
    const zone = opt(flags, "zone");
    const peer = opt(flags, "peer-zone");
    if (zone === peer) throw badArguments("--zone and --peer-zone must differ");
    await s.deriveScope(zone);
    let period = await s.loadPeriod();
    if (!period.zone(zone)) throw failed(`zone ${zone} is not in the current period`);
    if (!period.zone(peer)) throw failed(`zone ${peer} is not in the current period`);
    if (syncsFrom(period, zone, peer)) {
        s.step(`zone ${zone} syncs from ${peer}: nothing to change`);
        return;
    }
    if (period.master === peer) throw refused(`zone ${peer} is the metadata master but zone ${zone} does not sync from it: demote ${peer} (or promote ${zone}) first`);
    if (!s.o.peerAdmin) throw failed(`readmit needs RGW_PEER_ADMIN (zone ${peer}'s radosgw-admin) to check that resuming sync from ${peer} deletes nothing on ${zone}`);

    s.step(`zone ${zone} does not sync from ${peer} (fenced off by a forced promotion): checking that ${peer} has every object ${zone} has`);
    const buckets = parseAdminJson(await s.must(["bucket", "list"]), "bucket list");
    const names = Array.isArray(buckets) ? buckets.map(String) : [];
    const deadline = s.deadline();
    for (;;) {
        const lacking: string[] = [];
        for (const bucket of names) {
            const missing = missingOnPeer(await bucketObjectNames(s, bucket, "local", zone), await bucketObjectNames(s, bucket, "peer", peer));
            lacking.push(...missing.map((k) => `${bucket}/${k}`));
        }
        if (lacking.length === 0) break;
        if (deadline.passed()) {
            throw refused(`zone ${peer} lacks ${lacking.length} object(s) that zone ${zone} has (${lacking.slice(0, 5).join(", ")}${lacking.length > 5 ? ", ..." : ""}): `
                + `either ${peer} has not caught up with ${zone} yet (re-run later), or ${peer} deleted them while it was fenced off, and resuming sync from ${peer} would delete them on ${zone} too. `
                + `If they are backups Velero expired on ${peer}, delete the same backups on ${zone}'s cluster (velero backup delete) and re-run; otherwise rebuild zone ${peer} (runbook: "A zone fenced off by a forced promotion")`);
        }
        s.info(`zone ${peer} still lacks ${lacking.length} object(s) of zone ${zone} (first: ${lacking[0]}); waiting for it to catch up`);
        await s.sleepPoll();
    }
    s.step(`zone ${zone} syncs from ${peer} again`);
    await s.must(["zone", "modify", "--rgw-zone", zone, ...readmitFlags(period, zone, peer)]);
    s.step("committing the period");
    const before = await runningGateways(s, zone);
    await s.must(["period", "update", "--commit"]);
    period = await s.loadPeriod();
    await reloadAfterCommit(s, zone, endpointsOf(period, zone), before);
    s.step(`zone ${zone} syncs from ${peer}`);
}

export async function promote(s: Session, flags: Flags): Promise<void> {
    s.requireRestart();
    const c: PromoteContext = {
        zone: opt(flags, "zone"), zonegroup: opt(flags, "zonegroup"), peer: opt(flags, "peer-zone"), peerUrl: opt(flags, "peer-url"), bucket: opt(flags, "bucket"),
        force: has(flags, "force"),
    };
    if (c.peerUrl && !c.peer) throw badArguments("--peer-url needs --peer-zone");
    if (c.zone === c.peer) throw badArguments("--zone and --peer-zone must differ");

    await s.deriveScope(c.zone);
    s.scope.zonegroup = c.zonegroup;
    await s.loadPeriod();
    const peerPeriod = await learnNewerPeerPeriod(s, c);
    let period = s.period as Period;
    if (!period.hasZone(c.zonegroup, c.zone)) throw failed(`zone ${c.zone} is not in zonegroup ${c.zonegroup} of the current period`);
    const master = period.masterShown;
    if (master === c.zone) {
        s.step(`zone ${c.zone} is already the metadata master: nothing to change`);
        return;
    }
    const masterAnswers = peerPeriod !== undefined && c.peer === master;

    await refuseOlderZone(s, c, period);
    s.step(`preflight: is zone ${c.zone}'s metadata caught up with the master ${master}?`);
    await promotePreflight(s, c, master, masterAnswers);
    await refuseStaleEpoch(s, c, master);
    if (masterAnswers) await fenceOldMasterAndCatchUp(s, c, peerPeriod);

    // A forced promotion while the old master does not answer fences it for when it returns: the
    // new master stops syncing from it (nothing it writes while cut off, or after it comes back
    // until the failover stack demotes it, reaches the new master: not its backups, not its
    // garbage collection's deletes), and the period marks it read-only, so its gateway refuses
    // writes as soon as the new master's period pusher reaches it. `readmit` lifts the first half.
    const fence = c.force && peerPeriod === undefined ? lostZoneFence(period, c.zonegroup, c.zone, c.peer) : undefined;
    if (!masterAnswers && c.bucket) {
        s.warn(`bucket ${c.bucket}: whether zone ${c.zone} holds every object ${master} wrote cannot be checked while ${master} does not answer; `
            + `objects of the newest backups that had not replicated are missing here (the failover tool's restore checks each backup before restoring it)`);
    }

    s.step(`promoting zone ${c.zone} to metadata master`);
    // Only the exact lowercase --read-only=false means false: radosgw-admin reads any other value
    // (False, no) as true and the new master would reject writes.
    await s.must(["zone", "modify", "--rgw-zone", c.zone, "--rgw-zonegroup", c.zonegroup, "--master", "--default", "--read-only=false", ...(fence?.syncFlags ?? [])]);
    await s.must(["zonegroup", "modify", "--rgw-zonegroup", c.zonegroup, "--master"]);
    if (fence && fence.lost.length) await fenceInPeriod(s, c, fence.lost);
    s.step("committing the period");
    const before = await runningGateways(s, c.zone);
    await commitPromotion(s, c, master);
    period = await s.loadPeriod();
    if (period.master !== c.zone) throw failed(`after the commit the period names ${period.master} as master, not ${c.zone}`);
    // The old master is fenced (or cut off): only the shards still behind matter to the new master.
    await reloadAfterCommit(s, c.zone, endpointsOf(period, c.zone), before, "behind");
    s.step(`zone ${c.zone} is the metadata master (period ${period.id})`);
}

export async function demote(s: Session, flags: Flags): Promise<void> {
    const keys = s.requireSecrets("systemAccessKey", "systemSecretKey");
    s.requireRestart();
    const zone = opt(flags, "zone");
    const masterUrl = opt(flags, "master-url");
    const readOnly = has(flags, "read-only");
    const withKeys = ["--access-key", keys.systemAccessKey, "--secret", keys.systemSecretKey];

    await s.deriveScope(zone);
    const realm = s.scope.realm;
    if (!realm) throw failed(`demote needs zone ${zone}'s realm: zone get --rgw-zone ${zone} did not name one`);
    const before = s.realm?.currentPeriod ?? "";
    await s.loadPeriod(realm); // this zone's (maybe stale) view: it tells the zonegroup before the pulls
    const gatewaysBefore = await runningGateways(s, zone);
    s.step(`pulling realm ${realm} and its current period from ${masterUrl}`);
    await s.must(["realm", "pull", "--rgw-realm", realm, "--url", masterUrl, ...withKeys]);
    await s.must(["period", "pull", "--rgw-realm", realm, "--url", masterUrl, ...withKeys]);
    let period = await s.loadPeriod(realm);
    let changed = before !== period.id;
    const master = period.master;
    if (!master) throw failed(`the period from ${masterUrl} names no metadata master`);
    if (master === zone) throw refused(`the current period (from ${masterUrl}) still names ${zone} as metadata master: promote another zone first`);
    const masterShown = master.replace(/^id:/, "");
    s.info(`metadata master is ${masterShown}`);

    if ((period.zone(zone)?.readOnly ?? false) !== readOnly) {
        s.step(`zone ${zone}: secondary, read-only=${readOnly}`);
        await s.must(["zone", "modify", "--rgw-zone", zone, "--master=false", `--read-only=${readOnly}`]);
        s.step(`committing the period (forwarded to ${masterShown})`);
        await s.must(["period", "update", "--commit", "--rgw-realm", realm]);
        period = await s.loadPeriod(realm);
        changed = true;
    }
    if (changed) {
        const endpoints = endpointsOf(period, zone);
        await reloadAfterCommit(s, zone, endpoints, gatewaysBefore);
        await metadataSyncSettles(s, zone, endpoints);
        s.step(`zone ${zone} is a secondary of ${masterShown} (read-only=${readOnly})`);
    } else {
        s.step(`nothing to change: zone ${zone} is already a secondary of ${masterShown} (read-only=${readOnly})`);
    }
}

/** How long a metadata full sync may make no progress before demote re-initialises it. */
const FULL_SYNC_STALL_SECONDS = 60;

/**
 * A demoted zone starts metadata sync from the new master with a full sync. Measured on Ceph
 * 20.2.4: that full sync can stay on one shard for good, the gateway logging
 * `full_sync(): RGWRadosGetOmapKeysCR() returned ret=-2` (the shard's full-sync index is missing)
 * every second, and the next promotion of the zone is then refused as not caught up.
 * `metadata sync init` and a gateway restart build the index again; a secondary's metadata all
 * comes from the master, so nothing is lost. Waits until metadata is caught up (up to
 * RGW_WAIT_TIMEOUT); re-initialises once when full sync stands still for 60 s; says so when it
 * is still not caught up (the next promotion's preflight refuses it then).
 */
async function metadataSyncSettles(s: Session, zone: string, endpoints: string): Promise<void> {
    const deadline = s.deadline();
    const unchanged = s.unchangedFor();
    let reinitialised = false;
    for (;;) {
        const st = await s.zoneStatus(zone);
        if (metadataCaughtUp(st)) return;
        const r = await s.call(["metadata", "sync", "status", "--rgw-zone", zone]);
        const info = r.code === 0 ? parsedOr(() => parseSyncInfo(r.stdout), undefined) : undefined;
        const progress = info?.status === "sync" && info.fullSync.length ? JSON.stringify(info.fullSync) : "";
        const { stillMs } = unchanged(progress);
        if (progress && !reinitialised && stillMs >= FULL_SYNC_STALL_SECONDS * 1000) {
            s.warn(`zone ${zone}'s metadata full sync has made no progress for ${FULL_SYNC_STALL_SECONDS}s (shards ${info?.fullSync.map((f) => f.shard).join(",")}): `
                + "re-initialising it (metadata sync init) and restarting the gateway; the metadata comes from the master again");
            await s.must(["metadata", "sync", "init", "--rgw-zone", zone]);
            await s.restartAfterCommit(endpoints);
            reinitialised = true;
        }
        if (deadline.passed()) {
            s.warn(`zone ${zone}'s metadata sync is not caught up ${s.o.waitTimeout}s after the demote (${statusSummary(st)}): a promotion of this zone is refused until it is`);
            return;
        }
        await s.sleepPoll();
    }
}

export async function fence(s: Session, flags: Flags): Promise<void> {
    s.requireRestart();
    const zone = opt(flags, "zone");
    await s.deriveScope(zone);
    let period = await s.loadPeriod();
    const z = period.zone(zone);
    if (!z) throw failed(`zone ${zone} is not in the current period`);
    if (z.readOnly) {
        s.step(`zone ${zone} is already read-only: nothing to change`);
        return;
    }
    s.step(`fencing zone ${zone}: read-only`);
    await s.must(["zone", "modify", "--rgw-zone", zone, "--read-only=true"]);
    s.step("committing the period");
    const before = await runningGateways(s, zone);
    await s.must(["period", "update", "--commit"]);
    period = await s.loadPeriod();
    await reloadAfterCommit(s, zone, endpointsOf(period, zone), before);
    s.step(`zone ${zone} is read-only`);
}

