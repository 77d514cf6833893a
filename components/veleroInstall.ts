// Velero in one cluster: the Helm release (server, node agent, AWS object-store plugin, CRDs), the
// S3 credentials and the kopia repository password. The version tables and the renderers live in
// core/velero/ (pure); role-dependent objects (BackupStorageLocation, Schedules) belong to the
// failover stack, which renders them with core/velero/renderers.ts as well.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { PATCH_FORCE_ANNOTATION } from "../core/labels";
import { dnsLabelProblem } from "../core/validators";
import {
    DEFAULT_VELERO_NAMESPACE, VELERO_CREDENTIALS_SECRET_KEY, VELERO_CREDENTIALS_SECRET_NAME, VELERO_REPO_CREDENTIALS_SECRET_NAME,
    VELERO_REPO_PASSWORD_KEY, renderCredentialsFile, renderVeleroValues,
} from "../core/velero/renderers";
import {
    DEFAULT_VELERO_CHART_VERSION, VELERO_CHART_NAME, VELERO_CHART_REPO, awsPluginImage, chartVersionProblem,
    checkPluginCompatibility, defaultAwsPluginVersion, normalizeVersion, veleroVersionForChart,
} from "../core/velero/versions";
import { S3Keys } from "./rgwScript";

/** Helm release name. Fixed: the chart derives its object names (service account, ...) from it. */
export const VELERO_RELEASE_NAME = "velero";

/**
 * Who installs Velero itself: "helm", this component's Helm release; "external", someone else
 * (Argo CD, Flux, a platform team), and this component owns only the credentials and the kopia
 * password (the failover stack owns locations and schedules either way).
 */
export const VELERO_INSTALL_MODES = ["helm", "external"] as const;
export type VeleroInstallMode = (typeof VELERO_INSTALL_MODES)[number];

export interface VeleroInstallArgs {
    /** "helm" (default): install the chart; "external": Velero is installed by someone else, declare only its Secrets. */
    install?: VeleroInstallMode;
    /** Namespace of Velero. Default: "velero". */
    namespace?: string;
    /** Create the namespace (true, default) or reuse an existing one of that name (false). */
    createNamespace?: boolean;
    /** vmware-tanzu/velero chart version. Default: "12.1.0" (Velero 1.18.1); must be in the known table. */
    chartVersion?: string;
    /** velero-plugin-for-aws version ("1.14.3" or "v1.14.3"). Default: the recommended one for the chart's Velero. */
    awsPluginVersion?: string;
    /** Deploy the node agent for kopia file-system backups of pod volumes. Default: true. */
    nodeAgent?: boolean;
    /** Create a ServiceMonitor (and a node-agent PodMonitor); needs the Prometheus operator. Default: true. */
    serviceMonitor?: boolean;
    /** The Velero S3 user's keys (secret Outputs); the same in both clusters. */
    s3Keys: S3Keys;
    /** The kopia repository password (secret); must be identical in both clusters. */
    repositoryPassword: pulumi.Input<string>;
}

/**
 * Velero in one cluster, in the cluster of the Kubernetes provider given in the resource options.
 * Declares the namespace (unless reused), the credentials Secret, the kopia repository password
 * Secret and the Helm release. The release waits for both Secrets: a Velero that starts without
 * `velero-repo-credentials` creates it with its built-in static password.
 */
