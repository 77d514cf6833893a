// The region program: one site's Ceph zone, the global Velero user and bucket (master only),
// the replication scope, and (wired in by later issues) Velero and the alert rules.
// `site-a` bootstraps the metadata master; `site-b` joins it through a StackReference.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ALPHANUMERIC, DrAlertRules, GlobalS3User, RandomSecret, RgwZone, RgwZoneGroup, S3Keys, SyncGroup, VeleroInstall } from "../components";
import { zonegroupFeaturesFor } from "../core/cephReleases";
import { RegionOutputName, RegionOutputValues, SHARED_SETTINGS, parseRegionOutputs } from "../core/siteContract";
import { ConfigError, RegionConfig } from "./config";

/**
 * Stack outputs of a region stack, as this program produces them: the site contract's names and
 * value types (core/siteContract.ts), each an Input (secrets as secret Outputs).
 */
export type RegionOutputs = { [K in keyof RegionOutputValues]: pulumi.Input<RegionOutputValues[K]> };

/** Values a secondary takes from the master stack: plain ones for checks, secrets as Outputs. */
export interface MasterSite {
    plain: Pick<RegionOutputValues, MasterPlainName>;
    systemKeys: S3Keys;
    veleroKeys: S3Keys;
    kopiaRepositoryPassword: pulumi.Output<string>;
}

/** The master's plain outputs a secondary reads: the shared settings, and what must differ. */
const MASTER_PLAIN = [...SHARED_SETTINGS, "zone", "endpoint", "siteId"] as const;
type MasterPlainName = (typeof MASTER_PLAIN)[number];

/** Cross-site checks for a secondary, before anything is declared. Pure: tests call it directly. */
export function crossSiteProblems(cfg: RegionConfig, master: Record<MasterPlainName, string>, prefix: string): string[] {
    const problems: string[] = [];
    for (const key of SHARED_SETTINGS) {
        if (cfg[key] !== master[key]) {
            problems.push(`${prefix}:${key} = "${cfg[key]}" differs from "${master[key]}" in the master stack ${cfg.masterStack}; both sites must use the same ${key}`);
        }
    }
    if (cfg.zone === master.zone) {
        problems.push(`${prefix}:zone = "${cfg.zone}" is the master's zone; allowed: a zone name other than "${master.zone}"`);
    }
    if (cfg.endpoint === master.endpoint) {
        problems.push(`${prefix}:endpoint = "${cfg.endpoint}" is the master's endpoint; allowed: this site's own gateway URL, not "${master.endpoint}"`);
    }
    if (cfg.siteId === master.siteId) {
        problems.push(`${prefix}:siteId = "${cfg.siteId}" is the master stack's siteId; the two sites need different ids`);
    }
    return problems;
}

/** Plain outputs of a StackReference as a raw object (undefined where the stack has none). */
export async function readPlainOutputs(ref: pulumi.StackReference, names: readonly RegionOutputName[]): Promise<Record<string, unknown>> {
    const raw: Record<string, unknown> = {};
    for (const name of names) {
        const details = await ref.getOutputDetails(name);
        raw[name] = details.value ?? details.secretValue;
    }
    return raw;
}

async function readMasterSite(ref: pulumi.StackReference, stackName: string): Promise<MasterSite> {
    const { values, problems } = parseRegionOutputs(await readPlainOutputs(ref, MASTER_PLAIN), MASTER_PLAIN, `the master stack ${stackName}`);
    if (problems.length > 0) throw new ConfigError(problems);
    const secret = (key: RegionOutputName) => pulumi.secret(ref.requireOutput(key).apply(String));
    return {
        plain: values,
        systemKeys: { accessKey: secret("systemAccessKey"), secretKey: secret("systemSecretKey") },
        veleroKeys: { accessKey: secret("veleroAccessKey"), secretKey: secret("veleroSecretKey") },
        kopiaRepositoryPassword: secret("kopiaRepositoryPassword"),
    };
}

