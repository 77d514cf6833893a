// The Ceph roots built on this machine by scripts/lab/ceph-root.sh (npm run test:ceph-roots; not in
// test:tools, which must pass where nothing was built). A root that is not built fails its test
// with the command to build it: a check that cannot run never passes. Needs root (chroot).
import { expect } from "chai";
import { execFile } from "child_process";
import * as path from "path";

const SCRIPT = path.resolve(__dirname, "..", "..", "scripts", "lab", "ceph-root.sh");

interface RunResult {
    code: number;
    stdout: string;
    stderr: string;
}

function run(file: string, args: string[]): Promise<RunResult> {
    return new Promise((resolve) => {
        execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) => {
            const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
            resolve({ code, stdout: stdout.toString(), stderr: stderr.toString() });
        });
    });
}

const ROOTS = [
    { version: "18.2", release: "reef" },
    { version: "20.2", release: "tentacle" },
];

describe("Ceph roots built by scripts/lab/ceph-root.sh", () => {
    for (const { version, release } of ROOTS) {
        describe(`Ceph ${version} (${release})`, () => {
            const versionLine = new RegExp(`^ceph version ${version.replace(".", "\\.")}\\.\\d+ \\([0-9a-f]{40}\\) ${release} \\(stable`);
            let root = "";

            before(async function () {
                const r = await run("bash", [SCRIPT, "path", version]);
                if (r.code !== 0) {
                    throw new Error(`Ceph ${version} root is not built on this machine: run 'bash scripts/lab/ceph-root.sh build ${version}' (as root, needs the network)\n${r.stderr}`);
                }
                root = r.stdout.trim();
            });

            it(`version prints a 'ceph version ${version}' line`, async () => {
                const r = await run("bash", [SCRIPT, "version", version]);
                expect(r.code, r.stderr).to.equal(0);
                expect(r.stdout.trim()).to.match(versionLine);
            });

            it("radosgw and radosgw-admin inside the root are the recorded version", async () => {
                const recorded = (await run("bash", [SCRIPT, "version", version])).stdout.trim();
                for (const bin of ["radosgw", "radosgw-admin"]) {
                    const r = await run("chroot", [root, bin, "--version"]);
                    expect(r.code, `chroot ${root} ${bin} --version (needs root):\n${r.stderr}`).to.equal(0);
                    expect(r.stdout.trim().split("\n")[0], bin).to.equal(recorded);
                }
            });

            it("build of a built root is a no-op under 1 s that prints the root", async () => {
                const started = Date.now();
                const r = await run("bash", [SCRIPT, "build", version]);
                const elapsed = Date.now() - started;
                expect(r.code, r.stderr).to.equal(0);
                expect(r.stdout).to.equal(`${root}\n`);
                expect(elapsed).to.be.below(1000);
            });

            it("list shows the root with its version", async () => {
                const r = await run("bash", [SCRIPT, "list"]);
                expect(r.code, r.stderr).to.equal(0);
                const row = r.stdout.split("\n").find((l) => l.startsWith(`${version}\t`));
                expect(row, r.stdout).to.match(new RegExp(`^${version.replace(".", "\\.")}\\t${root}\\tceph version ${version.replace(".", "\\.")}\\.`));
            });
        });
    }
});
