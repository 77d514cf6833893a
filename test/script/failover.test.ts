// Tests of scripts/failover.sh without clusters. Fakes in a temp dir, first on PATH, each
// recording its calls (one JSON line: tool, site or cluster, argv) in one log, in call order:
// - `pulumi`, `kubectl`, `velero`: answer from a state file that the test writes (kubectl also
//   applies patches to it);
// - `radosgw-admin` of each site (TARGET_RGW_ADMIN / OTHER_RGW_ADMIN): a small stateful model of a
//   zone's period (zone modify + period update --commit change the master and read-only flags), with
//   sync status text as Ceph 16.2 prints it; the real scripts/rgw-multisite.sh runs on top of it;
// - a wrapper for scripts/rgw-multisite.sh (RGW_MULTISITE) that records each call with its site and
//   answers `backup-objects` from the state in the shape the real subcommand prints (that one is
//   tested in backup-objects.test.ts and on the lab), passing every other subcommand to the script;
// - the real scripts/velero-role.sh runs on the fake kubectl;
// - a tiny HTTP server stands in for the gateways (promote waits until they answer).
import { expect } from "chai";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CEPH_IDS, SYNC_A_MASTER, SYNC_B_BEHIND, SYNC_B_CAUGHT_UP, SYNC_B_MASTER_DOWN } from "./cephSyncText";
import { FakeGateway, startFakeGateway } from "./fakeGateway";

const ROOT = path.resolve(__dirname, "../..");
const SCRIPT = path.join(ROOT, "scripts/failover.sh");
const REAL_RGW = path.join(ROOT, "scripts/rgw-multisite.sh");

type Site = "site-a" | "site-b";
const ID = CEPH_IDS;

// ---------------------------------------------------------------------------------------------
// The fakes (one node program; the tool is chosen by FAKE_TOOL)
// ---------------------------------------------------------------------------------------------

const FAKE_JS = String.raw`
const fs = require("fs");
const tool = process.env.FAKE_TOOL;
const argv = process.argv.slice(2);
const stateFile = process.env.FAKE_STATE;
const state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
const save = () => fs.writeFileSync(stateFile, JSON.stringify(state));
const log = (entry) => fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(entry) + "\n");
const out = (x) => process.stdout.write(typeof x === "string" ? x : JSON.stringify(x, null, 2));
const flag = (args, name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const siteOfAdmin = (cmd) => /rgw-admin-a/.test(cmd || "") ? "site-a" : /rgw-admin-b/.test(cmd || "") ? "site-b" : "?";

// Which cluster: --context/--kubecontext, or the current-context of a --kubeconfig file.
function cluster(args) {
  const ctx = flag(args, "--context") || flag(args, "--kubecontext");
  if (ctx) return ctx;
  const file = flag(args, "--kubeconfig");
  if (file) { const m = /current-context: (\S+)/.exec(fs.readFileSync(file, "utf8")); return m ? m[1] : "?"; }
  return "?";
}
// Words without the connection flags, -n NS and -o json.
function words(args) {
  const skip = new Set(["--context", "--kubecontext", "--kubeconfig", "-n", "-o"]);
  const w = [];
  for (let i = 0; i < args.length; i++) { if (skip.has(args[i])) { i++; continue; } w.push(args[i]); }
  return w;
}

// The little of kubectl's jsonpath the scripts use: {.a.b\.c/d}, {range .items[*]}...{end}, {"\n"}.
function jsonpath(tpl, root) {
  const toks = [];
  for (let i = 0; i < tpl.length;) {
    if (tpl[i] === "{") { const j = tpl.indexOf("}", i); toks.push({ expr: tpl.slice(i + 1, j) }); i = j + 1; }
    else { const j = tpl.indexOf("{", i); const e = j < 0 ? tpl.length : j; toks.push({ text: tpl.slice(i, e) }); i = e; }
  }
  const get = (o, p) => p.replace(/^\./, "").split(/(?<!\\)\./).filter(Boolean)
    .reduce((x, k) => (x == null ? undefined : x[k.replace(/\\\./g, ".")]), o);
  const render = (ts, ctx) => {
    let out = "";
    for (let k = 0; k < ts.length; k++) {
      const t = ts[k];
      if (t.text !== undefined) out += t.text;
      else if (t.expr.startsWith("range ")) {
        let depth = 1, m = k + 1;
        for (; m < ts.length; m++) { if (ts[m].expr && ts[m].expr.startsWith("range ")) depth++; if (ts[m].expr === "end" && --depth === 0) break; }
        for (const item of get(ctx, t.expr.slice(6).replace(/\[\*\]$/, "")) || []) out += render(ts.slice(k + 1, m), item);
        k = m;
      } else if (/^".*"$/.test(t.expr)) out += JSON.parse(t.expr);
      else { const v = get(ctx, t.expr); out += v == null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v); }
    }
    return out;
  };
  return render(toks, root);
}

if (tool === "rgw-multisite.sh") {
  const site = siteOfAdmin(process.env.RGW_ADMIN);
  log({ tool, site, argv, peer: siteOfAdmin(process.env.RGW_PEER_ADMIN) === "?" ? undefined : siteOfAdmin(process.env.RGW_PEER_ADMIN) });
  if (argv[0] === "backup-objects") {
    const reply = (state.objects || {})[site];
    if (!reply || reply.code) { process.stderr.write("rgw-multisite.sh: error: radosgw-admin bucket list failed\n"); process.exit(reply ? reply.code : 1); }
    out(reply);
  }
  process.exit(0);
}

if (tool === "radosgw-admin") {
  const site = process.env.FAKE_SITE;
  log({ tool, site, argv });
  const z = state.rgw[site];
  if (z.down) { process.stderr.write("failed to connect to the cluster: (110) Connection timed out\n"); process.exit(1); }
  let i = argv.findIndex((a) => a.startsWith("--"));
  if (i < 0) i = argv.length;
  const cmd = argv.slice(0, i).join(" ");
  const args = argv.slice(i);
  const zoneId = (n) => ID[n] || n + "-id";
  const period = () => ({
    id: "period-" + z.periodN, epoch: 1,
    period_map: { id: "period-" + z.periodN, zonegroups: [{ id: ID.zg, name: "global", is_master: "true", master_zone: zoneId(z.master),
      zones: ["zonea", "zoneb"].map((n) => ({ id: zoneId(n), name: n, endpoints: [state.endpoint], read_only: z.readOnly.includes(n) ? "true" : "false" })) }] },
    master_zonegroup: ID.zg, master_zone: zoneId(z.master), realm_id: ID.realm, realm_name: "dr", realm_epoch: z.realmEpoch,
  });
  switch (cmd) {
    case "period get": out(period()); break;
    case "sync status": out(z.sync); break;
    case "zone modify": {
      const zone = flag(args, "--rgw-zone");
      z.pending = z.pending || {};
      if (args.includes("--master")) z.pending.master = zone;
      const ro = args.find((a) => a.startsWith("--read-only"));
      if (ro) z.pending.readOnly = Object.assign(z.pending.readOnly || {}, { [zone]: ro === "--read-only=true" || ro === "--read-only" });
      save(); out({}); break;
    }
    case "period update":
      if (args.includes("--commit") && z.pending) {
        if (z.pending.master && z.pending.master !== z.master) { z.master = z.pending.master; z.realmEpoch++; }
        for (const [zone, ro] of Object.entries(z.pending.readOnly || {})) {
          z.readOnly = z.readOnly.filter((n) => n !== zone);
          if (ro) z.readOnly.push(zone);
        }
        z.periodN++; z.pending = undefined; save();
      }
      out(period()); break;
    default: out({});
  }
  process.exit(0);
}

if (tool === "restart") {
  log({ tool: "radosgw-admin", site: process.env.FAKE_SITE, argv: ["RESTART"] });
  process.stdout.write("restarted the gateway\n");
  process.exit(0);
}

if (tool === "kubectl") {
  const c = cluster(argv);
  log({ tool, cluster: c, argv });
  const k = state.clusters[c];
  if (!k || k.down) { process.stderr.write("Unable to connect to the server: dial tcp: i/o timeout\n"); process.exit(1); }
  const w = words(argv);
  const [verb, resource, name] = w;
  const o = flag(argv, "-o");
  const emit = (obj) => (o && o.startsWith("jsonpath=") ? process.stdout.write(jsonpath(o.slice(9), obj)) : out(obj));
  if (verb === "get" && resource === "backups.velero.io") {
    if (!name) emit({ items: k.backups });
    else {
      const b = k.backups.find((x) => x.metadata.name === name);
      if (!b) { if (argv.includes("--ignore-not-found")) process.exit(0); process.stderr.write("Error from server (NotFound)\n"); process.exit(1); }
      emit(b);
    }
  } else if (verb === "get" && resource === "podvolumebackups.velero.io") {
    const backupName = (flag(argv, "-l") || "").replace(/^velero\.io\/backup-name=/, "");
    const n = (k.pvbs || {})[backupName] || 0;
    emit({ items: Array.from({ length: n }, (_, i) => ({ metadata: { name: backupName + "-pvb-" + i } })) });
  } else if (verb === "get" && resource === "backupstoragelocations.velero.io") {
    emit({ metadata: { name }, spec: k.bsl.accessMode ? { accessMode: k.bsl.accessMode } : {}, status: { phase: k.bsl.phase } });
  } else if (verb === "get" && resource === "restores.velero.io") {
    emit({ metadata: { name }, status: { phase: k.restorePhase || "Completed" } });
  } else if (verb === "patch" && resource === "backupstoragelocations.velero.io") {
    k.bsl.accessMode = JSON.parse(flag(w, "-p")).spec.accessMode; save();
    process.stdout.write("backupstoragelocation.velero.io/" + name + " patched\n");
  } else if (verb === "delete" && resource === "backups.velero.io") {
    // Deleting the record: backup sync imports it again at once, with what the bucket now lists.
    if (k.reimportPvbs !== undefined) { k.pvbs = Object.assign(k.pvbs || {}, { [name]: k.reimportPvbs }); save(); }
    process.stdout.write("backup.velero.io \"" + name + "\" deleted\n");
  } else if (verb === "delete") {
    process.stdout.write("schedule.velero.io \"every-6h\" deleted\n");
  }
  process.exit(0);
}

if (tool === "velero") {
  const c = cluster(argv);
  log({ tool, cluster: c, argv });
  process.stdout.write("Restore request \"" + argv[2] + "\" submitted successfully.\nRestore completed with status: " + ((state.clusters[c] || {}).restorePhase || "Completed") + ".\n");
  process.exit(0);
}

if (tool === "pulumi") {
  log({ tool, argv, cwd: process.cwd() });
  if (state.pulumiFails && argv.join(" ").startsWith(state.pulumiFails)) { process.stderr.write("error: pulumi failed\n"); process.exit(255); }
  if (argv[0] === "stack" && argv[1] === "output") process.stdout.write("scripts/failover.sh restore --site site-b --namespace velero --kube-context cluster-b\n");
  else if (argv[0] === "preview") process.stdout.write("Previewing update (failover)\n  ~ command:local:Command ceph-metadata-master update\n");
  process.exit(0);
}
process.stderr.write("fake: unknown tool " + tool + "\n");
process.exit(9);
`.replace("const fs", `const ID = ${JSON.stringify(ID)};\nconst fs`);

