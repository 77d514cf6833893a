// What on-call reads: steps ("==> ..."), details (four spaces), warnings and errors on stderr, and
// the last line "VERDICT: ...". Ending a run is an exception (Exit) that the CLI turns into the
// exit code; the changes made so far are printed first, so on-call knows where it stopped.
export const PROG = "failover.sh";

/** Exit codes (the tool's contract, see `failover.sh help`). */
export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, timedOut: 4 } as const;

/** Ends the run with this code; everything has been printed. */
export class Exit extends Error {
    constructor(readonly code: number) {
        super(`exit ${code}`);
        this.name = "Exit";
    }
}

export interface Sink {
    stdout(text: string): void;
    stderr(text: string): void;
}

export const processSink: Sink = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
};

/** A changing command: how it is shown, and how it runs (its exit code). */
export interface Action {
    display: string;
    run(): Promise<number>;
}

/** Asks on-call to confirm (a terminal); absent when stdin is not one. */
export interface Terminal {
    ask(prompt: string): Promise<string>;
}

export class Report {
    /** Displays of the changing commands that succeeded. */
    readonly done: string[] = [];

    constructor(private readonly sink: Sink, readonly dryRun = false) {}

    step(text: string): void {
        this.sink.stdout(`==> ${text}\n`);
    }

    info(text: string): void {
        this.sink.stdout(`    ${text}\n`);
    }

    warn(text: string): void {
        this.sink.stderr(`${PROG}: warning: ${text}\n`);
    }

    /** A line on stdout as is (a child's progress passed on). */
    out(text: string): void {
        this.sink.stdout(text);
    }

    /** Lines on stderr as is (a child's messages passed on). */
    err(text: string): void {
        this.sink.stderr(text);
    }

    verdict(text: string): void {
        this.sink.stdout(`VERDICT: ${text}\n`);
    }

    /** The end of a successful run. */
    finish(text: string): never {
        this.verdict(text);
        throw new Exit(EXIT.ok);
    }

    die(text: string): never {
        return this.end("error", text, "FAILED", EXIT.failed);
    }

    refuse(text: string): never {
        return this.end("refused", text, "REFUSED", EXIT.refused);
    }

    timedOut(text: string): never {
        return this.end("timed out", text, "TIMED OUT", EXIT.timedOut);
    }

    /** A refusal whose messages were printed by the caller (the preflight's own format). */
    refuseWith(verdict: string): never {
        this.verdict(verdict);
        throw new Exit(EXIT.refused);
    }

    /** A child's exit code, mapped onto ours: 3 refused and 4 timed out pass through. */
    childFailed(what: string, code: number): never {
        if (code === EXIT.refused) this.refuse(`${what} refused (exit 3): see its message above`);
        if (code === EXIT.timedOut) this.timedOut(`${what} timed out (exit 4)`);
        return this.die(`${what} failed (exit ${code})`);
    }

    /** Runs a changing command, or in a dry run only shows it. Returns its exit code. */
    async act(what: string, action: Action): Promise<number> {
        if (this.dryRun) {
            this.info(`would run: ${action.display}`);
            return 0;
        }
        this.step(what);
        this.info(`+ ${action.display}`);
        const code = await action.run();
        if (code === 0) this.done.push(action.display);
        return code;
    }

    /**
     * On-call types EXPECTED to go on. --yes skips the question; without a terminal nothing is
     * changed without --yes. A dry run asks nothing.
     */
    async confirm(question: string, expected: string, yes: boolean, terminal: Terminal | undefined): Promise<void> {
        if (this.dryRun) return;
        if (yes) {
            this.info("--yes: not asking");
            return;
        }
        if (!terminal) this.refuse("nothing was confirmed: there is no terminal to ask on; re-run with --yes once you have read the plan above");
        const answer = await terminal.ask(`${question} Type ${expected} to go on: `);
        if (answer !== expected) this.refuse(`not confirmed (expected '${expected}'); nothing after the preflight was changed`);
    }

    private end(kind: string, text: string, verdict: string, code: number): never {
        this.sink.stderr(`${PROG}: ${kind}: ${text}\n`);
        this.progress();
        this.verdict(`${verdict}: ${text}`);
        throw new Exit(code);
    }

    private progress(): void {
        if (this.done.length === 0) return;
        this.sink.stderr("done before this point:\n");
        for (const d of this.done) this.sink.stderr(`    ${d}\n`);
    }
}
