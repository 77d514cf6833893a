// "Caught up" as an operator reads it from `radosgw-admin sync status` (polled every second by the
// manual procedure, and after a lease change): metadata and data sync of the zone caught up with
// every source. Parsed with the rgw tool's own parser and decision (scripts/rgw/syncText.ts,
// checkpoints.ts); the period names the zones a source may be missing for.
import { allCaughtUp, statusSummary, zoneStatus } from "../scripts/rgw/checkpoints";
import { Period } from "../scripts/rgw/models";
import { parseSyncStatusText } from "../scripts/rgw/syncText";

export function syncVerdict(syncStatusText: string, periodJson: string): { caughtUp: boolean; summary: string } {
    const status = zoneStatus(parseSyncStatusText(syncStatusText), Period.parse(periodJson, "period get"));
    return { caughtUp: allCaughtUp(status), summary: statusSummary(status) };
}
