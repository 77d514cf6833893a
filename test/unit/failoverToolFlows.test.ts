// failover.sh's commands end to end in-process (scripts/failover/cli.ts main) against in-memory
// zones, clusters and pulumi (failoverToolFakes.ts): what is called, in which order, what
// changes, what on-call reads, and the exit code. The process-level contract (the launcher, real
// child processes, secrets) is test/script/failover.test.ts.
import { expect } from "chai";
import {
    BEHIND, ClusterWorld, ENV, FlowRun, NEWEST, OLDER, ZoneWorld, healthy, lastLine, mutations, objectsJson, runFlow, siteALost, statusJson,
} from "./failoverToolFakes";

const PREFLIGHT = ["preflight", "--to", "site-b", "--kube-context", "cluster-b"];
const SWITCH = ["switch", "--to", "site-b", "--kube-context", "cluster-b"];
const BREAK_GLASS = ["switch", "--break-glass", "--to", "site-b", "--zone", "zoneb", "--zonegroup", "global", "--kube-context", "cluster-b",
    "--other-zone", "zonea", "--other-endpoint", "http://rgw-a.example.com", "--other-kube-context", "cluster-a", "--yes"];
const BREAK_GLASS_LOST = ["switch", "--break-glass", "--to", "site-b", "--zone", "zoneb", "--zonegroup", "global", "--kube-context", "cluster-b",
    "--unreachable", "site-a", "--force", "--yes"];
const RESTORE = ["restore", "--site", "site-b", "--namespace", "velero", "--kube-context", "cluster-b"];
const PULUMI_SEQUENCE = [
    "pulumi config set activeSite site-b -s failover",
    "pulumi config rm unreachableSites -s failover",
    "pulumi config set forcePromotion false -s failover",
    "pulumi preview -s failover --diff",
    "pulumi up -s failover --yes",
    "pulumi stack output restoreCommand -s failover",
];

const zone = (w: ReturnType<typeof healthy>, site: "site-a" | "site-b") => w.zones[site] as ZoneWorld;
const cluster = (w: ReturnType<typeof healthy>, site: "site-a" | "site-b") => w.clusters[site] as ClusterWorld;
const bBehind = () => {
    const w = healthy();
    zone(w, "site-b").status = statusJson("zoneb", "zonea", { metadataSync: BEHIND, dataSync: { zonea: BEHIND } });
    return w;
};
const touchesSiteA = (r: FlowRun) => r.calls.filter((c) => c.startsWith("site-a") || c.includes("(peer site-a)"));
const pulumiCalls = (r: FlowRun) => r.calls.filter((c) => c.startsWith("pulumi"));
/** The restore's name at the fakes' clock (2026-11-24T13:00:00Z). */
const restored = (backup: string) => `${backup}-20261124130000`;

