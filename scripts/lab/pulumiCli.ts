// The real Pulumi engine for the lab: the built CLI, a local file backend and a passphrase inside
// the lab folder, and the built plugins (scripts/tools). The program is this checkout; its stacks
// live in a lab project folder so `pulumi config set` never touches the committed stack files.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { withPrivateTmpDir } from "../failover/privateTmp";
import { engineEnv } from "../failover/pulumi";
import { toolPath, toolsEnv } from "../tools/tools";
import { Log, REPO_ROOT, withoutProxies } from "./shell";

/** What the lab project folder links from the checkout: the program, its scripts and its packages. */
const LINKED = ["components", "stacks", "scripts", "policy", "node_modules", "package.json", "tsconfig.json"];

export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
    ms: number;
}

export class PulumiError extends Error {
    constructor(message: string, readonly result: CliResult) {
        super(message);
    }
}

/**
 * A Pulumi project folder for the lab: Pulumi.yaml copied from the checkout, everything else
 * linked, so the engine runs this checkout's program while the stack files stay in the lab.
 */
export function makeProjectDir(dir: string): string {
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const name of LINKED) {
        const link = path.join(dir, name);
        if (!fs.existsSync(link)) fs.symlinkSync(path.join(REPO_ROOT, name), link);
    }
    return dir;
}

export interface WorkspaceSettings {
    /** The lab project folder (see makeProjectDir). */
    projectDir: string;
    /** Folder of the file backend. */
    stateDir: string;
    /** Passphrase of the passphrase secrets provider (a lab value, never a real secret). */
    passphrase: string;
    /** Extra environment for the engine and the program (e.g. KUBECONFIG for kubectl steps). */
    env?: Record<string, string>;
}

/** Runs the built pulumi CLI in a project folder against a file backend. */
export class PulumiWorkspace {
    constructor(private readonly s: WorkspaceSettings, private readonly log: Log) {
        fs.mkdirSync(s.stateDir, { recursive: true });
    }

    env(): NodeJS.ProcessEnv {
        return {
            ...toolsEnv(withoutProxies(process.env)),
            PULUMI_BACKEND_URL: `file://${this.s.stateDir}`,
            PULUMI_CONFIG_PASSPHRASE: this.s.passphrase,
            PULUMI_SKIP_CONFIRMATIONS: "true",
            NO_COLOR: "1",
            // `pulumi up --event-log FILE` (the engine's events, for the order of a switch's steps) is a
            // debug command in 3.248: without this the CLI says "unknown flag: --event-log".
            PULUMI_DEBUG_COMMANDS: "1",
            ...this.s.env,
        };
    }

    /** `pulumi ARGS`; rejects with the output when it fails, unless `allowFailure`. */
    run(args: string[], opts: { allowFailure?: boolean; quiet?: boolean; stdin?: string } = {}): Promise<CliResult> {
        const started = Date.now();
        if (!opts.quiet) this.log(`  $ pulumi ${args.map(showArg).join(" ")}`);
        // As the failover tool runs pulumi (engineEnv): its own TMPDIR per run, removed after it
        // (the Kubernetes provider leaves a copy of each kubeconfig there), and no type check.
        return withPrivateTmpDir("lab-pulumi", (tmp) => new Promise<CliResult>((resolve, reject) => {
            const child = spawn(toolPath("pulumi"), ["--non-interactive", ...args], { cwd: this.s.projectDir, env: engineEnv(this.env(), tmp) });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            child.stdin.end(opts.stdin ?? "");
            child.on("error", reject);
            child.on("close", (code) => {
                const result = { code: code ?? -1, stdout, stderr, ms: Date.now() - started };
                if (result.code === 0 || opts.allowFailure) return resolve(result);
                reject(new PulumiError(`pulumi ${args.map(showArg).join(" ")} failed (exit ${code}):\n${diagnostics(stdout) || tail(stdout, 4000)}\n${tail(stderr, 2000)}`, result));
            });
        }));
    }

    async stackInit(stack: string): Promise<void> {
        const existing = await this.run(["stack", "ls", "--json"], { quiet: true });
        const names = (JSON.parse(existing.stdout) as Array<{ name: string }>).map((x) => x.name.split("/").pop());
        if (!names.includes(stack)) await this.run(["stack", "init", stack, "--secrets-provider", "passphrase"]);
    }

