import * as pulumi from "@pulumi/pulumi";
import { featureListProblem } from "../core/cephReleases";
import { cephNameProblem, endpointProblem, rgwUidProblem } from "../core/validators";
import { RgwAdminTransport, S3Keys, rgwStep, scriptCommand, transportEnv } from "./rgwScript";
import { generateS3Keys } from "./s3Keys";

export type ZoneRole = "master" | "secondary";

export interface RgwZoneArgs {
    /** Realm the zone belongs to. */
    realm: pulumi.Input<string>;
    /** Zonegroup the zone belongs to. */
    zonegroup: pulumi.Input<string>;
    /** Zone name; plain alphanumeric is advised (the metrics exporter mis-parses '-', '_', '.'). */
    zone: string;
    /** This zone's gateway endpoint, as the other zone reaches it. */
    endpoint: string;
    /**
     * `master`: the zone that bootstraps the realm's metadata master (created with `--master`).
     * `secondary`: joins by pulling the realm from `masterEndpoint`. This is the role at
     * bootstrap only: the failover stack owns the role afterwards and re-runs never flip it.
     */
    role: ZoneRole;
    /** Endpoint of the metadata master to pull the realm from. Required for `secondary`. */
    masterEndpoint?: pulumi.Input<string>;
    /**
     * Keys of the system (sync) user that zones use to replicate. Generated for a `master` when
     * absent; a `secondary` must get the master's.
     */
    systemKeys?: S3Keys;
    /** User id of the system (sync) user, created on the master. Default `dr-sync`. */
    systemUser?: string;
    /** How radosgw-admin is reached and the gateway restarted on this zone's site. */
    transport: RgwAdminTransport;
    /**
     * Zonegroup features this site's Ceph release expects (core/cephReleases.ts). When non-empty,
     * a step enables those every zone supports, on the metadata master, and fails while a zone
     * lacks one (an upgrade not finished). Default none: no step.
     */
    zonegroupFeatures?: readonly string[];
}

/**
 * One RGW zone. The master creates the zone with `--master`, the system user and commits the
 * first period; a secondary pulls the realm, creates its zone (no `--master`) and commits through
 * the master. Both (re)start their gateway. Delete keeps the zone and its pools: removing a zone
 * that holds replicated backups is a manual, deliberate act (see README).
 */
export class RgwZone extends pulumi.ComponentResource {
    public readonly zone: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    /** System (sync) user keys: secret. */
    public readonly systemKeys: S3Keys;
    /** The ensure step; later steps depend on it. */
    public readonly ready: pulumi.Resource;

    constructor(name: string, args: RgwZoneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("velero-ceph-dr:ceph:RgwZone", name, {}, opts);
        const systemUser = args.systemUser ?? "dr-sync";
        const problems: string[] = [];
        const zoneIssue = cephNameProblem(args.zone);
        if (zoneIssue) problems.push(`zone "${args.zone}" is not allowed; ${zoneIssue}`);
        const endpointIssue = endpointProblem(args.endpoint);
        if (endpointIssue) problems.push(`endpoint "${args.endpoint}" is not allowed; ${endpointIssue}`);
        const uidIssue = rgwUidProblem(systemUser);
        if (uidIssue) problems.push(`systemUser "${systemUser}" is not allowed; ${uidIssue}`);
        if (args.role === "secondary" && (!args.masterEndpoint || !args.systemKeys)) {
            problems.push("a secondary zone needs masterEndpoint and the master's systemKeys");
        }
        if (args.role === "secondary" && args.masterEndpoint === args.endpoint) {
            problems.push(`endpoint "${args.endpoint}" is the master's endpoint; each zone needs its own gateway`);
        }
        const features = args.zonegroupFeatures ?? [];
        const featureIssue = features.length ? featureListProblem(features.join(",")) : undefined;
        if (featureIssue) problems.push(`zonegroupFeatures is not allowed: ${featureIssue}`);
        if (problems.length > 0) throw new Error(`RgwZone ${name}: ${problems.join("; ")}`);

        this.systemKeys = args.systemKeys ?? generateS3Keys(`${name}-system`, { parent: this });
        const environment = {
            ...transportEnv(args.transport),
            RGW_SYSTEM_ACCESS_KEY: this.systemKeys.accessKey,
            RGW_SYSTEM_SECRET_KEY: this.systemKeys.secretKey,
        };
        this.ready = args.role === "master"
            ? rgwStep(`${name}-master`, {
                command: scriptCommand("ensure-master-zone", {
                    realm: args.realm,
                    zonegroup: args.zonegroup,
                    zone: args.zone,
                    endpoint: args.endpoint,
                    "system-uid": systemUser,
                }),
                environment,
                keeps: `zone ${args.zone}, its pools and the system user ${systemUser}`,
            }, { parent: this })
            : rgwStep(`${name}-join`, {
                command: scriptCommand("join-secondary", {
                    realm: args.realm,
                    zonegroup: args.zonegroup,
                    zone: args.zone,
                    endpoint: args.endpoint,
                    "master-url": args.masterEndpoint,
                }),
                environment,
                keeps: `zone ${args.zone} and its pools`,
            }, { parent: this });
        if (features.length) {
            // After the zone exists; re-runs when the release (so the list) changes.
            rgwStep(`${name}-zonegroup-features`, {
                command: scriptCommand("ensure-features", { zonegroup: args.zonegroup, features: features.join(",") }),
                environment: transportEnv(args.transport),
                keeps: `the zonegroup features ${features.join(", ")} (Ceph cannot disable them)`,
            }, { parent: this, dependsOn: [this.ready] });
        }
        this.zone = pulumi.output(args.zone);
        this.endpoint = pulumi.output(args.endpoint);
        this.registerOutputs({ zone: this.zone, endpoint: this.endpoint });
    }
}
