// Velero in each cluster: its BackupStorageLocation as Ceph RGW needs it, and the Helm release's
// values (no keys in them, an AWS plugin that fits Velero and works with Ceph, kopia only).
import { endpointProblem } from "../core/validators";
import { VELERO_CREDENTIALS_SECRET_NAME, VELERO_REPO_CREDENTIALS_SECRET_NAME } from "../core/velero/renderers";
import {
    AWS_PLUGIN_IMAGE_REPOSITORY, chartVersionProblem, checkPluginCompatibility, normalizeVersion, veleroVersionForChart,
} from "../core/velero/versions";
import {
    BACKUP_STORAGE_LOCATION_TYPE, HELM_RELEASE_TYPE, ResourceValidationPolicy, forType, isRecord, isVeleroRelease,
    objectName, stringAt, valueAt,
} from "./resources";

/** What every BackupStorageLocation of this project must carry for Ceph RGW (DESIGN section 5). */
export const veleroBslCephConfig: ResourceValidationPolicy = {
    name: "velero-bsl-ceph-config",
    description: "A Velero BackupStorageLocation on Ceph RGW sets config s3Url (the local zone's endpoint), "
        + "region (the zonegroup), s3ForcePathStyle \"true\" and an empty checksumAlgorithm (Ceph rejects the plugin's default CRC32).",
    enforcementLevel: "mandatory",
    validateResource: forType(BACKUP_STORAGE_LOCATION_TYPE, (props, args, report) => {
        const provider = stringAt(props, "spec.provider");
        if (provider !== "aws" && provider !== "velero.io/aws") {
            return args.notApplicable(`BackupStorageLocation with provider ${JSON.stringify(provider)}: not an S3 (Ceph RGW) location`);
        }
        const where = `BackupStorageLocation ${objectName(props)}`;
        const config = valueAt(props, "spec.config");
        if (!isRecord(config)) {
            report(`${where} has no spec.config; Ceph RGW needs s3Url, region, s3ForcePathStyle "true" and checksumAlgorithm ""`);
            return;
        }
        const s3Url = config.s3Url;
        if (typeof s3Url !== "string" || s3Url === "") {
            report(`${where}: spec.config.s3Url is missing; set it to the local RGW zone's endpoint (without it the plugin talks to AWS)`);
        } else {
            const problem = endpointProblem(s3Url);
            if (problem) report(`${where}: spec.config.s3Url ${JSON.stringify(s3Url)} is not allowed; ${problem}`);
        }
        if (typeof config.region !== "string" || config.region === "") {
            report(`${where}: spec.config.region is missing; set it to the RGW zonegroup's name, which RGW takes as the S3 region`);
        }
        if (config.s3ForcePathStyle !== "true") {
            report(`${where}: spec.config.s3ForcePathStyle is ${JSON.stringify(config.s3ForcePathStyle)}; it must be the string "true" (RGW serves buckets by path, not by virtual host)`);
        }
        if (config.checksumAlgorithm !== "") {
            report(`${where}: spec.config.checksumAlgorithm is ${JSON.stringify(config.checksumAlgorithm)}; it must be "" (present and empty): Ceph RGW rejects the plugin's default CRC32 checksum headers`);
        }
    }),
};

/** Key names that hold credentials, wherever they appear in the values. */
const CREDENTIAL_KEY = /(access[-_]?key|secret[-_]?(access[-_]?)?key|session[-_]?token|password|passwd|secretContents)/i;
/** Text of an AWS credentials file, as the chart's credentials.secretContents.cloud would hold it. */
const CREDENTIALS_FILE_TEXT = /aws_(access_key_id|secret_access_key)\s*=/i;
/** An S3 access key on its own: 20 upper-case letters and digits (RGW's and AWS's format). */
const ACCESS_KEY_SHAPE = /^[A-Z0-9]{20}$/;

function hasContent(value: unknown): boolean {
    if (value === undefined || value === null || value === "" || value === false) return false;
    if (Array.isArray(value)) return value.length > 0;
    if (isRecord(value)) return Object.keys(value).length > 0;
    return true;
}

/** Paths in the values where a credential is, never the credential itself. */
export function credentialPaths(values: unknown, path = "values"): string[] {
    if (Array.isArray(values)) return values.flatMap((v, i) => credentialPaths(v, `${path}[${i}]`));
    if (isRecord(values)) {
        // An environment variable entry: {name: AWS_SECRET_ACCESS_KEY, value: ...}.
        if (typeof values.name === "string" && CREDENTIAL_KEY.test(values.name) && hasContent(values.value)) {
            return [`${path} (${values.name})`];
        }
        return Object.entries(values).flatMap(([key, value]) => {
            const at = `${path}.${key}`;
            if (CREDENTIAL_KEY.test(key) && hasContent(value)) return [at];
            return credentialPaths(value, at);
        });
    }
    if (typeof values === "string" && (CREDENTIALS_FILE_TEXT.test(values) || ACCESS_KEY_SHAPE.test(values.trim()))) return [path];
    return [];
}

/** Helm values end up in the release's state and history in clear: keys go through a Secret. */
export const veleroValuesNoCredentials: ResourceValidationPolicy = {
    name: "velero-values-no-credentials",
    description: "The Velero Helm release's values carry no credentials (no credentials.secretContents, no access or secret keys, "
        + `no passwords); the S3 keys come from the Secret ${VELERO_CREDENTIALS_SECRET_NAME} through credentials.existingSecret.`,
    enforcementLevel: "mandatory",
    validateResource: forType(HELM_RELEASE_TYPE, (props, args, report) => {
        if (!isVeleroRelease(props)) return args.notApplicable("not the Velero chart");
        const values = valueAt(props, "values");
        for (const path of credentialPaths(values)) {
            report(`Velero Helm values hold a credential at ${path}: values are stored in clear in the Helm release and Pulumi state; `
                + `put the keys in the Secret ${VELERO_CREDENTIALS_SECRET_NAME} and reference it with credentials.existingSecret`);
        }
        if (valueAt(values, "credentials.useSecret") !== false && !stringAt(values, "credentials.existingSecret")) {
            report(`Velero Helm values: credentials.existingSecret is not set, so the chart would create the credentials Secret from values; `
                + `set it to ${VELERO_CREDENTIALS_SECRET_NAME}, the Secret declared beside the release`);
        }
    }),
};

