// Thin glue to a site's cluster: kubectl and velero with the site's connection, and
// scripts/velero-role.sh (shell, kubectl glue) for what it does. A kubeconfig from the environment
// goes to a private file (0600 in a 0700 directory), never onto a command line or into the output.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ClusterAccess } from "./args";
import { SiteId } from "./facts";
import { ChildEnv, RunResult, run } from "./proc";
import { Action } from "./report";
import { render } from "./shell";

/** A private directory for this run's files (kubeconfigs), made on first use, removed at exit. */
export class WorkDir {
    private dir: string | undefined;

    /** Writes TEXT to a file only this user can read; the same name is written once. */
    privateFile(name: string, text: string): string {
        if (!this.dir) this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "failover."));
        fs.chmodSync(this.dir, 0o700);
        const file = path.join(this.dir, name);
        if (!fs.existsSync(file)) fs.writeFileSync(file, text, { mode: 0o600, flag: "wx" });
        return file;
    }

    remove(): void {
        if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
        this.dir = undefined;
    }
}

export type KubeReply<T> = { ok: true; value: T } | { ok: false; code: number; stderr: string };

export interface LocationState {
    /** ReadWrite when unset (Velero's default). */
    accessMode: string;
    phase: string;
}

/** What the tool asks of, and does to, one site's cluster (Velero's namespace there). */
export interface VeleroCluster {
    readonly site: SiteId;
    /** The Backup's phase ("New" when it has none yet). */
    backupPhase(name: string): Promise<KubeReply<string>>;
    location(name: string): Promise<KubeReply<LocationState>>;
    /** The Restore's phase ("unknown" when it has none). */
    restorePhase(name: string): Promise<KubeReply<string>>;
    /** velero-role.sh newest-backup: the name, and its notes (the choice, what it passed over). */
    newestBackup(label?: string): Promise<KubeReply<{ name: string; notes: string }>>;
    /** velero-role.sh pod-volume-backups: the count, undefined when it printed none. */
    podVolumeBackups(backup: string): Promise<KubeReply<number | undefined>>;
    stopSchedules(label: string): Action;
    setAccessMode(location: string, mode: "ReadWrite" | "ReadOnly"): Action;
    reimportBackup(backup: string, timeoutSeconds: number): Action;
    /** `velero restore create NAME --from-backup BACKUP --wait`, under `timeout S` when given. */
    restoreCreate(name: string, backup: string, timeoutSeconds?: number): Action;
}

