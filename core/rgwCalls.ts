// One typed description of each scripts/rgw-multisite.sh call (subcommand and flags). It renders
// the command line the components declare (what reviewers read in a `pulumi preview`), parses
// such a line back for the policy pack, and parses and checks argv in the CLI (scripts/rgw/cli.ts).
// A pure leaf: no @pulumi import.
import { featureListProblem } from "./cephReleases";
import { bucketNameProblem, cephNameProblem, endpointProblem, rgwUidProblem } from "./validators";

/** Path of the script relative to the project directory, where Pulumi runs local commands. */
export const RGW_SCRIPT = "scripts/rgw-multisite.sh";

/**
 * What a flag's value is: `boolean` is a switch (no value); `name` a realm/zonegroup/zone name;
 * `url` one gateway URL; `urls` one or a comma-separated list; `uid` an RGW user id; `bucket` an S3
 * bucket name; `seconds` a positive whole number; `text` printable text (display names);
 * `backup` a Velero backup name; `features` a comma-separated list of zonegroup features
 * (core/cephReleases.ts); `string` one of `choices`.
 */
export type FlagKind = "boolean" | "string" | "name" | "url" | "urls" | "uid" | "bucket" | "seconds" | "text" | "backup" | "features";

export interface FlagSpec {
    readonly kind: FlagKind;
    readonly required?: boolean;
    readonly choices?: readonly string[];
    /** Value used when the flag is absent (documentation and help only; the steps apply it). */
    readonly default?: string;
}

export interface CallSpec {
    /** Value flags first, then switches: the order the usage message lists them. */
    readonly flags: Readonly<Record<string, FlagSpec>>;
    /** One line for --help. */
    readonly summary: string;
}

const req = <K extends FlagKind>(kind: K) => ({ kind, required: true }) as const;
const opt = <K extends FlagKind>(kind: K) => ({ kind }) as const;

export const RGW_CALLS = {
    "bootstrap-master": {
        summary: "ensure-realm + ensure-master-zone, for manual use",
        flags: { realm: req("name"), zonegroup: req("name"), zone: req("name"), endpoint: req("urls"), "system-uid": { kind: "uid", default: "synchronization-user" } },
    },
    "ensure-realm": {
        summary: "realm and master zonegroup, each only if absent (1st half of bootstrap-master)",
        flags: { realm: req("name"), zonegroup: req("name"), endpoint: req("urls") },
    },
    "ensure-master-zone": {
        summary: "master zone, system user, commit, restart (2nd half of bootstrap-master)",
        flags: { realm: req("name"), zonegroup: req("name"), zone: req("name"), endpoint: req("urls"), "system-uid": req("uid") },
    },
    "join-secondary": {
        summary: "pull the realm, create a secondary zone, commit, restart, wait until sync runs",
        flags: { realm: req("name"), zonegroup: req("name"), zone: req("name"), endpoint: req("urls"), "master-url": req("url") },
    },
    "ensure-features": {
        summary: "the zonegroup features every zone supports, enabled (on the metadata master; refused while a zone lacks one)",
        flags: { zonegroup: req("name"), features: req("features") },
    },
    "ensure-user": {
        summary: "an S3 user with the key pair from RGW_USER_ACCESS_KEY/RGW_USER_SECRET_KEY (on the metadata master)",
        flags: { uid: req("uid"), "display-name": req("text") },
    },
    "sync-scope": {
        summary: "verify (zone) or set up (bucket) what replicates the bucket",
        flags: {
            scope: { kind: "string", choices: ["zone", "bucket"], default: "zone" }, bucket: req("bucket"), zonegroup: req("name"), zone: req("name"),
            "peer-zone": opt("name"), repair: opt("boolean"),
        },
    },
    status: { summary: "one JSON object: period, master, metadata and data sync", flags: { zone: opt("name") } },
    "wait-caught-up": {
        summary: "until metadata and data sync are caught up (and the bucket itself with --bucket)",
        flags: { zone: opt("name"), bucket: opt("bucket"), timeout: opt("seconds") },
    },
    promote: {
        summary: "make the zone the metadata master (preflight, fence of a reachable old master, the bucket caught up)",
        flags: { zone: req("name"), zonegroup: req("name"), "peer-zone": opt("name"), "peer-url": opt("url"), bucket: opt("bucket"), force: opt("boolean") },
    },
    demote: {
        summary: "make the zone a secondary of the master at --master-url",
        flags: { zone: req("name"), "master-url": req("url"), "read-only": opt("boolean") },
    },
    fence: { summary: "make the zone read-only", flags: { zone: req("name") } },
    readmit: {
        summary: "the zone syncs from the peer again after a forced promotion fenced it off (RGW_PEER_ADMIN lists the peer's objects)",
        flags: { zone: req("name"), "peer-zone": req("name") },
    },
    "backup-objects": {
        summary: "one JSON object: the objects of a Velero backup and the bucket's sync state (read-only)",
        flags: { bucket: req("bucket"), backup: req("backup"), zone: opt("name") },
    },
} as const satisfies Record<string, CallSpec>;

