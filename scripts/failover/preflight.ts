// The preflight's judgement, pure: the zones' status and a backup's objects (the JSON of
// rgw-multisite.sh, as models) into findings; the findings into a verdict. Nothing here runs
// anything; inspect.ts gathers the inputs and prints the findings as they come.
import { SiteId } from "./facts";
import { PROG } from "./report";
import { BackupObjects, SyncState, ZoneStatus } from "./rgw";

/**
 * One line of the preflight. A problem can be overridden with --force (its risk says what that
 * accepts); a blocker cannot; "lost" is what may be missing because the other site is declared lost.
 */
export type Finding =
    | { kind: "ok"; text: string }
    | { kind: "info"; text: string }
    | { kind: "problem"; text: string; risk: string }
    | { kind: "blocker"; text: string }
    | { kind: "lost"; text: string };

/** How a finding is printed (after four spaces). */
export function findingLine(f: Finding): string {
    switch (f.kind) {
        case "ok":
            return `ok: ${f.text}`;
        case "info":
            return f.text;
        case "problem":
            return `NOT SAFE: ${f.text}`;
        case "blocker":
            return `BLOCKED: ${f.text}`;
        case "lost":
            return `MAY BE MISSING (lost site): ${f.text}`;
    }
}

/** Findings collected over a run, by kind. */
export class Findings {
    readonly problems: string[] = [];
    readonly risks: string[] = [];
    readonly blockers: string[] = [];
    readonly mayBeMissing: string[] = [];

    add(f: Finding): void {
        if (f.kind === "problem") {
            this.problems.push(f.text);
            this.risks.push(f.risk);
        } else if (f.kind === "blocker") this.blockers.push(f.text);
        else if (f.kind === "lost") this.mayBeMissing.push(f.text);
    }
}

// ---------------------------------------------------------------------------------------------
// Zones
// ---------------------------------------------------------------------------------------------

const NO_SYNC: SyncState = { caughtUp: false, behindShards: [] };

/** "caught up", or what is behind: state or error, shards, the oldest change not applied. */
export function describeSync(v: SyncState): string {
    if (v.caughtUp) return "caught up";
    return [
        v.error || v.state || "unknown",
        v.shards ? `incremental ${v.incrementalShards ?? 0}/${v.shards} shards` : "",
        v.behindShards.length ? `behind shards [${v.behindShards.join(",")}]` : "",
        v.oldestChange ? `oldest change not applied ${v.oldestChange}` : "",
    ].filter(Boolean).join(", ");
}

function role(s: ZoneStatus): string {
    return (s.isMaster ? "metadata master" : `secondary of ${s.metadataMaster ?? "?"}`) + (s.readOnly ? ", read-only" : "");
}

/** Can the target zone become the metadata master? `other` is the other zone's status when it answered. */
export function judgeZones(t: ZoneStatus, other?: ZoneStatus): Finding[] {
    const out: Finding[] = [];
    const zone = t.zone;
    const master = t.metadataMaster;
    out.push({ kind: "info", text: `zone ${zone} (zonegroup ${t.zonegroup}, realm ${t.realm}, period ${t.period}): ${role(t)}` });
    if (t.isMaster) out.push({ kind: "ok", text: `zone ${zone} is already the metadata master: the promotion is a no-op` });
    else if (t.metadataSync?.caughtUp) out.push({ kind: "ok", text: `metadata of ${zone} caught up with ${master}` });
    else {
        out.push({
            kind: "problem",
            text: `metadata sync of ${zone} is not caught up with ${master} (${describeSync(t.metadataSync ?? NO_SYNC)})`,
            risk: `users, buckets and bucket policies created on ${master} and not yet replicated are lost for ${zone} and overwritten when ${master} returns`,
        });
    }
    const sources = Object.entries(t.dataSync);
    if (sources.length === 0) out.push({ kind: "problem", text: `zone ${zone} has no data sync source`, risk: `nothing written on the other zone is on ${zone}` });
    for (const [src, v] of sources) {
        if (v.caughtUp) out.push({ kind: "ok", text: `data of ${zone} caught up with ${src}` });
        else {
            out.push({
                kind: "problem",
                text: `data sync of ${zone} from ${src} is not caught up (${describeSync(v)})`,
                risk: `objects written on ${src} and not yet replicated (the newest backups, kopia data) are missing on ${zone}; they follow when ${src} syncs again, and are lost if it never returns`,
            });
        }
    }
    if (other) {
        out.push({ kind: "info", text: `other zone ${other.zone}: ${role(other)}` });
        if (other.metadataMaster !== master) {
            out.push({
                kind: "problem",
                text: `the zones disagree on the metadata master (${zone} says ${master}, ${other.zone} says ${other.metadataMaster})`,
                risk: "two zones acting as metadata master: metadata written on both diverges (demote the stale one: rgw-multisite.sh demote)",
            });
        }
    }
    return out;
}

