import { expect } from "chai";
import { ConfigError, parseFailoverConfig, parseSchedule } from "../../stacks/failoverConfig";
import { cronMaxIntervalSeconds, parseCron } from "../../core/cron";
import { formatDuration, parseDurationSeconds } from "../../core/duration";

const P = "velero-ceph-dr";
const base = { activeSite: "site-a", siteAStack: "org/p/site-a", siteBStack: "org/p/site-b" };

function problems(raw: Record<string, string | undefined>): string[] {
    try {
        parseFailoverConfig(raw, P);
    } catch (e) {
        expect(e).to.be.instanceOf(ConfigError);
        return (e as ConfigError).problems;
    }
    return [];
}

describe("config: failover stack", () => {
    it("fills defaults: one 6-hourly schedule with a 7h RPO, 1m passive sync, no force, not strict", () => {
        const cfg = parseFailoverConfig(base, P);
        expect(cfg).to.deep.include({ activeSite: "site-a", passiveSite: "site-b", unreachableSites: [], forcePromotion: false, strictReadOnlyPassive: false, passiveBackupSyncPeriod: "30s" });
        expect(cfg.schedules).to.deep.equal([{ name: "every-6h", cron: "0 */6 * * *", ttl: "720h", namespaces: ["*"], rpoSeconds: 7 * 3600 }]);
    });

    const cases: Array<[string, Record<string, string | undefined>, RegExp]> = [
        ["activeSite unknown", { activeSite: "site-c" }, /activeSite = "site-c" is not allowed; allowed: "site-a" or "site-b"/],
        ["activeSite missing", { activeSite: undefined }, /activeSite = \(not set\)/],
        ["the active site unreachable", { unreachableSites: '["site-a"]', forcePromotion: "true" }, /unreachableSites = .* the active site site-a cannot be unreachable/],
        ["an unknown unreachable site", { unreachableSites: '["site-c"]' }, /unreachableSites = .* each "site-a" or "site-b"/],
        ["unreachableSites not a list", { unreachableSites: "site-b" }, /unreachableSites = "site-b" is not allowed/],
        ["the passive site unreachable without force", { unreachableSites: '["site-b"]' }, /forcePromotion = \(not set\) is not allowed; site-b is unreachable.*may be lost/],
        ["forcePromotion not a boolean", { forcePromotion: "yes" }, /forcePromotion = "yes" is not allowed; allowed: true or false/],
        ["siteAStack missing", { siteAStack: undefined }, /siteAStack = \(not set\) is not allowed; it is required/],
        ["the same stack twice", { siteBStack: "org/p/site-a" }, /siteBStack = "org\/p\/site-a" is not allowed; it must differ from siteAStack/],
        ["a passive sync period that is not a duration", { passiveBackupSyncPeriod: "1 minute" }, /passiveBackupSyncPeriod = "1 minute" is not allowed/],
        ["a passive sync period below 10s", { passiveBackupSyncPeriod: "5s" }, /allowed: at least 10s/],
        ["strictReadOnlyPassive not a boolean", { strictReadOnlyPassive: "on" }, /strictReadOnlyPassive = "on"/],
        ["an empty schedule list", { schedules: "[]" }, /schedules = "\[\]" is not allowed; allowed: a non-empty list/],
        // Issue 16 item 9: set to "" explicitly is not the silent default.
        ["forcePromotion set to \"\"", { forcePromotion: "" }, /forcePromotion = "" is not allowed; allowed: true or false; or leave it unset/],
        ["strictReadOnlyPassive set to \"\"", { strictReadOnlyPassive: "" }, /strictReadOnlyPassive = "" is not allowed; allowed: true or false/],
        ["passiveBackupSyncPeriod set to \"\"", { passiveBackupSyncPeriod: "" }, /passiveBackupSyncPeriod = "" is not allowed; .*leave it unset .* for the default "30s"/],
        ["unreachableSites set to \"\"", { unreachableSites: "" }, /unreachableSites = "" is not allowed; allowed: a list of site ids.*leave it unset/],
        ["schedules set to \"\"", { schedules: "" }, /schedules = "" is not allowed; allowed: a non-empty list of schedules.*leave it unset/],
        ["duplicate schedule names", { schedules: JSON.stringify([{ name: "a", cron: "@daily", ttl: "720h" }, { name: "a", cron: "@daily", ttl: "720h" }]) }, /schedule names must be unique/],
    ];
    for (const [what, raw, hint] of cases) {
        it(`rejects ${what}, naming the key and what is allowed`, () => {
            const p = problems({ ...base, ...raw });
            expect(p, JSON.stringify(p)).to.have.length(1);
            expect(p[0]).to.contain(`${P}:`).and.match(hint);
        });
    }
});