// ---------------------------------------------------------------------------------------------
// Canned sync status text: test/script/cephSyncText.ts
// ---------------------------------------------------------------------------------------------


// ---------------------------------------------------------------------------------------------
// State: two zones, two clusters, a few backups
// ---------------------------------------------------------------------------------------------

const NEWEST = "every-6h-20261124060000";
const OLDER = "every-6h-20261124000000";
const backup = (name: string, phase: string, completion?: string, site = "site-a") => ({
    metadata: { name, namespace: "velero", labels: { "velero.io/schedule-name": "every-6h", "dr.velero-ceph-dr/site": site } },
    status: { phase, ...(completion ? { completionTimestamp: completion } : {}) },
});
const BACKUPS = [
    backup(OLDER, "Completed", "2026-11-24T00:12:00Z"),
    backup(NEWEST, "Completed", "2026-11-24T06:11:00Z"),
    backup("every-6h-20261124120000", "Failed", "2026-11-24T12:03:00Z"),
    backup("every-6h-20261124180000", "InProgress"),
];
// Every file Velero 1.18.1 writes for a backup (measured on the lab; pkg/persistence/object_store.go).
const OBJECT_NAMES = (name: string) => ["velero-backup.json", `${name}.tar.gz`, `${name}-logs.gz`, `${name}-results.gz`, `${name}-resource-list.json.gz`,
    `${name}-podvolumebackups.json.gz`, `${name}-volumesnapshots.json.gz`, `${name}-itemoperations.json.gz`, `${name}-volumeinfo.json.gz`];
const objects = (zone: string, peer: string, name = NEWEST,
    opts: { without?: string[]; peerCaughtUp?: boolean; peerError?: string; pvbBytes?: number; pvbCount?: number } = {}) => ({
    zone,
    bucket: "velero-backups",
    backup: name,
    prefix: `backups/${name}/`,
    ...(opts.pvbCount !== undefined ? { podVolumeBackups: opts.pvbCount } : {}),
    objects: OBJECT_NAMES(name)
        // An empty PodVolumeBackup list ("null" gzipped) is 25 bytes.
        .map((n, i) => ({ name: `backups/${name}/${n}`, size: n.endsWith("-podvolumebackups.json.gz") ? opts.pvbBytes ?? 25 : 1000 + i, etag: `etag-${i}` }))
        .filter((o) => !(opts.without ?? []).some((n) => o.name.endsWith(`/${n}`))),
    bucketSync: {
        [peer]: opts.peerError
            ? { caughtUp: false, state: "error", error: opts.peerError, behindShards: [] }
            : { caughtUp: opts.peerCaughtUp ?? true, state: "incremental", behindShards: opts.peerCaughtUp === false ? [3] : [] },
    },
});

interface State {
    endpoint?: string;
    rgw: Record<Site, { master: string; readOnly: string[]; realmEpoch: number; periodN: number; sync: string; down?: boolean }>;
    objects: Partial<Record<Site, unknown>>;
    clusters: Record<string, {
        backups: unknown[]; bsl: { accessMode?: string; phase: string }; restorePhase?: string; down?: boolean;
        pvbs?: Record<string, number>; reimportPvbs?: number;
    }>;
    pulumiFails?: string;
}

