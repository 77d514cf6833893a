// The restore's judgement, pure: which backup and why, whether the location and the backup's
// phase allow a restore, whether what the cluster imported matches the bucket, and how it ends.
import { SiteId } from "./facts";
import { PodVolumeList } from "./preflight";
import { LocationState } from "./kube";

/** A verdict on one fact: go on (with a note), warn and go on, or refuse (exit 3). */
export type Judgement = { kind: "info" | "warn" | "refuse"; text: string };

/** Why this backup: the other site's by default, since the restoring site's own first backups (after a switch) can be nearly empty. */
export function chosenLine(backup: string, from: SiteId, to: SiteId, other: SiteId): string {
    return from === other
        ? `chosen: ${backup}, the newest Completed backup made by ${from}, the other site: backups ${to} made itself (after a switch, its first ones) can be nearly empty; --from-site ${to} or --backup NAME to choose otherwise`
        : `chosen: ${backup}, the newest Completed backup made by ${from} (--from-site ${from})`;
}

/** velero-role.sh newest-backup's notes on stderr, as the tool shows them (under its own lines). */
export function newestBackupNotes(stderr: string): string {
    return stderr.replace(/^velero-role\.sh: /gm, "    ");
}

/** The refusal when no Completed backup of the chosen site is visible. */
export function noBackupOfSite(to: SiteId, from: SiteId, siteLabel: string): string {
    return `${to}'s Velero sees no Completed backup made by ${from} (label ${siteLabel}=${from}): pick one with --backup NAME (velero backup get --show-labels), or another site with --from-site (velero backup-location get; DrNoBackupsVisible in docs/runbook.md)`;
}

/** A backup named with --backup must be Completed (PartiallyFailed restores with a warning). */
export function judgeBackupPhase(backup: string, phase: string): Judgement {
    if (phase === "Completed") return { kind: "info", text: "phase Completed" };
    if (phase === "PartiallyFailed") {
        return { kind: "warn", text: `backup ${backup} is PartiallyFailed: the restore will miss what the backup missed (velero backup describe ${backup} --details)` };
    }
    return { kind: "refuse", text: `backup ${backup} is ${phase}, not Completed: pick a Completed one (velero backup get), or leave out --backup for the newest` };
}

/**
 * The BackupStorageLocation of the restoring cluster. Velero 1.18.1 restores from a ReadOnly
 * location (it only refuses to create a kopia repository there); an Unavailable one cannot reach
 * the bucket.
 */
export function judgeLocation(state: LocationState, location: string, to: SiteId): Judgement[] {
    const out: Judgement[] = [{ kind: "info", text: `accessMode ${state.accessMode}, phase ${state.phase}` }];
    if (state.accessMode === "ReadOnly") {
        out.push({
            kind: "info",
            text: "ReadOnly is fine for a restore: Velero reads the backup and the existing kopia repository, and writes only the restore's logs and results (restores/ in the bucket); no switch needed",
        });
    }
    if (state.phase === "Unavailable") {
        out.push({
            kind: "refuse",
            text: `BackupStorageLocation ${location} in ${to} is Unavailable: Velero cannot reach the bucket on the zone (velero backup-location get; docs/runbook.md#velero-bsl-unavailable)`,
        });
    } else if (state.phase !== "Available") out.push({ kind: "warn", text: `BackupStorageLocation ${location} in ${to} is ${state.phase}, not yet Available` });
    return out;
}

/** The refusal when the backup's files are not all on the restoring zone. */
export function objectsRefusal(backup: string, to: SiteId, other: SiteId, problems: string[], otherLost: boolean): string {
    return `backup ${backup} cannot be restored on ${to}'s zone: ${problems.join("; ")}. Wait for replication (rgw-multisite.sh wait-caught-up), or restore an older backup with --backup NAME (velero backup get)`
        + (otherLost ? "" : `; if ${other} is lost for good, say so with --lost-site ${other}`);
}

/**
 * An empty PodVolumeBackup list as Velero writes it ("null", gzipped) is about 25 bytes; one entry
 * makes it several hundred. Used when backup-objects does not report the list's length.
 */
export const EMPTY_POD_VOLUME_LIST_MAX_BYTES = 64;

export interface ImportComparison {
    /** What was compared, for on-call. */
    info: string;
    /** Set when the cluster's import differs from the bucket: how. */
    differs?: string;
}

/**
 * The PodVolumeBackups the cluster has for a backup against the bucket's list: backup sync imports
 * a backup once, and when that was before its list replicated, a restore skips volume data and
 * still ends Completed. Not comparable (no list read) counts as the same.
 */
export function compareImport(backup: string, to: SiteId, inCluster: number, list: PodVolumeList | undefined): ImportComparison {
    if (list && "count" in list) {
        const info = `PodVolumeBackups of ${backup}: ${inCluster} in ${to}'s cluster, ${list.count} in the bucket's list on the zone`;
        if (inCluster === list.count) return { info };
        return { info, differs: `${to}'s cluster has ${inCluster} PodVolumeBackups for ${backup}, the bucket's ${backup}-podvolumebackups.json.gz lists ${list.count}` };
    }
    if (list) {
        const info = `PodVolumeBackups of ${backup}: ${inCluster} in ${to}'s cluster; the bucket's list is ${list.bytes} bytes gzipped (an empty one at most ${EMPTY_POD_VOLUME_LIST_MAX_BYTES})`;
        if (inCluster === 0 && list.bytes > EMPTY_POD_VOLUME_LIST_MAX_BYTES) {
            return { info, differs: `${to}'s cluster has no PodVolumeBackup for ${backup}, but the bucket's ${backup}-podvolumebackups.json.gz is not empty (${list.bytes} bytes)` };
        }
        return { info };
    }
    return { info: `PodVolumeBackups of ${backup}: ${inCluster} in ${to}'s cluster; the bucket's list was not read (set TARGET_RGW_ADMIN)` };
}

/** The restore's name: the backup's, with the UTC time (date -u +%Y%m%d%H%M%S). */
export function restoreName(backup: string, now: Date): string {
    const stamp = now.toISOString().replace(/[-:T]/g, "").slice(0, 14);
    return `${backup}-${stamp}`;
}

/** How a restore that ran to its end is judged: the verdict, or the failure. */
export function restoreOutcome(
    phase: string, name: string, backup: string, to: SiteId, other: SiteId, mayBeMissing: number,
): { done: true; verdict: string } | { done: false; error: string } {
    if (phase === "Completed") {
        const lost = mayBeMissing ? `; ${other} is lost: ${mayBeMissing} note(s) above on what may be missing` : "";
        return { done: true, verdict: `DONE: restore ${name} of backup ${backup} into ${to} Completed${lost}; next: point clients at ${to} (docs/runbook.md#dnsingress)` };
    }
    return { done: false, error: `restore ${name} ended ${phase}: velero restore describe ${name} --details; velero restore logs ${name} (docs/runbook.md#velero-restore-partially-failed)` };
}
