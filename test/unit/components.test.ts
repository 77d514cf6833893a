import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import {
    GlobalS3User, RgwZone, RgwZoneGroup, SyncGroup, keepNotice, renderScriptCommand, shellQuote,
} from "../../components";
import { named, ofType, runFailing, runMocked } from "../harness/mocks";

const transport = { adminCommand: "cephadm shell -- radosgw-admin", restartCommand: "ceph orch restart rgw.zonea" };
const keys = { accessKey: pulumi.secret("AKIAEXAMPLE000000001"), secretKey: pulumi.secret("s3cr3t") };

/** Declares one component under mocks and expects it to refuse; returns the message. */
async function refusal(declare: () => void): Promise<{ message: string; children: string[] }> {
    const { error, resources } = await runFailing(declare, { stack: "test" });
    return {
        message: error.message,
        children: resources.filter((r) => !r.type.startsWith("pulumi:pulumi:") && !r.type.startsWith("velero-ceph-dr:")).map((r) => r.name),
    };
}

describe("rgwScript: command lines", () => {
    it("renders flags in order and quotes only what needs it", () => {
        expect(renderScriptCommand("ensure-user", { uid: "velero", "display-name": "Velero backups" }))
            .to.equal("scripts/rgw-multisite.sh ensure-user --uid velero --display-name 'Velero backups'");
        expect(renderScriptCommand("sync-scope", { zone: "zonea", repair: true, "peer-zone": undefined, scope: "bucket" }))
            .to.equal("scripts/rgw-multisite.sh sync-scope --zone zonea --repair --scope bucket");
        expect(renderScriptCommand("demote", { zone: "zoneb", "read-only": false })).to.equal("scripts/rgw-multisite.sh demote --zone zoneb");
    });
    it("refuses a flag the call does not have, or a value of the wrong type (a programming error)", () => {
        expect(() => renderScriptCommand("fence", { zone: "a", force: true } as never)).to.throw("fence has no flag --force (allowed: --zone)");
        expect(() => renderScriptCommand("demote", { zone: "a", "read-only": "yes" } as never)).to.throw("a switch takes true/false");
    });
    it("quotes single quotes and shell metacharacters safely", () => {
        expect(shellQuote("it's")).to.equal(`'it'"'"'s'`);
        expect(shellQuote("a;rm -rf /")).to.equal("'a;rm -rf /'");
        expect(shellQuote("http://rgw-a.example.com:8080")).to.equal("http://rgw-a.example.com:8080");
    });
    it("prints a keep notice on delete, quoted", () => {
        expect(keepNotice("zone zonea")).to.equal(
            `echo 'velero-ceph-dr: zone zonea is kept in Ceph (this program never deletes Ceph state; see README "What delete does")'`);
    });
});

describe("RgwZoneGroup", () => {
    it("declares one ensure-realm step with the transport", async () => {
        const run = await runMocked(() => {
            new RgwZoneGroup("zg", { realm: "prod", zonegroup: "eu", endpoint: "https://rgw-a.example.com", transport });
        }, { stack: "test" });
        const step = named(run, "zg-realm");
        expect(step.inputs.create).to.equal("scripts/rgw-multisite.sh ensure-realm --realm prod --zonegroup eu --endpoint https://rgw-a.example.com");
        expect(step.inputs.environment).to.deep.equal({ RGW_ADMIN: transport.adminCommand, RGW_RESTART: transport.restartCommand });
        expect(step.options.parent).to.equal("zg");
    });
    for (const [field, args, hint] of [
        ["realm", { realm: "pr od" }, /realm "pr od" is not allowed/],
        ["zonegroup", { zonegroup: "" }, /zonegroup "" is not allowed/],
        ["endpoint", { endpoint: "rgw-a:80" }, /endpoint "rgw-a:80" is not allowed/],
    ] as const) {
        it(`refuses a bad ${field} before declaring a child`, async () => {
            const good = { realm: "prod", zonegroup: "eu", endpoint: "https://rgw-a.example.com", transport };
            const r = await refusal(() => new RgwZoneGroup("zg", { ...good, ...args }));
            expect(r.message).to.match(hint);
            expect(r.children).to.deep.equal([]);
        });
    }
});

