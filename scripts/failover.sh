#!/usr/bin/env bash
# failover.sh: the operator's tool for a DR failover, a drill and a restore (docs/runbook.md).
#
#   failover.sh preflight --to SITE ...      is it safe to make SITE the active site?
#   failover.sh switch --to SITE ...         make SITE active through the failover stack (Pulumi)
#   failover.sh switch --break-glass ...     the same without the Pulumi state backend
#   failover.sh restore --site SITE ...      restore a backup into SITE's cluster
#   failover.sh help                         every subcommand, flag and environment variable
#
# Exit codes: 0 done / go, 2 bad arguments (the message names the flag and what is allowed),
# 3 refused by a safety check (the message says why, and what --force would risk), 4 timed out,
# 1 anything else. Steps are printed as "==> ...", the last line is "VERDICT: ...".
#
# This is the launcher: the program is scripts/failover/cli.ts (TypeScript, run with ts-node).
# Secrets come from the environment only; never `set -x` here.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TS_NODE="$ROOT/node_modules/.bin/ts-node"
if [[ ! -x "$TS_NODE" ]]; then
  printf 'failover.sh: error: %s is missing: run npm ci in %s once (the tool is TypeScript, run with ts-node)\n' "$TS_NODE" "$ROOT" >&2
  printf 'VERDICT: FAILED: ts-node is not installed in %s (npm ci)\n' "$ROOT"
  exit 1
fi
# ts-node finds the project's tsconfig.json from the program's directory, whatever the caller's cwd.
exec "$TS_NODE" --transpile-only "$ROOT/scripts/failover/cli.ts" "$@"