describe("config: backup schedules", () => {
    const good = { name: "nightly", cron: "0 2 * * *", ttl: "720h", namespaces: ["apps", "db"], rpo: "26h" };

    it("accepts a valid schedule", () => {
        expect(parseSchedule(good, 0)).to.deep.equal({ problems: [], schedule: { name: "nightly", cron: "0 2 * * *", ttl: "720h", namespaces: ["apps", "db"], rpoSeconds: 26 * 3600 } });
    });
    it("derives the RPO from the cron when not given: the longest gap plus one hour", () => {
        expect(parseSchedule({ ...good, rpo: undefined, cron: "30 2 * * 1-5" }, 0).schedule?.rpoSeconds).to.equal(73 * 3600);
    });
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
        ["a bad name", { name: "Nightly" }, /schedules\[3\]\.name = "Nightly" is not allowed/],
        ["a bad cron", { cron: "0 2 * *" }, /schedules\[3\]\.cron = "0 2 \* \*" is not allowed; .* has 4 fields/],
        ["an out-of-range cron", { cron: "0 25 * * *" }, /hour field "25" is out of range 0-23/],
        ["a bad ttl", { ttl: "30d" }, /schedules\[3\]\.ttl = "30d" is not allowed/],
        ["an RPO shorter than the interval", { rpo: "12h" }, /rpo = "12h" is not allowed; it is shorter than .* \(24h\)/],
        ["a TTL shorter than two intervals", { ttl: "36h" }, /ttl = "36h" is not allowed; .* at least twice the interval, 48h/],
        ["an empty namespace list", { namespaces: [] }, /namespaces = \[\] is not allowed/],
        ["an unknown field", { ttlDays: 30 }, /schedules\[3\]\.ttlDays is not a known field/],
    ];
    for (const [what, change, hint] of cases) {
        it(`rejects ${what}`, () => {
            const { problems, schedule } = parseSchedule({ ...good, ...change }, 3);
            expect(schedule).to.equal(undefined);
            expect(problems).to.have.length(1);
            expect(problems[0]).to.match(hint);
        });
    }
});

describe("cron and durations", () => {
    it("finds the longest gap between runs", () => {
        expect(cronMaxIntervalSeconds("0 */6 * * *")).to.equal(6 * 3600);
        expect(cronMaxIntervalSeconds("@daily")).to.equal(86400);
        expect(cronMaxIntervalSeconds("30 2 * * 1-5")).to.equal(72 * 3600);
        expect(cronMaxIntervalSeconds("0 0 1 * *")).to.equal(31 * 86400);
        expect(cronMaxIntervalSeconds("*/15 9-17 * * *")).to.equal(15 * 3600 + 15 * 60);
    });
    it("applies cron's either-day rule when both day fields are restricted", () => {
        const c = parseCron("0 0 1 * 1");
        expect(c.domRestricted && c.dowRestricted).to.equal(true);
        expect(cronMaxIntervalSeconds("0 0 1 * 1")).to.be.lessThan(8 * 86400);
    });
    it("rejects day-of-week 7, which Velero's cron parser refuses", () => {
        expect(() => parseCron("0 0 * * 7")).to.throw(/day of week field "7" is out of range 0-6/);
    });
    it("rejects what never runs", () => {
        expect(() => cronMaxIntervalSeconds("0 0 31 2 *")).to.throw(/never runs/);
    });
    it("parses and formats durations", () => {
        expect(parseDurationSeconds("1h30m")).to.equal(5400);
        expect(formatDuration(5400)).to.equal("1h30m");
        expect(formatDuration(720 * 3600)).to.equal("720h");
        expect(() => parseDurationSeconds("7d")).to.throw(/not a duration/);
    });
});
