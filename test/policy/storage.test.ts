import { expect } from "chai";
import { BUCKET_TYPE, PolicyResourceOptions } from "../../policy/resources";
import { backupBucketProtected } from "../../policy/storage";
import { policyResource, summary, validateResource } from "./harness";

// @pulumi/policy gives policies no retainOnDelete. If an upgrade adds it, this stops compiling
// (npm run typecheck): then make backup-bucket-protected check it too.
type RetainOnDeleteExposed = "retainOnDelete" extends keyof PolicyResourceOptions ? true : false;
const retainOnDeleteExposed: RetainOnDeleteExposed = false;

function bucket(protect: boolean, props: Record<string, unknown> = { bucket: "velero-backups", forceDestroy: false }) {
    return policyResource({ type: BUCKET_TYPE, name: "velero-user-bucket", props, protect, provider: { type: "pulumi:providers:aws", name: "velero-user-s3", props: {}, urn: "urn:s3" } });
}

describe("policy backup-bucket-protected", () => {
    it("passes a protected bucket with forceDestroy off, or unset", async () => {
        expect((await validateResource(backupBucketProtected, bucket(true))).violations).to.deep.equal([]);
        expect((await validateResource(backupBucketProtected, bucket(true, { bucket: "velero-backups" }))).violations).to.deep.equal([]);
    });

    it("reports a bucket that is not protected", async () => {
        expect(summary((await validateResource(backupBucketProtected, bucket(false))).violations)).to.deep.equal([
            "backup-bucket-protected: bucket velero-backups is not protected: `pulumi destroy` or removing it from the program would delete the backups; declare it with { protect: true, retainOnDelete: true }",
        ]);
    });

    it("reports forceDestroy", async () => {
        const violations = summary((await validateResource(backupBucketProtected, bucket(true, { bucket: "velero-backups", forceDestroy: true }))).violations);
        expect(violations).to.deep.equal([
            "backup-bucket-protected: bucket velero-backups has forceDestroy: true: deleting it would first delete every backup in it; set forceDestroy: false",
        ]);
    });

    it("cannot see retainOnDelete: @pulumi/policy 1.21.0 does not pass it to policies", () => {
        expect(retainOnDeleteExposed).to.equal(false);
        expect(backupBucketProtected.description).to.contain("does not expose it");
    });
});
