// The one place that reads Pulumi config. Every setting is validated before any resource is
// declared; all problems are reported together, each naming the key, the bad value and what is
// allowed. Parsing is a pure function over raw strings so tests can call it directly.
import * as pulumi from "@pulumi/pulumi";
import { Checker, ConfigError, RawConfig, parseJson, readRawValues } from "./checker";
import { VELERO_KEYS, VeleroSettings, parseVeleroConfig } from "./veleroConfig";
import { AlertName } from "../components/monitoring/alertNames";
import { ALERT_RULE_DEFAULTS, AlertRuleSettings, durationSettingProblem, pendingForProblems } from "../components/monitoring/settings";
import { CEPH_RELEASE_IDS, CephReleaseId } from "../core/cephReleases";
import { BOOTSTRAP_ROLES, BootstrapRole, SITE_IDS, SYNC_SCOPES, SiteId, SyncScope } from "../core/siteContract";
import {
    bucketNameProblem,
    cephNameProblem,
    commandProblem,
    endpointProblem,
    rgwUidProblem,
    dnsLabelProblem,
    runbookUrlProblem,
    stackNameProblem,
} from "../core/validators";

export { Checker, ConfigError, RawConfig };
export const PROGRAMS = ["region", "failover"] as const;
export type ProgramKind = (typeof PROGRAMS)[number];

/** How this site's radosgw-admin is reached and its gateway restarted (not secret). */
export interface AdminTransport {
    /** Command prefix that runs radosgw-admin at this site. */
    adminCommand: string;
    /** Command that (re)starts this site's gateway. */
    restartCommand: string;
    /** `rgwRadosCommand` when set; unset: the tool derives it from adminCommand. */
    radosCommand?: string;
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
    /** The Ceph release this site's gateways run (major.minor): which zonegroup features to enable. */
    cephRelease: CephReleaseId;
    /** Kubeconfig of this site's cluster (secret), or undefined when `kubeContext` is used. */
    kubeconfig?: pulumi.Output<string>;
    kubeContext?: string;
    /** Velero in this site's cluster. */
    velero: VeleroSettings;
    /** DR alert rules and dashboard in this site's cluster. */
    alerts: AlertSettings;
}

export interface AlertSettings {
    /** URL of docs/runbook.md as readers reach it; alerts link to anchors in it. */
    runbookBaseUrl: string;
    /** Namespace of the Prometheus operator stack (rules, dashboard, kube-state-metrics config). */
    namespace: string;
    /** Alert on RGW sync metrics (false when this Prometheus does not scrape the local Ceph). */
    rgwSync: boolean;
    /** DrAlertRules' timing settings (durations of core/duration.ts), from the `alert*` keys. */
    pendingFor: Partial<Record<AlertName, string>>;
    rgwSyncRateWindow: string;
    backupDurationAllowance: string;
    replicationAllowance: string;
    backupFailingFor: string;
    rgwSyncStalledFor: string;
    noBackupsVisibleFor: string;
}

/** The stack key of each DrAlertRules setting this program sets from config, for messages. */
const ALERT_SETTING_KEYS: Partial<Record<keyof AlertRuleSettings, string>> = {
    pendingFor: "alertPendingFor",
    rgwSyncRateWindow: "alertRgwSyncRateWindow",
    backupDurationAllowance: "alertBackupDurationAllowance",
    replicationAllowance: "alertReplicationAllowance",
    backupFailingFor: "alertBackupFailingFor",
    rgwSyncStalledFor: "alertRgwSyncStalledFor",
    noBackupsVisibleFor: "alertNoBackupsVisibleFor",
    nodeAgent: "veleroNodeAgent",
    rgwSync: "rgwSyncAlerts",
};
const alertKeyOf = (setting: keyof AlertRuleSettings) => ALERT_SETTING_KEYS[setting] ?? setting;

/** Keys read as YAML/JSON values (lists, maps) rather than strings. */
export const REGION_OBJECT_KEYS = ["alertPendingFor"] as const;

