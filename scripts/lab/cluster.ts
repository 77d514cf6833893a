// One site's Kubernetes cluster and Velero, as the lab drives them: the built kubectl and velero
// CLIs against the kubeconfig scripts/lab/k8s-lab.sh writes, plus the k8s-lab.sh calls.
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { toolPath } from "../tools/tools";
import { LabSettings, Site, labEnv } from "./labSettings";
import { Log, sh, withoutProxies } from "./shell";

const NO_PROXY_ENV = withoutProxies(process.env);

export function kubeconfigPath(s: LabSettings, site: Site): string {
    return path.join(s.dir, site, "k8s", "kubeconfig");
}

export async function k8sLab(s: LabSettings, args: string, log?: Log): Promise<string> {
    return (await sh(`bash scripts/lab/k8s-lab.sh ${args}`, labEnv(s), log)).stdout;
}

function run(binary: string, args: string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = execFile(binary, args, { env: NO_PROXY_ENV, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
            if (err) reject(new Error(`${path.basename(binary)} ${args.join(" ")} failed: ${stderr || err.message}`));
            else resolve(stdout);
        });
        if (input !== undefined) child.stdin?.end(input);
    });
}

/** kubectl and velero against one site's cluster. */
export class SiteCluster {
    constructor(readonly s: LabSettings, readonly site: Site) {}

    get kubeconfig(): string {
        return kubeconfigPath(this.s, this.site);
    }

    kubeconfigText(): string {
        return fs.readFileSync(this.kubeconfig, "utf8");
    }

    kubectl(args: string[], input?: string): Promise<string> {
        return run(toolPath("kubectl"), ["--kubeconfig", this.kubeconfig, ...args], input);
    }

    velero(args: string[]): Promise<string> {
        return run(toolPath("velero"), ["--kubeconfig", this.kubeconfig, "-n", "velero", ...args]);
    }

    async apply(manifest: object[]): Promise<void> {
        await this.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: manifest }));
    }

    async getJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
        return JSON.parse(await this.kubectl([...args, "-o", "json"])) as T;
    }

    /** A Velero object (backups, restores, backupstoragelocations, schedules) or undefined. */
    async veleroObject(kind: string, name: string): Promise<VeleroObject | undefined> {
        try {
            return await this.getJson<VeleroObject>(["-n", "velero", "get", `${kind}.velero.io`, name]);
        } catch {
            return undefined;
        }
    }

    async veleroObjects(kind: string): Promise<VeleroObject[]> {
        return (await this.getJson<{ items: VeleroObject[] }>(["-n", "velero", "get", `${kind}.velero.io`])).items;
    }
}

export interface VeleroObject {
    metadata: { name: string; labels?: Record<string, string>; creationTimestamp?: string };
    spec: Record<string, unknown>;
    status?: { phase?: string; completionTimestamp?: string; errors?: number; warnings?: number; itemsRestored?: number; progress?: Record<string, number> };
}

/** Polls `fn` every `everyMs` until it returns a value, or undefined after `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 1000): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await fn().catch(() => undefined);
        if (v !== undefined) return v;
        if (Date.now() > deadline) return undefined;
        await new Promise((r) => setTimeout(r, everyMs));
    }
}
