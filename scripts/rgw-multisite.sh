#!/usr/bin/env bash
# rgw-multisite.sh: the one place in this project that speaks radosgw-admin (Ceph RGW multisite).
# A launcher: the logic is TypeScript under scripts/rgw/ (cli.ts; the calls and their flags are
# described once in core/rgwCalls.ts). Interface: docs/script-contract.md; `rgw-multisite.sh --help`.
#
#   rgw-multisite.sh bootstrap-master --realm R --zonegroup G --zone Z --endpoint URL [--system-uid UID]
#   rgw-multisite.sh ensure-realm     --realm R --zonegroup G --endpoint URL    (1st half of bootstrap-master)
#   rgw-multisite.sh ensure-master-zone --realm R --zonegroup G --zone Z --endpoint URL --system-uid UID (2nd half)
#   rgw-multisite.sh join-secondary   --realm R --zonegroup G --zone Z --endpoint URL --master-url URL
#   rgw-multisite.sh ensure-user      --uid U --display-name NAME
#   rgw-multisite.sh sync-scope       [--scope zone|bucket] --bucket B --zonegroup G --zone LOCAL [--peer-zone PEER] [--repair]
#   rgw-multisite.sh status           [--zone LOCAL]
#   rgw-multisite.sh wait-caught-up   [--zone LOCAL] [--timeout S]
#   rgw-multisite.sh promote          --zone Z --zonegroup G [--peer-zone P --peer-url URL] [--force]
#   rgw-multisite.sh demote           --zone Z --master-url URL [--read-only]
#   rgw-multisite.sh fence            --zone Z
#   rgw-multisite.sh backup-objects   --bucket B --backup NAME [--zone LOCAL]   (read-only)
#
# Environment: RGW_ADMIN, RGW_RESTART, RGW_PEER_ADMIN, RGW_PEER_RESTART (word-split commands),
# RGW_SYSTEM_*/RGW_USER_* keys (secrets: environment only), RGW_WAIT_TIMEOUT, RGW_POLL_INTERVAL,
# RGW_LIST_PAGE. Exit codes: 0 ok/no change, 2 bad arguments, 3 refused, 4 timed out, 1 else.
#
# Never `set -x` here: radosgw-admin needs the keys as arguments and they must not be traced.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Nothing reads stdin; an inherited one (Pulumi's) may never close, and `ssh` prefixes would swallow it.
TS_NODE_PROJECT="$ROOT/tsconfig.json" exec node --require "$ROOT/node_modules/ts-node/register/transpile-only" "$ROOT/scripts/rgw/cli.ts" "$@" </dev/null
