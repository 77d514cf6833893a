// `npm run lab`: two real Ceph 16.2 zones, each in its own network namespace (site a at LAB_NET.11,
// site b at LAB_NET.12, the host at LAB_NET.1), configured by this program's own steps,
// replicating a Velero-shaped backup, failing over with site A lost, and failing back.
// Usage: npm run lab [-- --keep] [-- --scope zone|bucket|both]
// Settings (environment): LAB_DIR LAB_REALM LAB_ZONEGROUP LAB_ZONE_A LAB_ZONE_B
//   LAB_MON_PORT_A LAB_MON_PORT_B LAB_RGW_PORT_A LAB_RGW_PORT_B
//   LAB_NET LAB_BRIDGE LAB_NETNS_A LAB_NETNS_B (see scripts/lab/README.md).
import * as fs from "fs";
import * as path from "path";
import { S3Client } from "@aws-sdk/client-s3";
import { MockRun } from "../../test/harness/mocks";
import { BucketOwnerError, ensureBucket, readBucket } from "../../components/bucket/bucketLogic";
import { rgwS3Client, s3BucketApi } from "../../components/bucket/rgwBucket";
import { asStackReference, bucketSpecOf, Log, recordStack, replay, sh } from "./replay";
import {
    BslConfig, WrittenObject, createBucket, firstSuccessfulWrite, listKeys, s3ClientForBsl,
    waitForObjects, writeObjects, writeVeleroBackup,
} from "./s3";

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
}

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
    };
}

