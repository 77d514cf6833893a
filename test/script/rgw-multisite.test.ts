// End-to-end tests of scripts/rgw-multisite.sh (the launcher and scripts/rgw/cli.ts as a process)
// without Ceph: a fake radosgw-admin binary (RGW_ADMIN) records every call and answers from canned
// output; a fake restart command (RGW_RESTART) records restarts; a tiny HTTP server stands in for
// the gateway endpoint. Few on purpose: exit codes, stdout JSON, stderr, secrets on no argv or log.
// The behaviour of every subcommand is tested through the in-memory transport in
// test/unit/rgw/multisite.test.ts.
import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ENOENT, KEYS, Run, State, expectNoSecrets, expectUsageError, joinedState as joinedStateAt, mutations, period } from "../unit/rgw/fixtures";
import { SYNC_A_INIT, SYNC_B_BEHIND, SYNC_B_CAUGHT_UP } from "./cephSyncText";
import { FakeGateway, startFakeGateway } from "./fakeGateway";

const SCRIPT = path.resolve(__dirname, "../../scripts/rgw-multisite.sh");

// The fake radosgw-admin. The "command" is the words before the first --flag ("period update",
// "sync group create"). FAKE_STATE maps a command to a reply {out, err, code} or to a list of
// replies used in turn (the last one repeats). Unknown commands print {} and succeed. FAKE_TAG
// (the peer site's fake) is logged before the arguments.
const FAKE_ADMIN = `#!/usr/bin/env node
const fs = require("fs");
const argv = process.argv.slice(2);
const tag = process.env.FAKE_TAG ? [process.env.FAKE_TAG] : [];
fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify([...tag, ...argv]) + "\\n");
let i = argv.findIndex((a) => a.startsWith("--"));
if (i < 0) i = argv.length;
const cmd = argv.slice(0, i).join(" ");
const state = JSON.parse(fs.readFileSync(process.env.FAKE_STATE, "utf8"));
let reply = state[cmd] || { out: {} };
if (Array.isArray(reply)) {
  const countFile = process.env.FAKE_STATE + ".count";
  const counts = fs.existsSync(countFile) ? JSON.parse(fs.readFileSync(countFile, "utf8")) : {};
  const n = counts[cmd] || 0;
  counts[cmd] = n + 1;
  fs.writeFileSync(countFile, JSON.stringify(counts));
  reply = reply[Math.min(n, reply.length - 1)];
}
const out = reply.out === undefined ? "" : typeof reply.out === "string" ? reply.out : JSON.stringify(reply.out, null, 4);
process.stdout.write(out);
if (reply.err) process.stderr.write(reply.err === "ECHO_ARGS" ? "bad request: " + argv.join(" ") + "\\n" : reply.err);
process.exit(reply.code || 0);
`;
const FAKE_RESTART = `#!/bin/sh
if [ -n "$FAKE_TAG" ]; then tag="\\"$FAKE_TAG\\","; else tag=""; fi
echo "[$tag\\"RESTART\\"]" >>"$FAKE_LOG"
echo "restarted the gateway"
`;

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

let tmp: string;
let gateway: FakeGateway;
let endpoint: string;

/** A cluster where zonea is the master and zoneb has joined, its zones at the fake gateway. */
const joinedState = (extra: State = {}) => joinedStateAt(extra, endpoint);

let runNo = 0;
// Async (not spawnSync): the fake gateway endpoint is served by this process's event loop.
async function run(args: string[], state: State = {}, env: Record<string, string | undefined> = {}, peerState?: State): Promise<Run> {
    const dir = path.join(tmp, `run${++runNo}`);
    fs.mkdirSync(dir);
    const log = path.join(dir, "calls.log");
    fs.writeFileSync(log, "");
    fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(state));
    const fullEnv: Record<string, string> = {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: process.env.HOME ?? "/tmp",
        FAKE_LOG: log,
        FAKE_STATE: path.join(dir, "state.json"),
        RGW_ADMIN: path.join(tmp, "radosgw-admin"),
        RGW_RESTART: path.join(tmp, "restart"),
        RGW_WAIT_TIMEOUT: "3",
        RGW_POLL_INTERVAL: "0.05",
        ...KEYS,
    };
    if (peerState) {
        // The peer site's radosgw-admin: same fake, its own canned state, calls logged as "peer ...".
        fs.writeFileSync(path.join(dir, "peer.json"), JSON.stringify(peerState));
        fullEnv.RGW_PEER_ADMIN = `env FAKE_TAG=peer FAKE_STATE=${path.join(dir, "peer.json")} ${path.join(tmp, "radosgw-admin")}`;
        fullEnv.RGW_PEER_RESTART = `env FAKE_TAG=peer ${path.join(tmp, "restart")}`;
    }
    for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete fullEnv[k];
        else fullEnv[k] = v;
    }
    const child = spawn("bash", [SCRIPT, ...args], { env: fullEnv, stdio: ["ignore", "pipe", "pipe"], cwd: os.tmpdir() });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    const calls = fs
        .readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]);
    return { code, stdout, stderr, calls };
}


const BOOTSTRAP = ["bootstrap-master", "--realm", "dr", "--zonegroup", "global", "--zone", "zonea"];


