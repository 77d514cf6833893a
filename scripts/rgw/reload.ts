// After a period commit: the zone's gateways reload the new period by themselves (realm watch), so
// the tool waits for that reload instead of restarting them, then frees the sync leases their old
// instances left (scripts/rgw/leases.ts says why). Without `rados` (RGW_RADOS) nothing can be seen,
// and the tool restarts the gateway after a commit as before.
import { SyncShards, behindLeaseObjects, CONTROL_OBJECT, Locker, SYNC_LOCK, parseLockers, parseWatchers, reloaded, staleLockers, syncLeaseObjects } from "./leases";
import { parseSyncInfo, parseZoneRecord } from "./models";
import { syncsFrom } from "./checkpoints";
import { Session, indented } from "./session";

/** A commit's reload shows within a second (realm watch notify; a pushed period is retried after 2 s). */
export const RELOAD_SEEN_WITHIN_S = 10;
/** How often the gateways are listed while waiting for the reload. */
const RELOAD_POLL_MS = 250;
/** `rados lock info`/`lock break` calls in flight. */
const LEASE_CALLS_IN_FLIGHT = 8;

const pools = new WeakMap<Session, Map<string, { log: string; control: string }>>();

async function zonePools(s: Session, zone: string): Promise<{ log: string; control: string } | undefined> {
    const known = pools.get(s) ?? new Map<string, { log: string; control: string }>();
    pools.set(s, known);
    const cached = known.get(zone);
    if (cached) return cached;
    const r = await s.call(["zone", "get", "--rgw-zone", zone]);
    if (r.code !== 0) return undefined;
    try {
        const z = parseZoneRecord(r.stdout);
        if (!z.logPool || !z.controlPool) return undefined;
        const found = { log: z.logPool, control: z.controlPool };
        known.set(zone, found);
        return found;
    } catch {
        return undefined;
    }
}

/** Says once per run why reloads cannot be seen. */
const saidBlind = new WeakSet<Session>();
function blind(s: Session, why: string): undefined {
    if (!saidBlind.has(s)) {
        saidBlind.add(s);
        s.info(`cannot see the gateways' reloads (${why}): restarting the gateway after each commit, and sync waits out rgw_sync_lease_period after it (set RGW_RADOS to this site's rados command)`);
    }
    return undefined;
}

/** The zone's running gateways (RADOS client names), or undefined when `rados` cannot tell. */
export async function runningGateways(s: Session, zone: string): Promise<string[] | undefined> {
    const rados = s.o.rados;
    if (!rados) return blind(s, "no rados command: RGW_RADOS is empty and RGW_ADMIN names no radosgw-admin");
    const p = await zonePools(s, zone);
    if (!p) return blind(s, `zone get --rgw-zone ${zone} named no control pool`);
    const r = await rados.rados(["-p", p.control, "listwatchers", CONTROL_OBJECT]);
    if (r.code !== 0) return blind(s, `rados listwatchers: exit ${r.code}${r.stderr.trim() ? `: ${s.redact(r.stderr.trim().split("\n")[0])}` : ""}`);
    try {
        return parseWatchers(r.stdout);
    } catch (e) {
        return blind(s, (e as Error).message);
    }
}

/**
 * After a commit that changed what the zone's gateways serve. When every gateway that ran before
 * the commit has been replaced by a reloaded one (`before` from runningGateways), there is nothing
 * to restart: wait until it answers and free the leases. Otherwise (no rados, no gateway ran, or no
 * reload within RELOAD_SEEN_WITHIN_S) restart it as before, then free the leases: of every shard,
 * or (`behind`) only of the shards behind now, when nothing new is expected from the sources (a new
 * master whose old master is fenced: about 5 s less on a 2-core lab).
 */
export async function reloadAfterCommit(s: Session, zone: string, endpoints: string, before: string[] | undefined, leases: "all" | "behind" = "all"): Promise<void> {
    const now = before && before.length ? await awaitReload(s, zone, before) : undefined;
    if (now) {
        s.info(`zone ${zone}'s gateway reloaded the new period by itself (${before?.join(" ")} -> ${now.join(" ")}): no restart`);
        await s.waitGateway(endpoints);
    } else {
        if (before && before.length) s.info(`no reload of zone ${zone}'s gateway within ${RELOAD_SEEN_WITHIN_S}s of the commit: restarting it`);
        await s.restartAfterCommit(endpoints);
    }
    if (leases === "all") await releaseStaleSyncLeases(s, zone);
    else if (s.o.rados) await releaseStaleSyncLeases(s, zone, behindLeaseObjects(await s.zoneStatus(zone)));
}

/**
 * The other zone committed (and pushed) a period: this zone's gateways reload by themselves (no
 * restart: none was needed before either). Waits for that reload, so that the leases its old
 * instance left can be freed (releaseStaleSyncLeases with the shards a catch-up waits for).
 */
