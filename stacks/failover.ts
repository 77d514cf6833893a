// The failover program: owns everything that depends on the role. The active site's zone is the
// metadata master and its Velero writes and runs the Schedules; the passive site's zone is a
// secondary and its Velero reads. Switching `activeSite` shows, in one preview, the promotion and
// both clusters' BackupStorageLocation and Schedule changes.
//
// A site listed in `unreachableSites` gets no call at all: not even its StackReference is read
// (its state backend may be lost with it). Everything declared against a site is retainOnDelete,
// so leaving the program never tries to reach it; when it returns, the same names are declared
// again and converge (Ceph steps are "ensure"; Kubernetes objects are upserted with patchForce).
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ShellStep, keepNotice, scriptCommand, shellQuote, transportEnv } from "../components";
import { PATCH_FORCE_ANNOTATION, RPO_SECONDS_LABEL } from "../core/labels";
import { RegionOutputName, RegionOutputValues, SITE_IDS, SiteId, parseRegionOutputs } from "../core/siteContract";
import { DEFAULT_BACKUP_STORAGE_LOCATION, renderBackupStorageLocation, renderSchedule } from "../core/velero/renderers";
import { ConfigError } from "./checker";
import { FailoverConfig } from "./failoverConfig";
import { readPlainOutputs } from "./region";

/** The plain outputs of a region stack that the failover stack reads (site contract names). */
const PLAIN_KEYS = [
    "siteId", "realm", "zonegroup", "zone", "endpoint", "bucket", "veleroNamespace", "rgwAdminCommand", "rgwRestartCommand", "rgwRadosCommand", "kubeContext",
] as const satisfies readonly RegionOutputName[];

/** What the failover stack needs of a region stack: plain outputs, and secrets as Outputs. */
export type SiteFacts = Pick<RegionOutputValues, (typeof PLAIN_KEYS)[number]> & {
    kubeconfig?: pulumi.Output<string>;
    systemAccessKey: pulumi.Output<string>;
    systemSecretKey: pulumi.Output<string>;
};

async function readSite(site: SiteId, stackName: string): Promise<SiteFacts> {
    const ref = new pulumi.StackReference(`${site}-stack`, { name: stackName });
    const { values, problems } = parseRegionOutputs(await readPlainOutputs(ref, PLAIN_KEYS), PLAIN_KEYS, `the ${site} stack ${stackName}`);
    if (problems.length > 0) throw new ConfigError(problems);
    const kubeconfig = (await ref.getOutputDetails("kubeconfig")).secretValue !== undefined
        ? pulumi.secret(ref.requireOutput("kubeconfig").apply(String))
        : undefined;
    const secret = (key: RegionOutputName) => pulumi.secret(ref.requireOutput(key).apply(String));
    return {
        ...values,
        kubeconfig,
        systemAccessKey: secret("systemAccessKey"),
        systemSecretKey: secret("systemSecretKey"),
    };
}

/** Checks that the stacks are the sites they claim and agree on the shared settings. Pure. */
export function siteProblems(sites: Partial<Record<SiteId, SiteFacts>>, cfg: FailoverConfig): string[] {
    const problems: string[] = [];
    for (const [site, facts] of Object.entries(sites) as Array<[SiteId, SiteFacts]>) {
        if (facts.siteId !== site) {
            problems.push(`the stack ${cfg.stacks[site]} configured for ${site} is ${facts.siteId}: check siteAStack/siteBStack`);
        }
    }
    const a = sites["site-a"];
    const b = sites["site-b"];
    if (a && b) {
        for (const key of ["realm", "zonegroup", "bucket"] as const) {
            if (a[key] !== b[key]) problems.push(`site-a and site-b disagree on ${key} ("${a[key]}" vs "${b[key]}"): they are not one realm`);
        }
        if (a.zone === b.zone) problems.push(`site-a and site-b both say they are zone "${a.zone}"`);
    }
    return problems;
}

function clusterProvider(site: SiteFacts): k8s.Provider {
    return new k8s.Provider(`${site.siteId}-cluster`,
        site.kubeconfig ? { kubeconfig: site.kubeconfig } : { context: site.kubeContext });
}

/** Kubernetes objects are upserted over whatever a returning site still holds from before. */
function adoptable<T extends { metadata: object }>(obj: T): T {
    return { ...obj, metadata: { ...obj.metadata, annotations: { [PATCH_FORCE_ANNOTATION]: "true" } } };
}

/** The environment that lets a step use kubectl against a site's cluster (kubeconfig is secret). */
function kubeEnv(site: SiteFacts): Record<string, pulumi.Input<string>> {
    return site.kubeconfig ? { KUBECONFIG_DATA: site.kubeconfig } : { KUBE_CONTEXT: site.kubeContext ?? "" };
}

