// Velero settings of a region stack: versions, namespace and optional parts. Parsed like the other
// settings (pure function over raw strings, every problem reported at once) and passed unchanged
// to the VeleroInstall component, whose defaults they mirror.
import { VELERO_INSTALL_MODES, VeleroInstallMode } from "../components/veleroInstall";
import { dnsLabelProblem } from "../core/validators";
import { DEFAULT_VELERO_NAMESPACE } from "../core/velero/renderers";
import {
    DEFAULT_VELERO_CHART_VERSION,
    chartVersionProblem,
    checkPluginCompatibility,
    defaultAwsPluginVersion,
    normalizeVersion,
    veleroVersionForChart,
} from "../core/velero/versions";
import { Checker, RawConfig } from "./checker";

/** Keys a region stack reads for Velero (all optional). */
export const VELERO_KEYS = [
    "veleroInstall",
    "veleroChartVersion",
    "veleroAwsPluginVersion",
    "veleroNamespace",
    "veleroCreateNamespace",
    "veleroNodeAgent",
    "veleroServiceMonitor",
] as const;

/** Velero settings, named as VeleroInstallArgs names them (spread them into the args). */
export interface VeleroSettings {
    /** Who installs Velero (`veleroInstall`): "helm" (this program, default) or "external" (Argo CD, Flux, ...). */
    install: VeleroInstallMode;
    /** vmware-tanzu/velero chart version (`veleroChartVersion`, default 12.1.0 = Velero 1.18.1). */
    chartVersion: string;
    /** velero-plugin-for-aws version (`veleroAwsPluginVersion`, default: the recommended one for that Velero). */
    awsPluginVersion: string;
    /** Velero's namespace (`veleroNamespace`, default velero). */
    namespace: string;
    /** Create the namespace, or reuse an existing one (`veleroCreateNamespace`, default true with helm, false with external). */
    createNamespace: boolean;
    /** Node agent for kopia file-system backups (`veleroNodeAgent`, default true). */
    nodeAgent: boolean;
    /** ServiceMonitor/PodMonitor for the Prometheus operator (`veleroServiceMonitor`, default true with helm; external: the installer's job). */
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
    const install = c.oneOf("veleroInstall", VELERO_INSTALL_MODES, "helm");
    const settings: VeleroSettings = {
        install,
        chartVersion,
        awsPluginVersion,
        namespace: c.optional("veleroNamespace", DEFAULT_VELERO_NAMESPACE, dnsLabelProblem),
        // An external installation brings its own namespace, unless told otherwise.
        createNamespace: c.bool("veleroCreateNamespace", install === "helm"),
        nodeAgent: c.bool("veleroNodeAgent", true),
        serviceMonitor: c.bool("veleroServiceMonitor", install === "helm"),
    };
    c.done();
    return settings;
}