describe("RgwZone", () => {
    const base = { realm: "prod", zonegroup: "eu", zone: "zoneb", endpoint: "https://rgw-b.example.com", transport };

    it("a master generates system keys and runs ensure-master-zone", async () => {
        const run = await runMocked(() => {
            new RgwZone("z", { ...base, role: "master", systemUser: "sync" });
        }, { stack: "test" });
        expect(ofType(run, ":RandomSecret").map((r) => r.name)).to.deep.equal(["z-system-access-key", "z-system-secret-key"]);
        expect(named(run, "z-master").inputs.create).to.contain("ensure-master-zone --realm prod --zonegroup eu --zone zoneb --endpoint https://rgw-b.example.com --system-uid sync");
    });

    it("with zonegroup features (Reef and later): one ensure-features step after the zone; without: none", async () => {
        const run = await runMocked(() => {
            new RgwZone("z", { ...base, role: "master", zonegroupFeatures: ["resharding", "notification_v2"] });
        }, { stack: "test" });
        const step = named(run, "z-zonegroup-features");
        expect(step.inputs.create).to.equal("scripts/rgw-multisite.sh ensure-features --zonegroup eu --features resharding,notification_v2");
        expect(step.inputs.environment).to.have.keys("RGW_ADMIN", "RGW_RESTART");
        const none = await runMocked(() => {
            new RgwZone("z", { ...base, role: "master", zonegroupFeatures: [] });
        }, { stack: "test" });
        expect(none.resources.map((r) => r.name)).to.not.include("z-zonegroup-features");
    });

    it("a secondary uses the given keys and joins through the master", async () => {
        const run = await runMocked(() => {
            new RgwZone("z", { ...base, role: "secondary", masterEndpoint: "https://rgw-a.example.com", systemKeys: keys });
        }, { stack: "test" });
        expect(ofType(run, ":RandomSecret")).to.deep.equal([]);
        const join = named(run, "z-join");
        expect(join.inputs.create).to.equal("scripts/rgw-multisite.sh join-secondary --realm prod --zonegroup eu --zone zoneb --endpoint https://rgw-b.example.com --master-url https://rgw-a.example.com");
        expect(join.inputs.environment.RGW_SYSTEM_SECRET_KEY).to.equal("s3cr3t");
    });

    for (const [what, args, hint] of [
        ["a zone name with a dot", { zone: "zone.b", role: "master" }, /zone "zone.b" is not allowed/],
        ["a bad endpoint", { endpoint: "https://rgw-b.example.com/x", role: "master" }, /endpoint "https:\/\/rgw-b.example.com\/x" is not allowed/],
        ["a bad system user", { systemUser: "a b", role: "master" }, /systemUser "a b" is not allowed/],
        ["a secondary without master endpoint or keys", { role: "secondary" }, /needs masterEndpoint and the master's systemKeys/],
        ["a secondary on the master's endpoint", { role: "secondary", masterEndpoint: "https://rgw-b.example.com", systemKeys: keys }, /is the master's endpoint/],
        ["an unknown zonegroup feature", { role: "master", zonegroupFeatures: ["resharding", "dedup"] }, /zonegroupFeatures is not allowed: unknown zonegroup feature\(s\) 'dedup'/],
    ] as const) {
        it(`refuses ${what} before declaring a child`, async () => {
            const r = await refusal(() => new RgwZone("z", { ...base, ...args } as any));
            expect(r.message).to.match(hint);
            expect(r.children).to.deep.equal([]);
        });
    }
});

describe("GlobalS3User", () => {
    it("without a bucket: generated keys and the ensure-user step only", async () => {
        const run = await runMocked(() => {
            new GlobalS3User("u", { uid: "velero", transport });
        }, { stack: "test" });
        expect(run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").map((r) => r.name))
            .to.have.members(["u", "u-access-key", "u-secret-key", "u-user"]);
        expect(named(run, "u-user").inputs.create).to.equal("scripts/rgw-multisite.sh ensure-user --uid velero --display-name velero");
    });

    it("uses given keys instead of generating them", async () => {
        const run = await runMocked(() => {
            new GlobalS3User("u", { uid: "velero", transport, keys });
        }, { stack: "test" });
        expect(ofType(run, ":RandomSecret")).to.deep.equal([]);
        expect(named(run, "u-user").inputs.environment.RGW_USER_ACCESS_KEY).to.equal("AKIAEXAMPLE000000001");
    });

    for (const [what, args, hint] of [
        ["a tenant uid", { uid: "t$velero" }, /uid "t\$velero" is not allowed/],
        ["a bad bucket name", { bucket: { name: "Backups", endpoint: "https://rgw-a.example.com", region: "eu" } }, /bucket.name "Backups" is not allowed/],
        ["a bad bucket endpoint", { bucket: { name: "backups", endpoint: "s3://x", region: "eu" } }, /bucket.endpoint "s3:\/\/x" is not allowed/],
    ] as const) {
        it(`refuses ${what} before declaring a child`, async () => {
            const good = { uid: "velero", transport };
            const r = await refusal(() => new GlobalS3User("u", { ...good, ...args } as any));
            expect(r.message).to.match(hint);
            expect(r.children).to.deep.equal([]);
        });
    }
});

describe("SyncGroup", () => {
    it("defaults to the zone scope and passes the peer when known", async () => {
        const run = await runMocked(() => {
            new SyncGroup("s", { bucket: "velero-backups", zonegroup: "eu", zone: "zoneb", peerZone: "zonea", transport });
        }, { stack: "test" });
        expect(named(run, "s-scope").inputs.create).to.equal(
            "scripts/rgw-multisite.sh sync-scope --scope zone --bucket velero-backups --zonegroup eu --zone zoneb --peer-zone zonea");
    });
    for (const [what, args, hint] of [
        ["an unknown scope", { scope: "policy" }, /scope "policy" is not allowed; allowed: "zone" or "bucket"/],
        ["a bad zone", { zone: "zone b" }, /zone "zone b" is not allowed/],
        ["a bad bucket", { bucket: "a" }, /bucket "a" is not allowed/],
    ] as const) {
        it(`refuses ${what} before declaring a child`, async () => {
            const r = await refusal(() => new SyncGroup("s", { bucket: "velero-backups", zonegroup: "eu", zone: "zoneb", transport, ...args } as any));
            expect(r.message).to.match(hint);
            expect(r.children).to.deep.equal([]);
        });
    }
});
