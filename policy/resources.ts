// What the policies look for: the type tokens this program's resources carry, and small readers
// over resource properties. Kubernetes custom resources are typed `kubernetes:<apiVersion>:<kind>`
// (that is how k8s.apiextensions.CustomResource registers them), so a BackupStorageLocation the
// failover stack declares from renderBackupStorageLocation is seen under the token below.
import type {
    PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs,
} from "@pulumi/policy";

// Re-exported so tests type their fakes with the same copy of @pulumi/policy as the policies.
export type {
    EnforcementLevel, Policies, PolicyResource, PolicyResourceOptions, PolicyProviderResource, ReportViolation, ResourceValidation,
    ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
export { unknownCheckingProxy } from "@pulumi/policy";

export const BACKUP_STORAGE_LOCATION_TYPE = "kubernetes:velero.io/v1:BackupStorageLocation";
export const SCHEDULE_TYPE = "kubernetes:velero.io/v1:Schedule";
export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";
export const PROMETHEUS_RULE_TYPE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
/** A command-line step (components/step): the Ceph script and the kubectl glue. */
export { SHELL_STEP_TYPE as STEP_TYPE } from "../components/step/shellStep";
/** The backup bucket: a dynamic resource that speaks only the S3 calls RGW serves (components/bucket). */
export { RGW_BUCKET_TYPE as BUCKET_TYPE } from "../components/bucket/bucketLogic";

/**
 * A resource validation that only looks at one type token. The token is attached the way
 * @pulumi/policy's own validateResourceOfType attaches a class's token, so the policy server
 * skips other types without calling the function.
 */
export function forType(
    typeToken: string,
    validate: (props: Record<string, unknown>, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
    const fn = (args: ResourceValidationArgs, report: ReportViolation): void => {
        if (args.type !== typeToken) return args.notApplicable(`Policy only applies to resources of type '${typeToken}'`);
        validate(args.props, args, report);
    };
    return Object.assign(fn, { __pulumiType: typeToken });
}

/** The value at a dotted path of plain objects, or undefined. */
export function valueAt(root: unknown, path: string): unknown {
    let current: unknown = root;
    for (const key of path.split(".")) {
        if (!isRecord(current)) return undefined;
        current = current[key];
    }
    return current;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string property, or undefined when absent or not a string. */
export function stringAt(root: unknown, path: string): string | undefined {
    const value = valueAt(root, path);
    return typeof value === "string" ? value : undefined;
}

/**
 * The cluster a Kubernetes resource goes to: its provider. Every cluster has its own provider
 * (the failover stack names them `site-a-cluster` and `site-b-cluster`), so resources with the same
 * provider are in the same cluster.
 */
export interface Cluster {
    /** Identity: the provider's URN (unique), or a fixed key for the default provider. */
    key: string;
    /** For messages: the provider's name. */
    label: string;
}

export function clusterOf(resource: Pick<PolicyResource, "provider">): Cluster {
    const provider = resource.provider;
    if (!provider) return { key: "(default provider)", label: "the default kubernetes provider" };
    return { key: provider.urn || provider.name, label: `provider ${provider.name}` };
}

/** Whether a Helm release installs the Velero chart (by name, from a repository or an OCI URL). */
export function isVeleroRelease(props: Record<string, unknown>): boolean {
    const chart = stringAt(props, "chart");
    return chart !== undefined && (chart === "velero" || chart.endsWith("/velero"));
}

/** Name and namespace of a Kubernetes object for messages, e.g. `velero/default`. */
export function objectName(props: Record<string, unknown>): string {
    const name = stringAt(props, "metadata.name") ?? "(unnamed)";
    const namespace = stringAt(props, "metadata.namespace");
    return namespace ? `${namespace}/${name}` : name;
}
