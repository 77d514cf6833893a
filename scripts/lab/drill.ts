// The DR lifecycle on the lab, through the real Pulumi engine and real Velero: deploy site-a,
// site-b and failover with `pulumi stack init`, `pulumi config set` and `pulumi up`; back up a
// workload in cluster A through the Schedule the failover stack declared; see it replicate to zone
// B and appear in cluster B through its ReadOnly location; restore it there and compare every
// object; then the drill switch, a backup on B, site A cut off (lost-site failover), A's return,
// and the failback. It records checks and timings; the lab asserts on them, the bench times them.
import * as fs from "fs";
import * as path from "path";
import * as os from "os";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { BucketOwnerError, RGW_BUCKET_TYPE, ensureBucket } from "../../components/bucket/bucketLogic";
import { rgwS3Client, s3BucketApi } from "../../components/bucket/rgwBucket";
import { SiteCluster, VeleroObject, k8sLab, waitFor } from "./cluster";
import {
    LabSettings, Recorder, Scope, Site, cephLab, endpoint, isMixed, masterIs, periodOf, siteTransport, zoneOf,
} from "./labSettings";
import { PulumiError, PulumiWorkspace, makeProjectDir } from "./pulumiCli";
import { LATE_PVB_COUNT, writeBackupMetadataFirst } from "./lateFiles";
import { orderProblems } from "./engineEvents";
import { createBucket, listKeys, listObjectSummaries, objectListDifferences } from "./s3";
import { filesHoldingSecrets } from "./secretFiles";
import { PROXY_VARIABLES, sh } from "./shell";
import { toolPath } from "../tools/tools";
import { LAB_SCRAPE_SECONDS, MONITORING_NAMESPACE, MONITORING_OBJECTS, MonitoringUrls, describeAlerts, metricInventory, startMonitoring } from "./monitoring";
import { PrometheusClient } from "../monitoring/prometheusApi";
import {
    AlertEvent, LAB_ALERT_CONFIG, LAB_ALERT_WAIT, Prometheuses, checkQuiet, describeEvents, fires, firing, labPendingFor, watchFiring, watchResolved,
} from "./alertChecks";

export const WORKLOAD_NAMESPACE = "drill-app";
export const SCHEDULE = "every6h";
/** The passive location's backupSyncPeriod in the lab (the failover stack's default is Velero's 1m). */
export const LAB_PASSIVE_BACKUP_SYNC_PERIOD = "10s";
const FQ = (stack: string) => `organization/velero-ceph-dr/${stack}`;
const SITES: Site[] = ["a", "b"];
const siteId = (site: Site) => `site-${site}`;
const other = (site: Site): Site => (site === "a" ? "b" : "a");

export interface DrillContext {
    s: LabSettings;
    r: Recorder;
    ws: PulumiWorkspace;
    clusters: Record<Site, SiteCluster>;
    /** Velero's S3 keys, read from site-a's secret outputs (for the object checks). */
    s3: Record<Site, S3Client>;
    bucket: string;
    /** Backups made so far, each must end up Completed in both clusters. */
    backups: string[];
    /** Texts worth keeping: the drill's preview diff. */
    artifacts: Record<string, string>;
    /** Each site's Prometheus (issue 18), and the URLs of what it scrapes. */
    proms: Prometheuses;
    monitoring: Record<Site, MonitoringUrls>;
    /** Alerts seen during the incidents the drill makes on purpose, with their times. */
    alertEvents: AlertEvent[];
    /** Metric names each site's Prometheus held (measured inventory for docs/alerts.md). */
    metrics: Record<Site, Record<string, string[]>>;
    /** When the stacks' deployment started: files written since then are the lab's. */
    startedMs: number;
    /** When both sites' Prometheus servers were up: the start of the dashboard's window. */
    monitoringSinceMs: number;
    /**
     * Alerts the drill causes on purpose, which must fire from then on (key: site and alert with
     * its labels, as describeAlerts writes it, e.g. `a VeleroBackupFailed{schedule=every6h}`), and why.
     */
    expectedAlerts: Map<string, string>;
}

/** Ceph clusters, Kubernetes control planes and Velero servers of both sites, from scratch. */
export async function bringUpSites(s: LabSettings, r: Recorder): Promise<void> {
    await r.time("lab.down", "stop any previous lab (by pid) and remove its data", async () => {
        await k8sLab(s, "down --purge", r.log).catch(() => undefined);
        await cephLab(s, "down --purge", r.log);
    });
    await r.time("lab.cephUp", "start two Ceph clusters, each in its site's network namespace", () => cephLab(s, "up", r.log));
    await r.time("lab.k8sUp", "start two Kubernetes control planes (etcd, kube-apiserver, kube-controller-manager) and CRDs",
        () => k8sLab(s, "up", r.log));
}

/**
 * The `velero server` of each site, playing an installation made by someone else. Started after
 * the region stacks: a Velero that starts before `velero-repo-credentials` exists creates it with
 * its built-in kopia password.
 */
export async function startVelero(s: LabSettings, r: Recorder): Promise<void> {
    for (const site of SITES) {
        await r.time(`lab.veleroUp.${site}`, `start velero server of site ${site} (installed by someone else)`,
            () => k8sLab(s, `velero-start ${site}`, r.log));
    }
}

/** The workspace: the lab project folder, a file backend and a passphrase, all inside the lab folder. */
export function workspace(s: LabSettings, r: Recorder): PulumiWorkspace {
    const projectDir = makeProjectDir(path.join(s.dir, "project"));
    return new PulumiWorkspace({ projectDir, stateDir: path.join(s.dir, "state"), passphrase: "velero-ceph-dr-lab" }, r.log);
}

/** `pulumi config set` for a region stack, as the README does it. */
async function configureRegion(c: { s: LabSettings; ws: PulumiWorkspace; clusters: Record<Site, SiteCluster> }, site: Site, scope: Scope): Promise<void> {
    const { s, ws } = c;
    const stack = siteId(site);
    const t = await siteTransport(s, site);
    await ws.stackInit(stack);
    const plain: Record<string, string> = {
        siteId: stack,
        realm: s.realm,
        zonegroup: s.zonegroup,
        zone: zoneOf(s, site),
        endpoint: endpoint(s, site),
        rgwAdminCommand: t.RGW_ADMIN,
        rgwRestartCommand: t.RGW_RESTART,
        runbookBaseUrl: "https://git.example.com/velero-ceph-dr/blob/main/docs/runbook.md",
        // The lab's `velero server` processes play the part of an installation made by someone else.
        veleroInstall: "external",
        syncScope: scope,
        // The release this site's gateways run: which zonegroup features the stack ensures.
        cephRelease: site === "a" ? s.cephA : s.cephB,
        ...(site === "b" ? { masterStack: FQ("site-a") } : {}),
    };
    for (const [k, v] of Object.entries(plain)) await ws.configSet(stack, k, v);
    // Alerts that fire and resolve within the drill: short waits, windows and allowances.
    await ws.configSetAll(stack, LAB_ALERT_CONFIG);
    await ws.configSetAll(stack, Object.fromEntries(Object.entries(labPendingFor()).map(([n, v]) => [`alertPendingFor.${n}`, v])), { path: true });
    await ws.configSet(stack, "kubeconfig", c.clusters[site].kubeconfigText(), { secret: true });
}

