// scripts/velero-role.sh against a fake kubectl that records its arguments and answers from a file.
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const SCRIPT = path.resolve(__dirname, "../../scripts/velero-role.sh");

function fakeKubectl(dir: string, answer = ""): string {
    const fake = path.join(dir, "kubectl");
    fs.writeFileSync(path.join(dir, "answer.json"), answer);
    fs.writeFileSync(fake, `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "${dir}/calls.log"
for a in "$@"; do case "$a" in --kubeconfig) ;; esac; done
if [[ " $* " == *" --kubeconfig "* ]]; then cp "$(echo "$*" | sed 's/.*--kubeconfig \\([^ ]*\\).*/\\1/')" "${dir}/seen-kubeconfig"; fi
[[ " $* " == *" get "* ]] && cat "${dir}/answer.json"
exit 0
`);
    fs.chmodSync(fake, 0o755);
    return fake;
}

function run(args: string[], env: Record<string, string>, answer?: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "velero-role-test-"));
    const kubectl = fakeKubectl(dir, answer);
    const r = spawnSync("bash", [SCRIPT, ...args], { env: { PATH: process.env.PATH, KUBECTL: kubectl, ...env }, encoding: "utf8" });
    const calls = fs.existsSync(path.join(dir, "calls.log")) ? fs.readFileSync(path.join(dir, "calls.log"), "utf8").trim().split("\n") : [];
    const kubeconfig = fs.existsSync(path.join(dir, "seen-kubeconfig")) ? fs.readFileSync(path.join(dir, "seen-kubeconfig"), "utf8") : undefined;
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls, kubeconfig };
}

