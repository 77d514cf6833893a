// The on-call tool's restore: a backup into SITE's cluster with `velero restore create --from-backup
// --wait`, on the active site or on the passive one without any switch, after checking the
// location, the zone (TARGET_RGW_ADMIN), every file of the backup and what the cluster imported.
import { RestoreOptions } from "./args";
import { SITE_LABEL } from "./facts";
import { Inspection, indented } from "./inspect";
import { VeleroCluster } from "./kube";
import { PodVolumeList } from "./preflight";
import { Report, Terminal } from "./report";
import {
    chosenLine, compareImport, judgeBackupPhase, judgeLocation, newestBackupNotes, noBackupOfSite, objectsRefusal, restoreName, restoreOutcome,
} from "./restorePlan";
import { RgwMultisite, RgwOutputError } from "./rgw";

export interface RestoreDeps {
    report: Report;
    cluster: VeleroCluster;
    /** The restoring site's zone; undefined when TARGET_RGW_ADMIN is not set (the zone is not checked). */
    rgw?: RgwMultisite;
    terminal?: Terminal;
    now(): Date;
    sleep(ms: number): Promise<void>;
    /** How long backup sync may take to create the PodVolumeBackups after the re-import, and the poll interval. */
    settleSeconds: number;
    pollSeconds: number;
}

export async function restore(o: RestoreOptions, d: RestoreDeps): Promise<never> {
    const r: Report = d.report;
    const cluster: VeleroCluster = d.cluster;
    const backup = o.backup === undefined ? await newestOf(o, d) : await named(o.backup, o, d);

    r.step(`backup storage location ${o.location} in ${o.to}'s cluster`);
    const location = await cluster.location(o.location);
    if (!location.ok) {
        r.err(indented(location.stderr));
        r.die(`cannot read BackupStorageLocation ${o.location} in namespace ${o.namespace} of ${o.to}'s cluster: exit ${location.code}`);
    }
    for (const j of judgeLocation(location.value, o.location, o.to)) {
        if (j.kind === "info") r.info(j.text);
        else if (j.kind === "warn") r.warn(j.text);
        else r.refuse(j.text);
    }

    // What the zone says of the backup (with TARGET_RGW_ADMIN): its PodVolumeBackup list, what may be missing.
    let podVolumeList: PodVolumeList | undefined;
    let mayBeMissing = 0;
    if (d.rgw) {
        const inspection = new Inspection(r, {
            to: o.to, other: o.other, otherUnreachable: o.otherLost, targetZone: o.targetZone, bucket: o.bucket, namespace: o.namespace,
            targetRgw: d.rgw, targetCluster: cluster,
        });
        const zone = inspection.targetZone;
        r.step(`${o.to}'s zone${zone ? ` ${zone}` : ""} (rgw-multisite.sh status through TARGET_RGW_ADMIN)`);
        let status;
        try {
            status = await d.rgw.status(zone || undefined);
        } catch (e) {
            if (!(e instanceof RgwOutputError)) throw e;
            r.err(`failover.sh: ${e.message}\n`);
            r.die("could not judge the zone's status");
        }
        if (!status.ok) r.die(`cannot read the status of ${o.to}'s zone through TARGET_RGW_ADMIN (rgw-multisite.sh status: exit ${status.code})`);
        inspection.targetZone ||= status.value.zone ?? "";
        if (o.otherLost) r.step(`${o.other} is declared lost (--lost-site ${o.other}): its zone is not contacted and its sync state does not block`);
        await inspection.checkObjects(backup, o.otherLost, status.value);
        if (inspection.findings.problems.length) r.refuse(objectsRefusal(backup, o.to, o.other, inspection.findings.problems, o.otherLost));
        podVolumeList = inspection.podVolumeList;
        mayBeMissing = inspection.findings.mayBeMissing.length;
    } else {
        r.step(`objects of backup ${backup} on the zone not checked: set TARGET_RGW_ADMIN to check them`);
        if (o.otherLost) r.warn(`--lost-site ${o.other} without TARGET_RGW_ADMIN: nothing says whether ${backup}'s files all reached ${o.to}'s zone`);
    }

    r.step(`what ${o.to}'s cluster imported for ${backup}, against the bucket on the zone`);
    const differs = await importDiff(backup, o, d, podVolumeList);
    if (differs) {
        r.info(`DIFFERS: ${differs}: backup sync imported ${backup} before all its files had replicated and never reads them again; a restore now would skip volume data and still end Completed`);
    }

    const name = restoreName(backup, d.now());
    const create = cluster.restoreCreate(name, backup, o.timeoutSeconds);
    const reimport = cluster.reimportBackup(backup, o.reimportTimeoutSeconds);
    r.step(`restore plan: backup ${backup} into ${o.to}'s cluster as restore ${name}`);
    if (differs) r.info(`first: delete the Backup record ${backup} only (not its data) and wait until Velero's backup sync imports it again, then compare again`);
    await r.confirm(`Restore backup ${backup} into ${o.to}'s cluster?`, o.to, o.yes, d.terminal);
    if (differs) {
        const code = await r.act(`re-importing backup ${backup} from the bucket`, reimport);
        if (code !== 0) r.childFailed(`velero-role.sh reimport-backup on ${o.to}`, code);
        if (!o.dryRun) {
            // Backup sync creates the PodVolumeBackups right after the Backup: give them a moment.
            const deadline = d.now().getTime() + d.settleSeconds * 1000;
            for (;;) {
                const still = await importDiff(backup, o, d, podVolumeList);
                if (!still) break;
                if (d.now().getTime() >= deadline) {
                    r.refuse(`after the re-import ${still} still; the list may itself still be replicating: wait and re-run, or restore an older backup with --backup NAME`);
                }
                await d.sleep(d.pollSeconds * 1000);
            }
            r.info(`the re-imported ${backup} matches the bucket`);
        }
    }
    const code = await r.act(`restoring backup ${backup} (waits until the restore ends)`, create);
    if (o.dryRun) r.finish("DRY RUN: nothing changed; the checks passed, the commands above are what the restore would run");
    // coreutils timeout exits 124 when the time ran out.
    if (code === 124 && o.timeoutSeconds !== undefined) {
        r.timedOut(`restore ${name} did not end within ${o.timeoutSeconds}s; it goes on in the cluster: velero restore describe ${name}`);
    }
    if (code !== 0) r.die(`velero restore create failed (exit ${code}): velero restore describe ${name} --details; velero restore logs ${name}`);

    const phase = await cluster.restorePhase(name);
    if (!phase.ok) r.die(`cannot read restore ${name} after it ended (exit ${phase.code}): velero restore describe ${name}`);
    const outcome = restoreOutcome(phase.value, name, backup, o.to, o.other, mayBeMissing);
    if (!outcome.done) r.die(outcome.error);
    return r.finish(outcome.verdict);
}

