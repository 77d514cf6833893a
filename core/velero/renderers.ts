// The Velero objects this project renders, pure: the Helm values of the release, the AWS
// credentials file, and the role-dependent BackupStorageLocation and Schedules. The VeleroInstall
// component declares the first two; the failover stack declares the last two, so both stacks agree
// on names, keys, labels and Ceph settings.
import { durationProblem } from "../duration";
import { RPO_SECONDS_LABEL, SITE_LABEL } from "../labels";
import { SITE_IDS } from "../siteContract";
import { bucketNameProblem, dnsLabelProblem, endpointProblem } from "../validators";
import { awsPluginImage, checkPluginCompatibility, veleroVersionForChart } from "./versions";

export const DEFAULT_VELERO_NAMESPACE = "velero";
/** Secret with the S3 keys as an AWS credentials file, mounted by the chart at /credentials. */
export const VELERO_CREDENTIALS_SECRET_NAME = "velero-credentials";
/** Key of that file in the Secret: the chart points AWS_SHARED_CREDENTIALS_FILE at /credentials/cloud. */
export const VELERO_CREDENTIALS_SECRET_KEY = "cloud";
/** Names Velero hard-codes (pkg/repository/keys): it creates this Secret itself if it is absent. */
export const VELERO_REPO_CREDENTIALS_SECRET_NAME = "velero-repo-credentials";
export const VELERO_REPO_PASSWORD_KEY = "repository-password";
/** Name of the one BackupStorageLocation each cluster has (Velero's default location name). */
export const DEFAULT_BACKUP_STORAGE_LOCATION = "default";

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
    /** How often Velero syncs backups from the bucket, a duration such as "1m" (../duration.ts) (Velero's default when unset). */
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
            durationProblem(s.backupSyncPeriod));
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
    /** How long backups are kept, a duration such as "720h" (../duration.ts). */
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
    check("ttl", s.ttl, durationProblem(s.ttl));
    const namespacesOk = s.includedNamespaces.length > 0
        && s.includedNamespaces.every((n) => n === "*" || dnsLabelProblem(n) === undefined);
    check("includedNamespaces", s.includedNamespaces, namespacesOk ? undefined : 'allowed: a non-empty list of namespace names, or ["*"] for all');
    check("rpoSeconds", s.rpoSeconds, Number.isInteger(s.rpoSeconds) && s.rpoSeconds > 0 ? undefined : "allowed: a positive whole number of seconds");
    check("storageLocation", s.storageLocation, dnsLabelProblem(s.storageLocation));
    if (s.site !== undefined) {
        check("site", s.site, (SITE_IDS as readonly string[]).includes(s.site) ? undefined : `allowed: ${SITE_IDS.join(" or ")}, the site whose cluster runs the Schedule`);
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
