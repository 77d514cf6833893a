#!/usr/bin/env bash
# failover.sh: the operator's tool for a DR failover, a drill and a restore (docs/runbook.md).
#
#   failover.sh preflight --to SITE [--unreachable OTHER] [--zone Z] [--other-zone Z] [--bucket B]
#                         [--namespace NS] [--kube-context C]
#       Is it safe to make SITE the active site? Sync status of SITE's zone (and of the other zone
#       when reachable), the newest Completed backup SITE's Velero sees, and whether all of that
#       backup's objects (and the bucket's kopia data) are on SITE's zone. Changes nothing.
#   failover.sh switch --to SITE [--stack failover] [--unreachable OTHER] [--force] [--dry-run] [--yes] [...]
#       Preflight, then through Pulumi: `pulumi config set activeSite SITE`, unreachableSites
#       (`--path 'unreachableSites[0]' OTHER` with --unreachable, else removed) and forcePromotion
#       (true with --force, else false) on the failover stack; `pulumi preview --diff`; confirm;
#       `pulumi up --yes`. The flags state the whole role setting: a leftover forcePromotion or
#       unreachableSites from an earlier emergency never carries into the next switch.
#   failover.sh switch --break-glass --to SITE --zone Z --zonegroup G [--other-zone Z --other-endpoint URL]
#                      [--unreachable OTHER] [--force] [--dry-run] [--yes] [...]
#       Without the Pulumi state backend: the same preflight, then directly `rgw-multisite.sh
#       promote` on SITE's zone (it fences the other zone first when that one is reachable), the
#       other cluster's Schedules stopped and its BackupStorageLocation ReadOnly (when reachable),
#       SITE's BackupStorageLocation ReadWrite; then prints what to reconcile in Pulumi. Deletes
#       no backup, zone, user or bucket (stop-schedules removes the old active cluster's Schedule
#       objects, as the failover stack does; their Backups stay).
#   failover.sh restore --site SITE --namespace NS [--kube-context C] [--backup NAME | --from-site S]
#                       [--lost-site OTHER] [--location L] [--bucket B] [--zone Z] [--timeout S]
#                       [--reimport-timeout S] [--dry-run] [--yes]
#       Restores a backup into SITE's cluster with `velero restore create --from-backup NAME --wait`,
#       on the active site or on the passive one without any switch: Velero 1.18.1 restores from a
#       ReadOnly location (it only refuses to create a kopia repository there; the repository exists
#       once the active site has backed up pod volumes). Which backup: --backup NAME, else the newest
#       Completed one made by the OTHER site (Schedule label dr.velero-ceph-dr/site; --from-site S
#       to choose the site), printed with why: the new active cluster's own first backups can be
#       nearly empty. With TARGET_RGW_ADMIN it checks SITE's zone first: not read-only in Ceph (a
#       strict read-only passive zone refuses the restore's log and result writes: switch first),
#       every file Velero writes for the backup is there, and the bucket caught up with the other
#       zone. With --lost-site OTHER (the failover stack's unreachableSites) the other zone's sync
#       state does not block: it says what may be missing and goes on when the backup's own files
#       are all there. Then it compares what the cluster imported with the bucket (PodVolumeBackups
#       of the backup against the bucket's list): when they differ (backup sync imported the backup
#       before its files had replicated, and never looks again) it deletes the Backup record only
#       (not the data) and waits until backup sync imports it again (--reimport-timeout, default 600 s).
#
# Sites are site-a and site-b. "Target" is the --to/--site site, "other" the other one.
#   --zone/--other-zone   RGW zone of the target/other site (default: the zone its radosgw-admin serves)
#   --zonegroup G         the zonegroup (break-glass promote)
#   --other-endpoint URL  the other zone's endpoint (break-glass: lets promote pull a newer period from it)
#   --bucket B            backup bucket (default velero-backups)
#   --namespace NS        Velero's namespace in both clusters (default velero; required by restore)
#   --location L          the BackupStorageLocation (default default)
#   --kube-context C / --other-kube-context C   the clusters, as contexts of the ambient kubeconfig
#   --unreachable OTHER   the other site is down: it gets no call at all (needs --force)
#   --lost-site OTHER     restore: the other site is lost; its zone's sync state does not block the restore
#   --from-site S         restore: take the newest Completed backup made by S (default: the other site)
#   --force               accept what the preflight found unsafe (it says what that risks)
#   --dry-run             run only the read-only checks; print every changing command instead of running it
#   --yes                 do not ask (without a terminal, changing anything needs --yes)
#
# Environment (secrets only here, never in flags, never printed):
#   TARGET_RGW_ADMIN, OTHER_RGW_ADMIN      radosgw-admin command of each site, word-split
#                                          (e.g. `cephadm shell -- radosgw-admin`); TARGET_ is required
#                                          by preflight and switch, OTHER_ unset means "not checked"
#   TARGET_RGW_RESTART, OTHER_RGW_RESTART  each site's gateway restart command (break-glass)
#   TARGET_KUBECONFIG_DATA, OTHER_KUBECONFIG_DATA  a whole kubeconfig (secret), instead of --kube-context
#   RGW_SYSTEM_ACCESS_KEY, RGW_SYSTEM_SECRET_KEY   passed through to rgw-multisite.sh
#   PULUMI_ACCESS_TOKEN, PULUMI_CONFIG_PASSPHRASE  passed through to pulumi
#   PULUMI, VELERO, KUBECTL (default pulumi, velero, kubectl), RGW_MULTISITE, VELERO_ROLE (default:
#   the scripts beside this one)
# Exit codes: 0 done / go, 2 bad arguments (the message names the flag and what is allowed),
# 3 refused by a safety check (the message says why, and what --force would risk), 4 timed out,
# 1 anything else. Steps are printed as "==> ...", the last line is "VERDICT: ...".
#
# Only scripts/rgw-multisite.sh speaks radosgw-admin; never `set -x` here (kubeconfigs, keys).
set -euo pipefail

PROG=failover.sh
SUBCOMMAND=""
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SITES="site-a site-b"
RPO_LABEL=dr.velero-ceph-dr/rpo-seconds # RPO_SECONDS_LABEL in components/veleroInstall.ts: marks our Schedules
SITE_LABEL=dr.velero-ceph-dr/site       # SITE_LABEL in components/veleroInstall.ts: the site that made a Backup

# ---------------------------------------------------------------------------------------------
# Output and exits
# ---------------------------------------------------------------------------------------------

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
verdict() { printf 'VERDICT: %s\n' "$*"; }

# Changes made so far (printed when a later step fails, so on-call knows where it stopped).
DONE=()
progress() {
  ((${#DONE[@]})) || return 0
  printf 'done before this point:\n' >&2
  printf '    %s\n' "${DONE[@]}" >&2
}
die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  progress
  verdict "FAILED: $*"
  exit 1
}
refuse() {
  printf '%s: refused: %s\n' "$PROG" "$*" >&2
  progress
  verdict "REFUSED: $*"
  exit 3
}
timed_out() {
  printf '%s: timed out: %s\n' "$PROG" "$*" >&2
  progress
  verdict "TIMED OUT: $*"
  exit 4
}
usage_error() {
  printf '%s%s: %s\n' "$PROG" "${SUBCOMMAND:+ $SUBCOMMAND}" "$*" >&2
  printf 'usage: see the header of scripts/failover.sh (failover.sh help)\n' >&2
  verdict "BAD ARGUMENTS: $*"
  exit 2
}
# child_failed WHAT RC: a child's exit code, mapped onto ours (3 refused and 4 timed out pass through).
child_failed() {
  case "$2" in
  3) refuse "$1 refused (exit 3): see its message above" ;;
  4) timed_out "$1 timed out (exit 4)" ;;
  *) die "$1 failed (exit $2)" ;;
  esac
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/failover.XXXXXX")
chmod 700 "$WORK"
trap 'rm -rf "$WORK"' EXIT

