// The lab's settings and its Ceph side as the lab driver sees it: names, ports and addresses (the
// environment variables scripts/lab/*.sh read), ceph-lab.sh calls, period and master lookups, and the
// recorder of timings and checks. Tooling, not tests: nothing here imports test/.
import { Log, sh } from "./shell";

export interface LabSettings {
    dir: string;
    realm: string;
    zonegroup: string;
    zoneA: string;
    zoneB: string;
    monPortA: number;
    monPortB: number;
    rgwPortA: number;
    rgwPortB: number;
    /** First three octets of the lab's 10.x.y.0/24: host .1, site a .11, site b .12. */
    net: string;
    bridge: string;
    netnsA: string;
    netnsB: string;
    /** Each site's Ceph version: 16.2 (the host's packages), 18.2 or 20.2 (a root from ceph-root.sh). */
    cephA: CephVersion;
    cephB: CephVersion;
}

/** The Ceph versions a lab site runs (scripts/lab/ceph-root.sh builds the two chroots). */
export const CEPH_VERSIONS = ["16.2", "18.2", "20.2"] as const;
export type CephVersion = typeof CEPH_VERSIONS[number];

export type Site = "a" | "b";
export type Scope = "zone" | "bucket";

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): LabSettings {
    const port = (key: string, fallback: number) => {
        const v = Number(env[key] ?? fallback);
        if (!Number.isInteger(v) || v < 1024 || v > 65535) throw new Error(`${key}=${env[key]} is not allowed; allowed: a port from 1024 to 65535`);
        return v;
    };
    const matching = (key: string, fallback: string, re: RegExp, allowed: string) => {
        const v = env[key] ?? fallback;
        if (!re.test(v)) throw new Error(`${key}=${v} is not allowed; allowed: ${allowed}`);
        return v;
    };
    const linkName = (key: string, fallback: string) => matching(key, fallback, /^[a-z0-9-]{1,12}$/, "1 to 12 of [a-z0-9-]");
    return {
        dir: env.LAB_DIR ?? "/tmp/velero-ceph-dr-lab",
        realm: env.LAB_REALM ?? "dr",
        zonegroup: env.LAB_ZONEGROUP ?? "global",
        zoneA: env.LAB_ZONE_A ?? "zonea",
        zoneB: env.LAB_ZONE_B ?? "zoneb",
        // Each site has its own address: the same ports on both by default.
        monPortA: port("LAB_MON_PORT_A", 3300),
        monPortB: port("LAB_MON_PORT_B", 3300),
        rgwPortA: port("LAB_RGW_PORT_A", 8000),
        rgwPortB: port("LAB_RGW_PORT_B", 8000),
        net: matching("LAB_NET", "10.213.0", /^10\.\d{1,3}\.\d{1,3}$/, "the first three octets of a 10.x.y.0/24 network"),
        bridge: linkName("LAB_BRIDGE", "vcdr-br0"),
        netnsA: linkName("LAB_NETNS_A", "vcdr-a"),
        netnsB: linkName("LAB_NETNS_B", "vcdr-b"),
        cephA: cephVersion(env, "LAB_CEPH_A"),
        cephB: cephVersion(env, "LAB_CEPH_B"),
    };
}

function cephVersion(env: NodeJS.ProcessEnv, key: string): CephVersion {
    const v = env[key] ?? "16.2";
    const known = CEPH_VERSIONS.find((c) => c === v);
    if (!known) throw new Error(`${key}=${v} is not allowed; allowed: ${CEPH_VERSIONS.join(", ")} (16.2 is the host's Ceph, 18.2 and 20.2 run from chroots)`);
    return known;
}

/** The lab settings as ceph-lab.sh reads them. */
export function labEnv(s: LabSettings): Record<string, string> {
    return {
        LAB_DIR: s.dir, LAB_REALM: s.realm, LAB_ZONEGROUP: s.zonegroup, LAB_ZONE_A: s.zoneA, LAB_ZONE_B: s.zoneB,
        LAB_MON_PORT_A: String(s.monPortA), LAB_MON_PORT_B: String(s.monPortB),
        LAB_RGW_PORT_A: String(s.rgwPortA), LAB_RGW_PORT_B: String(s.rgwPortB),
        LAB_NET: s.net, LAB_BRIDGE: s.bridge, LAB_NETNS_A: s.netnsA, LAB_NETNS_B: s.netnsB,
        LAB_CEPH_A: s.cephA, LAB_CEPH_B: s.cephB,
    };
}

/** The site's address on the lab bridge, as scripts/lab/sites.sh assigns it. */
export function siteAddress(s: LabSettings, site: Site): string {
    return `${s.net}.${site === "a" ? 11 : 12}`;
}

