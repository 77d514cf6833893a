// The subcommands of rgw-multisite.sh (scripts/rgw/) through the in-memory transport: a fake
// radosgw-admin (FakeAdmin) records every call and answers from canned output keyed by command; a
// fake restart command records restarts; a fake clock and gateway probe make the waits instant.
// The canned output is real Ceph 16.2.15 output (trimmed), captured on the lab. The whole CLI is
// driven (argv, exit code, stderr, stdout) without a process; test/script/rgw-multisite.test.ts
// keeps a few end-to-end runs through the launcher.
import { expect } from "chai";
import { runCli } from "../../../scripts/rgw/cli";
import { FakeAdmin, FakeRados, FakeRestarter } from "../../../scripts/rgw/transport";
import { Probe } from "../../../scripts/rgw/session";
import { PROMOTE_STALE_REFUSED, SYNC_A_INIT, syncHeader, SYNC_B_BEHIND, SYNC_B_CAUGHT_UP, SYNC_B_MASTER_DOWN } from "../../script/cephSyncText";
import {
    ENOENT, FAKE_ENDPOINT, ID, KEYS, Reply, Run, State, callsOf, cmdOf, expectNoSecrets, expectUsageError, joinedState, mutations, period, userInfo, zoneGet,
} from "./fixtures";

/** The zones' endpoint: the fake probe answers for any URL. */
const endpoint = FAKE_ENDPOINT;
const mdSync = (status: string, shards: number) => ({ out: { sync_status: { info: { status, num_shards: shards, period: "period-1", realm_epoch: 2 }, markers: [] } } });
const dataSync = (status: string, shards: number) => ({ out: { sync_status: { info: { status, num_shards: shards }, markers: [] } } });
/** `data sync status` of a zone whose shards `used` have carried changes (non-empty markers). */
const dataSyncUsed = (shards: number, used: number[]) => ({
    out: { sync_status: { info: { status: "sync", num_shards: shards }, markers: Array.from({ length: shards }, (_, key) => ({ key, val: { state: 1, marker: used.includes(key) ? `1_1764512345.${key}_1.1` : "" } })) } },
});

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

async function run(args: string[], state: State = {}, env: Record<string, string | undefined> = {}, peerState?: State, world: { rados?: FakeRados; probe?: Probe } = {}): Promise<Run> {
    const fullEnv: Record<string, string | undefined> = {
        RGW_ADMIN: "radosgw-admin",
        RGW_RESTART: "restart-gateway",
        // No rados unless a test gives one (the reload tests): then commits restart, as without it.
        RGW_RADOS: "",
        RGW_WAIT_TIMEOUT: "3",
        RGW_POLL_INTERVAL: "0.05",
        ...KEYS,
        ...(peerState ? { RGW_PEER_ADMIN: "peer-radosgw-admin", RGW_PEER_RESTART: "peer-restart" } : {}),
        ...(world.rados ? { RGW_RADOS: "rados" } : {}),
    };
    for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete fullEnv[k];
        else fullEnv[k] = v;
    }
    const calls: string[][] = [];
    let now = 0;
    let stdout = "";
    let stderr = "";
    const code = await runCli(args, {
        env: fullEnv,
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        clock: { now: () => now, sleep: async (ms) => void (now += ms) },
        probe: world.probe ?? (async () => "answers"),
        makeRados: () => world.rados ?? new FakeRados({ watchers: [], locks: new Map() }),
        makeAdmin: (_prefix, which) => (which === "peer" ? new FakeAdmin(peerState ?? {}, calls, "peer") : new FakeAdmin(state, calls)),
        makeRestarter: (_argv, which) => new FakeRestarter(calls, which === "peer" ? "peer" : undefined),
    });
    return { code, stdout, stderr, calls };
}

const BOOTSTRAP = ["bootstrap-master", "--realm", "dr", "--zonegroup", "global", "--zone", "zonea"];
const JOIN = ["join-secondary", "--realm", "dr", "--zonegroup", "global", "--zone", "zoneb", "--master-url", "http://zonea.example:8080"];

// ---------------------------------------------------------------------------------------------

