import { expect } from "chai";
import { describeDuration, durationProblem, formatDuration, parseDurationSeconds } from "../../core/duration";

describe("core/duration: the one duration grammar", () => {
    const accepted: Array<[string, number]> = [
        ["720h", 720 * 3600],
        ["1h30m", 5400],
        ["90s", 90],
        ["90m", 5400],
        ["0s", 0],
        ["1h0m30s", 3630],
        // How Kubernetes prints a metav1.Duration back (a Schedule's ttl read from the cluster).
        ["720h0m0s", 720 * 3600],
    ];
    for (const [text, seconds] of accepted) {
        it(`reads ${JSON.stringify(text)} as ${seconds}s`, () => {
            expect(parseDurationSeconds(text)).to.equal(seconds);
            expect(durationProblem(text)).to.equal(undefined);
        });
    }

    const refused: Array<[string, string]> = [
        ["1.5h", "a fraction: Go takes it, Prometheus does not"],
        ["500ms", "milliseconds: RPO labels and ttl are whole seconds"],
        ["7d", "days: Prometheus takes them, Go (Velero) does not"],
        ["2w", "weeks"],
        ["30m1h", "units out of order: Prometheus refuses it"],
        ["1h1h", "a unit twice"],
        ["", "nothing"],
        [" 720h", "surrounding blanks: Velero refuses them"],
        ["720", "no unit"],
        ["-1h", "a sign"],
        ["1 minute", "words"],
    ];
    for (const [text, why] of refused) {
        it(`refuses ${JSON.stringify(text)} (${why})`, () => {
            expect(() => parseDurationSeconds(text)).to.throw(`${JSON.stringify(text)} is not a duration; allowed: whole hours, minutes and seconds`);
            expect(durationProblem(text)).to.match(/^allowed: whole hours, minutes and seconds in that order/);
        });
    }

    it("formats seconds as the shortest duration of the grammar, which reads back to the same seconds", () => {
        for (const [seconds, text] of [[0, "0s"], [45, "45s"], [5400, "1h30m"], [93600, "26h"], [3661, "1h1m1s"]] as const) {
            expect(formatDuration(seconds)).to.equal(text);
            expect(parseDurationSeconds(text)).to.equal(seconds);
        }
    });

    it("describes seconds for people with days, in alert texts only", () => {
        expect(describeDuration(2760)).to.equal("46m");
        expect(describeDuration(93600)).to.equal("1d2h");
        expect(describeDuration(0)).to.equal("0s");
        expect(durationProblem(describeDuration(93600))).to.be.a("string");
    });
});
