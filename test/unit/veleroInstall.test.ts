import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { VeleroInstall, VeleroInstallArgs } from "../../components/veleroInstall";
import { RPO_SECONDS_LABEL, SITE_LABEL } from "../../core/labels";
import { renderBackupStorageLocation, renderCredentialsFile, renderSchedule, renderVeleroValues } from "../../core/velero/renderers";
import { checkPluginCompatibility, chartVersionProblem, veleroVersionForChart } from "../../core/velero/versions";
import { MockRun, RecordedResource, isSecretInput, named, ofType, resolveOutput, runMocked } from "../harness/mocks";
import { BSL_SETTINGS } from "./fixtures";

const ACCESS_KEY = "VELEROACCESSKEY00001";
const SECRET_KEY = "veleroSecretKeyFromSiteA0123456789abcdef";
const REPO_PASSWORD = "kopiaRepositoryPasswordFromSiteA";
const SECRETS = [ACCESS_KEY, SECRET_KEY, REPO_PASSWORD];

type Overrides = Partial<Omit<VeleroInstallArgs, "s3Keys" | "repositoryPassword">>;

/** A program that installs Velero into the cluster of an explicit provider, as the region stack will. */
function program(overrides: Overrides = {}) {
    return () => {
        const provider = new k8s.Provider("cluster-a", { context: "cluster-a" });
        // The children as objects, to ask each which provider it ended up with.
        const children: Array<{ type: string; resource: pulumi.Resource }> = [];
        const velero = new VeleroInstall("velero", {
            ...overrides,
            s3Keys: { accessKey: pulumi.secret(ACCESS_KEY), secretKey: pulumi.secret(SECRET_KEY) },
            repositoryPassword: pulumi.secret(REPO_PASSWORD),
        }, {
            provider,
            transformations: [({ type, resource }) => {
                children.push({ type, resource });
                return undefined;
            }],
        });
        return { velero, provider, children };
    };
}

/** Runs a program whose VeleroInstall must refuse its args; returns the error and what was declared. */
async function refused(overrides: Overrides): Promise<{ error: Error; run: MockRun<unknown> }> {
    let error: Error | undefined;
    const run = await runMocked(() => {
        try {
            program(overrides)();
        } catch (e) {
            error = e as Error;
        }
    }, { stack: "site-a" });
    if (!error) throw new Error(`expected VeleroInstall to refuse ${JSON.stringify(overrides)}`);
    return { error, run };
}

/** Parses an AWS shared credentials file into profiles. */
function parseAwsProfiles(text: string): Record<string, Record<string, string>> {
    const profiles: Record<string, Record<string, string>> = {};
    let current: Record<string, string> | undefined;
    for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        const section = /^\[([^\]]+)\]$/.exec(line);
        if (section) {
            current = profiles[section[1]] = {};
            continue;
        }
        const pair = /^([a-z_]+)=(\S+)$/.exec(line);
        if (!pair || !current) throw new Error(`not an AWS credentials file line: ${JSON.stringify(line)}`);
        current[pair[1]] = pair[2];
    }
    return profiles;
}

function flatten(obj: unknown, prefix = ""): Array<[string, unknown]> {
    if (obj && typeof obj === "object") {
        return Object.entries(obj as Record<string, unknown>).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
    }
    return [[prefix, obj]];
}

function childrenOf(run: MockRun<unknown>, parent: string): RecordedResource[] {
    return run.resources.filter((r) => r.options.parent === parent);
}

