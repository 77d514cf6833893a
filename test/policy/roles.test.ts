import { expect } from "chai";
import * as k8s from "@pulumi/kubernetes";
import {
    BackupStorageLocationAccessMode, renderBackupStorageLocation, renderSchedule,
} from "../../core/velero/renderers";
import { BACKUP_STORAGE_LOCATION_TYPE, PolicyResource, SCHEDULE_TYPE } from "../../policy/resources";
import { veleroOneWriter } from "../../policy/roles";
import { runMocked } from "../harness/mocks";
import { policyResource, summary, toPolicyResources, validateStack } from "./harness";

type Props = Record<string, any>;
type Site = "site-a" | "site-b";

const ENDPOINT: Record<Site, string> = { "site-a": "https://rgw-a.example.com", "site-b": "https://rgw-b.example.com" };

function location(site: Site, accessMode: BackupStorageLocationAccessMode, mutate: (p: Props) => void = () => undefined): PolicyResource {
    const props: Props = structuredClone(renderBackupStorageLocation({
        namespace: "velero", bucket: "velero-backups", endpoint: ENDPOINT[site], zonegroup: "global", accessMode,
        ...(accessMode === "ReadOnly" ? { backupSyncPeriod: "1m" } : {}),
    }));
    mutate(props);
    return policyResource({ type: BACKUP_STORAGE_LOCATION_TYPE, name: `${site}-backup-location`, props, provider: `${site}-cluster` });
}

function schedule(site: Site, mutate: (p: Props) => void = () => undefined): PolicyResource {
    const props: Props = structuredClone(renderSchedule({
        name: "every-6h", namespace: "velero", cron: "0 */6 * * *", ttl: "720h", includedNamespaces: ["*"], rpoSeconds: 25200,
        storageLocation: "default",
    }));
    mutate(props);
    return policyResource({ type: SCHEDULE_TYPE, name: `${site}-schedule-every-6h`, props, provider: `${site}-cluster` });
}

/** The failover stack with site-a active: A writes and runs the Schedule, B reads. */
function activeA(): PolicyResource[] {
    return [location("site-a", "ReadWrite"), schedule("site-a"), location("site-b", "ReadOnly")];
}

async function violationsOf(resources: PolicyResource[]) {
    return summary((await validateStack(veleroOneWriter, resources)).violations);
}

