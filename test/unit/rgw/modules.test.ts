// The pure modules of scripts/rgw/: models from radosgw-admin JSON, the sync text parser (the one
// place that reads text), the checkpoints, and the transport's redaction and process adapter.
import { expect } from "chai";
import { allCaughtUp, bucketVerdict, metadataCaughtUp, olderZoneFeedsNewer, parseCephVersion, metadataEpochsBehind, notRunningReason, statusSummary, zoneStatus } from "../../../scripts/rgw/checkpoints";
import { ParseError, Period, parseAdminJson, parseSyncInfo, parseSyncPolicy, pipeInPlace, syncInfoHasSource, zoneInFlows } from "../../../scripts/rgw/models";
import { parseBucketSyncText, parseSyncStatusText } from "../../../scripts/rgw/syncText";
import { ProcessAdmin, redact, redactArgs, splitCommand } from "../../../scripts/rgw/transport";
import { CEPH_IDS, SYNC_A_INIT, SYNC_A_MASTER, SYNC_B_BEHIND, SYNC_B_CAUGHT_UP, SYNC_B_MASTER_DOWN, syncHeader } from "../../script/cephSyncText";

const PERIOD = {
    id: "period-1", epoch: 2, realm_id: CEPH_IDS.realm, realm_name: "dr", realm_epoch: 3, master_zone: CEPH_IDS.zonea,
    period_map: { zonegroups: [{ name: "global", zones: [
        { id: CEPH_IDS.zonea, name: "zonea", endpoints: ["http://a:1"], read_only: "false" },
        { id: CEPH_IDS.zoneb, name: "zoneb", endpoints: ["http://b:1", "http://b:2"], read_only: true },
    ] }] },
};

describe("scripts/rgw models (radosgw-admin JSON)", () => {
    it("skips banner lines before the JSON, and never quotes the input in a parse error", () => {
        expect(parseAdminJson('inferring fsid 1234\nUsing ceph image x\n{\n "a": 1\n}\n')).to.deep.equal({ a: 1 });
        expect(() => parseAdminJson("secret-key-material not json")).to.throw(ParseError, "could not parse radosgw-admin output as JSON")
            .with.property("message").that.does.not.contain("secret");
    });

    it("a period answers the steps' questions", () => {
        const p = Period.parse(JSON.stringify(PERIOD));
        expect(p.master).to.equal("zonea");
        expect(p.zoneNames("global")).to.deep.equal(["zonea", "zoneb"]);
        expect(p.zoneNames("other")).to.deep.equal([]);
        expect(p.zone("zoneb")).to.include({ readOnly: true, zonegroup: "global" });
        expect(p.zone("zonea")?.readOnly).to.equal(false);
        expect(p.zone("zoneb")?.endpoints.join(",")).to.equal("http://b:1,http://b:2");
        expect(Period.parse(JSON.stringify({ ...PERIOD, master_zone: "gone" })).master).to.equal("id:gone");
        expect(Period.parse(JSON.stringify({ ...PERIOD, master_zone: "" })).master).to.equal("");
    });

    it("sync policy: flows by name or id, pipes with zones * and buckets", () => {
        const groups = parseSyncPolicy(JSON.stringify({ groups: [{ id: "dr-zonegroup", status: "allowed",
            data_flow: { symmetrical: [{ id: "dr-symmetrical", zones: ["zonea"] }], directional: [{ source_zone: "x", dest_zone: CEPH_IDS.zoneb }] },
            pipes: [{ id: "dr-all", source: { zones: ["*"], bucket: "*" }, dest: { zones: ["*"], bucket: "*" } }] }] }));
        expect(zoneInFlows(groups, "zonea")).to.equal(true);
        expect(zoneInFlows(groups, "zoneb", CEPH_IDS.zoneb)).to.equal(true);
        expect(zoneInFlows(groups, "zonec", "")).to.equal(false);
        expect(pipeInPlace(groups, "dr-zonegroup", "dr-all", { source: "*", dest: "*" })).to.equal(true);
        expect(pipeInPlace(groups, "dr-zonegroup", "dr-all", { source: "b", dest: "*" })).to.equal(false);
        expect(parseSyncPolicy("")).to.deep.equal([]);
        expect(syncInfoHasSource(JSON.stringify({ sources: [{ source: { zone: "zonea" } }] }), "zonea", "")).to.equal(true);
        expect(syncInfoHasSource(JSON.stringify({ sources: [] }), "zonea")).to.equal(false);
    });
});

