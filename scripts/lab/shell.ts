// Runs the lab's glue scripts from the repo root, and keeps the lab's traffic off any proxy.
import { spawn } from "child_process";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "../..");

export type Log = (line: string) => void;

/** The lab talks only to its own addresses (loopback, the site bridge): never through a proxy. */
export const PROXY_VARIABLES = ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];

/** `env` without the proxy variables. */
export function withoutProxies(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const out = { ...env };
    for (const k of PROXY_VARIABLES) delete out[k];
    return out;
}

/** Runs one shell command from the repo root with extra environment; rejects with its output on failure. */
export function sh(command: string, env: Record<string, string> = {}, log?: Log): Promise<{ stdout: string; stderr: string; code: number }> {
    return new Promise((resolve, reject) => {
        const child = spawn("bash", ["-c", command], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => {
            stderr += d;
            if (log) for (const line of String(d).split("\n").filter(Boolean)) log(`    ${line}`);
        });
        child.on("error", reject);
        child.on("close", (code) => {
            if (code === 0) resolve({ stdout, stderr, code });
            else reject(Object.assign(new Error(`command failed (exit ${code}): ${command}\n${stderr.slice(-4000)}`), { stdout, stderr, code }));
        });
    });
}
