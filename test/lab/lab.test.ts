// Integration tests on real components (Pulumi engine, Kubernetes API servers, Velero, Ceph): runs the lab lifecycle once and turns every check of its
// report into a test. Runs with non-default realm, zonegroup, zone names, ports and network (its own
// LAB_NET, bridge and namespaces), so the lab's settings are proven too and it never collides with
// an `npm run lab` on the defaults. Needs root (network namespaces) and apt (or the Ceph packages
// installed): without them ceph-lab.sh says why and these tests fail, never pass silently.
import { expect } from "chai";
import { Test } from "mocha";
import { LabReport, runLab } from "../../scripts/lab/lab";
import { isMixed, settingsFromEnv } from "../../scripts/lab/labSettings";

const settings = settingsFromEnv({
    LAB_DIR: process.env.LAB_DIR ?? "/tmp/velero-ceph-dr-lab-test",
    LAB_REALM: "drtest",
    LAB_ZONEGROUP: "europe",
    LAB_ZONE_A: "east1",
    LAB_ZONE_B: "west1",
    LAB_RGW_PORT_A: "18111",
    LAB_RGW_PORT_B: "18112",
    LAB_NET: process.env.LAB_NET ?? "10.213.1",
    LAB_BRIDGE: process.env.LAB_BRIDGE ?? "vcdr-test",
    LAB_NETNS_A: process.env.LAB_NETNS_A ?? "vcdrt-a",
    LAB_NETNS_B: process.env.LAB_NETNS_B ?? "vcdrt-b",
    // The Ceph version of each site (16.2 on the host; 18.2 and 20.2 from chroots): CI runs this
    // file once per version (npm run test:lab, test:lab:reef).
    LAB_CEPH_A: process.env.LAB_CEPH_A ?? "16.2",
    LAB_CEPH_B: process.env.LAB_CEPH_B ?? "16.2",
});

/** A Pacific B beside a newer A: the switch to B is refused, so the lab runs the shorter lifecycle. */
const MIXED = isMixed(settings);

/** Checks every lifecycle makes: deploy, the first backup and restores, monitoring and alerts, destroy. */
const COMMON_CHECKS = [
    "site-a: a second pulumi up right after siteA.up changes nothing",
    "site-b: a second pulumi up right after siteB.up changes nothing",
    "failover: a second pulumi up right after failover.up changes nothing",
    "initial roles: cluster a's location is ReadWrite and Available",
    "initial roles: cluster b's location is ReadOnly and Available",
    "bucket resource: pulumi refresh reads the bucket back and nothing changes",
    "bucket resource: pulumi up adopts the bucket its owner already has",
    "bucket resource: a bucket another user owns is refused",
    "site-a active: backup lab-a-1 Completed in cluster a",
    "site-a active: backup lab-a-1 visible Completed in cluster b",
    "site-a active: every file of lab-a-1 is on both zones",
    "restore of lab-a-1 in cluster b Completed",
    "restore of lab-a-1 in cluster b: every object equal to the original",
    "failover.sh restore on the passive site works without a switch",
    "monitoring of site a: Prometheus scrapes velero server, kube-state-metrics and ceph-mgr",
    "monitoring of site b: Prometheus scrapes velero server, kube-state-metrics and ceph-mgr",
    "monitoring of site a: Prometheus evaluates exactly the rule groups",
    "monitoring of site b: Prometheus evaluates exactly the rule groups",
    "alerts, site A active, after a backup and two restores: no DR alert fires",
    "alerts, site A active, schedule rpo-probe running: no DR alert fires on either site",
    "alerts: VeleroBackupTooOld fires on the active site A",
    "alerts: RgwSyncPollErrors fires on site A",
    "alerts: after the schedule and the gateway are back, every alert that fired resolves",
    "pulumi stack export site-a: no generated key",
    "pulumi stack export failover: no generated key",
    "no file the lab's runs left in",
    "pulumi destroy of the failover stack removes nothing",
    "pulumi destroy of site-a is refused while the bucket is protected",
];