    /**
     * `pulumi config set` as the README writes it. A secret goes through standard input, never the
     * command line (where `ps` would show it).
     */
    async configSet(stack: string, key: string, value: string, opts: { secret?: boolean; path?: boolean } = {}): Promise<void> {
        const args = ["config", "set", "-s", stack];
        if (opts.path) args.push("--path");
        if (opts.secret) {
            await this.run([...args, "--secret", key], { stdin: value, quiet: true });
            this.log(`  $ pulumi config set -s ${stack} --secret ${key} < (secret)`);
            return;
        }
        // `--` so a value starting with '-' is not taken for a flag.
        await this.run([...args, "--", key, value]);
    }

    /** Plain (non-secret) values in one `pulumi config set-all` call. */
    async configSetAll(stack: string, values: Record<string, string>, opts: { path?: boolean } = {}): Promise<void> {
        const pairs = Object.entries(values).flatMap(([k, v]) => ["--plaintext", `${k}=${v}`]);
        await this.run(["config", "set-all", "-s", stack, ...(opts.path ? ["--path"] : []), ...pairs]);
    }

    async configRm(stack: string, key: string): Promise<void> {
        await this.run(["config", "rm", "-s", stack, key], { allowFailure: true });
    }

    /** `pulumi preview --diff`: the text a reviewer reads in a PR. */
    async previewDiff(stack: string): Promise<string> {
        return (await this.run(["preview", "--diff", "-s", stack])).stdout;
    }

    /** `pulumi up --yes`; returns the engine's summary of changes (and its event log, with `eventLog`). */
    async up(stack: string, eventLog?: string): Promise<{ ms: number; output: string; changes: Record<string, number>; events: string }> {
        const r = await this.run(["up", "--yes", "--skip-preview", "-s", stack, ...(eventLog ? ["--event-log", eventLog] : [])]);
        const events = eventLog && fs.existsSync(eventLog) ? fs.readFileSync(eventLog, "utf8") : "";
        return { ms: r.ms, output: r.stdout, changes: changeSummary(r.stdout), events };
    }

    /** `pulumi up --expect-no-changes`: fails when anything would change. */
    async upExpectingNoChanges(stack: string): Promise<CliResult> {
        return this.run(["up", "--yes", "--skip-preview", "--expect-no-changes", "-s", stack], { allowFailure: true });
    }

    async outputs(stack: string, showSecrets = false): Promise<Record<string, unknown>> {
        const args = ["stack", "output", "--json", "-s", stack];
        if (showSecrets) args.push("--show-secrets");
        return JSON.parse((await this.run(args, { quiet: showSecrets })).stdout) as Record<string, unknown>;
    }

    async exportState(stack: string): Promise<string> {
        return (await this.run(["stack", "export", "-s", stack], { quiet: true })).stdout;
    }

    async destroy(stack: string): Promise<CliResult> {
        return this.run(["destroy", "--yes", "--skip-preview", "-s", stack], { allowFailure: true });
    }
}

/** `Resources: + 3 to create ~ 1 to update 12 unchanged` as counts by operation. */
export function changeSummary(output: string): Record<string, number> {
    const section = output.slice(output.lastIndexOf("Resources:"));
    const counts: Record<string, number> = {};
    for (const m of section.matchAll(/^\s+(?:[-+~]+\s+)?(\d+) (created|updated|deleted|replaced|unchanged|to create|to update|to delete|to replace)/gm)) {
        counts[m[2].replace(/^to /, "")] = Number(m[1]);
    }
    return counts;
}

/** The engine's Diagnostics section, where a failed step says why (minus the plugin-path notices). */
export function diagnostics(output: string): string {
    const start = output.indexOf("Diagnostics:");
    if (start < 0) return "";
    const rest = output.slice(start);
    const end = rest.search(/\n(Outputs|Resources):/);
    return (end > 0 ? rest.slice(0, end) : rest).split("\n").filter((l) => !/warning: (using pulumi-|resource plugin kubernetes is expected)/.test(l)).join("\n");
}

function tail(text: string, chars: number): string {
    return text.length > chars ? `...${text.slice(-chars)}` : text;
}

function showArg(a: string): string {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`;
}