describe("VeleroInstall (defaults)", function () {
    let run: MockRun<ReturnType<ReturnType<typeof program>>>;
    let release: RecordedResource;
    before(async () => {
        run = await runMocked(program(), { stack: "site-a" });
        release = named(run, "velero-release");
    });

    it("is a velero-ceph-dr:velero:VeleroInstall whose children are named velero-* and parented to it", () => {
        expect(named(run, "velero").type).to.equal("velero-ceph-dr:velero:VeleroInstall");
        const children = childrenOf(run, "velero").map((r) => [r.type, r.name]);
        expect(children).to.deep.equal([
            ["kubernetes:core/v1:Namespace", "velero-namespace"],
            ["kubernetes:core/v1:Secret", "velero-credentials"],
            ["kubernetes:core/v1:Secret", "velero-repo-credentials"],
            ["kubernetes:helm.sh/v3:Release", "velero-release"],
        ]);
    });

    it("declares the release of chart velero 12.1.0 from the vmware-tanzu repository, CRDs on", () => {
        expect(release.inputs).to.include({
            name: "velero",
            chart: "velero",
            version: "12.1.0",
            namespace: "velero",
            createNamespace: false,
            skipCrds: false,
            disableCRDHooks: false,
            disableWebhooks: false,
        });
        expect(release.inputs.repositoryOpts).to.deep.equal({ repo: "https://vmware-tanzu.github.io/helm-charts" });
        expect(release.inputs.values.upgradeCRDs).to.equal(true);
        expect(release.inputs.values.cleanUpCRDs).to.equal(false);
    });

    it("passes the values of renderVeleroValues: no location, no schedule, kopia node agent, metrics", () => {
        const values = release.inputs.values;
        expect(values).to.deep.equal(renderVeleroValues({
            chartVersion: "12.1.0", awsPluginVersion: "1.14.3", nodeAgent: true, serviceMonitor: true,
        }));
        expect(values.configuration.backupStorageLocation).to.deep.equal([]);
        expect(values.configuration.volumeSnapshotLocation).to.deep.equal([]);
        expect(values.backupsEnabled).to.equal(false);
        expect(values.snapshotsEnabled).to.equal(false);
        expect(values.schedules).to.deep.equal({});
        expect(values.configuration.uploaderType).to.equal("kopia");
        expect(values.deployNodeAgent).to.equal(true);
        expect(values.metrics.enabled).to.equal(true);
        expect(values.metrics.serviceMonitor).to.deep.equal({ enabled: true, autodetect: false });
        expect(values.metrics.nodeAgentPodMonitor).to.deep.equal({ enabled: true, autodetect: false });
        expect(values.credentials).to.deep.equal({ useSecret: true, existingSecret: "velero-credentials" });
    });

    it("installs the AWS plugin 1.14.3 as an init container into the plugins volume", () => {
        expect(release.inputs.values.initContainers).to.deep.equal([{
            name: "velero-plugin-for-aws",
            image: "docker.io/velero/velero-plugin-for-aws:v1.14.3",
            imagePullPolicy: "IfNotPresent",
            volumeMounts: [{ mountPath: "/target", name: "plugins" }],
        }]);
    });

    it("keeps every key out of the Helm values and out of every non-secret input", () => {
        const values = JSON.stringify(release.inputs.values);
        for (const s of SECRETS) expect(values, "Helm values").not.to.contain(s);
        expect(release.secretPaths, "nothing in the release is secret, so its diff stays readable").to.deep.equal([]);
        for (const r of run.resources) {
            for (const [path, value] of flatten(r.inputs)) {
                if (SECRETS.some((s) => String(value).includes(s))) {
                    expect(isSecretInput(r, path), `${r.name}.${path} is secret`).to.equal(true);
                }
            }
        }
    });

    it("stores the S3 keys as an AWS credentials file in Secret velero-credentials, secret in state", () => {
        const secret = named(run, "velero-credentials");
        expect(secret.inputs.metadata).to.include({ name: "velero-credentials", namespace: "velero" });
        expect(secret.inputs.type).to.equal("Opaque");
        expect(Object.keys(secret.inputs.stringData)).to.deep.equal(["cloud"]);
        expect(isSecretInput(secret, "stringData.cloud")).to.equal(true);
        expect(parseAwsProfiles(secret.inputs.stringData.cloud)).to.deep.equal({
            default: { aws_access_key_id: ACCESS_KEY, aws_secret_access_key: SECRET_KEY },
        });
    });

    it("stores the kopia repository password in Secret velero-repo-credentials under repository-password", () => {
        const secret = named(run, "velero-repo-credentials");
        expect(secret.inputs.metadata).to.include({ name: "velero-repo-credentials", namespace: "velero" });
        expect(secret.inputs.stringData).to.deep.equal({ "repository-password": REPO_PASSWORD });
        expect(isSecretInput(secret, "stringData.repository-password")).to.equal(true);
    });

    it("starts Velero only after the namespace and both Secrets exist", () => {
        expect(release.options.dependsOn).to.have.members(["velero-namespace", "velero-credentials", "velero-repo-credentials"]);
        const order = (n: string) => named(run, n).order;
        expect(order("velero-release")).to.be.greaterThan(order("velero-repo-credentials"));
        expect(order("velero-release")).to.be.greaterThan(order("velero-credentials"));
    });

    it("creates namespace velero, privileged for the node agent", () => {
        expect(named(run, "velero-namespace").inputs.metadata).to.deep.equal({
            name: "velero",
            labels: { "pod-security.kubernetes.io/enforce": "privileged" },
        });
    });

    it("uses the provider given to the component for every child", () => {
        // Transformations also see the component itself: only the Kubernetes objects count.
        const children = run.returned.children.filter((c) => c.type.startsWith("kubernetes:"));
        expect(children.map((c) => c.type)).to.have.length(4);
        for (const { type, resource } of children) {
            expect(resource.getProvider(type), type).to.equal(run.returned.provider);
        }
    });

    it("exposes typed outputs, none of them carrying a key", async () => {
        const v = run.returned.velero;
        const outputs = {
            namespace: await resolveOutput(v.namespace),
            releaseName: await resolveOutput(v.releaseName),
            chartVersion: await resolveOutput(v.chartVersion),
            veleroVersion: await resolveOutput(v.veleroVersion),
            awsPluginImage: await resolveOutput(v.awsPluginImage),
            credentialsSecretName: await resolveOutput(v.credentialsSecretName),
            repositoryPasswordSecretName: await resolveOutput(v.repositoryPasswordSecretName),
        };
        expect(Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, o.value]))).to.deep.equal({
            namespace: "velero",
            releaseName: "velero",
            chartVersion: "12.1.0",
            veleroVersion: "1.18.1",
            awsPluginImage: "docker.io/velero/velero-plugin-for-aws:v1.14.3",
            credentialsSecretName: "velero-credentials",
            repositoryPasswordSecretName: "velero-repo-credentials",
        });
    });
});

