// Canned radosgw-admin output (Ceph 16.2.15, trimmed) and the assertions shared by the in-memory
// tests of scripts/rgw (test/unit/rgw/multisite.test.ts) and the end-to-end runs of the launcher
// (test/script/rgw-multisite.test.ts).
import { expect } from "chai";
import { FakeAnswer, commandOf } from "../../../scripts/rgw/transport";
import { CEPH_IDS } from "../../script/cephSyncText";

export type Reply = { out?: unknown; err?: string; code?: number };
export type State = Record<string, FakeAnswer>;
export interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
    calls: string[][];
}

export const KEYS = {
    RGW_SYSTEM_ACCESS_KEY: "SYSTEMACCESSKEY00001",
    RGW_SYSTEM_SECRET_KEY: "system-secret-never-printed-0123456789",
    RGW_USER_ACCESS_KEY: "VELEROACCESSKEY00001",
    RGW_USER_SECRET_KEY: "velero-secret-never-printed-0123456789",
};
export const SECRETS = [KEYS.RGW_SYSTEM_SECRET_KEY, KEYS.RGW_USER_SECRET_KEY];
/** The zones' endpoint in the in-memory tests (the fake probe answers for any URL). */
export const FAKE_ENDPOINT = "http://127.0.0.1:18080";

export const ID = { realm: CEPH_IDS.realm, zg: CEPH_IDS.zg, a: CEPH_IDS.zonea, b: CEPH_IDS.zoneb };
export const ENOENT = (what: string): Reply => ({ err: `failed to list ${what}: (2) No such file or directory\n`, code: 2 });

export interface PeriodOptions {
    id?: string;
    master?: string;
    zones?: string[];
    readOnly?: string[];
    /** Zones that sync only from the listed zones (sync_from_all false). */
    syncFrom?: Record<string, string[]>;
    /** Every zone's endpoint (the end-to-end runs give their fake gateway's: restarts probe it). */
    endpoint?: string;
    /** Zones whose entry advertises `supported_features` (Ceph 17 on); the others have no such field, as on Pacific. */
    features?: Record<string, string[]>;
}

export function period(opts: PeriodOptions): object {
    const zones = opts.zones ?? ["zonea", "zoneb"];
    const idOf = (z: string) => (z === "zonea" ? ID.a : z === "zoneb" ? ID.b : `${z}-id`);
    return {
        id: opts.id ?? "period-1",
        epoch: 2,
        period_map: {
            id: opts.id ?? "period-1",
            zonegroups: [
                {
                    id: ID.zg,
                    name: "global",
                    is_master: "true",
                    master_zone: opts.master ? idOf(opts.master) : "",
                    zones: zones.map((z) => ({
                        id: idOf(z),
                        name: z,
                        endpoints: [opts.endpoint ?? FAKE_ENDPOINT],
                        read_only: (opts.readOnly ?? []).includes(z) ? "true" : "false",
                        sync_from_all: opts.syncFrom?.[z] ? "false" : "true",
                        sync_from: opts.syncFrom?.[z] ?? [],
                        ...(opts.features?.[z] ? { supported_features: opts.features[z] } : {}),
                    })),
                    sync_policy: { groups: [] },
                },
            ],
        },
        master_zonegroup: ID.zg,
        master_zone: opts.master ? idOf(opts.master) : "",
        realm_id: ID.realm,
        realm_name: "dr",
        realm_epoch: 2,
    };
}

export const zoneGet = (name: string, access = KEYS.RGW_SYSTEM_ACCESS_KEY, secret = KEYS.RGW_SYSTEM_SECRET_KEY) => ({
    out: { id: name === "zonea" ? ID.a : ID.b, name, realm_id: ID.realm, system_key: { access_key: access, secret_key: secret } },
});
export const userInfo = (uid: string, display: string, keys: [string, string][], system: boolean) => ({
    out: {
        user_id: uid,
        display_name: display,
        keys: keys.map(([a, s]) => ({ user: uid, access_key: a, secret_key: s })),
        ...(system ? { system: "true" } : {}),
    },
});

/** A cluster where zonea is the bootstrapped master and zoneb has joined. */
export function joinedState(extra: State = {}, endpoint?: string): State {
    return {
        "realm list": { out: { default_info: ID.realm, realms: ["dr"] } },
        "zonegroup list": { out: { default_info: ID.zg, zonegroups: ["global"] } },
        "zone list": { out: { default_info: ID.a, zones: ["zonea"] } },
        "period get": { out: period({ master: "zonea", endpoint }) },
        "zone get": zoneGet("zonea"),
        "realm get": { out: { id: ID.realm, name: "dr", current_period: "period-1", epoch: 2 } },
        "metadata list user": { out: ["synchronization-user", "velero"] },
        "user info": userInfo("synchronization-user", "Multisite synchronization user", [[KEYS.RGW_SYSTEM_ACCESS_KEY, KEYS.RGW_SYSTEM_SECRET_KEY]], true),
        "sync policy get": { out: { groups: [] } },
        ...extra,
    };
}

/** The command of a recorded call, tag ("peer") included: "peer zone modify". */
export const cmdOf = (call: string[]) => commandOf(call);
export const callsOf = (r: Run, cmd: string) => r.calls.filter((c) => cmdOf(c) === cmd);
const MUTATING = /^(peer )?(realm (create|pull|default)|zonegroup (create|modify|set)|zone (create|modify)|period (update|pull|commit)|user (create|modify|rm)|key (create|rm)|sync group|bucket sync (enable|disable)|RESTART)/;
/** The calls that change Ceph (or restart a gateway), in order. */
export const mutations = (r: Run) => r.calls.filter((c) => MUTATING.test(cmdOf(c))).map(cmdOf);

export function expectNoSecrets(r: Run): void {
    for (const s of SECRETS) {
        expect(r.stdout, "stdout leaks a secret").to.not.contain(s);
        expect(r.stderr, "stderr leaks a secret").to.not.contain(s);
    }
}

export function expectUsageError(r: Run, ...mentions: (string | RegExp)[]): void {
    expect(r.code, r.stderr).to.equal(2);
    for (const m of mentions) {
        if (typeof m === "string") expect(r.stderr).to.contain(m);
        else expect(r.stderr).to.match(m);
    }
    expect(r.calls, "no radosgw-admin call on bad arguments").to.deep.equal([]);
}
