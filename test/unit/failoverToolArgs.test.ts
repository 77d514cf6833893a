// failover.sh's arguments (scripts/failover/args.ts): every bad argument is a UsageError naming
// the flag and what is allowed, before anything runs; good ones become typed options.
import { expect } from "chai";
import { Env, UsageError, parseCommand, parseFlags } from "../../scripts/failover/args";
import { printfQ, render, splitWords } from "../../scripts/failover/shell";

const ENV: Env = { TARGET_RGW_ADMIN: "radosgw-admin", TARGET_RGW_RESTART: "systemctl restart rgw", OTHER_RGW_ADMIN: "radosgw-admin" };
const PREFLIGHT = ["preflight", "--to", "site-b", "--kube-context", "cluster-b"];
const SWITCH = ["switch", "--to", "site-b", "--kube-context", "cluster-b"];
const BREAK_GLASS = ["switch", "--break-glass", "--to", "site-b", "--zone", "zoneb", "--zonegroup", "global", "--kube-context", "cluster-b"];
const RESTORE = ["restore", "--site", "site-b", "--namespace", "velero", "--kube-context", "cluster-b"];

function usageError(argv: string[], env: Env = ENV): UsageError {
    try {
        parseCommand(argv, env);
    } catch (e) {
        if (e instanceof UsageError) return e;
        throw e;
    }
    throw new Error(`no UsageError for ${argv.join(" ")}`);
}