function healthy(): State {
    return {
        rgw: {
            "site-a": { master: "zonea", readOnly: [], realmEpoch: 2, periodN: 1, sync: SYNC_A_MASTER },
            "site-b": { master: "zonea", readOnly: [], realmEpoch: 2, periodN: 1, sync: SYNC_B_CAUGHT_UP },
        },
        objects: { "site-b": objects("zoneb", "zonea"), "site-a": objects("zonea", "zoneb") },
        clusters: {
            "cluster-a": { backups: BACKUPS, bsl: { accessMode: "ReadWrite", phase: "Available" } },
            "cluster-b": { backups: BACKUPS, bsl: { accessMode: "ReadOnly", phase: "Available" } },
        },
    };
}
/** site-a is gone: its gateway and its cluster do not answer (and must not even be called). */
function siteALost(): State {
    const s = healthy();
    s.rgw["site-a"].down = true;
    s.clusters["cluster-a"].down = true;
    s.rgw["site-b"].sync = SYNC_B_MASTER_DOWN;
    s.objects = { "site-b": objects("zoneb", "zonea", NEWEST, { peerError: "failed to read remote status: (5) Input/output error" }) };
    return s;
}

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

const SECRETS = {
    RGW_SYSTEM_ACCESS_KEY: "SYSTEMACCESSKEY00001",
    RGW_SYSTEM_SECRET_KEY: "system-secret-never-printed-0123456789",
    PULUMI_CONFIG_PASSPHRASE: "pulumi-passphrase-never-printed-42",
    PULUMI_ACCESS_TOKEN: "pul-token-never-printed-0123456789",
};
const KUBECONFIG_B = "apiVersion: v1\nkind: Config\ncurrent-context: cluster-b\nusers:\n- name: b\n  user:\n    token: kube-token-b-never-printed-987\n";
const SECRET_VALUES = [SECRETS.RGW_SYSTEM_SECRET_KEY, SECRETS.RGW_SYSTEM_ACCESS_KEY, SECRETS.PULUMI_CONFIG_PASSPHRASE, SECRETS.PULUMI_ACCESS_TOKEN, "kube-token-b-never-printed-987"];

let tmp: string;
let bin: string;
let gateway: FakeGateway;
let endpoint: string;

interface Call {
    tool: string;
    site?: Site;
    cluster?: string;
    peer?: Site;
    argv: string[];
    cwd?: string;
}
interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
    calls: Call[];
    state: State;
}