/** `pulumi up`, then `pulumi up --expect-no-changes` (nothing may change on a second run). */
async function upTwice(c: Pick<DrillContext, "ws" | "r" | "s">, stack: string, key: string, what: string): Promise<string> {
    const eventLog = path.join(c.s.dir, "events", `${key}.jsonl`);
    fs.mkdirSync(path.dirname(eventLog), { recursive: true });
    const result = await c.r.time(key, what, () => c.ws.up(stack, eventLog));
    c.r.log(`    changes: ${JSON.stringify(result.changes)}`);
    const again = await c.r.time(`${key}.noChange`, `${stack}: pulumi up again, expecting no changes`, () => c.ws.upExpectingNoChanges(stack));
    c.r.check(`${stack}: a second pulumi up right after ${key} changes nothing`, again.code === 0,
        again.code === 0 ? `no changes (${(again.ms / 1000).toFixed(1)} s)` : again.stdout.slice(-1500));
    return result.events;
}

/**
 * Issue 16 item 5, on the real engine: the old active cluster stops its schedules, turns its
 * location ReadOnly and goes idle before Ceph changes roles; the new one writes only after the
 * promotion (issue 17: beside the old master's demote, not after it).
 */
function checkSwitchOrder(c: DrillContext, events: string, active: Site, when: string): void {
    const passive = siteId(other(active));
    const pairs = [
        ...[`${passive}-stop-schedules`, `${passive}-backup-location`, `${passive}-wait-idle`].map((step) => [step, "ceph-metadata-master"] as const),
        ["ceph-metadata-master", "ceph-secondary"] as const,
        ["ceph-metadata-master", `${siteId(active)}-backup-location`] as const,
    ];
    const problems = orderProblems(events, pairs);
    c.r.check(`${when}: the engine ran the switch in order: passive schedules stopped, location ReadOnly and idle, then promote; then the demote and the new active location`,
        problems.length === 0, problems.length ? problems.join("; ") : `${pairs.length} orderings held in the event log`);
}

function s3For(s: LabSettings, site: Site, zonegroup: string, keys: { accessKey: string; secretKey: string }): S3Client {
    return rgwS3Client({ endpoint: endpoint(s, site), region: zonegroup, ...keys });
}

/** site-a, site-b and the failover stack with site-a active, each through the real engine. */
export async function deployStacks(s: LabSettings, r: Recorder, scope: Scope): Promise<DrillContext> {
    const startedMs = Date.now();
    const ws = workspace(s, r);
    const clusters = { a: new SiteCluster(s, "a"), b: new SiteCluster(s, "b") };
    await configureRegion({ s, ws, clusters }, "a", scope);
    const preview = await r.time("siteA.preview", "site-a: pulumi preview --diff", () => ws.previewDiff("site-a"));
    await upTwice({ s, ws, r }, "site-a", "siteA.up", "site-a: pulumi up (realm, zonegroup, master zone, users, bucket, Velero Secrets, alerts)");
    await configureRegion({ s, ws, clusters }, "b", scope);
    await upTwice({ s, ws, r }, "site-b", "siteB.up", "site-b: pulumi up (joins zone B, Velero Secrets, alerts)");

    const out = await ws.outputs("site-a", true);
    const keys = { accessKey: String(out.veleroAccessKey), secretKey: String(out.veleroSecretKey) };
    // The workload exists before Velero starts: Velero reads the API's resource types at start and
    // then only every few minutes, so a custom resource type made later is missing from backups.
    await createWorkload(clusters.a);
    await startVelero(s, r);
    const monitoring = { a: await startMonitoring(s, r, clusters.a), b: await startMonitoring(s, r, clusters.b) };
    const c: DrillContext = {
        s, r, ws, clusters, backups: [], artifacts: { siteAPreview: preview },
        s3: { a: s3For(s, "a", s.zonegroup, keys), b: s3For(s, "b", s.zonegroup, keys) },
        bucket: String(out.bucket),
        monitoring,
        proms: { a: new PrometheusClient(monitoring.a.prometheus), b: new PrometheusClient(monitoring.b.prometheus) },
        alertEvents: [],
        metrics: { a: {}, b: {} },
        startedMs,
        monitoringSinceMs: Date.now(),
        expectedAlerts: new Map(),
    };
    await checkScrapes(c);
    await ws.stackInit("failover");
    for (const [k, v] of Object.entries({ siteAStack: FQ("site-a"), siteBStack: FQ("site-b"), activeSite: "site-a", passiveBackupSyncPeriod: LAB_PASSIVE_BACKUP_SYNC_PERIOD })) {
        await ws.configSet("failover", k, v);
    }
    // One schedule over the drill's namespace; backups are taken from it on demand.
    for (const [k, v] of Object.entries({ name: SCHEDULE, cron: "0 */6 * * *", ttl: "720h", rpo: "7h" })) {
        await ws.configSet("failover", `schedules[0].${k}`, v, { path: true });
    }
    await ws.configSet("failover", "schedules[0].namespaces[0]", WORKLOAD_NAMESPACE, { path: true });
    await upTwice(c, "failover", "failover.up", "failover: pulumi up with activeSite site-a (roles, locations, schedules)");
    await checkRoles(c, "a", "initial roles");
    await checkBucketResource(c);
    return c;
}

/**
 * The bucket resource on real RGW through the engine: a refresh reads it back unchanged; dropped
 * from the state, `pulumi up` adopts the bucket its owner already has; and a bucket that another
 * user owns is refused (its logic called directly, as the provider would).
 */
async function checkBucketResource(c: DrillContext): Promise<void> {
    const { ws, r } = c;
    const refresh = await r.time("bucket.refresh", "site-a: pulumi refresh (the bucket is read with HeadBucket and GetBucketAcl)",
        () => ws.run(["refresh", "--yes", "--skip-preview", "-s", "site-a"]));
    const again = await ws.upExpectingNoChanges("site-a");
    r.check("bucket resource: pulumi refresh reads the bucket back and nothing changes", again.code === 0,
        `refresh ${(refresh.ms / 1000).toFixed(1)} s; ${again.code === 0 ? "no changes after it" : again.stdout.slice(-800)}`);

    const state = JSON.parse(await ws.exportState("site-a")) as { deployment: { resources: Array<{ urn: string; type: string }> } };
    const urn = state.deployment.resources.find((x) => x.type === RGW_BUCKET_TYPE)?.urn;
    if (!urn) throw new Error("site-a's state has no bucket resource");
    await ws.run(["state", "unprotect", "--yes", "-s", "site-a", urn]);
    // The steps that depend on the bucket leave the state with it; they are "ensure" steps and come back.
    await ws.run(["state", "delete", "--yes", "--target-dependents", "-s", "site-a", urn]);
    const adopted = await r.time("bucket.adopt", "site-a: pulumi up with the bucket gone from the state (adopts it)", () => ws.up("site-a"));
    const afterAdopt = await ws.upExpectingNoChanges("site-a");
    const periods = await periodOf(c.s, "a");
    r.check("bucket resource: pulumi up adopts the bucket its owner already has", (adopted.changes.created ?? 0) >= 1 && afterAdopt.code === 0,
        `changes ${JSON.stringify(adopted.changes)}; then ${afterAdopt.code === 0 ? "no changes" : "changes"}; period epoch ${periods.epoch}`);

    const intruder = "labintruder";
    const created = JSON.parse(await cephLab(c.s, `admin a user create --uid ${intruder} --display-name ${intruder}`));
    const key = created.keys[0] as { access_key: string; secret_key: string };
    const foreign = "lab-foreign-bucket";
    await createBucket(rgwS3Client({ endpoint: endpoint(c.s, "a"), region: c.s.zonegroup, accessKey: key.access_key, secretKey: key.secret_key }), foreign);
    const out = await ws.outputs("site-a", true);
    const spec = {
        bucket: foreign, owner: String(out.veleroUser), endpoint: endpoint(c.s, "a"), region: c.s.zonegroup,
        accessKey: String(out.veleroAccessKey), secretKey: String(out.veleroSecretKey),
    };
    let refusal = "";
    await ensureBucket(s3BucketApi(spec), spec).catch((e: Error) => (refusal = e instanceof BucketOwnerError ? e.message : `unexpected: ${e.message}`));
    r.check("bucket resource: a bucket another user owns is refused, naming it and the owner problem",
        refusal.includes(`bucket "${foreign}"`) && refusal.includes(`"${spec.owner}"`), refusal || "it was adopted");
}

