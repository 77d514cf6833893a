import { expect } from "chai";
import { ObjectSummary, objectListDifferences } from "../../scripts/lab/s3";

const obj = (key: string, size = 10, etag = `"e-${key}"`): ObjectSummary => ({ key, size, etag });

describe("lab: comparing a backup's files on two zones (objectListDifferences)", () => {
    const cases: { name: string; source: ObjectSummary[]; copy: ObjectSummary[]; want: string[] }[] = [
        { name: "identical lists agree", source: [obj("a"), obj("b")], copy: [obj("a"), obj("b")], want: [] },
        { name: "a file not yet on the copy", source: [obj("a"), obj("b")], copy: [obj("a")], want: ["b missing on the copy"] },
        { name: "a file only on the copy", source: [obj("a")], copy: [obj("a"), obj("z")], want: ["z only on the copy"] },
        {
            name: "an older version on the copy (same key, other ETag)",
            source: [obj("velero-backup.json", 4360, '"new"')], copy: [obj("velero-backup.json", 4120, '"old"')],
            want: ['velero-backup.json differs (size 4360 vs 4120, ETag "new" vs "old")'],
        },
        { name: "two empty lists agree (the caller refuses an empty source)", source: [], copy: [], want: [] },
    ];
    for (const c of cases) {
        it(c.name, () => {
            expect(objectListDifferences(c.source, c.copy)).to.deep.equal(c.want);
        });
    }
});
