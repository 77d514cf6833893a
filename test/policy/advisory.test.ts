import { expect } from "chai";
import { keepNotice, renderScriptCommand } from "../../components/rgwScript";
import { Subcommand } from "../../core/rgwCalls";
import { renderBackupStorageLocation } from "../../core/velero/renderers";
import { passiveZoneStrictReadOnly, rgwEndpointsHttps, rgwZoneNamesPlain } from "../../policy/advisory";
import { BACKUP_STORAGE_LOCATION_TYPE, BUCKET_TYPE, STEP_TYPE } from "../../policy/resources";
import { parseRgwScriptCall, shellWords } from "../../policy/rgwCommands";
import { policyResource, summary, validateResource } from "./harness";

function step(name: string, subcommand: Subcommand, flags: Record<string, string | boolean>) {
    const line = renderScriptCommand(subcommand, flags as never);
    return policyResource({ type: STEP_TYPE, name, props: { create: line, update: line, delete: keepNotice(name), environment: {} } });
}

describe("reading rgw-multisite.sh command lines", () => {
    it("splits words as shellQuote wrote them", () => {
        const line = renderScriptCommand("ensure-user", { uid: "velero", "display-name": "Velero's backups (velero-ceph-dr)" });
        expect(shellWords(line)).to.deep.equal(["scripts/rgw-multisite.sh", "ensure-user", "--uid", "velero", "--display-name", "Velero's backups (velero-ceph-dr)"]);
        expect(shellWords(`a "b \\"c\\" d" e\\ f`)).to.deep.equal(["a", 'b "c" d', "e f"]);
    });

    it("gives the subcommand, flag values and switches", () => {
        const call = parseRgwScriptCall(renderScriptCommand("demote", { zone: "zoneb", "master-url": "http://rgw-a.example.com", "read-only": true }));
        expect(call?.subcommand).to.equal("demote");
        expect([...(call?.flags ?? [])]).to.deep.equal([["zone", "zoneb"], ["master-url", "http://rgw-a.example.com"], ["read-only", true]]);
        expect([...(parseRgwScriptCall("scripts/rgw-multisite.sh promote --zone=zonea --force")?.flags ?? [])]).to.deep.equal([["zone", "zonea"], ["force", true]]);
    });

    it("ignores lines that do not run the script", () => {
        expect(parseRgwScriptCall("scripts/velero-role.sh stop-schedules --namespace velero")).to.equal(undefined);
        expect(parseRgwScriptCall("echo 'unterminated")).to.equal(undefined);
        expect(parseRgwScriptCall(undefined)).to.equal(undefined);
    });
});

describe("advisory rgw-endpoints-https", () => {
    it("is advisory", () => expect(rgwEndpointsHttps.enforcementLevel).to.equal("advisory"));

    it("passes https endpoints in script steps, the bucket and locations", async () => {
        const ok = [
            step("rgw-zone-join", "join-secondary", { zone: "zoneb", endpoint: "https://rgw-b.example.com", "master-url": "https://rgw-a.example.com" }),
            policyResource({ type: BUCKET_TYPE, name: "velero-user-bucket", props: { bucket: "velero-backups", endpoint: "https://rgw-a.example.com" } }),
            policyResource({ type: BACKUP_STORAGE_LOCATION_TYPE, name: "bsl", props: renderBackupStorageLocation({ namespace: "velero", bucket: "velero-backups", endpoint: "https://rgw-a.example.com", zonegroup: "global", accessMode: "ReadWrite" }) }),
        ];
        for (const r of ok) expect((await validateResource(rgwEndpointsHttps, r)).violations, r.name).to.deep.equal([]);
    });

    it("reports each plain-http flag of a script step", async () => {
        const join = step("rgw-zone-join", "join-secondary", { zone: "zoneb", endpoint: "http://rgw-b.example.com", "master-url": "http://rgw-a.example.com" });
        const { violations } = await validateResource(rgwEndpointsHttps, join);
        expect(violations.map((v) => v.message.slice(0, v.message.indexOf(" uses plain http")))).to.deep.equal([
            "rgw-multisite.sh join-secondary --endpoint http://rgw-b.example.com",
            "rgw-multisite.sh join-secondary --master-url http://rgw-a.example.com",
        ]);
        expect(violations.every((v) => v.message.includes("serve the gateway over https"))).to.equal(true);
    });

    it("reports a plain-http bucket endpoint and a plain-http s3Url", async () => {
        const bucket = policyResource({ type: BUCKET_TYPE, name: "velero-user-bucket", props: { bucket: "velero-backups", endpoint: "http://rgw-a.example.com" } });
        const { violations } = await validateResource(rgwEndpointsHttps, bucket);
        expect(violations.map((v) => v.message)).to.have.length(1);
        expect(violations[0].message).to.match(/^bucket velero-backups endpoint http:\/\/rgw-a\.example\.com uses plain http: .* use the https:\/\/ URL$/);
        const bsl = policyResource({ type: BACKUP_STORAGE_LOCATION_TYPE, name: "bsl", props: renderBackupStorageLocation({ namespace: "velero", bucket: "velero-backups", endpoint: "http://rgw-a.example.com", zonegroup: "global", accessMode: "ReadWrite" }) });
        expect((await validateResource(rgwEndpointsHttps, bsl)).violations[0].message).to.contain("BackupStorageLocation velero/default s3Url http://rgw-a.example.com uses plain http");
    });

    it("does not apply to other commands and types", async () => {
        const other = policyResource({ type: STEP_TYPE, name: "x", props: { create: "scripts/velero-role.sh stop-schedules" } });
        expect((await validateResource(rgwEndpointsHttps, other)).notApplicable).to.equal("not a scripts/rgw-multisite.sh step");
        const secret = policyResource({ type: "kubernetes:core/v1:Secret", name: "s", props: {} });
        expect((await validateResource(rgwEndpointsHttps, secret)).notApplicable).to.be.a("string");
    });
});

