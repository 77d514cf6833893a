// Integration tests on real Ceph: runs the lab lifecycle once and turns every check of its
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
    LAB_MON_PORT_A: "13311",
    LAB_MON_PORT_B: "13312",
    LAB_RGW_PORT_A: "18111",
    LAB_RGW_PORT_B: "18112",
    LAB_NET: process.env.LAB_NET ?? "10.213.1",
    LAB_BRIDGE: process.env.LAB_BRIDGE ?? "vcdr-test",
    LAB_NETNS_A: process.env.LAB_NETNS_A ?? "vcdrt-a",
    LAB_NETNS_B: process.env.LAB_NETNS_B ?? "vcdrt-b",
});

/** Checks the lifecycle must have made; a lab that stops early fails the missing ones. */
const REQUIRED_CHECKS = [
    "velero user replicated to zone B with its key",
    "zone scope: backup lab-zone-1",
    "zone scope: a second bucket replicates too",
    "zone scope: bucket resource adopts the bucket its owner already has",
    "zone scope: bucket resource refresh reads it back",
    "zone scope: bucket resource refuses a bucket another user owns",
    "zone scope: re-running both stacks fails nowhere",
    "zone scope: re-running changes no period",
    "failover stack with unchanged roles changes no period",
    "drill: the newest backup is complete on zone B (restore ready)",
    "drill: zone B is the metadata master, as both zones agree",
    "no object lost after the drill",
    "drill: zone A is the metadata master again",
    "lost site: zone B is the metadata master without reaching A",
    "returned site A follows B's period",
    "no object lost after site A returned",
    "failback: zone A is the metadata master on both zones",
    "no object lost after failback (both directions replicate)",
    "failover re-run with unchanged activeSite changes no period",
    "bucket scope: backup lab-bucket-1",
    "bucket scope: a second bucket does not replicate",
    "bucket scope: re-running both stacks fails nowhere",
    "bucket scope: re-running changes no period",
];

describe("lab: two real Ceph zones configured by the program", function () {
    this.timeout(20 * 60 * 1000);
    let report: LabReport;

    before(async function () {
        const lines: string[] = [];
        report = await runLab({ scopes: ["zone", "bucket"], keep: false, settings, log: (l) => { lines.push(l); console.log(`      ${l}`); } });
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
        for (const key of ["zone.multisiteCaughtUp", "zone.replicationLagBackup", "drill.toFirstWriteOnB", "drill.toRestoreReady",
            "lostSite.toFirstWriteOnB", "failback.toFirstWriteOnA", "bucket.replicationLagBackup"]) {
            expect(report.timingsMs[key], key).to.be.a("number").and.to.be.greaterThan(0);
        }
    });
});
