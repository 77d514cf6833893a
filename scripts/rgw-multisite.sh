#!/usr/bin/env bash
# rgw-multisite.sh: the one place in this project that speaks radosgw-admin (Ceph RGW multisite).
# Interface: docs/script-contract.md. Every subcommand is "ensure": it creates what is absent, never
# flips a role on a re-run, and a re-run with the same arguments changes nothing and exits 0.
#
#   rgw-multisite.sh bootstrap-master --realm R --zonegroup G --zone Z --endpoint URL [--system-uid UID]
#   rgw-multisite.sh ensure-realm     --realm R --zonegroup G --endpoint URL    (1st half of bootstrap-master)
#   rgw-multisite.sh ensure-master-zone --realm R --zonegroup G --zone Z --endpoint URL --system-uid UID (2nd half)
#   rgw-multisite.sh join-secondary   --realm R --zonegroup G --zone Z --endpoint URL --master-url URL
#   rgw-multisite.sh ensure-user      --uid U --display-name NAME
#   rgw-multisite.sh sync-scope       [--scope zone|bucket] --bucket B --zonegroup G --zone LOCAL --peer-zone PEER [--repair]
#   rgw-multisite.sh status           [--zone LOCAL]
#   rgw-multisite.sh wait-caught-up   [--zone LOCAL] [--timeout S]
#   rgw-multisite.sh promote          --zone Z --zonegroup G [--peer-zone P --peer-url URL] [--force]
#   rgw-multisite.sh demote           --zone Z --master-url URL [--read-only]
#   rgw-multisite.sh fence            --zone Z
#   rgw-multisite.sh backup-objects   --bucket B --backup NAME [--zone LOCAL]   (read-only)
#
# Environment: RGW_ADMIN (radosgw-admin command prefix, word-split; default radosgw-admin),
# RGW_RESTART (gateway restart command, word-split), RGW_SYSTEM_ACCESS_KEY/RGW_SYSTEM_SECRET_KEY,
# RGW_USER_ACCESS_KEY/RGW_USER_SECRET_KEY (secrets: environment only, never printed),
# RGW_WAIT_TIMEOUT (s, default 300), RGW_POLL_INTERVAL (s, default 2), RGW_LIST_PAGE (objects per
# `bucket list` call, default 1000), RGW_PEER_ADMIN (optional:
# the peer site's radosgw-admin prefix, only used by `sync-scope --repair` to see the peer's view).
# Exit codes: 0 ok/no change, 2 bad arguments, 3 refused by a preflight, 4 timed out, 1 anything else.
# Progress goes to stderr ("==> ..."); machine output (status JSON) to stdout.
#
# Never `set -x` here: radosgw-admin needs the keys as arguments and they must not be traced.
set -euo pipefail

PROG=rgw-multisite.sh
SUBCOMMAND=""

# Names of the sync-policy objects this script owns (opt-in bucket scope).
ZG_GROUP=dr-zonegroup     # zonegroup-level group, status allowed
ZG_FLOW=dr-symmetrical    # its symmetrical flow over the zones
ZG_PIPE=dr-all            # its pipe * -> *
BUCKET_GROUP=dr-bucket    # bucket-level group, status enabled (on the metadata master only)
BUCKET_PIPE=dr-bucket     # its pipe (source/dest zones *)

# ---------------------------------------------------------------------------------------------
# Output, errors, secrets
# ---------------------------------------------------------------------------------------------

