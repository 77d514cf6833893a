// Test harness: runs a Pulumi program under mocks and records every resource it declares.
//
// Three things Pulumi's mocks do not do for us, handled once here:
// - resource options (protect, retainOnDelete, dependsOn, parent, provider) never reach
//   `newResource`: a stack transformation sees them and records them;
// - secret inputs arrive wrapped in a signature object: they are unwrapped, and their paths kept
//   in `secretPaths` so tests can assert what is secret;
// - `additionalSecretOutputs` is not applied: tests assert secrecy on inputs and stack outputs.
// Unmocked invokes and stack references to unknown stacks fail loudly.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { RANDOM_SECRET_TYPE } from "../../components/secrets/randomSecret";

/** The signature Pulumi puts on a serialized secret value. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

export interface RecordedOptions {
    protect?: boolean;
    retainOnDelete?: boolean;
    /** Names of the resources this one depends on explicitly. */
    dependsOn: string[];
    /** Name of the parent resource (the stack's name for top-level resources). */
    parent?: string;
    /** Name of the explicit provider, if any. */
    provider?: string;
    ignoreChanges?: string[];
    deleteBeforeReplace?: boolean;
    replaceOnChanges?: string[];
}

export interface RecordedResource {
    type: string;
    name: string;
    /** Inputs with secrets unwrapped. */
    inputs: Record<string, any>;
    /** Dotted paths of inputs that were secret, e.g. `environment.RGW_USER_SECRET_KEY`. */
    secretPaths: string[];
    options: RecordedOptions;
    /** Declaration order (0-based), a valid dependency order. */
    order: number;
}

export interface StackOutput {
    value: any;
    secret: boolean;
}

export interface MockRun<T> {
    resources: RecordedResource[];
    outputs: Record<string, StackOutput>;
    /** What the program function returned, for programs that return objects. */
    returned: T;
}

export interface RunOptions {
    project?: string;
    stack: string;
    /** Config by key without project prefix; objects are JSON-encoded as Pulumi does. */
    config?: Record<string, unknown>;
    /** Config keys (without prefix) that are set as secrets. */
    secretConfig?: string[];
    /** Stack reference name -> its outputs. Values listed in `secretOutputs` are returned as secret. */
    stackReferences?: Record<string, { outputs: Record<string, unknown>; secretOutputs?: string[] }>;
    /** `crypto` gives real random values (the lab uses them as real keys); default deterministic. */
    randomSource?: "deterministic" | "crypto";
    preview?: boolean;
}

export const DEFAULT_PROJECT = "velero-ceph-dr";

/**
 * A program's error also rejects promises inside Pulumi's Stack that nobody awaits. runMocked
 * re-throws the error to its caller; these duplicates are ignored so that a caller outside mocha
 * (the lab) can handle it instead of the process dying. Any other unhandled rejection still
 * ends the process, as by default.
 */
const rethrownErrors = new WeakSet<object>();
let rejectionGuardInstalled = false;
function installRejectionGuard(): void {
    if (rejectionGuardInstalled) return;
    rejectionGuardInstalled = true;
    process.on("unhandledRejection", (reason) => {
        if (reason && typeof reason === "object" && rethrownErrors.has(reason)) return;
        throw reason;
    });
}

/** Unwraps Pulumi secret signatures, collecting the paths that were secret. */
export function unwrapSecrets(value: any, path = "", secretPaths: string[] = []): any {
    if (value && typeof value === "object" && !Array.isArray(value)) {
        if (value[SIG_KEY] === SECRET_SIG) {
            secretPaths.push(path);
            return unwrapSecrets(value.value, path, []);
        }
        const out: Record<string, any> = {};
        for (const [k, v] of Object.entries(value)) {
            out[k] = unwrapSecrets(v, path ? `${path}.${k}` : k, secretPaths);
        }
        return out;
    }
    if (Array.isArray(value)) {
        return value.map((v, i) => unwrapSecrets(v, `${path}[${i}]`, secretPaths));
    }
    return value;
}

/** A value of RandomSecret's length from its alphabet: deterministic per name, or from crypto. */
function randomText(name: string, inputs: any, source: "deterministic" | "crypto"): string {
    const length: number = inputs.length;
    const alphabet: string = inputs.alphabet;
    const bytes = source === "crypto"
        ? crypto.randomBytes(length)
        : Buffer.concat(Array.from({ length: Math.ceil(length / 32) + 1 }, (_, i) =>
            crypto.createHash("sha256").update(`${name}:${i}`).digest()));
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
    return out;
}

function resourceName(r: any): string | undefined {
    return r?.__name;
}

/** Resolves an Output (or plain value) to its value and secretness. */
export async function resolveOutput(o: any): Promise<StackOutput> {
    if (pulumi.Output.isInstance(o)) {
        const value = await (o as any).promise();
        const secret = await (o as any).isSecret;
        return { value: await resolveDeep(value), secret };
    }
    return { value: await resolveDeep(o), secret: false };
}

async function resolveDeep(v: any): Promise<any> {
    if (pulumi.Output.isInstance(v)) return (await resolveOutput(v)).value;
    if (Array.isArray(v)) return Promise.all(v.map(resolveDeep));
    if (v && typeof v === "object" && !(v instanceof pulumi.Resource)) {
        const out: Record<string, any> = {};
        for (const [k, x] of Object.entries(v)) out[k] = await resolveDeep(x);
        return out;
    }
    return v;
}