export class VeleroInstall extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly releaseName: pulumi.Output<string>;
    /** Helm release status, e.g. "deployed". */
    public readonly releaseStatus: pulumi.Output<string>;
    public readonly chartVersion: pulumi.Output<string>;
    public readonly veleroVersion: pulumi.Output<string>;
    public readonly awsPluginImage: pulumi.Output<string>;
    public readonly credentialsSecretName: pulumi.Output<string>;
    public readonly repositoryPasswordSecretName: pulumi.Output<string>;
    /** The Helm release; undefined when Velero is installed by someone else. */
    public readonly release?: k8s.helm.v3.Release;

    constructor(name: string, args: VeleroInstallArgs, opts?: pulumi.ComponentResourceOptions) {
        super("velero-ceph-dr:velero:VeleroInstall", name, {}, opts);
        const namespace = args.namespace ?? DEFAULT_VELERO_NAMESPACE;
        const createNamespace = args.createNamespace ?? true;
        const install = args.install ?? "helm";
        const chartVersion = args.chartVersion ?? DEFAULT_VELERO_CHART_VERSION;
        const nodeAgent = args.nodeAgent ?? true;
        const serviceMonitor = args.serviceMonitor ?? true;

        // All argument problems at once, before any child exists.
        const problems: string[] = [];
        if (!(VELERO_INSTALL_MODES as readonly string[]).includes(install)) {
            problems.push(`install "${install}" is not allowed; allowed: "helm" or "external"`);
        }
        const nsIssue = dnsLabelProblem(namespace);
        if (nsIssue) problems.push(`namespace "${namespace}" is not allowed; ${nsIssue}`);
        const chartIssue = chartVersionProblem(chartVersion);
        if (chartIssue) problems.push(`chartVersion "${chartVersion}" is not allowed; ${chartIssue}`);
        const veleroVersion = chartIssue ? undefined : veleroVersionForChart(chartVersion);
        const awsPluginVersion = normalizeVersion(
            args.awsPluginVersion ?? (veleroVersion && defaultAwsPluginVersion(veleroVersion)) ?? "",
        );
        if (veleroVersion) {
            const pluginIssue = checkPluginCompatibility(veleroVersion, awsPluginVersion);
            if (pluginIssue) problems.push(`awsPluginVersion "${awsPluginVersion}" is not allowed; ${pluginIssue}`);
        }
        if (!args.s3Keys?.accessKey || !args.s3Keys?.secretKey) {
            problems.push("s3Keys is required: the Velero S3 user's accessKey and secretKey (secret Outputs)");
        }
        if (args.repositoryPassword === undefined || args.repositoryPassword === "") {
            problems.push("repositoryPassword is required: the kopia repository password shared by both clusters (secret)");
        }
        if (problems.length > 0 || !veleroVersion) throw new Error(`VeleroInstall ${name}: ${problems.join("; ")}`);

        const values = renderVeleroValues({ chartVersion, awsPluginVersion, nodeAgent, serviceMonitor });

        let namespaceName: pulumi.Output<string>;
        const dependsOn: pulumi.Resource[] = [];
        if (createNamespace) {
            const ns = new k8s.core.v1.Namespace(`${name}-namespace`, {
                metadata: {
                    name: namespace,
                    // The node agent mounts host paths and runs as root.
                    labels: nodeAgent ? { "pod-security.kubernetes.io/enforce": "privileged" } : {},
                },
            }, { parent: this });
            namespaceName = ns.metadata.name;
            dependsOn.push(ns);
        } else {
            namespaceName = pulumi.output(namespace);
        }

        const labels = { "app.kubernetes.io/part-of": "velero-ceph-dr", "app.kubernetes.io/managed-by": "pulumi" };
        // A Velero installed by someone else may have started first and created
        // velero-repo-credentials with its built-in kopia password: take the Secrets over, so both
        // clusters share the one password (before the first backup; see docs/velero.md).
        const annotations = install === "external" ? { [PATCH_FORCE_ANNOTATION]: "true" } : undefined;
        const credentialsFile = pulumi.secret(
            pulumi.all([args.s3Keys.accessKey, args.s3Keys.secretKey])
                .apply(([accessKey, secretKey]) => renderCredentialsFile(accessKey, secretKey)),
        );
        const credentials = new k8s.core.v1.Secret(`${name}-credentials`, {
            metadata: { name: VELERO_CREDENTIALS_SECRET_NAME, namespace: namespaceName, labels, annotations },
            type: "Opaque",
            stringData: { [VELERO_CREDENTIALS_SECRET_KEY]: credentialsFile },
        }, { parent: this, retainOnDelete: true });
        const repositoryPassword = pulumi.secret(pulumi.output(args.repositoryPassword).apply((p) => {
            if (!p) throw new Error(`VeleroInstall ${name}: repositoryPassword is empty; allowed: the non-empty kopia repository password shared by both clusters`);
            return p;
        }));
        const repoCredentials = new k8s.core.v1.Secret(`${name}-repo-credentials`, {
            metadata: { name: VELERO_REPO_CREDENTIALS_SECRET_NAME, namespace: namespaceName, labels, annotations },
            type: "Opaque",
            stringData: { [VELERO_REPO_PASSWORD_KEY]: repositoryPassword },
            // Retained: Velero cannot open its repository without it, whatever happens to this stack.
        }, { parent: this, retainOnDelete: true });

        // Velero installed by someone else: its Secrets are all this component declares. The
        // installer must point Velero at them (credentials via the BackupStorageLocation's
        // spec.credential, the kopia password by its fixed name) and deploy the plugin version above.
        this.release = install === "external" ? undefined : new k8s.helm.v3.Release(`${name}-release`, {
            name: VELERO_RELEASE_NAME,
            chart: VELERO_CHART_NAME,
            version: chartVersion,
            repositoryOpts: { repo: VELERO_CHART_REPO },
            namespace: namespaceName,
            createNamespace: false,
            // CRDs: installed from crds/ on first install, upgraded by the chart's hook job, so
            // hooks must run (disableWebhooks is the provider's name for Helm's --no-hooks).
            skipCrds: false,
            disableCRDHooks: false,
            disableWebhooks: false,
            maxHistory: 10,
            timeout: 600,
            values,
        }, { parent: this, dependsOn: [...dependsOn, credentials, repoCredentials] });

        this.namespace = namespaceName;
        this.releaseName = this.release ? this.release.name : pulumi.output("(installed by someone else)");
        this.releaseStatus = this.release ? this.release.status.status : pulumi.output("external");
        this.chartVersion = pulumi.output(chartVersion);
        this.veleroVersion = pulumi.output(veleroVersion);
        this.awsPluginImage = pulumi.output(awsPluginImage(awsPluginVersion));
        this.credentialsSecretName = credentials.metadata.name;
        this.repositoryPasswordSecretName = repoCredentials.metadata.name;
        this.registerOutputs({
            namespace: this.namespace,
            releaseName: this.releaseName,
            releaseStatus: this.releaseStatus,
            chartVersion: this.chartVersion,
            veleroVersion: this.veleroVersion,
            awsPluginImage: this.awsPluginImage,
            credentialsSecretName: this.credentialsSecretName,
            repositoryPasswordSecretName: this.repositoryPasswordSecretName,
        });
    }
}