/** The tag of an image reference (`repo:tag` or `repo:tag@sha256:...`), or undefined. */
function imageTag(image: string): string | undefined {
    const withoutDigest = image.split("@")[0];
    const lastSlash = withoutDigest.lastIndexOf("/");
    const colon = withoutDigest.lastIndexOf(":");
    return colon > lastSlash ? withoutDigest.slice(colon + 1) : undefined;
}

function imageRepository(image: string): string {
    const withoutDigest = image.split("@")[0];
    const colon = withoutDigest.lastIndexOf(":");
    return colon > withoutDigest.lastIndexOf("/") ? withoutDigest.slice(0, colon) : withoutDigest;
}

const AWS_PLUGIN_NAME = AWS_PLUGIN_IMAGE_REPOSITORY.split("/").pop() as string;

/** Init containers that install velero-plugin-for-aws, from Docker Hub or a mirror. */
function awsPluginImages(values: unknown): string[] {
    const initContainers = valueAt(values, "initContainers");
    if (!Array.isArray(initContainers)) return [];
    return initContainers
        .map((c) => stringAt(c, "image"))
        .filter((image): image is string => image !== undefined && imageRepository(image).split("/").pop() === AWS_PLUGIN_NAME);
}

export const veleroAwsPluginCompatible: ResourceValidationPolicy = {
    name: "velero-aws-plugin-compatible",
    description: "The Velero Helm release installs exactly one velero-plugin-for-aws init container whose version fits the chart's Velero "
        + "version and is not known to break on Ceph RGW (1.14.1 fails every upload, 1.14.2 writes corrupt backups).",
    enforcementLevel: "mandatory",
    validateResource: forType(HELM_RELEASE_TYPE, (props, args, report) => {
        if (!isVeleroRelease(props)) return args.notApplicable("not the Velero chart");
        const values = valueAt(props, "values");
        // A server image override decides the Velero version; otherwise the chart version does.
        const serverTag = stringAt(values, "image.tag");
        let veleroVersion: string | undefined;
        if (serverTag) {
            veleroVersion = normalizeVersion(serverTag);
        } else {
            const chartVersion = stringAt(props, "version");
            const problem = chartVersion === undefined ? "allowed: a pinned chart version" : chartVersionProblem(chartVersion);
            if (problem) {
                report(`Velero chart version ${JSON.stringify(chartVersion)} is not allowed, so the plugin cannot be checked against Velero; ${problem}`);
            } else {
                veleroVersion = veleroVersionForChart(chartVersion as string);
            }
        }
        const images = awsPluginImages(values);
        if (images.length !== 1) {
            report(`Velero Helm values have ${images.length} ${AWS_PLUGIN_NAME} init containers in initContainers; exactly one is needed `
                + `(${AWS_PLUGIN_IMAGE_REPOSITORY}:v<version>) for Velero to reach the Ceph RGW bucket`);
            return;
        }
        const tag = imageTag(images[0]);
        if (!tag) {
            report(`${AWS_PLUGIN_NAME} image ${JSON.stringify(images[0])} has no version tag; pin a tag such as v1.14.3 so its version can be checked`);
            return;
        }
        if (!veleroVersion) return;
        const refusal = checkPluginCompatibility(veleroVersion, normalizeVersion(tag));
        if (refusal) report(`${AWS_PLUGIN_NAME} image ${JSON.stringify(images[0])}: ${refusal}`);
    }),
};

/** Restic switches of older charts and Velero versions: restic is gone since Velero 1.17. */
const RESTIC_KEYS = /restic/i;

function resticPaths(values: unknown, path = "values"): string[] {
    if (Array.isArray(values)) return values.flatMap((v, i) => resticPaths(v, `${path}[${i}]`));
    if (!isRecord(values)) return [];
    return Object.entries(values).flatMap(([key, value]) => {
        const at = `${path}.${key}`;
        if (RESTIC_KEYS.test(key) && hasContent(value)) return [at];
        return resticPaths(value, at);
    });
}

export const veleroUploaderKopia: ResourceValidationPolicy = {
    name: "velero-uploader-kopia",
    description: "The Velero Helm release uses kopia for file-system backups through the node agent: configuration.uploaderType is "
        + "\"kopia\" and no restic setting is present (restic is gone since Velero 1.17; the kopia repository is shared by both clusters).",
    enforcementLevel: "mandatory",
    validateResource: forType(HELM_RELEASE_TYPE, (props, args, report) => {
        if (!isVeleroRelease(props)) return args.notApplicable("not the Velero chart");
        const values = valueAt(props, "values");
        const uploader = valueAt(values, "configuration.uploaderType");
        if (uploader !== "kopia") {
            report(`Velero Helm values: configuration.uploaderType is ${JSON.stringify(uploader)}; set it to "kopia" `
                + `(the repository both clusters share, with the password in ${VELERO_REPO_CREDENTIALS_SECRET_NAME}, is a kopia repository)`);
        }
        for (const path of resticPaths(values)) {
            report(`Velero Helm values set ${path}: restic is gone since Velero 1.17; file-system backups run in the node agent with kopia`);
        }
    }),
};
