// The on-call tool's arguments: flags parsed and checked into typed options, with what the
// environment must provide. Pure: argv and the environment in, options or a UsageError out (the
// CLI prints it and exits 2). The first problem wins, in the order the checks are listed.
import {
    SITE_IDS, SiteId, bucketNameProblem, cephNameProblem, dnsLabelProblem, dnsSubdomainProblem, endpointProblem, kubeContextProblem, otherSite,
    stackNameProblem, wholeSecondsProblem,
} from "./facts";

export type Env = Readonly<Record<string, string | undefined>>;

/** A bad argument: `failover.sh[ SUBCOMMAND]: MESSAGE`, exit 2. */
export class UsageError extends Error {
    constructor(readonly subcommand: string, message: string) {
        super(message);
        this.name = "UsageError";
    }
}

export const SUBCOMMANDS = ["preflight", "switch", "restore", "help"] as const;

/** Where secrets come from instead of flags (said when a flag looks like one). */
const SECRETS_FROM = "RGW_SYSTEM_ACCESS_KEY/RGW_SYSTEM_SECRET_KEY, TARGET_KUBECONFIG_DATA/OTHER_KUBECONFIG_DATA, PULUMI_*";
/** Flag names refused outright: flags end up in process lists and logs. */
const SECRET_LOOKING = /secret|access-key|access_key|password|token|^kubeconfig/;

export interface FlagSpec {
    /** Flags that take a value: `--name value` or `--name=value`. */
    values: readonly string[];
    /** Flags that take none. */
    switches: readonly string[];
}

/**
 * The flags as given: name to value ("" when given empty, "1" for a switch). An empty value
 * counts as given for "given twice" and as absent everywhere else.
 */
export class Flags {
    constructor(private readonly given: ReadonlyMap<string, string>, readonly allowed: string) {}

    /** The value, or undefined when absent or empty. */
    get(name: string): string | undefined {
        const v = this.given.get(name);
        return v === undefined || v === "" ? undefined : v;
    }

    has(name: string): boolean {
        return this.get(name) !== undefined;
    }
}

/** Parses `--name value`, `--name=value` and `--switch`; anything else is a UsageError. */
export function parseFlags(subcommand: string, spec: FlagSpec, argv: readonly string[]): Flags {
    const allowed = [...spec.values, ...spec.switches].map((f) => `--${f}`).join(" ");
    const fail = (message: string): never => {
        throw new UsageError(subcommand, message);
    };
    const given = new Map<string, string>();
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        let name: string;
        let value: string | undefined;
        const eq = arg.indexOf("=");
        if (arg.startsWith("--") && eq >= 2) {
            name = arg.slice(2, eq);
            value = arg.slice(eq + 1);
        } else if (arg.startsWith("--") && arg.length > 2) {
            name = arg.slice(2);
        } else {
            return fail(`unexpected argument '${arg}': arguments are flags only (allowed: ${allowed || "none"})`);
        }
        if (SECRET_LOOKING.test(name)) fail(`--${name} is not accepted: secrets are read from the environment only (${SECRETS_FROM})`);
        if (spec.values.includes(name)) {
            if (value === undefined) {
                if (i + 1 >= argv.length) fail(`--${name} needs a value`);
                value = argv[++i];
            }
            if (given.has(name)) fail(`--${name} given twice`);
            given.set(name, value);
        } else if (spec.switches.includes(name)) {
            if (value !== undefined) fail(`--${name} takes no value`);
            given.set(name, "1");
        } else {
            fail(`unknown flag --${name} (allowed: ${allowed || "none"})`);
        }
    }
    return new Flags(given, allowed);
}

// ---------------------------------------------------------------------------------------------
// What each flag allows. A checker returns the text after "--flag 'value' is not allowed; ".
// ---------------------------------------------------------------------------------------------

type Checker = (value: string) => string | undefined;

const site: Checker = (v) => ((SITE_IDS as readonly string[]).includes(v) ? undefined : "allowed: site-a or site-b");