describe("failover tool: preflight", () => {
    it("GO when zone B is caught up and the newest backup's objects are all on it, compared with zone A; changes nothing", async () => {
        const r = await runFlow([...PREFLIGHT, "--other-zone", "zonea"]);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(r.calls).to.deep.equal([
            "site-b rgw status",
            "site-a rgw status --zone zonea",
            "site-b cluster newest-backup",
            `site-b rgw backup-objects --bucket velero-backups --backup ${NEWEST} --zone zoneb`,
            `site-a rgw backup-objects --bucket velero-backups --backup ${NEWEST} --zone zonea`,
        ]);
        expect(mutations(r)).to.deep.equal([]);
        expect(r.stdout).to.contain("==> preflight: can site-b become the active site?\n");
        expect(r.stdout).to.contain(`    newest: ${NEWEST}\n`);
        expect(r.stdout).to.contain(`    ok: all 9 objects of ${NEWEST} on zone zonea are on zone zoneb\n`);
        expect(lastLine(r.stdout)).to.equal(`VERDICT: GO: site-b can become the active site (zone zoneb caught up, newest backup ${NEWEST} complete there)`);
    });

    it("refuses (exit 3) when zone B's sync is behind, saying why and what --force would risk", async () => {
        const r = await runFlow(PREFLIGHT, bBehind());
        expect(r.code).to.equal(3);
        expect(r.stdout).to.contain("    NOT SAFE: metadata sync of zoneb is not caught up with zonea (syncing, incremental 64/64 shards, behind shards [7,19])");
        expect(r.stdout).to.contain("data sync of zoneb from zonea is not caught up");
        expect(r.stderr).to.match(/^failover\.sh: refused: 2 problem\(s\):\n/);
        expect(r.stderr).to.contain("what switching with --force would accept");
        expect(r.stderr).to.match(/lost for zoneb/);
        expect(lastLine(r.stdout)).to.match(/^VERDICT: NOT SAFE to make site-b active: metadata sync of zoneb .* \(and 1 more\)$/);
    });

    it("refuses when the newest backup's tarball has not replicated yet", async () => {
        const w = healthy();
        zone(w, "site-b").objects[NEWEST] = objectsJson("zoneb", NEWEST, { without: [`${NEWEST}.tar.gz`] });
        const r = await runFlow(PREFLIGHT, w);
        expect(r.code).to.equal(3);
        expect(r.stdout).to.contain(`backup ${NEWEST} is incomplete on zone zoneb: missing ${NEWEST}.tar.gz`);
        expect(r.stderr).to.contain("--backup NAME");
    });

    it("blocks (exit 3, not overridable) when site-a does not answer but is not declared unreachable", async () => {
        const w = healthy();
        zone(w, "site-a").status = 1;
        const r = await runFlow(PREFLIGHT, w);
        expect(r.code).to.equal(3);
        expect(r.stdout).to.contain("    BLOCKED: site-a does not answer (rgw-multisite.sh status through OTHER_RGW_ADMIN: exit 1)");
        expect(r.stderr).to.match(/^failover\.sh: refused: site-a does not answer/);
        expect(lastLine(r.stdout)).to.contain("--unreachable site-a --force");
        expect(lastLine(r.stdout)).to.contain("--force does not override this");
    });

    it("with --unreachable site-a never calls site-a, and reports the lost master as not safe", async () => {
        const r = await runFlow([...PREFLIGHT, "--unreachable", "site-a"], siteALost());
        expect(r.code).to.equal(3);
        expect(touchesSiteA(r)).to.deep.equal([]);
        expect(r.stdout).to.contain("==> site-a is declared unreachable: not contacted");
        expect(r.stdout).to.contain("failed to fetch master sync status");
    });

    it("without OTHER_RGW_ADMIN checks zone B alone and says so", async () => {
        const r = await runFlow(PREFLIGHT, healthy(), { ...ENV, OTHER_RGW_ADMIN: undefined });
        expect(r.code, r.stderr).to.equal(0);
        expect(touchesSiteA(r)).to.deep.equal([]);
        expect(r.stdout).to.contain("==> site-a's zone not checked: OTHER_RGW_ADMIN is not set");
        expect(r.stdout).to.contain(`all 9 files Velero writes for ${NEWEST} are on zone zoneb (the other zone was not compared)`);
    });

    it("warns and goes on when zone A cannot list the backup", async () => {
        const w = healthy();
        zone(w, "site-a").objects = {};
        const r = await runFlow(PREFLIGHT, w);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stderr).to.contain(`failover.sh: warning: cannot list backup ${NEWEST} on site-a's zone (exit 1): not compared`);
    });

    it("refuses when Velero in B sees no Completed backup, without listing objects", async () => {
        const w = healthy();
        cluster(w, "site-b").backups = [{ name: "x", phase: "Failed", completed: "2026-11-24T00:00:00Z", site: "site-a" }];
        const r = await runFlow(PREFLIGHT, w);
        expect(r.code).to.equal(3);
        expect(r.stdout).to.contain("NOT SAFE: site-b's Velero sees no Completed backup");
        expect(r.calls.filter((c) => c.includes("backup-objects"))).to.deep.equal([]);
    });

    it("fails (exit 1) when the target zone or cluster cannot be read", async () => {
        const w = healthy();
        zone(w, "site-b").status = 1;
        const zoneDown = await runFlow(PREFLIGHT, w);
        expect(zoneDown.code).to.equal(1);
        expect(zoneDown.stderr).to.contain("failover.sh: error: cannot read the sync status of site-b's zone through TARGET_RGW_ADMIN (rgw-multisite.sh status: exit 1): the target site must answer");
        expect(lastLine(zoneDown.stdout)).to.match(/^VERDICT: FAILED: cannot read the sync status/);

        const v = healthy();
        cluster(v, "site-b").down = true;
        const clusterDown = await runFlow(PREFLIGHT, v);
        expect(clusterDown.code).to.equal(1);
        expect(clusterDown.stderr).to.contain("    Unable to connect to the server");
        expect(clusterDown.stderr).to.contain("cannot list the backups in site-b's cluster (velero-role.sh newest-backup: exit 1)");
    });

    it("fails (exit 1) when the zone's status is not JSON, saying so", async () => {
        const w = healthy();
        zone(w, "site-b").status = "radosgw-admin: command not found";
        const r = await runFlow(PREFLIGHT, w);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain("failover.sh: could not parse the output of rgw-multisite.sh status as JSON\nfailover.sh: error: could not judge the sync status\n");
    });
});

