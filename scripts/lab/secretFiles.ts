// Where a secret could land outside the state: files a run left in the temporary folder (the
// Kubernetes provider's kubeconfig copies were one such). The lab looks there for its own keys.
import * as fs from "fs";
import * as path from "path";

export interface SecretFileScan {
    /** Files that hold at least one of the secrets. */
    holding: string[];
    /** Files read (regular, modified since the start, small enough). */
    read: number;
}

export interface ScanOptions {
    /** Only files modified at or after this time (ms since the epoch). */
    sinceMs: number;
    /** Folders not entered (e.g. the lab's own folder, where its kubeconfigs live by design). */
    skip: string[];
    /** Levels of folders below `root` entered. */
    maxDepth: number;
    /** Larger files are not read. */
    maxBytes: number;
}

/** Files under `root` modified since `sinceMs` that hold one of `secrets` (unreadable entries are passed over). */
export function filesHoldingSecrets(root: string, secrets: string[], o: ScanOptions): SecretFileScan {
    const skip = new Set(o.skip.map((d) => path.resolve(d)));
    const result: SecretFileScan = { holding: [], read: 0 };
    const visit = (dir: string, depth: number): void => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
            return;
        }
        for (const e of entries) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) {
                if (depth < o.maxDepth && !skip.has(path.resolve(p))) visit(p, depth + 1);
                continue;
            }
            if (!e.isFile()) continue;
            try {
                const st = fs.statSync(p);
                if (st.mtimeMs < o.sinceMs || st.size > o.maxBytes) continue;
                const text = fs.readFileSync(p, "latin1");
                result.read++;
                if (secrets.some((s) => text.includes(s))) result.holding.push(p);
            } catch {
                // removed or unreadable meanwhile: nothing to report
            }
        }
    };
    visit(root, 0);
    return result;
}
