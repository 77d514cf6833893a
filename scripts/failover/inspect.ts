// Gathers what the preflight judges (read-only): the zones' status and a backup's objects on each
// zone (rgw-multisite.sh), the newest Completed backup (velero-role.sh). Each finding is printed
// as it comes and collected; preflight.ts decides.
import { SiteOptions } from "./args";
import { VeleroCluster } from "./kube";
import { Finding, Findings, PodVolumeList, decide, findingLine, judgeBackupObjects, judgeZones, noBackupProblem, otherSilentBlocker } from "./preflight";
import { PROG, Report } from "./report";
import { RgwMultisite, RgwOutputError, RgwReply, ZoneStatus } from "./rgw";

/** The sites as the options name them, with their zones' clients and the target's cluster. */
export interface InspectionSites extends Pick<SiteOptions, "to" | "other" | "otherUnreachable" | "targetZone" | "otherZone" | "bucket" | "namespace"> {
    targetRgw: RgwMultisite;
    /** Undefined when OTHER_RGW_ADMIN is not set, or the site is declared unreachable. */
    otherRgw?: RgwMultisite;
    targetCluster: VeleroCluster;
}

/** Indents a child's messages under ours. */
export function indented(text: string, prefix = "    "): string {
    return text.split("\n").filter((l, i, all) => l !== "" || i < all.length - 1).map((l) => `${prefix}${l}\n`).join("");
}

export class Inspection {
    readonly findings = new Findings();
    /** The zones, as given or as their status names them. */
    targetZone: string;
    otherZone: string;
    /** The other zone answered its status. */
    otherUp = false;
    newest?: string;
    /** The bucket's PodVolumeBackup list of the last backup checked. */
    podVolumeList?: PodVolumeList;

    constructor(private readonly report: Report, readonly sites: InspectionSites) {
        this.targetZone = sites.targetZone ?? "";
        this.otherZone = sites.otherZone ?? "";
    }

    record(findings: Finding[]): void {
        for (const f of findings) {
            this.report.info(findingLine(f));
            this.findings.add(f);
        }
    }

    /** The preflight of preflight and switch: zones, newest backup, its objects. */
    async preflight(): Promise<void> {
        const r: Report = this.report;
        const s = this.sites;
        r.step(`preflight: can ${s.to} become the active site?`);
        r.step(`sync status of ${s.to}'s zone${this.targetZone ? ` ${this.targetZone}` : ""} (rgw-multisite.sh status through TARGET_RGW_ADMIN)`);
        const target = await this.model(() => s.targetRgw.status(this.targetZone || undefined), "could not judge the sync status");
        if (!target.ok) {
            r.die(`cannot read the sync status of ${s.to}'s zone through TARGET_RGW_ADMIN (rgw-multisite.sh status: exit ${target.code}): the target site must answer`);
        }
        this.targetZone ||= target.value.zone ?? "";

        let other: ZoneStatus | undefined;
        if (s.otherUnreachable) r.step(`${s.other} is declared unreachable: not contacted`);
        else if (!s.otherRgw) r.step(`${s.other}'s zone not checked: OTHER_RGW_ADMIN is not set`);
        else {
            r.step(`sync status of ${s.other}'s zone${this.otherZone ? ` ${this.otherZone}` : ""} (through OTHER_RGW_ADMIN)`);
            const otherRgw = s.otherRgw;
            const reply = await this.model(() => otherRgw.status(this.otherZone || undefined), "could not judge the sync status");
            if (reply.ok) {
                this.otherUp = true;
                other = reply.value;
                this.otherZone ||= other.zone ?? "";
            } else this.record([otherSilentBlocker(s.other, reply.code)]);
        }
        this.record(judgeZones(target.value, other));

        r.step(`newest Completed backup that ${s.to}'s Velero sees (namespace ${s.namespace})`);
        const newest = await s.targetCluster.newestBackup();
        if (!newest.ok) {
            if (!newest.stderr.includes("no Completed backup")) {
                r.err(indented(newest.stderr));
                r.die(`cannot list the backups in ${s.to}'s cluster (velero-role.sh newest-backup: exit ${newest.code})`);
            }
            this.record([noBackupProblem(s.to)]);
        } else {
            this.newest = newest.value.name;
            r.info(`newest: ${this.newest}`);
            await this.checkObjects(this.newest);
        }
    }

    /**
     * Are NAME's objects on the target zone (compared with the other zone when it answered)?
     * otherLost: the other site is declared lost; targetStatus: the target zone (restore).
     */
    async checkObjects(name: string, otherLost = false, targetStatus?: ZoneStatus): Promise<void> {
        const r: Report = this.report;
        const s = this.sites;
        r.step(`objects of backup ${name} on zone ${this.targetZone || `of ${s.to}`} (rgw-multisite.sh backup-objects)`);
        const judging = "could not judge the backup's objects";
        const target = await this.model(() => s.targetRgw.backupObjects({ bucket: s.bucket, backup: name, zone: this.targetZone || undefined }), judging);
        if (!target.ok) r.die(`cannot list the objects of backup ${name} on ${s.to}'s zone (rgw-multisite.sh backup-objects: exit ${target.code})`);
        let other;
        if (this.otherUp && s.otherRgw) {
            const otherRgw = s.otherRgw;
            const reply = await this.model(() => otherRgw.backupObjects({ bucket: s.bucket, backup: name, zone: this.otherZone || undefined }), judging);
            if (reply.ok) other = reply.value;
            else r.warn(`cannot list backup ${name} on ${s.other}'s zone (exit ${reply.code}): not compared`);
        }
        const judgement = judgeBackupObjects({ backup: name, site: s.to, target: target.value, other, otherLost, targetStatus });
        this.record(judgement.findings);
        this.podVolumeList = judgement.podVolumeList;
    }

    /**
     * The verdict of the preflight: ends the run when refused (exit 3) or in "preflight" mode
     * (exit 0 on GO); in "switch" mode returns to go on.
     */
    verdict(mode: "preflight" | "switch", force: boolean): void {
        const d = decide(this.findings, { mode, force, to: this.sites.to, targetZone: this.targetZone, newest: this.newest });
        if (!d.go) {
            for (const line of d.stderr) this.report.err(`${line}\n`);
            this.report.refuseWith(d.verdict);
        }
        if (d.forcedRisks) {
            this.report.step("preflight: NOT SAFE, going on because of --force, which accepts:");
            for (const risk of d.forcedRisks) this.report.info(`- ${risk}`);
            return;
        }
        if (d.verdict) this.report.finish(d.verdict);
        this.report.step("preflight: GO");
    }

    /** A reply, or the end of the run when its JSON does not read (saying so). */
    private async model<T>(query: () => Promise<RgwReply<T>>, judging: string): Promise<RgwReply<T>> {
        try {
            return await query();
        } catch (e) {
            if (!(e instanceof RgwOutputError)) throw e;
            this.report.err(`${PROG}: ${e.message}\n`);
            return this.report.die(judging);
        }
    }
}

/** The inspection of preflight and switch: the other zone only when it is not declared unreachable. */
export function siteInspection(
    o: SiteOptions, d: { report: Report; targetRgw: RgwMultisite; otherRgw?: RgwMultisite; targetCluster: VeleroCluster },
): Inspection {
    return new Inspection(d.report, {
        to: o.to, other: o.other, otherUnreachable: o.otherUnreachable, targetZone: o.targetZone, otherZone: o.otherZone,
        bucket: o.bucket, namespace: o.namespace, targetRgw: d.targetRgw, otherRgw: o.otherUnreachable ? undefined : d.otherRgw,
        targetCluster: d.targetCluster,
    });
}