# js BODY [ARGS...]: run a JavaScript function body with node; `args`, `jsonFile(p)`, `fail(m)`.
# A returned string is printed as is, anything else as JSON. Errors never quote parsed input.
JS_PRELUDE='
"use strict";
const fs = require("fs");
const args = process.argv.slice(1);
class Own extends Error {}
const fail = (m) => { throw new Own(m); };
const jsonFile = (p) => {
  const text = fs.readFileSync(p, "utf8");
  try { return JSON.parse(text); } catch (e) {}
  const i = text.search(/^[ \t]*[[{]/m);
  if (i > 0) { try { return JSON.parse(text.slice(i)); } catch (e) {} }
  fail("could not parse " + p.replace(/^.*\//, "") + " as JSON");
};
const run = (f) => {
  try {
    const out = f();
    if (out !== undefined && out !== null) process.stdout.write(typeof out === "string" ? out : JSON.stringify(out));
  } catch (e) {
    process.stderr.write("failover.sh: " + (e instanceof Own ? e.message : "internal error in a checker: " + e.message) + "\n");
    process.exit(1);
  }
};
'
js() {
  local body="$1"
  shift
  node -e "$JS_PRELUDE
run(() => { $body });" -- "$@" </dev/null
}

# Shell-quoted rendering of a command, for "would run" lines and the record of what ran.
render() {
  local out="" w q="'"
  for w in "$@"; do
    if [[ "$w" =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
      out+="$w "
    else
      out+="$q${w//$q/$q\\$q$q}$q "
    fi
  done
  printf '%s' "${out% }"
}

# ---------------------------------------------------------------------------------------------
# Flags
# ---------------------------------------------------------------------------------------------

# Flags: scripts/lib/flags.sh (parse_flags, opt, has_opt, require_flags).
# shellcheck disable=SC2034 # read by lib/flags.sh
SECRETS_FROM="RGW_SYSTEM_ACCESS_KEY/RGW_SYSTEM_SECRET_KEY, TARGET_KUBECONFIG_DATA/OTHER_KUBECONFIG_DATA, PULUMI_*"
# shellcheck source=lib/flags.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/flags.sh"
# only_with FLAG CONDITION-TEXT: FLAG was given where it does not apply.
not_here() {
  local name
  for name in "${@:2}"; do
    ! has_opt "$name" || usage_error "--$name applies to $1 only"
  done
}

check_site() {
  local v="${OPT[$1]:-}"
  [[ -z "$v" || " $SITES " == *" $v "* ]] || usage_error "--$1 '$v' is not allowed; allowed: site-a or site-b"
}
check_name() { # RGW realm/zonegroup/zone names
  local v="${OPT[$1]:-}"
  [[ -z "$v" || "$v" =~ ^[A-Za-z0-9_-]{1,64}$ ]] || usage_error "--$1 '$v' is not allowed; allowed: 1-64 characters of A-Z a-z 0-9 - _"
}
check_k8s_name() {
  local v="${OPT[$1]:-}"
  [[ -z "$v" || "$v" =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] ||
    usage_error "--$1 '$v' is not allowed; allowed: a Kubernetes name (lowercase letters, digits, '-', at most 63)"
}
check_backup_name() { # Backup names are DNS subdomains
  local v="${OPT[$1]:-}"
  [[ -z "$v" || ("$v" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ && ${#v} -le 253) ]] ||
    usage_error "--$1 '$v' is not allowed; allowed: a Velero backup name (lowercase letters, digits, '-', '.')"
}
check_bucket() {
  local v="${OPT[$1]:-}"
  [[ -z "$v" || ("$v" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ && "$v" != *..*) ]] ||
    usage_error "--$1 '$v' is not allowed; allowed: an S3 bucket name (3-63 of a-z 0-9 . -)"
}
check_context() {
  local v="${OPT[$1]:-}"
  [[ -z "$v" || ("$v" =~ ^[A-Za-z0-9@:/._-]+$ && ${#v} -le 253) ]] ||
    usage_error "--$1 '$v' is not allowed; allowed: a kubeconfig context name (A-Z a-z 0-9 @ : / . _ -)"
}
check_url() {
  local v="${OPT[$1]:-}" re='^https?://[][A-Za-z0-9.:-]+(/[A-Za-z0-9._~/-]*)?$'
  [[ -z "$v" || "$v" =~ $re ]] ||
    usage_error "--$1 '$v' is not allowed; allowed: one http:// or https:// URL"
}
check_stack() {
  local v="${OPT[$1]:-}"
  [[ -z "$v" || "$v" =~ ^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$ ]] ||
    usage_error "--$1 '$v' is not allowed; allowed: a Pulumi stack name (A-Z a-z 0-9 . _ - /), e.g. failover or myorg/velero-ceph-dr/failover"
}
check_seconds() {
  local v="${OPT[$1]:-}"
  [[ -z "$v" || "$v" =~ ^[1-9][0-9]{0,6}$ ]] || usage_error "--$1 '$v' is not allowed; allowed: a positive whole number of seconds"
}

other_site() { if [[ "$1" == site-a ]]; then echo site-b; else echo site-a; fi; }

# ---------------------------------------------------------------------------------------------
# The sites: RGW admin transport and Kubernetes access, per side (target / other)
# ---------------------------------------------------------------------------------------------

TO="" OTHER="" OTHER_UNREACHABLE=false
NS=velero LOCATION=default BUCKET=velero-backups
TARGET_ZONE="" OTHER_ZONE=""
RGW_MULTISITE=${RGW_MULTISITE:-$SCRIPT_DIR/rgw-multisite.sh}
VELERO_ROLE=${VELERO_ROLE:-$SCRIPT_DIR/velero-role.sh}
read -r -a PULUMI_CMD <<<"${PULUMI:-pulumi}"
read -r -a VELERO_CMD <<<"${VELERO:-velero}"
read -r -a KUBECTL_CMD <<<"${KUBECTL:-kubectl}"

side_admin() { if [[ "$1" == target ]]; then printf '%s' "${TARGET_RGW_ADMIN:-}"; else printf '%s' "${OTHER_RGW_ADMIN:-}"; fi; }
side_restart() { if [[ "$1" == target ]]; then printf '%s' "${TARGET_RGW_RESTART:-}"; else printf '%s' "${OTHER_RGW_RESTART:-}"; fi; }
side_context() { if [[ "$1" == target ]]; then opt kube-context; else opt other-kube-context; fi; }
side_kubeconfig_var() { if [[ "$1" == target ]]; then echo TARGET_KUBECONFIG_DATA; else echo OTHER_KUBECONFIG_DATA; fi; }
side_site() { if [[ "$1" == target ]]; then printf '%s' "$TO"; else printf '%s' "$OTHER"; fi; }
has_cluster() {
  local var
  var=$(side_kubeconfig_var "$1")
  [[ -n "$(side_context "$1")" || -n "${!var:-}" ]]
}
require_cluster() {
  local var site
  var=$(side_kubeconfig_var "$1") site=$(side_site "$1")
  if [[ "$1" == target ]]; then
    has_cluster target || usage_error "which cluster is $site? give --kube-context C or set $var (a whole kubeconfig, secret)"
  else
    has_cluster other || usage_error "which cluster is $site? give --other-kube-context C or set $var, or declare the site lost with --unreachable $site"
  fi
}

# rgw SIDE ARGS...: scripts/rgw-multisite.sh with that site's transport. Progress goes to stderr,
# machine output to stdout. The peer variables are cleared unless the caller exports them.
rgw() {
  local side="$1"
  shift
  (
    export RGW_ADMIN RGW_RESTART
    RGW_ADMIN=$(side_admin "$side")
    RGW_RESTART=$(side_restart "$side")
    [[ -n "${KEEP_PEER:-}" ]] || unset RGW_PEER_ADMIN RGW_PEER_RESTART
    exec "$RGW_MULTISITE" "$@"
  )
}
rgw_display() {
  local side="$1" admin restart
  shift
  admin=$(side_admin "$side") restart=$(side_restart "$side")
  printf 'RGW_ADMIN=%s%s %s' "$(printf '%q' "$admin")" "${restart:+ RGW_RESTART=$(printf '%q' "$restart")}" "$(render "$(script_name "$RGW_MULTISITE")" "$@")"
}
script_name() { if [[ "$1" == "$SCRIPT_DIR/"* ]]; then printf 'scripts/%s' "${1#"$SCRIPT_DIR"/}"; else printf '%s' "$1"; fi; }

# velero_role SIDE ARGS...: scripts/velero-role.sh against that site's cluster.
velero_role() {
  local side="$1" var
  shift
  var=$(side_kubeconfig_var "$side")
  (
    if [[ -n "$(side_context "$side")" ]]; then
      export KUBE_CONTEXT
      KUBE_CONTEXT=$(side_context "$side")
      unset KUBECONFIG_DATA
    else
      export KUBECONFIG_DATA="${!var}"
      unset KUBE_CONTEXT
    fi
    exec "$VELERO_ROLE" "$@"
  )
}

# Connection flags for kubectl (--context/--kubeconfig) and velero (--kubecontext/--kubeconfig).
# A kubeconfig from the environment goes to a private file, never to a command line.
kube_file() {
  local var file
  var=$(side_kubeconfig_var "$1") file="$WORK/kubeconfig-$1"
  [[ -f "$file" ]] || (umask 077 && printf '%s\n' "${!var}" >"$file")
  printf '%s' "$file"
}
KUBE_FLAGS=()
kube_flags() { # SIDE kubectl|velero
  local ctx
  ctx=$(side_context "$1")
  if [[ -n "$ctx" ]]; then
    if [[ "$2" == velero ]]; then KUBE_FLAGS=(--kubecontext "$ctx"); else KUBE_FLAGS=(--context "$ctx"); fi
  else
    KUBE_FLAGS=(--kubeconfig "$(kube_file "$1")")
  fi
}
kube_get() { # SIDE RESOURCE NAME|"" → JSON on stdout
  local side="$1" resource="$2" name="$3"
  kube_flags "$side" kubectl
  "${KUBECTL_CMD[@]}" "${KUBE_FLAGS[@]}" -n "$NS" get "$resource" ${name:+"$name"} -o json
}

# ---------------------------------------------------------------------------------------------
# Running or showing the changing commands
# ---------------------------------------------------------------------------------------------

DRY_RUN=false
# act DESCRIPTION DISPLAY -- CMD...: in a dry run print DISPLAY, else run CMD (rc in ACT_RC).
ACT_RC=0
act() {
  local what="$1" display="$2"
  shift 3
  if [[ "$DRY_RUN" == true ]]; then
    info "would run: $display"
    ACT_RC=0
    return 0
  fi
  step "$what"
  info "+ $display"
  ACT_RC=0
  "$@" || ACT_RC=$?
  ((ACT_RC != 0)) || DONE+=("$display")
}

confirm() { # QUESTION EXPECTED
  [[ "$DRY_RUN" != true ]] || return 0
  if has_opt yes; then
    info "--yes: not asking"
    return 0
  fi
  [[ -t 0 ]] || refuse "nothing was confirmed: there is no terminal to ask on; re-run with --yes once you have read the plan above"
  local answer=""
  printf '%s Type %s to go on: ' "$1" "$2"
  read -r answer || true
  [[ "$answer" == "$2" ]] || refuse "not confirmed (expected '$2'); nothing after the preflight was changed"
}

# ---------------------------------------------------------------------------------------------
# Preflight
# ---------------------------------------------------------------------------------------------

PROBLEMS=() RISKS=() BLOCKERS=() MAY_BE_MISSING=()
declare -A FACTS=()
NEWEST="" OTHER_UP=false

# record: lines "kind<TAB>text<TAB>risk" from a judge, printed and collected.
record() {
  local kind text risk
  while IFS=$'\t' read -r kind text risk; do
    case "$kind" in
    ok) info "ok: $text" ;;
    info) info "$text" ;;
    problem)
      info "NOT SAFE: $text"
      PROBLEMS+=("$text")
      RISKS+=("$risk")
      ;;
    blocker)
      info "BLOCKED: $text"
      BLOCKERS+=("$text")
      ;;
    lost)
      info "MAY BE MISSING (lost site): $text"
      MAY_BE_MISSING+=("$text")
      ;;
    fact) FACTS[$text]="$risk" ;;
    esac
  done
}

# Judges a `rgw-multisite.sh status` object of the target zone (and of the other zone, if any).
STATUS_JUDGE='
const t = jsonFile(args[0]);
const o = args[1] ? jsonFile(args[1]) : null;
const lines = [];
const say = (kind, text, risk) => lines.push([kind, text, risk || ""].join("\t"));
const desc = (v) => v.caughtUp ? "caught up" : [
  v.error || v.state || "unknown",
  v.shards ? "incremental " + v.incrementalShards + "/" + v.shards + " shards" : "",
  v.behindShards && v.behindShards.length ? "behind shards [" + v.behindShards.join(",") + "]" : "",
  v.oldestChange ? "oldest change not applied " + v.oldestChange : "",
].filter(Boolean).join(", ");
const role = (s) => (s.isMaster ? "metadata master" : "secondary of " + (s.metadataMaster || "?")) + (s.readOnly ? ", read-only" : "");
say("info", "zone " + t.zone + " (zonegroup " + t.zonegroup + ", realm " + t.realm + ", period " + t.period + "): " + role(t));
if (t.isMaster) say("ok", "zone " + t.zone + " is already the metadata master: the promotion is a no-op");
else if (t.metadataSync && t.metadataSync.caughtUp) say("ok", "metadata of " + t.zone + " caught up with " + t.metadataMaster);
else say("problem", "metadata sync of " + t.zone + " is not caught up with " + t.metadataMaster + " (" + desc(t.metadataSync || {}) + ")",
  "users, buckets and bucket policies created on " + t.metadataMaster + " and not yet replicated are lost for " + t.zone + " and overwritten when " + t.metadataMaster + " returns");
const sources = Object.entries(t.dataSync || {});
if (sources.length === 0) say("problem", "zone " + t.zone + " has no data sync source", "nothing written on the other zone is on " + t.zone);
for (const [src, v] of sources) {
  if (v.caughtUp) say("ok", "data of " + t.zone + " caught up with " + src);
  else say("problem", "data sync of " + t.zone + " from " + src + " is not caught up (" + desc(v) + ")",
    "objects written on " + src + " and not yet replicated (the newest backups, kopia data) are missing on " + t.zone + "; they follow when " + src + " syncs again, and are lost if it never returns");
}
if (o) {
  say("info", "other zone " + o.zone + ": " + role(o));
  if (o.metadataMaster !== t.metadataMaster) say("problem",
    "the zones disagree on the metadata master (" + t.zone + " says " + t.metadataMaster + ", " + o.zone + " says " + o.metadataMaster + ")",
    "two zones acting as metadata master: metadata written on both diverges (demote the stale one: rgw-multisite.sh demote)");
}
return lines.join("\n");
'

# Judges `rgw-multisite.sh backup-objects` output of the target zone, against the other zone's
# listing when there is one. Every file Velero 1.18 writes for a backup must be there (object_store.go
# PutBackup: metadata first, then the tarball, then the lists); the CSI lists (only CSI backups write
# them) are checked through the comparison with the other zone. args: target, other|"", name, site,
# lost ("true" when the other site is declared lost: its sync state does not block), target zone
# status|"" (restore: a zone read-only in Ceph refuses the restore's writes). "fact" lines carry the
# bucket's PodVolumeBackup list: its length when backup-objects reports it, else its size.
OBJECTS_JUDGE='
const t = jsonFile(args[0]);
const o = args[1] ? jsonFile(args[1]) : null;
const name = args[2], site = args[3], lost = args[4] === "true";
const st = args[5] ? jsonFile(args[5]) : null;
const lines = [];
const say = (kind, text, risk) => lines.push([kind, text, risk === undefined ? "" : risk].join("\t"));
const prefix = t.prefix || ("backups/" + name + "/");
const rel = (n) => n.startsWith(prefix) ? n.slice(prefix.length) : n;
const have = new Map((t.objects || []).map((x) => [rel(x.name), x]));
const bytes = [...have.values()].reduce((s, x) => s + (Number(x.size) || 0), 0);
say("info", "backup " + name + ": " + have.size + " objects, " + bytes + " bytes on zone " + t.zone);
if (st && st.readOnly === true) say("problem", "zone " + (st.zone || t.zone) + " is read-only in Ceph (strictReadOnlyPassive, or fenced by a switch): RGW refuses the restore logs and results Velero writes under restores/, so the restore fails; make " + site + " the active site first (failover.sh switch --to " + site + ")", "the restore fails on a read-only zone");
const incomplete = "restoring " + name + " on " + site + " fails or misses data; wait for replication, or restore an older complete backup (failover.sh restore --backup NAME)";
const required = ["velero-backup.json", name + ".tar.gz", name + "-logs.gz", name + "-results.gz", name + "-resource-list.json.gz",
  name + "-podvolumebackups.json.gz", name + "-volumesnapshots.json.gz", name + "-itemoperations.json.gz", name + "-volumeinfo.json.gz"];
const missing = required.filter((n) => !have.has(n));
if (missing.length) say("problem", "backup " + name + " is incomplete on zone " + t.zone + ": missing " + missing.join(", "), incomplete);
const pvb = have.get(name + "-podvolumebackups.json.gz");
if (typeof t.podVolumeBackups === "number") say("fact", "pvb-count", t.podVolumeBackups);
else if (pvb) say("fact", "pvb-bytes", Number(pvb.size) || 0);
if (o) {
  const diff = [];
  for (const x of o.objects || []) {
    const mine = have.get(rel(x.name));
    if (!mine) { if (!missing.includes(rel(x.name))) diff.push(rel(x.name) + " (absent)"); }
    else if (String(mine.size) !== String(x.size) || (mine.etag && x.etag && mine.etag !== x.etag)) diff.push(rel(x.name) + " (differs)");
  }
  if (diff.length) say("problem", "zone " + t.zone + " lacks " + diff.length + " of the " + (o.objects || []).length + " objects zone " + o.zone + " holds for " + name + ": " + diff.slice(0, 5).join(", ") + (diff.length > 5 ? ", ..." : ""), incomplete);
  else if (!missing.length) say("ok", "all " + (o.objects || []).length + " objects of " + name + " on zone " + o.zone + " are on zone " + t.zone);
} else if (!missing.length) say("ok", "all " + required.length + " files Velero writes for " + name + " are on zone " + t.zone + " (the other zone was not compared)");
const behind = (v) => [v.state, v.error, v.behindShards && v.behindShards.length ? "behind shards [" + v.behindShards.join(",") + "]" : ""].filter(Boolean).join(", ");
for (const [src, v] of Object.entries(t.bucketSync || {})) {
  if (src === t.zone) continue;
  if (v.caughtUp) say("ok", "bucket " + t.bucket + " on zone " + t.zone + " caught up with " + src + " (kopia data included)");
  else if (lost) say("lost", "bucket " + t.bucket + " on zone " + t.zone + " is not caught up with " + src + " (" + behind(v) + "): backups newer than the last replication and kopia data written on " + src + " since then are not on " + t.zone + "; if " + name + " has pod volumes whose kopia data came late, their restore fails (velero restore describe --details)");
  else say("problem", "bucket " + t.bucket + " on zone " + t.zone + " is not caught up with " + src + " (" + behind(v) + ")",
    "kopia data (pod volumes) written recently on " + src + " may be missing on " + t.zone + ": volume restores of the newest backups may fail");
}
if (lost && st) for (const [src, v] of Object.entries(st.dataSync || {})) {
  if (!v.caughtUp) say("lost", "data sync of zone " + (st.zone || t.zone) + " from " + src + " is not caught up (" + [v.error || v.state, v.oldestChange ? "oldest change not applied " + v.oldestChange : ""].filter(Boolean).join(", ") + "): what " + src + " wrote after that is not here");
}
return lines.join("\n");
'

preflight() {
  local rc=0 out tstatus="$WORK/target-status.json" ostatus="" zargs=()
  step "preflight: can $TO become the active site?"

  step "sync status of $TO's zone${TARGET_ZONE:+ $TARGET_ZONE} (rgw-multisite.sh status through TARGET_RGW_ADMIN)"
  [[ -z "$TARGET_ZONE" ]] || zargs=(--zone "$TARGET_ZONE")
  rgw target status "${zargs[@]}" >"$tstatus" || rc=$?
  ((rc == 0)) || die "cannot read the sync status of $TO's zone through TARGET_RGW_ADMIN (rgw-multisite.sh status: exit $rc): the target site must answer"
  [[ -n "$TARGET_ZONE" ]] || TARGET_ZONE=$(js 'return jsonFile(args[0]).zone || "";' "$tstatus")

  if [[ "$OTHER_UNREACHABLE" == true ]]; then
    step "$OTHER is declared unreachable: not contacted"
  elif [[ -z "${OTHER_RGW_ADMIN:-}" ]]; then
    step "$OTHER's zone not checked: OTHER_RGW_ADMIN is not set"
  else
    step "sync status of $OTHER's zone${OTHER_ZONE:+ $OTHER_ZONE} (through OTHER_RGW_ADMIN)"
    ostatus="$WORK/other-status.json"
    zargs=()
    [[ -z "$OTHER_ZONE" ]] || zargs=(--zone "$OTHER_ZONE")
    rc=0
    rgw other status "${zargs[@]}" >"$ostatus" || rc=$?
    if ((rc == 0)); then
      OTHER_UP=true
      [[ -n "$OTHER_ZONE" ]] || OTHER_ZONE=$(js 'return jsonFile(args[0]).zone || "";' "$ostatus")
    else
      ostatus=""
      record <<<"$(printf 'blocker\t%s' "$OTHER does not answer (rgw-multisite.sh status through OTHER_RGW_ADMIN: exit $rc). If it is up it stays metadata master with its Velero writing; if it is down, declare it: --unreachable $OTHER --force")"
    fi
  fi
  out=$(js "$STATUS_JUDGE" "$tstatus" "$ostatus") || die "could not judge the sync status"
  record <<<"$out"

  step "newest Completed backup that $TO's Velero sees (namespace $NS)"
  rc=0
  NEWEST=$(velero_role target newest-backup --namespace "$NS" 2>"$WORK/newest.err") || rc=$?
  if ((rc != 0)); then
    if grep -q 'no Completed backup' "$WORK/newest.err"; then
      record <<<"$(printf 'problem\t%s\t%s' "$TO's Velero sees no Completed backup" "there is nothing to restore on $TO after the switch (check the BSL with velero backup-location get, and DrNoBackupsVisible)")"
      NEWEST=""
    else
      sed 's/^/    /' "$WORK/newest.err" >&2
      die "cannot list the backups in $TO's cluster (velero-role.sh newest-backup: exit $rc)"
    fi
  else
    info "newest: $NEWEST"
  fi

  if [[ -n "$NEWEST" ]]; then
    check_objects "$NEWEST"
  fi
}

# check_objects NAME [LOST] [STATUS-FILE]: are NAME's objects on the target zone (compared with the
# other zone when up)? LOST=true: the other site is lost (its sync state does not block).
check_objects() {
  local name="$1" lost="${2:-}" status="${3:-}" rc=0 tobj="$WORK/target-objects.json" oobj="" zargs=() out
  step "objects of backup $name on zone ${TARGET_ZONE:-of $TO} (rgw-multisite.sh backup-objects)"
  [[ -z "$TARGET_ZONE" ]] || zargs=(--zone "$TARGET_ZONE")
  rgw target backup-objects --bucket "$BUCKET" --backup "$name" "${zargs[@]}" >"$tobj" || rc=$?
  ((rc == 0)) || die "cannot list the objects of backup $name on $TO's zone (rgw-multisite.sh backup-objects: exit $rc)"
  if [[ "$OTHER_UP" == true ]]; then
    oobj="$WORK/other-objects.json"
    zargs=()
    [[ -z "$OTHER_ZONE" ]] || zargs=(--zone "$OTHER_ZONE")
    rc=0
    rgw other backup-objects --bucket "$BUCKET" --backup "$name" "${zargs[@]}" >"$oobj" || rc=$?
    if ((rc != 0)); then
      warn "cannot list backup $name on $OTHER's zone (exit $rc): not compared"
      oobj=""
    fi
  fi
  out=$(js "$OBJECTS_JUDGE" "$tobj" "$oobj" "$name" "$TO" "$lost" "$status") || die "could not judge the backup's objects"
  record <<<"$out"
}

# preflight_verdict MODE: MODE is "preflight" (the subcommand: prints the final verdict and exits)
# or "switch" (returns 0 to go on, exits 3 when refused).
preflight_verdict() {
  local mode="$1" r
  if ((${#BLOCKERS[@]})); then
    printf '%s: refused: %s\n' "$PROG" "${BLOCKERS[*]}" >&2
    verdict "NOT SAFE to make $TO active: ${BLOCKERS[0]} (--force does not override this)"
    exit 3
  fi
  if ((${#PROBLEMS[@]})); then
    if [[ "$mode" == switch ]] && has_opt force; then
      step "preflight: NOT SAFE, going on because of --force, which accepts:"
      for r in "${RISKS[@]}"; do info "- $r"; done
      return 0
    fi
    printf '%s: refused: %s problem(s):\n' "$PROG" "${#PROBLEMS[@]}" >&2
    printf '    %s\n' "${PROBLEMS[@]}" >&2
    printf 'what switching with --force would accept (only if you accept it, add --force to the switch):\n' >&2
    for r in "${RISKS[@]}"; do printf '    - %s\n' "$r" >&2; done
    verdict "NOT SAFE to make $TO active: ${PROBLEMS[0]}$([[ ${#PROBLEMS[@]} -gt 1 ]] && printf ' (and %s more)' $((${#PROBLEMS[@]} - 1)))"
    exit 3
  fi
  if [[ "$mode" == preflight ]]; then
    verdict "GO: $TO can become the active site (zone ${TARGET_ZONE} caught up${NEWEST:+, newest backup $NEWEST complete there})"
    exit 0
  fi
  step "preflight: GO"
}

# ---------------------------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------------------------

# Flags shared by preflight and switch; sets TO, OTHER, zones, namespace, bucket.
common_site_flags() {
  require_flags to
  check_site to
  check_site unreachable
  check_name zone
  check_name other-zone
  check_name zonegroup
  check_bucket bucket
  check_k8s_name namespace
  check_k8s_name location
  check_context kube-context
  check_context other-kube-context
  TO=$(opt to)
  OTHER=$(other_site "$TO")
  if has_opt unreachable; then
    [[ "$(opt unreachable)" == "$OTHER" ]] ||
      usage_error "--unreachable '$(opt unreachable)' is not allowed: the site to make active cannot be unreachable; allowed: $OTHER"
    OTHER_UNREACHABLE=true
  fi
  TARGET_ZONE=$(opt zone) OTHER_ZONE=$(opt other-zone)
  [[ -z "$TARGET_ZONE" || "$TARGET_ZONE" != "$OTHER_ZONE" ]] || usage_error "--zone and --other-zone must differ"
  NS=${OPT[namespace]:-velero} BUCKET=${OPT[bucket]:-velero-backups} LOCATION=${OPT[location]:-default}
}

# What preflight and switch need from the environment (after the flags are known to be right).
common_site_env() {
  [[ -n "${TARGET_RGW_ADMIN:-}" ]] ||
    usage_error "TARGET_RGW_ADMIN is not set: the radosgw-admin command of $TO (e.g. 'cephadm shell -- radosgw-admin')"
  require_cluster target
}

cmd_preflight() {
  parse_flags "to unreachable zone other-zone bucket namespace kube-context" "" "$@"
  common_site_flags
  common_site_env
  preflight
  preflight_verdict preflight
}

cmd_switch() {
  parse_flags "to stack unreachable zone zonegroup other-zone other-endpoint bucket namespace location kube-context other-kube-context" \
    "break-glass force dry-run yes" "$@"
  common_site_flags
  check_stack stack
  check_url other-endpoint
  if has_opt unreachable && ! has_opt force; then
    usage_error "--unreachable $OTHER needs --force: with $OTHER unreachable its metadata sync cannot be checked (the failover stack's forcePromotion); add --force once you accept what the preflight says it risks"
  fi
  has_opt dry-run && DRY_RUN=true
  if has_opt break-glass; then
    not_here "the Pulumi switch (without --break-glass)" stack
    require_flags zone zonegroup
    [[ "$OTHER_UNREACHABLE" == true ]] || require_flags other-zone
    [[ "$OTHER_UNREACHABLE" != true ]] ||
      not_here "a reachable other site (not with --unreachable)" other-zone other-endpoint other-kube-context
    common_site_env
    [[ -n "${TARGET_RGW_RESTART:-}" ]] || usage_error "TARGET_RGW_RESTART is not set: promote restarts $TO's gateway"
    if [[ "$OTHER_UNREACHABLE" != true ]]; then
      [[ -n "${OTHER_RGW_ADMIN:-}" ]] ||
        usage_error "OTHER_RGW_ADMIN is not set: break-glass fences $OTHER's zone while it is reachable; set it, or declare the site lost with --unreachable $OTHER --force"
      require_cluster other
    fi
    switch_break_glass
  else
    not_here "--break-glass" zonegroup other-endpoint other-kube-context location
    common_site_env
    switch_pulumi
  fi
}

switch_pulumi() {
  local stack=${OPT[stack]:-failover} force=false
  has_opt force && force=true
  preflight
  preflight_verdict switch

  local -a c_active=("${PULUMI_CMD[@]}" config set activeSite "$TO" -s "$stack")
  local -a c_unreach
  if [[ "$OTHER_UNREACHABLE" == true ]]; then
    c_unreach=("${PULUMI_CMD[@]}" config set --path 'unreachableSites[0]' "$OTHER" -s "$stack")
  else
    c_unreach=("${PULUMI_CMD[@]}" config rm unreachableSites -s "$stack")
  fi
  local -a c_force=("${PULUMI_CMD[@]}" config set forcePromotion "$force" -s "$stack")
  local -a c_preview=("${PULUMI_CMD[@]}" preview -s "$stack" --diff)
  local -a c_up=("${PULUMI_CMD[@]}" up -s "$stack" --yes)

  step "the failover stack $stack: activeSite $TO, unreachableSites [$([[ "$OTHER_UNREACHABLE" == true ]] && printf '%s' "$OTHER")], forcePromotion $force (in $ROOT)"
  pulumi_config "${c_active[@]}"
  pulumi_config "${c_unreach[@]}"
  pulumi_config "${c_force[@]}"
  if [[ "$DRY_RUN" == true ]]; then
    info "would run: $(render "${c_preview[@]}")"
    info "would ask for confirmation (unless --yes), then run: $(render "${c_up[@]}")"
    verdict "DRY RUN: nothing changed; the preflight says go, the commands above are what the switch to $TO would run"
    exit 0
  fi
  act "preview of the role switch (read the diff: promotion, BackupStorageLocations, Schedules)" "$(render "${c_preview[@]}")" -- in_root "${c_preview[@]}"
  ((ACT_RC == 0)) || die "pulumi preview failed (exit $ACT_RC): the stack config now says activeSite $TO, nothing is deployed; fix and re-run, or set activeSite back to $OTHER"
  confirm "Deploy the role switch to $TO (stack $stack)?" "$TO"
  act "deploying the role switch" "$(render "${c_up[@]}")" -- in_root "${c_up[@]}"
  ((ACT_RC == 0)) || die "pulumi up failed (exit $ACT_RC): re-run 'pulumi up -s $stack' once the cause is fixed (every step is an ensure)"
  local restore=""
  restore=$(in_root "${PULUMI_CMD[@]}" stack output restoreCommand -s "$stack" 2>/dev/null) || restore=""
  step "next: verify (docs/runbook.md#verify), then restore what is needed${restore:+: $restore}"
  verdict "DONE: $TO is the active site (stack $stack)$([[ "$force" == true ]] && printf '; forcePromotion is true: set it back when the other site returns')"
}

in_root() { (cd "$ROOT" && exec "$@"); }

pulumi_config() {
  act "pulumi config" "$(render "$@")" -- in_root "$@"
  ((ACT_RC == 0)) || die "$(render "$@") failed (exit $ACT_RC); nothing was deployed"
}

switch_break_glass() {
  local force=false
  has_opt force && force=true
  preflight
  preflight_verdict switch
  # (a reachable-but-silent other site is a blocker above; this only guards the logic)
  [[ "$OTHER_UNREACHABLE" == true || "$OTHER_UP" == true ]] ||
    die "$OTHER's zone was not reached; break-glass needs it reachable (or --unreachable $OTHER --force)"

  local zg
  zg=$(opt zonegroup)
  local -a promote=(promote --zone "$TARGET_ZONE" --zonegroup "$zg")
  if [[ "$OTHER_UP" == true ]]; then
    promote+=(--peer-zone "$OTHER_ZONE")
    has_opt other-endpoint && promote+=(--peer-url "$(opt other-endpoint)")
  fi
  [[ "$force" == true ]] && promote+=(--force)
  local promote_display
  promote_display="$([[ "$OTHER_UP" == true ]] && printf 'RGW_PEER_ADMIN=%q%s ' "$OTHER_RGW_ADMIN" "${OTHER_RGW_RESTART:+ RGW_PEER_RESTART=$(printf '%q' "$OTHER_RGW_RESTART")}")$(rgw_display target "${promote[@]}")"

  step "break-glass plan (no Pulumi): $TO becomes the active site"
  info "1. promote zone $TARGET_ZONE to metadata master$([[ "$OTHER_UP" == true ]] && printf ' (fencing %s read-only first, then waiting for %s to catch up)' "$OTHER_ZONE" "$TARGET_ZONE")"
  if [[ "$OTHER_UP" == true ]]; then
    info "2. $OTHER's cluster: stop our Schedules (Backups are kept), BackupStorageLocation $LOCATION ReadOnly"
  else
    info "2. $OTHER is unreachable: no call to it"
  fi
  info "3. $TO's cluster: BackupStorageLocation $LOCATION ReadWrite"
  confirm "Break glass: make $TO the active site without Pulumi?" "$TO"

  act "promoting zone $TARGET_ZONE" "$promote_display" -- promote_target "${promote[@]}"
  ((ACT_RC == 0)) || child_failed "rgw-multisite.sh promote" "$ACT_RC"
  if [[ "$OTHER_UP" == true ]]; then
    local -a stop=(stop-schedules --namespace "$NS" --label "$RPO_LABEL")
    local -a ro=(set-access-mode --namespace "$NS" --location "$LOCATION" --mode ReadOnly)
    act "$OTHER's cluster: stopping our Schedules" "$(render "$(script_name "$VELERO_ROLE")" "${stop[@]}") ($OTHER's cluster)" -- velero_role other "${stop[@]}"
    ((ACT_RC == 0)) || child_failed "velero-role.sh stop-schedules on $OTHER" "$ACT_RC"
    act "$OTHER's cluster: location $LOCATION ReadOnly" "$(render "$(script_name "$VELERO_ROLE")" "${ro[@]}") ($OTHER's cluster)" -- velero_role other "${ro[@]}"
    ((ACT_RC == 0)) || child_failed "velero-role.sh set-access-mode on $OTHER" "$ACT_RC"
  fi
  local -a rw=(set-access-mode --namespace "$NS" --location "$LOCATION" --mode ReadWrite)
  act "$TO's cluster: location $LOCATION ReadWrite" "$(render "$(script_name "$VELERO_ROLE")" "${rw[@]}") ($TO's cluster)" -- velero_role target "${rw[@]}"
  ((ACT_RC == 0)) || child_failed "velero-role.sh set-access-mode on $TO" "$ACT_RC"

  step "reconcile in Pulumi as soon as its state backend is back (until then no Schedule runs in $TO: take backups by hand with velero backup create)"
  info "pulumi config set activeSite $TO -s failover"
  if [[ "$OTHER_UNREACHABLE" == true ]]; then
    info "pulumi config set --path 'unreachableSites[0]' $OTHER -s failover"
    info "pulumi config set forcePromotion true -s failover"
  else
    info "pulumi config rm unreachableSites -s failover"
    info "pulumi config set forcePromotion $force -s failover"
  fi
  info "pulumi preview -s failover --diff   # expect: no promotion change, Schedules created in $TO$([[ "$OTHER_UP" == true ]] && printf ', %s demoted to a writable secondary' "$OTHER_ZONE")"
  info "pulumi up -s failover"
  if [[ "$DRY_RUN" == true ]]; then
    verdict "DRY RUN: nothing changed; the preflight says go, the commands above are what break-glass would run"
  else
    verdict "DONE (break-glass): $TO is the active site; reconcile Pulumi as printed above"
  fi
}

promote_target() {
  if [[ "$OTHER_UP" == true ]]; then
    RGW_PEER_ADMIN="$OTHER_RGW_ADMIN" RGW_PEER_RESTART="${OTHER_RGW_RESTART:-}" KEEP_PEER=1 rgw target "$@"
  else
    rgw target "$@"
  fi
}

# An empty PodVolumeBackup list as Velero writes it ("null", gzipped) is about 25 bytes; one entry
# makes it several hundred. Used when backup-objects does not report the list's length.
EMPTY_PVB_LIST_MAX_BYTES=64

# compare_import NAME: the PodVolumeBackups the target cluster has for NAME against the bucket's
# list (FACTS from check_objects). 0 same (or not comparable), 1 different (IMPORT_DIFF says how).
IMPORT_DIFF=""
compare_import() {
  local name="$1" rc=0 have listed="${FACTS[pvb-count]:-}" size="${FACTS[pvb-bytes]:-}"
  IMPORT_DIFF=""
  have=$(velero_role target pod-volume-backups --namespace "$NS" --backup "$name" 2>"$WORK/pvb.err") || rc=$?
  if ((rc != 0)); then
    sed 's/^/    /' "$WORK/pvb.err" >&2
    die "cannot count the PodVolumeBackups of $name in $TO's cluster (velero-role.sh pod-volume-backups: exit $rc)"
  fi
  [[ "$have" =~ ^[0-9]+$ ]] || die "velero-role.sh pod-volume-backups printed no count for $name"
  if [[ "$listed" =~ ^[0-9]+$ ]]; then
    info "PodVolumeBackups of $name: $have in $TO's cluster, $listed in the bucket's list on the zone"
    ((have != listed)) || return 0
    IMPORT_DIFF="$TO's cluster has $have PodVolumeBackups for $name, the bucket's $name-podvolumebackups.json.gz lists $listed"
    return 1
  elif [[ "$size" =~ ^[0-9]+$ ]]; then
    info "PodVolumeBackups of $name: $have in $TO's cluster; the bucket's list is $size bytes gzipped (an empty one at most $EMPTY_PVB_LIST_MAX_BYTES)"
    if ((have == 0 && size > EMPTY_PVB_LIST_MAX_BYTES)); then
      IMPORT_DIFF="$TO's cluster has no PodVolumeBackup for $name, but the bucket's $name-podvolumebackups.json.gz is not empty ($size bytes)"
      return 1
    fi
    return 0
  fi
  info "PodVolumeBackups of $name: $have in $TO's cluster; the bucket's list was not read (set TARGET_RGW_ADMIN)"
  return 0
}

cmd_restore() {
  parse_flags "site namespace kube-context backup from-site lost-site location bucket zone timeout reimport-timeout" "dry-run yes" "$@"
  require_flags site namespace
  check_site site
  check_site from-site
  check_site lost-site
  check_k8s_name namespace
  check_context kube-context
  check_backup_name backup
  check_k8s_name location
  check_bucket bucket
  check_name zone
  check_seconds timeout
  check_seconds reimport-timeout
  TO=$(opt site) OTHER=$(other_site "$TO")
  local lost=""
  if has_opt lost-site; then
    [[ "$(opt lost-site)" == "$OTHER" ]] ||
      usage_error "--lost-site '$(opt lost-site)' is not allowed: the site that restores cannot be the lost one; allowed: $OTHER"
    lost=true
  fi
  ! { has_opt backup && has_opt from-site; } ||
    usage_error "--backup and --from-site exclude each other: --backup NAME names the backup, --from-site S picks the newest of site S"
  local from=${OPT[from-site]:-$OTHER}
  NS=$(opt namespace) LOCATION=${OPT[location]:-default} BUCKET=${OPT[bucket]:-velero-backups} TARGET_ZONE=$(opt zone)
  require_cluster target
  has_opt dry-run && DRY_RUN=true
  local backup rc=0 facts

  if has_opt backup; then
    backup=$(opt backup)
    step "backup $backup in $TO's cluster (chosen with --backup)"
    kube_get target backups.velero.io "$backup" >"$WORK/backup.json" 2>"$WORK/kube.err" || rc=$?
    if ((rc != 0)); then
      sed 's/^/    /' "$WORK/kube.err" >&2
      die "cannot read backup $backup in namespace $NS of $TO's cluster (velero backup get): exit $rc"
    fi
    local phase
    phase=$(js 'return ((jsonFile(args[0]).status || {}).phase) || "New";' "$WORK/backup.json")
    case "$phase" in
    Completed) info "phase Completed" ;;
    PartiallyFailed) warn "backup $backup is PartiallyFailed: the restore will miss what the backup missed (velero backup describe $backup --details)" ;;
    *) refuse "backup $backup is $phase, not Completed: pick a Completed one (velero backup get), or leave out --backup for the newest" ;;
    esac
  else
    step "newest Completed backup made by $from (label $SITE_LABEL=$from) that $TO's Velero sees (namespace $NS)"
    backup=$(velero_role target newest-backup --namespace "$NS" --label "$SITE_LABEL=$from" 2>"$WORK/newest.err") || rc=$?
    if ((rc != 0)); then
      sed 's/^/    /' "$WORK/newest.err" >&2
      grep -q 'no Completed backup' "$WORK/newest.err" &&
        refuse "$TO's Velero sees no Completed backup made by $from (label $SITE_LABEL=$from): pick one with --backup NAME (velero backup get --show-labels), or another site with --from-site (velero backup-location get; DrNoBackupsVisible in docs/runbook.md)"
      die "cannot list the backups in $TO's cluster (velero-role.sh newest-backup: exit $rc)"
    fi
    sed 's/^velero-role.sh: /    /' "$WORK/newest.err"
    if [[ "$from" == "$OTHER" ]]; then
      info "chosen: $backup, the newest Completed backup made by $from, the other site: backups $TO made itself (after a switch, its first ones) can be nearly empty; --from-site $TO or --backup NAME to choose otherwise"
    else
      info "chosen: $backup, the newest Completed backup made by $from (--from-site $from)"
    fi
  fi

  step "backup storage location $LOCATION in $TO's cluster"
  rc=0
  kube_get target backupstoragelocations.velero.io "$LOCATION" >"$WORK/bsl.json" 2>"$WORK/kube.err" || rc=$?
  if ((rc != 0)); then
    sed 's/^/    /' "$WORK/kube.err" >&2
    die "cannot read BackupStorageLocation $LOCATION in namespace $NS of $TO's cluster: exit $rc"
  fi
  # An unset accessMode means ReadWrite (Velero's default).
  facts=$(js 'const b = jsonFile(args[0]); return [(b.spec || {}).accessMode || "ReadWrite", (b.status || {}).phase || "unknown"].join(" ");' "$WORK/bsl.json")
  local mode bsl_phase
  read -r mode bsl_phase <<<"$facts"
  info "accessMode $mode, phase $bsl_phase"
  # Velero 1.18.1 restores from a ReadOnly location; only creating a kopia repository there is
  # refused (1.18.0 is refused by this program: velero#9626). The restore's logs and results go
  # under restores/ in the bucket, so the ZONE must accept writes (checked below).
  [[ "$mode" != ReadOnly ]] ||
    info "ReadOnly is fine for a restore: Velero reads the backup and the existing kopia repository, and writes only the restore's logs and results (restores/ in the bucket); no switch needed"
  [[ "$bsl_phase" != Unavailable ]] ||
    refuse "BackupStorageLocation $LOCATION in $TO is Unavailable: Velero cannot reach the bucket on the zone (velero backup-location get; docs/runbook.md#velero-bsl-unavailable)"
  [[ "$bsl_phase" == Available ]] || warn "BackupStorageLocation $LOCATION in $TO is $bsl_phase, not yet Available"

  if [[ -n "${TARGET_RGW_ADMIN:-}" ]]; then
    local zargs=()
    [[ -z "$TARGET_ZONE" ]] || zargs=(--zone "$TARGET_ZONE")
    step "$TO's zone${TARGET_ZONE:+ $TARGET_ZONE} (rgw-multisite.sh status through TARGET_RGW_ADMIN)"
    rc=0
    rgw target status "${zargs[@]}" >"$WORK/target-status.json" || rc=$?
    ((rc == 0)) || die "cannot read the status of $TO's zone through TARGET_RGW_ADMIN (rgw-multisite.sh status: exit $rc)"
    [[ -n "$TARGET_ZONE" ]] || TARGET_ZONE=$(js 'return jsonFile(args[0]).zone || "";' "$WORK/target-status.json")
    [[ "$lost" != true ]] || step "$OTHER is declared lost (--lost-site $OTHER): its zone is not contacted and its sync state does not block"
    check_objects "$backup" "$lost" "$WORK/target-status.json"
    if ((${#PROBLEMS[@]})); then
      refuse "backup $backup cannot be restored on $TO's zone: $(printf '%s; ' "${PROBLEMS[@]}" | sed 's/; $//'). Wait for replication (rgw-multisite.sh wait-caught-up), or restore an older backup with --backup NAME (velero backup get)$([[ "$lost" == true ]] || printf '; if %s is lost for good, say so with --lost-site %s' "$OTHER" "$OTHER")"
    fi
  else
    step "objects of backup $backup on the zone not checked: set TARGET_RGW_ADMIN to check them"
    [[ "$lost" != true ]] || warn "--lost-site $OTHER without TARGET_RGW_ADMIN: nothing says whether $backup's files all reached $TO's zone"
  fi

  step "what $TO's cluster imported for $backup, against the bucket on the zone"
  local reimport=false
  if ! compare_import "$backup"; then
    reimport=true
    info "DIFFERS: $IMPORT_DIFF: backup sync imported $backup before all its files had replicated and never reads them again; a restore now would skip volume data and still end Completed"
  fi

  local name
  name="$backup-$(date -u +%Y%m%d%H%M%S)"
  kube_flags target velero
  local -a create=("${VELERO_CMD[@]}" restore create "$name" --from-backup "$backup" --wait -n "$NS" "${KUBE_FLAGS[@]}")
  has_opt timeout && create=(timeout "$(opt timeout)" "${create[@]}")
  local display
  display=$(render "${create[@]}")
  if ! has_opt kube-context; then
    display=${display//"$WORK/kubeconfig-target"/"<a private copy of TARGET_KUBECONFIG_DATA>"}
  fi
  local -a reimp=(reimport-backup --namespace "$NS" --backup "$backup" --timeout "${OPT[reimport-timeout]:-600}")
  step "restore plan: backup $backup into $TO's cluster as restore $name"
  [[ "$reimport" != true ]] ||
    info "first: delete the Backup record $backup only (not its data) and wait until Velero's backup sync imports it again, then compare again"
  confirm "Restore backup $backup into $TO's cluster?" "$TO"
  if [[ "$reimport" == true ]]; then
    act "re-importing backup $backup from the bucket" "$(render "$(script_name "$VELERO_ROLE")" "${reimp[@]}") ($TO's cluster)" -- velero_role target "${reimp[@]}"
    ((ACT_RC == 0)) || child_failed "velero-role.sh reimport-backup on $TO" "$ACT_RC"
    if [[ "$DRY_RUN" != true ]]; then
      # Backup sync creates the PodVolumeBackups right after the Backup: give them a moment.
      local deadline=$((SECONDS + ${RESTORE_IMPORT_SETTLE_SECONDS:-30}))
      until compare_import "$backup"; do
        ((SECONDS < deadline)) ||
          refuse "after the re-import $IMPORT_DIFF still; the list may itself still be replicating: wait and re-run, or restore an older backup with --backup NAME"
        sleep "${RESTORE_POLL_SECONDS:-2}"
      done
      info "the re-imported $backup matches the bucket"
    fi
  fi
  act "restoring backup $backup (waits until the restore ends)" "$display" -- "${create[@]}"
  if [[ "$DRY_RUN" == true ]]; then
    verdict "DRY RUN: nothing changed; the checks passed, the commands above are what the restore would run"
    exit 0
  fi
  if ((ACT_RC == 124)) && has_opt timeout; then
    timed_out "restore $name did not end within $(opt timeout)s; it goes on in the cluster: velero restore describe $name"
  fi
  ((ACT_RC == 0)) || die "velero restore create failed (exit $ACT_RC): velero restore describe $name --details; velero restore logs $name"

  rc=0
  kube_get target restores.velero.io "$name" >"$WORK/restore.json" 2>"$WORK/kube.err" || rc=$?
  ((rc == 0)) || die "cannot read restore $name after it ended (exit $rc): velero restore describe $name"
  local rphase
  rphase=$(js 'return ((jsonFile(args[0]).status || {}).phase) || "unknown";' "$WORK/restore.json")
  local lost_note=""
  ((${#MAY_BE_MISSING[@]} == 0)) || lost_note="; $OTHER is lost: ${#MAY_BE_MISSING[@]} note(s) above on what may be missing"
  case "$rphase" in
  Completed) verdict "DONE: restore $name of backup $backup into $TO Completed$lost_note; next: point clients at $TO (docs/runbook.md#dnsingress)" ;;
  *) die "restore $name ended $rphase: velero restore describe $name --details; velero restore logs $name (docs/runbook.md#velero-restore-partially-failed)" ;;
  esac
}

main() {
  SUBCOMMAND="${1:-}"
  [[ -n "$SUBCOMMAND" ]] || usage_error "missing subcommand (allowed: preflight switch restore help)"
  shift
  case "$SUBCOMMAND" in
  preflight) cmd_preflight "$@" ;;
  switch) cmd_switch "$@" ;;
  restore) cmd_restore "$@" ;;
  -h | --help | help)
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
    exit 0
    ;;
  *)
    local s="$SUBCOMMAND"
    SUBCOMMAND=""
    usage_error "unknown subcommand '$s' (allowed: preflight switch restore help)"
    ;;
  esac
}

main "$@"
