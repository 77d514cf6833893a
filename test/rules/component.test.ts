import { expect } from "chai";
import * as k8s from "@pulumi/kubernetes";
import {
    DASHBOARD_FILE, DASHBOARD_UID, DrAlertRules, DrAlertRulesArgs, KSM_CONFIG_KEY, renderKsmCustomResourceConfig,
} from "../../components/drAlertRules";
import { RecordedResource, named, ofType, runFailing, runMocked } from "../harness/mocks";

const RUNBOOK = "https://git.example.com/infra/velero-ceph-dr/-/blob/main/docs/runbook.md";
const base: DrAlertRulesArgs = { site: "site-a", runbookBaseUrl: RUNBOOK };

async function declare(args: DrAlertRulesArgs) {
    return runMocked(() => {
        const provider = new k8s.Provider("cluster-a", { kubeconfig: "{}" });
        const alerts = new DrAlertRules("alerts", args, { provider });
        return { alertNames: alerts.alertNames };
    }, { stack: "site-a" });
}

const children = (resources: RecordedResource[]) =>
    resources.filter((r) => !r.type.startsWith("pulumi:") && !r.type.startsWith("velero-ceph-dr:"));

describe("DrAlertRules component", () => {
    it("declares the PrometheusRule with the rule selector labels, holding the rendered alerts", async () => {
        const run = await declare(base);
        const rule = named(run, "alerts-rules");
        expect(rule.type).to.equal("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
        expect(rule.inputs.metadata).to.deep.equal({ name: "velero-dr-alerts", namespace: "monitoring", labels: { release: "kube-prometheus-stack" } });
        const alerts = rule.inputs.spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert).map((r: any) => r.alert);
        expect(alerts).to.deep.equal(run.returned.alertNames);
        expect(alerts).to.include.members(["VeleroBackupTooOld", "DrReplicatedBackupTooOld", "RgwSyncStalled"]);
        expect(rule.options.parent).to.equal("alerts");
    });

    it("declares the dashboard ConfigMap with the Grafana sidecar label and the dashboard JSON", async () => {
        const run = await declare(base);
        const cm = named(run, "alerts-dashboard");
        expect(cm.type).to.equal("kubernetes:core/v1:ConfigMap");
        expect(cm.inputs.metadata).to.deep.equal({ name: "velero-dr-dashboard", namespace: "monitoring", labels: { grafana_dashboard: "1" } });
        const dashboard = JSON.parse(cm.inputs.data[DASHBOARD_FILE]);
        expect(dashboard.uid).to.equal(DASHBOARD_UID);
        expect(dashboard.title).to.include("site-a");
        expect(cm.options.parent).to.equal("alerts");
    });

    it("declares the kube-state-metrics config ConfigMap next to them", async () => {
        const run = await declare(base);
        const cm = named(run, "alerts-ksm-config");
        expect(cm.inputs.metadata).to.deep.equal({ name: "velero-dr-ksm-config", namespace: "monitoring" });
        expect(JSON.parse(cm.inputs.data[KSM_CONFIG_KEY])).to.deep.equal(renderKsmCustomResourceConfig());
    });

    it("passes the provider from its options to every child", async () => {
        const run = await declare(base);
        const own = children(run.resources).filter((r) => r.type !== "pulumi:providers:kubernetes");
        expect(own.map((r) => r.name).sort()).to.deep.equal(["alerts-dashboard", "alerts-ksm-config", "alerts-rules"]);
        // Each child talks to the cluster of the component's provider, never the ambient kubeconfig.
        for (const r of own) {
            expect(r.options.parent, r.name).to.equal("alerts");
            expect(r.options.provider, r.name).to.equal("cluster-a");
        }
    });

    it("uses the given selector, sidecar labels, namespace, name prefix and site label", async () => {
        const run = await declare({
            ...base,
            namespace: "observability",
            objectNamePrefix: "dr",
            ruleSelectorLabels: { prometheus: "main", role: "alert-rules" },
            dashboardSidecarLabels: { "grafana.example.com/dashboard": "dr" },
            siteLabel: "cluster",
        });
        const rule = named(run, "alerts-rules");
        expect(rule.inputs.metadata).to.deep.equal({ name: "dr-alerts", namespace: "observability", labels: { prometheus: "main", role: "alert-rules" } });
        const alert = rule.inputs.spec.groups.flatMap((g: any) => g.rules).find((r: any) => r.alert);
        expect(alert.labels).to.include({ cluster: "site-a" });
        expect(named(run, "alerts-dashboard").inputs.metadata.labels).to.deep.equal({ "grafana.example.com/dashboard": "dr" });
        expect(named(run, "alerts-ksm-config").inputs.metadata.namespace).to.equal("observability");
    });

    it("passes pendingFor and rgwSyncRateWindow to the rules", async () => {
        const run = await declare({ ...base, pendingFor: { RgwSyncFetchErrors: "2m" }, rgwSyncRateWindow: "90s" });
        const rules = named(run, "alerts-rules").inputs.spec.groups.flatMap((g: any) => g.rules);
        const fetch = rules.find((r: any) => r.alert === "RgwSyncFetchErrors");
        expect(fetch.for).to.equal("2m");
        expect(fetch.expr).to.contain("fetch_errors[90s]");
        expect(rules.find((r: any) => r.alert === "RgwSyncPollErrors").for).to.equal("15m");
    });

    it("leaves the kube-state-metrics ConfigMap out when asked to", async () => {
        const run = await declare({ ...base, kubeStateMetricsConfig: false });
        expect(ofType(run, "core/v1:ConfigMap").map((r) => r.name)).to.deep.equal(["alerts-dashboard"]);
    });

    for (const [what, args, message] of [
        ["a bad site", { site: "Site A" }, /site "Site A" is not allowed/],
        ["a relative runbook URL", { runbookBaseUrl: "docs/runbook.md" }, /runbookBaseUrl "docs\/runbook.md" is not allowed/],
        ["a bad duration", { backupDurationAllowance: "half an hour" }, /backupDurationAllowance "half an hour" is not allowed/],
        ["an empty rule selector", { ruleSelectorLabels: {} }, /ruleSelectorLabels is empty/],
        ["a bad sidecar label", { dashboardSidecarLabels: { grafana_dashboard: "yes please" } }, /dashboardSidecarLabels.grafana_dashboard = "yes please"/],
        ["a bad namespace", { namespace: "Monitoring" }, /namespace "Monitoring" is not allowed/],
        ["an unknown alert in pendingFor", { pendingFor: { NoSuchAlert: "1m" } as DrAlertRulesArgs["pendingFor"] }, /pendingFor.NoSuchAlert "1m" is not allowed; there is no alert "NoSuchAlert"/],
        ["a rate window shorter than 30s", { rgwSyncRateWindow: "10s" }, /rgwSyncRateWindow "10s" is not allowed; allowed: at least 30s/],
    ] as const) {
        it(`refuses ${what} before declaring a child`, async () => {
            const { error, resources } = await runFailing(() => new DrAlertRules("alerts", { ...base, ...args }), { stack: "site-a" });
            expect(error.message).to.match(message);
            expect(error.message).to.match(/^DrAlertRules alerts: /);
            expect(children(resources)).to.deep.equal([]);
        });
    }

    it("reports every problem at once", async () => {
        const { error } = await runFailing(
            () => new DrAlertRules("alerts", { ...base, site: "", namespace: "", rgwSyncStalledFor: "soon" }),
            { stack: "site-a" },
        );
        expect(error.message).to.match(/site "".*rgwSyncStalledFor "soon".*namespace ""/);
    });
});
