// The backup bucket as a Pulumi dynamic resource over @aws-sdk/client-s3. It speaks only what Ceph
// RGW serves (HeadBucket, CreateBucket, GetBucketAcl): @pulumi/aws's bucket reads tags through the
// S3 Control API, which RGW answers with 403 (README, "Why not @pulumi/aws for the bucket").
// Delete never deletes: removing the resource leaves the bucket and its backups in Ceph.
import * as pulumi from "@pulumi/pulumi";
import { CreateBucketCommand, GetBucketAclCommand, HeadBucketCommand, S3Client } from "@aws-sdk/client-s3";
import {
    BucketApi, BucketSpec, BucketState, CreateAnswer, HeadAnswer, OwnerAnswer, REPLACE_ON_CHANGE, changedProperties,
    ensureBucket, readBucket,
} from "./bucketLogic";

/** HTTP status and S3 error code of an SDK error, when it has them. */
function s3Failure(e: unknown): { status?: number; code?: string } {
    const err = e as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
    return { status: err.$metadata?.httpStatusCode, code: err.Code ?? err.name };
}

/** An S3 client for RGW: path style, region = zonegroup, and no checksum headers RGW may refuse. */
export function rgwS3Client(spec: Pick<BucketSpec, "endpoint" | "region" | "accessKey" | "secretKey">): S3Client {
    return new S3Client({
        endpoint: spec.endpoint,
        region: spec.region,
        forcePathStyle: true,
        credentials: { accessKeyId: spec.accessKey, secretAccessKey: spec.secretKey },
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
        maxAttempts: 3,
        requestHandler: { connectionTimeout: 5000, requestTimeout: 30000 },
    });
}

/** The bucket calls over a real gateway. Anything but the answers below is an error with its status. */
export function s3BucketApi(spec: BucketSpec): BucketApi {
    const client = rgwS3Client(spec);
    const where = `${spec.endpoint} (region ${spec.region})`;
    const fail = (call: string, bucket: string, e: unknown): Error => {
        const { status, code } = s3Failure(e);
        return new Error(`S3 ${call} ${bucket} on ${where} failed: ${code ?? "error"}${status ? ` (HTTP ${status})` : ""}: ${(e as Error).message}`);
    };
    return {
        async head(bucket: string): Promise<HeadAnswer> {
            try {
                await client.send(new HeadBucketCommand({ Bucket: bucket }));
                return "exists";
            } catch (e) {
                const { status } = s3Failure(e);
                if (status === 404) return "missing";
                if (status === 403) return "forbidden";
                throw fail("HeadBucket", bucket, e);
            }
        },
        async create(bucket: string): Promise<CreateAnswer> {
            try {
                await client.send(new CreateBucketCommand({ Bucket: bucket }));
                return "created";
            } catch (e) {
                const { code } = s3Failure(e);
                if (code === "BucketAlreadyOwnedByYou") return "owned-by-you";
                if (code === "BucketAlreadyExists") return "taken";
                throw fail("CreateBucket", bucket, e);
            }
        },
        async owner(bucket: string): Promise<OwnerAnswer> {
            try {
                const acl = await client.send(new GetBucketAclCommand({ Bucket: bucket }));
                const id = acl.Owner?.ID;
                if (!id) throw new Error("the answer names no owner");
                return { owner: id };
            } catch (e) {
                if (s3Failure(e).status === 403) return "forbidden";
                throw fail("GetBucketAcl", bucket, e);
            }
        },
    };
}

/** The dynamic provider. Its functions are serialized into the state, so they only use the imports above. */
export const rgwBucketProvider: pulumi.dynamic.ResourceProvider<BucketSpec, BucketState> = {
    async create(inputs) {
        await ensureBucket(s3BucketApi(inputs), inputs);
        return { id: inputs.bucket, outs: inputs };
    },
    async read(id, props) {
        // `pulumi import` has no state to read from: the keys are not in the id.
        if (!props) throw new Error(`bucket ${id}: import is not supported; declare it and run \`pulumi up\` (an owned bucket is adopted)`);
        const state = await readBucket(s3BucketApi(props), props);
        return state ? { id, props: state } : {};
    },
    async diff(_id, olds, news) {
        const changed = changedProperties(olds, news);
        return {
            changes: changed.length > 0,
            replaces: changed.filter((k) => REPLACE_ON_CHANGE.includes(k)),
            deleteBeforeReplace: false,
        };
    },
    async update(_id, _olds, news) {
        await ensureBucket(s3BucketApi(news), news);
        return { outs: news };
    },
    async delete() {
        // Never delete a bucket that holds backups; the resource only leaves the state.
    },
};

/** Inputs of RgwBucket. */
export interface RgwBucketArgs {
    /** Bucket name (validated by the caller). */
    bucket: pulumi.Input<string>;
    /** RGW user id that owns the bucket; a bucket owned by anyone else is refused, never adopted. */
    owner: pulumi.Input<string>;
    /** The metadata master's gateway URL. */
    endpoint: pulumi.Input<string>;
    /** The zonegroup's name (the S3 region RGW expects). */
    region: pulumi.Input<string>;
    /** The owner's keys: kept secret in inputs and state. */
    accessKey: pulumi.Input<string>;
    secretKey: pulumi.Input<string>;
}

/**
 * A bucket on Ceph RGW owned by one user: created, or adopted when that user already owns it;
 * refreshed with HeadBucket and GetBucketAcl; never deleted.
 */
export class RgwBucket extends pulumi.dynamic.Resource {
    // `declare`: class fields would overwrite the Outputs the base constructor set (ES2022 class fields).
    declare public readonly bucket: pulumi.Output<string>;
    declare public readonly owner: pulumi.Output<string>;
    declare public readonly endpoint: pulumi.Output<string>;

    constructor(name: string, args: RgwBucketArgs, opts?: pulumi.CustomResourceOptions) {
        const props = {
            ...args,
            accessKey: pulumi.secret(args.accessKey),
            secretKey: pulumi.secret(args.secretKey),
        };
        super(rgwBucketProvider, name, props, {
            ...opts,
            additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "accessKey", "secretKey"],
        }, "rgw", "Bucket");
    }
}
