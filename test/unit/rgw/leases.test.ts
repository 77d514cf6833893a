// The pure half of the gateway-reload and sync-lease handling (scripts/rgw/leases.ts) and the
// `rados` prefix derivation (transport.ts), table-driven; outputs are the shapes Ceph 16.2.15 printed.
import { expect } from "chai";
import { parseLockers, parseWatchers, reloaded, staleLockers, syncLeaseObjects } from "../../../scripts/rgw/leases";
import { radosPrefix } from "../../../scripts/rgw/transport";
import { parseSyncInfo } from "../../../scripts/rgw/models";

describe("sync leases and gateway reloads (scripts/rgw/leases.ts)", () => {
    it("parseWatchers reads `rados listwatchers` (one client per watch; none when empty)", () => {
        const text = "watcher=10.213.5.12:0/1092302353 client.4236 cookie=139924464838448\nwatcher=10.213.5.13:0/77 client.4301 cookie=1\nwatcher=10.213.5.12:0/1092302353 client.4236 cookie=139924464831200\n";
        expect(parseWatchers(text)).to.deep.equal(["client.4236", "client.4301"]);
        expect(parseWatchers("")).to.deep.equal([]);
        expect(() => parseWatchers("error: (2) No such file or directory")).to.throw(/unexpected line/);
    });

    it("parseLockers reads `rados lock info` JSON and refuses other shapes", () => {
        const info = '{"name":"sync_lock","type":"exclusive","tag":"","lockers":[{"name":"client.4236","cookie":"gWNeJYYcA37Orsf","description":"","expiration":"2026-11-30T13:57:08.629385+0000","addr":"10.213.5.12:0/1092302353"}]}';
        expect(parseLockers(info)).to.deep.equal([{ name: "client.4236", cookie: "gWNeJYYcA37Orsf" }]);
        expect(parseLockers('{"name":"sync_lock","lockers":[]}')).to.deep.equal([]);
        expect(() => parseLockers('{"name":"sync_lock"}')).to.throw(/no lockers/);
        expect(() => parseLockers('{"lockers":[{"name":"client.1"}]}')).to.throw(/without name or cookie/);
    });

    const cases: Array<[string, string[], string[], string[]]> = [
        ["a locker that is not a running gateway is stale", ["client.1"], ["client.2"], ["client.1"]],
        ["a running gateway's lease is never stale", ["client.2"], ["client.2"], []],
        ["with no running gateway seen nothing is stale (a failed or early listing)", ["client.1"], [], []],
        ["several gateways: only the gone one", ["client.1", "client.2", "client.3"], ["client.2", "client.3"], ["client.1"]],
    ];
    for (const [name, holders, live, stale] of cases) {
        it(`staleLockers: ${name}`, () => {
            expect(staleLockers(holders.map((n) => ({ name: n, cookie: "c" })), live).map((l) => l.name)).to.deep.equal(stale);
        });
    }

    const reloads: Array<[string, string[], string[], boolean]> = [
        ["every old client gone, a new one running", ["client.1"], ["client.2"], true],
        ["the old client still runs", ["client.1"], ["client.1"], false],
        ["one of two gateways reloaded so far", ["client.1", "client.2"], ["client.2", "client.3"], false],
        ["both reloaded", ["client.1", "client.2"], ["client.3", "client.4"], true],
        ["no gateway runs (stopped, not reloaded)", ["client.1"], [], false],
    ];
    for (const [name, before, now, want] of reloads) {
        it(`reloaded: ${name}`, () => expect(reloaded(before, now)).to.equal(want));
    }

    it("syncLeaseObjects names each data shard per source zone, then the metadata shards", () => {
        expect(syncLeaseObjects({ data: [{ sourceZoneId: "za", shards: [0, 109] }, { sourceZoneId: "zc", shards: [3] }], metadata: [5, 7] })).to.deep.equal([
            "datalog.sync-status.shard.za.0", "datalog.sync-status.shard.za.109", "datalog.sync-status.shard.zc.3", "mdlog.sync-status.shard.5", "mdlog.sync-status.shard.7",
        ]);
        expect(syncLeaseObjects({ data: [], metadata: [] })).to.deep.equal([]);
    });

    it("parseSyncInfo: the shards that carried a change (marker) or are in full sync, Pacific's and Reef's shapes", () => {
        const markers = (vals: object[]) => JSON.stringify({ sync_status: { info: { status: "sync", num_shards: vals.length }, markers: vals.map((val, key) => ({ key, val })) } });
        // Pacific: numeric state (0 full, 1 incremental)
        expect(parseSyncInfo(markers([{ state: 1, marker: "" }, { state: 1, marker: "1_1764512345.1_7.1" }, { state: 0, marker: "" }])).usedShards).to.deep.equal([1, 2]);
        // Reef (18.2.7, as the bench lab printed it): a status string
        expect(parseSyncInfo(markers([{ status: "incremental-sync", marker: "" }, { status: "incremental-sync", marker: "00000000000000000000:00000000000000000012" }, { status: "full-sync", marker: "" }])).usedShards).to.deep.equal([1, 2]);
    });
});

describe("the rados prefix (RGW_RADOS, else from RGW_ADMIN)", () => {
    const cases: Array<[string, Record<string, string | undefined>, string[]]> = [
        ["default radosgw-admin", {}, ["rados"]],
        ["cluster options kept", { RGW_ADMIN: "radosgw-admin -c /etc/ceph/site.conf --cluster b" }, ["rados", "-c", "/etc/ceph/site.conf", "--cluster", "b"]],
        ["a wrapper before it kept", { RGW_ADMIN: "kubectl -n rook-ceph exec deploy/rook-ceph-tools -- radosgw-admin" }, ["kubectl", "-n", "rook-ceph", "exec", "deploy/rook-ceph-tools", "--", "rados"]],
        ["a path", { RGW_ADMIN: "chroot /r /usr/bin/radosgw-admin -c x" }, ["chroot", "/r", "/usr/bin/rados", "-c", "x"]],
        ["no radosgw-admin word: none", { RGW_ADMIN: "/opt/bin/rgw-admin-wrapper" }, []],
        ["RGW_RADOS wins", { RGW_ADMIN: "radosgw-admin", RGW_RADOS: "ssh ceph1 rados" }, ["ssh", "ceph1", "rados"]],
        ["RGW_RADOS empty: none", { RGW_ADMIN: "radosgw-admin", RGW_RADOS: "" }, []],
    ];
    for (const [name, env, want] of cases) {
        it(name, () => expect(radosPrefix(env)).to.deep.equal(want));
    }
});
