import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { filesHoldingSecrets } from "../../scripts/lab/secretFiles";

describe("lab: secrets left in the temporary folder (filesHoldingSecrets)", () => {
    let root: string;
    const secret = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ";
    const opts = (sinceMs: number, skip: string[] = []) => ({ sinceMs, skip, maxDepth: 2, maxBytes: 1 << 20 });

    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "secret-files-test-"));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("finds a kubeconfig copy holding the key, and not a file without it", () => {
        fs.writeFileSync(path.join(root, "kubeconfig123"), `client-key-data: ${secret}\n`);
        fs.writeFileSync(path.join(root, "other"), "nothing here");
        const scan = filesHoldingSecrets(root, [secret], opts(0));
        expect(scan.holding).to.deep.equal([path.join(root, "kubeconfig123")]);
        expect(scan.read).to.equal(2);
    });

    it("looks into folders to the depth given, and not into skipped ones", () => {
        fs.mkdirSync(path.join(root, "a", "b", "c"), { recursive: true });
        fs.mkdirSync(path.join(root, "lab"));
        fs.writeFileSync(path.join(root, "a", "b", "near"), secret);
        fs.writeFileSync(path.join(root, "a", "b", "c", "too-deep"), secret);
        fs.writeFileSync(path.join(root, "lab", "kubeconfig"), secret);
        const scan = filesHoldingSecrets(root, [secret], opts(0, [path.join(root, "lab")]));
        expect(scan.holding).to.deep.equal([path.join(root, "a", "b", "near")]);
    });

    it("passes over files older than the start", () => {
        const old = path.join(root, "kubeconfig-old");
        fs.writeFileSync(old, secret);
        const past = new Date(Date.now() - 3600_000);
        fs.utimesSync(old, past, past);
        expect(filesHoldingSecrets(root, [secret], opts(Date.now() - 60_000)).holding).to.deep.equal([]);
    });
});