let runNo = 0;
async function run(args: string[], state: State = healthy(), env: Record<string, string | undefined> = {}): Promise<Run> {
    const dir = path.join(tmp, `run${++runNo}`);
    fs.mkdirSync(dir);
    const log = path.join(dir, "calls.log");
    const stateFile = path.join(dir, "state.json");
    fs.writeFileSync(log, "");
    fs.writeFileSync(stateFile, JSON.stringify({ ...state, endpoint }));
    const fullEnv: Record<string, string> = {
        PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
        HOME: process.env.HOME ?? "/tmp",
        TMPDIR: dir,
        FAKE_LOG: log,
        FAKE_STATE: stateFile,
        RGW_MULTISITE: path.join(bin, "rgw-multisite.sh"),
        TARGET_RGW_ADMIN: path.join(bin, "rgw-admin-b"),
        TARGET_RGW_RESTART: path.join(bin, "restart-b"),
        OTHER_RGW_ADMIN: path.join(bin, "rgw-admin-a"),
        OTHER_RGW_RESTART: path.join(bin, "restart-a"),
        RGW_WAIT_TIMEOUT: "3",
        RGW_POLL_INTERVAL: "0.05",
        ...SECRETS,
    };
    for (const [k, v] of Object.entries(env)) {
        if (v === undefined) delete fullEnv[k];
        else fullEnv[k] = v;
    }
    // stdin is not a terminal (as in CI): anything that changes something needs --yes.
    const child = spawn("bash", [SCRIPT, ...args], { env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    const calls = fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Call);
    // FAILOVER_TEST_VERBOSE=1 shows what on-call would see.
    if (process.env.FAILOVER_TEST_VERBOSE) console.log(`\n$ failover.sh ${args.join(" ")}   # exit ${code}\n${stdout}${stderr}`);
    return { code, stdout, stderr, calls, state: JSON.parse(fs.readFileSync(stateFile, "utf8")) as State };
}

/** One readable line per call: `site-b rgw-multisite.sh status`, `cluster-a kubectl patch ...`, `pulumi up ...`. */
function describeCall(c: Call): string {
    const where = c.site ?? c.cluster;
    let argv = c.argv;
    if (c.tool === "kubectl" || c.tool === "velero") {
        const skip = new Set(["--context", "--kubecontext", "--kubeconfig", "-n", "-o"]);
        argv = argv.filter((_a, i) => !skip.has(argv[i]) && !skip.has(argv[i - 1]));
    }
    if (c.tool === "radosgw-admin") {
        const i = argv.findIndex((a) => a.startsWith("--"));
        argv = i < 0 ? argv : argv.slice(0, i);
    }
    return [where, c.tool, ...argv].filter(Boolean).join(" ");
}
const MUTATING = /^(pulumi (config (set|rm)|up)|kubectl (patch|delete|apply|create)|velero restore create|radosgw-admin (zone modify|zonegroup modify|period (update|pull)|realm pull|RESTART)|rgw-multisite\.sh (promote|demote|fence))/;
const mutations = (r: Run) => r.calls.map(describeCall).filter((d) => MUTATING.test(d.replace(/^(site-[ab]|cluster-[ab]) /, "")));
const toolCalls = (r: Run, tool: string) => r.calls.filter((c) => c.tool === tool);
const lastLine = (s: string) => s.trim().split("\n").pop() ?? "";

function expectNoSecrets(r: Run) {
    for (const s of SECRET_VALUES) {
        expect(r.stdout, "stdout leaks a secret").to.not.contain(s);
        expect(r.stderr, "stderr leaks a secret").to.not.contain(s);
        for (const c of r.calls) expect(c.argv.join(" "), `${c.tool} argv leaks a secret`).to.not.contain(s);
    }
}

const PREFLIGHT = ["preflight", "--to", "site-b", "--kube-context", "cluster-b"];
const SWITCH = ["switch", "--to", "site-b", "--kube-context", "cluster-b"];
const BREAK_GLASS = () => ["switch", "--break-glass", "--to", "site-b", "--zone", "zoneb", "--zonegroup", "global", "--kube-context", "cluster-b",
    "--other-zone", "zonea", "--other-endpoint", endpoint, "--other-kube-context", "cluster-a", "--yes"];
const RESTORE = ["restore", "--site", "site-b", "--namespace", "velero", "--kube-context", "cluster-b"];

// ---------------------------------------------------------------------------------------------

describe("failover.sh", function () {
    this.timeout(60000);

    before(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "failover-test-"));
        bin = path.join(tmp, "bin");
        fs.mkdirSync(bin);
        const fakeJs = path.join(tmp, "fake.js");
        fs.writeFileSync(fakeJs, FAKE_JS);
        const wrapper = (name: string, env: string) =>
            fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${env} exec node '${fakeJs}' "$@"\n`, { mode: 0o755 });
        wrapper("pulumi", "FAKE_TOOL=pulumi");
        wrapper("kubectl", "FAKE_TOOL=kubectl");
        wrapper("velero", "FAKE_TOOL=velero");
        wrapper("rgw-admin-a", "FAKE_TOOL=radosgw-admin FAKE_SITE=site-a");
        wrapper("rgw-admin-b", "FAKE_TOOL=radosgw-admin FAKE_SITE=site-b");
        wrapper("restart-a", "FAKE_TOOL=restart FAKE_SITE=site-a");
        wrapper("restart-b", "FAKE_TOOL=restart FAKE_SITE=site-b");
        fs.writeFileSync(path.join(bin, "rgw-multisite.sh"), [
            "#!/usr/bin/env bash",
            `FAKE_TOOL=rgw-multisite.sh node '${fakeJs}' "$@" || exit $?`,
            `[[ "\${1:-}" == backup-objects ]] && exit 0`,
            `exec '${REAL_RGW}' "$@"`,
            "",
        ].join("\n"), { mode: 0o755 });
        gateway = await startFakeGateway();
        endpoint = gateway.endpoint;
    });

    after(() => {
        gateway.close();
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    describe("preflight", () => {
        it("says GO when zone B is caught up and the newest complete backup's objects are all on it; changes nothing", async () => {
            const r = await run([...PREFLIGHT, "--other-zone", "zonea"]);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(r.calls.filter((c) => c.tool !== "radosgw-admin").map(describeCall)).to.deep.equal([
                "site-b rgw-multisite.sh status",
                "site-a rgw-multisite.sh status --zone zonea",
                "cluster-b kubectl get backups.velero.io",
                `site-b rgw-multisite.sh backup-objects --bucket velero-backups --backup ${NEWEST} --zone zoneb`,
                `site-a rgw-multisite.sh backup-objects --bucket velero-backups --backup ${NEWEST} --zone zonea`,
            ]);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.stdout).to.contain("==> ");
            expect(r.stdout).to.contain(`newest: ${NEWEST}`);
            expect(r.stdout).to.contain("all 9 objects");
            expect(lastLine(r.stdout)).to.match(/^VERDICT: GO: site-b can become the active site/);
        });

        it("refuses (exit 3) when zone B's sync is behind, saying why and what --force would risk", async () => {
            const s = healthy();
            s.rgw["site-b"].sync = SYNC_B_BEHIND;
            const r = await run(PREFLIGHT, s);
            expect(r.code, r.stderr).to.equal(3);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.stdout).to.contain("metadata sync of zoneb is not caught up with zonea");
            expect(r.stdout).to.contain("behind shards [7,19]");
            expect(r.stdout).to.contain("data sync of zoneb from zonea is not caught up");
            expect(r.stderr).to.contain("what switching with --force would accept");
            expect(r.stderr).to.match(/lost for zoneb/);
            expect(lastLine(r.stdout)).to.match(/^VERDICT: NOT SAFE to make site-b active: metadata sync/);
        });

        it("refuses when the newest backup's tarball has not replicated yet (velero-backup.json can arrive first)", async () => {
            const s = healthy();
            s.objects["site-b"] = objects("zoneb", "zonea", NEWEST, { without: [`${NEWEST}.tar.gz`] });
            const r = await run(PREFLIGHT, s);
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stdout).to.contain(`backup ${NEWEST} is incomplete on zone zoneb: missing ${NEWEST}.tar.gz`);
            expect(r.stderr).to.contain("--backup NAME");
        });

        it("requires every file Velero writes for a backup, not just velero-backup.json and the tarball", async () => {
            for (const file of [`${NEWEST}-podvolumebackups.json.gz`, `${NEWEST}-volumeinfo.json.gz`, `${NEWEST}-results.gz`, `${NEWEST}-itemoperations.json.gz`]) {
                const s = healthy();
                s.objects["site-b"] = objects("zoneb", "zonea", NEWEST, { without: [file] });
                const r = await run(PREFLIGHT, s, { OTHER_RGW_ADMIN: undefined });
                expect(r.code, r.stderr).to.equal(3);
                expect(r.stdout).to.contain(`backup ${NEWEST} is incomplete on zone zoneb: missing ${file}`);
            }
            const ok = await run(PREFLIGHT, healthy(), { OTHER_RGW_ADMIN: undefined });
            expect(ok.stdout).to.contain(`all 9 files Velero writes for ${NEWEST} are on zone zoneb (the other zone was not compared)`);
        });

        it("refuses when zone B lacks an object that zone A holds for the backup (a CSI list), or the bucket (kopia data) is behind", async () => {
            const s = healthy();
            const a = objects("zonea", "zoneb");
            a.objects.push({ name: `backups/${NEWEST}/${NEWEST}-csi-volumesnapshots.json.gz`, size: 700, etag: "etag-csi" });
            s.objects["site-a"] = a;
            s.objects["site-b"] = objects("zoneb", "zonea", NEWEST, { peerCaughtUp: false });
            const r = await run(PREFLIGHT, s);
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stdout).to.contain(`zone zoneb lacks 1 of the 10 objects zone zonea holds for ${NEWEST}: ${NEWEST}-csi-volumesnapshots.json.gz (absent)`);
            expect(r.stdout).to.contain("bucket velero-backups on zone zoneb is not caught up with zonea");
            expect(r.stderr).to.contain("kopia data");
        });

        it("blocks (exit 3, not overridable) when site-a does not answer but is not declared unreachable", async () => {
            const s = healthy();
            s.rgw["site-a"].down = true;
            const r = await run(PREFLIGHT, s);
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stdout).to.contain("BLOCKED: site-a does not answer");
            expect(lastLine(r.stdout)).to.contain("--unreachable site-a --force");
            expect(lastLine(r.stdout)).to.contain("--force does not override this");
        });

        it("with --unreachable site-a never calls site-a, and reports the lost master as not safe", async () => {
            const r = await run([...PREFLIGHT, "--unreachable", "site-a"], siteALost());
            expect(r.code, r.stderr).to.equal(3);
            expect(r.calls.filter((c) => c.site === "site-a" || c.cluster === "cluster-a")).to.deep.equal([]);
            expect(r.stdout).to.contain("site-a is declared unreachable: not contacted");
            expect(r.stdout).to.contain("failed to fetch master sync status");
        });

        it("refuses when Velero in B sees no Completed backup", async () => {
            const s = healthy();
            s.clusters["cluster-b"].backups = [backup("x", "Failed", "2026-11-24T00:00:00Z")];
            const r = await run(PREFLIGHT, s);
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stdout).to.contain("site-b's Velero sees no Completed backup");
            expect(toolCalls(r, "rgw-multisite.sh").map((c) => c.argv[0])).to.not.include("backup-objects");
        });

        it("fails (exit 1) when the target zone cannot be read", async () => {
            const s = healthy();
            s.rgw["site-b"].down = true;
            const r = await run(PREFLIGHT, s);
            expect(r.code, r.stderr).to.equal(1);
            expect(r.stderr).to.contain("cannot read the sync status of site-b's zone");
            expect(lastLine(r.stdout)).to.match(/^VERDICT: FAILED/);
        });
    });

    describe("switch with Pulumi", () => {
        const PULUMI_SEQUENCE = [
            "pulumi config set activeSite site-b -s failover",
            "pulumi config rm unreachableSites -s failover",
            "pulumi config set forcePromotion false -s failover",
            "pulumi preview -s failover --diff",
            "pulumi up -s failover --yes",
            "pulumi stack output restoreCommand -s failover",
        ];

        it("--dry-run runs the read-only preflight, prints every command, and makes no changing call at all", async () => {
            const r = await run([...SWITCH, "--dry-run"]);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(mutations(r)).to.deep.equal([]);
            expect(toolCalls(r, "pulumi")).to.deep.equal([]);
            for (const line of PULUMI_SEQUENCE.slice(0, 3)) expect(r.stdout).to.contain(`would run: ${line}`);
            expect(r.stdout).to.contain("would run: pulumi preview -s failover --diff");
            expect(r.stdout).to.contain("then run: pulumi up -s failover --yes");
            expect(lastLine(r.stdout)).to.match(/^VERDICT: DRY RUN: nothing changed/);
        });

        it("sets activeSite (and the role settings), previews, then deploys, in that order, in the project directory", async () => {
            const r = await run([...SWITCH, "--yes"]);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(toolCalls(r, "pulumi").map(describeCall)).to.deep.equal(PULUMI_SEQUENCE);
            for (const c of toolCalls(r, "pulumi")) expect(c.cwd).to.equal(ROOT);
            // Ceph and Kubernetes are left to the stack: the script itself changes nothing there.
            expect(mutations(r).filter((m) => !m.startsWith("pulumi"))).to.deep.equal([]);
            // The preflight ran before the first config change.
            const first = r.calls.findIndex((c) => c.tool === "pulumi");
            expect(r.calls.slice(0, first).map((c) => c.tool)).to.include.members(["rgw-multisite.sh", "kubectl"]);
            expect(r.stdout).to.contain("scripts/failover.sh restore --site site-b");
            expect(lastLine(r.stdout)).to.equal("VERDICT: DONE: site-b is the active site (stack failover)");
            expectNoSecrets(r);
        });

        it("--stack names another stack", async () => {
            const r = await run([...SWITCH, "--stack", "myorg/velero-ceph-dr/failover", "--yes"]);
            expect(r.code, r.stderr).to.equal(0);
            expect(toolCalls(r, "pulumi")[0].argv).to.deep.equal(["config", "set", "activeSite", "site-b", "-s", "myorg/velero-ceph-dr/failover"]);
        });

        it("refuses (exit 3) without any config change when zone B's sync is behind", async () => {
            const s = healthy();
            s.rgw["site-b"].sync = SYNC_B_BEHIND;
            const r = await run([...SWITCH, "--yes"], s);
            expect(r.code, r.stderr).to.equal(3);
            expect(toolCalls(r, "pulumi")).to.deep.equal([]);
            expect(mutations(r)).to.deep.equal([]);
        });

        it("--force goes on, sets forcePromotion true and says what it accepts", async () => {
            const s = healthy();
            s.rgw["site-b"].sync = SYNC_B_BEHIND;
            const r = await run([...SWITCH, "--force", "--yes"], s);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(toolCalls(r, "pulumi").map(describeCall)).to.deep.equal([
                "pulumi config set activeSite site-b -s failover",
                "pulumi config rm unreachableSites -s failover",
                "pulumi config set forcePromotion true -s failover",
                "pulumi preview -s failover --diff",
                "pulumi up -s failover --yes",
                "pulumi stack output restoreCommand -s failover",
            ]);
            expect(r.stdout).to.contain("going on because of --force, which accepts:");
            expect(r.stdout).to.contain("lost for zoneb");
            expect(lastLine(r.stdout)).to.contain("forcePromotion is true");
        });

        it("lost site: --unreachable site-a --force sets unreachableSites by --path and never calls site-a", async () => {
            const r = await run([...SWITCH, "--unreachable", "site-a", "--force", "--yes"], siteALost());
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(r.calls.filter((c) => c.site === "site-a" || c.cluster === "cluster-a" || c.peer === "site-a")).to.deep.equal([]);
            expect(toolCalls(r, "pulumi").map(describeCall).slice(0, 3)).to.deep.equal([
                "pulumi config set activeSite site-b -s failover",
                "pulumi config set --path unreachableSites[0] site-a -s failover",
                "pulumi config set forcePromotion true -s failover",
            ]);
            expect(r.stdout).to.contain("which accepts");
        });

        it("without --yes and without a terminal stops after the preview (exit 3), before pulumi up", async () => {
            const r = await run(SWITCH);
            expect(r.code, r.stderr).to.equal(3);
            expect(toolCalls(r, "pulumi").map(describeCall)).to.deep.equal(PULUMI_SEQUENCE.slice(0, 4));
            expect(r.stderr).to.contain("re-run with --yes");
        });

        it("stops (exit 1) when the preview fails, and says what the stack config now holds", async () => {
            const s = healthy();
            s.pulumiFails = "preview";
            const r = await run([...SWITCH, "--yes"], s);
            expect(r.code, r.stderr).to.equal(1);
            expect(toolCalls(r, "pulumi").map(describeCall)).to.deep.equal(PULUMI_SEQUENCE.slice(0, 4));
            expect(r.stderr).to.contain("activeSite site-b, nothing is deployed");
            expect(r.stderr).to.contain("done before this point:");
        });
    });

    describe("switch --break-glass", () => {
        it("promotes zone B (fencing zone A first), stops A's Schedules, makes A's location ReadOnly and B's ReadWrite; no Pulumi", async () => {
            const r = await run(BREAK_GLASS());
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(toolCalls(r, "pulumi")).to.deep.equal([]);
            expect(mutations(r)).to.deep.equal([
                `site-b rgw-multisite.sh promote --zone zoneb --zonegroup global --peer-zone zonea --peer-url ${endpoint}`,
                "site-a radosgw-admin zone modify",
                "site-a radosgw-admin period update",
                "site-a radosgw-admin RESTART",
                "site-b radosgw-admin zone modify",
                "site-b radosgw-admin zonegroup modify",
                "site-b radosgw-admin period update",
                "site-b radosgw-admin RESTART",
                "cluster-a kubectl delete schedules.velero.io -l dr.velero-ceph-dr/rpo-seconds --ignore-not-found",
                "cluster-a kubectl patch backupstoragelocations.velero.io default --type merge -p {\"spec\":{\"accessMode\":\"ReadOnly\"}}",
                "cluster-b kubectl patch backupstoragelocations.velero.io default --type merge -p {\"spec\":{\"accessMode\":\"ReadWrite\"}}",
            ]);
            const promote = toolCalls(r, "rgw-multisite.sh").find((c) => c.argv[0] === "promote") as Call;
            expect(promote.peer).to.equal("site-a");
            expect(r.state.rgw["site-b"].master).to.equal("zoneb");
            expect(r.state.rgw["site-a"].readOnly).to.deep.equal(["zonea"]);
            expect(r.state.clusters["cluster-b"].bsl.accessMode).to.equal("ReadWrite");
            expect(r.state.clusters["cluster-a"].bsl.accessMode).to.equal("ReadOnly");
            expect(r.stdout).to.contain("reconcile in Pulumi");
            expect(r.stdout).to.contain("pulumi config set activeSite site-b -s failover");
            expect(r.stdout).to.contain("pulumi up -s failover");
            expect(lastLine(r.stdout)).to.match(/^VERDICT: DONE \(break-glass\): site-b is the active site/);
            expectNoSecrets(r);
        });

        it("site-a lost: --unreachable site-a --force promotes with --force and calls nothing of site-a", async () => {
            const args = ["switch", "--break-glass", "--to", "site-b", "--zone", "zoneb", "--zonegroup", "global", "--kube-context", "cluster-b", "--unreachable", "site-a", "--force", "--yes"];
            const r = await run(args, siteALost());
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(r.calls.filter((c) => c.site === "site-a" || c.cluster === "cluster-a" || c.peer === "site-a")).to.deep.equal([]);
            expect(mutations(r)).to.deep.equal([
                "site-b rgw-multisite.sh promote --zone zoneb --zonegroup global --force",
                "site-b radosgw-admin zone modify",
                "site-b radosgw-admin zonegroup modify",
                "site-b radosgw-admin period update",
                "site-b radosgw-admin RESTART",
                "cluster-b kubectl patch backupstoragelocations.velero.io default --type merge -p {\"spec\":{\"accessMode\":\"ReadWrite\"}}",
            ]);
            expect(r.stdout).to.contain("pulumi config set --path 'unreachableSites[0]' site-a -s failover");
            expect(r.stdout).to.contain("pulumi config set forcePromotion true -s failover");
        });

        it("refuses (exit 3) before any change when zone B is behind and --force is not given", async () => {
            const s = healthy();
            s.rgw["site-b"].sync = SYNC_B_BEHIND;
            const r = await run(BREAK_GLASS(), s);
            expect(r.code, r.stderr).to.equal(3);
            expect(mutations(r)).to.deep.equal([]);
        });

        it("--dry-run prints the promote and the kubectl steps and changes nothing", async () => {
            const r = await run([...BREAK_GLASS(), "--dry-run"]);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.stdout).to.match(/would run: RGW_PEER_ADMIN=\S+rgw-admin-a RGW_PEER_RESTART=\S+restart-a RGW_ADMIN=\S+rgw-admin-b RGW_RESTART=\S+restart-b \S*rgw-multisite.sh promote --zone zoneb --zonegroup global --peer-zone zonea --peer-url /);
            expect(r.stdout).to.contain("would run: scripts/velero-role.sh stop-schedules --namespace velero --label dr.velero-ceph-dr/rpo-seconds (site-a's cluster)");
            expect(r.stdout).to.contain("would run: scripts/velero-role.sh set-access-mode --namespace velero --location default --mode ReadWrite (site-b's cluster)");
            expect(lastLine(r.stdout)).to.match(/^VERDICT: DRY RUN/);
        });

        it("stops with the promote's exit code and changes no cluster when the promotion fails (here: the gateway restart)", async () => {
            const s = healthy();
            s.rgw["site-b"].sync = SYNC_B_BEHIND;
            // With --force the preflight passes; make the promote refuse by taking away the restart command.
            const r = await run([...BREAK_GLASS(), "--force"], s, { TARGET_RGW_RESTART: "false" });
            expect(r.code, r.stderr).to.not.equal(0);
            expect(mutations(r).filter((m) => m.includes("kubectl"))).to.deep.equal([]);
        });
    });

    describe("restore", () => {
        const timeless = (d: string) => d.replace(new RegExp(`${NEWEST}-\\d{14}`, "g"), `${NEWEST}-<time>`);

        it("restores on the active site: checks the location, the zone, every file of the backup and the import, then velero restore create --from-backup --wait", async () => {
            const s = healthy();
            s.clusters["cluster-b"].bsl.accessMode = "ReadWrite";
            const r = await run([...RESTORE, "--yes"], s);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(r.calls.filter((c) => c.tool !== "radosgw-admin").map(describeCall).map(timeless)).to.deep.equal([
                "cluster-b kubectl get backups.velero.io",
                "cluster-b kubectl get backupstoragelocations.velero.io default",
                "site-b rgw-multisite.sh status",
                `site-b rgw-multisite.sh backup-objects --bucket velero-backups --backup ${NEWEST} --zone zoneb`,
                `cluster-b kubectl get podvolumebackups.velero.io -l velero.io/backup-name=${NEWEST}`,
                `cluster-b velero restore create ${NEWEST}-<time> --from-backup ${NEWEST} --wait`,
                `cluster-b kubectl get restores.velero.io ${NEWEST}-<time>`,
            ]);
            const velero = toolCalls(r, "velero")[0];
            expect(velero.argv).to.include.members(["-n", "velero", "--kubecontext", "cluster-b"]);
            expect(r.stdout).to.contain(`all 9 files Velero writes for ${NEWEST} are on zone zoneb`);
            expect(r.stdout).to.contain(`PodVolumeBackups of ${NEWEST}: 0 in site-b's cluster; the bucket's list is 25 bytes gzipped`);
            expect(lastLine(r.stdout)).to.match(new RegExp(`^VERDICT: DONE: restore ${NEWEST}-\\d{14} of backup ${NEWEST} into site-b Completed`));
        });

        it("restores on the passive site without any switch: a ReadOnly location is fine (Velero 1.18.1), and nothing but the restore changes", async () => {
            const r = await run([...RESTORE, "--yes"]); // healthy(): cluster B passive, its location ReadOnly
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(r.stdout).to.contain("accessMode ReadOnly, phase Available");
            expect(r.stdout).to.contain("ReadOnly is fine for a restore");
            expect(r.stdout).to.contain("no switch needed");
            expect(mutations(r).map(timeless)).to.deep.equal([`cluster-b velero restore create ${NEWEST}-<time> --from-backup ${NEWEST} --wait`]);
            expect(r.calls.some((c) => c.tool === "pulumi" || c.cluster === "cluster-a" || c.site === "site-a")).to.equal(false);
            expect(lastLine(r.stdout)).to.match(/^VERDICT: DONE: restore .* into site-b Completed/);
        });

        it("refuses (exit 3) when the zone itself is read-only in Ceph (strictReadOnlyPassive): RGW refuses the restore's writes, so switch first", async () => {
            const s = healthy();
            s.rgw["site-b"].readOnly = ["zoneb"];
            const r = await run([...RESTORE, "--yes"], s);
            expect(r.code, r.stderr).to.equal(3);
            expect(toolCalls(r, "velero")).to.deep.equal([]);
            expect(r.stderr).to.contain("zone zoneb is read-only in Ceph (strictReadOnlyPassive");
            expect(r.stderr).to.contain("failover.sh switch --to site-b");
        });

        it("picks the newest Completed backup made by the other site, not a newer one the restoring site made itself, and says why", async () => {
            const own = "every-6h-20261124130000";
            const s = healthy();
            s.clusters["cluster-b"].backups = [...BACKUPS, backup(own, "Completed", "2026-11-24T13:05:00Z", "site-b")];
            const r = await run([...RESTORE, "--yes"], s);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(r.stdout).to.contain("newest Completed backup made by site-a (label dr.velero-ceph-dr/site=site-a)");
            expect(r.stdout).to.contain(`chosen: ${NEWEST}, the newest Completed backup made by site-a, the other site: backups site-b made itself (after a switch, its first ones) can be nearly empty`);
            expect(r.stdout).to.contain(`passed over 1 newer Completed backup(s): ${own} (dr.velero-ceph-dr/site=site-b`);
            expect(toolCalls(r, "velero")[0].argv).to.include.members(["--from-backup", NEWEST]);

            s.objects["site-b"] = objects("zoneb", "zonea", own);
            const mine = await run([...RESTORE, "--from-site", "site-b", "--yes"], s);
            expect(mine.code, mine.stderr + mine.stdout).to.equal(0);
            expect(mine.stdout).to.contain(`chosen: ${own}, the newest Completed backup made by site-b (--from-site site-b)`);
            expect(toolCalls(mine, "velero")[0].argv).to.include.members(["--from-backup", own]);
        });

        it("refuses (exit 3) when no Completed backup of the other site is visible, pointing at --backup and --from-site", async () => {
            const s = healthy();
            s.clusters["cluster-b"].backups = [backup(NEWEST, "Completed", "2026-11-24T06:11:00Z", "site-b")];
            const r = await run([...RESTORE, "--yes"], s);
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stderr).to.contain("site-b's Velero sees no Completed backup made by site-a (label dr.velero-ceph-dr/site=site-a): pick one with --backup NAME");
            expect(toolCalls(r, "velero")).to.deep.equal([]);
        });

        it("site A lost: without --lost-site the unreachable source blocks (exit 3, naming the flag); with --lost-site site-a it says what may be missing and restores", async () => {
            const s = siteALost();
            s.clusters["cluster-b"].bsl.accessMode = "ReadWrite";
            const blocked = await run([...RESTORE, "--yes"], s);
            expect(blocked.code, blocked.stderr).to.equal(3);
            expect(blocked.stderr).to.contain("bucket velero-backups on zone zoneb is not caught up with zonea");
            expect(blocked.stderr).to.contain("--lost-site site-a");
            expect(toolCalls(blocked, "velero")).to.deep.equal([]);

            const r = await run([...RESTORE, "--lost-site", "site-a", "--yes"], s);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(r.stdout).to.contain("site-a is declared lost (--lost-site site-a): its zone is not contacted and its sync state does not block");
            expect(r.stdout).to.contain(`all 9 files Velero writes for ${NEWEST} are on zone zoneb`);
            expect(r.stdout).to.match(/MAY BE MISSING \(lost site\): bucket velero-backups on zone zoneb is not caught up with zonea \(error, failed to read remote status/);
            expect(r.stdout).to.contain("MAY BE MISSING (lost site): data sync of zone zoneb from zonea is not caught up");
            expect(r.calls.some((c) => c.site === "site-a" || c.cluster === "cluster-a")).to.equal(false);
            expect(lastLine(r.stdout)).to.match(/^VERDICT: DONE: restore .* into site-b Completed; site-a is lost: 2 note\(s\) above on what may be missing/);
        });

        it("site A lost: a backup whose own files are not all on zone B is still refused", async () => {
            const s = siteALost();
            s.objects["site-b"] = objects("zoneb", "zonea", NEWEST, { without: [`${NEWEST}-podvolumebackups.json.gz`], peerError: "failed to read remote status" });
            const r = await run([...RESTORE, "--lost-site", "site-a", "--yes"], s);
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stderr).to.contain(`backup ${NEWEST} is incomplete on zone zoneb: missing ${NEWEST}-podvolumebackups.json.gz`);
            expect(toolCalls(r, "velero")).to.deep.equal([]);
        });

        it("re-imports a backup imported before its PodVolumeBackup list arrived: deletes the Backup record only, waits, compares again, then restores", async () => {
            const s = healthy();
            s.objects["site-b"] = objects("zoneb", "zonea", NEWEST, { pvbCount: 2, pvbBytes: 640 });
            s.clusters["cluster-b"].pvbs = { [NEWEST]: 0 };
            s.clusters["cluster-b"].reimportPvbs = 2;
            const r = await run([...RESTORE, "--yes"], s);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(r.stdout).to.contain(`DIFFERS: site-b's cluster has 0 PodVolumeBackups for ${NEWEST}, the bucket's ${NEWEST}-podvolumebackups.json.gz lists 2`);
            expect(mutations(r).map(timeless)).to.deep.equal([
                `cluster-b kubectl delete backups.velero.io ${NEWEST} --ignore-not-found --wait=true`,
                `cluster-b velero restore create ${NEWEST}-<time> --from-backup ${NEWEST} --wait`,
            ]);
            expect(r.stdout).to.contain(`PodVolumeBackups of ${NEWEST}: 2 in site-b's cluster, 2 in the bucket's list on the zone`);
            expect(r.stdout).to.contain(`the re-imported ${NEWEST} matches the bucket`);
            expect(r.calls.map((c) => c.argv.join(" ")).join("\n")).not.to.match(/deletebackuprequest|backup delete/);
        });

        it("without the list's length from backup-objects, a non-empty list in the bucket against no PodVolumeBackup in the cluster triggers the re-import too", async () => {
            const s = healthy();
            s.objects["site-b"] = objects("zoneb", "zonea", NEWEST, { pvbBytes: 480 });
            s.clusters["cluster-b"].reimportPvbs = 1;
            const r = await run([...RESTORE, "--yes"], s);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(r.stdout).to.contain(`site-b's cluster has no PodVolumeBackup for ${NEWEST}, but the bucket's ${NEWEST}-podvolumebackups.json.gz is not empty (480 bytes)`);
            expect(mutations(r)[0]).to.equal(`cluster-b kubectl delete backups.velero.io ${NEWEST} --ignore-not-found --wait=true`);
        });

        it("refuses (exit 3) when the re-imported backup still differs, and restores nothing; --dry-run only prints the re-import", async () => {
            const s = healthy();
            s.objects["site-b"] = objects("zoneb", "zonea", NEWEST, { pvbCount: 2, pvbBytes: 640 });
            s.clusters["cluster-b"].reimportPvbs = 0;
            const r = await run([...RESTORE, "--yes"], s, { RESTORE_IMPORT_SETTLE_SECONDS: "0" });
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stderr).to.contain(`after the re-import site-b's cluster has 0 PodVolumeBackups for ${NEWEST}, the bucket's ${NEWEST}-podvolumebackups.json.gz lists 2 still`);
            expect(toolCalls(r, "velero")).to.deep.equal([]);
            const dry = await run([...RESTORE, "--dry-run"], s);
            expect(dry.code, dry.stderr).to.equal(0);
            expect(mutations(dry)).to.deep.equal([]);
            expect(dry.stdout).to.contain(`would run: scripts/velero-role.sh reimport-backup --namespace velero --backup ${NEWEST} --timeout 600 (site-b's cluster)`);
        });

        it("refuses an Unavailable location and a backup whose objects are not all on the zone", async () => {
            const s = healthy();
            s.clusters["cluster-b"].bsl = { accessMode: "ReadWrite", phase: "Unavailable" };
            const unavailable = await run([...RESTORE, "--yes"], s);
            expect(unavailable.code, unavailable.stderr).to.equal(3);
            expect(unavailable.stderr).to.contain("Unavailable");
            const t = healthy();
            t.clusters["cluster-b"].bsl.accessMode = "ReadWrite";
            t.objects["site-b"] = objects("zoneb", "zonea", NEWEST, { without: [`${NEWEST}.tar.gz`] });
            const incomplete = await run([...RESTORE, "--yes"], t);
            expect(incomplete.code, incomplete.stderr).to.equal(3);
            expect(incomplete.stderr).to.contain(`backup ${NEWEST} cannot be restored on site-b's zone: backup ${NEWEST} is incomplete on zone zoneb: missing ${NEWEST}.tar.gz`);
            expect(toolCalls(incomplete, "velero")).to.deep.equal([]);
        });

        it("--backup NAME restores that backup when Completed, and refuses one that is not", async () => {
            const s = healthy();
            s.clusters["cluster-b"].bsl.accessMode = "ReadWrite";
            s.objects["site-b"] = objects("zoneb", "zonea", OLDER);
            const ok = await run([...RESTORE, "--backup", OLDER, "--yes"], s);
            expect(ok.code, ok.stderr + ok.stdout).to.equal(0);
            expect(toolCalls(ok, "kubectl").map(describeCall)[0]).to.equal(`cluster-b kubectl get backups.velero.io ${OLDER}`);
            expect(toolCalls(ok, "velero")[0].argv).to.include.members(["--from-backup", OLDER]);
            const failed = await run([...RESTORE, "--backup", "every-6h-20261124120000", "--yes"], s);
            expect(failed.code, failed.stderr).to.equal(3);
            expect(failed.stderr).to.contain("is Failed, not Completed");
            expect(toolCalls(failed, "velero")).to.deep.equal([]);
        });

        it("--dry-run checks, prints the velero command and does not run it", async () => {
            const s = healthy();
            s.clusters["cluster-b"].bsl.accessMode = "ReadWrite";
            const r = await run([...RESTORE, "--dry-run"], s, { TARGET_RGW_ADMIN: undefined });
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(toolCalls(r, "velero")).to.deep.equal([]);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.stdout).to.match(new RegExp(`would run: velero restore create ${NEWEST}-\\d{14} --from-backup ${NEWEST} --wait -n velero --kubecontext cluster-b`));
            expect(r.stdout).to.contain("not checked: set TARGET_RGW_ADMIN");
        });

        it("without --yes and without a terminal refuses (exit 3) before restoring", async () => {
            const s = healthy();
            s.clusters["cluster-b"].bsl.accessMode = "ReadWrite";
            const r = await run(RESTORE, s);
            expect(r.code, r.stderr).to.equal(3);
            expect(toolCalls(r, "velero")).to.deep.equal([]);
        });

        it("a restore that ends PartiallyFailed exits 1 and says where to look", async () => {
            const s = healthy();
            s.clusters["cluster-b"].bsl.accessMode = "ReadWrite";
            s.clusters["cluster-b"].restorePhase = "PartiallyFailed";
            const r = await run([...RESTORE, "--yes"], s);
            expect(r.code, r.stderr).to.equal(1);
            expect(r.stderr).to.contain("ended PartiallyFailed");
            expect(r.stderr).to.contain("velero restore describe");
        });

        it("uses a kubeconfig from TARGET_KUBECONFIG_DATA through a private file, never on a command line or in the output", async () => {
            const s = healthy();
            s.clusters["cluster-b"].bsl.accessMode = "ReadWrite";
            const r = await run(["restore", "--site", "site-b", "--namespace", "velero", "--yes"], s, { TARGET_KUBECONFIG_DATA: KUBECONFIG_B });
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            const velero = toolCalls(r, "velero")[0];
            expect(velero.cluster).to.equal("cluster-b");
            expect(velero.argv).to.include("--kubeconfig");
            expect(r.stdout).to.contain("<a private copy of TARGET_KUBECONFIG_DATA>");
            expectNoSecrets(r);
        });
    });

    describe("arguments", () => {
        const bad: [string, string[], Record<string, string | undefined>, RegExp][] = [
            ["no subcommand", [], {}, /missing subcommand \(allowed: preflight switch restore help\)/],
            ["an unknown subcommand", ["promote"], {}, /unknown subcommand 'promote'/],
            ["switch without --to", ["switch", "--yes"], {}, /missing required flag --to \(allowed: --to --stack/],
            ["a site that does not exist", ["switch", "--to", "site-c"], {}, /--to 'site-c' is not allowed; allowed: site-a or site-b/],
            ["the target declared unreachable", [...SWITCH, "--unreachable", "site-b", "--force"], {}, /--unreachable 'site-b' is not allowed.*allowed: site-a/],
            ["--unreachable without --force", [...SWITCH, "--unreachable", "site-a"], {}, /--unreachable site-a needs --force/],
            ["an unknown flag", [...SWITCH, "--now"], {}, /unknown flag --now \(allowed: /],
            ["a positional argument", ["switch", "site-b"], {}, /unexpected argument 'site-b': arguments are flags only/],
            ["a flag given twice", [...SWITCH, "--to", "site-a"], {}, /--to given twice/],
            ["a key as a flag", [...SWITCH, "--secret-key", "x"], {}, /--secret-key is not accepted: secrets are read from the environment only/],
            ["a switch with a value", [...SWITCH, "--force=yes"], {}, /--force takes no value/],
            ["a bad stack name", [...SWITCH, "--stack", "fail over"], {}, /--stack 'fail over' is not allowed; allowed: a stack name such as/],
            ["a break-glass flag on the Pulumi switch", [...SWITCH, "--zonegroup", "global"], {}, /--zonegroup applies to --break-glass only/],
            ["break-glass without --zone", ["switch", "--break-glass", "--to", "site-b", "--zonegroup", "global", "--kube-context", "c"], {}, /missing required flag --zone/],
            ["break-glass without the other zone", ["switch", "--break-glass", "--to", "site-b", "--zone", "zoneb", "--zonegroup", "global", "--kube-context", "c"], {}, /missing required flag --other-zone/],
            ["break-glass without the other cluster", ["switch", "--break-glass", "--to", "site-b", "--zone", "zoneb", "--zonegroup", "global", "--other-zone", "zonea", "--kube-context", "c"], {}, /which cluster is site-a\? give --other-kube-context C or set OTHER_KUBECONFIG_DATA/],
            ["a bad zone name", [...PREFLIGHT, "--zone", "zone b"], {}, /--zone 'zone b' is not allowed; allowed: 1 to 63 letters/],
            ["no TARGET_RGW_ADMIN", PREFLIGHT, { TARGET_RGW_ADMIN: undefined }, /TARGET_RGW_ADMIN is not set/],
            ["no target cluster", ["preflight", "--to", "site-b"], {}, /which cluster is site-b\? give --kube-context C or set TARGET_KUBECONFIG_DATA/],
            ["restore without --namespace", ["restore", "--site", "site-b", "--kube-context", "c"], {}, /missing required flag --namespace/],
            ["restore with a bad backup name", [...RESTORE, "--backup", "Every_6h"], {}, /--backup 'Every_6h' is not allowed/],
            ["restore with a bad timeout", [...RESTORE, "--timeout", "soon"], {}, /--timeout 'soon' is not allowed; allowed: a positive whole number of seconds/],
            ["restore with the restoring site as the lost one", [...RESTORE, "--lost-site", "site-b"], {}, /--lost-site 'site-b' is not allowed: the site that restores cannot be the lost one; allowed: site-a/],
            ["restore with a lost site that is no site", [...RESTORE, "--lost-site", "a"], {}, /--lost-site 'a' is not allowed; allowed: site-a or site-b/],
            ["restore with --backup and --from-site", [...RESTORE, "--backup", NEWEST, "--from-site", "site-a"], {}, /--backup and --from-site exclude each other/],
            ["restore with a bad --from-site", [...RESTORE, "--from-site", "zonea"], {}, /--from-site 'zonea' is not allowed; allowed: site-a or site-b/],
            ["restore with a bad reimport timeout", [...RESTORE, "--reimport-timeout", "5m"], {}, /--reimport-timeout '5m' is not allowed; allowed: a positive whole number of seconds/],
            ["preflight with --force", [...PREFLIGHT, "--force"], {}, /unknown flag --force/],
        ];
        for (const [what, args, env, message] of bad) {
            it(`exits 2 on ${what}, naming the flag and what is allowed, without calling anything`, async () => {
                const r = await run(args, healthy(), env);
                expect(r.code, r.stderr).to.equal(2);
                expect(r.stderr).to.match(message);
                expect(r.calls).to.deep.equal([]);
                expect(lastLine(r.stdout)).to.match(/^VERDICT: BAD ARGUMENTS: /);
            });
        }
    });

    describe("the script", () => {
        const text = () => fs.readFileSync(SCRIPT, "utf8");

        it("never runs radosgw-admin itself and has no set -x", () => {
            const code = text().split("\n").filter((l) => !/^\s*#/.test(l));
            expect(code.filter((l) => /(^|[\s;|&(])radosgw-admin\s/.test(l) && !/["'].*radosgw-admin/.test(l))).to.deep.equal([]);
            expect(text()).to.not.match(/^\s*set\s+-[a-z]*x/m);
            expect(text()).to.match(/^set -euo pipefail$/m);
        });

        it("documents its exit codes in the header", () => {
            const header = text().split("\n").filter((l) => l.startsWith("#")).join("\n");
            expect(header).to.match(/0 done \/ go, 2 bad arguments.*\n.*3 refused by a safety check.*4 timed out,\n# 1 anything else/);
        });

        it("is clean under shellcheck -S warning (when shellcheck is installed)", function () {
            const probe = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
            if (probe.error) this.skip();
            const r = spawnSync("shellcheck", ["-S", "warning", SCRIPT], { encoding: "utf8" });
            expect(r.status, r.stdout).to.equal(0);
        });
    });
});
