import { expect } from "chai";
import { RPO_SECONDS_LABEL } from "../../core/labels";
import { ScheduleSettings, renderSchedule } from "../../core/velero/renderers";
import { SCHEDULE_TYPE } from "../../policy/resources";
import { DEFAULT_MINIMUM_TTL, veleroScheduleFitsRpo } from "../../policy/schedules";
import { policyResource, summary, validateResource } from "./harness";

type Props = Record<string, any>;

const EVERY_6H: ScheduleSettings = {
    name: "every-6h", namespace: "velero", cron: "0 */6 * * *", ttl: "720h", includedNamespaces: ["*"],
    rpoSeconds: 7 * 3600, storageLocation: "default",
};

function schedule(mutate: (p: Props) => void = () => undefined, settings: ScheduleSettings = EVERY_6H) {
    const props: Props = structuredClone(renderSchedule(settings));
    mutate(props);
    return policyResource({ type: SCHEDULE_TYPE, name: `site-a-schedule-${settings.name}`, props, provider: "site-a-cluster" });
}

async function violationsOf(resource: ReturnType<typeof schedule>, config?: Record<string, unknown>) {
    return summary((await validateResource(veleroScheduleFitsRpo, resource, config)).violations);
}

describe("policy velero-schedule-fits-rpo", () => {
    it("passes the Schedule renderSchedule builds, and its TTL as Kubernetes stores it", async () => {
        expect(await violationsOf(schedule())).to.deep.equal([]);
        expect(await violationsOf(schedule((p) => (p.spec.template.ttl = "720h0m0s")))).to.deep.equal([]);
    });

    it("passes a macro and an RPO equal to the longest gap", async () => {
        const daily = { ...EVERY_6H, name: "daily", cron: "@daily", rpoSeconds: 86400, ttl: "168h" };
        expect(await violationsOf(schedule(undefined, daily))).to.deep.equal([]);
    });

    it("measures the longest gap, not the shortest: runs at 01:00 and 02:00 leave 23h", async () => {
        const uneven = { ...EVERY_6H, name: "uneven", cron: "0 1,2 * * *", rpoSeconds: 2 * 3600 };
        expect(await violationsOf(schedule(undefined, uneven))).to.deep.equal([
            `velero-schedule-fits-rpo: Schedule velero/uneven: spec.schedule "0 1,2 * * *" leaves up to 23h between backups, longer than its RPO of 2h (${RPO_SECONDS_LABEL} = 7200); run it more often or raise the RPO`,
        ]);
    });

    it("reports a gap a minute over the RPO", async () => {
        const tight = { ...EVERY_6H, rpoSeconds: 6 * 3600 - 60 };
        expect(await violationsOf(schedule(undefined, tight))).to.deep.equal([
            `velero-schedule-fits-rpo: Schedule velero/every-6h: spec.schedule "0 */6 * * *" leaves up to 6h between backups, longer than its RPO of 5h59m (${RPO_SECONDS_LABEL} = 21540); run it more often or raise the RPO`,
        ]);
    });

    const broken: Array<[string, (p: Props) => void, RegExp]> = [
        ["no RPO label", (p) => (p.metadata.labels = {}), /label dr\.velero-ceph-dr\/rpo-seconds is undefined; it must be the RPO as a positive whole number of seconds/],
        ["an RPO label that is not seconds", (p) => (p.metadata.labels[RPO_SECONDS_LABEL] = "7h"), /rpo-seconds is "7h"/],
        ["an RPO of zero", (p) => (p.metadata.labels[RPO_SECONDS_LABEL] = "0"), /rpo-seconds is "0"/],
        ["template labels without the RPO", (p) => (p.spec.template.metadata.labels = { team: "platform" }), /spec\.template\.metadata\.labels has dr\.velero-ceph-dr\/rpo-seconds = undefined, not the Schedule's "25200"/],
        ["a cron slower than the RPO", (p) => (p.spec.schedule = "0 0 * * *"), /leaves up to 24h between backups, longer than its RPO of 7h/],
        ["a cron that cannot be read", (p) => (p.spec.schedule = "61 * * * *"), /interval of spec\.schedule "61 \* \* \* \*" cannot be determined/],
        ["no cron", (p) => delete p.spec.schedule, /spec\.schedule is missing/],
        ["no TTL", (p) => delete p.spec.template.ttl, /spec\.template\.ttl is missing; .* at least 24h/],
        ["a TTL in days, which Go durations do not have", (p) => (p.spec.template.ttl = "30d"), /spec\.template\.ttl "30d" is not allowed/],
        ["a TTL under the minimum", (p) => (p.spec.template.ttl = "23h"), /spec\.template\.ttl 23h is shorter than the minimum 24h/],
    ];
    for (const [what, mutate, message] of broken) {
        it(`reports ${what}`, async () => {
            const violations = await violationsOf(schedule(mutate));
            expect(violations).to.have.length(1);
            expect(violations[0]).to.match(message).and.to.contain("Schedule velero/every-6h");
        });
    }

    it("reports a TTL shorter than twice the longest gap, even above the minimum", async () => {
        const weekly = { ...EVERY_6H, name: "weekly", cron: "0 0 * * 0", rpoSeconds: 8 * 86400, ttl: "240h" };
        expect(await violationsOf(schedule(undefined, weekly))).to.deep.equal([
            "velero-schedule-fits-rpo: Schedule velero/weekly: spec.template.ttl 240h is shorter than twice the longest gap between runs (336h): the last complete backup could expire before the next one is safely in place",
        ]);
    });

    it(`takes the minimum TTL from the policy config (default ${DEFAULT_MINIMUM_TTL})`, async () => {
        expect(await violationsOf(schedule(), { minimumTtl: "1000h" })).to.deep.equal([
            "velero-schedule-fits-rpo: Schedule velero/every-6h: spec.template.ttl 720h is shorter than the minimum 1000h",
        ]);
        expect(await violationsOf(schedule(), { minimumTtl: "a week" })).to.have.length(1)
            .and.to.satisfy((v: string[]) => v[0].includes('policy config minimumTtl "a week" is not allowed'));
    });

    it("declares its config schema with the default", () => {
        expect(veleroScheduleFitsRpo.configSchema?.properties.minimumTtl).to.include({ type: "string", default: DEFAULT_MINIMUM_TTL });
    });
});
