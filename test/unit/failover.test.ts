import { expect } from "chai";
import { main } from "../../stacks/main";
import { MockRun, RecordedResource, isSecretInput, named, ofType, runFailing, runMocked } from "../harness/mocks";
import { FAILOVER_REFS, failoverConfig } from "./fixtures";

function runFailover(overrides: Record<string, unknown> = {}): Promise<MockRun<unknown>> {
    return runMocked(main, { stack: "failover", config: failoverConfig(overrides), stackReferences: FAILOVER_REFS });
}

/** Resources the engine would manage (no root stack), with what a diff compares. */
function managed(run: MockRun<unknown>): Map<string, RecordedResource> {
    return new Map(run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => [r.name, r]));
}

/** What `pulumi preview` would show going from `before` to `after`: names created, deleted, changed. */
function previewDiff(before: MockRun<unknown>, after: MockRun<unknown>) {
    const b = managed(before);
    const a = managed(after);
    const key = (r: RecordedResource) => JSON.stringify({ type: r.type, inputs: r.inputs, options: r.options });
    return {
        create: [...a.keys()].filter((n) => !b.has(n)).sort(),
        delete: [...b.keys()].filter((n) => !a.has(n)).sort(),
        update: [...a.keys()].filter((n) => b.has(n) && key(a.get(n)!) !== key(b.get(n)!)).sort(),
    };
}

const siteResources = (run: MockRun<unknown>, site: string) =>
    run.resources.filter((r) => r.name.startsWith(`${site}-`) || r.options.provider === `${site}-cluster`);

