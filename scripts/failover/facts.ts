// The facts this tool shares with the Pulumi program (site ids, labels, validators, quoting),
// imported from where they are defined today, never restated here.
// MERGE: repoint these imports to core/ (site contract, labels, validators; shellQuote from the
// rgw call descriptions) once core-leaf and rgw-core are merged; today two of these modules load
// @pulumi/pulumi, which costs the CLI about half a second at start.
export { SITE_IDS } from "../../stacks/config";
export type { SiteId } from "../../stacks/config";
export { RPO_SECONDS_LABEL, SITE_LABEL } from "../../components/veleroInstall";
export { shellQuote } from "../../components/rgwScript";
export { bucketNameProblem, cephNameProblem, dnsLabelProblem, endpointProblem, stackNameProblem } from "../../stacks/validate";
