// The program behind the entry point: picks the program for this stack (the `program` setting,
// else the stack's name). Kept apart from index.ts, whose only export is this function.
import * as pulumi from "@pulumi/pulumi";
import { loadRegionConfig, programFor } from "./config";
import { failoverProgram } from "./failover";
import { loadFailoverConfig } from "./failoverConfig";
import { regionProgram } from "./region";

export async function main(): Promise<Record<string, unknown>> {
    const config = new pulumi.Config();
    const kind = programFor(pulumi.getStack(), config.get("program"), config.name);
    if (kind === "region") {
        return { ...(await regionProgram(loadRegionConfig(), config.name)) };
    }
    return { ...(await failoverProgram(loadFailoverConfig())) };
}