describe("rgw-multisite.sh (launcher, end to end)", function () {
    this.timeout(60000);

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rgw-multisite-test-"));
        fs.writeFileSync(path.join(tmp, "radosgw-admin"), FAKE_ADMIN, { mode: 0o755 });
        fs.writeFileSync(path.join(tmp, "restart"), FAKE_RESTART, { mode: 0o755 });
        gateway = await startFakeGateway();
        endpoint = gateway.endpoint;
    });

    after(() => {
        gateway.close();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("exit 2 on bad arguments, before any radosgw-admin call; a key given as a flag is refused and never echoed", async () => {
        expectUsageError(await run(["frobnicate"]), "unknown subcommand 'frobnicate'", "promote");
        expectUsageError(await run(["promote", "--zone", "zoneb", "--zonegroup", "global", "--yes"]), "unknown flag --yes", "allowed: --zone --zonegroup --peer-zone --peer-url --bucket --force");
        const r = await run([...BOOTSTRAP, "--endpoint", endpoint, "--secret", KEYS.RGW_SYSTEM_SECRET_KEY]);
        expectUsageError(r, "--secret is not accepted", "environment");
        expectNoSecrets(r);
    });

    it("--help prints the synopsis of every subcommand and exits 0", async () => {
        const r = await run(["--help"]);
        expect(r.code).to.equal(0);
        for (const sub of ["bootstrap-master", "join-secondary", "sync-scope", "promote", "demote", "fence", "backup-objects"]) expect(r.stderr).to.contain(`rgw-multisite.sh ${sub} `);
    });

    it("exit 0: bootstrap on a fresh cluster, keys only as radosgw-admin arguments, never on stdout or stderr; restart and gateway wait", async () => {
        const r = await run([...BOOTSTRAP, "--endpoint", endpoint], {
            "realm list": ENOENT("realms"),
            "zonegroup list": ENOENT("zonegroups"),
            "zone list": ENOENT("zones"),
            "metadata list user": { out: [] },
            "period get": [{ out: period({ endpoint,  zones: [] }) }, { out: period({ endpoint,  master: "zonea", zones: ["zonea"] }) }],
        });
        expect(r.code, r.stderr).to.equal(0);
        expect(mutations(r)).to.deep.equal(["realm create", "zonegroup create", "zone create", "user create", "period update", "RESTART"]);
        expect(r.stdout).to.equal("");
        expect(r.stderr).to.contain("==> creating realm dr");
        expect(r.stderr).to.contain(`gateway answers at ${endpoint}`);
        expectNoSecrets(r);
    });

    it("status prints one JSON line on stdout (exit 0)", async () => {
        const r = await run(["status", "--zone", "zoneb"], joinedState({ "sync status": { out: SYNC_B_BEHIND } }));
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout.endsWith("\n")).to.equal(true);
        expect(r.stdout.trim().split("\n")).to.have.length(1);
        expect(JSON.parse(r.stdout)).to.include({ zone: "zoneb", metadataMaster: "zonea", isMaster: false });
    });

    it("exit 3 when a preflight refuses (promote while metadata is behind)", async () => {
        const r = await run(["promote", "--zone", "zoneb", "--zonegroup", "global"], joinedState({ "sync status": { out: SYNC_B_BEHIND } }));
        expect(r.code, r.stderr).to.equal(3);
        expect(r.stderr).to.contain("rgw-multisite.sh: refused: ");
        expect(mutations(r)).to.deep.equal([]);
    });

    it("exit 4 when a wait times out", async () => {
        const r = await run(["wait-caught-up", "--timeout", "1"], joinedState({ "sync status": { out: SYNC_A_INIT } }));
        expect(r.code, r.stderr).to.equal(4);
        expect(r.stderr).to.contain("rgw-multisite.sh: timed out: sync not caught up after 1s");
    });

    it("exit 1 with radosgw-admin's words, keys redacted", async () => {
        const r = await run([...BOOTSTRAP, "--endpoint", endpoint], {
            "realm list": ENOENT("realms"),
            "zonegroup list": ENOENT("zonegroups"),
            "zone list": ENOENT("zones"),
            "zone create": { err: "ECHO_ARGS", code: 22 },
        });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain("rgw-multisite.sh: error: radosgw-admin zone create");
        expect(r.stderr).to.contain("--secret ***");
        expect(r.stderr).to.contain("    bad request: zone create");
        expectNoSecrets(r);
        expect(r.stderr).to.not.contain(KEYS.RGW_SYSTEM_ACCESS_KEY);
    });

    it("runs from any working directory and with the peer's transport (promote fences the peer)", async () => {
        const r = await run(
            ["promote", "--zone", "zoneb", "--zonegroup", "global", "--peer-zone", "zonea", "--peer-url", "http://zonea.example:8080"],
            joinedState({
                "sync status": { out: SYNC_B_CAUGHT_UP },
                "period get": [{ out: period({ endpoint,  master: "zonea" }) }, { out: period({ endpoint,  master: "zonea" }) }, { out: period({ endpoint,  master: "zonea" }) }, { out: period({ endpoint,  id: "period-2", master: "zoneb" }) }],
            }),
            {},
            { "period get": { out: period({ endpoint,  master: "zonea" }) } },
        );
        expect(r.code, r.stderr).to.equal(0);
        expect(mutations(r)).to.deep.equal(["peer zone modify", "peer period update", "peer RESTART", "zone modify", "zonegroup modify", "period update", "period commit", "RESTART"]);
    });

    it("the launcher is thin: no set -x, no radosgw-admin, no JavaScript in strings; it runs scripts/rgw/cli.ts", () => {
        const text = fs.readFileSync(SCRIPT, "utf8");
        expect(text).to.match(/^set -euo pipefail$/m);
        expect(text).to.not.match(/^\s*set\s+-[a-z]*x/m);
        expect(text.split("\n").filter((l) => /^\s*radosgw-admin\b/.test(l))).to.deep.equal([]);
        expect(text).to.not.contain("node -e");
        expect(text).to.contain("scripts/rgw/cli.ts");
    });
});