export async function followPeerCommit(s: Session, zone: string, before: string[] | undefined): Promise<void> {
    if (!before || before.length === 0) return;
    const now = await awaitReload(s, zone, before);
    if (now) s.info(`zone ${zone}'s gateway reloaded the period the other zone pushed (${before.join(" ")} -> ${now.join(" ")})`);
    else s.info(`no reload of zone ${zone}'s gateway within ${RELOAD_SEEN_WITHIN_S}s of the other zone's commit`);
}

async function awaitReload(s: Session, zone: string, before: string[]): Promise<string[] | undefined> {
    const deadline = s.deadline(RELOAD_SEEN_WITHIN_S);
    for (;;) {
        const now = await runningGateways(s, zone);
        if (!now) return undefined;
        if (reloaded(before, now)) return now;
        if (deadline.passed()) return undefined;
        await s.o.clock.sleep(RELOAD_POLL_MS);
    }
}

/** Runs `work` over the items, LEASE_CALLS_IN_FLIGHT at a time. */
async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
        while (next < items.length) await work(items[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(LEASE_CALLS_IN_FLIGHT, items.length) }, worker));
}

/** What this zone syncs: data from each source zone, metadata when it is not the master. */
async function syncShardsOf(s: Session, zone: string): Promise<SyncShards> {
    const period = s.period ?? (await s.loadPeriod());
    const me = period.zone(zone);
    const shards: SyncShards = { data: [], metadata: [] };
    if (!me) return shards;
    for (const other of period.zonegroups.find((g) => g.name === me.zonegroup)?.zones ?? []) {
        if (other.name === zone || !syncsFrom(period, zone, other.name)) continue;
        const r = await s.call(["data", "sync", "status", "--source-zone", other.name, "--rgw-zone", zone]);
        const used = r.code === 0 ? usedShards(r.stdout) : [];
        if (used.length) shards.data.push({ sourceZoneId: other.id, shards: used });
    }
    if (period.masterZoneId !== me.id) {
        const r = await s.call(["metadata", "sync", "status", "--rgw-zone", zone]);
        shards.metadata = r.code === 0 ? usedShards(r.stdout) : [];
    }
    return shards;
}

function usedShards(text: string): number[] {
    try {
        return parseSyncInfo(text).usedShards;
    } catch {
        return [];
    }
}

/**
 * Breaks the sync leases held by RADOS clients that are no longer running gateways of the zone
 * (the instances a reload or restart replaced): sync resumes at the shard's next retry instead of
 * after rgw_sync_lease_period. The gateways are listed again just before breaking, and a lease of
 * any client that watches the zone is never touched. `only`: these lease objects (default: every
 * shard of the zone's data and metadata sync).
 */
export async function releaseStaleSyncLeases(s: Session, zone: string, only?: readonly string[]): Promise<void> {
    const rados = s.o.rados;
    if (!rados || (only && only.length === 0)) return;
    const p = await zonePools(s, zone);
    const live = await runningGateways(s, zone);
    if (!p || !live || live.length === 0) return;
    const objects = only ?? syncLeaseObjects(await syncShardsOf(s, zone));
    const started = s.o.clock.now();
    const stale: { object: string; locker: Locker }[] = [];
    await inParallel(objects, async (object) => {
        const r = await rados.rados(["-p", p.log, "lock", "info", object, SYNC_LOCK]);
        if (r.code !== 0) return; // no such object: the shard never synced
        try {
            for (const locker of staleLockers(parseLockers(r.stdout), live)) stale.push({ object, locker });
        } catch {
            // an answer that is not the expected JSON frees nothing
        }
    });
    if (stale.length === 0) return;
    const liveAgain = await runningGateways(s, zone);
    if (!liveAgain || liveAgain.length === 0) return;
    const breakable = stale.filter((x) => staleLockers([x.locker], liveAgain).length === 1);
    const holders = [...new Set(breakable.map((x) => x.locker.name))].sort();
    let broken = 0;
    await inParallel(breakable, async ({ object, locker }) => {
        const r = await rados.rados(["-p", p.log, "lock", "break", object, SYNC_LOCK, locker.name, "--lock-cookie", locker.cookie]);
        if (r.code === 0) broken++;
        else s.info(`rados lock break ${object}: exit ${r.code}${indented(s.redact(r.stderr))}`);
    });
    s.info(`freed ${broken} sync lease(s) of zone ${zone} held by ${holders.join(" ")}, which no longer run${holders.length === 1 ? "s" : ""} (running: ${liveAgain.join(" ")}), `
        + `in ${((s.o.clock.now() - started) / 1000).toFixed(1)}s: sync resumes now instead of after rgw_sync_lease_period`);
}
