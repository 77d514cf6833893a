// Velero settings of a region stack: versions, namespace and optional parts. Parsed like the other
// settings (pure function over raw strings, every problem reported at once) and passed unchanged
// to the VeleroInstall component, whose defaults they mirror.
import {
    DEFAULT_VELERO_CHART_VERSION,
    DEFAULT_VELERO_NAMESPACE,
    chartVersionProblem,
    checkPluginCompatibility,
    defaultAwsPluginVersion,
    dnsLabelProblem,
    normalizeVersion,
    veleroVersionForChart,
} from "../components/veleroInstall";
import { Checker, RawConfig } from "./checker";

/** Keys a region stack reads for Velero (all optional). */
export const VELERO_KEYS = [
    "veleroChartVersion",
    "veleroAwsPluginVersion",
    "veleroNamespace",
    "veleroCreateNamespace",
    "veleroNodeAgent",
    "veleroServiceMonitor",
] as const;

/** Velero settings, named as VeleroInstallArgs names them (spread them into the args). */
export interface VeleroSettings {
    /** vmware-tanzu/velero chart version (`veleroChartVersion`, default 12.1.0 = Velero 1.18.1). */
    chartVersion: string;
    /** velero-plugin-for-aws version (`veleroAwsPluginVersion`, default: the recommended one for that Velero). */
    awsPluginVersion: string;
    /** Velero's namespace (`veleroNamespace`, default velero). */
    namespace: string;
    /** Create the namespace, or reuse an existing one (`veleroCreateNamespace`, default true). */
    createNamespace: boolean;
    /** Node agent for kopia file-system backups (`veleroNodeAgent`, default true). */
    nodeAgent: boolean;
    /** ServiceMonitor/PodMonitor for the Prometheus operator (`veleroServiceMonitor`, default true). */
    serviceMonitor: boolean;
}

/** Parses and validates the Velero settings; throws ConfigError listing every problem. */
export function parseVeleroConfig(raw: RawConfig, prefix: string): VeleroSettings {
    const c = new Checker(raw, prefix);
    const chartVersion = c.optional("veleroChartVersion", DEFAULT_VELERO_CHART_VERSION, chartVersionProblem);
    const chartKnown = chartVersionProblem(chartVersion) === undefined;
    const veleroVersion = chartKnown ? veleroVersionForChart(chartVersion) : "";
    // The plugin can only be judged against a known chart; an unknown chart is reported above.
    const awsPluginVersion = normalizeVersion(c.optional(
        "veleroAwsPluginVersion",
        (chartKnown && defaultAwsPluginVersion(veleroVersion)) || "",
        (v) => (chartKnown ? checkPluginCompatibility(veleroVersion, v) : undefined),
    ));
    const settings: VeleroSettings = {
        chartVersion,
        awsPluginVersion,
        namespace: c.optional("veleroNamespace", DEFAULT_VELERO_NAMESPACE, dnsLabelProblem),
        createNamespace: c.bool("veleroCreateNamespace", true),
        nodeAgent: c.bool("veleroNodeAgent", true),
        serviceMonitor: c.bool("veleroServiceMonitor", true),
    };
    c.done();
    return settings;
}
