// One run of a subcommand: the transports, the settings from the environment, stderr progress,
// the realm/zonegroup/zone every radosgw-admin call names (the scope), and the shared reads and
// waits (period, names, gateway restart). Subcommands are in steps.ts.
import { Period, Realm, parseNameList, parseRealm, parseZoneRecord } from "./models";
import { parseSyncStatusText } from "./syncText";
import { ZoneStatus, zoneStatus } from "./checkpoints";
import { AdminResult, RadosCli, RgwAdmin, Restarter, redact, redactArgs } from "./transport";

export const PROG = "rgw-multisite.sh";

/** Exit codes (docs/script-contract.md): 1 error, 2 bad arguments, 3 refused, 4 timed out. */
export type ExitCode = 1 | 2 | 3 | 4;

export class RgwExit extends Error {
    constructor(readonly code: ExitCode, message: string) {
        super(message);
    }
}

export const failed = (message: string) => new RgwExit(1, message);
export const badArguments = (message: string) => new RgwExit(2, message);
export const refused = (message: string) => new RgwExit(3, message);
export const timedOut = (message: string) => new RgwExit(4, message);

/** Time, so that tests can run the waits without waiting. Milliseconds. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A gateway endpoint: answers HTTP, refuses the connection (not running), or is silent (reloading). */
export type ProbeResult = "answers" | "refused" | "silent";
export type Probe = (url: string) => Promise<ProbeResult>;

export const httpProbe: Probe = async (url) => {
    try {
        await fetch(url, { signal: AbortSignal.timeout(2000), redirect: "manual" });
        return "answers";
    } catch (e) {
        const code = (e as { cause?: { code?: string } }).cause?.code ?? "";
        return code === "ECONNREFUSED" ? "refused" : "silent";
    }
};

/** Secrets from the environment. Never printed; redacted in everything radosgw-admin says. */
export interface Secrets {
    systemAccessKey?: string;
    systemSecretKey?: string;
    userAccessKey?: string;
    userSecretKey?: string;
}

export const SECRET_ENV: Record<keyof Secrets, string> = {
    systemAccessKey: "RGW_SYSTEM_ACCESS_KEY",
    systemSecretKey: "RGW_SYSTEM_SECRET_KEY",
    userAccessKey: "RGW_USER_ACCESS_KEY",
    userSecretKey: "RGW_USER_SECRET_KEY",
};

export interface SessionOptions {
    subcommand: string;
    admin: RgwAdmin;
    /** RGW_PEER_ADMIN: the peer site's radosgw-admin (promote, sync-scope --repair). */
    peerAdmin?: RgwAdmin;
    restart?: Restarter;
    peerRestart?: Restarter;
    /** RGW_RADOS (or derived from RGW_ADMIN): this site's `rados`, to see gateway reloads and free stale sync leases. */
    rados?: RadosCli;
    secrets: Secrets;
    /** RGW_WAIT_TIMEOUT, seconds. */
    waitTimeout: number;
    /** RGW_POLL_INTERVAL, seconds. */
    pollInterval: number;
    /** RGW_LIST_PAGE: objects per `bucket list` call. */
    listPage: number;
    clock: Clock;
    probe: Probe;
    stderr: (text: string) => void;
}

export interface Scope {
    realm: string;
    zonegroup: string;
    zone: string;
}

/** What a call returns, its stderr redacted. */
export type CallResult = AdminResult;

export type Via = "local" | "peer";

export class Session {
    readonly scope: Scope = { realm: "", zonegroup: "", zone: "" };
    /** The current period, as last read (loadPeriod). */
    period: Period | undefined;
    /** The realm learned by deriveScope. */
    realm: Realm | undefined;

    constructor(readonly o: SessionOptions) {}

    /** Whether the caller gave the peer's radosgw-admin (RGW_PEER_ADMIN). */
    get hasPeerAdmin(): boolean {
        return this.o.peerAdmin !== undefined;
    }

    // -- progress (stderr) ------------------------------------------------------------------