describe("VeleroInstall (settings)", function () {
    it("with Velero installed by someone else, declares only its credentials and kopia password Secrets", async () => {
        const run = await runMocked(program({ install: "external", createNamespace: false, serviceMonitor: false }), { stack: "site-a" });
        const kinds = run.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => `${r.type} ${r.name}`).sort();
        expect(kinds).to.deep.equal(["kubernetes:core/v1:Secret velero-credentials", "kubernetes:core/v1:Secret velero-repo-credentials"]);
        expect((await resolveOutput(run.returned.velero.releaseStatus)).value).to.equal("external");
        expect(run.returned.velero.release).to.equal(undefined);
        for (const name of ["velero-credentials", "velero-repo-credentials"]) {
            expect(named(run, name).inputs.metadata.namespace).to.equal("velero");
            // The installed Velero may have made velero-repo-credentials first (its built-in password): take it over.
            expect(named(run, name).inputs.metadata.annotations).to.deep.equal({ "pulumi.com/patchForce": "true" });
        }
    });

    it("refuses an unknown install mode before declaring anything", async () => {
        const { error, run } = await refused({ install: "argocd" as never });
        expect(error.message).to.contain('install "argocd" is not allowed; allowed: "helm" or "external"');
        expect(run.resources.filter((r) => r.type.startsWith("kubernetes:"))).to.deep.equal([]);
    });

    it("reuses an existing namespace and leaves out the node agent and the monitors when asked", async () => {
        const run = await runMocked(program({
            namespace: "backup-system", createNamespace: false, nodeAgent: false, serviceMonitor: false,
        }), { stack: "site-b" });
        expect(ofType(run, "core/v1:Namespace")).to.have.length(0);
        const release = named(run, "velero-release");
        expect(release.inputs.namespace).to.equal("backup-system");
        expect(release.options.dependsOn).to.have.members(["velero-credentials", "velero-repo-credentials"]);
        expect(named(run, "velero-credentials").inputs.metadata.namespace).to.equal("backup-system");
        expect(named(run, "velero-repo-credentials").inputs.metadata.namespace).to.equal("backup-system");
        expect(release.inputs.values.deployNodeAgent).to.equal(false);
        expect(release.inputs.values.metrics.serviceMonitor.enabled).to.equal(false);
        expect(release.inputs.values.metrics.nodeAgentPodMonitor.enabled).to.equal(false);
        expect(release.inputs.values.metrics.enabled, "metrics stay on for the alert rules").to.equal(true);
    });

    it("picks the plugin line of an older chart's Velero by default (chart 11.4.0 = Velero 1.17.1 -> 1.13.2)", async () => {
        const run = await runMocked(program({ chartVersion: "11.4.0" }), { stack: "site-a" });
        const release = named(run, "velero-release");
        expect(release.inputs.version).to.equal("11.4.0");
        expect(release.inputs.values.initContainers[0].image).to.equal("docker.io/velero/velero-plugin-for-aws:v1.13.2");
    });

    it("accepts a newer 1.14 patch written with a leading v", async () => {
        const run = await runMocked(program({ awsPluginVersion: "v1.14.4" }), { stack: "site-a" });
        expect(named(run, "velero-release").inputs.values.initContainers[0].image)
            .to.equal("docker.io/velero/velero-plugin-for-aws:v1.14.4");
    });
});

