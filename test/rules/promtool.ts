// Finds and runs promtool for the rule tests. promtool comes from PATH or from the project-local
// tools dir that scripts/install-promtool.sh fills; without either the tests fail, never pass silently.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEBIAN_PROMETHEUS_DIR, debianPrometheusBinary } from "../../scripts/tools/tools";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const LOCAL_PROMTOOL = path.join(DEBIAN_PROMETHEUS_DIR, "promtool");

/** The promtool to use: from `searchPath` (PATH), else the local one; throws with instructions when there is none. */
export function findPromtool(searchPath = process.env.PATH ?? "", local = LOCAL_PROMTOOL): string {
    return debianPrometheusBinary("promtool", searchPath, local);
}

export interface PromtoolResult {
    status: number;
    output: string;
}

/** Runs promtool with `args` in `cwd`; returns exit status and combined output. */
export function promtool(args: string[], cwd: string): PromtoolResult {
    const r = spawnSync(findPromtool(), args, { cwd, encoding: "utf8", timeout: 60_000 });
    if (r.error) throw r.error;
    return { status: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

/** Like promtool(), without blocking: independent runs can use both cores. */
export function promtoolAsync(args: string[], cwd: string): Promise<PromtoolResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(findPromtool(), args, { cwd, timeout: 120_000 });
        let output = "";
        child.stdout.on("data", (d) => (output += d));
        child.stderr.on("data", (d) => (output += d));
        child.on("error", reject);
        child.on("close", (code) => resolve({ status: code ?? -1, output }));
    });
}

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `value` as a YAML file (JSON is YAML; promtool reads both). */
export function writeYaml(file: string, value: unknown): void {
    fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