/** The other site answers nothing although it is not declared unreachable: --force cannot override that. */
export function otherSilentBlocker(other: SiteId, code: number): Finding {
    return {
        kind: "blocker",
        text: `${other} does not answer (rgw-multisite.sh status through OTHER_RGW_ADMIN: exit ${code}). If it is up it stays metadata master with its Velero writing; if it is down, declare it: --unreachable ${other} --force`,
    };
}

/** The target cluster's Velero sees no Completed backup (preflight and switch). */
export function noBackupProblem(to: SiteId): Finding {
    return {
        kind: "problem",
        text: `${to}'s Velero sees no Completed backup`,
        risk: `there is nothing to restore on ${to} after the switch (check the BSL with velero backup-location get, and DrNoBackupsVisible)`,
    };
}

// ---------------------------------------------------------------------------------------------
// A backup's objects on the target zone
// ---------------------------------------------------------------------------------------------

/** Every file Velero 1.18 writes for a backup (pkg/persistence/object_store.go PutBackup); CSI lists are compared with the other zone. */
export function requiredBackupFiles(name: string): string[] {
    return ["velero-backup.json", `${name}.tar.gz`, `${name}-logs.gz`, `${name}-results.gz`, `${name}-resource-list.json.gz`,
        `${name}-podvolumebackups.json.gz`, `${name}-volumesnapshots.json.gz`, `${name}-itemoperations.json.gz`, `${name}-volumeinfo.json.gz`];
}

/** What the bucket says about the backup's PodVolumeBackup list: its length when reported, else its gzipped size. */
export type PodVolumeList = { count: number } | { bytes: number };

export interface ObjectsInput {
    backup: string;
    /** The site that would restore (the target). */
    site: SiteId;
    target: BackupObjects;
    /** The other zone's listing, when it answered (compared object by object). */
    other?: BackupObjects;
    /** The other site is declared lost: its sync state does not block, it is listed as what may be missing. */
    otherLost: boolean;
    /** The target zone's status (restore): a zone read-only in Ceph refuses the restore's writes. */
    targetStatus?: ZoneStatus;
}

export interface ObjectsJudgement {
    findings: Finding[];
    podVolumeList?: PodVolumeList;
}

