import { expect } from "chai";
import { BUCKET_TYPE, PolicyResourceOptions } from "../../policy/resources";
import { backupBucketProtected } from "../../policy/storage";
import { policyResource, summary, validateResource } from "./harness";

// @pulumi/policy gives policies no retainOnDelete. If an upgrade adds it, this stops compiling
// (npm run typecheck): then make backup-bucket-protected check it too.
type RetainOnDeleteExposed = "retainOnDelete" extends keyof PolicyResourceOptions ? true : false;
const retainOnDeleteExposed: RetainOnDeleteExposed = false;

function bucket(protect: boolean, props: Record<string, unknown> = { bucket: "velero-backups", owner: "velero", endpoint: "https://rgw-a.example.com" }) {
    return policyResource({ type: BUCKET_TYPE, name: "velero-user-bucket", props, protect });
}

describe("policy backup-bucket-protected", () => {
    it("passes a protected bucket", async () => {
        expect((await validateResource(backupBucketProtected, bucket(true))).violations).to.deep.equal([]);
    });

    it("looks at the RGW bucket resource only", async () => {
        const other = policyResource({ type: "pulumi-nodejs:dynamic:Resource", name: "something", props: { bucket: "x" }, protect: false });
        expect((await validateResource(backupBucketProtected, other)).violations).to.deep.equal([]);
    });

    it("reports a bucket that is not protected", async () => {
        expect(summary((await validateResource(backupBucketProtected, bucket(false))).violations)).to.deep.equal([
            "backup-bucket-protected: bucket velero-backups is not protected: `pulumi destroy` or removing it from the program would delete the backups; declare it with { protect: true, retainOnDelete: true }",
        ]);
    });

    it("cannot see retainOnDelete: @pulumi/policy 1.21.0 does not pass it to policies", () => {
        expect(retainOnDeleteExposed).to.equal(false);
        expect(backupBucketProtected.description).to.contain("does not expose it");
    });
});
