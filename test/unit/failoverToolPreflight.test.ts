// The preflight's judgement (scripts/failover/preflight.ts) over the JSON rgw-multisite.sh prints
// (`status`, `backup-objects`, read through the models of scripts/failover/rgw.ts): findings and
// the verdict, table by table.
import { expect } from "chai";
import {
    Finding, Findings, ObjectsInput, decide, describeSync, findingLine, judgeBackupObjects, judgeZones, requiredBackupFiles,
} from "../../scripts/failover/preflight";
import { backupObjectsFrom, parseJsonText, RgwOutputError, zoneStatusFrom } from "../../scripts/failover/rgw";

const NAME = "every-6h-20261124060000";
const CAUGHT_UP = { state: "syncing", caughtUp: true, shards: 64, incrementalShards: 64, fullSyncShards: 0, behindShards: [] };
const BEHIND = { state: "syncing", caughtUp: false, shards: 64, incrementalShards: 64, behindShards: [7, 19], oldestChange: "2026-11-24T06:10:00Z" };

/** `rgw-multisite.sh status` of zoneb, a secondary of zonea (as the script prints it). */
function statusB(over: Record<string, unknown> = {}) {
    return zoneStatusFrom({
        zone: "zoneb", zoneId: "b-id", zonegroup: "global", realm: "dr", realmId: "r-id", period: "p-1", periodEpoch: 3,
        metadataMaster: "zonea", isMaster: false, readOnly: false, metadataSync: CAUGHT_UP, dataSync: { zonea: CAUGHT_UP }, ...over,
    });
}
const statusA = (over: Record<string, unknown> = {}) =>
    zoneStatusFrom({ zone: "zonea", zonegroup: "global", realm: "dr", period: "p-1", metadataMaster: "zonea", isMaster: true, readOnly: false, metadataSync: { state: "master" }, dataSync: { zoneb: CAUGHT_UP }, ...over });

/** `rgw-multisite.sh backup-objects` of a complete backup on ZONE. */
function objects(zone: string, peer: string, opts: { without?: string[]; extra?: string[]; peerSync?: Record<string, unknown>; pvbCount?: number; pvbBytes?: number; sizes?: Record<string, number> } = {}) {
    // Sizes by position in the whole list, so that leaving a file out changes no other file.
    const names = [...requiredBackupFiles(NAME), ...(opts.extra ?? [])].map((n, i) => [n, i] as const).filter(([n]) => !(opts.without ?? []).includes(n));
    return backupObjectsFrom({
        zone, bucket: "velero-backups", backup: NAME, prefix: `backups/${NAME}/`,
        ...(opts.pvbCount !== undefined ? { podVolumeBackups: opts.pvbCount } : {}),
        objects: names.map(([n, i]) => ({
            name: `backups/${NAME}/${n}`,
            size: opts.sizes?.[n] ?? (n.endsWith("-podvolumebackups.json.gz") ? opts.pvbBytes ?? 25 : 1000 + i),
            etag: `etag-${n}`,
            mtime: "2026-11-24T06:11:00Z",
        })),
        bucketSync: { [peer]: opts.peerSync ?? { caughtUp: true, state: "incremental", behindShards: [] } },
    });
}

const lines = (fs: Finding[]) => fs.map(findingLine);
const kinds = (fs: Finding[], kind: Finding["kind"]) => fs.filter((f) => f.kind === kind).map((f) => f.text);