/** This site's cluster: from the secret kubeconfig, or a context of the ambient kubeconfig. */
function clusterProvider(cfg: RegionConfig): k8s.Provider {
    return new k8s.Provider("cluster", cfg.kubeconfig ? { kubeconfig: cfg.kubeconfig } : { context: cfg.kubeContext });
}

/**
 * Velero in this site's cluster, with the shared S3 keys and kopia password, after `after`, and
 * the DR alert rules and dashboard (the same rules in both roles).
 */
function veleroFor(cfg: RegionConfig, s3Keys: S3Keys, repositoryPassword: pulumi.Input<string>, after: pulumi.Resource): VeleroInstall {
    const cluster = clusterProvider(cfg);
    const velero = new VeleroInstall("velero", { ...cfg.velero, s3Keys, repositoryPassword }, {
        provider: cluster,
        dependsOn: [after],
    });
    new DrAlertRules("dr-alerts", {
        site: cfg.siteId,
        runbookBaseUrl: cfg.alerts.runbookBaseUrl,
        namespace: cfg.alerts.namespace,
        nodeAgent: cfg.velero.nodeAgent,
        rgwSync: cfg.alerts.rgwSync,
        pendingFor: cfg.alerts.pendingFor,
        rgwSyncRateWindow: cfg.alerts.rgwSyncRateWindow,
        backupDurationAllowance: cfg.alerts.backupDurationAllowance,
        replicationAllowance: cfg.alerts.replicationAllowance,
        backupFailingFor: cfg.alerts.backupFailingFor,
        rgwSyncStalledFor: cfg.alerts.rgwSyncStalledFor,
        noBackupsVisibleFor: cfg.alerts.noBackupsVisibleFor,
        // backupSyncPeriod stays the component's default (1m): Velero syncs the passive location
        // once a minute at most (the failover stack's passiveBackupSyncPeriod, 30s, only lets every
        // tick through), so a minute is what the alerts allow for it.
    }, { provider: cluster });
    return velero;
}

function veleroOutputs(velero: VeleroInstall) {
    return { veleroNamespace: velero.namespace, veleroVersion: velero.veleroVersion };
}

function commonOutputs(cfg: RegionConfig) {
    return {
        siteId: cfg.siteId,
        bootstrapRole: cfg.bootstrapRole,
        zone: cfg.zone,
        endpoint: cfg.endpoint,
        syncScope: cfg.syncScope,
        veleroUser: cfg.veleroUser,
        rgwAdminCommand: cfg.transport.adminCommand,
        rgwRestartCommand: cfg.transport.restartCommand,
        ...(cfg.transport.radosCommand !== undefined ? { rgwRadosCommand: cfg.transport.radosCommand } : {}),
        // Only the one that is set: an undefined stack output is noise in every `pulumi up`.
        ...(cfg.kubeconfig ? { kubeconfig: pulumi.secret(cfg.kubeconfig) } : { kubeContext: cfg.kubeContext }),
    };
}