/** The site's gateway, as `ceph-lab.sh env SITE` prints it (siteTransport checks they agree). */
export function endpoint(s: LabSettings, site: Site): string {
    return `http://${siteAddress(s, site)}:${site === "a" ? s.rgwPortA : s.rgwPortB}`;
}

export function zoneOf(s: LabSettings, site: Site): string {
    return site === "a" ? s.zoneA : s.zoneB;
}

export async function cephLab(s: LabSettings, args: string, log?: Log): Promise<string> {
    return (await sh(`scripts/lab/ceph-lab.sh ${args}`, labEnv(s), log)).stdout;
}

/** Undoes POSIX single quoting as `ceph-lab.sh env` prints it ('it'\''s' -> it's). */
export function unquote(value: string): string {
    if (!value.startsWith("'")) return value;
    return value.split("'\\''").map((part) => part.replace(/^'|'$/g, "")).join("'");
}

/** RGW_ADMIN / RGW_RESTART for a site, as `ceph-lab.sh env SITE` prints them. */
export async function siteTransport(s: LabSettings, site: Site): Promise<Record<string, string>> {
    const out = await cephLab(s, `env ${site}`);
    const env: Record<string, string> = {};
    for (const line of out.split("\n")) {
        const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (m) env[m[1]] = unquote(m[2]);
    }
    if (!env.RGW_ADMIN || !env.RGW_RESTART) throw new Error(`ceph-lab.sh env ${site} printed no RGW_ADMIN/RGW_RESTART:\n${out}`);
    if (env.RGW_ENDPOINT !== endpoint(s, site)) {
        throw new Error(`ceph-lab.sh env ${site} printed RGW_ENDPOINT=${env.RGW_ENDPOINT}, the lab expects ${endpoint(s, site)}`);
    }
    return { RGW_ADMIN: env.RGW_ADMIN, RGW_RESTART: env.RGW_RESTART };
}


export async function periodOf(s: LabSettings, site: Site): Promise<{ id: string; epoch: number; master: string }> {
    const p = JSON.parse(await cephLab(s, `admin ${site} period get`));
    return { id: p.id, epoch: p.epoch, master: p.master_zone };
}

/** A zone's id, from the period map as `site`'s cluster knows it (zone objects are per cluster). */
export async function zoneIdByName(s: LabSettings, site: Site, zone: string): Promise<string> {
    const p = JSON.parse(await cephLab(s, `admin ${site} period get`));
    for (const zg of p.period_map?.zonegroups ?? []) {
        for (const z of zg.zones ?? []) if (z.name === zone) return z.id;
    }
    throw new Error(`zone ${zone} is not in the period that site ${site} holds`);
}

/** Whether `site`'s zone is the metadata master in the period that `askSite` holds. */
export async function masterIs(s: LabSettings, site: Site, askSite: Site = site): Promise<boolean> {
    return (await periodOf(s, askSite)).master === (await zoneIdByName(s, askSite, zoneOf(s, site)));
}

export interface Check {
    name: string;
    ok: boolean;
    detail: string;
}

/** Collects timings and checks; prints progress lines. */
export class Recorder {
    readonly timingsMs: Record<string, number> = {};
    readonly checks: Check[] = [];
    constructor(readonly log: Log) {}

    async time<T>(key: string, what: string, fn: () => Promise<T>): Promise<T> {
        const started = Date.now();
        this.log(`==> ${what}`);
        const result = await fn();
        this.timingsMs[key] = Date.now() - started;
        this.log(`    done in ${(this.timingsMs[key] / 1000).toFixed(1)} s`);
        return result;
    }

    check(name: string, ok: boolean, detail: string): void {
        this.checks.push({ name, ok, detail });
        this.log(`    [${ok ? "PASS" : "FAIL"}] ${name}: ${detail}`);
    }
}

/**
 * Whether one site runs Pacific and the other a newer release (a realm in the middle of an
 * upgrade). Only the newer master with a Pacific B is a lab: the other way round, zone B cannot
 * follow A's bucket index log at all, which docs/ceph-versions.md shows by hand.
 */
export function isMixed(s: LabSettings): boolean {
    const pacific = (v: string) => v === "16.2";
    if (pacific(s.cephA) && !pacific(s.cephB)) {
        throw new Error(`LAB_CEPH_A=${s.cephA} with LAB_CEPH_B=${s.cephB} is not a lab: a zone on Ceph 17 or later cannot follow a Pacific `
            + `zone's bucket index log, so no backup of A would reach B (docs/ceph-versions.md, "Mixed versions"). `
            + `Allowed mixed pair: LAB_CEPH_A=18.2 or 20.2 with LAB_CEPH_B=16.2`);
    }
    return pacific(s.cephB) && !pacific(s.cephA);
}
