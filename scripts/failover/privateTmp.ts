// A private temporary folder for one child's TMPDIR. Why: the Kubernetes provider writes each
// kubeconfig it is given to $TMPDIR/kubeconfig* at every `pulumi` run and never removes it
// (pulumi-kubernetes, provider.go: writeKubeconfigToFile), so runs with the default TMPDIR leave
// the clusters' credentials behind in /tmp. Under a private folder removed afterwards, they go too.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Runs `fn` with a new folder only this user can enter (0700), removed when `fn` settles. */
export async function withPrivateTmpDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}.`));
    fs.chmodSync(dir, 0o700);
    try {
        return await fn(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