describe("failover tool: switch with Pulumi", () => {
    it("--dry-run runs the read-only preflight, prints every command, and changes nothing", async () => {
        const r = await runFlow([...SWITCH, "--dry-run"]);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(pulumiCalls(r)).to.deep.equal([]);
        expect(mutations(r)).to.deep.equal([]);
        for (const line of PULUMI_SEQUENCE.slice(0, 4)) expect(r.stdout).to.contain(`    would run: ${line}\n`);
        expect(r.stdout).to.contain("    would ask for confirmation (unless --yes), then run: pulumi up -s failover --yes\n");
        expect(lastLine(r.stdout)).to.equal("VERDICT: DRY RUN: nothing changed; the preflight says go, the commands above are what the switch to site-b would run");
    });

    it("sets the role settings, previews, then deploys, after the preflight, and names the restore command", async () => {
        const r = await runFlow([...SWITCH, "--yes"]);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(pulumiCalls(r)).to.deep.equal(PULUMI_SEQUENCE);
        expect(r.calls.findIndex((c) => c.startsWith("pulumi"))).to.be.greaterThan(r.calls.findIndex((c) => c.includes("backup-objects")));
        expect(mutations(r).filter((m) => !m.startsWith("pulumi"))).to.deep.equal([]);
        expect(r.stdout).to.match(/==> the failover stack failover: activeSite site-b, unreachableSites \[\], forcePromotion false \(in \/\S+\)\n/);
        expect(r.stdout).to.contain("==> preflight: GO\n");
        expect(r.stdout).to.contain("    --yes: not asking\n");
        expect(r.stdout).to.contain("==> next: verify (docs/runbook.md#verify), then restore what is needed: scripts/failover.sh restore --site site-b");
        expect(lastLine(r.stdout)).to.equal("VERDICT: DONE: site-b is the active site (stack failover)");
    });

    it("--stack names another stack", async () => {
        const r = await runFlow([...SWITCH, "--stack", "myorg/velero-ceph-dr/failover", "--yes"]);
        expect(r.code).to.equal(0);
        expect(pulumiCalls(r)[0]).to.equal("pulumi config set activeSite site-b -s myorg/velero-ceph-dr/failover");
    });

    it("refuses (exit 3) without any config change when zone B's sync is behind", async () => {
        const r = await runFlow([...SWITCH, "--yes"], bBehind());
        expect(r.code).to.equal(3);
        expect(pulumiCalls(r)).to.deep.equal([]);
    });

    it("--force goes on, sets forcePromotion true and says what it accepts", async () => {
        const r = await runFlow([...SWITCH, "--force", "--yes"], bBehind());
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(pulumiCalls(r)[2]).to.equal("pulumi config set forcePromotion true -s failover");
        expect(r.stdout).to.contain("==> preflight: NOT SAFE, going on because of --force, which accepts:\n    - users, buckets and bucket policies created on zonea and not yet replicated are lost for zoneb");
        expect(lastLine(r.stdout)).to.equal("VERDICT: DONE: site-b is the active site (stack failover); forcePromotion is true: set it back when the other site returns");
    });

    it("lost site: --unreachable site-a --force sets unreachableSites by --path and never calls site-a", async () => {
        const r = await runFlow([...SWITCH, "--unreachable", "site-a", "--force", "--yes"], siteALost());
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(touchesSiteA(r)).to.deep.equal([]);
        expect(pulumiCalls(r).slice(0, 3)).to.deep.equal([
            "pulumi config set activeSite site-b -s failover",
            "pulumi config set --path 'unreachableSites[0]' site-a -s failover",
            "pulumi config set forcePromotion true -s failover",
        ]);
        expect(r.stdout).to.contain("unreachableSites [site-a], forcePromotion true");
    });

    it("without --yes and without a terminal stops after the preview (exit 3), before pulumi up", async () => {
        const r = await runFlow(SWITCH);
        expect(r.code).to.equal(3);
        expect(pulumiCalls(r)).to.deep.equal(PULUMI_SEQUENCE.slice(0, 4));
        expect(r.stderr).to.contain("failover.sh: refused: nothing was confirmed: there is no terminal to ask on; re-run with --yes once you have read the plan above");
        expect(r.stderr).to.contain("done before this point:\n    pulumi config set activeSite site-b -s failover\n");
    });

    it("on a terminal asks for the site's name: the right answer deploys, another one stops (exit 3)", async () => {
        const yes = await runFlow(SWITCH, healthy(), ENV, "site-b");
        expect(yes.code, yes.stderr).to.equal(0);
        expect(yes.calls).to.include("prompt: Deploy the role switch to site-b (stack failover)? Type site-b to go on: ");
        expect(pulumiCalls(yes)).to.deep.equal(PULUMI_SEQUENCE);

        const no = await runFlow(SWITCH, healthy(), ENV, "yes");
        expect(no.code).to.equal(3);
        expect(no.stderr).to.contain("not confirmed (expected 'site-b'); nothing after the preflight was changed");
        expect(pulumiCalls(no)).to.deep.equal(PULUMI_SEQUENCE.slice(0, 4));
        // (on a terminal, the answer's newline follows the prompt: it is on the terminal, not on stdout)
        expect(lastLine(no.stdout)).to.match(/Type site-b to go on: VERDICT: REFUSED: not confirmed \(expected 'site-b'\); nothing after the preflight was changed$/);
    });

    it("stops (exit 1) when the preview fails, saying what the stack config now holds and what was done", async () => {
        const w = healthy();
        w.pulumiFails = "preview";
        const r = await runFlow([...SWITCH, "--yes"], w);
        expect(r.code).to.equal(1);
        expect(pulumiCalls(r)).to.deep.equal(PULUMI_SEQUENCE.slice(0, 4));
        expect(r.stderr).to.contain("activeSite site-b, nothing is deployed");
        expect(r.stderr).to.contain(`done before this point:\n${PULUMI_SEQUENCE.slice(0, 3).map((l) => `    ${l}\n`).join("")}`);
    });

    it("stops (exit 1) at the first config command that fails", async () => {
        const w = healthy();
        w.pulumiFails = "config rm";
        const r = await runFlow([...SWITCH, "--yes"], w);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.contain("failover.sh: error: pulumi config rm unreachableSites -s failover failed (exit 255); nothing was deployed");
    });
});

