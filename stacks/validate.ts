// Pure validators shared by the config loader and the components. Each returns an error text
// (what is allowed) or undefined; callers prefix the setting's name and the bad value.

/** Realm, zonegroup and zone names: what radosgw-admin and the metrics exporter both handle. */
const CEPH_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
/** RGW user ids: no tenant (`$`) or subuser (`:`) syntax, no spaces. */
const RGW_UID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function cephNameProblem(value: string): string | undefined {
    return CEPH_NAME.test(value)
        ? undefined
        : "allowed: 1 to 63 letters, digits, '-' or '_', starting with a letter or digit (plain alphanumeric is best: the Ceph metrics exporter mis-parses '-', '_' and '.')";
}

export function rgwUidProblem(value: string): string | undefined {
    return RGW_UID.test(value)
        ? undefined
        : "allowed: 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit (no tenant '$' or subuser ':')";
}

/** An RGW endpoint: http(s) URL of the gateway itself, no path, query or credentials. */
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

/** Pulumi stack reference names: `stack`, `project/stack` or `org/project/stack`. */
export function stackNameProblem(value: string): string | undefined {
    return /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+){0,2}$/.test(value)
        ? undefined
        : "allowed: a stack name such as `site-a`, `myorg/velero-ceph-dr/site-a`";
}

/** An absolute http(s) URL that people open (runbook links in alerts). */
export function urlProblem(value: string): string | undefined {
    try {
        const url = new URL(value);
        if (url.protocol === "https:" || url.protocol === "http:") return undefined;
    } catch {
        // fall through
    }
    return "allowed: an absolute http:// or https:// URL, e.g. https://git.example.com/platform/velero-ceph-dr/blob/main/docs/runbook.md";
}

/** Kubernetes object names (RFC 1123 label): namespaces, Secrets, Schedules. */
export function dnsLabelProblem(value: string): string | undefined {
    return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)
        ? undefined
        : "allowed: 1 to 63 lowercase letters, digits or '-', starting and ending with a letter or digit";
}
