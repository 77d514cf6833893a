// The site contract: what a region stack (`site-a`, `site-b`) exports, read by the other region
// stack (a secondary reads its master), by the failover stack, and by the on-call tools (from
// `pulumi stack output --json`). One typed definition: the output names, whether each is secret
// or optional, the values an output may take, and a parser of a raw outputs object. The producer
// (stacks/region.ts) is typed by it, so an output cannot be renamed on one side only.

export const SITE_IDS = ["site-a", "site-b"] as const;
export type SiteId = (typeof SITE_IDS)[number];

export const SYNC_SCOPES = ["zone", "bucket"] as const;
export type SyncScope = (typeof SYNC_SCOPES)[number];

export const BOOTSTRAP_ROLES = ["master", "secondary"] as const;
export type BootstrapRole = (typeof BOOTSTRAP_ROLES)[number];

/** The other site of the pair. */
export function otherSite(site: SiteId): SiteId {
    return site === "site-a" ? "site-b" : "site-a";
}

interface OutputSpec {
    /** Stored as a secret in the stack's state (keys, passwords, kubeconfig). */
    readonly secret: boolean;
    /** Absent on some stacks: kubeconfig and kubeContext, only the one that is set. */
    readonly optional: boolean;
    /** The values the output may take, when it is one of a few. */
    readonly allowed?: readonly string[];
}

const text = { secret: false, optional: false } as const;
const secret = { secret: true, optional: false } as const;

/** Every output of a region stack. All are strings. */
export const REGION_OUTPUTS = {
    siteId: { secret: false, optional: false, allowed: SITE_IDS },
    bootstrapRole: { secret: false, optional: false, allowed: BOOTSTRAP_ROLES },
    realm: text,
    zonegroup: text,
    zone: text,
    endpoint: text,
    /** Zone and endpoint of the metadata master at bootstrap (the failover stack owns it later). */
    bootstrapMasterZone: text,
    bootstrapMasterEndpoint: text,
    bucket: text,
    syncScope: { secret: false, optional: false, allowed: SYNC_SCOPES },
    veleroUser: text,
    rgwAdminCommand: text,
    rgwRestartCommand: text,
    /** The site's `rados` prefix when its config sets one (else the tool derives it from rgwAdminCommand). */
    rgwRadosCommand: { secret: false, optional: true },
    systemAccessKey: secret,
    systemSecretKey: secret,
    veleroAccessKey: secret,
    veleroSecretKey: secret,
    kopiaRepositoryPassword: secret,
    /** This site's cluster: a kubeconfig (secret) or a context of the ambient kubeconfig. */
    kubeconfig: { secret: true, optional: true },
    kubeContext: { secret: false, optional: true },
    /** Velero's namespace in this site's cluster (the failover stack puts BSL and Schedules there). */
    veleroNamespace: text,
    veleroVersion: text,
} as const satisfies Record<string, OutputSpec>;

type Specs = typeof REGION_OUTPUTS;
export type RegionOutputName = keyof Specs;
type ValueOf<S> = S extends { readonly allowed: readonly (infer T)[] } ? T : string;
type RequiredName = { [K in RegionOutputName]: Specs[K]["optional"] extends true ? never : K }[RegionOutputName];
type OptionalName = Exclude<RegionOutputName, RequiredName>;

/** A region stack's outputs as values (secrets in plain text, as the reader sees them). */
export type RegionOutputValues =
    { [K in RequiredName]: ValueOf<Specs[K]> } & { [K in OptionalName]?: ValueOf<Specs[K]> };

export const REGION_OUTPUT_NAMES = Object.keys(REGION_OUTPUTS) as RegionOutputName[];

/** Outputs that a secondary takes from its master and that must match its own settings. */
export const SHARED_SETTINGS = ["realm", "zonegroup", "bucket", "syncScope"] as const satisfies readonly RegionOutputName[];

export function isSecretOutput(name: RegionOutputName): boolean {
    return REGION_OUTPUTS[name].secret;
}

/**
 * Reads `names` from a raw outputs object (`pulumi stack output --json --show-secrets`, or values
 * gathered from a StackReference). Every problem is reported, each naming `source` (e.g.
 * `the master stack org/velero-ceph-dr/site-a`); values are returned for the names that passed.
 */
export function parseRegionOutputs<K extends RegionOutputName>(
    raw: Record<string, unknown>,
    names: readonly K[],
    source: string,
): { values: Pick<RegionOutputValues, K>; problems: string[] } {
    const values: Record<string, string> = {};
    const problems: string[] = [];
    for (const name of names) {
        const spec: OutputSpec = REGION_OUTPUTS[name];
        const value = raw[name];
        if (value === undefined || value === null) {
            if (!spec.optional) problems.push(`${source} has no output "${name}": run \`pulumi up\` on it first`);
            continue;
        }
        if (typeof value !== "string") {
            problems.push(`${source} has output "${name}" = ${spec.secret ? "(secret)" : JSON.stringify(value)}, not a string: is it a region stack of this project?`);
            continue;
        }
        if (spec.allowed && !spec.allowed.includes(value)) {
            problems.push(`${source} has output "${name}" = ${JSON.stringify(value)}; allowed: ${spec.allowed.map((a) => `"${a}"`).join(" or ")}`);
            continue;
        }
        values[name] = value;
    }
    return { values: values as Pick<RegionOutputValues, K>, problems };
}
