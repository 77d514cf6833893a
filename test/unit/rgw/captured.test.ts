// The text parsers (scripts/rgw/syncText.ts) and the bucket verdict against radosgw-admin output
// captured from real clusters of each Ceph version the lab runs: 16.2.15 (bookworm), 18.2.7
// (trixie root) and 20.2.4 (sid root). Files: captured/VERSION/STATE.SITE.COMMAND.txt, as printed
// by `ceph-lab.sh admin SITE sync status` / `bucket sync status --bucket B` in these states:
// caught-up, behind (the secondary's gateway was stopped while the master took writes),
// peer-cut (the master's link cut: Pacific says (5) Input/output error, Tentacle (2200) Unknown
// error 2200) and after-switch (right after a planned promotion of zone B). Every file has a row.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { bucketVerdict } from "../../../scripts/rgw/checkpoints";
import { parseBucketSyncText, parseSyncStatusText } from "../../../scripts/rgw/syncText";

const DIR = path.join(__dirname, "captured");
const read = (file: string) => fs.readFileSync(path.join(DIR, file), "utf8");

type Data = { state: string; caughtUp: boolean; behind?: number[]; recovering?: number[]; error?: RegExp };
interface SyncRow {
    file: string;
    header: [realm: string, zonegroup: string, zone: string];
    metadata: { state: string; caughtUp: boolean; error?: RegExp };
    data: Record<string, Data>;
}
interface BucketRow {
    file: string;
    zone: string;
    sources: Record<string, { state: string; caughtUp: boolean; behind: number[]; error?: RegExp }>;
    caughtUp: boolean;
}

const MASTER = { state: "master", caughtUp: true };
const MD_CAUGHT_UP = { state: "syncing", caughtUp: true };
const EIO = /failed to retrieve sync info: \(5\) Input\/output error/;
const E2200 = /\(2200\) Unknown error 2200/;

const SYNC: SyncRow[] = [
    { file: "16.2/caught-up.a.sync-status.txt", header: ["dr", "global", "zonea"], metadata: MASTER, data: { zoneb: { state: "syncing", caughtUp: true } } },
    { file: "16.2/caught-up.b.sync-status.txt", header: ["dr", "global", "zoneb"], metadata: MD_CAUGHT_UP, data: { zonea: { state: "syncing", caughtUp: true } } },
    { file: "16.2/behind.a.sync-status.txt", header: ["dr", "global", "zonea"], metadata: MASTER, data: { zoneb: { state: "syncing", caughtUp: true } } },
    { file: "16.2/behind.b.sync-status.txt", header: ["dr", "global", "zoneb"], metadata: MD_CAUGHT_UP,
        data: { zonea: { state: "syncing", caughtUp: false, behind: [90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100] } } },
    { file: "16.2/peer-cut.b.sync-status.txt", header: ["dr", "global", "zoneb"], metadata: { state: "syncing", caughtUp: false, error: /failed to fetch master sync status: \(5\)/ },
        data: { zonea: { state: "error", caughtUp: false, error: EIO } } },
    // Reef: `current time` and `zonegroup features enabled:` lines between the header and metadata sync.
    { file: "18.2/after-switch.a.sync-status.txt", header: ["drtest", "europe", "east1"], metadata: MD_CAUGHT_UP,
        data: { west1: { state: "syncing", caughtUp: false, behind: [110, 111, 115, 116, 118, 119] } } },
    { file: "18.2/after-switch.b.sync-status.txt", header: ["drtest", "europe", "west1"], metadata: MASTER, data: { east1: { state: "syncing", caughtUp: true } } },
    { file: "20.2/caught-up.a.sync-status.txt", header: ["dr", "global", "zonea"], metadata: MASTER, data: { zoneb: { state: "syncing", caughtUp: false, behind: [27, 29, 32, 34, 36] } } },
    // "4 shards are recovering" under "incremental 128/128": not caught up.
    { file: "20.2/caught-up.b.sync-status.txt", header: ["dr", "global", "zoneb"], metadata: MD_CAUGHT_UP,
        data: { zonea: { state: "syncing", caughtUp: false, recovering: [29, 32, 34, 36] } } },
    { file: "20.2/behind.a.sync-status.txt", header: ["dr", "global", "zonea"], metadata: MASTER, data: { zoneb: { state: "syncing", caughtUp: false, behind: [31, 33, 34] } } },
    { file: "20.2/behind.b.sync-status.txt", header: ["dr", "global", "zoneb"], metadata: MD_CAUGHT_UP,
        data: { zonea: { state: "syncing", caughtUp: false, behind: [26, 29, 31, 33, 34, 36] } } },
    { file: "20.2/peer-cut.b.sync-status.txt", header: ["dr", "global", "zoneb"], metadata: { state: "syncing", caughtUp: false, error: E2200 },
        data: { zonea: { state: "error", caughtUp: false, error: E2200 } } },
    { file: "20.2/after-switch.a.sync-status.txt", header: ["dr", "global", "zonea"], metadata: MD_CAUGHT_UP, data: { zoneb: { state: "syncing", caughtUp: true } } },
    { file: "20.2/after-switch.b.sync-status.txt", header: ["dr", "global", "zoneb"], metadata: MASTER, data: { zonea: { state: "syncing", caughtUp: false, behind: [27, 29, 30] } } },
];

