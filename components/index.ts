export * from "./rgwScript";
export * from "./s3Keys";
export * from "./rgwZoneGroup";
export * from "./rgwZone";
export * from "./globalS3User";
export * from "./syncGroup";
export * from "./veleroInstall";
export * from "./drAlertRules";