const CHECKS: Record<string, Checker> = {
    to: site,
    site,
    unreachable: site,
    "from-site": site,
    "lost-site": site,
    zone: cephNameProblem,
    "other-zone": cephNameProblem,
    zonegroup: cephNameProblem,
    bucket: bucketNameProblem,
    namespace: dnsLabelProblem,
    location: dnsLabelProblem,
    "kube-context": kubeContextProblem,
    "other-kube-context": kubeContextProblem,
    backup: dnsSubdomainProblem,
    stack: stackNameProblem,
    "other-endpoint": endpointProblem,
    timeout: wholeSecondsProblem,
    "reimport-timeout": wholeSecondsProblem,
};


// ---------------------------------------------------------------------------------------------
// Options per subcommand
// ---------------------------------------------------------------------------------------------

/** How to reach one site's cluster: a context of the ambient kubeconfig, or a whole kubeconfig (secret). */
export interface ClusterAccess {
    site: SiteId;
    context?: string;
    /** The environment variable holding a whole kubeconfig (used when there is no context). */
    kubeconfigVar: "TARGET_KUBECONFIG_DATA" | "OTHER_KUBECONFIG_DATA";
}

/** What preflight and switch share. */
export interface SiteOptions {
    to: SiteId;
    other: SiteId;
    /** The other site is declared down: it gets no call at all. */
    otherUnreachable: boolean;
    targetZone?: string;
    otherZone?: string;
    bucket: string;
    namespace: string;
    location: string;
    targetCluster: ClusterAccess;
    otherCluster: ClusterAccess;
}

export type PreflightOptions = SiteOptions;

interface SwitchCommon extends SiteOptions {
    force: boolean;
    dryRun: boolean;
    yes: boolean;
}

/** switch through the failover stack (Pulumi). */
export interface PulumiSwitchOptions extends SwitchCommon {
    path: "pulumi";
    stack: string;
}

/** switch --break-glass: without the Pulumi backend; the zones are named. */
export interface BreakGlassOptions extends SwitchCommon {
    path: "break-glass";
    targetZone: string;
    zonegroup: string;
    otherEndpoint?: string;
}

export type SwitchOptions = PulumiSwitchOptions | BreakGlassOptions;

export interface RestoreOptions {
    to: SiteId;
    other: SiteId;
    namespace: string;
    location: string;
    bucket: string;
    targetZone?: string;
    targetCluster: ClusterAccess;
    /** --backup NAME, else the newest Completed backup made by fromSite. */
    backup?: string;
    fromSite: SiteId;
    /** --lost-site OTHER: the other zone's sync state does not block. */
    otherLost: boolean;
    timeoutSeconds?: number;
    reimportTimeoutSeconds: number;
    dryRun: boolean;
    yes: boolean;
}

export type Command =
    | { name: "help" }
    | { name: "preflight"; options: PreflightOptions }
    | { name: "switch"; options: SwitchOptions }
    | { name: "restore"; options: RestoreOptions };

export const DEFAULTS = { namespace: "velero", bucket: "velero-backups", location: "default", stack: "failover", reimportTimeoutSeconds: 600 } as const;

const FLAGS: Record<"preflight" | "switch" | "restore", FlagSpec> = {
    preflight: { values: ["to", "unreachable", "zone", "other-zone", "bucket", "namespace", "kube-context"], switches: [] },
    switch: {
        values: ["to", "stack", "unreachable", "zone", "zonegroup", "other-zone", "other-endpoint", "bucket", "namespace", "location", "kube-context", "other-kube-context"],
        switches: ["break-glass", "force", "dry-run", "yes"],
    },
    restore: {
        values: ["site", "namespace", "kube-context", "backup", "from-site", "lost-site", "location", "bucket", "zone", "timeout", "reimport-timeout"],
        switches: ["dry-run", "yes"],
    },
};