describe("failover stack: site-a active, both sites reachable", () => {
    let run: MockRun<unknown>;
    before(async () => {
        run = await runFailover();
    });

    it("keeps zone A as metadata master, fencing and checking zone B as its peer", () => {
        const master = named(run, "ceph-metadata-master");
        expect(master.inputs.create).to.equal(
            "scripts/rgw-multisite.sh promote --zone zonea --zonegroup global --peer-zone zoneb --peer-url http://rgw-b.example.com --bucket velero-backups");
        expect(master.inputs.update).to.equal(master.inputs.create);
        expect(master.inputs.environment).to.include({
            RGW_ADMIN: "radosgw-admin", RGW_RESTART: "systemctl restart ceph-radosgw@rgw.a",
            RGW_PEER_ADMIN: "radosgw-admin", RGW_PEER_RESTART: "systemctl restart ceph-radosgw@rgw.b",
        });
        expect(isSecretInput(master, "environment.RGW_SYSTEM_SECRET_KEY")).to.equal(true);
    });

    it("quiets the passive cluster before Ceph changes roles: schedules stopped, location ReadOnly, nothing in flight", () => {
        // The demote lifts the old master's fence: by then its cluster must not write any more.
        const idle = named(run, "site-b-wait-idle");
        expect(idle.inputs.create).to.equal("scripts/velero-role.sh wait-idle --namespace velero");
        expect(idle.inputs.environment).to.deep.equal({ KUBE_CONTEXT: "cluster-b" });
        expect(idle.options.dependsOn).to.deep.equal(["site-b-stop-schedules", "site-b-backup-location"]);
        expect(named(run, "ceph-metadata-master").options.dependsOn).to.deep.equal(["site-b-stop-schedules", "site-b-backup-location", "site-b-wait-idle"]);
        expect(named(run, "site-b-backup-location").options.dependsOn ?? []).to.deep.equal([]);
        expect(named(run, "site-b-stop-schedules").options.dependsOn ?? []).to.deep.equal([]);
    });

    it("keeps zone B a writable secondary of A, after the promotion step", () => {
        const secondary = named(run, "ceph-secondary");
        expect(secondary.inputs.create).to.equal("scripts/rgw-multisite.sh demote --zone zoneb --master-url http://rgw-a.example.com");
        expect(secondary.inputs.environment.RGW_RESTART).to.equal("systemctl restart ceph-radosgw@rgw.b");
        expect(secondary.options.dependsOn).to.deep.equal(["ceph-metadata-master"]);
    });

    it("makes A's backup location ReadWrite and B's ReadOnly with the sync period, each on its zone", () => {
        const a = named(run, "site-a-backup-location");
        const b = named(run, "site-b-backup-location");
        expect(a.inputs.spec.accessMode).to.equal("ReadWrite");
        expect(a.inputs.spec.config).to.deep.equal({ s3Url: "http://rgw-a.example.com", s3ForcePathStyle: "true", region: "global", checksumAlgorithm: "" });
        expect(a.options.provider).to.equal("site-a-cluster");
        expect(b.inputs.spec.accessMode).to.equal("ReadOnly");
        expect(b.inputs.spec.backupSyncPeriod).to.equal("30s");
        expect(b.inputs.spec.config.s3Url).to.equal("http://rgw-b.example.com");
        expect(b.options.provider).to.equal("site-b-cluster");
        expect(a.inputs.metadata.annotations).to.deep.equal({ "pulumi.com/patchForce": "true" });
    });

    it("runs the schedules only in cluster A, and stops any in cluster B first", () => {
        const schedules = ofType(run, "kubernetes:velero.io/v1:Schedule");
        expect(schedules.map((s) => [s.name, s.options.provider])).to.deep.equal([["site-a-schedule-every-6h", "site-a-cluster"]]);
        expect(schedules[0].inputs.spec.schedule).to.equal("0 */6 * * *");
        // The site label says which cluster made each Backup: failover.sh restore picks the other site's.
        expect(schedules[0].inputs.metadata.labels).to.deep.equal({ "dr.velero-ceph-dr/rpo-seconds": "25200", "dr.velero-ceph-dr/site": "site-a" });
        expect(schedules[0].inputs.spec.template.metadata.labels).to.deep.equal({ "dr.velero-ceph-dr/rpo-seconds": "25200", "dr.velero-ceph-dr/site": "site-a" });
        const stop = named(run, "site-b-stop-schedules");
        expect(stop.inputs.create).to.equal("scripts/velero-role.sh stop-schedules --namespace velero --label dr.velero-ceph-dr/rpo-seconds");
        expect(stop.inputs.environment).to.deep.equal({ KUBE_CONTEXT: "cluster-b" });
        // Velero on the new active site writes once its zone is master; the demote and readmits run beside it.
        expect(named(run, "site-a-backup-location").options.dependsOn).to.deep.equal(["ceph-metadata-master"]);
    });

    it("retains every resource on delete, so an unreachable site is never called", () => {
        for (const r of run.resources.filter((x) => x.type.startsWith("command:") || x.type.startsWith("kubernetes:velero"))) {
            expect(r.options.retainOnDelete, r.name).to.equal(true);
        }
    });

    it("exports the roles, endpoints and the restore command", () => {
        expect(run.outputs.activeSite.value).to.equal("site-a");
        expect(run.outputs.passiveEndpoint.value).to.equal("http://rgw-b.example.com");
        expect(run.outputs.restoreCommand.value).to.equal("scripts/failover.sh restore --site site-a --namespace velero --kube-context cluster-a");
        expect(run.outputs.runbook.value).to.include({ bucket: "velero-backups", passiveZone: "zoneb", backupStorageLocation: "default" });
    });

    it("an unchanged re-run declares exactly the same resources (no changes in a preview)", async () => {
        const again = await runFailover();
        expect(previewDiff(run, again)).to.deep.equal({ create: [], delete: [], update: [] });
    });
});

