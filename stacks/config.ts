// The one place that reads Pulumi config. Every setting is validated before any resource is
// declared; all problems are reported together, each naming the key, the bad value and what is
// allowed. Parsing is a pure function over raw strings so tests can call it directly.
import * as pulumi from "@pulumi/pulumi";
import {
    bucketNameProblem,
    cephNameProblem,
    commandProblem,
    endpointProblem,
    rgwUidProblem,
    stackNameProblem,
} from "./validate";

export const SITE_IDS = ["site-a", "site-b"] as const;
export type SiteId = (typeof SITE_IDS)[number];
export const SYNC_SCOPES = ["zone", "bucket"] as const;
export type SyncScope = (typeof SYNC_SCOPES)[number];
export const BOOTSTRAP_ROLES = ["master", "secondary"] as const;
export type BootstrapRole = (typeof BOOTSTRAP_ROLES)[number];
export const PROGRAMS = ["region", "failover"] as const;
export type ProgramKind = (typeof PROGRAMS)[number];

/** How this site's radosgw-admin is reached and its gateway restarted (not secret). */
export interface AdminTransport {
    /** Command prefix that runs radosgw-admin at this site. */
    adminCommand: string;
    /** Command that (re)starts this site's gateway. */
    restartCommand: string;
}

export interface RegionConfig {
    siteId: SiteId;
    bootstrapRole: BootstrapRole;
    /** Stack reference name of the master bootstrap stack (secondary only). */
    masterStack?: string;
    realm: string;
    zonegroup: string;
    zone: string;
    endpoint: string;
    bucket: string;
    syncScope: SyncScope;
    veleroUser: string;
    systemUser: string;
    transport: AdminTransport;
    /** Kubeconfig of this site's cluster (secret), or undefined when `kubeContext` is used. */
    kubeconfig?: pulumi.Output<string>;
    kubeContext?: string;
}

export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }
}

/** Raw settings as strings (what `pulumi config` holds), keyed without the project prefix. */
export type RawConfig = Record<string, string | undefined>;

/** Collects problems while parsing; `key` names are printed with the project prefix. */
export class Checker {
    readonly problems: string[] = [];
    constructor(private readonly raw: RawConfig, private readonly prefix: string) {}

    private fail(key: string, value: string | undefined, allowed: string): void {
        const shown = value === undefined ? "(not set)" : JSON.stringify(value);
        this.problems.push(`${this.prefix}:${key} = ${shown} is not allowed; ${allowed}`);
    }

    /** A required string checked by `problem`; returns "" when missing or bad. */
    require(key: string, problem: (v: string) => string | undefined, example: string): string {
        const value = this.raw[key];
        if (value === undefined || value === "") {
            this.fail(key, value, `it is required, e.g. \`pulumi config set ${key} ${example}\``);
            return "";
        }
        return this.check(key, value, problem);
    }

    optional(key: string, fallback: string, problem: (v: string) => string | undefined): string {
        const value = this.raw[key];
        return value === undefined || value === "" ? fallback : this.check(key, value, problem);
    }

    oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T {
        const value = this.raw[key];
        if ((value === undefined || value === "") && fallback !== undefined) return fallback;
        if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
        this.fail(key, value, `allowed: ${allowed.map((a) => `"${a}"`).join(" or ")}`);
        return allowed[0];
    }

    bool(key: string, fallback: boolean): boolean {
        const value = this.raw[key];
        if (value === undefined || value === "") return fallback;
        if (value === "true" || value === "false") return value === "true";
        this.fail(key, value, "allowed: true or false");
        return fallback;
    }

    /** A cross-setting rule: reports on `key` when `ok` is false. */
    rule(ok: boolean, key: string, allowed: string): void {
        if (!ok) this.fail(key, this.raw[key], allowed);
    }

    private check(key: string, value: string, problem: (v: string) => string | undefined): string {
        const p = problem(value);
        if (p) this.fail(key, value, p);
        return value;
    }

    done(): void {
        if (this.problems.length > 0) throw new ConfigError(this.problems);
    }
}

