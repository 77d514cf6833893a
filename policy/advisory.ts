// Advice that does not block a deployment: plain-http gateways, zone names the Ceph metrics
// exporter mis-parses, and the strict read-only passive zone with what it costs at restore time.
import { cephNameProblem } from "../core/validators";
import {
    BACKUP_STORAGE_LOCATION_TYPE, BUCKET_TYPE, STEP_TYPE, ResourceValidationArgs, ResourceValidationPolicy,
    ReportViolation, forType, objectName, stringAt,
} from "./resources";
import { rgwScriptCalls } from "./rgwCommands";

function isPlainHttp(url: unknown): url is string {
    return typeof url === "string" && url.toLowerCase().startsWith("http://");
}

const HTTPS_ADVICE = "S3 request bodies (backups) and the radosgw-admin system traffic then cross the network unencrypted; "
    + "serve the gateway over https (a TLS frontend or ingress) and use the https:// URL";

function checkEndpoints(args: ResourceValidationArgs, report: ReportViolation): void {
    switch (args.type) {
        case STEP_TYPE: {
            const calls = rgwScriptCalls(args.props);
            if (calls.length === 0) return args.notApplicable("not a scripts/rgw-multisite.sh step");
            for (const call of calls) {
                for (const [flag, value] of call.flags) {
                    if (isPlainHttp(value)) report(`rgw-multisite.sh ${call.subcommand} --${flag} ${value} uses plain http: ${HTTPS_ADVICE}`);
                }
            }
            return;
        }
        case BUCKET_TYPE: {
            const url = stringAt(args.props, "endpoint");
            if (isPlainHttp(url)) report(`bucket ${stringAt(args.props, "bucket") ?? args.name} endpoint ${url} uses plain http: ${HTTPS_ADVICE}`);
            return;
        }
        case BACKUP_STORAGE_LOCATION_TYPE: {
            const s3Url = stringAt(args.props, "spec.config.s3Url");
            if (isPlainHttp(s3Url)) {
                report(`BackupStorageLocation ${objectName(args.props)} s3Url ${s3Url} uses plain http: ${HTTPS_ADVICE}`);
            }
            return;
        }
        default:
            return args.notApplicable("no RGW endpoint in this resource type");
    }
}

export const rgwEndpointsHttps: ResourceValidationPolicy = {
    name: "rgw-endpoints-https",
    description: "RGW endpoints use https: the --endpoint, --master-url and other URL flags of scripts/rgw-multisite.sh steps, "
        + "the endpoint the backup bucket is created through, and BackupStorageLocation s3Url.",
    enforcementLevel: "advisory",
    validateResource: checkEndpoints,
};

/** Flags of rgw-multisite.sh that name a zone. */
const ZONE_FLAGS = ["zone", "peer-zone"];
const PLAIN_ALPHANUMERIC = /^[A-Za-z0-9]+$/;

export const rgwZoneNamesPlain: ResourceValidationPolicy = {
    name: "rgw-zone-names-plain",
    description: "RGW zone names are plain alphanumeric: Ceph's metrics exporter mis-parses '-', '_' and '.' in the source_zone "
        + "of the replication metrics the DR alerts use.",
    enforcementLevel: "advisory",
    validateResource: forType(STEP_TYPE, (props, args, report) => {
        const calls = rgwScriptCalls(props);
        if (calls.length === 0) return args.notApplicable("not a scripts/rgw-multisite.sh step");
        const seen = new Set<string>();
        for (const call of calls) {
            for (const flag of ZONE_FLAGS) {
                const zone = call.flags.get(flag);
                if (typeof zone !== "string" || seen.has(zone)) continue;
                seen.add(zone);
                const problem = cephNameProblem(zone);
                if (problem) {
                    report(`rgw-multisite.sh ${call.subcommand} --${flag} ${JSON.stringify(zone)} is not a valid zone name; ${problem}`);
                } else if (!PLAIN_ALPHANUMERIC.test(zone)) {
                    report(`zone name ${JSON.stringify(zone)} (rgw-multisite.sh ${call.subcommand} --${flag}) contains '-', '_' or '.': `
                        + `Ceph's metrics exporter mis-parses it in the replication metrics, so the RGW sync alerts miss this zone; `
                        + `a plain alphanumeric name such as ${JSON.stringify(zone.replace(/[^A-Za-z0-9]/g, ""))} avoids that`);
                }
            }
        }
    }),
};

export const passiveZoneStrictReadOnly: ResourceValidationPolicy = {
    name: "passive-zone-strict-read-only",
    description: "Reports the strict read-only passive zone (rgw-multisite.sh demote --read-only) and what it means for restores: "
        + "a restore writes to the bucket, so it needs a ReadWrite BackupStorageLocation on a writable zone.",
    enforcementLevel: "advisory",
    validateResource: forType(STEP_TYPE, (props, args, report) => {
        const demotes = rgwScriptCalls(props).filter((c) => c.subcommand === "demote");
        if (demotes.length === 0) return args.notApplicable("not a demote step of scripts/rgw-multisite.sh");
        for (const demote of demotes) {
            const readOnly = demote.flags.get("read-only");
            if (readOnly !== true && readOnly !== "true") continue;
            const zone = demote.flags.get("zone");
            report(`strict mode: the passive zone ${typeof zone === "string" ? zone : "(unnamed)"} is demoted with --read-only, so RGW `
                + "refuses every write to it, beyond the guard of its cluster's ReadOnly BackupStorageLocation. A restore writes its logs "
                + "and results to the bucket, and kopia must write to its repository, so nothing can be restored in that cluster until "
                + "a failover makes its zone writable (promote sets --read-only=false) and its BackupStorageLocation ReadWrite. "
                + "Plan drills and restores accordingly, or keep the passive zone writable (the default).");
            return;
        }
    }),
};
