// Velero versions this project knows: which chart ships which Velero, which Velero releases are
// refused, and which velero-plugin-for-aws fits each Velero against Ceph RGW. Pure tables and the
// checks over them; the stack config, the VeleroInstall component and the policy pack all use them.

export const VELERO_CHART_NAME = "velero";
export const VELERO_CHART_REPO = "https://vmware-tanzu.github.io/helm-charts";
export const DEFAULT_VELERO_CHART_VERSION = "12.1.0";
export const AWS_PLUGIN_IMAGE_REPOSITORY = "docker.io/velero/velero-plugin-for-aws";

/**
 * Chart versions this project knows, with the Velero version each ships (its appVersion): the
 * newest chart for every Velero patch release that has a plugin line below.
 */
const VELERO_VERSION_BY_CHART: Readonly<Record<string, string>> = {
    "12.1.0": "1.18.1",
    "12.0.1": "1.18.0", // refused: see REFUSED_VELERO
    "11.4.0": "1.17.1",
    "11.1.1": "1.17.0",
    "10.1.3": "1.16.2",
    "10.0.12": "1.16.1",
    "10.0.4": "1.16.0",
};
export const KNOWN_VELERO_CHART_VERSIONS: readonly string[] = Object.keys(VELERO_VERSION_BY_CHART);

/** Velero releases refused altogether, and why (checked at preview, like the broken plugins). */
const REFUSED_VELERO: Readonly<Record<string, string>> = {
    "1.18.0": "its restores from a ReadOnly backup location break on kopia repositories made by Velero 1.17 or earlier, "
        + "and the passive cluster restores from a ReadOnly location (velero#9626, fixed in 1.18.1)",
};

/** Why a Velero version is refused, or undefined. */
export function veleroVersionProblem(veleroVersion: string): string | undefined {
    const why = REFUSED_VELERO[normalizeVersion(veleroVersion)];
    return why ? `Velero ${normalizeVersion(veleroVersion)} is refused: ${why}; allowed: Velero 1.18.1 (chart 12.1.0) or another known version` : undefined;
}

/** velero-plugin-for-aws compatibility (the plugin's README): one plugin minor per Velero minor. */
const AWS_PLUGIN_LINE_BY_VELERO_MINOR: Readonly<Record<string, string>> = {
    "1.16": "1.12",
    "1.17": "1.13",
    "1.18": "1.14",
};

/** The plugin chosen by default for each Velero minor: the newest patch checked against Ceph. */
const DEFAULT_AWS_PLUGIN_BY_VELERO_MINOR: Readonly<Record<string, string>> = {
    "1.16": "1.12.2",
    "1.17": "1.13.2",
    "1.18": "1.14.3",
};

/** Oldest patch of a plugin line that works with Ceph RGW, where older patches of it do not. */
const MIN_AWS_PLUGIN_FOR_CEPH: Readonly<Record<string, string>> = {
    "1.14": "1.14.3",
};

/** Plugin releases that break backups on Ceph RGW, and why. */
const BROKEN_AWS_PLUGINS: Readonly<Record<string, string>> = {
    "1.14.1": "it sends an empty x-amz-tagging header with every upload, which Ceph RGW rejects with HTTP 400, so every backup fails",
    "1.14.2": "it writes the AWS SDK's aws-chunked framing (chunk sizes and a checksum trailer) into the stored objects, so backups are silently corrupt (velero#9951, fixed in 1.14.3)",
};

const RELEASE_VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/;

type Semver = [number, number, number];

