import * as pulumi from "@pulumi/pulumi";
import { bucketNameProblem, displayNameProblem, endpointProblem, rgwUidProblem } from "../core/validators";
import { RgwAdminTransport, S3Keys, rgwStep, scriptCommand, transportEnv } from "./rgwScript";
import { generateS3Keys } from "./s3Keys";
import { RgwBucket } from "./bucket/rgwBucket";

export interface OwnedBucketArgs {
    /** Bucket name (S3 naming rules). */
    name: string;
    /** Endpoint of the metadata master's gateway: bucket creation is metadata, written there. */
    endpoint: string;
    /** The zonegroup's name, which RGW expects as the S3 region. */
    region: pulumi.Input<string>;
}

export interface GlobalS3UserArgs {
    /** RGW user id. A normal user, never a system user: it only needs its own buckets. */
    uid: string;
    /** Display name. Default: the uid. */
    displayName?: string;
    /** How radosgw-admin is reached on the metadata master, where users are created. */
    transport: RgwAdminTransport;
    /** Keys to give the user. Default: generated here (secret). */
    keys?: S3Keys;
    /** A bucket owned by this user, created (or adopted) through S3 on the master with the user's keys. */
    bucket?: OwnedBucketArgs;
}

/**
 * An S3 user created once on the metadata master and replicated to every zone by metadata sync,
 * plus optionally the bucket it owns. Delete keeps the user and the bucket: the bucket is
 * `protect`ed and `retainOnDelete`, and the user step only prints that the user is kept.
 */
export class GlobalS3User extends pulumi.ComponentResource {
    public readonly uid: pulumi.Output<string>;
    /** The user's keys: secret. */
    public readonly keys: S3Keys;
    /** The owned bucket's name, once created (undefined without `bucket`). */
    public readonly bucketName?: pulumi.Output<string>;
    /** The last step (bucket if any, else user); later steps depend on it. */
    public readonly ready: pulumi.Resource;

    constructor(name: string, args: GlobalS3UserArgs, opts?: pulumi.ComponentResourceOptions) {
        super("velero-ceph-dr:ceph:GlobalS3User", name, {}, opts);
        const problems: string[] = [];
        const uidIssue = rgwUidProblem(args.uid);
        if (uidIssue) problems.push(`uid "${args.uid}" is not allowed; ${uidIssue}`);
        const displayIssue = args.displayName === undefined ? undefined : displayNameProblem(args.displayName);
        if (displayIssue) problems.push(`displayName ${JSON.stringify(args.displayName)} is not allowed; ${displayIssue}`);
        if (args.bucket) {
            const b = bucketNameProblem(args.bucket.name);
            if (b) problems.push(`bucket.name "${args.bucket.name}" is not allowed; ${b}`);
            const e = endpointProblem(args.bucket.endpoint);
            if (e) problems.push(`bucket.endpoint "${args.bucket.endpoint}" is not allowed; ${e}`);
        }
        if (problems.length > 0) throw new Error(`GlobalS3User ${name}: ${problems.join("; ")}`);

        this.keys = args.keys ?? generateS3Keys(name, { parent: this });
        const user = rgwStep(`${name}-user`, {
            command: scriptCommand("ensure-user", { uid: args.uid, "display-name": args.displayName ?? args.uid }),
            environment: {
                ...transportEnv(args.transport),
                RGW_USER_ACCESS_KEY: this.keys.accessKey,
                RGW_USER_SECRET_KEY: this.keys.secretKey,
            },
            keeps: `user ${args.uid}`,
        }, { parent: this });
        this.ready = user;

        if (args.bucket) {
            // Backups live here: never destroyed by this program, even by `pulumi destroy`.
            const bucket = new RgwBucket(`${name}-bucket`, {
                bucket: args.bucket.name,
                owner: args.uid,
                endpoint: args.bucket.endpoint,
                region: args.bucket.region,
                accessKey: this.keys.accessKey,
                secretKey: this.keys.secretKey,
            }, { parent: this, dependsOn: [user], protect: true, retainOnDelete: true });
            this.bucketName = bucket.bucket;
            this.ready = bucket;
        }
        this.uid = pulumi.output(args.uid);
        this.registerOutputs({ uid: this.uid, bucketName: this.bucketName });
    }
}