describe("velero-role.sh", () => {
    it("stop-schedules deletes only our labelled Schedules in the namespace, with the context", () => {
        const r = run(["stop-schedules", "--namespace", "velero", "--label", "dr.velero-ceph-dr/rpo-seconds"], { KUBE_CONTEXT: "cluster-b" });
        expect(r.status, r.stderr).to.equal(0);
        expect(r.calls).to.deep.equal(["--context cluster-b -n velero delete schedules.velero.io -l dr.velero-ceph-dr/rpo-seconds --ignore-not-found"]);
    });

    it("uses a kubeconfig given by environment through a private file, never printing it", () => {
        const secret = "apiVersion: v1\nkind: Config\n# token: s3cr3t-token";
        const r = run(["stop-schedules", "--namespace", "velero", "--label", "x"], { KUBECONFIG_DATA: secret });
        expect(r.status, r.stderr).to.equal(0);
        expect(r.calls[0]).to.match(/^--kubeconfig \/\S+\/kubeconfig -n velero delete/);
        expect(r.kubeconfig).to.equal(`${secret}\n`);
        expect(r.stdout + r.stderr).not.to.contain("s3cr3t-token");
    });

    it("refuses to guess the cluster", () => {
        const r = run(["stop-schedules", "--namespace", "velero", "--label", "x"], {});
        expect(r.status).to.equal(1);
        expect(r.stderr).to.contain("set KUBE_CONTEXT or KUBECONFIG_DATA");
        expect(r.calls).to.deep.equal([]);
    });

    it("set-access-mode patches the location", () => {
        const r = run(["set-access-mode", "--namespace", "velero", "--location", "default", "--mode", "ReadWrite"], { KUBE_CONTEXT: "c" });
        expect(r.status, r.stderr).to.equal(0);
        expect(r.calls).to.deep.equal(['--context c -n velero patch backupstoragelocations.velero.io default --type merge -p {"spec":{"accessMode":"ReadWrite"}}']);
    });

    for (const [args, hint] of [
        [["set-access-mode", "--namespace", "velero", "--location", "default", "--mode", "readwrite"], /--mode 'readwrite' is not allowed; allowed: ReadWrite or ReadOnly/],
        [["stop-schedules", "--namespace", "Velero", "--label", "x"], /--namespace 'Velero' is not allowed/],
        [["stop-schedules", "--namespace", "velero"], /missing required flag --label/],
        [["stop-schedules", "--namespace", "velero", "--label", "x", "--all", "y"], /unknown flag --all/],
        [["promote"], /unknown subcommand 'promote'/],
        [["stop-schedules", "--namespace", "velero", "--label", "x", "--kubeconfig", "apiVersion: v1"], /--kubeconfig is not accepted: secrets are read from the environment only \(KUBECONFIG_DATA\)/],
    ] as const) {
        it(`exits 2 on ${args.join(" ")}`, () => {
            const r = run([...args], { KUBE_CONTEXT: "c" });
            expect(r.status).to.equal(2);
            expect(r.stderr).to.match(hint);
            expect(r.calls).to.deep.equal([]);
        });
    }

    // What kubectl prints for newest-backup's jsonpath: completion time|phase|name|label value.
    const LINES = [
        "2026-11-24T00:10:00Z|Completed|every-6h-1|site-a",
        "2026-11-24T12:10:00Z|PartiallyFailed|every-6h-3|site-a",
        "2026-11-24T06:10:00Z|Completed|every-6h-2|site-a",
        "|InProgress|every-6h-4|site-a",
        "2026-11-24T13:00:00Z|Completed|every-6h-5|site-b",
        "2026-11-24T13:30:00Z|Completed|manual-1|",
    ].join("\n") + "\n";

    it("newest-backup prints the newest Completed backup and ignores failed or running ones, reading through jsonpath (no node)", () => {
        const r = run(["newest-backup", "--namespace", "velero"], { KUBE_CONTEXT: "c" }, LINES.split("\n").slice(0, 4).join("\n") + "\n");
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout.trim()).to.equal("every-6h-2");
        expect(r.calls).to.deep.equal([
            "--context c -n velero get backups.velero.io -o jsonpath={range .items[*]}{.status.completionTimestamp}|{.status.phase}|{.metadata.name}|{.metadata.labels.none}{\"\\n\"}{end}",
        ]);
        expect(fs.readFileSync(SCRIPT, "utf8")).not.to.match(/node -e/);
    });

    it("newest-backup --label KEY=VALUE picks the newest Completed backup made by that site, and says which newer ones it passed over", () => {
        const r = run(["newest-backup", "--namespace", "velero", "--label", "dr.velero-ceph-dr/site=site-a"], { KUBE_CONTEXT: "c" }, LINES);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout.trim()).to.equal("every-6h-2");
        expect(r.calls[0]).to.contain("{.metadata.labels.dr\\.velero-ceph-dr/site}");
        expect(r.stderr).to.contain("chose every-6h-2, the newest Completed backup labelled dr.velero-ceph-dr/site=site-a (completed 2026-11-24T06:10:00Z)");
        expect(r.stderr).to.contain("passed over 2 newer Completed backup(s): manual-1 (dr.velero-ceph-dr/site=<none>, completed 2026-11-24T13:30:00Z) every-6h-5 (dr.velero-ceph-dr/site=site-b");
        const none = run(["newest-backup", "--namespace", "velero", "--label", "dr.velero-ceph-dr/site=site-b"], { KUBE_CONTEXT: "c" }, LINES.replace("site-b", "site-a"));
        expect(none.status).to.equal(1);
        expect(none.stderr).to.contain("no Completed backup labelled dr.velero-ceph-dr/site=site-b is visible here (newest Completed backups with another value: manual-1");
        const bad = run(["newest-backup", "--namespace", "velero", "--label", "site"], { KUBE_CONTEXT: "c" }, LINES);
        expect(bad.status).to.equal(2);
        expect(bad.stderr).to.contain("--label 'site' is not allowed; allowed: KEY=VALUE");
    });

    it("newest-backup fails clearly when none is complete", () => {
        const r = run(["newest-backup", "--namespace", "velero"], { KUBE_CONTEXT: "c" }, "");
        expect(r.status).to.equal(1);
        expect(r.stderr).to.contain("no Completed backup is visible here");
    });

    it("pod-volume-backups counts the PodVolumeBackups labelled with the backup's name", () => {
        const r = run(["pod-volume-backups", "--namespace", "velero", "--backup", "every-6h-2"], { KUBE_CONTEXT: "c" }, "pvb-1\npvb-2\npvb-3\n");
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout.trim()).to.equal("3");
        expect(r.calls).to.deep.equal([
            "--context c -n velero get podvolumebackups.velero.io -l velero.io/backup-name=every-6h-2 -o jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}",
        ]);
        const none = run(["pod-volume-backups", "--namespace", "velero", "--backup", "every-6h-2"], { KUBE_CONTEXT: "c" }, "");
        expect(none.stdout.trim()).to.equal("0");
        const bad = run(["pod-volume-backups", "--namespace", "velero", "--backup", "Every_6h"], { KUBE_CONTEXT: "c" });
        expect(bad.status).to.equal(2);
        expect(bad.stderr).to.contain("--backup 'Every_6h' is not allowed; allowed: a Velero backup name");
    });
});

/** A kubectl for reimport-backup: after `delete`, `get backups.velero.io NAME` answers nothing for `gone` polls, then the phase. */
function runReimport(args: string[], gone: number) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "velero-role-reimport-"));
    fs.writeFileSync(path.join(dir, "polls"), "0");
    const fake = path.join(dir, "kubectl");
    fs.writeFileSync(fake, `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "${dir}/calls.log"
case " $* " in
  *" delete backups.velero.io "*) echo 'backup.velero.io "b1" deleted' ;;
  *" get backups.velero.io "*)
    n=$(( $(cat "${dir}/polls") + 1 )); echo "$n" > "${dir}/polls"
    (( n > ${gone} )) && printf Completed ;;
esac
exit 0
`);
    fs.chmodSync(fake, 0o755);
    const r = spawnSync("bash", [SCRIPT, "reimport-backup", ...args], {
        env: { PATH: process.env.PATH, KUBECTL: fake, KUBE_CONTEXT: "c", REIMPORT_POLL_SECONDS: "0.1" }, encoding: "utf8",
    });
    const log = path.join(dir, "calls.log");
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: r.status, stderr: r.stderr, calls };
}