describe("scripts/rgw sync text (`sync status`, `bucket sync status`)", () => {
    const table: [string, string, { meta: object; data: Record<string, object> }][] = [
        ["B caught up", SYNC_B_CAUGHT_UP, { meta: { state: "syncing", caughtUp: true, shards: 64 }, data: { zonea: { state: "syncing", caughtUp: true, shards: 128 } } }],
        ["B behind", SYNC_B_BEHIND, { meta: { state: "syncing", caughtUp: false, oldestChange: "2026-11-24T10:03:47.809898+0000 [7]" }, data: { zonea: { caughtUp: false } } }],
        ["B, master down", SYNC_B_MASTER_DOWN, { meta: { caughtUp: false, error: "failed to fetch master sync status: (5) Input/output error" }, data: { zonea: { caughtUp: false } } }],
        ["A init (the trap: 'caught up' with 0/0 shards)", SYNC_A_INIT, { meta: { state: "master", caughtUp: true }, data: { zoneb: { state: "init", caughtUp: false, shards: 0 } } }],
        ["A master", SYNC_A_MASTER, { meta: { state: "master", caughtUp: true }, data: { zoneb: { caughtUp: true } } }],
        // After a forced promotion fenced zonea off (sync_from_all=false): Ceph's words for a source left out.
        ["B master, fenced off from A", `${syncHeader("zoneb")}  metadata sync no sync (zone is master)\n      data sync source: ${CEPH_IDS.zonea} (zonea)\n                        not syncing from zone\n`,
            { meta: { state: "master", caughtUp: true }, data: { zonea: { state: "not-syncing", caughtUp: false } } }],
    ];
    for (const [what, text, want] of table) {
        it(`${what}`, () => {
            const s = parseSyncStatusText(text);
            expect(s.metadata).to.include(want.meta);
            for (const [zone, d] of Object.entries(want.data)) expect(s.data[zone], zone).to.include(d);
        });
    }

    it("behind shards as numbers; header names the zone", () => {
        const s = parseSyncStatusText(SYNC_B_BEHIND);
        expect(s.metadata.behindShards).to.deep.equal([7, 19]);
        expect(s.data.zonea.behindShards).to.deep.equal([115, 119]);
        expect(s.header.zone).to.deep.equal({ id: CEPH_IDS.zoneb, name: "zoneb" });
    });

    it("bucket sync status: per source zone, disabled and not-syncing", () => {
        const text = `${syncHeader("zoneb")}         bucket :velero-backups[x.1])\n\n    source zone ${CEPH_IDS.zonea} (zonea)\n  source bucket velero-backups:x\n                incremental sync: 11/11 shards\n                bucket is caught up with source\n`;
        const b = parseBucketSyncText(text);
        expect(b.zone).to.equal("zoneb");
        expect(b.disabled).to.equal(false);
        expect(b.sources.zonea).to.include({ id: CEPH_IDS.zonea, caughtUp: true, notSyncing: false });
        expect(parseBucketSyncText(`${syncHeader("zoneb")}    source zone ${CEPH_IDS.zonea} (zonea)\n      does not sync from zone zonea\n`).sources.zonea.notSyncing).to.equal(true);
        expect(parseBucketSyncText(`Sync is disabled for bucket velero-backups\n`).disabled).to.equal(true);
    });
});

