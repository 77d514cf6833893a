// In-memory stand-ins for what failover.sh runs (scripts/failover/cli.ts's Wiring): each site's
// zone (the JSON rgw-multisite.sh prints), each site's cluster (Velero objects, velero-role.sh's
// answers) and the pulumi CLI. Every call is logged in order as one readable line, e.g.
// "site-b rgw status --zone zoneb", "site-a cluster stop-schedules", "pulumi up -s failover --yes".
import { ClusterAccess, Env } from "../../scripts/failover/args";
import { Io, Wiring, main } from "../../scripts/failover/cli";
import { SiteId } from "../../scripts/failover/facts";
import { KubeReply, LocationState, VeleroCluster } from "../../scripts/failover/kube";
import { PulumiBackend } from "../../scripts/failover/pulumi";
import { Action, Terminal } from "../../scripts/failover/report";
import {
    BackupObjects, PromoteRequest, RgwMultisite, RgwReply, RgwTransport, ZoneStatus, backupObjectsFrom, parseJsonText, zoneStatusFrom,
} from "../../scripts/failover/rgw";
import { render } from "../../scripts/failover/shell";

export const NEWEST = "every-6h-20261124060000";
export const OLDER = "every-6h-20261124000000";
export const SITE_LABEL = "dr.velero-ceph-dr/site";

const CAUGHT_UP = { state: "syncing", caughtUp: true, shards: 64, incrementalShards: 64, behindShards: [] };
export const BEHIND = { state: "syncing", caughtUp: false, shards: 64, incrementalShards: 64, behindShards: [7, 19] };

export interface ZoneWorld {
    /** `status` JSON, or an exit code. */
    status: unknown;
    /** `backup-objects` JSON by backup name, or an exit code. */
    objects: Record<string, unknown>;
    /** Exit code of promote (default 0). */
    promoteCode?: number;
    down?: boolean;
}

export interface BackupRecord {
    name: string;
    phase: string;
    completed?: string;
    site: SiteId;
}

export interface ClusterWorld {
    backups: BackupRecord[];
    location: LocationState;
    /** PodVolumeBackups per backup name. */
    pvbs?: Record<string, number>;
    /** What backup sync imports after the record is deleted (PodVolumeBackups). */
    reimportPvbs?: number;
    restorePhase?: string;
    restoreCode?: number;
    actionCodes?: Record<string, number>;
    down?: boolean;
}

export interface World {
    zones: Partial<Record<SiteId, ZoneWorld>>;
    clusters: Partial<Record<SiteId, ClusterWorld>>;
    /** A pulumi command line prefix that fails (exit 255). */
    pulumiFails?: string;
}

export function statusJson(zone: string, master: string, over: Record<string, unknown> = {}): Record<string, unknown> {
    const peer = zone === "zonea" ? "zoneb" : "zonea";
    return {
        zone, zonegroup: "global", realm: "dr", period: "p-1", metadataMaster: master, isMaster: zone === master, readOnly: false,
        metadataSync: zone === master ? { state: "master" } : CAUGHT_UP, dataSync: { [peer]: CAUGHT_UP }, ...over,
    };
}

const FILES = (n: string) => ["velero-backup.json", `${n}.tar.gz`, `${n}-logs.gz`, `${n}-results.gz`, `${n}-resource-list.json.gz`,
    `${n}-podvolumebackups.json.gz`, `${n}-volumesnapshots.json.gz`, `${n}-itemoperations.json.gz`, `${n}-volumeinfo.json.gz`];

export function objectsJson(zone: string, name = NEWEST, opts: { without?: string[]; bucketSync?: Record<string, unknown>; pvbCount?: number; pvbBytes?: number } = {}) {
    const peer = zone === "zonea" ? "zoneb" : "zonea";
    return {
        zone, bucket: "velero-backups", backup: name, prefix: `backups/${name}/`,
        ...(opts.pvbCount !== undefined ? { podVolumeBackups: opts.pvbCount } : {}),
        objects: FILES(name).map((n, i) => ({ name: `backups/${name}/${n}`, size: n.endsWith("-podvolumebackups.json.gz") ? opts.pvbBytes ?? 25 : 1000 + i, etag: `e${i}` }))
            .filter((o) => !(opts.without ?? []).some((w) => o.name.endsWith(`/${w}`))),
        bucketSync: { [peer]: opts.bucketSync ?? { caughtUp: true, state: "incremental", behindShards: [] } },
    };
}

