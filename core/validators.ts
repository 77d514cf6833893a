// Validators of names and values this project hands to Ceph, Kubernetes, S3 and Pulumi: the one
// definition every layer uses (stack config, components, policy pack, the on-call tools). Each
// returns an error text (what is allowed) or undefined; callers prefix the setting's name and the
// bad value. Where Ceph or Kubernetes enforce nothing stricter than "not empty", the rule chosen is
// the one that keeps values safe on a command line and in every place the value travels to, and
// the comment says why.

/**
 * Realm, zonegroup and zone names: 1 to 63 of letters, digits, '-' and '_', starting with a letter
 * or digit. Ceph itself only refuses an empty name; the rest is ours, for reasons that matter:
 * - a leading '-' would read as a flag to radosgw-admin and to the scripts' flag parsers;
 * - '.' is left out: zone names become pool name prefixes (`<zone>.rgw.log`), where a '.' makes
 *   the pool ambiguous, and the Ceph metrics exporter splits on it;
 * - 63, not 64: it is the limit the stacks have always enforced, so every name a stack can
 *   declare is accepted by the on-call tools and nothing they accept is refused at preview, and
 *   it keeps the name a valid Kubernetes label value and DNS label (Rook's object names).
 */
const CEPH_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export function cephNameProblem(value: string): string | undefined {
    return CEPH_NAME.test(value)
        ? undefined
        : "allowed: 1 to 63 letters, digits, '-' or '_', starting with a letter or digit (plain alphanumeric is best: the Ceph metrics exporter mis-parses '-', '_' and '.')";
}

/**
 * RGW user ids: 1 to 64 of letters, digits, '.', '@', '-' and '_', starting with a letter or digit.
 * Ceph reads `$` as the tenant separator and `:` as the subuser separator, so both are refused;
 * '@' is a plain character to Ceph (e-mail-like ids are common) and is allowed. 64 is the IAM user
 * name limit that RGW's IAM-compatible user APIs and policy principals (`user/<uid>`) follow; a
 * leading '-' would read as a flag on the command line.
 */
const RGW_UID = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;

export function rgwUidProblem(value: string): string | undefined {
    return RGW_UID.test(value)
        ? undefined
        : "allowed: 1 to 64 letters, digits, '.', '@', '-' or '_', starting with a letter or digit (no tenant '$' or subuser ':')";
}

/** A user's display name: what radosgw-admin stores, shown in logs; one printable line. */
export function displayNameProblem(value: string): string | undefined {
    // eslint-disable-next-line no-control-regex
    return value.length >= 1 && value.length <= 256 && !/[\u0000-\u001f\u007f]/.test(value)
        ? undefined
        : "allowed: 1 to 256 printable characters";
}

/**
 * An RGW endpoint: the http(s) URL of the gateway itself, no path, query, fragment or credentials,
 * no trailing '/'. RGW sync builds request URLs by appending to it, so a path would be doubled.
 */
export function endpointProblem(value: string): string | undefined {
    const allowed = "allowed: an http:// or https:// URL of the gateway with no path, query or user info, e.g. https://rgw-a.example.com";
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return allowed;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") return allowed;
    if (url.username || url.password || url.search || url.hash) return allowed;
    if (url.pathname !== "/" && url.pathname !== "") return allowed;
    if (value.endsWith("/")) return "allowed: the URL without a trailing '/', e.g. https://rgw-a.example.com";
    return undefined;
}

/** A comma-separated list of endpoints, as radosgw-admin's `--endpoints` takes it. */
export function endpointListProblem(value: string): string | undefined {
    const parts = value.split(",");
    if (parts.some((p) => p === "")) return "allowed: one or more gateway URLs separated by ',' with no empty entry";
    for (const part of parts) {
        const problem = endpointProblem(part);
        if (problem) return `${JSON.stringify(part)}: ${problem}`;
    }
    return undefined;
}

