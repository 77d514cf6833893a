import { expect } from "chai";
import { main } from "../../stacks/main";
import { RGW_BUCKET_TYPE } from "../../components/bucket/bucketLogic";
import { RANDOM_SECRET_TYPE } from "../../components/secrets/randomSecret";
import { SHELL_STEP_TYPE } from "../../components/step/shellStep";
import { MockRun, RecordedResource, isSecretInput, named, ofType, runFailing, runMocked } from "../harness/mocks";
import { siteAConfig, siteAOutputs, siteBConfig } from "./fixtures";

const SECRET_OUTPUTS = ["systemAccessKey", "systemSecretKey", "veleroAccessKey", "veleroSecretKey", "kopiaRepositoryPassword"];

function runSite(stack: string, config: Record<string, unknown>, masterOutputs = siteAOutputs()) {
    return runMocked(main, {
        stack,
        config,
        stackReferences: { "org/velero-ceph-dr/site-a": masterOutputs },
    });
}

/** Every value that must never appear in plaintext outside secret inputs/outputs. */
function secretValues(run: MockRun<unknown>): string[] {
    return SECRET_OUTPUTS.map((k) => String(run.outputs[k].value));
}

function commands(run: MockRun<unknown>): RecordedResource[] {
    return ofType(run, SHELL_STEP_TYPE);
}

function expectNoPlaintextSecrets(run: MockRun<unknown>) {
    const secrets = secretValues(run);
    expect(secrets.every((s) => s.length >= 16), "secrets resolved").to.equal(true);
    for (const r of run.resources) {
        const visible = JSON.stringify({ create: r.inputs.create, update: r.inputs.update, delete: r.inputs.delete });
        for (const s of secrets) expect(visible, `${r.name} command line`).not.to.contain(s);
        // Any input carrying a secret value must be marked secret.
        for (const [path, value] of flatten(r.inputs)) {
            if (secrets.includes(String(value))) {
                expect(isSecretInput(r, path), `${r.name}.${path} is secret`).to.equal(true);
            }
        }
    }
    for (const [k, out] of Object.entries(run.outputs)) {
        if (secrets.includes(String(out.value))) expect(out.secret, `output ${k} is secret`).to.equal(true);
    }
}

function flatten(obj: unknown, prefix = ""): Array<[string, unknown]> {
    if (obj && typeof obj === "object") {
        return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
    }
    return [[prefix, obj]];
}

