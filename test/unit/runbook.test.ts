// docs/runbook.md keeps up with what links to it: every alert's runbook_url (as rendered by
// DrAlertRules), the anchor list in docs/alerts.md, the links failover.sh prints (scripts/failover/), and the
// runbook's own links must land on a heading. Anchors are GitHub's heading slugs.
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { RUNBOOK_ANCHORS, isAlertingRule, renderAlertRules, resolveAlertRuleSettings } from "../../components/drAlertRules";

const ROOT = path.resolve(__dirname, "../..");
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), "utf8");
const BASE = "https://git.example.com/platform/velero-ceph-dr/blob/main/docs/runbook.md";

/**
 * GitHub's heading anchor (github-slugger): inline markup reduced to its text, lowercase, every
 * character that is not a letter, digit, space, '-' or '_' removed, spaces to '-'; a repeated slug
 * gets -1, -2, ... in document order.
 */
export function githubSlugs(markdown: string): string[] {
    const seen = new Map<string, number>();
    const slugs: string[] = [];
    let fence: string | undefined;
    for (const line of markdown.split("\n")) {
        const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
        if (f) {
            if (fence === undefined) fence = f[1][0];
            else if (f[1][0] === fence) fence = undefined;
            continue;
        }
        if (fence !== undefined) continue;
        const h = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
        if (!h) continue;
        const text = h[1]
            .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
            .replace(/<[^>]+>/g, ""); // inline HTML tags
        const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
        const n = seen.get(base);
        slugs.push(n === undefined ? base : `${base}-${n}`);
        seen.set(base, (n ?? 0) + 1);
    }
    return slugs;
}

describe("docs/runbook.md", () => {
    const runbook = read("docs/runbook.md");
    const slugs = new Set(githubSlugs(runbook));

    it("slugs headings as GitHub does", () => {
        expect(githubSlugs("# Fail over\n## DNS/ingress\n### Velero `BSL` unavailable\n## Fail over\n```\n# not a heading\n```\n## Drill: both sites up ##"))
            .to.deep.equal(["fail-over", "dnsingress", "velero-bsl-unavailable", "fail-over-1", "drill-both-sites-up"]);
    });

    it("has a heading for the anchor of every rendered alert's runbook_url", () => {
        const settings = resolveAlertRuleSettings({ site: "site-a", runbookBaseUrl: BASE, nodeAgent: true, rgwSync: true });
        const alerts = renderAlertRules(settings).flatMap((g) => g.rules).filter(isAlertingRule);
        expect(alerts.length).to.be.greaterThan(0);
        const anchors = alerts.map((a) => {
            const url = a.annotations.runbook_url;
            expect(url.startsWith(`${BASE}#`), `${a.alert}: ${url}`).to.equal(true);
            return { alert: a.alert, anchor: url.slice(BASE.length + 1) };
        });
        // With every optional part on, every alert that has an anchor is rendered.
        expect([...new Set(anchors.map((a) => a.anchor))].sort()).to.deep.equal([...new Set(Object.values(RUNBOOK_ANCHORS))].sort());
        const missing = anchors.filter((a) => !slugs.has(a.anchor)).map((a) => `${a.alert} -> #${a.anchor}`);
        expect(missing, "alerts whose runbook_url anchor is not a heading of docs/runbook.md").to.deep.equal([]);
    });

    it("names the alert in the section its anchor points to", () => {
        const lines = runbook.split("\n");
        for (const [alert, anchor] of Object.entries(RUNBOOK_ANCHORS)) {
            const at = lines.findIndex((l) => /^#{1,6}\s/.test(l) && githubSlugs(l)[0] === anchor);
            expect(at, anchor).to.be.greaterThan(-1);
            const next = lines.findIndex((l, i) => i > at && /^#{1,6}\s/.test(l));
            const body = lines.slice(at + 1, next < 0 ? undefined : next).join("\n");
            expect(body, `section #${anchor}`).to.contain(`\`${alert}\``);
        }
    });

    it("has a heading for every anchor docs/alerts.md lists", () => {
        const alertsDoc = read("docs/alerts.md");
        const section = alertsDoc.slice(alertsDoc.indexOf("## Runbook anchors"));
        const listed = [...section.matchAll(/^- `#([^`]+)`/gm)].map((m) => m[1]);
        expect(listed.length).to.equal(Object.keys(RUNBOOK_ANCHORS).length);
        expect(listed.filter((a) => !slugs.has(a))).to.deep.equal([]);
    });

    it("has the sections on-call works through", () => {
        for (const s of ["detect", "decide", "fail-over", "drill-both-sites-up", "lost-site", "break-glass-no-pulumi-backend",
            "verify", "restore", "dnsingress", "resume-backups", "fail-back", "dr-drill-checklist"]) {
            expect(slugs.has(s), `#${s}`).to.equal(true);
        }
    });

    it("links only to headings that exist, and so do the runbook links failover.sh prints (scripts/failover/)", () => {
        const own = [...runbook.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
        expect(own.length).to.be.greaterThan(0);
        expect(own.filter((a) => !slugs.has(a)), "broken links in docs/runbook.md").to.deep.equal([]);
        const program = fs.readdirSync(path.join(ROOT, "scripts/failover")).map((f) => read(`scripts/failover/${f}`)).join("\n");
        const fromScript = [...program.matchAll(/docs\/runbook\.md#([a-z0-9_-]+)/g)].map((m) => m[1]);
        expect(fromScript.length).to.be.greaterThan(0);
        expect(fromScript.filter((a) => !slugs.has(a)), "anchors failover.sh prints").to.deep.equal([]);
    });
});