const inc = (caughtUp: boolean, behind: number[] = []) => ({ state: "incremental", caughtUp, behind });
const BUCKET: BucketRow[] = [
    // Pacific: `full sync: 0/11 shards` + `incremental sync: 11/11 shards`.
    { file: "16.2/caught-up.a.bucket-sync-status.txt", zone: "zonea", sources: { zoneb: inc(true) }, caughtUp: true },
    { file: "16.2/caught-up.b.bucket-sync-status.txt", zone: "zoneb", sources: { zonea: inc(true) }, caughtUp: true },
    { file: "16.2/behind.a.bucket-sync-status.txt", zone: "zonea", sources: { zoneb: inc(true) }, caughtUp: true },
    { file: "16.2/behind.b.bucket-sync-status.txt", zone: "zoneb", sources: { zonea: inc(true) }, caughtUp: true },
    // Reef and Tentacle: `incremental sync on 11 shards`, no full sync line.
    { file: "18.2/after-switch.a.bucket-sync-status.txt", zone: "east1", sources: { west1: inc(false, [1, 2, 6, 7, 9, 10]) }, caughtUp: false },
    { file: "18.2/after-switch.b.bucket-sync-status.txt", zone: "west1", sources: { east1: inc(true) }, caughtUp: true },
    { file: "20.2/caught-up.a.bucket-sync-status.txt", zone: "zonea", sources: { zoneb: inc(false, [1, 3, 6, 8, 10]) }, caughtUp: false },
    { file: "20.2/caught-up.b.bucket-sync-status.txt", zone: "zoneb", sources: { zonea: inc(true) }, caughtUp: true },
    { file: "20.2/behind.a.bucket-sync-status.txt", zone: "zonea", sources: { zoneb: inc(false, [5, 7, 8]) }, caughtUp: false },
    { file: "20.2/behind.b.bucket-sync-status.txt", zone: "zoneb", sources: { zonea: inc(true) }, caughtUp: true },
    { file: "20.2/peer-cut.b.bucket-sync-status.txt", zone: "zoneb", sources: { zonea: { state: "unknown", caughtUp: false, behind: [], error: /failed to read remote log: \(2200\)/ } }, caughtUp: false },
    { file: "20.2/after-switch.a.bucket-sync-status.txt", zone: "zonea", sources: { zoneb: inc(true) }, caughtUp: true },
    { file: "20.2/after-switch.b.bucket-sync-status.txt", zone: "zoneb", sources: { zonea: inc(false, [1, 3, 4]) }, caughtUp: false },
];

describe("radosgw-admin text captured on Ceph 16.2, 18.2 and 20.2", () => {
    it("every captured file has a row below (a new capture needs its expectations)", () => {
        const files = fs.readdirSync(DIR).flatMap((v) => fs.readdirSync(path.join(DIR, v)).map((f) => `${v}/${f}`)).sort();
        expect(files).to.deep.equal([...SYNC, ...BUCKET].map((r) => r.file).sort());
        expect(new Set(files.map((f) => f.split("/")[0]))).to.deep.equal(new Set(["16.2", "18.2", "20.2"]));
    });

    for (const row of SYNC) {
        it(`sync status ${row.file}`, () => {
            const s = parseSyncStatusText(read(row.file));
            expect([s.header.realm?.name, s.header.zonegroup?.name, s.header.zone?.name]).to.deep.equal(row.header);
            expect(s.metadata.state).to.equal(row.metadata.state);
            expect(s.metadata.caughtUp).to.equal(row.metadata.caughtUp);
            if (row.metadata.error) expect(s.metadata.error).to.match(row.metadata.error);
            else expect(s.metadata.error).to.equal(undefined);
            expect(Object.keys(s.data)).to.deep.equal(Object.keys(row.data));
            for (const [source, want] of Object.entries(row.data)) {
                const got = s.data[source];
                expect(got.state, source).to.equal(want.state);
                expect(got.caughtUp, source).to.equal(want.caughtUp);
                expect(got.behindShards, source).to.deep.equal(want.behind ?? []);
                expect(got.recoveringShards, source).to.deep.equal(want.recovering);
                if (want.error) expect(got.error).to.match(want.error);
            }
        });
    }

    for (const row of BUCKET) {
        it(`bucket sync status ${row.file}`, () => {
            const b = parseBucketSyncText(read(row.file));
            expect(b.zone).to.equal(row.zone);
            expect(b.disabled).to.equal(false);
            expect(Object.keys(b.sources)).to.deep.equal(Object.keys(row.sources));
            for (const [source, want] of Object.entries(row.sources)) {
                const got = b.sources[source];
                expect([got.state, got.caughtUp, got.behindShards], source).to.deep.equal([want.state, want.caughtUp, want.behind]);
                if (want.error) expect(got.error).to.match(want.error);
                else expect(got.error).to.equal(undefined);
            }
            const verdict = bucketVerdict(b);
            expect(verdict.caughtUp).to.equal(row.caughtUp);
            expect(verdict.lagging.length === 0).to.equal(row.caughtUp);
        });
    }
});
