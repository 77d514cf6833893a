// Example settings for the region stacks, as raw strings (what `pulumi config` holds).
import { RawConfig } from "../../stacks/config";

export function siteAConfig(): RawConfig {
    return {
        siteId: "site-a",
        zone: "zonea",
        endpoint: "http://rgw-a.example.com",
        rgwRestartCommand: "systemctl restart ceph-radosgw@rgw.a",
        kubeContext: "cluster-a",
        runbookBaseUrl: "https://git.example.com/dr/blob/main/docs/runbook.md",
    };
}

export function siteBConfig(): RawConfig {
    return {
        siteId: "site-b",
        masterStack: "org/velero-ceph-dr/site-a",
        zone: "zoneb",
        endpoint: "http://rgw-b.example.com",
        rgwRestartCommand: "systemctl restart ceph-radosgw@rgw.b",
        kubeContext: "cluster-b",
        runbookBaseUrl: "https://git.example.com/dr/blob/main/docs/runbook.md",
    };
}

/** What site-a's stack exports, as site-b's StackReference sees it. */
export function siteAOutputs(): { outputs: Record<string, unknown>; secretOutputs: string[] } {
    return {
        outputs: {
            siteId: "site-a", realm: "dr", zonegroup: "global", zone: "zonea", endpoint: "http://rgw-a.example.com",
            bucket: "velero-backups", syncScope: "zone",
            systemAccessKey: "SYSTEMACCESSKEY00001", systemSecretKey: "system-secret-from-site-a",
            veleroAccessKey: "VELEROACCESSKEY00001", veleroSecretKey: "velero-secret-from-site-a",
            kopiaRepositoryPassword: "kopia-password-from-site-a",
        },
        secretOutputs: ["systemAccessKey", "systemSecretKey", "veleroAccessKey", "veleroSecretKey", "kopiaRepositoryPassword"],
    };
}

/** What a region stack exports, as the failover stack's StackReference sees it. */
export function regionOutputs(site: "site-a" | "site-b"): { outputs: Record<string, unknown>; secretOutputs: string[] } {
    const letter = site === "site-a" ? "a" : "b";
    return {
        outputs: {
            siteId: site, realm: "dr", zonegroup: "global", zone: `zone${letter}`, endpoint: `http://rgw-${letter}.example.com`,
            bucket: "velero-backups", veleroNamespace: "velero", rgwAdminCommand: "radosgw-admin",
            rgwRestartCommand: `systemctl restart ceph-radosgw@rgw.${letter}`, kubeContext: `cluster-${letter}`,
            systemAccessKey: "SYSTEMACCESSKEY00001", systemSecretKey: "system-secret-from-site-a",
        },
        secretOutputs: ["systemAccessKey", "systemSecretKey"],
    };
}

export function failoverConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        activeSite: "site-a",
        siteAStack: "org/velero-ceph-dr/site-a",
        siteBStack: "org/velero-ceph-dr/site-b",
        ...overrides,
    };
}

export const FAILOVER_REFS = {
    "org/velero-ceph-dr/site-a": regionOutputs("site-a"),
    "org/velero-ceph-dr/site-b": regionOutputs("site-b"),
};

/** BackupStorageLocation settings as a site renders them (zone B's endpoint). */
export const BSL_SETTINGS = {
    namespace: "velero",
    bucket: "velero-backups",
    endpoint: "http://rgw-b.example.com",
    zonegroup: "global",
    credentialSecretName: "velero-credentials",
};
