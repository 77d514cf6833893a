// Velero in one cluster: the Helm release (server, node agent, AWS object-store plugin, CRDs), the
// S3 credentials and the kopia repository password. Role-dependent objects (BackupStorageLocation,
// Schedules) belong to the failover stack; it builds them with renderBackupStorageLocation and
// renderSchedule below, so both stacks agree on names, keys and Ceph settings.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { bucketNameProblem, dnsLabelProblem, endpointProblem } from "../stacks/validate";

// Kubernetes object names of the kinds used here (namespaces, Secrets, Schedules) are DNS labels.
export { dnsLabelProblem };
import { S3Keys } from "./rgwScript";

export const VELERO_CHART_NAME = "velero";
export const VELERO_CHART_REPO = "https://vmware-tanzu.github.io/helm-charts";
export const DEFAULT_VELERO_CHART_VERSION = "12.1.0";
export const DEFAULT_VELERO_NAMESPACE = "velero";
/** Helm release name. Fixed: the chart derives its object names (service account, ...) from it. */
export const VELERO_RELEASE_NAME = "velero";
export const AWS_PLUGIN_IMAGE_REPOSITORY = "docker.io/velero/velero-plugin-for-aws";

/** Secret with the S3 keys as an AWS credentials file, mounted by the chart at /credentials. */
export const VELERO_CREDENTIALS_SECRET_NAME = "velero-credentials";
/** Key of that file in the Secret: the chart points AWS_SHARED_CREDENTIALS_FILE at /credentials/cloud. */
export const VELERO_CREDENTIALS_SECRET_KEY = "cloud";
/** Names Velero hard-codes (pkg/repository/keys): it creates this Secret itself if it is absent. */
export const VELERO_REPO_CREDENTIALS_SECRET_NAME = "velero-repo-credentials";
export const VELERO_REPO_PASSWORD_KEY = "repository-password";
/** Name of the one BackupStorageLocation each cluster has (Velero's default location name). */
export const DEFAULT_BACKUP_STORAGE_LOCATION = "default";
/**
 * Label on Schedules (and their backup template) carrying the RPO in seconds. Velero copies it
 * onto every Backup the Schedule creates, and backup sync keeps it on the passive cluster, so
 * alert rules can read the RPO from Backups in both roles.
 */
export const RPO_SECONDS_LABEL = "dr.velero-ceph-dr/rpo-seconds";
/**
 * Label on Schedules (and their backup template, so on every Backup) naming the site whose
 * cluster made the backup. `failover.sh restore` picks by it the newest backup made by the OTHER
 * site: after a failover the new active cluster's first backups may be nearly empty.
 */
export const SITE_LABEL = "dr.velero-ceph-dr/site";
/** The sites a Schedule can run in (the failover stack's site ids). */
export const SCHEDULE_SITES: readonly string[] = ["site-a", "site-b"];

/**
 * Chart versions this project knows, with the Velero version each ships (its appVersion): the
 * newest chart for every Velero patch release that has a plugin line below.
 */
const VELERO_VERSION_BY_CHART: Readonly<Record<string, string>> = {
    "12.1.0": "1.18.1",
    "12.0.1": "1.18.0", // refused: see REFUSED_VELERO
    "11.4.0": "1.17.1",
    "11.1.1": "1.17.0",
    "10.1.3": "1.16.2",
    "10.0.12": "1.16.1",
    "10.0.4": "1.16.0",
};
export const KNOWN_VELERO_CHART_VERSIONS: readonly string[] = Object.keys(VELERO_VERSION_BY_CHART);

/** Velero releases refused altogether, and why (checked at preview, like the broken plugins). */
const REFUSED_VELERO: Readonly<Record<string, string>> = {
    "1.18.0": "its restores from a ReadOnly backup location break on kopia repositories made by Velero 1.17 or earlier, "
        + "and the passive cluster restores from a ReadOnly location (velero#9626, fixed in 1.18.1)",
};

/** Why a Velero version is refused, or undefined. */
export function veleroVersionProblem(veleroVersion: string): string | undefined {
    const why = REFUSED_VELERO[normalizeVersion(veleroVersion)];
    return why ? `Velero ${normalizeVersion(veleroVersion)} is refused: ${why}; allowed: Velero 1.18.1 (chart 12.1.0) or another known version` : undefined;
}

/** velero-plugin-for-aws compatibility (the plugin's README): one plugin minor per Velero minor. */
const AWS_PLUGIN_LINE_BY_VELERO_MINOR: Readonly<Record<string, string>> = {
    "1.16": "1.12",
    "1.17": "1.13",
    "1.18": "1.14",
};

