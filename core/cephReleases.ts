// The Ceph releases this program knows, and what each expects of a zonegroup (issue 15). A pure
// leaf: the region stacks read a site's `cephRelease` through it, the rgw call description
// checks --features against it, and the tests table it.

/** Zonegroup features (`radosgw-admin zonegroup modify --enable-feature=F`) the program may enable. */
export const ZONEGROUP_FEATURES = ["resharding", "notification_v2"] as const;
export type ZonegroupFeature = (typeof ZONEGROUP_FEATURES)[number];

export interface CephRelease {
    /** Ceph's code name. */
    name: string;
    /**
     * Features a zonegroup born on this release has enabled: a realm born on an older one has them
     * disabled after the upgrade, and they are enabled once every zone supports them.
     */
    zonegroupFeatures: readonly ZonegroupFeature[];
}

/** Major.minor of each release the program is tested on (16.2, 18.2, 20.2) or expected to run on (19.2). */
export const CEPH_RELEASES = {
    "16.2": { name: "pacific", zonegroupFeatures: [] },
    "18.2": { name: "reef", zonegroupFeatures: ["resharding"] },
    "19.2": { name: "squid", zonegroupFeatures: ["resharding"] },
    "20.2": { name: "tentacle", zonegroupFeatures: ["resharding", "notification_v2"] },
} as const satisfies Record<string, CephRelease>;

export type CephReleaseId = keyof typeof CEPH_RELEASES;
export const CEPH_RELEASE_IDS = Object.keys(CEPH_RELEASES) as CephReleaseId[];

/** The zonegroup features a site on `release` expects enabled. */
export function zonegroupFeaturesFor(release: CephReleaseId): readonly ZonegroupFeature[] {
    return CEPH_RELEASES[release].zonegroupFeatures;
}

/** Why a comma-separated feature list is not allowed, or undefined. */
export function featureListProblem(value: string): string | undefined {
    const unknown = value.split(",").filter((f) => !(ZONEGROUP_FEATURES as readonly string[]).includes(f));
    return unknown.length ? `unknown zonegroup feature(s) ${unknown.map((f) => `'${f}'`).join(", ")}; allowed: a comma-separated list of ${ZONEGROUP_FEATURES.join(", ")}` : undefined;
}
