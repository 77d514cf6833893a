// How components call scripts/rgw-multisite.sh: one readable command line per step (it is what
// reviewers see in a `pulumi preview` diff), secrets only in the environment.
import * as pulumi from "@pulumi/pulumi";
import { CallFlags, FlagName, FlagValue, Subcommand, renderRgwCall, shellQuote } from "../core/rgwCalls";
import { ShellStep } from "./step/shellStep";

export { RGW_SCRIPT, shellQuote } from "../core/rgwCalls";

/** How a site's radosgw-admin is reached and its gateway restarted. Not secret. */
export interface RgwAdminTransport {
    /** Command prefix that runs radosgw-admin at the site, e.g. `cephadm shell -- radosgw-admin`. */
    adminCommand: pulumi.Input<string>;
    /** Command that (re)starts the site's gateway, e.g. `systemctl restart ceph-radosgw@rgw.a`. */
    restartCommand: pulumi.Input<string>;
    /**
     * Command prefix that runs `rados` at the site (RGW_RADOS): the tool sees a gateway's reload after
     * a commit with it and frees stale sync leases. Default: adminCommand with its `radosgw-admin`
     * word replaced by `rados`. Without a working rados the tool restarts the gateway after a commit.
     */
    radosCommand?: pulumi.Input<string>;
}

/** An S3 key pair. Both are secret Outputs. */
export interface S3Keys {
    accessKey: pulumi.Output<string>;
    secretKey: pulumi.Output<string>;
}

/** Renders `scripts/rgw-multisite.sh <subcommand> --flag value ...` in the order given (core/rgwCalls.ts). */
export function renderScriptCommand<S extends Subcommand>(subcommand: S, flags: CallFlags<S>): string {
    return renderRgwCall(subcommand, flags);
}

/** Like renderScriptCommand, for flags that are Outputs (e.g. values from a stack reference). */
export function scriptCommand<S extends Subcommand>(
    subcommand: S,
    flags: { [F in FlagName<S>]?: pulumi.Input<FlagValue<S, F> | undefined> },
): pulumi.Output<string> {
    return pulumi.output(flags).apply((resolved) => renderRgwCall(subcommand, resolved as CallFlags<S>));
}

/** The environment every call gets: the site's admin transport. */
export function transportEnv(t: RgwAdminTransport): Record<string, pulumi.Input<string>> {
    return { RGW_ADMIN: t.adminCommand, RGW_RESTART: t.restartCommand, ...(t.radosCommand !== undefined ? { RGW_RADOS: t.radosCommand } : {}) };
}

/** Printed when Pulumi deletes a Ceph step: nothing in Ceph is removed by this program. */
export function keepNotice(what: string): string {
    return `echo ${shellQuote(`velero-ceph-dr: ${what} is kept in Ceph (this program never deletes Ceph state; see README "What delete does")`)}`;
}

export interface RgwStepArgs {
    /** The create/update command (idempotent: running it again changes nothing). */
    command: pulumi.Input<string>;
    /** Environment: transport settings and secrets. */
    environment: Record<string, pulumi.Input<string>>;
    /** What the delete notice names. */
    keeps: string;
}

/**
 * One idempotent Ceph step. Create and update run the same "ensure" command, so changed
 * arguments are re-applied in place; delete only prints what is kept.
 */
export function rgwStep(name: string, args: RgwStepArgs, opts: pulumi.CustomResourceOptions): ShellStep {
    return new ShellStep(
        name,
        {
            create: args.command,
            update: args.command,
            delete: keepNotice(args.keeps),
            environment: args.environment,
        },
        opts,
    );
}
