import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { ALERT_RULE_DEFAULTS, PENDING_FOR_ALLOWED_NAMES } from "../../components/monitoring/settings";
import { EMPTY_MEANS_UNSET, readRawValues } from "../../stacks/checker";
import { ConfigError, REGION_KEYS, RawConfig, parseRegionConfig, programFor } from "../../stacks/config";
import { VELERO_KEYS } from "../../stacks/veleroConfig";
import { crossSiteProblems } from "../../stacks/region";
import { siteAConfig, siteBConfig } from "./fixtures";

const P = "velero-ceph-dr";
const kubeconfig = pulumi.secret("apiVersion: v1");

function problemsOf(raw: RawConfig, kc: pulumi.Output<string> | undefined = undefined): string[] {
    try {
        parseRegionConfig(raw, P, kc);
    } catch (e) {
        expect(e).to.be.instanceOf(ConfigError);
        return (e as ConfigError).problems;
    }
    return [];
}

/** Asserts exactly one problem, naming the key and the bad value, and mentioning what is allowed. */
function expectOneProblem(raw: RawConfig, key: string, value: string | undefined, allowedHint: RegExp) {
    const problems = problemsOf(raw);
    expect(problems, JSON.stringify(problems)).to.have.length(1);
    expect(problems[0]).to.contain(`${P}:${key} = ${value === undefined ? "(not set)" : JSON.stringify(value)}`);
    expect(problems[0]).to.match(allowedHint);
}