/** Locations and schedules as the active site implies, and the Ceph master. */
async function checkRoles(c: DrillContext, active: Site, when: string, reachable: Site[] = SITES): Promise<void> {
    for (const site of reachable) {
        const bsl = await waitFor(async () => {
            const o = await c.clusters[site].veleroObject("backupstoragelocations", "default");
            return o?.status?.phase === "Available" ? o : undefined;
        }, 120_000, 2000);
        const mode = bsl?.spec.accessMode;
        const want = site === active ? "ReadWrite" : "ReadOnly";
        c.r.check(`${when}: cluster ${site}'s location is ${want} and Available`, mode === want,
            `accessMode ${String(mode)}, phase ${bsl?.status?.phase ?? "(not Available within 120 s)"}`);
        const schedules = (await c.clusters[site].veleroObjects("schedules")).map((x) => x.metadata.name);
        c.r.check(`${when}: schedules only in the active cluster (${site})`, site === active ? schedules.includes(SCHEDULE) : schedules.length === 0,
            `schedules in ${site}: [${schedules.join(", ")}]`);
    }
    const agree = await Promise.all(reachable.map((site) => masterIs(c.s, active, site)));
    c.r.check(`${when}: zone ${zoneOf(c.s, active)} is the metadata master in every reachable site's period`, agree.every(Boolean),
        reachable.map((site, i) => `${site}: ${agree[i]}`).join(", "));
}

/** Applies the workload in a cluster: its CRD first, then the objects that use it. */
async function createWorkload(cluster: SiteCluster): Promise<void> {
    const [crd, ...objects] = workloadManifests();
    await cluster.apply([crd]);
    await cluster.kubectl(["wait", "--for", "condition=established", "--timeout=60s", "crd/widgets.lab.velero-ceph-dr.io"]);
    await cluster.apply(objects);
}

/** The workload of cluster A: the custom resource's CRD first, then ConfigMaps, a Secret, a Deployment, a Service and a custom resource. */
export function workloadManifests(): object[] {
    const ns = WORKLOAD_NAMESPACE;
    const labels = { app: "drill" };
    return [
        {
            apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition",
            metadata: { name: "widgets.lab.velero-ceph-dr.io" },
            spec: {
                group: "lab.velero-ceph-dr.io", scope: "Namespaced",
                names: { plural: "widgets", singular: "widget", kind: "Widget" },
                versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: {
                    type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" }, colour: { type: "string" } } } },
                } } }],
            },
        },
        { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: ns, labels }, data: { mode: "production", replicas: "3" } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "feature-flags", namespace: ns, labels }, data: { checkout: "on", search: "off" } },
        { apiVersion: "v1", kind: "Secret", metadata: { name: "db-password", namespace: ns, labels }, type: "Opaque", stringData: { password: "lab-only-not-a-secret" } },
        {
            apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: ns, labels },
            spec: {
                replicas: 2, selector: { matchLabels: labels },
                template: { metadata: { labels }, spec: { containers: [{ name: "web", image: "registry.example/web:1.2.3", ports: [{ containerPort: 8080 }] }] } },
            },
        },
        { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: ns, labels }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } },
        { apiVersion: "lab.velero-ceph-dr.io/v1", kind: "Widget", metadata: { name: "blue", namespace: ns, labels }, spec: { size: 3, colour: "blue" } },
    ];
}

/** Phases a Backup or Restore does not leave (Velero 1.18 adds Queued and ReadyToStart before InProgress). */
const FINAL_PHASES = ["Completed", "PartiallyFailed", "Failed", "FailedValidation"];

const COMPARED_KINDS = ["configmaps", "secrets", "deployments.apps", "services", "widgets.lab.velero-ceph-dr.io"];

/** A Kubernetes object as kubectl prints it, as far as the comparison reads it. */
interface KubeObject {
    kind: string;
    type?: string;
    metadata: { name: string; labels?: Record<string, string> } & Record<string, unknown>;
    spec?: Record<string, unknown>;
    data?: Record<string, string>;
}

