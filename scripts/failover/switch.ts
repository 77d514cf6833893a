// The on-call tool's switch: make SITE the active site after a preflight, through the failover stack
// (Pulumi), or with --break-glass without the Pulumi state backend (promote, then the clusters'
// Schedules and BackupStorageLocations directly), printing what to reconcile later.
import { BreakGlassOptions, PulumiSwitchOptions } from "./args";
import { RPO_SECONDS_LABEL } from "./facts";
import { siteInspection } from "./inspect";
import { VeleroCluster } from "./kube";
import { PulumiBackend, previewArgs, roleSettingCommands, upArgs } from "./pulumi";
import { Report, Terminal } from "./report";
import { RgwMultisite } from "./rgw";
import { render } from "./shell";

export interface SwitchDeps {
    report: Report;
    targetRgw: RgwMultisite;
    /** Undefined when OTHER_RGW_ADMIN is not set or the other site is declared unreachable. */
    otherRgw?: RgwMultisite;
    targetCluster: VeleroCluster;
    /** Needed by break-glass while the other site is reachable. */
    otherCluster?: VeleroCluster;
    pulumi: PulumiBackend;
    /** The project directory (where pulumi runs), as shown. */
    root: string;
    terminal?: Terminal;
}

export async function switchWithPulumi(o: PulumiSwitchOptions, d: SwitchDeps): Promise<never> {
    const r: Report = d.report;
    const inspection = siteInspection(o, d);
    await inspection.preflight();
    inspection.verdict("switch", o.force);

    const settings = roleSettingCommands(o.stack, o.to, o.other, o.otherUnreachable, o.force).map((args) => d.pulumi.command(args));
    const preview = d.pulumi.command(previewArgs(o.stack));
    const up = d.pulumi.command(upArgs(o.stack));
    r.step(`the failover stack ${o.stack}: activeSite ${o.to}, unreachableSites [${o.otherUnreachable ? o.other : ""}], forcePromotion ${o.force} (in ${d.root})`);
    for (const setting of settings) {
        const code = await r.act("pulumi config", setting);
        if (code !== 0) r.die(`${setting.display} failed (exit ${code}); nothing was deployed`);
    }
    if (o.dryRun) {
        r.info(`would run: ${preview.display}`);
        r.info(`would ask for confirmation (unless --yes), then run: ${up.display}`);
        r.finish(`DRY RUN: nothing changed; the preflight says go, the commands above are what the switch to ${o.to} would run`);
    }
    let code = await r.act("preview of the role switch (read the diff: promotion, BackupStorageLocations, Schedules)", preview);
    if (code !== 0) {
        r.die(`pulumi preview failed (exit ${code}): the stack config now says activeSite ${o.to}, nothing is deployed; fix and re-run, or set activeSite back to ${o.other}`);
    }
    await r.confirm(`Deploy the role switch to ${o.to} (stack ${o.stack})?`, o.to, o.yes, d.terminal);
    code = await r.act("deploying the role switch", up);
    if (code !== 0) r.die(`pulumi up failed (exit ${code}): re-run 'pulumi up -s ${o.stack}' once the cause is fixed (every step is an ensure)`);
    const restore = await d.pulumi.restoreCommand(o.stack);
    r.step(`next: verify (docs/runbook.md#verify), then restore what is needed${restore ? `: ${restore}` : ""}`);
    return r.finish(`DONE: ${o.to} is the active site (stack ${o.stack})${o.force ? "; forcePromotion is true: set it back when the other site returns" : ""}`);
}

export async function switchBreakGlass(o: BreakGlassOptions, d: SwitchDeps): Promise<never> {
    const r: Report = d.report;
    const inspection = siteInspection(o, d);
    await inspection.preflight();
    inspection.verdict("switch", o.force);
    const otherUp = inspection.otherUp;
    // (a reachable but silent other site is a blocker above; this only guards the logic)
    if (!o.otherUnreachable && !otherUp) r.die(`${o.other}'s zone was not reached; break-glass needs it reachable (or --unreachable ${o.other} --force)`);

    const targetZone = o.targetZone;
    const otherZone = inspection.otherZone;
    const promote = d.targetRgw.promote(
        { zone: targetZone, zonegroup: o.zonegroup, peerZone: otherUp ? otherZone : undefined, peerUrl: otherUp ? o.otherEndpoint : undefined, bucket: o.bucket, force: o.force },
        otherUp ? d.otherRgw : undefined,
    );

    r.step(`break-glass plan (no Pulumi): ${o.to} becomes the active site`);
    r.info(`1. promote zone ${targetZone} to metadata master${otherUp ? ` (fencing ${otherZone} read-only first, then waiting for ${targetZone} to catch up)` : ""}`);
    if (otherUp) r.info(`2. ${o.other}'s cluster: stop our Schedules (Backups are kept), BackupStorageLocation ${o.location} ReadOnly`);
    else r.info(`2. ${o.other} is unreachable: no call to it`);
    r.info(`3. ${o.to}'s cluster: BackupStorageLocation ${o.location} ReadWrite`);
    await r.confirm(`Break glass: make ${o.to} the active site without Pulumi?`, o.to, o.yes, d.terminal);

    let code = await r.act(`promoting zone ${targetZone}`, promote);
    if (code !== 0) r.childFailed("rgw-multisite.sh promote", code);
    if (otherUp) {
        const other = d.otherCluster;
        if (!other) r.die(`${o.other}'s cluster is not known: give --other-kube-context or set OTHER_KUBECONFIG_DATA`);
        code = await r.act(`${o.other}'s cluster: stopping our Schedules`, other.stopSchedules(RPO_SECONDS_LABEL));
        if (code !== 0) r.childFailed(`velero-role.sh stop-schedules on ${o.other}`, code);
        code = await r.act(`${o.other}'s cluster: location ${o.location} ReadOnly`, other.setAccessMode(o.location, "ReadOnly"));
        if (code !== 0) r.childFailed(`velero-role.sh set-access-mode on ${o.other}`, code);
    }
    code = await r.act(`${o.to}'s cluster: location ${o.location} ReadWrite`, d.targetCluster.setAccessMode(o.location, "ReadWrite"));
    if (code !== 0) r.childFailed(`velero-role.sh set-access-mode on ${o.to}`, code);

    r.step(`reconcile in Pulumi as soon as its state backend is back (until then no Schedule runs in ${o.to}: take backups by hand with velero backup create)`);
    // The failover stack's own name, as the runbook writes it: the commands are for a person to run.
    for (const args of roleSettingCommands("failover", o.to, o.other, o.otherUnreachable, o.force || o.otherUnreachable)) r.info(render(["pulumi", ...args]));
    r.info(`pulumi preview -s failover --diff   # expect: no promotion change, Schedules created in ${o.to}${otherUp ? `, ${otherZone} demoted to a writable secondary` : ""}`);
    r.info("pulumi up -s failover");
    if (o.dryRun) r.finish("DRY RUN: nothing changed; the preflight says go, the commands above are what break-glass would run");
    return r.finish(`DONE (break-glass): ${o.to} is the active site; reconcile Pulumi as printed above`);
}