export type Subcommand = keyof typeof RGW_CALLS;
export const SUBCOMMANDS = Object.keys(RGW_CALLS) as Subcommand[];
type FlagsOf<S extends Subcommand> = (typeof RGW_CALLS)[S]["flags"];
export type FlagName<S extends Subcommand> = keyof FlagsOf<S> & string;
/** The value a flag takes: true/false for switches, a string otherwise; undefined = absent. */
export type FlagValue<S extends Subcommand, F extends FlagName<S>> = FlagsOf<S>[F] extends { kind: "boolean" } ? boolean : string;
export type CallFlags<S extends Subcommand> = { [F in FlagName<S>]?: FlagValue<S, F> | undefined };

export function isSubcommand(name: string): name is Subcommand {
    return Object.prototype.hasOwnProperty.call(RGW_CALLS, name);
}

function flagSpecs(subcommand: Subcommand): Record<string, FlagSpec> {
    return RGW_CALLS[subcommand].flags as Record<string, FlagSpec>;
}

/** `--a --b ...`: value flags, then switches, in the description's order. */
export function allowedFlags(subcommand: Subcommand): string {
    const specs = Object.entries(flagSpecs(subcommand));
    return [...specs.filter(([, s]) => s.kind !== "boolean"), ...specs.filter(([, s]) => s.kind === "boolean")].map(([n]) => `--${n}`).join(" ");
}

/** The synopsis of one call, e.g. `fence --zone Z`. */
export function synopsis(subcommand: Subcommand): string {
    const parts: string[] = [subcommand];
    for (const [name, spec] of Object.entries(flagSpecs(subcommand))) {
        const value = spec.kind === "boolean" ? "" : ` ${spec.choices ? spec.choices.join("|") : name.toUpperCase().replace(/-/g, "_")}`;
        parts.push(spec.required ? `--${name}${value}` : `[--${name}${value}]`);
    }
    return parts.join(" ");
}

// ---------------------------------------------------------------------------------------------
// Rendering (components)
// ---------------------------------------------------------------------------------------------

/** Quotes a value for POSIX sh only when it needs it, so command lines stay readable in diffs. */
export function shellQuote(value: string): string {
    if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
    return `'${value.replace(/'/g, `'"'"'`)}'`;
}

/**
 * `scripts/rgw-multisite.sh <subcommand> --flag value ... --switch`, flags in the order given;
 * absent values and false switches are left out. A flag the description does not have, or a value
 * of the wrong type, is a programming error and throws.
 */
export function renderRgwCall<S extends Subcommand>(subcommand: S, flags: CallFlags<S>): string {
    const specs = flagSpecs(subcommand);
    const parts: string[] = [RGW_SCRIPT, subcommand];
    for (const [flag, value] of Object.entries(flags as Record<string, string | boolean | undefined>)) {
        const spec = specs[flag];
        if (!spec) throw new Error(`rgw-multisite.sh ${subcommand} has no flag --${flag} (allowed: ${allowedFlags(subcommand)})`);
        if (value === undefined || value === false) continue;
        if ((spec.kind === "boolean") !== (typeof value === "boolean")) {
            throw new Error(`rgw-multisite.sh ${subcommand} --${flag}: ${spec.kind === "boolean" ? "a switch takes true/false" : "needs a string value"}`);
        }
        parts.push(`--${flag}`);
        if (value !== true) parts.push(shellQuote(value));
    }
    return parts.join(" ");
}