const backups = (): BackupRecord[] => [
    { name: OLDER, phase: "Completed", completed: "2026-11-24T00:12:00Z", site: "site-a" },
    { name: NEWEST, phase: "Completed", completed: "2026-11-24T06:11:00Z", site: "site-a" },
    { name: "every-6h-20261124120000", phase: "Failed", completed: "2026-11-24T12:03:00Z", site: "site-a" },
    { name: "every-6h-20261124180000", phase: "InProgress", site: "site-a" },
];

/** Both sites up, zone A master, zone B caught up, cluster B passive (its location ReadOnly). */
export function healthy(): World {
    return {
        zones: {
            "site-a": { status: statusJson("zonea", "zonea"), objects: { [NEWEST]: objectsJson("zonea"), [OLDER]: objectsJson("zonea", OLDER) } },
            "site-b": { status: statusJson("zoneb", "zonea"), objects: { [NEWEST]: objectsJson("zoneb"), [OLDER]: objectsJson("zoneb", OLDER) } },
        },
        clusters: {
            "site-a": { backups: backups(), location: { accessMode: "ReadWrite", phase: "Available" } },
            "site-b": { backups: backups(), location: { accessMode: "ReadOnly", phase: "Available" } },
        },
    };
}

/** Site A is gone: its zone and cluster answer nothing (and must not even be called). */
export function siteALost(): World {
    const w = healthy();
    w.zones["site-a"] = { status: 1, objects: {}, down: true };
    w.clusters["site-a"] = { ...(w.clusters["site-a"] as ClusterWorld), down: true };
    w.zones["site-b"] = {
        status: statusJson("zoneb", "zonea", { dataSync: { zonea: { state: "error", error: "failed to fetch master sync status", caughtUp: false } } }),
        objects: { [NEWEST]: objectsJson("zoneb", NEWEST, { bucketSync: { caughtUp: false, state: "error", error: "failed to read remote status: (5) Input/output error", behindShards: [] } }) },
    };
    return w;
}

class FakeZone implements RgwMultisite {
    constructor(readonly site: SiteId, readonly transport: RgwTransport, private readonly world: World, private readonly calls: string[]) {}

    private get zone(): ZoneWorld {
        const z = this.world.zones[this.site];
        if (!z) throw new Error(`no zone for ${this.site}`);
        return z;
    }

    async status(zone?: string): Promise<RgwReply<ZoneStatus>> {
        this.calls.push(`${this.site} rgw status${zone ? ` --zone ${zone}` : ""}`);
        const s = this.zone.status;
        if (typeof s === "number") return { ok: false, code: s };
        return { ok: true, value: zoneStatusFrom(typeof s === "string" ? parseJsonText(s, "rgw-multisite.sh status") : s) };
    }

    async backupObjects(q: { bucket: string; backup: string; zone?: string }): Promise<RgwReply<BackupObjects>> {
        this.calls.push(`${this.site} rgw backup-objects --bucket ${q.bucket} --backup ${q.backup}${q.zone ? ` --zone ${q.zone}` : ""}`);
        const o = this.zone.objects[q.backup];
        if (o === undefined) return { ok: false, code: 1 };
        if (typeof o === "number") return { ok: false, code: o };
        return { ok: true, value: backupObjectsFrom(o) };
    }