describe("scripts/rgw checkpoints", () => {
    const period = Period.parse(JSON.stringify({ ...PERIOD, master_zone: CEPH_IDS.zonea }));
    it("status of a secondary, behind: not caught up, with a summary that names the shards", () => {
        const st = zoneStatus(parseSyncStatusText(SYNC_B_BEHIND), period);
        expect(st).to.include({ zone: "zoneb", isMaster: false, metadataMaster: "zonea", readOnly: true, realm: "dr" });
        expect(metadataCaughtUp(st)).to.equal(false);
        expect(statusSummary(st)).to.match(/^metadata syncing, incremental 64\/64 shards, behind shards \[7,19\], oldest change not applied .*; data from zonea syncing/);
    });

    it("a zone with no data sync source for a peer: state absent, not caught up", () => {
        const st = zoneStatus(parseSyncStatusText(SYNC_A_MASTER.replace(/data sync source[\s\S]*/, "")), period);
        expect(st.dataSync.zoneb).to.include({ state: "absent", caughtUp: false });
        expect(metadataCaughtUp(st)).to.equal(true);
        expect(allCaughtUp(st)).to.equal(false);
        expect(allCaughtUp(zoneStatus(parseSyncStatusText(SYNC_A_MASTER), period))).to.equal(true);
    });

    it("a source the zone is fenced off from (\"not syncing from zone\") is not waited for", () => {
        const fenced = SYNC_A_MASTER.replace(/(data sync source: [^\n]*\n)[\s\S]*/, "$1                        not syncing from zone\n");
        const st = zoneStatus(parseSyncStatusText(fenced), period);
        expect(st.dataSync.zoneb).to.include({ state: "not-syncing", caughtUp: false });
        expect(allCaughtUp(st)).to.equal(true);
    });

    it("really running and realm epochs from `metadata sync status` JSON", () => {
        const md = (status: string, shards: number, epoch?: number) => parseSyncInfo(JSON.stringify({ sync_status: { info: { status, num_shards: shards, realm_epoch: epoch }, markers: [] } }));
        expect(notRunningReason("metadata sync", md("init", 0))).to.equal("metadata sync init with 0 shards");
        expect(notRunningReason("metadata sync", md("sync", 0))).to.equal("metadata sync sync with 0 shards");
        expect(notRunningReason("metadata sync", md("sync", 64))).to.equal("");
        expect(metadataEpochsBehind(md("sync", 64, 1), period)).to.equal(2);
        expect(metadataEpochsBehind(md("sync", 64, 3), period)).to.equal(undefined);
        expect(metadataEpochsBehind(md("sync", 64), period)).to.equal(undefined);
    });
});

describe("scripts/rgw bucketVerdict (the Velero bucket itself caught up)", () => {
    const block = (name: string, body: string) => `    source zone ${name}-id (${name})\n  source bucket :b[x.1])\n${body}`;
    const text = (...blocks: string[]) => `           zone zb-id (zoneb)\n         bucket :b[x.1])\n\n${blocks.join("\n")}`;
    const CAUGHT = "                incremental sync on 11 shards\n                bucket is caught up with source\n";
    const BEHIND = "                incremental sync on 11 shards\n                bucket is behind on 2 shards\n                behind shards: [3,4]\n";
    const cases: [string, string, boolean, string[]][] = [
        ["every source caught up", text(block("zonea", CAUGHT), block("zonec", CAUGHT)), true, []],
        ["one source behind names it and its shards", text(block("zonea", CAUGHT), block("zonec", BEHIND)), false, ["zonec: incremental, behind shards [3,4], not caught up"]],
        ["a source the zone does not sync from (a fence) is left out",
            text(block("zonea", CAUGHT), "    source zone zonec-id (zonec)\n                does not sync from zone zonec\n"), true, []],
        ["no source at all is not caught up", text(), false, ["no source zone syncs the bucket to this zone"]],
        ["sync disabled is not caught up", `${text(block("zonea", CAUGHT))}Sync is disabled for bucket b\n`, false, ["sync is disabled for the bucket"]],
        ["Pacific's full sync still running is not caught up",
            text(block("zonea", "                full sync: 3/11 shards\n                incremental sync: 8/11 shards\n                bucket is caught up with source\n")), false, ["zonea: full"]],
    ];
    for (const [what, input, caughtUp, lagging] of cases) {
        it(what, () => {
            const v = bucketVerdict(parseBucketSyncText(input));
            expect(v.caughtUp).to.equal(caughtUp);
            expect(v.lagging).to.deep.equal(lagging);
        });
    }
});

