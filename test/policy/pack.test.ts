// The pack as a whole: its metadata, the list of policies, and the real policy server started
// from policy/index.ts answering the engine's RPCs (GetAnalyzerInfo, Analyze, AnalyzeStack).
import { expect } from "chai";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import { renderBackupStorageLocation } from "../../core/velero/renderers";
import * as advisory from "../../policy/advisory";
import * as monitoring from "../../policy/monitoring";
import { ALL_POLICIES } from "../../policy/policies";
import { BACKUP_STORAGE_LOCATION_TYPE } from "../../policy/resources";
import * as roles from "../../policy/roles";
import * as schedules from "../../policy/schedules";
import * as storage from "../../policy/storage";
import * as velero from "../../policy/velero";

const ROOT = path.resolve(__dirname, "../..");
const POLICY_DIR = path.join(ROOT, "policy");
const ADVISORY = ["rgw-endpoints-https", "rgw-zone-names-plain", "passive-zone-strict-read-only"];

function readJson(file: string): any {
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

function tsFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(full);
        return e.name.endsWith(".ts") ? [full] : [];
    });
}

describe("policy pack velero-ceph-dr", () => {
    it("lists every policy exported by the area files, once, with a unique kebab-case name and a description", () => {
        const exported = [advisory, monitoring, roles, schedules, storage, velero]
            .flatMap((m) => Object.values(m))
            .filter((v): v is { name: string } => typeof v === "object" && v !== null && ("validateResource" in v || "validateStack" in v));
        expect(ALL_POLICIES.map((p) => p.name)).to.have.members(exported.map((p) => p.name));
        const names = ALL_POLICIES.map((p) => p.name);
        expect(new Set(names).size).to.equal(names.length);
        for (const p of ALL_POLICIES) {
            expect(p.name, p.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            expect(p.description.length, p.name).to.be.greaterThan(40);
            expect(p.configSchema?.properties ?? {}, p.name).not.to.have.property("enforcementLevel");
        }
    });

    it("makes only the three advisories advisory, everything else mandatory", () => {
        for (const p of ALL_POLICIES) {
            expect(p.enforcementLevel, p.name).to.equal(ADVISORY.includes(p.name) ? "advisory" : "mandatory");
        }
    });

    it("pins @pulumi/policy and @pulumi/pulumi to the root's versions, and has a version", () => {
        const pack = readJson(path.join(POLICY_DIR, "package.json"));
        const root = readJson(path.join(ROOT, "package.json"));
        expect(pack.version).to.match(/^\d+\.\d+\.\d+$/);
        expect(pack.dependencies).to.deep.equal({
            "@pulumi/policy": root.dependencies["@pulumi/policy"],
            "@pulumi/pulumi": root.dependencies["@pulumi/pulumi"],
        });
        expect(root.dependencies["@pulumi/policy"]).to.match(/^\d+\.\d+\.\d+$/);
        const lock = readJson(path.join(POLICY_DIR, "package-lock.json"));
        expect(lock.packages["node_modules/@pulumi/policy"].version).to.equal(pack.dependencies["@pulumi/policy"]);
        expect(lock.packages["node_modules/@pulumi/pulumi"].version).to.equal(pack.dependencies["@pulumi/pulumi"]);
    });

    it("declares a nodejs runtime and a description in PulumiPolicy.yaml", () => {
        const manifest = yaml.load(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as Record<string, unknown>;
        expect(manifest.runtime).to.equal("nodejs");
        expect(manifest.description).to.be.a("string").and.not.equal("");
    });

    it("constructs the PolicyPack in policy/index.ts only (a second one would end the process)", () => {
        const constructing = [...tsFiles(POLICY_DIR), ...tsFiles(path.join(ROOT, "test"))]
            .filter((f) => /new\s+PolicyPack\s*\(/.test(fs.readFileSync(f, "utf8")))
            .map((f) => path.relative(ROOT, f));
        expect(constructing).to.deep.equal(["policy/index.ts"]);
    });
});

/** Modules the policy server's protocol needs, from where @pulumi/pulumi gets them. */
async function fromPulumi(module: string): Promise<any> {
    const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    return import(require.resolve(module, { paths: [pulumiDir] }));
}

function call<Req, Res>(method: (req: Req, cb: (err: Error | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => method(req, (err, res) => (err ? reject(err) : resolve(res))));
}

describe("policy pack served by policy/index.ts", function () {
    this.timeout(120_000);
    let server: ChildProcess | undefined;
    let client: AnalyzerClient;
    let struct: any;
    let empty: any;

    before(async () => {
        const grpc = await fromPulumi("@grpc/grpc-js");
        struct = await fromPulumi("google-protobuf/google/protobuf/struct_pb");
        empty = await fromPulumi("google-protobuf/google/protobuf/empty_pb");
        // As the CLI runs it: in the pack's directory, which holds its package.json.
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
        server = child;
        const port = await new Promise<string>((resolve, reject) => {
            let out = "";
            let err = "";
            child.stdout?.on("data", (d) => {
                out += d;
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) resolve(m[1]);
            });
            child.stderr?.on("data", (d) => (err += d));
            child.on("exit", (code) => reject(new Error(`the policy pack exited with ${code}: ${err}`)));
        });
        client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        server?.kill();
    });

    function options() {
        return new analyzerPb.AnalyzerResourceOptions().setProtect(false);
    }

    function bsl(name: string, accessMode: "ReadWrite" | "ReadOnly", provider: string, mutate: (p: any) => void = () => undefined) {
        const props: any = renderBackupStorageLocation({ namespace: "velero", bucket: "velero-backups", endpoint: "https://rgw-a.example.com", zonegroup: "global", accessMode });
        mutate(props);
        return {
            props,
            urn: `urn:pulumi:failover::velero-ceph-dr::${BACKUP_STORAGE_LOCATION_TYPE}::${name}`,
            provider: new analyzerPb.AnalyzerProviderResource().setType("pulumi:providers:kubernetes").setName(provider)
                .setUrn(`urn:pulumi:failover::velero-ceph-dr::pulumi:providers:kubernetes::${provider}`).setProperties(struct.Struct.fromJavaScript({})),
        };
    }

    it("describes every policy with its enforcement level", async () => {
        const info = await call(client.getAnalyzerInfo.bind(client), new empty.Empty()) as analyzerPb.AnalyzerInfo;
        expect(info.getName()).to.equal("velero-ceph-dr");
        expect(info.getVersion()).to.equal(readJson(path.join(POLICY_DIR, "package.json")).version);
        expect(info.getPoliciesList().map((p) => p.getName())).to.deep.equal(ALL_POLICIES.map((p) => p.name));
    });

    it("reports a BackupStorageLocation without checksumAlgorithm as a mandatory violation", async () => {
        const broken = bsl("site-a-backup-location", "ReadWrite", "site-a-cluster", (p) => delete p.spec.config.checksumAlgorithm);
        const request = new analyzerPb.AnalyzeRequest().setType(BACKUP_STORAGE_LOCATION_TYPE).setName("site-a-backup-location")
            .setUrn(broken.urn).setProperties(struct.Struct.fromJavaScript(broken.props)).setOptions(options()).setProvider(broken.provider);
        const response = await call(client.analyze.bind(client), request) as analyzerPb.AnalyzeResponse;
        const diagnostics = response.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel(), d.getMessage()]);
        expect(diagnostics.map((d) => d.slice(0, 2))).to.deep.equal([["velero-bsl-ceph-config", analyzerPb.EnforcementLevel.MANDATORY]]);
        expect(diagnostics[0][2]).to.contain("checksumAlgorithm is undefined");
    });

    it("reports two ReadWrite locations across a stack", async () => {
        const request = new analyzerPb.AnalyzeStackRequest();
        for (const [site, mode] of [["site-a", "ReadWrite"], ["site-b", "ReadWrite"]] as const) {
            const r = bsl(`${site}-backup-location`, mode, `${site}-cluster`);
            request.addResources(new analyzerPb.AnalyzerResource().setType(BACKUP_STORAGE_LOCATION_TYPE).setName(`${site}-backup-location`)
                .setUrn(r.urn).setProperties(struct.Struct.fromJavaScript(r.props)).setOptions(options()).setProvider(r.provider));
        }
        const response = await call(client.analyzeStack.bind(client), request) as analyzerPb.AnalyzeResponse;
        const diagnostics = response.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getMessage()]);
        expect(diagnostics.map((d) => d[0])).to.deep.equal(["velero-one-writer"]);
        expect(diagnostics[0][1]).to.contain("2 BackupStorageLocations are ReadWrite");
    });
});