export interface KubeTools {
    kubectl: string[];
    velero: string[];
    /** scripts/velero-role.sh (VELERO_ROLE) and how "would run" lines name it. */
    veleroRole: string;
    veleroRoleShownAs: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export class KubeCluster implements VeleroCluster {
    readonly site: SiteId;

    constructor(
        private readonly access: ClusterAccess,
        private readonly namespace: string,
        private readonly tools: KubeTools,
        private readonly env: ChildEnv,
        private readonly work: WorkDir,
    ) {
        this.site = access.site;
    }

    async backupPhase(name: string): Promise<KubeReply<string>> {
        return this.get("backups.velero.io", name, (b) => str(obj(b.status).phase) ?? "New");
    }

    async location(name: string): Promise<KubeReply<LocationState>> {
        return this.get("backupstoragelocations.velero.io", name, (b) => ({
            accessMode: str(obj(b.spec).accessMode) ?? "ReadWrite",
            phase: str(obj(b.status).phase) ?? "unknown",
        }));
    }

    async restorePhase(name: string): Promise<KubeReply<string>> {
        return this.get("restores.velero.io", name, (b) => str(obj(b.status).phase) ?? "unknown");
    }

    async newestBackup(label?: string): Promise<KubeReply<{ name: string; notes: string }>> {
        const r = await this.veleroRole(["newest-backup", "--namespace", this.namespace, ...(label ? ["--label", label] : [])]);
        if (r.code !== 0) return { ok: false, code: r.code, stderr: r.stderr };
        return { ok: true, value: { name: r.stdout.trim(), notes: r.stderr } };
    }

    async podVolumeBackups(backup: string): Promise<KubeReply<number | undefined>> {
        const r = await this.veleroRole(["pod-volume-backups", "--namespace", this.namespace, "--backup", backup]);
        if (r.code !== 0) return { ok: false, code: r.code, stderr: r.stderr };
        const text = r.stdout.trim();
        return { ok: true, value: /^[0-9]+$/.test(text) ? Number(text) : undefined };
    }

    stopSchedules(label: string): Action {
        return this.roleAction(["stop-schedules", "--namespace", this.namespace, "--label", label]);
    }

    setAccessMode(location: string, mode: "ReadWrite" | "ReadOnly"): Action {
        return this.roleAction(["set-access-mode", "--namespace", this.namespace, "--location", location, "--mode", mode]);
    }

    reimportBackup(backup: string, timeoutSeconds: number): Action {
        return this.roleAction(["reimport-backup", "--namespace", this.namespace, "--backup", backup, "--timeout", String(timeoutSeconds)]);
    }

    restoreCreate(name: string, backup: string, timeoutSeconds?: number): Action {
        const velero = [...this.tools.velero, "restore", "create", name, "--from-backup", backup, "--wait", "-n", this.namespace];
        const argv = (flags: string[]) => [...(timeoutSeconds === undefined ? [] : ["timeout", String(timeoutSeconds)]), ...velero, ...flags];
        // Shown with the context, or with a placeholder for the private kubeconfig file.
        const display = this.access.context
            ? render(argv(["--kubecontext", this.access.context]))
            : `${render(argv([]))} --kubeconfig <a private copy of ${this.access.kubeconfigVar}>`;
        return {
            display,
            run: async () => (await run(argv(this.connection("velero")), { env: this.env })).code,
        };
    }

    /** --context/--kubecontext, or --kubeconfig with a private copy of the kubeconfig. */
    private connection(tool: "kubectl" | "velero"): string[] {
        if (this.access.context) return [tool === "velero" ? "--kubecontext" : "--context", this.access.context];
        const side = this.access.kubeconfigVar === "TARGET_KUBECONFIG_DATA" ? "target" : "other";
        return ["--kubeconfig", this.work.privateFile(`kubeconfig-${side}`, `${this.env[this.access.kubeconfigVar] ?? ""}\n`)];
    }

    private async get<T>(resource: string, name: string, model: (o: Json) => T): Promise<KubeReply<T>> {
        const r = await run([...this.tools.kubectl, ...this.connection("kubectl"), "-n", this.namespace, "get", resource, name, "-o", "json"], {
            env: this.env, stdout: "capture", stderr: "capture",
        });
        if (r.code !== 0) return { ok: false, code: r.code, stderr: r.stderr };
        let parsed: unknown;
        try {
            parsed = JSON.parse(r.stdout);
        } catch {
            return { ok: false, code: 1, stderr: `${resource} ${name}: kubectl printed no JSON\n` };
        }
        return { ok: true, value: model(obj(parsed)) };
    }

    /** velero-role.sh with this cluster's connection in its environment (a context, or the kubeconfig itself). */
    private veleroRole(args: string[], stdio: "capture" | "inherit" = "capture"): Promise<RunResult> {
        const env: ChildEnv = this.access.context
            ? { ...this.env, KUBE_CONTEXT: this.access.context, KUBECONFIG_DATA: undefined }
            : { ...this.env, KUBECONFIG_DATA: this.env[this.access.kubeconfigVar], KUBE_CONTEXT: undefined };
        return run([this.tools.veleroRole, ...args], { env, stdout: stdio, stderr: stdio });
    }

    private roleAction(args: string[]): Action {
        return {
            display: `${render([this.tools.veleroRoleShownAs, ...args])} (${this.site}'s cluster)`,
            run: async () => (await this.veleroRole(args, "inherit")).code,
        };
    }
}