describe("policy velero-one-writer", () => {
    it("passes one writer with the Schedules and one reader, in either direction", async () => {
        expect(await violationsOf(activeA())).to.deep.equal([]);
        expect(await violationsOf([location("site-a", "ReadOnly"), location("site-b", "ReadWrite"), schedule("site-b")])).to.deep.equal([]);
    });

    it("passes a lone writer when the other site is unreachable (no resources there at all)", async () => {
        expect(await violationsOf([location("site-b", "ReadWrite"), schedule("site-b")])).to.deep.equal([]);
    });

    it("sees the CustomResources a program declares from the renderers, per cluster provider", async () => {
        const run = await runMocked(() => {
            for (const [site, accessMode] of [["site-a", "ReadWrite"], ["site-b", "ReadOnly"]] as const) {
                const provider = new k8s.Provider(`${site}-cluster`, { context: `cluster-${site}` });
                new k8s.apiextensions.CustomResource(`${site}-backup-location`, renderBackupStorageLocation({
                    namespace: "velero", bucket: "velero-backups", endpoint: ENDPOINT[site], zonegroup: "global", accessMode,
                }), { provider });
                // The mistake the policy exists for: a Schedule in the passive cluster.
                new k8s.apiextensions.CustomResource(`${site}-schedule`, renderSchedule({
                    name: "hourly", namespace: "velero", cron: "0 * * * *", ttl: "720h", includedNamespaces: ["*"], rpoSeconds: 7200,
                    storageLocation: "default",
                }), { provider });
            }
        }, { stack: "failover" });
        const resources = toPolicyResources(run.resources, "failover");
        expect(resources.filter((r) => r.type === BACKUP_STORAGE_LOCATION_TYPE).map((r) => r.provider?.name)).to.deep.equal(["site-a-cluster", "site-b-cluster"]);
        const { violations } = await validateStack(veleroOneWriter, resources);
        expect(violations.map((v) => [v.urn, v.message])).to.deep.equal([[
            "urn:pulumi:failover::velero-ceph-dr::kubernetes:velero.io/v1:Schedule::site-b-schedule",
            "Schedule velero/hourly (provider site-b-cluster) is in a cluster without a ReadWrite BackupStorageLocation; Schedules belong only in the active cluster (provider site-a-cluster)",
        ]]);
    });

    const broken: Array<[string, () => PolicyResource[], RegExp]> = [
        ["two writers", () => [location("site-a", "ReadWrite"), schedule("site-a"), location("site-b", "ReadWrite")],
            /^velero-one-writer: 2 BackupStorageLocations are ReadWrite \(.*site-a-cluster.*site-b-cluster.*\): both clusters would write/],
        ["a location without accessMode, which Velero takes as ReadWrite", () => [location("site-a", "ReadWrite"), schedule("site-a"),
            location("site-b", "ReadOnly", (p) => delete p.spec.accessMode)], /2 BackupStorageLocations are ReadWrite/],
        ["an unknown access mode", () => [location("site-a", "ReadWrite"), schedule("site-a"), location("site-b", "ReadOnly", (p) => (p.spec.accessMode = "readonly"))],
            /BackupStorageLocation velero\/default \(readonly, provider site-b-cluster\): spec.accessMode must be "ReadWrite" or "ReadOnly"/],
        ["two readers", () => [location("site-a", "ReadWrite"), schedule("site-a"), location("site-b", "ReadOnly"),
            { ...location("site-b", "ReadOnly"), name: "site-c-backup-location", provider: { ...location("site-b", "ReadOnly").provider!, name: "site-c-cluster", urn: "urn:c" } }],
            /2 BackupStorageLocations are ReadOnly .*only the passive site has one/],
        ["a reader on another bucket", () => [location("site-a", "ReadWrite"), schedule("site-a"), location("site-b", "ReadOnly", (p) => (p.spec.objectStorage.bucket = "other"))],
            /reads bucket "other" prefix "", but .* writes bucket "velero-backups" prefix "": the passive cluster would not see/],
        ["a Schedule in the reader's cluster", () => [...activeA(), schedule("site-b")],
            /Schedule velero\/every-6h \(provider site-b-cluster\) is in a cluster without a ReadWrite BackupStorageLocation/],
        ["a Schedule writing to another location", () => [location("site-a", "ReadWrite"), schedule("site-a", (p) => (p.spec.template.storageLocation = "secondary")), location("site-b", "ReadOnly")],
            /writes to storage location "secondary", but its cluster's ReadWrite location is "default"/],
    ];
    for (const [what, resources, message] of broken) {
        it(`reports ${what}`, async () => {
            const violations = await violationsOf(resources());
            expect(violations).to.have.length(1);
            expect(violations[0]).to.match(message);
        });
    }

    it("reports no writer, and the Schedules that then have nowhere to write", async () => {
        expect(await violationsOf([location("site-a", "ReadOnly"), schedule("site-a"), location("site-b", "ReadOnly")])).to.deep.equal([
            "velero-one-writer: no BackupStorageLocation is ReadWrite (BackupStorageLocation velero/default (ReadOnly, provider site-a-cluster); BackupStorageLocation velero/default (ReadOnly, provider site-b-cluster)): no cluster can take backups; the active site's location must be ReadWrite",
            "velero-one-writer: 2 BackupStorageLocations are ReadOnly (BackupStorageLocation velero/default (ReadOnly, provider site-a-cluster); BackupStorageLocation velero/default (ReadOnly, provider site-b-cluster)); only the passive site has one",
            "velero-one-writer: Schedule velero/every-6h (provider site-a-cluster) is in a cluster without a ReadWrite BackupStorageLocation; Schedules belong only in the active cluster (none is ReadWrite)",
        ]);
    });

    it("reports two locations in one cluster", async () => {
        const second = location("site-a", "ReadOnly", (p) => (p.metadata.name = "replica"));
        const violations = await violationsOf([location("site-a", "ReadWrite"), schedule("site-a"), { ...second, name: "site-a-replica", urn: "urn:replica" }]);
        expect(violations).to.deep.equal([
            "velero-one-writer: provider site-a-cluster has 2 BackupStorageLocations (BackupStorageLocation velero/default (ReadWrite, provider site-a-cluster); BackupStorageLocation velero/replica (ReadOnly, provider site-a-cluster)); each cluster has one, and its access mode is the cluster's role",
        ]);
    });

    it("reports Schedules declared without any location", async () => {
        const violations = await violationsOf([schedule("site-a")]);
        expect(violations[0]).to.contain("no BackupStorageLocation is ReadWrite (none declared)");
        expect(violations).to.have.length(2);
    });

    it("does not apply to stacks without locations or Schedules (the region stacks)", async () => {
        const outcome = await validateStack(veleroOneWriter, [policyResource({ type: "kubernetes:helm.sh/v3:Release", name: "velero-release", props: { chart: "velero" } })]);
        expect(outcome.notApplicable).to.equal("no BackupStorageLocation or Schedule in this stack");
    });
});
