// The restore's judgement (scripts/failover/restorePlan.ts): which backup and why, the location
// and phase checks, the import comparison, the name and the outcome, table by table.
import { expect } from "chai";
import {
    EMPTY_POD_VOLUME_LIST_MAX_BYTES, chosenLine, compareImport, judgeBackupPhase, judgeLocation, newestBackupNotes, noBackupOfSite, objectsRefusal,
    restoreName, restoreOutcome,
} from "../../scripts/failover/restorePlan";

const B = "every-6h-20261124060000";

describe("failover tool: restore judgement", () => {
    describe("which backup, and why", () => {
        it("the other site's by default: the restoring site's own first backups can be nearly empty", () => {
            expect(chosenLine(B, "site-a", "site-b", "site-a")).to.equal(
                `chosen: ${B}, the newest Completed backup made by site-a, the other site: backups site-b made itself (after a switch, its first ones) can be nearly empty; --from-site site-b or --backup NAME to choose otherwise`);
        });

        it("--from-site names the site it took", () => {
            expect(chosenLine(B, "site-b", "site-b", "site-a")).to.equal(`chosen: ${B}, the newest Completed backup made by site-b (--from-site site-b)`);
        });

        it("passes on velero-role.sh's notes under the tool's own lines", () => {
            expect(newestBackupNotes("velero-role.sh: chose x\nvelero-role.sh: passed over 1\nother\n")).to.equal("    chose x\n    passed over 1\nother\n");
        });

        it("says where to look when the chosen site has no Completed backup", () => {
            expect(noBackupOfSite("site-b", "site-a", "dr.velero-ceph-dr/site")).to.match(
                /^site-b's Velero sees no Completed backup made by site-a \(label dr\.velero-ceph-dr\/site=site-a\): pick one with --backup NAME .*--from-site/);
        });
    });

    describe("a backup named with --backup", () => {
        const cases: Array<[string, "info" | "warn" | "refuse", RegExp]> = [
            ["Completed", "info", /^phase Completed$/],
            ["PartiallyFailed", "warn", /is PartiallyFailed: the restore will miss what the backup missed/],
            ["Failed", "refuse", /is Failed, not Completed: pick a Completed one/],
            ["InProgress", "refuse", /is InProgress, not Completed/],
            ["New", "refuse", /is New, not Completed/],
        ];
        for (const [phase, kind, text] of cases) {
            it(`${phase}: ${kind}`, () => {
                const j = judgeBackupPhase(B, phase);
                expect(j.kind).to.equal(kind);
                expect(j.text).to.match(text);
            });
        }
    });

    describe("the location", () => {
        const cases: Array<[string, string, string, string[]]> = [
            ["ReadWrite and Available", "ReadWrite", "Available", ["info"]],
            ["ReadOnly is fine for a restore (Velero 1.18.1)", "ReadOnly", "Available", ["info", "info"]],
            ["Unavailable refuses", "ReadWrite", "Unavailable", ["info", "refuse"]],
            ["not yet Available warns", "ReadOnly", "unknown", ["info", "info", "warn"]],
        ];
        for (const [what, accessMode, phase, kinds] of cases) {
            it(what, () => {
                const js = judgeLocation({ accessMode, phase }, "default", "site-b");
                expect(js.map((j) => j.kind)).to.deep.equal(kinds);
                expect(js[0].text).to.equal(`accessMode ${accessMode}, phase ${phase}`);
            });
        }
    });

    describe("what the cluster imported, against the bucket's PodVolumeBackup list", () => {
        const cases: Array<[string, number, Parameters<typeof compareImport>[3], string | undefined]> = [
            ["same count", 2, { count: 2 }, undefined],
            ["fewer in the cluster", 0, { count: 2 }, `site-b's cluster has 0 PodVolumeBackups for ${B}, the bucket's ${B}-podvolumebackups.json.gz lists 2`],
            ["more in the cluster", 3, { count: 2 }, `site-b's cluster has 3 PodVolumeBackups for ${B}, the bucket's ${B}-podvolumebackups.json.gz lists 2`],
            ["an empty list by its size", 0, { bytes: 25 }, undefined],
            ["the largest empty list", 0, { bytes: EMPTY_POD_VOLUME_LIST_MAX_BYTES }, undefined],
            ["a non-empty list against none", 0, { bytes: 480 }, `site-b's cluster has no PodVolumeBackup for ${B}, but the bucket's ${B}-podvolumebackups.json.gz is not empty (480 bytes)`],
            ["a non-empty list against some (sizes cannot tell how many)", 1, { bytes: 480 }, undefined],
            ["no list read", 0, undefined, undefined],
        ];
        for (const [what, inCluster, list, differs] of cases) {
            it(what, () => expect(compareImport(B, "site-b", inCluster, list).differs).to.equal(differs));
        }

        it("says what it compared", () => {
            expect(compareImport(B, "site-b", 2, { count: 2 }).info).to.equal(`PodVolumeBackups of ${B}: 2 in site-b's cluster, 2 in the bucket's list on the zone`);
            expect(compareImport(B, "site-b", 0, undefined).info).to.equal(`PodVolumeBackups of ${B}: 0 in site-b's cluster; the bucket's list was not read (set TARGET_RGW_ADMIN)`);
        });
    });

    describe("refusal, name and outcome", () => {
        it("a refusal names the lost-site way out only when the site is not declared lost", () => {
            expect(objectsRefusal(B, "site-b", "site-a", ["p1", "p2"], false)).to.equal(
                `backup ${B} cannot be restored on site-b's zone: p1; p2. Wait for replication (rgw-multisite.sh wait-caught-up), or restore an older backup with --backup NAME (velero backup get); if site-a is lost for good, say so with --lost-site site-a`);
            expect(objectsRefusal(B, "site-b", "site-a", ["p1"], true)).to.not.contain("--lost-site");
        });

        it("names the restore after the backup and the UTC time", () => {
            expect(restoreName(B, new Date("2026-11-24T13:05:09.123Z"))).to.equal(`${B}-20261124130509`);
        });

        const outcomes: Array<[string, string, number, RegExp]> = [
            ["Completed", "Completed", 0, /^DONE: restore r of backup b into site-b Completed; next: point clients at site-b \(docs\/runbook\.md#dnsingress\)$/],
            ["Completed with a lost site", "Completed", 2, /^DONE: restore r of backup b into site-b Completed; site-a is lost: 2 note\(s\) above on what may be missing; next:/],
            ["PartiallyFailed", "PartiallyFailed", 0, /^restore r ended PartiallyFailed: velero restore describe r --details; velero restore logs r/],
            ["Failed", "Failed", 0, /^restore r ended Failed:/],
        ];
        for (const [what, phase, lost, text] of outcomes) {
            it(`ends ${what}`, () => {
                const o = restoreOutcome(phase, "r", "b", "site-b", "site-a", lost);
                expect(o.done).to.equal(phase === "Completed");
                expect(o.done ? o.verdict : o.error).to.match(text);
            });
        }
    });
});
