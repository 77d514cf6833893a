// The on-call tool: the operator's program for a DR failover, a drill and a restore (docs/runbook.md).
// scripts/failover.sh is its launcher; this is the program: arguments, wiring, exit codes.
import * as path from "path";
import * as readline from "readline";
import { isatty } from "tty";
import { ClusterAccess, Command, Env, UsageError, parseCommand } from "./args";
import { SiteId } from "./facts";
import { siteInspection } from "./inspect";
import { KubeCluster, KubeTools, VeleroCluster, WorkDir } from "./kube";
import { PulumiBackend, PulumiCli } from "./pulumi";
import { EXIT, Exit, PROG, Report, Sink, Terminal, processSink } from "./report";
import { restore } from "./restore";
import { RgwMultisite, RgwMultisiteModule, RgwMultisiteProcess, RgwTransport } from "./rgw";
import { splitWords } from "./shell";
import { switchBreakGlass, switchWithPulumi } from "./switch";

const SCRIPTS_DIR = path.resolve(__dirname, "..");
const ROOT = path.resolve(SCRIPTS_DIR, "..");

export const HELP = `failover.sh: the operator's tool for a DR failover, a drill and a restore (docs/runbook.md).

  failover.sh preflight --to SITE [--unreachable OTHER] [--zone Z] [--other-zone Z] [--bucket B]
                        [--namespace NS] [--kube-context C]
      Is it safe to make SITE the active site? Sync status of SITE's zone (and of the other zone
      when reachable), the newest Completed backup SITE's Velero sees, and whether all of that
      backup's objects (and the bucket's kopia data) are on SITE's zone. Changes nothing.
  failover.sh switch --to SITE [--stack failover] [--unreachable OTHER] [--force] [--dry-run] [--yes] [...]
      Preflight, then through Pulumi: \`pulumi config set activeSite SITE\`, unreachableSites
      (\`--path 'unreachableSites[0]' OTHER\` with --unreachable, else removed) and forcePromotion
      (true with --force, else false) on the failover stack; \`pulumi preview --diff\`; confirm;
      \`pulumi up --yes\`. The flags state the whole role setting: a leftover forcePromotion or
      unreachableSites from an earlier emergency never carries into the next switch.
  failover.sh switch --break-glass --to SITE --zone Z --zonegroup G [--other-zone Z --other-endpoint URL]
                     [--unreachable OTHER] [--force] [--dry-run] [--yes] [...]
      Without the Pulumi state backend: the same preflight, then directly \`rgw-multisite.sh
      promote\` on SITE's zone (it fences the other zone first when that one is reachable), the
      other cluster's Schedules stopped and its BackupStorageLocation ReadOnly (when reachable),
      SITE's BackupStorageLocation ReadWrite; then prints what to reconcile in Pulumi. Deletes
      no backup, zone, user or bucket (stop-schedules removes the old active cluster's Schedule
      objects, as the failover stack does; their Backups stay).
  failover.sh restore --site SITE --namespace NS [--kube-context C] [--backup NAME | --from-site S]
                      [--lost-site OTHER] [--location L] [--bucket B] [--zone Z] [--timeout S]
                      [--reimport-timeout S] [--dry-run] [--yes]
      Restores a backup into SITE's cluster with \`velero restore create --from-backup NAME --wait\`,
      on the active site or on the passive one without any switch: Velero 1.18.1 restores from a
      ReadOnly location (it only refuses to create a kopia repository there; the repository exists
      once the active site has backed up pod volumes). Which backup: --backup NAME, else the newest
      Completed one made by the OTHER site (Schedule label dr.velero-ceph-dr/site; --from-site S
      to choose the site), printed with why: the new active cluster's own first backups can be
      nearly empty. With TARGET_RGW_ADMIN it checks SITE's zone first: not read-only in Ceph (a
      strict read-only passive zone refuses the restore's log and result writes: switch first),
      every file Velero writes for the backup is there, and the bucket caught up with the other
      zone. With --lost-site OTHER (the failover stack's unreachableSites) the other zone's sync
      state does not block: it says what may be missing and goes on when the backup's own files
      are all there. Then it compares what the cluster imported with the bucket (PodVolumeBackups
      of the backup against the bucket's list): when they differ (backup sync imported the backup
      before its files had replicated, and never looks again) it deletes the Backup record only
      (not the data) and waits until backup sync imports it again (--reimport-timeout, default 600 s).

Sites are site-a and site-b. "Target" is the --to/--site site, "other" the other one.
  --zone/--other-zone   RGW zone of the target/other site (default: the zone its radosgw-admin serves)
  --zonegroup G         the zonegroup (break-glass promote)
  --other-endpoint URL  the other zone's endpoint (break-glass: lets promote pull a newer period from it)
  --bucket B            backup bucket (default velero-backups)
  --namespace NS        Velero's namespace in both clusters (default velero; required by restore)
  --location L          the BackupStorageLocation (default default)
  --kube-context C / --other-kube-context C   the clusters, as contexts of the ambient kubeconfig
  --unreachable OTHER   the other site is down: it gets no call at all (needs --force)
  --lost-site OTHER     restore: the other site is lost; its zone's sync state does not block the restore
  --from-site S         restore: take the newest Completed backup made by S (default: the other site)
  --force               accept what the preflight found unsafe (it says what that risks)
  --dry-run             run only the read-only checks; print every changing command instead of running it
  --yes                 do not ask (without a terminal, changing anything needs --yes)

Environment (secrets only here, never in flags, never printed):
  TARGET_RGW_ADMIN, OTHER_RGW_ADMIN      radosgw-admin command of each site, word-split
                                         (e.g. \`cephadm shell -- radosgw-admin\`); TARGET_ is required
                                         by preflight and switch, OTHER_ unset means "not checked"
  TARGET_RGW_RESTART, OTHER_RGW_RESTART  each site's gateway restart command (break-glass)
  TARGET_KUBECONFIG_DATA, OTHER_KUBECONFIG_DATA  a whole kubeconfig (secret), instead of --kube-context
  RGW_SYSTEM_ACCESS_KEY, RGW_SYSTEM_SECRET_KEY   passed through to rgw-multisite.sh
  PULUMI_ACCESS_TOKEN, PULUMI_CONFIG_PASSPHRASE  passed through to pulumi
  PULUMI, VELERO, KUBECTL (default pulumi, velero, kubectl), RGW_MULTISITE, VELERO_ROLE (default:
  the scripts beside this one)
Exit codes: 0 done / go, 2 bad arguments (the message names the flag and what is allowed),
3 refused by a safety check (the message says why, and what --force would risk), 4 timed out,
1 anything else. Steps are printed as "==> ...", the last line is "VERDICT: ...".

Only scripts/rgw-multisite.sh speaks radosgw-admin. The program is scripts/failover/ (TypeScript).
`;