describe("failover stack: switching activeSite (the DR drill)", () => {
    let aActive: MockRun<unknown>;
    let bActive: MockRun<unknown>;
    before(async () => {
        aActive = await runFailover();
        bActive = await runFailover({ activeSite: "site-b" });
    });

    it("shows the promotion and both clusters' location and schedule changes in one preview", () => {
        expect(previewDiff(aActive, bActive)).to.deep.equal({
            create: ["site-a-stop-schedules", "site-a-wait-idle", "site-b-schedule-every-6h"],
            delete: ["site-a-schedule-every-6h", "site-b-stop-schedules", "site-b-wait-idle"],
            update: ["ceph-active-syncs-from-passive", "ceph-metadata-master", "ceph-passive-syncs-from-active", "ceph-secondary", "site-a-backup-location", "site-b-backup-location"],
        });
    });

    it("promotes zone B with A as the fenced peer, then demotes A to B's secondary", () => {
        expect(named(bActive, "ceph-metadata-master").inputs.create).to.equal(
            "scripts/rgw-multisite.sh promote --zone zoneb --zonegroup global --peer-zone zonea --peer-url http://rgw-a.example.com --bucket velero-backups");
        expect(named(bActive, "ceph-metadata-master").inputs.environment.RGW_RESTART).to.equal("systemctl restart ceph-radosgw@rgw.b");
        expect(named(bActive, "ceph-secondary").inputs.create).to.equal("scripts/rgw-multisite.sh demote --zone zonea --master-url http://rgw-b.example.com");
    });

    it("swaps the access modes", () => {
        expect(named(bActive, "site-b-backup-location").inputs.spec.accessMode).to.equal("ReadWrite");
        expect(named(bActive, "site-a-backup-location").inputs.spec.accessMode).to.equal("ReadOnly");
    });

    it("switching back restores the original declaration (failback)", async () => {
        expect(previewDiff(aActive, await runFailover({ activeSite: "site-a" }))).to.deep.equal({ create: [], delete: [], update: [] });
    });

    it("keeps the passive zone read-only in Ceph only when strictReadOnlyPassive is set", async () => {
        const strict = await runFailover({ activeSite: "site-b", strictReadOnlyPassive: "true" });
        expect(named(strict, "ceph-secondary").inputs.create).to.equal(
            "scripts/rgw-multisite.sh demote --zone zonea --master-url http://rgw-b.example.com --read-only");
    });
});

