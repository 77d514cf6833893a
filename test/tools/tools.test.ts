// Smoke tests of the tools scripts/tools/install.sh builds: each one runs for real. A tool that is
// not built fails its test with a message saying to run the install script (never a silent pass).
import { expect } from "chai";
import { ChildProcess, execFile, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { DEBIAN_PROMETHEUS_INSTALL_COMMAND, debianPrometheusBinary, listTools, tool, toolPath, toolsEnv } from "../../scripts/tools/tools";
import { freePort } from "./ports";

const REPO = path.resolve(__dirname, "..", "..");

interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

function run(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
    return new Promise((resolve) => {
        execFile(
            file,
            args,
            { cwd: opts.cwd, env: opts.env ?? toolsEnv(), timeout: opts.timeoutMs ?? 60_000, maxBuffer: 32 << 20 },
            (err, stdout, stderr) => {
                const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
                resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
            },
        );
    });
}

function expectOk(r: RunResult, what: string): void {
    expect(r.code, `${what} failed:\n${r.stdout}\n${r.stderr}`).to.equal(0);
}

/** Starts a long-running process, keeping its output for error messages. */
function start(file: string, args: string[]): { proc: ChildProcess; output: () => string } {
    const proc = spawn(file, args, { env: toolsEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const keep = (b: Buffer) => {
        out = (out + b.toString()).slice(-20_000);
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    return { proc, output: () => out };
}

function stop(proc: ChildProcess | undefined): Promise<void> {
    return new Promise((resolve) => {
        if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
            resolve();
            return;
        }
        const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
        proc.once("exit", () => {
            clearTimeout(timer);
            resolve();
        });
        proc.kill("SIGTERM");
    });
}

function httpsGet(url: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = https.get(url, { rejectUnauthorized: false, timeout: 5_000 }, (res) => {
            let body = "";
            res.on("data", (d) => (body += d));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", reject);
        req.on("timeout", () => req.destroy(new Error("timeout")));
    });
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, detail: () => string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const got = await probe().catch(() => undefined);
        if (got !== undefined) {
            return got;
        }
        if (Date.now() > deadline) {
            throw new Error(`${what}: not within ${timeoutMs / 1000} s\n${detail()}`);
        }
        await new Promise((r) => setTimeout(r, 250));
    }
}

describe("tools built by scripts/tools/install.sh", function () {
    this.timeout(180_000);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "velero-ceph-dr-tools-"));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("tools.tsv pins every tool to an exact version", () => {
        const tools = listTools();
        expect(tools.map((t) => t.name)).to.include.members(["pulumi", "kube-apiserver", "etcd", "velero", "velero-plugin-for-aws", "kube-state-metrics"]);
        for (const t of tools) {
            expect(t.version, t.name).to.match(/^\d+\.\d+\.\d+$/);
        }
    });

    it("pulumi version is the pinned CLI", async () => {
        const r = await run(toolPath("pulumi"), ["version"]);
        expectOk(r, "pulumi version");
        expect(r.stdout.trim()).to.equal(`v${tool("pulumi").version}`);
    });

    it("pulumi preview runs a two-resource Node.js program on a local backend", async () => {
        toolPath("pulumi-language-nodejs");
        const pulumi = toolPath("pulumi");
        const dir = path.join(tmp, "program");
        const backend = path.join(tmp, "backend");
        fs.mkdirSync(dir);
        fs.mkdirSync(backend);
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: tools-smoke\nruntime: nodejs\nmain: index.js\n");
        // Two dynamic resources, the second depending on the first: the engine, the language host
        // and the dynamic-provider host (pulumi-resource-pulumi-nodejs) all take part.
        fs.writeFileSync(
            path.join(dir, "index.js"),
            [
                'const pulumi = require("@pulumi/pulumi");',
                "const provider = { async create(inputs) { return { id: inputs.label, outs: inputs }; } };",
                "class Step extends pulumi.dynamic.Resource {",
                "    constructor(name, props) { super(provider, name, props, {}); }",
                "}",
                'const first = new Step("first", { label: "one" });',
                'const second = new Step("second", { label: "two", after: first.id });',
                "exports.second = second.id;",
                "",
            ].join("\n"),
        );
        const env = { ...toolsEnv(), PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "smoke-test" };
        expectOk(await run(pulumi, ["stack", "init", "smoke", "--non-interactive"], { cwd: dir, env }), "pulumi stack init");
        const r = await run(pulumi, ["preview", "--non-interactive", "--stack", "smoke", "--diff"], { cwd: dir, env, timeoutMs: 150_000 });
        expectOk(r, "pulumi preview");
        expect(r.stdout).to.match(/pulumi-nodejs:dynamic:Resource[\s\S]*first/);
        expect(r.stdout).to.match(/pulumi-nodejs:dynamic:Resource[\s\S]*second/);
        expect(r.stdout).to.match(/\+ 3 to create/);
    });

    it("pulumi-resource-kubernetes starts as a Pulumi plugin (prints its port)", async () => {
        const { proc, output } = start(toolPath("pulumi-resource-kubernetes"), []);
        try {
            const port = await waitFor("pulumi-resource-kubernetes port", 30_000, async () => output().match(/^(\d+)\s*$/m)?.[1], output);
            expect(Number(port)).to.be.greaterThan(0);
        } finally {
            await stop(proc);
        }
    });

    it("etcd, kube-apiserver, kube-controller-manager and kubectl report the pinned versions", async () => {
        const etcd = await run(toolPath("etcd"), ["--version"]);
        expectOk(etcd, "etcd --version");
        expect(etcd.stdout).to.include(`etcd Version: ${tool("etcd").version}`);
        for (const name of ["kube-apiserver", "kube-controller-manager"] as const) {
            const r = await run(toolPath(name), ["--version"]);
            expectOk(r, `${name} --version`);
            expect(r.stdout.trim()).to.equal(`Kubernetes v${tool(name).version}`);
        }
        const kubectl = await run(toolPath("kubectl"), ["version", "--client", "-o", "json"]);
        expectOk(kubectl, "kubectl version --client");
        expect(JSON.parse(kubectl.stdout).clientVersion.gitVersion).to.equal(`v${tool("kubectl").version}`);
    });

    it("kube-apiserver serves /readyz against the built etcd on loopback; pulumi previews a ConfigMap on it, leaving a kubeconfig copy in its TMPDIR", async () => {
        const etcdBin = toolPath("etcd");
        const apiserverBin = toolPath("kube-apiserver");
        const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
        const data = path.join(tmp, "etcd");
        const certs = path.join(tmp, "apiserver");
        fs.mkdirSync(certs);
        const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        fs.writeFileSync(path.join(certs, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }));
        fs.writeFileSync(path.join(certs, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
        const token = crypto.randomBytes(16).toString("hex");
        fs.writeFileSync(path.join(certs, "tokens.csv"), `${token},admin,1,"system:masters"\n`);
        const etcd = start(etcdBin, [
            "--name=smoke",
            `--data-dir=${data}`,
            `--listen-client-urls=http://127.0.0.1:${clientPort}`,
            `--advertise-client-urls=http://127.0.0.1:${clientPort}`,
            `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
            `--initial-cluster=smoke=http://127.0.0.1:${peerPort}`,
        ]);
        let apiserver: ReturnType<typeof start> | undefined;
        try {
            apiserver = start(apiserverBin, [
                `--etcd-servers=http://127.0.0.1:${clientPort}`,
                "--bind-address=127.0.0.1",
                `--secure-port=${apiPort}`,
                `--cert-dir=${certs}`,
                // RBAC, not AlwaysAllow: with AlwaysAllow the API server turns anonymous requests away
                // (401); under RBAC /readyz and /version are public (system:public-info-viewer).
                "--authorization-mode=RBAC",
                `--token-auth-file=${path.join(certs, "tokens.csv")}`,
                `--service-account-key-file=${path.join(certs, "sa.pub")}`,
                `--service-account-signing-key-file=${path.join(certs, "sa.key")}`,
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-cluster-ip-range=10.96.0.0/16",
            ]);
            const api = apiserver;
            const body = await waitFor(
                "kube-apiserver /readyz",
                120_000,
                async () => {
                    const r = await httpsGet(`https://127.0.0.1:${apiPort}/readyz`);
                    return r.status === 200 ? r.body : undefined;
                },
                () => `--- kube-apiserver:\n${api.output().slice(-4000)}\n--- etcd:\n${etcd.output().slice(-2000)}`,
            );
            expect(body).to.equal("ok");
            const version = JSON.parse((await httpsGet(`https://127.0.0.1:${apiPort}/version`)).body);
            expect(version.gitVersion).to.equal(`v${tool("kube-apiserver").version}`);

            // The engine with the built kubernetes provider (found on PATH) against this API server.
            const kubeconfig = [
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                `- {name: smoke, cluster: {server: "https://127.0.0.1:${apiPort}", insecure-skip-tls-verify: true}}`,
                `users: [{name: admin, user: {token: ${token}}}]`,
                "contexts: [{name: smoke, context: {cluster: smoke, user: admin}}]",
                "current-context: smoke",
                "",
            ].join("\n");
            const dir = path.join(tmp, "k8s-program");
            fs.mkdirSync(dir);
            fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"));
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: tools-k8s-smoke\nruntime: nodejs\nmain: index.js\n");
            fs.writeFileSync(
                path.join(dir, "index.js"),
                [
                    'const k8s = require("@pulumi/kubernetes");',
                    'const provider = new k8s.Provider("smoke", { kubeconfig: process.env.SMOKE_KUBECONFIG });',
                    'new k8s.core.v1.ConfigMap("smoke", { metadata: { name: "smoke" }, data: { a: "b" } }, { provider });',
                    "",
                ].join("\n"),
            );
            fs.mkdirSync(path.join(tmp, "k8s-backend"));
            // The engine's own TMPDIR, inside this test's folder (removed with it).
            const engineTmp = path.join(tmp, "engine-tmp");
            fs.mkdirSync(engineTmp);
            const env = {
                ...toolsEnv(),
                TMPDIR: engineTmp,
                PULUMI_BACKEND_URL: `file://${path.join(tmp, "k8s-backend")}`,
                PULUMI_CONFIG_PASSPHRASE: "smoke-test",
                SMOKE_KUBECONFIG: kubeconfig,
            };
            const pulumi = toolPath("pulumi");
            toolPath("pulumi-resource-kubernetes");
            expectOk(await run(pulumi, ["stack", "init", "smoke", "--non-interactive"], { cwd: dir, env }), "pulumi stack init");
            const preview = await run(pulumi, ["preview", "--non-interactive", "--stack", "smoke"], { cwd: dir, env, timeoutMs: 120_000 });
            expectOk(preview, "pulumi preview (kubernetes)");
            expect(preview.stdout).to.match(/kubernetes:core\/v1:ConfigMap\s+smoke\s+create/);
            expect(preview.stdout).to.match(/\+ 3 to create/);
            // An unreachable cluster would only be a warning in a preview.
            expect(preview.stdout + preview.stderr).to.not.match(/unreachable|failed to/i);
            // The provider leaves a copy of the kubeconfig, token included, in TMPDIR at each run:
            // why the failover tool and the lab give each pulumi run a private TMPDIR and remove it
            // (scripts/failover/privateTmp.ts). When this fails, the provider changed: revisit that.
            const copies = fs.readdirSync(engineTmp).filter((f) => /^kubeconfig\d+$/.test(f));
            expect(copies, fs.readdirSync(engineTmp).join(", ")).to.have.length.greaterThan(0);
            expect(copies.some((f) => fs.readFileSync(path.join(engineTmp, f), "utf8").includes(token))).to.equal(true);
        } finally {
            await stop(apiserver?.proc);
            await stop(etcd.proc);
        }
    });

    it("velero version --client-only is the pinned release", async () => {
        const r = await run(toolPath("velero"), ["version", "--client-only"]);
        expectOk(r, "velero version --client-only");
        expect(r.stdout).to.match(new RegExp(`Version:\\s+v${tool("velero").version.replace(/\./g, "\\.")}\\b`));
        expect(r.stdout).to.match(/Git commit:\s+[0-9a-f]{40}\b/);
    });

    it("velero-plugin-for-aws answers the Velero plugin handshake", async () => {
        const bin = toolPath("velero-plugin-for-aws");
        // Without Velero's magic cookie it refuses to run and says it is a plugin.
        const bare = await run(bin, [], { env: { PATH: process.env.PATH } });
        expect(bare.code).to.not.equal(0);
        expect(bare.stderr + bare.stdout).to.include("This binary is a plugin");
        // With it (what velero sets), go-plugin prints its handshake line: core protocol 1, Velero
        // plugin protocol 2, address, grpc.
        const proc = spawn(bin, [], {
            env: { PATH: process.env.PATH, VELERO_PLUGIN: "hello", PLUGIN_MIN_PORT: "20000", PLUGIN_MAX_PORT: "29999", PLUGIN_PROTOCOL_VERSIONS: "2" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        proc.stdout.on("data", (d) => (out += d));
        proc.stderr.on("data", (d) => (out += d));
        try {
            const line = await waitFor("plugin handshake", 30_000, async () => out.match(/^1\|2\|(tcp|unix)\|\S+\|grpc/m)?.[0], () => out);
            expect(line).to.match(/^1\|2\|/);
        } finally {
            await stop(proc);
        }
    });

    it("kube-state-metrics version is the pinned release, with the custom-resource-state flag", async () => {
        const bin = toolPath("kube-state-metrics");
        // kube-state-metrics has a `version` subcommand, no --version flag.
        const r = await run(bin, ["version"]);
        expectOk(r, "kube-state-metrics version");
        expect(r.stdout).to.match(new RegExp(`^kube-state-metrics, version v${tool("kube-state-metrics").version.replace(/\./g, "\\.")} `, "m"));
        const help = await run(bin, ["--help"]);
        expect(help.stdout + help.stderr).to.include("--custom-resource-state-config-file");
    });
});

describe("binaries taken from Debian's prometheus package (scripts/install-promtool.sh)", () => {
    it("prometheus --version prints a Prometheus 2.x or later version", async () => {
        const r = await run(debianPrometheusBinary("prometheus"), ["--version"]);
        expectOk(r, "prometheus --version");
        expect(r.stdout + r.stderr).to.match(/^prometheus, version [2-9]\.\d+\.\d+/m);
    });

    it("promtool --version prints the same version as prometheus", async () => {
        const version = async (name: "prometheus" | "promtool") => {
            const r = await run(debianPrometheusBinary(name), ["--version"]);
            expectOk(r, `${name} --version`);
            return (r.stdout + r.stderr).match(/version (\S+)/)?.[1];
        };
        const prometheus = await version("prometheus");
        expect(prometheus).to.be.a("string");
        expect(await version("promtool")).to.equal(prometheus);
    });

    it("a missing binary fails with the command that installs it", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "no-prometheus-"));
        try {
            expect(() => debianPrometheusBinary("prometheus", dir, path.join(dir, "missing", "prometheus")))
                .to.throw(`prometheus not found on PATH nor at`)
                .with.property("message").that.includes(`run ${DEBIAN_PROMETHEUS_INSTALL_COMMAND}`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
