// Runs policies the way the policy server does, without a server: validateResource or
// validateStack with arguments shaped like @pulumi/policy's (props behind its unknown-checking
// proxy, config with the schema's defaults, notApplicable that ends the call), and a report
// function that collects violations. Also turns resources recorded under Pulumi mocks into
// PolicyResources, so whole stacks can be checked.
import { DEFAULT_PROJECT, RecordedResource } from "../harness/mocks";
import {
    EnforcementLevel, Policies, PolicyProviderResource, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, ResourceValidationPolicy,
    StackValidationArgs, StackValidationPolicy, unknownCheckingProxy,
} from "../../policy/resources";

export type AnyPolicy = Policies[number];

export interface Violation {
    policy: string;
    enforcementLevel: EnforcementLevel;
    message: string;
    /** The resource reported on (resource policies), or the URN a stack policy named. */
    urn?: string;
}

export interface Outcome {
    violations: Violation[];
    /** Set when the policy called notApplicable: its reason. */
    notApplicable?: string;
}

class NotApplicable extends Error {
    constructor(public readonly reason: string) {
        super(reason);
    }
}

export function isStackPolicy(policy: AnyPolicy): policy is StackValidationPolicy {
    return "validateStack" in policy && typeof policy.validateStack === "function";
}

/** The policy's config as the CLI gives it: schema defaults, then what the test sets. */
function configOf(policy: AnyPolicy, config: Record<string, unknown> = {}): Record<string, unknown> {
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (schema.default !== undefined) defaults[key] = schema.default;
    }
    return { ...defaults, ...config };
}

function common(policy: AnyPolicy, config?: Record<string, unknown>) {
    return {
        stackTags: new Map<string, string>() as ReadonlyMap<string, string>,
        getConfig: <T extends object>() => configOf(policy, config) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason ?? "not applicable");
        },
    };
}

function typeChecks(type: string, props: Record<string, unknown>) {
    const pulumiType = (resourceClass: unknown) => (resourceClass as { __pulumiType?: string }).__pulumiType;
    return {
        isType: (resourceClass: unknown) => pulumiType(resourceClass) === type,
        asType: (resourceClass: unknown) => (pulumiType(resourceClass) === type ? props : undefined),
    };
}

async function collect(policy: AnyPolicy, run: (report: (message: string, urn?: string) => void) => Promise<void> | void, defaultUrn?: string): Promise<Outcome> {
    const violations: Violation[] = [];
    const report = (message: string, urn?: string) => {
        if (typeof message !== "string" || message === "") throw new Error(`${policy.name} reported an empty message`);
        violations.push({ policy: policy.name, enforcementLevel: policy.enforcementLevel ?? "mandatory", message, urn: urn ?? defaultUrn });
    };
    try {
        await run(report);
    } catch (err) {
        if (err instanceof NotApplicable) return { violations, notApplicable: err.reason };
        throw err;
    }
    return { violations };
}

/** Runs a resource policy on one resource. */
export function validateResource(policy: ResourceValidationPolicy, resource: PolicyResource, config?: Record<string, unknown>): Promise<Outcome> {
    const props = unknownCheckingProxy(resource.props) as Record<string, unknown>;
    const args = {
        type: resource.type,
        props,
        urn: resource.urn,
        name: resource.name,
        opts: resource.opts,
        ...(resource.provider ? { provider: resource.provider } : {}),
        ...common(policy, config),
        ...typeChecks(resource.type, props),
    } as ResourceValidationArgs;
    const validations = policy.validateResource === undefined ? []
        : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    return collect(policy, async (report) => {
        for (const validation of validations) await validation(args, report);
    }, resource.urn);
}

/** Runs a stack policy on a stack's resources. */
export function validateStack(policy: StackValidationPolicy, resources: PolicyResource[], config?: Record<string, unknown>): Promise<Outcome> {
    const proxied = resources.map((r) => ({ ...r, props: unknownCheckingProxy(r.props) as Record<string, unknown> }));
    const args = { resources: proxied, ...common(policy, config) } as StackValidationArgs;
    return collect(policy, (report) => policy.validateStack(args, report));
}

export interface PolicyRun {
    violations: Violation[];
    /** Policy name -> how many resources (or stacks) it applied to. */
    applied: Map<string, number>;
}

/** Every policy against every resource (resource policies) and the whole set (stack policies). */
export async function runPolicies(policies: Policies, resources: PolicyResource[], config: Record<string, Record<string, unknown>> = {}): Promise<PolicyRun> {
    const violations: Violation[] = [];
    const applied = new Map<string, number>();
    const count = (outcome: Outcome, policy: AnyPolicy) => {
        violations.push(...outcome.violations);
        if (!outcome.notApplicable) applied.set(policy.name, (applied.get(policy.name) ?? 0) + 1);
    };
    for (const policy of policies) {
        if (isStackPolicy(policy)) {
            count(await validateStack(policy, resources, config[policy.name]), policy);
        } else {
            for (const resource of resources) count(await validateResource(policy, resource, config[policy.name]), policy);
        }
    }
    return { violations, applied };
}

