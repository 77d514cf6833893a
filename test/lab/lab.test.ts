// Integration tests on real components (Pulumi engine, Kubernetes API servers, Velero, Ceph): runs the lab lifecycle once and turns every check of its
// report into a test. Runs with non-default realm, zonegroup, zone names, ports and network (its own
// LAB_NET, bridge and namespaces), so the lab's settings are proven too and it never collides with
// an `npm run lab` on the defaults. Needs root (network namespaces) and apt (or the Ceph packages
// installed): without them ceph-lab.sh says why and these tests fail, never pass silently.
import { expect } from "chai";
import { Test } from "mocha";
import { LabReport, runLab, settingsFromEnv } from "../../scripts/lab/lab";

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

/** Checks the lifecycle must have made; a lab that stops early fails the missing ones. */
const REQUIRED_CHECKS = [
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
    "pulumi stack export site-a: no generated key",
    "pulumi stack export failover: no generated key",
    "pulumi destroy of the failover stack removes nothing",
    "pulumi destroy of site-a is refused while the bucket is protected",
];

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
        for (const key of ["deploy.total", "rpo.completedOnAToRestorableOnB", "lab-a-1.restore", "drill.switchTotal", "lost.switchTotal", "failback.switchTotal"]) {
            expect(report.timingsMs[key], key).to.be.a("number").and.to.be.greaterThan(0);
        }
    });

    it("kept the drill's preview diff, showing the promotion and both clusters' changes", () => {
        expect(report.drillPreview).to.be.a("string").and.to.contain("ceph-metadata-master");
    });
});
