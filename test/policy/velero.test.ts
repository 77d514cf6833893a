import { expect } from "chai";
import { renderBackupStorageLocation, renderVeleroValues } from "../../core/velero/renderers";
import { BACKUP_STORAGE_LOCATION_TYPE, HELM_RELEASE_TYPE } from "../../policy/resources";
import {
    credentialPaths, veleroAwsPluginCompatible, veleroBslCephConfig, veleroUploaderKopia, veleroValuesNoCredentials,
} from "../../policy/velero";
import { policyResource, summary, validateResource } from "./harness";

function location(accessMode: "ReadWrite" | "ReadOnly" = "ReadWrite") {
    return renderBackupStorageLocation({
        namespace: "velero", bucket: "velero-backups", endpoint: "https://rgw-a.example.com", zonegroup: "global", accessMode,
    });
}

type Props = Record<string, any>;

function bsl(mutate: (p: Props) => void = () => undefined) {
    const props: Props = structuredClone(location());
    mutate(props);
    return policyResource({ type: BACKUP_STORAGE_LOCATION_TYPE, name: "site-a-backup-location", props, provider: "site-a-cluster" });
}

function release(mutate: (p: Props) => void = () => undefined, chartVersion = "12.1.0", awsPluginVersion = "1.14.3") {
    const props: Props = {
        name: "velero", chart: "velero", version: chartVersion, namespace: "velero",
        repositoryOpts: { repo: "https://vmware-tanzu.github.io/helm-charts" },
        values: renderVeleroValues({ chartVersion, awsPluginVersion, nodeAgent: true, serviceMonitor: true }),
    };
    mutate(props);
    return policyResource({ type: HELM_RELEASE_TYPE, name: "velero-release", props, provider: "cluster" });
}