/** The plugin chosen by default for each Velero minor: the newest patch checked against Ceph. */
const DEFAULT_AWS_PLUGIN_BY_VELERO_MINOR: Readonly<Record<string, string>> = {
    "1.16": "1.12.2",
    "1.17": "1.13.2",
    "1.18": "1.14.3",
};

/** Oldest patch of a plugin line that works with Ceph RGW, where older patches of it do not. */
const MIN_AWS_PLUGIN_FOR_CEPH: Readonly<Record<string, string>> = {
    "1.14": "1.14.3",
};

/** Plugin releases that break backups on Ceph RGW, and why. */
const BROKEN_AWS_PLUGINS: Readonly<Record<string, string>> = {
    "1.14.1": "it sends an empty x-amz-tagging header with every upload, which Ceph RGW rejects with HTTP 400, so every backup fails",
    "1.14.2": "it writes the AWS SDK's aws-chunked framing (chunk sizes and a checksum trailer) into the stored objects, so backups are silently corrupt (velero#9951, fixed in 1.14.3)",
};

const RELEASE_VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/;

type Semver = [number, number, number];

function parseRelease(version: string): Semver | undefined {
    const m = RELEASE_VERSION.exec(version);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compareSemver(a: Semver, b: Semver): number {
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function minorOf(v: Semver): string {
    return `${v[0]}.${v[1]}`;
}

/** "v1.14.3" or "1.14.3" -> "1.14.3"; anything else is returned unchanged (and refused elsewhere). */
export function normalizeVersion(version: string): string {
    return version.startsWith("v") && RELEASE_VERSION.test(version) ? version.slice(1) : version;
}

/** Why a chart version cannot be used, or undefined when it is in the table. */
export function chartVersionProblem(chartVersion: string): string | undefined {
    const usable = KNOWN_VELERO_CHART_VERSIONS.filter((v) => !REFUSED_VELERO[VELERO_VERSION_BY_CHART[v]]);
    const known = usable.map((v) => `${v} (Velero ${VELERO_VERSION_BY_CHART[v]})`).join(", ");
    if (Object.prototype.hasOwnProperty.call(VELERO_VERSION_BY_CHART, chartVersion)) {
        const velero = VELERO_VERSION_BY_CHART[chartVersion];
        const why = REFUSED_VELERO[velero];
        return why ? `chart ${chartVersion} ships Velero ${velero}, which is refused: ${why}; allowed: ${known}` : undefined;
    }
    return `allowed: a chart version this project knows: ${known}`;
}

/** The Velero version a vmware-tanzu/velero chart version ships. Throws for unknown charts. */
export function veleroVersionForChart(chartVersion: string): string {
    const problem = chartVersionProblem(chartVersion);
    const known = Object.prototype.hasOwnProperty.call(VELERO_VERSION_BY_CHART, chartVersion);
    if (problem) throw new Error(`Velero chart version "${chartVersion}" is ${known ? "not allowed" : "not known"}; ${problem}`);
    return VELERO_VERSION_BY_CHART[chartVersion];
}

/** The default velero-plugin-for-aws version for a Velero version, or undefined if unsupported. */
export function defaultAwsPluginVersion(veleroVersion: string): string | undefined {
    const v = parseRelease(veleroVersion);
    return v ? DEFAULT_AWS_PLUGIN_BY_VELERO_MINOR[minorOf(v)] : undefined;
}

function allowedPluginsText(veleroVersion: string, line: string): string {
    const min = MIN_AWS_PLUGIN_FOR_CEPH[line];
    const range = min ? `${min} or a newer ${line}.x` : `${line}.x`;
    const def = DEFAULT_AWS_PLUGIN_BY_VELERO_MINOR[minorOf(parseRelease(veleroVersion) as Semver)];
    return `allowed with Velero ${veleroVersion}: ${range} (default ${def})`;
}

/**
 * Whether a velero-plugin-for-aws version may run with a Velero version against Ceph RGW.
 * Returns undefined when it may, else the reason and what is allowed.
 */
export function checkPluginCompatibility(veleroVersion: string, pluginVersion: string): string | undefined {
    const velero = parseRelease(veleroVersion);
    const line = velero && AWS_PLUGIN_LINE_BY_VELERO_MINOR[minorOf(velero)];
    if (!velero || !line) {
        const known = Object.keys(AWS_PLUGIN_LINE_BY_VELERO_MINOR).map((m) => `${m}.x`).join(", ");
        return `Velero ${veleroVersion} has no known velero-plugin-for-aws line; supported Velero versions: ${known}`;
    }
    const refused = veleroVersionProblem(veleroVersion);
    if (refused) return refused;
    const plugin = parseRelease(pluginVersion);
    if (!plugin) {
        return `velero-plugin-for-aws "${pluginVersion}" is not a release version; ${allowedPluginsText(veleroVersion, line)}, written like 1.14.3`;
    }
    const normalized = plugin.join(".");
    if (minorOf(plugin) !== line) {
        const builtFor = Object.entries(AWS_PLUGIN_LINE_BY_VELERO_MINOR).find(([, l]) => l === minorOf(plugin))?.[0];
        const why = builtFor
            ? `velero-plugin-for-aws ${minorOf(plugin)}.x is built for Velero ${builtFor}, not Velero ${veleroVersion}`
            : `velero-plugin-for-aws ${minorOf(plugin)}.x is not compatible with Velero ${veleroVersion}`;
        return `${why}; ${allowedPluginsText(veleroVersion, line)}`;
    }
    const broken = BROKEN_AWS_PLUGINS[normalized];
    if (broken) return `velero-plugin-for-aws ${normalized} breaks backups on Ceph: ${broken}; ${allowedPluginsText(veleroVersion, line)}`;
    const min = MIN_AWS_PLUGIN_FOR_CEPH[line];
    if (min && compareSemver(plugin, parseRelease(min) as Semver) < 0) {
        return `velero-plugin-for-aws ${normalized} predates ${min}, the first ${line}.x that works with Ceph RGW; ${allowedPluginsText(veleroVersion, line)}`;
    }
    return undefined;
}

/** The init container image that installs the AWS plugin; tags carry a leading "v". */
export function awsPluginImage(pluginVersion: string): string {
    return `${AWS_PLUGIN_IMAGE_REPOSITORY}:v${normalizeVersion(pluginVersion)}`;
}

/** What the Helm values depend on. */
export interface VeleroValuesSettings {
    /** vmware-tanzu/velero chart version (must be in the known table). */
    chartVersion: string;
    /** velero-plugin-for-aws version, e.g. "1.14.3". */
    awsPluginVersion: string;
    /** Deploy the node agent (kopia file-system backup of pod volumes). */
    nodeAgent: boolean;
    /** Create a ServiceMonitor (and a PodMonitor for the node agent); needs the Prometheus operator. */
    serviceMonitor: boolean;
}

/**
 * Helm values of the Velero release. Identical in both clusters and both roles: the role lives
 * only in the BackupStorageLocation and Schedules, which the failover stack owns, so the chart
 * must create none. Throws when the plugin does not fit the chart's Velero version.
 */
export function renderVeleroValues(settings: VeleroValuesSettings): Record<string, unknown> {
    const veleroVersion = veleroVersionForChart(settings.chartVersion);
    const refusal = checkPluginCompatibility(veleroVersion, settings.awsPluginVersion);
    if (refusal) throw new Error(refusal);
    return {
        // Helm installs crds/ only on first install; this chart hook job upgrades them afterwards.
        upgradeCRDs: true,
        // Deleting the CRDs would delete every Backup object in the cluster.
        cleanUpCRDs: false,
        initContainers: [{
            name: "velero-plugin-for-aws",
            image: awsPluginImage(settings.awsPluginVersion),
            imagePullPolicy: "IfNotPresent",
            volumeMounts: [{ mountPath: "/target", name: "plugins" }],
        }],
        // The Secret is declared beside the release; the keys never pass through Helm values.
        credentials: { useSecret: true, existingSecret: VELERO_CREDENTIALS_SECRET_NAME },
        // No BackupStorageLocation, no VolumeSnapshotLocation: lists replace the chart's default
        // entries, and the switches turn the templates off as well.
        backupsEnabled: false,
        snapshotsEnabled: false,
        configuration: {
            backupStorageLocation: [],
            volumeSnapshotLocation: [],
            uploaderType: "kopia",
        },
        schedules: {},
        deployNodeAgent: settings.nodeAgent,
        metrics: {
            enabled: true,
            // autodetect off: a missing Prometheus operator fails the install instead of leaving
            // the alert rules without data.
            serviceMonitor: { enabled: settings.serviceMonitor, autodetect: false },
            nodeAgentPodMonitor: { enabled: settings.serviceMonitor && settings.nodeAgent, autodetect: false },
        },
    };
}

/** An AWS shared credentials file with one `default` profile, as the AWS plugin reads it. */
export function renderCredentialsFile(accessKey: string, secretKey: string): string {
    // The messages never include the values: they are secrets.
    for (const [name, value] of [["accessKey", accessKey], ["secretKey", secretKey]] as const) {
        if (typeof value !== "string" || value === "") {
            throw new Error(`renderCredentialsFile: ${name} is empty; allowed: a non-empty S3 key`);
        }
        if (/\s/.test(value)) {
            throw new Error(`renderCredentialsFile: ${name} contains whitespace, which would break the credentials file; allowed: an S3 key without spaces or line breaks`);
        }
    }
    return `[default]\naws_access_key_id=${accessKey}\naws_secret_access_key=${secretKey}\n`;
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

export type BackupStorageLocationAccessMode = "ReadWrite" | "ReadOnly";

export interface BackupStorageLocationSettings {
    /** BSL name. Default: "default" (Velero's default location). */
    name?: string;
    /** Velero's namespace. */
    namespace: string;
    /** The replicated Velero bucket. */
    bucket: string;
    /** This site's RGW zone endpoint: each cluster reads and writes its local zone. */
    endpoint: string;
    /** The zonegroup's name: RGW takes it as the S3 region. */
    zonegroup: string;
    /** ReadWrite in the active cluster, ReadOnly in the passive one. */
    accessMode: BackupStorageLocationAccessMode;
    /** How often Velero syncs backups from the bucket, a Go duration such as "1m" (Velero's default when unset). */
    backupSyncPeriod?: string;
    /** Secret holding the credentials file. Default: VELERO_CREDENTIALS_SECRET_NAME. */
    credentialSecretName?: string;
}

/** A velero.io/v1 BackupStorageLocation as renderBackupStorageLocation builds it. */
export interface BackupStorageLocationObject {
    apiVersion: "velero.io/v1";
    kind: "BackupStorageLocation";
    metadata: { name: string; namespace: string };
    spec: {
        provider: "aws";
        objectStorage: { bucket: string };
        config: { s3Url: string; s3ForcePathStyle: "true"; region: string; checksumAlgorithm: "" };
        accessMode: BackupStorageLocationAccessMode;
        default: boolean;
        backupSyncPeriod?: string;
        credential: { name: string; key: string };
    };
}

/** The BackupStorageLocation of one cluster for Ceph RGW. Throws on settings Velero would reject. */
export function renderBackupStorageLocation(s: BackupStorageLocationSettings): BackupStorageLocationObject {
    const name = s.name ?? DEFAULT_BACKUP_STORAGE_LOCATION;
    const credentialSecretName = s.credentialSecretName ?? VELERO_CREDENTIALS_SECRET_NAME;
    const problems: string[] = [];
    const check = (field: string, value: string, problem: string | undefined) => {
        if (problem) problems.push(`${field} ${JSON.stringify(value)} is not allowed; ${problem}`);
    };
    check("name", name, dnsLabelProblem(name));
    check("namespace", s.namespace, dnsLabelProblem(s.namespace));
    check("bucket", s.bucket, bucketNameProblem(s.bucket));
    check("endpoint", s.endpoint, endpointProblem(s.endpoint));
    check("zonegroup", s.zonegroup, s.zonegroup ? undefined : "allowed: the zonegroup's name");
    check("accessMode", s.accessMode,
        s.accessMode === "ReadWrite" || s.accessMode === "ReadOnly" ? undefined : 'allowed: "ReadWrite" or "ReadOnly"');
    if (s.backupSyncPeriod !== undefined) {
        check("backupSyncPeriod", s.backupSyncPeriod,
            GO_DURATION.test(s.backupSyncPeriod) ? undefined : 'allowed: a Go duration such as "30s" or "1m"');
    }
    check("credentialSecretName", credentialSecretName, dnsLabelProblem(credentialSecretName));
    if (problems.length > 0) throw new Error(`renderBackupStorageLocation: ${problems.join("; ")}`);

    return {
        apiVersion: "velero.io/v1",
        kind: "BackupStorageLocation",
        metadata: { name, namespace: s.namespace },
        spec: {
            provider: "aws",
            objectStorage: { bucket: s.bucket },
            config: {
                s3Url: s.endpoint,
                s3ForcePathStyle: "true",
                region: s.zonegroup,
                // Empty: Ceph rejects the plugin's default CRC32 checksum headers.
                checksumAlgorithm: "",
            },
            accessMode: s.accessMode,
            default: true,
            ...(s.backupSyncPeriod !== undefined ? { backupSyncPeriod: s.backupSyncPeriod } : {}),
            credential: { name: credentialSecretName, key: VELERO_CREDENTIALS_SECRET_KEY },
        },
    };
}

export interface ScheduleSettings {
    /** Schedule name. */
    name: string;
    /** Velero's namespace. */
    namespace: string;
    /** Cron expression (5 fields, UTC) or a descriptor such as "@every 1h". */
    cron: string;
    /** How long backups are kept, a Go duration such as "720h". */
    ttl: string;
    /** Namespaces to back up; ["*"] for all. */
    includedNamespaces: string[];
    /** The recovery point objective in seconds, carried by a label to the Backups. */
    rpoSeconds: number;
    /** The BackupStorageLocation to write to. */
    storageLocation: string;
    /** Back up every pod volume with the node agent (kopia). Default: true. */
    defaultVolumesToFsBackup?: boolean;
    /**
     * The site whose cluster runs the Schedule ("site-a" or "site-b"), carried by SITE_LABEL to
     * every Backup it makes. The failover stack always sets it.
     */
    site?: string;
}

/** A velero.io/v1 Schedule as renderSchedule builds it. */
export interface ScheduleObject {
    apiVersion: "velero.io/v1";
    kind: "Schedule";
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    spec: {
        schedule: string;
        useOwnerReferencesInBackup: boolean;
        template: {
            metadata: { labels: Record<string, string> };
            ttl: string;
            includedNamespaces: string[];
            storageLocation: string;
            defaultVolumesToFsBackup: boolean;
            snapshotVolumes: boolean;
        };
    };
}

/** A Velero Schedule, labelled with its RPO. Throws on settings Velero would reject. */
export function renderSchedule(s: ScheduleSettings): ScheduleObject {
    const problems: string[] = [];
    const check = (field: string, value: unknown, problem: string | undefined) => {
        if (problem) problems.push(`${field} ${JSON.stringify(value)} is not allowed; ${problem}`);
    };
    check("name", s.name, dnsLabelProblem(s.name));
    check("namespace", s.namespace, dnsLabelProblem(s.namespace));
    const cronOk = /^@\w+( .+)?$/.test(s.cron) || s.cron.trim().split(/\s+/).length === 5;
    check("cron", s.cron, cronOk ? undefined : 'allowed: a 5-field cron expression such as "0 * * * *" or a descriptor such as "@every 1h"');
    check("ttl", s.ttl, GO_DURATION.test(s.ttl) ? undefined : 'allowed: a Go duration such as "720h"');
    const namespacesOk = s.includedNamespaces.length > 0
        && s.includedNamespaces.every((n) => n === "*" || dnsLabelProblem(n) === undefined);
    check("includedNamespaces", s.includedNamespaces, namespacesOk ? undefined : 'allowed: a non-empty list of namespace names, or ["*"] for all');
    check("rpoSeconds", s.rpoSeconds, Number.isInteger(s.rpoSeconds) && s.rpoSeconds > 0 ? undefined : "allowed: a positive whole number of seconds");
    check("storageLocation", s.storageLocation, dnsLabelProblem(s.storageLocation));
    if (s.site !== undefined) {
        check("site", s.site, SCHEDULE_SITES.includes(s.site) ? undefined : `allowed: ${SCHEDULE_SITES.join(" or ")}, the site whose cluster runs the Schedule`);
    }
    if (problems.length > 0) throw new Error(`renderSchedule: ${problems.join("; ")}`);

    const labels: Record<string, string> = { [RPO_SECONDS_LABEL]: String(s.rpoSeconds) };
    if (s.site !== undefined) labels[SITE_LABEL] = s.site;
    return {
        apiVersion: "velero.io/v1",
        kind: "Schedule",
        metadata: { name: s.name, namespace: s.namespace, labels },
        spec: {
            schedule: s.cron,
            // Backups must outlive their Schedule: it is deleted in the passive cluster.
            useOwnerReferencesInBackup: false,
            template: {
                // Velero copies the Schedule's labels to its Backups only while the template has
                // no labels of its own (builder FromSchedule); set here too so it holds either way.
                metadata: { labels },
                ttl: s.ttl,
                includedNamespaces: s.includedNamespaces,
                storageLocation: s.storageLocation,
                defaultVolumesToFsBackup: s.defaultVolumesToFsBackup ?? true,
                // Volume data goes through kopia into the replicated bucket; snapshots would stay
                // in this region's storage and be lost with it.
                snapshotVolumes: false,
            },
        },
    };
}

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
        const annotations = install === "external" ? { "pulumi.com/patchForce": "true" } : undefined;
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
