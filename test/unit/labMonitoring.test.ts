// The lab's pure parts for issue 15 and 18: which version pairs are a mixed lab, the alert waits
// the lab's stacks get, the scrape config, and how alerts are named in checks.
import { expect } from "chai";
import { NODE_AGENT_ALERTS, WAIT_SETTING_OF } from "../../components/monitoring/alertNames";
import { labPendingFor } from "../../scripts/lab/alertChecks";
import { describeAlerts, prometheusConfig } from "../../scripts/lab/monitoring";
import { isMixed, settingsFromEnv } from "../../scripts/lab/labSettings";
import { PrometheusAlert } from "../../scripts/monitoring/prometheusApi";

describe("lab: mixed Ceph pairs", () => {
    const pair = (a: string, b: string) => settingsFromEnv({ LAB_CEPH_A: a, LAB_CEPH_B: b });
    const rows: [string, string, boolean][] = [
        ["16.2", "16.2", false],
        ["18.2", "18.2", false],
        ["20.2", "20.2", false],
        ["18.2", "20.2", false],
        ["18.2", "16.2", true],
        ["20.2", "16.2", true],
    ];
    for (const [a, b, mixed] of rows) {
        it(`A ${a}, B ${b}: ${mixed ? "the mixed lifecycle" : "the full drill"}`, () => expect(isMixed(pair(a, b))).to.equal(mixed));
    }
    it("a Pacific A beside a newer B is refused, saying why and naming the allowed pair", () => {
        expect(() => isMixed(pair("16.2", "18.2"))).to.throw(/cannot follow a Pacific zone's bucket index log.*Allowed mixed pair: LAB_CEPH_A=18\.2 or 20\.2 with LAB_CEPH_B=16\.2/s);
    });
});

describe("lab: the alert waits its stacks get", () => {
    const waits = labPendingFor();
    it("names no node-agent alert (the lab runs none) and none with a wait setting of its own", () => {
        for (const name of [...NODE_AGENT_ALERTS, ...Object.keys(WAIT_SETTING_OF)]) expect(waits).to.not.have.property(name);
    });
    it("gives every other alert the same short wait", () => {
        expect(Object.keys(waits)).to.include.members(["VeleroBackupTooOld", "RgwSyncPollErrors", "DrReplicatedBackupTooOld"]);
        expect(new Set(Object.values(waits))).to.deep.equal(new Set(["20s"]));
    });
});

describe("lab: Prometheus scrape config and alert names", () => {
    it("one job per source, each at its host and path; kube-state-metrics and Ceph keep their own labels", () => {
        const cfg = prometheusConfig({
            prometheus: "http://10.213.0.11:9090", velero: "http://10.213.0.11:8085/metrics",
            kubeStateMetrics: "http://10.213.0.11:8082/metrics", ceph: "http://10.213.0.11:9283/metrics",
        }, "/lab/rules.yml") as { rule_files: string[]; scrape_configs: { job_name: string; honor_labels?: boolean; static_configs: { targets: string[] }[] }[] };
        expect(cfg.rule_files).to.deep.equal(["/lab/rules.yml"]);
        expect(cfg.scrape_configs.map((j) => `${j.job_name} ${j.static_configs[0].targets[0]} ${j.honor_labels ?? false}`)).to.deep.equal([
            "velero 10.213.0.11:8085 false", "kube-state-metrics 10.213.0.11:8082 true", "ceph 10.213.0.11:9283 true",
        ]);
    });
    it("describeAlerts leaves out the labels every alert has and sorts", () => {
        const alert = (name: string, labels: Record<string, string>): PrometheusAlert => ({
            name, labels: { alertname: name, severity: "warning", site: "site-a", ...labels }, annotations: {}, state: "firing", activeAt: new Date(0), value: 1,
        });
        expect(describeAlerts([])).to.equal("none");
        expect(describeAlerts([alert("VeleroBackupTooOld", { schedule: "x" }), alert("RgwSyncMetricsAbsent", {})]))
            .to.equal("RgwSyncMetricsAbsent, VeleroBackupTooOld{schedule=x}");
    });
});