    promote(r: PromoteRequest, peer?: RgwMultisite): Action {
        const args = ["promote", "--zone", r.zone, "--zonegroup", r.zonegroup, ...(r.peerZone ? ["--peer-zone", r.peerZone] : []),
            ...(r.peerUrl ? ["--peer-url", r.peerUrl] : []), ...(r.force ? ["--force"] : [])];
        const peerSite = peer instanceof FakeZone ? ` (peer ${peer.site})` : "";
        return {
            display: `RGW_ADMIN=${this.transport.admin} scripts/rgw-multisite.sh ${args.join(" ")}`,
            run: async () => {
                this.calls.push(`${this.site} rgw ${args.join(" ")}${peerSite}`);
                return this.zone.promoteCode ?? 0;
            },
        };
    }
}

class FakeCluster implements VeleroCluster {
    readonly site: SiteId;

    constructor(readonly access: ClusterAccess, private readonly world: World, private readonly calls: string[]) {
        this.site = access.site;
    }

    private get c(): ClusterWorld {
        const c = this.world.clusters[this.site];
        if (!c) throw new Error(`no cluster for ${this.site}`);
        return c;
    }

    private call<T>(line: string, answer: () => KubeReply<T>): Promise<KubeReply<T>> {
        this.calls.push(`${this.site} cluster ${line}`);
        if (this.c.down) return Promise.resolve({ ok: false, code: 1, stderr: "Unable to connect to the server: dial tcp: i/o timeout\n" });
        return Promise.resolve(answer());
    }

    backupPhase(name: string) {
        return this.call(`get backup ${name}`, (): KubeReply<string> => {
            const b = this.c.backups.find((x) => x.name === name);
            return b ? { ok: true, value: b.phase } : { ok: false, code: 1, stderr: `Error from server (NotFound): backups.velero.io "${name}" not found\n` };
        });
    }

    location(name: string) {
        return this.call(`get location ${name}`, (): KubeReply<LocationState> => ({ ok: true, value: this.c.location }));
    }

    restorePhase(name: string) {
        return this.call(`get restore ${name}`, (): KubeReply<string> => ({ ok: true, value: this.c.restorePhase ?? "Completed" }));
    }

    /** As velero-role.sh newest-backup: the newest Completed, with the label when asked; notes on what it passed over. */
    newestBackup(label?: string) {
        return this.call(`newest-backup${label ? ` --label ${label}` : ""}`, (): KubeReply<{ name: string; notes: string }> => {
            const want = label?.split("=")[1];
            const done = this.c.backups.filter((b) => b.phase === "Completed" && b.completed).sort((a, b) => (b.completed as string).localeCompare(a.completed as string));
            const i = done.findIndex((b) => !want || b.site === want);
            if (i < 0) return { ok: false, code: 1, stderr: `velero-role.sh: no Completed backup${want ? ` labelled ${label}` : ""} is visible here\n` };
            const passed = done.slice(0, i).map((b) => `${b.name} (${SITE_LABEL}=${b.site}, completed ${b.completed})`);
            const notes = `velero-role.sh: chose ${done[i].name}, the newest Completed backup\n${passed.length ? `velero-role.sh: passed over ${passed.length} newer Completed backup(s): ${passed.join(" ")}\n` : ""}`;
            return { ok: true, value: { name: done[i].name, notes } };
        });
    }

    podVolumeBackups(backup: string) {
        return this.call(`pod-volume-backups ${backup}`, (): KubeReply<number | undefined> => ({ ok: true, value: this.c.pvbs?.[backup] ?? 0 }));
    }

    private action(line: string, shown: string, effect: () => number = () => 0): Action {
        return {
            display: `${shown} (${this.site}'s cluster)`,
            run: async () => {
                this.calls.push(`${this.site} cluster ${line}`);
                if (this.c.down) return 1;
                return this.c.actionCodes?.[line.split(" ")[0]] ?? effect();
            },
        };
    }

    stopSchedules(label: string): Action {
        return this.action(`stop-schedules ${label}`, `scripts/velero-role.sh stop-schedules --namespace velero --label ${label}`);
    }

