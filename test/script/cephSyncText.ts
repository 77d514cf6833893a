// `radosgw-admin sync status` as Ceph 16.2.15 prints it (text only, trimmed), shared by the tests
// of the scripts that parse it.
export const CEPH_IDS = { realm: "a900410c-realm", zg: "9970e673-zonegroup", zonea: "32d98fe3-zonea", zoneb: "85c91c23-zoneb" } as const;

type Zone = "zonea" | "zoneb";
const other = (zone: Zone): Zone => (zone === "zonea" ? "zoneb" : "zonea");

/** The realm/zonegroup/zone lines every sync and bucket sync status starts with. */
export const syncHeader = (zone: Zone) => `          realm ${CEPH_IDS.realm} (dr)
      zonegroup ${CEPH_IDS.zg} (global)
           zone ${CEPH_IDS[zone]} (${zone})
`;

const dataSource = (zone: Zone, body: string) => `      data sync source: ${CEPH_IDS[other(zone)]} (${other(zone)})
${body}`;

const CAUGHT_UP_DATA = `                        syncing
                        full sync: 0/128 shards
                        incremental sync: 128/128 shards
                        data is caught up with source
`;

/** Zone B, secondary: metadata and data caught up. */
export const SYNC_B_CAUGHT_UP = `${syncHeader("zoneb")}  metadata sync syncing
                full sync: 0/64 shards
                incremental sync: 64/64 shards
                metadata is caught up with master
${dataSource("zoneb", CAUGHT_UP_DATA)}`;

/** Zone B, secondary: metadata and data behind on two shards each. */
export const SYNC_B_BEHIND = `${syncHeader("zoneb")}  metadata sync syncing
                full sync: 0/64 shards
                incremental sync: 64/64 shards
                metadata is behind on 2 shards
                behind shards: [7,19]
                oldest incremental change not applied: 2026-11-24T10:03:47.809898+0000 [7]
${dataSource("zoneb", `                        syncing
                        full sync: 0/128 shards
                        incremental sync: 128/128 shards
                        data is behind on 2 shards
                        behind shards: [115,119]
                        oldest incremental change not applied: 2026-11-24T10:03:47.809898+0000 [115]
`)}`;

/** Zone B while the master's gateway is down: no "incremental sync" line, errors instead. */
export const SYNC_B_MASTER_DOWN = `${syncHeader("zoneb")}  metadata sync syncing
                full sync: 0/64 shards
                failed to fetch master sync status: (5) Input/output error
${dataSource("zoneb", `                        failed to retrieve sync info: (5) Input/output error
`)}`;

/** The trap: a zone whose sync never started says "caught up" with state init and 0/0 shards. */
export const SYNC_A_INIT = `${syncHeader("zonea")}  metadata sync no sync (zone is master)
${dataSource("zonea", `                        init
                        full sync: 0/0 shards
                        incremental sync: 0/0 shards
                        data is caught up with source
`)}`;

/** Zone A, metadata master, data from B caught up. */
export const SYNC_A_MASTER = `${syncHeader("zonea")}  metadata sync no sync (zone is master)
${dataSource("zonea", CAUGHT_UP_DATA)}`;

/**
 * What `radosgw-admin period update --commit` prints (stderr, exit 22) when it would change the
 * metadata master to a zone whose metadata sync is on an older realm epoch (Ceph 16.2
 * RGWPeriod::update_sync_status, then commit_period in radosgw-admin).
 */
export const PROMOTE_STALE_REFUSED = (behind: number) => `ERROR: This zone is ${behind} period(s) behind the current master zone in metadata sync. If this zone is promoted to master, any metadata changes during that time are likely to be lost.
Waiting for this zone to catch up on metadata sync (see 'radosgw-admin sync status') is recommended.
To promote this zone to master anyway, add the flag --yes-i-really-mean-it.
failed to commit period: (22) Invalid argument
`;
