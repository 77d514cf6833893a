// The only text parsing of radosgw-admin output, kept in one place. Two commands have no JSON on
// Ceph 16.2 (`--format json` is ignored):
// - `sync status`: the one local command that compares this zone's sync markers with the
//   source's log positions (it fetches them from the master/source gateway over REST). The JSON
//   commands (`metadata sync status`, `data sync status`) give only the local markers; comparing
//   them needs the source's `mdlog status`/`datalog status`, i.e. admin access to the peer,
//   which the steps do not have in general (the master may be down). So "caught up" is read here.
// - `bucket sync status`: per source zone, whether the bucket's shards are caught up.
// "caught up" alone is never trusted: on a zone whose sync never started the text says "caught
// up" with state init and 0/0 shards, so caughtUp also needs state syncing, shards > 0 and every
// shard in incremental sync.

export interface IdName {
    id: string;
    name: string | null;
}

export interface SyncSection {
    /** "not-syncing": Ceph's "not syncing from zone", a source left out of the zone's sync_from (a fence). */
    state: "syncing" | "init" | "preparing-full-sync" | "master" | "error" | "unknown" | "absent" | "not-syncing";
    caughtUp: boolean;
    behindShards: number[];
    shards?: number;
    incrementalShards?: number;
    fullSyncShards?: number;
    behindCount?: number;
    oldestChange?: string;
    recoveringShards?: number[];
    error?: string;
}

export interface SyncStatusText {
    header: Partial<Record<"realm" | "zonegroup" | "zone", IdName>>;
    metadata: SyncSection;
    /** Data sync per source, keyed by zone name (id when the name is not printed). */
    data: Record<string, SyncSection & { id?: string }>;
}

const idName = (s: string): IdName => {
    const m = /^(\S+)(?: \((.*)\))?$/.exec(s.trim());
    return m ? { id: m[1], name: m[2] === undefined ? null : m[2] } : { id: s, name: null };
};
const numbers = (list: string): number[] => (list.match(/\d+/g) ?? []).map(Number);

interface RawSection {
    first: string | null;
    lines: string[];
}

function summarize(sec: RawSection | null): SyncSection {
    const out: SyncSection = { state: "unknown", caughtUp: false, behindShards: [], shards: 0, incrementalShards: 0, fullSyncShards: 0 };
    if (!sec || sec.first === null) return { ...out, error: "no sync status reported" };
    const s = sec.first;
    if (/zone is master/.test(s)) return { ...out, state: "master", caughtUp: true };
    if (/^not syncing from zone$/.test(s)) return { ...out, state: "not-syncing" };
    if (/^syncing$/.test(s)) out.state = "syncing";
    else if (/^init$/.test(s)) out.state = "init";
    else if (/^preparing for full sync$/.test(s)) out.state = "preparing-full-sync";
    else if (/^fail|error/i.test(s)) {
        out.state = "error";
        out.error = s;
    }
    let caught = false;
    let behind = 0;
    let recovering = 0;
    for (const l of sec.lines) {
        let m: RegExpExecArray | null;
        if ((m = /^full sync: (\d+)\/(\d+) shards$/.exec(l))) {
            out.fullSyncShards = +m[1];
            out.shards = +m[2];
        } else if ((m = /^incremental sync: (\d+)\/(\d+) shards$/.exec(l))) {
            out.incrementalShards = +m[1];
            out.shards = +m[2];
        } else if (/ is caught up with (master|source)$/.test(l)) caught = true;
        else if ((m = / is behind on (\d+) shards$/.exec(l))) behind = +m[1];
        else if ((m = /^behind shards: \[(.*)\]$/.exec(l))) out.behindShards = numbers(m[1]);
        else if ((m = /^oldest incremental change not applied: (.*)$/.exec(l))) out.oldestChange = m[1];
        else if ((m = /^(\d+) shards are recovering$/.exec(l))) recovering = +m[1];
        else if ((m = /^recovering shards: \[(.*)\]$/.exec(l))) out.recoveringShards = numbers(m[1]);
        else if (/^(failed|master is on a different period|ERROR)/i.test(l)) out.error = l;
    }
    if (behind && !out.behindShards.length) out.behindCount = behind;
    out.caughtUp = caught && !behind && !recovering && !out.error && out.state === "syncing"
        && (out.shards ?? 0) > 0 && out.incrementalShards === out.shards;
    return out;
}