/** An object as the user wrote it: no server-set fields, no Velero labels, no cluster IPs. */
export function userView(o: KubeObject): Record<string, unknown> {
    const metadata: Record<string, unknown> = { ...o.metadata };
    for (const k of ["uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "annotations"]) delete metadata[k];
    if (metadata.labels) {
        metadata.labels = Object.fromEntries(Object.entries(metadata.labels as Record<string, string>).filter(([k]) => !k.startsWith("velero.io/")));
    }
    const spec = o.spec ? { ...o.spec } : undefined;
    if (o.kind === "Service" && spec) {
        for (const k of ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy", "sessionAffinity", "type"]) delete spec[k];
    }
    return { kind: o.kind, metadata, ...(spec ? { spec } : {}), ...(o.data ? { data: o.data } : {}) };
}

async function workloadIn(cluster: SiteCluster): Promise<Record<string, unknown>> {
    const objects: Record<string, unknown> = {};
    for (const kind of COMPARED_KINDS) {
        const list = await cluster.getJson<{ items: KubeObject[] }>(["-n", WORKLOAD_NAMESPACE, "get", kind]);
        for (const item of list.items) {
            // Made by the cluster itself, not by the workload.
            if (item.kind === "ConfigMap" && item.metadata.name === "kube-root-ca.crt") continue;
            if (item.kind === "Secret" && item.type === "kubernetes.io/service-account-token") continue;
            objects[`${kind}/${item.metadata.name}`] = userView(item);
        }
    }
    return objects;
}

/** How long a backup's files may trail its import on the other site: the data log's 22.5 s renewal (bench/goals.ts STRAGGLER_CAUSE), with margin. */
const FILES_AGREE_TIMEOUT_MS = 120_000;

/** `velero backup create NAME --from-schedule SCHEDULE`, waited for; returns the backup. */
async function backupFromSchedule(c: DrillContext, site: Site, name: string): Promise<VeleroObject | undefined> {
    await c.clusters[site].velero(["backup", "create", name, "--from-schedule", SCHEDULE]);
    c.backups.push(name);
    return waitFor(async () => {
        const b = await c.clusters[site].veleroObject("backups", name);
        return b?.status?.phase && FINAL_PHASES.includes(b.status.phase) ? b : undefined;
    }, 300_000, 1000);
}

/** The backup as the other cluster's Velero imports it through its own location. */
async function waitImported(c: DrillContext, site: Site, name: string, timeoutMs = 240_000): Promise<VeleroObject | undefined> {
    return waitFor(async () => {
        const b = await c.clusters[site].veleroObject("backups", name);
        return b?.status?.phase === "Completed" ? b : undefined;
    }, timeoutMs, 1000);
}

/** A backup taken on `from`, seen Completed on the other site, its files identical on both zones. */
async function backupAndReplicate(c: DrillContext, from: Site, name: string, when: string): Promise<number | undefined> {
    const to = other(from);
    const made = await c.r.time(`${name}.backup`, `${when}: velero backup create ${name} --from-schedule ${SCHEDULE} in cluster ${from}`,
        () => backupFromSchedule(c, from, name));
    c.r.check(`${when}: backup ${name} Completed in cluster ${from}`, made?.status?.phase === "Completed",
        `phase ${made?.status?.phase ?? "(none within 300 s)"}, errors ${made?.status?.errors ?? 0}`);
    const done = Date.now();
    const imported = await waitImported(c, to, name);
    const visibleMs = Date.now() - done;
    c.r.timingsMs[`${name}.completedToVisibleOn${to.toUpperCase()}`] = visibleMs;
    c.r.check(`${when}: backup ${name} visible Completed in cluster ${to} through its own location`, imported !== undefined,
        imported ? `${(visibleMs / 1000).toFixed(1)} s after it completed in ${from}` : "not imported within 240 s");
    // The import needs only velero-backup.json; a straggling file can trail it by the data log's
    // renewal (up to 22.5 s), so the files are compared until they agree, and the wait is recorded.
    const prefix = `backups/${name}/`;
    const compareStarted = Date.now();
    let files = 0;
    let differences: string[] = [];
    const same = await waitFor(async () => {
        const [onFrom, onTo] = await Promise.all([from, to].map((site) => listObjectSummaries(c.s3[site], c.bucket, prefix)));
        files = onFrom.length;
        differences = onFrom.length === 0 ? [`no file under ${prefix} on ${from}`] : objectListDifferences(onFrom, onTo);
        return differences.length === 0 ? true : undefined;
    }, FILES_AGREE_TIMEOUT_MS, 1000);
    const trailingMs = Date.now() - compareStarted;
    c.r.timingsMs[`${name}.importedToAllFilesOn${to.toUpperCase()}`] = trailingMs;
    c.r.check(`${when}: every file of ${name} is on both zones`, same !== undefined, same
        ? `${files} files with the same size and ETag on ${from} and ${to}, ${(trailingMs / 1000).toFixed(1)} s after the import`
        : `zone ${to} still differs from ${from} after ${FILES_AGREE_TIMEOUT_MS / 1000} s: ${differences.map((d) => d.replace(prefix, "")).join("; ")}`);
    return imported ? visibleMs : undefined;
}

/** PodVolumeBackups a cluster holds for a backup (what Velero's backup sync imported). */
async function podVolumeBackupCount(cluster: SiteCluster, backup: string): Promise<number> {
    const out = await cluster.kubectl(["-n", "velero", "get", "podvolumebackups.velero.io", "-l", `velero.io/backup-name=${backup}`, "-o", "name"]);
    return out.split("\n").filter((line) => line.trim()).length;
}

/**
 * Issue 16 item 2: cluster B imports a backup whose velero-backup.json arrived before its other
 * files (the order forced on zone A); the on-call tool sees the imported record differ from the
 * bucket, has Velero import it again, and only then restores.
 */
async function lateFilesRestore(c: DrillContext, source: string, name: string): Promise<void> {
    let importedEarly = -1;
    const written = await c.r.time(`${name}.write`, `copy of ${source} as ${name} on zone A: velero-backup.json first, the rest after cluster B imported it`,
        () => writeBackupMetadataFirst(c.s3.a, c.bucket, source, name, "velero", async () => {
            const imported = await waitImported(c, "b", name, 120_000);
            if (!imported) throw new Error(`cluster B did not import ${name} within 120 s of its velero-backup.json`);
            importedEarly = await podVolumeBackupCount(c.clusters.b, name);
        }));
    const arrived = await waitFor(async () => {
        const onB = await listKeys(c.s3.b, c.bucket, `backups/${name}/`);
        return JSON.stringify(onB) === JSON.stringify(written) ? onB : undefined;
    }, 120_000, 1000);
    c.r.check(`metadata before files: cluster B imported ${name} with ${importedEarly} PodVolumeBackups before its list (${LATE_PVB_COUNT} entries) reached zone B`,
        importedEarly === 0 && arrived !== undefined, `${written.length} files written, all on zone B: ${arrived !== undefined}`);
    const tool = await c.r.time("tool.lateFilesRestore", `failover.sh restore --backup ${name} on B`, () => restoreTool(c, "b", ["--backup", name, "--yes"]));
    const after = await podVolumeBackupCount(c.clusters.b, name);
    c.r.check("metadata before files: failover.sh restore finds the import incomplete, has Velero import it again, then restores with every PodVolumeBackup",
        tool.code === 0 && tool.output.includes("DIFFERS") && after === LATE_PVB_COUNT,
        `exit ${tool.code}; PodVolumeBackups of ${name} in cluster B after: ${after} (want ${LATE_PVB_COUNT}): ${lastLines(tool.output)}`);
}

/** Restore `backup` in cluster `site` and compare every restored object with the original. */
async function restoreAndCompare(c: DrillContext, site: Site, backup: string, original: Record<string, unknown>): Promise<void> {
    const name = `restore-${backup}`;
    await c.clusters[site].kubectl(["delete", "namespace", WORKLOAD_NAMESPACE, "--ignore-not-found", "--wait=true", "--timeout=120s"]);
    const restored = await c.r.time(`${backup}.restore`, `restore ${backup} in cluster ${site}`, async () => {
        await c.clusters[site].velero(["restore", "create", name, "--from-backup", backup]);
        return waitFor(async () => {
            const x = await c.clusters[site].veleroObject("restores", name);
            return x?.status?.phase && FINAL_PHASES.includes(x.status.phase) ? x : undefined;
        }, 300_000);
    });
    c.r.check(`restore of ${backup} in cluster ${site} Completed`, restored?.status?.phase === "Completed",
        `phase ${restored?.status?.phase}, items restored ${restored?.status?.progress?.itemsRestored ?? "?"}, warnings ${restored?.status?.warnings ?? 0}, errors ${restored?.status?.errors ?? 0}`);
    const now = await workloadIn(c.clusters[site]);
    const missing = Object.keys(original).filter((k) => !(k in now));
    const differ = Object.keys(original).filter((k) => k in now && JSON.stringify(now[k]) !== JSON.stringify(original[k]));
    c.r.check(`restore of ${backup} in cluster ${site}: every object equal to the original`, missing.length === 0 && differ.length === 0,
        `${Object.keys(original).length} objects; missing [${missing.join(", ")}]; different [${differ.join(", ")}]`
        + (differ.length ? `\n  first difference: ${JSON.stringify(now[differ[0]])} vs ${JSON.stringify(original[differ[0]])}` : ""));
}

/**
 * The on-call tool as on-call runs it: `scripts/failover.sh restore` against a site's cluster and
 * zone, with the kubeconfig and radosgw-admin of that site in its environment (never in argv).
 */
async function restoreTool(c: DrillContext, site: Site, args: string[]): Promise<{ code: number; output: string }> {
    const t = await siteTransport(c.s, site);
    const env: Record<string, string> = {
        TARGET_RGW_ADMIN: t.RGW_ADMIN,
        TARGET_KUBECONFIG_DATA: c.clusters[site].kubeconfigText(),
        KUBECTL: toolPath("kubectl"),
        VELERO: toolPath("velero"),
        ...Object.fromEntries(PROXY_VARIABLES.map((k) => [k, ""])),
    };
    const command = ["bash", "scripts/failover.sh", "restore", "--site", siteId(site), "--namespace", "velero", "--zone", zoneOf(c.s, site), ...args].join(" ");
    const attempt = async (): Promise<{ code: number; output: string }> => {
        c.r.log(`  $ ${command}`);
        try {
            const out = await sh(`${command} </dev/null`, env);
            return { code: 0, output: out.stdout + out.stderr };
        } catch (e) {
            const err = e as { code?: number; stdout?: string; stderr?: string };
            return { code: err.code ?? -1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
        }
    };
    const first = await attempt();
    // A replication straggler (an idle data-log shard is polled every 20 s; issue 17) makes the
    // tool refuse, rightly, with "not caught up": do what it says (wait-caught-up), then once more.
    if (first.code !== 3 || !/bucket \S+ on zone \S+ is not caught up with/.test(first.output)) return first;
    // wait-caught-up reads the zone's data log, which may say caught up while the bucket's own
    // shards are still behind (issue 15 item 2): wait for the bucket itself, as backup-objects reports it.
    c.r.log("    the tool refused on a replication straggler: waiting until the bucket itself is caught up, then again");
    const started = Date.now();
    const caughtUp = await waitFor(async () => {
        const out = await sh(`bash scripts/rgw-multisite.sh backup-objects --bucket ${c.bucket} --backup lab-probe --zone ${zoneOf(c.s, site)} </dev/null`,
            { RGW_ADMIN: t.RGW_ADMIN, RGW_RESTART: t.RGW_RESTART });
        const sync = (JSON.parse(out.stdout) as { bucketSync: Record<string, { caughtUp: boolean }> }).bucketSync;
        return Object.entries(sync).every(([source, v]) => source === zoneOf(c.s, site) || v.caughtUp) ? true : undefined;
    }, 120_000, 2000);
    c.r.log(`    bucket ${c.bucket} on zone ${zoneOf(c.s, site)} ${caughtUp ? "caught up" : "still behind"} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const second = await attempt();
    return { ...second, output: `${first.output}\n(after the bucket caught up)\n${second.output}` };
}

function lastLines(text: string, n = 6): string {
    return text.trim().split("\n").slice(-n).join(" | ");
}

/** Sets the failover config, previews the diff when asked, and applies it. */
async function switchRoles(c: DrillContext, settings: { activeSite: Site; unreachable?: Site[]; force?: boolean }, key: string, what: string, savePreview?: string): Promise<string> {
    const { ws } = c;
    await ws.configSet("failover", "activeSite", siteId(settings.activeSite));
    await ws.configRm("failover", "unreachableSites");
    for (const [i, site] of (settings.unreachable ?? []).entries()) await ws.configSet("failover", `unreachableSites[${i}]`, siteId(site), { path: true });
    await ws.configSet("failover", "forcePromotion", settings.force ? "true" : "false");
    if (savePreview) c.artifacts[savePreview] = await c.r.time(`${key}.preview`, `${what}: pulumi preview --diff`, () => ws.previewDiff("failover"));
    return upTwice(c, "failover", key, what);
}

/** Whether a zone syncs data from every other zone, in its own cluster's period. */
async function syncsFromAll(s: LabSettings, site: Site): Promise<boolean> {
    const p = JSON.parse(await cephLab(s, `admin ${site} period get`)) as { period_map: { zonegroups: { zones: { name: string; sync_from_all: unknown }[] }[] } };
    const me = p.period_map.zonegroups.flatMap((g) => g.zones).find((z) => z.name === zoneOf(s, site));
    return me?.sync_from_all === true || me?.sync_from_all === "true";
}

/**
 * Issue 16 item 7: site A is back after the forced promotion of B, its Velero still running with
 * a ReadWrite location. Its zone must refuse writes once B's period reaches it, and nothing it
 * writes may reach zone B before the failover stack has demoted it.
 */
async function returningSiteFenced(c: DrillContext, backup: string): Promise<void> {
    const healed = Date.now();
    const refusedAfter = await waitFor(async () => {
        try {
            // Under metadata/, a top-level folder Velero allows (any other makes its location Unavailable).
            await c.s3.a.send(new PutObjectCommand({ Bucket: c.bucket, Key: "metadata/fence-probe", Body: `written by the returning site at ${Date.now()}` }));
            return undefined;
        } catch (e) {
            return (e as { name?: string }).name === "AccessDenied" ? Date.now() - healed : undefined;
        }
    }, 60_000, 500);
    if (refusedAfter !== undefined) c.r.timingsMs["return.zoneAReadOnlyAfterHeal"] = refusedAfter;
    c.r.check("site A returns: its zone refuses writes once B's period reaches it (read-only in the forced period)", refusedAfter !== undefined,
        refusedAfter !== undefined ? `writes refused ${(refusedAfter / 1000).toFixed(1)} s after the link came back` : "still writable 60 s after the link came back");

    await c.clusters.a.velero(["backup", "create", backup, "--from-schedule", SCHEDULE]);
    const ended = await waitFor(async () => {
        const b = await c.clusters.a.veleroObject("backups", backup);
        return b?.status?.phase && FINAL_PHASES.includes(b.status.phase) ? b : undefined;
    }, 180_000, 1000);
    if (ended?.status?.phase === "Failed") {
        c.expectedAlerts.set(`a VeleroBackupFailed{schedule=${SCHEDULE}}`,
            `backup ${backup} failed while zone A was fenced read-only (the drill's returning site); the rule counts failures over 1h`);
    }
    const onA = await listKeys(c.s3.a, c.bucket, `backups/${backup}/`);
    const onB = await listKeys(c.s3.b, c.bucket, `backups/${backup}/`);
    const inB = await c.clusters.b.veleroObject("backups", backup);
    c.r.check(`site A returns with its Velero running: backup ${backup} made there does not reach zone B or cluster B before the demote`,
        ended !== undefined && onB.length === 0 && inB === undefined,
        `phase in A ${ended?.status?.phase ?? "(not final within 180 s)"}; files on zone A ${onA.length}, on zone B ${onB.length}; in cluster B: ${inB ? inB.status?.phase : "absent"}`);
}

/** Every backup made so far is Completed in each reachable cluster, and the bucket is the same on both zones. */
async function checkNothingLost(c: DrillContext, when: string): Promise<void> {
    for (const site of SITES) {
        const seen = await waitFor(async () => {
            const all = await c.clusters[site].veleroObjects("backups");
            const done = new Set(all.filter((b) => b.status?.phase === "Completed").map((b) => b.metadata.name));
            return c.backups.every((n) => done.has(n)) ? done : undefined;
        }, 180_000, 2000);
        c.r.check(`${when}: cluster ${site} sees every backup made so far Completed`, seen !== undefined, `backups: ${c.backups.join(", ")}`);
    }
    const keys = await waitFor(async () => {
        const [a, b] = await Promise.all(SITES.map((site) => listKeys(c.s3[site], c.bucket, "backups/")));
        return JSON.stringify(a) === JSON.stringify(b) ? a : undefined;
    }, 180_000, 2000);
    c.r.check(`${when}: the backups/ prefix is identical on both zones`, keys !== undefined, keys ? `${keys.length} objects` : "zones differ after 180 s");
}

/** The whole drill. Each step's checks are recorded; the first exception ends it. */
/** A series only that job's exporter has: velero server, kube-state-metrics, ceph-mgr's prometheus module. */
const SCRAPE_SIGNATURES: Record<string, string> = {
    velero: "velero_backup_total",
    "kube-state-metrics": "kube_namespace_created",
    ceph: "ceph_health_status",
};

/** Each site's Prometheus scrapes its three sources and loaded every rule group its PrometheusRule holds. */
async function checkScrapes(c: DrillContext): Promise<void> {
    for (const site of SITES) {
        const p = c.proms[site];
        const healthy = await waitFor(async () => {
            const targets = await p.targets();
            return targets.length === 3 && targets.every((t) => t.health === "up") ? targets : undefined;
        }, 60_000, 2000);
        const targets = healthy ?? await p.targets().catch(() => []);
        // Up is not enough: each job must be the exporter it claims (a port taken by another
        // server answers too), so each must deliver a series only that exporter has.
        const signatures = await Promise.all(Object.entries(SCRAPE_SIGNATURES).map(async ([job, metric]) =>
            [job, metric, (await p.query(`count(${metric}{job="${job}"})`).catch(() => [])).length > 0] as const));
        const wrong = signatures.filter(([, , ok]) => !ok).map(([job, metric]) => `${job} has no ${metric}`);
        c.r.check(`monitoring of site ${site}: Prometheus scrapes velero server, kube-state-metrics and ceph-mgr, all up`, healthy !== undefined && wrong.length === 0,
            `${targets.map((t) => `${t.job} ${t.health}${t.lastError ? ` (${t.lastError})` : ""}`).join(", ") || "no targets"}; `
            + (wrong.length ? wrong.join(", ") : `each job delivers its own series (${signatures.map(([, m]) => m).join(", ")})`));
        const rule = await c.clusters[site].getJson<{ spec: { groups: { name: string; rules: unknown[] }[] } }>(
            ["-n", MONITORING_NAMESPACE, "get", "prometheusrules.monitoring.coreos.com", MONITORING_OBJECTS.rule]);
        const want = rule.spec.groups.map((g) => `${g.name}:${g.rules.length}`).sort().join(" ");
        const loaded = (await p.rules()).map((g) => `${g.name}:${g.rules.length}`).sort().join(" ");
        c.r.check(`monitoring of site ${site}: Prometheus evaluates exactly the rule groups of the site's PrometheusRule`, want === loaded,
            `PrometheusRule: ${want}; loaded: ${loaded}`);
    }
}

/**
 * Waits (up to 3 min) until no alert fires on either site except those the drill caused on purpose,
 * then checks it; `sinceMs` also looks back for missing-backup alerts.
 */
async function quietPoint(c: DrillContext, when: string, sinceMs?: number): Promise<void> {
    const started = Date.now();
    const calm = await waitFor(async () => {
        const now = [...(await firing(c.proms.a)).map((a) => `a ${describeAlerts([a])}`), ...(await firing(c.proms.b)).map((a) => `b ${describeAlerts([a])}`)];
        return now.every((k) => c.expectedAlerts.has(k)) ? true : undefined;
    }, 180_000, 3000);
    c.r.log(`    alerts quiet ${calm ? `after ${((Date.now() - started) / 1000).toFixed(0)} s` : "never within 180 s"} (${when})`);
    await checkQuiet(c.r, c.proms, when, c.expectedAlerts, sinceMs === undefined ? undefined : (Date.now() - sinceMs) / 1000);
}

const PROBE_SCHEDULE = "rpo-probe";

/**
 * Two incidents at once, after the DR checks: a schedule of the active site stops making backups
 * (`velero schedule pause`), and zone B's gateway stops. The RPO alert must fire on the active site
 * only, the replication alerts on the site that syncs from B; after both recover, all resolve.
 */
async function alertIncidents(c: DrillContext): Promise<void> {
    const { ws, r, s } = c;
    // A schedule with a short RPO (every minute, RPO 1m), only for this.
    await ws.configSetAll("failover", {
        "schedules[1].name": PROBE_SCHEDULE, "schedules[1].cron": "* * * * *", "schedules[1].ttl": "1h",
        "schedules[1].rpo": "1m", "schedules[1].namespaces[0]": WORKLOAD_NAMESPACE,
    }, { path: true });
    await r.time("alerts.probeUp", `failover: pulumi up adds schedule ${PROBE_SCHEDULE} (every minute, RPO 1m)`, () => ws.up("failover"));
    const probeDone = await r.time("alerts.probeBackup", `a backup of ${PROBE_SCHEDULE} Completed in cluster a`, () => waitFor(async () => {
        const done = (await c.clusters.a.veleroObjects("backups")).filter((b) => b.metadata.labels?.["velero.io/schedule-name"] === PROBE_SCHEDULE && b.status?.phase === "Completed");
        return done.length > 0 ? done : undefined;
    }, 180_000, 3000));
    r.check(`alerts: schedule ${PROBE_SCHEDULE} made a Completed backup in cluster a`, probeDone !== undefined, `${probeDone?.length ?? 0} Completed`);
    await quietPoint(c, `site A active, schedule ${PROBE_SCHEDULE} running`);

    const events = new Map<string, AlertEvent>();
    const zoneB = zoneOf(s, "b");
    // Alerts already firing (the drill's own, expected ones) are not the incident's.
    const before = new Set([...(await firing(c.proms.a)).map((a) => `a ${describeAlerts([a])}`), ...(await firing(c.proms.b)).map((a) => `b ${describeAlerts([a])}`)]);
    const incident = Date.now();
    await k8sLab(s, `velero a schedule pause ${PROBE_SCHEDULE}`, r.log);
    await cephLab(s, "rgw-stop b", r.log);
    const bothFired = await r.time("alerts.fire", `schedule ${PROBE_SCHEDULE} paused in cluster a and zone B's gateway stopped: wait for the alerts`,
        () => watchFiring(c.proms, incident, 420_000, events, before, (now) =>
            fires(now, "a", "VeleroBackupTooOld", ["schedule", PROBE_SCHEDULE]) && fires(now, "a", "RgwSyncPollErrors", ["source_zone", zoneB])));
    const firedNow = { a: await firing(c.proms.a), b: await firing(c.proms.b) };
    const ev = (site: string, alert: string) => [...events.values()].find((e) => e.site === site && e.alert === alert);
    const rpo = ev("site-a", "VeleroBackupTooOld");
    const passiveMissing = [...events.values()].filter((e) => e.site === "site-b" && ["VeleroBackupTooOld", "VeleroScheduleNeverSucceeded", "VeleroScheduleRpoUnknown"].includes(e.alert));
    r.check(`alerts: VeleroBackupTooOld fires on the active site A when schedule ${PROBE_SCHEDULE} stops, and no schedule alert on the passive site B`,
        rpo !== undefined && passiveMissing.length === 0,
        `${rpo ? `fired ${rpo.firedAfterS.toFixed(0)} s after the pause (RPO 1m + allowance 30s + wait ${LAB_ALERT_WAIT})` : "never fired"}; `
        + `on B: ${passiveMissing.map((e) => e.alert).join(", ") || "none"}`);
    const poll = ev("site-a", "RgwSyncPollErrors");
    r.check(`alerts: RgwSyncPollErrors fires on site A (which syncs from zone ${zoneB}) when zone B's gateway stops`,
        poll !== undefined, poll ? `fired ${poll.firedAfterS.toFixed(0)} s after the stop` : `never fired within 420 s; firing on a: ${describeAlerts(firedNow.a)}`);

    const recovered = Date.now();
    await k8sLab(s, `velero a schedule unpause ${PROBE_SCHEDULE}`, r.log);
    await cephLab(s, "rgw-start b", r.log);
    const resolved = await r.time("alerts.resolve", "schedule unpaused and zone B's gateway started: wait until every alert resolves",
        () => watchResolved(c.proms, recovered, 420_000, events));
    const all = [...events.values()].sort((x, y) => x.site.localeCompare(y.site) || x.firedAfterS - y.firedAfterS);
    c.alertEvents.push(...all);
    r.check("alerts: after the schedule and the gateway are back, every alert that fired resolves",
        bothFired && resolved, describeEvents(all) || "no alert fired");

    // The probe goes again, so the rest of the lab sees the drill's schedules only.
    await ws.run(["config", "rm", "-s", "failover", "--path", "schedules[1]"], { allowFailure: true });
    await r.time("alerts.probeDown", `failover: pulumi up removes schedule ${PROBE_SCHEDULE}`, () => ws.up("failover"));
    for (const site of SITES) c.metrics[site] = await metricInventory(c.proms[site]);
}

/**
 * The lifecycle on a mixed pair, site A (the active one, metadata master) on a newer release than
 * B: backups replicate to B and restore there, but the program refuses to make B's older zone the
 * one that takes the writes (newer zones cannot follow a Pacific zone's bucket index log), before
 * Ceph changes roles; switching activeSite back gives A its schedules and ReadWrite location again.
 */
async function runMixedDrill(c: DrillContext): Promise<void> {
    const { r, ws } = c;
    const tryB = await ws.configSet("failover", "activeSite", "site-b").then(() => r.time("mixed.switch", "mixed: activeSite site-b (must be refused)",
        () => ws.up("failover").then(() => undefined, (e: Error) => e)));
    const text = tryB instanceof PulumiError ? `${tryB.result.stdout}\n${tryB.result.stderr}` : String(tryB ?? "");
    const masterNow = await masterIs(c.s, "a");
    r.check(`mixed (Ceph ${c.s.cephA} on a, ${c.s.cephB} on b): the switch to B is refused before Ceph changes roles, saying why and to upgrade B first`,
        tryB !== undefined && /would not replicate/.test(text) && /Upgrading Ceph in a multisite realm/.test(text) && masterNow,
        `${tryB === undefined ? "pulumi up succeeded" : lastLines(text.split("\n").filter((l) => /refused|would not replicate/.test(l)).join("\n"), 2)}; zone A still master: ${masterNow}`);
    // The refused switch had already stopped A's schedules (the passive side goes first), out of
    // Pulumi's sight: the runbook's way back is a refresh, then activeSite site-a again.
    await ws.configSet("failover", "activeSite", "site-a");
    await r.time("mixed.back", "mixed: pulumi refresh -s failover, then activeSite site-a again", async () => {
        await ws.run(["refresh", "--yes", "--skip-preview", "-s", "failover"]);
        return ws.up("failover");
    });
    await checkRoles(c, "a", "mixed, after activeSite is back on site-a");
    await backupAndReplicate(c, "a", "lab-a-2", "mixed, after the refused switch");
    await checkNothingLost(c, "mixed, after the refused switch");
}

/**
 * Issue 18 item 4: every query of the dashboard against site A's Prometheus over the lab's time
 * (scripts/monitoring/dashboard-cli.ts, as a user runs it), and a PNG of its main panels.
 */
async function dashboardCheck(c: DrillContext, site: Site): Promise<void> {
    const dir = path.join(c.s.dir, "dashboard");
    fs.mkdirSync(dir, { recursive: true });
    const png = path.join(dir, `dashboard-${siteId(site)}.png`);
    const report = path.join(dir, `dashboard-${siteId(site)}.md`);
    const args = [
        "--prometheus", c.monitoring[site].prometheus, "--site", siteId(site),
        "--from", new Date(c.monitoringSinceMs).toISOString(), "--to", new Date().toISOString(),
        "--png", png, "--report", report, "--scrape-interval", String(LAB_SCRAPE_SECONDS),
        // The dashboard as the lab's stacks declare it: no node-agent (veleroNodeAgent false).
        "--node-agent", "false",
        ...Object.entries(DASHBOARD_NO_DATA_IN_LAB).flatMap(([title, why]) => ["--expect-no-data", `${title}=${why}`]),
    ];
    const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
    const out = await c.r.time(`dashboard.${site}`, `dashboard of site ${site}: every panel's queries against its Prometheus, PNG of the main panels`,
        () => sh(`node --require ts-node/register/transpile-only scripts/monitoring/dashboard-cli.ts ${quoted}`).then(
            (x) => ({ code: 0, text: x.stdout + x.stderr }),
            (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, text: `${e.stdout ?? ""}${e.stderr ?? ""}` })));
    c.r.check(`dashboard of site ${site}: every query returns data in the lab, except the panels expected empty here`, out.code === 0,
        `exit ${out.code}: ${lastLines(out.text, 8)}; report ${report}, PNG ${png}`);
}

/** Dashboard panels with no data in the lab, and why (the check reports them as such, never as passed). */
const DASHBOARD_NO_DATA_IN_LAB: Record<string, string> = {
    "Repository maintenance and backup deletions#A": "no repository maintenance in the lab: its Velero runs no pods (no kubelet), so velero_repo_maintenance_* never appear",
    "Repository maintenance and backup deletions#B": "no repository maintenance in the lab (no maintenance jobs without pods)",
    "Sync lag per source zone id (Ceph 20.2 and later)": "rgw_sync_delta is exported by ceph-exporter only (measured: Ceph 20.2's mgr prometheus module leaves it out); Debian ships no ceph-exporter",
};

export async function runDrill(s: LabSettings, r: Recorder, scope: Scope = "zone"): Promise<DrillContext> {
    const mixed = isMixed(s);
    await bringUpSites(s, r);
    const started = Date.now();
    const c = await deployStacks(s, r, scope);
    r.timingsMs["deploy.total"] = Date.now() - started;

    // A backup of cluster A, seen and restored in cluster B while A stays active.
    const original = await workloadIn(c.clusters.a);
    const e2e = await backupAndReplicate(c, "a", "lab-a-1", "site-a active");
    if (e2e !== undefined) r.timingsMs["rpo.completedOnAToRestorableOnB"] = e2e;
    await restoreAndCompare(c, "b", "lab-a-1", original);
    // The on-call tool on the passive site, without any switch (its location stays ReadOnly).
    const passive = await r.time("tool.passiveRestore", "failover.sh restore on passive site B (no switch)", () => restoreTool(c, "b", ["--yes"]));
    r.check("failover.sh restore on the passive site works without a switch, from its ReadOnly location",
        passive.code === 0 && passive.output.includes("ReadOnly is fine for a restore") && passive.output.includes("chosen: lab-a-1"),
        `exit ${passive.code}: ${lastLines(passive.output)}`);
    await quietPoint(c, "site A active, after a backup and two restores");
    if (mixed) {
        await runMixedDrill(c);
        await alertIncidents(c);
        await dashboardCheck(c, "a");
        return c;
    }

    // The drill: both sites up, B becomes active; the preview is what a reviewer sees.
    const drillStart = Date.now();
    const drillEvents = await switchRoles(c, { activeSite: "b" }, "drill.switch", "drill: activeSite site-b", "drillPreview");
    r.timingsMs["drill.switchTotal"] = Date.now() - drillStart;
    checkSwitchOrder(c, drillEvents, "b", "drill switch");
    await checkRoles(c, "b", "after the drill switch");
    await backupAndReplicate(c, "b", "lab-b-1", "site-b active");
    const choice = await restoreTool(c, "b", ["--dry-run"]);
    r.check("failover.sh restore on the new active site picks the other site's newest backup, not its own new one",
        choice.code === 0 && choice.output.includes("chosen: lab-a-1") && !choice.output.includes("chosen: lab-b-1"),
        `exit ${choice.code}: ${lastLines(choice.output)}`);
    await quietPoint(c, "after the drill switch, site B active", drillStart);
    await switchRoles(c, { activeSite: "a" }, "drill.back", "drill: activeSite site-a again");
    await checkRoles(c, "a", "after switching back");
    await checkNothingLost(c, "after the drill");

    // Site A lost: its link is cut, its processes keep running.
    await cephLab(s, "cut a", r.log);
    const lostStart = Date.now();
    await switchRoles(c, { activeSite: "b", unreachable: ["a"], force: true }, "lost.switch", "site A lost: activeSite site-b, unreachableSites [site-a], forcePromotion");
    r.timingsMs["lost.switchTotal"] = Date.now() - lostStart;
    await checkRoles(c, "b", "site A lost", ["b"]);
    const lostBackup = await c.r.time("lab-b-lost.backup", "site A lost: backup in cluster B", () => backupFromSchedule(c, "b", "lab-b-lost"));
    r.check("site A lost: backup lab-b-lost Completed in cluster B", lostBackup?.status?.phase === "Completed", `phase ${lostBackup?.status?.phase}`);
    const plain = await restoreTool(c, "b", ["--yes"]);
    const lostRestore = await r.time("tool.lostRestore", "site A lost: failover.sh restore --lost-site site-a on B", () => restoreTool(c, "b", ["--lost-site", "site-a", "--yes"]));
    // The forced promotion fenced zone A off (B no longer syncs from it), so A's sync state cannot
    // block: the tool says what may be missing and restores, with or without --lost-site.
    const fencedNote = `does not sync from ${zoneOf(c.s, "a")} (fenced off by a forced promotion`;
    r.check("site A lost: failover.sh restore restores A's newest backup, says zone B no longer syncs from A (the fence), and so does --lost-site",
        plain.code === 0 && plain.output.includes(fencedNote) && plain.output.includes("chosen: lab-a-1")
            && lostRestore.code === 0 && lostRestore.output.includes("chosen: lab-a-1"),
        `without: exit ${plain.code} (${lastLines(plain.output, 2)}); with --lost-site: exit ${lostRestore.code}: ${lastLines(lostRestore.output)}`);

    // A returns with its Velero still running (ReadWrite location, schedule): fenced until the
    // failover stack demotes it; then the stack readmits it and both zones sync again.
    await cephLab(s, "heal a", r.log);
    await returningSiteFenced(c, "lab-a-returned");
    await switchRoles(c, { activeSite: "b" }, "return.switch", "site A returns: unreachableSites [], activeSite site-b (A rejoins as secondary)");
    await checkRoles(c, "b", "after site A returned");
    const syncing = await Promise.all(SITES.map((site) => syncsFromAll(c.s, site)));
    c.r.check("after site A returned: the failover stack readmitted the fenced zone: each zone syncs from the other again", syncing.every(Boolean),
        SITES.map((site, i) => `zone ${zoneOf(c.s, site)}: ${syncing[i] ? "syncs from all" : "still fenced"}`).join(", "));
    await checkNothingLost(c, "after site A returned");
    const failbackStart = Date.now();
    const failbackEvents = await switchRoles(c, { activeSite: "a" }, "failback.switch", "fail back: activeSite site-a");
    checkSwitchOrder(c, failbackEvents, "a", "fail back");
    r.timingsMs["failback.switchTotal"] = Date.now() - failbackStart;
    await checkRoles(c, "a", "after the failback");
    await backupAndReplicate(c, "a", "lab-a-2", "after the failback");
    // Last, as its copy becomes site A's newest backup (the restore choices above expect lab-a-1).
    await lateFilesRestore(c, "lab-a-2", "lab-a-2-late");
    await checkNothingLost(c, "after the failback");
    await alertIncidents(c);
    await dashboardCheck(c, "a");
    return c;
}

/** What only a real engine shows: plaintext secrets in the state, and what destroy does. */
export async function checkStateAndDestroy(c: DrillContext): Promise<void> {
    const { ws, r } = c;
    const secrets: string[] = [];
    for (const stack of ["site-a", "site-b"]) {
        const out = await ws.outputs(stack, true);
        for (const k of ["systemAccessKey", "systemSecretKey", "veleroAccessKey", "veleroSecretKey", "kopiaRepositoryPassword"]) secrets.push(String(out[k]));
    }
    for (const site of SITES) {
        const kubeKey = /client-key-data: (\S+)/.exec(c.clusters[site].kubeconfigText())?.[1];
        if (kubeKey) secrets.push(kubeKey);
    }
    // Shorter values could match by chance.
    const lookedFor = secrets.filter((x) => x.length >= 16);
    for (const stack of ["site-a", "site-b", "failover"]) {
        const state = await ws.exportState(stack);
        const found = lookedFor.filter((x) => state.includes(x));
        r.check(`pulumi stack export ${stack}: no generated key, password or kubeconfig key in plaintext`, found.length === 0,
            `${lookedFor.length} secrets looked for in ${state.length} bytes; found ${found.length}`);
    }
    // The lab's own folder holds its kubeconfigs by design; anything else the runs left is a leak.
    const scan = filesHoldingSecrets(os.tmpdir(), lookedFor,
        { sinceMs: c.startedMs, skip: [c.s.dir], maxDepth: 3, maxBytes: 1 << 20 });
    r.check(`no file the lab's runs left in ${os.tmpdir()} holds a generated key, password or kubeconfig key`, scan.holding.length === 0,
        `${scan.read} files written since the deployment started read, outside ${c.s.dir}; holding a secret: ${scan.holding.length ? scan.holding.join(", ") : "none"}`);

    const periods = { a: await periodOf(c.s, "a"), b: await periodOf(c.s, "b") };
    const destroyFailover = await r.time("destroy.failover", "pulumi destroy -s failover", () => ws.destroy("failover"));
    const after = { a: await periodOf(c.s, "a"), b: await periodOf(c.s, "b") };
    const bsl = await c.clusters.a.veleroObject("backupstoragelocations", "default");
    r.check("pulumi destroy of the failover stack removes nothing from Ceph or the clusters",
        destroyFailover.code === 0 && JSON.stringify(periods) === JSON.stringify(after) && bsl !== undefined,
        `exit ${destroyFailover.code}; periods unchanged: ${JSON.stringify(periods) === JSON.stringify(after)}; location in A kept: ${bsl !== undefined}`);

    const destroyA = await r.time("destroy.siteA", "pulumi destroy -s site-a (must be refused: the bucket is protected)", () => ws.destroy("site-a"));
    const text = destroyA.stdout + destroyA.stderr;
    const stillThere = await listKeys(c.s3.a, c.bucket, "backups/");
    const secretsKept = (await c.clusters.a.kubectl(["-n", "velero", "get", "secrets", "-o", "name"])).split("\n").filter((x) => /velero-(repo-)?credentials$/.test(x));
    r.check("pulumi destroy of site-a is refused while the bucket is protected; backups, kopia password and keys stay",
        destroyA.code !== 0 && /protect/i.test(text) && stillThere.length > 0 && secretsKept.length === 2,
        `exit ${destroyA.code}; ${/protect/i.test(text) ? "says protected" : "no word of protect"}; ${stillThere.length} backup objects on zone A; `
        + `Velero's Secrets in cluster A: ${secretsKept.join(", ") || "gone"}`);
}

/** The drill's preview diff, for docs/ and the report. */
export function savePreview(c: DrillContext, file: string): void {
    const text = c.artifacts.drillPreview;
    if (text) fs.writeFileSync(file, text);
}
