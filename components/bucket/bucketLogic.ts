// What "ensure the backup bucket" means, over the three S3 calls Ceph RGW serves for it:
// HeadBucket, CreateBucket and GetBucketAcl. Pure: no Pulumi and no SDK here, so the decisions are
// tested against a table of gateway answers, and the same code runs in the dynamic provider.

/** Type token of the bucket resource (`pulumi-nodejs:dynamic/<module>:<type>`); the policy pack matches it. */
export const RGW_BUCKET_TYPE = "pulumi-nodejs:dynamic/rgw:Bucket";

/** What the bucket resource is given: the bucket, its owner, and how to reach the metadata master. */
export interface BucketSpec {
    /** Bucket name. */
    bucket: string;
    /** RGW user id that must own the bucket (the Velero user whose keys are below). */
    owner: string;
    /** The metadata master's gateway URL (bucket creation is metadata). */
    endpoint: string;
    /** The zonegroup's name, which RGW takes as the S3 region. */
    region: string;
    /** The owner's S3 keys (secret). */
    accessKey: string;
    secretKey: string;
}

/** HeadBucket as the gateway answered it. */
export type HeadAnswer = "exists" | "missing" | "forbidden";
/** CreateBucket as the gateway answered it. */
export type CreateAnswer = "created" | "owned-by-you" | "taken";
/** GetBucketAcl's owner id, or "forbidden" when the caller may not read the ACL (not the owner). */
export type OwnerAnswer = { owner: string } | "forbidden";

/** The S3 calls the bucket logic needs; the SDK adapter and the tests implement it. */
export interface BucketApi {
    head(bucket: string): Promise<HeadAnswer>;
    create(bucket: string): Promise<CreateAnswer>;
    owner(bucket: string): Promise<OwnerAnswer>;
}

/** What the resource keeps in its state (keys included, as secrets, so refresh can read). */
export type BucketState = BucketSpec;

/** How ensure got there: printed in the engine's log, useful when adopting. */
export type EnsureOutcome = "created" | "adopted";

export class BucketOwnerError extends Error {}

function ownerProblem(spec: BucketSpec, found: string | undefined): BucketOwnerError {
    const who = found === undefined ? "another RGW user (the Velero user may not read it)" : `RGW user "${found}"`;
    return new BucketOwnerError(
        `bucket "${spec.bucket}" on ${spec.endpoint} exists and is owned by ${who}, not by the Velero user "${spec.owner}": `
        + `Velero's backups must live in a bucket its own user owns. Choose another name (config key bucket), or hand this bucket `
        + `to "${spec.owner}" on purpose with \`radosgw-admin bucket link --bucket ${spec.bucket} --uid ${spec.owner}\``);
}

async function requireOwner(api: BucketApi, spec: BucketSpec): Promise<void> {
    const answer = await api.owner(spec.bucket);
    if (answer === "forbidden") throw ownerProblem(spec, undefined);
    if (answer.owner !== spec.owner) throw ownerProblem(spec, answer.owner);
}

/**
 * Creates the bucket, or adopts it when the owner already has it; refuses a bucket that someone
 * else owns. Running it again changes nothing.
 */
export async function ensureBucket(api: BucketApi, spec: BucketSpec): Promise<EnsureOutcome> {
    const head = await api.head(spec.bucket);
    if (head === "forbidden") throw ownerProblem(spec, undefined);
    if (head === "exists") {
        await requireOwner(api, spec);
        return "adopted";
    }
    const created = await api.create(spec.bucket);
    if (created === "taken") throw ownerProblem(spec, undefined);
    // RGW answers 200 to a CreateBucket of a bucket one already owns (a race with another run):
    // the owner check makes "created" honest either way.
    await requireOwner(api, spec);
    return created === "created" ? "created" : "adopted";
}

/** Refresh: the bucket as it is now, or undefined when it is gone (someone deleted it by hand). */
export async function readBucket(api: BucketApi, spec: BucketSpec): Promise<BucketState | undefined> {
    const head = await api.head(spec.bucket);
    if (head === "missing") return undefined;
    if (head === "forbidden") throw ownerProblem(spec, undefined);
    const answer = await api.owner(spec.bucket);
    if (answer === "forbidden") throw ownerProblem(spec, undefined);
    // The owner is reported as found, so a refresh shows an owner change as a diff.
    return { ...spec, owner: answer.owner };
}

/** The properties whose change is a different bucket (replace) rather than new access details (update). */
export const REPLACE_ON_CHANGE: ReadonlyArray<keyof BucketSpec> = ["bucket"];
const COMPARED: ReadonlyArray<keyof BucketSpec> = ["bucket", "owner", "endpoint", "region", "accessKey", "secretKey"];

/** Which compared properties differ between the stored state and the new inputs. */
export function changedProperties(olds: Partial<BucketSpec>, news: Partial<BucketSpec>): Array<keyof BucketSpec> {
    return COMPARED.filter((k) => olds[k] !== news[k]);
}
