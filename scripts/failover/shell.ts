// How commands appear to on-call: "would run" lines and the record of what ran. Pure.
import { shellQuote } from "./facts";

/** A command line as a shell would read it back. */
export function render(words: readonly string[]): string {
    return words.map(shellQuote).join(" ");
}

/** Characters bash's `printf %q` escapes anywhere; `~` and `#` only at the start of a word. */
const Q_SPECIAL = /[ !"$&'()*,;<>?[\\\]^`{|}]/g;

/**
 * bash's `printf '%q'`, which the shell tool used for the RGW_ADMIN=... prefixes of its "would
 * run" lines: backslashes before special characters, $'...' when there is a control character.
 */
export function printfQ(value: string): string {
    if (value === "") return "''";
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(value)) {
        const named: Record<string, string> = { "\x07": "\\a", "\b": "\\b", "\x1b": "\\E", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", "\\": "\\\\", "'": "\\'" };
        const body = [...value].map((ch) => {
            if (named[ch]) return named[ch];
            const code = ch.charCodeAt(0);
            return code < 0x20 || code === 0x7f ? `\\${code.toString(8).padStart(3, "0")}` : ch;
        });
        return `$'${body.join("")}'`;
    }
    return value.replace(Q_SPECIAL, "\\$&").replace(/^[~#]/, "\\$&");
}

/** A command from the environment (PULUMI, VELERO, KUBECTL) as bash's `read -r -a` splits it. */
export function splitWords(value: string): string[] {
    return value.split(/[ \t\n]+/).filter(Boolean);
}