function options(partial: Partial<PolicyResourceOptions> = {}): PolicyResourceOptions {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...partial,
    };
}

export function providerResource(name: string, type = "pulumi:providers:kubernetes", props: Record<string, unknown> = {}, stack = "test"): PolicyProviderResource {
    return { type, name, props, urn: `urn:pulumi:${stack}::${DEFAULT_PROJECT}::${type}::${name}` };
}

export interface ResourceSpec {
    type: string;
    name: string;
    props: object;
    protect?: boolean;
    /** A provider's name (a kubernetes provider) or the provider itself. */
    provider?: string | PolicyProviderResource;
}

/** A PolicyResource for unit tests of single policies. */
export function policyResource(spec: ResourceSpec): PolicyResource {
    const props = structuredClone(spec.props) as Record<string, unknown>;
    const provider = typeof spec.provider === "string" ? providerResource(spec.provider) : spec.provider;
    return {
        type: spec.type,
        name: spec.name,
        props,
        urn: `urn:pulumi:test::${DEFAULT_PROJECT}::${spec.type}::${spec.name}`,
        opts: options({ protect: spec.protect ?? false }),
        ...(provider ? { provider } : {}),
        dependencies: [],
        propertyDependencies: {},
        ...typeChecks(spec.type, props),
    } as PolicyResource;
}

/** Packages whose resources get a default provider from the engine when none is given. */
function usesDefaultProvider(type: string): boolean {
    return !type.startsWith("pulumi:") && !type.startsWith(`${DEFAULT_PROJECT}:`);
}

/**
 * Converts what runMocked recorded into the PolicyResources a stack policy would get: inputs as
 * props (the engine hands stack policies the outputs, which for these resources repeat the
 * inputs), protect, parent, explicit dependencies, and the provider with its inputs. Resources
 * without an explicit provider get the package's default provider, as the engine gives them.
 */
export function toPolicyResources(recorded: RecordedResource[], stack: string, project = DEFAULT_PROJECT): PolicyResource[] {
    const byName = new Map(recorded.map((r) => [r.name, r]));
    const stackResource = recorded.find((r) => r.type === "pulumi:pulumi:Stack");
    const qualifiedType = (r: RecordedResource): string => {
        const parent = r.options.parent ? byName.get(r.options.parent) : undefined;
        return parent && parent !== stackResource && parent !== r ? `${qualifiedType(parent)}$${r.type}` : r.type;
    };
    const urnOf = (r: RecordedResource) => `urn:pulumi:${stack}::${project}::${qualifiedType(r)}::${r.name}`;

    const providerOf = (r: RecordedResource): PolicyProviderResource | undefined => {
        const explicit = r.options.provider ? byName.get(r.options.provider) : undefined;
        if (explicit) return { type: explicit.type, name: explicit.name, props: structuredClone(explicit.inputs), urn: urnOf(explicit) };
        if (!usesDefaultProvider(r.type)) return undefined;
        const pkg = r.type.split(":")[0];
        return providerResource("default", `pulumi:providers:${pkg}`, {}, stack);
    };

    const converted = new Map<RecordedResource, PolicyResource>();
    for (const r of recorded) {
        const props = structuredClone(r.inputs) as Record<string, unknown>;
        const parent = r.options.parent ? byName.get(r.options.parent) : undefined;
        const provider = providerOf(r);
        converted.set(r, {
            type: r.type,
            name: r.name,
            props,
            urn: urnOf(r),
            opts: options({
                protect: r.options.protect ?? false,
                ignoreChanges: r.options.ignoreChanges ?? [],
                ...(r.options.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.options.deleteBeforeReplace } : {}),
                ...(parent && parent !== r ? { parent: urnOf(parent) } : {}),
            }),
            ...(provider ? { provider } : {}),
            dependencies: [],
            propertyDependencies: {},
            ...typeChecks(r.type, props),
        } as PolicyResource);
    }
    for (const [r, resource] of converted) {
        const parent = r.options.parent ? byName.get(r.options.parent) : undefined;
        if (parent && parent !== r) resource.parent = converted.get(parent);
        resource.dependencies = r.options.dependsOn
            .map((name) => byName.get(name))
            .filter((d): d is RecordedResource => d !== undefined)
            .map((d) => converted.get(d) as PolicyResource);
    }
    return [...converted.values()];
}

/** Short form of violations for assertions: `policy: message`. */
export function summary(violations: Violation[]): string[] {
    return violations.map((v) => `${v.policy}: ${v.message}`);
}
