// The validators every layer shares (core/validators.ts), with the rules chosen where the shell
// tools and the stacks used to disagree.
import { expect } from "chai";
import {
    bucketNameProblem, cephNameProblem, displayNameProblem, dnsLabelProblem, dnsSubdomainProblem, endpointListProblem,
    endpointProblem, kubeContextProblem, labelKeyProblem, labelValueProblem, prometheusLabelNameProblem, rgwUidProblem,
    runbookUrlProblem, stackNameProblem, wholeSecondsProblem,
} from "../../core/validators";

type Validator = (value: string) => string | undefined;

const TABLE: Array<[string, Validator, string[], string[]]> = [
    ["cephNameProblem", cephNameProblem,
        ["zonea", "zone-a", "zone_a", "Z", "a".repeat(63)],
        // 64 characters and a leading '-' were accepted by the shell tools: refused everywhere now.
        ["", "a".repeat(64), "-zone", "_zone", "zone.a", "zone a", "zone/a"]],
    ["rgwUidProblem", rgwUidProblem,
        // '@' was refused by the stacks and accepted by the shell tools: accepted everywhere now.
        ["velero", "dr-sync", "svc.velero", "velero@example.com", "a".repeat(64)],
        // 65 to 128 characters were accepted by the shell tools: refused everywhere now.
        ["", "a".repeat(65), "-velero", "tenant$velero", "velero:swift", "sync user"]],
    ["displayNameProblem", displayNameProblem,
        ["Velero backups (velero-ceph-dr)", "x", "a".repeat(256)],
        ["", "a".repeat(257), "two\nlines", "tab\there"]],
    ["endpointProblem", endpointProblem,
        ["https://rgw-a.example.com", "http://10.0.0.1:8000", "http://[::1]:8000"],
        ["rgw-a.example.com", "ftp://rgw-a", "https://rgw-a.example.com/", "https://rgw-a.example.com/s3",
            "https://u:p@rgw-a", "https://rgw-a?x=1", "https://rgw-a#x", "https://a,https://b"]],
    ["endpointListProblem", endpointListProblem,
        ["https://a.example.com", "https://a.example.com,https://b.example.com"],
        ["https://a.example.com,", ",https://a.example.com", "https://a.example.com,,https://b", "https://a/x,https://b"]],
    ["bucketNameProblem", bucketNameProblem,
        ["velero-backups", "abc", "a.b-c", "a".repeat(63)],
        ["ab", "a".repeat(64), "Velero", "-abc", "abc-", "a..b", "a.-b", "a-.b", "192.168.0.1", "xn--abc", "sthree-x", "x-s3alias", "x--ol-s3"]],
    ["stackNameProblem", stackNameProblem,
        ["site-a", "velero-ceph-dr/site-a", "myorg/velero-ceph-dr/site-a", "a".repeat(100)],
        ["", "a/b/c/d", "a//b", "site a", "a".repeat(101), "/site-a"]],
    ["runbookUrlProblem", runbookUrlProblem,
        ["https://git.example.com/dr/blob/main/docs/runbook.md", "http://wiki/runbook"],
        ["docs/runbook.md", "ftp://x/runbook.md", "https://git.example.com/runbook.md#alerts", ""]],
    ["dnsLabelProblem", dnsLabelProblem,
        ["velero", "site-a", "a", "a".repeat(63)],
        ["", "Velero", "-a", "a-", "a.b", "a".repeat(64)]],
    ["dnsSubdomainProblem", dnsSubdomainProblem,
        ["velero-every-6h-20240101000000", "a.b-c", "a".repeat(253)],
        ["", "A", "-a", "a.", "a_b", "a".repeat(254)]],
    ["labelKeyProblem", labelKeyProblem,
        ["release", "grafana_dashboard", "dr.velero-ceph-dr/rpo-seconds", "example.com/team"],
        ["", "-x", "a/b/c", `${"a".repeat(64)}`, "Example.com/x"]],
    ["labelValueProblem", labelValueProblem,
        ["", "1", "kube-prometheus-stack", "a".repeat(63)],
        ["-x", "x-", "a b", "a".repeat(64)]],
    ["prometheusLabelNameProblem", prometheusLabelNameProblem,
        ["site", "cluster", "_x"],
        ["", "1site", "site-a", "__name"]],
    ["kubeContextProblem", kubeContextProblem,
        ["cluster-a", "admin@cluster-a", "arn:aws:eks:eu-west-1:123:cluster/a"],
        ["", "a b", "a;b", "a".repeat(254)]],
    ["wholeSecondsProblem", wholeSecondsProblem,
        ["1", "600", "9999999"],
        ["", "0", "010", "1.5", "10000000", "-1", "10s"]],
];

describe("core/validators", () => {
    for (const [name, validate, good, bad] of TABLE) {
        describe(name, () => {
            for (const v of good) it(`accepts ${JSON.stringify(v.length > 40 ? `${v.slice(0, 12)}... (${v.length})` : v)}`, () => expect(validate(v)).to.equal(undefined));
            for (const v of bad) {
                it(`refuses ${JSON.stringify(v.length > 40 ? `${v.slice(0, 12)}... (${v.length})` : v)}, saying what is allowed`, () => {
                    expect(validate(v)).to.match(/allowed/);
                });
            }
        });
    }
});