/** The lab settings as ceph-lab.sh reads them. */
export function labEnv(s: LabSettings): Record<string, string> {
    return {
        LAB_DIR: s.dir, LAB_REALM: s.realm, LAB_ZONEGROUP: s.zonegroup, LAB_ZONE_A: s.zoneA, LAB_ZONE_B: s.zoneB,
        LAB_MON_PORT_A: String(s.monPortA), LAB_MON_PORT_B: String(s.monPortB),
        LAB_RGW_PORT_A: String(s.rgwPortA), LAB_RGW_PORT_B: String(s.rgwPortB),
        LAB_NET: s.net, LAB_BRIDGE: s.bridge, LAB_NETNS_A: s.netnsA, LAB_NETNS_B: s.netnsB,
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

/** The region stack config that points the program at a lab site. */
export function regionConfig(s: LabSettings, site: Site, transport: Record<string, string>, scope: Scope): Record<string, unknown> {
    return {
        siteId: `site-${site}`,
        realm: s.realm,
        zonegroup: s.zonegroup,
        zone: zoneOf(s, site),
        endpoint: endpoint(s, site),
        syncScope: scope,
        rgwAdminCommand: transport.RGW_ADMIN,
        rgwRestartCommand: transport.RGW_RESTART,
        kubeContext: `lab-${site}`,
        runbookBaseUrl: "https://git.example.com/velero-ceph-dr/blob/main/docs/runbook.md",
        ...(site === "b" ? { masterStack: "lab/velero-ceph-dr/site-a" } : {}),
    };
}

export interface Check {
    name: string;
    ok: boolean;
    detail: string;
}

export interface LabReport {
    settings: LabSettings;
    scopes: Scope[];
    startedAt: string;
    timingsMs: Record<string, number>;
    checks: Check[];
    ok: boolean;
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

export interface Deployed {
    siteA: MockRun<unknown>;
    siteB: MockRun<unknown>;
    transports: Record<Site, Record<string, string>>;
    clients: Record<Site, S3Client>;
    bucket: string;
}

function out(run: MockRun<unknown>, key: string): string {
    return String(run.outputs[key].value);
}

export async function deploy(s: LabSettings, scope: Scope, r: Recorder): Promise<Deployed> {
    const transports = { a: await siteTransport(s, "a"), b: await siteTransport(s, "b") };
    const siteA = await recordStack("site-a", regionConfig(s, "a", transports.a, scope));
    await r.time(`${scope}.deploySiteA`, `site-a (${scope} scope): replay the program's steps`, () => replay(siteA, r.log));
    const siteB = await recordStack("site-b", regionConfig(s, "b", transports.b, scope), {
        "lab/velero-ceph-dr/site-a": asStackReference(siteA),
    });
    await r.time(`${scope}.deploySiteB`, `site-b (${scope} scope): replay the program's steps`, () => replay(siteB, r.log));
    const keys = { accessKey: out(siteA, "veleroAccessKey"), secretKey: out(siteA, "veleroSecretKey") };
    // The S3 traffic uses the BackupStorageLocations the failover program renders for each site
    // (recorded, not applied: there is no Kubernetes here), so the rendered config meets real RGW.
    const roles = await recordStack("failover", failoverLabConfig({ activeSite: "site-a" }), siteReferences(siteA, siteB));
    const bslConfig = (site: Site): BslConfig => {
        const bsl = roles.resources.find((x) => x.name === `site-${site}-backup-location`);
        if (!bsl) throw new Error(`the failover program declared no backup location for site-${site}`);
        return bsl.inputs.spec.config;
    };
    const client = (site: Site) => s3ClientForBsl(bslConfig(site), keys);
    return { siteA, siteB, transports, clients: { a: client("a"), b: client("b") }, bucket: out(siteA, "bucket") };
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

/** The Velero user reaches zone B by metadata sync, not by any step of site-b. */
async function checkUserOnB(s: LabSettings, d: Deployed, r: Recorder): Promise<void> {
    const uid = out(d.siteA, "veleroUser");
    const found = await r.time("userOnB", `user ${uid} appears on zone B by metadata sync`, async () => {
        const deadline = Date.now() + 90_000;
        while (Date.now() < deadline) {
            try {
                const info = JSON.parse(await cephLab(s, `admin b user info --uid ${uid}`));
                return info.keys?.some((k: { access_key: string }) => k.access_key === out(d.siteA, "veleroAccessKey")) ?? false;
            } catch {
                await new Promise((res) => setTimeout(res, 1000));
            }
        }
        return false;
    });
    r.check("velero user replicated to zone B with its key", found, `uid ${uid}`);
    const system = JSON.parse(await cephLab(s, `admin a user info --uid ${out(d.siteA, "veleroUser")}`));
    r.check("velero user is not a system user", !system.system || system.system === "false", `system=${String(system.system)}`);
}

async function checkBackupReplicates(d: Deployed, r: Recorder, scope: Scope, name: string): Promise<WrittenObject[]> {
    const objects = await r.time(`${scope}.writeBackup`, `write Velero-shaped backup ${name} to zone A`, () =>
        writeVeleroBackup(d.clients.a, d.bucket, name, { kopiaObjects: 200, tarballBytes: 1 << 20 }));
    const { ms, missing } = await waitForObjects(d.clients.b, d.bucket, objects, 120_000);
    r.timingsMs[`${scope}.replicationLagBackup`] = ms;
    r.check(`${scope} scope: backup ${name} (${objects.length} objects) identical on zone B`, missing.length === 0,
        missing.length === 0 ? `lag ${ms} ms` : `missing after ${ms} ms: ${missing.slice(0, 5).join(", ")}`);
    return objects;
}

async function checkOtherBucket(d: Deployed, r: Recorder, scope: Scope): Promise<void> {
    const other = `lab-other-${scope}`;
    await createBucket(d.clients.a, other);
    const objects = await writeObjects(d.clients.a, other, "other", 5);
    if (scope === "zone") {
        const { ms, missing } = await waitForObjects(d.clients.b, other, objects, 90_000);
        r.check("zone scope: a second bucket replicates too", missing.length === 0, `lag ${ms} ms, missing ${missing.length}`);
    } else {
        // Long enough for several sync rounds; the Velero bucket replicates in about 1-2 s.
        await new Promise((res) => setTimeout(res, 20_000));
        const onB = await listKeys(d.clients.b, other).catch(() => []);
        r.check("bucket scope: a second bucket does not replicate", onB.length === 0, `${onB.length} of 5 objects on zone B after 20 s`);
    }
}

/**
 * The bucket resource's own logic against real RGW: the declared bucket exists and is owned by the
 * Velero user; ensuring it again adopts it; a refresh reads it back; a bucket that another user owns
 * is refused with the owner named.
 */
async function checkBucketResource(s: LabSettings, d: Deployed, r: Recorder, scope: Scope): Promise<void> {
    const declared = d.siteA.resources.find((x) => x.name === "velero-user-bucket");
    if (!declared) throw new Error("site-a declared no velero-user-bucket");
    const spec = bucketSpecOf(declared);
    const again = await ensureBucket(s3BucketApi(spec), spec);
    r.check(`${scope} scope: bucket resource adopts the bucket its owner already has`, again === "adopted", `ensure again: ${again}`);
    const refreshed = await readBucket(s3BucketApi(spec), spec);
    r.check(`${scope} scope: bucket resource refresh reads it back, owned by ${spec.owner}`,
        refreshed?.owner === spec.owner && refreshed.bucket === spec.bucket, JSON.stringify({ bucket: refreshed?.bucket, owner: refreshed?.owner }));

    // Another user's bucket under a name the program is then pointed at.
    const intruder = `labother${scope}`;
    const created = JSON.parse(await cephLab(s, `admin a user create --uid ${intruder} --display-name ${intruder}`));
    const key = created.keys[0] as { access_key: string; secret_key: string };
    const foreign = `lab-foreign-${scope}`;
    await createBucket(rgwS3Client({ endpoint: spec.endpoint, region: spec.region, accessKey: key.access_key, secretKey: key.secret_key }), foreign);
    let refusal = "";
    await ensureBucket(s3BucketApi({ ...spec, bucket: foreign }), { ...spec, bucket: foreign })
        .catch((e: Error) => (refusal = e instanceof BucketOwnerError ? e.message : `unexpected: ${e.message}`));
    r.check(`${scope} scope: bucket resource refuses a bucket another user owns`, refusal.includes(`bucket "${foreign}"`) && refusal.includes(`"${spec.owner}"`),
        refusal || "it was adopted");
}

/** Re-running every step of both stacks succeeds and changes nothing (same period, same master). */
async function checkRerun(s: LabSettings, d: Deployed, r: Recorder, scope: Scope): Promise<void> {
    const before = { a: await periodOf(s, "a"), b: await periodOf(s, "b") };
    let failure = "";
    await r.time(`${scope}.rerun`, "re-run every step of site-a and site-b", async () => {
        try {
            await replay(d.siteA, r.log);
            await replay(d.siteB, r.log);
        } catch (e) {
            failure = (e as Error).message;
        }
    });
    const after = { a: await periodOf(s, "a"), b: await periodOf(s, "b") };
    r.check(`${scope} scope: re-running both stacks fails nowhere`, failure === "", failure || "all steps exit 0");
    r.check(`${scope} scope: re-running changes no period`, JSON.stringify(before) === JSON.stringify(after),
        `a ${before.a.id}@${before.a.epoch} -> ${after.a.id}@${after.a.epoch}; b ${before.b.id}@${before.b.epoch} -> ${after.b.id}@${after.b.epoch}`);
}

function failoverLabConfig(settings: Record<string, unknown>): Record<string, unknown> {
    return { siteAStack: "lab/velero-ceph-dr/site-a", siteBStack: "lab/velero-ceph-dr/site-b", ...settings };
}

function siteReferences(siteA: MockRun<unknown>, siteB: MockRun<unknown>) {
    return { "lab/velero-ceph-dr/site-a": asStackReference(siteA), "lab/velero-ceph-dr/site-b": asStackReference(siteB) };
}

/** Records the failover program with lab settings against the recorded region stacks, and replays it. */
async function applyFailover(d: Deployed, r: Recorder, settings: Record<string, unknown>): Promise<MockRun<unknown>> {
    const run = await recordStack("failover", failoverLabConfig(settings), siteReferences(d.siteA, d.siteB));
    await replay(run, r.log);
    return run;
}

async function masterIs(s: LabSettings, site: Site, askSite: Site = site): Promise<boolean> {
    return (await periodOf(s, askSite)).master === (await zoneIdByName(s, askSite, zoneOf(s, site)));
}

/** Objects written so far; every one must be on both zones at the end. */
class Ledger {
    readonly objects: WrittenObject[] = [];
    add(list: WrittenObject[]): WrittenObject[] {
        this.objects.push(...list);
        return list;
    }
}

async function expectEverywhere(s: LabSettings, d: Deployed, r: Recorder, ledger: Ledger, when: string, timeoutMs = 180_000): Promise<void> {
    const onA = await waitForObjects(d.clients.a, d.bucket, ledger.objects, timeoutMs);
    const onB = await waitForObjects(d.clients.b, d.bucket, ledger.objects, timeoutMs);
    r.check(`no object lost ${when}: every object counted so far is on both zones`, onA.missing.length === 0 && onB.missing.length === 0,
        `${ledger.objects.length} objects; missing on A ${onA.missing.length}, on B ${onB.missing.length}`);
}

/**
 * The failover program's own commands, replayed: the initial roles, a drill (both sites up, A to
 * B and back), then site A lost (gateway stopped, failover with A unreachable, writes on B), A's
 * return as a secondary, and the failback. Objects are counted before each switch.
 */
async function checkFailoverProgram(s: LabSettings, d: Deployed, r: Recorder, backup: WrittenObject[]): Promise<void> {
    const ledger = new Ledger();
    ledger.add(backup);

    await r.time("failover.initialRoles", "failover stack: activeSite site-a (initial roles, nothing to change)", async () => {
        const before = { a: await periodOf(s, "a"), b: await periodOf(s, "b") };
        await applyFailover(d, r, { activeSite: "site-a" });
        const after = { a: await periodOf(s, "a"), b: await periodOf(s, "b") };
        r.check("failover stack with unchanged roles changes no period", JSON.stringify(before) === JSON.stringify(after),
            `a@${before.a.epoch}->${after.a.epoch}, b@${before.b.epoch}->${after.b.epoch}`);
    });

    // Drill: both sites up.
    ledger.add(await writeObjects(d.clients.a, d.bucket, "drill/before-switch", 50));
    const drillStart = Date.now();
    await r.time("drill.switch", "drill: activeSite site-b with both sites up", () => applyFailover(d, r, { activeSite: "site-b" }));
    ledger.add([await firstSuccessfulWrite(d.clients.b, d.bucket, "drill/first-write-on-b", 120_000)]);
    r.timingsMs["drill.toFirstWriteOnB"] = Date.now() - drillStart;
    const ready = await waitForObjects(d.clients.b, d.bucket, backup, 120_000);
    r.timingsMs["drill.toRestoreReady"] = Date.now() - drillStart;
    r.check("drill: the newest backup is complete on zone B (restore ready)", ready.missing.length === 0, `missing ${ready.missing.length}`);
    r.check("drill: zone B is the metadata master, as both zones agree", (await masterIs(s, "b")) && (await masterIs(s, "b", "a")), "period master on a and b");
    ledger.add(await writeObjects(d.clients.b, d.bucket, "drill/written-on-b", 50));
    await expectEverywhere(s, d, r, ledger, "after the drill");
    await r.time("drill.switchBack", "drill: activeSite site-a again", () => applyFailover(d, r, { activeSite: "site-a" }));
    r.check("drill: zone A is the metadata master again", (await masterIs(s, "a")) && (await masterIs(s, "a", "b")), "period master on a and b");

    // Site A lost.
    ledger.add(await writeObjects(d.clients.a, d.bucket, "lost/before-loss", 50));
    await waitForObjects(d.clients.b, d.bucket, ledger.objects, 120_000);
    await cephLab(s, "rgw-stop a", r.log);
    const lossStart = Date.now();
    await r.time("lostSite.failover", "site A lost: activeSite site-b, unreachableSites [site-a], forcePromotion",
        () => applyFailover(d, r, { activeSite: "site-b", unreachableSites: ["site-a"], forcePromotion: "true" }));
    ledger.add([await firstSuccessfulWrite(d.clients.b, d.bucket, "lost/first-write-on-b", 120_000)]);
    r.timingsMs["lostSite.toFirstWriteOnB"] = Date.now() - lossStart;
    r.check("lost site: zone B is the metadata master without reaching A", await masterIs(s, "b"), "period master on b");
    ledger.add(await writeObjects(d.clients.b, d.bucket, "lost/written-on-b", 50));

    await r.time("lostSite.return", "site A returns: unreachableSites [], activeSite site-b (A rejoins as secondary)", async () => {
        await cephLab(s, "rgw-start a", r.log);
        await applyFailover(d, r, { activeSite: "site-b" });
    });
    r.check("returned site A follows B's period (B is master on both)", (await masterIs(s, "b", "a")) && (await masterIs(s, "b")), "period master on a and b");
    await expectEverywhere(s, d, r, ledger, "after site A returned");

    const failbackStart = Date.now();
    await r.time("failback.switch", "fail back: activeSite site-a (waits for catch-up, fences B, promotes A)",
        () => applyFailover(d, r, { activeSite: "site-a" }));
    ledger.add([await firstSuccessfulWrite(d.clients.a, d.bucket, "failback/first-write-on-a", 120_000)]);
    r.timingsMs["failback.toFirstWriteOnA"] = Date.now() - failbackStart;
    r.check("failback: zone A is the metadata master on both zones", (await masterIs(s, "a")) && (await masterIs(s, "a", "b")), "period master on a and b");
    ledger.add(await writeObjects(d.clients.a, d.bucket, "failback/written-on-a", 50));
    ledger.add(await writeObjects(d.clients.b, d.bucket, "failback/written-on-b", 20));
    await expectEverywhere(s, d, r, ledger, "after failback (both directions replicate)");

    const before = { a: await periodOf(s, "a"), b: await periodOf(s, "b") };
    await r.time("failover.rerun", "failover stack re-run with unchanged activeSite", () => applyFailover(d, r, { activeSite: "site-a" }));
    const after = { a: await periodOf(s, "a"), b: await periodOf(s, "b") };
    r.check("failover re-run with unchanged activeSite changes no period", JSON.stringify(before) === JSON.stringify(after),
        `a@${before.a.epoch}->${after.a.epoch}, b@${before.b.epoch}->${after.b.epoch}`);
}

async function scenario(s: LabSettings, scope: Scope, r: Recorder): Promise<void> {
    await cephLab(s, "down --purge", r.log);
    await r.time(`${scope}.clustersUp`, "start two Ceph clusters (mon + memstore OSD each)", () => cephLab(s, "up", r.log));
    const started = Date.now();
    const d = await deploy(s, scope, r);
    r.timingsMs[`${scope}.multisiteCaughtUp`] = Date.now() - started;
    if (scope === "zone") await checkUserOnB(s, d, r);
    // Written right after setup: in the bucket scope this is the object Pacific loses when the
    // secondary has not learned the bucket policy yet.
    const backup = await checkBackupReplicates(d, r, scope, `lab-${scope}-1`);
    await checkOtherBucket(d, r, scope);
    await checkBucketResource(s, d, r, scope);
    await checkRerun(s, d, r, scope);
    if (scope === "zone") await checkFailoverProgram(s, d, r, backup);
}

export async function runLab(opts: { scopes: Scope[]; keep: boolean; log: Log; settings?: LabSettings }): Promise<LabReport> {
    const s = opts.settings ?? settingsFromEnv();
    const r = new Recorder(opts.log);
    const startedAt = new Date().toISOString();
    try {
        // Each scope starts from empty clusters: a zonegroup policy cannot be taken back cleanly.
        for (const scope of opts.scopes) await scenario(s, scope, r);
    } catch (e) {
        r.check("lab lifecycle ran to the end", false, (e as Error).message.split("\n").slice(0, 12).join("\n"));
    } finally {
        if (!opts.keep) await cephLab(s, "down", r.log).catch((e) => r.log(`lab down failed: ${(e as Error).message}`));
    }
    const report: LabReport = { settings: s, scopes: opts.scopes, startedAt, timingsMs: r.timingsMs, checks: r.checks, ok: r.checks.length > 0 && r.checks.every((c) => c.ok) };
    fs.mkdirSync(s.dir, { recursive: true });
    fs.writeFileSync(path.join(s.dir, "report.json"), JSON.stringify(report, null, 2));
    return report;
}

function parseArgs(argv: string[]): { scopes: Scope[]; keep: boolean } {
    let scopes: Scope[] = ["zone", "bucket"];
    let keep = false;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--keep") keep = true;
        else if (argv[i] === "--scope") {
            const v = argv[++i];
            if (v === "both") scopes = ["zone", "bucket"];
            else if (v === "zone" || v === "bucket") scopes = [v];
            else throw new Error(`--scope ${v} is not allowed; allowed: zone, bucket or both`);
        } else throw new Error(`unknown argument ${argv[i]}; allowed: --keep, --scope zone|bucket|both`);
    }
    return { scopes, keep };
}

if (require.main === module) {
    const t0 = Date.now();
    const log: Log = (line) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`);
    (async () => {
        const args = parseArgs(process.argv.slice(2));
        const report = await runLab({ ...args, log });
        const s = report.settings;
        console.log("\nSummary");
        for (const [k, v] of Object.entries(report.timingsMs)) console.log(`  ${k.padEnd(34)} ${(v / 1000).toFixed(1)} s`);
        const passed = report.checks.filter((c) => c.ok).length;
        console.log(`  checks: ${passed} passed, ${report.checks.length - passed} failed`);
        console.log(`  report: ${path.join(s.dir, "report.json")}`);
        if (args.keep) {
            console.log(`\nThe lab is still running (left in the ${report.scopes[report.scopes.length - 1]} scope):`);
            console.log(`  zone A: ${endpoint(s, "a")}   zone B: ${endpoint(s, "b")}`);
            console.log(`  radosgw-admin:  LAB_DIR=${s.dir} scripts/lab/ceph-lab.sh admin a sync status`);
            console.log(`  stop it:        LAB_DIR=${s.dir} npm run lab:down`);
        }
        process.exit(report.ok ? 0 : 1);
    })().catch((e) => {
        console.error(`lab: ${(e as Error).message}`);
        process.exit(1);
    });
}
