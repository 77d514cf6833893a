// Running a child process: the one place this tool starts programs (pulumi, kubectl, velero,
// scripts/rgw-multisite.sh, scripts/velero-role.sh). Arguments never pass through a shell.
import { spawn } from "child_process";
import { constants } from "os";

export type ChildEnv = Record<string, string | undefined>;

export interface RunOptions {
    env?: ChildEnv;
    cwd?: string;
    /** "capture": returned as text; "inherit": straight to this process's stream (live progress). */
    stdout?: "capture" | "inherit";
    stderr?: "capture" | "inherit";
}

export interface RunResult {
    /** The exit code; 128+N when killed by signal N (as a shell reports it); 127 when it could not start. */
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs argv[0] with argv[1..]; stdin is this process's (a child may ask nothing of it, but it is a terminal's). */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    const [program, ...args] = argv;
    return new Promise((resolve) => {
        const child = spawn(program, args, {
            cwd: options.cwd,
            env: options.env ? clean(options.env) : process.env,
            stdio: ["inherit", options.stdout === "capture" ? "pipe" : "inherit", options.stderr === "capture" ? "pipe" : "inherit"],
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout?.on("data", (d: Buffer) => out.push(d));
        child.stderr?.on("data", (d: Buffer) => err.push(d));
        let startError: Error | undefined;
        child.on("error", (e) => (startError = e));
        child.on("close", (code, signal) => {
            const stderr = Buffer.concat(err).toString("utf8");
            if (startError) {
                const message = `failover.sh: cannot run ${program}: ${(startError as NodeJS.ErrnoException).code ?? startError.message}\n`;
                if (options.stderr !== "capture") process.stderr.write(message);
                resolve({ code: 127, stdout: "", stderr: options.stderr === "capture" ? stderr + message : stderr });
                return;
            }
            const signalled = signal ? 128 + (constants.signals[signal] ?? 0) : undefined;
            resolve({ code: code ?? signalled ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr });
        });
    });
}

/** The environment without the variables set to undefined (unset for the child). */
function clean(env: ChildEnv): NodeJS.ProcessEnv {
    const result: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(env)) if (v !== undefined) result[k] = v;
    return result;
}
