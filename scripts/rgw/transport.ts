// How radosgw-admin is reached: the RgwAdmin interface (Ceph's multisite tests call it
// `Cluster.admin(args)`), its process implementation from a word-split command prefix (RGW_ADMIN,
// RGW_PEER_ADMIN), an in-memory fake for tests, and the redaction of secrets in anything logged.
import { spawn } from "child_process";

export interface AdminResult {
    code: number;
    stdout: string;
    stderr: string;
}

export interface RgwAdmin {
    /** `input`, when given, is written to radosgw-admin's stdin (`zonegroup set` reads JSON there). */
    admin(args: readonly string[], input?: string): Promise<AdminResult>;
}

/** The gateway restart command (RGW_RESTART, RGW_PEER_RESTART): stdout and stderr together. */
export interface Restarter {
    /** The command as configured, for progress messages (redacted by the caller). */
    readonly display: string;
    restart(): Promise<{ code: number; output: string }>;
}

/** Word-splits a command prefix as bash splits an unquoted variable (default IFS; no globbing). */
export function splitCommand(value: string | undefined): string[] {
    return (value ?? "").split(/[ \t\n]+/).filter(Boolean);
}

/**
 * Runs a command with stdin closed (an inherited one may never close; ssh prefixes would read it),
 * or fed with `input` and then closed.
 */