/** How a script beside this tool is named in "would run" lines: scripts/NAME, else its path. */
function shownAs(file: string): string {
    return file.startsWith(`${SCRIPTS_DIR}/`) ? `scripts/${path.relative(SCRIPTS_DIR, file)}` : file;
}

/** stdin as a terminal to confirm on, when it is one. */
function stdinTerminal(): Terminal | undefined {
    // isatty(0) rather than process.stdin.isTTY: stdin is not opened unless on-call is asked.
    if (!isatty(0)) return undefined;
    return {
        ask: (prompt) => new Promise((resolve) => {
            const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: false });
            process.stdout.write(prompt);
            let answered = false;
            rl.once("line", (line) => {
                answered = true;
                rl.close();
                resolve(line.trim());
            });
            rl.once("close", () => {
                if (!answered) resolve("");
            });
        }),
    };
}

function seconds(value: string | undefined, fallback: number): number {
    const n = Number(value);
    return value !== undefined && value !== "" && Number.isFinite(n) && n >= 0 ? n : fallback;
}

export interface Io {
    sink: Sink;
    terminal?: Terminal;
}

/** What the commands run against: the real programs, or in-memory fakes in tests. */
export interface Wiring {
    /** A site's zone through its radosgw-admin transport. */
    rgw(site: SiteId, transport: RgwTransport): RgwMultisite;
    /** A site's cluster, Velero in NAMESPACE. */
    cluster(access: ClusterAccess, namespace: string): VeleroCluster;
    pulumi: PulumiBackend;
    now(): Date;
    sleep(ms: number): Promise<void>;
    /** Removes what the run left (private files). */
    close(): void;
}

