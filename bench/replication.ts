// 1. Replication lag A -> B: a Velero-shaped backup uploaded to zone A with Velero's keys, then
// B's listing polled until every object is there with A's ETag and size, then read back from B
// and compared by sha256; each run's objects are removed again (memstore is RAM).
import { cephLab } from "../scripts/lab/labSettings";
import { missingOrDifferent } from "../scripts/lab/s3";
import { BenchCtx, osdUsage, usageSettled } from "./context";
import { asWritten, deletePrefixes, listPrefix, planBackup, prefixesOf, uploadBackup, waitListed } from "./objects";
import { LagCellPlan } from "./args";
import { LagCell, LagRun } from "./types";
import { MiB, errText, sec, sizeLabel, sleep } from "./stats";

async function lagRun(ctx: BenchCtx, objects: number, bytes: number, run: number): Promise<LagRun> {
    const { clients, bucket, log } = ctx;
    const name = `lag-${objects}o-${sizeLabel(bytes).replace(/ /g, "")}-r${run}`;
    const result: LagRun = { run, name, objects, bytes, multipartObjects: 0 };
    const need = bytes * 1.15 + 64 * MiB;
    // What the zones held before this run: the cleanup waits until they are back near it (earlier
    // phases leave their switch backups and Velero's own backups behind, so not the first baseline).
    const before = { a: (await osdUsage(ctx.s, "a")).used, b: (await osdUsage(ctx.s, "b")).used };
    for (const site of ["a", "b"] as const) {
        let u = await osdUsage(ctx.s, site);
        if (u.avail < need) u = await usageSettled(ctx.s, site, u.total - need, 30_000);
        if (u.avail < need) {
            throw new Error(`does not fit: site ${site}'s memstore has ${sizeLabel(u.avail)} free of ${sizeLabel(u.total)}, the backup needs ${sizeLabel(bytes)}`);
        }
    }
    const planned = planBackup(ctx.content, name, objects, bytes);
    result.bytes = planned.reduce((n, o) => n + o.bytes, 0);
    result.multipartObjects = planned.filter((o) => o.parts.length > 1).length;
    const prefixes = prefixesOf(name);
    try {
        const t0 = Date.now();
        const etags = await uploadBackup(clients.a, bucket, planned);
        const t1 = Date.now();
        result.uploadMs = t1 - t0;
        const expected = new Map(planned.map((o) => [o.key, { etag: etags.get(o.key) ?? "", size: o.bytes }]));
        const noEtag = [...expected].filter(([, v]) => !v.etag).map(([k]) => k);
        if (noEtag.length) throw new Error(`no ETag from zone A for ${noEtag.length} objects, e.g. ${noEtag[0]}`);
        const waited = await waitListed(clients.b, bucket, prefixes, expected, 300_000, log);
        if (waited.missing > 0) throw new Error(`${waited.missing} of ${planned.length} objects not on B after ${sec(waited.ms)}`);
        result.lagMs = waited.ms;
        result.lag50Ms = waited.p50Ms;
        result.lag90Ms = waited.p90Ms;
        result.toBMs = Date.now() - t0;
        const t2 = Date.now();
        const bad = await missingOrDifferent(clients.b, bucket, asWritten(planned));
        result.verifyMs = Date.now() - t2;
        result.verified = bad.length === 0;
        if (!result.verified) throw new Error(`${bad.length} objects on B differ from what was written (sha256), e.g. ${bad[0]}`);
        log(`    run ${run}: upload ${sec(result.uploadMs)} (${(result.bytes / MiB / (result.uploadMs / 1000)).toFixed(1)} MiB/s), `
            + `lag after upload ${sec(result.lagMs)} (90% of the objects: ${sec(result.lag90Ms)}), sha256 read-back from B ${sec(result.verifyMs)}`);
    } catch (e) {
        result.error = errText(e);
        log(`    run ${run}: FAILED ${result.error}`);
    } finally {
        // Memstore is RAM capped at 3 GiB per OSD: remove this run's objects on A, wait until the
        // deletes reached B, and let both zones' garbage collectors free the tails now.
        const t = Date.now();
        await deletePrefixes(clients.a, bucket, prefixes);
        let gone = false;
        for (const deadline = Date.now() + 300_000; Date.now() < deadline; await sleep(250)) {
            let left = 0;
            for (const p of prefixes) left += (await listPrefix(clients.b, bucket, p).catch(() => new Map([["?", 0]]))).size;
            if (left === 0) {
                gone = true;
                break;
            }
        }
        result.deleteReplicatedMs = Date.now() - t;
        if (!gone) result.error = `${result.error ? `${result.error}; ` : ""}deletes did not reach B within 300 s`;
        await cephLab(ctx.s, "admin a gc process --include-all");
        await cephLab(ctx.s, "admin b gc process --include-all");
        const [afterA, afterB] = await Promise.all([
            usageSettled(ctx.s, "a", before.a + 64 * MiB, 30_000),
            usageSettled(ctx.s, "b", before.b + 64 * MiB, 30_000),
        ]);
        const after = { a: afterA, b: afterB };
        result.usageAfterCleanup = { a: after.a.used, b: after.b.used };
    }
    return result;
}

/**
 * The lag series, run-major: the first run of every cell, then the second of every cell, and so
 * on, so that a time budget used up cuts runs, not whole sizes.
 */
export async function lagSeries(ctx: BenchCtx, plan: LagCellPlan[], runs: number, budgetMs: number, cells: LagCell[]): Promise<void> {
    const started = Date.now();
    const mine = plan.map((p) => ({ objects: p.objects, bytes: p.bytes, runs: [] as LagRun[] } as LagCell));
    cells.push(...mine);
    ctx.log(`==> lag: ${mine.length} cells x ${runs} runs (${mine.map((c) => `${c.objects}x${sizeLabel(c.bytes)}`).join(", ")}), budget ${sec(budgetMs)}`);
    let outOfTime = false;
    for (let run = 1; run <= runs && !outOfTime; run++) {
        for (const cell of mine) {
            if (cell.skipped) continue;
            if (Date.now() - started > budgetMs) {
                outOfTime = true;
                break;
            }
            ctx.log(`==> lag: ${cell.objects} objects, ${sizeLabel(cell.bytes)} in total, run ${run} of ${runs}`);
            try {
                cell.runs.push(await lagRun(ctx, cell.objects, cell.bytes, run));
            } catch (e) {
                cell.skipped = errText(e);
                ctx.log(`    skipped: ${cell.skipped}`);
            }
        }
    }
    if (outOfTime) {
        for (const cell of mine) {
            if (!cell.skipped && cell.runs.length < runs) {
                cell.skipped = `the lag phase's time budget (${sec(budgetMs)}) was used up after ${cell.runs.length} of ${runs} runs`;
                ctx.log(`==> lag: ${cell.objects} objects, ${sizeLabel(cell.bytes)}: ${cell.skipped}`);
            }
        }
    }
}