describe("VeleroInstall refusals (at preview, before any child exists)", function () {
    const cases: Array<[string, Overrides, RegExp[]]> = [
        ["plugin 1.14.1", { awsPluginVersion: "1.14.1" }, [/awsPluginVersion "1\.14\.1"/, /empty x-amz-tagging header/, /HTTP 400/]],
        ["plugin 1.14.2", { awsPluginVersion: "1.14.2" }, [/awsPluginVersion "1\.14\.2"/, /aws-chunked framing/, /corrupt/]],
        ["plugin 1.13.2 with Velero 1.18", { awsPluginVersion: "1.13.2" }, [/built for Velero 1\.17, not Velero 1\.18\.1/, /1\.14\.3 or a newer 1\.14\.x/]],
        ["plugin 1.14.3 with Velero 1.17", { chartVersion: "11.4.0", awsPluginVersion: "1.14.3" }, [/built for Velero 1\.18, not Velero 1\.17\.1/, /allowed with Velero 1\.17\.1: 1\.13\.x/]],
        ["unknown chart", { chartVersion: "9.9.9" }, [/chartVersion "9\.9\.9"/, /12\.1\.0 \(Velero 1\.18\.1\)/, /10\.0\.4 \(Velero 1\.16\.0\)/]],
        ["bad namespace", { namespace: "Velero_NS" }, [/namespace "Velero_NS" is not allowed/, /lowercase/]],
    ];
    for (const [label, overrides, patterns] of cases) {
        it(`refuses ${label}`, async () => {
            const { error, run } = await refused(overrides);
            expect(error.message).to.match(/^VeleroInstall velero: /);
            for (const p of patterns) expect(error.message).to.match(p);
            const declared = run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
            expect(declared.map((r) => r.type), "nothing but the provider and the component")
                .to.deep.equal(["pulumi:providers:kubernetes", "velero-ceph-dr:velero:VeleroInstall"]);
        });
    }

    it("reports every problem at once", async () => {
        const { error } = await refused({ namespace: "UPPER", awsPluginVersion: "1.14.2" });
        expect(error.message).to.match(/namespace "UPPER"/).and.to.match(/awsPluginVersion "1\.14\.2"/);
    });
});

