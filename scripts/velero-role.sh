#!/usr/bin/env bash
# velero-role.sh: the Kubernetes side of a role switch, through kubectl.
#
#   velero-role.sh stop-schedules  --namespace NS --label KEY
#       Deletes the Velero Schedules that carry label KEY (ours) in a passive cluster. Backups are
#       kept: our Schedules do not own their Backups (useOwnerReferencesInBackup: false).
#   velero-role.sh set-access-mode --namespace NS --location NAME --mode ReadWrite|ReadOnly
#       Break-glass: switches a BackupStorageLocation when Pulumi's state backend is unreachable.
#   velero-role.sh newest-backup   --namespace NS
#       Prints the name of the newest Completed backup that this cluster's Velero sees.
#   velero-role.sh wait-idle       --namespace NS [--timeout SECONDS]
#       Waits until this cluster's Velero has no backup or restore in flight and no repository
#       maintenance job running (default timeout 1800 s; exit 1 when it passes, naming what is busy).
#
# Environment: KUBE_CONTEXT (a context of the ambient kubeconfig) or KUBECONFIG_DATA (a whole
# kubeconfig; secret: written to a private temp file, never printed); KUBECTL (default kubectl).
# Exit codes: 0 ok/no change, 2 bad arguments, 1 anything else.
set -euo pipefail

PROG=velero-role.sh
die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}
usage_error() {
  printf '%s: %s\n' "$PROG" "$*" >&2
  printf 'usage: see the header of scripts/velero-role.sh\n' >&2
  exit 2
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/velero-role.XXXXXX")
chmod 700 "$WORK"
trap 'rm -rf "$WORK"' EXIT

# kubectl with this site's cluster: a private kubeconfig file from KUBECONFIG_DATA, or a context.
kube() {
  local -a cmd
  read -r -a cmd <<<"${KUBECTL:-kubectl}"
  if [[ -n "${KUBECONFIG_DATA:-}" ]]; then
    if [[ ! -f "$WORK/kubeconfig" ]]; then
      (umask 077 && printf '%s\n' "$KUBECONFIG_DATA" >"$WORK/kubeconfig")
    fi
    "${cmd[@]}" --kubeconfig "$WORK/kubeconfig" "$@"
  elif [[ -n "${KUBE_CONTEXT:-}" ]]; then
    "${cmd[@]}" --context "$KUBE_CONTEXT" "$@"
  else
    die "set KUBE_CONTEXT or KUBECONFIG_DATA: which cluster is this?"
  fi
}

# Flags: scripts/lib/flags.sh (parse_flags, opt, has_opt, require_flags).
# shellcheck disable=SC2034 # read by lib/flags.sh
SECRETS_FROM="KUBECONFIG_DATA"
# shellcheck source=lib/flags.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/flags.sh"

check_k8s_name() {
  [[ "${OPT[$1]}" =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] ||
    usage_error "--$1 '${OPT[$1]}' is not allowed; allowed: a Kubernetes name (lowercase letters, digits, '-')"
}

cmd_stop_schedules() {
  parse_flags "namespace label" "" "$@"
  require_flags namespace label
  check_k8s_name namespace
  [[ "${OPT[label]}" =~ ^[A-Za-z0-9./_-]+$ ]] || usage_error "--label '${OPT[label]}' is not allowed; allowed: a label key"
  printf '==> stopping Velero schedules labelled %s in namespace %s (backups are kept)\n' "${OPT[label]}" "${OPT[namespace]}" >&2
  kube -n "${OPT[namespace]}" delete schedules.velero.io -l "${OPT[label]}" --ignore-not-found >&2
}

cmd_set_access_mode() {
  parse_flags "namespace location mode" "" "$@"
  require_flags namespace location mode
  check_k8s_name namespace
  check_k8s_name location
  case "${OPT[mode]}" in ReadWrite | ReadOnly) ;; *) usage_error "--mode '${OPT[mode]}' is not allowed; allowed: ReadWrite or ReadOnly" ;; esac
  printf '==> backup storage location %s/%s: accessMode %s\n' "${OPT[namespace]}" "${OPT[location]}" "${OPT[mode]}" >&2
  kube -n "${OPT[namespace]}" patch backupstoragelocations.velero.io "${OPT[location]}" --type merge \
    -p "{\"spec\":{\"accessMode\":\"${OPT[mode]}\"}}" >&2
}