/** Keys that a region stack reads (besides the secret `kubeconfig`). */
export const REGION_KEYS = [
    "siteId", "bootstrapRole", "masterStack", "realm", "zonegroup", "zone", "endpoint", "bucket",
    "syncScope", "veleroUser", "systemUser", "rgwAdminCommand", "rgwRestartCommand", "kubeContext",
] as const;

/**
 * Parses and validates a region stack's settings. `kubeconfig` is passed separately because it
 * is a secret Output (undefined when not set).
 */
export function parseRegionConfig(
    raw: RawConfig,
    prefix: string,
    kubeconfig?: pulumi.Output<string>,
): RegionConfig {
    const c = new Checker(raw, prefix);
    const siteId = c.oneOf("siteId", SITE_IDS);
    const bootstrapRole = c.oneOf("bootstrapRole", BOOTSTRAP_ROLES, siteId === "site-a" ? "master" : "secondary");
    const masterStack = raw.masterStack ? c.optional("masterStack", "", stackNameProblem) : undefined;
    c.rule(
        bootstrapRole !== "secondary" || !!masterStack,
        "masterStack",
        "it is required when bootstrapRole is \"secondary\": the stack that bootstrapped the master zone, e.g. `myorg/velero-ceph-dr/site-a`",
    );
    const kubeContext = raw.kubeContext || undefined;
    c.rule(
        !(kubeconfig && kubeContext),
        "kubeContext",
        "set either kubeconfig (secret) or kubeContext, not both",
    );
    c.rule(
        !!(kubeconfig || kubeContext),
        "kubeconfig",
        "one of kubeconfig (as a secret: `pulumi config set --secret kubeconfig \"$(cat kubeconfig.yaml)\"`) or kubeContext (a context of the ambient kubeconfig) is required",
    );
    const cfg: RegionConfig = {
        siteId,
        bootstrapRole,
        masterStack,
        realm: c.optional("realm", "dr", cephNameProblem),
        zonegroup: c.optional("zonegroup", "global", cephNameProblem),
        zone: c.require("zone", cephNameProblem, "zonea"),
        endpoint: c.require("endpoint", endpointProblem, "https://rgw-a.example.com"),
        bucket: c.optional("bucket", "velero-backups", bucketNameProblem),
        syncScope: c.oneOf("syncScope", SYNC_SCOPES, "zone"),
        veleroUser: c.optional("veleroUser", "velero", rgwUidProblem),
        systemUser: c.optional("systemUser", "dr-sync", rgwUidProblem),
        transport: {
            adminCommand: c.optional("rgwAdminCommand", "radosgw-admin", commandProblem),
            restartCommand: c.require("rgwRestartCommand", commandProblem, "'systemctl restart ceph-radosgw@rgw.a'"),
        },
        kubeconfig,
        kubeContext,
    };
    c.rule(
        cfg.veleroUser !== cfg.systemUser || cfg.veleroUser === "",
        "veleroUser",
        "it must differ from systemUser: Velero must not hold the system (sync) user's keys",
    );
    c.done();
    return cfg;
}

/** Reads raw string settings for `keys` from a pulumi.Config. */
export function readRaw(config: pulumi.Config, keys: readonly string[]): RawConfig {
    const raw: RawConfig = {};
    for (const k of keys) raw[k] = config.get(k);
    return raw;
}

export function loadRegionConfig(): RegionConfig {
    const config = new pulumi.Config();
    const raw = readRaw(config, REGION_KEYS);
    // Read as a secret so it never appears in plaintext in state; missing is reported with the rest.
    const kubeconfig = config.getSecret("kubeconfig");
    return parseRegionConfig(raw, config.name, kubeconfig);
}

/** Which program a stack runs: the `program` setting, else derived from the stack's name. */
export function programFor(stack: string, raw: string | undefined, prefix: string): ProgramKind {
    if (raw !== undefined && raw !== "") {
        const c = new Checker({ program: raw }, prefix);
        const kind = c.oneOf("program", PROGRAMS);
        c.done();
        return kind;
    }
    if (/failover$/.test(stack)) return "failover";
    if (/site-[ab]$/.test(stack)) return "region";
    throw new ConfigError([
        `${prefix}:program = (not set) is not allowed for stack "${stack}"; allowed: "region" or "failover" (it can be left unset only for stacks named *site-a, *site-b or *failover)`,
    ]);
}
