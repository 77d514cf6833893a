// rgw-multisite.sh backup-objects end to end (launcher, a fake radosgw-admin binary): the JSON on
// stdout that failover.sh reads. The cases are in test/unit/rgw/backupObjects.test.ts.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPT = path.resolve(__dirname, "../../scripts/rgw-multisite.sh");

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

/** A fake radosgw-admin: `bucket list` answers one page after --marker; records every call. */
function fake(dir: string, syncText: string): string {
    fs.writeFileSync(path.join(dir, "names.json"), JSON.stringify(NAMES));
    fs.writeFileSync(path.join(dir, "sync.txt"), syncText);
    const f = path.join(dir, "radosgw-admin");
    fs.writeFileSync(f, `#!/usr/bin/env node
const fs = require("fs");
const a = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(path.join(dir, "calls.log"))}, a.join(" ") + "\\n");
const flag = (n) => { const i = a.indexOf(n); return i < 0 ? undefined : a[i + 1]; };
if (a[0] === "bucket" && a[1] === "list") {
  const names = JSON.parse(fs.readFileSync(${JSON.stringify(path.join(dir, "names.json"))}, "utf8"));
  const after = names.filter((n) => flag("--marker") === undefined || n > flag("--marker"));
  const page = after.slice(0, Number(flag("--max-entries") || 1000));
  console.log(JSON.stringify(page.map((name) => ({ name, meta: { size: name.length, etag: "e-" + name, mtime: "2026-11-24T00:00:00Z" } }))));
} else if (a[0] === "bucket" && a[1] === "sync") {
  process.stdout.write(fs.readFileSync(${JSON.stringify(path.join(dir, "sync.txt"))}, "utf8"));
} else { console.error("unexpected call " + a.join(" ")); process.exit(1); }
`);
    fs.chmodSync(f, 0o755);
    return f;
}

function run(args: string[], syncText = SYNC_BEHIND, page = "2") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backup-objects-"));
    const admin = fake(dir, syncText);
    const r = spawnSync("bash", [SCRIPT, "backup-objects", ...args], {
        env: { PATH: process.env.PATH, RGW_ADMIN: admin, RGW_LIST_PAGE: page }, encoding: "utf8",
    });
    const calls = fs.existsSync(path.join(dir, "calls.log")) ? fs.readFileSync(path.join(dir, "calls.log"), "utf8").trim().split("\n") : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
}

describe("rgw-multisite.sh backup-objects (end to end)", function () {
    this.timeout(60000);
    it("lists exactly the backup's objects, paging from the prefix and stopping past it", () => {
        const r = run(["--bucket", "velero-backups", "--backup", "daily-1", "--zone", "zoneb"]);
        expect(r.status, r.stderr).to.equal(0);
        const out = JSON.parse(r.stdout);
        expect(out.objects.map((o: { name: string }) => o.name)).to.deep.equal(NAMES.slice(0, 3));
        expect(out.objects[1]).to.deep.equal({ name: NAMES[1], size: NAMES[1].length, etag: `e-${NAMES[1]}`, mtime: "2026-11-24T00:00:00Z" });
        expect(r.calls.filter((c) => c.startsWith("bucket list"))).to.deep.equal([
            "bucket list --bucket velero-backups --max-entries 2 --marker backups/daily-1/ --rgw-zone zoneb",
            "bucket list --bucket velero-backups --max-entries 2 --marker backups/daily-1/daily-1.tar.gz --rgw-zone zoneb",
        ]);
    });
});
