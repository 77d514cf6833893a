// Generated S3 key pairs. RandomPassword results are secret in state; access keys are treated
// as secrets too, because together with the secret key they are a credential.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { S3Keys } from "./rgwScript";

/** Declares `${name}-access-key` (20 upper-case letters and digits, RGW's format) and `${name}-secret-key` (40 alphanumerics). */
export function generateS3Keys(name: string, opts: pulumi.CustomResourceOptions): S3Keys {
    const access = new random.RandomPassword(`${name}-access-key`, {
        length: 20, upper: true, lower: false, numeric: true, special: false,
    }, opts);
    // Alphanumeric only: these keys pass through shell environments and credentials files.
    const secret = new random.RandomPassword(`${name}-secret-key`, {
        length: 40, upper: true, lower: true, numeric: true, special: false,
    }, opts);
    return { accessKey: pulumi.secret(access.result), secretKey: pulumi.secret(secret.result) };
}
