import * as pulumi from "@pulumi/pulumi";
import { cephNameProblem, endpointProblem } from "../core/validators";
import { RgwAdminTransport, rgwStep, scriptCommand, transportEnv } from "./rgwScript";

export interface RgwZoneGroupArgs {
    /** Realm that holds the zonegroup; created as the default realm if absent. */
    realm: string;
    /** Zonegroup name. It is also the S3 "region" that clients (Velero) must use. */
    zonegroup: string;
    /** Endpoint of the initial master zone's gateway; the zonegroup advertises it. */
    endpoint: string;
    /** How radosgw-admin is reached on the initial master site. */
    transport: RgwAdminTransport;
}

/**
 * The realm and its zonegroup, created once on the site that bootstraps the metadata master.
 * Ensure semantics: existing ones are left as they are (a re-run after a failover never takes
 * the master role back). Delete keeps both: removing a realm would stop replication.
 */
export class RgwZoneGroup extends pulumi.ComponentResource {
    public readonly realm: pulumi.Output<string>;
    public readonly zonegroup: pulumi.Output<string>;
    /** The ensure step; later steps depend on it. */
    public readonly ready: pulumi.Resource;

    constructor(name: string, args: RgwZoneGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("velero-ceph-dr:ceph:RgwZoneGroup", name, {}, opts);
        for (const [key, value] of [["realm", args.realm], ["zonegroup", args.zonegroup]] as const) {
            const problem = cephNameProblem(value);
            if (problem) throw new Error(`RgwZoneGroup ${name}: ${key} "${value}" is not allowed; ${problem}`);
        }
        const endpointIssue = endpointProblem(args.endpoint);
        if (endpointIssue) throw new Error(`RgwZoneGroup ${name}: endpoint "${args.endpoint}" is not allowed; ${endpointIssue}`);

        this.ready = rgwStep(`${name}-realm`, {
            command: scriptCommand("ensure-realm", {
                realm: args.realm,
                zonegroup: args.zonegroup,
                endpoint: args.endpoint,
            }),
            environment: transportEnv(args.transport),
            keeps: `realm ${args.realm} and zonegroup ${args.zonegroup}`,
        }, { parent: this });
        this.realm = pulumi.output(args.realm);
        this.zonegroup = pulumi.output(args.zonegroup);
        this.registerOutputs({ realm: this.realm, zonegroup: this.zonegroup });
    }
}
