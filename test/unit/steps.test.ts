import { expect } from "chai";
import { changedStepInputs, runStep, shellStepProvider } from "../../components/step/shellStep";
import { ALPHANUMERIC, UPPER_AND_DIGITS, randomFrom, randomSecretProvider } from "../../components/secrets/randomSecret";

describe("ShellStep: running a step's command line", () => {
    it("runs the command with the step's environment", async () => {
        await runStep("create", 'test "$STEP_PROBE" = "from env"', { STEP_PROBE: "from env" });
    });

    it("fails with the exit code, the command and the end of its output", async () => {
        let message = "";
        await runStep("update", "echo first; echo 'why it failed' >&2; exit 3").catch((e: Error) => (message = e.message));
        expect(message).to.equal("update failed (exit 3): echo first; echo 'why it failed' >&2; exit 3\nfirst\nwhy it failed\n");
    });

    it("keeps only the end of a long output", async () => {
        let message = "";
        await runStep("create", "head -c 20000 /dev/zero | tr '\\0' x; echo END; exit 1").catch((e: Error) => (message = e.message));
        expect(message.length).to.be.lessThan(6200);
        expect(message.endsWith("END\n")).to.equal(true);
    });

    it("update runs the update command, or create when there is none; delete runs delete only when set", async () => {
        const marker = `/tmp/step-test-${process.pid}`;
        await shellStepProvider.update!("step", { create: "true" }, { create: `echo create > ${marker}` });
        await shellStepProvider.update!("step", { create: "true" }, { create: "false", update: `echo update >> ${marker}` });
        await shellStepProvider.delete!("step", { create: "false" });
        await shellStepProvider.delete!("step", { create: "false", delete: `echo delete >> ${marker}` });
        const { readFileSync, rmSync } = await import("fs");
        expect(readFileSync(marker, "utf8")).to.equal("create\nupdate\ndelete\n");
        rmSync(marker);
    });
});

describe("ShellStep: diff", () => {
    const step = { create: "a", update: "a", delete: "echo kept", environment: { RGW_ADMIN: "radosgw-admin", KEY: "k1" } };
    it("sees no change for the same inputs", () => expect(changedStepInputs(step, structuredClone(step))).to.deep.equal([]));
    it("names changed commands and environment variables, added or removed", () => {
        expect(changedStepInputs(step, { ...step, create: "b", environment: { RGW_ADMIN: "radosgw-admin", KEY: "k2", NEW: "x" } }))
            .to.deep.equal(["create", "environment.KEY", "environment.NEW"]);
        expect(changedStepInputs(step, { ...step, delete: undefined, environment: {} })).to.deep.equal(["delete", "environment.RGW_ADMIN", "environment.KEY"]);
    });
    it("updates in place, never replaces", async () => {
        expect(await shellStepProvider.diff!("step", step, { ...step, create: "b" })).to.deep.equal({ changes: true, replaces: [], deleteBeforeReplace: false });
    });
});

describe("RandomSecret", () => {
    it("draws the length asked for from the alphabet only", () => {
        for (const [alphabet, length] of [[UPPER_AND_DIGITS, 20], [ALPHANUMERIC, 40], ["ab", 64]] as const) {
            const value = randomFrom(alphabet, length);
            expect(value).to.have.length(length);
            expect([...value].every((c) => alphabet.includes(c)), value).to.equal(true);
        }
        expect(randomFrom(ALPHANUMERIC, 40)).not.to.equal(randomFrom(ALPHANUMERIC, 40));
    });

    it("refuses a length below 1 and an alphabet of one character", () => {
        expect(() => randomFrom("ab", 0)).to.throw(/length 0: allowed: a whole number of at least 1/);
        expect(() => randomFrom("aaa", 8)).to.throw(/at least two different characters/);
    });

    it("creates a result; keeps it unless length or alphabet change, then replaces it", async () => {
        const created = await randomSecretProvider.create({ length: 32, alphabet: ALPHANUMERIC });
        expect(created.outs?.result).to.match(/^[A-Za-z0-9]{32}$/);
        expect(await randomSecretProvider.diff!("secret", created.outs!, { length: 32, alphabet: ALPHANUMERIC }))
            .to.deep.equal({ changes: false, replaces: [], deleteBeforeReplace: false });
        expect(await randomSecretProvider.diff!("secret", created.outs!, { length: 40, alphabet: ALPHANUMERIC }))
            .to.deep.equal({ changes: true, replaces: ["length"], deleteBeforeReplace: false });
    });
});
