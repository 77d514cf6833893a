// The house's layering, checked on every TypeScript file: core/ is a pure leaf (imports nothing
// outside itself), components/ never reach up into stacks/ or sideways into tooling, nothing but
// tests imports test/, and stacks/ is imported by nothing but itself and tests. Imports are read
// with TypeScript's own pre-processor (imports, `export ... from`, require and import() calls).
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
const LAYERS = ["core", "components", "stacks", "policy", "scripts", "bench", "test"] as const;
type Layer = (typeof LAYERS)[number];

/** What may not import what: for each importing layer, the layers it must never import (core/: anything outside it). */
const FORBIDDEN: Record<Exclude<Layer, "core">, readonly Layer[]> = {
    components: ["stacks", "policy", "scripts", "bench", "test"],
    stacks: ["policy", "scripts", "bench", "test"],
    policy: ["stacks", "scripts", "bench", "test"],
    scripts: ["stacks", "test"],
    bench: ["stacks", "test"],
    test: [],
};

export interface ImportEdge {
    /** Repository-relative path of the importing file. */
    from: string;
    /** The specifier as written. */
    specifier: string;
}

function layerOf(file: string): Layer | undefined {
    const top = file.split("/")[0];
    return (LAYERS as readonly string[]).includes(top) ? (top as Layer) : undefined;
}

/** Every problem with one import, in words; empty when it is allowed. */
export function layerProblems(edge: ImportEdge): string[] {
    const fromLayer = layerOf(edge.from);
    if (!fromLayer) return [];
    const relative = edge.specifier.startsWith("./") || edge.specifier.startsWith("../");
    if (!relative) {
        // A package or a node builtin: core/ stays free of both (no @pulumi, no fs, no process).
        return fromLayer === "core" ? [`${edge.from} imports "${edge.specifier}": core/ imports nothing outside core/`] : [];
    }
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(edge.from), edge.specifier));
    const toLayer = layerOf(target);
    if (fromLayer === "core") return toLayer === "core" ? [] : [`${edge.from} imports "${edge.specifier}": core/ imports nothing outside core/`];
    if (toLayer === undefined || toLayer === fromLayer) return [];
    return FORBIDDEN[fromLayer].includes(toLayer) ? [`${edge.from} imports "${edge.specifier}" (${toLayer}/): ${fromLayer}/ must not import ${toLayer}/`] : [];
}

function tsFiles(dir: string): string[] {
    const out: string[] = [];
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const rel = `${dir}/${entry.name}`;
        if (entry.name === "node_modules" || entry.name === "bin") continue;
        if (entry.isDirectory()) out.push(...tsFiles(rel));
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(rel);
    }
    return out;
}

function importsOf(file: string): ImportEdge[] {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    return ts.preProcessFile(text, true, true).importedFiles.map((f) => ({ from: file, specifier: f.fileName }));
}

describe("layers", () => {
    const cases: Array<[string, ImportEdge, RegExp | undefined]> = [
        ["a component importing stacks/", { from: "components/rgwZone.ts", specifier: "../stacks/validate" }, /components\/ must not import stacks\//],
        ["a nested component importing stacks/", { from: "components/bucket/rgwBucket.ts", specifier: "../../stacks/config" }, /must not import stacks\//],
        ["a component importing the test harness", { from: "components/cron.ts", specifier: "../test/harness/mocks" }, /must not import test\//],
        ["core importing a component", { from: "core/velero/renderers.ts", specifier: "../../components/rgwScript" }, /core\/ imports nothing outside core\//],
        ["core importing @pulumi", { from: "core/labels.ts", specifier: "@pulumi/pulumi" }, /core\/ imports nothing outside core\//],
        ["core importing a node builtin", { from: "core/duration.ts", specifier: "fs" }, /core\/ imports nothing outside core\//],
        ["core importing a root file", { from: "core/labels.ts", specifier: "../package.json" }, /core\/ imports nothing outside core\//],
        ["the policy pack importing stacks/", { from: "policy/velero.ts", specifier: "../stacks/validate" }, /policy\/ must not import stacks\//],
        ["the bench importing the test harness", { from: "bench/bench.ts", specifier: "../test/harness/mocks" }, /bench\/ must not import test\//],
        ["a lab script importing stacks/", { from: "scripts/lab/drill.ts", specifier: "../../stacks/config" }, /scripts\/ must not import stacks\//],
        ["stacks importing the policy pack", { from: "stacks/region.ts", specifier: "../policy/velero" }, /stacks\/ must not import policy\//],
        ["core importing core", { from: "core/velero/renderers.ts", specifier: "../validators" }, undefined],
        ["a component importing core", { from: "components/bucket/rgwBucket.ts", specifier: "../../core/validators" }, undefined],
        ["a component importing a sibling", { from: "components/rgwZone.ts", specifier: "./rgwScript" }, undefined],
        ["a component importing @pulumi", { from: "components/rgwZone.ts", specifier: "@pulumi/pulumi" }, undefined],
        ["stacks importing components and core", { from: "stacks/region.ts", specifier: "../components" }, undefined],
        ["the policy pack importing core", { from: "policy/velero.ts", specifier: "../core/validators" }, undefined],
        ["a test importing stacks/", { from: "test/unit/config.test.ts", specifier: "../../stacks/config" }, undefined],
    ];
    for (const [what, edge, expected] of cases) {
        it(`${expected ? "refuses" : "allows"} ${what}`, () => {
            const problems = layerProblems(edge);
            if (expected) {
                expect(problems).to.have.length(1);
                expect(problems[0]).to.match(expected);
            } else {
                expect(problems).to.deep.equal([]);
            }
        });
    }

    it("holds for every TypeScript file of the project", () => {
        const files = LAYERS.filter((l) => fs.existsSync(path.join(ROOT, l))).flatMap(tsFiles);
        expect(files.length).to.be.greaterThan(50);
        const problems = files.flatMap(importsOf).flatMap(layerProblems);
        expect(problems).to.deep.equal([]);
        expect(files).to.include("core/labels.ts");
    });
});
