// The radosgw-admin tool's command line: argv -> subcommand (core/rgwCalls.ts describes each call),
// settings from the environment, exit codes, progress on stderr, JSON on stdout.
// Run by the launcher scripts/rgw-multisite.sh; `runCli` is what the end-to-end tests drive.
import { RGW_CALLS, SUBCOMMANDS, Subcommand, checkRgwCall, isSubcommand, parseRgwArgv, RgwUsageError, synopsis } from "../../core/rgwCalls";
import { Clock, PROG, Probe, RgwExit, Secrets, Session, httpProbe, realClock } from "./session";
import * as fs from "fs";
import { ParseError } from "./models";
import * as roles from "./roles";
import * as steps from "./steps";
import { ProcessAdmin, ProcessRados, ProcessRestarter, RadosCli, RgwAdmin, Restarter, radosPrefix, splitCommand } from "./transport";

const USAGE_HINT = "usage: see scripts/rgw-multisite.sh --help or docs/script-contract.md";

export const HELP = `rgw-multisite.sh: the one place in this project that speaks radosgw-admin (Ceph RGW multisite).
Interface: docs/script-contract.md. Every subcommand is "ensure": it creates what is absent, never
flips a role on a re-run, and a re-run with the same arguments changes nothing and exits 0.

${SUBCOMMANDS.map((s) => `  rgw-multisite.sh ${synopsis(s)}\n      ${RGW_CALLS[s].summary}`).join("\n")}

Environment: RGW_ADMIN (radosgw-admin command prefix, word-split; default radosgw-admin),
RGW_RESTART (gateway restart command, word-split), RGW_SYSTEM_ACCESS_KEY/RGW_SYSTEM_SECRET_KEY,
RGW_USER_ACCESS_KEY/RGW_USER_SECRET_KEY (secrets: environment only, never printed),
RGW_WAIT_TIMEOUT (s, default 300), RGW_POLL_INTERVAL (s, default 2), RGW_LIST_PAGE (objects per
\`bucket list\` call, default 1000), RGW_PEER_ADMIN and RGW_PEER_RESTART (optional: the peer site's
radosgw-admin prefix and restart command, for promote --peer-zone and sync-scope --repair),
RGW_RADOS (this site's rados command prefix, word-split; default RGW_ADMIN with radosgw-admin
replaced by rados; empty: none): after a period commit the gateways reload by themselves; with rados
the tool sees that reload instead of restarting them, and frees the sync leases their old instances
left (otherwise sync waits rgw_sync_lease_period, 120 s by default), RGW_PROGRESS_LOG (a file that
each progress line is also appended to, with its time: a record of a switch).
Exit codes: 0 ok/no change, 2 bad arguments, 3 refused by a preflight, 4 timed out, 1 anything else.
Progress goes to stderr ("==> ..."); machine output (status, backup-objects JSON) to stdout.
`;

/** What the CLI needs from the world; tests replace the transports, the clock and the probe. */
export interface CliIo {
    env: Record<string, string | undefined>;
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    clock?: Clock;
    probe?: Probe;
    /** Builds the transport from a word-split prefix (default: a process per call). */
    makeAdmin?: (prefix: string[], which: "local" | "peer") => RgwAdmin;
    makeRestarter?: (argv: string[], which: "local" | "peer") => Restarter;
    makeRados?: (prefix: string[]) => RadosCli;
    /** Appends to RGW_PROGRESS_LOG (default fs.appendFileSync). */
    appendFile?: (file: string, text: string) => void;
}

/**
 * With RGW_PROGRESS_LOG set, each progress line (already redacted) is also appended to that file
 * with its time and `label` (the subcommand and its pid): a record of where a switch spent its time.
 * A file that cannot be written never stops the run.
 */
export function withProgressLog(stderr: (text: string) => void, file: string | undefined, now: () => number, append: (file: string, text: string) => void, label: string): (text: string) => void {
    if (!file) return stderr;
    return (text) => {
        stderr(text);
        const stamp = new Date(now()).toISOString();
        const lines = text.replace(/\n$/, "").split("\n").filter((l) => l.trim());
        try {
            append(file, lines.map((l) => `${stamp} ${label} ${l}\n`).join(""));
        } catch {
            // a record only
        }
    };
}

type Run = (s: Session, flags: steps.Flags) => Promise<unknown>;

const RUNS: Record<Subcommand, Run> = {
    "bootstrap-master": steps.bootstrapMaster,
    "ensure-master-zone": steps.bootstrapMaster,
    "ensure-realm": steps.ensureRealm,
    "join-secondary": steps.joinSecondary,
    "ensure-features": steps.ensureFeatures,
    "ensure-user": steps.ensureUserCommand,
    "sync-scope": steps.syncScope,
    status: steps.status,
    "wait-caught-up": steps.waitCaughtUp,
    promote: roles.promote,
    demote: roles.demote,
    fence: roles.fence,
    readmit: roles.readmit,
    "backup-objects": steps.backupObjects,
};

/** Subcommands whose result is printed as one JSON line on stdout. */
const PRINTS_JSON: ReadonlySet<Subcommand> = new Set(["status", "backup-objects"]);

interface Settings {
    admin: string[];
    restart: string[];
    waitTimeout: number;
    pollInterval: number;
    listPage: number;
}

