// Reads the command lines that components render for scripts/rgw-multisite.sh (renderScriptCommand:
// `scripts/rgw-multisite.sh <subcommand> --flag value ... --switch`), so policies can look at the
// endpoints, zones and switches each Ceph step gets.
import { RGW_SCRIPT } from "../components/rgwScript";

export interface RgwScriptCall {
    subcommand: string;
    /** Flag name without `--` -> its value, or true for a switch without a value. */
    flags: Map<string, string | true>;
}

/** Splits a POSIX sh word list as shellQuote writes it: bare words, '...' and "..." quoting, backslashes. */
export function shellWords(line: string): string[] {
    const words: string[] = [];
    let word: string | undefined;
    for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (/\s/.test(ch)) {
            if (word !== undefined) words.push(word);
            word = undefined;
        } else if (ch === "'") {
            const end = line.indexOf("'", i + 1);
            if (end < 0) throw new Error(`unterminated ' in ${JSON.stringify(line)}`);
            word = (word ?? "") + line.slice(i + 1, end);
            i = end;
        } else if (ch === '"') {
            let text = "";
            let j = i + 1;
            for (; j < line.length && line[j] !== '"'; j++) {
                if (line[j] === "\\" && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) j++;
                text += line[j];
            }
            if (j >= line.length) throw new Error(`unterminated " in ${JSON.stringify(line)}`);
            word = (word ?? "") + text;
            i = j;
        } else if (ch === "\\" && i + 1 < line.length) {
            word = (word ?? "") + line[i + 1];
            i++;
        } else {
            word = (word ?? "") + ch;
        }
    }
    if (word !== undefined) words.push(word);
    return words;
}

/** The script call in a command line, or undefined when the line does not run the script. */
export function parseRgwScriptCall(line: unknown): RgwScriptCall | undefined {
    if (typeof line !== "string") return undefined;
    let words: string[];
    try {
        words = shellWords(line);
    } catch {
        return undefined;
    }
    const start = words.findIndex((w) => w === RGW_SCRIPT || w.endsWith(`/${RGW_SCRIPT}`));
    if (start < 0 || start + 1 >= words.length) return undefined;
    const flags = new Map<string, string | true>();
    const rest = words.slice(start + 2);
    for (let i = 0; i < rest.length; i++) {
        if (!rest[i].startsWith("--")) continue;
        const [name, inlineValue] = rest[i].slice(2).split(/=(.*)/s, 2);
        if (inlineValue !== undefined) {
            flags.set(name, inlineValue);
        } else if (i + 1 < rest.length && !rest[i + 1].startsWith("--")) {
            flags.set(name, rest[i + 1]);
            i++;
        } else {
            flags.set(name, true);
        }
    }
    return { subcommand: words[start + 1], flags };
}

/** The script calls of a command:local:Command (create, and update when it differs). */
export function rgwScriptCalls(props: Record<string, unknown>): RgwScriptCall[] {
    const lines = [props.create, props.update].filter((l, i, all) => typeof l === "string" && all.indexOf(l) === i);
    return lines.map(parseRgwScriptCall).filter((c): c is RgwScriptCall => c !== undefined);
}
