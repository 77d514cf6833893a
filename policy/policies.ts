// Every policy of the pack, in one list: index.ts serves it, tests run it. Importing this file
// starts nothing (constructing a PolicyPack starts the policy server).
import { passiveZoneStrictReadOnly, rgwEndpointsHttps, rgwZoneNamesPlain } from "./advisory";
import { drAlertRulesDeclared } from "./monitoring";
import { Policies } from "./resources";
import { veleroOneWriter } from "./roles";
import { veleroScheduleFitsRpo } from "./schedules";
import { backupBucketProtected } from "./storage";
import { veleroAwsPluginCompatible, veleroBslCephConfig, veleroUploaderKopia, veleroValuesNoCredentials } from "./velero";

export const ALL_POLICIES: Policies = [
    veleroBslCephConfig,
    veleroValuesNoCredentials,
    veleroAwsPluginCompatible,
    veleroUploaderKopia,
    veleroScheduleFitsRpo,
    veleroOneWriter,
    backupBucketProtected,
    drAlertRulesDeclared,
    rgwEndpointsHttps,
    rgwZoneNamesPlain,
    passiveZoneStrictReadOnly,
];