    step(message: string): void {
        this.o.stderr(`==> ${message}\n`);
    }

    info(message: string): void {
        this.o.stderr(`    ${message}\n`);
    }

    warn(message: string): void {
        this.o.stderr(`${PROG}: warning: ${message}\n`);
    }

    redact(text: string): string {
        const s = this.o.secrets;
        return redact(text, [s.systemSecretKey, s.systemAccessKey, s.userSecretKey, s.userAccessKey]);
    }

    private secretValues(): (string | undefined)[] {
        const s = this.o.secrets;
        return [s.systemSecretKey, s.systemAccessKey, s.userSecretKey, s.userAccessKey];
    }

    // -- radosgw-admin ------------------------------------------------------------------------

    /**
     * radosgw-admin ARGS, naming the scope's realm, zonegroup and zone where the call does not
     * (nothing relies on the default realm: Rook sets none). `unscoped` for what lists .rgw.root
     * as a whole. The peer's calls name the peer's zone themselves.
     */
    async call(args: readonly string[], opts: { via?: Via; unscoped?: boolean; input?: string } = {}): Promise<CallResult> {
        const has = (flag: string) => args.some((a) => a === flag || a.startsWith(`${flag}=`));
        const scoped: string[] = [];
        if (!opts.unscoped) {
            if (this.scope.realm && !has("--rgw-realm") && !has("--realm-id")) scoped.push("--rgw-realm", this.scope.realm);
            if (this.scope.zonegroup && !has("--rgw-zonegroup")) scoped.push("--rgw-zonegroup", this.scope.zonegroup);
            if (this.scope.zone && !has("--rgw-zone")) scoped.push("--rgw-zone", this.scope.zone);
        }
        const admin = opts.via === "peer" ? this.o.peerAdmin : this.o.admin;
        if (!admin) throw failed("no radosgw-admin for the peer (RGW_PEER_ADMIN)");
        const r = await admin.admin([...args, ...scoped], opts.input);
        return { ...r, stderr: this.redact(r.stderr) };
    }

    /** Same; a failure ends the run (exit 1) with radosgw-admin's own words. Returns stdout. */
    async must(args: readonly string[], via: Via = "local"): Promise<string> {
        const r = await this.call(args, { via });
        if (r.code !== 0) throw this.adminFailure(args, r, via);
        return r.stdout;
    }

    adminFailure(args: readonly string[], r: CallResult, via: Via = "local"): RgwExit {
        const who = via === "peer" ? "radosgw-admin (RGW_PEER_ADMIN)" : "radosgw-admin";
        return failed(`${who} ${redactArgs(args, this.secretValues())} failed (exit ${r.code})${indented(r.stderr)}`);
    }

    /** The names of realms/zonegroups/zones (empty on a fresh cluster, where .rgw.root is absent). */
    async listNames(kind: "realm" | "zonegroup" | "zone"): Promise<string[]> {
        const r = await this.call([kind, "list"], { unscoped: true });
        if (r.code !== 0) {
            if (isEnoent(r)) return [];
            throw failed(`radosgw-admin ${kind} list failed: ${r.stderr.replace(/\n$/, "")}`);
        }
        return parseNameList(r.stdout, kind);
    }

    async hasName(kind: "realm" | "zonegroup" | "zone", name: string): Promise<boolean> {
        return (await this.listNames(kind)).includes(name);
    }

    /** The realm's current period; a subcommand not told the zonegroup learns it here. */
    async loadPeriod(realm?: string): Promise<Period> {
        const out = await this.must(["period", "get", ...(realm ? ["--rgw-realm", realm] : [])]);
        const period = Period.parse(out);
        this.period = period;
        if (!this.scope.zonegroup && this.scope.zone) {
            this.scope.zonegroup = period.zone(this.scope.zone)?.zonegroup ?? "";
            if (!this.scope.zonegroup) {
                this.warn(`zone ${this.scope.zone} is in no zonegroup of realm ${this.scope.realm || "?"}'s current period: radosgw-admin calls name no zonegroup`);
            }
        }
        return period;
    }