/** Checks one subcommand's flags and environment, in the order a user reads the messages. */
class Check {
    constructor(readonly subcommand: string, readonly flags: Flags, readonly env: Env) {}

    fail(message: string): never {
        throw new UsageError(this.subcommand, message);
    }

    require(...names: string[]): void {
        for (const n of names) if (!this.flags.has(n)) this.fail(`missing required flag --${n} (allowed: ${this.flags.allowed})`);
    }

    values(...names: string[]): void {
        for (const n of names) {
            const v = this.flags.get(n);
            const problem = v === undefined ? undefined : CHECKS[n](v);
            if (problem !== undefined) this.fail(`--${n} '${v}' is not allowed; ${problem}`);
        }
    }

    /** FLAGS were given where they do not apply: only WHERE. */
    onlyWith(where: string, ...names: string[]): void {
        for (const n of names) if (this.flags.has(n)) this.fail(`--${n} applies to ${where} only`);
    }

    envSet(name: string, why: string): void {
        if (!this.env[name]) this.fail(`${name} is not set: ${why}`);
    }

    cluster(access: ClusterAccess, side: "target" | "other"): void {
        if (access.context || this.env[access.kubeconfigVar]) return;
        if (side === "target") {
            this.fail(`which cluster is ${access.site}? give --kube-context C or set ${access.kubeconfigVar} (a whole kubeconfig, secret)`);
        }
        this.fail(`which cluster is ${access.site}? give --other-kube-context C or set ${access.kubeconfigVar}, or declare the site lost with --unreachable ${access.site}`);
    }
}

/** Flags shared by preflight and switch (`common_site_flags` of the shell tool). */
function siteOptions(c: Check): SiteOptions {
    const f = c.flags;
    c.require("to");
    c.values("to", "unreachable", "zone", "other-zone", "zonegroup", "bucket", "namespace", "location", "kube-context", "other-kube-context");
    const to = f.get("to") as SiteId;
    const other = otherSite(to);
    const unreachable = f.get("unreachable");
    if (unreachable !== undefined && unreachable !== other) {
        c.fail(`--unreachable '${unreachable}' is not allowed: the site to make active cannot be unreachable; allowed: ${other}`);
    }
    const targetZone = f.get("zone");
    const otherZone = f.get("other-zone");
    if (targetZone !== undefined && targetZone === otherZone) c.fail("--zone and --other-zone must differ");
    return {
        to,
        other,
        otherUnreachable: unreachable !== undefined,
        targetZone,
        otherZone,
        bucket: f.get("bucket") ?? DEFAULTS.bucket,
        namespace: f.get("namespace") ?? DEFAULTS.namespace,
        location: f.get("location") ?? DEFAULTS.location,
        targetCluster: { site: to, context: f.get("kube-context"), kubeconfigVar: "TARGET_KUBECONFIG_DATA" },
        otherCluster: { site: other, context: f.get("other-kube-context"), kubeconfigVar: "OTHER_KUBECONFIG_DATA" },
    };
}

/** What preflight and switch need from the environment, once the flags are right. */
function siteEnv(c: Check, o: SiteOptions): void {
    c.envSet("TARGET_RGW_ADMIN", `the radosgw-admin command of ${o.to} (e.g. 'cephadm shell -- radosgw-admin')`);
    c.cluster(o.targetCluster, "target");
}

function preflight(c: Check): PreflightOptions {
    const o = siteOptions(c);
    siteEnv(c, o);
    return o;
}

