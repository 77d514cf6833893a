// End-to-end tests of scripts/failover.sh through its launcher, without clusters: exit codes, the
// confirmation prompt, secrets never on a command line or in the output, private kubeconfig files,
// and the exact lines the runbook and the lab (scripts/lab/drill.ts) rely on ("chosen:",
// "--lost-site", "ReadOnly is fine for a restore", "VERDICT: ..."). The judgement itself and every
// flow are tested in-process in test/unit/failoverTool*.test.ts.
//
// Fakes in a temp dir, first on PATH, each recording its calls (one JSON line: tool, site or
// cluster, argv) in one log, in call order:
// - `pulumi`, `kubectl`, `velero`: answer from a state file that the test writes (kubectl also
//   applies patches to it); kubectl and velero note the mode of a --kubeconfig file;
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
  const exit = (state.rgwExit || {})[argv[0]];
  if (exit !== undefined) { process.stderr.write("rgw-multisite.sh: refused: (fake) " + argv[0] + "\n"); process.exit(exit); }
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
    case "period commit":
      if ((cmd === "period commit" || args.includes("--commit")) && z.pending) {
        if (z.pending.master && z.pending.master !== z.master) { z.master = z.pending.master; z.realmEpoch++; }
        for (const [zone, ro] of Object.entries(z.pending.readOnly || {})) {
          z.readOnly = z.readOnly.filter((n) => n !== zone);
          if (ro) z.readOnly.push(zone);
        }
        z.periodN++; z.pending = undefined; save();
      }
      out(period()); break;
    case "bucket sync status": {
      // Reef's wording; the zone is caught up with the other one.
      const me = flag(args, "--rgw-zone"), src = me === "zonea" ? "zoneb" : "zonea";
      out("          zone " + zoneId(me) + " (" + me + ")\n    source zone " + zoneId(src) + " (" + src + ")\n                incremental sync on 11 shards\n                bucket is caught up with source\n");
      break;
    }
    default: out({});
  }
  process.exit(0);
}

if (tool === "restart") {
  log({ tool: "radosgw-admin", site: process.env.FAKE_SITE, argv: ["RESTART"] });
  process.stdout.write("restarted the gateway\n");
  process.exit(0);
}

// The permissions of a --kubeconfig file (it holds a secret: 0600).
const kubeconfigMode = (args) => { const f = flag(args, "--kubeconfig"); return f ? (fs.statSync(f).mode & 0o777).toString(8) : undefined; };

if (tool === "kubectl") {
  const c = cluster(argv);
  log({ tool, cluster: c, argv, kubeconfigMode: kubeconfigMode(argv) });
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
  log({ tool, cluster: c, argv, kubeconfigMode: kubeconfigMode(argv) });
  if (state.veleroSleepSeconds) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, state.veleroSleepSeconds * 1000);
  process.stdout.write("Restore request \"" + argv[2] + "\" submitted successfully.\nRestore completed with status: " + ((state.clusters[c] || {}).restorePhase || "Completed") + ".\n");
  process.exit(0);
}

if (tool === "pulumi") {
  log({ tool, argv, cwd: process.cwd(), tmpdir: process.env.TMPDIR, transpileOnly: process.env.PULUMI_NODEJS_TRANSPILE_ONLY });
  // As the Kubernetes provider does at every run: a copy of the kubeconfig in TMPDIR, never removed.
  fs.writeFileSync(require("path").join(process.env.TMPDIR || "/tmp", "kubeconfig" + process.pid), "client-key-data: kube-key-copy\n", { mode: 0o600 });
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
    veleroSleepSeconds?: number;
    /** An rgw-multisite.sh subcommand that exits with this code instead of running. */
    rgwExit?: Record<string, number>;
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
    /** pulumi's TMPDIR. */
    tmpdir?: string;
    /** pulumi's PULUMI_NODEJS_TRANSPILE_ONLY. */
    transpileOnly?: string;
    kubeconfigMode?: string;
}
interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
    calls: Call[];
    state: State;
    /** What the run left in its TMPDIR besides the test's own files (private folders, kubeconfig copies): nothing. */
    leftInTmp: string[];
}

interface RunOptions {
    /** The working directory (default: this test's). */
    cwd?: string;
    /** Run on a terminal (through script(1)) and type this at the prompt. */
    typeOnTerminal?: string;
}

