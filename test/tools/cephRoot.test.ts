// scripts/lab/ceph-root.sh without building anything: argument handling, and how a root is read back
// (path, version, list) from a cache folder the test lays out itself. Building is checked by
// cephRoots.built.test.ts (npm run test:ceph-roots) on a machine where the roots were built.
import { expect } from "chai";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPT = path.resolve(__dirname, "..", "..", "scripts", "lab", "ceph-root.sh");

interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

function cephRoot(cache: string, ...args: string[]): Promise<RunResult> {
    return new Promise((resolve) => {
        execFile("bash", [SCRIPT, ...args], { env: { ...process.env, VCDR_CACHE: cache }, timeout: 20_000 }, (err, stdout, stderr) => {
            const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
            resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
        });
    });
}

describe("scripts/lab/ceph-root.sh (nothing built)", () => {
    let cache: string;
    beforeEach(() => {
        cache = fs.mkdtempSync(path.join(os.tmpdir(), "vcdr-ceph-root-"));
    });
    afterEach(() => {
        fs.rmSync(cache, { recursive: true, force: true });
    });

    for (const [command, version] of [
        ["build", "19.2"],
        ["build", "18"],
        ["path", "17.2"],
        ["version", "reef"],
    ]) {
        it(`${command} ${version}: refused, naming the allowed versions, before touching the cache`, async () => {
            const r = await cephRoot(cache, command, version);
            expect(r.code).to.equal(2);
            expect(r.stderr).to.contain(`unknown Ceph version '${version}'`);
            for (const allowed of ["16.2", "18.2", "20.2"]) expect(r.stderr).to.contain(allowed);
            expect(r.stdout).to.equal("");
            expect(fs.readdirSync(cache)).to.deep.equal([]);
        });
    }

    it("no subcommand, an unknown one or a missing VERSION: usage, exit 2", async () => {
        for (const args of [[], ["frob", "18.2"], ["build"], ["path", "18.2", "extra"], ["list", "18.2"]]) {
            const r = await cephRoot(cache, ...args);
            expect(r.code, `ceph-root.sh ${args.join(" ")}`).to.equal(2);
            expect(r.stderr, `ceph-root.sh ${args.join(" ")}`).to.contain("usage: ceph-root.sh build VERSION");
        }
    });

    it("path of an unbuilt version fails with the build command to run", async () => {
        for (const version of ["18.2", "20.2"]) {
            const r = await cephRoot(cache, "path", version);
            expect(r.code).to.equal(1);
            expect(r.stdout).to.equal("");
            expect(r.stderr).to.contain(`Ceph ${version} root is not built (${cache}/ceph-roots/${version})`);
            expect(r.stderr).to.contain(`ceph-root.sh build ${version}`);
        }
    });

    it("version of an unbuilt version fails the same way", async () => {
        const r = await cephRoot(cache, "version", "20.2");
        expect(r.code).to.equal(1);
        expect(r.stdout).to.equal("");
        expect(r.stderr).to.contain("ceph-root.sh build 20.2");
    });

    it("16.2 is the host's Ceph: path is empty, build has nothing to do", async () => {
        const p = await cephRoot(cache, "path", "16.2");
        expect(p.code).to.equal(0);
        expect(p.stdout).to.equal("\n");
        const b = await cephRoot(cache, "build", "16.2");
        expect(b.code).to.equal(0);
        expect(b.stderr).to.contain("nothing to build");
        expect(fs.readdirSync(cache)).to.deep.equal([]);
    });

    it("contents names the packages of a root, ceph-mgr among them, and Reef's cffi bcrypt", async () => {
        const reef = await cephRoot(cache, "contents", "18.2");
        const tentacle = await cephRoot(cache, "contents", "20.2");
        expect(reef.code).to.equal(0);
        expect(reef.stdout.split("\n")).to.include.members(["ceph-mon", "ceph-osd", "ceph-mgr", "ceph-mgr-modules-core", "radosgw", "ceph-common", "cffi-bcrypt"]);
        expect(tentacle.stdout.split("\n")).to.include("ceph-mgr").and.not.include("cffi-bcrypt");
        expect((await cephRoot(cache, "contents", "19.2")).code).to.equal(2);
    });

    it("list with nothing built prints no root and says how to build one", async () => {
        const r = await cephRoot(cache, "list");
        expect(r.code).to.equal(0);
        expect(r.stdout).to.equal("");
        expect(r.stderr).to.contain("no Ceph roots built");
    });

    it("a root counts as built only with its marker; an interrupted build (.partial) never does", async () => {
        const roots = path.join(cache, "ceph-roots");
        const line = "ceph version 18.2.7 (0000000000000000000000000000000000000000) reef (stable)";
        fs.mkdirSync(path.join(roots, "18.2"), { recursive: true });
        fs.writeFileSync(path.join(roots, "18.2", ".velero-ceph-dr-built"), `${line}\n`);
        // What a complete root records it holds (a root without it is topped up by `build`).
        const contents = await cephRoot(cache, "contents", "18.2");
        fs.writeFileSync(path.join(roots, "18.2", ".velero-ceph-dr-contents"), contents.stdout);
        // A build of 20.2 that was killed after its marker was written but before the rename.
        fs.mkdirSync(path.join(roots, "20.2.partial"), { recursive: true });
        fs.writeFileSync(path.join(roots, "20.2.partial", ".velero-ceph-dr-built"), "ceph version 20.2.4 (x) tentacle (stable)\n");

        const p = await cephRoot(cache, "path", "18.2");
        expect(p.code).to.equal(0);
        expect(p.stdout).to.equal(`${roots}/18.2\n`);
        const v = await cephRoot(cache, "version", "18.2");
        expect(v.code).to.equal(0);
        expect(v.stdout).to.equal(`${line}\n`);
        const b = await cephRoot(cache, "build", "18.2");
        expect(b.code, b.stderr).to.equal(0);
        expect(b.stdout).to.equal(`${roots}/18.2\n`);
        expect(b.stderr).to.contain("root is built");

        const partial = await cephRoot(cache, "path", "20.2");
        expect(partial.code).to.equal(1);
        expect(partial.stderr).to.contain("not built");
        const l = await cephRoot(cache, "list");
        expect(l.code).to.equal(0);
        expect(l.stdout).to.equal(`18.2\t${roots}/18.2\t${line}\n`);
        expect(l.stderr).to.contain(`incomplete build (the next build starts it over): ${roots}/20.2.partial`);
    });
});
