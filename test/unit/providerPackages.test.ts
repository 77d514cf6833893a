// The engine installs a provider plugin of exactly the version its npm package asks for. A package
// whose plugin was never released (the stray @pulumi/command 4.5.0) stops every real `pulumi up`,
// and mocks never notice. This reads the installed packages and the lockfile; no network.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { listTools } from "../../scripts/tools/tools";

const ROOT = path.resolve(__dirname, "../..");

interface InstalledPackage {
    name: string;
    version: string;
    deprecated?: string;
    pulumi?: { resource?: boolean; name?: string; version?: string };
    scripts?: Record<string, string>;
}

interface LockEntry {
    version: string;
    deprecated?: string;
}

/** Why a Pulumi provider package cannot be installed as the engine needs it; empty when it can. */
export function providerPackageProblems(pinned: string, pkg: InstalledPackage, lock: LockEntry | undefined): string[] {
    const problems: string[] = [];
    const who = `${pkg.name}@${pinned}`;
    if (!/^\d+\.\d+\.\d+$/.test(pinned)) problems.push(`${who}: pin an exact version (x.y.z)`);
    if (pkg.version !== pinned) problems.push(`${who}: installed package says version "${pkg.version}"`);
    if (pkg.deprecated || lock?.deprecated) problems.push(`${who}: npm marks it deprecated: ${pkg.deprecated ?? lock?.deprecated}`);
    if (!lock) problems.push(`${who}: not in package-lock.json`);
    else if (lock.version !== pinned) problems.push(`${who}: package-lock.json has ${lock.version}`);
    if (pkg.pulumi?.resource) {
        const plugin = pkg.pulumi.version;
        if (plugin !== pinned) problems.push(`${who}: asks the engine for plugin version "${plugin ?? "(none)"}", not ${pinned}`);
        const install = pkg.scripts?.install;
        const asked = install ? /install-pulumi-plugin\.js resource \S+ (\S+)/.exec(install)?.[1] : undefined;
        if (asked !== undefined && asked !== pinned) problems.push(`${who}: its install script fetches plugin ${asked}`);
    }
    return problems;
}

function readJson<T>(file: string): T {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}

describe("Pulumi provider packages the engine can install", () => {
    const manifest = readJson<{ dependencies: Record<string, string> }>(path.join(ROOT, "package.json"));
    const lockfile = readJson<{ packages: Record<string, LockEntry> }>(path.join(ROOT, "package-lock.json"));
    const pulumiPackages = Object.entries(manifest.dependencies).filter(([name]) => name.startsWith("@pulumi/"));

    it("depends on the providers the program uses", () => {
        expect(pulumiPackages.map(([n]) => n)).to.include.members(["@pulumi/kubernetes", "@pulumi/pulumi"]);
        // Their plugins cannot be built here (README, "Providers"): the program uses its own dynamic resources.
        for (const gone of ["@pulumi/aws", "@pulumi/command", "@pulumi/random"]) expect(pulumiPackages.map(([n]) => n)).not.to.include(gone);
    });

    for (const [name, pinned] of pulumiPackages) {
        it(`${name}: not deprecated, and its plugin is its own version`, () => {
            const pkg = readJson<InstalledPackage>(path.join(ROOT, "node_modules", name, "package.json"));
            expect(pkg.name).to.equal(name);
            // @pulumi/policy is no provider and publishes its version as "v1.21.0": nothing for the engine to install.
            if (!pkg.pulumi?.resource && name !== "@pulumi/pulumi") return;
            expect(providerPackageProblems(pinned, pkg, lockfile.packages[`node_modules/${name}`])).to.deep.equal([]);
        });
    }

    it("asks for exactly the plugin versions scripts/tools builds, so the lab runs what users run", () => {
        const pinned = Object.fromEntries(listTools().filter((t) => t.plugin?.kind === "resource").map((t) => [t.plugin!.name, t.version]));
        const asked = Object.fromEntries(pulumiPackages
            .map(([name]) => readJson<InstalledPackage>(path.join(ROOT, "node_modules", name, "package.json")))
            .filter((p) => p.pulumi?.resource)
            .map((p) => [p.pulumi!.name, p.pulumi!.version]));
        expect(asked).to.deep.equal(pinned);
    });

    it("catches the stray @pulumi/command 4.5.0 (its package.json as npm serves it)", () => {
        const stray: InstalledPackage = {
            name: "@pulumi/command", version: "v4.5.0",
            pulumi: { resource: true, name: "command" },
            scripts: { install: "node scripts/install-pulumi-plugin.js resource command v4.5.0" },
        };
        expect(providerPackageProblems("4.5.0", stray, { version: "4.5.0", deprecated: "npm marks this version deprecated." })).to.deep.equal([
            '@pulumi/command@4.5.0: installed package says version "v4.5.0"',
            "@pulumi/command@4.5.0: npm marks it deprecated: npm marks this version deprecated.",
            '@pulumi/command@4.5.0: asks the engine for plugin version "(none)", not 4.5.0',
            "@pulumi/command@4.5.0: its install script fetches plugin v4.5.0",
        ]);
    });

    it("catches a range pin and a lockfile that disagrees", () => {
        const pkg: InstalledPackage = { name: "@pulumi/random", version: "4.21.2", pulumi: { resource: true, name: "random", version: "4.21.2" } };
        expect(providerPackageProblems("^4.21.2", pkg, { version: "4.20.0" })).to.deep.equal([
            "@pulumi/random@^4.21.2: pin an exact version (x.y.z)",
            '@pulumi/random@^4.21.2: installed package says version "4.21.2"',
            "@pulumi/random@^4.21.2: package-lock.json has 4.20.0",
            '@pulumi/random@^4.21.2: asks the engine for plugin version "4.21.2", not ^4.21.2',
        ]);
    });
});
