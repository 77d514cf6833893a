import { expect } from "chai";
import { ConfigError } from "../../stacks/config";
import { VELERO_KEYS, parseVeleroConfig } from "../../stacks/veleroConfig";

const PREFIX = "velero-ceph-dr";

function problemsOf(raw: Record<string, string>): string[] {
    try {
        parseVeleroConfig(raw, PREFIX);
    } catch (e) {
        expect(e).to.be.instanceOf(ConfigError);
        return (e as ConfigError).problems;
    }
    throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe("config: Velero settings", function () {
    it("lists the keys it reads", () => {
        expect(VELERO_KEYS).to.deep.equal([
            "veleroInstall", "veleroChartVersion", "veleroAwsPluginVersion", "veleroNamespace",
            "veleroCreateNamespace", "veleroNodeAgent", "veleroServiceMonitor",
        ]);
    });

    it("defaults to chart 12.1.0 with plugin 1.14.3, namespace velero created, node agent and ServiceMonitor on", () => {
        expect(parseVeleroConfig({}, PREFIX)).to.deep.equal({
            install: "helm",
            chartVersion: "12.1.0",
            awsPluginVersion: "1.14.3",
            namespace: "velero",
            createNamespace: true,
            nodeAgent: true,
            serviceMonitor: true,
        });
    });

    it("with Velero installed by someone else, reuses its namespace and leaves the monitors to it unless told", () => {
        expect(parseVeleroConfig({ veleroInstall: "external" }, PREFIX)).to.include({ install: "external", createNamespace: false, serviceMonitor: false });
        expect(parseVeleroConfig({ veleroInstall: "external", veleroCreateNamespace: "true" }, PREFIX).createNamespace).to.equal(true);
        expect(problemsOf({ veleroInstall: "argocd" })).to.deep.equal([`${PREFIX}:veleroInstall = "argocd" is not allowed; allowed: "helm" or "external"`]);
    });

    it("takes every setting, normalizing a v-prefixed plugin version", () => {
        expect(parseVeleroConfig({
            veleroChartVersion: "12.1.0",
            veleroAwsPluginVersion: "v1.14.4",
            veleroNamespace: "backup",
            veleroCreateNamespace: "false",
            veleroNodeAgent: "false",
            veleroServiceMonitor: "false",
        }, PREFIX)).to.deep.equal({
            install: "helm",
            chartVersion: "12.1.0",
            awsPluginVersion: "1.14.4",
            namespace: "backup",
            createNamespace: false,
            nodeAgent: false,
            serviceMonitor: false,
        });
    });

    it("follows the chart's Velero line for the default plugin (chart 11.4.0 -> plugin 1.13.2)", () => {
        expect(parseVeleroConfig({ veleroChartVersion: "11.4.0" }, PREFIX).awsPluginVersion).to.equal("1.13.2");
        expect(parseVeleroConfig({ veleroChartVersion: "10.1.3" }, PREFIX).awsPluginVersion).to.equal("1.12.2");
    });

    it("refuses the known-bad plugins, naming the key, the value and why", () => {
        expect(problemsOf({ veleroAwsPluginVersion: "1.14.2" })).to.deep.equal([
            `${PREFIX}:veleroAwsPluginVersion = "1.14.2" is not allowed; velero-plugin-for-aws 1.14.2 breaks backups on Ceph: it writes the AWS SDK's aws-chunked framing (chunk sizes and a checksum trailer) into the stored objects, so backups are silently corrupt (velero#9951, fixed in 1.14.3); allowed with Velero 1.18.1: 1.14.3 or a newer 1.14.x (default 1.14.3)`,
        ]);
        const [tagging] = problemsOf({ veleroAwsPluginVersion: "1.14.1" });
        expect(tagging).to.match(/^velero-ceph-dr:veleroAwsPluginVersion = "1\.14\.1" is not allowed; .*empty x-amz-tagging header.*HTTP 400/);
    });

    it("refuses a plugin of another Velero line than the chart's", () => {
        const [problem] = problemsOf({ veleroChartVersion: "11.4.0", veleroAwsPluginVersion: "1.14.3" });
        expect(problem).to.match(/veleroAwsPluginVersion = "1\.14\.3" is not allowed; .*built for Velero 1\.18, not Velero 1\.17\.1/);
    });

    it("reports an unknown chart once, without a second complaint about the plugin", () => {
        const problems = problemsOf({ veleroChartVersion: "13.0.0", veleroAwsPluginVersion: "1.14.3" });
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^velero-ceph-dr:veleroChartVersion = "13\.0\.0" is not allowed; allowed: a chart version this project knows: 12\.1\.0 \(Velero 1\.18\.1\)/);
    });

    it("reports all problems together", () => {
        const problems = problemsOf({
            veleroAwsPluginVersion: "1.13.2",
            veleroNamespace: "Velero",
            veleroCreateNamespace: "no",
            veleroNodeAgent: "yes",
            veleroServiceMonitor: "1",
        });
        expect(problems.map((p) => p.split(" = ")[0])).to.deep.equal([
            `${PREFIX}:veleroAwsPluginVersion`,
            `${PREFIX}:veleroNamespace`,
            `${PREFIX}:veleroCreateNamespace`,
            `${PREFIX}:veleroNodeAgent`,
            `${PREFIX}:veleroServiceMonitor`,
        ]);
        expect(problems[1]).to.equal(`${PREFIX}:veleroNamespace = "Velero" is not allowed; allowed: 1 to 63 lowercase letters, digits or '-', starting and ending with a letter or digit`);
        expect(problems[2]).to.equal(`${PREFIX}:veleroCreateNamespace = "no" is not allowed; allowed: true or false`);
    });
});