describe("checkPluginCompatibility", function () {
    it("accepts each Velero line with its plugin line, and 1.14.3 or newer for Velero 1.18", () => {
        for (const [velero, plugin] of [
            ["1.18.1", "1.14.3"], ["1.18.1", "1.14.4"], ["1.18.1", "v1.14.3"], ["1.18.1", "1.14.10"],
            ["1.17.1", "1.13.2"], ["1.17.0", "1.13.0"], ["1.16.2", "1.12.2"],
        ]) {
            expect(checkPluginCompatibility(velero, plugin), `${velero} + ${plugin}`).to.equal(undefined);
        }
    });

    it("refuses 1.14.1 (empty tagging header, HTTP 400 on Ceph) and 1.14.2 (aws-chunked framing, corrupt backups)", () => {
        expect(checkPluginCompatibility("1.18.1", "1.14.1")).to.match(/empty x-amz-tagging header.*Ceph RGW rejects with HTTP 400/);
        expect(checkPluginCompatibility("1.18.1", "1.14.2")).to.match(/aws-chunked framing.*corrupt/);
        expect(checkPluginCompatibility("1.18.1", "v1.14.2")).to.match(/aws-chunked/);
    });

    it("refuses Velero 1.18.0 altogether, with any plugin, saying why (ReadOnly restores on kopia repositories of 1.17 or older, velero#9626)", () => {
        for (const plugin of ["1.14.3", "v1.14.4"]) {
            expect(checkPluginCompatibility("1.18.0", plugin)).to.equal(
                "Velero 1.18.0 is refused: its restores from a ReadOnly backup location break on kopia repositories made by Velero 1.17 or earlier, "
                + "and the passive cluster restores from a ReadOnly location (velero#9626, fixed in 1.18.1); allowed: Velero 1.18.1 (chart 12.1.0) or another known version");
        }
        expect(checkPluginCompatibility("v1.18.0", "1.14.3")).to.match(/^Velero 1\.18\.0 is refused/);
    });

    it("refuses 1.14.0, older than the first 1.14.x that works with Ceph", () => {
        expect(checkPluginCompatibility("1.18.1", "1.14.0")).to.match(/predates 1\.14\.3/);
    });

    it("refuses a plugin of another Velero line, in both directions", () => {
        expect(checkPluginCompatibility("1.18.1", "1.13.2")).to.match(/1\.13\.x is built for Velero 1\.17/);
        expect(checkPluginCompatibility("1.16.2", "1.13.2")).to.match(/built for Velero 1\.17, not Velero 1\.16\.2.*allowed with Velero 1\.16\.2: 1\.12\.x/);
        expect(checkPluginCompatibility("1.18.1", "1.9.2")).to.match(/1\.9\.x is not compatible with Velero 1\.18\.1/);
    });

    it("refuses tags that are not release versions, and Velero versions without a plugin line", () => {
        expect(checkPluginCompatibility("1.18.1", "latest")).to.match(/not a release version/);
        expect(checkPluginCompatibility("1.18.1", "1.14.3-rc.1")).to.match(/not a release version/);
        expect(checkPluginCompatibility("1.15.2", "1.11.1")).to.match(/Velero 1\.15\.2 has no known velero-plugin-for-aws line; supported Velero versions: 1\.16\.x, 1\.17\.x, 1\.18\.x/);
    });
});