/** S3 bucket naming rules (general purpose buckets), as RGW with path style accepts them. */
export function bucketNameProblem(value: string): string | undefined {
    const rules = "allowed: 3 to 63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit, no '..', not an IP address, no 'xn--'/'sthree-' prefix or '-s3alias'/'--ol-s3' suffix";
    if (value.length < 3 || value.length > 63) return rules;
    if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(value)) return rules;
    if (value.includes("..") || value.includes(".-") || value.includes("-.")) return rules;
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(value)) return rules;
    if (value.startsWith("xn--") || value.startsWith("sthree-")) return rules;
    if (value.endsWith("-s3alias") || value.endsWith("--ol-s3")) return rules;
    return undefined;
}

/** A shell command prefix given as a setting: one line, not empty. */
export function commandProblem(value: string): string | undefined {
    if (value.trim() === "") return "allowed: a non-empty command, e.g. `radosgw-admin` or `cephadm shell -- radosgw-admin`";
    if (/[\r\n]/.test(value)) return "allowed: a single-line command";
    return undefined;
}

/**
 * Pulumi stack reference names: `stack`, `project/stack` or `org/project/stack`, each part 1 to
 * 100 of letters, digits, '_', '.' and '-' (Pulumi's own limits for stack and project names).
 */
export function stackNameProblem(value: string): string | undefined {
    return /^[A-Za-z0-9_.-]{1,100}(\/[A-Za-z0-9_.-]{1,100}){0,2}$/.test(value)
        ? undefined
        : "allowed: a stack name such as `site-a`, `myorg/velero-ceph-dr/site-a`";
}

/**
 * The URL of docs/runbook.md as people open it: absolute http(s), without a '#' fragment, because
 * every alert links `<url>#<anchor>`.
 */
export function runbookUrlProblem(value: string): string | undefined {
    const allowed = "allowed: an absolute http:// or https:// URL of docs/runbook.md without a '#' fragment, e.g. https://git.example.com/platform/velero-ceph-dr/blob/main/docs/runbook.md";
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return allowed;
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || value.includes("#")) return allowed;
    return undefined;
}

/** Kubernetes object names that are DNS labels (RFC 1123): namespaces, Secrets, Schedules, sites. */
export function dnsLabelProblem(value: string): string | undefined {
    return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)
        ? undefined
        : "allowed: 1 to 63 lowercase letters, digits or '-', starting and ending with a letter or digit";
}

/** Kubernetes object names that are DNS subdomains (RFC 1123), such as Velero Backup names. */
export function dnsSubdomainProblem(value: string): string | undefined {
    return value.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value)
        ? undefined
        : "allowed: 1 to 253 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit";
}

/** Kubernetes label keys: an optional DNS-subdomain prefix and '/', then a name of 1 to 63 characters. */
export function labelKeyProblem(value: string): string | undefined {
    return /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(value)
        ? undefined
        : "allowed: a Kubernetes label key such as `release` or `example.com/team`";
}

/** Kubernetes label values: empty, or 1 to 63 characters starting and ending alphanumeric. */
export function labelValueProblem(value: string): string | undefined {
    return /^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/.test(value)
        ? undefined
        : "allowed: a Kubernetes label value (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)";
}

/** Prometheus label names; names starting with `__` are reserved to Prometheus. */
export function prometheusLabelNameProblem(value: string): string | undefined {
    return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(value) && !value.startsWith("__")
        ? undefined
        : "allowed: a Prometheus label name such as \"site\" or \"cluster\"";
}

/**
 * A kubeconfig context name. Kubernetes sets no rule; this keeps it one safe word on a command
 * line (`--context NAME`), with the characters cloud providers use (`arn:...:cluster/x`, `user@x`).
 */
export function kubeContextProblem(value: string): string | undefined {
    return /^[A-Za-z0-9@:/._-]{1,253}$/.test(value)
        ? undefined
        : "allowed: a kubeconfig context name (1 to 253 of A-Z a-z 0-9 @ : / . _ -)";
}

/** A timeout or interval given in whole seconds on a command line: 1 to 9999999. */
export function wholeSecondsProblem(value: string): string | undefined {
    return /^[1-9][0-9]{0,6}$/.test(value) ? undefined : "allowed: a positive whole number of seconds";
}