describe("failover tool: preflight judgement", () => {
    describe("the zones", () => {
        const cases: Array<[string, ReturnType<typeof statusB>, ReturnType<typeof statusA> | undefined, string[], RegExp[]]> = [
            ["caught up, other zone agreeing", statusB(), statusA(), [], [/^ok: metadata of zoneb caught up with zonea$/, /^ok: data of zoneb caught up with zonea$/, /^other zone zonea: metadata master$/]],
            ["already the master", statusB({ isMaster: true, metadataMaster: "zoneb" }), undefined, [], [/^ok: zone zoneb is already the metadata master: the promotion is a no-op$/]],
            ["metadata behind",
                statusB({ metadataSync: BEHIND }), undefined,
                ["metadata sync of zoneb is not caught up with zonea (syncing, incremental 64/64 shards, behind shards [7,19], oldest change not applied 2026-11-24T06:10:00Z)"], []],
            ["data behind", statusB({ dataSync: { zonea: { state: "error", error: "failed to fetch master sync status", caughtUp: false } } }), undefined,
                ["data sync of zoneb from zonea is not caught up (failed to fetch master sync status)"], []],
            ["no data source", statusB({ dataSync: {} }), undefined, ["zone zoneb has no data sync source"], []],
            ["no metadata sync reported", statusB({ metadataSync: undefined }), undefined, ["metadata sync of zoneb is not caught up with zonea (unknown)"], []],
            ["zones disagree on the master", statusB(), statusA({ metadataMaster: "zoneb", isMaster: false }),
                ["the zones disagree on the metadata master (zoneb says zonea, zonea says zoneb)"], [/^other zone zonea: secondary of zoneb$/]],
            ["a read-only secondary is said so", statusB({ readOnly: true }), undefined, [], [/^zone zoneb \(zonegroup global, realm dr, period p-1\): secondary of zonea, read-only$/]],
        ];
        for (const [what, target, other, problems, shown] of cases) {
            it(what, () => {
                const f = judgeZones(target, other);
                expect(kinds(f, "problem")).to.deep.equal(problems);
                for (const re of shown) expect(lines(f)).to.satisfy((ls: string[]) => ls.some((l) => re.test(l)), re.source);
                for (const p of f.filter((x) => x.kind === "problem")) expect((p as { risk: string }).risk).to.not.equal("");
            });
        }

        it("a metadata problem says what --force would lose", () => {
            const [problem] = judgeZones(statusB({ metadataSync: BEHIND })).filter((f) => f.kind === "problem") as Array<{ risk: string }>;
            expect(problem.risk).to.equal("users, buckets and bucket policies created on zonea and not yet replicated are lost for zoneb and overwritten when zonea returns");
        });

        it("describes a sync state the way on-call reads it", () => {
            expect(describeSync({ caughtUp: true, behindShards: ["1"] })).to.equal("caught up");
            expect(describeSync({ caughtUp: false, state: "init", shards: 0, behindShards: [] })).to.equal("init");
            expect(describeSync({ caughtUp: false, behindShards: [] })).to.equal("unknown");
        });
    });

    describe("a backup's objects on the target zone", () => {
        const base = (over: Partial<ObjectsInput> = {}): ObjectsInput => ({ backup: NAME, site: "site-b", target: objects("zoneb", "zonea"), otherLost: false, ...over });
        const cases: Array<[string, ObjectsInput, string[], RegExp[], RegExp[]]> = [
            ["complete, the other zone not compared", base(), [], [], [/^ok: all 9 files Velero writes for every-6h-20261124060000 are on zone zoneb \(the other zone was not compared\)$/, /^backup every-6h-20261124060000: 9 objects, \d+ bytes on zone zoneb$/]],
            ["complete, equal to the other zone", base({ other: objects("zonea", "zoneb") }), [], [], [/^ok: all 9 objects of every-6h-20261124060000 on zone zonea are on zone zoneb$/]],
            ["the tarball not replicated yet", base({ target: objects("zoneb", "zonea", { without: [`${NAME}.tar.gz`] }) }),
                [`backup ${NAME} is incomplete on zone zoneb: missing ${NAME}.tar.gz`], [], []],
            ["several files missing, not counted twice against the other zone",
                base({ target: objects("zoneb", "zonea", { without: [`${NAME}-results.gz`, `${NAME}-volumeinfo.json.gz`] }), other: objects("zonea", "zoneb") }),
                [`backup ${NAME} is incomplete on zone zoneb: missing ${NAME}-results.gz, ${NAME}-volumeinfo.json.gz`], [], []],
            ["a CSI list only the other zone holds", base({ other: objects("zonea", "zoneb", { extra: [`${NAME}-csi-volumesnapshots.json.gz`] }) }),
                [`zone zoneb lacks 1 of the 10 objects zone zonea holds for ${NAME}: ${NAME}-csi-volumesnapshots.json.gz (absent)`], [], []],
            ["an object of another size", base({ other: objects("zonea", "zoneb", { sizes: { [`${NAME}.tar.gz`]: 5 } }) }),
                [`zone zoneb lacks 1 of the 9 objects zone zonea holds for ${NAME}: ${NAME}.tar.gz (differs)`], [], []],
            ["more than five differences are cut", base({ other: objects("zonea", "zoneb", { extra: ["a", "b", "c", "d", "e", "f"] }) }),
                [`zone zoneb lacks 6 of the 15 objects zone zonea holds for ${NAME}: a (absent), b (absent), c (absent), d (absent), e (absent), ...`], [], []],
            ["the bucket (kopia data) behind", base({ target: objects("zoneb", "zonea", { peerSync: { caughtUp: false, state: "incremental", behindShards: [3] } }) }),
                ["bucket velero-backups on zone zoneb is not caught up with zonea (incremental, behind shards [3])"], [], []],
            ["the bucket behind a lost site: what may be missing, not a problem",
                base({ otherLost: true, target: objects("zoneb", "zonea", { peerSync: { caughtUp: false, state: "error", error: "failed to read remote status: (5) Input/output error", behindShards: [] } }) }),
                [], [/^bucket velero-backups on zone zoneb is not caught up with zonea \(error, failed to read remote status: \(5\) Input\/output error\): backups newer than the last replication/], []],
            ["a lost site's data sync, with the zone's status (restore)",
                base({ otherLost: true, targetStatus: statusB({ dataSync: { zonea: { state: "error", error: "failed to fetch master sync status", caughtUp: false, oldestChange: "t0" } } }) }),
                [], [/^data sync of zone zoneb from zonea is not caught up \(failed to fetch master sync status, oldest change not applied t0\): what zonea wrote after that is not here$/], []],
            ["a zone fenced off from the other by a forced promotion: what may be missing, without --lost-site",
                base({ targetStatus: statusB({ dataSync: { zonea: { state: "absent", error: "no data sync source for this zone", caughtUp: false, behindShards: [] } } }) }),
                [], [/^zone zoneb does not sync from zonea \(fenced off by a forced promotion until the failover stack readmits it\): what zonea wrote since then is not here$/], []],
            ["the same with Ceph's own words for it (\"not syncing from zone\")",
                base({ targetStatus: statusB({ dataSync: { zonea: { state: "not-syncing", caughtUp: false, behindShards: [] } } }) }),
                [], [/^zone zoneb does not sync from zonea \(fenced off by a forced promotion/], []],
            ["the lost site's own files still required", base({ otherLost: true, target: objects("zoneb", "zonea", { without: [`${NAME}-podvolumebackups.json.gz`] }) }),
                [`backup ${NAME} is incomplete on zone zoneb: missing ${NAME}-podvolumebackups.json.gz`], [], []],
            ["a zone read-only in Ceph refuses the restore's writes", base({ targetStatus: statusB({ readOnly: true }) }),
                ["zone zoneb is read-only in Ceph (strictReadOnlyPassive, or fenced by a switch): RGW refuses the restore logs and results Velero writes under restores/, so the restore fails; make site-b the active site first (failover.sh switch --to site-b)"], [], []],
            ["the bucket's sync with itself is ignored", base({ target: objects("zoneb", "zoneb", { peerSync: { caughtUp: false } }) }), [], [], []],
        ];
        for (const [what, input, problems, lost, shown] of cases) {
            it(what, () => {
                const { findings } = judgeBackupObjects(input);
                expect(kinds(findings, "problem")).to.deep.equal(problems);
                const mayBeMissing = kinds(findings, "lost");
                expect(mayBeMissing).to.have.length(lost.length);
                lost.forEach((re, i) => expect(mayBeMissing[i]).to.match(re));
                for (const re of shown) expect(lines(findings)).to.satisfy((ls: string[]) => ls.some((l) => re.test(l)), re.source);
            });
        }

        it("reports the bucket's PodVolumeBackup list: its length when listed, else its size", () => {
            expect(judgeBackupObjects(base({ target: objects("zoneb", "zonea", { pvbCount: 2, pvbBytes: 640 }) })).podVolumeList).to.deep.equal({ count: 2 });
            expect(judgeBackupObjects(base({ target: objects("zoneb", "zonea", { pvbBytes: 480 }) })).podVolumeList).to.deep.equal({ bytes: 480 });
            expect(judgeBackupObjects(base({ target: objects("zoneb", "zonea", { without: [`${NAME}-podvolumebackups.json.gz`] }) })).podVolumeList).to.equal(undefined);
        });
    });

    describe("the verdict", () => {
        const findings = (...fs: Finding[]) => {
            const f = new Findings();
            fs.forEach((x) => f.add(x));
            return f;
        };
        const P1: Finding = { kind: "problem", text: "metadata behind", risk: "metadata lost" };
        const P2: Finding = { kind: "problem", text: "data behind", risk: "objects missing" };
        const B: Finding = { kind: "blocker", text: "site-a does not answer" };
        const cases: Array<[string, Findings, "preflight" | "switch", boolean, ReturnType<typeof decide>]> = [
            ["GO (preflight)", findings({ kind: "ok", text: "x" }), "preflight", false,
                { go: true, verdict: `GO: site-b can become the active site (zone zoneb caught up, newest backup ${NAME} complete there)` }],
            ["GO (switch goes on)", findings(), "switch", false, { go: true }],
            ["problems refuse, with what --force accepts", findings(P1, P2), "preflight", false, {
                go: false,
                stderr: ["failover.sh: refused: 2 problem(s):", "    metadata behind", "    data behind",
                    "what switching with --force would accept (only if you accept it, add --force to the switch):", "    - metadata lost", "    - objects missing"],
                verdict: "NOT SAFE to make site-b active: metadata behind (and 1 more)",
            }],
            ["--force accepts problems on a switch", findings(P1), "switch", true, { go: true, forcedRisks: ["metadata lost"] }],
            ["--force means nothing to a preflight", findings(P1), "preflight", true, {
                go: false,
                stderr: ["failover.sh: refused: 1 problem(s):", "    metadata behind", "what switching with --force would accept (only if you accept it, add --force to the switch):", "    - metadata lost"],
                verdict: "NOT SAFE to make site-b active: metadata behind",
            }],
            ["a blocker is not overridden by --force", findings(P1, B), "switch", true,
                { go: false, stderr: ["failover.sh: refused: site-a does not answer"], verdict: "NOT SAFE to make site-b active: site-a does not answer (--force does not override this)" }],
            ["lost-site notes do not block", findings({ kind: "lost", text: "bucket behind" }), "switch", false, { go: true }],
        ];
        for (const [what, f, mode, force, expected] of cases) {
            it(what, () => expect(decide(f, { mode, force, to: "site-b", targetZone: "zoneb", newest: NAME })).to.deep.equal(expected));
        }

        it("GO without a backup checked does not name one", () => {
            expect(decide(findings(), { mode: "preflight", force: false, to: "site-a", targetZone: "zonea" })).to.deep.equal({ go: true, verdict: "GO: site-a can become the active site (zone zonea caught up)" });
        });
    });

    describe("models from rgw-multisite.sh's JSON", () => {
        it("reads JSON after a banner line, and says which output did not parse", () => {
            expect(parseJsonText('Inferring fsid 1234\n{"zone":"zoneb"}', "x")).to.deep.equal({ zone: "zoneb" });
            expect(() => parseJsonText("no json here", "rgw-multisite.sh status")).to.throw(RgwOutputError, "could not parse the output of rgw-multisite.sh status as JSON");
        });

        it("is lenient with missing fields and strict with types", () => {
            const s = zoneStatusFrom({ zone: "zoneb", isMaster: "true", dataSync: { zonea: { caughtUp: "yes", behindShards: [1, 2] } } });
            expect(s).to.deep.include({ zone: "zoneb", isMaster: false, readOnly: false, metadataSync: undefined });
            expect(s.dataSync.zonea).to.deep.include({ caughtUp: false, behindShards: ["1", "2"] });
            expect(backupObjectsFrom(null)).to.deep.equal({
                zone: undefined, bucket: undefined, backup: undefined, prefix: undefined, podVolumeBackups: undefined, objects: [], bucketSync: {},
            });
        });
    });
});