    /**
     * For subcommands not told the realm: learn it once from the zone (`zone get --rgw-zone Z` ->
     * realm_id -> `realm get --realm-id`), never from the default realm. Without a zone: the one
     * zone `zone list` shows, else the default zone. If the zone's record cannot be read it warns
     * and names what it knows (the next call then says what is wrong).
     */
    async deriveScope(zoneFlag: string): Promise<void> {
        let zone = zoneFlag;
        if (!zone) {
            let names: string[] = [];
            try {
                names = await this.listNames("zone");
            } catch {
                names = [];
            }
            if (names.length === 1) {
                zone = names[0];
            } else {
                const r = await this.call(["zone", "get"]);
                if (r.code === 0) zone = tryParse(() => parseZoneRecord(r.stdout).name) ?? "";
            }
            if (!zone) {
                this.warn(`cannot tell which zone this site is (zones here: ${names.length ? names.join(" ") : "none listed"}; no default zone answers): `
                    + `radosgw-admin calls name no realm, zonegroup or zone; give --zone to ${this.o.subcommand}`);
                return;
            }
        }
        this.scope.zone = zone;
        const z = await this.call(["zone", "get", "--rgw-zone", zone]);
        if (z.code !== 0) {
            this.warn(`could not read zone ${zone} (${z.stderr.replace(/\n$/, "") || "no message"}) to learn its realm: radosgw-admin calls name the zone only`);
            return;
        }
        const realmId = tryParse(() => parseZoneRecord(z.stdout).realmId) ?? "";
        if (!realmId) {
            // A zone created by `zone create` on a secondary (after `realm pull`) keeps an empty
            // realm_id on Pacific (seen on 16.2.15): then the cluster's only realm is its realm.
            let names: string[] = [];
            try {
                names = await this.listNames("realm");
            } catch {
                names = [];
            }
            if (names.length === 1) {
                const r = await this.call(["realm", "get", "--rgw-realm", names[0]]);
                if (r.code === 0) {
                    this.realm = tryParse(() => parseRealm(r.stdout));
                    this.scope.realm = names[0];
                    return;
                }
            }
            this.warn(`zone ${zone} names no realm_id and this cluster holds ${names.length ? `several realms (${names.join(" ")})` : "no realm"}: radosgw-admin calls name the zone only`);
            return;
        }
        const r = await this.call(["realm", "get", "--realm-id", realmId]);
        const realm = r.code === 0 ? tryParse(() => parseRealm(r.stdout)) : undefined;
        if (!realm?.name) {
            throw failed(`could not read realm ${realmId} of zone ${zone} (realm get --realm-id): ${r.stderr.replace(/\n$/, "") || "no name in its answer"}`);
        }
        this.realm = realm;
        this.scope.realm = realm.name;
    }

    /** `status` of a zone: period and `sync status` (text: see syncText.ts). */
    async zoneStatus(zone?: string): Promise<ZoneStatus> {
        const period = await this.loadPeriod();
        const text = await this.must(["sync", "status", ...(zone ? ["--rgw-zone", zone] : [])]);
        return zoneStatus(parseSyncStatusText(text), period);
    }

    // -- gateway --------------------------------------------------------------------------------

    requireRestart(): Restarter {
        if (!this.o.restart) {
            throw badArguments(`RGW_RESTART is not set: ${this.o.subcommand} restarts the gateway; set RGW_RESTART to the command that (re)starts this site's radosgw`);
        }
        return this.o.restart;
    }

    async restartGateway(restarter: Restarter | undefined = this.o.restart): Promise<void> {
        const r = restarter ?? this.requireRestart();
        this.step(`restarting the gateway (${this.redact(r.display)})`);
        const { code, output } = await r.restart();
        const shown = output.replace(/\n$/, "");
        if (shown) this.o.stderr(indented(this.redact(shown)).replace(/^\n/, "") + "\n");
        if (code !== 0) throw failed(`the restart command failed (exit ${code})`);
    }

