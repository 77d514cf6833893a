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

    optional(key: string, fallback: string, problem: (v: string) => string | undefined): string {
        const value = this.raw[key];
        return value === undefined || value === "" ? fallback : this.check(key, value, problem);
    }

    oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T {
        const value = this.raw[key];
        if ((value === undefined || value === "") && fallback !== undefined) return fallback;
        if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
        this.fail(key, value, `allowed: ${allowed.map((a) => `"${a}"`).join(" or ")}`);
        return allowed[0];
    }

    bool(key: string, fallback: boolean): boolean {
        const value = this.raw[key];
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
