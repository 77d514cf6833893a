// The lab's forced "metadata before files" backup (issue 16 item 2): the renamed metadata and the
// pod-volume list must look like Velero's, or the lab would prove nothing about Velero's import.
import * as zlib from "zlib";
import { expect } from "chai";
import { EMPTY_POD_VOLUME_LIST_MAX_BYTES } from "../../scripts/failover/restorePlan";
import { podVolumeBackupList, renamedBackupMetadata } from "../../scripts/lab/lateFiles";

describe("lab: a backup copied with its metadata first (scripts/lab/lateFiles.ts)", () => {
    it("renames the backup and drops what a cluster assigns, keeping labels, spec and status", () => {
        const source = Buffer.from(JSON.stringify({
            kind: "Backup",
            metadata: { name: "lab-a-1", namespace: "velero", uid: "u-1", resourceVersion: "42", creationTimestamp: "t", generation: 3, labels: { "dr.velero-ceph-dr/site": "site-a" } },
            spec: { ttl: "720h0m0s" },
            status: { phase: "Completed" },
        }));
        const renamed = JSON.parse(renamedBackupMetadata(source, "lab-a-late").toString("utf8"));
        expect(renamed.metadata).to.deep.equal({ name: "lab-a-late", namespace: "velero", labels: { "dr.velero-ceph-dr/site": "site-a" } });
        expect(renamed.spec).to.deep.equal({ ttl: "720h0m0s" });
        expect(renamed.status.phase).to.equal("Completed");
    });

    for (const count of [0, 2, 5]) {
        it(`writes a gzipped list of ${count} PodVolumeBackups labelled with the backup's name`, () => {
            const items = JSON.parse(zlib.gunzipSync(podVolumeBackupList("lab-a-late", "velero", count)).toString("utf8")) as { kind: string; metadata: { name: string; namespace: string; labels: Record<string, string> } }[];
            expect(items).to.have.length(count);
            for (const pvb of items) {
                expect(pvb.kind).to.equal("PodVolumeBackup");
                expect(pvb.metadata.namespace).to.equal("velero");
                expect(pvb.metadata.labels["velero.io/backup-name"]).to.equal("lab-a-late");
            }
            expect(new Set(items.map((p) => p.metadata.name)).size).to.equal(count);
        });
    }

    it("a list with entries is larger than the on-call tool's empty-list threshold", () => {
        expect(podVolumeBackupList("lab-a-late", "velero", 2).length).to.be.above(EMPTY_POD_VOLUME_LIST_MAX_BYTES);
    });
});