describe("failover tool: switch --break-glass", () => {
    it("promotes zone B with zone A as the fenced peer, stops A's Schedules, A's location ReadOnly, B's ReadWrite; no Pulumi", async () => {
        const r = await runFlow(BREAK_GLASS);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(pulumiCalls(r)).to.deep.equal([]);
        expect(mutations(r)).to.deep.equal([
            "site-b rgw promote --zone zoneb --zonegroup global --peer-zone zonea --peer-url http://rgw-a.example.com (peer site-a)",
            "site-a cluster stop-schedules dr.velero-ceph-dr/rpo-seconds",
            "site-a cluster set-access-mode default ReadOnly",
            "site-b cluster set-access-mode default ReadWrite",
        ]);
        expect(r.stdout).to.contain("    1. promote zone zoneb to metadata master (fencing zonea read-only first, then waiting for zoneb to catch up)\n");
        expect(r.stdout).to.contain("==> reconcile in Pulumi as soon as its state backend is back");
        for (const line of ["pulumi config set activeSite site-b -s failover", "pulumi config rm unreachableSites -s failover", "pulumi config set forcePromotion false -s failover",
            "pulumi preview -s failover --diff   # expect: no promotion change, Schedules created in site-b, zonea demoted to a writable secondary", "pulumi up -s failover"]) {
            expect(r.stdout).to.contain(`    ${line}\n`);
        }
        expect(lastLine(r.stdout)).to.equal("VERDICT: DONE (break-glass): site-b is the active site; reconcile Pulumi as printed above");
    });

    it("site-a lost: --unreachable site-a --force promotes with --force and calls nothing of site-a", async () => {
        const r = await runFlow(BREAK_GLASS_LOST, siteALost(), { ...ENV, OTHER_RGW_ADMIN: undefined });
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(touchesSiteA(r)).to.deep.equal([]);
        expect(mutations(r)).to.deep.equal(["site-b rgw promote --zone zoneb --zonegroup global --force", "site-b cluster set-access-mode default ReadWrite"]);
        expect(r.stdout).to.contain("    2. site-a is unreachable: no call to it\n");
        expect(r.stdout).to.contain("    pulumi config set --path 'unreachableSites[0]' site-a -s failover\n    pulumi config set forcePromotion true -s failover\n");
    });

    it("refuses (exit 3) before any change when zone B is behind and --force is not given", async () => {
        const r = await runFlow(BREAK_GLASS, bBehind());
        expect(r.code).to.equal(3);
        expect(mutations(r)).to.deep.equal([]);
    });

    it("--dry-run prints the promote and the cluster steps and changes nothing", async () => {
        const r = await runFlow([...BREAK_GLASS, "--dry-run"]);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(mutations(r)).to.deep.equal([]);
        expect(r.stdout).to.contain("    would run: RGW_ADMIN=rgw-admin-b scripts/rgw-multisite.sh promote --zone zoneb --zonegroup global --peer-zone zonea --peer-url http://rgw-a.example.com\n");
        expect(r.stdout).to.contain("    would run: scripts/velero-role.sh stop-schedules --namespace velero --label dr.velero-ceph-dr/rpo-seconds (site-a's cluster)\n");
        expect(r.stdout).to.contain("    would run: scripts/velero-role.sh set-access-mode --namespace velero --location default --mode ReadWrite (site-b's cluster)\n");
        expect(lastLine(r.stdout)).to.equal("VERDICT: DRY RUN: nothing changed; the preflight says go, the commands above are what break-glass would run");
    });

    const promoteExits: Array<[number, number, string]> = [
        [3, 3, "VERDICT: REFUSED: rgw-multisite.sh promote refused (exit 3): see its message above"],
        [4, 4, "VERDICT: TIMED OUT: rgw-multisite.sh promote timed out (exit 4)"],
        [1, 1, "VERDICT: FAILED: rgw-multisite.sh promote failed (exit 1)"],
    ];
    for (const [child, ours, verdict] of promoteExits) {
        it(`a promote that exits ${child} ends with ${ours} and changes no cluster`, async () => {
            const w = healthy();
            zone(w, "site-b").promoteCode = child;
            const r = await runFlow(BREAK_GLASS, w);
            expect(r.code).to.equal(ours);
            expect(mutations(r).filter((m) => m.includes("cluster"))).to.deep.equal([]);
            expect(lastLine(r.stdout)).to.equal(verdict);
        });
    }

    it("a cluster step that fails after the promotion says what was done before", async () => {
        const w = healthy();
        cluster(w, "site-a").actionCodes = { "stop-schedules": 1 };
        const r = await runFlow(BREAK_GLASS, w);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(/failover\.sh: error: velero-role\.sh stop-schedules on site-a failed \(exit 1\)\ndone before this point:\n {4}RGW_ADMIN=rgw-admin-b scripts\/rgw-multisite\.sh promote/);
    });
});

