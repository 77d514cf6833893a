// Every policy against everything the real programs declare, run under Pulumi mocks with the
// example settings: the stacks as written must pass, and each mutation of a recorded resource
// must be caught by the policy written for it.
//
// Advisories: the example settings use plain-http gateways (http://rgw-a.example.com), so
// rgw-endpoints-https reports on them. Mandatory policies must report nothing; advisory ones must
// report exactly the advisories listed for the stack (so a new or vanished advisory fails too),
// and with https endpoints only those that are not about http.
import { expect } from "chai";
import { main } from "../../stacks/main";
import { ALL_POLICIES } from "../../policy/policies";
import { RecordedResource, RunOptions, runMocked } from "../harness/mocks";
import { FAILOVER_REFS, failoverConfig, siteAConfig, siteAOutputs, siteBConfig } from "../unit/fixtures";
import { PolicyRun, Violation, runPolicies, toPolicyResources } from "./harness";

interface StackCase {
    /** What the case is, e.g. `site-a` or `failover, site-b unreachable`. */
    name: string;
    options: RunOptions;
    /** Advisories the example settings raise, as `policy resource-name`. */
    advisories: string[];
}

const MASTER_REF = { "org/velero-ceph-dr/site-a": siteAOutputs() };
const HTTPS = "rgw-endpoints-https";

/** The stacks checked; adding a stack (or a variant of one) is one entry here. */
const STACKS: StackCase[] = [
    {
        name: "site-a",
        options: { stack: "site-a", config: siteAConfig(), stackReferences: MASTER_REF },
        advisories: [`${HTTPS} rgw-zonegroup-realm`, `${HTTPS} rgw-zone-master`, `${HTTPS} velero-user-bucket`],
    },
    {
        name: "site-b",
        options: { stack: "site-b", config: siteBConfig(), stackReferences: MASTER_REF },
        advisories: [`${HTTPS} rgw-zone-join`, `${HTTPS} rgw-zone-join`],
    },
    {
        name: "failover",
        options: { stack: "failover", config: failoverConfig(), stackReferences: FAILOVER_REFS },
        advisories: [`${HTTPS} ceph-metadata-master`, `${HTTPS} ceph-secondary`, `${HTTPS} site-a-backup-location`, `${HTTPS} site-b-backup-location`],
    },
    {
        name: "failover, site-b active",
        options: { stack: "failover", config: failoverConfig({ activeSite: "site-b" }), stackReferences: FAILOVER_REFS },
        advisories: [`${HTTPS} ceph-metadata-master`, `${HTTPS} ceph-secondary`, `${HTTPS} site-a-backup-location`, `${HTTPS} site-b-backup-location`],
    },
    {
        name: "failover, site-b unreachable",
        options: { stack: "failover", config: failoverConfig({ unreachableSites: ["site-b"], forcePromotion: "true" }), stackReferences: FAILOVER_REFS },
        advisories: [`${HTTPS} site-a-backup-location`],
    },
    {
        name: "failover, strict read-only passive zone",
        options: { stack: "failover", config: failoverConfig({ strictReadOnlyPassive: "true" }), stackReferences: FAILOVER_REFS },
        advisories: [`${HTTPS} ceph-metadata-master`, `${HTTPS} ceph-secondary`, `${HTTPS} site-a-backup-location`, `${HTTPS} site-b-backup-location`,
            "passive-zone-strict-read-only ceph-secondary"],
    },
];

/** The same settings with every gateway on https. */
function withHttps(options: RunOptions): RunOptions {
    return JSON.parse(JSON.stringify(options).replaceAll("http://", "https://"));
}

const mandatory = (v: Violation) => v.enforcementLevel === "mandatory";
const resourceName = (v: Violation) => v.urn?.split("::").pop() ?? "(stack)";
const key = (v: Violation) => `${v.policy} ${v.urn} ${v.message}`;

async function check(stack: string, recorded: RecordedResource[]) {
    return runPolicies(ALL_POLICIES, toPolicyResources(recorded, stack));
}

describe("policy cross-check: the stacks as the programs declare them", function () {
    this.timeout(60_000);
    const results = new Map<string, PolicyRun>();

    before(async () => {
        for (const c of STACKS) results.set(c.name, await check(c.options.stack, (await runMocked(main, c.options)).resources));
    });

    for (const c of STACKS) {
        it(`${c.name}: no mandatory violation, and exactly the expected advisories`, () => {
            const { violations } = results.get(c.name) as PolicyRun;
            expect(violations.filter(mandatory).map((v) => `${v.policy}: ${v.message}`)).to.deep.equal([]);
            expect(violations.filter((v) => !mandatory(v)).map((v) => `${v.policy} ${resourceName(v)}`)).to.have.members(c.advisories);
        });

        it(`${c.name} with https gateways: no advisory about http left`, async () => {
            const run = await runMocked(main, withHttps(c.options));
            const { violations } = await check(c.options.stack, run.resources);
            expect(violations.map((v) => `${v.policy} ${resourceName(v)}`)).to.have.members(c.advisories.filter((a) => !a.startsWith(HTTPS)));
        });
    }

    it("puts every policy to work on at least one stack (none passes because it never matched)", () => {
        const applied = new Set([...results.values()].flatMap((r) => [...r.applied.keys()]));
        expect([...applied]).to.have.members(ALL_POLICIES.map((p) => p.name));
    });
});