function switchOptions(c: Check): SwitchOptions {
    const f = c.flags;
    const o = siteOptions(c);
    c.values("stack", "other-endpoint");
    if (o.otherUnreachable && !f.has("force")) {
        c.fail(`--unreachable ${o.other} needs --force: with ${o.other} unreachable its metadata sync cannot be checked (the failover stack's forcePromotion); add --force once you accept what the preflight says it risks`);
    }
    const breakGlass = f.has("break-glass");
    if (breakGlass) {
        c.onlyWith("the Pulumi switch (without --break-glass)", "stack");
        c.require("zone", "zonegroup");
        if (!o.otherUnreachable) c.require("other-zone");
        else c.onlyWith("a reachable other site (not with --unreachable)", "other-zone", "other-endpoint", "other-kube-context");
        siteEnv(c, o);
        c.envSet("TARGET_RGW_RESTART", `promote restarts ${o.to}'s gateway`);
        if (!o.otherUnreachable) {
            c.envSet("OTHER_RGW_ADMIN", `break-glass fences ${o.other}'s zone while it is reachable; set it, or declare the site lost with --unreachable ${o.other} --force`);
            c.cluster(o.otherCluster, "other");
        }
    } else {
        c.onlyWith("--break-glass", "zonegroup", "other-endpoint", "other-kube-context", "location");
        siteEnv(c, o);
    }
    const common = { ...o, force: f.has("force"), dryRun: f.has("dry-run"), yes: f.has("yes") };
    if (breakGlass) {
        return { ...common, path: "break-glass", targetZone: f.get("zone") as string, zonegroup: f.get("zonegroup") as string, otherEndpoint: f.get("other-endpoint") };
    }
    return { ...common, path: "pulumi", stack: f.get("stack") ?? DEFAULTS.stack };
}

function restoreOptions(c: Check): RestoreOptions {
    const f = c.flags;
    c.require("site", "namespace");
    c.values("site", "from-site", "lost-site", "namespace", "kube-context", "backup", "location", "bucket", "zone", "timeout", "reimport-timeout");
    const to = f.get("site") as SiteId;
    const other = otherSite(to);
    const lost = f.get("lost-site");
    if (lost !== undefined && lost !== other) {
        c.fail(`--lost-site '${lost}' is not allowed: the site that restores cannot be the lost one; allowed: ${other}`);
    }
    if (f.has("backup") && f.has("from-site")) {
        c.fail("--backup and --from-site exclude each other: --backup NAME names the backup, --from-site S picks the newest of site S");
    }
    const targetCluster: ClusterAccess = { site: to, context: f.get("kube-context"), kubeconfigVar: "TARGET_KUBECONFIG_DATA" };
    c.cluster(targetCluster, "target");
    const timeout = f.get("timeout");
    return {
        to,
        other,
        namespace: f.get("namespace") as string,
        location: f.get("location") ?? DEFAULTS.location,
        bucket: f.get("bucket") ?? DEFAULTS.bucket,
        targetZone: f.get("zone"),
        targetCluster,
        backup: f.get("backup"),
        fromSite: (f.get("from-site") as SiteId | undefined) ?? other,
        otherLost: lost !== undefined,
        timeoutSeconds: timeout === undefined ? undefined : Number(timeout),
        reimportTimeoutSeconds: Number(f.get("reimport-timeout") ?? DEFAULTS.reimportTimeoutSeconds),
        dryRun: f.has("dry-run"),
        yes: f.has("yes"),
    };
}

/** argv (after the program name) and the environment to the command to run. */
export function parseCommand(argv: readonly string[], env: Env): Command {
    const [subcommand, ...rest] = argv;
    if (!subcommand) throw new UsageError("", `missing subcommand (allowed: ${SUBCOMMANDS.join(" ")})`);
    switch (subcommand) {
        case "-h":
        case "--help":
        case "help":
            return { name: "help" };
        case "preflight":
            return { name: "preflight", options: preflight(new Check(subcommand, parseFlags(subcommand, FLAGS.preflight, rest), env)) };
        case "switch":
            return { name: "switch", options: switchOptions(new Check(subcommand, parseFlags(subcommand, FLAGS.switch, rest), env)) };
        case "restore":
            return { name: "restore", options: restoreOptions(new Check(subcommand, parseFlags(subcommand, FLAGS.restore, rest), env)) };
        default:
            throw new UsageError("", `unknown subcommand '${subcommand}' (allowed: ${SUBCOMMANDS.join(" ")})`);
    }
}
