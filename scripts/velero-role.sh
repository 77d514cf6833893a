#!/usr/bin/env bash
# velero-role.sh: the Kubernetes side of a role switch, through kubectl.
#
#   velero-role.sh stop-schedules  --namespace NS --label KEY
#       Deletes the Velero Schedules that carry label KEY (ours) in a passive cluster. Backups are
#       kept: our Schedules do not own their Backups (useOwnerReferencesInBackup: false).
#   velero-role.sh set-access-mode --namespace NS --location NAME --mode ReadWrite|ReadOnly
#       Break-glass: switches a BackupStorageLocation when Pulumi's state backend is unreachable.
#   velero-role.sh newest-backup   --namespace NS [--label KEY=VALUE]
#       Prints the name of the newest Completed backup that this cluster's Velero sees; with
#       --label only among backups whose label KEY is VALUE (e.g. dr.velero-ceph-dr/site=site-a:
#       made by site-a's Schedules). On stderr: the choice with its completion time, and the newer
#       Completed backups it passed over, with their label value.
#   velero-role.sh pod-volume-backups --namespace NS --backup NAME
#       Prints how many PodVolumeBackups this cluster has for backup NAME (label velero.io/backup-name).
#   velero-role.sh reimport-backup --namespace NS --backup NAME [--timeout SECONDS]
#       Deletes the Backup record NAME only (`kubectl delete backups.velero.io NAME`: the record,
#       not the data in the bucket; Velero deletes the backup's data only through a
#       DeleteBackupRequest) and waits until Velero's backup sync has imported it again from the
#       bucket, with its PodVolumeBackups (default timeout 600 s; exit 4 when it passes).
#   velero-role.sh wait-idle       --namespace NS [--timeout SECONDS]
#       Waits until this cluster's Velero has no backup or restore in flight and no repository
#       maintenance job running (default timeout 1800 s; exit 1 when it passes, naming what is busy).
#
# Environment: KUBE_CONTEXT (a context of the ambient kubeconfig) or KUBECONFIG_DATA (a whole
# kubeconfig; secret: written to a private temp file, never printed); KUBECTL (default kubectl).
# Exit codes: 0 ok/no change, 2 bad arguments, 4 timed out (reimport-backup), 1 anything else.
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

check_backup_name() {
  [[ "${OPT[$1]}" =~ ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ && ${#OPT[$1]} -le 253 ]] ||
    usage_error "--$1 '${OPT[$1]}' is not allowed; allowed: a Velero backup name (lowercase letters, digits, '-', '.')"
}

# The label value of a key in jsonpath: dots in the key escaped.
label_path() { printf '{.metadata.labels.%s}' "${1//./\\.}"; }

cmd_newest_backup() {
  parse_flags "namespace label" "" "$@"
  require_flags namespace
  check_k8s_name namespace
  local key="" want="" when phase name value chosen="" passed=()
  if has_opt label; then
    [[ "${OPT[label]}" =~ ^([A-Za-z0-9./_-]+)=([A-Za-z0-9._-]{1,63})$ ]] ||
      usage_error "--label '${OPT[label]}' is not allowed; allowed: KEY=VALUE, a label key and value such as dr.velero-ceph-dr/site=site-a"
    key=${BASH_REMATCH[1]} want=${BASH_REMATCH[2]}
  fi
  # One line per backup: completion time|phase|name|label value (any field may be empty); newest
  # first (RFC 3339 UTC sorts as text). '|' is in no name, time or label value.
  kube -n "${OPT[namespace]}" get backups.velero.io \
    -o "jsonpath={range .items[*]}{.status.completionTimestamp}|{.status.phase}|{.metadata.name}|$(label_path "${key:-none}"){\"\n\"}{end}" >"$WORK/backups.txt"
  while IFS='|' read -r when phase name value; do
    [[ -n "$when" && "$phase" == Completed ]] || continue
    if [[ -z "$key" || "$value" == "$want" ]]; then
      chosen="$name" && break
    fi
    passed+=("$name ($key=${value:-<none>}, completed $when)")
  done < <(sort -r "$WORK/backups.txt")
  if [[ -z "$chosen" ]]; then
    if [[ -n "$key" ]]; then
      printf '%s: no Completed backup labelled %s=%s is visible here%s\n' "$PROG" "$key" "$want" \
        "${passed[0]:+ (newest Completed backups with another value: ${passed[*]:0:3})}" >&2
    else
      printf '%s: no Completed backup is visible here\n' "$PROG" >&2
    fi
    exit 1
  fi
  printf '%s: chose %s, the newest Completed backup%s (completed %s)\n' "$PROG" "$chosen" "${key:+ labelled $key=$want}" "$when" >&2
  ((${#passed[@]} == 0)) || printf '%s: passed over %d newer Completed backup(s): %s\n' "$PROG" "${#passed[@]}" "${passed[*]:0:5}" >&2
  printf '%s\n' "$chosen"
}

cmd_pod_volume_backups() {
  parse_flags "namespace backup" "" "$@"
  require_flags namespace backup
  check_k8s_name namespace
  check_backup_name backup
  kube -n "${OPT[namespace]}" get podvolumebackups.velero.io -l "velero.io/backup-name=${OPT[backup]}" \
    -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}' >"$WORK/pvbs"
  grep -c . "$WORK/pvbs" || true
}

cmd_reimport_backup() {
  parse_flags "namespace backup timeout" "" "$@"
  require_flags namespace backup
  check_k8s_name namespace
  check_backup_name backup
  local ns=${OPT[namespace]} name=${OPT[backup]} timeout=${OPT[timeout]:-600} deadline phase
  [[ "$timeout" =~ ^[0-9]+$ ]] || usage_error "--timeout '$timeout' is not allowed; allowed: whole seconds"
  deadline=$((SECONDS + timeout))
  printf '==> deleting the Backup record %s in namespace %s (only the record: the bucket keeps the backup)\n' "$name" "$ns" >&2
  kube -n "$ns" delete backups.velero.io "$name" --ignore-not-found --wait=true >&2
  printf '==> waiting until Velero'"'"'s backup sync imports %s again from the bucket (up to %ss)\n' "$name" "$timeout" >&2
  while :; do
    phase=$(kube -n "$ns" get backups.velero.io "$name" --ignore-not-found -o 'jsonpath={.status.phase}')
    if [[ -n "$phase" ]]; then
      printf '==> imported again: %s is %s\n' "$name" "$phase" >&2
      return 0
    fi
    if ((SECONDS >= deadline)); then
      printf '%s: timed out: backup %s was not imported again within %ss (backup sync runs every backupSyncPeriod of the location; velero backup-location get)\n' "$PROG" "$name" "$timeout" >&2
      exit 4
    fi
    sleep "${REIMPORT_POLL_SECONDS:-5}"
  done
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
  (($# > 0)) || usage_error "a subcommand is required: stop-schedules, set-access-mode, newest-backup, pod-volume-backups, reimport-backup or wait-idle"
  local sub=$1
  shift
  case "$sub" in
  stop-schedules) cmd_stop_schedules "$@" ;;
  set-access-mode) cmd_set_access_mode "$@" ;;
  newest-backup) cmd_newest_backup "$@" ;;
  pod-volume-backups) cmd_pod_volume_backups "$@" ;;
  reimport-backup) cmd_reimport_backup "$@" ;;
  wait-idle) cmd_wait_idle "$@" ;;
  *) usage_error "unknown subcommand '$sub'; allowed: stop-schedules, set-access-mode, newest-backup, pod-volume-backups, reimport-backup, wait-idle" ;;
  esac
}

main "$@"
