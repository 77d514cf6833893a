import { expect } from "chai";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import {
    KSM_CONFIG_KEY, KSM_METRICS, KSM_RBAC_RULES, kubePrometheusStackKsmValues,
    renderAlertRules, renderKsmCustomResourceConfig, renderKsmCustomResourceConfigText, renderPrometheusRule,
    resolveAlertRuleSettings,
} from "../../components/drAlertRules";
import { RPO_SECONDS_LABEL, SCHEDULE_NAME_LABEL } from "../../core/labels";
import { renderSchedule } from "../../core/velero/renderers";

const settings = resolveAlertRuleSettings({ site: "site-a", runbookBaseUrl: "https://git.example.com/dr/docs/runbook.md" });
const labels = { release: "kube-prometheus-stack" };

describe("PrometheusRule object", () => {
    const rule = renderPrometheusRule(renderAlertRules(settings), { name: "velero-dr-alerts", namespace: "monitoring", labels });

    it("validates against the prometheus-operator PrometheusRule schema", () => {
        expect(() => new PrometheusRule(rule).validate()).to.not.throw();
    });

    it("the schema check rejects a malformed rule (the check can fail)", () => {
        const broken = JSON.parse(JSON.stringify(rule));
        broken.spec.groups[1].rules[0].for = "6 hours";
        expect(() => new PrometheusRule(broken).validate()).to.throw();
    });

    it("carries the rule selector labels and nothing else in metadata", () => {
        expect(rule.metadata).to.deep.equal({ name: "velero-dr-alerts", namespace: "monitoring", labels });
        expect(rule.apiVersion).to.equal("monitoring.coreos.com/v1");
        expect(rule.kind).to.equal("PrometheusRule");
    });
});

/** Resolves a kube-state-metrics path on an object the way its plain map lookups do. */
function resolvePath(obj: unknown, path: string[]): unknown {
    return path.reduce<unknown>((o, part) => (o && typeof o === "object" ? (o as Record<string, unknown>)[part] : undefined), obj);
}

interface KsmMetric { name: string; labelsFromPath?: Record<string, string[]>; each: { type: string; gauge: { path: string[] } } }
interface KsmResource {
    groupVersionKind: { group: string; version: string; kind: string };
    metricNamePrefix: string;
    labelsFromPath: Record<string, string[]>;
    metrics: KsmMetric[];
}

/** The samples kube-state-metrics would export for `obj` under `resource`: name, labels, value. */
function samples(resource: KsmResource, obj: unknown) {
    return resource.metrics.flatMap((m) => {
        const raw = resolvePath(obj, m.each.gauge.path);
        if (raw === undefined) return [];
        const value = typeof raw === "string" && Number.isNaN(Number(raw)) ? Date.parse(raw) / 1000 : Number(raw);
        const lbls: Record<string, string> = {};
        for (const [k, p] of Object.entries({ ...resource.labelsFromPath, ...(m.labelsFromPath ?? {}) })) {
            const v = resolvePath(obj, p);
            if (v !== undefined) lbls[k] = String(v);
        }
        return [{ name: `${resource.metricNamePrefix}_${m.name}`, labels: lbls, value }];
    });
}