let runNo = 0;
async function run(args: string[], state: State = healthy(), env: Record<string, string | undefined> = {}, opts: RunOptions = {}): Promise<Run> {
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
    // stdin is not a terminal (as in CI): anything that changes something needs --yes. On a
    // terminal (script(1) makes one), stdout and stderr arrive together as stdout.
    const quote = (w: string) => `'${w.replace(/'/g, `'\\''`)}'`;
    const child = opts.typeOnTerminal === undefined
        ? spawn("bash", [SCRIPT, ...args], { env: fullEnv, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] })
        : spawn("script", ["-qec", ["bash", SCRIPT, ...args].map(quote).join(" "), "/dev/null"], { env: fullEnv, cwd: opts.cwd, stdio: ["pipe", "pipe", "pipe"] });
    if (opts.typeOnTerminal !== undefined) child.stdin?.write(`${opts.typeOnTerminal}\n`);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    child.stdin?.end();
    const calls = fs.readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Call);
    // FAILOVER_TEST_VERBOSE=1 shows what on-call would see.
    if (process.env.FAILOVER_TEST_VERBOSE) console.log(`\n$ failover.sh ${args.join(" ")}   # exit ${code}\n${stdout}${stderr}`);
    // v8-compile-cache-*: Node's own code cache (ts-node's), no data of the run.
    const leftInTmp = fs.readdirSync(dir).filter((f) => f !== "calls.log" && f !== "state.json" && !f.startsWith("v8-compile-cache"));
    return { code, stdout, stderr, calls, state: JSON.parse(fs.readFileSync(stateFile, "utf8")) as State, leftInTmp };
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
const MUTATING = /^(pulumi (config (set|rm)|up)|kubectl (patch|delete|apply|create)|velero restore create|radosgw-admin (zone modify|zonegroup modify|period (update|pull|commit)|realm pull|RESTART)|rgw-multisite\.sh (promote|demote|fence))/;
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

describe("failover.sh (end to end, through the launcher)", function () {
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
        it("GO (exit 0) when zone B is caught up and the newest backup is complete on it; the zones read by the real rgw-multisite.sh; changes nothing", async () => {
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
            expect(r.stdout).to.contain("==> preflight: can site-b become the active site?\n");
            expect(r.stdout).to.contain(`    newest: ${NEWEST}\n`);
            expect(lastLine(r.stdout)).to.equal(`VERDICT: GO: site-b can become the active site (zone zoneb caught up, newest backup ${NEWEST} complete there)`);
            expect(r.leftInTmp).to.deep.equal([]);
        });

        it("NOT SAFE (exit 3) when zone B's sync (Ceph's text, read by rgw-multisite.sh) is behind, with what --force would risk", async () => {
            const s = healthy();
            s.rgw["site-b"].sync = SYNC_B_BEHIND;
            const r = await run(PREFLIGHT, s);
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stdout).to.contain("    NOT SAFE: metadata sync of zoneb is not caught up with zonea");
            expect(r.stdout).to.contain("behind shards [7,19]");
            expect(r.stderr).to.contain("what switching with --force would accept");
            expect(lastLine(r.stdout)).to.match(/^VERDICT: NOT SAFE to make site-b active: metadata sync/);
        });

        it("FAILED (exit 1) when the target zone cannot be read", async () => {
            const s = healthy();
            s.rgw["site-b"].down = true;
            const r = await run(PREFLIGHT, s);
            expect(r.code, r.stderr).to.equal(1);
            expect(r.stderr).to.contain("failover.sh: error: cannot read the sync status of site-b's zone");
            expect(lastLine(r.stdout)).to.match(/^VERDICT: FAILED: /);
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

        it("with --yes sets the role settings, previews and deploys in the project directory; no secret on a command line or in the output", async () => {
            const r = await run([...SWITCH, "--yes"]);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(toolCalls(r, "pulumi").map(describeCall)).to.deep.equal(PULUMI_SEQUENCE);
            for (const c of toolCalls(r, "pulumi")) expect(c.cwd).to.equal(ROOT);
            expect(r.stdout).to.contain("    + pulumi up -s failover --yes\n");
            expect(r.stdout).to.contain("Previewing update (failover)"); // pulumi's own output passes through
            expect(r.stdout).to.contain("scripts/failover.sh restore --site site-b");
            expect(lastLine(r.stdout)).to.equal("VERDICT: DONE: site-b is the active site (stack failover)");
            expectNoSecrets(r);
        });

        it("runs each pulumi command with its own TMPDIR and removes it, with the kubeconfig copy the provider leaves there", async () => {
            const r = await run([...SWITCH, "--yes"]);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            const tmpdirs = toolCalls(r, "pulumi").map((c) => c.tmpdir ?? "(unset)");
            expect(tmpdirs).to.have.length(PULUMI_SEQUENCE.length);
            expect(new Set(tmpdirs).size, tmpdirs.join(", ")).to.equal(tmpdirs.length);
            for (const t of tmpdirs) {
                expect(path.basename(t)).to.match(/^failover-pulumi\./);
                expect(fs.existsSync(t), `${t} still exists`).to.equal(false);
            }
            expect(r.leftInTmp).to.deep.equal([]);
        });

        it("runs pulumi without ts-node's type check unless PULUMI_NODEJS_TRANSPILE_ONLY says otherwise", async () => {
            const quick = await run([...SWITCH, "--yes"]);
            expect(quick.code, quick.stderr).to.equal(0);
            expect(toolCalls(quick, "pulumi").map((c) => c.transpileOnly)).to.deep.equal(PULUMI_SEQUENCE.map(() => "true"));
            const checked = await run([...SWITCH, "--yes"], healthy(), { PULUMI_NODEJS_TRANSPILE_ONLY: "false" });
            expect(checked.code, checked.stderr).to.equal(0);
            expect(toolCalls(checked, "pulumi").map((c) => c.transpileOnly)).to.deep.equal(PULUMI_SEQUENCE.map(() => "false"));
        });

        it("without --yes and without a terminal stops after the preview (exit 3), before pulumi up", async () => {
            const r = await run(SWITCH);
            expect(r.code, r.stderr).to.equal(3);
            expect(toolCalls(r, "pulumi").map(describeCall)).to.deep.equal(PULUMI_SEQUENCE.slice(0, 4));
            expect(r.stderr).to.contain("re-run with --yes");
            expect(lastLine(r.stdout)).to.match(/^VERDICT: REFUSED: nothing was confirmed/);
        });

        it("on a terminal asks for the site's name, and deploys once it is typed", function () {
            if (spawnSync("script", ["--version"]).error) this.skip();
            return run(SWITCH, healthy(), {}, { typeOnTerminal: "site-b" }).then((r) => {
                expect(r.code, r.stdout).to.equal(0);
                expect(r.stdout).to.contain("Deploy the role switch to site-b (stack failover)? Type site-b to go on: ");
                expect(toolCalls(r, "pulumi").map(describeCall)).to.deep.equal(PULUMI_SEQUENCE);
            });
        });
    });

    describe("switch --break-glass", () => {
        it("promotes zone B through rgw-multisite.sh (fencing zone A first, with A's transport), then the clusters; no Pulumi, no secret shown", async () => {
            const r = await run(BREAK_GLASS());
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(toolCalls(r, "pulumi")).to.deep.equal([]);
            expect(mutations(r)).to.deep.equal([
                `site-b rgw-multisite.sh promote --zone zoneb --zonegroup global --peer-zone zonea --peer-url ${endpoint} --bucket velero-backups`,
                "site-a radosgw-admin zone modify",
                "site-a radosgw-admin period update",
                // (no restart of A: its commit's realm notify reloads its gateway, which answers)
                "site-b radosgw-admin zone modify",
                "site-b radosgw-admin zonegroup modify",
                "site-b radosgw-admin period update",
                "site-b radosgw-admin period commit",
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
            expect(r.stdout).to.contain("    pulumi config set activeSite site-b -s failover\n");
            expect(lastLine(r.stdout)).to.match(/^VERDICT: DONE \(break-glass\): site-b is the active site/);
            expectNoSecrets(r);
        });

        it("--dry-run shows the promote with both sites' transports as bash would quote them, and changes nothing", async () => {
            const r = await run([...BREAK_GLASS(), "--dry-run"]);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(mutations(r)).to.deep.equal([]);
            expect(r.stdout).to.contain(`would run: RGW_PEER_ADMIN=${bin}/rgw-admin-a RGW_PEER_RESTART=${bin}/restart-a RGW_ADMIN=${bin}/rgw-admin-b RGW_RESTART=${bin}/restart-b ${bin}/rgw-multisite.sh promote --zone zoneb --zonegroup global --peer-zone zonea --peer-url ${endpoint} --bucket velero-backups\n`);
            expect(r.stdout).to.contain("would run: scripts/velero-role.sh stop-schedules --namespace velero --label dr.velero-ceph-dr/rpo-seconds (site-a's cluster)");
            expect(lastLine(r.stdout)).to.match(/^VERDICT: DRY RUN/);
        });

        it("passes the promote's refusal on (exit 3) and changes no cluster", async () => {
            const r = await run(BREAK_GLASS(), { ...healthy(), rgwExit: { promote: 3 } });
            expect(r.code, r.stderr).to.equal(3);
            expect(r.stderr).to.contain("rgw-multisite.sh: refused: (fake) promote\n");
            expect(mutations(r).filter((m) => m.includes("kubectl"))).to.deep.equal([]);
            expect(lastLine(r.stdout)).to.equal("VERDICT: REFUSED: rgw-multisite.sh promote refused (exit 3): see its message above");
        });
    });

    describe("restore", () => {
        it("on the passive site without a switch: the lines the lab checks, velero restore create --wait, nothing else changed", async () => {
            const r = await run([...RESTORE, "--yes"]); // healthy(): cluster B passive, its location ReadOnly
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(r.calls.filter((c) => c.tool !== "radosgw-admin").map(describeCall).map((d) => d.replace(/\d{14}/g, "<time>"))).to.deep.equal([
                "cluster-b kubectl get backups.velero.io",
                "cluster-b kubectl get backupstoragelocations.velero.io default",
                "site-b rgw-multisite.sh status",
                `site-b rgw-multisite.sh backup-objects --bucket velero-backups --backup ${NEWEST.replace(/\d{14}/, "<time>")} --zone zoneb`,
                `cluster-b kubectl get podvolumebackups.velero.io -l velero.io/backup-name=${NEWEST.replace(/\d{14}/, "<time>")}`,
                `cluster-b velero restore create every-6h-<time>-<time> --from-backup every-6h-<time> --wait`,
                "cluster-b kubectl get restores.velero.io every-6h-<time>-<time>",
            ]);
            expect(r.stdout).to.contain("ReadOnly is fine for a restore");
            expect(r.stdout).to.contain(`    chosen: ${NEWEST}, the newest Completed backup made by site-a, the other site`);
            expect(r.stdout).to.contain("    chose every-6h-20261124060000, the newest Completed backup labelled dr.velero-ceph-dr/site=site-a"); // velero-role.sh's note
            expect(toolCalls(r, "velero")[0].argv).to.include.members(["-n", "velero", "--kubecontext", "cluster-b"]);
            expect(lastLine(r.stdout)).to.match(new RegExp(`^VERDICT: DONE: restore ${NEWEST}-\\d{14} of backup ${NEWEST} into site-b Completed`));
        });

        it("site A lost: without --lost-site refused (exit 3, naming the flag); with --lost-site site-a restored, never calling site A", async () => {
            const s = siteALost();
            const blocked = await run([...RESTORE, "--yes"], s);
            expect(blocked.code, blocked.stderr).to.equal(3);
            expect(blocked.stderr).to.contain("--lost-site site-a");
            expect(toolCalls(blocked, "velero")).to.deep.equal([]);

            const r = await run([...RESTORE, "--lost-site", "site-a", "--yes"], s);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(r.stdout).to.contain(`    chosen: ${NEWEST}`);
            expect(r.stdout).to.contain("MAY BE MISSING (lost site): bucket velero-backups on zone zoneb is not caught up with zonea");
            expect(r.calls.some((c) => c.site === "site-a" || c.cluster === "cluster-a")).to.equal(false);
            expect(lastLine(r.stdout)).to.match(/^VERDICT: DONE: restore .* into site-b Completed; site-a is lost: 2 note\(s\) above on what may be missing/);
        });

        it("re-imports through velero-role.sh: deletes the Backup record only, compares again, restores", async () => {
            const s = healthy();
            s.objects["site-b"] = objects("zoneb", "zonea", NEWEST, { pvbCount: 2, pvbBytes: 640 });
            s.clusters["cluster-b"].pvbs = { [NEWEST]: 0 };
            s.clusters["cluster-b"].reimportPvbs = 2;
            const r = await run([...RESTORE, "--yes"], s);
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            expect(mutations(r).map((m) => m.replace(new RegExp(`${NEWEST}-\\d{14}`), `${NEWEST}-<time>`))).to.deep.equal([
                `cluster-b kubectl delete backups.velero.io ${NEWEST} --ignore-not-found --wait=true`,
                `cluster-b velero restore create ${NEWEST}-<time> --from-backup ${NEWEST} --wait`,
            ]);
            expect(r.stdout).to.contain(`the re-imported ${NEWEST} matches the bucket`);
            expect(r.calls.map((c) => c.argv.join(" ")).join("\n")).not.to.match(/deletebackuprequest|backup delete/);
        });

        it("a kubeconfig from TARGET_KUBECONFIG_DATA goes to a 0600 file that is gone afterwards, never to a command line or the output", async () => {
            const r = await run(["restore", "--site", "site-b", "--namespace", "velero", "--yes"], healthy(), { TARGET_KUBECONFIG_DATA: KUBECONFIG_B });
            expect(r.code, r.stderr + r.stdout).to.equal(0);
            const velero = toolCalls(r, "velero")[0];
            expect(velero.cluster).to.equal("cluster-b");
            expect(velero.argv).to.include("--kubeconfig");
            expect(velero.kubeconfigMode).to.equal("600");
            expect(toolCalls(r, "kubectl").map((c) => c.kubeconfigMode)).to.satisfy((modes: Array<string | undefined>) => modes.every((m) => m === "600"));
            expect(r.stdout).to.contain("--kubeconfig <a private copy of TARGET_KUBECONFIG_DATA>");
            expect(r.leftInTmp).to.deep.equal([]);
            expectNoSecrets(r);
        });

        it("--timeout: a restore that does not end in time exits 4 (coreutils timeout)", async () => {
            const s = healthy();
            s.veleroSleepSeconds = 5;
            const r = await run([...RESTORE, "--timeout", "1", "--yes"], s);
            expect(r.code, r.stderr).to.equal(4);
            expect(r.stderr).to.match(/failover\.sh: timed out: restore \S+ did not end within 1s; it goes on in the cluster/);
            expect(lastLine(r.stdout)).to.match(/^VERDICT: TIMED OUT: /);
        });
    });

    describe("arguments", () => {
        const bad: [string, string[], RegExp][] = [
            ["a site that does not exist", ["switch", "--to", "site-c"], /^failover\.sh switch: --to 'site-c' is not allowed; allowed: site-a or site-b\n/],
            ["a key as a flag", [...SWITCH, "--secret-key", "x"], /^failover\.sh switch: --secret-key is not accepted: secrets are read from the environment only/],
        ];
        for (const [what, args, message] of bad) {
            it(`exits 2 on ${what}, calling nothing`, async () => {
                const r = await run(args);
                expect(r.code, r.stderr).to.equal(2);
                expect(r.stderr).to.match(message);
                expect(r.calls).to.deep.equal([]);
                expect(lastLine(r.stdout)).to.match(/^VERDICT: BAD ARGUMENTS: /);
            });
        }

        it("help prints every subcommand and exits 0, from any working directory", async () => {
            const r = await run(["help"], healthy(), {}, { cwd: os.tmpdir() });
            expect(r.code, r.stderr).to.equal(0);
            expect(r.stdout).to.contain("failover.sh switch --break-glass --to SITE");
            expect(r.stdout).to.contain("Exit codes: 0 done / go, 2 bad arguments");
        });
    });

    describe("the launcher and the program", () => {
        const text = () => fs.readFileSync(SCRIPT, "utf8");
        const programFiles = () => fs.readdirSync(path.join(ROOT, "scripts/failover")).map((f) => path.join(ROOT, "scripts/failover", f));

        it("is thin glue: set -euo pipefail, no set -x, no JavaScript in strings, runs scripts/failover/cli.ts with ts-node", () => {
            expect(text()).to.match(/^set -euo pipefail$/m);
            expect(text()).to.not.match(/^\s*set\s+-[a-z]*x/m);
            expect(text()).to.not.contain("node -e");
            expect(text()).to.match(/^exec "\$TS_NODE" --transpile-only "\$ROOT\/scripts\/failover\/cli\.ts" "\$@"$/m);
            expect(text().split("\n").filter((l) => l.trim() && !l.startsWith("#")).length).to.be.below(15);
        });

        it("documents its exit codes in the header", () => {
            const header = text().split("\n").filter((l) => l.startsWith("#")).join("\n");
            expect(header).to.match(/0 done \/ go, 2 bad arguments.*\n.*3 refused by a safety check.*4 timed out,\n# 1 anything else/);
        });

        it("never runs radosgw-admin itself: only rgw-multisite.sh speaks it", () => {
            for (const f of programFiles()) {
                const code = fs.readFileSync(f, "utf8").split("\n").filter((l) => !/^\s*(\/\/|\*|\/\*)/.test(l));
                expect(code.filter((l) => /run\(\[\s*"radosgw-admin"/.test(l) || /spawn\(\s*"radosgw-admin"/.test(l)), f).to.deep.equal([]);
            }
        });

        it("is clean under shellcheck -S warning (when shellcheck is installed)", function () {
            const probe = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
            if (probe.error) this.skip();
            const r = spawnSync("shellcheck", ["-S", "warning", SCRIPT], { encoding: "utf8" });
            expect(r.status, r.stdout).to.equal(0);
        });
    });
});
