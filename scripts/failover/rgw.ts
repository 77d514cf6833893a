// The RGW side of the tool: what it asks of a site's zone, behind a small typed client, and the
// models of the JSON that `rgw-multisite.sh status` and `backup-objects` print
// (docs/script-contract.md). Only scripts/rgw/ speaks radosgw-admin: the tool runs its CLI in
// this process (RgwMultisiteModule), or a script named by RGW_MULTISITE as a process (tests, or
// a site that wraps the script). Both print the same JSON, so both are read with the models below.
import { runCli } from "../rgw/cli";
import { ParseError, parseAdminJson } from "../rgw/models";
import { Action } from "./report";
import { printfQ, render } from "./shell";
import { ChildEnv, run } from "./proc";

/** One sync direction as `status`/`backup-objects` report it. */
export interface SyncState {
    caughtUp: boolean;
    state?: string;
    error?: string;
    shards?: number;
    incrementalShards?: number;
    behindShards: string[];
    oldestChange?: string;
}

/** `rgw-multisite.sh status`: one zone's place in the realm and its sync state. */
export interface ZoneStatus {
    zone?: string;
    zonegroup?: string;
    realm?: string;
    period?: string;
    isMaster: boolean;
    metadataMaster?: string;
    readOnly: boolean;
    metadataSync?: SyncState;
    /** Keyed by source zone name. */
    dataSync: Record<string, SyncState>;
}

export interface BucketObject {
    name: string;
    size: number;
    etag?: string;
}

/** `rgw-multisite.sh backup-objects`: a backup's files in the bucket on one zone, and the bucket's sync. */
export interface BackupObjects {
    zone?: string;
    bucket?: string;
    backup?: string;
    prefix?: string;
    /** Length of the bucket's PodVolumeBackup list, when the lister reports it. */
    podVolumeBackups?: number;
    objects: BucketObject[];
    /** Keyed by source zone name. */
    bucketSync: Record<string, SyncState>;
}

/** The output of a subcommand could not be read as the JSON it promises. */
export class RgwOutputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RgwOutputError";
    }
}

/** A query's answer: the parsed value, or the exit code of a subcommand that failed. */
export type RgwReply<T> = { ok: true; value: T } | { ok: false; code: number };

export interface PromoteRequest {
    zone: string;
    zonegroup: string;
    /** The reachable old master, fenced first (needs the peer's transport). */
    peerZone?: string;
    peerUrl?: string;
    /** The Velero bucket: promotion waits for it to catch up too (a planned switch refuses while it is behind). */
    bucket?: string;
    force: boolean;
}

/** What this tool asks of one site's zone. */
export interface RgwMultisite {
    /** The site's radosgw-admin and gateway restart commands. */
    readonly transport: RgwTransport;
    status(zone?: string): Promise<RgwReply<ZoneStatus>>;
    backupObjects(query: { bucket: string; backup: string; zone?: string }): Promise<RgwReply<BackupObjects>>;
    /** Makes the zone the metadata master; with a peer, it fences the peer's zone first. */
    promote(request: PromoteRequest, peer?: RgwMultisite): Action;
}

// ---------------------------------------------------------------------------------------------
// Models from JSON (lenient: a missing field is absent, never an exception)
// ---------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/** JSON text, tolerating banner lines before it (scripts/rgw's own reader). */
export function parseJsonText(text: string, what: string): unknown {
    try {
        return parseAdminJson(text, `the output of ${what}`);
    } catch (e) {
        if (e instanceof ParseError) throw new RgwOutputError(e.message);
        throw e;
    }
}

export function syncStateFrom(raw: unknown): SyncState {
    const v = obj(raw);
    return {
        caughtUp: v.caughtUp === true,
        state: str(v.state),
        error: str(v.error),
        shards: num(v.shards),
        incrementalShards: num(v.incrementalShards),
        behindShards: Array.isArray(v.behindShards) ? v.behindShards.map(String) : [],
        oldestChange: str(v.oldestChange),
    };
}

function syncMap(raw: unknown): Record<string, SyncState> {
    return Object.fromEntries(Object.entries(obj(raw)).map(([zone, v]) => [zone, syncStateFrom(v)]));
}

export function zoneStatusFrom(raw: unknown): ZoneStatus {
    const v = obj(raw);
    return {
        zone: str(v.zone),
        zonegroup: str(v.zonegroup),
        realm: str(v.realm),
        period: str(v.period),
        isMaster: v.isMaster === true,
        metadataMaster: str(v.metadataMaster),
        readOnly: v.readOnly === true,
        metadataSync: v.metadataSync === undefined ? undefined : syncStateFrom(v.metadataSync),
        dataSync: syncMap(v.dataSync),
    };
}

export function backupObjectsFrom(raw: unknown): BackupObjects {
    const v = obj(raw);
    return {
        zone: str(v.zone),
        bucket: str(v.bucket),
        backup: str(v.backup),
        prefix: str(v.prefix),
        podVolumeBackups: num(v.podVolumeBackups),
        objects: (Array.isArray(v.objects) ? v.objects : []).map((o) => {
            const x = obj(o);
            return { name: str(x.name) ?? "", size: Number(x.size) || 0, etag: str(x.etag) };
        }),
        bucketSync: syncMap(v.bucketSync),
    };
}

// ---------------------------------------------------------------------------------------------
// Today's implementation: scripts/rgw-multisite.sh as a process
// ---------------------------------------------------------------------------------------------