/** The real programs: scripts/rgw-multisite.sh, kubectl, velero, scripts/velero-role.sh, pulumi. */
export function processWiring(env: Env): Wiring {
    const childEnv = { ...env };
    const work = new WorkDir();
    const defaultScript = path.join(SCRIPTS_DIR, "rgw-multisite.sh");
    const rgwScript = env.RGW_MULTISITE || defaultScript;
    const veleroRole = env.VELERO_ROLE || path.join(SCRIPTS_DIR, "velero-role.sh");
    const tools: KubeTools = {
        kubectl: splitWords(env.KUBECTL ?? "kubectl"),
        velero: splitWords(env.VELERO ?? "velero"),
        veleroRole,
        veleroRoleShownAs: shownAs(veleroRole),
    };
    return {
        // scripts/rgw/ in this process, unless RGW_MULTISITE names another script to run.
        rgw: (_site, transport) => (env.RGW_MULTISITE
            ? new RgwMultisiteProcess(rgwScript, shownAs(rgwScript), transport, childEnv)
            : new RgwMultisiteModule(shownAs(defaultScript), transport, childEnv)),
        cluster: (access, namespace) => new KubeCluster(access, namespace, tools, childEnv, work),
        pulumi: new PulumiCli(splitWords(env.PULUMI ?? "pulumi"), ROOT, childEnv),
        now: () => new Date(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        close: () => work.remove(),
    };
}

/** Runs one command line; returns the exit code. */
export async function main(argv: readonly string[], env: Env, io: Io, wiring: Wiring): Promise<number> {
    let command: Command;
    try {
        command = parseCommand(argv, env);
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        io.sink.stderr(`${PROG}${e.subcommand ? ` ${e.subcommand}` : ""}: ${e.message}\n`);
        io.sink.stderr("usage: failover.sh help (every subcommand, flag and variable)\n");
        io.sink.stdout(`VERDICT: BAD ARGUMENTS: ${e.message}\n`);
        return EXIT.usage;
    }
    if (command.name === "help") {
        io.sink.stdout(HELP);
        return EXIT.ok;
    }

    const report = new Report(io.sink, command.name !== "preflight" && command.options.dryRun);
    /** A site's zone when its radosgw-admin command is set; a site not set is not checked. */
    const rgw = (site: SiteId, admin: string | undefined, restart: string | undefined): RgwMultisite | undefined =>
        admin ? wiring.rgw(site, { admin, restart: restart ?? "" }) : undefined;
    try {
        switch (command.name) {
            case "preflight":
            case "switch": {
                const o = command.options;
                const targetRgw = rgw(o.to, env.TARGET_RGW_ADMIN, env.TARGET_RGW_RESTART);
                if (!targetRgw) throw new Error("TARGET_RGW_ADMIN is not set");
                const deps = {
                    report,
                    targetRgw,
                    // A site declared unreachable gets no call at all.
                    otherRgw: o.otherUnreachable ? undefined : rgw(o.other, env.OTHER_RGW_ADMIN, env.OTHER_RGW_RESTART),
                    targetCluster: wiring.cluster(o.targetCluster, o.namespace),
                    otherCluster: o.otherUnreachable ? undefined : wiring.cluster(o.otherCluster, o.namespace),
                    pulumi: wiring.pulumi,
                    root: ROOT,
                    terminal: io.terminal,
                };
                if (command.name === "preflight") {
                    const inspection = siteInspection(o, deps);
                    await inspection.preflight();
                    inspection.verdict("preflight", false);
                    break;
                }
                const s = command.options;
                await (s.path === "break-glass" ? switchBreakGlass(s, deps) : switchWithPulumi(s, deps));
                break;
            }
            case "restore": {
                const o = command.options;
                await restore(o, {
                    report,
                    cluster: wiring.cluster(o.targetCluster, o.namespace),
                    rgw: rgw(o.to, env.TARGET_RGW_ADMIN, env.TARGET_RGW_RESTART),
                    terminal: io.terminal,
                    now: wiring.now,
                    sleep: wiring.sleep,
                    settleSeconds: seconds(env.RESTORE_IMPORT_SETTLE_SECONDS, 30),
                    pollSeconds: seconds(env.RESTORE_POLL_SECONDS, 2),
                });
                break;
            }
        }
        return EXIT.ok;
    } catch (e) {
        if (e instanceof Exit) return e.code;
        const message = e instanceof Error ? e.message : String(e);
        io.sink.stderr(`${PROG}: error: internal error: ${message}\n`);
        report.verdict(`FAILED: internal error: ${message}`);
        return EXIT.failed;
    }
}

if (require.main === module) {
    const wiring = processWiring(process.env);
    // The private files go with the run, however it ends.
    const stop = (code: number) => () => {
        wiring.close();
        process.exit(code);
    };
    process.on("SIGINT", stop(130));
    process.on("SIGTERM", stop(143));
    process.on("SIGHUP", stop(129));
    main(process.argv.slice(2), process.env, { sink: processSink, terminal: stdinTerminal() }, wiring).then(
        (code) => {
            wiring.close();
            process.exit(code);
        },
        (e: unknown) => {
            wiring.close();
            process.stderr.write(`${PROG}: error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
            process.exit(EXIT.failed);
        },
    );
}
