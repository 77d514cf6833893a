// One step of the program that runs a command line on the machine that runs `pulumi up`: the
// radosgw-admin script, and the kubectl glue of the failover stack. A Pulumi dynamic resource, so
// the engine needs no extra provider plugin (the dynamic-provider host ships with @pulumi/pulumi).
// It has the inputs of @pulumi/command's local.Command that this program uses (create, update,
// delete, environment), so the command lines read the same in a `pulumi preview` diff. Why not
// local.Command: README, "Providers".
import { spawn } from "child_process";
import * as pulumi from "@pulumi/pulumi";

/** Type token of a step (`pulumi-nodejs:dynamic/<module>:<type>`); the policy pack matches it. */
export const SHELL_STEP_TYPE = "pulumi-nodejs:dynamic/dr:Step";

/** The step as the provider sees it, secrets unwrapped. */
export interface ShellStepState {
    create: string;
    update?: string;
    delete?: string;
    environment?: Record<string, string>;
}

/** Output kept in an error message: the end of what the command printed, where its reason is. */
const ERROR_TAIL_CHARS = 6000;

/**
 * Runs `bash -c command` in the project directory (the engine starts providers there, where
 * relative paths like scripts/rgw-multisite.sh resolve) with the step's extra environment.
 */
export function runStep(what: string, command: string, environment: Record<string, string> = {}): Promise<void> {
    return new Promise((resolve, reject) => {
        const child = spawn("bash", ["-c", command], { env: { ...process.env, ...environment }, stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        const keep = (d: Buffer) => {
            output = (output + d.toString()).slice(-ERROR_TAIL_CHARS);
        };
        child.stdout.on("data", keep);
        child.stderr.on("data", keep);
        child.on("error", reject);
        child.on("close", (code, signal) => {
            if (code === 0) return resolve();
            reject(new Error(`${what} failed (${signal ? `signal ${signal}` : `exit ${code}`}): ${command}\n${output}`));
        });
    });
}

/** Which of the step's inputs differ; any difference re-runs the update command in place. */
export function changedStepInputs(olds: Partial<ShellStepState>, news: Partial<ShellStepState>): string[] {
    const changed: string[] = [];
    for (const key of ["create", "update", "delete"] as const) {
        if ((olds[key] ?? "") !== (news[key] ?? "")) changed.push(key);
    }
    const oldEnv = olds.environment ?? {};
    const newEnv = news.environment ?? {};
    for (const name of new Set([...Object.keys(oldEnv), ...Object.keys(newEnv)])) {
        if (oldEnv[name] !== newEnv[name]) changed.push(`environment.${name}`);
    }
    return changed;
}

/** The dynamic provider. Its functions are serialized into the state, so they only use the code above. */
export const shellStepProvider: pulumi.dynamic.ResourceProvider<ShellStepState, ShellStepState> = {
    async create(inputs) {
        await runStep("create", inputs.create, inputs.environment);
        return { id: "step", outs: inputs };
    },
    async diff(_id, olds, news) {
        return { changes: changedStepInputs(olds, news).length > 0, replaces: [], deleteBeforeReplace: false };
    },
    async update(_id, _olds, news) {
        await runStep("update", news.update ?? news.create, news.environment);
        return { outs: news };
    },
    async delete(_id, props) {
        if (props.delete) await runStep("delete", props.delete, props.environment);
    },
};

/** Inputs of a ShellStep: the local.Command inputs this program uses. */
export interface ShellStepArgs {
    /** Run on create. */
    create: pulumi.Input<string>;
    /** Run when any input changed. Default: create again (the program's steps are idempotent "ensure"). */
    update?: pulumi.Input<string>;
    /** Run on delete. Default: nothing. */
    delete?: pulumi.Input<string>;
    /** Extra environment; secret values stay secret in the state (the whole map is a secret output). */
    environment?: Record<string, pulumi.Input<string>>;
}

/** A command-line step: create/update/delete commands with an environment. */
export class ShellStep extends pulumi.dynamic.Resource {
    constructor(name: string, args: ShellStepArgs, opts?: pulumi.CustomResourceOptions) {
        super(shellStepProvider, name, { ...args }, {
            ...opts,
            additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "environment"],
        }, "dr", "Step");
    }
}