describe("failover stack: lost-site mode", () => {
    for (const [lost, survivor] of [["site-a", "site-b"], ["site-b", "site-a"]] as const) {
        it(`with ${lost} unreachable: no call to ${lost}, forced promotion of ${survivor}`, async () => {
            const run = await runMocked(main, {
                stack: "failover",
                config: failoverConfig({ activeSite: survivor, unreachableSites: [lost], forcePromotion: "true" }),
                // The lost site's stack is not even given: reading it would fail the test.
                stackReferences: { [`org/velero-ceph-dr/${survivor}`]: FAILOVER_REFS[`org/velero-ceph-dr/${survivor}`] },
            });
            expect(siteResources(run, lost)).to.deep.equal([]);
            expect(ofType(run, "StackReference").map((r) => r.name)).to.deep.equal([`${survivor}-stack`]);
            const zone = survivor === "site-a" ? "zonea" : "zoneb";
            expect(named(run, "ceph-metadata-master").inputs.create).to.equal(
                `scripts/rgw-multisite.sh promote --zone ${zone} --zonegroup global --bucket velero-backups --force`);
            expect(named(run, "ceph-metadata-master").inputs.environment).not.to.have.property("RGW_PEER_ADMIN");
            expect(run.resources.find((r) => r.name === "ceph-secondary")).to.equal(undefined);
            expect(named(run, `${survivor}-backup-location`).inputs.spec.accessMode).to.equal("ReadWrite");
            expect(ofType(run, "Schedule").map((s) => s.name)).to.deep.equal([`${survivor}-schedule-every-6h`]);
            expect(ofType(run, "Schedule")[0].inputs.metadata.labels["dr.velero-ceph-dr/site"]).to.equal(survivor);
            // The on-call restore must not wait for the lost zone's sync state.
            expect(run.outputs.restoreCommand.value).to.match(new RegExp(`^scripts/failover.sh restore --site ${survivor} .* --lost-site ${lost}$`));
        });
    }

    it("refuses, before declaring anything, to promote with the other site unreachable unless forced", async () => {
        const { error, resources } = await runFailing(main, {
            stack: "failover",
            config: failoverConfig({ activeSite: "site-b", unreachableSites: ["site-a"] }),
            stackReferences: FAILOVER_REFS,
        });
        expect(error.message).to.contain("velero-ceph-dr:forcePromotion = (not set) is not allowed; site-a is unreachable");
        expect(error.message).to.contain("may be lost");
        expect(resources.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:Stack"]);
    });

    it("when the lost site returns, its resources come back under the same names (converge, not re-create elsewhere)", async () => {
        const lost = await runMocked(main, {
            stack: "failover",
            config: failoverConfig({ activeSite: "site-b", unreachableSites: ["site-a"], forcePromotion: "true" }),
            stackReferences: FAILOVER_REFS,
        });
        const returned = await runFailover({ activeSite: "site-b" });
        const diff = previewDiff(lost, returned);
        expect(diff.create).to.deep.equal([
            "ceph-active-syncs-from-passive", "ceph-passive-syncs-from-active",
            "ceph-secondary", "site-a-backup-location", "site-a-cluster", "site-a-stack", "site-a-stop-schedules", "site-a-wait-idle",
        ]);
        expect(diff.delete).to.deep.equal([]);
        expect(named(returned, "ceph-secondary").inputs.create).to.equal("scripts/rgw-multisite.sh demote --zone zonea --master-url http://rgw-b.example.com");
    });

    it("after the lost site returns, each zone is made to sync from the other again (readmit), only after the demote", async () => {
        const returned = await runFailover({ activeSite: "site-b" });
        const active = named(returned, "ceph-active-syncs-from-passive");
        const passive = named(returned, "ceph-passive-syncs-from-active");
        expect(active.inputs.create).to.equal("scripts/rgw-multisite.sh readmit --zone zoneb --peer-zone zonea");
        expect(passive.inputs.create).to.equal("scripts/rgw-multisite.sh readmit --zone zonea --peer-zone zoneb");
        expect(Object.keys(active.inputs.environment as object)).to.have.members(["RGW_ADMIN", "RGW_RESTART", "RGW_PEER_ADMIN"]);
        expect(active.options.dependsOn).to.deep.equal(["ceph-secondary"]);
        expect(passive.options.dependsOn).to.deep.equal(["ceph-secondary"]);
    });
});

describe("failover stack: stacks that do not fit", () => {
    it("refuses a site-a stack that is really site-b", async () => {
        const { error } = await runFailing(main, {
            stack: "failover",
            config: failoverConfig({ siteAStack: "org/velero-ceph-dr/site-b", siteBStack: "org/velero-ceph-dr/other" }),
            stackReferences: { ...FAILOVER_REFS, "org/velero-ceph-dr/other": FAILOVER_REFS["org/velero-ceph-dr/site-b"] },
        });
        expect(error.message).to.contain("configured for site-a is site-b");
    });

    it("passes a secret kubeconfig to kubectl steps only through the environment, as a secret", async () => {
        const refs = {
            ...FAILOVER_REFS,
            "org/velero-ceph-dr/site-b": {
                outputs: { ...FAILOVER_REFS["org/velero-ceph-dr/site-b"].outputs, kubeContext: undefined, kubeconfig: "apiVersion: v1\nkind: Config" },
                secretOutputs: ["systemAccessKey", "systemSecretKey", "kubeconfig"],
            },
        };
        const run = await runMocked(main, { stack: "failover", config: failoverConfig(), stackReferences: refs });
        const stop = named(run, "site-b-stop-schedules");
        expect(stop.inputs.environment.KUBECONFIG_DATA).to.equal("apiVersion: v1\nkind: Config");
        expect(isSecretInput(stop, "environment.KUBECONFIG_DATA")).to.equal(true);
        expect(stop.inputs.create).not.to.contain("apiVersion");
        expect(named(run, "site-b-cluster").inputs.kubeconfig).to.equal("apiVersion: v1\nkind: Config");
        expect(isSecretInput(named(run, "site-b-cluster"), "kubeconfig")).to.equal(true);
    });
});