describe("region stack site-a (bootstrap master)", function () {
    let run: MockRun<unknown>;
    before(async () => {
        run = await runSite("site-a", siteAConfig());
    });

    it("declares the Ceph steps in dependency order with readable commands", () => {
        const steps = commands(run).map((c) => [c.name, c.inputs.create]);
        expect(steps).to.deep.equal([
            ["rgw-zonegroup-realm", "scripts/rgw-multisite.sh ensure-realm --realm dr --zonegroup global --endpoint http://rgw-a.example.com"],
            ["rgw-zone-master", "scripts/rgw-multisite.sh ensure-master-zone --realm dr --zonegroup global --zone zonea --endpoint http://rgw-a.example.com --system-uid dr-sync"],
            ["velero-user-user", "scripts/rgw-multisite.sh ensure-user --uid velero --display-name 'Velero backups (velero-ceph-dr)'"],
            ["velero-sync-scope", "scripts/rgw-multisite.sh sync-scope --scope zone --bucket velero-backups --zonegroup global --zone zonea"],
        ]);
    });

    it("chains the steps: zone after zonegroup, user after zone, bucket after user, scope after bucket", () => {
        expect(named(run, "rgw-zone").options.dependsOn).to.deep.equal(["rgw-zonegroup-realm"]);
        expect(named(run, "velero-user").options.dependsOn).to.deep.equal(["rgw-zone-master"]);
        expect(named(run, "velero-user-bucket").options.dependsOn).to.deep.equal(["velero-user-user"]);
        expect(named(run, "velero-sync").options.dependsOn).to.deep.equal(["velero-user-bucket"]);
        expect(named(run, "rgw-zone-master").options.parent).to.equal("rgw-zone");
    });

    it("gives every step the transport settings and only the secrets it needs, as secrets", () => {
        const master = named(run, "rgw-zone-master");
        expect(Object.keys(master.inputs.environment).sort()).to.deep.equal(
            ["RGW_ADMIN", "RGW_RESTART", "RGW_SYSTEM_ACCESS_KEY", "RGW_SYSTEM_SECRET_KEY"]);
        expect(master.inputs.environment.RGW_ADMIN).to.equal("radosgw-admin");
        expect(master.inputs.environment.RGW_RESTART).to.equal("systemctl restart ceph-radosgw@rgw.a");
        expect(isSecretInput(master, "environment.RGW_SYSTEM_ACCESS_KEY")).to.equal(true);
        expect(isSecretInput(master, "environment.RGW_SYSTEM_SECRET_KEY")).to.equal(true);
        const user = named(run, "velero-user-user");
        expect(Object.keys(user.inputs.environment).sort()).to.deep.equal(
            ["RGW_ADMIN", "RGW_RESTART", "RGW_USER_ACCESS_KEY", "RGW_USER_SECRET_KEY"]);
        expect(named(run, "rgw-zonegroup-realm").secretPaths).to.deep.equal([]);
    });

    it("makes update re-run the same ensure command and delete keep everything", () => {
        for (const c of commands(run)) {
            expect(c.inputs.update, c.name).to.equal(c.inputs.create);
            expect(c.inputs.delete, c.name).to.match(/^echo 'velero-ceph-dr: .* is kept in Ceph/);
        }
    });

    it("creates the bucket through S3 on the master with the Velero keys, protected and retained", () => {
        const bucket = named(run, "velero-user-bucket");
        expect(bucket.type).to.equal(RGW_BUCKET_TYPE);
        expect(bucket.inputs).to.include({ bucket: "velero-backups", owner: "velero", endpoint: "http://rgw-a.example.com", region: "global" });
        expect(bucket.options).to.include({ protect: true, retainOnDelete: true });
        expect(bucket.inputs.accessKey).to.equal(run.outputs.veleroAccessKey.value);
        expect(bucket.inputs.secretKey).to.equal(run.outputs.veleroSecretKey.value);
        expect(isSecretInput(bucket, "accessKey") && isSecretInput(bucket, "secretKey")).to.equal(true);
        // Outputs declared on the class are the ones the engine resolves (an ES2022 class field would overwrite them).
        expect(run.outputs.bucket.value).to.equal("velero-backups");
        // The provider's code travels in the state; it must not carry a key.
        expect(bucket.inputs.__provider).to.be.a("string").and.not.to.contain(run.outputs.veleroSecretKey.value);
    });

    it("protects and retains what a destroy must not lose: the kopia password, the generated keys, Velero's Secrets", () => {
        // A new kopia password could not open the repository; new keys would not match the users in Ceph.
        for (const name of ["kopia-repository-password", "velero-user-access-key", "velero-user-secret-key", "rgw-zone-system-access-key", "rgw-zone-system-secret-key"]) {
            expect(named(run, name).options, name).to.include({ protect: true, retainOnDelete: true });
        }
        for (const name of ["velero-credentials", "velero-repo-credentials"]) expect(named(run, name).options, name).to.include({ retainOnDelete: true });
    });

    it("exports the site's settings in plain and keys and kopia password as secrets", () => {
        expect(run.outputs.zone).to.deep.equal({ value: "zonea", secret: false });
        expect(run.outputs.bootstrapMasterEndpoint.value).to.equal("http://rgw-a.example.com");
        expect(run.outputs.rgwAdminCommand.value).to.equal("radosgw-admin");
        for (const k of SECRET_OUTPUTS) expect(run.outputs[k].secret, k).to.equal(true);
        expect(run.outputs.systemAccessKey.value).to.match(/^[A-Z0-9]{20}$/);
        expect(run.outputs.veleroSecretKey.value).to.match(/^[A-Za-z0-9]{40}$/);
        expect(run.outputs.veleroAccessKey.value).not.to.equal(run.outputs.systemAccessKey.value);
    });

    it("never shows a secret in plaintext", () => expectNoPlaintextSecrets(run));

    it("keeps resource names stable", () => {
        expect(run.resources.map((r) => r.name).filter((n) => !n.startsWith("velero-ceph-dr-"))).to.have.members([
            "rgw-zonegroup", "rgw-zonegroup-realm", "rgw-zone", "rgw-zone-system-access-key", "rgw-zone-system-secret-key",
            "rgw-zone-master", "velero-user", "velero-user-access-key", "velero-user-secret-key", "velero-user-user",
            "velero-user-bucket", "velero-sync", "velero-sync-scope", "kopia-repository-password",
            "cluster", "velero", "velero-namespace", "velero-credentials", "velero-repo-credentials", "velero-release",
            "dr-alerts", "dr-alerts-rules", "dr-alerts-dashboard", "dr-alerts-ksm-config",
        ]);
    });

    it("declares the DR alert rules in cluster A, labelled with the site and linking the configured runbook", () => {
        const rule = named(run, "dr-alerts-rules");
        expect(rule.options.provider).to.equal("cluster");
        const alerts = rule.inputs.spec.groups.flatMap((g: any) => g.rules.filter((x: any) => x.alert));
        expect(alerts.length).to.be.greaterThan(10);
        for (const a of alerts) {
            expect(a.annotations.runbook_url, a.alert).to.match(/^https:\/\/git\.example\.com\/dr\/blob\/main\/docs\/runbook\.md#/);
        }
        expect(JSON.stringify(rule.inputs)).to.contain('"site-a"');
    });

    it("installs Velero in cluster A after the bucket replicates, with the Velero keys and the kopia password", () => {
        expect(named(run, "cluster").inputs.context).to.equal("cluster-a");
        expect(named(run, "velero").options).to.include({ provider: "cluster" });
        // Inherited from the component: every Kubernetes object goes to cluster A.
        for (const child of ["velero-namespace", "velero-credentials", "velero-repo-credentials", "velero-release"]) {
            expect(named(run, child).options.provider, child).to.equal("cluster");
        }
        expect(named(run, "velero").options.dependsOn).to.deep.equal(["velero-sync-scope"]);
        const credentials = named(run, "velero-credentials");
        expect(JSON.stringify(credentials.inputs)).to.contain(String(run.outputs.veleroSecretKey.value));
        const repo = named(run, "velero-repo-credentials");
        expect(JSON.stringify(repo.inputs)).to.contain(String(run.outputs.kopiaRepositoryPassword.value));
        expect(run.outputs.veleroNamespace.value).to.equal("velero");
    });

    it("uses the bucket scope when configured, on the master", async () => {
        const bucketScope = await runSite("site-a", { ...siteAConfig(), syncScope: "bucket" });
        expect(named(bucketScope, "velero-sync-scope").inputs.create).to.equal(
            "scripts/rgw-multisite.sh sync-scope --scope bucket --bucket velero-backups --zonegroup global --zone zonea");
    });

    it("fails before declaring anything when a setting is bad", async () => {
        const { error, resources } = await runFailing(main, { stack: "site-a", config: { ...siteAConfig(), endpoint: "rgw-a" } });
        expect(error.message).to.contain('velero-ceph-dr:endpoint = "rgw-a" is not allowed');
        expect(resources.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:Stack"]);
    });
});

describe("region stack site-b (secondary)", () => {
    let run: MockRun<unknown>;
    before(async () => {
        run = await runSite("site-b", siteBConfig());
    });

    it("reads site-a through the configured stack reference", () => {
        expect(named(run, "master-site").inputs.name).to.equal("org/velero-ceph-dr/site-a");
    });

    it("joins the master's realm as a secondary, then verifies the bucket replicates from the master zone", () => {
        expect(commands(run).map((c) => [c.name, c.inputs.create])).to.deep.equal([
            ["rgw-zone-join", "scripts/rgw-multisite.sh join-secondary --realm dr --zonegroup global --zone zoneb --endpoint http://rgw-b.example.com --master-url http://rgw-a.example.com"],
            ["velero-sync-scope", "scripts/rgw-multisite.sh sync-scope --scope zone --bucket velero-backups --zonegroup global --zone zoneb --peer-zone zonea"],
        ]);
        expect(named(run, "velero-sync").options.dependsOn).to.deep.equal(["rgw-zone-join"]);
    });

    it("uses site-a's system keys, as secrets, and creates no user, bucket or keys of its own", () => {
        const join = named(run, "rgw-zone-join");
        expect(join.inputs.environment.RGW_SYSTEM_ACCESS_KEY).to.equal("SYSTEMACCESSKEY00001");
        expect(join.inputs.environment.RGW_SYSTEM_SECRET_KEY).to.equal("system-secret-from-site-a");
        expect(isSecretInput(join, "environment.RGW_SYSTEM_ACCESS_KEY")).to.equal(true);
        expect(isSecretInput(join, "environment.RGW_SYSTEM_SECRET_KEY")).to.equal(true);
        expect(ofType(run, RANDOM_SECRET_TYPE)).to.deep.equal([]);
        expect(ofType(run, RGW_BUCKET_TYPE)).to.deep.equal([]);
    });

    it("re-exports site-a's keys and kopia password as secrets with its own site settings", () => {
        expect(run.outputs.veleroSecretKey).to.deep.equal({ value: "velero-secret-from-site-a", secret: true });
        expect(run.outputs.kopiaRepositoryPassword).to.deep.equal({ value: "kopia-password-from-site-a", secret: true });
        expect(run.outputs.endpoint.value).to.equal("http://rgw-b.example.com");
        expect(run.outputs.bootstrapMasterZone.value).to.equal("zonea");
    });

    it("never shows a secret in plaintext", () => expectNoPlaintextSecrets(run));

    it("declares the same alert rules in cluster B, labelled site-b", () => {
        const rule = named(run, "dr-alerts-rules");
        expect(JSON.stringify(rule.inputs)).to.contain('"site-b"').and.not.to.contain('"site-a"');
        expect(named(run, "dr-alerts-dashboard").options.provider).to.equal("cluster");
    });

    it("installs Velero in cluster B with site-a's keys and kopia password, after replication is verified", () => {
        expect(named(run, "cluster").inputs.context).to.equal("cluster-b");
        expect(named(run, "velero").options.dependsOn).to.deep.equal(["velero-sync-scope"]);
        expect(JSON.stringify(named(run, "velero-credentials").inputs)).to.contain("velero-secret-from-site-a");
        expect(JSON.stringify(named(run, "velero-repo-credentials").inputs)).to.contain("kopia-password-from-site-a");
    });

    it("refuses, before any step, a site-b whose endpoint is site-a's", async () => {
        const { error, resources } = await runFailing(main, {
            stack: "site-b",
            config: { ...siteBConfig(), endpoint: "http://rgw-a.example.com" },
            stackReferences: { "org/velero-ceph-dr/site-a": siteAOutputs() },
        });
        expect(error.message).to.contain('velero-ceph-dr:endpoint = "http://rgw-a.example.com" is the master\'s endpoint');
        expect(resources.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:Stack", "pulumi:pulumi:StackReference"]);
    });

    it("says to run the master first when it has no outputs yet", async () => {
        const { error } = await runFailing(main, {
            stack: "site-b", config: siteBConfig(),
            stackReferences: { "org/velero-ceph-dr/site-a": { outputs: {} } },
        });
        expect(error.message).to.contain("has no output \"realm\": run `pulumi up` on it first");
    });
});

// Issue 18: the alert timing keys reach the PrometheusRule; a bad one stops the stack before anything.
describe("region stack: alert timing keys", () => {
    it("passes alertPendingFor (a map in the stack file), the rate window and the allowances to the rules", async () => {
        const run = await runSite("site-a", {
            ...siteAConfig(),
            alertPendingFor: { RgwSyncPollErrors: "1m", VeleroMetricsAbsent: "0s" },
            alertRgwSyncRateWindow: "1m",
            alertBackupDurationAllowance: "2m",
            alertRgwSyncStalledFor: "3m",
        });
        const rules = named(run, "dr-alerts-rules").inputs.spec.groups.flatMap((g: any) => g.rules.filter((x: any) => x.alert));
        const byName = Object.fromEntries(rules.map((r: any) => [r.alert, r]));
        expect(byName.RgwSyncPollErrors.for).to.equal("1m");
        expect(byName.RgwSyncPollErrors.expr).to.contain("poll_errors[1m]");
        expect(byName.RgwSyncFetchErrors.expr).to.contain("fetch_errors[1m]");
        expect(byName.VeleroMetricsAbsent).to.not.have.property("for");
        expect(byName.VeleroBackupTooOld.expr).to.contain("+ 120)");
        expect(byName.RgwSyncStalled.for).to.equal("3m");
        expect(byName.VeleroBackupStorageLocationUnavailable.for).to.equal("5m");
    });

    it("refuses an unknown alert in alertPendingFor before declaring anything", async () => {
        const { error, resources } = await runFailing(main, {
            stack: "site-a",
            config: { ...siteAConfig(), alertPendingFor: { VeleroBackupTooOldd: "1m" } },
        });
        expect(error.message).to.contain('velero-ceph-dr:alertPendingFor.VeleroBackupTooOldd = "1m" is not allowed; there is no alert "VeleroBackupTooOldd"');
        expect(resources.map((r) => r.type)).to.deep.equal(["pulumi:pulumi:Stack"]);
    });
});
