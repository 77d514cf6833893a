// The facts this tool has in common with the Pulumi program (site ids, labels, validators, quoting),
// imported from the pure leaf core/, never restated here (and without loading @pulumi/pulumi).
export { SITE_IDS, otherSite } from "../../core/siteContract";
export type { SiteId } from "../../core/siteContract";
export { RPO_SECONDS_LABEL, SITE_LABEL } from "../../core/labels";
export { shellQuote } from "../../core/rgwCalls";
export {
    bucketNameProblem, cephNameProblem, dnsLabelProblem, dnsSubdomainProblem, endpointProblem, kubeContextProblem, stackNameProblem, wholeSecondsProblem,
} from "../../core/validators";