/** `sync status` text: the zone it describes, metadata sync, data sync per source. */
export function parseSyncStatusText(text: string): SyncStatusText {
    const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
    const header: SyncStatusText["header"] = {};
    let metadata: RawSection | null = null;
    const sources: (RawSection & IdName)[] = [];
    let cur: RawSection | null = null;
    for (const line of lines) {
        let m: RegExpExecArray | null;
        // `realm ID (NAME)` lines only: Reef and later add `zonegroup features enabled: ...`.
        if (!cur && (m = /^(realm|zonegroup|zone) (\S+(?: \(.*\))?)$/.exec(line))) {
            header[m[1] as "realm" | "zonegroup" | "zone"] = idName(m[2]);
        } else if ((m = /^metadata sync (.*)$/.exec(line))) {
            cur = metadata = { first: m[1], lines: [] };
        } else if ((m = /^(?:data sync )?source: (.+)$/.exec(line))) {
            const source = { ...idName(m[1]), first: null, lines: [] };
            sources.push(source);
            cur = source;
        } else if (cur) {
            if (cur.first === null) cur.first = line;
            else cur.lines.push(line);
        }
    }
    const data: SyncStatusText["data"] = {};
    for (const s of sources) data[s.name ?? s.id] = { id: s.id, ...summarize(s) };
    return { header, metadata: summarize(metadata), data };
}

// ---------------------------------------------------------------------------------------------
// bucket sync status
// ---------------------------------------------------------------------------------------------

export interface BucketSourceSync {
    caughtUp: boolean;
    /** Pacific prints `full sync: X/Y shards` then `incremental sync: X/Y shards`; Reef and later
     * print `incremental sync on N shards` once full sync is done (`init` before it starts). */
    state: "disabled" | "init" | "incremental" | "full" | "unknown";
    behindShards: number[];
    error?: string;
}

export interface BucketSyncText {
    /** The zone the status describes ("" when not printed). */
    zone: string;
    /** "Sync is disabled for bucket" anywhere in the text. */
    disabled: boolean;
    /** One entry per `source zone` block, keyed by zone name (first word when no name). */
    sources: Record<string, BucketSourceSync & { id: string; notSyncing: boolean }>;
}

function bucketSourceState(block: string): BucketSourceSync["state"] {
    if (/Sync is disabled/.test(block)) return "disabled";
    if (/^\s*(full sync: 0\/\d+ shards|incremental sync on \d+ shards)$/m.test(block)) return "incremental";
    if (/^\s*init$/m.test(block)) return "init";
    if (/^\s*full sync: \d+\/\d+ shards$/m.test(block)) return "full";
    // No state line: the source did not answer ("failed to read remote log").
    return "unknown";
}

/** `bucket sync status [--bucket B]` text: one block per `source zone ID (NAME)`. */
export function parseBucketSyncText(text: string): BucketSyncText {
    const zone = /^\s*zone \S+ \((.*)\)$/m.exec(text)?.[1] ?? "";
    const sources: BucketSyncText["sources"] = {};
    for (const block of text.split(/^\s*source zone /m).slice(1)) {
        const id = block.split(/\s/)[0];
        const name = /^\S+ \((.*)\)/.exec(block)?.[1] ?? id;
        const behind = /behind shards: \[([^\]]*)\]/.exec(block)?.[1];
        const errorLine = /ERROR|failed/.test(block) ? block.split("\n").find((l) => /ERROR|failed/.test(l))?.trim() : undefined;
        // The line after the header says when this zone does not sync from that source.
        const nextLine = block.split("\n")[1] ?? "";
        sources[name] = {
            id,
            caughtUp: /bucket is caught up with source/.test(block),
            state: bucketSourceState(block),
            behindShards: behind ? behind.split(",").map((x) => Number(x.trim())).filter((n) => !Number.isNaN(n)) : [],
            ...(errorLine ? { error: errorLine } : {}),
            notSyncing: /does not sync from zone/.test(block.split("\n")[0]) || /does not sync from zone/.test(nextLine),
        };
    }
    return { zone, disabled: /Sync is disabled for bucket/.test(text), sources };
}

/** The `backup-objects` view of a source: without the parser's bookkeeping. */
export function bucketSyncSummary(status: BucketSyncText): Record<string, BucketSourceSync> {
    const out: Record<string, BucketSourceSync> = {};
    for (const [name, s] of Object.entries(status.sources)) {
        out[name] = { caughtUp: s.caughtUp, state: s.state, behindShards: s.behindShards, ...(s.error ? { error: s.error } : {}) };
    }
    return out;
}