/** --backup NAME: it must exist and be Completed (PartiallyFailed with a warning). */
async function named(backup: string, o: RestoreOptions, d: RestoreDeps): Promise<string> {
    const r: Report = d.report;
    r.step(`backup ${backup} in ${o.to}'s cluster (chosen with --backup)`);
    const phase = await d.cluster.backupPhase(backup);
    if (!phase.ok) {
        r.err(indented(phase.stderr));
        r.die(`cannot read backup ${backup} in namespace ${o.namespace} of ${o.to}'s cluster (velero backup get): exit ${phase.code}`);
    }
    const j = judgeBackupPhase(backup, phase.value);
    if (j.kind === "info") r.info(j.text);
    else if (j.kind === "warn") r.warn(j.text);
    else r.refuse(j.text);
    return backup;
}

/** The newest Completed backup made by --from-site (default: the other site), by the Schedules' site label. */
async function newestOf(o: RestoreOptions, d: RestoreDeps): Promise<string> {
    const r: Report = d.report;
    const from = o.fromSite;
    r.step(`newest Completed backup made by ${from} (label ${SITE_LABEL}=${from}) that ${o.to}'s Velero sees (namespace ${o.namespace})`);
    const newest = await d.cluster.newestBackup(`${SITE_LABEL}=${from}`);
    if (!newest.ok) {
        r.err(indented(newest.stderr));
        if (newest.stderr.includes("no Completed backup")) r.refuse(noBackupOfSite(o.to, from, SITE_LABEL));
        r.die(`cannot list the backups in ${o.to}'s cluster (velero-role.sh newest-backup: exit ${newest.code})`);
    }
    r.out(newestBackupNotes(newest.value.notes));
    r.info(chosenLine(newest.value.name, from, o.to, o.other));
    return newest.value.name;
}

/** Compares the cluster's import of BACKUP with the bucket's list (printing what it compared); how they differ, or undefined. */
async function importDiff(backup: string, o: RestoreOptions, d: RestoreDeps, list: PodVolumeList | undefined): Promise<string | undefined> {
    const r: Report = d.report;
    const count = await d.cluster.podVolumeBackups(backup);
    if (!count.ok) {
        r.err(indented(count.stderr));
        r.die(`cannot count the PodVolumeBackups of ${backup} in ${o.to}'s cluster (velero-role.sh pod-volume-backups: exit ${count.code})`);
    }
    if (count.value === undefined) r.die(`velero-role.sh pod-volume-backups printed no count for ${backup}`);
    const c = compareImport(backup, o.to, count.value, list);
    r.info(c.info);
    return c.differs;
}
