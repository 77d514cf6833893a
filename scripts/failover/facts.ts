// The facts this tool shares with the Pulumi program (site ids, labels, validators, quoting),
// imported from where they are defined today, never restated here.
// MERGE: repoint to core/ once core-leaf and rgw-core are merged: SITE_IDS/SiteId from
// core/siteContract, the labels from core/labels, the validators from core/validators, shellQuote
// from core/rgwCalls. Today three of these modules load @pulumi/pulumi, which costs the CLI about
// half a second at every start (measured: 1.1 s to 0.6 s for `failover.sh help`).
export { SITE_IDS } from "../../stacks/config";
export type { SiteId } from "../../stacks/config";
export { RPO_SECONDS_LABEL, SITE_LABEL } from "../../components/veleroInstall";
export { shellQuote } from "../../components/rgwScript";
export { bucketNameProblem, cephNameProblem, dnsLabelProblem, endpointProblem, stackNameProblem } from "../../stacks/validate";
