// Golden test of the command lines the stacks declare: every ShellStep's create/update/delete and
// the names (never the values) of its environment. Reviewers read these lines in `pulumi preview`;
// a refactor of how they are rendered must not change them. The fixture was generated from the
// code before the TypeScript port of rgw-multisite.sh; regenerate it only for an intended change:
//   UPDATE_PREVIEW_COMMANDS=1 npx mocha -r ts-node/register/transpile-only test/unit/previewCommands.test.ts
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { main } from "../../stacks/main";
import { SHELL_STEP_TYPE } from "../../components/step/shellStep";
import { MockRun, ofType, runMocked } from "../harness/mocks";
import { FAILOVER_REFS, failoverConfig, siteAConfig, siteAOutputs, siteBConfig } from "./fixtures";

const FIXTURE = path.join(__dirname, "fixtures", "preview-commands.json");

interface DeclaredStep {
    name: string;
    create?: string;
    update?: string;
    delete?: string;
    environment: string[];
}

const siteRefs = { "org/velero-ceph-dr/site-a": siteAOutputs() };

/** Each stack variant whose preview is compared: name -> how to run it. */
const VARIANTS: Record<string, () => Promise<MockRun<unknown>>> = {
    "site-a": () => runMocked(main, { stack: "site-a", config: siteAConfig(), stackReferences: siteRefs }),
    "site-a bucket scope": () => runMocked(main, { stack: "site-a", config: { ...siteAConfig(), syncScope: "bucket" }, stackReferences: siteRefs }),
    "site-b": () => runMocked(main, { stack: "site-b", config: siteBConfig(), stackReferences: siteRefs }),
    "failover site-a active": () => runMocked(main, { stack: "failover", config: failoverConfig(), stackReferences: FAILOVER_REFS }),
    "failover site-b active": () => runMocked(main, { stack: "failover", config: failoverConfig({ activeSite: "site-b" }), stackReferences: FAILOVER_REFS }),
    "failover site-b active, strict read-only passive": () =>
        runMocked(main, { stack: "failover", config: failoverConfig({ activeSite: "site-b", strictReadOnlyPassive: "true" }), stackReferences: FAILOVER_REFS }),
    "failover site-a lost, site-b forced": () =>
        runMocked(main, { stack: "failover", config: failoverConfig({ activeSite: "site-b", unreachableSites: ["site-a"], forcePromotion: "true" }), stackReferences: FAILOVER_REFS }),
    "failover site-b lost, site-a forced": () =>
        runMocked(main, { stack: "failover", config: failoverConfig({ activeSite: "site-a", unreachableSites: ["site-b"], forcePromotion: "true" }), stackReferences: FAILOVER_REFS }),
};

function declaredSteps(run: MockRun<unknown>): DeclaredStep[] {
    return ofType(run, SHELL_STEP_TYPE).map((r) => ({
        name: r.name,
        create: r.inputs.create,
        update: r.inputs.update,
        delete: r.inputs.delete,
        environment: Object.keys(r.inputs.environment ?? {}).sort(),
    }));
}

async function declaredNow(): Promise<Record<string, DeclaredStep[]>> {
    const out: Record<string, DeclaredStep[]> = {};
    for (const [variant, run] of Object.entries(VARIANTS)) out[variant] = declaredSteps(await run());
    return out;
}

describe("preview command lines (golden)", function () {
    this.timeout(60000);
    let now: Record<string, DeclaredStep[]>;
    before(async () => {
        now = await declaredNow();
        if (process.env.UPDATE_PREVIEW_COMMANDS) fs.writeFileSync(FIXTURE, `${JSON.stringify(now, null, 2)}\n`);
    });

    const golden = JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as Record<string, DeclaredStep[]>;
    for (const variant of Object.keys(VARIANTS)) {
        it(`${variant}: the same ShellStep command lines and environment names as the fixture`, () => {
            expect(golden[variant], `fixture has ${variant}`).to.be.an("array").with.length.above(0);
            expect(now[variant]).to.deep.equal(golden[variant]);
        });
    }

    it("the fixture covers every rgw-multisite.sh subcommand the components declare", () => {
        const subcommands = new Set<string>();
        for (const steps of Object.values(golden)) {
            for (const s of steps) {
                const m = /^scripts\/rgw-multisite\.sh (\S+)/.exec(s.create ?? "");
                if (m) subcommands.add(m[1]);
            }
        }
        expect([...subcommands].sort()).to.deep.equal(["demote", "ensure-master-zone", "ensure-realm", "ensure-user", "join-secondary", "promote", "readmit", "sync-scope"]);
    });
});