step() { printf '==> %s\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}
refuse() {
  printf '%s: refused: %s\n' "$PROG" "$*" >&2
  exit 3
}
timed_out() {
  printf '%s: timed out: %s\n' "$PROG" "$*" >&2
  exit 4
}
usage_error() {
  printf '%s%s: %s\n' "$PROG" "${SUBCOMMAND:+ $SUBCOMMAND}" "$*" >&2
  printf 'usage: see the header of scripts/rgw-multisite.sh or docs/script-contract.md\n' >&2
  exit 2
}

# Replace every secret value from the environment by ***. Applied to anything radosgw-admin or a
# restart command says before it reaches our stderr. Values shorter than 4 characters are left
# alone (they would mangle ordinary text; such keys are not real keys anyway).
redact() {
  local text="$1" var value
  for var in RGW_SYSTEM_SECRET_KEY RGW_SYSTEM_ACCESS_KEY RGW_USER_SECRET_KEY RGW_USER_ACCESS_KEY; do
    value="${!var:-}"
    ((${#value} >= 4)) || continue
    text="${text//"$value"/***}"
  done
  printf '%s' "$text"
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/rgw-multisite.XXXXXX")
chmod 700 "$WORK"
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------------------------------------
# JSON and text parsing: one helper, node (node 20 is on every machine that runs Pulumi here).
# js BODY [ARGS...]: BODY is the body of an async JavaScript function; `input` is stdin as text,
# `json()` parses it, `file(p)`/`jsonFile(p)` read files, `args` holds ARGS, `env` the environment,
# `fail(msg)` aborts with msg. A returned string is printed as is, anything else as JSON.
# stdin is always read: callers that pipe nothing in redirect it from /dev/null (an inherited stdin,
# e.g. Pulumi's, may never close).
# Parse errors never quote the input (it may hold keys).
# ---------------------------------------------------------------------------------------------

JS_PRELUDE='
"use strict";
const fs = require("fs");
const args = process.argv.slice(1);
const env = process.env;
const input = (() => { try { return fs.readFileSync(0, "utf8"); } catch (e) { return ""; } })();
class Own extends Error {}
const fail = (m) => { throw new Own(m); };
const parse = (text, what) => {
  try { return JSON.parse(text); } catch (e) {}
  /* radosgw-admin behind some prefixes prints banner lines first: start at the first { or [ line */
  const i = text.search(/^[ \t]*[[{]/m);
  if (i > 0) { try { return JSON.parse(text.slice(i)); } catch (e) {} }
  fail("could not parse " + what + " as JSON");
};
const json = () => parse(input, "radosgw-admin output");
const file = (p) => fs.readFileSync(p, "utf8");
const jsonFile = (p) => parse(file(p), p.replace(/^.*\//, ""));
'

js() {
  local body="$1"
  shift
  node -e "$JS_PRELUDE
(async () => { $body })().then((out) => {
  if (out === undefined || out === null) return;
  process.stdout.write(typeof out === 'string' ? out : JSON.stringify(out));
}, (e) => {
  process.stderr.write('$PROG: ' + (e instanceof Own ? e.message : 'internal error in a parser (' + e.name + ')') + '\n');
  process.exit(1);
});" -- "$@"
}

# ---------------------------------------------------------------------------------------------
# radosgw-admin and the restart command
# ---------------------------------------------------------------------------------------------

ADMIN=()
RESTART=()
load_settings() {
  # shellcheck disable=SC2206 # word-splitting RGW_ADMIN/RGW_RESTART is the documented interface
  ADMIN=(${RGW_ADMIN:-radosgw-admin})
  ((${#ADMIN[@]})) || usage_error "RGW_ADMIN is empty: set it to the radosgw-admin command of this site (default radosgw-admin)"
  # shellcheck disable=SC2206
  RESTART=(${RGW_RESTART:-})
  WAIT_TIMEOUT=${RGW_WAIT_TIMEOUT:-300}
  [[ "$WAIT_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || usage_error "RGW_WAIT_TIMEOUT must be a positive number of seconds"
  POLL_INTERVAL=${RGW_POLL_INTERVAL:-2}
  [[ "$POLL_INTERVAL" =~ ^([0-9]+(\.[0-9]+)?)$ && ! "$POLL_INTERVAL" =~ ^0+(\.0+)?$ ]] ||
    usage_error "RGW_POLL_INTERVAL must be a positive number of seconds"
}

require_restart() {
  ((${#RESTART[@]})) || usage_error "RGW_RESTART is not set: $SUBCOMMAND restarts the gateway; set RGW_RESTART to the command that (re)starts this site's radosgw"
}

require_env() {
  local var
  for var in "$@"; do
    [[ -n "${!var:-}" ]] || usage_error "environment variable $var is not set (secrets are read from the environment only)"
  done
}

# rgw ARGS...: run radosgw-admin through the RGW_ADMIN prefix. Its stdout lands in $RGW_OUT (never
# printed by us: zone/user output contains keys), its stderr, redacted, in $RGW_ERR. Returns its status.
#
# Every call names the realm, zonegroup and zone it is about (SCOPE_*, set once per subcommand from
# its flags or by derive_scope): flags the call does not carry yet are appended. Nothing relies on
# the default realm/zonegroup/zone (Rook sets no default realm). Calls that name another zone (the
# peer's) pass --rgw-zone themselves. Exceptions, listed in test/script/rgw-multisite.test.ts:
# `realm|zonegroup|zone list` (they list .rgw.root as a whole; rgw_list runs them unscoped) and the
# derivation itself (`zone get` of the named zone, `realm get --realm-id`, the first `period get`
# of a subcommand that is not told the zonegroup).
SCOPE_REALM="" SCOPE_ZG="" SCOPE_ZONE="" SCOPE_OFF=0
RGW_OUT="" RGW_ERR=""
rgw() { rgw_with ADMIN "$@"; }
rgw_with() {
  local -n _prefix="$1"
  shift
  local rc=0 scoped=() have=" $* "
  if ((!SCOPE_OFF)); then
    [[ -z "$SCOPE_REALM" || "$have" == *" --rgw-realm"[\ =]* || "$have" == *" --realm-id"[\ =]* ]] || scoped+=(--rgw-realm "$SCOPE_REALM")
    [[ -z "$SCOPE_ZG" || "$have" == *" --rgw-zonegroup"[\ =]* ]] || scoped+=(--rgw-zonegroup "$SCOPE_ZG")
    [[ -z "$SCOPE_ZONE" || "$have" == *" --rgw-zone"[\ =]* ]] || scoped+=(--rgw-zone "$SCOPE_ZONE")
  fi
  RGW_OUT=$("${_prefix[@]}" "$@" "${scoped[@]}" 2>"$WORK/stderr") || rc=$?
  RGW_ERR=$(redact "$(cat "$WORK/stderr")")
  return "$rc"
}

# Same, but a failure ends the script (exit 1) with radosgw-admin's own words.
rgw_must() {
  local rc=0
  rgw "$@" || rc=$?
  if ((rc != 0)); then
    printf '%s: error: radosgw-admin %s failed (exit %s)\n' "$PROG" "$(redact "$*")" "$rc" >&2
    [[ -z "$RGW_ERR" ]] || printf '%s\n' "$RGW_ERR" | sed 's/^/    /' >&2
    exit 1
  fi
}

rgw_must_with() {
  local rc=0 prefix="$1"
  shift
  rgw_with "$prefix" "$@" || rc=$?
  if ((rc != 0)); then
    printf '%s: error: radosgw-admin (%s) %s failed (exit %s)\n' "$PROG" "$prefix" "$(redact "$*")" "$rc" >&2
    [[ -z "$RGW_ERR" ]] || printf '%s\n' "$RGW_ERR" | sed 's/^/    /' >&2
    exit 1
  fi
}

# radosgw-admin answers ENOENT when the thing (or .rgw.root itself, on a fresh cluster) is absent.
rgw_enoent() { [[ "$RGW_ERR" == *"(2) No such file or directory"* ]]; }

# list KIND: the names of realms/zonegroups/zones (empty on a fresh cluster), one per line.
list_names() {
  local kind="$1" rc=0
  SCOPE_OFF=1
  rgw "$kind" list || rc=$?
  SCOPE_OFF=0
  if ((rc != 0)); then
    rgw_enoent && return 0
    die "radosgw-admin $kind list failed: $RGW_ERR"
  fi
  printf '%s' "$RGW_OUT" | js 'const d = json(); return (d[args[0]] || []).join("\n");' "${kind}s"
}
# Predicates below are called from `if`, where bash ignores errexit: every step checks explicitly.
has_name() {
  local names
  names=$(list_names "$1") || die "could not list ${1}s"
  grep -Fxq -- "$2" <<<"$names"
}

restart_gateway() {
  local rc=0 out
  step "restarting the gateway ($(redact "${RESTART[*]}"))"
  out=$("${RESTART[@]}" 2>&1) || rc=$?
  [[ -z "$out" ]] || printf '%s\n' "$(redact "$out")" | sed 's/^/    /' >&2
  ((rc == 0)) || die "the restart command failed (exit $rc)"
}

# probe URL: 0 = HTTP answer, 1 = connection refused (no gateway), 2 = no answer in time (a
# gateway that pauses its frontends for a realm reload accepts TCP but does not answer).
probe() {
  js 'try { await fetch(args[0], { signal: AbortSignal.timeout(2000), redirect: "manual" }); return "0"; }
      catch (e) { const c = (e.cause && e.cause.code) || ""; return c === "ECONNREFUSED" ? "1" : "2"; }' "$1" </dev/null
}

# After a period commit a running radosgw reloads its realm (pauses frontends, re-inits). Killing it
# in the middle can leave it hung (Pacific), so before a restart wait until it answers again or is
# not running at all (bounded: 60 s).
settle_gateway() {
  local endpoints="$1" deadline url r
  deadline=$((SECONDS + (WAIT_TIMEOUT < 60 ? WAIT_TIMEOUT : 60)))
  sleep "$POLL_INTERVAL" # the reload starts on the commit's watch notify, a moment after the commit returns
  while ((SECONDS < deadline)); do
    for url in ${endpoints//,/ }; do
      r=$(probe "$url")
      [[ "$r" != 2 ]] && return 0
    done
    sleep "$POLL_INTERVAL"
  done
}

wait_gateway() {
  local endpoints="$1" deadline=$((SECONDS + WAIT_TIMEOUT)) url
  while :; do
    for url in ${endpoints//,/ }; do
      if [[ $(probe "$url") == 0 ]]; then
        info "gateway answers at $url"
        return 0
      fi
    done
    ((SECONDS < deadline)) || timed_out "the gateway does not answer at $endpoints after ${WAIT_TIMEOUT}s"
    sleep "$POLL_INTERVAL"
  done
}

# ---------------------------------------------------------------------------------------------
# Flags and validation
# ---------------------------------------------------------------------------------------------

# Flags: scripts/lib/flags.sh (parse_flags, opt, has_opt, require_flags).
# shellcheck disable=SC2034 # read by lib/flags.sh
SECRETS_FROM="RGW_SYSTEM_ACCESS_KEY/RGW_SYSTEM_SECRET_KEY, RGW_USER_ACCESS_KEY/RGW_USER_SECRET_KEY"
# shellcheck source=lib/flags.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/flags.sh"

# Realm/zonegroup/zone names: alphanumeric plus - and _ (plain alphanumeric is advised: the
# Pacific prometheus exporter mis-parses zone names with - _ or .).
check_name() {
  local flag="$1" v="${OPT[$1]:-}"
  [[ -n "$v" ]] || return 0
  [[ "$v" =~ ^[A-Za-z0-9_-]{1,64}$ ]] ||
    usage_error "--$flag must be 1-64 characters of A-Z a-z 0-9 - _ (got an invalid value)"
}

# One URL or a comma-separated list (radosgw-admin --endpoints takes a list).
check_url() {
  local flag="$1" v="${OPT[$1]:-}" u
  [[ -n "$v" ]] || return 0
  local re='^https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?$'
  for u in ${v//,/ }; do
    [[ "$u" =~ $re ]] || usage_error "--$flag must be an http:// or https:// URL (host[:port][/path], comma-separated for several); got '$u'"
  done
  [[ "$v" != *,,* && "$v" != ,* && "$v" != *, ]] || usage_error "--$flag: empty entry in the URL list"
}

# S3 bucket naming rules (the subset that matters on RGW with path-style access).
check_bucket() {
  local flag="$1" v="${OPT[$1]:-}"
  [[ -n "$v" ]] || return 0
  if [[ ! "$v" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ || "$v" == *..* || "$v" == *.-* || "$v" == *-.* ||
    "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ || "$v" == xn--* || "$v" == *-s3alias ]]; then
    usage_error "--$flag must be a valid S3 bucket name: 3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit, no '..', not an IP address; got '$v'"
  fi
}

check_uid() {
  local flag="$1" v="${OPT[$1]:-}"
  [[ -n "$v" ]] || return 0
  [[ "$v" =~ ^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$ ]] ||
    usage_error "--$flag must be 1-128 characters of A-Z a-z 0-9 _ . @ -, starting with a letter or digit; got '$v'"
}

check_display_name() {
  local flag="$1" v="${OPT[$1]:-}"
  [[ -n "$v" && ${#v} -le 256 && "$v" != *[[:cntrl:]]* ]] ||
    usage_error "--$flag must be 1-256 printable characters"
}

check_seconds() {
  local flag="$1" v="${OPT[$1]:-}"
  [[ -n "$v" ]] || return 0
  [[ "$v" =~ ^[1-9][0-9]{0,6}$ ]] || usage_error "--$flag must be a positive whole number of seconds; got '$v'"
}

# ---------------------------------------------------------------------------------------------
# Reading the state: period, zones, sync status
# ---------------------------------------------------------------------------------------------

# load_period [REALM]: the realm's current period into $WORK/period.json.
load_period() {
  local realm_args=()
  [[ -z "${1:-}" ]] || realm_args=(--rgw-realm "$1")
  rgw_must period get "${realm_args[@]}"
  printf '%s' "$RGW_OUT" >"$WORK/period.json"
  # A subcommand that is not told the zonegroup learns it from the first period it reads.
  if [[ -z "$SCOPE_ZG" && -n "$SCOPE_ZONE" ]]; then
    SCOPE_ZG=$(period_query zone-zonegroup "$SCOPE_ZONE")
    [[ -n "$SCOPE_ZG" ]] || warn "zone $SCOPE_ZONE is in no zonegroup of realm ${SCOPE_REALM:-?}'s current period: radosgw-admin calls name no zonegroup"
  fi
}

# derive_scope ZONE: for subcommands that are not told the realm (status, wait-caught-up,
# ensure-user, promote, demote, fence, sync-scope, backup-objects): learn it once from the zone
# (`zone get --rgw-zone Z` -> realm_id -> `realm get --realm-id`), never from the default realm.
# Without ZONE (no --zone flag): the one zone `zone list` shows on this cluster, else the default
# zone. Sets SCOPE_ZONE and SCOPE_REALM (the realm's JSON in $WORK/realm.json); SCOPE_ZG comes
# from the flags or from the first load_period. If the zone's record cannot be read, it warns and
# goes on naming what it knows (the next radosgw-admin call then says what is wrong).
derive_scope() {
  local zone="$1" names realm_id realm=""
  if [[ -z "$zone" ]]; then
    names=$(list_names zone 2>/dev/null) || names=""
    if [[ -n "$names" && $(grep -c . <<<"$names") == 1 ]]; then
      zone=$names
    elif rgw zone get; then
      zone=$(printf '%s' "$RGW_OUT" | js 'return json().name || "";' 2>/dev/null) || zone=""
    fi
    if [[ -z "$zone" ]]; then
      warn "cannot tell which zone this site is (zones here: ${names:-none listed}; no default zone answers): radosgw-admin calls name no realm, zonegroup or zone; give --zone${SUBCOMMAND:+ to $SUBCOMMAND}"
      return 0
    fi
  fi
  SCOPE_ZONE=$zone
  if ! rgw zone get --rgw-zone "$zone"; then
    warn "could not read zone $zone (${RGW_ERR:-no message}) to learn its realm: radosgw-admin calls name the zone only"
    return 0
  fi
  realm_id=$(printf '%s' "$RGW_OUT" | js 'return json().realm_id || "";' 2>/dev/null) || realm_id=""
  if [[ -z "$realm_id" ]]; then
    # A zone created by `zone create` on a secondary (after `realm pull`) keeps an empty realm_id
    # on Pacific (seen on 16.2.15): then the cluster's only realm is this zone's realm.
    names=$(list_names realm 2>/dev/null) || names=""
    if [[ -n "$names" && $(grep -c . <<<"$names") == 1 ]] && rgw realm get --rgw-realm "$names"; then
      printf '%s' "$RGW_OUT" >"$WORK/realm.json"
      SCOPE_REALM=$names
      return 0
    fi
    warn "zone $zone names no realm_id and this cluster holds ${names:+several realms ($(tr '\n' ' ' <<<"$names"))}${names:-no realm}: radosgw-admin calls name the zone only"
    return 0
  fi
  if rgw realm get --realm-id "$realm_id"; then
    printf '%s' "$RGW_OUT" >"$WORK/realm.json"
    realm=$(js 'return jsonFile(args[0]).name || "";' "$WORK/realm.json" </dev/null 2>/dev/null) || realm=""
  fi
  [[ -n "$realm" ]] || die "could not read realm $realm_id of zone $zone (realm get --realm-id): ${RGW_ERR:-no name in its answer}"
  SCOPE_REALM=$realm
}

# period_query WHAT [ARG]: facts from $WORK/period.json.
#   master            name of the metadata master zone ("" if none; "id:<id>" if not in the map)
#   zones G           names of the zones of zonegroup G, one per line
#   zone-id Z         id of zone Z ("" if not in the period)
#   zone-zonegroup Z  name of the zonegroup that holds zone Z ("" if not in the period)
#   zone-endpoints Z  endpoints of zone Z, comma-separated
#   zone-read-only Z  true/false
#   id                the period id
period_query() {
  js '
const p = jsonFile(args[0]);
const what = args[1], arg = args[2];
const zgs = (p.period_map && p.period_map.zonegroups) || [];
const zones = zgs.flatMap((g) => (g.zones || []).map((z) => ({ ...z, zonegroup: g.name })));
const byName = (n) => zones.find((z) => z.name === n);
switch (what) {
  case "id": return p.id || "";
  case "master": {
    const id = p.master_zone || "";
    if (!id) return "";
    const z = zones.find((z) => z.id === id);
    return z ? z.name : "id:" + id;
  }
  case "zones": { const g = zgs.find((g) => g.name === arg); return g ? (g.zones || []).map((z) => z.name).join("\n") : ""; }
  case "zone-id": { const z = byName(arg); return z ? z.id : ""; }
  case "zone-zonegroup": { const z = byName(arg); return z ? z.zonegroup : ""; }
  case "zone-endpoints": { const z = byName(arg); return z ? (z.endpoints || []).join(",") : ""; }
  case "zone-read-only": { const z = byName(arg); return z && (z.read_only === true || z.read_only === "true") ? "true" : "false"; }
  default: fail("period_query: unknown " + what);
}' "$WORK/period.json" "$@" </dev/null
}

period_has_zone() {
  local zones
  zones=$(period_query zones "$1") || die "could not read the period"
  grep -Fxq -- "$2" <<<"$zones"
}

# `sync status` is text only (Pacific). Parse it into JSON: the zone it describes, metadata sync,
# data sync per source. "caught up" alone is not trusted: on a zone whose sync never started the
# text says "caught up" with state init and 0/0 shards, so caughtUp also requires state syncing,
# shards > 0 and every shard in incremental sync.
SYNC_STATUS_JS='
const lines = input.split("\n").map((l) => l.trim()).filter(Boolean);
const idName = (s) => { const m = /^(\S+)(?: \((.*)\))?$/.exec(s.trim()); return m ? { id: m[1], name: m[2] === undefined ? null : m[2] } : { id: s, name: null }; };
const res = { header: {}, metadata: null, sources: [] };
let cur = null;
for (const line of lines) {
  let m;
  if (!cur && (m = /^(realm|zonegroup|zone) (.+)$/.exec(line))) { res.header[m[1]] = idName(m[2]); continue; }
  if ((m = /^metadata sync (.*)$/.exec(line))) { cur = res.metadata = { first: m[1], lines: [] }; continue; }
  if ((m = /^(?:data sync )?source: (.+)$/.exec(line))) { cur = { ...idName(m[1]), first: null, lines: [] }; res.sources.push(cur); continue; }
  if (cur) { if (cur.first === null) cur.first = line; else cur.lines.push(line); }
}
const summarize = (sec) => {
  const out = { state: "unknown", caughtUp: false, behindShards: [], shards: 0, incrementalShards: 0, fullSyncShards: 0 };
  if (!sec || sec.first === null) { out.error = "no sync status reported"; return out; }
  const s = sec.first;
  if (/zone is master/.test(s)) return { ...out, state: "master", caughtUp: true };
  if (/^syncing$/.test(s)) out.state = "syncing";
  else if (/^init$/.test(s)) out.state = "init";
  else if (/^preparing for full sync$/.test(s)) out.state = "preparing-full-sync";
  else if (/^fail|error/i.test(s)) { out.state = "error"; out.error = s; }
  let caught = false, behind = 0, recovering = 0;
  for (const l of sec.lines) {
    let m;
    if ((m = /^full sync: (\d+)\/(\d+) shards$/.exec(l))) { out.fullSyncShards = +m[1]; out.shards = +m[2]; }
    else if ((m = /^incremental sync: (\d+)\/(\d+) shards$/.exec(l))) { out.incrementalShards = +m[1]; out.shards = +m[2]; }
    else if (/ is caught up with (master|source)$/.test(l)) caught = true;
    else if ((m = / is behind on (\d+) shards$/.exec(l))) behind = +m[1];
    else if ((m = /^behind shards: \[(.*)\]$/.exec(l))) out.behindShards = (m[1].match(/\d+/g) || []).map(Number);
    else if ((m = /^oldest incremental change not applied: (.*)$/.exec(l))) out.oldestChange = m[1];
    else if ((m = /^(\d+) shards are recovering$/.exec(l))) recovering = +m[1];
    else if ((m = /^recovering shards: \[(.*)\]$/.exec(l))) out.recoveringShards = (m[1].match(/\d+/g) || []).map(Number);
    else if (/^(failed|master is on a different period|ERROR)/i.test(l)) out.error = l;
  }
  if (behind && !out.behindShards.length) out.behindCount = behind;
  out.caughtUp = caught && !behind && !recovering && !out.error && out.state === "syncing" &&
    out.shards > 0 && out.incrementalShards === out.shards;
  return out;
};
const data = {};
for (const s of res.sources) data[s.name || s.id] = { id: s.id, ...summarize(s) };
return { header: res.header, metadata: summarize(res.metadata), data };
'

# sync_status [ZONE]: parsed `sync status` of ZONE (or the default zone) into $WORK/sync.json.
sync_status() {
  local zone_args=()
  [[ -z "${1:-}" ]] || zone_args=(--rgw-zone "$1")
  rgw_must sync status "${zone_args[@]}"
  printf '%s' "$RGW_OUT" | js "$SYNC_STATUS_JS" >"$WORK/sync.json"
}

# status_json [ZONE]: the `status` object (also used by wait-caught-up and the promote preflight).
status_json() {
  load_period
  sync_status "${1:-}"
  js '
const s = jsonFile(args[0]), p = jsonFile(args[1]);
const zones = ((p.period_map && p.period_map.zonegroups) || []).flatMap((g) => (g.zones || []).map((z) => ({ ...z, zonegroup: g.name })));
const me = s.header.zone || {};
const meta = s.header.zone ? zones.find((z) => z.id === me.id) : undefined;
const master = zones.find((z) => z.id === p.master_zone);
const peers = meta ? zones.filter((z) => z.zonegroup === meta.zonegroup && z.id !== me.id).map((z) => z.name) : [];
const data = s.data;
for (const peer of peers) if (!(peer in data)) data[peer] = { state: "absent", caughtUp: false, behindShards: [], error: "no data sync source for this zone" };
return {
  zone: me.name || null, zoneId: me.id || null,
  zonegroup: (s.header.zonegroup || {}).name || null,
  realm: (s.header.realm || {}).name || p.realm_name || null, realmId: p.realm_id || null,
  period: p.id || null, periodEpoch: p.epoch === undefined ? null : p.epoch,
  metadataMaster: master ? master.name : (p.master_zone || null),
  isMaster: !!(me.id && p.master_zone === me.id),
  readOnly: meta ? meta.read_only === true || meta.read_only === "true" : null,
  metadataSync: s.metadata,
  dataSync: data,
};' "$WORK/sync.json" "$WORK/period.json" </dev/null >"$WORK/status.json"
}

# status_query WHAT: facts from $WORK/status.json for the bash side.
status_query() {
  js '
const s = jsonFile(args[0]);
const d = Object.entries(s.dataSync || {});
switch (args[1]) {
  case "is-master": return String(s.isMaster);
  case "meta-caught-up": return String(s.isMaster || s.metadataSync.caughtUp);
  case "all-caught-up": return String((s.isMaster || s.metadataSync.caughtUp) && d.every(([, v]) => v.caughtUp));
  case "summary": {
    const part = (name, v) => v.caughtUp ? name + " caught up" :
      name + " " + (v.error ? v.error : v.state + (v.shards ? ", incremental " + v.incrementalShards + "/" + v.shards + " shards" : "") +
      (v.behindShards && v.behindShards.length ? ", behind shards [" + v.behindShards.join(",") + "]" : (v.behindCount ? ", behind on " + v.behindCount + " shards" : "")) +
      (v.oldestChange ? ", oldest change not applied " + v.oldestChange : ""));
    return [part("metadata", s.isMaster ? { caughtUp: true } : s.metadataSync), ...d.map(([k, v]) => part("data from " + k, v))].join("; ");
  }
  default: fail("status_query: unknown " + args[1]);
}' "$WORK/status.json" "$1" </dev/null
}

# ---------------------------------------------------------------------------------------------
# Shared steps
# ---------------------------------------------------------------------------------------------

# The ensure_* steps set DID=1 when they changed something (not a return code: bash ignores errexit
# inside functions called from `if`).
DID=0

# Make the local zone's system key the one from the environment (sync and commit forwarding use it).
ensure_zone_system_key() {
  local zone="$1" same
  DID=0
  rgw_must zone get --rgw-zone "$zone"
  same=$(printf '%s' "$RGW_OUT" | js 'const k = json().system_key || {};
    return String(k.access_key === env.RGW_SYSTEM_ACCESS_KEY && k.secret_key === env.RGW_SYSTEM_SECRET_KEY);')
  [[ "$same" != true ]] || return 0
  step "zone $zone: setting its system key to RGW_SYSTEM_ACCESS_KEY"
  rgw_must zone modify --rgw-zone "$zone" --access-key "$RGW_SYSTEM_ACCESS_KEY" --secret "$RGW_SYSTEM_SECRET_KEY"
  DID=1
}

# metadata_has KIND NAME: NAME is in `metadata list KIND` (user, bucket) as this zone knows it.
metadata_has() {
  local r
  rgw_must metadata list "$1"
  r=$(printf '%s' "$RGW_OUT" | js 'return String(json().includes(args[0]));' "$2") || die "could not read the $1 list"
  [[ "$r" == true ]]
}

user_exists() { metadata_has user "$1"; }

# ensure_user UID DISPLAY ACCESS_VAR SECRET_VAR SYSTEM(0|1): create, or add the key pair / system
# flag / display name. Never removes a key. Prints nothing secret.
ensure_user() {
  local uid="$1" display="$2" akvar="$3" skvar="$4" system="$5" state extra=()
  DID=0
  ((system)) && extra=(--system)
  if ! user_exists "$uid"; then
    step "creating user $uid${extra:+ (system)}"
    rgw_must user create --uid "$uid" --display-name "$display" --access-key "${!akvar}" --secret "${!skvar}" "${extra[@]}"
    DID=1
    return 0
  fi
  rgw_must user info --uid "$uid"
  # key: ok | missing | other-secret; system: true/false; name: same/different
  state=$(printf '%s' "$RGW_OUT" | AK="${!akvar}" SK="${!skvar}" js '
const u = json();
const k = (u.keys || []).find((k) => k.access_key === env.AK);
const key = !k ? "missing" : (k.secret_key === env.SK ? "ok" : "other-secret");
const sys = u.system === true || u.system === "true";
return [key, String(sys), u.display_name === args[0] ? "same" : "different"].join(" ");' "$display")
  local key sys name
  read -r key sys name <<<"$state"
  case "$key" in
  ok) ;;
  missing)
    step "user $uid: adding the access key from ${akvar}"
    rgw_must key create --uid "$uid" --key-type s3 --access-key "${!akvar}" --secret "${!skvar}"
    DID=1
    ;;
  other-secret)
    step "user $uid: the access key from ${akvar} has another secret; setting the secret from ${skvar}"
    rgw_must key create --uid "$uid" --key-type s3 --access-key "${!akvar}" --secret "${!skvar}"
    DID=1
    ;;
  esac
  if ((system)) && [[ "$sys" != true ]]; then
    step "user $uid: making it a system user"
    rgw_must user modify --uid "$uid" --system
    DID=1
  fi
  if [[ "$name" != same ]]; then
    step "user $uid: setting its display name"
    rgw_must user modify --uid "$uid" --display-name "$display"
    DID=1
  fi
}

# sync_running ZONE OTHER_ZONES...: metadata sync (unless ZONE is master) and data sync from each
# other zone have really started: state sync with > 0 shards. Local state only (works while the
# master is away). Reason in $NOT_RUNNING.
NOT_RUNNING=""
sync_running() {
  local zone="$1" is_master="$2" peer r
  shift 2
  if [[ "$is_master" != true ]]; then
    if ! rgw metadata sync status --rgw-zone "$zone"; then
      NOT_RUNNING="metadata sync status: ${RGW_ERR:-failed}"
      return 1
    fi
    r=$(printf '%s' "$RGW_OUT" | js 'const i = (json().sync_status || {}).info || {};
      return i.status === "sync" && i.num_shards > 0 ? "" : "metadata sync " + (i.status || "?") + " with " + (i.num_shards || 0) + " shards";') ||
      r="metadata sync status: unparseable output"
    [[ -z "$r" ]] || {
      NOT_RUNNING="$r"
      return 1
    }
  fi
  for peer in "$@"; do
    if ! rgw data sync status --rgw-zone "$zone" --source-zone "$peer"; then
      NOT_RUNNING="data sync status from $peer: ${RGW_ERR:-failed}"
      return 1
    fi
    r=$(printf '%s' "$RGW_OUT" | js 'const i = (json().sync_status || {}).info || {};
      return i.status === "sync" && i.num_shards > 0 ? "" : "data sync from " + args[0] + " " + (i.status || "?") + " with " + (i.num_shards || 0) + " shards";' "$peer") ||
      r="data sync status from $peer: unparseable output"
    [[ -z "$r" ]] || {
      NOT_RUNNING="$r"
      return 1
    }
  done
  return 0
}

wait_sync_running() {
  local zone="$1" is_master="$2" deadline=$((SECONDS + WAIT_TIMEOUT)) last=""
  shift 2
  step "waiting until zone $zone really syncs (state sync, shards > 0)"
  until sync_running "$zone" "$is_master" "$@"; do
    [[ "$NOT_RUNNING" == "$last" ]] || info "not yet: $NOT_RUNNING"
    last="$NOT_RUNNING"
    ((SECONDS < deadline)) || timed_out "zone $zone does not sync after ${WAIT_TIMEOUT}s: $NOT_RUNNING"
    sleep "$POLL_INTERVAL"
  done
  info "zone $zone syncs (metadata: $([[ $is_master == true ]] && echo master || echo running); data from: ${*:-none})"
}

# ---------------------------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------------------------

# other_master REALM ZONE: print the name of the metadata master named by REALM's current period if
# it is not ZONE (else nothing). Never take the role back: after a failover this site's stack may
# be re-run while another zone is the metadata master.
other_master() {
  local master
  load_period "$1"
  master=$(period_query master)
  [[ -z "$master" || "$master" == "$2" ]] || printf '%s' "${master#id:}"
}

# First half of the bootstrap: realm and master zonegroup, each only if absent; no commit (the
# zonegroup has no zone yet). CHANGED=1 if it created something.
CHANGED=0
ensure_realm_steps() {
  local realm="$1" zg="$2" ep="$3" master
  if has_name realm "$realm"; then
    info "realm $realm exists"
    if ! has_name zonegroup "$zg"; then
      load_period "$realm"
      master=$(period_query master)
      if [[ -n "$master" ]]; then
        step "realm $realm already has metadata master ${master#id:}: not creating zonegroup $zg as master zonegroup (nothing changed)"
        return 0
      fi
    fi
  else
    step "creating realm $realm"
    rgw_must realm create --rgw-realm "$realm" --default
    CHANGED=1
  fi
  if has_name zonegroup "$zg"; then
    info "zonegroup $zg exists"
  else
    step "creating master zonegroup $zg (endpoints $ep)"
    rgw_must zonegroup create --rgw-realm "$realm" --rgw-zonegroup "$zg" --endpoints "$ep" --master --default
    CHANGED=1
  fi
}

# Second half: master zone (only if absent), system user, commit, restart. Caller checked that no
# other zone is master.
ensure_master_zone_steps() {
  local realm="$1" zg="$2" zone="$3" ep="$4" uid="$5"
  if has_name zone "$zone"; then
    info "zone $zone exists"
    ensure_zone_system_key "$zone"
    ((DID)) && CHANGED=1
  else
    step "creating master zone $zone in $zg (endpoints $ep)"
    rgw_must zone create --rgw-realm "$realm" --rgw-zonegroup "$zg" --rgw-zone "$zone" --endpoints "$ep" \
      --access-key "$RGW_SYSTEM_ACCESS_KEY" --secret "$RGW_SYSTEM_SECRET_KEY" --master --default
    CHANGED=1
  fi

  # The system user carries the zone's system key: peers authenticate realm pull, period
  # forwarding and sync requests with it. Created on the master, replicated by metadata sync.
  ensure_user "$uid" "Multisite synchronization user" RGW_SYSTEM_ACCESS_KEY RGW_SYSTEM_SECRET_KEY 1
  if ((DID)); then
    info "system user $uid ensured"
  else
    info "system user $uid exists with the key"
  fi

  load_period "$realm"
  if ((CHANGED)) || [[ "$(period_query master)" != "$zone" ]] || ! period_has_zone "$zg" "$zone"; then
    step "committing the period (realm $realm)"
    rgw_must period update --commit --rgw-realm "$realm"
    load_period "$realm"
    info "period $(period_query id), metadata master $(period_query master)"
    settle_gateway "$ep"
    # The gateway must run as this zone (rgw_zone of the daemon: RGW_RESTART's business).
    restart_gateway
    wait_gateway "$ep"
  else
    step "nothing to change: realm $realm, zonegroup $zg, master zone $zone are in place"
  fi
}

cmd_ensure_realm() {
  parse_flags "realm zonegroup endpoint" "" "$@"
  require_flags realm zonegroup endpoint
  check_name realm
  check_name zonegroup
  check_url endpoint
  CHANGED=0
  SCOPE_REALM=$(opt realm) SCOPE_ZG=$(opt zonegroup) # no zone exists yet: nothing names one
  ensure_realm_steps "$(opt realm)" "$(opt zonegroup)" "$(opt endpoint)"
  ((CHANGED)) || step "nothing to change: realm $(opt realm) and zonegroup $(opt zonegroup) are in place"
}

# bootstrap-master = ensure-realm + ensure-master-zone (system-uid optional there).
cmd_bootstrap_master() {
  local required="realm zonegroup zone endpoint"
  [[ "$SUBCOMMAND" == ensure-master-zone ]] && required+=" system-uid"
  parse_flags "realm zonegroup zone endpoint system-uid" "" "$@"
  # shellcheck disable=SC2086 # a list of flag names
  require_flags $required
  check_name realm
  check_name zonegroup
  check_name zone
  check_url endpoint
  check_uid system-uid
  require_env RGW_SYSTEM_ACCESS_KEY RGW_SYSTEM_SECRET_KEY
  require_restart
  local realm zg zone ep uid master
  realm=$(opt realm) zg=$(opt zonegroup) zone=$(opt zone) ep=$(opt endpoint)
  uid=${OPT[system-uid]:-synchronization-user}
  SCOPE_REALM=$realm SCOPE_ZG=$zg SCOPE_ZONE=$zone
  CHANGED=0
  if has_name realm "$realm"; then
    master=$(other_master "$realm" "$zone")
    if [[ -n "$master" ]]; then
      step "realm $realm: its current period names zone $master as metadata master, not $zone"
      info "$SUBCOMMAND does not take the master role back (use promote); nothing changed"
      return 0
    fi
  fi
  if [[ "$SUBCOMMAND" == ensure-master-zone ]]; then
    has_name realm "$realm" || die "realm $realm does not exist: run ensure-realm first"
    has_name zonegroup "$zg" || die "zonegroup $zg does not exist: run ensure-realm first"
  else
    ensure_realm_steps "$realm" "$zg" "$ep"
  fi
  ensure_master_zone_steps "$realm" "$zg" "$zone" "$ep" "$uid"
}

cmd_join_secondary() {
  parse_flags "realm zonegroup zone endpoint master-url" "" "$@"
  require_flags realm zonegroup zone endpoint master-url
  check_name realm
  check_name zonegroup
  check_name zone
  check_url endpoint
  check_url master-url
  require_env RGW_SYSTEM_ACCESS_KEY RGW_SYSTEM_SECRET_KEY
  require_restart
  local realm zg zone ep murl changed=0 pulled=0 master peers=()
  realm=$(opt realm) zg=$(opt zonegroup) zone=$(opt zone) ep=$(opt endpoint) murl=$(opt master-url)
  [[ "$murl" != *,* ]] || usage_error "--master-url takes one URL"
  SCOPE_REALM=$realm SCOPE_ZG=$zg SCOPE_ZONE=$zone

  if has_name realm "$realm"; then
    info "realm $realm exists"
  else
    step "pulling realm $realm from $murl"
    rgw_must realm pull --rgw-realm "$realm" --url "$murl" --access-key "$RGW_SYSTEM_ACCESS_KEY" --secret "$RGW_SYSTEM_SECRET_KEY"
    rgw_must realm default --rgw-realm "$realm"
    pulled=1
    changed=1
  fi

  if has_name zone "$zone"; then
    info "zone $zone exists"
    ensure_zone_system_key "$zone"
    ((DID)) && changed=1
  else
    step "pulling the current period from $murl"
    rgw_must period pull --rgw-realm "$realm" --url "$murl" --access-key "$RGW_SYSTEM_ACCESS_KEY" --secret "$RGW_SYSTEM_SECRET_KEY"
    load_period "$realm"
    period_query zones "$zg" | grep -q . || die "zonegroup $zg is not in realm $realm's current period (from $murl)"
    step "creating secondary zone $zone in $zg (endpoints $ep)"
    # No --master: a secondary. The zone keeps the system key for sync and commit forwarding.
    rgw_must zone create --rgw-realm "$realm" --rgw-zonegroup "$zg" --rgw-zone "$zone" --endpoints "$ep" \
      --access-key "$RGW_SYSTEM_ACCESS_KEY" --secret "$RGW_SYSTEM_SECRET_KEY" --default
    changed=1
  fi
  ((pulled)) && info "realm and period pulled"

  load_period "$realm"
  if ((changed)) || ! period_has_zone "$zg" "$zone"; then
    step "committing the period (forwarded to the metadata master)"
    # WITHOUT keys: given --access-key/--secret, radosgw-admin looks that user up locally (not
    # there yet on a new secondary) and fails with permission denied; without them it signs the
    # forwarded commit with the zone's system key.
    rgw_must period update --commit --rgw-realm "$realm"
    load_period "$realm"
    period_has_zone "$zg" "$zone" || die "zone $zone is not in the committed period"
    changed=1
  fi

  master=$(period_query master)
  local zones
  zones=$(period_query zones "$zg")
  mapfile -t peers < <(grep -Fxv -- "$zone" <<<"$zones" || true)
  if ((changed)); then
    settle_gateway "$ep"
    restart_gateway
    wait_gateway "$ep"
  else
    step "nothing to change: zone $zone is in realm $realm's period (metadata master: ${master#id:})"
  fi
  # With a zonegroup sync policy (opt-in bucket scope) whose flows do not name this zone yet, data
  # sync stays "init, 0 shards" until sync-scope adds the zone to the flow: wait for metadata only.
  load_policy
  if [[ $(policy_query groups) != 0 && $(policy_query in-flows "$zone" "$(period_query zone-id "$zone")") != true ]]; then
    info "the zonegroup sync policy has no flow with zone $zone yet: data sync starts once sync-scope adds it"
    peers=()
  fi
  wait_sync_running "$zone" "$([[ "$master" == "$zone" ]] && echo true || echo false)" "${peers[@]}"
}

cmd_ensure_user() {
  parse_flags "uid display-name" "" "$@"
  require_flags uid display-name
  check_uid uid
  check_display_name display-name
  require_env RGW_USER_ACCESS_KEY RGW_USER_SECRET_KEY
  local uid name is_master has_key
  uid=$(opt uid) name=$(opt display-name)
  derive_scope ""
  load_period
  rgw_must zone get
  is_master=$(printf '%s' "$RGW_OUT" | js 'return String(json().id === jsonFile(args[0]).master_zone);' "$WORK/period.json")
  if [[ "$is_master" != true ]]; then
    # Users are metadata: written on the master only. On a secondary, succeed only if the user
    # already came over by metadata sync with the key.
    if user_exists "$uid"; then
      rgw_must user info --uid "$uid"
      has_key=$(printf '%s' "$RGW_OUT" | js 'return String((json().keys || []).some((k) =>
        k.access_key === env.RGW_USER_ACCESS_KEY && k.secret_key === env.RGW_USER_SECRET_KEY));')
      if [[ "$has_key" == true ]]; then
        step "user $uid exists here with the key (this zone is not the metadata master; nothing to change)"
        return 0
      fi
    fi
    refuse "this zone is not the metadata master (master: $(period_query master)); run ensure-user against the master"
  fi
  ensure_user "$uid" "$name" RGW_USER_ACCESS_KEY RGW_USER_SECRET_KEY 0
  if ((DID)); then
    step "user $uid ensured"
  else
    step "nothing to change: user $uid exists with the key"
  fi
}

bucket_exists() { metadata_has bucket "$1"; }

# has_source ZONE BUCKET PEER: ZONE's `sync info --bucket` lists PEER as a source. Pacific names the
# zones of resolved pipes by name ("zone": "zonea"); ids are accepted too. Only meaningful when the
# bucket exists on ZONE (otherwise radosgw-admin "simulates" a result).
has_source() {
  local r
  rgw_must sync info --rgw-zone "$1" --bucket "$2"
  local id
  id=$(period_query zone-id "$3")
  r=$(printf '%s' "$RGW_OUT" | js 'const want = [args[0], args[1]].filter(Boolean);
    return String((json().sources || []).some((p) => p.source && want.includes(p.source.zone)));' "$3" "$id") ||
    die "could not parse sync info"
  [[ "$r" == true ]]
}

# Zonegroup-level or bucket-level sync policy (`sync policy get [--bucket B]`) into $WORK/policy.json.
load_policy() {
  if ! rgw sync policy get "$@"; then
    rgw_enoent || die "radosgw-admin sync policy get $* failed: $RGW_ERR"
    RGW_OUT='{"groups":[]}'
  fi
  [[ -n "$RGW_OUT" ]] || RGW_OUT='{"groups":[]}'
  printf '%s' "$RGW_OUT" >"$WORK/policy.json"
}

# policy_query WHAT ...: facts from $WORK/policy.json.
#   group-status ID             status of group ID ("" if absent)
#   flow-zones ID FLOW          zone ids of symmetrical flow FLOW in group ID
#   pipe-ok ID PIPE SRC DST     true if pipe PIPE exists with source/dest zones * (and buckets SRC/DST)
#   groups                      number of groups
#   in-flows ZONE ZONE_ID       true if the zone is in a data flow of some group
policy_query() {
  js '
const d = jsonFile(args[0]);
const groups = d.groups || (d.sync_policy && d.sync_policy.groups) || [];
const g = groups.find((g) => g.id === args[2]);
const zonesOf = (e) => (e && e.zones) || [];
switch (args[1]) {
  case "groups": return String(groups.length);
  case "group-status": return g ? g.status || "" : "";
  case "in-flows": {
    /* is zone (name or id: args[2], args[3]) in any flow of any group? */
    const want = [args[2], args[3]].filter(Boolean);
    return String(groups.some((g) => {
      const f = g.data_flow || {};
      return (f.symmetrical || []).some((s) => (s.zones || []).some((z) => want.includes(z))) ||
        (f.directional || []).some((d) => want.includes(d.source_zone) || want.includes(d.dest_zone));
    }));
  }
  case "flow-zones": {
    const f = g && ((g.data_flow && g.data_flow.symmetrical) || []).find((f) => f.id === args[3]);
    return f ? (f.zones || []).join("\n") : "";
  }
  case "pipe-ok": {
    const p = g && (g.pipes || []).find((p) => p.id === args[3]);
    if (!p) return "false";
    const allZones = (e) => zonesOf(e).length === 1 && zonesOf(e)[0] === "*";
    const bucketIs = (e, want) => want === "-" || (e && e.bucket) === want;
    return String(allZones(p.source) && allZones(p.dest) && bucketIs(p.source, args[4]) && bucketIs(p.dest, args[5]));
  }
  default: fail("policy_query: unknown " + args[1]);
}' "$WORK/policy.json" "$@" </dev/null
}

# The zonegroup-level part of the bucket scope: group allowed + symmetrical flow over ZONES + pipe
# * -> *. DID=1 if it changed the zonegroup (a period commit is then needed).
ensure_zonegroup_policy() {
  local status zone id have zones_csv missing=()
  zones_csv=$(IFS=, && printf '%s' "$*")
  DID=0
  load_policy
  status=$(policy_query group-status "$ZG_GROUP")
  if [[ -z "$status" ]]; then
    step "zonegroup policy: creating group $ZG_GROUP (allowed)"
    rgw_must sync group create --group-id "$ZG_GROUP" --status allowed
    DID=1
  elif [[ "$status" != allowed ]]; then
    step "zonegroup policy: group $ZG_GROUP is $status; setting it to allowed"
    rgw_must sync group modify --group-id "$ZG_GROUP" --status allowed
    DID=1
  fi
  load_policy
  have=$(policy_query flow-zones "$ZG_GROUP" "$ZG_FLOW")
  for zone in "$@"; do
    # Pacific stores flow zones by name as given; accept ids too.
    id=$(period_query zone-id "$zone")
    grep -Fxq -e "$zone" -e "${id:-$zone}" <<<"$have" || missing+=("$zone")
  done
  if ((${#missing[@]})); then
    step "zonegroup policy: symmetrical flow $ZG_FLOW over $zones_csv"
    rgw_must sync group flow create --group-id "$ZG_GROUP" --flow-id "$ZG_FLOW" --flow-type symmetrical --zones "$zones_csv"
    DID=1
  fi
  if [[ $(policy_query pipe-ok "$ZG_GROUP" "$ZG_PIPE" '*' '*') != true ]]; then
    step "zonegroup policy: pipe $ZG_PIPE (* -> *)"
    rgw_must sync group pipe create --group-id "$ZG_GROUP" --pipe-id "$ZG_PIPE" \
      --source-zones '*' --source-bucket '*' --dest-zones '*' --dest-bucket '*'
    DID=1
  fi
}

# wait_source ZONE BUCKET PEER: until ZONE's `sync info --bucket` lists PEER as a source.
wait_source() {
  local zone="$1" bucket="$2" peer="$3" deadline=$((SECONDS + WAIT_TIMEOUT))
  step "waiting until zone $zone syncs bucket $bucket from $peer"
  until has_source "$zone" "$bucket" "$peer"; do
    ((SECONDS < deadline)) || timed_out "zone $zone does not list $peer as a sync source of bucket $bucket after ${WAIT_TIMEOUT}s"
    sleep "$POLL_INTERVAL"
  done
  info "zone $zone syncs bucket $bucket from $peer"
}

# wait_bucket BUCKET ZONE MASTER: on a secondary the bucket arrives by metadata sync; on the
# metadata master it is there or it is not.
wait_bucket() {
  local bucket="$1" zone="$2" master="$3" deadline=$((SECONDS + WAIT_TIMEOUT))
  bucket_exists "$bucket" && return 0
  [[ "$zone" != "$master" ]] || die "bucket $bucket does not exist on the metadata master $zone: create it first"
  step "waiting until bucket $bucket exists on zone $zone (metadata sync)"
  until bucket_exists "$bucket"; do
    ((SECONDS < deadline)) || timed_out "bucket $bucket does not exist on zone $zone after ${WAIT_TIMEOUT}s"
    sleep "$POLL_INTERVAL"
  done
}

cmd_sync_scope() {
  parse_flags "scope bucket zonegroup zone peer-zone" "repair" "$@"
  require_flags bucket zonegroup zone
  local scope=${OPT[scope]:-zone}
  [[ "$scope" == zone || "$scope" == bucket ]] || usage_error "--scope must be zone or bucket; got '$scope'"
  check_bucket bucket
  check_name zonegroup
  check_name zone
  check_name peer-zone
  local bucket zg zone peer master zones peers=() p
  bucket=$(opt bucket) zg=$(opt zonegroup) zone=$(opt zone) peer=$(opt peer-zone)
  [[ "$zone" != "$peer" ]] || usage_error "--zone and --peer-zone must differ"
  [[ "$scope" == bucket ]] || ! has_opt repair || usage_error "--repair applies to --scope bucket only"

  derive_scope "$zone"
  SCOPE_ZG=$zg
  load_period
  zones=$(period_query zones "$zg")
  [[ -n "$zones" ]] || die "zonegroup $zg is not in the current period"
  grep -Fxq -- "$zone" <<<"$zones" || die "zone $zone is not in zonegroup $zg"
  master=$(period_query master)
  # The peers to verify: --peer-zone if it has joined, else (no --peer-zone) every other zone.
  if [[ -n "$peer" ]]; then
    if grep -Fxq -- "$peer" <<<"$zones"; then peers=("$peer"); fi
  else
    mapfile -t peers < <(grep -Fxv -- "$zone" <<<"$zones" || true)
  fi
  local waiting_for="${peer:-another zone}"

  if [[ "$scope" == zone ]]; then
    if ((${#peers[@]} == 0)); then
      step "$waiting_for has not joined zonegroup $zg yet: nothing to verify now (the peer's stack verifies later)"
      return 0
    fi
    load_policy
    [[ $(policy_query groups) == 0 ]] ||
      warn "zonegroup $zg has a sync policy; scope zone expects none (the zones then mirror everything)"
    wait_bucket "$bucket" "$zone" "$master"
    # Whole-zone mirror: no policy at all. Verify that the bucket really has each peer as a source.
    for p in "${peers[@]}"; do verify_zone_source "$zone" "$bucket" "$p"; done
    step "ok: bucket $bucket on zone $zone syncs from ${peers[*]} (whole-zone mirror, no sync policy)"
    return 0
  fi

  # --scope bucket (opt-in).
  if [[ "$master" == "$zone" ]]; then
    bucket_exists "$bucket" || die "bucket $bucket does not exist on the metadata master $zone: create it first"
    # Flow over every zone of the zonegroup (a group without its zone in a flow replicates nothing).
    local all=()
    mapfile -t all <<<"$zones"
    ensure_zonegroup_policy "${all[@]}"
    if ((DID)); then
      step "committing the period (zonegroup sync policy)"
      rgw_must period update --commit
      load_period
    else
      info "zonegroup policy $ZG_GROUP in place"
    fi
    # Bucket-level policy only on the master: set on a secondary it looks successful but stays
    # local (one-way replication, later overwritten by metadata sync). Pacific, verified.
    load_policy --bucket "$bucket"
    local st
    st=$(policy_query group-status "$BUCKET_GROUP")
    if [[ -z "$st" ]]; then
      step "bucket $bucket: creating sync group $BUCKET_GROUP (enabled)"
      rgw_must sync group create --bucket "$bucket" --group-id "$BUCKET_GROUP" --status enabled
    elif [[ "$st" != enabled ]]; then
      step "bucket $bucket: sync group $BUCKET_GROUP is $st; enabling it"
      rgw_must sync group modify --bucket "$bucket" --group-id "$BUCKET_GROUP" --status enabled
    fi
    load_policy --bucket "$bucket"
    # A group without a pipe replicates nothing.
    if [[ $(policy_query pipe-ok "$BUCKET_GROUP" "$BUCKET_PIPE" - -) != true ]]; then
      step "bucket $bucket: pipe $BUCKET_PIPE (zones * -> *)"
      rgw_must sync group pipe create --bucket "$bucket" --group-id "$BUCKET_GROUP" --pipe-id "$BUCKET_PIPE" \
        --source-zones '*' --dest-zones '*'
    fi
    if ((${#peers[@]} == 0)); then
      step "$waiting_for has not joined zonegroup $zg yet: policy in place; the peer's sync-scope adds it to the flow"
      return 0
    fi
  else
    ((${#peers[@]})) || die "$waiting_for is not in zonegroup $zg, and this zone is not the metadata master"
    has_opt repair && refuse "--repair runs on the metadata master ($master), not on $zone"
    # A zone that joined after the master set the zonegroup policy is missing from the flow. The
    # flow is zonegroup config (part of the period): add this zone and commit, which is forwarded
    # to the master like the join itself (Pacific merges the zones into the existing flow).
    # Bucket-level policy is never written here.
    load_policy
    if [[ -n $(policy_query group-status "$ZG_GROUP") ]]; then
      local have id
      have=$(policy_query flow-zones "$ZG_GROUP" "$ZG_FLOW")
      id=$(period_query zone-id "$zone")
      if ! grep -Fxq -e "$zone" -e "$id" <<<"$have"; then
        step "zonegroup policy: adding zone $zone to flow $ZG_FLOW (commit forwarded to the master $master)"
        rgw_must sync group flow create --group-id "$ZG_GROUP" --flow-id "$ZG_FLOW" --flow-type symmetrical \
          --zones "$(paste -sd, <<<"$zones")"
        rgw_must period update --commit
        load_period
      fi
    fi
    wait_bucket "$bucket" "$zone" "$master"
  fi
  # An object written before a zone has learned the bucket policy (its next metadata poll, up to
  # ~20 s on Pacific) is never replicated: ready only when this zone lists the peers as sources.
  for p in "${peers[@]}"; do wait_source "$zone" "$bucket" "$p"; done

  if has_opt repair; then
    repair_bucket "$bucket" "${peers[@]}"
  fi
  step "ok: bucket scope for $bucket: zone $zone syncs it from ${peers[*]}"
}

# verify_zone_source ZONE BUCKET PEER: the checks of the zone (mirror) scope.
verify_zone_source() {
  local zone="$1" bucket="$2" peer="$3" peer_id bss
  step "verifying that bucket $bucket on zone $zone has $peer as a sync source"
  has_source "$zone" "$bucket" "$peer" ||
    die "bucket $bucket on zone $zone does not list zone $peer as a sync source (sync info --bucket): it would not be replicated"
  peer_id=$(period_query zone-id "$peer")
  # `bucket sync status` is text only on Pacific (--format json is ignored).
  rgw_must bucket sync status --rgw-zone "$zone" --bucket "$bucket"
  bss="$RGW_OUT"
  if grep -q 'Sync is disabled for bucket' <<<"$bss"; then
    die "bucket sync is disabled for $bucket on zone $zone (bucket sync status); 'bucket sync enable' on the master fixes it"
  fi
  grep -Eq "source zone ${peer_id}( |\$)" <<<"$bss" ||
    die "bucket sync status of $bucket on zone $zone shows no source zone $peer"
  if grep -A1 -E "source zone ${peer_id}( |\$)" <<<"$bss" | grep -q 'does not sync from zone'; then
    die "zone $zone does not sync from zone $peer (bucket sync status of $bucket)"
  fi
}

# peer_bucket_flag PREFIX BUCKET ZONE: "disabled" when the bucket instance known to the zone behind
# PREFIX carries BUCKET_DATASYNC_DISABLED (flags & 8). With a bucket sync policy, Pacific's
# `bucket sync status` never says "Sync is disabled" after `bucket sync disable` (verified): the
# instance flags are what metadata sync carries over.
peer_bucket_flag() {
  local prefix="$1" bucket="$2" zone="$3" id
  rgw_with "$prefix" metadata get "bucket:$bucket" --rgw-zone "$zone" || return 0
  id=$(printf '%s' "$RGW_OUT" | js 'return ((json().data || {}).bucket || {}).bucket_id || "";') || return 0
  [[ -n "$id" ]] || return 0
  rgw_with "$prefix" metadata get "bucket.instance:$bucket:$id" --rgw-zone "$zone" || return 0
  printf '%s' "$RGW_OUT" | js 'const f = ((json().data || {}).bucket_info || {}).flags || 0; return f & 8 ? "disabled" : "enabled";'
}

# repair_bucket BUCKET PEERS...: objects written before the policy existed are not backfilled, and
# `bucket sync run` does not repair them; disable, let the peers see it, enable (on the master) does.
repair_bucket() {
  local bucket="$1" p
  shift
  step "repair: disabling sync of bucket $bucket"
  rgw_must bucket sync disable --bucket "$bucket"
  if [[ -n "${RGW_PEER_ADMIN:-}" ]]; then
    local peer_admin deadline=$((SECONDS + WAIT_TIMEOUT))
    # shellcheck disable=SC2206,SC2034 # word-split prefix, used through the nameref in rgw_with
    peer_admin=(${RGW_PEER_ADMIN})
    for p in "$@"; do
      step "repair: waiting until zone $p sees sync of $bucket disabled"
      until [[ $(peer_bucket_flag peer_admin "$bucket" "$p") == disabled ]]; do
        ((SECONDS < deadline)) || timed_out "zone $p does not see sync of $bucket disabled after ${WAIT_TIMEOUT}s (sync stays disabled: re-run --repair)"
        sleep "$POLL_INTERVAL"
      done
    done
  else
    # No view of the peer: its metadata sync polls every 20 s at most (Pacific); wait 2 polls.
    step "repair: waiting 45 s for the peers to see it (set RGW_PEER_ADMIN to wait for their view)"
    sleep 45
  fi
  step "repair: enabling sync of bucket $bucket (full sync of the bucket follows)"
  rgw_must bucket sync enable --bucket "$bucket"
}

cmd_status() {
  parse_flags "zone" "" "$@"
  check_name zone
  derive_scope "$(opt zone)"
  status_json "$(opt zone)"
  cat "$WORK/status.json"
  printf '\n'
}

# backup-objects --bucket B --backup NAME [--zone LOCAL]: read-only. The objects of one Velero
# backup (`backups/NAME/`) as this zone has them, and the bucket's sync state per source zone (the
# kopia data under `kopia/` is covered by "caught up", not listed). failover.sh compares two
# zones' answers before a restore: `velero-backup.json` can replicate before the tarball.
cmd_backup_objects() {
  parse_flags "bucket backup zone" "" "$@"
  require_flags bucket backup
  check_bucket bucket
  check_name zone
  [[ "$(opt backup)" =~ ^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$ ]] ||
    usage_error "--backup must be a Velero backup name (lowercase letters, digits, '-', '.'); got an invalid value"
  local bucket prefix marker page=${RGW_LIST_PAGE:-1000} count zone_args=()
  bucket=$(opt bucket)
  prefix="backups/$(opt backup)/"
  has_opt zone && zone_args=(--rgw-zone "$(opt zone)")
  derive_scope "$(opt zone)"
  [[ -z "$SCOPE_REALM" ]] || load_period # tells the zonegroup
  : >"$WORK/objects.jsonl"
  # Pacific's `bucket list` ignores --prefix: page by --marker (exclusive, names sorted) from the
  # prefix itself, keep names under it, stop at the first page that goes past it.
  marker=$prefix
  while :; do
    rgw_must bucket list --bucket "$bucket" --max-entries "$page" --marker "$marker" "${zone_args[@]}"
    count=$(js '
      const l = json();
      const mine = l.filter((e) => e.name.startsWith(args[1]));
      if (mine.length) fs.appendFileSync(args[0], mine.map((e) => JSON.stringify({ name: e.name, size: e.meta.size, etag: e.meta.etag, mtime: e.meta.mtime })).join("\n") + "\n");
      const more = l.length === Number(args[2]) && l[l.length - 1].name.startsWith(args[1]);
      return (more ? "more " : "done ") + (l.length ? l[l.length - 1].name : "");' "$WORK/objects.jsonl" "$prefix" "$page" <<<"$RGW_OUT")
    [[ "$count" == more* ]] || break
    marker=${count#more }
  done
  # `bucket sync status` is text only on Pacific: one block per source zone.
  rgw_must bucket sync status --bucket "$bucket" "${zone_args[@]}"
  js '
    const objects = file(args[0]).split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const text = file(args[1]);
    const zone = (text.match(/^\s*zone \S+ \((.*)\)$/m) || [])[1] || "";
    const bucketSync = {};
    for (const block of text.split(/^\s*source zone /m).slice(1)) {
      const name = (block.match(/^\S+ \((.*)\)/) || [])[1] || block.split(/\s/)[0];
      const behind = (block.match(/behind shards: \[([^\]]*)\]/) || [])[1];
      const error = /ERROR|failed/.test(block) ? block.split("\n").find((l) => /ERROR|failed/.test(l)).trim() : undefined;
      bucketSync[name] = {
        caughtUp: /bucket is caught up with source/.test(block),
        state: /Sync is disabled/.test(block) ? "disabled" : /full sync: 0\//.test(block) ? "incremental" : "full",
        behindShards: behind ? behind.split(",").map((x) => Number(x.trim())).filter((n) => !Number.isNaN(n)) : [],
        ...(error ? { error } : {}),
      };
    }
    return { zone, bucket: args[2], backup: args[3], prefix: args[4], objects, bucketSync };
  ' "$WORK/objects.jsonl" <(printf '%s' "$RGW_OUT") "$bucket" "$(opt backup)" "$prefix" </dev/null
  printf '\n'
}

cmd_wait_caught_up() {
  parse_flags "zone timeout" "" "$@"
  check_name zone
  check_seconds timeout
  local timeout=${OPT[timeout]:-$WAIT_TIMEOUT} deadline last="" summary
  derive_scope "$(opt zone)"
  deadline=$((SECONDS + timeout))
  step "waiting until metadata and data sync are caught up (up to ${timeout}s)"
  while :; do
    status_json "$(opt zone)"
    summary=$(status_query summary)
    if [[ $(status_query all-caught-up) == true ]]; then
      info "$summary"
      step "caught up"
      return 0
    fi
    [[ "$summary" == "$last" ]] || info "not yet: $summary"
    last="$summary"
    ((SECONDS < deadline)) || timed_out "sync not caught up after ${timeout}s: $summary"
    sleep "$POLL_INTERVAL"
  done
}

# promote_preflight ZONE MASTER WAIT: refuse (exit 3) unless ZONE's metadata is caught up or
# --force. WAIT=true (the master answers): give it up to RGW_WAIT_TIMEOUT to catch up first (e.g.
# a zone that just pulled a newer period restarts its metadata sync).
promote_preflight() {
  local zone="$1" master="$2" wait="$3" summary caught last="" deadline=$((SECONDS + WAIT_TIMEOUT))
  while :; do
    status_json "$zone"
    summary=$(status_query summary)
    caught=$(status_query meta-caught-up)
    [[ "$summary" == "$last" ]] || info "$summary"
    last="$summary"
    [[ "$caught" != true ]] || return 0
    [[ "$wait" == true && $SECONDS -lt $deadline ]] || break
    sleep "$POLL_INTERVAL"
  done
  local loss="metadata (users, buckets, bucket policies) created or changed on $master and not yet replicated to $zone is lost for $zone and will be overwritten when $master returns; objects not yet replicated stay on $master until it syncs again"
  if ! has_opt force; then
    local hint=""
    [[ "$summary" != *"failed to fetch master"* ]] || hint=" The master $master does not answer."
    refuse "zone $zone's metadata sync is not caught up with $master ($summary).$hint If $master is unreachable for good, re-run with --force: $loss"
  fi
  warn "--force: promoting although metadata is not caught up: $loss"
}

# Ceph (RGWPeriod::update_sync_status) refuses a commit that changes the metadata master while
# the new master's metadata sync is on an older realm epoch than the current period: "ERROR: This
# zone is N period(s) behind the current master zone in metadata sync. ... To promote this zone to
# master anyway, add the flag --yes-i-really-mean-it."
ceph_refuses_stale_promotion() { [[ "$RGW_ERR" == *"behind the current master zone in metadata sync"* || "$RGW_ERR" == *"--yes-i-really-mean-it"* ]]; }

# stale_meaning ZONE MASTER BEHIND: what forcing such a commit means.
stale_meaning() {
  printf '%s' "zone $1's metadata sync is ${3:-some} period(s) behind: metadata changes (users, keys, buckets, bucket policies) that $2 made and $1 never received are lost; the periods committed since then are superseded by the one $1 commits now, and when $2 returns it must be demoted (realm pull and period pull from $1), which overwrites its newer metadata instead of merging it"
}

# meta_epoch_behind ZONE: how many realm epochs ZONE's metadata sync is behind the current period
# (what Ceph checks before a master change); "" when unknown. Reads $WORK/period.json.
meta_epoch_behind() {
  rgw metadata sync status --rgw-zone "$1" || return 0
  printf '%s' "$RGW_OUT" | js 'const p = jsonFile(args[0]);
    const e = Number(((json().sync_status || {}).info || {}).realm_epoch), cur = Number(p.realm_epoch);
    return Number.isInteger(e) && e > 0 && Number.isInteger(cur) && cur > 1 && e < cur ? String(cur - e) : "";' "$WORK/period.json" 2>/dev/null || true
}

# commit_promotion ZONE MASTER: the master-changing commit. When Ceph refuses it because ZONE's
# metadata sync is on an older realm epoch: with --force (forcePromotion) retry once with
# --yes-i-really-mean-it, saying what that means; without, refuse (exit 3).
commit_promotion() {
  local zone="$1" master="$2" rc=0 behind
  rgw period update --commit || rc=$?
  ((rc != 0)) || return 0
  if ! ceph_refuses_stale_promotion; then
    printf '%s: error: radosgw-admin period update --commit failed (exit %s)\n' "$PROG" "$rc" >&2
    [[ -z "$RGW_ERR" ]] || printf '%s\n' "$RGW_ERR" | sed 's/^/    /' >&2
    exit 1
  fi
  behind=$(grep -o 'This zone is [0-9]* period' <<<"$RGW_ERR" | grep -o '[0-9][0-9]*' || true)
  printf '%s\n' "$RGW_ERR" | sed 's/^/    /' >&2
  if ! has_opt force; then
    refuse "Ceph refuses to make $zone the metadata master: $(stale_meaning "$zone" "$master" "$behind"). Wait until $zone's metadata sync has caught up (rgw-multisite.sh status), or, if $master is lost for good, allow it with --force (the failover stack's forcePromotion: true). Nothing was committed; zone $zone and zonegroup $SCOPE_ZG were modified locally only and a re-run repeats it"
  fi
  warn "--force (forcePromotion): Ceph asks for --yes-i-really-mean-it; committing with it. $(stale_meaning "$zone" "$master" "$behind")"
  rgw_must period update --commit --yes-i-really-mean-it
}

cmd_promote() {
  parse_flags "zone zonegroup peer-zone peer-url" "force" "$@"
  require_flags zone zonegroup
  check_name zone
  check_name zonegroup
  check_name peer-zone
  check_url peer-url
  require_restart
  local zone zg master endpoints peer purl peer_up=false
  zone=$(opt zone) zg=$(opt zonegroup) peer=$(opt peer-zone) purl=$(opt peer-url)
  [[ -z "$purl" || -n "$peer" ]] || usage_error "--peer-url needs --peer-zone"
  [[ "$purl" != *,* ]] || usage_error "--peer-url takes one URL"
  [[ "$zone" != "$peer" ]] || usage_error "--zone and --peer-zone must differ"
  local peer_admin=() peer_restart=()
  # shellcheck disable=SC2206 # word-split prefixes, like RGW_ADMIN
  peer_admin=(${RGW_PEER_ADMIN:-})
  # shellcheck disable=SC2206
  peer_restart=(${RGW_PEER_RESTART:-})

  derive_scope "$zone"
  SCOPE_ZG=$zg
  load_period
  # With the peer's admin command: if the peer knows a newer period (this zone is the stale one,
  # e.g. back after an outage without a demote), learn it first, so a stale local view never makes
  # this a no-op or a second master.
  if [[ -n "$peer" ]] && ((${#peer_admin[@]})); then
    if rgw_with peer_admin period get --rgw-zone "$peer"; then
      peer_up=true
      printf '%s' "$RGW_OUT" >"$WORK/peer-period.json"
      local newer
      newer=$(js 'const a = jsonFile(args[0]), b = jsonFile(args[1]);
        return String((b.realm_epoch || 0) > (a.realm_epoch || 0));' "$WORK/period.json" "$WORK/peer-period.json")
      if [[ "$newer" == true ]]; then
        [[ -n "$purl" ]] || die "zone $peer has a newer period than this zone; give --peer-url to pull it"
        require_env RGW_SYSTEM_ACCESS_KEY RGW_SYSTEM_SECRET_KEY
        step "zone $peer has a newer period: pulling it from $purl"
        rgw_must realm pull --url "$purl" --access-key "$RGW_SYSTEM_ACCESS_KEY" --secret "$RGW_SYSTEM_SECRET_KEY"
        rgw_must period pull --url "$purl" --access-key "$RGW_SYSTEM_ACCESS_KEY" --secret "$RGW_SYSTEM_SECRET_KEY"
        load_period
      fi
    else
      warn "zone $peer does not answer through RGW_PEER_ADMIN: promoting without fencing it"
    fi
  fi

  period_has_zone "$zg" "$zone" || die "zone $zone is not in zonegroup $zg of the current period"
  master=$(period_query master)
  master=${master#id:}
  if [[ "$master" == "$zone" ]]; then
    step "zone $zone is already the metadata master: nothing to change"
    return 0
  fi

  step "preflight: is zone $zone's metadata caught up with the master $master?"
  promote_preflight "$zone" "$master" "$([[ "$peer_up" == true && "$peer" == "$master" ]] && echo true || echo false)"
  # Ceph refuses the master change while this zone's metadata sync is on an older realm epoch,
  # even when the shards say caught up: refuse before changing anything (unless --force, which
  # passes --yes-i-really-mean-it if Ceph then asks for it).
  local behind
  behind=$(meta_epoch_behind "$zone")
  if [[ -n "$behind" ]] && ! has_opt force; then
    refuse "zone $zone's metadata sync is $behind period(s) behind the current period (an older realm epoch), and Ceph refuses to promote such a zone (it asks for --yes-i-really-mean-it): $(stale_meaning "$zone" "$master" "$behind"). Wait until its metadata sync has moved to the current period, or, if $master is lost for good, allow it with --force (the failover stack's forcePromotion: true)"
  fi

  # Fence the old master while it is reachable: read-only, so nothing is written there that the
  # new master would never see; then wait until this zone has everything it wrote before.
  if [[ "$peer_up" == true && "$peer" == "$master" ]]; then
    if [[ $(js 'const p = jsonFile(args[0]); const z = (p.period_map.zonegroups || []).flatMap((g) => g.zones || []).find((z) => z.name === args[1]);
        return String(!!z && (z.read_only === true || z.read_only === "true"));' "$WORK/peer-period.json" "$peer") == true ]]; then
      info "zone $peer is already read-only (fenced)"
    else
      step "fencing the current master $peer: read-only"
      rgw_must_with peer_admin zone modify --rgw-zone "$peer" --read-only=true
      rgw_must_with peer_admin period update --commit --rgw-zone "$peer"
      if ((${#peer_restart[@]})); then
        settle_gateway "$purl"
        local own_restart=("${RESTART[@]}")
        RESTART=("${peer_restart[@]}")
        restart_gateway
        RESTART=("${own_restart[@]}")
      else
        info "RGW_PEER_RESTART not set: $peer's gateway picks the period up by its realm reload"
      fi
    fi
    step "waiting until zone $zone has caught up with the fenced $peer"
    local deadline=$((SECONDS + WAIT_TIMEOUT)) all
    while :; do
      sleep "$POLL_INTERVAL"
      status_json "$zone"
      all=$(status_query all-caught-up)
      [[ "$all" != true ]] || break
      if ((SECONDS >= deadline)); then
        info "$(status_query summary)"
        [[ $(status_query meta-caught-up) == true ]] || has_opt force ||
          refuse "zone $zone did not catch up with $peer within ${WAIT_TIMEOUT}s; $peer stays fenced (read-only): re-run, or demote $peer to lift the fence"
        warn "data sync from $peer not caught up within ${WAIT_TIMEOUT}s: objects not yet replicated follow later from $peer"
        break
      fi
    done
  fi

  step "promoting zone $zone to metadata master"
  # Only the exact lowercase --read-only=false means false: radosgw-admin reads any other value
  # (False, no) as true and the new master would reject writes.
  rgw_must zone modify --rgw-zone "$zone" --rgw-zonegroup "$zg" --master --default --read-only=false
  rgw_must zonegroup modify --rgw-zonegroup "$zg" --master
  step "committing the period"
  commit_promotion "$zone" "$master"
  load_period
  [[ "$(period_query master)" == "$zone" ]] || die "after the commit the period names $(period_query master) as master, not $zone"
  endpoints=$(period_query zone-endpoints "$zone")
  settle_gateway "$endpoints"
  restart_gateway
  wait_gateway "$endpoints"
  step "zone $zone is the metadata master (period $(period_query id))"
}

cmd_demote() {
  parse_flags "zone master-url" "read-only" "$@"
  require_flags zone master-url
  check_name zone
  check_url master-url
  require_env RGW_SYSTEM_ACCESS_KEY RGW_SYSTEM_SECRET_KEY
  require_restart
  local zone murl realm before after master want ro changed=0 endpoints
  zone=$(opt zone) murl=$(opt master-url)
  [[ "$murl" != *,* ]] || usage_error "--master-url takes one URL"
  want=false
  has_opt read-only && want=true

  derive_scope "$zone"
  [[ -n "$SCOPE_REALM" ]] || die "demote needs zone $zone's realm: zone get --rgw-zone $zone did not name one"
  realm=$SCOPE_REALM
  before=$(js 'return jsonFile(args[0]).current_period || "";' "$WORK/realm.json" </dev/null)
  load_period "$realm" # this zone's (maybe stale) view: it tells the zonegroup before the pulls
  step "pulling realm $realm and its current period from $murl"
  rgw_must realm pull --rgw-realm "$realm" --url "$murl" --access-key "$RGW_SYSTEM_ACCESS_KEY" --secret "$RGW_SYSTEM_SECRET_KEY"
  rgw_must period pull --rgw-realm "$realm" --url "$murl" --access-key "$RGW_SYSTEM_ACCESS_KEY" --secret "$RGW_SYSTEM_SECRET_KEY"
  load_period "$realm"
  after=$(period_query id)
  [[ "$before" == "$after" ]] || changed=1
  master=$(period_query master)
  [[ -n "$master" ]] || die "the period from $murl names no metadata master"
  [[ "$master" != "$zone" ]] ||
    refuse "the current period (from $murl) still names $zone as metadata master: promote another zone first"
  info "metadata master is ${master#id:}"

  ro=$(period_query zone-read-only "$zone")
  if [[ "$ro" != "$want" ]]; then
    step "zone $zone: secondary, read-only=$want"
    rgw_must zone modify --rgw-zone "$zone" --master=false --read-only="$want"
    step "committing the period (forwarded to ${master#id:})"
    rgw_must period update --commit --rgw-realm "$realm"
    load_period "$realm"
    changed=1
  fi
  if ((changed)); then
    endpoints=$(period_query zone-endpoints "$zone")
    settle_gateway "$endpoints"
    restart_gateway
    wait_gateway "$endpoints"
    step "zone $zone is a secondary of ${master#id:} (read-only=$want)"
  else
    step "nothing to change: zone $zone is already a secondary of ${master#id:} (read-only=$want)"
  fi
}

cmd_fence() {
  parse_flags "zone" "" "$@"
  require_flags zone
  check_name zone
  require_restart
  local zone endpoints
  zone=$(opt zone)
  derive_scope "$zone"
  load_period
  [[ -n $(period_query zone-id "$zone") ]] || die "zone $zone is not in the current period"
  if [[ $(period_query zone-read-only "$zone") == true ]]; then
    step "zone $zone is already read-only: nothing to change"
    return 0
  fi
  step "fencing zone $zone: read-only"
  rgw_must zone modify --rgw-zone "$zone" --read-only=true
  step "committing the period"
  rgw_must period update --commit
  load_period
  endpoints=$(period_query zone-endpoints "$zone")
  settle_gateway "$endpoints"
  restart_gateway
  wait_gateway "$endpoints"
  step "zone $zone is read-only"
}

main() {
  # Nothing here reads stdin; an inherited one (Pulumi's) may never close, and `ssh` prefixes
  # would swallow it.
  exec </dev/null
  SUBCOMMAND="${1:-}"
  [[ -n "$SUBCOMMAND" ]] || usage_error "missing subcommand (bootstrap-master ensure-realm ensure-master-zone join-secondary ensure-user sync-scope status wait-caught-up promote demote fence backup-objects)"
  shift
  load_settings
  case "$SUBCOMMAND" in
  bootstrap-master | ensure-master-zone) cmd_bootstrap_master "$@" ;;
  ensure-realm) cmd_ensure_realm "$@" ;;
  join-secondary) cmd_join_secondary "$@" ;;
  ensure-user) cmd_ensure_user "$@" ;;
  sync-scope) cmd_sync_scope "$@" ;;
  status) cmd_status "$@" ;;
  wait-caught-up) cmd_wait_caught_up "$@" ;;
  promote) cmd_promote "$@" ;;
  demote) cmd_demote "$@" ;;
  fence) cmd_fence "$@" ;;
  backup-objects) cmd_backup_objects "$@" ;;
  -h | --help | help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
    exit 0
    ;;
  *)
    local s="$SUBCOMMAND"
    SUBCOMMAND=""
    usage_error "unknown subcommand '$s' (allowed: bootstrap-master ensure-realm ensure-master-zone join-secondary ensure-user sync-scope status wait-caught-up promote demote fence backup-objects)"
    ;;
  esac
}

main "$@"
