// core/rgwCalls.ts: one description renders the components' command lines, parses them back for
// the policy pack, and parses and checks the CLI's argv.
import { expect } from "chai";
import {
    RGW_CALLS, SUBCOMMANDS, Subcommand, allowedFlags, checkRgwCall, parseRgwArgv, parseRgwCommandLine, renderRgwCall, RgwUsageError, synopsis,
} from "../../core/rgwCalls";

describe("core/rgwCalls: rendering and parsing back", () => {
    const lines: [Subcommand, Record<string, string | boolean | undefined>, string][] = [
        ["ensure-user", { uid: "velero", "display-name": "Velero's backups" }, `scripts/rgw-multisite.sh ensure-user --uid velero --display-name 'Velero'"'"'s backups'`],
        ["promote", { zone: "zonea", zonegroup: "global", force: true }, "scripts/rgw-multisite.sh promote --zone zonea --zonegroup global --force"],
        ["demote", { zone: "zoneb", "master-url": "http://rgw-a.example.com", "read-only": false }, "scripts/rgw-multisite.sh demote --zone zoneb --master-url http://rgw-a.example.com"],
        ["sync-scope", { scope: "zone", bucket: "velero-backups", zonegroup: "global", zone: "zonea", "peer-zone": undefined }, "scripts/rgw-multisite.sh sync-scope --scope zone --bucket velero-backups --zonegroup global --zone zonea"],
    ];
    for (const [sub, flags, line] of lines) {
        it(`${sub}: renders ${line} and parses it back to the same flags`, () => {
            expect(renderRgwCall(sub, flags as never)).to.equal(line);
            const call = parseRgwCommandLine(line);
            expect(call?.subcommand).to.equal(sub);
            const want = Object.entries(flags).filter(([, v]) => v !== undefined && v !== false);
            expect([...(call?.flags ?? [])]).to.deep.equal(want);
            // The CLI reads the same words the same way.
            const words = line.split(" ").length === call!.flags.size * 2 + 2 ? line.split(" ").slice(2) : undefined;
            if (words) expect([...parseRgwArgv(sub, words)]).to.deep.equal(want);
        });
    }

    it("the policy parser knows switches from the description: a switch before a value flag is not given its value", () => {
        expect([...parseRgwCommandLine("x/scripts/rgw-multisite.sh demote --read-only --zone zoneb")!.flags]).to.deep.equal([["read-only", true], ["zone", "zoneb"]]);
    });

    it("help lines come from the description", () => {
        expect(synopsis("sync-scope")).to.equal("sync-scope [--scope zone|bucket] --bucket BUCKET --zonegroup ZONEGROUP --zone ZONE [--peer-zone PEER_ZONE] [--repair]");
        expect(allowedFlags("demote")).to.equal("--zone --master-url --read-only");
        expect(SUBCOMMANDS).to.have.length(14);
        for (const s of SUBCOMMANDS) expect(RGW_CALLS[s].summary, s).to.be.a("string").with.length.above(10);
    });
});

describe("core/rgwCalls: CLI argv", () => {
    const refused: [Subcommand, string[], string][] = [
        ["status", ["zoneb"], "arguments are flags only"],
        ["status", ["--zone", "a", "--zone", "b"], "--zone given twice"],
        ["promote", ["--zone"], "--zone needs a value"],
        ["promote", ["--force=yes"], "--force takes no value"],
        ["status", ["--verbose"], "unknown flag --verbose (allowed: --zone)"],
        ["ensure-user", ["--access-key=AKIA"], "--access-key is not accepted: secrets are read from the environment only"],
        ["ensure-user", ["--secret", "s"], "--secret is not accepted"],
    ];
    for (const [sub, args, message] of refused) {
        it(`${sub} ${args.join(" ")}: refused (${message})`, () => {
            expect(() => parseRgwArgv(sub, args)).to.throw(RgwUsageError, message);
        });
    }

    it("accepts --flag=value and --flag value", () => {
        expect([...parseRgwArgv("promote", ["--zone=zoneb", "--zonegroup", "global", "--force"])]).to.deep.equal([["zone", "zoneb"], ["zonegroup", "global"], ["force", true]]);
    });

    const problems: [Subcommand, Record<string, string>, string | undefined][] = [
        ["fence", {}, "missing required flag --zone (allowed: --zone)"],
        ["fence", { zone: "" }, "missing required flag --zone"],
        ["fence", { zone: "zone.a" }, "--zone must be a realm/zonegroup/zone name"],
        ["fence", { zone: "-zone" }, "--zone must be"],
        ["fence", { zone: "z".repeat(64) }, "--zone must be"],
        ["fence", { zone: "z".repeat(63) }, undefined],
        ["ensure-user", { uid: "ve lero", "display-name": "V" }, "--uid must be an RGW user id"],
        ["ensure-user", { uid: "a:b", "display-name": "V" }, "--uid must be an RGW user id"],
        ["ensure-user", { uid: "velero", "display-name": "a\nb" }, "--display-name must be 1-256 printable characters"],
        ["demote", { zone: "a", "master-url": "http://a:1,http://b:1" }, "--master-url takes one URL"],
        ["demote", { zone: "a", "master-url": "ftp://x:21" }, "--master-url must be an http:// or https:// URL"],
        ["demote", { zone: "a", "master-url": "http://a:1/path" }, "--master-url must be an http:// or https:// URL"],
        ["ensure-realm", { realm: "r", zonegroup: "g", endpoint: "http://a:1,,http://b:1" }, "--endpoint: empty entry in the URL list"],
        ["ensure-realm", { realm: "r", zonegroup: "g", endpoint: "http://a:1,http://b:1" }, undefined],
        ["sync-scope", { bucket: "Velero", zonegroup: "g", zone: "a" }, "--bucket must be a valid S3 bucket name"],
        ["sync-scope", { bucket: "10.1.2.3", zonegroup: "g", zone: "a" }, "--bucket must be a valid S3 bucket name"],
        ["sync-scope", { scope: "all", bucket: "velero-backups", zonegroup: "g", zone: "a" }, "--scope must be zone or bucket"],
        ["wait-caught-up", { timeout: "soon" }, "--timeout must be a positive whole number of seconds"],
        ["backup-objects", { bucket: "velero-backups", backup: "Daily 1" }, "--backup must be a Velero backup name"],
    ];
    for (const [sub, flags, problem] of problems) {
        it(`${sub} ${JSON.stringify(flags)}: ${problem ?? "accepted"}`, () => {
            const got = checkRgwCall(sub, new Map(Object.entries(flags)));
            if (problem === undefined) expect(got).to.equal(undefined);
            else expect(got).to.contain(problem);
        });
    }
});