describe("advisory rgw-zone-names-plain", () => {
    it("is advisory", () => expect(rgwZoneNamesPlain.enforcementLevel).to.equal("advisory"));

    it("passes plain alphanumeric zones", async () => {
        const sync = step("velero-sync-scope", "sync-scope", { scope: "zone", bucket: "velero-backups", zonegroup: "global", zone: "zoneb", "peer-zone": "zonea" });
        expect((await validateResource(rgwZoneNamesPlain, sync)).violations).to.deep.equal([]);
    });

    it("reports '-', '_' and '.' in --zone and --peer-zone, once per name", async () => {
        const sync = step("velero-sync-scope", "sync-scope", { scope: "zone", bucket: "velero-backups", zonegroup: "global", zone: "zone-b", "peer-zone": "zone_a" });
        const { violations } = await validateResource(rgwZoneNamesPlain, sync);
        expect(violations.map((v) => v.message.slice(0, v.message.indexOf(":")))).to.deep.equal([
            'zone name "zone-b" (rgw-multisite.sh sync-scope --zone) contains \'-\', \'_\' or \'.\'',
            'zone name "zone_a" (rgw-multisite.sh sync-scope --peer-zone) contains \'-\', \'_\' or \'.\'',
        ]);
        expect(violations[0].message).to.contain('a plain alphanumeric name such as "zoneb"');
    });

    it("reports a name radosgw-admin would not take, with the project's rule", async () => {
        const { violations } = await validateResource(rgwZoneNamesPlain, step("rgw-zone-master", "ensure-master-zone", { zone: "zone.a" }));
        expect(summary(violations)).to.have.length(1);
        expect(violations[0].message).to.contain('--zone "zone.a" is not a valid zone name; allowed: 1 to 63 letters, digits');
    });
});

describe("advisory passive-zone-strict-read-only", () => {
    it("is advisory", () => expect(passiveZoneStrictReadOnly.enforcementLevel).to.equal("advisory"));

    it("says nothing about a writable passive zone (the default)", async () => {
        const demote = step("ceph-secondary", "demote", { zone: "zoneb", "master-url": "https://rgw-a.example.com" });
        const outcome = await validateResource(passiveZoneStrictReadOnly, demote);
        expect(outcome.violations).to.deep.equal([]);
        expect(outcome.notApplicable).to.equal(undefined);
    });

    it("explains what a strict read-only passive zone means for restores", async () => {
        const demote = step("ceph-secondary", "demote", { zone: "zoneb", "master-url": "https://rgw-a.example.com", "read-only": true });
        const { violations } = await validateResource(passiveZoneStrictReadOnly, demote);
        expect(summary(violations)).to.have.length(1);
        expect(violations[0].enforcementLevel).to.equal("advisory");
        expect(violations[0].message).to.match(/^strict mode: the passive zone zoneb is demoted with --read-only/)
            .and.to.contain("A restore writes its logs and results to the bucket")
            .and.to.contain("its BackupStorageLocation ReadWrite");
    });

    it("only looks at demote steps", async () => {
        const fence = step("fence", "fence", { zone: "zonea" });
        expect((await validateResource(passiveZoneStrictReadOnly, fence)).notApplicable).to.equal("not a demote step of scripts/rgw-multisite.sh");
    });
});