/** The full drill: switch, lost site, return, failback (two sites on releases that can follow each other). */
const FULL_DRILL_CHECKS = [
    "failover.sh restore on the new active site picks the other site's newest backup",
    "site A lost: failover.sh restore restores A's newest backup",
    "drill switch: the engine ran the switch in order",
    "fail back: the engine ran the switch in order",
    "site A returns: its zone refuses writes",
    "site A returns with its Velero running: backup lab-a-returned made there does not reach zone B",
    "after site A returned: the failover stack readmitted the fenced zone",
    "metadata before files: cluster B imported",
    "metadata before files: failover.sh restore finds the import incomplete",
    "after the drill switch: zone",
    "site-b active: backup lab-b-1 visible Completed in cluster a",
    "after the drill: the backups/ prefix is identical on both zones",
    "site A lost: zone",
    "site A lost: backup lab-b-lost Completed in cluster B",
    "after site A returned: cluster a sees every backup made so far Completed",
    "after the failback: zone",
    "after the failback: backup lab-a-2 visible Completed in cluster b",
    "after the failback: the backups/ prefix is identical on both zones",
    "alerts, after the drill switch, site B active: no DR alert fires on either site, and no missing-backup alert fired since",
];

/** The mixed pair: the switch to the Pacific site is refused, and A keeps (or gets back) its role. */
const MIXED_CHECKS = [
    "mixed (Ceph",
    "mixed, after activeSite is back on site-a: cluster a's location is ReadWrite and Available",
    "mixed, after activeSite is back on site-a: schedules only in the active cluster (a)",
    "mixed, after the refused switch: backup lab-a-2 visible Completed in cluster b",
    "mixed, after the refused switch: the backups/ prefix is identical on both zones",
];

/** Checks the lifecycle must have made; a lab that stops early fails the missing ones. */
const REQUIRED_CHECKS = [...COMMON_CHECKS, ...(MIXED ? MIXED_CHECKS : FULL_DRILL_CHECKS)];

describe(`lab: the real engine, two Kubernetes clusters with Velero and two Ceph zones (Ceph ${settings.cephA} on a, ${settings.cephB} on b)`, function () {
    this.timeout(40 * 60 * 1000);
    let report: LabReport;

    before(async function () {
        report = await runLab({ scope: "zone", keep: false, settings, log: (l) => console.log(`      ${l}`) });
        const suite = this.test!.parent!;
        for (const c of report.checks) {
            suite.addTest(new Test(`${c.name}`, () => {
                expect(c.ok, c.detail).to.equal(true);
            }));
        }
    });

    it("ran every required check", () => {
        const names = report.checks.map((c) => c.name);
        const missing = REQUIRED_CHECKS.filter((n) => !names.some((x) => x.startsWith(n)));
        expect(missing, `missing checks (the lab stopped early?):\n${names.join("\n")}`).to.deep.equal([]);
    });

    it("measured the lifecycle's timings", () => {
        const switches = MIXED ? ["mixed.switch", "mixed.back"] : ["drill.switchTotal", "lost.switchTotal", "failback.switchTotal"];
        for (const key of ["deploy.total", "rpo.completedOnAToRestorableOnB", "lab-a-1.restore", ...switches, "alerts.fire", "alerts.resolve"]) {
            expect(report.timingsMs[key], key).to.be.a("number").and.to.be.greaterThan(0);
        }
    });

    it("recorded each alert of the incidents with the time it took to fire and to resolve", () => {
        const events = report.alertEvents ?? [];
        expect(events.map((e) => `${e.site} ${e.alert}`)).to.include.members(["site-a VeleroBackupTooOld", "site-a RgwSyncPollErrors"]);
        for (const e of events) {
            expect(e.firedAfterS, `${e.site} ${e.labels}`).to.be.a("number").and.to.be.at.least(0);
            expect(e.resolvedAfterS, `${e.site} ${e.labels} resolved`).to.be.a("number").and.to.be.at.least(0);
        }
    });

    (MIXED ? it.skip : it)("kept the drill's preview diff, showing the promotion and both clusters' changes", () => {
        expect(report.drillPreview).to.be.a("string").and.to.contain("ceph-metadata-master");
    });
});