// ---------------------------------------------------------------------------------------------
// Parsing (policy pack and CLI)
// ---------------------------------------------------------------------------------------------

/** Splits a POSIX sh word list as shellQuote writes it: bare words, '...' and "..." quoting, backslashes. */
export function shellWords(line: string): string[] {
    const words: string[] = [];
    let word: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (/\s/.test(ch)) {
            if (word !== undefined) words.push(word);
            word = undefined;
        } else if (ch === "'") {
            const end = line.indexOf("'", i + 1);
            if (end < 0) throw new Error(`unterminated ' in ${JSON.stringify(line)}`);
            word = (word ?? "") + line.slice(i + 1, end);
            i = end;
        } else if (ch === '"') {
            let text = "";
            let j = i + 1;
            for (; j < line.length && line[j] !== '"'; j++) {
                if (line[j] === "\\" && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) j++;
                text += line[j];
            }
            if (j >= line.length) throw new Error(`unterminated " in ${JSON.stringify(line)}`);
            word = (word ?? "") + text;
            i = j;
        } else if (ch === "\\" && i + 1 < line.length) {
            word = (word ?? "") + line[i + 1];
            i++;
        } else {
            word = (word ?? "") + ch;
        }
    }
    if (word !== undefined) words.push(word);
    return words;
}

/** A parsed call: flag name (without `--`) -> value, or true for a switch. */
export interface RgwCall {
    subcommand: string;
    flags: Map<string, string | true>;
}

/** Thrown by parseRgwArgv for arguments the CLI must refuse (exit 2). */
export class RgwUsageError extends Error {}

/** Where secrets come from instead of flags (said when a secret-looking flag is refused). */
export const SECRETS_FROM = "RGW_SYSTEM_ACCESS_KEY/RGW_SYSTEM_SECRET_KEY, RGW_USER_ACCESS_KEY/RGW_USER_SECRET_KEY";
const SECRET_FLAG = /secret|access-key|access_key|password|token|^kubeconfig/;

/**
 * The flags of one call from argv (the words after the subcommand): `--name value`,
 * `--name=value`, switches without a value. Strict: refuses positional words, unknown flags, a
 * flag given twice, a value flag without value, a switch with one, and any flag that looks like
 * a secret (flags end up in process lists and logs). The values are not checked here
 * (checkRgwCall does).
 */
export function parseRgwArgv(subcommand: Subcommand, args: readonly string[]): Map<string, string | true> {
    const specs = flagSpecs(subcommand);
    const allowed = allowedFlags(subcommand);
    const flags = new Map<string, string | true>();
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        const m = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
        if (!m) throw new RgwUsageError(`unexpected argument '${arg}': arguments are flags only (allowed: ${allowed || "none"})`);
        const [, name, inline] = m;
        if (SECRET_FLAG.test(name)) throw new RgwUsageError(`--${name} is not accepted: secrets are read from the environment only (${SECRETS_FROM})`);
        const spec = specs[name];
        if (!spec) throw new RgwUsageError(`unknown flag --${name} (allowed: ${allowed || "none"})`);
        if (spec.kind === "boolean") {
            if (inline !== undefined) throw new RgwUsageError(`--${name} takes no value`);
            flags.set(name, true);
            continue;
        }
        let value = inline;
        if (value === undefined) {
            if (i + 1 >= args.length) throw new RgwUsageError(`--${name} needs a value`);
            value = args[++i];
        }
        if (flags.has(name)) throw new RgwUsageError(`--${name} given twice`);
        flags.set(name, value);
    }
    return flags;
}

