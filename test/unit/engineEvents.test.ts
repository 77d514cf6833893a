// The engine event log as the lab reads it: the order steps ran in, and their durations.
import { expect } from "chai";
import { orderProblems, resourceSteps } from "../../scripts/lab/engineEvents";

const urn = (name: string) => `urn:pulumi:failover::velero-ceph-dr::pulumi-nodejs:dynamic:Resource::${name}`;
const pre = (name: string, t: number, planning = false) => JSON.stringify({ timestamp: t, resourcePreEvent: { planning, metadata: { urn: urn(name), op: "update", type: "pulumi-nodejs:dynamic:Resource" } } });
const out = (name: string, t: number, planning = false) => JSON.stringify({ timestamp: t, resOutputsEvent: { planning, metadata: { urn: urn(name), op: "update", type: "pulumi-nodejs:dynamic:Resource" } } });

describe("engine event log (scripts/lab/engineEvents.ts)", () => {
    const inOrder = [pre("idle", 1), out("idle", 3), pre("master", 3), out("master", 9), pre("secondary", 9), out("secondary", 12)].join("\n");
    const cases: [string, string, [string, string][], string[]][] = [
        ["each step after the one it waits for", inOrder, [["idle", "master"], ["master", "secondary"]], []],
        ["a step that starts before the one it should wait for ends", [pre("idle", 1), pre("master", 1), out("idle", 2), out("master", 3)].join("\n"),
            [["idle", "master"]], ["master started before idle finished"]],
        ["a step that never ran", inOrder, [["idle", "readmit"]], ["readmit did not run"]],
        ["planning events do not count as running", [pre("idle", 1, true), out("idle", 1, true), pre("master", 2), out("master", 3)].join("\n"),
            [["idle", "master"]], ["idle did not run"]],
        ["lines that are not JSON are skipped", `garbage\n${inOrder}`, [["master", "secondary"]], []],
    ];
    for (const [what, log, pairs, problems] of cases) {
        it(what, () => expect(orderProblems(log, pairs)).to.deep.equal(problems));
    }

    it("times each step from its start to its outputs", () => {
        expect(resourceSteps(inOrder).map((s) => s.ms)).to.deep.equal([2000, 6000, 3000]);
    });
});