    setAccessMode(location: string, mode: "ReadWrite" | "ReadOnly"): Action {
        return this.action(`set-access-mode ${location} ${mode}`, `scripts/velero-role.sh set-access-mode --namespace velero --location ${location} --mode ${mode}`, () => {
            this.c.location = { ...this.c.location, accessMode: mode };
            return 0;
        });
    }

    reimportBackup(backup: string, timeoutSeconds: number): Action {
        return this.action(`reimport-backup ${backup}`, `scripts/velero-role.sh reimport-backup --namespace velero --backup ${backup} --timeout ${timeoutSeconds}`, () => {
            if (this.c.reimportPvbs !== undefined) this.c.pvbs = { ...this.c.pvbs, [backup]: this.c.reimportPvbs };
            return 0;
        });
    }

    restoreCreate(name: string, backup: string, timeoutSeconds?: number): Action {
        const line = `restore create ${name} --from-backup ${backup}`;
        const shown = render([...(timeoutSeconds ? ["timeout", String(timeoutSeconds)] : []), "velero", "restore", "create", name, "--from-backup", backup, "--wait", "-n", "velero",
            ...(this.access.context ? ["--kubecontext", this.access.context] : [])]);
        return {
            display: this.access.context ? shown : `${shown} --kubeconfig <a private copy of ${this.access.kubeconfigVar}>`,
            run: async () => {
                this.calls.push(`${this.site} cluster ${line}`);
                return this.c.restoreCode ?? 0;
            },
        };
    }
}

class FakePulumi implements PulumiBackend {
    constructor(private readonly world: World, private readonly calls: string[]) {}

    command(args: string[]): Action {
        const line = render(["pulumi", ...args]);
        return {
            display: line,
            run: async () => {
                this.calls.push(line);
                return this.world.pulumiFails && args.join(" ").startsWith(this.world.pulumiFails) ? 255 : 0;
            },
        };
    }

    async restoreCommand(stack: string): Promise<string | undefined> {
        this.calls.push(`pulumi stack output restoreCommand -s ${stack}`);
        return "scripts/failover.sh restore --site site-b --namespace velero --kube-context cluster-b";
    }
}

export interface FlowRun {
    code: number;
    stdout: string;
    stderr: string;
    calls: string[];
    world: World;
    /** The time the fake clock moved (sleeps). */
    sleptMs: number;
}

export const ENV: Env = {
    TARGET_RGW_ADMIN: "rgw-admin-b", TARGET_RGW_RESTART: "restart-b", OTHER_RGW_ADMIN: "rgw-admin-a", OTHER_RGW_RESTART: "restart-a",
};

/** Runs failover.sh's main in-process against WORLD; `answer` is what on-call types at a prompt (a terminal), if any. */
export async function runFlow(argv: string[], world: World = healthy(), env: Env = ENV, answer?: string): Promise<FlowRun> {
    const calls: string[] = [];
    let stdout = "";
    let stderr = "";
    let clock = Date.parse("2026-11-24T13:00:00Z");
    let sleptMs = 0;
    const terminal: Terminal | undefined = answer === undefined ? undefined : {
        ask: async (prompt) => {
            stdout += prompt;
            calls.push(`prompt: ${prompt}`);
            return answer;
        },
    };
    const io: Io = { sink: { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, terminal };
    const wiring: Wiring = {
        rgw: (site, transport) => new FakeZone(site, transport, world, calls),
        cluster: (access) => new FakeCluster(access, world, calls),
        pulumi: new FakePulumi(world, calls),
        now: () => new Date(clock),
        sleep: async (ms) => {
            clock += ms;
            sleptMs += ms;
        },
        close: () => undefined,
    };
    const code = await main(argv, env, io, wiring);
    return { code, stdout, stderr, calls, world, sleptMs };
}

/** The calls that change something. */
export function mutations(r: FlowRun): string[] {
    return r.calls.filter((c) => /^(pulumi (config|up)|site-[ab] rgw promote|site-[ab] cluster (stop-schedules|set-access-mode|reimport-backup|restore create))/.test(c));
}

export const lastLine = (s: string) => s.trim().split("\n").pop() ?? "";
