// What the program renders for Velero, validated against the real chart and CRD schemas of chart
// vmware-tanzu/velero 12.1.0. The chart folder comes from VELERO_CHART_DIR (default
// ../shared/fixtures/velero-chart beside the repository); without it these tests are skipped.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import Ajv, { ValidateFunction } from "ajv";
import { Secret } from "kubernetes-models/v1";
import { VeleroInstall } from "../../components/veleroInstall";
import { RPO_SECONDS_LABEL } from "../../core/labels";
import { VeleroValuesSettings, renderBackupStorageLocation, renderSchedule, renderVeleroValues } from "../../core/velero/renderers";
import { veleroVersionForChart } from "../../core/velero/versions";
import { named, runMocked } from "../harness/mocks";
import { BSL_SETTINGS } from "../unit/fixtures";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const CHART_DIR = process.env.VELERO_CHART_DIR
    ? path.resolve(process.env.VELERO_CHART_DIR)
    : path.resolve(REPO_ROOT, "..", "shared", "fixtures", "velero-chart");
const CHART_VERSION = "12.1.0";

function chartPresent(): boolean {
    return fs.existsSync(path.join(CHART_DIR, "values.schema.json"));
}

/** Skips the suite, saying why, when the chart fixtures are absent. */
function requireChart(ctx: Mocha.Context): void {
    if (!chartPresent()) {
        console.log(`    (skipped: no Velero chart at ${CHART_DIR}; set VELERO_CHART_DIR to an unpacked \`helm pull vmware-tanzu/velero --version ${CHART_VERSION} --untar\`)`);
        ctx.skip();
    }
}

function readYaml(file: string): any {
    return yaml.load(fs.readFileSync(path.join(CHART_DIR, file), "utf8"));
}

type Json = any;

function isMap(v: unknown): v is Record<string, unknown> {
    return !!v && typeof v === "object" && !Array.isArray(v);
}

/** Helm's coalescing of user values over the chart's defaults: maps merge, anything else (lists too) replaces, null deletes. */
function helmCoalesce(defaults: Json, overrides: Json): Json {
    if (!isMap(defaults) || !isMap(overrides)) return overrides === undefined ? defaults : overrides;
    const out: Record<string, unknown> = { ...defaults };
    for (const [k, v] of Object.entries(overrides)) {
        if (v === null) delete out[k];
        else out[k] = helmCoalesce(defaults[k], v);
    }
    return out;
}

/**
 * Paths of `values` that the chart's values.yaml does not know. A key counts as known when the
 * chart has it, or when its parent is free-form in the chart (an empty or absent map, or a list).
 */
function unknownKeys(values: Json, defaults: Json, prefix = ""): string[] {
    if (!isMap(values)) return [];
    if (!isMap(defaults) || Object.keys(defaults).length === 0) return [];
    return Object.entries(values).flatMap(([k, v]) => {
        const p = prefix ? `${prefix}.${k}` : k;
        return k in defaults ? unknownKeys(v, defaults[k], p) : [p];
    });
}

function errorsText(validate: ValidateFunction): string {
    return JSON.stringify(validate.errors, null, 1);
}

/** Deep copy with one change, for negative cases. */
function withChange<T>(obj: T, change: (copy: any) => void): T {
    const copy = JSON.parse(JSON.stringify(obj));
    change(copy);
    return copy;
}

/**
 * A CRD schema as the API server applies it with strict field validation: unknown fields are
 * errors (not silently pruned) except where the schema preserves them.
 */
function strictStructural(schema: Json): Json {
    if (Array.isArray(schema)) return schema.map(strictStructural);
    if (!isMap(schema)) return schema;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) {
        out[k] = k === "enum" || k === "required" ? v : strictStructural(v);
    }
    if (isMap(schema.properties) && schema.additionalProperties === undefined && schema["x-kubernetes-preserve-unknown-fields"] !== true) {
        out.additionalProperties = false;
    }
    return out;
}

interface CrdSchema {
    apiVersion: string;
    kind: string;
    validate: ValidateFunction;
}