describe("failover tool: restore", () => {
    it("restores on the active site: location, zone, every file, the import, then velero restore create --wait", async () => {
        const w = healthy();
        cluster(w, "site-b").location.accessMode = "ReadWrite";
        const r = await runFlow([...RESTORE, "--yes"], w);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(r.calls).to.deep.equal([
            "site-b cluster newest-backup --label dr.velero-ceph-dr/site=site-a",
            "site-b cluster get location default",
            "site-b rgw status",
            `site-b rgw backup-objects --bucket velero-backups --backup ${NEWEST} --zone zoneb`,
            `site-b cluster pod-volume-backups ${NEWEST}`,
            `site-b cluster restore create ${restored(NEWEST)} --from-backup ${NEWEST}`,
            `site-b cluster get restore ${restored(NEWEST)}`,
        ]);
        expect(r.stdout).to.contain(`all 9 files Velero writes for ${NEWEST} are on zone zoneb`);
        expect(r.stdout).to.contain(`PodVolumeBackups of ${NEWEST}: 0 in site-b's cluster; the bucket's list is 25 bytes gzipped (an empty one at most 64)`);
        expect(r.stdout).to.contain(`==> restore plan: backup ${NEWEST} into site-b's cluster as restore ${NEWEST}-20261124130000\n`);
        expect(lastLine(r.stdout)).to.equal(`VERDICT: DONE: restore ${NEWEST}-20261124130000 of backup ${NEWEST} into site-b Completed; next: point clients at site-b (docs/runbook.md#dnsingress)`);
    });

    it("restores on the passive site without any switch: a ReadOnly location is fine, nothing but the restore changes", async () => {
        const r = await runFlow([...RESTORE, "--yes"]);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(r.stdout).to.contain("    accessMode ReadOnly, phase Available\n");
        expect(r.stdout).to.contain("ReadOnly is fine for a restore");
        expect(r.stdout).to.contain("no switch needed");
        expect(mutations(r)).to.deep.equal([`site-b cluster restore create ${restored(NEWEST)} --from-backup ${NEWEST}`]);
        expect(touchesSiteA(r)).to.deep.equal([]);
    });

    it("refuses (exit 3) when the zone itself is read-only in Ceph: switch first", async () => {
        const w = healthy();
        zone(w, "site-b").status = statusJson("zoneb", "zonea", { readOnly: true });
        const r = await runFlow([...RESTORE, "--yes"], w);
        expect(r.code).to.equal(3);
        expect(mutations(r)).to.deep.equal([]);
        expect(r.stderr).to.contain("zone zoneb is read-only in Ceph (strictReadOnlyPassive");
        expect(r.stderr).to.contain("failover.sh switch --to site-b");
    });

    it("picks the newest Completed backup made by the other site, not a newer one of its own, and says why; --from-site chooses", async () => {
        const own = "every-6h-20261124130000";
        const w = healthy();
        cluster(w, "site-b").backups.push({ name: own, phase: "Completed", completed: "2026-11-24T13:05:00Z", site: "site-b" });
        zone(w, "site-b").objects[own] = objectsJson("zoneb", own);
        const r = await runFlow([...RESTORE, "--yes"], w);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(r.stdout).to.contain(`==> newest Completed backup made by site-a (label dr.velero-ceph-dr/site=site-a) that site-b's Velero sees (namespace velero)\n`);
        expect(r.stdout).to.contain(`    chosen: ${NEWEST}, the newest Completed backup made by site-a, the other site: backups site-b made itself (after a switch, its first ones) can be nearly empty; --from-site site-b or --backup NAME to choose otherwise\n`);
        expect(r.stdout).to.contain(`    passed over 1 newer Completed backup(s): ${own} (dr.velero-ceph-dr/site=site-b`);

        const mine = await runFlow([...RESTORE, "--from-site", "site-b", "--yes"], w);
        expect(mine.code, mine.stderr).to.equal(0);
        expect(mine.stdout).to.contain(`    chosen: ${own}, the newest Completed backup made by site-b (--from-site site-b)\n`);
        expect(mutations(mine)).to.deep.equal([`site-b cluster restore create ${restored(own)} --from-backup ${own}`]);
    });

    it("refuses (exit 3) when no Completed backup of the other site is visible, pointing at --backup and --from-site", async () => {
        const w = healthy();
        cluster(w, "site-b").backups = [{ name: NEWEST, phase: "Completed", completed: "2026-11-24T06:11:00Z", site: "site-b" }];
        const r = await runFlow([...RESTORE, "--yes"], w);
        expect(r.code).to.equal(3);
        expect(r.stderr).to.contain("site-b's Velero sees no Completed backup made by site-a (label dr.velero-ceph-dr/site=site-a): pick one with --backup NAME");
        expect(mutations(r)).to.deep.equal([]);
    });

    it("site A lost: without --lost-site the unreachable source blocks (naming the flag); with it, what may be missing is listed and the restore runs", async () => {
        const w = siteALost();
        const blocked = await runFlow([...RESTORE, "--yes"], w);
        expect(blocked.code).to.equal(3);
        expect(blocked.stderr).to.contain("bucket velero-backups on zone zoneb is not caught up with zonea");
        expect(blocked.stderr).to.contain("; if site-a is lost for good, say so with --lost-site site-a");
        expect(mutations(blocked)).to.deep.equal([]);

        const r = await runFlow([...RESTORE, "--lost-site", "site-a", "--yes"], w);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(r.stdout).to.contain("==> site-a is declared lost (--lost-site site-a): its zone is not contacted and its sync state does not block\n");
        expect(r.stdout).to.match(/ {4}MAY BE MISSING \(lost site\): bucket velero-backups on zone zoneb is not caught up with zonea \(error, failed to read remote status/);
        expect(r.stdout).to.contain("    MAY BE MISSING (lost site): data sync of zone zoneb from zonea is not caught up");
        expect(touchesSiteA(r)).to.deep.equal([]);
        expect(lastLine(r.stdout)).to.match(/^VERDICT: DONE: restore .* into site-b Completed; site-a is lost: 2 note\(s\) above on what may be missing;/);
    });

    it("site A lost: a backup whose own files are not all on zone B is still refused", async () => {
        const w = siteALost();
        zone(w, "site-b").objects[NEWEST] = objectsJson("zoneb", NEWEST, { without: [`${NEWEST}-podvolumebackups.json.gz`], bucketSync: { caughtUp: false, state: "error" } });
        const r = await runFlow([...RESTORE, "--lost-site", "site-a", "--yes"], w);
        expect(r.code).to.equal(3);
        expect(r.stderr).to.contain(`backup ${NEWEST} is incomplete on zone zoneb: missing ${NEWEST}-podvolumebackups.json.gz`);
        expect(r.stderr).to.not.contain("--lost-site site-a");
    });

    it("re-imports a backup imported before its PodVolumeBackup list arrived: deletes the record only, compares again, restores", async () => {
        const w = healthy();
        zone(w, "site-b").objects[NEWEST] = objectsJson("zoneb", NEWEST, { pvbCount: 2, pvbBytes: 640 });
        cluster(w, "site-b").pvbs = { [NEWEST]: 0 };
        cluster(w, "site-b").reimportPvbs = 2;
        const r = await runFlow([...RESTORE, "--yes"], w);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(r.stdout).to.contain(`DIFFERS: site-b's cluster has 0 PodVolumeBackups for ${NEWEST}, the bucket's ${NEWEST}-podvolumebackups.json.gz lists 2`);
        expect(r.stdout).to.contain(`    first: delete the Backup record ${NEWEST} only (not its data)`);
        expect(mutations(r)).to.deep.equal([`site-b cluster reimport-backup ${NEWEST}`, `site-b cluster restore create ${restored(NEWEST)} --from-backup ${NEWEST}`]);
        expect(r.stdout).to.contain(`PodVolumeBackups of ${NEWEST}: 2 in site-b's cluster, 2 in the bucket's list on the zone`);
        expect(r.stdout).to.contain(`the re-imported ${NEWEST} matches the bucket`);
    });

    it("without the list's length, a non-empty list against no PodVolumeBackup triggers the re-import too", async () => {
        const w = healthy();
        zone(w, "site-b").objects[NEWEST] = objectsJson("zoneb", NEWEST, { pvbBytes: 480 });
        cluster(w, "site-b").reimportPvbs = 1;
        const r = await runFlow([...RESTORE, "--yes"], w);
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(r.stdout).to.contain(`site-b's cluster has no PodVolumeBackup for ${NEWEST}, but the bucket's ${NEWEST}-podvolumebackups.json.gz is not empty (480 bytes)`);
        expect(mutations(r)[0]).to.equal(`site-b cluster reimport-backup ${NEWEST}`);
    });

    it("refuses (exit 3) when the re-imported backup still differs after the settle time, and restores nothing; --dry-run only prints the re-import", async () => {
        const w = healthy();
        zone(w, "site-b").objects[NEWEST] = objectsJson("zoneb", NEWEST, { pvbCount: 2 });
        cluster(w, "site-b").reimportPvbs = 0;
        const r = await runFlow([...RESTORE, "--yes"], w, { ...ENV, RESTORE_IMPORT_SETTLE_SECONDS: "10", RESTORE_POLL_SECONDS: "2" });
        expect(r.code).to.equal(3);
        expect(r.sleptMs).to.equal(10_000);
        expect(r.stderr).to.contain(`after the re-import site-b's cluster has 0 PodVolumeBackups for ${NEWEST}, the bucket's ${NEWEST}-podvolumebackups.json.gz lists 2 still`);
        expect(mutations(r)).to.deep.equal([`site-b cluster reimport-backup ${NEWEST}`]);

        const dry = await runFlow([...RESTORE, "--dry-run"], w);
        expect(dry.code, dry.stderr).to.equal(0);
        expect(mutations(dry)).to.deep.equal([]);
        expect(dry.stdout).to.contain(`    would run: scripts/velero-role.sh reimport-backup --namespace velero --backup ${NEWEST} --timeout 600 (site-b's cluster)\n`);
    });

    it("refuses an Unavailable location, warns on one not yet Available", async () => {
        const w = healthy();
        cluster(w, "site-b").location = { accessMode: "ReadWrite", phase: "Unavailable" };
        const unavailable = await runFlow([...RESTORE, "--yes"], w);
        expect(unavailable.code).to.equal(3);
        expect(unavailable.stderr).to.contain("BackupStorageLocation default in site-b is Unavailable: Velero cannot reach the bucket on the zone (velero backup-location get; docs/runbook.md#velero-bsl-unavailable)");
        cluster(w, "site-b").location = { accessMode: "ReadWrite", phase: "unknown" };
        const unknown = await runFlow([...RESTORE, "--yes"], w);
        expect(unknown.code).to.equal(0);
        expect(unknown.stderr).to.contain("failover.sh: warning: BackupStorageLocation default in site-b is unknown, not yet Available");
    });

    it("--backup NAME restores that backup when Completed, warns on PartiallyFailed, refuses another phase, fails on a missing one", async () => {
        const w = healthy();
        const ok = await runFlow([...RESTORE, "--backup", OLDER, "--yes"], w);
        expect(ok.code, ok.stderr + ok.stdout).to.equal(0);
        expect(ok.calls[0]).to.equal(`site-b cluster get backup ${OLDER}`);
        expect(ok.stdout).to.contain(`==> backup ${OLDER} in site-b's cluster (chosen with --backup)\n    phase Completed\n`);
        expect(mutations(ok)).to.deep.equal([`site-b cluster restore create ${restored(OLDER)} --from-backup ${OLDER}`]);

        const failed = await runFlow([...RESTORE, "--backup", "every-6h-20261124120000", "--yes"], w);
        expect(failed.code).to.equal(3);
        expect(failed.stderr).to.contain("backup every-6h-20261124120000 is Failed, not Completed");

        cluster(w, "site-b").backups.push({ name: "partial", phase: "PartiallyFailed", completed: "2026-11-24T01:00:00Z", site: "site-a" });
        zone(w, "site-b").objects.partial = objectsJson("zoneb", "partial");
        const partial = await runFlow([...RESTORE, "--backup", "partial", "--yes"], w);
        expect(partial.code, partial.stderr).to.equal(0);
        expect(partial.stderr).to.contain("failover.sh: warning: backup partial is PartiallyFailed: the restore will miss what the backup missed");

        const missing = await runFlow([...RESTORE, "--backup", "nope", "--yes"], w);
        expect(missing.code).to.equal(1);
        expect(missing.stderr).to.contain("    Error from server (NotFound)");
        expect(missing.stderr).to.contain("cannot read backup nope in namespace velero of site-b's cluster (velero backup get): exit 1");
    });

    it("--dry-run without TARGET_RGW_ADMIN checks what it can and prints the velero command", async () => {
        const r = await runFlow([...RESTORE, "--dry-run", "--lost-site", "site-a"], healthy(), {});
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        expect(mutations(r)).to.deep.equal([]);
        expect(r.calls.filter((c) => c.includes(" rgw "))).to.deep.equal([]);
        expect(r.stdout).to.contain(`==> objects of backup ${NEWEST} on the zone not checked: set TARGET_RGW_ADMIN to check them\n`);
        expect(r.stderr).to.contain(`failover.sh: warning: --lost-site site-a without TARGET_RGW_ADMIN: nothing says whether ${NEWEST}'s files all reached site-b's zone`);
        expect(r.stdout).to.contain(`PodVolumeBackups of ${NEWEST}: 0 in site-b's cluster; the bucket's list was not read (set TARGET_RGW_ADMIN)`);
        expect(r.stdout).to.contain(`    would run: velero restore create ${NEWEST}-20261124130000 --from-backup ${NEWEST} --wait -n velero --kubecontext cluster-b\n`);
        expect(lastLine(r.stdout)).to.equal("VERDICT: DRY RUN: nothing changed; the checks passed, the commands above are what the restore would run");
    });

    it("without --yes and without a terminal refuses (exit 3) before restoring; on a terminal, the site's name goes on", async () => {
        const no = await runFlow(RESTORE);
        expect(no.code).to.equal(3);
        expect(mutations(no)).to.deep.equal([]);
        const yes = await runFlow(RESTORE, healthy(), ENV, "site-b");
        expect(yes.code, yes.stderr).to.equal(0);
        expect(yes.calls).to.include(`prompt: Restore backup ${NEWEST} into site-b's cluster? Type site-b to go on: `);
    });

    it("a restore that ends PartiallyFailed exits 1 and says where to look", async () => {
        const w = healthy();
        cluster(w, "site-b").restorePhase = "PartiallyFailed";
        const r = await runFlow([...RESTORE, "--yes"], w);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(/ended PartiallyFailed: velero restore describe \S+ --details; velero restore logs \S+ \(docs\/runbook\.md#velero-restore-partially-failed\)/);
    });

    it("--timeout: a restore that runs out of time exits 4 (timeout's 124); 124 without --timeout is a failure", async () => {
        const w = healthy();
        cluster(w, "site-b").restoreCode = 124;
        const timed = await runFlow([...RESTORE, "--timeout", "900", "--yes"], w);
        expect(timed.code).to.equal(4);
        expect(timed.stdout).to.contain(`    + timeout 900 velero restore create ${NEWEST}-20261124130000`);
        expect(timed.stderr).to.contain(`failover.sh: timed out: restore ${NEWEST}-20261124130000 did not end within 900s; it goes on in the cluster`);
        const failed = await runFlow([...RESTORE, "--yes"], w);
        expect(failed.code).to.equal(1);
        expect(failed.stderr).to.contain("velero restore create failed (exit 124)");
    });

    it("a kubeconfig from TARGET_KUBECONFIG_DATA is shown as a placeholder", async () => {
        const r = await runFlow(["restore", "--site", "site-b", "--namespace", "velero", "--dry-run"], healthy(), { TARGET_KUBECONFIG_DATA: "apiVersion: v1" });
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.contain("--wait -n velero --kubeconfig <a private copy of TARGET_KUBECONFIG_DATA>\n");
        expect(r.stdout).to.not.contain("apiVersion");
    });
});

describe("failover tool: bad arguments end before anything runs", () => {
    it("prints the message with the subcommand, the usage hint and the verdict; exit 2", async () => {
        const r = await runFlow(["switch", "--to", "site-c"]);
        expect(r.code).to.equal(2);
        expect(r.calls).to.deep.equal([]);
        expect(r.stderr).to.equal("failover.sh switch: --to 'site-c' is not allowed; allowed: site-a or site-b\nusage: failover.sh help (every subcommand, flag and variable)\n");
        expect(r.stdout).to.equal("VERDICT: BAD ARGUMENTS: --to 'site-c' is not allowed; allowed: site-a or site-b\n");
        const none = await runFlow([]);
        expect(none.stderr).to.match(/^failover\.sh: missing subcommand/);
    });

    it("help lists every subcommand and the exit codes; exit 0", async () => {
        const r = await runFlow(["help"]);
        expect(r.code).to.equal(0);
        for (const s of ["failover.sh preflight --to SITE", "failover.sh switch --to SITE", "failover.sh switch --break-glass", "failover.sh restore --site SITE", "--lost-site OTHER", "TARGET_KUBECONFIG_DATA"]) {
            expect(r.stdout).to.contain(s);
        }
        expect(r.stdout).to.match(/Exit codes: 0 done \/ go, 2 bad arguments.*\n3 refused by a safety check.*4 timed out,\n1 anything else/);
    });
});
