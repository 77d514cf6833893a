// The policy pack. The only file that constructs the PolicyPack: construction starts the policy
// server, and a second pack in one process exits it, so tests import ./policies instead.
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./policies";

new PolicyPack("velero-ceph-dr", {
    description: "velero-ceph-dr guardrails: Velero on Ceph RGW, one writer across the failover stack, Schedules within their RPO, "
        + "the backup bucket kept, DR alert rules in every cluster with Velero; advisories for RGW endpoints and zone names.",
    enforcementLevel: "mandatory",
    policies: ALL_POLICIES,
});
