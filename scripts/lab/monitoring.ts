// Issue 18 on the lab: per site a Prometheus with exactly the rules the site's stack declared (read
// back from its PrometheusRule), scraping that site's `velero server`, a kube-state-metrics run
// with the custom-resource config the stack declared (read back from its ConfigMap), and the Ceph
// cluster's ceph-mgr prometheus module. The drill asks these Prometheus servers which alerts fire.
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { KSM_CONFIG_KEY, KSM_METRIC_PREFIX } from "../../components/monitoring/kubeStateMetrics";
import { MONITORING_DEFAULTS, monitoringObjectNames } from "../../components/monitoring/settings";
import { SiteCluster, k8sLab } from "./cluster";
import { LabSettings, Recorder, Site, cephLab, unquote } from "./labSettings";
import { PrometheusAlert, PrometheusClient } from "../monitoring/prometheusApi";

/** Where the lab's stacks put the monitoring objects: DrAlertRules' defaults (the lab sets neither). */
export const MONITORING_NAMESPACE = MONITORING_DEFAULTS.namespace;
export const MONITORING_OBJECTS = monitoringObjectNames();
/** The lab scrapes and evaluates every 5 s, so alerts with the lab's short `for` move quickly. */
export const LAB_SCRAPE_SECONDS = 5;

export interface MonitoringUrls {
    prometheus: string;
    velero: string;
    kubeStateMetrics: string;
    ceph: string;
}

function hostPort(url: string): string {
    return new URL(url).host;
}

/** The site's URLs, each from the script that owns it (k8s-lab.sh env, ceph-lab.sh metrics-url). */
export async function monitoringUrls(s: LabSettings, site: Site): Promise<MonitoringUrls> {
    const env: Record<string, string> = {};
    for (const line of (await k8sLab(s, `env ${site}`)).split("\n")) {
        const m = /^([A-Z_0-9]+)=(.*)$/.exec(line.trim());
        if (m) env[m[1]] = unquote(m[2]);
    }
    for (const key of ["PROMETHEUS", "VELERO_METRICS", "KSM_METRICS"]) {
        if (!env[key]) throw new Error(`k8s-lab.sh env ${site} printed no ${key}`);
    }
    return {
        prometheus: env.PROMETHEUS, velero: env.VELERO_METRICS, kubeStateMetrics: env.KSM_METRICS,
        ceph: (await cephLab(s, `metrics-url ${site}`)).trim(),
    };
}

/** The scrape config: one job per source, as the Velero chart's ServiceMonitor and kube-prometheus-stack would. */
export function prometheusConfig(urls: MonitoringUrls, ruleFile: string): object {
    const job = (name: string, url: string, honorLabels: boolean) => ({
        job_name: name,
        ...(honorLabels ? { honor_labels: true } : {}),
        metrics_path: new URL(url).pathname,
        static_configs: [{ targets: [hostPort(url)] }],
    });
    return {
        global: { scrape_interval: `${LAB_SCRAPE_SECONDS}s`, evaluation_interval: `${LAB_SCRAPE_SECONDS}s` },
        rule_files: [ruleFile],
        scrape_configs: [
            job("velero", urls.velero, false),
            // kube-state-metrics and Ceph's exporters label their series themselves.
            job("kube-state-metrics", urls.kubeStateMetrics, true),
            job("ceph", urls.ceph, true),
        ],
    };
}

/**
 * Writes the site's monitoring files from what its stack declared in its cluster, then starts
 * kube-state-metrics and Prometheus (k8s-lab.sh monitoring-start). Returns the site's URLs.
 */
export async function startMonitoring(s: LabSettings, r: Recorder, cluster: SiteCluster): Promise<MonitoringUrls> {
    const site = cluster.site;
    const dir = path.join(s.dir, site, "k8s", "monitoring");
    fs.mkdirSync(dir, { recursive: true });
    const rule = await cluster.getJson<{ spec: { groups: unknown[] } }>(["-n", MONITORING_NAMESPACE, "get", "prometheusrules.monitoring.coreos.com", MONITORING_OBJECTS.rule]);
    const ksm = await cluster.getJson<{ data?: Record<string, string> }>(["-n", MONITORING_NAMESPACE, "get", "configmap", MONITORING_OBJECTS.ksmConfig]);
    const ksmConfig = ksm.data?.[KSM_CONFIG_KEY];
    if (!ksmConfig) throw new Error(`site ${site}: ConfigMap ${MONITORING_OBJECTS.ksmConfig} has no ${KSM_CONFIG_KEY}`);
    const urls = await monitoringUrls(s, site);
    fs.writeFileSync(path.join(dir, "rules.yml"), yaml.dump({ groups: rule.spec.groups }, { lineWidth: -1 }));
    fs.writeFileSync(path.join(dir, "ksm-custom-resources.yaml"), ksmConfig);
    fs.writeFileSync(path.join(dir, "prometheus.yml"), yaml.dump(prometheusConfig(urls, path.join(dir, "rules.yml")), { lineWidth: -1 }));
    await r.time(`monitoring.up.${site}`, `site ${site}: kube-state-metrics and Prometheus (rules from the PrometheusRule, CR config from the ConfigMap)`,
        () => k8sLab(s, `monitoring-start ${site}`, r.log));
    return urls;
}

/** Text of firing alerts, e.g. `VeleroBackupTooOld{schedule=x}`; labels that every alert has are left out. */
export function describeAlerts(alerts: readonly PrometheusAlert[]): string {
    if (alerts.length === 0) return "none";
    const quiet = new Set(["alertname", "severity", "site"]);
    return alerts.map((a) => {
        const labels = Object.entries(a.labels).filter(([k]) => !quiet.has(k)).map(([k, v]) => `${k}=${v}`);
        return `${a.name}${labels.length ? `{${labels.join(",")}}` : ""}`;
    }).sort().join(", ");
}

/** Metric names per exporter family that a site's Prometheus holds right now (a measured inventory). */
export async function metricInventory(p: PrometheusClient): Promise<Record<string, string[]>> {
    const families: Record<string, string> = {
        velero: "velero_.+|podVolume_.+",
        "kube-state-metrics (Velero objects)": `${KSM_METRIC_PREFIX}_.+`,
        "ceph (RGW sync)": "ceph_data_sync.+|ceph_rgw_sync.+|ceph_rgw_.+sync.+",
    };
    const out: Record<string, string[]> = {};
    for (const [family, pattern] of Object.entries(families)) {
        const rows = await p.query(`count by (__name__) ({__name__=~"${pattern}"})`);
        out[family] = rows.map((x) => x.labels.__name__).sort();
    }
    return out;
}
