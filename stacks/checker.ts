// Config checking primitives: collect every problem, each naming the key, the bad value and
// what is allowed, then throw them together.

export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }
}

/** Raw settings as strings (what `pulumi config` holds), keyed without the project prefix. */
export type RawConfig = Record<string, string | undefined>;

/**
 * Keys that Pulumi.yaml declares with `default: ""`: the program reads "" for them when they are
 * not set, so "" means "not set". Every other key reads undefined when not set, or its non-empty
 * Pulumi.yaml default (`realm: dr`, ...): for those, "" can only come from an explicit
 * `pulumi config set KEY ""` and is refused instead of silently replaced by the default.
 * test/unit/config.test.ts checks this list against Pulumi.yaml.
 */
export const EMPTY_MEANS_UNSET: ReadonlySet<string> = new Set([
    "program", "siteId", "bootstrapRole", "masterStack", "zone", "endpoint", "rgwRestartCommand",
    "rgwRadosCommand", "kubeContext", "runbookBaseUrl",
]);

/** Collects problems while parsing; `key` names are printed with the project prefix. */
export class Checker {
    readonly problems: string[] = [];
    constructor(private readonly raw: RawConfig, private readonly prefix: string) {}

    private fail(key: string, value: string | undefined, allowed: string): void {
        const shown = value === undefined ? "(not set)" : JSON.stringify(value);
        this.problems.push(`${this.prefix}:${key} = ${shown} is not allowed; ${allowed}`);
    }

    /** A required string checked by `problem`; returns "" when missing or bad. */
    require(key: string, problem: (v: string) => string | undefined, example: string): string {
        const value = this.raw[key];
        if (value === undefined || value === "") {
            this.fail(key, value, `it is required, e.g. \`pulumi config set ${key} ${example}\``);
            return "";
        }
        return this.check(key, value, problem);
    }

    /**
     * True when `key` was set to "" explicitly although it has a default (see EMPTY_MEANS_UNSET):
     * reports it, naming what is allowed and that unsetting the key gives the default.
     */
    private explicitlyEmpty(key: string, fallback: string, allowed: string): boolean {
        if (this.raw[key] !== "" || EMPTY_MEANS_UNSET.has(key)) return false;
        this.fail(key, "", `${allowed}; or leave it unset (\`pulumi config rm ${key}\`) for the default ${JSON.stringify(fallback)}`);
        return true;
    }

    optional(key: string, fallback: string, problem: (v: string) => string | undefined): string {
        const value = this.raw[key];
        if (value === undefined) return fallback;
        if (value === "") {
            this.explicitlyEmpty(key, fallback, problem("") ?? "allowed: a non-empty value");
            return fallback;
        }
        return this.check(key, value, problem);
    }

    oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T {
        const value = this.raw[key];
        const allowedText = `allowed: ${allowed.map((a) => `"${a}"`).join(" or ")}`;
        if (value === "" && fallback !== undefined && this.explicitlyEmpty(key, fallback, allowedText)) return fallback;
        if ((value === undefined || value === "") && fallback !== undefined) return fallback;
        if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
        this.fail(key, value, allowedText);
        return allowed[0];
    }

    bool(key: string, fallback: boolean): boolean {
        const value = this.raw[key];
        if (value === "" && this.explicitlyEmpty(key, String(fallback), "allowed: true or false")) return fallback;
        if (value === undefined || value === "") return fallback;
        if (value === "true" || value === "false") return value === "true";
        this.fail(key, value, "allowed: true or false");
        return fallback;
    }

    /** A cross-setting rule: reports on `key` when `ok` is false. */
    rule(ok: boolean, key: string, allowed: string): void {
        if (!ok) this.fail(key, this.raw[key], allowed);
    }

    private check(key: string, value: string, problem: (v: string) => string | undefined): string {
        const p = problem(value);
        if (p) this.fail(key, value, p);
        return value;
    }

    done(): void {
        if (this.problems.length > 0) throw new ConfigError(this.problems);
    }
}

/**
 * A structured setting (a YAML/JSON list or object in the stack file, JSON text in `raw`):
 * `fallback` when unset; undefined (reported on `c`) when set to "" explicitly; `fallback`
 * (reported) when not JSON. `shape` names what the value should be in the message.
 */
export function parseJson(c: Checker, raw: RawConfig, key: string, fallback: unknown, allowed: string, shape: "list" | "object" = "list"): unknown {
    const text = raw[key];
    if (text === undefined) return fallback;
    if (text === "") {
        // Set to "" explicitly (these keys are not declared in Pulumi.yaml): never the silent default.
        c.rule(false, key, `${allowed}; or leave it unset (\`pulumi config rm ${key}\`) for the default ${JSON.stringify(fallback)}`);
        return undefined;
    }
    try {
        return JSON.parse(text);
    } catch {
        c.rule(false, key, `allowed: a YAML/JSON ${shape} as \`pulumi config set --path\` or the stack file writes it`);
        return fallback;
    }
}

/** Reads `keys` from a pulumi.Config as raw strings; structured ones (`objectKeys`) as JSON text. */
export function readRawValues(
    get: (key: string) => string | undefined,
    getObject: (key: string) => unknown,
    keys: readonly string[],
    objectKeys: readonly string[] = [],
): RawConfig {
    const raw: RawConfig = {};
    for (const k of keys) {
        // Lists and maps come back from `getObject` as values; keep them as JSON text for the pure
        // parsers. An explicit "" is not JSON: getObject would throw an unnamed error; keep it as "".
        const value = objectKeys.includes(k) && get(k) !== "" ? getObject(k) : get(k);
        raw[k] = value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value);
    }
    return raw;
}