function parseRelease(version: string): Semver | undefined {
    const m = RELEASE_VERSION.exec(version);
    return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function compareSemver(a: Semver, b: Semver): number {
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function minorOf(v: Semver): string {
    return `${v[0]}.${v[1]}`;
}

/** "v1.14.3" or "1.14.3" -> "1.14.3"; anything else is returned unchanged (and refused elsewhere). */
export function normalizeVersion(version: string): string {
    return version.startsWith("v") && RELEASE_VERSION.test(version) ? version.slice(1) : version;
}

/** Why a chart version cannot be used, or undefined when it is in the table. */
export function chartVersionProblem(chartVersion: string): string | undefined {
    const usable = KNOWN_VELERO_CHART_VERSIONS.filter((v) => !REFUSED_VELERO[VELERO_VERSION_BY_CHART[v]]);
    const known = usable.map((v) => `${v} (Velero ${VELERO_VERSION_BY_CHART[v]})`).join(", ");
    if (Object.prototype.hasOwnProperty.call(VELERO_VERSION_BY_CHART, chartVersion)) {
        const velero = VELERO_VERSION_BY_CHART[chartVersion];
        const why = REFUSED_VELERO[velero];
        return why ? `chart ${chartVersion} ships Velero ${velero}, which is refused: ${why}; allowed: ${known}` : undefined;
    }
    return `allowed: a chart version this project knows: ${known}`;
}

/** The Velero version a vmware-tanzu/velero chart version ships. Throws for unknown charts. */
export function veleroVersionForChart(chartVersion: string): string {
    const problem = chartVersionProblem(chartVersion);
    const known = Object.prototype.hasOwnProperty.call(VELERO_VERSION_BY_CHART, chartVersion);
    if (problem) throw new Error(`Velero chart version "${chartVersion}" is ${known ? "not allowed" : "not known"}; ${problem}`);
    return VELERO_VERSION_BY_CHART[chartVersion];
}

/** The default velero-plugin-for-aws version for a Velero version, or undefined if unsupported. */
export function defaultAwsPluginVersion(veleroVersion: string): string | undefined {
    const v = parseRelease(veleroVersion);
    return v ? DEFAULT_AWS_PLUGIN_BY_VELERO_MINOR[minorOf(v)] : undefined;
}

function allowedPluginsText(veleroVersion: string, line: string): string {
    const min = MIN_AWS_PLUGIN_FOR_CEPH[line];
    const range = min ? `${min} or a newer ${line}.x` : `${line}.x`;
    const def = DEFAULT_AWS_PLUGIN_BY_VELERO_MINOR[minorOf(parseRelease(veleroVersion) as Semver)];
    return `allowed with Velero ${veleroVersion}: ${range} (default ${def})`;
}

/**
 * Whether a velero-plugin-for-aws version may run with a Velero version against Ceph RGW.
 * Returns undefined when it may, else the reason and what is allowed.
 */
export function checkPluginCompatibility(veleroVersion: string, pluginVersion: string): string | undefined {
    const velero = parseRelease(veleroVersion);
    const line = velero && AWS_PLUGIN_LINE_BY_VELERO_MINOR[minorOf(velero)];
    if (!velero || !line) {
        const known = Object.keys(AWS_PLUGIN_LINE_BY_VELERO_MINOR).map((m) => `${m}.x`).join(", ");
        return `Velero ${veleroVersion} has no known velero-plugin-for-aws line; supported Velero versions: ${known}`;
    }
    const refused = veleroVersionProblem(veleroVersion);
    if (refused) return refused;
    const plugin = parseRelease(pluginVersion);
    if (!plugin) {
        return `velero-plugin-for-aws "${pluginVersion}" is not a release version; ${allowedPluginsText(veleroVersion, line)}, written like 1.14.3`;
    }
    const normalized = plugin.join(".");
    if (minorOf(plugin) !== line) {
        const builtFor = Object.entries(AWS_PLUGIN_LINE_BY_VELERO_MINOR).find(([, l]) => l === minorOf(plugin))?.[0];
        const why = builtFor
            ? `velero-plugin-for-aws ${minorOf(plugin)}.x is built for Velero ${builtFor}, not Velero ${veleroVersion}`
            : `velero-plugin-for-aws ${minorOf(plugin)}.x is not compatible with Velero ${veleroVersion}`;
        return `${why}; ${allowedPluginsText(veleroVersion, line)}`;
    }
    const broken = BROKEN_AWS_PLUGINS[normalized];
    if (broken) return `velero-plugin-for-aws ${normalized} breaks backups on Ceph: ${broken}; ${allowedPluginsText(veleroVersion, line)}`;
    const min = MIN_AWS_PLUGIN_FOR_CEPH[line];
    if (min && compareSemver(plugin, parseRelease(min) as Semver) < 0) {
        return `velero-plugin-for-aws ${normalized} predates ${min}, the first ${line}.x that works with Ceph RGW; ${allowedPluginsText(veleroVersion, line)}`;
    }
    return undefined;
}

/** The init container image that installs the AWS plugin; tags carry a leading "v". */
export function awsPluginImage(pluginVersion: string): string {
    return `${AWS_PLUGIN_IMAGE_REPOSITORY}:v${normalizeVersion(pluginVersion)}`;
}