function crdValidator(file: string): CrdSchema {
    const crd = readYaml(path.join("crds", file));
    const version = crd.spec.versions.find((v: Json) => v.served && v.storage);
    const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
    for (const keyword of ["x-kubernetes-list-type", "x-kubernetes-map-type", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string"]) {
        ajv.addKeyword(keyword);
    }
    ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
    ajv.addFormat("byte", /^[A-Za-z0-9+/]*={0,2}$/);
    return {
        apiVersion: `${crd.spec.group}/${version.name}`,
        kind: crd.spec.names.kind,
        validate: ajv.compile(strictStructural(version.schema.openAPIV3Schema)),
    };
}

const DEFAULT_SETTINGS: VeleroValuesSettings = { chartVersion: CHART_VERSION, awsPluginVersion: "1.14.3", nodeAgent: true, serviceMonitor: true };

describe("schema: Velero Helm values against chart 12.1.0's values.schema.json", function () {
    let defaults: Json;
    let validate: ValidateFunction;
    before(function () {
        requireChart(this);
        defaults = readYaml("values.yaml");
        const schema = JSON.parse(fs.readFileSync(path.join(CHART_DIR, "values.schema.json"), "utf8"));
        // The default Ajv class speaks draft-07, the draft this schema declares.
        expect(schema.$schema).to.equal("http://json-schema.org/draft-07/schema#");
        validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    });

    it("uses the fixtures of chart 12.1.0, whose Velero is the one the table says", () => {
        const chart = readYaml("Chart.yaml");
        expect(chart.version).to.equal(CHART_VERSION);
        expect(chart.appVersion).to.equal(veleroVersionForChart(CHART_VERSION));
        expect(defaults.image.tag).to.equal(`v${chart.appVersion}`);
    });

    const variants: Array<[string, VeleroValuesSettings]> = [
        ["defaults (the same values serve the active and the passive role)", DEFAULT_SETTINGS],
        ["node agent and monitors off", { ...DEFAULT_SETTINGS, nodeAgent: false, serviceMonitor: false }],
        ["plugin v1.14.4", { ...DEFAULT_SETTINGS, awsPluginVersion: "v1.14.4" }],
    ];
    for (const [label, settings] of variants) {
        it(`validates, merged over the chart's defaults as Helm does: ${label}`, () => {
            const merged = helmCoalesce(defaults, renderVeleroValues(settings));
            expect(validate(merged), errorsText(validate)).to.equal(true);
        });
    }

    it("leaves the chart nothing to create a location or schedule from, after merging", () => {
        const merged = helmCoalesce(defaults, renderVeleroValues(DEFAULT_SETTINGS));
        // The chart's defaults hold one (empty) location of each kind: the lists must replace them.
        expect(defaults.configuration.backupStorageLocation).to.have.length(1);
        expect(defaults.configuration.volumeSnapshotLocation).to.have.length(1);
        expect(merged.configuration.backupStorageLocation).to.deep.equal([]);
        expect(merged.configuration.volumeSnapshotLocation).to.deep.equal([]);
        expect(merged.backupsEnabled).to.equal(false);
        expect(merged.snapshotsEnabled).to.equal(false);
        expect(merged.schedules).to.deep.equal({});
        // existingSecret set: the chart renders no credentials Secret of its own.
        expect(merged.credentials).to.include({ useSecret: true, existingSecret: "velero-credentials" });
        expect(merged.credentials.secretContents).to.deep.equal({});
        expect(merged.upgradeCRDs).to.equal(true);
    });

    it("sets only keys the chart knows (the schema lets unknown keys through)", () => {
        for (const [, settings] of variants) {
            expect(unknownKeys(renderVeleroValues(settings), defaults)).to.deep.equal([]);
        }
        const typo = withChange(renderVeleroValues(DEFAULT_SETTINGS), (v) => { v.deployNodeAgnet = true; v.metrics.serviceMonitor.enable = true; });
        expect(unknownKeys(typo, defaults)).to.have.members(["deployNodeAgnet", "metrics.serviceMonitor.enable"]);
    });

    const broken: Array<[string, (v: any) => void]> = [
        ["deployNodeAgent as a string", (v) => { v.deployNodeAgent = "true"; }],
        ["initContainers as a number", (v) => { v.initContainers = 42; }],
        ["credentials.useSecret as a string", (v) => { v.credentials.useSecret = "true"; }],
        ["metrics.serviceMonitor.enabled as a string", (v) => { v.metrics.serviceMonitor.enabled = "yes"; }],
        ["a location without provider and bucket", (v) => { v.configuration.backupStorageLocation = [{ name: "default" }]; }],
        ["upgradeCRDs as a string", (v) => { v.upgradeCRDs = "true"; }],
    ];
    for (const [label, change] of broken) {
        it(`rejects values with ${label}`, () => {
            const merged = helmCoalesce(defaults, withChange(renderVeleroValues(DEFAULT_SETTINGS), change));
            expect(validate(merged)).to.equal(false);
        });
    }
});

describe("schema: BackupStorageLocation and Schedule against the Velero CRDs", function () {
    let bslSchema: CrdSchema;
    let scheduleSchema: CrdSchema;
    before(function () {
        requireChart(this);
        bslSchema = crdValidator("backupstoragelocations.yaml");
        scheduleSchema = crdValidator("schedules.yaml");
    });

    const bslSettings = BSL_SETTINGS;
    const readWrite = () => renderBackupStorageLocation({ ...bslSettings, accessMode: "ReadWrite" });
    const readOnly = () => renderBackupStorageLocation({ ...bslSettings, accessMode: "ReadOnly", backupSyncPeriod: "30s" });

    it("validates both locations against the CRD", () => {
        for (const bsl of [readWrite(), readOnly()]) {
            expect([bsl.apiVersion, bsl.kind]).to.deep.equal([bslSchema.apiVersion, bslSchema.kind]);
            expect(bslSchema.validate(bsl), errorsText(bslSchema.validate)).to.equal(true);
        }
    });

    const brokenBsl: Array<[string, (b: any) => void]> = [
        ["an access mode Velero does not know", (b) => { b.spec.accessMode = "Readonly"; }],
        ["s3ForcePathStyle as a boolean (config values are strings)", (b) => { b.spec.config.s3ForcePathStyle = true; }],
        ["a credential without key", (b) => { delete b.spec.credential.key; }],
        ["no bucket", (b) => { delete b.spec.objectStorage.bucket; }],
        ["a misspelt field", (b) => { b.spec.objectStorage.bukket = "velero-backups"; }],
        ["no provider", (b) => { delete b.spec.provider; }],
    ];
    for (const [label, change] of brokenBsl) {
        it(`rejects a location with ${label}`, () => {
            expect(bslSchema.validate(withChange(readWrite(), change))).to.equal(false);
        });
    }

    const scheduleSettings = {
        name: "hourly",
        namespace: "velero",
        cron: "0 * * * *",
        ttl: "720h",
        includedNamespaces: ["shop", "billing"],
        rpoSeconds: 3600,
        storageLocation: "default",
    };

    it("validates Schedules against the CRD", () => {
        for (const s of [renderSchedule(scheduleSettings), renderSchedule({ ...scheduleSettings, cron: "@every 15m", includedNamespaces: ["*"], defaultVolumesToFsBackup: false }),
            renderSchedule({ ...scheduleSettings, site: "site-a" })]) {
            expect([s.apiVersion, s.kind]).to.deep.equal([scheduleSchema.apiVersion, scheduleSchema.kind]);
            expect(scheduleSchema.validate(s), errorsText(scheduleSchema.validate)).to.equal(true);
        }
    });

    const brokenSchedule: Array<[string, (s: any) => void]> = [
        ["no cron", (s) => { delete s.spec.schedule; }],
        ["a numeric ttl", (s) => { s.spec.template.ttl = 720; }],
        ["a misspelt template field", (s) => { s.spec.template.defaultVolumesToFSBackup = s.spec.template.defaultVolumesToFsBackup; delete s.spec.template.defaultVolumesToFsBackup; }],
        ["a numeric label value in the template", (s) => { s.spec.template.metadata.labels[RPO_SECONDS_LABEL] = 3600; }],
        ["namespaces as a string", (s) => { s.spec.template.includedNamespaces = "shop"; }],
    ];
    for (const [label, change] of brokenSchedule) {
        it(`rejects a Schedule with ${label}`, () => {
            expect(scheduleSchema.validate(withChange(renderSchedule(scheduleSettings), change))).to.equal(false);
        });
    }

});

describe("schema: the Secrets VeleroInstall declares, against kubernetes-models", function () {
    let secrets: Record<string, Json>;
    before(async () => {
        const run = await runMocked(() => {
            new VeleroInstall("velero", {
                s3Keys: { accessKey: pulumi.secret("VELEROACCESSKEY00001"), secretKey: pulumi.secret("veleroSecretKey0123") },
                repositoryPassword: pulumi.secret("kopiaRepositoryPassword"),
            });
        }, { stack: "site-a" });
        secrets = {
            credentials: named(run, "velero-credentials").inputs,
            repo: named(run, "velero-repo-credentials").inputs,
        };
    });

    it("validates both Secrets", () => {
        for (const [name, inputs] of Object.entries(secrets)) {
            expect(inputs.apiVersion, name).to.equal("v1");
            expect(inputs.kind, name).to.equal("Secret");
            expect(() => new Secret(inputs).validate(), name).not.to.throw();
        }
    });

    it("rejects a Secret with a non-string value or a non-string name", () => {
        expect(() => new Secret(withChange(secrets.credentials, (s) => { s.stringData.cloud = 42; })).validate()).to.throw(/stringData\/cloud must be string/);
        expect(() => new Secret(withChange(secrets.repo, (s) => { s.metadata.name = 7; })).validate()).to.throw(/metadata\/name must be string/);
    });
});