describe("scripts/rgw olderZoneFeedsNewer (a Pacific zone taking the writes strands newer zones)", () => {
    const periodWith = (features: Record<string, string[] | undefined>) => Period.parse(JSON.stringify({
        id: "p", epoch: 1, realm_epoch: 2, realm_id: "r", realm_name: "dr", master_zone: "a-id",
        period_map: { zonegroups: [{ name: "global", zones: Object.entries(features).map(([name, f]) => ({ id: `${name}-id`, name, ...(f ? { supported_features: f } : {}) })) }] },
    }));
    const PACIFIC = "ceph version 16.2.15 (618f) pacific (stable)";
    const REEF = "ceph version 18.2.7 (6b0e) reef (stable)";
    const TENTACLE = "ceph version 20.2.4 (7f79) tentacle (stable - RelWithDebInfo)";
    const rows: [string, Record<string, string[] | undefined>, string | undefined, ReturnType<typeof olderZoneFeedsNewer>][] = [
        ["Pacific zone, Reef peer", { zonea: ["resharding"], zoneb: undefined }, PACIFIC, { basis: "version", newerPeers: ["zonea"] }],
        ["Pacific zone, Pacific peer", { zonea: undefined, zoneb: undefined }, PACIFIC, undefined],
        ["Reef zone, Reef peer", { zonea: ["resharding"], zoneb: ["resharding"] }, REEF, undefined],
        ["Reef zone that has not advertised, Reef peer (version decides)", { zonea: ["resharding"], zoneb: undefined }, REEF, undefined],
        ["Tentacle zone, Pacific peer (the newer zone may take the writes)", { zonea: undefined, zoneb: undefined }, TENTACLE, undefined],
        ["no version: no features on the zone, a peer with them", { zonea: ["resharding"], zoneb: undefined }, undefined, { basis: "features", newerPeers: ["zonea"] }],
        ["no version: both advertise", { zonea: ["resharding"], zoneb: ["resharding"] }, undefined, undefined],
        ["empty feature list counts as none", { zonea: [], zoneb: undefined }, PACIFIC, undefined],
        ["two newer peers, named sorted", { zonec: ["resharding"], zonea: ["resharding"], zoneb: undefined }, PACIFIC, { basis: "version", newerPeers: ["zonea", "zonec"] }],
    ];
    for (const [what, features, version, want] of rows) {
        it(what, () => expect(olderZoneFeedsNewer(periodWith(features), "global", "zoneb", version)).to.deep.equal(want));
    }
    it("a peer's own --version wins over its period entry (a Pacific commit drops every zone's features)", () => {
        const none = periodWith({ zonea: undefined, zoneb: undefined });
        expect(olderZoneFeedsNewer(none, "global", "zoneb", PACIFIC, { zonea: REEF })).to.deep.equal({ basis: "version", newerPeers: ["zonea"] });
        expect(olderZoneFeedsNewer(periodWith({ zonea: ["resharding"], zoneb: undefined }), "global", "zoneb", PACIFIC, { zonea: PACIFIC })).to.equal(undefined);
        expect(olderZoneFeedsNewer(none, "global", "zoneb", PACIFIC, { zonea: "{}" })).to.equal(undefined);
    });
    it("parseCephVersion reads major and minor of all three releases, and nothing else", () => {
        expect([PACIFIC, REEF, TENTACLE, "{}", ""].map(parseCephVersion)).to.deep.equal([
            { major: 16, minor: 2 }, { major: 18, minor: 2 }, { major: 20, minor: 2 }, undefined, undefined]);
    });
});

describe("scripts/rgw transport", () => {
    it("word-splits prefixes as bash does for RGW_ADMIN", () => {
        expect(splitCommand("  cephadm shell --  radosgw-admin ")).to.deep.equal(["cephadm", "shell", "--", "radosgw-admin"]);
        expect(splitCommand(undefined)).to.deep.equal([]);
    });

    it("redacts the values of --access-key/--secret and every secret of 4+ characters", () => {
        expect(redactArgs(["zone", "modify", "--access-key", "AK12345", "--secret=SK12345"])).to.equal("zone modify --access-key *** --secret=***");
        expect(redact("key AK12345 and abc", ["AK12345", "abc"])).to.equal("key *** and abc");
    });

    it("runs radosgw-admin as a process with stdin closed, keeping stdout and stderr apart", async () => {
        const admin = new ProcessAdmin(["sh", "-c", 'read x; echo "out:$x"; echo err >&2; exit 3', "sh"]);
        expect(await admin.admin([])).to.deep.equal({ code: 3, stdout: "out:\n", stderr: "err\n" });
        const missing = await new ProcessAdmin(["/nonexistent/radosgw-admin"]).admin(["zone", "get"]);
        expect(missing.code).to.equal(127);
    });
});
