// Generated S3 key pairs. Results are secret in state; access keys are treated as secrets too,
// because together with the secret key they are a credential.
import * as pulumi from "@pulumi/pulumi";
import { ALPHANUMERIC, RandomSecret, UPPER_AND_DIGITS } from "./secrets/randomSecret";
import { S3Keys } from "./rgwScript";

/**
 * Declares `${name}-access-key` (20 upper-case letters and digits, RGW's format) and
 * `${name}-secret-key` (40 alphanumerics), protected and retained: the users in Ceph keep these
 * keys, and a new pair made after a `pulumi destroy` would not match them.
 */
export function generateS3Keys(name: string, opts: pulumi.CustomResourceOptions): S3Keys {
    const keep = { ...opts, protect: true, retainOnDelete: true };
    const access = new RandomSecret(`${name}-access-key`, { length: 20, alphabet: UPPER_AND_DIGITS }, keep);
    // Alphanumeric only: these keys pass through shell environments and credentials files.
    const secret = new RandomSecret(`${name}-secret-key`, { length: 40, alphabet: ALPHANUMERIC }, keep);
    return { accessKey: pulumi.secret(access.result), secretKey: pulumi.secret(secret.result) };
}
