// The site contract (core/siteContract.ts): the parser of a region stack's outputs, and the
// producer (stacks/region.ts) exporting exactly the contract's names with values it accepts.
import { expect } from "chai";
import { REGION_OUTPUT_NAMES, RegionOutputName, isSecretOutput, otherSite, parseRegionOutputs } from "../../core/siteContract";
import { main } from "../../stacks/main";
import { runMocked } from "../harness/mocks";
import { siteAConfig, siteAOutputs, siteBConfig } from "./fixtures";

const SOURCE = "the site-a stack org/velero-ceph-dr/site-a";

describe("core/siteContract", () => {
    it("reads the names asked for, typed, and nothing else", () => {
        const raw = { siteId: "site-a", zone: "zonea", syncScope: "bucket", kubeContext: "cluster-a", unrelated: 1 };
        const { values, problems } = parseRegionOutputs(raw, ["siteId", "zone", "syncScope", "kubeContext"], SOURCE);
        expect(problems).to.deep.equal([]);
        expect(values).to.deep.equal({ siteId: "site-a", zone: "zonea", syncScope: "bucket", kubeContext: "cluster-a" });
    });

    it("lets an optional output be absent, and reports every missing required one", () => {
        const { values, problems } = parseRegionOutputs({ zone: "zonea" }, ["realm", "zone", "bucket", "kubeconfig", "kubeContext"], SOURCE);
        expect(values).to.deep.equal({ zone: "zonea" });
        expect(problems).to.deep.equal([
            `${SOURCE} has no output "realm": run \`pulumi up\` on it first`,
            `${SOURCE} has no output "bucket": run \`pulumi up\` on it first`,
        ]);
    });

    const bad: Array<[string, Record<string, unknown>, RegionOutputName, RegExp]> = [
        ["a site id that is not one of the pair", { siteId: "site-c" }, "siteId", /"siteId" = "site-c"; allowed: "site-a" or "site-b"/],
        ["an unknown sync scope", { syncScope: "policy" }, "syncScope", /allowed: "zone" or "bucket"/],
        ["an unknown bootstrap role", { bootstrapRole: "primary" }, "bootstrapRole", /allowed: "master" or "secondary"/],
        ["a value that is not a string", { zone: 3 }, "zone", /"zone" = 3, not a string/],
        ["a secret that is not a string, without printing it", { systemSecretKey: { k: "v" } }, "systemSecretKey", /"systemSecretKey" = \(secret\), not a string/],
    ];
    for (const [what, raw, name, expected] of bad) {
        it(`refuses ${what}`, () => {
            const { values, problems } = parseRegionOutputs(raw, [name], SOURCE);
            expect(values).to.deep.equal({});
            expect(problems).to.have.length(1);
            expect(problems[0]).to.match(expected);
        });
    }

    it("pairs the sites", () => {
        expect(otherSite("site-a")).to.equal("site-b");
        expect(otherSite("site-b")).to.equal("site-a");
    });

    for (const [stack, config] of [["site-a", siteAConfig()], ["site-b", siteBConfig()]] as const) {
        it(`is what the region program exports (${stack}): every name, the secret ones as secrets, values the parser accepts`, async () => {
            const run = await runMocked(main, { stack, config, stackReferences: { "org/velero-ceph-dr/site-a": siteAOutputs() } });
            // The fixtures set kubeContext, so kubeconfig is left out; rgwRadosCommand only when configured.
            expect(Object.keys(run.outputs).sort()).to.deep.equal(REGION_OUTPUT_NAMES.filter((n) => n !== "kubeconfig" && n !== "rgwRadosCommand").sort());
            for (const [name, output] of Object.entries(run.outputs)) {
                expect(output.secret, `${name} secret`).to.equal(isSecretOutput(name as RegionOutputName));
            }
            const raw = Object.fromEntries(Object.entries(run.outputs).map(([k, o]) => [k, o.value]));
            expect(parseRegionOutputs(raw, REGION_OUTPUT_NAMES, stack).problems).to.deep.equal([]);
        });
    }
});
