// The backup bucket: the one thing this program creates in Ceph that holds data. It must survive
// `pulumi destroy` and removal from the program (README, "What delete does").
//
// @pulumi/policy 1.21.0 hands policies `protect` but not `retainOnDelete`: PolicyResourceOptions
// has no such field, and the engine's AnalyzerResourceOptions message carries none either. A policy
// can therefore check protect; retainOnDelete is asserted by the unit tests that
// run the region stacks under mocks (test/unit/region.test.ts).
import { BUCKET_TYPE, ResourceValidationPolicy, forType, stringAt } from "./resources";

export const backupBucketProtected: ResourceValidationPolicy = {
    name: "backup-bucket-protected",
    description: "The backup bucket is protected (destroy refuses). Its provider never deletes a bucket either. "
        + "retainOnDelete is required too, but @pulumi/policy does not expose it to policies; the unit tests check it.",
    enforcementLevel: "mandatory",
    validateResource: forType(BUCKET_TYPE, (props, args, report) => {
        const bucket = stringAt(props, "bucket") ?? args.name;
        if (args.opts.protect !== true) {
            report(`bucket ${bucket} is not protected: \`pulumi destroy\` or removing it from the program would delete the backups; `
                + "declare it with { protect: true, retainOnDelete: true }");
        }
    }),
};
