// The Pulumi-backend path of a switch: the failover stack's role settings, its preview and its
// deployment, run by the pulumi CLI in the project directory (PULUMI_* secrets stay in the
// environment). The break-glass path (switch.ts) runs without any of this.
import { SiteId } from "./facts";
import { withPrivateTmpDir } from "./privateTmp";
import { ChildEnv, RunOptions, RunResult, run } from "./proc";
import { Action } from "./report";
import { render } from "./shell";

/** The role settings of the failover stack, stated whole: no leftover forcePromotion or unreachableSites carries over. */
export function roleSettingCommands(stack: string, to: SiteId, other: SiteId, otherUnreachable: boolean, force: boolean): string[][] {
    return [
        ["config", "set", "activeSite", to, "-s", stack],
        otherUnreachable
            ? ["config", "set", "--path", "unreachableSites[0]", other, "-s", stack]
            : ["config", "rm", "unreachableSites", "-s", stack],
        ["config", "set", "forcePromotion", String(force), "-s", stack],
    ];
}

export const previewArgs = (stack: string) => ["preview", "-s", stack, "--diff"];
export const upArgs = (stack: string) => ["up", "-s", stack, "--yes"];

/**
 * The environment of one pulumi run: its private TMPDIR, and no type check of the program by
 * ts-node (PULUMI_NODEJS_TRANSPILE_ONLY). The program is type-checked by `npm run typecheck` in
 * the tests; checking it again costs 3 s of every preview and up (loading the program took 4.1 s
 * with the check, 1.1 s without), which a switch pays twice. A value the caller set wins.
 */
export function engineEnv<E extends ChildEnv>(env: E, tmp: string): E {
    return { ...env, TMPDIR: tmp, PULUMI_NODEJS_TRANSPILE_ONLY: env.PULUMI_NODEJS_TRANSPILE_ONLY ?? "true" };
}

export interface PulumiBackend {
    /** `pulumi ARGS` in the project directory. */
    command(args: string[]): Action;
    /** The failover stack's restore command for the new active site, if it has one. */
    restoreCommand(stack: string): Promise<string | undefined>;
}

export class PulumiCli implements PulumiBackend {
    /** @param pulumi the pulumi command (PULUMI, word-split) @param root the project directory */
    constructor(private readonly pulumi: string[], private readonly root: string, private readonly env: ChildEnv) {}

    command(args: string[]): Action {
        const argv = [...this.pulumi, ...args];
        return { display: render(argv), run: async () => (await this.run(argv, {})).code };
    }

    async restoreCommand(stack: string): Promise<string | undefined> {
        const r = await this.run([...this.pulumi, ...stackOutputArgs("restoreCommand", stack)], { stdout: "capture", stderr: "capture" });
        return r.code === 0 ? r.stdout.replace(/\n+$/, "") || undefined : undefined;
    }

    /** Each pulumi run gets its own TMPDIR, removed after it (the provider's kubeconfig copies go with it). */
    private run(argv: string[], options: RunOptions): Promise<RunResult> {
        return withPrivateTmpDir("failover-pulumi", (tmp) => run(argv, { ...options, cwd: this.root, env: engineEnv(this.env, tmp) }));
    }
}

/** The one stack output this tool reads: `restoreCommand` of the failover stack (stacks/failover.ts, FailoverOutputs). */
function stackOutputArgs(output: "restoreCommand", stack: string): string[] {
    return ["stack", "output", output, "-s", stack];
}