/** A site's radosgw-admin command and gateway restart command (word-split by rgw-multisite.sh). */
export interface RgwTransport {
    admin: string;
    restart: string;
}

/** `promote --zone Z --zonegroup G [--peer-zone P [--peer-url URL]] [--bucket B] [--force]` (peer flags only with its transport). */
function promoteArgs(r: PromoteRequest, peer?: RgwMultisite): string[] {
    const args = ["promote", "--zone", r.zone, "--zonegroup", r.zonegroup];
    if (peer?.transport && r.peerZone) {
        args.push("--peer-zone", r.peerZone);
        if (r.peerUrl) args.push("--peer-url", r.peerUrl);
    }
    if (r.bucket) args.push("--bucket", r.bucket);
    if (r.force) args.push("--force");
    return args;
}

/** `[RGW_PEER_ADMIN=... RGW_PEER_RESTART=...] RGW_ADMIN=... [RGW_RESTART=...] scripts/rgw-multisite.sh ARGS` */
function promoteDisplay(shownAs: string, t: RgwTransport, args: string[], peer?: RgwTransport): string {
    const peerShown = peer ? `RGW_PEER_ADMIN=${printfQ(peer.admin)}${peer.restart ? ` RGW_PEER_RESTART=${printfQ(peer.restart)}` : ""} ` : "";
    return `${peerShown}RGW_ADMIN=${printfQ(t.admin)}${t.restart ? ` RGW_RESTART=${printfQ(t.restart)}` : ""} ${render([shownAs, ...args])}`;
}

export class RgwMultisiteProcess implements RgwMultisite {
    /**
     * @param script the rgw-multisite.sh to run (RGW_MULTISITE)
     * @param shownAs how the script is named in "would run" lines
     * @param env the environment passed on (system keys included, never on argv)
     */
    constructor(readonly script: string, readonly shownAs: string, readonly transport: RgwTransport, private readonly env: ChildEnv) {}

    status(zone?: string): Promise<RgwReply<ZoneStatus>> {
        return this.query(["status", ...(zone ? ["--zone", zone] : [])], zoneStatusFrom);
    }

    backupObjects(q: { bucket: string; backup: string; zone?: string }): Promise<RgwReply<BackupObjects>> {
        return this.query(["backup-objects", "--bucket", q.bucket, "--backup", q.backup, ...(q.zone ? ["--zone", q.zone] : [])], backupObjectsFrom);
    }

    promote(r: PromoteRequest, peer?: RgwMultisite): Action {
        const args = promoteArgs(r, peer);
        return {
            display: promoteDisplay(this.shownAs, this.transport, args, peer?.transport),
            run: async () => (await run([this.script, ...args], { env: this.childEnv(peer?.transport) })).code,
        };
    }

    /** This site's transport; the peer's only when the call is about the peer. Progress stays on stderr. */
    private childEnv(peer?: RgwTransport): ChildEnv {
        return {
            ...this.env,
            RGW_ADMIN: this.transport.admin,
            RGW_RESTART: this.transport.restart,
            RGW_PEER_ADMIN: peer?.admin,
            RGW_PEER_RESTART: peer ? peer.restart : undefined,
        };
    }

    private async query<T>(args: string[], model: (raw: unknown) => T): Promise<RgwReply<T>> {
        const r = await run([this.script, ...args], { env: this.childEnv(), stdout: "capture" });
        if (r.code !== 0) return { ok: false, code: r.code };
        return { ok: true, value: model(parseJsonText(r.stdout, `rgw-multisite.sh ${args[0]}`)) };
    }
}

/**
 * The same calls on scripts/rgw/ in this process: no process and no ts-node start per query. The
 * "would run" lines still show the launcher's command line, which does the same.
 */
export class RgwMultisiteModule implements RgwMultisite {
    constructor(private readonly shownAs: string, readonly transport: RgwTransport, private readonly env: ChildEnv) {}

    status(zone?: string): Promise<RgwReply<ZoneStatus>> {
        return this.query(["status", ...(zone ? ["--zone", zone] : [])], zoneStatusFrom);
    }

    backupObjects(q: { bucket: string; backup: string; zone?: string }): Promise<RgwReply<BackupObjects>> {
        return this.query(["backup-objects", "--bucket", q.bucket, "--backup", q.backup, ...(q.zone ? ["--zone", q.zone] : [])], backupObjectsFrom);
    }

    promote(r: PromoteRequest, peer?: RgwMultisite): Action {
        const args = promoteArgs(r, peer);
        return {
            display: promoteDisplay(this.shownAs, this.transport, args, peer?.transport),
            run: () => this.call(args, peer?.transport, (t) => process.stdout.write(t)),
        };
    }

    private async query<T>(args: string[], model: (raw: unknown) => T): Promise<RgwReply<T>> {
        let out = "";
        const code = await this.call(args, undefined, (t) => (out += t));
        if (code !== 0) return { ok: false, code };
        return { ok: true, value: model(parseJsonText(out, `rgw-multisite.sh ${args[0]}`)) };
    }

    private call(args: string[], peer: RgwTransport | undefined, stdout: (text: string) => void): Promise<number> {
        const env = { ...this.env, RGW_ADMIN: this.transport.admin, RGW_RESTART: this.transport.restart, RGW_PEER_ADMIN: peer?.admin, RGW_PEER_RESTART: peer?.restart };
        return runCli(args, { env, stdout, stderr: (t) => process.stderr.write(t) });
    }
}