function readSettings(env: CliIo["env"]): Settings {
    const admin = splitCommand(env.RGW_ADMIN ?? "radosgw-admin");
    if (admin.length === 0) throw new RgwUsageError("RGW_ADMIN is empty: set it to the radosgw-admin command of this site (default radosgw-admin)");
    const waitTimeout = env.RGW_WAIT_TIMEOUT || "300";
    if (!/^[1-9][0-9]*$/.test(waitTimeout)) throw new RgwUsageError("RGW_WAIT_TIMEOUT must be a positive number of seconds");
    const poll = env.RGW_POLL_INTERVAL || "2";
    if (!/^[0-9]+(\.[0-9]+)?$/.test(poll) || /^0+(\.0+)?$/.test(poll)) throw new RgwUsageError("RGW_POLL_INTERVAL must be a positive number of seconds");
    const page = env.RGW_LIST_PAGE || "1000";
    if (!/^[1-9][0-9]*$/.test(page)) throw new RgwUsageError("RGW_LIST_PAGE must be a positive number of objects");
    return { admin, restart: splitCommand(env.RGW_RESTART), waitTimeout: Number(waitTimeout), pollInterval: Number(poll), listPage: Number(page) };
}

/** Runs one command line; returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
    let subcommand = "";
    const usageError = (message: string) => {
        io.stderr(`${PROG}${subcommand ? ` ${subcommand}` : ""}: ${message}\n${USAGE_HINT}\n`);
        return 2;
    };
    const allowed = SUBCOMMANDS.join(" ");
    const first = argv[0] ?? "";
    if (!first) return usageError(`missing subcommand (${allowed})`);
    if (first === "-h" || first === "--help" || first === "help") {
        io.stderr(HELP);
        return 0;
    }
    let settings: Settings;
    try {
        settings = readSettings(io.env);
    } catch (e) {
        return usageError((e as Error).message);
    }
    if (!isSubcommand(first)) return usageError(`unknown subcommand '${first}' (allowed: ${allowed})`);
    subcommand = first;

    let flags: Map<string, string | true>;
    try {
        flags = parseRgwArgv(first, argv.slice(1));
    } catch (e) {
        if (e instanceof RgwUsageError) return usageError(e.message);
        throw e;
    }
    const problem = checkRgwCall(first, flags);
    if (problem) return usageError(problem);

    const makeAdmin = io.makeAdmin ?? ((prefix) => new ProcessAdmin(prefix));
    const makeRestarter = io.makeRestarter ?? ((cmd) => new ProcessRestarter(cmd));
    const peerAdmin = splitCommand(io.env.RGW_PEER_ADMIN);
    const peerRestart = splitCommand(io.env.RGW_PEER_RESTART);
    const rados = radosPrefix(io.env);
    const secrets: Secrets = {
        systemAccessKey: io.env.RGW_SYSTEM_ACCESS_KEY || undefined,
        systemSecretKey: io.env.RGW_SYSTEM_SECRET_KEY || undefined,
        userAccessKey: io.env.RGW_USER_ACCESS_KEY || undefined,
        userSecretKey: io.env.RGW_USER_SECRET_KEY || undefined,
    };
    const session = new Session({
        subcommand: first,
        admin: makeAdmin(settings.admin, "local"),
        peerAdmin: peerAdmin.length ? makeAdmin(peerAdmin, "peer") : undefined,
        restart: settings.restart.length ? makeRestarter(settings.restart, "local") : undefined,
        peerRestart: peerRestart.length ? makeRestarter(peerRestart, "peer") : undefined,
        rados: rados.length ? (io.makeRados ?? ((prefix) => new ProcessRados(prefix)))(rados) : undefined,
        secrets,
        waitTimeout: settings.waitTimeout,
        pollInterval: settings.pollInterval,
        listPage: settings.listPage,
        clock: io.clock ?? realClock,
        probe: io.probe ?? httpProbe,
        stderr: withProgressLog(io.stderr, io.env.RGW_PROGRESS_LOG, (io.clock ?? realClock).now, io.appendFile ?? fs.appendFileSync, `${first}[${process.pid}]`),
    });
    try {
        const result = await RUNS[first](session, flags);
        if (PRINTS_JSON.has(first)) io.stdout(`${JSON.stringify(result)}\n`);
        return 0;
    } catch (e) {
        if (e instanceof RgwExit) {
            if (e.code === 2) return usageError(e.message);
            const label = e.code === 3 ? "refused" : e.code === 4 ? "timed out" : "error";
            io.stderr(`${PROG}: ${label}: ${session.redact(e.message)}\n`);
            return e.code;
        }
        if (e instanceof ParseError) {
            io.stderr(`${PROG}: error: ${e.message}\n`);
            return 1;
        }
        // Never print the error itself: it may quote radosgw-admin output (keys).
        const where = ((e as Error).stack ?? "").split("\n").filter((l) => /^\s+at /.test(l)).slice(0, 3).join("\n");
        io.stderr(`${PROG}: error: internal error (${(e as Error).name ?? "unknown"})\n${where}\n`);
        return 1;
    }
}

if (require.main === module) {
    runCli(process.argv.slice(2), {
        env: process.env,
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
    }).then((code) => {
        // Exit now, not when the event loop drains: a probe of a gateway whose link is cut leaves a
        // connection attempt behind that kept a lost-site promotion's process alive about 7 s after
        // its last step (the failover stack waits for it). stdout and stderr are written
        // synchronously to files and pipes on Linux, so nothing printed is lost.
        process.exit(code);
    });
}