/** The master bootstrap site: realm, zonegroup, master zone, Velero user and bucket. */
export function masterSiteProgram(cfg: RegionConfig): RegionOutputs {
    const zonegroup = new RgwZoneGroup("rgw-zonegroup", {
        realm: cfg.realm,
        zonegroup: cfg.zonegroup,
        endpoint: cfg.endpoint,
        transport: cfg.transport,
    });
    const zone = new RgwZone("rgw-zone", {
        realm: cfg.realm,
        zonegroup: cfg.zonegroup,
        zone: cfg.zone,
        endpoint: cfg.endpoint,
        role: "master",
        systemUser: cfg.systemUser,
        transport: cfg.transport,
        zonegroupFeatures: zonegroupFeaturesFor(cfg.cephRelease),
    }, { dependsOn: [zonegroup.ready] });
    const velero = new GlobalS3User("velero-user", {
        uid: cfg.veleroUser,
        displayName: "Velero backups (velero-ceph-dr)",
        transport: cfg.transport,
        bucket: { name: cfg.bucket, endpoint: cfg.endpoint, region: cfg.zonegroup },
    }, { dependsOn: [zone.ready] });
    const sync = new SyncGroup("velero-sync", {
        scope: cfg.syncScope,
        bucket: cfg.bucket,
        zonegroup: cfg.zonegroup,
        zone: cfg.zone,
        transport: cfg.transport,
    }, { dependsOn: [velero.ready] });
    // One kopia repository password for both clusters: generated here, read by site-b.
    // Protected and retained: a new password after a `pulumi destroy` could not open the kopia
    // repository that holds every backup's volume data.
    const kopia = new RandomSecret("kopia-repository-password", { length: 32, alphabet: ALPHANUMERIC }, { protect: true, retainOnDelete: true });
    const veleroInstall = veleroFor(cfg, velero.keys, pulumi.secret(kopia.result), sync.ready);

    return {
        ...commonOutputs(cfg),
        ...veleroOutputs(veleroInstall),
        realm: cfg.realm,
        zonegroup: cfg.zonegroup,
        // From the bucket resource: site-b and the failover stack read it only once the bucket exists.
        bucket: velero.bucketName as pulumi.Output<string>,
        bootstrapMasterZone: cfg.zone,
        bootstrapMasterEndpoint: cfg.endpoint,
        systemAccessKey: pulumi.secret(zone.systemKeys.accessKey),
        systemSecretKey: pulumi.secret(zone.systemKeys.secretKey),
        veleroAccessKey: pulumi.secret(velero.keys.accessKey),
        veleroSecretKey: pulumi.secret(velero.keys.secretKey),
        kopiaRepositoryPassword: pulumi.secret(kopia.result),
    };
}

/** A secondary site: joins the master's realm; the user and bucket arrive by metadata sync. */
export function secondarySiteProgram(cfg: RegionConfig, master: MasterSite): RegionOutputs {
    const zone = new RgwZone("rgw-zone", {
        realm: master.plain.realm,
        zonegroup: master.plain.zonegroup,
        zone: cfg.zone,
        endpoint: cfg.endpoint,
        role: "secondary",
        masterEndpoint: master.plain.endpoint,
        systemKeys: master.systemKeys,
        transport: cfg.transport,
        zonegroupFeatures: zonegroupFeaturesFor(cfg.cephRelease),
    });
    const sync = new SyncGroup("velero-sync", {
        scope: cfg.syncScope,
        bucket: master.plain.bucket,
        zonegroup: master.plain.zonegroup,
        zone: cfg.zone,
        peerZone: master.plain.zone,
        transport: cfg.transport,
    }, { dependsOn: [zone.ready] });
    // Same keys and kopia password as site-a: both clusters read one repository.
    const veleroInstall = veleroFor(cfg, master.veleroKeys, master.kopiaRepositoryPassword, sync.ready);

    // Re-exported so the failover stack and break-glass tooling can work from this site alone.
    return {
        ...commonOutputs(cfg),
        ...veleroOutputs(veleroInstall),
        realm: master.plain.realm,
        zonegroup: master.plain.zonegroup,
        bucket: master.plain.bucket,
        bootstrapMasterZone: master.plain.zone,
        bootstrapMasterEndpoint: master.plain.endpoint,
        systemAccessKey: master.systemKeys.accessKey,
        systemSecretKey: master.systemKeys.secretKey,
        veleroAccessKey: master.veleroKeys.accessKey,
        veleroSecretKey: master.veleroKeys.secretKey,
        kopiaRepositoryPassword: master.kopiaRepositoryPassword,
    };
}

/** The region program for one site. Validation of cross-site settings happens before any step. */
export async function regionProgram(cfg: RegionConfig, prefix: string): Promise<RegionOutputs> {
    if (cfg.bootstrapRole === "master") return masterSiteProgram(cfg);
    const stackName = cfg.masterStack as string;
    const ref = new pulumi.StackReference("master-site", { name: stackName });
    const master = await readMasterSite(ref, stackName);
    const problems = crossSiteProblems(cfg, master.plain, prefix);
    if (problems.length > 0) throw new ConfigError(problems);
    return secondarySiteProgram(cfg, master);
}
