import { expect } from "chai";
import {
    BucketApi, BucketSpec, CreateAnswer, HeadAnswer, OwnerAnswer, changedProperties, ensureBucket, readBucket,
} from "../../components/bucket/bucketLogic";

const SPEC: BucketSpec = {
    bucket: "velero-backups", owner: "velero", endpoint: "http://rgw-a.example.com", region: "global",
    accessKey: "AKIA0000000000000001", secretKey: "s3cr3t",
};

/** A gateway that answers each call as scripted and records the calls made. */
function gateway(answers: { head: HeadAnswer; create?: CreateAnswer; owner?: OwnerAnswer }) {
    const calls: string[] = [];
    const api: BucketApi = {
        head: async (b) => (calls.push(`head ${b}`), answers.head),
        create: async (b) => {
            calls.push(`create ${b}`);
            if (!answers.create) throw new Error("unexpected CreateBucket");
            return answers.create;
        },
        owner: async (b) => {
            calls.push(`owner ${b}`);
            if (!answers.owner) throw new Error("unexpected GetBucketAcl");
            return answers.owner;
        },
    };
    return { api, calls };
}

describe("backup bucket: ensure (create, adopt, refuse)", () => {
    const cases: Array<[string, Parameters<typeof gateway>[0], string | RegExp, string[]]> = [
        ["creates a missing bucket and checks its owner", { head: "missing", create: "created", owner: { owner: "velero" } },
            "created", ["head velero-backups", "create velero-backups", "owner velero-backups"]],
        ["adopts a bucket the Velero user already owns", { head: "exists", owner: { owner: "velero" } },
            "adopted", ["head velero-backups", "owner velero-backups"]],
        ["adopts when another run created it in between", { head: "missing", create: "owned-by-you", owner: { owner: "velero" } },
            "adopted", ["head velero-backups", "create velero-backups", "owner velero-backups"]],
        ["refuses a bucket it may not even see (403)", { head: "forbidden" },
            /bucket "velero-backups" on http:\/\/rgw-a\.example\.com exists and is owned by another RGW user .*not by the Velero user "velero".*config key bucket.*radosgw-admin bucket link --bucket velero-backups --uid velero/, ["head velero-backups"]],
        ["refuses a visible bucket owned by someone else, naming the owner", { head: "exists", owner: { owner: "alice" } },
            /owned by RGW user "alice", not by the Velero user "velero"/, ["head velero-backups", "owner velero-backups"]],
        ["refuses a bucket whose ACL it may not read", { head: "exists", owner: "forbidden" },
            /owned by another RGW user/, ["head velero-backups", "owner velero-backups"]],
        ["refuses when CreateBucket says the name is taken", { head: "missing", create: "taken" },
            /exists and is owned by another RGW user/, ["head velero-backups", "create velero-backups"]],
    ];
    for (const [what, answers, expected, calls] of cases) {
        it(what, async () => {
            const gw = gateway(answers);
            if (typeof expected === "string") {
                expect(await ensureBucket(gw.api, SPEC)).to.equal(expected);
            } else {
                let message = "";
                await ensureBucket(gw.api, SPEC).catch((e: Error) => (message = e.message));
                expect(message).to.match(expected);
            }
            expect(gw.calls).to.deep.equal(calls);
        });
    }
});

describe("backup bucket: refresh", () => {
    it("reads an owned bucket back as it is", async () => {
        expect(await readBucket(gateway({ head: "exists", owner: { owner: "velero" } }).api, SPEC)).to.deep.equal(SPEC);
    });

    it("reports a new owner, so the refresh diff shows it", async () => {
        const state = await readBucket(gateway({ head: "exists", owner: { owner: "alice" } }).api, SPEC);
        expect(state?.owner).to.equal("alice");
    });

    it("says the bucket is gone when HeadBucket answers 404, and never creates it", async () => {
        const gw = gateway({ head: "missing" });
        expect(await readBucket(gw.api, SPEC)).to.equal(undefined);
        expect(gw.calls).to.deep.equal(["head velero-backups"]);
    });

    it("fails with the owner problem on 403", async () => {
        let message = "";
        await readBucket(gateway({ head: "forbidden" }).api, SPEC).catch((e: Error) => (message = e.message));
        expect(message).to.match(/owned by another RGW user/);
    });
});

describe("backup bucket: diff", () => {
    it("sees no change for the same inputs", () => expect(changedProperties(SPEC, { ...SPEC })).to.deep.equal([]));
    it("names each changed property, keys included", () => {
        expect(changedProperties(SPEC, { ...SPEC, endpoint: "https://rgw-b.example.com", secretKey: "new" })).to.deep.equal(["endpoint", "secretKey"]);
        expect(changedProperties(SPEC, { ...SPEC, bucket: "other" })).to.deep.equal(["bucket"]);
    });
});