export function runProcess(argv: readonly string[], mergeOutput = false, input?: string): Promise<AdminResult> {
    return new Promise((resolve) => {
        const child = spawn(argv[0], argv.slice(1), { stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
        if (input !== undefined && child.stdin) {
            child.stdin.on("error", () => undefined); // a command that does not read stdin closes it early
            child.stdin.end(input);
        }
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout?.on("data", (d: Buffer) => out.push(d));
        child.stderr?.on("data", (d: Buffer) => (mergeOutput ? out : err).push(d));
        child.on("error", (e: NodeJS.ErrnoException) => {
            // What bash says for a missing command, with its exit code.
            const missing = e.code === "ENOENT";
            resolve({ code: missing ? 127 : 126, stdout: "", stderr: `${argv[0]}: ${missing ? "command not found" : e.message}\n` });
        });
        child.on("close", (code, signal) => {
            resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
        });
    });
}

/** radosgw-admin through a command prefix such as `cephadm shell -- radosgw-admin`. */
export class ProcessAdmin implements RgwAdmin {
    constructor(private readonly prefix: readonly string[]) {
        if (prefix.length === 0) throw new Error("empty radosgw-admin command");
    }

    admin(args: readonly string[], input?: string): Promise<AdminResult> {
        return runProcess([...this.prefix, ...args], false, input);
    }
}

export class ProcessRestarter implements Restarter {
    readonly display: string;
    constructor(private readonly argv: readonly string[]) {
        this.display = argv.join(" ");
    }

    async restart(): Promise<{ code: number; output: string }> {
        const r = await runProcess(this.argv, true);
        return { code: r.code, output: r.stdout };
    }
}

/**
 * The `rados` CLI of the same cluster (RGW_RADOS): the tool reads which gateways run (control pool
 * watchers) and breaks sync leases that no running gateway holds (scripts/rgw/leases.ts).
 */
export interface RadosCli {
    rados(args: readonly string[]): Promise<AdminResult>;
}

export class ProcessRados implements RadosCli {
    constructor(private readonly prefix: readonly string[]) {
        if (prefix.length === 0) throw new Error("empty rados command");
    }

    rados(args: readonly string[]): Promise<AdminResult> {
        return runProcess([...this.prefix, ...args]);
    }
}

/**
 * The `rados` prefix: RGW_RADOS when set (empty: none), else RGW_ADMIN with its `radosgw-admin`
 * word replaced by `rados` (both come with Ceph's client packages and take the same cluster
 * options, `-c`, `--cluster`, `-n`, `--keyring`); none when RGW_ADMIN names no radosgw-admin.
 */
export function radosPrefix(env: Record<string, string | undefined>): string[] {
    if (env.RGW_RADOS !== undefined) return splitCommand(env.RGW_RADOS);
    const admin = splitCommand(env.RGW_ADMIN ?? "radosgw-admin");
    const i = admin.findIndex((w) => w === "radosgw-admin" || w.endsWith("/radosgw-admin"));
    if (i < 0) return [];
    return [...admin.slice(0, i), admin[i].replace(/radosgw-admin$/, "rados"), ...admin.slice(i + 1)];
}

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

/** Flags of radosgw-admin whose value is a secret. */
const SECRET_FLAGS = ["--access-key", "--secret", "--secret-key"];

/**
 * Replaces each secret value by `***` in text: values shorter than 4 characters are left alone
 * (they would mangle ordinary text; such keys are not real keys anyway).
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
    let out = text;
    for (const s of secrets) {
        if (s && s.length >= 4) out = out.split(s).join("***");
    }
    return out;
}

/** radosgw-admin arguments as they may be logged: the values of --access-key/--secret are `***`. */
export function redactArgs(args: readonly string[], secrets: readonly (string | undefined)[] = []): string {
    const shown: string[] = [];
    for (let i = 0; i < args.length; i++) {
        const a = args[i];
        const inline = SECRET_FLAGS.find((f) => a.startsWith(`${f}=`));
        if (inline) {
            shown.push(`${inline}=***`);
        } else if (SECRET_FLAGS.includes(a) && i + 1 < args.length) {
            shown.push(a, "***");
            i++;
        } else {
            shown.push(a);
        }
    }
    return redact(shown.join(" "), secrets);
}

// ---------------------------------------------------------------------------------------------
// In-memory fake (tests)
// ---------------------------------------------------------------------------------------------

export type FakeReply = { out?: unknown; err?: string; code?: number };
/** A reply, a list of replies used in turn (the last repeats), or a function of the arguments. */
export type FakeAnswer = FakeReply | FakeReply[] | ((args: readonly string[]) => FakeReply);

/**
 * `rados` answering from a model of one zone's cluster: the gateways watching its control object
 * (a list per `listwatchers` call, the last repeats: a reload is a change of list) and the
 * sync_lock holder of each log-pool object. `lock break` removes the holder. Calls are recorded.
 */
export class FakeRados implements RadosCli {
    private served = 0;

    constructor(
        readonly state: { watchers: string[][]; locks: Map<string, { name: string; cookie: string }> },
        readonly calls: string[][] = [],
    ) {}

    async rados(args: readonly string[]): Promise<AdminResult> {
        this.calls.push(["rados", ...args]);
        // Calls are `-p POOL OP ...`, as Session makes them.
        const op = args[0] === "-p" ? args.slice(2) : [...args];
        if (op[0] === "listwatchers") {
            const list = this.state.watchers[Math.min(this.served++, this.state.watchers.length - 1)] ?? [];
            return { code: 0, stdout: list.map((c, i) => `watcher=10.0.0.1:0/${i} ${c} cookie=${100 + i}\n`).join(""), stderr: "" };
        }
        if (op[0] === "lock" && op[1] === "info") {
            const holder = this.state.locks.get(op[2]);
            if (!holder) return { code: 2, stdout: "", stderr: `error: (2) No such file or directory\n` };
            return { code: 0, stdout: JSON.stringify({ name: "sync_lock", type: "exclusive", lockers: [{ ...holder, description: "", addr: "10.0.0.1:0/1" }] }), stderr: "" };
        }
        if (op[0] === "lock" && op[1] === "break") {
            const holder = this.state.locks.get(op[2]);
            if (holder && holder.name === op[4]) this.state.locks.delete(op[2]);
            return { code: 0, stdout: "", stderr: "" };
        }
        return { code: 1, stdout: "", stderr: `rados: unknown command ${args.join(" ")}\n` };
    }
}

/** The command of a call: the words before the first `--flag` ("period update", "sync group create"). */
export function commandOf(args: readonly string[]): string {
    const i = args.findIndex((a) => a.startsWith("--"));
    // A call that is only a flag (`--version`) is keyed by that flag.
    if (i === 0) return args[0];
    return (i < 0 ? args : args.slice(0, i)).join(" ");
}

/**
 * radosgw-admin answering from canned replies keyed by command; unknown commands print `{}` and
 * succeed (as the script tests' fake binary did). Every call is recorded, tagged when a tag is given.
 */
export class FakeAdmin implements RgwAdmin {
    readonly calls: string[][];
    /** What each call that had stdin got there, by command. */
    readonly inputs = new Map<string, string>();
    private readonly served = new Map<string, number>();

    constructor(
        private readonly answers: Record<string, FakeAnswer>,
        calls: string[][] = [],
        private readonly tag?: string,
    ) {
        this.calls = calls;
    }

    async admin(args: readonly string[], input?: string): Promise<AdminResult> {
        this.calls.push(this.tag ? [this.tag, ...args] : [...args]);
        const cmd = commandOf(args);
        if (input !== undefined) this.inputs.set(cmd, input);
        let answer = this.answers[cmd] ?? { out: {} };
        if (typeof answer === "function") answer = answer(args);
        if (Array.isArray(answer)) {
            const n = this.served.get(cmd) ?? 0;
            this.served.set(cmd, n + 1);
            answer = answer[Math.min(n, answer.length - 1)];
        }
        const out = answer.out === undefined ? "" : typeof answer.out === "string" ? answer.out : JSON.stringify(answer.out, null, 4);
        return { code: answer.code ?? 0, stdout: out, stderr: answer.err ?? "" };
    }
}

/** A restart command that only records that it ran. */
export class FakeRestarter implements Restarter {
    readonly display: string;
    constructor(private readonly calls: string[][], private readonly tag?: string, private readonly code = 0) {
        this.display = tag ? `${tag}-restart` : "restart";
    }

    async restart(): Promise<{ code: number; output: string }> {
        this.calls.push(this.tag ? [this.tag, "RESTART"] : ["RESTART"]);
        return { code: this.code, output: "restarted the gateway\n" };
    }
}