describe("velero-role.sh reimport-backup (a backup imported before all its files had replicated)", () => {
    it("deletes only the Backup record and waits until backup sync has imported it again", () => {
        const r = runReimport(["--namespace", "velero", "--backup", "b1"], 2);
        expect(r.status, r.stderr).to.equal(0);
        expect(r.calls).to.deep.equal([
            "--context c -n velero delete backups.velero.io b1 --ignore-not-found --wait=true",
            "--context c -n velero get backups.velero.io b1 --ignore-not-found -o jsonpath={.status.phase}",
            "--context c -n velero get backups.velero.io b1 --ignore-not-found -o jsonpath={.status.phase}",
            "--context c -n velero get backups.velero.io b1 --ignore-not-found -o jsonpath={.status.phase}",
        ]);
        expect(r.calls.join("\n")).not.to.match(/deletebackuprequests|velero backup delete/);
        expect(r.stderr).to.contain("only the record: the bucket keeps the backup");
        expect(r.stderr).to.contain("imported again: b1 is Completed");
    });

    it("exits 4 when the backup does not come back within the timeout, saying where to look", () => {
        const r = runReimport(["--namespace", "velero", "--backup", "b1", "--timeout", "0"], 1000);
        expect(r.status).to.equal(4);
        expect(r.stderr).to.contain("backup b1 was not imported again within 0s");
    });
});

/** A kubectl whose answers to `get backups|restores|jobs` come from files; the busy backup finishes after `busyPolls` polls. */
function runWaitIdle(args: string[], answers: { backups: string; restores?: string; jobs?: string; busyPolls?: number }) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "velero-role-idle-"));
    fs.writeFileSync(path.join(dir, "backups"), answers.backups);
    fs.writeFileSync(path.join(dir, "restores"), answers.restores ?? "");
    fs.writeFileSync(path.join(dir, "jobs"), answers.jobs ?? "");
    fs.writeFileSync(path.join(dir, "polls"), "0");
    const fake = path.join(dir, "kubectl");
    fs.writeFileSync(fake, `#!/usr/bin/env bash
printf '%s\\n' "$*" >> "${dir}/calls.log"
case " $* " in
  *" get backups.velero.io "*)
    n=$(( $(cat "${dir}/polls") + 1 )); echo "$n" > "${dir}/polls"
    if (( n > ${answers.busyPolls ?? 1000} )); then sed 's/=InProgress/=Completed/' "${dir}/backups"; else cat "${dir}/backups"; fi ;;
  *" get restores.velero.io "*) cat "${dir}/restores" ;;
  *" get jobs.batch "*) cat "${dir}/jobs" ;;
esac
`);
    fs.chmodSync(fake, 0o755);
    const r = spawnSync("bash", [SCRIPT, "wait-idle", ...args], {
        env: { PATH: process.env.PATH, KUBECTL: fake, KUBE_CONTEXT: "c", WAIT_IDLE_POLL_SECONDS: "0.1" }, encoding: "utf8",
    });
    const log = path.join(dir, "calls.log");
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: r.status, stderr: r.stderr, calls };
}

describe("velero-role.sh wait-idle (the old side is quiet before Ceph changes roles)", () => {
    it("returns at once when every backup and restore is final and no maintenance job runs", () => {
        const r = runWaitIdle(["--namespace", "velero"], { backups: "b1=Completed\nb2=PartiallyFailed\n", restores: "r1=Completed\n", jobs: "maint-1=\n" });
        expect(r.status, r.stderr).to.equal(0);
        expect(r.calls).to.deep.equal([
            "--context c -n velero get backups.velero.io -o jsonpath={range .items[*]}{.metadata.name}={.status.phase}{\"\\n\"}{end}",
            "--context c -n velero get restores.velero.io -o jsonpath={range .items[*]}{.metadata.name}={.status.phase}{\"\\n\"}{end}",
            "--context c -n velero get jobs.batch -l velero.io/repo-name -o jsonpath={range .items[*]}{.metadata.name}={.status.active}{\"\\n\"}{end}",
        ]);
    });

    it("waits while a backup is in flight, then returns", () => {
        const r = runWaitIdle(["--namespace", "velero"], { backups: "b1=Completed\nb2=InProgress\n", busyPolls: 2 });
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stderr).to.contain("busy: backups/b2 InProgress");
        expect(r.calls.filter((c) => c.includes("get backups")).length).to.equal(3);
    });

    it("counts a backup with no phase yet, a queued one and a running maintenance job as busy, and fails after the timeout naming them", () => {
        const r = runWaitIdle(["--namespace", "velero", "--timeout", "0"], { backups: "new=\nq=Queued\n", jobs: "maint-2=1\n" });
        expect(r.status).to.equal(1);
        expect(r.stderr).to.contain("still busy after 0s: backups/new New backups/q Queued job/maint-2 running");
    });

    it("refuses a timeout that is not whole seconds", () => {
        const r = runWaitIdle(["--namespace", "velero", "--timeout", "1m"], { backups: "" });
        expect(r.status).to.equal(2);
        expect(r.stderr).to.contain("--timeout '1m' is not allowed; allowed: whole seconds");
        expect(r.calls).to.deep.equal([]);
    });
});
