// Where the built tools live (paths, versions, environment), read from scripts/tools/tools.tsv
// with the same tools-dir rule as scripts/tools/common.sh. For tests and the lab.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export type ToolName =
    | "pulumi"
    | "pulumi-language-nodejs"
    | "pulumi-resource-kubernetes"
    | "kube-apiserver"
    | "kube-controller-manager"
    | "kubectl"
    | "etcd"
    | "velero"
    | "velero-plugin-for-aws"
    | "kube-state-metrics";

export interface Tool {
    name: ToolName;
    /** Version it is built and stamped as, without a leading "v". */
    version: string;
    /** Wrapper module under scripts/tools/. */
    family: string;
    /** Go package built. */
    goPackage: string;
    /** `kind:name` for `pulumi plugin install`, if it is an engine plugin. */
    plugin?: { kind: string; name: string };
    /** Where install.sh puts the binary (it may not be there yet). */
    path: string;
}

export const TOOLS_TSV = path.join(__dirname, "tools.tsv");
export const INSTALL_COMMAND = "bash scripts/tools/install.sh";

/** The tools directory: VELERO_CEPH_DR_TOOLS, else ${XDG_CACHE_HOME:-~/.cache}/velero-ceph-dr/tools. */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
    if (env.VELERO_CEPH_DR_TOOLS) {
        return env.VELERO_CEPH_DR_TOOLS;
    }
    const cache = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache");
    return path.join(cache, "velero-ceph-dr", "tools");
}

/** Every pinned tool, in tools.tsv order. */
export function listTools(env: NodeJS.ProcessEnv = process.env): Tool[] {
    const dir = toolsDir(env);
    return fs
        .readFileSync(TOOLS_TSV, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "" && !line.startsWith("#") && !line.startsWith("name\t"))
        .map((line) => {
            const [name, version, family, goPackage, , plugin] = line.split("\t");
            if (!name || !version || !family || !goPackage || plugin === undefined) {
                throw new Error(`${TOOLS_TSV}: malformed line: ${line}`);
            }
            const [kind, pluginName] = plugin.split(":");
            return {
                name: name as ToolName,
                version,
                family,
                goPackage,
                plugin: plugin !== "-" && pluginName ? { kind, name: pluginName } : undefined,
                path: path.join(dir, name, version, name),
            };
        });
}

export function tool(name: ToolName, env: NodeJS.ProcessEnv = process.env): Tool {
    const found = listTools(env).find((t) => t.name === name);
    if (!found) {
        throw new Error(`${name} is not in ${TOOLS_TSV}`);
    }
    return found;
}

/** The tool's binary; throws, saying to run the install script, when it has not been built. */
export function toolPath(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
    const t = tool(name, env);
    try {
        fs.accessSync(t.path, fs.constants.X_OK);
    } catch {
        throw new Error(`${name} ${t.version} is not built (no ${t.path}): run \`${INSTALL_COMMAND}\``);
    }
    return t.path;
}

/** Folder with a link to every tool and the Node.js plugin launchers, for PATH. */
export function toolsBinDir(env: NodeJS.ProcessEnv = process.env): string {
    return path.join(toolsDir(env), "bin");
}

/** The environment scripts/tools/env.sh prints, applied to `base`. */
export function toolsEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const dir = toolsDir(base);
    return {
        ...base,
        VELERO_CEPH_DR_TOOLS: dir,
        PATH: `${path.join(dir, "bin")}${path.delimiter}${base.PATH ?? ""}`,
        PULUMI_HOME: path.join(dir, "pulumi-home"),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
}

/** Binaries taken out of Debian's `prometheus` package (never installed as a service). */
export type DebianPrometheusBinary = "promtool" | "prometheus";

/** Where scripts/install-promtool.sh puts them (git-ignored). */
export const DEBIAN_PROMETHEUS_DIR = path.resolve(__dirname, "..", "..", ".tools", "bin");
export const DEBIAN_PROMETHEUS_INSTALL_COMMAND = "scripts/install-promtool.sh";

function isExecutableFile(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

/**
 * `name` from `searchPath` (PATH), else from the project's tools dir (`local`); throws, saying to
 * run the install script, when neither has it.
 */
export function debianPrometheusBinary(
    name: DebianPrometheusBinary,
    searchPath = process.env.PATH ?? "",
    local = path.join(DEBIAN_PROMETHEUS_DIR, name),
): string {
    for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
        const candidate = path.join(dir, name);
        if (isExecutableFile(candidate)) return candidate;
    }
    if (isExecutableFile(local)) return local;
    const shown = path.relative(path.resolve(__dirname, "..", ".."), local);
    throw new Error(
        `${name} not found on PATH nor at ${shown}: run ${DEBIAN_PROMETHEUS_INSTALL_COMMAND} `
        + "(it extracts promtool and prometheus from Debian's prometheus package without installing the service)",
    );
}
