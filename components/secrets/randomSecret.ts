// A generated secret (S3 keys, the kopia repository password) as a Pulumi dynamic resource: made
// once with node's crypto, kept secret in the state, replaced only when its length or alphabet
// changes. Why not @pulumi/random: README, "Providers".
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";

/** Type token of a generated secret. */
export const RANDOM_SECRET_TYPE = "pulumi-nodejs:dynamic/dr:RandomSecret";

export const UPPER_AND_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
export const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export interface RandomSecretState {
    length: number;
    alphabet: string;
    result?: string;
}

/** `length` characters drawn uniformly from `alphabet` (crypto.randomInt has no modulo bias). */
export function randomFrom(alphabet: string, length: number): string {
    if (!Number.isInteger(length) || length < 1) throw new Error(`length ${length}: allowed: a whole number of at least 1`);
    if (new Set(alphabet).size < 2) throw new Error("alphabet: allowed: at least two different characters");
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[crypto.randomInt(alphabet.length)];
    return out;
}

export const randomSecretProvider: pulumi.dynamic.ResourceProvider<RandomSecretState, RandomSecretState> = {
    async create(inputs) {
        return { id: "secret", outs: { ...inputs, result: randomFrom(inputs.alphabet, inputs.length) } };
    },
    async diff(_id, olds, news) {
        const replaces = (["length", "alphabet"] as const).filter((k) => olds[k] !== news[k]);
        return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
    },
};

export interface RandomSecretArgs {
    /** Number of characters. */
    length: number;
    /** The characters to draw from. */
    alphabet: string;
}

/** A secret generated once; `result` is a secret Output. */
export class RandomSecret extends pulumi.dynamic.Resource {
    // `declare`: a class field would overwrite the Output the base constructor set (ES2022 class fields).
    declare public readonly result: pulumi.Output<string>;

    constructor(name: string, args: RandomSecretArgs, opts?: pulumi.CustomResourceOptions) {
        super(randomSecretProvider, name, { ...args, result: undefined }, {
            ...opts,
            additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "result"],
        }, "dr", "RandomSecret");
    }
}