interface Mutation {
    stack: string;
    what: string;
    /** The policy that must catch it, and no other. */
    policy: string;
    mutate(resources: RecordedResource[]): void;
}

function find(resources: RecordedResource[], name: string): RecordedResource {
    const r = resources.find((x) => x.name === name);
    if (!r) throw new Error(`no resource ${name}; have ${resources.map((x) => x.name).join(", ")}`);
    return r;
}

const MUTATIONS: Mutation[] = [
    { stack: "site-a", what: "the bucket unprotected", policy: "backup-bucket-protected",
        mutate: (rs) => (find(rs, "velero-user-bucket").options.protect = false) },
    { stack: "site-a", what: "the S3 keys in the Helm values", policy: "velero-values-no-credentials",
        mutate: (rs) => (find(rs, "velero-release").inputs.values.credentials.secretContents = { cloud: find(rs, "velero-credentials").inputs.stringData.cloud }) },
    { stack: "site-b", what: "velero-plugin-for-aws 1.14.2", policy: "velero-aws-plugin-compatible",
        mutate: (rs) => (find(rs, "velero-release").inputs.values.initContainers[0].image = "docker.io/velero/velero-plugin-for-aws:v1.14.2") },
    { stack: "site-a", what: "the restic uploader", policy: "velero-uploader-kopia",
        mutate: (rs) => (find(rs, "velero-release").inputs.values.configuration.uploaderType = "restic") },
    { stack: "site-a", what: "no alert rules", policy: "dr-alert-rules-declared",
        mutate: (rs) => rs.splice(rs.indexOf(find(rs, "dr-alerts-rules")), 1) },
    { stack: "site-b", what: "the alert rules in another cluster", policy: "dr-alert-rules-declared",
        mutate: (rs) => {
            rs.push({ ...structuredClone(find(rs, "cluster")), name: "other-cluster" });
            find(rs, "dr-alerts-rules").options.provider = "other-cluster";
        } },
    { stack: "site-a", what: "a zone name with a dash", policy: "rgw-zone-names-plain",
        mutate: (rs) => {
            const master = find(rs, "rgw-zone-master");
            master.inputs.create = master.inputs.update = master.inputs.create.replace("--zone zonea", "--zone zone-a");
        } },
    { stack: "failover", what: "the passive location ReadWrite", policy: "velero-one-writer",
        mutate: (rs) => (find(rs, "site-b-backup-location").inputs.spec.accessMode = "ReadWrite") },
    { stack: "failover", what: "the Schedule in the passive cluster", policy: "velero-one-writer",
        mutate: (rs) => (find(rs, "site-a-schedule-every-6h").options.provider = "site-b-cluster") },
    { stack: "failover", what: "a location without checksumAlgorithm", policy: "velero-bsl-ceph-config",
        mutate: (rs) => delete find(rs, "site-b-backup-location").inputs.spec.config.checksumAlgorithm },
    { stack: "failover", what: "a weekly Schedule with a 7h RPO", policy: "velero-schedule-fits-rpo",
        mutate: (rs) => (find(rs, "site-a-schedule-every-6h").inputs.spec.schedule = "0 0 * * 0") },
    { stack: "failover", what: "the passive zone demoted read-only", policy: "passive-zone-strict-read-only",
        mutate: (rs) => {
            const demote = find(rs, "ceph-secondary");
            demote.inputs.create = demote.inputs.update = `${demote.inputs.create} --read-only`;
        } },
];

describe("policy cross-check: mutated copies of the recorded stacks", function () {
    this.timeout(60_000);
    const recorded = new Map<string, RecordedResource[]>();
    const baseline = new Map<string, Set<string>>();

    before(async () => {
        for (const stack of new Set(MUTATIONS.map((m) => m.stack))) {
            const c = STACKS.find((s) => s.name === stack) as StackCase;
            const run = await runMocked(main, c.options);
            recorded.set(stack, run.resources);
            baseline.set(stack, new Set((await check(c.options.stack, run.resources)).violations.map(key)));
        }
    });

    for (const m of MUTATIONS) {
        it(`${m.stack} with ${m.what}: caught by ${m.policy} alone`, async () => {
            const resources = structuredClone(recorded.get(m.stack) as RecordedResource[]);
            m.mutate(resources);
            const { violations } = await check(m.stack, resources);
            const added = violations.filter((v) => !baseline.get(m.stack)?.has(key(v)));
            expect(added.map((v) => v.policy), added.map((v) => v.message).join("\n")).to.have.length.greaterThan(0)
                .and.to.satisfy((policies: string[]) => policies.every((p) => p === m.policy));
        });
    }
});