describe("config: region stacks", () => {
    it("accepts the example site-a settings and fills defaults", () => {
        const cfg = parseRegionConfig(siteAConfig(), P);
        expect(cfg).to.include({
            siteId: "site-a", bootstrapRole: "master", realm: "dr", zonegroup: "global",
            zone: "zonea", bucket: "velero-backups", syncScope: "zone", veleroUser: "velero", systemUser: "dr-sync",
        });
        expect(cfg.transport).to.deep.equal({ adminCommand: "radosgw-admin", restartCommand: "systemctl restart ceph-radosgw@rgw.a" });
    });

    it("cephRelease defaults to 16.2 (no zonegroup features) and takes the releases core/cephReleases.ts knows", () => {
        expect(parseRegionConfig(siteAConfig(), P).cephRelease).to.equal("16.2");
        expect(parseRegionConfig({ ...siteAConfig(), cephRelease: "20.2" }, P).cephRelease).to.equal("20.2");
    });

    it("defaults site-b to a secondary, which needs masterStack", () => {
        const cfg = parseRegionConfig(siteBConfig(), P);
        expect(cfg.bootstrapRole).to.equal("secondary");
        expectOneProblem({ ...siteBConfig(), masterStack: undefined }, "masterStack", undefined, /required when bootstrapRole is "secondary"/);
    });

    const cases: Array<[string, string | undefined, RegExp]> = [
        ["siteId", "site-c", /allowed: "site-a" or "site-b"/],
        ["siteId", undefined, /allowed: "site-a" or "site-b"/],
        ["bootstrapRole", "primary", /allowed: "master" or "secondary"/],
        ["realm", "my realm", /letters, digits, '-' or '_'/],
        ["zonegroup", "-global", /starting with a letter or digit/],
        ["zone", "zone.a", /letters, digits, '-' or '_'/],
        ["zone", undefined, /required, e.g. `pulumi config set zone zonea`/],
        ["endpoint", "ftp://rgw-a.example.com", /http:\/\/ or https:\/\/ URL/],
        ["endpoint", "https://rgw-a.example.com/admin", /no path/],
        ["endpoint", "https://rgw-a.example.com/", /without a trailing '\/'/],
        ["endpoint", "https://user:pw@rgw-a.example.com", /no path, query or user info/],
        ["endpoint", "not a url", /http:\/\/ or https:\/\/ URL/],
        ["endpoint", undefined, /required/],
        ["bucket", "Velero_Backups", /3 to 63 lowercase letters/],
        ["bucket", "ab", /3 to 63/],
        ["bucket", "192.168.1.10", /not an IP address/],
        ["bucket", "velero..backups", /no '\.\.'/],
        ["bucket", "xn--velero", /'xn--'/],
        ["bucket", "velero-backups-", /ending with a letter or digit/],
        ["syncScope", "policy", /allowed: "zone" or "bucket"/],
        ["veleroUser", "tenant$velero", /no tenant/],
        ["systemUser", "sync user", /letters, digits/],
        ["rgwAdminCommand", "radosgw-admin\nrm -rf /", /single-line/],
        ["rgwRestartCommand", undefined, /required/],
        ["masterStack", "org/proj/stack/extra", /stack name/],
        ["runbookBaseUrl", "docs/runbook.md", /absolute http/],
        ["runbookBaseUrl", undefined, /required/],
        ["monitoringNamespace", "Monitoring", /lowercase letters/],
        ["rgwSyncAlerts", "yes", /allowed: true or false/],
        ["cephRelease", "17.2", /allowed: "16.2" or "18.2" or "19.2" or "20.2"/],
    ];
    for (const [key, value, hint] of cases) {
        it(`rejects ${key} = ${JSON.stringify(value)} naming the key, the value and what is allowed`, () => {
            const base = key === "masterStack" ? siteBConfig() : siteAConfig();
            expectOneProblem({ ...base, [key]: value }, key, value, hint);
        });
    }

    it("rejects a Velero user that is the system user", () => {
        expectOneProblem({ ...siteAConfig(), veleroUser: "dr-sync" }, "veleroUser", "dr-sync", /must differ from systemUser/);
    });

    it("requires a kubeconfig secret or a kubeContext, not both", () => {
        expectOneProblem({ ...siteAConfig(), kubeContext: undefined }, "kubeconfig", undefined, /one of kubeconfig \(as a secret/);
        const both = problemsOf(siteAConfig(), kubeconfig);
        expect(both).to.have.length(1);
        expect(both[0]).to.contain("either kubeconfig (secret) or kubeContext, not both");
        expect(problemsOf({ ...siteAConfig(), kubeContext: undefined }, kubeconfig)).to.deep.equal([]);
    });

    it("reports Velero problems together with the region's", () => {
        const problems = problemsOf({ ...siteAConfig(), zone: "a b", veleroAwsPluginVersion: "1.14.2" });
        expect(problems).to.have.length(2);
        expect(problems[0]).to.contain(`${P}:zone = "a b"`);
        expect(problems[1]).to.contain(`${P}:veleroAwsPluginVersion = "1.14.2"`);
    });

    it("reports every problem at once", () => {
        const problems = problemsOf({ ...siteAConfig(), zone: "a b", endpoint: "x", bucket: "B" });
        expect(problems.map((p) => p.split(" = ")[0])).to.deep.equal([`${P}:zone`, `${P}:endpoint`, `${P}:bucket`]);
    });
});

// Issue 16 item 9: a key with a non-empty default (in Pulumi.yaml or in the code) that is set to ""
// explicitly is an error naming the key, not silently the default. The program reads "" for a key
// only when it was set so, or when Pulumi.yaml declares it with `default: ""` (then "" = not set).
describe("config: explicitly empty settings", () => {
    const declared = (yaml.load(fs.readFileSync(path.resolve(__dirname, "../../Pulumi.yaml"), "utf8")) as { config: Record<string, { default?: unknown }> }).config;

    it("EMPTY_MEANS_UNSET is exactly the keys Pulumi.yaml declares with default \"\"", () => {
        const emptyDefault = Object.entries(declared).filter(([, d]) => d.default === "").map(([k]) => k).sort();
        expect([...EMPTY_MEANS_UNSET].sort()).to.deep.equal(emptyDefault);
    });

    for (const key of ["realm", "systemUser", "zonegroup", "bucket", "syncScope", "veleroUser", "rgwAdminCommand", "monitoringNamespace", "rgwSyncAlerts"]) {
        it(`rejects ${key} = "" (Pulumi.yaml default ${JSON.stringify(declared[key]?.default)}) naming the key, what is allowed and how to get the default`, () => {
            expectOneProblem({ ...siteAConfig(), [key]: "" }, key, "", /is not allowed; allowed: .*; or leave it unset \(`pulumi config rm [a-zA-Z]+`\) for the default/);
        });
    }

    it(`says for realm = "" exactly what is allowed`, () => {
        const problems = problemsOf({ ...siteAConfig(), realm: "" });
        expect(problems).to.deep.equal([
            `${P}:realm = "" is not allowed; allowed: 1 to 63 letters, digits, '-' or '_', starting with a letter or digit (plain alphanumeric is best: the Ceph metrics exporter mis-parses '-', '_' and '.'); or leave it unset (\`pulumi config rm realm\`) for the default "dr"`,
        ]);
    });

    it("rejects \"\" for every other region and Velero key that has a default", () => {
        const defaulted = [...REGION_KEYS, ...VELERO_KEYS].filter((k) => !EMPTY_MEANS_UNSET.has(k));
        for (const key of defaulted) {
            const problems = problemsOf({ ...siteAConfig(), [key]: "" });
            expect(problems.filter((p) => p.startsWith(`${P}:${key} = "" is not allowed`)), `${key}: ${JSON.stringify(problems)}`).to.have.length(1);
        }
    });

    it("still reads \"\" as not set for keys Pulumi.yaml declares with default \"\" (bootstrapRole, masterStack, kubeContext)", () => {
        const cfg = parseRegionConfig({ ...siteAConfig(), bootstrapRole: "", masterStack: "" }, P);
        expect(cfg.bootstrapRole).to.equal("master");
        expect(cfg.masterStack).to.equal(undefined);
        expect(problemsOf({ ...siteAConfig(), kubeContext: "" }, kubeconfig)).to.deep.equal([]);
        expect(programFor("site-a", "", P)).to.equal("region");
    });

    it("undefined (not set, e.g. a key Pulumi.yaml does not declare) still gives the default", () => {
        const cfg = parseRegionConfig({ ...siteAConfig(), realm: undefined, systemUser: undefined, rgwSyncAlerts: undefined }, P);
        expect(cfg).to.include({ realm: "dr", systemUser: "dr-sync" });
        expect(cfg.alerts.rgwSync).to.equal(true);
    });
});

describe("config: cross-site checks of a secondary", () => {
    const master = { realm: "dr", zonegroup: "global", bucket: "velero-backups", syncScope: "zone", zone: "zonea", endpoint: "http://rgw-a.example.com", siteId: "site-a" };

    it("accepts matching shared settings and distinct zone, endpoint and site", () => {
        expect(crossSiteProblems(parseRegionConfig(siteBConfig(), P), master, P)).to.deep.equal([]);
    });

    const cases: Array<[string, string, RegExp]> = [
        ["endpoint", "http://rgw-a.example.com", /is the master's endpoint/],
        ["zone", "zonea", /is the master's zone/],
        ["siteId", "site-a", /different ids/],
        ["realm", "other", /differs from "dr" in the master stack/],
        ["zonegroup", "eu", /differs from "global"/],
        ["bucket", "other-bucket", /differs from "velero-backups"/],
        ["syncScope", "bucket", /differs from "zone"/],
    ];
    for (const [key, value, hint] of cases) {
        it(`rejects ${key} = ${value}`, () => {
            const cfg = parseRegionConfig({ ...siteBConfig(), [key]: value, bootstrapRole: "secondary" }, P);
            const problems = crossSiteProblems(cfg, master, P);
            expect(problems).to.have.length(1);
            expect(problems[0]).to.contain(`${P}:${key} = "${value}"`).and.match(hint);
        });
    }
});

// Issue 18: the alert timings as region stack keys, checked with DrAlertRules' own rules and
// reported under the stack key.
describe("config: alert timing keys", () => {
    it("defaults to DrAlertRules' defaults", () => {
        expect(parseRegionConfig(siteAConfig(), P).alerts).to.deep.equal({
            runbookBaseUrl: "https://git.example.com/dr/blob/main/docs/runbook.md",
            namespace: "monitoring",
            rgwSync: true,
            pendingFor: {},
            rgwSyncRateWindow: "5m",
            backupDurationAllowance: "30m",
            replicationAllowance: "15m",
            backupFailingFor: "6h",
            rgwSyncStalledFor: "15m",
            noBackupsVisibleFor: "24h",
        });
    });

    it("reads every key", () => {
        const cfg = parseRegionConfig({
            ...siteAConfig(),
            alertPendingFor: JSON.stringify({ RgwSyncPollErrors: "1m", VeleroMetricsAbsent: "0s" }),
            alertRgwSyncRateWindow: "1m",
            alertBackupDurationAllowance: "0s",
            alertReplicationAllowance: "2m",
            alertBackupFailingFor: "10m",
            alertRgwSyncStalledFor: "3m",
            alertNoBackupsVisibleFor: "1h",
        }, P);
        expect(cfg.alerts).to.deep.include({
            pendingFor: { RgwSyncPollErrors: "1m", VeleroMetricsAbsent: "0s" },
            rgwSyncRateWindow: "1m",
            backupDurationAllowance: "0s",
            replicationAllowance: "2m",
            backupFailingFor: "10m",
            rgwSyncStalledFor: "3m",
            noBackupsVisibleFor: "1h",
        });
    });

    const cases: Array<[string, string, RegExp]> = [
        ["alertPendingFor", "{not json", /allowed: a YAML\/JSON object as `pulumi config set --path` or the stack file writes it/],
        ["alertPendingFor", "", /allowed: a map of alert names to durations, e\.g\. `pulumi config set --path 'alertPendingFor\.RgwSyncPollErrors' 1m`; or leave it unset/],
        ["alertPendingFor", "[\"RgwSyncPollErrors\"]", /allowed: an object that maps alert names to durations/],
        ["alertRgwSyncRateWindow", "20s", /allowed: at least 30s, and at least twice the scrape interval: a rate needs two scrapes inside its window/],
        ["alertRgwSyncRateWindow", "5 min", /allowed: whole hours, minutes and seconds/],
        ["alertBackupDurationAllowance", "1.5h", /allowed: whole hours, minutes and seconds/],
        ["alertReplicationAllowance", "7d", /no days: 7d is 168h/],
        ["alertBackupFailingFor", "0s", /it must be longer than 0s/],
        ["alertRgwSyncStalledFor", "0m", /it must be longer than 0s/],
        ["alertNoBackupsVisibleFor", "1d", /allowed: whole hours/],
    ];
    for (const [key, value, hint] of cases) {
        it(`rejects ${key} = ${JSON.stringify(value)} naming the key, the value and what is allowed`, () => {
            expectOneProblem({ ...siteAConfig(), [key]: value }, key, value, hint);
        });
    }

    const entryCases: Array<[string, RawConfig, string]> = [
        ["an unknown alert, listing the allowed names", { alertPendingFor: JSON.stringify({ RgwSyncPollError: "1m" }) },
            `${P}:alertPendingFor.RgwSyncPollError = "1m" is not allowed; there is no alert "RgwSyncPollError"; allowed names: ${PENDING_FOR_ALLOWED_NAMES.join(", ")}`],
        ["a value that is not a duration", { alertPendingFor: JSON.stringify({ RgwSyncPollErrors: "1 minute" }) },
            `${P}:alertPendingFor.RgwSyncPollErrors = "1 minute" is not allowed; allowed: whole hours, minutes and seconds in that order, such as 720h, 1h30m or 90s (no days: 7d is 168h); or 0s for no wait (the alert fires at the first evaluation that matches)`],
        ["RgwSyncStalled, pointing to its own key", { alertPendingFor: JSON.stringify({ RgwSyncStalled: "1m" }) },
            `${P}:alertPendingFor.RgwSyncStalled = "1m" is not allowed; the wait of RgwSyncStalled is the setting alertRgwSyncStalledFor (its texts state it as the threshold): set alertRgwSyncStalledFor instead`],
        ["VeleroBackupFailingPersistently, pointing to its own key", { alertPendingFor: JSON.stringify({ VeleroBackupFailingPersistently: "1m" }) },
            `${P}:alertPendingFor.VeleroBackupFailingPersistently = "1m" is not allowed; the wait of VeleroBackupFailingPersistently is the setting alertBackupFailingFor (its texts state it as the threshold): set alertBackupFailingFor instead`],
        ["DrNoBackupsVisible, pointing to its own key", { alertPendingFor: JSON.stringify({ DrNoBackupsVisible: "1m" }) },
            `${P}:alertPendingFor.DrNoBackupsVisible = "1m" is not allowed; the wait of DrNoBackupsVisible is the setting alertNoBackupsVisibleFor (its texts state it as the threshold): set alertNoBackupsVisibleFor instead`],
        ["a node-agent alert with veleroNodeAgent false", { veleroNodeAgent: "false", alertPendingFor: JSON.stringify({ VeleroNodeAgentUploadFailures: "1m" }) },
            `${P}:alertPendingFor.VeleroNodeAgentUploadFailures = "1m" is not allowed; VeleroNodeAgentUploadFailures is not rendered because veleroNodeAgent is false (no node-agent runs): remove this entry`],
        ["an RGW alert with rgwSyncAlerts false", { rgwSyncAlerts: "false", alertPendingFor: JSON.stringify({ RgwSyncPollErrors: "1m" }) },
            `${P}:alertPendingFor.RgwSyncPollErrors = "1m" is not allowed; RgwSyncPollErrors is not rendered because rgwSyncAlerts is false (no RGW sync metrics are scraped): remove this entry`],
    ];
    for (const [what, extra, message] of entryCases) {
        it(`rejects in alertPendingFor ${what}`, () => {
            expect(problemsOf({ ...siteAConfig(), ...extra })).to.deep.equal([message]);
        });
    }

    it("reports the alert problems together with the others", () => {
        const problems = problemsOf({ ...siteAConfig(), zone: "a b", alertRgwSyncRateWindow: "1s", alertPendingFor: JSON.stringify({ Nope: "1m", RgwSyncLagging: "x" }) });
        expect(problems.map((p) => p.split(" = ")[0])).to.deep.equal([
            `${P}:zone`, `${P}:alertPendingFor.Nope`, `${P}:alertPendingFor.RgwSyncLagging`, `${P}:alertRgwSyncRateWindow`,
        ]);
    });

    it("Pulumi.yaml declares the string keys with DrAlertRules' defaults, and not the map alertPendingFor", () => {
        const declared = (yaml.load(fs.readFileSync(path.resolve(__dirname, "../../Pulumi.yaml"), "utf8")) as { config: Record<string, { default?: unknown; description?: string }> }).config;
        const keys: Array<[string, keyof typeof ALERT_RULE_DEFAULTS]> = [
            ["alertRgwSyncRateWindow", "rgwSyncRateWindow"], ["alertBackupDurationAllowance", "backupDurationAllowance"],
            ["alertReplicationAllowance", "replicationAllowance"], ["alertBackupFailingFor", "backupFailingFor"],
            ["alertRgwSyncStalledFor", "rgwSyncStalledFor"], ["alertNoBackupsVisibleFor", "noBackupsVisibleFor"],
        ];
        for (const [key, setting] of keys) {
            expect(REGION_KEYS, key).to.include(key);
            expect(declared[key]?.default, key).to.equal(ALERT_RULE_DEFAULTS[setting]);
            expect(declared[key]?.description, key).to.be.a("string");
        }
        expect(declared).to.not.have.property("alertPendingFor");
    });

    it("the README lists every alert key", () => {
        const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
        for (const key of REGION_KEYS.filter((k) => k.startsWith("alert"))) {
            expect(readme, key).to.match(new RegExp(`^\\| \`${key}\` \\|`, "m"));
        }
    });

    it("reads a map value as JSON text, and a key set to \"\" as \"\" (not through getObject)", () => {
        const values: Record<string, string> = { alertPendingFor: '{"RgwSyncPollErrors":"1m"}', empty: "", zone: "zonea" };
        const getObject = (k: string) => {
            if (values[k] === "") throw new Error("getObject must not read an empty value");
            return JSON.parse(values[k]);
        };
        const raw = readRawValues((k) => values[k], getObject, ["alertPendingFor", "empty", "zone", "unset"], ["alertPendingFor", "empty"]);
        expect(raw).to.deep.equal({ alertPendingFor: '{"RgwSyncPollErrors":"1m"}', empty: "", zone: "zonea", unset: undefined });
    });
});

describe("config: program dispatch", () => {
    it("follows the stack name when program is unset", () => {
        expect(programFor("site-a", undefined, P)).to.equal("region");
        expect(programFor("prod-site-b", "", P)).to.equal("region");
        expect(programFor("failover", undefined, P)).to.equal("failover");
    });
    it("uses the program setting when given", () => {
        expect(programFor("anything", "failover", P)).to.equal("failover");
    });
    it("rejects an unknown program and an unknown stack name", () => {
        expect(() => programFor("x", "both", P)).to.throw(ConfigError, `${P}:program = "both" is not allowed; allowed: "region" or "failover"`);
        expect(() => programFor("staging", undefined, P)).to.throw(ConfigError, /for stack "staging"; allowed: "region" or "failover"/);
    });
});
