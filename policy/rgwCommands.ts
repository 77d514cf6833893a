// Reads the command lines that components render for scripts/rgw-multisite.sh, so policies can
// look at the endpoints, zones and switches each Ceph step gets. The grammar is core/rgwCalls.ts
// (the same description renders the lines and parses the CLI's argv).
import { RgwCall, parseRgwCommandLine } from "../core/rgwCalls";

export { shellWords } from "../core/rgwCalls";
export type RgwScriptCall = RgwCall;

/** The script call in a command line, or undefined when the line does not run the script. */
export const parseRgwScriptCall = parseRgwCommandLine;

/** The script calls of a command:local:Command (create, and update when it differs). */
export function rgwScriptCalls(props: Record<string, unknown>): RgwScriptCall[] {
    const lines = [props.create, props.update].filter((l, i, all) => typeof l === "string" && all.indexOf(l) === i);
    return lines.map(parseRgwCommandLine).filter((c): c is RgwScriptCall => c !== undefined);
}