describe("rgw-multisite (scripts/rgw) through the in-memory transport", function () {
    this.timeout(60000);

    describe("arguments", () => {
        it("rejects a missing or unknown subcommand with exit 2", async () => {
            expectUsageError(await run([]), "missing subcommand", "bootstrap-master");
            expectUsageError(await run(["frobnicate"]), "unknown subcommand 'frobnicate'", "promote");
        });

        for (const flag of ["realm", "zonegroup", "zone", "endpoint"]) {
            it(`bootstrap-master without --${flag} exits 2 naming --${flag} and the allowed flags`, async () => {
                const args = [...BOOTSTRAP, "--endpoint", endpoint];
                const i = args.indexOf(`--${flag}`);
                args.splice(i, 2);
                expectUsageError(await run(args), `missing required flag --${flag}`, "allowed: --realm --zonegroup --zone --endpoint --system-uid");
            });
        }

        for (const flag of ["realm", "zonegroup", "zone", "endpoint", "master-url"]) {
            it(`join-secondary without --${flag} exits 2 naming it`, async () => {
                const args = [...JOIN, "--endpoint", endpoint];
                args.splice(args.indexOf(`--${flag}`), 2);
                expectUsageError(await run(args), `--${flag}`);
            });
        }

        it("rejects an unknown flag, naming it and what is allowed", async () => {
            expectUsageError(await run(["promote", "--zone", "zoneb", "--zonegroup", "global", "--yes"]), "unknown flag --yes", "allowed: --zone --zonegroup --peer-zone --peer-url --bucket --force");
            expectUsageError(await run(["status", "--zone=zoneb", "--verbose"]), "unknown flag --verbose", "allowed: --zone");
        });

        it("rejects positional arguments and flags given twice", async () => {
            expectUsageError(await run(["status", "zoneb"]), "arguments are flags only");
            expectUsageError(await run(["status", "--zone", "a", "--zone", "b"]), "--zone given twice");
            expectUsageError(await run(["promote", "--zone"]), "--zone needs a value");
            expectUsageError(await run(["promote", "--zone", "zoneb", "--zonegroup", "global", "--force=yes"]), "--force takes no value");
        });

        const bad: [string, string[], string][] = [
            ["realm with a space", [...BOOTSTRAP.slice(0, 2), "d r", ...BOOTSTRAP.slice(3), "--endpoint", "http://x:1"], "--realm must be"],
            ["realm with a shell character", [...BOOTSTRAP.slice(0, 2), "dr;rm", ...BOOTSTRAP.slice(3), "--endpoint", "http://x:1"], "--realm must be"],
            ["zone with a dot", ["fence", "--zone", "zone.a"], "--zone must be a realm/zonegroup/zone name"],
            ["ftp endpoint", [...BOOTSTRAP, "--endpoint", "ftp://x:21"], "--endpoint must be an http:// or https:// URL"],
            ["endpoint without host", [...BOOTSTRAP, "--endpoint", "http://"], "--endpoint must be"],
            ["endpoint list with an empty entry", [...BOOTSTRAP, "--endpoint", "http://a:1,,http://b:1"], "--endpoint"],
            ["master URL list", [...JOIN, "--endpoint", "http://b:1"].map((a) => (a === "http://zonea.example:8080" ? "http://a:1,http://c:1" : a)), "--master-url takes one URL"],
            ["upper-case bucket", ["sync-scope", "--bucket", "Velero", "--zonegroup", "g", "--zone", "a", "--peer-zone", "b"], "--bucket must be a valid S3 bucket name"],
            ["bucket with ..", ["sync-scope", "--bucket", "a..b", "--zonegroup", "g", "--zone", "a", "--peer-zone", "b"], "--bucket must be a valid S3 bucket name"],
            ["bucket like an IP", ["sync-scope", "--bucket", "10.1.2.3", "--zonegroup", "g", "--zone", "a", "--peer-zone", "b"], "--bucket must be"],
            ["2-character bucket", ["sync-scope", "--bucket", "ab", "--zonegroup", "g", "--zone", "a", "--peer-zone", "b"], "--bucket must be"],
            ["unknown scope", ["sync-scope", "--scope", "all", "--bucket", "velero-backups", "--zonegroup", "g", "--zone", "a", "--peer-zone", "b"], "--scope must be zone or bucket"],
            ["same zone and peer", ["sync-scope", "--bucket", "velero-backups", "--zonegroup", "g", "--zone", "a", "--peer-zone", "a"], "--zone and --peer-zone must differ"],
            ["--repair with zone scope", ["sync-scope", "--repair", "--bucket", "velero-backups", "--zonegroup", "g", "--zone", "a", "--peer-zone", "b"], "--repair applies to --scope bucket only"],
            ["non-numeric timeout", ["wait-caught-up", "--timeout", "soon"], "--timeout must be a positive whole number"],
            ["uid with a space", ["ensure-user", "--uid", "ve lero", "--display-name", "V"], "--uid must be"],
            ["display name with a newline", ["ensure-user", "--uid", "velero", "--display-name", "a\nb"], "--display-name must be"],
        ];
        for (const [what, args, message] of bad) {
            it(`rejects ${what} with exit 2`, async () => expectUsageError(await run(args), message));
        }

        it("refuses keys as flags and never echoes the value", async () => {
            const r = await run([...BOOTSTRAP, "--endpoint", endpoint, "--secret", KEYS.RGW_SYSTEM_SECRET_KEY]);
            expectUsageError(r, "--secret is not accepted", "environment");
            expectNoSecrets(r);
            const r2 = await run(["ensure-user", "--uid", "v", "--display-name", "V", `--access-key=${KEYS.RGW_USER_ACCESS_KEY}`]);
            expectUsageError(r2, "--access-key is not accepted");
            expect(r2.stderr).to.not.contain(KEYS.RGW_USER_ACCESS_KEY);
        });

        it("requires the secrets and RGW_RESTART in the environment where they are used", async () => {
            expectUsageError(await run([...BOOTSTRAP, "--endpoint", endpoint], {}, { RGW_SYSTEM_SECRET_KEY: undefined }), "RGW_SYSTEM_SECRET_KEY is not set");
            expectUsageError(await run(["ensure-user", "--uid", "velero", "--display-name", "Velero"], {}, { RGW_USER_ACCESS_KEY: "" }), "RGW_USER_ACCESS_KEY is not set");
            expectUsageError(await run(["promote", "--zone", "zoneb", "--zonegroup", "global"], {}, { RGW_RESTART: undefined }), "RGW_RESTART is not set");
            expectUsageError(await run(["status"], {}, { RGW_WAIT_TIMEOUT: "0" }), "RGW_WAIT_TIMEOUT");
        });
    });

    describe("bootstrap-master", () => {
        it("on a fresh cluster creates realm, master zonegroup, master zone, system user, commits and restarts", async () => {
            const r = await run([...BOOTSTRAP, "--endpoint", endpoint], {
                "realm list": ENOENT("realms"),
                "zonegroup list": ENOENT("zonegroups"),
                "zone list": ENOENT("zones"),
                "metadata list user": { out: [] },
                "period get": [{ out: period({ zones: [] }) }, { out: period({ master: "zonea", zones: ["zonea"] }) }],
            });
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["realm create", "zonegroup create", "zone create", "user create", "period update", "RESTART"]);
            expect(callsOf(r, "realm create")[0]).to.include.members(["--rgw-realm", "dr", "--default"]);
            const zg = callsOf(r, "zonegroup create")[0];
            expect(zg).to.include.members(["--master", "--default", "--rgw-realm", "dr", "--endpoints", endpoint]);
            const zone = callsOf(r, "zone create")[0];
            expect(zone).to.include.members(["--master", "--default", "--rgw-zone", "zonea", "--rgw-zonegroup", "global"]);
            expect(zone[zone.indexOf("--access-key") + 1]).to.equal(KEYS.RGW_SYSTEM_ACCESS_KEY);
            expect(zone[zone.indexOf("--secret") + 1]).to.equal(KEYS.RGW_SYSTEM_SECRET_KEY);
            const user = callsOf(r, "user create")[0];
            expect(user).to.include.members(["--system", "--uid", "synchronization-user"]);
            expect(user[user.indexOf("--secret") + 1]).to.equal(KEYS.RGW_SYSTEM_SECRET_KEY);
            expect(callsOf(r, "period update")[0]).to.include("--commit");
            expect(r.stdout).to.equal("");
            expect(r.stderr).to.contain("==> creating realm dr");
            expectNoSecrets(r);
        });

        it("skips an existing realm, zonegroup, zone and user: no change, no commit, no restart", async () => {
            const r = await run([...BOOTSTRAP, "--endpoint", endpoint], joinedState());
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.stderr).to.contain("nothing to change");
            expectNoSecrets(r);
        });

        it("adds only what is missing (a zone without the system user's key gets the key)", async () => {
            const r = await run(
                [...BOOTSTRAP, "--endpoint", endpoint],
                joinedState({ "user info": userInfo("synchronization-user", "Multisite synchronization user", [["OTHERKEY", "other"]], true) }),
            );
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["key create"]);
            expectNoSecrets(r);
        });

        it("never takes the master role back when the period names another master zone", async () => {
            const r = await run(
                [...BOOTSTRAP, "--endpoint", endpoint],
                joinedState({ "period get": { out: period({ master: "zoneb" }) }, "zone list": ENOENT("zones") }),
            );
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.calls.filter((c) => c.includes("--master"))).to.deep.equal([]);
            expect(r.stderr).to.contain("names zone zoneb as metadata master");
            expect(r.stderr).to.contain("does not take the master role back");
        });
    });

    describe("ensure-realm and ensure-master-zone (the components' split of bootstrap-master)", () => {
        it("ensure-realm creates realm and master zonegroup only: no zone, no commit, no restart; a re-run changes nothing", async () => {
            const fresh = await run(["ensure-realm", "--realm", "dr", "--zonegroup", "global", "--endpoint", endpoint], {
                "realm list": ENOENT("realms"),
                "zonegroup list": ENOENT("zonegroups"),
            });
            expect(fresh.code, fresh.stderr).to.equal(0);
            expect(mutations(fresh)).to.deep.equal(["realm create", "zonegroup create"]);
            expect(callsOf(fresh, "zonegroup create")[0]).to.include.members(["--master", "--default", "--rgw-realm", "dr"]);
            const again = await run(["ensure-realm", "--realm", "dr", "--zonegroup", "global", "--endpoint", endpoint], joinedState());
            expect(again.code, again.stderr).to.equal(0);
            expect(mutations(again)).to.deep.equal([]);
        });

        it("ensure-master-zone needs --system-uid and an existing realm", async () => {
            const base = ["ensure-master-zone", "--realm", "dr", "--zonegroup", "global", "--zone", "zonea", "--endpoint", endpoint];
            expectUsageError(await run(base), "missing required flag --system-uid");
            const noRealm = await run([...base, "--system-uid", "sync"], { "realm list": ENOENT("realms") });
            expect(noRealm.code, noRealm.stderr).to.equal(1);
            expect(noRealm.stderr).to.contain("run ensure-realm first");
            expect(mutations(noRealm)).to.deep.equal([]);
        });

        it("ensure-master-zone creates the zone, system user, commits and restarts; never when another zone is master", async () => {
            const base = ["ensure-master-zone", "--realm", "dr", "--zonegroup", "global", "--zone", "zonea", "--endpoint", endpoint, "--system-uid", "sync"];
            const r = await run(base, joinedState({
                "zone list": ENOENT("zones"),
                "metadata list user": { out: [] },
                "period get": [{ out: period({ zones: [] }) }, { out: period({ zones: [] }) }, { out: period({ master: "zonea" }) }],
            }));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["zone create", "user create", "period update", "RESTART"]);
            const other = await run(base, joinedState({ "period get": { out: period({ master: "zoneb" }) } }));
            expect(other.code, other.stderr).to.equal(0);
            expect(mutations(other)).to.deep.equal([]);
            expect(other.stderr).to.contain("does not take the master role back");
        });
    });

    describe("join-secondary", () => {
        const fresh = (md: Reply[]): State => ({
            "realm list": ENOENT("realms"),
            "zone list": ENOENT("zones"),
            "period get": [{ out: period({ master: "zonea", zones: ["zonea"] }) }, { out: period({ master: "zonea", zones: ["zonea"] }) }, { out: period({ master: "zonea" }) }],
            "zone get": zoneGet("zoneb"),
            "sync policy get": { out: { groups: [] } },
            "metadata sync status": md,
            "data sync status": dataSync("sync", 128),
        });

        it("pulls the realm with keys, creates a non-master zone, commits WITHOUT keys, waits until sync really runs", async () => {
            // First answers: sync not started (init, 0 shards); it must keep waiting.
            const r = await run([...JOIN, "--endpoint", endpoint], fresh([mdSync("init", 0), mdSync("building-full-sync-maps", 64), mdSync("sync", 64)]));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["realm pull", "realm default", "period pull", "zone create", "period update", "RESTART"]);
            const pull = callsOf(r, "realm pull")[0];
            expect(pull).to.include.members(["--url", "http://zonea.example:8080", "--access-key", KEYS.RGW_SYSTEM_ACCESS_KEY, "--secret", KEYS.RGW_SYSTEM_SECRET_KEY]);
            const zone = callsOf(r, "zone create")[0];
            expect(zone).to.include.members(["--rgw-zone", "zoneb", "--rgw-zonegroup", "global", "--access-key", KEYS.RGW_SYSTEM_ACCESS_KEY]);
            expect(zone).to.not.include("--master");
            const commit = callsOf(r, "period update")[0];
            expect(commit).to.include("--commit");
            expect(commit).to.not.include("--access-key");
            expect(commit).to.not.include("--secret");
            expect(commit.join(" ")).to.not.contain(KEYS.RGW_SYSTEM_SECRET_KEY);
            expect(callsOf(r, "metadata sync status").length).to.be.at.least(3);
            const ds = callsOf(r, "data sync status")[0];
            expect(ds).to.include.members(["--source-zone", "zonea"]);
            expect(r.stderr).to.contain("not yet: metadata sync init with 0 shards");
            expectNoSecrets(r);
        });

        it("times out (exit 4) when sync stays in init with 0 shards", async () => {
            const r = await run([...JOIN, "--endpoint", endpoint], fresh([mdSync("init", 0)]), { RGW_WAIT_TIMEOUT: "1" });
            expect(r.code, r.stderr).to.equal(4);
            expect(r.stderr).to.contain("does not sync after 1s: metadata sync init with 0 shards");
        });

        it("changes nothing when already joined (and does not wait for metadata sync when it is now the master)", async () => {
            const r = await run(
                [...JOIN, "--endpoint", endpoint],
                joinedState({ "zone list": { out: { zones: ["zoneb"] } }, "zone get": zoneGet("zoneb"), "period get": { out: period({ master: "zoneb" }) }, "data sync status": dataSync("sync", 128) }),
            );
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal([]);
            expect(callsOf(r, "metadata sync status")).to.deep.equal([]);
        });
    });

    describe("ensure-user", () => {
        const args = ["ensure-user", "--uid", "velero", "--display-name", "Velero backups"];
        it("creates an absent user with the key pair from the environment", async () => {
            const r = await run(args, joinedState({ "metadata list user": { out: ["synchronization-user"] } }));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["user create"]);
            const c = callsOf(r, "user create")[0];
            expect(c).to.include.members(["--uid", "velero", "--display-name", "Velero backups", "--access-key", KEYS.RGW_USER_ACCESS_KEY, "--secret", KEYS.RGW_USER_SECRET_KEY]);
            expect(c).to.not.include("--system");
            expectNoSecrets(r);
        });

        it("adds the key to an existing user without it, removes nothing", async () => {
            const r = await run(args, joinedState({ "user info": userInfo("velero", "Velero backups", [["OLDKEY0000000000", "old-secret"]], false) }));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["key create"]);
            expect(callsOf(r, "key create")[0]).to.include.members(["--uid", "velero", "--access-key", KEYS.RGW_USER_ACCESS_KEY]);
            expectNoSecrets(r);
        });

        it("is a no-op when the user has the key; refuses (exit 3) to write on a non-master", async () => {
            const has = userInfo("velero", "Velero backups", [[KEYS.RGW_USER_ACCESS_KEY, KEYS.RGW_USER_SECRET_KEY]], false);
            const r = await run(args, joinedState({ "user info": has }));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal([]);
            const onB = await run(args, joinedState({ "zone get": zoneGet("zoneb"), "metadata list user": { out: [] } }));
            expect(onB.code, onB.stderr).to.equal(3);
            expect(mutations(onB)).to.deep.equal([]);
            expect(onB.stderr).to.contain("not the metadata master (master: zonea)");
        });
    });

    describe("promote", () => {
        const args = ["promote", "--zone", "zoneb", "--zonegroup", "global"];
        const state = (sync: string) =>
            joinedState({
                "sync status": { out: sync },
                "period get": [{ out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ id: "period-2", master: "zoneb" }) }],
            });

        it("refuses (exit 3) when metadata sync is behind, saying what may be lost", async () => {
            const r = await run(args, state(SYNC_B_BEHIND));
            expect(r.code, r.stderr).to.equal(3);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.stderr).to.contain("behind shards [7,19]");
            expect(r.stderr).to.contain("--force");
            expect(r.stderr).to.match(/lost/);
        });

        it("with --force does not ask `sync status` when the master's gateway does not answer (it would wait for its timeout), and promotes", async () => {
            // The fixtures give both zones one endpoint: only the first probe (the master's) is silent.
            let probes = 0;
            const r = await run([...args, "--force"], {
                ...state(SYNC_B_BEHIND), "period get": [{ out: period({ master: "zonea" }) }, { out: period({ id: "period-2", master: "zoneb" }) }],
            }, {}, undefined, { probe: async () => (probes++ === 0 ? "silent" : "answers") });
            expect(r.code, r.stderr).to.equal(0);
            expect(callsOf(r, "sync status")).to.deep.equal([]);
            expect(r.stderr).to.contain(`the master zonea does not answer at ${endpoint}: its sync state is not asked`);
            expect(r.stderr).to.contain("warning: --force: promoting although metadata is not caught up");
            expect(mutations(r)).to.include("period commit");
        });

        it("refuses when the master is unreachable (sync state unknown)", async () => {
            const r = await run(args, state(SYNC_B_MASTER_DOWN));
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stderr).to.contain("failed to fetch master sync status");
        });

        it("with --force proceeds: zone modify --master --read-only=false, zonegroup modify --master, commit, restart", async () => {
            const r = await run([...args, "--force"], state(SYNC_B_BEHIND));
            expect(r.code, r.stderr).to.equal(0);
            // (this fake's `zonegroup get` has no zones: only the read-only half of the fence is lost, with a warning)
            expect(mutations(r)).to.deep.equal(["zone modify", "zonegroup modify", "period update", "period commit", "RESTART"]);
            const zm = callsOf(r, "zone modify")[0];
            expect(zm).to.include.members(["--rgw-zone", "zoneb", "--master", "--default", "--read-only=false"]);
            expect(zm.filter((a) => a.startsWith("--read-only"))).to.deep.equal(["--read-only=false"]);
            expect(callsOf(r, "zonegroup modify")[0]).to.include.members(["--rgw-zonegroup", "global", "--master"]);
            expect(r.stderr).to.contain("warning: --force");
            // Ceph did not ask for it: never passed "just in case".
            expect(r.calls.filter((c) => c.includes("--yes-i-really-mean-it"))).to.deep.equal([]);
        });

        // Issue 16 item 3: Ceph refuses a master change to a zone whose metadata sync is on an
        // older realm epoch, asking for --yes-i-really-mean-it.
        const stale = (extra: State = {}) => ({ ...state(SYNC_B_CAUGHT_UP), ...extra });
        const refused: Reply = { err: PROMOTE_STALE_REFUSED(1), code: 22 };
        const olderEpoch = { out: { sync_status: { info: { status: "sync", num_shards: 64, period: "period-0", realm_epoch: 1 }, markers: [] } } };

        it("with --force retries a commit Ceph refuses as stale once, with --yes-i-really-mean-it, saying what is lost", async () => {
            const r = await run([...args, "--force"], stale({ "metadata sync status": olderEpoch, "period commit": [refused, { out: {} }] }));
            expect(r.code, r.stderr).to.equal(0);
            const commits = callsOf(r, "period commit");
            expect(commits).to.have.length(2);
            expect(commits[0]).to.not.include("--yes-i-really-mean-it");
            expect(commits[1]).to.include("--yes-i-really-mean-it");
            expect(callsOf(r, "period update")[0]).to.not.include("--commit");
            expect(mutations(r)).to.deep.equal(["zone modify", "zonegroup modify", "period update", "period commit", "period commit", "RESTART"]);
            expect(r.stderr).to.contain("1 period(s) behind");
            expect(r.stderr).to.match(/forcePromotion/);
            expect(r.stderr).to.match(/zonea made and zoneb never received are lost/);
            expect(r.stderr).to.match(/periods committed since then are superseded/);
        });

        it("without --force refuses (exit 3) before changing anything when metadata sync is on an older realm epoch, naming forcePromotion", async () => {
            const r = await run(args, stale({ "metadata sync status": olderEpoch }));
            expect(r.code, r.stderr).to.equal(3);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.stderr).to.contain("1 period(s) behind");
            expect(r.stderr).to.contain("--yes-i-really-mean-it");
            expect(r.stderr).to.contain("forcePromotion");
        });

        it("without --force, when Ceph refuses the commit, exits 3 saying why and that forcePromotion allows it; no retry", async () => {
            const r = await run(args, stale({ "period commit": refused }));
            expect(r.code, r.stderr).to.equal(3);
            expect(callsOf(r, "period commit")).to.have.length(1);
            expect(r.calls.filter((c) => c.includes("--yes-i-really-mean-it"))).to.deep.equal([]);
            expect(r.stderr).to.contain("refused: Ceph refuses to make zoneb the metadata master");
            expect(r.stderr).to.contain("forcePromotion");
            expect(r.stderr).to.contain("Nothing was committed");
            expect(callsOf(r, "RESTART")).to.deep.equal([]);
        });

        it("a commit that fails for another reason is an error (exit 1), never retried with --yes-i-really-mean-it", async () => {
            const r = await run([...args, "--force"], stale({ "period commit": { err: "failed to commit period: (13) Permission denied\n", code: 13 } }));
            expect(r.code, r.stderr).to.equal(1);
            expect(callsOf(r, "period commit")).to.have.length(1);
            expect(r.stderr).to.contain("Permission denied");
        });

        // Issue 15: a Reef (or later) zone cannot follow a Pacific zone's bucket index log.
        const REEF_FEATURES = ["compress-encrypted", "resharding"];
        const mixed = (version: Reply | undefined, features: Record<string, string[]>) => joinedState({
            "sync status": { out: SYNC_B_CAUGHT_UP },
            ...(version ? { "--version": version } : {}),
            "period get": [{ out: period({ master: "zonea", features }) }, { out: period({ master: "zonea", features }) },
                { out: period({ id: "period-2", master: "zoneb", features }) }],
        });
        const PACIFIC = { out: "ceph version 16.2.15 (618f440892089921c3e944a991122ddc44e60516) pacific (stable)\n" };
        const REEF = { out: "ceph version 18.2.7 (6b0e988052ec84cf2d4a54ff9bbbc5e720b621ad) reef (stable)\n" };

        it("refuses (exit 3) to promote a Pacific zone while a peer runs Ceph 17 or later, before changing anything, naming both and the upgrade", async () => {
            const r = await run(args, mixed(PACIFIC, { zonea: REEF_FEATURES }));
            expect(r.code, r.stderr).to.equal(3);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.stderr).to.contain("zone zoneb runs ceph version 16.2.15");
            expect(r.stderr).to.contain("zonea run Ceph 17 or later");
            expect(r.stderr).to.contain("would not replicate");
            expect(r.stderr).to.contain("Upgrading Ceph in a multisite realm");
            expect(r.stderr).to.contain("--force");
        });

        it("--force promotes a Pacific zone with newer peers, with a warning that says why it is unsafe", async () => {
            const r = await run([...args, "--force"], mixed(PACIFIC, { zonea: REEF_FEATURES }));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["zone modify", "zonegroup modify", "period update", "period commit", "RESTART"]);
            expect(r.stderr).to.match(/warning: --force: promoting although zone zoneb runs ceph version 16\.2\.15/);
        });

        it("promotes a Reef zone whatever its peers advertise, and a Pacific zone whose peers are Pacific too", async () => {
            const reef = await run(args, mixed(REEF, { zonea: REEF_FEATURES }));
            expect(reef.code, reef.stderr).to.equal(0);
            const allPacific = await run(args, mixed(PACIFIC, {}));
            expect(allPacific.code, allPacific.stderr).to.equal(0);
        });

        it("asks the peer's own --version when its admin is given: a Reef peer counts although the period (committed by Pacific) shows no features", async () => {
            const peerArgs = [...args, "--peer-zone", "zonea", "--peer-url", "http://zonea.example:8080"];
            const peerState: State = { "--version": REEF, "period get": { out: period({ master: "zonea" }) } };
            const r = await run(peerArgs, mixed(PACIFIC, {}), {}, peerState);
            expect(r.code, r.stderr).to.equal(3);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.calls.filter((c) => c[0] === "peer" && c[1] === "--version")).to.have.length(1);
            expect(r.stderr).to.contain("zonea run Ceph 17 or later");
            const pacificPeer = await run(peerArgs, mixed(PACIFIC, {}), {}, { ...peerState, "--version": PACIFIC });
            expect(pacificPeer.stderr).to.not.contain("Ceph 17 or later");
        });

        it("without an answer to --version, judges the zone by its period entry (no supported_features)", async () => {
            const r = await run(args, mixed({ err: "unrecognized", code: 1 }, { zonea: REEF_FEATURES }));
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stderr).to.contain("zone zoneb advertises no zonegroup features");
            expect(r.stderr).to.contain("zone modify --rgw-zone zoneb");
            const advertised = await run(args, mixed({ err: "unrecognized", code: 1 }, { zonea: REEF_FEATURES, zoneb: REEF_FEATURES }));
            expect(advertised.code, advertised.stderr).to.equal(0);
        });

        it("needs no --force when caught up, and is a no-op when the zone is already master", async () => {
            const ok = await run(args, state(SYNC_B_CAUGHT_UP));
            expect(ok.code, ok.stderr).to.equal(0);
            expect(mutations(ok)).to.deep.equal(["zone modify", "zonegroup modify", "period update", "period commit", "RESTART"]);
            const again = await run(args, joinedState({ "period get": { out: period({ master: "zoneb" }) } }));
            expect(again.code, again.stderr).to.equal(0);
            expect(mutations(again)).to.deep.equal([]);
            expect(again.stderr).to.contain("already the metadata master");
        });
    });

    // Issue 17: a commit makes the zone's gateways reload by themselves; with rados the tool sees
    // the reload (the control pool's watchers are new clients) instead of restarting, and frees the
    // sync leases the replaced instance left (shown on Ceph 16.2.15: 121 s of stalled sync otherwise).
    describe("promote with rados (RGW_RADOS): the gateway's reload instead of a restart, and its stale sync leases", () => {
        const args = ["promote", "--zone", "zoneb", "--zonegroup", "global"];
        const shard = (i: number) => `datalog.sync-status.shard.${ID.a}.${i}`;
        const withPools = joinedState({
            "sync status": { out: SYNC_B_CAUGHT_UP },
            "zone get": { out: { ...zoneGet("zoneb").out, log_pool: "zoneb.rgw.log", control_pool: "zoneb.rgw.control" } },
            "data sync status": dataSyncUsed(4, [0, 1, 2]),
            "period get": [{ out: period({ master: "zonea" }) }, { out: period({ id: "period-2", master: "zoneb" }) }],
        });
        const rados = (watchers: string[][]) => new FakeRados({
            watchers,
            // shard 3 never carried a change (empty marker): its lease is not looked at
            locks: new Map([[shard(0), { name: "client.1", cookie: "c0" }], [shard(1), { name: "client.2", cookie: "c1" }], [shard(2), { name: "client.1", cookie: "c2" }], [shard(3), { name: "client.1", cookie: "c3" }]]),
        });

        const fenceArgs = ["fence", "--zone", "zoneb"];
        it("fence: does not restart a gateway that reloaded, and breaks the leases of the instance it replaced, every shard's", async () => {
            const fake = rados([["client.1"], ["client.2"]]);
            const r = await run(fenceArgs, withPools, {}, undefined, { rados: fake });
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["zone modify", "period update"]);
            expect([...fake.state.locks.keys()]).to.deep.equal([shard(1), shard(3)]);
            expect(fake.calls.some((c) => c.includes(shard(3)))).to.equal(false);
            const breaks = fake.calls.filter((c) => c[3] === "lock" && c[4] === "break");
            expect(breaks.map((c) => c.slice(1))).to.deep.equal([
                ["-p", "zoneb.rgw.log", "lock", "break", shard(0), "sync_lock", "client.1", "--lock-cookie", "c0"],
                ["-p", "zoneb.rgw.log", "lock", "break", shard(2), "sync_lock", "client.1", "--lock-cookie", "c2"],
            ]);
            expect(r.stderr).to.contain("reloaded the new period by itself (client.1 -> client.2): no restart");
            expect(r.stderr).to.contain("freed 2 sync lease(s) of zone zoneb held by client.1");
        });

        it("fence: restarts when no reload shows within 10 s, and then breaks no lease of a gateway that runs", async () => {
            const fake = rados([["client.1"]]);
            const r = await run(fenceArgs, withPools, {}, undefined, { rados: fake });
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["zone modify", "period update", "RESTART"]);
            expect(r.stderr).to.contain("no reload of zone zoneb's gateway within 10s of the commit: restarting it");
            // client.1 runs: its two leases stay; client.2 does not: its lease goes.
            expect([...fake.state.locks.keys()]).to.deep.equal([shard(0), shard(2), shard(3)]);
        });

        it("fence: without a working rados restarts as before and says once why (never breaks a lease blind)", async () => {
            const r = await run(fenceArgs, withPools, { RGW_RADOS: "rados-missing" }, undefined, {
                rados: { state: { watchers: [], locks: new Map() }, calls: [], rados: async () => ({ code: 127, stdout: "", stderr: "rados-missing: command not found\n" }) } as unknown as FakeRados,
            });
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["zone modify", "period update", "RESTART"]);
            expect(r.stderr.match(/cannot see the gateways' reloads/g)).to.have.length(1);
            expect(r.stderr).to.contain("rados listwatchers: exit 127");
        });

        it("fence catch-up: frees the stale leases of the data shards still behind, and only those", async () => {
            const dataBehind = SYNC_B_BEHIND.replace(/metadata is behind on 2 shards\n.*\n.*\n/, "metadata is caught up with master\n");
            const lease = (i: number) => `datalog.sync-status.shard.${ID.a}.${i}`;
            const fake = new FakeRados({
                watchers: [["client.1"], ["client.2"]],
                locks: new Map([[lease(115), { name: "client.1", cookie: "a" }], [lease(119), { name: "client.2", cookie: "b" }], [lease(3), { name: "client.1", cookie: "c" }]]),
            });
            const r = await run([...args, "--peer-zone", "zonea", "--peer-url", "http://zonea.example:8080"], joinedState({
                "sync status": [{ out: SYNC_B_CAUGHT_UP }, { out: dataBehind }, { out: SYNC_B_CAUGHT_UP }],
                "zone get": { out: { ...zoneGet("zoneb").out, log_pool: "zoneb.rgw.log", control_pool: "zoneb.rgw.control" } },
                "data sync status": dataSync("sync", 0),
                "period get": [{ out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ id: "period-2", master: "zoneb" }) }],
            }), {}, { "period get": { out: period({ master: "zonea" }) } }, { rados: fake });
            expect(r.code, r.stderr).to.equal(0);
            const looked = fake.calls.filter((c) => c[3] === "lock" && c[4] === "info").map((c) => c[5]);
            expect(looked.slice(0, 2)).to.deep.equal([lease(115), lease(119)]);
            // 115 was held by the replaced client.1: freed; 119 by the running client.2: kept; 3 is not behind.
            expect([...fake.state.locks.keys()].sort()).to.deep.equal([lease(119), lease(3)].sort());
            expect(r.stderr).to.contain("freed 1 sync lease(s) of zone zoneb held by client.1");
        });

        it("fence of a reachable peer: sees the pushed period's reload, promotes without a restart, frees nothing when nothing is behind; restarts the peer only when it stops answering", async () => {
            const peerArgs = [...args, "--peer-zone", "zonea", "--peer-url", "http://zonea.example:8080"];
            const state = joinedState({
                "sync status": { out: SYNC_B_CAUGHT_UP },
                "zone get": { out: { ...zoneGet("zoneb").out, log_pool: "zoneb.rgw.log", control_pool: "zoneb.rgw.control" } },
                "data sync status": dataSync("sync", 3),
                "metadata sync status": mdSync("sync", 0),
                "period get": [{ out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ id: "period-2", master: "zoneb" }) }],
            });
            const peer = { "period get": { out: period({ master: "zonea" }) } };
            // before the fence, the pushed period's reload, the lease lookups (twice), before the promotion, its reload
            const fake = rados([["client.1"], ["client.2"], ["client.2"], ["client.2"], ["client.2"], ["client.3"]]);
            const r = await run(peerArgs, state, {}, peer, { rados: fake });
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["peer zone modify", "peer period update", "zone modify", "zonegroup modify", "period update", "period commit"]);
            expect(r.stderr).to.contain("zone zoneb's gateway reloaded the period the other zone pushed (client.1 -> client.2)");
            expect(r.stderr).to.contain("reloaded the new period by itself (client.2 -> client.3): no restart");
            expect(fake.state.locks.size).to.equal(4);
            const silentPeer = await run(peerArgs, state, {}, peer, { rados: rados([["client.1"], ["client.2"]]), probe: async (url) => (url.includes("zonea.example") ? "silent" : "answers") });
            expect(silentPeer.code, silentPeer.stderr).to.equal(0);
            expect(mutations(silentPeer).slice(0, 3)).to.deep.equal(["peer zone modify", "peer period update", "peer RESTART"]);
            expect(silentPeer.stderr).to.contain("zonea's gateway does not answer 30s after the commit: restarting it");
        });
    });

    describe("promote with a reachable peer (--peer-zone/--peer-url, RGW_PEER_ADMIN)", () => {
        const args = ["promote", "--zone", "zoneb", "--zonegroup", "global", "--peer-zone", "zonea", "--peer-url", "http://zonea.example:8080"];
        it("fences the current master through the peer's admin, waits until caught up, then promotes", async () => {
            const r = await run(
                args,
                joinedState({
                    "sync status": { out: SYNC_B_CAUGHT_UP },
                    "period get": [{ out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ id: "period-2", master: "zoneb" }) }],
                }),
                {},
                { "period get": { out: period({ master: "zonea" }) } },
            );
            expect(r.code, r.stderr).to.equal(0);
            // No restart of the peer: its commit's realm notify reloads its gateway (it answers).
            expect(mutations(r)).to.deep.equal(["peer zone modify", "peer period update", "zone modify", "zonegroup modify", "period update", "period commit", "RESTART"]);
            expect(callsOf(r, "peer zone modify")[0]).to.include.members(["--rgw-zone", "zonea", "--read-only=true"]);
        });

        it("learns the peer's newer period first (realm pull + period pull with keys): then no fence of a non-master", async () => {
            const newer = { ...period({ id: "period-9", master: "zoneb" }), realm_epoch: 9 };
            const r = await run(args.map((a) => (a === "zoneb" ? "zonea" : a === "zonea" ? "zoneb" : a)), joinedState({
                "period get": [{ out: period({ master: "zonea" }) }, { out: newer }],
            }), {}, { "period get": { out: newer } });
            // Local view was "zonea is master" (stale); after the pull zoneb is, so zonea is promoted with a preflight.
            expect(mutations(r).slice(0, 2)).to.deep.equal(["realm pull", "period pull"]);
            expect(callsOf(r, "realm pull")[0]).to.include.members(["--url", "http://zonea.example:8080", "--access-key", KEYS.RGW_SYSTEM_ACCESS_KEY]);
            expect(r.stderr).to.contain("has a newer period");
            expectNoSecrets(r);
        });
    });

    // Issue 15 item 2: the zone's data log can say caught up while the Velero bucket is not (a
    // bucket whose shards stopped between Pacific and Reef zones): promotion checks the bucket.
    describe("promote --bucket: the Velero bucket itself caught up, not only the zone's data log", () => {
        const args = ["promote", "--zone", "zoneb", "--zonegroup", "global", "--peer-zone", "zonea", "--peer-url", "http://zonea.example:8080", "--bucket", "velero-backups"];
        // Reef's wording (`incremental sync on N shards`); Pacific's is covered by the parser tests.
        const bucketText = (body: string) => `${syncHeader("zoneb")}         bucket :velero-backups[x.1])\n   current time 2026-11-30T07:16:52Z\n\n    source zone ${ID.a} (zonea)\n  source bucket :velero-backups[x.1])\n                incremental sync on 11 shards\n${body}`;
        const CAUGHT_UP = bucketText("                bucket is caught up with source\n");
        const BEHIND = bucketText("                bucket is behind on 11 shards\n                behind shards: [0,1,2,3,4,5,6,7,8,9,10]\n");
        const state = (bucket: State[string]) => joinedState({
            "sync status": { out: SYNC_B_CAUGHT_UP },
            "bucket sync status": bucket,
            "period get": [{ out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ id: "period-2", master: "zoneb" }) }],
        });
        const peer = { "period get": { out: period({ master: "zonea" }) } };

        it("waits for the bucket (status, then Ceph's checkpoint) after the fence and before any change on this zone", async () => {
            const r = await run(args, state([{ out: BEHIND }, { out: CAUGHT_UP }]), {}, peer);
            expect(r.code, r.stderr).to.equal(0);
            const order = r.calls.map(cmdOf).filter((c) => /^(peer zone modify|bucket sync (status|checkpoint)|zone modify)$/.test(c));
            expect(order).to.deep.equal(["peer zone modify", "bucket sync status", "bucket sync status", "bucket sync checkpoint", "zone modify"]);
            expect(callsOf(r, "bucket sync status")[0]).to.include.members(["--bucket", "velero-backups", "--rgw-zone", "zoneb"]);
            expect(callsOf(r, "bucket sync checkpoint")[0]).to.include.members(["--bucket", "velero-backups", "--rgw-zone", "zoneb", "--timeout-sec"]);
            expect(r.stderr).to.contain("bucket velero-backups not yet caught up: zonea: incremental, behind shards [0,1,2,3,4,5,6,7,8,9,10]");
        });

        it("refuses (exit 3) while the bucket stays behind, naming it; the old master stays fenced, this zone unchanged", async () => {
            const r = await run(args, state({ out: BEHIND }), {}, peer);
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stderr).to.match(/bucket velero-backups on zone zoneb is not caught up with zonea .*behind shards \[0,1,2/);
            expect(r.stderr).to.contain("zonea stays fenced");
            expect(mutations(r)).to.deep.equal(["peer zone modify", "peer period update"]);
        });

        // Ceph 20.2.4, after a lost-site failover and the return: one bucket shard stayed "behind" on
        // the returning zone (its objects' sync had failed while it was fenced), with every object in place.
        const listing = (...objects: [string, string][]) => ({ out: objects.map(([name, etag]) => ({ name, meta: { size: 10, etag, mtime: "2026-11-30" } })) });
        const slow = { RGW_WAIT_TIMEOUT: "300", RGW_POLL_INTERVAL: "2" };

        it("markers that stand still for 60 s while this zone holds every object of the fenced peer (same ETag and size): goes on, saying so", async () => {
            const r = await run(args, { ...state({ out: BEHIND }), "bucket list": listing(["a", "e1"], ["b", "e2"], ["extra", "e3"]) }, slow,
                { ...peer, "bucket list": listing(["a", "e1"], ["b", "e2"]) });
            expect(r.code, r.stderr).to.equal(0);
            expect(r.stderr).to.match(/its sync state has stood still for a minute \(zonea: incremental, behind shards \[0,1,2,3,4,5,6,7,8,9,10\], not caught up\), but zone zoneb holds all 2 object\(s\) of the fenced zonea/);
            expect(callsOf(r, "peer bucket list")[0]).to.include.members(["--bucket", "velero-backups", "--rgw-zone", "zonea"]);
            expect(mutations(r)).to.include("zone modify");
        });

        it("markers that stand still while an object of the peer is missing here, or differs: waits, then refuses (exit 3)", async () => {
            for (const local of [listing(["a", "e1"]), listing(["a", "e1"], ["b", "OTHER"])]) {
                const r = await run(args, { ...state({ out: BEHIND }), "bucket list": local }, slow, { ...peer, "bucket list": listing(["a", "e1"], ["b", "e2"]) });
                expect(r.code, r.stderr).to.equal(3);
                expect(r.stderr).to.contain("zone zoneb lacks 1 of the 2 object(s) of zonea (first: b)");
                expect(callsOf(r, "zone modify").filter((c) => !c.includes("--read-only=true"))).to.deep.equal([]);
            }
        });

        it("a checkpoint that does not complete is not caught up, whatever the status text says", async () => {
            const r = await run(args, joinedState({ ...state({ out: CAUGHT_UP }), "bucket sync checkpoint": { err: "ERROR: timed out\n", code: 110 } }), {}, peer);
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stderr).to.contain("bucket sync checkpoint did not complete");
        });

        it("--force promotes although the bucket is behind, and the warning names the bucket", async () => {
            const r = await run([...args, "--force"], state({ out: BEHIND }), {}, peer);
            expect(r.code, r.stderr).to.equal(0);
            expect(r.stderr).to.match(/--force: promoting although bucket velero-backups is not caught up with zonea/);
            expect(mutations(r)).to.include("zone modify");
        });

        it("forced with the old master unreachable: no bucket wait, the warning names the bucket", async () => {
            const lost = joinedState({
                "sync status": { out: SYNC_B_MASTER_DOWN },
                "period get": [{ out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ id: "period-2", master: "zoneb" }) }],
                "zonegroup get": { out: { id: ID.zg, name: "global", master_zone: ID.b, zones: [{ name: "zonea", read_only: "false" }, { name: "zoneb", read_only: "false" }] } },
            });
            const r = await run(["promote", "--zone", "zoneb", "--zonegroup", "global", "--bucket", "velero-backups", "--force"], lost);
            expect(r.code, r.stderr).to.equal(0);
            expect(callsOf(r, "bucket sync status")).to.deep.equal([]);
            expect(r.stderr).to.match(/bucket velero-backups: whether zone zoneb holds every object zonea wrote cannot be checked/);
        });

        it("wait-caught-up --bucket: exit 4 naming the bucket while it is behind although the zone is caught up, exit 0 once it is", async () => {
            const stuck = await run(["wait-caught-up", "--zone", "zoneb", "--bucket", "velero-backups", "--timeout", "1"], joinedState({ "sync status": { out: SYNC_B_CAUGHT_UP }, "bucket sync status": { out: BEHIND } }));
            expect(stuck.code, stuck.stderr).to.equal(4);
            expect(stuck.stderr).to.match(/bucket velero-backups not caught up after 1s although the zone's data log is: zonea: incremental, behind shards/);
            const ok = await run(["wait-caught-up", "--zone", "zoneb", "--bucket", "velero-backups"], joinedState({ "sync status": { out: SYNC_B_CAUGHT_UP }, "bucket sync status": [{ out: BEHIND }, { out: CAUGHT_UP }] }));
            expect(ok.code, ok.stderr).to.equal(0);
            expect(callsOf(ok, "bucket sync checkpoint")).to.have.length(1);
        });
    });

    // Issue 16 item 7: a forced promotion while the old master does not answer fences it for when
    // it returns; readmit lifts the fence only when nothing the fenced zone deleted can replay.
    describe("promote --force with the old master unreachable: the fence of a returning zone", () => {
        const args = ["promote", "--zone", "zoneb", "--zonegroup", "global", "--force"];
        const zonegroupGet = (zones: string[]) => ({ out: { id: ID.zg, name: "global", master_zone: ID.b, zones: zones.map((z) => ({ name: z, read_only: "false" })) } });
        const state = (zones = ["zonea", "zoneb"], extra: State = {}) =>
            joinedState({
                "sync status": { out: SYNC_B_MASTER_DOWN },
                "period get": [{ out: period({ master: "zonea", zones }) }, { out: period({ master: "zonea", zones }) }, { out: period({ id: "period-2", master: "zoneb", zones }) }],
                "zonegroup get": zonegroupGet(zones),
                ...extra,
            });

        it("stops syncing from the lost zone and commits it read-only in the same period", async () => {
            const admin: Run = await run(args, state());
            expect(admin.code, admin.stderr).to.equal(0);
            const zm = callsOf(admin, "zone modify")[0];
            expect(zm).to.include.members(["--rgw-zone", "zoneb", "--master", "--sync-from-all=false"]);
            expect(zm.some((a) => a.startsWith("--sync-from="))).to.equal(false);
            expect(mutations(admin)).to.deep.equal(["zone modify", "zonegroup modify", "zonegroup set", "period update", "period commit", "RESTART"]);
            expect(admin.stderr).to.contain("fencing the zones that do not answer (zonea)");
        });

        it("marks exactly the lost zones read-only in the zonegroup it sets (through stdin)", async () => {
            const calls: string[][] = [];
            const fake = new FakeAdmin(state(["zonea", "zoneb", "zonec"]), calls);
            const r = await runCli(args, {
                env: { RGW_ADMIN: "radosgw-admin", RGW_RADOS: "", RGW_RESTART: "restart", RGW_WAIT_TIMEOUT: "3", RGW_POLL_INTERVAL: "0.05", ...KEYS },
                stdout: () => undefined, stderr: () => undefined,
                clock: { now: () => 0, sleep: async () => undefined }, probe: async () => "answers",
                makeAdmin: () => fake, makeRestarter: () => new FakeRestarter(calls),
            });
            expect(r).to.equal(0);
            const set = JSON.parse(fake.inputs.get("zonegroup set") ?? "{}") as { zones: { name: string; read_only: string }[] };
            expect(set.zones.map((z) => `${z.name}:${z.read_only}`)).to.deep.equal(["zonea:true", "zoneb:false", "zonec:true"]);
            // No peer named: every other zone of the zonegroup is lost, none is kept as a source.
            expect(calls.find((c) => c[0] === "zone" && c[1] === "modify")).to.include("--sync-from-all=false");
        });

        it("names only the given peer as lost and keeps syncing from the other zones", async () => {
            const r = await run([...args, "--peer-zone", "zonea"], state(["zonea", "zoneb", "zonec"]));
            expect(r.code, r.stderr).to.equal(0);
            expect(callsOf(r, "zone modify")[0]).to.include.members(["--sync-from-all=false", "--sync-from=zonec"]);
        });

        it("a transport without stdin loses only the read-only half, and says so", async () => {
            const r = await run(args, state(undefined, { "zonegroup set": { err: "failed to decode JSON input: (22) Invalid argument", code: 22 } }));
            expect(r.code, r.stderr).to.equal(0);
            expect(r.stderr).to.contain("could not mark zonea read-only in the period");
            expect(callsOf(r, "zone modify")[0]).to.include("--sync-from-all=false");
            expect(callsOf(r, "period update")).to.have.length(1);
        });

        it("without --force no fence (the promotion is refused first)", async () => {
            const r = await run(args.filter((a) => a !== "--force"), state());
            expect(r.code).to.equal(3);
            expect(callsOf(r, "zonegroup set")).to.deep.equal([]);
        });
    });

    describe("readmit", () => {
        const args = ["readmit", "--zone", "zoneb", "--peer-zone", "zonea"];
        const list = (names: string[]) => ({ out: names.map((name) => ({ name, size: 1 })) });
        const fenced = (extra: State = {}) => joinedState({
            "zone get": zoneGet("zoneb"),
            "period get": [{ out: period({ master: "zoneb", syncFrom: { zoneb: [] } }) }, { out: period({ id: "period-3", master: "zoneb" }) }],
            "bucket list": (a: readonly string[]) => (a.includes("--bucket") ? list(["backups/x/velero-backup.json", "kopia/ns/p1"]) : { out: ["velero-backups"] }),
            ...extra,
        });
        const peerHas = (names: string[]): State => ({ "bucket list": list(names) });

        it("does nothing when the zone already syncs from the peer", async () => {
            const r = await run(args, joinedState({ "zone get": zoneGet("zoneb"), "period get": { out: period({ master: "zoneb" }) } }), {}, {});
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.stderr).to.contain("nothing to change");
        });

        it("needs the peer's radosgw-admin to check what a resumed sync would delete", async () => {
            const r = await run(args, fenced());
            expect(r.code).to.equal(1);
            expect(r.stderr).to.contain("RGW_PEER_ADMIN");
            expect(mutations(r)).to.deep.equal([]);
        });

        it("refuses (exit 3) when the peer lacks objects this zone has, naming them, and changes nothing", async () => {
            const r = await run(args, fenced(), {}, peerHas(["backups/x/velero-backup.json"]));
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stderr).to.contain("velero-backups/kopia/ns/p1");
            expect(r.stderr).to.contain("would delete them on zoneb too");
            expect(mutations(r)).to.deep.equal([]);
        });

        it("when the peer has every object (and more: what it wrote while fenced), resumes sync from it: zone modify, commit, restart", async () => {
            const r = await run(args, fenced(), {}, peerHas(["backups/a-cut/velero-backup.json", "backups/x/velero-backup.json", "kopia/ns/p1"]));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["zone modify", "period update", "RESTART"]);
            expect(callsOf(r, "zone modify")[0]).to.include.members(["--rgw-zone", "zoneb", "--sync-from-all=true"]);
            expect(r.calls.filter((c) => c[0] === "peer" && c.includes("list"))[0]).to.include.members(["--bucket", "velero-backups", "--rgw-zone", "zonea"]);
        });

        it("refuses to resume sync from a peer that is still the metadata master", async () => {
            const r = await run(args, fenced({ "period get": { out: period({ master: "zonea", syncFrom: { zoneb: [] } }) } }), {}, peerHas([]));
            expect(r.code).to.equal(3);
            expect(r.stderr).to.contain("demote zonea");
        });
    });

    describe("demote and fence", () => {
        const demote = ["demote", "--zone", "zonea", "--master-url", "http://zoneb.example:8080"];
        const pulled = (readOnly: string[]) =>
            joinedState({
                "realm get": { out: { id: ID.realm, name: "dr", current_period: "period-1" } },
                "period get": { out: period({ id: "period-2", master: "zoneb", readOnly }) },
            });

        it("demote pulls realm and period from the new master and un-fences with exactly --read-only=false, commit without keys", async () => {
            const r = await run(demote, pulled(["zonea"]));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["realm pull", "period pull", "zone modify", "period update", "RESTART"]);
            const zm = callsOf(r, "zone modify")[0];
            expect(zm.filter((a) => a.startsWith("--read-only"))).to.deep.equal(["--read-only=false"]);
            expect(zm).to.not.include("--master");
            expect(callsOf(r, "period update")[0]).to.not.include("--secret");
            expectNoSecrets(r);
        });

        // Issue 15: on Ceph 20.2.4 a demoted zone's metadata full sync stayed on shard 0 for good
        // (its full-sync index missing); `metadata sync init` and a restart let it finish.
        const asZoneA = (text: string) => text.split(ID.b).join("ZB").split(ID.a).join(ID.b).split("ZB").join(ID.a).replace(/\(zoneb\)/g, "(ZB)").replace(/\(zonea\)/g, "(zoneb)").replace(/\(ZB\)/g, "(zonea)");
        const A_CAUGHT_UP = asZoneA(SYNC_B_CAUGHT_UP);
        const A_FULL_SYNC = A_CAUGHT_UP.replace("full sync: 0/64 shards\n                incremental sync: 64/64 shards\n                metadata is caught up with master",
            "full sync: 1/64 shards\n                full sync: 7 entries to sync\n                incremental sync: 63/64 shards\n                metadata is behind on 1 shards\n                behind shards: [0]");
        const stuckShard0 = { out: { sync_status: { info: { status: "sync", num_shards: 64, period: "period-2", realm_epoch: 3 },
            markers: [{ key: 0, val: { state: 0, marker: "", pos: 0, total_entries: 7 } }, { key: 1, val: { state: 1, marker: "", pos: 0, total_entries: 0 } }] } } };

        it("demote waits until the zone's metadata sync has caught up with the new master", async () => {
            const r = await run(demote, { ...pulled(["zonea"]), "sync status": [{ out: A_FULL_SYNC }, { out: A_CAUGHT_UP }], "metadata sync status": { out: { sync_status: { info: { status: "sync", num_shards: 64 }, markers: [{ key: 0, val: { state: 0, pos: 3, total_entries: 7 } }] } } } });
            expect(r.code, r.stderr).to.equal(0);
            expect(callsOf(r, "sync status")).to.have.length(2);
            expect(callsOf(r, "metadata sync init")).to.deep.equal([]);
            expect(r.stderr).to.not.contain("warning");
        });

        it("demote re-initialises a metadata full sync that stands still for 60 s, once, and restarts the gateway", async () => {
            const stuck = Array.from({ length: 40 }, () => ({ out: A_FULL_SYNC }));
            const r = await run(demote, { ...pulled(["zonea"]), "sync status": [...stuck, { out: A_CAUGHT_UP }], "metadata sync status": stuckShard0 }, { RGW_WAIT_TIMEOUT: "300", RGW_POLL_INTERVAL: "2" });
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["realm pull", "period pull", "zone modify", "period update", "RESTART", "RESTART"]);
            expect(callsOf(r, "metadata sync init")).to.have.length(1);
            expect(callsOf(r, "metadata sync init")[0]).to.include.members(["--rgw-zone", "zonea"]);
            expect(r.stderr).to.match(/metadata full sync has made no progress for 60s \(shards 0\): re-initialising it/);
        });

        it("demote says so (exit 0) when metadata is still not caught up at RGW_WAIT_TIMEOUT, re-initialising only once", async () => {
            const r = await run(demote, { ...pulled(["zonea"]), "sync status": { out: A_FULL_SYNC }, "metadata sync status": stuckShard0 }, { RGW_WAIT_TIMEOUT: "300", RGW_POLL_INTERVAL: "2" });
            expect(r.code, r.stderr).to.equal(0);
            expect(callsOf(r, "metadata sync init")).to.have.length(1);
            expect(r.stderr).to.match(/zone zonea's metadata sync is not caught up 300s after the demote .*a promotion of this zone is refused until it is/);
        });

        it("demote --read-only keeps the zone read-only; demote refuses (exit 3) while the period still names this zone master", async () => {
            const strict = await run([...demote, "--read-only"], pulled([]));
            expect(strict.code, strict.stderr).to.equal(0);
            expect(callsOf(strict, "zone modify")[0]).to.include("--read-only=true");
            const stale = await run(demote, joinedState({ "realm get": { out: { name: "dr", current_period: "period-1" } } }));
            expect(stale.code, stale.stderr).to.equal(3);
            expect(mutations(stale)).to.deep.equal(["realm pull", "period pull"]);
        });

        it("fence makes the zone read-only once; a second run changes nothing", async () => {
            const r = await run(["fence", "--zone", "zonea"], joinedState({ "period get": [{ out: period({ master: "zonea" }) }, { out: period({ master: "zonea", readOnly: ["zonea"] }) }] }));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["zone modify", "period update", "RESTART"]);
            expect(callsOf(r, "zone modify")[0]).to.include.members(["--rgw-zone", "zonea", "--read-only=true"]);
            const again = await run(["fence", "--zone", "zonea"], joinedState({ "period get": { out: period({ master: "zonea", readOnly: ["zonea"] }) } }));
            expect(again.code, again.stderr).to.equal(0);
            expect(mutations(again)).to.deep.equal([]);
        });
    });

    // Issue 15 item 4: a realm born on Pacific keeps Reef's and Tentacle's zonegroup features
    // disabled after an upgrade; ensure-features enables them once every zone supports them.
    describe("ensure-features", () => {
        const args = ["ensure-features", "--zonegroup", "global", "--features", "resharding,notification_v2"];
        // Reef and later print JSON booleans and list each zone's supported_features; Pacific lists none.
        const zonegroup = (enabled: string[], supported: Record<string, string[] | undefined>) => ({
            out: { id: ID.zg, name: "global", enabled_features: enabled, zones: Object.entries(supported).map(([name, f]) => ({ name, read_only: false, ...(f ? { supported_features: f } : {}) })) },
        });
        const ALL = ["compress-encrypted", "notification_v2", "resharding"];

        it("enables what every zone supports, one --enable-feature each, commits and restarts", async () => {
            const r = await run(args, joinedState({ "zonegroup get": zonegroup(["resharding"], { zonea: ALL, zoneb: ALL }) }));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["zonegroup modify", "period update", "RESTART"]);
            expect(callsOf(r, "zonegroup modify")[0]).to.include.members(["--rgw-zonegroup", "global", "--enable-feature=notification_v2"]);
            expect(callsOf(r, "period update")[0]).to.include("--commit");
        });

        it("changes nothing when all are enabled", async () => {
            const r = await run(args, joinedState({ "zonegroup get": zonegroup(["notification_v2", "resharding"], { zonea: ALL, zoneb: ALL }) }));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.stderr).to.contain("nothing to change");
        });

        it("refuses (exit 3) while a zone still runs Pacific (no supported_features), naming it, and changes nothing", async () => {
            const r = await run(args, joinedState({ "zonegroup get": zonegroup([], { zonea: ALL, zoneb: undefined }) }));
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stderr).to.match(/zonegroup feature resharding is not supported by zone\(s\) zoneb/);
            expect(r.stderr).to.contain("Upgrade every zone's gateways first");
            expect(mutations(r)).to.deep.equal([]);
        });

        it("on a secondary: changes nothing and says to run it where the master is", async () => {
            const r = await run(args, joinedState({
                "zone list": { out: { zones: ["zoneb"] } }, "zone get": zoneGet("zoneb"),
                "zonegroup get": zonegroup([], { zonea: ALL, zoneb: ALL }),
            }));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.stderr).to.contain("zone zoneb is not the metadata master (zonea)");
        });

        it("refuses an unknown feature before any call (exit 2), naming the allowed ones", async () => {
            expectUsageError(await run(["ensure-features", "--zonegroup", "global", "--features", "resharding,dedup"]), "unknown zonegroup feature(s) 'dedup'", "resharding, notification_v2");
        });
    });

    describe("status and wait-caught-up", () => {
        it("status prints one JSON object on stdout with the contract's fields", async () => {
            const r = await run(["status", "--zone", "zoneb"], joinedState({ "sync status": { out: SYNC_B_BEHIND } }));
            expect(r.code, r.stderr).to.equal(0);
            expect(callsOf(r, "sync status")[0]).to.include.members(["--rgw-zone", "zoneb"]);
            const s = JSON.parse(r.stdout);
            expect(s).to.deep.equal({
                zone: "zoneb",
                zoneId: ID.b,
                zonegroup: "global",
                realm: "dr",
                realmId: ID.realm,
                period: "period-1",
                periodEpoch: 2,
                metadataMaster: "zonea",
                isMaster: false,
                readOnly: false,
                metadataSync: {
                    state: "syncing",
                    caughtUp: false,
                    behindShards: [7, 19],
                    shards: 64,
                    incrementalShards: 64,
                    fullSyncShards: 0,
                    oldestChange: "2026-11-24T10:03:47.809898+0000 [7]",
                },
                dataSync: {
                    zonea: {
                        id: ID.a,
                        state: "syncing",
                        caughtUp: false,
                        behindShards: [115, 119],
                        shards: 128,
                        incrementalShards: 128,
                        fullSyncShards: 0,
                        oldestChange: "2026-11-24T10:03:47.809898+0000 [115]",
                    },
                },
            });
            expect(r.stdout.trim().split("\n")).to.have.length(1);
        });

        it("status of a master: metadata state master, caught up", async () => {
            const r = await run(["status"], joinedState({ "sync status": { out: SYNC_A_INIT } }));
            expect(r.code, r.stderr).to.equal(0);
            const s = JSON.parse(r.stdout);
            expect(s.isMaster).to.equal(true);
            expect(s.metadataMaster).to.equal("zonea");
            expect(s.metadataSync).to.include({ state: "master", caughtUp: true });
            // "caught up" with init and 0/0 shards is not caught up.
            expect(s.dataSync.zoneb).to.include({ state: "init", caughtUp: false, shards: 0 });
            // Nor is "syncing" with 0/0 shards.
            const zero = await run(["status"], joinedState({ "sync status": { out: SYNC_A_INIT.replace("  init\n", "  syncing\n") } }));
            expect(JSON.parse(zero.stdout).dataSync.zoneb).to.include({ state: "syncing", caughtUp: false, shards: 0 });
        });

        it("wait-caught-up does not trust 'caught up' with init and 0/0 shards (exit 4), and returns once really caught up", async () => {
            const stuck = await run(["wait-caught-up", "--timeout", "1"], joinedState({ "sync status": { out: SYNC_A_INIT } }));
            expect(stuck.code, stuck.stderr).to.equal(4);
            expect(stuck.stderr).to.contain("data from zoneb init");
            const ok = await run(["wait-caught-up", "--zone", "zoneb"], joinedState({ "sync status": [{ out: SYNC_B_BEHIND }, { out: SYNC_B_CAUGHT_UP }] }));
            expect(ok.code, ok.stderr).to.equal(0);
            expect(callsOf(ok, "sync status")).to.have.length(2);
            expect(ok.stdout).to.equal("");
        });
    });

    describe("sync-scope", () => {
        const zoneScope = ["sync-scope", "--bucket", "velero-backups", "--zonegroup", "global", "--zone", "zoneb", "--peer-zone", "zonea"];
        const syncInfo = (sources: string[]) => ({ out: { sources: sources.map((z) => ({ id: "all", source: { zone: z, bucket: "velero-backups:x" }, dest: { zone: "zoneb" } })), dests: [] } });
        const bucketSyncStatus = `${syncHeader("zoneb")}         bucket :velero-backups[x.1])\n\n    source zone ${ID.a} (zonea)\n  source bucket velero-backups:x\n                incremental sync: 11/11 shards\n                bucket is caught up with source\n`;

        it("zone scope verifies the peer is a sync source of the bucket, writes nothing", async () => {
            const r = await run(zoneScope, joinedState({ "metadata list bucket": { out: ["velero-backups"] }, "sync info": syncInfo(["zonea"]), "bucket sync status": { out: bucketSyncStatus } }));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal([]);
            expect(callsOf(r, "sync info")[0]).to.include.members(["--bucket", "velero-backups", "--rgw-zone", "zoneb"]);
        });

        it("zone scope fails loudly when the bucket has no such source", async () => {
            const r = await run(zoneScope, joinedState({ "metadata list bucket": { out: ["velero-backups"] }, "sync info": syncInfo([]) }));
            expect(r.code, r.stderr).to.equal(1);
            expect(r.stderr).to.contain("does not list zone zonea as a sync source");
        });

        it("without --peer-zone checks every other zone, and exits 0 while there is none", async () => {
            const args = ["sync-scope", "--bucket", "velero-backups", "--zonegroup", "global", "--zone", "zonea"];
            const alone = await run(args, joinedState({ "period get": { out: period({ master: "zonea", zones: ["zonea"] }) } }));
            expect(alone.code, alone.stderr).to.equal(0);
            expect(alone.stderr).to.contain("has not joined zonegroup global yet");
            expect(callsOf(alone, "sync info")).to.deep.equal([]);
            const two = await run(args, joinedState({ "metadata list bucket": { out: ["velero-backups"] }, "sync info": syncInfo(["zoneb"]), "bucket sync status": { out: bucketSyncStatus.replace(ID.a, ID.b).replace("(zonea)", "(zoneb)") } }));
            expect(two.code, two.stderr).to.equal(0);
            expect(two.stderr).to.contain("syncs from zoneb");
        });

        it("zone scope exits 0 without checks when the peer has not joined", async () => {
            const r = await run(zoneScope.map((a) => (a === "zonea" ? "zonec" : a)), joinedState({ "period get": { out: period({ master: "zonea", zones: ["zonea", "zoneb"] }) } }));
            expect(r.code, r.stderr).to.equal(0);
            expect(r.stderr).to.contain("has not joined");
            expect(callsOf(r, "sync info")).to.deep.equal([]);
        });

        it("bucket scope on the master: zonegroup group allowed + symmetrical flow + pipe * -> *, commit, bucket group enabled + pipe", async () => {
            const args = ["sync-scope", "--scope", "bucket", "--bucket", "velero-backups", "--zonegroup", "global", "--zone", "zonea", "--peer-zone", "zoneb"];
            const r = await run(args, joinedState({ "metadata list bucket": { out: ["velero-backups"] }, "sync info": syncInfo(["zoneb"]) }));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal(["sync group create", "sync group flow create", "sync group pipe create", "period update", "sync group create", "sync group pipe create"]);
            const [zgGroup, bucketGroup] = callsOf(r, "sync group create");
            expect(zgGroup).to.include.members(["--status", "allowed"]).and.not.include("--bucket");
            expect(callsOf(r, "sync group flow create")[0]).to.include.members(["--flow-type", "symmetrical", "--zones", "zonea,zoneb"]);
            const [zgPipe, bucketPipe] = callsOf(r, "sync group pipe create");
            expect(zgPipe).to.include.members(["--source-zones", "*", "--source-bucket", "*", "--dest-zones", "*", "--dest-bucket", "*"]);
            expect(bucketGroup).to.include.members(["--bucket", "velero-backups", "--status", "enabled"]);
            expect(bucketPipe).to.include.members(["--bucket", "velero-backups", "--source-zones", "*", "--dest-zones", "*"]);
        });

        it("bucket scope on a non-master never writes bucket policy; it waits until the peer is a source", async () => {
            const args = ["sync-scope", "--scope", "bucket", "--bucket", "velero-backups", "--zonegroup", "global", "--zone", "zoneb", "--peer-zone", "zonea"];
            const flow = { groups: [{ id: "dr-zonegroup", status: "allowed", data_flow: { symmetrical: [{ id: "dr-symmetrical", zones: ["zonea", "zoneb"] }] }, pipes: [] }] };
            const r = await run(args, joinedState({ "sync policy get": { out: flow }, "metadata list bucket": { out: ["velero-backups"] }, "sync info": [syncInfo([]), syncInfo([]), syncInfo(["zonea"])] }));
            expect(r.code, r.stderr).to.equal(0);
            expect(mutations(r)).to.deep.equal([]);
            expect(callsOf(r, "sync info")).to.have.length(3);
        });
    });

    // Issue 16 item 8: no reliance on the default realm, zonegroup or zone (Rook sets no default
    // realm). Every radosgw-admin call names all three, except these, which cannot:
    //  - `realm list`, `zonegroup list`, `zone list`: they list .rgw.root as a whole (the script
    //    learns from them whether a realm/zonegroup/zone exists, or which zone this cluster has);
    //  - the derivation of a subcommand that is not told the realm: `zone get --rgw-zone Z` (reads
    //    Z's realm_id), `realm get --realm-id ID` (the realm by id), and that subcommand's first
    //    `period get` when it is not told the zonegroup either (it says which zonegroup holds Z);
    //  - ensure-realm: no zone exists yet (it names realm and zonegroup).
    describe("names realm, zonegroup and zone on every radosgw-admin call", () => {
        const has = (c: string[], flag: string) => c.some((a) => a === flag || a.startsWith(`${flag}=`));
        function unnamed(r: Run, args: string[], peer?: string): string[] {
            const problems: string[] = [];
            let firstPeriodGet = true;
            const toldZonegroup = args.includes("--zonegroup");
            for (const call of r.calls) {
                const isPeer = call[0] === "peer";
                const c = isPeer ? call.slice(1) : call;
                const cmd = cmdOf(c);
                // The binary's own version (promote's check of a Pacific zone) reads no realm.
                if (cmd === "RESTART" || c[0] === "--version" || /^(realm|zonegroup|zone) list$/.test(cmd)) continue;
                const missing: string[] = [];
                const realmNamed = has(c, "--rgw-realm") || (cmd === "realm get" && has(c, "--realm-id"));
                if (!realmNamed && !(cmd === "zone get" && has(c, "--rgw-zone"))) missing.push("--rgw-realm");
                let zgExempt = cmd === "realm get" || (cmd === "zone get" && !has(c, "--rgw-realm"));
                if (cmd === "period get" && !isPeer && firstPeriodGet && !toldZonegroup) zgExempt = true;
                if (cmd === "period get" && !isPeer) firstPeriodGet = false;
                if (!has(c, "--rgw-zonegroup") && !zgExempt) missing.push("--rgw-zonegroup");
                if (!has(c, "--rgw-zone") && args[0] !== "ensure-realm") missing.push("--rgw-zone");
                if (isPeer && peer && c[c.indexOf("--rgw-zone") + 1] !== peer) missing.push(`--rgw-zone ${peer} (the peer's zone)`);
                if (missing.length) problems.push(`${isPeer ? "peer " : ""}${c.join(" ")}: no ${missing.join(", ")}`);
            }
            return problems;
        }

        const flow = { groups: [{ id: "dr-zonegroup", status: "allowed", data_flow: { symmetrical: [{ id: "dr-symmetrical", zones: ["zonea"] }] }, pipes: [] }] };
        const syncInfo = (z: string) => ({ out: { sources: [{ id: "all", source: { zone: z, bucket: "velero-backups:x" }, dest: { zone: "zoneb" } }], dests: [] } });
        const bss = (z: string) => ({ out: `${syncHeader("zoneb")}    source zone ${z === "zonea" ? ID.a : ID.b} (${z})\n                incremental sync: 11/11 shards\n                bucket is caught up with source\n` });
        const promoteState = () => joinedState({
            "sync status": { out: SYNC_B_CAUGHT_UP },
            "period get": [{ out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ id: "period-2", master: "zoneb" }) }],
        });
        const scenarios: [string, () => string[], () => State, Record<string, string>?, State?, string?][] = [
            ["bootstrap-master (fresh)", () => [...BOOTSTRAP, "--endpoint", endpoint], () => ({
                "realm list": ENOENT("realms"), "zonegroup list": ENOENT("zonegroups"), "zone list": ENOENT("zones"), "metadata list user": { out: [] },
                "period get": [{ out: period({ zones: [] }) }, { out: period({ master: "zonea", zones: ["zonea"] }) }],
            })],
            ["bootstrap-master (re-run, key added)", () => [...BOOTSTRAP, "--endpoint", endpoint],
                () => joinedState({ "user info": userInfo("synchronization-user", "Multisite synchronization user", [["OTHERKEY", "other"]], false), "zone get": zoneGet("zonea", "OLD", "old") })],
            ["ensure-realm (fresh)", () => ["ensure-realm", "--realm", "dr", "--zonegroup", "global", "--endpoint", endpoint], () => ({ "realm list": ENOENT("realms"), "zonegroup list": ENOENT("zonegroups") })],
            ["ensure-master-zone", () => ["ensure-master-zone", "--realm", "dr", "--zonegroup", "global", "--zone", "zonea", "--endpoint", endpoint, "--system-uid", "sync"], () => joinedState({
                "zone list": ENOENT("zones"), "metadata list user": { out: [] },
                "period get": [{ out: period({ zones: [] }) }, { out: period({ zones: [] }) }, { out: period({ master: "zonea" }) }],
            })],
            ["join-secondary (fresh)", () => [...JOIN, "--endpoint", endpoint], () => ({
                "realm list": ENOENT("realms"), "zone list": ENOENT("zones"),
                "period get": [{ out: period({ master: "zonea", zones: ["zonea"] }) }, { out: period({ master: "zonea", zones: ["zonea"] }) }, { out: period({ master: "zonea" }) }],
                "zone get": zoneGet("zoneb"), "metadata sync status": mdSync("sync", 64), "data sync status": dataSync("sync", 128),
            })],
            ["ensure-user (create)", () => ["ensure-user", "--uid", "velero", "--display-name", "Velero"], () => joinedState({ "metadata list user": { out: [] } })],
            ["ensure-user (add key)", () => ["ensure-user", "--uid", "velero", "--display-name", "Velero"], () => joinedState({ "user info": userInfo("velero", "Velero", [["OLD", "old"]], true) })],
            ["sync-scope zone", () => ["sync-scope", "--bucket", "velero-backups", "--zonegroup", "global", "--zone", "zoneb", "--peer-zone", "zonea"],
                () => joinedState({ "zone list": { out: { zones: ["zoneb"] } }, "zone get": zoneGet("zoneb"), "metadata list bucket": { out: ["velero-backups"] }, "sync info": syncInfo("zonea"), "bucket sync status": bss("zonea") })],
            ["sync-scope bucket on the master", () => ["sync-scope", "--scope", "bucket", "--bucket", "velero-backups", "--zonegroup", "global", "--zone", "zonea", "--peer-zone", "zoneb"],
                () => joinedState({ "metadata list bucket": { out: ["velero-backups"] }, "sync info": syncInfo("zoneb") })],
            ["sync-scope bucket --repair on the master, peer's view", () => ["sync-scope", "--scope", "bucket", "--repair", "--bucket", "velero-backups", "--zonegroup", "global", "--zone", "zonea", "--peer-zone", "zoneb"],
                () => joinedState({ "metadata list bucket": { out: ["velero-backups"] }, "sync info": syncInfo("zoneb") }), {},
                { "metadata get bucket:velero-backups": { out: { data: { bucket: { bucket_id: "x.1" } } } }, "metadata get bucket.instance:velero-backups:x.1": { out: { data: { bucket_info: { flags: 8 } } } } }, "zoneb"],
            ["sync-scope bucket on a secondary missing from the flow", () => ["sync-scope", "--scope", "bucket", "--bucket", "velero-backups", "--zonegroup", "global", "--zone", "zoneb", "--peer-zone", "zonea"],
                () => joinedState({ "zone list": { out: { zones: ["zoneb"] } }, "zone get": zoneGet("zoneb"), "sync policy get": { out: flow }, "metadata list bucket": { out: ["velero-backups"] }, "sync info": syncInfo("zonea") })],
            ["status --zone", () => ["status", "--zone", "zoneb"], () => joinedState({ "sync status": { out: SYNC_B_BEHIND } })],
            ["status (zone from zone list)", () => ["status"], () => joinedState({ "sync status": { out: SYNC_A_INIT } })],
            ["wait-caught-up", () => ["wait-caught-up", "--zone", "zoneb"], () => joinedState({ "sync status": { out: SYNC_B_CAUGHT_UP } })],
            ["promote", () => ["promote", "--zone", "zoneb", "--zonegroup", "global"], promoteState],
            ["promote --force, Ceph asks for --yes-i-really-mean-it", () => ["promote", "--zone", "zoneb", "--zonegroup", "global", "--force"],
                () => ({ ...promoteState(), "period commit": [{ err: PROMOTE_STALE_REFUSED(2), code: 22 }, { out: {} }] })],
            ["promote with the peer (fence, newer period pulled)", () => ["promote", "--zone", "zoneb", "--zonegroup", "global", "--peer-zone", "zonea", "--peer-url", "http://zonea.example:8080"],
                () => joinedState({
                    "sync status": { out: SYNC_B_CAUGHT_UP },
                    "period get": [{ out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ master: "zonea" }) }, { out: period({ id: "period-2", master: "zoneb" }) }],
                }), {}, { "period get": { out: { ...period({ master: "zonea" }), realm_epoch: 3 } } }, "zonea"],
            ["demote", () => ["demote", "--zone", "zonea", "--master-url", "http://zoneb.example:8080"],
                () => joinedState({ "period get": { out: period({ id: "period-2", master: "zoneb", readOnly: ["zonea"] }) } })],
            ["fence", () => ["fence", "--zone", "zonea"], () => joinedState({ "period get": [{ out: period({ master: "zonea" }) }, { out: period({ master: "zonea", readOnly: ["zonea"] }) }] })],
            ["backup-objects", () => ["backup-objects", "--bucket", "velero-backups", "--backup", "daily-1", "--zone", "zoneb"],
                () => joinedState({ "zone get": zoneGet("zoneb"), "bucket list": { out: [] }, "bucket sync status": bss("zonea") })],
        ];
        for (const [what, args, state, env, peerState, peer] of scenarios) {
            it(`${what}: every call names them`, async () => {
                const a = args();
                const r = await run(a, state(), env ?? {}, peerState);
                expect(r.code, r.stderr).to.equal(0);
                expect(r.calls.length).to.be.above(0);
                expect(unnamed(r, a, peer), "radosgw-admin calls that rely on a default").to.deep.equal([]);
                // Named consistently: the local zone's realm and zonegroup are dr and global.
                for (const c of r.calls) {
                    if (has(c, "--rgw-realm")) expect(c[c.indexOf("--rgw-realm") + 1], c.join(" ")).to.equal("dr");
                    if (has(c, "--rgw-zonegroup")) expect(c[c.indexOf("--rgw-zonegroup") + 1], c.join(" ")).to.equal("global");
                }
            });
        }

        it("learns the realm from the zone, not from the default realm (demote used `realm get` of the default)", async () => {
            const r = await run(["demote", "--zone", "zonea", "--master-url", "http://zoneb.example:8080"], joinedState({ "period get": { out: period({ id: "period-2", master: "zoneb", readOnly: ["zonea"] }) } }));
            expect(r.code, r.stderr).to.equal(0);
            expect(callsOf(r, "zone get")[0]).to.include.members(["--rgw-zone", "zonea"]);
            expect(callsOf(r, "realm get")[0]).to.include.members(["--realm-id", ID.realm]);
            expect(callsOf(r, "realm get").filter((c) => !c.includes("--realm-id"))).to.deep.equal([]);
        });

        it("learns the realm from the cluster's only realm when the zone names none (a secondary zone on Pacific)", async () => {
            const zone = { ...(zoneGet("zonea").out as Record<string, unknown>), realm_id: "" };
            const r = await run(["demote", "--zone", "zonea", "--master-url", "http://zoneb.example:8080"], joinedState({
                "zone get": { out: zone }, "period get": { out: period({ id: "period-2", master: "zoneb", readOnly: ["zonea"] }) },
            }));
            expect(r.code, r.stderr).to.equal(0);
            expect(r.stderr).not.to.contain("names no realm_id");
            expect(callsOf(r, "period pull")[0] ?? callsOf(r, "period get")[0]).to.include.members(["--rgw-realm", "dr"]);
        });

        it("without --zone on a cluster with several zones and no default zone, says to give --zone", async () => {
            const r = await run(["status"], joinedState({ "zone list": { out: { zones: ["zonea", "zonex"] } }, "zone get": { err: "unable to initialize zone: (2) No such file or directory\n", code: 2 }, "sync status": { out: SYNC_A_INIT } }));
            expect(r.stderr).to.contain("cannot tell which zone this site is");
            expect(r.stderr).to.contain("give --zone to status");
        });
    });

    describe("secrets", () => {
        it("redacts keys that radosgw-admin echoes in an error", async () => {
            const r = await run([...BOOTSTRAP, "--endpoint", endpoint], {
                "realm list": ENOENT("realms"),
                "zonegroup list": ENOENT("zonegroups"),
                "zone list": ENOENT("zones"),
                "zone create": (args: readonly string[]) => ({ err: `bad request: ${args.join(" ")}\n`, code: 22 }),
            });
            expect(r.code).to.equal(1);
            expect(r.stderr).to.contain("radosgw-admin zone create");
            expect(r.stderr).to.contain("--secret ***");
            expectNoSecrets(r);
            expect(r.stderr).to.not.contain(KEYS.RGW_SYSTEM_ACCESS_KEY);
        });
    });
});