describe("failover tool: arguments", () => {
    describe("refused, naming the flag and what is allowed (exit 2)", () => {
        const bad: Array<[string, string[], Env, string, RegExp]> = [
            ["no subcommand", [], ENV, "", /^missing subcommand \(allowed: preflight switch restore help\)$/],
            ["an unknown subcommand", ["promote"], ENV, "", /^unknown subcommand 'promote' \(allowed: preflight switch restore help\)$/],
            ["switch without --to", ["switch", "--yes"], ENV, "switch", /^missing required flag --to \(allowed: --to --stack --unreachable .* --dry-run --yes\)$/],
            ["--to given empty", ["switch", "--to", ""], ENV, "switch", /^missing required flag --to/],
            ["a site that does not exist", ["switch", "--to", "site-c"], ENV, "switch", /^--to 'site-c' is not allowed; allowed: site-a or site-b$/],
            ["the target declared unreachable", [...SWITCH, "--unreachable", "site-b", "--force"], ENV, "switch", /^--unreachable 'site-b' is not allowed: the site to make active cannot be unreachable; allowed: site-a$/],
            ["--unreachable without --force", [...SWITCH, "--unreachable", "site-a"], ENV, "switch", /^--unreachable site-a needs --force: /],
            ["an unknown flag", [...SWITCH, "--now"], ENV, "switch", /^unknown flag --now \(allowed: --to /],
            ["a positional argument", ["switch", "site-b"], ENV, "switch", /^unexpected argument 'site-b': arguments are flags only/],
            ["a lone --", [...SWITCH, "--"], ENV, "switch", /^unexpected argument '--'/],
            ["a flag given twice", [...SWITCH, "--to", "site-a"], ENV, "switch", /^--to given twice$/],
            ["a flag given twice, once empty", ["switch", "--to", "", "--to", "site-b"], ENV, "switch", /^--to given twice$/],
            ["a value flag at the end", [...SWITCH, "--stack"], ENV, "switch", /^--stack needs a value$/],
            ["a key as a flag", [...SWITCH, "--secret-key", "x"], ENV, "switch", /^--secret-key is not accepted: secrets are read from the environment only \(RGW_SYSTEM_ACCESS_KEY/],
            ["a kubeconfig as a flag", [...RESTORE, "--kubeconfig=/tmp/k"], ENV, "restore", /^--kubeconfig is not accepted: secrets/],
            ["a token as a flag", [...RESTORE, "--pulumi-token", "x"], ENV, "restore", /^--pulumi-token is not accepted/],
            ["a switch with a value", [...SWITCH, "--force=yes"], ENV, "switch", /^--force takes no value$/],
            ["a bad stack name", [...SWITCH, "--stack", "fail over"], ENV, "switch", /^--stack 'fail over' is not allowed; allowed: a stack name such as/],
            ["a bad other endpoint", [...BREAK_GLASS, "--other-zone", "zonea", "--other-endpoint", "ftp://x"], ENV, "switch", /^--other-endpoint 'ftp:\/\/x' is not allowed; allowed: an http:\/\/ or https:\/\/ URL/],
            ["a break-glass flag on the Pulumi switch", [...SWITCH, "--zonegroup", "global"], ENV, "switch", /^--zonegroup applies to --break-glass only$/],
            ["--location on the Pulumi switch", [...SWITCH, "--location", "default"], ENV, "switch", /^--location applies to --break-glass only$/],
            ["--stack with break-glass", [...BREAK_GLASS, "--stack", "failover"], ENV, "switch", /^--stack applies to the Pulumi switch \(without --break-glass\) only$/],
            ["break-glass without --zone", ["switch", "--break-glass", "--to", "site-b", "--zonegroup", "global", "--kube-context", "c"], ENV, "switch", /^missing required flag --zone/],
            ["break-glass without the other zone", BREAK_GLASS, ENV, "switch", /^missing required flag --other-zone/],
            ["break-glass with --unreachable and the other zone", [...BREAK_GLASS, "--unreachable", "site-a", "--force", "--other-zone", "zonea"], ENV, "switch", /^--other-zone applies to a reachable other site \(not with --unreachable\) only$/],
            ["break-glass without the other cluster", [...BREAK_GLASS, "--other-zone", "zonea"], ENV, "switch", /^which cluster is site-a\? give --other-kube-context C or set OTHER_KUBECONFIG_DATA, or declare the site lost with --unreachable site-a$/],
            ["break-glass without TARGET_RGW_RESTART", [...BREAK_GLASS, "--other-zone", "zonea"], { ...ENV, TARGET_RGW_RESTART: undefined }, "switch", /^TARGET_RGW_RESTART is not set: promote restarts site-b's gateway$/],
            ["break-glass without OTHER_RGW_ADMIN", [...BREAK_GLASS, "--other-zone", "zonea", "--other-kube-context", "a"], { ...ENV, OTHER_RGW_ADMIN: "" }, "switch", /^OTHER_RGW_ADMIN is not set: break-glass fences site-a's zone/],
            ["a bad zone name", [...PREFLIGHT, "--zone", "zone b"], ENV, "preflight", /^--zone 'zone b' is not allowed; allowed: 1 to 63 letters/],
            ["a zone name starting with '-'", [...PREFLIGHT, "--zone", "-zoneb"], ENV, "preflight", /^--zone '-zoneb' is not allowed/],
            ["the same zone twice", [...PREFLIGHT, "--zone", "zoneb", "--other-zone", "zoneb"], ENV, "preflight", /^--zone and --other-zone must differ$/],
            ["a bad bucket", [...PREFLIGHT, "--bucket", "Velero"], ENV, "preflight", /^--bucket 'Velero' is not allowed; allowed: 3 to 63 lowercase/],
            ["a bad namespace", [...PREFLIGHT, "--namespace", "Velero"], ENV, "preflight", /^--namespace 'Velero' is not allowed; allowed: 1 to 63 lowercase letters/],
            ["a bad context", ["preflight", "--to", "site-b", "--kube-context", "a b"], ENV, "preflight", /^--kube-context 'a b' is not allowed; allowed: a kubeconfig context name/],
            ["no TARGET_RGW_ADMIN", PREFLIGHT, { ...ENV, TARGET_RGW_ADMIN: undefined }, "preflight", /^TARGET_RGW_ADMIN is not set: the radosgw-admin command of site-b/],
            ["no target cluster", ["preflight", "--to", "site-b"], ENV, "preflight", /^which cluster is site-b\? give --kube-context C or set TARGET_KUBECONFIG_DATA \(a whole kubeconfig, secret\)$/],
            ["preflight with --force", [...PREFLIGHT, "--force"], ENV, "preflight", /^unknown flag --force \(allowed: --to --unreachable --zone --other-zone --bucket --namespace --kube-context\)$/],
            ["restore without --namespace", ["restore", "--site", "site-b", "--kube-context", "c"], ENV, "restore", /^missing required flag --namespace/],
            ["restore with a bad backup name", [...RESTORE, "--backup", "Every_6h"], ENV, "restore", /^--backup 'Every_6h' is not allowed; allowed: 1 to 253 lowercase letters, digits/],
            ["restore with a bad timeout", [...RESTORE, "--timeout", "soon"], ENV, "restore", /^--timeout 'soon' is not allowed; allowed: a positive whole number of seconds$/],
            ["restore with a zero timeout", [...RESTORE, "--timeout", "0"], ENV, "restore", /^--timeout '0' is not allowed/],
            ["restore with the restoring site as the lost one", [...RESTORE, "--lost-site", "site-b"], ENV, "restore", /^--lost-site 'site-b' is not allowed: the site that restores cannot be the lost one; allowed: site-a$/],
            ["restore with a lost site that is no site", [...RESTORE, "--lost-site", "a"], ENV, "restore", /^--lost-site 'a' is not allowed; allowed: site-a or site-b$/],
            ["restore with --backup and --from-site", [...RESTORE, "--backup", "b-1", "--from-site", "site-a"], ENV, "restore", /^--backup and --from-site exclude each other/],
            ["restore with a bad --from-site", [...RESTORE, "--from-site", "zonea"], ENV, "restore", /^--from-site 'zonea' is not allowed; allowed: site-a or site-b$/],
            ["restore with a bad reimport timeout", [...RESTORE, "--reimport-timeout", "5m"], ENV, "restore", /^--reimport-timeout '5m' is not allowed; allowed: a positive whole number of seconds$/],
            ["restore without a cluster", ["restore", "--site", "site-b", "--namespace", "velero"], ENV, "restore", /^which cluster is site-b\? give --kube-context C or set TARGET_KUBECONFIG_DATA/],
        ];
        for (const [what, argv, env, subcommand, message] of bad) {
            it(what, () => {
                const e = usageError(argv, env);
                expect(e.message).to.match(message);
                expect(e.subcommand).to.equal(subcommand);
            });
        }
    });

    describe("accepted", () => {
        it("preflight: defaults, the other site, no zones unless given", () => {
            expect(parseCommand(PREFLIGHT, ENV)).to.deep.equal({
                name: "preflight",
                options: {
                    to: "site-b", other: "site-a", otherUnreachable: false, targetZone: undefined, otherZone: undefined,
                    bucket: "velero-backups", namespace: "velero", location: "default",
                    targetCluster: { site: "site-b", context: "cluster-b", kubeconfigVar: "TARGET_KUBECONFIG_DATA" },
                    otherCluster: { site: "site-a", context: undefined, kubeconfigVar: "OTHER_KUBECONFIG_DATA" },
                },
            });
        });

        it("--name=value, and an empty value counts as absent", () => {
            const c = parseCommand(["preflight", "--to=site-a", "--zone=", "--kube-context=ctx:a/b@x"], ENV);
            expect(c).to.nested.include({ "options.to": "site-a", "options.other": "site-b", "options.targetCluster.context": "ctx:a/b@x" });
            expect(c).to.have.nested.property("options.targetZone", undefined);
        });

        it("a whole kubeconfig from the environment stands for --kube-context", () => {
            const c = parseCommand(["preflight", "--to", "site-b"], { ...ENV, TARGET_KUBECONFIG_DATA: "apiVersion: v1" });
            expect(c).to.nested.include({ "options.targetCluster.kubeconfigVar": "TARGET_KUBECONFIG_DATA" });
        });

        it("switch: the Pulumi path by default, with the failover stack", () => {
            const c = parseCommand([...SWITCH, "--unreachable", "site-a", "--force", "--dry-run"], ENV);
            expect(c).to.nested.include({
                "options.path": "pulumi", "options.stack": "failover", "options.otherUnreachable": true, "options.force": true, "options.dryRun": true, "options.yes": false,
            });
        });

        it("switch --break-glass with the other site lost needs neither the other zone nor OTHER_RGW_ADMIN", () => {
            const c = parseCommand([...BREAK_GLASS, "--unreachable", "site-a", "--force", "--yes"], { ...ENV, OTHER_RGW_ADMIN: undefined });
            expect(c).to.nested.include({ "options.path": "break-glass", "options.zonegroup": "global", "options.targetZone": "zoneb", "options.yes": true });
        });

        it("restore: the other site's backups by default; --lost-site, timeouts as numbers", () => {
            const c = parseCommand([...RESTORE, "--lost-site", "site-a", "--timeout", "900", "--zone", "zoneb"], {});
            expect(c).to.nested.include({
                "options.fromSite": "site-a", "options.otherLost": true, "options.timeoutSeconds": 900, "options.reimportTimeoutSeconds": 600,
                "options.targetZone": "zoneb", "options.location": "default", "options.bucket": "velero-backups",
            });
            expect(parseCommand([...RESTORE, "--from-site", "site-b"], {})).to.nested.include({ "options.fromSite": "site-b", "options.otherLost": false });
        });

        it("help in its three spellings", () => {
            for (const h of ["help", "-h", "--help"]) expect(parseCommand([h], {})).to.deep.equal({ name: "help" });
        });

        it("parseFlags: a value may look like a flag (it is the value)", () => {
            const f = parseFlags("x", { values: ["stack"], switches: ["yes"] }, ["--stack", "--yes"]);
            expect(f.get("stack")).to.equal("--yes");
            expect(f.has("yes")).to.equal(false);
        });
    });

    describe("commands as shown", () => {
        const cases: Array<[string[], string]> = [
            [["pulumi", "config", "set", "--path", "unreachableSites[0]", "site-a"], "pulumi config set --path 'unreachableSites[0]' site-a"],
            [["velero", "restore", "create", "b-20261124060000", "--from-backup", "b", "-n", "velero"], "velero restore create b-20261124060000 --from-backup b -n velero"],
            [["kubectl", "-p", '{"spec":{}}'], `kubectl -p '{"spec":{}}'`],
            [["x", ""], "x ''"],
        ];
        for (const [words, shown] of cases) it(`render: ${shown}`, () => expect(render(words)).to.equal(shown));

        const q: Array<[string, string]> = [
            ["/opt/bin/rgw-admin-a", "/opt/bin/rgw-admin-a"],
            ["cephadm shell -- radosgw-admin", "cephadm\\ shell\\ --\\ radosgw-admin"],
            ["~x#y", "\\~x#y"],
            ["a,b'c", "a\\,b\\'c"],
            ["", "''"],
            ["a\nb", "$'a\\nb'"],
        ];
        for (const [value, shown] of q) it(`printf %q: ${JSON.stringify(value)}`, () => expect(printfQ(value)).to.equal(shown));

        it("splits PULUMI/VELERO/KUBECTL on blanks", () => expect(splitWords("  npx  pulumi\t--color never ")).to.deep.equal(["npx", "pulumi", "--color", "never"]));
    });
});