export interface FailoverOutputs {
    activeSite: SiteId;
    passiveSite: SiteId;
    unreachableSites: SiteId[];
    activeZone: string;
    activeEndpoint: string;
    passiveEndpoint?: string;
    /** What to run on the active site to restore the newest complete backup. */
    restoreCommand: string;
    runbook: Record<string, unknown>;
}

/** Declares the roles. `sites` holds only the reachable sites. */
export function declareRoles(cfg: FailoverConfig, sites: Partial<Record<SiteId, SiteFacts>>): FailoverOutputs {
    const active = sites[cfg.activeSite] as SiteFacts;
    const passive = sites[cfg.passiveSite];
    const retain = { retainOnDelete: true };

    // Velero in the passive cluster first: stop its schedules, make its location read-only and
    // wait until its in-flight backups and repository maintenance are done. Only then does Ceph
    // change roles, so the old side never writes once the fence on its zone is lifted (demote):
    // there is never a second writer.
    const passiveSteps: pulumi.Resource[] = [];
    if (passive) {
        const cluster = clusterProvider(passive);
        const stopCommand = `scripts/velero-role.sh stop-schedules --namespace ${shellQuote(passive.veleroNamespace)} --label ${RPO_SECONDS_LABEL}`;
        const stop = new ShellStep(`${passive.siteId}-stop-schedules`, {
            create: stopCommand,
            update: stopCommand,
            delete: "true",
            environment: kubeEnv(passive),
        }, retain);
        const readOnly = new k8s.apiextensions.CustomResource(`${passive.siteId}-backup-location`, adoptable(renderBackupStorageLocation({
            namespace: passive.veleroNamespace,
            bucket: passive.bucket,
            endpoint: passive.endpoint,
            zonegroup: passive.zonegroup,
            accessMode: "ReadOnly",
            backupSyncPeriod: cfg.passiveBackupSyncPeriod,
        })), { ...retain, provider: cluster });
        const idleCommand = `scripts/velero-role.sh wait-idle --namespace ${shellQuote(passive.veleroNamespace)}`;
        const idle = new ShellStep(`${passive.siteId}-wait-idle`, {
            create: idleCommand,
            update: idleCommand,
            delete: "true",
            environment: kubeEnv(passive),
        }, { ...retain, dependsOn: [stop, readOnly] });
        passiveSteps.push(stop, readOnly, idle);
    }

    // Ceph: the active zone becomes (or stays) the metadata master. With the peer reachable the
    // script first pulls the newest period from it, fences it read-only and waits until metadata,
    // data and the Velero bucket itself are caught up; then it promotes, commits and restarts the
    // gateway.
    const peerFlags = passive ? { "peer-zone": passive.zone, "peer-url": passive.endpoint } : {};
    const promoteCommand = scriptCommand("promote", {
        zone: active.zone, zonegroup: active.zonegroup, ...peerFlags, bucket: active.bucket, force: cfg.forcePromotion,
    });
    const master = new ShellStep("ceph-metadata-master", {
        create: promoteCommand,
        update: promoteCommand,
        delete: keepNotice(`zone ${active.zone} as metadata master`),
        environment: {
            ...transportEnv({ adminCommand: active.rgwAdminCommand, restartCommand: active.rgwRestartCommand, radosCommand: active.rgwRadosCommand }),
            ...(passive ? { RGW_PEER_ADMIN: passive.rgwAdminCommand, RGW_PEER_RESTART: passive.rgwRestartCommand } : {}),
            RGW_SYSTEM_ACCESS_KEY: active.systemAccessKey,
            RGW_SYSTEM_SECRET_KEY: active.systemSecretKey,
        },
    }, { ...retain, dependsOn: passiveSteps });

    // The passive zone follows the new period: non-master, writable unless strict read-only.
    let secondary: ShellStep | undefined;
    if (passive) {
        const demoteCommand = scriptCommand("demote", {
            zone: passive.zone, "master-url": active.endpoint, "read-only": cfg.strictReadOnlyPassive,
        });
        secondary = new ShellStep("ceph-secondary", {
            create: demoteCommand,
            update: demoteCommand,
            delete: keepNotice(`zone ${passive.zone} as secondary`),
            environment: {
                ...transportEnv({ adminCommand: passive.rgwAdminCommand, restartCommand: passive.rgwRestartCommand, radosCommand: passive.rgwRadosCommand }),
                RGW_SYSTEM_ACCESS_KEY: passive.systemAccessKey,
                RGW_SYSTEM_SECRET_KEY: passive.systemSecretKey,
            },
        }, { ...retain, dependsOn: [master] });
    }
    // After a forced promotion fenced the lost zone off (the new master stopped syncing from it),
    // each zone syncs from the other again once both answer and the returning one is demoted: a
    // full sync, so none of the returning zone's cut-off deletes replays. A no-op on every other
    // run. The commands name the zones in their roles, so every role change re-runs them.
    const readmits: ShellStep[] = [];
    if (passive && secondary) {
        for (const [role, zone, peer] of [["active", active, passive], ["passive", passive, active]] as const) {
            const readmitCommand = scriptCommand("readmit", { zone: zone.zone, "peer-zone": peer.zone });
            readmits.push(new ShellStep(`ceph-${role}-syncs-from-${role === "active" ? "passive" : "active"}`, {
                create: readmitCommand,
                update: readmitCommand,
                delete: keepNotice(`the sync of zone ${zone.zone} from ${peer.zone}`),
                environment: {
                    ...transportEnv({ adminCommand: zone.rgwAdminCommand, restartCommand: zone.rgwRestartCommand, radosCommand: zone.rgwRadosCommand }),
                    RGW_PEER_ADMIN: peer.rgwAdminCommand,
                },
            }, { ...retain, dependsOn: [secondary] }));
        }
    }
    // The new active cluster takes Velero's writes as soon as its zone is the metadata master: the
    // old one's Velero stopped and went read-only before the promotion, and its zone is fenced
    // read-only (or cut off). Demoting it and resuming each zone's sync from the other only make it
    // a secondary again, and run beside the location's switch instead of before it (they took
    // about half of a drill's `pulumi up`): no step of theirs removes an object of the new master.
    const activeCluster = clusterProvider(active);
    const location = new k8s.apiextensions.CustomResource(`${active.siteId}-backup-location`, adoptable(renderBackupStorageLocation({
        namespace: active.veleroNamespace,
        bucket: active.bucket,
        endpoint: active.endpoint,
        zonegroup: active.zonegroup,
        accessMode: "ReadWrite",
    })), { ...retain, provider: activeCluster, dependsOn: [master] });
    for (const s of cfg.schedules) {
        new k8s.apiextensions.CustomResource(`${active.siteId}-schedule-${s.name}`, adoptable(renderSchedule({
            name: s.name,
            namespace: active.veleroNamespace,
            cron: s.cron,
            ttl: s.ttl,
            includedNamespaces: s.namespaces,
            rpoSeconds: s.rpoSeconds,
            storageLocation: DEFAULT_BACKUP_STORAGE_LOCATION,
            site: active.siteId,
        })), { ...retain, provider: activeCluster, dependsOn: [location] });
    }

    const ctx = active.kubeContext ? ` --kube-context ${shellQuote(active.kubeContext)}` : "";
    return {
        activeSite: cfg.activeSite,
        passiveSite: cfg.passiveSite,
        unreachableSites: cfg.unreachableSites,
        activeZone: active.zone,
        activeEndpoint: active.endpoint,
        ...(passive ? { passiveEndpoint: passive.endpoint } : {}),
        // With the other site lost, its zone's sync state must not block the restore (failover.sh --lost-site).
        restoreCommand: `scripts/failover.sh restore --site ${cfg.activeSite} --namespace ${shellQuote(active.veleroNamespace)}${ctx}`
            + (cfg.unreachableSites.includes(cfg.passiveSite) ? ` --lost-site ${cfg.passiveSite}` : ""),
        runbook: {
            activeSite: cfg.activeSite,
            activeZone: active.zone,
            activeEndpoint: active.endpoint,
            passiveSite: cfg.passiveSite,
            passiveZone: passive?.zone ?? "(unreachable)",
            unreachableSites: cfg.unreachableSites,
            zonegroup: active.zonegroup,
            bucket: active.bucket,
            veleroNamespace: active.veleroNamespace,
            backupStorageLocation: DEFAULT_BACKUP_STORAGE_LOCATION,
            schedules: cfg.schedules.map((s) => ({ name: s.name, cron: s.cron, ttl: s.ttl, rpoSeconds: s.rpoSeconds })),
            strictReadOnlyPassive: cfg.strictReadOnlyPassive,
            forcePromotion: cfg.forcePromotion,
        },
    };
}

/** The failover program: reads the reachable sites' stacks, checks them, declares the roles. */
export async function failoverProgram(cfg: FailoverConfig): Promise<FailoverOutputs> {
    const sites: Partial<Record<SiteId, SiteFacts>> = {};
    for (const site of SITE_IDS) {
        if (!cfg.unreachableSites.includes(site)) sites[site] = await readSite(site, cfg.stacks[site]);
    }
    const problems = siteProblems(sites, cfg);
    if (problems.length > 0) throw new ConfigError(problems);
    return declareRoles(cfg, sites);
}
