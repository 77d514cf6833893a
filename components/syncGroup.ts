import * as pulumi from "@pulumi/pulumi";
import { SYNC_SCOPES, SyncScope } from "../core/siteContract";
import { bucketNameProblem, cephNameProblem } from "../core/validators";
import { RgwAdminTransport, rgwStep, scriptCommand, transportEnv } from "./rgwScript";

export interface SyncGroupArgs {
    /**
     * `zone` (default): the zones mirror everything and no sync policy exists; this only verifies
     * that the bucket has the peer zone as a sync source, and fails loudly if not.
     * `bucket` (opt-in): a zonegroup policy `allowed` plus, on the metadata master, a bucket policy
     * `enabled` for this bucket only; other buckets then do not replicate.
     */
    scope?: SyncScope;
    /** The bucket whose replication is ensured (the Velero bucket). */
    bucket: pulumi.Input<string>;
    /** Zonegroup of both zones. */
    zonegroup: pulumi.Input<string>;
    /** The zone this stack runs against. */
    zone: string;
    /**
     * The other zone. Unset on the bootstrap master (the peer has not joined yet): the step then
     * checks every other zone of the zonegroup, and says so when there is none yet.
     */
    peerZone?: pulumi.Input<string>;
    /** How radosgw-admin is reached on `zone`'s site. */
    transport: RgwAdminTransport;
}

/**
 * The replication scope of the Velero bucket. Policy is only ever written on the metadata master
 * (on Pacific a bucket policy set on a secondary stays local); every site waits until its own zone
 * lists the peer as a source, because objects written before that are never replicated.
 * Delete keeps any policy: removing it would stop replication of backups.
 */
export class SyncGroup extends pulumi.ComponentResource {
    public readonly scope: SyncScope;
    /** The ensure step; later steps depend on it. */
    public readonly ready: pulumi.Resource;

    constructor(name: string, args: SyncGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("velero-ceph-dr:ceph:SyncGroup", name, {}, opts);
        this.scope = args.scope ?? "zone";
        if (!(SYNC_SCOPES as readonly string[]).includes(this.scope)) {
            throw new Error(`SyncGroup ${name}: scope "${String(this.scope)}" is not allowed; allowed: "zone" or "bucket"`);
        }
        const zoneIssue = cephNameProblem(args.zone);
        if (zoneIssue) throw new Error(`SyncGroup ${name}: zone "${args.zone}" is not allowed; ${zoneIssue}`);
        if (typeof args.bucket === "string") {
            const b = bucketNameProblem(args.bucket);
            if (b) throw new Error(`SyncGroup ${name}: bucket "${args.bucket}" is not allowed; ${b}`);
        }
        this.ready = rgwStep(`${name}-scope`, {
            command: scriptCommand("sync-scope", {
                scope: this.scope,
                bucket: args.bucket,
                zonegroup: args.zonegroup,
                zone: args.zone,
                "peer-zone": args.peerZone,
            }),
            environment: transportEnv(args.transport),
            keeps: `the ${this.scope} replication scope of the bucket`,
        }, { parent: this });
        this.registerOutputs({ scope: this.scope });
    }
}
