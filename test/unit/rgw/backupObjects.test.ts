// backup-objects through the in-memory transport: paging by marker (Pacific ignores --prefix),
// filtering to the backup's prefix, and the text-only `bucket sync status` per source zone.
import { expect } from "chai";
import { runCli } from "../../../scripts/rgw/cli";
import { FakeAdmin, FakeReply } from "../../../scripts/rgw/transport";

const NAMES = [
    "backups/daily-1/daily-1-logs.gz", "backups/daily-1/daily-1.tar.gz", "backups/daily-1/velero-backup.json",
    "backups/daily-2/daily-2.tar.gz", "backups/daily-2/velero-backup.json", "kopia/default/p0001",
];

const SYNC_BEHIND = `          realm 1 (dr)
           zone 2 (zoneb)
    source zone 3 (zonea)
                full sync: 0/11 shards
                incremental sync: 11/11 shards
                bucket is behind on 2 shards
                behind shards: [3,7]
`;

/** `bucket list` as radosgw-admin answers it: one page of names after --marker. */
function bucketList(args: readonly string[]): FakeReply {
    const flag = (n: string) => {
        const i = args.indexOf(n);
        return i < 0 ? undefined : args[i + 1];
    };
    const marker = flag("--marker");
    const after = NAMES.filter((n) => marker === undefined || n > marker);
    const page = after.slice(0, Number(flag("--max-entries") ?? 1000));
    return { out: page.map((name) => ({ name, meta: { size: name.length, etag: `e-${name}`, mtime: "2026-11-24T00:00:00Z" } })) };
}

async function run(args: string[], syncText = SYNC_BEHIND, page = "2") {
    const calls: string[][] = [];
    const unexpected: FakeReply = { err: "unexpected call\n", code: 1 };
    const admin = new FakeAdmin({ "bucket list": bucketList, "bucket sync status": { out: syncText }, "zone list": unexpected, "zone get": unexpected }, calls);
    let stdout = "";
    let stderr = "";
    const status = await runCli(["backup-objects", ...args], {
        env: { RGW_ADMIN: "radosgw-admin", RGW_LIST_PAGE: page },
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        makeAdmin: () => admin,
    });
    return { status, stdout, stderr, calls: calls.map((c) => c.join(" ")) };
}

describe("backup-objects (scripts/rgw)", () => {
    it("lists exactly the backup's objects, paging from the prefix and stopping past it", async () => {
        const r = await run(["--bucket", "velero-backups", "--backup", "daily-1", "--zone", "zoneb"]);
        expect(r.status, r.stderr).to.equal(0);
        const out = JSON.parse(r.stdout);
        expect(out.objects.map((o: { name: string }) => o.name)).to.deep.equal(NAMES.slice(0, 3));
        expect(out.objects[1]).to.deep.equal({ name: NAMES[1], size: NAMES[1].length, etag: `e-${NAMES[1]}`, mtime: "2026-11-24T00:00:00Z" });
        expect(r.calls.filter((c) => c.startsWith("bucket list"))).to.deep.equal([
            "bucket list --bucket velero-backups --max-entries 2 --marker backups/daily-1/ --rgw-zone zoneb",
            "bucket list --bucket velero-backups --max-entries 2 --marker backups/daily-1/daily-1.tar.gz --rgw-zone zoneb",
        ]);
    });

    it("reports the bucket's sync state per source zone, with behind shards", async () => {
        const out = JSON.parse((await run(["--bucket", "velero-backups", "--backup", "daily-2"])).stdout);
        expect(out).to.deep.include({ zone: "zoneb", bucket: "velero-backups", backup: "daily-2", prefix: "backups/daily-2/" });
        expect(out.objects).to.have.length(2);
        expect(out.bucketSync).to.deep.equal({ zonea: { caughtUp: false, state: "incremental", behindShards: [3, 7] } });
    });

    it("says caught up when Ceph does", async () => {
        const caughtUp = SYNC_BEHIND.replace(/bucket is behind.*\n.*behind shards.*\n/, "                bucket is caught up with source\n");
        const out = JSON.parse((await run(["--bucket", "velero-backups", "--backup", "daily-2"], caughtUp)).stdout);
        expect(out.bucketSync.zonea).to.deep.equal({ caughtUp: true, state: "incremental", behindShards: [] });
    });

    it("answers an empty list for a backup that is not there", async () => {
        const r = await run(["--bucket", "velero-backups", "--backup", "weekly-9"], SYNC_BEHIND, "1000");
        expect(r.status).to.equal(0);
        expect(JSON.parse(r.stdout).objects).to.deep.equal([]);
    });

    for (const [args, hint] of [
        [["--backup", "daily-1"], /missing required flag --bucket/],
        [["--bucket", "velero-backups"], /missing required flag --backup/],
        [["--bucket", "velero-backups", "--backup", "Daily 1"], /--backup must be a Velero backup name/],
        [["--bucket", "Velero", "--backup", "daily-1"], /--bucket must be a valid S3 bucket name/],
    ] as const) {
        it(`exits 2 without calling radosgw-admin on ${args.join(" ")}`, async () => {
            const r = await run([...args]);
            expect(r.status).to.equal(2);
            expect(r.stderr).to.match(hint);
            expect(r.calls).to.deep.equal([]);
        });
    }
});