describe("veleroVersionForChart and renderVeleroValues", function () {
    it("maps chart versions to the Velero they ship", () => {
        expect(veleroVersionForChart("12.1.0")).to.equal("1.18.1");
        expect(veleroVersionForChart("11.4.0")).to.equal("1.17.1");
        expect(veleroVersionForChart("10.1.3")).to.equal("1.16.2");
    });

    it("refuses an unknown chart, listing the usable ones", () => {
        expect(() => veleroVersionForChart("12.2.0")).to.throw(/"12\.2\.0" is not known.*12\.1\.0 \(Velero 1\.18\.1\), 11\.4\.0 \(Velero 1\.17\.1\)/);
        expect(chartVersionProblem("12.2.0")).not.to.contain("12.0.1");
    });

    it("refuses chart 12.0.1 (Velero 1.18.0) at preview, naming why and what is allowed", () => {
        expect(chartVersionProblem("12.0.1")).to.match(/^chart 12\.0\.1 ships Velero 1\.18\.0, which is refused: its restores from a ReadOnly backup location break on kopia repositories made by Velero 1\.17 or earlier.*velero#9626, fixed in 1\.18\.1.*; allowed: 12\.1\.0 \(Velero 1\.18\.1\)/);
        expect(() => veleroVersionForChart("12.0.1")).to.throw(/"12\.0\.1" is not allowed; chart 12\.0\.1 ships Velero 1\.18\.0, which is refused/);
        expect(() => renderVeleroValues({ chartVersion: "12.0.1", awsPluginVersion: "1.14.3", nodeAgent: true, serviceMonitor: true })).to.throw(/Velero 1\.18\.0, which is refused/);
        expect(chartVersionProblem("12.1.0")).to.equal(undefined);
    });

    it("refuses to render values for a plugin that does not fit the chart", () => {
        expect(() => renderVeleroValues({ chartVersion: "12.1.0", awsPluginVersion: "1.14.2", nodeAgent: true, serviceMonitor: true }))
            .to.throw(/aws-chunked/);
    });
});

describe("renderCredentialsFile", function () {
    it("writes one default profile with both keys", () => {
        expect(renderCredentialsFile("AKIA0001", "s3cr3t")).to.equal("[default]\naws_access_key_id=AKIA0001\naws_secret_access_key=s3cr3t\n");
    });

    it("refuses empty keys and keys with whitespace, without printing them", () => {
        expect(() => renderCredentialsFile("", "s3cr3t")).to.throw(/accessKey is empty/);
        expect(() => renderCredentialsFile("AKIA0001", "")).to.throw(/secretKey is empty/);
        let message = "";
        try {
            renderCredentialsFile("AKIA0001", "top secret\nvalue");
        } catch (e) {
            message = (e as Error).message;
        }
        expect(message).to.match(/secretKey contains whitespace/);
        expect(message).not.to.contain("top secret");
    });
});

describe("renderBackupStorageLocation", function () {
    const bslSettings = BSL_SETTINGS;
    const readWrite = () => renderBackupStorageLocation({ ...bslSettings, accessMode: "ReadWrite" });
    const readOnly = () => renderBackupStorageLocation({ ...bslSettings, accessMode: "ReadOnly", backupSyncPeriod: "30s" });

    it("renders the active cluster's location: ReadWrite on the local zone, Ceph settings", () => {
        expect(readWrite()).to.deep.equal({
            apiVersion: "velero.io/v1",
            kind: "BackupStorageLocation",
            metadata: { name: "default", namespace: "velero" },
            spec: {
                provider: "aws",
                objectStorage: { bucket: "velero-backups" },
                config: { s3Url: "http://rgw-b.example.com", s3ForcePathStyle: "true", region: "global", checksumAlgorithm: "" },
                accessMode: "ReadWrite",
                default: true,
                credential: { name: "velero-credentials", key: "cloud" },
            },
        });
    });

    it("renders the passive cluster's location ReadOnly, with its sync period", () => {
        const bsl = readOnly();
        expect(bsl.spec.accessMode).to.equal("ReadOnly");
        expect(bsl.spec.backupSyncPeriod).to.equal("30s");
    });

    it("defaults the name and the credential Secret to the constants", () => {
        const { namespace, bucket, endpoint, zonegroup } = bslSettings;
        const bsl = renderBackupStorageLocation({ namespace, bucket, endpoint, zonegroup, accessMode: "ReadOnly" });
        expect(bsl.metadata.name).to.equal("default");
        expect(bsl.spec.credential).to.deep.equal({ name: "velero-credentials", key: "cloud" });
        expect(bsl.spec).not.to.have.property("backupSyncPeriod");
    });

    it("refuses location settings Velero or Ceph would reject", () => {
        expect(() => renderBackupStorageLocation({ ...bslSettings, accessMode: "readonly" as any })).to.throw(/accessMode "readonly" is not allowed; allowed: "ReadWrite" or "ReadOnly"/);
        expect(() => renderBackupStorageLocation({ ...bslSettings, accessMode: "ReadOnly", endpoint: "http://rgw-b.example.com/velero" })).to.throw(/endpoint "http:\/\/rgw-b\.example\.com\/velero" is not allowed/);
        expect(() => renderBackupStorageLocation({ ...bslSettings, accessMode: "ReadOnly", backupSyncPeriod: "1 minute" })).to.throw(/backupSyncPeriod "1 minute" is not allowed/);
        expect(() => renderBackupStorageLocation({ ...bslSettings, accessMode: "ReadOnly", bucket: "Velero_Backups" })).to.throw(/bucket "Velero_Backups" is not allowed/);
    });

});

describe("renderSchedule", function () {
    const scheduleSettings = {
        name: "hourly",
        namespace: "velero",
        cron: "0 * * * *",
        ttl: "720h",
        includedNamespaces: ["shop", "billing"],
        rpoSeconds: 3600,
        storageLocation: "default",
    };

    it("renders a Schedule with kopia file-system backup and its RPO label", () => {
        expect(renderSchedule(scheduleSettings)).to.deep.equal({
            apiVersion: "velero.io/v1",
            kind: "Schedule",
            metadata: { name: "hourly", namespace: "velero", labels: { [RPO_SECONDS_LABEL]: "3600" } },
            spec: {
                schedule: "0 * * * *",
                useOwnerReferencesInBackup: false,
                template: {
                    metadata: { labels: { [RPO_SECONDS_LABEL]: "3600" } },
                    ttl: "720h",
                    includedNamespaces: ["shop", "billing"],
                    storageLocation: "default",
                    defaultVolumesToFsBackup: true,
                    snapshotVolumes: false,
                },
            },
        });
        expect(RPO_SECONDS_LABEL).to.equal("dr.velero-ceph-dr/rpo-seconds");
    });

    it("labels the Schedule and its backup template with the site that runs it (so every Backup says who made it)", () => {
        const s = renderSchedule({ ...scheduleSettings, site: "site-b" });
        const labels = { [RPO_SECONDS_LABEL]: "3600", "dr.velero-ceph-dr/site": "site-b" };
        expect(s.metadata.labels).to.deep.equal(labels);
        expect(s.spec.template.metadata.labels).to.deep.equal(labels);
        expect(SITE_LABEL).to.equal("dr.velero-ceph-dr/site");
        expect(() => renderSchedule({ ...scheduleSettings, site: "site-c" })).to.throw('site "site-c" is not allowed; allowed: site-a or site-b, the site whose cluster runs the Schedule');
    });

    it("refuses Schedule settings Velero would reject", () => {
        expect(() => renderSchedule({ ...scheduleSettings, cron: "hourly" })).to.throw(/cron "hourly" is not allowed/);
        expect(() => renderSchedule({ ...scheduleSettings, ttl: "30 days" })).to.throw(/ttl "30 days" is not allowed/);
        expect(() => renderSchedule({ ...scheduleSettings, rpoSeconds: 0 })).to.throw(/rpoSeconds 0 is not allowed/);
        expect(() => renderSchedule({ ...scheduleSettings, rpoSeconds: 1.5 })).to.throw(/rpoSeconds 1\.5 is not allowed/);
        expect(() => renderSchedule({ ...scheduleSettings, includedNamespaces: [] })).to.throw(/includedNamespaces \[\] is not allowed/);
        expect(() => renderSchedule({ ...scheduleSettings, name: "Hourly" })).to.throw(/name "Hourly" is not allowed/);
    });
});
