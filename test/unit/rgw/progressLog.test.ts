// RGW_PROGRESS_LOG: the tool's progress lines, also appended to a file with their time (issue 17:
// where a switch spends its time), through the whole CLI with the in-memory transport.
import { expect } from "chai";
import { runCli, withProgressLog } from "../../../scripts/rgw/cli";
import { FakeAdmin, FakeRestarter } from "../../../scripts/rgw/transport";
import { KEYS, joinedState, period } from "./fixtures";
import { SYNC_B_CAUGHT_UP } from "../../script/cephSyncText";

describe("RGW_PROGRESS_LOG (scripts/rgw/cli.ts)", () => {
    it("appends each non-empty line with its time and pid; stderr unchanged; no file: stderr only", () => {
        const written: Array<[string, string]> = [];
        let shown = "";
        const log = withProgressLog((t) => (shown += t), "/tmp/p.log", () => Date.UTC(2026, 10, 30, 14, 0, 0, 250), (f, t) => written.push([f, t]), "promote[42]");
        log("==> promoting zone zoneb\n    detail\n\n");
        expect(shown).to.equal("==> promoting zone zoneb\n    detail\n\n");
        expect(written).to.deep.equal([["/tmp/p.log", "2026-11-30T14:00:00.250Z promote[42] ==> promoting zone zoneb\n2026-11-30T14:00:00.250Z promote[42]     detail\n"]]);
        const plain = (t: string) => t;
        expect(withProgressLog(plain, undefined, Date.now, () => { throw new Error("never"); }, "x")).to.equal(plain);
    });

    it("a promotion's steps land in the file, redacted like stderr, and a file that cannot be written does not stop it", async () => {
        const files: string[] = [];
        let now = 0;
        const run = (append: (f: string, t: string) => void) => runCli(["promote", "--zone", "zoneb", "--zonegroup", "global"], {
            env: { RGW_ADMIN: "radosgw-admin", RGW_RADOS: "", RGW_RESTART: "restart", RGW_WAIT_TIMEOUT: "3", RGW_POLL_INTERVAL: "0.05", RGW_PROGRESS_LOG: "/var/log/switch.log", ...KEYS },
            stdout: () => undefined,
            stderr: () => undefined,
            clock: { now: () => now, sleep: async (ms) => void (now += ms) },
            probe: async () => "answers",
            makeAdmin: () => new FakeAdmin(joinedState({
                "sync status": { out: SYNC_B_CAUGHT_UP },
                "period get": [{ out: period({ master: "zonea" }) }, { out: period({ id: "period-2", master: "zoneb" }) }],
            })),
            makeRestarter: () => new FakeRestarter([]),
            appendFile: append,
        });
        expect(await run((_f, t) => files.push(t))).to.equal(0);
        const text = files.join("");
        expect(text).to.match(/^1970-01-01T00:00:00\.\d{3}Z promote\[\d+\] ==> preflight/m);
        expect(text).to.match(/==> zone zoneb is the metadata master/);
        for (const secret of [KEYS.RGW_SYSTEM_SECRET_KEY, KEYS.RGW_USER_SECRET_KEY]) expect(text).to.not.contain(secret);
        expect(await run(() => { throw new Error("EACCES"); })).to.equal(0);
    });
});