/** Keys that a region stack reads (besides the secret `kubeconfig`). */
export const REGION_KEYS = [
    "siteId", "bootstrapRole", "masterStack", "realm", "zonegroup", "zone", "endpoint", "bucket",
    "syncScope", "veleroUser", "systemUser", "rgwAdminCommand", "rgwRestartCommand", "rgwRadosCommand", "kubeContext",
    "runbookBaseUrl", "monitoringNamespace", "rgwSyncAlerts", "cephRelease",
    "alertPendingFor", "alertRgwSyncRateWindow", "alertBackupDurationAllowance", "alertReplicationAllowance",
    "alertBackupFailingFor", "alertRgwSyncStalledFor", "alertNoBackupsVisibleFor",
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
    const site = {
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
            // Unset (or ""): the tool derives it from rgwAdminCommand.
            ...(raw.rgwRadosCommand ? { radosCommand: c.optional("rgwRadosCommand", "", commandProblem) } : {}),
        },
        cephRelease: c.oneOf("cephRelease", CEPH_RELEASE_IDS, "16.2"),
        kubeconfig,
        kubeContext,
        velero: collectInto(c, () => parseVeleroConfig(raw, prefix)),
    };
    // The node-agent alerts follow Velero's node-agent (undefined when Velero's settings are bad).
    const cfg: RegionConfig = { ...site, alerts: parseAlertSettings(c, raw, prefix, site.velero?.nodeAgent) };
    c.rule(
        cfg.veleroUser !== cfg.systemUser || cfg.veleroUser === "",
        "veleroUser",
        "it must differ from systemUser: Velero must not hold the system (sync) user's keys",
    );
    c.done();
    return cfg;
}

/**
 * The alert settings. The timing ones are checked with DrAlertRules' own rules, so a value the
 * component would refuse is refused here, naming the stack key.
 */
function parseAlertSettings(c: Checker, raw: RawConfig, prefix: string, nodeAgent: boolean | undefined): AlertSettings {
    const duration = (setting: "rgwSyncRateWindow" | "backupDurationAllowance" | "replicationAllowance" | "backupFailingFor" | "rgwSyncStalledFor" | "noBackupsVisibleFor") =>
        c.optional(alertKeyOf(setting), ALERT_RULE_DEFAULTS[setting], (v) => durationSettingProblem(setting, v));
    const runbookBaseUrl = c.require("runbookBaseUrl", runbookUrlProblem, "https://git.example.com/platform/velero-ceph-dr/blob/main/docs/runbook.md");
    const namespace = c.optional("monitoringNamespace", "monitoring", dnsLabelProblem);
    const rgwSync = c.bool("rgwSyncAlerts", true);
    const pendingForAllowed = `allowed: a map of alert names to durations, e.g. \`pulumi config set --path 'alertPendingFor.RgwSyncPollErrors' 1m\``;
    const pendingForRaw = parseJson(c, raw, "alertPendingFor", {}, pendingForAllowed, "object");
    const problems = pendingForRaw === undefined ? [] : pendingForProblems(pendingForRaw, { nodeAgent, rgwSync }, alertKeyOf);
    for (const p of problems) {
        // The whole value is shown as set (like every key); an entry as `alertPendingFor.<alert> = <its value>`.
        if (p.at === "") c.rule(false, "alertPendingFor", p.allowed);
        else c.problems.push(`${prefix}:alertPendingFor${p.at} = ${JSON.stringify(p.value)} is not allowed; ${p.allowed}`);
    }
    return {
        runbookBaseUrl,
        namespace,
        rgwSync,
        pendingFor: problems.length === 0 && pendingForRaw ? pendingForRaw as Partial<Record<AlertName, string>> : {},
        rgwSyncRateWindow: duration("rgwSyncRateWindow"),
        backupDurationAllowance: duration("backupDurationAllowance"),
        replicationAllowance: duration("replicationAllowance"),
        backupFailingFor: duration("backupFailingFor"),
        rgwSyncStalledFor: duration("rgwSyncStalledFor"),
        noBackupsVisibleFor: duration("noBackupsVisibleFor"),
    };
}

/** Runs another parser and adds its problems to `c`, so all are reported together. */
function collectInto<T>(c: Checker, parse: () => T): T {
    try {
        return parse();
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        c.problems.push(...e.problems);
        return undefined as unknown as T;
    }
}

export function loadRegionConfig(): RegionConfig {
    const config = new pulumi.Config();
    const raw = readRawValues((k) => config.get(k), (k) => config.getObject<unknown>(k), [...REGION_KEYS, ...VELERO_KEYS], REGION_OBJECT_KEYS);
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