export function judgeBackupObjects(input: ObjectsInput): ObjectsJudgement {
    const { backup: name, site, target: t, other: o, otherLost: lost, targetStatus: st } = input;
    const out: Finding[] = [];
    const prefix = t.prefix || `backups/${name}/`;
    const rel = (n: string) => (n.startsWith(prefix) ? n.slice(prefix.length) : n);
    const have = new Map(t.objects.map((x) => [rel(x.name), x]));
    const bytes = [...have.values()].reduce((s, x) => s + x.size, 0);
    out.push({ kind: "info", text: `backup ${name}: ${have.size} objects, ${bytes} bytes on zone ${t.zone}` });
    if (st?.readOnly) {
        out.push({
            kind: "problem",
            text: `zone ${st.zone ?? t.zone} is read-only in Ceph (strictReadOnlyPassive, or fenced by a switch): RGW refuses the restore logs and results Velero writes under restores/, so the restore fails; make ${site} the active site first (failover.sh switch --to ${site})`,
            risk: "the restore fails on a read-only zone",
        });
    }
    const incomplete = `restoring ${name} on ${site} fails or misses data; wait for replication, or restore an older complete backup (failover.sh restore --backup NAME)`;
    const required = requiredBackupFiles(name);
    const missing = required.filter((n) => !have.has(n));
    if (missing.length) out.push({ kind: "problem", text: `backup ${name} is incomplete on zone ${t.zone}: missing ${missing.join(", ")}`, risk: incomplete });
    const pvb = have.get(`${name}-podvolumebackups.json.gz`);
    const podVolumeList: PodVolumeList | undefined = t.podVolumeBackups !== undefined ? { count: t.podVolumeBackups } : pvb ? { bytes: pvb.size } : undefined;
    if (o) {
        const diff: string[] = [];
        for (const x of o.objects) {
            const mine = have.get(rel(x.name));
            if (!mine) {
                if (!missing.includes(rel(x.name))) diff.push(`${rel(x.name)} (absent)`);
            } else if (mine.size !== x.size || (mine.etag && x.etag && mine.etag !== x.etag)) diff.push(`${rel(x.name)} (differs)`);
        }
        if (diff.length) {
            out.push({
                kind: "problem",
                text: `zone ${t.zone} lacks ${diff.length} of the ${o.objects.length} objects zone ${o.zone} holds for ${name}: ${diff.slice(0, 5).join(", ")}${diff.length > 5 ? ", ..." : ""}`,
                risk: incomplete,
            });
        } else if (!missing.length) out.push({ kind: "ok", text: `all ${o.objects.length} objects of ${name} on zone ${o.zone} are on zone ${t.zone}` });
    } else if (!missing.length) out.push({ kind: "ok", text: `all ${required.length} files Velero writes for ${name} are on zone ${t.zone} (the other zone was not compared)` });
    const behind = (v: SyncState) => [v.state, v.error, v.behindShards.length ? `behind shards [${v.behindShards.join(",")}]` : ""].filter(Boolean).join(", ");
    for (const [src, v] of Object.entries(t.bucketSync)) {
        if (src === t.zone) continue;
        if (v.caughtUp) out.push({ kind: "ok", text: `bucket ${t.bucket} on zone ${t.zone} caught up with ${src} (kopia data included)` });
        else if (lost) {
            out.push({
                kind: "lost",
                text: `bucket ${t.bucket} on zone ${t.zone} is not caught up with ${src} (${behind(v)}): backups newer than the last replication and kopia data written on ${src} since then are not on ${t.zone}; if ${name} has pod volumes whose kopia data came late, their restore fails (velero restore describe --details)`,
            });
        } else {
            out.push({
                kind: "problem",
                text: `bucket ${t.bucket} on zone ${t.zone} is not caught up with ${src} (${behind(v)})`,
                risk: `kopia data (pod volumes) written recently on ${src} may be missing on ${t.zone}: volume restores of the newest backups may fail`,
            });
        }
    }
    // A zone that no longer syncs from the other at all: a forced promotion fenced that one off
    // (issue 16 item 7). Nothing more arrives from it until the failover stack readmits it; that is
    // what may be missing, and it does not block (the fence already declared the other site lost).
    if (!lost && st) {
        for (const [src, v] of Object.entries(st.dataSync)) {
            if (v.state !== "not-syncing" && v.state !== "absent") continue;
            out.push({ kind: "lost", text: `zone ${st.zone ?? t.zone} does not sync from ${src} (fenced off by a forced promotion until the failover stack readmits it): what ${src} wrote since then is not here` });
        }
    }
    if (lost && st) {
        for (const [src, v] of Object.entries(st.dataSync)) {
            if (v.caughtUp) continue;
            const what = [v.error || v.state, v.oldestChange ? `oldest change not applied ${v.oldestChange}` : ""].filter(Boolean).join(", ");
            out.push({ kind: "lost", text: `data sync of zone ${st.zone ?? t.zone} from ${src} is not caught up (${what}): what ${src} wrote after that is not here` });
        }
    }
    return { findings: out, podVolumeList };
}

// ---------------------------------------------------------------------------------------------
// The verdict
// ---------------------------------------------------------------------------------------------

export interface VerdictInput {
    /** "preflight" ends the run with the verdict; "switch" goes on when it may. */
    mode: "preflight" | "switch";
    force: boolean;
    to: SiteId;
    targetZone?: string;
    /** The newest Completed backup checked, if any. */
    newest?: string;
}

export type Decision =
    /** Refused (exit 3): the stderr lines, then the verdict. */
    | { go: false; stderr: string[]; verdict: string }
    /** Go on; `forced` lists what --force accepts; `verdict` ends a preflight. */
    | { go: true; forcedRisks?: string[]; verdict?: string };

export function decide(f: Findings, v: VerdictInput): Decision {
    if (f.blockers.length) {
        return {
            go: false,
            stderr: [`${PROG}: refused: ${f.blockers.join(" ")}`],
            verdict: `NOT SAFE to make ${v.to} active: ${f.blockers[0]} (--force does not override this)`,
        };
    }
    if (f.problems.length) {
        if (v.mode === "switch" && v.force) return { go: true, forcedRisks: [...f.risks] };
        const more = f.problems.length > 1 ? ` (and ${f.problems.length - 1} more)` : "";
        return {
            go: false,
            stderr: [
                `${PROG}: refused: ${f.problems.length} problem(s):`,
                ...f.problems.map((p) => `    ${p}`),
                "what switching with --force would accept (only if you accept it, add --force to the switch):",
                ...f.risks.map((r) => `    - ${r}`),
            ],
            verdict: `NOT SAFE to make ${v.to} active: ${f.problems[0]}${more}`,
        };
    }
    if (v.mode === "preflight") {
        return { go: true, verdict: `GO: ${v.to} can become the active site (zone ${v.targetZone ?? ""} caught up${v.newest ? `, newest backup ${v.newest} complete there` : ""})` };
    }
    return { go: true };
}