    /**
     * A watch on a value read once per poll: whether it changed since the last reading, and how
     * long (ms) it has stayed as it is (what "stands still for a minute" is measured with).
     */
    unchangedFor(): (value: string) => { changed: boolean; stillMs: number } {
        let last: string | undefined;
        let since = this.o.clock.now();
        return (value) => {
            const changed = value !== last;
            if (changed) {
                last = value;
                since = this.o.clock.now();
            }
            return { changed, stillMs: this.o.clock.now() - since };
        };
    }

    async sleepPoll(): Promise<void> {
        await this.o.clock.sleep(this.o.pollInterval * 1000);
    }

    /** A deadline `seconds` from now (default RGW_WAIT_TIMEOUT); `passed()` once it is reached. */
    deadline(seconds = this.o.waitTimeout): { passed: () => boolean } {
        const end = this.o.clock.now() + seconds * 1000;
        return { passed: () => this.o.clock.now() >= end };
    }

    /**
     * After a period commit a running radosgw reloads its realm (pauses frontends, re-inits).
     * Killing it in the middle can leave it hung (Pacific), so before a restart wait until it
     * answers again or is not running at all (at most 60 s).
     */
    async settleGateway(endpoints: string): Promise<void> {
        const deadline = this.deadline(Math.min(this.o.waitTimeout, 60));
        await this.sleepPoll(); // the reload starts on the commit's watch notify, a moment after it returns
        while (!deadline.passed()) {
            for (const url of splitEndpoints(endpoints)) {
                if ((await this.o.probe(url)) !== "silent") return;
            }
            await this.sleepPoll();
        }
    }

    /** Whether one of the endpoints answers HTTP within `seconds` (asked at once, then every poll). */
    async answersWithin(endpoints: string, seconds: number): Promise<boolean> {
        const deadline = this.deadline(Math.min(this.o.waitTimeout, seconds));
        for (;;) {
            for (const url of splitEndpoints(endpoints)) {
                if ((await this.o.probe(url)) === "answers") return true;
            }
            if (deadline.passed()) return false;
            await this.sleepPoll();
        }
    }

    async waitGateway(endpoints: string): Promise<void> {
        const deadline = this.deadline();
        for (;;) {
            for (const url of splitEndpoints(endpoints)) {
                if ((await this.o.probe(url)) === "answers") {
                    this.info(`gateway answers at ${url}`);
                    return;
                }
            }
            if (deadline.passed()) throw timedOut(`the gateway does not answer at ${endpoints} after ${this.o.waitTimeout}s`);
            await this.sleepPoll();
        }
    }

    /** settle, restart, wait: after every commit that changed what this gateway serves. */
    async restartAfterCommit(endpoints: string, restarter?: Restarter): Promise<void> {
        await this.settleGateway(endpoints);
        await this.restartGateway(restarter);
        await this.waitGateway(endpoints);
    }

    // -- environment ------------------------------------------------------------------------------

    /** The secrets a step needs; absent ones are bad arguments (exit 2). */
    requireSecrets<K extends keyof Secrets>(...keys: K[]): { [P in K]: string } {
        const out = {} as { [P in K]: string };
        for (const k of keys) {
            const v = this.o.secrets[k];
            if (!v) throw badArguments(`environment variable ${SECRET_ENV[k]} is not set (secrets are read from the environment only)`);
            out[k] = v;
        }
        return out;
    }
}

/** radosgw-admin answers ENOENT when the thing (or .rgw.root itself, on a fresh cluster) is absent. */
export function isEnoent(r: CallResult): boolean {
    return r.stderr.includes("(2) No such file or directory");
}

/** Text as an indented block under a message ("" when empty). */
export function indented(text: string): string {
    const t = text.replace(/\n$/, "");
    return t ? `\n${t.split("\n").map((l) => `    ${l}`).join("\n")}` : "";
}

function splitEndpoints(endpoints: string): string[] {
    return endpoints.split(/[,\s]+/).filter(Boolean);
}

function tryParse<T>(f: () => T): T | undefined {
    try {
        return f();
    } catch {
        return undefined;
    }
}