describe("policy velero-bsl-ceph-config", () => {
    it("passes the location renderBackupStorageLocation builds, in both modes", async () => {
        expect((await validateResource(veleroBslCephConfig, bsl())).violations).to.deep.equal([]);
        const readOnly = policyResource({ type: BACKUP_STORAGE_LOCATION_TYPE, name: "b", props: location("ReadOnly") });
        expect((await validateResource(veleroBslCephConfig, readOnly)).violations).to.deep.equal([]);
    });

    const broken: Array<[string, (p: Props) => void, RegExp]> = [
        ["s3ForcePathStyle missing", (p) => delete p.spec.config.s3ForcePathStyle, /s3ForcePathStyle is undefined; it must be the string "true"/],
        ["s3ForcePathStyle a boolean", (p) => (p.spec.config.s3ForcePathStyle = true), /s3ForcePathStyle is true; it must be the string "true"/],
        ["s3ForcePathStyle \"false\"", (p) => (p.spec.config.s3ForcePathStyle = "false"), /s3ForcePathStyle is "false"/],
        ["region missing", (p) => delete p.spec.config.region, /region is missing; set it to the RGW zonegroup/],
        ["region empty", (p) => (p.spec.config.region = ""), /region is missing/],
        ["s3Url missing", (p) => delete p.spec.config.s3Url, /s3Url is missing; set it to the local RGW zone's endpoint/],
        ["s3Url not a gateway URL", (p) => (p.spec.config.s3Url = "rgw-a.example.com"), /s3Url "rgw-a.example.com" is not allowed; allowed: an http/],
        ["s3Url with a path", (p) => (p.spec.config.s3Url = "https://rgw-a.example.com/velero"), /s3Url "https:\/\/rgw-a.example.com\/velero" is not allowed/],
        ["checksumAlgorithm missing", (p) => delete p.spec.config.checksumAlgorithm, /checksumAlgorithm is undefined; it must be "" \(present and empty\)/],
        ["checksumAlgorithm CRC32", (p) => (p.spec.config.checksumAlgorithm = "CRC32"), /checksumAlgorithm is "CRC32"/],
    ];
    for (const [what, mutate, message] of broken) {
        it(`reports ${what}`, async () => {
            const { violations } = await validateResource(veleroBslCephConfig, bsl(mutate));
            expect(summary(violations)).to.have.length(1);
            expect(violations[0].message).to.match(message).and.to.contain("BackupStorageLocation velero/default");
        });
    }

    it("reports a location without config once, naming everything Ceph needs", async () => {
        const { violations } = await validateResource(veleroBslCephConfig, bsl((p) => delete p.spec.config));
        expect(summary(violations)).to.deep.equal([
            'velero-bsl-ceph-config: BackupStorageLocation velero/default has no spec.config; Ceph RGW needs s3Url, region, s3ForcePathStyle "true" and checksumAlgorithm ""',
        ]);
    });

    it("leaves locations of other object stores and other types alone", async () => {
        const gcp = await validateResource(veleroBslCephConfig, bsl((p) => (p.spec.provider = "gcp")));
        expect(gcp.notApplicable).to.contain('provider "gcp"');
        const other = await validateResource(veleroBslCephConfig, release());
        expect(other.notApplicable).to.contain(BACKUP_STORAGE_LOCATION_TYPE);
    });
});

describe("policy velero-values-no-credentials", () => {
    it("passes the values renderVeleroValues builds (keys in the velero-credentials Secret)", async () => {
        expect((await validateResource(veleroValuesNoCredentials, release())).violations).to.deep.equal([]);
    });

    const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const broken: Array<[string, (p: Props) => void, string]> = [
        ["credentials.secretContents", (p) => (p.values.credentials.secretContents = { cloud: `[default]\naws_access_key_id=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key=${secret}\n` }),
            "values.credentials.secretContents"],
        ["a secret key in credentials.extraEnvVars", (p) => (p.values.credentials.extraEnvVars = { AWS_SECRET_ACCESS_KEY: secret }),
            "values.credentials.extraEnvVars.AWS_SECRET_ACCESS_KEY"],
        ["an access key as an environment variable entry", (p) => (p.values.configuration.extraEnvVars = [{ name: "AWS_ACCESS_KEY_ID", value: "AKIAIOSFODNN7EXAMPLE" }]),
            "values.configuration.extraEnvVars[0] (AWS_ACCESS_KEY_ID)"],
        ["a secretKey in a location's config", (p) => (p.values.configuration.backupStorageLocation = [{ config: { secretKey: secret } }]),
            "values.configuration.backupStorageLocation[0].config.secretKey"],
        ["a credentials file in an annotation", (p) => (p.values.podAnnotations = { note: `aws_secret_access_key = ${secret}` }),
            "values.podAnnotations.note"],
        ["an access key on its own", (p) => (p.values.configuration.extraArgs = ["SYSTEMACCESSKEY00001"]),
            "values.configuration.extraArgs[0]"],
        ["a kopia password", (p) => (p.values.configuration.repositoryPassword = "static-passw0rd"),
            "values.configuration.repositoryPassword"],
    ];
    for (const [what, mutate, path] of broken) {
        it(`reports ${what} by path, never by value`, async () => {
            const { violations } = await validateResource(veleroValuesNoCredentials, release(mutate));
            expect(summary(violations)).to.have.length(1);
            expect(violations[0].message).to.contain(`credential at ${path}:`).and.to.contain("credentials.existingSecret");
            for (const shown of [secret, "AKIAIOSFODNN7EXAMPLE", "SYSTEMACCESSKEY00001", "static-passw0rd"]) {
                expect(violations[0].message).not.to.contain(shown);
            }
        });
    }

    it("reports values that would make the chart create the credentials Secret", async () => {
        const { violations } = await validateResource(veleroValuesNoCredentials, release((p) => delete p.values.credentials.existingSecret));
        expect(summary(violations)).to.have.length(1);
        expect(violations[0].message).to.contain("credentials.existingSecret is not set").and.to.contain("velero-credentials");
    });

    it("accepts credentials.useSecret false (keys from elsewhere, none in values)", async () => {
        const { violations } = await validateResource(veleroValuesNoCredentials, release((p) => (p.values.credentials = { useSecret: false })));
        expect(violations).to.deep.equal([]);
    });

    it("ignores other charts", async () => {
        const outcome = await validateResource(veleroValuesNoCredentials, release((p) => (p.chart = "kube-prometheus-stack")));
        expect(outcome.notApplicable).to.equal("not the Velero chart");
    });

    it("finds no credential in empty or switched-off settings", () => {
        expect(credentialPaths({ credentials: { secretContents: {}, extraEnvVars: {} }, password: "" })).to.deep.equal([]);
    });
});

describe("policy velero-aws-plugin-compatible", () => {
    it("passes the default plugin of each known chart, and a mirrored image", async () => {
        for (const [chart, plugin] of [["12.1.0", "1.14.3"], ["11.4.0", "1.13.2"], ["10.1.3", "1.12.2"]]) {
            expect((await validateResource(veleroAwsPluginCompatible, release(undefined, chart, plugin))).violations, chart).to.deep.equal([]);
        }
        const mirrored = release((p) => (p.values.initContainers[0].image = "registry.example.com:5000/velero/velero-plugin-for-aws:v1.14.4"));
        expect((await validateResource(veleroAwsPluginCompatible, mirrored)).violations).to.deep.equal([]);
    });

    const setPlugin = (tag: string) => (p: Props) => (p.values.initContainers[0].image = `docker.io/velero/velero-plugin-for-aws:${tag}`);
    const broken: Array<[string, (p: Props) => void, RegExp]> = [
        ["1.14.2, which corrupts backups", setPlugin("v1.14.2"), /1\.14\.2 breaks backups on Ceph: it writes the AWS SDK's aws-chunked framing/],
        ["1.14.1, which Ceph rejects", setPlugin("v1.14.1"), /1\.14\.1 breaks backups on Ceph: it sends an empty x-amz-tagging header/],
        ["1.14.0, before the Ceph fix", setPlugin("v1.14.0"), /predates 1\.14\.3/],
        ["the 1.13 line with Velero 1.18", setPlugin("v1.13.2"), /1\.13\.x is built for Velero 1\.17, not Velero 1\.18\.1/],
        ["a tag that is not a release", setPlugin("latest"), /"latest" is not a release version/],
        ["an image without a tag", (p) => (p.values.initContainers[0].image = "docker.io/velero/velero-plugin-for-aws"), /has no version tag/],
        ["no plugin init container", (p) => (p.values.initContainers = []), /have 0 velero-plugin-for-aws init containers/],
        ["two plugin init containers", (p) => p.values.initContainers.push({ ...p.values.initContainers[0], name: "again" }), /have 2 velero-plugin-for-aws init containers/],
        ["a Velero image override the plugin does not fit", (p) => (p.values.image = { tag: "v1.17.1" }), /1\.14\.x is built for Velero 1\.18, not Velero 1\.17\.1/],
    ];
    for (const [what, mutate, message] of broken) {
        it(`reports ${what}`, async () => {
            const { violations } = await validateResource(veleroAwsPluginCompatible, release(mutate));
            expect(summary(violations)).to.have.length(1);
            expect(violations[0].message).to.match(message);
        });
    }

    it("reports a chart version it does not know, with the versions it knows", async () => {
        const { violations } = await validateResource(veleroAwsPluginCompatible, release((p) => (p.version = "13.0.0")));
        expect(summary(violations)).to.have.length(1);
        expect(violations[0].message).to.contain('Velero chart version "13.0.0" is not allowed').and.to.contain("12.1.0 (Velero 1.18.1)");
    });
});

describe("policy velero-uploader-kopia", () => {
    it("passes the values renderVeleroValues builds, with or without the node agent", async () => {
        expect((await validateResource(veleroUploaderKopia, release())).violations).to.deep.equal([]);
        const noAgent = release((p) => (p.values.deployNodeAgent = false));
        expect((await validateResource(veleroUploaderKopia, noAgent)).violations).to.deep.equal([]);
    });

    const broken: Array<[string, (p: Props) => void, RegExp]> = [
        ["uploaderType restic", (p) => (p.values.configuration.uploaderType = "restic"), /uploaderType is "restic"; set it to "kopia"/],
        ["uploaderType unset", (p) => delete p.values.configuration.uploaderType, /uploaderType is undefined; set it to "kopia"/],
        ["the old deployRestic switch", (p) => (p.values.deployRestic = true), /values\.deployRestic: restic is gone since Velero 1\.17/],
        ["defaultVolumesToRestic", (p) => (p.values.configuration.defaultVolumesToRestic = true), /values\.configuration\.defaultVolumesToRestic: restic is gone/],
        ["a restic block", (p) => (p.values.restic = { podVolumePath: "/var/lib/kubelet/pods" }), /values\.restic: restic is gone/],
    ];
    for (const [what, mutate, message] of broken) {
        it(`reports ${what}`, async () => {
            const { violations } = await validateResource(veleroUploaderKopia, release(mutate));
            expect(summary(violations)).to.have.length(1);
            expect(violations[0].message).to.match(message);
        });
    }

    it("accepts restic switches that are off", async () => {
        const off = release((p) => Object.assign(p.values, { deployRestic: false, restic: {} }));
        expect((await validateResource(veleroUploaderKopia, off)).violations).to.deep.equal([]);
    });
});