const BACKUP_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** What is wrong with one flag value, as the usage message says it; undefined when fine. */
export function flagValueProblem(flag: string, spec: FlagSpec, value: string): string | undefined {
    switch (spec.kind) {
        case "name": {
            const p = cephNameProblem(value);
            return p && `--${flag} must be a realm/zonegroup/zone name (got an invalid value); ${p}`;
        }
        case "uid": {
            const p = rgwUidProblem(value);
            return p && `--${flag} must be an RGW user id; got '${value}'; ${p}`;
        }
        case "url":
            if (value.includes(",")) return `--${flag} takes one URL`;
            return urlProblem(flag, value);
        case "urls": {
            const entries = value.split(",");
            if (entries.some((u) => u === "")) return `--${flag}: empty entry in the URL list`;
            for (const u of entries) {
                const p = urlProblem(flag, u);
                if (p) return p;
            }
            return undefined;
        }
        case "bucket": {
            const p = bucketNameProblem(value);
            return p && `--${flag} must be a valid S3 bucket name; got '${value}'; ${p}`;
        }
        case "seconds":
            return /^[1-9][0-9]{0,6}$/.test(value) ? undefined : `--${flag} must be a positive whole number of seconds; got '${value}'`;
        case "text":
            // eslint-disable-next-line no-control-regex
            return value.length <= 256 && !/[\x00-\x1f\x7f]/.test(value) ? undefined : `--${flag} must be 1-256 printable characters`;
        case "backup":
            return BACKUP_NAME.test(value) ? undefined : `--${flag} must be a Velero backup name (lowercase letters, digits, '-', '.'); got an invalid value`;
        case "features": {
            const p = featureListProblem(value);
            return p && `--${flag}: ${p}`;
        }
        case "string":
            return !spec.choices || spec.choices.includes(value) ? undefined : `--${flag} must be ${spec.choices.join(" or ")}; got '${value}'`;
        case "boolean":
            return undefined;
    }
}

function urlProblem(flag: string, url: string): string | undefined {
    const p = endpointProblem(url);
    return p && `--${flag} must be an http:// or https:// URL (comma-separated for several where allowed); got '${url}'; ${p}`;
}

/**
 * Required flags present (a value flag given as "" counts as absent), then each value of the
 * right kind, in the description's order. Returns the first problem, as the usage message.
 */
export function checkRgwCall(subcommand: Subcommand, flags: ReadonlyMap<string, string | true>): string | undefined {
    const specs = Object.entries(flagSpecs(subcommand));
    for (const [name, spec] of specs) {
        if (spec.required && !flags.get(name)) return `missing required flag --${name} (allowed: ${allowedFlags(subcommand)})`;
    }
    for (const [name, spec] of specs) {
        const value = flags.get(name);
        if (typeof value !== "string" || value === "") continue;
        const problem = flagValueProblem(name, spec, value);
        if (problem) return problem;
    }
    return undefined;
}

/**
 * The rgw-multisite.sh call in a command line (the policy pack reads the components' lines), or
 * undefined when the line does not run the script. Lenient: it reports what the line says (a
 * flag the description does not know, or a missing required one, is still reported), so that
 * policies can judge lines a newer or older component wrote.
 */
export function parseRgwCommandLine(line: unknown): RgwCall | undefined {
    if (typeof line !== "string") return undefined;
    let words: string[];
    try {
        words = shellWords(line);
    } catch {
        return undefined;
    }
    const start = words.findIndex((w) => w === RGW_SCRIPT || w.endsWith(`/${RGW_SCRIPT}`));
    if (start < 0 || start + 1 >= words.length) return undefined;
    const subcommand = words[start + 1];
    const specs: Record<string, FlagSpec> = isSubcommand(subcommand) ? flagSpecs(subcommand) : {};
    const flags = new Map<string, string | true>();
    const rest = words.slice(start + 2);
    for (let i = 0; i < rest.length; i++) {
        if (!rest[i].startsWith("--")) continue;
        const [name, inlineValue] = rest[i].slice(2).split(/=(.*)/s, 2);
        const spec = specs[name];
        if (inlineValue !== undefined) {
            flags.set(name, inlineValue);
        } else if (spec?.kind === "boolean") {
            flags.set(name, true);
        } else if (i + 1 < rest.length && (spec !== undefined || !rest[i + 1].startsWith("--"))) {
            flags.set(name, rest[i + 1]);
            i++;
        } else {
            flags.set(name, true);
        }
    }
    return { subcommand, flags };
}