function mockState(type: string, name: string, inputs: any, opts: RunOptions): Record<string, any> {
    const source = opts.randomSource ?? "deterministic";
    switch (type) {
        case RANDOM_SECRET_TYPE:
            return { ...inputs, result: randomText(name, inputs, source) };
        case "pulumi:pulumi:StackReference": {
            const ref = opts.stackReferences?.[inputs.name];
            if (!ref) {
                throw new Error(`unmocked stack reference "${inputs.name}": give it in RunOptions.stackReferences`);
            }
            return {
                name: inputs.name,
                outputs: ref.outputs,
                secretOutputNames: ref.secretOutputs ?? [],
            };
        }
        default:
            return { ...inputs };
    }
}

/**
 * The provider a resource really uses: mocks pass `urn::id` of the provider, which covers one
 * inherited from a parent component, where the option itself is unset.
 */
function withProvider(options: RecordedOptions, providerRef: string | undefined): RecordedOptions {
    if (options.provider || !providerRef) return options;
    const urn = providerRef.split("::").slice(0, -1).join("::");
    const name = urn.split("::").pop();
    return { ...options, provider: name };
}

function configMap(opts: RunOptions): Record<string, string> {
    const project = opts.project ?? DEFAULT_PROJECT;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.config ?? {})) {
        const key = k.includes(":") ? k : `${project}:${k}`;
        out[key] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return out;
}

/**
 * Runs `program` as a Pulumi stack under mocks and records every resource.
 * The program runs inside a real root stack so stack outputs and transformations work.
 */
export async function runMocked<T>(program: () => T | Promise<T>, opts: RunOptions): Promise<MockRun<T>> {
    const project = opts.project ?? DEFAULT_PROJECT;
    installRejectionGuard();
    const resources: RecordedResource[] = [];
    const byName = new Map<string, RecordedResource>();
    const pendingOptions = new Map<string, RecordedOptions>();

    await pulumi.runtime.setMocks(
        {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                const secretPaths: string[] = [];
                const inputs = unwrapSecrets(args.inputs, "", secretPaths);
                const key = `${args.type}::${args.name}`;
                const rec: RecordedResource = {
                    type: args.type,
                    name: args.name,
                    inputs,
                    secretPaths,
                    options: withProvider(pendingOptions.get(key) ?? { dependsOn: [] }, args.provider),
                    order: resources.length,
                };
                resources.push(rec);
                byName.set(args.name, rec);
                return { id: `${args.name}-id`, state: mockState(args.type, args.name, inputs, opts) };
            },
            call(args: pulumi.runtime.MockCallArgs) {
                throw new Error(`unmocked invoke ${args.token}(${JSON.stringify(args.inputs)})`);
            },
        },
        project,
        opts.stack,
        opts.preview ?? false,
    );
    pulumi.runtime.setAllConfig(
        configMap(opts),
        (opts.secretConfig ?? []).map((k) => (k.includes(":") ? k : `${project}:${k}`)),
    );

    let returned!: T;
    const stackRun = (pulumi.runtime as any).runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            const o = args.opts as pulumi.CustomResourceOptions;
            const deps = o.dependsOn;
            const depList = Array.isArray(deps) ? deps : deps ? [deps] : [];
            pendingOptions.set(`${args.type}::${args.name}`, {
                protect: o.protect,
                retainOnDelete: o.retainOnDelete,
                dependsOn: depList.map((d: any) => resourceName(d) ?? "<output>"),
                parent: resourceName(o.parent),
                provider: resourceName(o.provider),
                ignoreChanges: o.ignoreChanges,
                deleteBeforeReplace: o.deleteBeforeReplace,
                replaceOnChanges: o.replaceOnChanges,
            });
            return undefined;
        });
        returned = await program();
        return returned;
    });
    try {
        await stackRun;
    } catch (e) {
        if (e && typeof e === "object") rethrownErrors.add(e);
        // Tests of failures check what had been declared before the program threw.
        await new Promise((r) => setImmediate(r));
        throw Object.assign(e as Error, { recorded: resources });
    }

    // The stack's own resolved outputs lose secretness: resolve what the program returned.
    const outputs: Record<string, StackOutput> = {};
    if (returned && typeof returned === "object") {
        for (const [k, v] of Object.entries(returned)) {
            if (v !== undefined) outputs[k] = await resolveOutput(v);
        }
    }
    // Let pending registrations finish so every resource is recorded.
    await new Promise((r) => setImmediate(r));
    return { resources, outputs, returned };
}

/**
 * Whether the input at `path` is secret: Pulumi marks the innermost Output that carried the
 * secret, which may be a parent (a whole `environment` map built from secret values).
 */
export function isSecretInput(r: RecordedResource, path: string): boolean {
    return r.secretPaths.some((p) => p === "" || path === p || path.startsWith(`${p}.`));
}

/** Runs a program that must fail; returns its error and the resources declared before it failed. */
export async function runFailing(program: () => unknown, opts: RunOptions): Promise<{ error: Error; resources: RecordedResource[] }> {
    try {
        await runMocked(program, opts);
    } catch (e) {
        return { error: e as Error, resources: (e as any).recorded ?? [] };
    }
    throw new Error("expected the program to fail, but it succeeded");
}

/** Finds recorded resources by type token (suffix match allowed, e.g. `local:Command`). */
export function ofType(run: { resources: RecordedResource[] }, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type || r.type.endsWith(type));
}

/** The one resource with this name; fails loudly when absent. */
export function named(run: { resources: RecordedResource[] }, name: string): RecordedResource {
    const r = run.resources.find((x) => x.name === name);
    if (!r) {
        throw new Error(`no resource named "${name}"; have: ${run.resources.map((x) => x.name).join(", ")}`);
    }
    return r;
}