describe("kube-state-metrics custom-resource-state config", () => {
    const config = renderKsmCustomResourceConfig() as { kind: string; spec: { resources: KsmResource[] } };
    const resource = (kind: string) => {
        const r = config.spec.resources.find((x) => x.groupVersionKind.kind === kind);
        if (!r) throw new Error(`no resource for ${kind}`);
        return r;
    };
    // A Schedule as the failover stack renders it, and a Backup Velero created from it and synced.
    const rendered = renderSchedule({
        name: "hourly", namespace: "velero", cron: "0 * * * *", ttl: "720h",
        includedNamespaces: ["*"], rpoSeconds: 3600, storageLocation: "default",
    });
    // The API server adds the creation time.
    const schedule = { ...rendered, metadata: { ...rendered.metadata, creationTimestamp: "2026-01-01T00:00:00Z" } };
    const backup = {
        apiVersion: "velero.io/v1",
        kind: "Backup",
        metadata: {
            name: "hourly-20260101010000",
            namespace: "velero",
            // Velero labels a scheduled Backup with the template's labels and the schedule's name.
            labels: { ...rendered.spec.template.metadata.labels, [SCHEDULE_NAME_LABEL]: "hourly" },
        },
        status: { phase: "Completed", completionTimestamp: "2026-01-01T01:02:03Z" },
    };

    it("is a CustomResourceStateMetrics config for velero.io/v1 Backups and Schedules", () => {
        expect(config.kind).to.equal("CustomResourceStateMetrics");
        expect(config.spec.resources.map((r) => r.groupVersionKind)).to.deep.equal([
            { group: "velero.io", version: "v1", kind: "Backup" },
            { group: "velero.io", version: "v1", kind: "Schedule" },
        ]);
    });

    it("reads the RPO label the Schedule renderer writes", () => {
        expect(renderSchedule({
            name: "daily", namespace: "velero", cron: "0 3 * * *", ttl: "720h",
            includedNamespaces: ["*"], rpoSeconds: 86400, storageLocation: "default",
        }).metadata.labels).to.deep.equal({ [RPO_SECONDS_LABEL]: "86400" });
    });

    it("exports a Backup's completion time, phase, schedule and RPO", () => {
        const out = samples(resource("Backup"), backup);
        expect(out).to.deep.equal([
            {
                name: KSM_METRICS.backupCompletion,
                labels: { namespace: "velero", name: "hourly-20260101010000", schedule: "hourly", phase: "Completed" },
                value: Date.UTC(2026, 0, 1, 1, 2, 3) / 1000,
            },
            {
                name: KSM_METRICS.backupRpo,
                labels: { namespace: "velero", name: "hourly-20260101010000", schedule: "hourly" },
                value: 3600,
            },
        ]);
    });

    it("exports nothing for a running ad-hoc backup (no completion time, no RPO)", () => {
        const running = { metadata: { name: "manual", namespace: "velero", labels: {} }, status: { phase: "InProgress" } };
        expect(samples(resource("Backup"), running)).to.deep.equal([]);
    });

    it("exports a Schedule's RPO and creation time", () => {
        expect(samples(resource("Schedule"), schedule)).to.deep.equal([
            { name: KSM_METRICS.scheduleRpo, labels: { namespace: "velero", schedule: "hourly" }, value: 3600 },
            { name: KSM_METRICS.scheduleCreated, labels: { namespace: "velero", schedule: "hourly" }, value: Date.UTC(2026, 0, 1) / 1000 },
        ]);
    });

    it("exports every kube_velero_* series the rules use, and the rules use every one", () => {
        const exported = new Set(config.spec.resources.flatMap((r) => r.metrics.map((m) => `${r.metricNamePrefix}_${m.name}`)));
        const used = new Set(JSON.stringify(renderAlertRules(settings)).match(/kube_velero_[a-z_]+/g) ?? []);
        expect([...used].sort()).to.deep.equal([...exported].sort());
        expect([...exported].sort()).to.deep.equal(Object.values(KSM_METRICS).sort());
    });

    it("renders as text that parses back to the same config", () => {
        expect(JSON.parse(renderKsmCustomResourceConfigText())).to.deep.equal(config);
    });

    it("gives kube-prometheus-stack values that point at the ConfigMap and grant list/watch on velero.io", () => {
        expect(kubePrometheusStackKsmValues("velero-dr-ksm-config")).to.deep.equal({
            "kube-state-metrics": {
                customResourceState: { enabled: true, create: false, name: "velero-dr-ksm-config", key: KSM_CONFIG_KEY },
                rbac: { extraRules: KSM_RBAC_RULES },
            },
        });
        expect(KSM_RBAC_RULES).to.deep.equal([{ apiGroups: ["velero.io"], resources: ["backups", "schedules"], verbs: ["list", "watch"] }]);
    });
});