cmd_newest_backup() {
  parse_flags "namespace" "" "$@"
  require_flags namespace
  check_k8s_name namespace
  kube -n "${OPT[namespace]}" get backups.velero.io -o json >"$WORK/backups.json"
  # Newest by completion time among Completed backups; nothing printed (exit 1) when there is none.
  node -e '
    const items = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).items || [];
    const done = items.filter((b) => b.status && b.status.phase === "Completed" && b.status.completionTimestamp);
    done.sort((a, b) => a.status.completionTimestamp.localeCompare(b.status.completionTimestamp));
    if (done.length === 0) { console.error("velero-role.sh: no Completed backup is visible here"); process.exit(1); }
    console.log(done[done.length - 1].metadata.name);
  ' "$WORK/backups.json"
}

# Backup and Restore phases that are not final (Velero 1.18; an object with no phase yet is New).
BUSY_PHASES=" New Queued ReadyToStart InProgress WaitingForPluginOperations WaitingForPluginOperationsPartiallyFailed Finalizing FinalizingPartiallyFailed "

# Prints `kind/name phase` for each backup or restore in flight, and `job/name running` for each
# active repository maintenance job.
busy_work() {
  local ns=$1 kind line name phase
  for kind in backups.velero.io restores.velero.io; do
    while IFS='=' read -r name phase; do
      [[ -n "$name" ]] || continue
      [[ "$BUSY_PHASES" == *" ${phase:-New} "* ]] && printf '%s/%s %s\n' "${kind%%.*}" "$name" "${phase:-New}"
    done < <(kube -n "$ns" get "$kind" -o jsonpath='{range .items[*]}{.metadata.name}={.status.phase}{"\n"}{end}')
  done
  while IFS='=' read -r name line; do
    [[ -n "$name" && -n "$line" && "$line" != 0 ]] && printf 'job/%s running\n' "$name"
  done < <(kube -n "$ns" get jobs.batch -l velero.io/repo-name -o jsonpath='{range .items[*]}{.metadata.name}={.status.active}{"\n"}{end}')
  return 0
}

cmd_wait_idle() {
  parse_flags "namespace timeout" "" "$@"
  require_flags namespace
  check_k8s_name namespace
  local timeout=${OPT[timeout]:-1800} deadline busy
  [[ "$timeout" =~ ^[0-9]+$ ]] || usage_error "--timeout '$timeout' is not allowed; allowed: whole seconds"
  deadline=$((SECONDS + timeout))
  printf '==> waiting until Velero in namespace %s has no backup, restore or repository maintenance in flight\n' "${OPT[namespace]}" >&2
  while :; do
    busy=$(busy_work "${OPT[namespace]}")
    if [[ -z "$busy" ]]; then
      printf '==> idle\n' >&2
      return 0
    fi
    ((SECONDS < deadline)) || die "still busy after ${timeout}s: $(tr '\n' ' ' <<<"$busy")"
    printf '    busy: %s\n' "$(tr '\n' ' ' <<<"$busy")" >&2
    sleep "${WAIT_IDLE_POLL_SECONDS:-5}"
  done
}

main() {
  (($# > 0)) || usage_error "a subcommand is required: stop-schedules, set-access-mode, newest-backup or wait-idle"
  local sub=$1
  shift
  case "$sub" in
  stop-schedules) cmd_stop_schedules "$@" ;;
  set-access-mode) cmd_set_access_mode "$@" ;;
  newest-backup) cmd_newest_backup "$@" ;;
  wait-idle) cmd_wait_idle "$@" ;;
  *) usage_error "unknown subcommand '$sub'; allowed: stop-schedules, set-access-mode, newest-backup, wait-idle" ;;
  esac
}

main "$@"
