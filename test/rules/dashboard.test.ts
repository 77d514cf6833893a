import { expect } from "chai";
import * as path from "path";
import {
    DASHBOARD_UID, Dashboard, DashboardPanel, RECORDED, dashboardExpressions, renderDashboard, resolveAlertRuleSettings,
} from "../../components/drAlertRules";
import { promtool, tempDir, writeYaml } from "./promtool";

const settings = resolveAlertRuleSettings({ site: "site-a", runbookBaseUrl: "https://git.example.com/dr/docs/runbook.md" });

/** Grafana's interval macros are not PromQL: give them a duration the way Grafana would. */
function asPromql(expr: string): string {
    return expr.replace(/\$__(rate_interval|interval|range)\b/g, "5m");
}

/** Runs promtool check rules on the expressions as throwaway recording rules. */
function checkExpressions(exprs: string[]) {
    const { dir, cleanup } = tempDir("dr-dashboard");
    try {
        const rules = exprs.map((expr, i) => ({ record: `dashboard:expression_${i}`, expr }));
        writeYaml(path.join(dir, "dashboard-exprs.yaml"), { groups: [{ name: "dashboard", rules }] });
        return promtool(["check", "rules", "dashboard-exprs.yaml"], dir);
    } finally {
        cleanup();
    }
}

function allPanels(d: Dashboard): DashboardPanel[] {
    return d.panels.flatMap((p) => [p, ...((p.panels ?? []) as DashboardPanel[])]);
}

describe("DR dashboard", () => {
    const dashboard = renderDashboard(settings);
    const exprs = dashboardExpressions(dashboard);

    it("every PromQL expression parses (promtool check rules)", () => {
        expect(exprs.length).to.be.greaterThan(10);
        const promql = exprs.map(asPromql);
        for (const e of promql) expect(e, "an unsubstituted Grafana variable").to.not.include("$");
        const r = checkExpressions(promql);
        expect(r.status, r.output).to.equal(0);
        expect(r.output).to.include(`SUCCESS: ${promql.length} rules found`);
    });

    it("the expression check fails on an expression that does not parse", () => {
        const r = checkExpressions(["rate(velero_backup_total[5m]"]);
        expect(r.status, r.output).to.not.equal(0);
    });

    it("panel ids are unique, including panels inside rows", () => {
        const ids = allPanels(dashboard).map((p) => p.id);
        expect(ids.every((id) => Number.isInteger(id) && id > 0)).to.equal(true);
        expect(new Set(ids).size).to.equal(ids.length);
    });

    it("panels do not overlap on the grid", () => {
        const boxes = dashboard.panels.map((p) => p.gridPos);
        for (let i = 0; i < boxes.length; i++) {
            for (let j = i + 1; j < boxes.length; j++) {
                const a = boxes[i];
                const b = boxes[j];
                const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
                expect(overlap, `${dashboard.panels[i].title} overlaps ${dashboard.panels[j].title}`).to.equal(false);
            }
            expect(boxes[i].x + boxes[i].w, dashboard.panels[i].title).to.be.at.most(24);
        }
    });

    it("has a fixed uid, the same for both sites, and the site in the title", () => {
        const other = renderDashboard({ ...settings, site: "site-b" });
        expect(dashboard.uid).to.equal(DASHBOARD_UID);
        expect(other.uid).to.equal(dashboard.uid);
        expect(dashboard.uid.length).to.be.at.most(40);
        expect(dashboard.title).to.include("site-a");
        expect(other.title).to.include("site-b");
    });

    it("queries through a Prometheus datasource template variable", () => {
        const variable = dashboard.templating.list.find((v) => v.type === "datasource");
        expect(variable).to.include({ name: "datasource", query: "prometheus" });
        for (const p of dashboard.panels.filter((x) => x.type !== "row")) {
            expect(p.datasource, p.title).to.deep.equal({ type: "prometheus", uid: "${datasource}" });
            for (const t of p.targets ?? []) expect(t.datasource, p.title).to.deep.equal({ type: "prometheus", uid: "${datasource}" });
        }
    });

    for (const [what, series] of [
        ["age of the last successful backup per schedule", "velero_backup_last_successful_timestamp"],
        ["backup outcomes", "velero_backup_failure_total"],
        ["partial failures among the outcomes", "velero_backup_partial_failure_total"],
        ["backup storage location status", "velero_backup_location_status_gauge"],
        ["RGW fetched bytes per source zone", "ceph_data_sync_from_zone_fetch_bytes_sum"],
        ["RGW fetch errors per source zone", "ceph_data_sync_from_zone_fetch_errors"],
        ["RGW poll errors per source zone", "ceph_data_sync_from_zone_poll_errors"],
        ["RGW poll latency per source zone", "ceph_data_sync_from_zone_poll_latency_count"],
        ["RGW sync lag per source zone", "ceph_rgw_sync_delta_sync_delta"],
        ["repository maintenance failures", "velero_repo_maintenance_failure_total"],
        ["backup deletion failures", "velero_backup_deletion_failure_total"],
        ["end-to-end RPO: newest visible backup", RECORDED.newestBackupCompletion],
        ["end-to-end RPO: the RPO it carries", RECORDED.newestBackupRpo],
    ] as const) {
        it(`shows the ${what}`, () => {
            expect(exprs.some((e) => e.includes(series)), series).to.equal(true);
        });
    }

    it("groups the RGW panels by source zone", () => {
        const rgw = exprs.filter((e) => e.includes("ceph_data_sync_from_zone_"));
        expect(rgw.length).to.be.greaterThan(0);
        for (const e of rgw) expect(e).to.include("by (source_zone)");
    });

    it("leaves out the RGW and node-agent panels when those alerts are off", () => {
        const lean = dashboardExpressions(renderDashboard({ ...settings, rgwSync: false, nodeAgent: false }));
        expect(lean.filter((e) => e.includes("ceph_") || e.includes("podVolume_"))).to.deep.equal([]);
        expect(lean.length).to.be.greaterThan(0);
    });
});
