// The DR roles across the failover stack: one cluster writes (its BackupStorageLocation is
// ReadWrite and it runs the Schedules), the other only reads the replicated backups. Clusters are
// told apart by the Kubernetes provider of each object.
import { DEFAULT_BACKUP_STORAGE_LOCATION } from "../core/velero/renderers";
import {
    BACKUP_STORAGE_LOCATION_TYPE, Cluster, PolicyResource, SCHEDULE_TYPE, StackValidationPolicy, clusterOf, objectName,
    stringAt,
} from "./resources";

/** Velero's default when a BackupStorageLocation has no accessMode. */
const DEFAULT_ACCESS_MODE = "ReadWrite";

interface Location {
    resource: PolicyResource;
    cluster: Cluster;
    name: string;
    accessMode: string;
    bucket?: string;
    prefix?: string;
}

function locationOf(resource: PolicyResource): Location {
    return {
        resource,
        cluster: clusterOf(resource),
        name: stringAt(resource.props, "metadata.name") ?? "",
        accessMode: stringAt(resource.props, "spec.accessMode") ?? DEFAULT_ACCESS_MODE,
        bucket: stringAt(resource.props, "spec.objectStorage.bucket"),
        prefix: stringAt(resource.props, "spec.objectStorage.prefix"),
    };
}

function describe(l: Location): string {
    return `BackupStorageLocation ${objectName(l.resource.props)} (${l.accessMode}, ${l.cluster.label})`;
}

export const veleroOneWriter: StackValidationPolicy = {
    name: "velero-one-writer",
    description: "Across the failover stack exactly one BackupStorageLocation is ReadWrite and the other cluster's is ReadOnly "
        + "(none when that site is unreachable), both on the same bucket, one per cluster; Schedules exist only in the cluster "
        + "whose location is ReadWrite and write to it.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const locations = args.resources.filter((r) => r.type === BACKUP_STORAGE_LOCATION_TYPE).map(locationOf);
        const schedules = args.resources.filter((r) => r.type === SCHEDULE_TYPE);
        if (locations.length === 0 && schedules.length === 0) {
            return args.notApplicable("no BackupStorageLocation or Schedule in this stack");
        }

        for (const l of locations) {
            if (l.accessMode !== "ReadWrite" && l.accessMode !== "ReadOnly") {
                report(`${describe(l)}: spec.accessMode must be "ReadWrite" or "ReadOnly"`, l.resource.urn);
            }
        }
        const byCluster = new Map<string, Location[]>();
        for (const l of locations) byCluster.set(l.cluster.key, [...(byCluster.get(l.cluster.key) ?? []), l]);
        for (const inCluster of byCluster.values()) {
            if (inCluster.length > 1) {
                report(`${inCluster[0].cluster.label} has ${inCluster.length} BackupStorageLocations (${inCluster.map(describe).join("; ")}); `
                    + "each cluster has one, and its access mode is the cluster's role", inCluster[1].resource.urn);
            }
        }

        const writers = locations.filter((l) => l.accessMode === "ReadWrite");
        const readers = locations.filter((l) => l.accessMode === "ReadOnly");
        if (writers.length === 0) {
            report(`no BackupStorageLocation is ReadWrite (${locations.map(describe).join("; ") || "none declared"}): `
                + "no cluster can take backups; the active site's location must be ReadWrite");
        } else if (writers.length > 1) {
            report(`${writers.length} BackupStorageLocations are ReadWrite (${writers.map(describe).join("; ")}): both clusters would `
                + "write backups and kopia repository data into the same replicated bucket; only the active site's location may be ReadWrite",
            writers[1].resource.urn);
        }
        if (readers.length > 1) {
            report(`${readers.length} BackupStorageLocations are ReadOnly (${readers.map(describe).join("; ")}); only the passive site has one`,
                readers[1].resource.urn);
        }
        for (const reader of readers) {
            for (const writer of writers) {
                if (reader.bucket !== writer.bucket || (reader.prefix ?? "") !== (writer.prefix ?? "")) {
                    report(`${describe(reader)} reads bucket ${JSON.stringify(reader.bucket)} prefix ${JSON.stringify(reader.prefix ?? "")}, `
                        + `but ${describe(writer)} writes bucket ${JSON.stringify(writer.bucket)} prefix ${JSON.stringify(writer.prefix ?? "")}: `
                        + "the passive cluster would not see the active one's backups", reader.resource.urn);
                }
            }
        }

        const writerClusters = new Map(writers.map((w) => [w.cluster.key, w]));
        for (const schedule of schedules) {
            const cluster = clusterOf(schedule);
            const where = `Schedule ${objectName(schedule.props)} (${cluster.label})`;
            const writer = writerClusters.get(cluster.key);
            if (!writer) {
                report(`${where} is in a cluster without a ReadWrite BackupStorageLocation; Schedules belong only in the active cluster `
                    + `(${writers.map((w) => w.cluster.label).join(", ") || "none is ReadWrite"})`, schedule.urn);
                continue;
            }
            const target = stringAt(schedule.props, "spec.template.storageLocation") || DEFAULT_BACKUP_STORAGE_LOCATION;
            if (target !== writer.name) {
                report(`${where} writes to storage location ${JSON.stringify(target)}, but its cluster's ReadWrite location is `
                    + `${JSON.stringify(writer.name)}`, schedule.urn);
            }
        }
    },
};
