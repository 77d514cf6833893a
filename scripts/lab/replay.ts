// Deploys the program into the lab with the program's own steps: each stack runs under Pulumi's
// mocks with lab config; the `local.Command`s it declares are executed in declaration order (a
// valid dependency order) with their environment, and the S3 bucket it declares is ensured by the
// bucket resource's own logic (components/bucket) with the inputs it declares. There is no hand-written setup path: wrong commands fail here.
import { spawn } from "child_process";
import * as path from "path";
import { main } from "../../stacks/main";
import { BucketSpec, RGW_BUCKET_TYPE, ensureBucket } from "../../components/bucket/bucketLogic";
import { s3BucketApi } from "../../components/bucket/rgwBucket";
import { SHELL_STEP_TYPE } from "../../components/step/shellStep";
import { MockRun, RecordedResource, runMocked } from "../../test/harness/mocks";

export const REPO_ROOT = path.resolve(__dirname, "../..");

export type Log = (line: string) => void;

export interface StepResult {
    name: string;
    command: string;
    ms: number;
    stdout: string;
    stderr: string;
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

/** Runs a stack's program under mocks with real random keys and returns what it declared. */
export async function recordStack(
    stack: string,
    config: Record<string, unknown>,
    stackReferences: Record<string, { outputs: Record<string, unknown>; secretOutputs?: string[] }> = {},
): Promise<MockRun<unknown>> {
    return runMocked(main, { stack, config, stackReferences, randomSource: "crypto" });
}

/** A recorded run's outputs in the shape a StackReference to it returns. */
export function asStackReference(run: MockRun<unknown>): { outputs: Record<string, unknown>; secretOutputs: string[] } {
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [k, o] of Object.entries(run.outputs)) {
        outputs[k] = o.value;
        if (o.secret) secretOutputs.push(k);
    }
    return { outputs, secretOutputs };
}

/** The bucket spec a recorded bucket resource declares (its inputs, secrets unwrapped by the recorder). */
export function bucketSpecOf(r: RecordedResource): BucketSpec {
    const { bucket, owner, endpoint, region, accessKey, secretKey } = r.inputs;
    return { bucket, owner, endpoint, region, accessKey, secretKey };
}

/** The resource types the lab knows how to apply; anything else in a region stack is reported. */
const APPLIED = new Set([SHELL_STEP_TYPE, RGW_BUCKET_TYPE]);
/** Declared but nothing to apply in the lab (no Kubernetes here; providers and keys are inputs). */
const NOT_APPLIED_PREFIXES = ["pulumi:", "velero-ceph-dr:", "pulumi-nodejs:dynamic/dr:RandomSecret", "pulumi:providers:", "kubernetes:"];

/** Steps that act on Kubernetes through kubectl: there is no cluster in the lab. */
export function isKubernetesStep(r: RecordedResource): boolean {
    return r.type === SHELL_STEP_TYPE && String(r.inputs.create).startsWith("scripts/velero-role.sh ");
}

/** Executes a recorded stack's steps in declaration order. */
export async function replay(run: MockRun<unknown>, log: Log): Promise<StepResult[]> {
    const results: StepResult[] = [];
    for (const r of run.resources) {
        if (isKubernetesStep(r)) {
            log(`  (no Kubernetes in the lab; not run) ${r.inputs.create}`);
            continue;
        }
        if (!APPLIED.has(r.type)) {
            if (!NOT_APPLIED_PREFIXES.some((p) => r.type.startsWith(p))) {
                throw new Error(`the lab cannot apply ${r.type} ${r.name}; teach scripts/lab/replay.ts about it`);
            }
            continue;
        }
        const started = Date.now();
        if (r.type === SHELL_STEP_TYPE) {
            log(`  $ ${r.inputs.create}`);
            const out = await sh(r.inputs.create, r.inputs.environment ?? {}, log);
            results.push({ name: r.name, command: r.inputs.create, ms: Date.now() - started, ...out });
        } else {
            const spec = bucketSpecOf(r);
            const outcome = await ensureBucket(s3BucketApi(spec), spec);
            log(`  S3 bucket ${spec.bucket} on ${spec.endpoint}: ${outcome}`);
            results.push({ name: r.name, command: `ensure bucket ${r.inputs.bucket}`, ms: Date.now() - started, stdout: "", stderr: "" });
        }
    }
    return results;
}
