#!/usr/bin/env bash
# ceph-lab.sh: two independent single-node Ceph 16.2 clusters on 127.0.0.1 (site "a" and site "b"),
# each one mon + one memstore OSD (pool size 1, no ceph-mgr), plus one radosgw per site on demand.
# It is the real-Ceph lab behind test/lab: rgw-multisite.sh runs against it through `env SITE`.
#
#   ceph-lab.sh up | down [--purge] | status
#   ceph-lab.sh rgw-start SITE | rgw-stop SITE | rgw-restart SITE
#   ceph-lab.sh admin SITE ARGS...     radosgw-admin against that site's cluster
#   ceph-lab.sh env SITE               RGW_ADMIN=... / RGW_RESTART=... / RGW_ENDPOINT=... lines
#
# Everything lives under LAB_DIR; every daemon is started with a pid file and stopped by that pid
# (never by process name: other labs may run on the same machine). Auth is cephx, one keyring per
# cluster. See scripts/lab/README.md for the settings.
set -euo pipefail

SCRIPT_PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
SITES=(a b)
SETTING_NAMES=(LAB_REALM LAB_ZONEGROUP LAB_ZONE_A LAB_ZONE_B
  LAB_MON_PORT_A LAB_MON_PORT_B LAB_RGW_PORT_A LAB_RGW_PORT_B)
PACKAGES=(ceph-mon ceph-osd radosgw ceph-common curl)
# RGW's HTTP client (sync, realm/period pull, commit forwarding) honours these; the lab only
# talks to 127.0.0.1, so a proxy from the caller's environment must never be used.
PROXY_VARS=(http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY)
MEMSTORE_BYTES=$((3 * 1024 * 1024 * 1024)) # cap per OSD: RAM, not disk
PROBE_POOL=lab-probe

log() { printf 'ceph-lab: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

usage() {
  cat >&2 <<'EOF'
usage: ceph-lab.sh up | down [--purge] | status
       ceph-lab.sh rgw-start SITE | rgw-stop SITE | rgw-restart SITE
       ceph-lab.sh admin SITE ARGS... | env SITE          (SITE is a or b)
settings (environment): LAB_DIR LAB_REALM LAB_ZONEGROUP LAB_ZONE_A LAB_ZONE_B
  LAB_MON_PORT_A LAB_MON_PORT_B LAB_RGW_PORT_A LAB_RGW_PORT_B LAB_TIMEOUT
EOF
  exit 2
}

# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------

# Settings come from the environment, else from the values saved by the first `up` of this
# LAB_DIR (so `LAB_DIR=x ceph-lab.sh down` needs nothing more), else from the defaults.
load_settings() {
  LAB_DIR=${LAB_DIR:-/tmp/velero-ceph-dr-lab}
  case "$LAB_DIR" in /*) ;; *) LAB_DIR="$PWD/$LAB_DIR" ;; esac
  LAB_DIR=${LAB_DIR%/}
  # Paths end up word-split in RGW_ADMIN/RGW_RESTART and inside ceph.conf: keep them plain.
  [[ "$LAB_DIR" =~ ^/[A-Za-z0-9._/+-]+$ ]] || die "LAB_DIR must be an absolute path of [A-Za-z0-9._/+-], got '$LAB_DIR'"
  [[ "$SCRIPT_PATH" =~ ^/[A-Za-z0-9._/+-]+$ ]] || die "the script path '$SCRIPT_PATH' must not contain spaces or quotes"
  local saved="$LAB_DIR/lab.env" line key value
  if [[ -f "$saved" ]]; then
    while IFS= read -r line; do
      key=${line%%=*} value=${line#*=}
      [[ " ${SETTING_NAMES[*]} " == *" $key "* && "$value" =~ ^[A-Za-z0-9._-]+$ ]] || continue
      [[ -n "${!key:-}" ]] || printf -v "$key" '%s' "$value"
    done <"$saved"
  fi
  LAB_REALM=${LAB_REALM:-dr}
  LAB_ZONEGROUP=${LAB_ZONEGROUP:-global}
  LAB_ZONE_A=${LAB_ZONE_A:-zonea}
  LAB_ZONE_B=${LAB_ZONE_B:-zoneb}
  LAB_MON_PORT_A=${LAB_MON_PORT_A:-3301}
  LAB_MON_PORT_B=${LAB_MON_PORT_B:-3302}
  LAB_RGW_PORT_A=${LAB_RGW_PORT_A:-8001}
  LAB_RGW_PORT_B=${LAB_RGW_PORT_B:-8002}
  LAB_TIMEOUT=${LAB_TIMEOUT:-120}
  local name
  for name in LAB_REALM LAB_ZONEGROUP LAB_ZONE_A LAB_ZONE_B; do
    [[ "${!name}" =~ ^[A-Za-z0-9._-]+$ ]] || die "$name must match [A-Za-z0-9._-]+, got '${!name}'"
  done
  for name in LAB_MON_PORT_A LAB_MON_PORT_B LAB_RGW_PORT_A LAB_RGW_PORT_B LAB_TIMEOUT; do
    [[ "${!name}" =~ ^[1-9][0-9]*$ ]] || die "$name must be a positive integer, got '${!name}'"
  done
  local ports="$LAB_MON_PORT_A $LAB_MON_PORT_B $LAB_RGW_PORT_A $LAB_RGW_PORT_B"
  [[ $(tr ' ' '\n' <<<"$ports" | sort -u | wc -l) -eq 4 ]] || die "the four ports must differ: $ports"
}

save_settings() {
  local name
  for name in "${SETTING_NAMES[@]}"; do printf '%s=%s\n' "$name" "${!name}"; done >"$LAB_DIR/lab.env"
}

check_site() {
  [[ "${1:-}" == a || "${1:-}" == b ]] || {
    log "error: SITE must be a or b, got '${1:-}'"
    usage
  }
}

# Per-site lookups: LAB_MON_PORT_A for site a, and so on.
site_setting() { local n="${1}_${2^^}" && printf '%s' "${!n}"; }
mon_port() { site_setting LAB_MON_PORT "$1"; }
rgw_port() { site_setting LAB_RGW_PORT "$1"; }
site_zone() { site_setting LAB_ZONE "$1"; }
site_dir() { printf '%s/%s' "$LAB_DIR" "$1"; }
site_conf() { printf '%s/%s/ceph.conf' "$LAB_DIR" "$1"; }

# ---------------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------------

# Install the Debian packages only when a command is missing; installing needs root and apt.
ensure_packages() {
  local cmd missing=0
  for cmd in ceph-mon ceph-osd radosgw radosgw-admin ceph rados ceph-authtool monmaptool curl flock; do
    command -v "$cmd" >/dev/null 2>&1 || missing=1
  done
  ((missing)) || return 0
  [[ $(id -u) -eq 0 ]] || die "Ceph packages are missing and installing them needs root: run as root, or install ${PACKAGES[*]}"
  command -v apt-get >/dev/null 2>&1 || die "Ceph packages are missing and apt-get is unavailable: install ${PACKAGES[*]} (Ceph 16.2) by hand"
  log "installing ${PACKAGES[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${PACKAGES[@]}"
}

# ---------------------------------------------------------------------------------------------
# Processes: pid files, liveness, ports
# ---------------------------------------------------------------------------------------------

pid_file() { printf '%s/run/%s.pid' "$(site_dir "$1")" "$2"; }

# The pid of daemon NAME of SITE if it runs. A pid only counts when /proc shows it was started
# with this site's ceph.conf (guards against stale pid files and pid reuse). If the pid file is
# gone (crash, manual cleanup), look for the process started with our conf and name in /proc:
# still by pid, and never able to match another lab's daemons.
daemon_pid() {
  local site="$1" name="$2" pidf pid cmd
  pidf=$(pid_file "$site" "$name")
  if [[ -s "$pidf" ]]; then
    pid=$(<"$pidf")
    if [[ "$pid" =~ ^[0-9]+$ ]] && is_lab_process "$pid" "$site" "$name"; then
      printf '%s' "$pid"
      return 0
    fi
  fi
  for cmd in /proc/[0-9]*/cmdline; do
    pid=${cmd#/proc/} pid=${pid%/cmdline}
    if is_lab_process "$pid" "$site" "$name"; then
      printf '%s' "$pid"
      return 0
    fi
  done
  return 1
}

is_lab_process() {
  local pid="$1" site="$2" name="$3" argv=()
  # mapfile, not tr: this runs for every process when scanning /proc.
  mapfile -d '' argv 2>/dev/null <"/proc/$pid/cmdline" || return 1
  [[ " ${argv[*]} " == *" -c $LAB_DIR/$site/ceph.conf "* && " ${argv[*]} " == *" -n $name "* ]]
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_free_port() {
  ! port_busy "$1" || die "port 127.0.0.1:$1 for $2 is already in use (another lab? set LAB_*_PORT_* to free ports)"
}

# Start a Ceph daemon; it daemonizes itself and writes pid_file (set in ceph.conf). Early errors
# (before it detaches) go to the daemon's startup log.
start_daemon() {
  local site="$1" name="$2" bin="$3" dir pid i
  dir=$(site_dir "$site")
  rm -f "$(pid_file "$site" "$name")"
  # 9>&-: the daemon must not inherit the lab lock (it would hold it for its whole life).
  "$bin" -c "$(site_conf "$site")" -n "$name" </dev/null >>"$dir/log/$name.startup.log" 2>&1 9>&- ||
    die "$name of site $site failed to start; see $dir/log/$name.startup.log and $dir/log/$name.log"
  for ((i = 0; i < 100; i++)); do
    if pid=$(daemon_pid "$site" "$name"); then
      log "site $site: started $name (pid $pid)"
      return 0
    fi
    sleep 0.1
  done
  tail -n 20 "$dir/log/$name.log" >&2 2>/dev/null || true
  die "$name of site $site exited right after start; see $dir/log/$name.log"
}

# Stop daemon NAME of SITE by its pid: SIGTERM (clean shutdown; a memstore OSD writes its data
# out to the data folder then), wait for the exit, SIGKILL only as a last resort.
stop_daemon() {
  local site="$1" name="$2" pid i
  pid=$(daemon_pid "$site" "$name") || {
    rm -f "$(pid_file "$site" "$name")"
    return 0
  }
  log "site $site: stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < LAB_TIMEOUT * 10; i++)); do
    is_lab_process "$pid" "$site" "$name" || break
    sleep 0.1
  done
  if is_lab_process "$pid" "$site" "$name"; then
    log "site $site: $name (pid $pid) ignored SIGTERM for ${LAB_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while is_lab_process "$pid" "$site" "$name"; do sleep 0.1; done
  fi
  rm -f "$(pid_file "$site" "$name")"
}

# Poll CMD... until it succeeds or LAB_TIMEOUT passes.
wait_for() {
  local what="$1" deadline=$((SECONDS + LAB_TIMEOUT))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.3
  done
  log "$what"
}

# ---------------------------------------------------------------------------------------------
# Cluster creation (one site)
# ---------------------------------------------------------------------------------------------

# ceph.conf is regenerated from the settings on every `up` and rgw start (so a changed RGW port or
# zone takes effect); the fsid and the mon port are fixed when the site is created.
write_conf() {
  local site="$1" dir fsid
  dir=$(site_dir "$site")
  fsid=$(<"$dir/fsid")
  cat >"$dir/ceph.conf.new" <<EOF
# Generated by scripts/lab/ceph-lab.sh for lab site $site; rewritten on every up/rgw-start.
[global]
fsid = $fsid
# One mon, msgr2 only, everything bound to loopback.
mon_host = [v2:127.0.0.1:$(mon_port "$site")]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_msgr1 = false
# cephx with one keyring for the whole (single-operator) cluster: mon., client.admin, osd.0 and
# client.rgw.$site; the mon imports it at mkfs, every daemon and client reads it.
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
keyring = $dir/keyring
run_dir = $dir/run
crash_dir = $dir/crash
# One OSD on one host: size 1 pools, CRUSH chooses OSDs rather than hosts.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
# RGW creates about a dozen pools of 8 PGs per zone.
mon_max_pg_per_osd = 1000

[client]
# radosgw-admin/ceph/rados give up after 30 s instead of 5 min when this site's mon is down.
client_mount_timeout = 30

[mon]
mon_data = $dir/\$name
admin_socket = $dir/run/\$name.asok
pid_file = $dir/run/\$name.pid
log_file = $dir/log/\$name.log
mon_cluster_log_file = $dir/log/cluster.log
# The mon shuts itself down when its disk is below mon_data_avail_crit percent free.
mon_data_avail_warn = 2
mon_data_avail_crit = 1
# Shorter paxos rounds make pool creation (and so RGW's first start) fast.
paxos_propose_interval = 0.1
mon_allow_pool_delete = true
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false

[osd]
osd_data = $dir/\$name
admin_socket = $dir/run/\$name.asok
pid_file = $dir/run/\$name.pid
log_file = $dir/log/\$name.log
# RAM-backed store: no block device needed; written out to osd_data on a clean shutdown.
osd_objectstore = memstore
memstore_device_bytes = $MEMSTORE_BYTES
# A fast shutdown exits without unmounting: memstore would lose everything on 'down'.
osd_fast_shutdown = false

[client.rgw.$site]
admin_socket = $dir/run/\$name.asok
pid_file = $dir/run/\$name.pid
log_file = $dir/log/\$name.log
rgw_frontends = beast endpoint=127.0.0.1:$(rgw_port "$site")
rgw_realm = $LAB_REALM
rgw_zonegroup = $LAB_ZONEGROUP
rgw_zone = $(site_zone "$site")
# Sync shard leases outlive a stopped gateway; the default 120 s stalls replication after restarts.
rgw_sync_lease_period = 15
EOF
  mv -f "$dir/ceph.conf.new" "$dir/ceph.conf"
}

# The mon address is baked into the monmap: a different LAB_MON_PORT_* needs a new lab.
check_mon_port_unchanged() {
  local site="$1" dir recorded
  dir=$(site_dir "$site")
  recorded=$(<"$dir/mon_port")
  [[ "$recorded" == "$(mon_port "$site")" ]] ||
    die "site $site was created with mon port $recorded, not $(mon_port "$site"); use that port or run 'down --purge' first"
}

# All keys of the cluster in one keyring; the caps are what vstart/cephadm give these entities.
make_keyring() {
  local site="$1" kr
  kr="$(site_dir "$site")/keyring"
  ceph-authtool --create-keyring "$kr" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$kr" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool "$kr" --gen-key -n osd.0 \
    --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null
  ceph-authtool "$kr" --gen-key -n "client.rgw.$site" \
    --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null
  chmod 600 "$kr"
}

mkfs_mon() {
  local site="$1" dir
  dir=$(site_dir "$site")
  monmaptool --create --fsid "$(<"$dir/fsid")" --addv "$site" "[v2:127.0.0.1:$(mon_port "$site")]" \
    "$dir/monmap" >/dev/null
  ceph-mon -c "$dir/ceph.conf" -n "mon.$site" --mkfs --monmap "$dir/monmap" --keyring "$dir/keyring" \
    >>"$dir/log/mon.$site.startup.log" 2>&1 || die "ceph-mon --mkfs failed for site $site; see $dir/log"
}

ceph_site() { timeout 30 ceph -c "$(site_conf "$1")" --connect-timeout 10 "${@:2}"; }

wait_mon() {
  wait_for "site $1: mon.$1 answers on 127.0.0.1:$(mon_port "$1")" ceph_site "$1" mon stat ||
    die "site $1: mon.$1 did not answer within ${LAB_TIMEOUT}s; see $(site_dir "$1")/log/mon.$1.log"
}

# Register osd.0 in the osdmap and format its memstore. The OSD's key is already in the cluster
# keyring (ceph-osd --mkfs would not write a keyring for a given --key anyway).
mkfs_osd() {
  local site="$1" dir uuid id
  dir=$(site_dir "$site")
  uuid=$(</proc/sys/kernel/random/uuid)
  id=$(ceph_site "$site" osd new "$uuid" 0) || die "site $site: 'ceph osd new' failed"
  [[ "$id" == 0 ]] || die "site $site: expected osd id 0, the mon gave '$id'"
  mkdir -p "$dir/osd.0"
  ceph-osd -c "$dir/ceph.conf" -n osd.0 --mkfs --osd-uuid "$uuid" \
    >>"$dir/log/osd.0.startup.log" 2>&1 || die "ceph-osd --mkfs failed for site $site; see $dir/log"
}

osd_is_up() { ceph_site "$1" osd dump -f json | grep -Eq '"osd": *0, *"uuid": *"[^"]*", *"up": *1'; }

wait_osd_up() {
  wait_for "site $1: osd.0 is up" osd_is_up "$1" ||
    die "site $1: osd.0 is not up after ${LAB_TIMEOUT}s; see $(site_dir "$1")/log/osd.0.log"
}

# "Up" means a pool can be created and written: create a throwaway pool, write one object (blocks
# until its PG is active), delete the pool again.
probe_pool() {
  local site="$1"
  ceph_site "$site" osd pool create "$PROBE_POOL" 8 >/dev/null 2>&1 ||
    die "site $site: cannot create a pool"
  timeout "$LAB_TIMEOUT" rados -c "$(site_conf "$site")" -p "$PROBE_POOL" put probe "$(site_conf "$site")" ||
    die "site $site: cannot write to a new pool within ${LAB_TIMEOUT}s (PGs not active); see $(site_dir "$site")/log"
  ceph_site "$site" osd pool delete "$PROBE_POOL" "$PROBE_POOL" --yes-i-really-really-mean-it >/dev/null 2>&1 || true
  log "site $site: pool create + write ok"
}

# A site folder without the .initialized marker is a half-created cluster (an interrupted first
# `up`): nothing in it is worth keeping, so stop what it started and create it again.
discard_incomplete_site() {
  local site="$1" dir
  dir=$(site_dir "$site")
  [[ -d "$dir" && ! -f "$dir/.initialized" ]] || return 0
  log "site $site: removing an incomplete earlier setup in $dir"
  stop_site "$site"
  rm -rf "$dir"
}

create_site() {
  local site="$1" dir
  dir=$(site_dir "$site")
  log "site $site: creating cluster in $dir"
  require_free_port "$(mon_port "$site")" "mon.$site"
  mkdir -p "$dir/run" "$dir/log" "$dir/crash" "$dir/mon.$site"
  cat /proc/sys/kernel/random/uuid >"$dir/fsid"
  mon_port "$site" >"$dir/mon_port"
  write_conf "$site"
  make_keyring "$site"
  mkfs_mon "$site"
  start_daemon "$site" "mon.$site" ceph-mon
  wait_mon "$site"
  mkfs_osd "$site"
  start_daemon "$site" osd.0 ceph-osd
  wait_osd_up "$site"
  probe_pool "$site"
  touch "$dir/.initialized"
}

# Start whatever of an existing site is not running (after `down`, or a crash).
start_site() {
  local site="$1"
  check_mon_port_unchanged "$site"
  if daemon_pid "$site" "mon.$site" >/dev/null && daemon_pid "$site" osd.0 >/dev/null; then
    log "site $site: already running (mon.$site pid $(daemon_pid "$site" "mon.$site"), osd.0 pid $(daemon_pid "$site" osd.0))"
    return 0
  fi
  write_conf "$site"
  if ! daemon_pid "$site" "mon.$site" >/dev/null; then
    require_free_port "$(mon_port "$site")" "mon.$site"
    start_daemon "$site" "mon.$site" ceph-mon
  fi
  wait_mon "$site"
  daemon_pid "$site" osd.0 >/dev/null || start_daemon "$site" osd.0 ceph-osd
  wait_osd_up "$site"
  probe_pool "$site"
}

stop_site() {
  if daemon_pid "$1" "client.rgw.$1" >/dev/null; then
    wait_no_realm_reload "$1"
    stop_daemon "$1" "client.rgw.$1"
  fi
  stop_daemon "$1" osd.0
  stop_daemon "$1" "mon.$1"
}

# ---------------------------------------------------------------------------------------------
# radosgw
# ---------------------------------------------------------------------------------------------

# A radosgw that receives a new period pauses its frontends and re-initialises ("realm reload");
# killing it in the middle can leave it hanging. Wait until its log shows no reload in flight.
wait_no_realm_reload() {
  local site="$1" logf last settled=0 deadline=$((SECONDS + 60))
  logf="$(site_dir "$site")/log/client.rgw.$site.log"
  while ((SECONDS < deadline)); do
    last=$(grep -E 'Pausing frontends for realm update|Resuming frontends with new realm configuration' \
      "$logf" 2>/dev/null | tail -n 1) || true
    if [[ "$last" != *Pausing* ]]; then
      # The reload runs on a timer thread after the period notify: a commit that just returned
      # may not show in the log yet. Look once more after a short pause.
      ((settled)) && return 0
      settled=1
    else
      settled=0
    fi
    sleep 0.3
  done
  log "site $site: radosgw still reloading its realm after 60s; stopping it anyway"
}

rgw_answers() { curl -s -o /dev/null -m 2 "http://127.0.0.1:$(rgw_port "$1")/"; }

rgw_start() {
  local site="$1" pid dir deadline
  dir=$(site_dir "$site")
  [[ -f "$dir/.initialized" ]] || die "site $site does not exist yet: run 'up' first"
  if ! daemon_pid "$site" "mon.$site" >/dev/null || ! daemon_pid "$site" osd.0 >/dev/null; then
    die "site $site: mon/osd are not running: run 'up' first"
  fi
  if pid=$(daemon_pid "$site" "client.rgw.$site"); then
    log "site $site: radosgw already running (pid $pid, port $(rgw_port "$site"))"
    return 0
  fi
  require_free_port "$(rgw_port "$site")" "radosgw of site $site"
  write_conf "$site"
  start_daemon "$site" "client.rgw.$site" radosgw
  # Up means: answers HTTP on its port. Fail fast if it dies (e.g. its zone does not exist).
  deadline=$((SECONDS + LAB_TIMEOUT))
  until rgw_answers "$site"; do
    if ! pid=$(daemon_pid "$site" "client.rgw.$site"); then
      tail -n 15 "$dir/log/client.rgw.$site.log" >&2 2>/dev/null || true
      die "site $site: radosgw exited during startup (zone '$(site_zone "$site")' configured?); see $dir/log/client.rgw.$site.log"
    fi
    ((SECONDS < deadline)) || die "site $site: radosgw does not answer on 127.0.0.1:$(rgw_port "$site") after ${LAB_TIMEOUT}s"
    sleep 0.3
  done
  log "site $site: radosgw answers on http://127.0.0.1:$(rgw_port "$site") (zone $(site_zone "$site"))"
}

rgw_stop() {
  local site="$1"
  if daemon_pid "$site" "client.rgw.$site" >/dev/null; then
    wait_no_realm_reload "$site"
    stop_daemon "$site" "client.rgw.$site"
  else
    log "site $site: radosgw not running"
  fi
}

# ---------------------------------------------------------------------------------------------
# Subcommands
# ---------------------------------------------------------------------------------------------

# Serialise the commands that start/stop daemons of this lab (e.g. two rgw-restart in parallel).
take_lock() {
  mkdir -p "$LAB_DIR"
  exec 9>"$LAB_DIR/.lock"
  flock -w "$LAB_TIMEOUT" 9 || die "another ceph-lab.sh holds $LAB_DIR/.lock"
}

cmd_up() {
  local started=$SECONDS site
  ensure_packages
  [[ ! -d "$LAB_DIR" || -f "$LAB_DIR/.ceph-lab" || -z "$(ls -A "$LAB_DIR")" ]] ||
    die "$LAB_DIR exists and is not a ceph-lab folder; choose another LAB_DIR"
  take_lock
  touch "$LAB_DIR/.ceph-lab"
  [[ -f "$LAB_DIR/lab.env" ]] || save_settings
  for site in "${SITES[@]}"; do
    discard_incomplete_site "$site"
    if [[ -f "$(site_dir "$site")/.initialized" ]]; then start_site "$site"; else create_site "$site"; fi
  done
  log "lab up in $((SECONDS - started))s: $LAB_DIR (mon a 127.0.0.1:$LAB_MON_PORT_A, mon b 127.0.0.1:$LAB_MON_PORT_B; radosgw: rgw-restart SITE)"
}

cmd_down() {
  local purge=0 site
  case "${1:-}" in
  "") ;;
  --purge) purge=1 ;;
  *) usage ;;
  esac
  if [[ ! -d "$LAB_DIR" ]]; then
    log "nothing to stop: $LAB_DIR does not exist"
    return 0
  fi
  [[ -f "$LAB_DIR/.ceph-lab" ]] || die "$LAB_DIR is not a ceph-lab folder; not touching it"
  take_lock
  for site in "${SITES[@]}"; do
    if [[ -d "$(site_dir "$site")" ]]; then stop_site "$site"; fi
  done
  if ((purge)); then
    rm -rf "$LAB_DIR"
    log "stopped and removed $LAB_DIR"
  else
    log "stopped; data kept in $LAB_DIR ('up' restarts it, 'down --purge' removes it)"
  fi
}

# Human-readable; exit 0 when both sites' mon and OSD run, 1 otherwise.
cmd_status() {
  local site name pid all=0 port
  printf 'lab %s\n' "$LAB_DIR"
  for site in "${SITES[@]}"; do
    if [[ ! -f "$(site_dir "$site")/.initialized" ]]; then
      printf 'site %s: not created\n' "$site"
      all=1
      continue
    fi
    printf 'site %s (zone %s):\n' "$site" "$(site_zone "$site")"
    for name in "mon.$site" osd.0 "client.rgw.$site"; do
      case "$name" in
      mon.*) port="127.0.0.1:$(<"$(site_dir "$site")/mon_port")" ;;
      osd.*) port="" ;;
      *) port="http://127.0.0.1:$(sed -n 's/^rgw_frontends = .*endpoint=127.0.0.1:\([0-9]*\).*/\1/p' "$(site_conf "$site")")" ;;
      esac
      if pid=$(daemon_pid "$site" "$name"); then
        printf '  %-14s running  pid %-8s %s\n' "$name" "$pid" "$port"
      else
        printf '  %-14s stopped  %-12s %s\n' "$name" "" "$port"
        [[ "$name" == client.rgw.* ]] || all=1
      fi
    done
  done
  return "$all"
}

cmd_admin() {
  [[ -f "$(site_conf "$1")" ]] || die "site $1 does not exist yet: run 'up' first"
  exec radosgw-admin -c "$(site_conf "$1")" "${@:2}"
}

# Lines for `eval "$(ceph-lab.sh env a)"` or a dotenv reader: single-quoted values without quotes
# inside. RGW_ADMIN drops proxy variables (realm/period pull and commit forwarding use HTTP).
cmd_env() {
  local site="$1" unset_proxies="" v baked=""
  for v in "${PROXY_VARS[@]}"; do unset_proxies+="-u $v "; done
  for v in LAB_DIR "${SETTING_NAMES[@]}"; do baked+="$v=${!v} "; done
  printf "RGW_ADMIN='env %sradosgw-admin -c %s'\n" "$unset_proxies" "$(site_conf "$site")"
  printf "RGW_RESTART='env %s%s rgw-restart %s'\n" "$baked" "$SCRIPT_PATH" "$site"
  printf "RGW_ENDPOINT='http://127.0.0.1:%s'\n" "$(rgw_port "$site")"
}

main() {
  local cmd="${1:-}"
  [[ -n "$cmd" ]] || usage
  shift
  # Daemons started from here inherit this environment: no proxies for RGW's sync client.
  unset "${PROXY_VARS[@]}"
  load_settings
  case "$cmd" in
  up)
    [[ $# -eq 0 ]] || usage
    cmd_up
    ;;
  down) cmd_down "$@" ;;
  status) cmd_status ;;
  rgw-start | rgw-stop | rgw-restart)
    [[ $# -eq 1 ]] || usage
    check_site "$1"
    take_lock
    case "$cmd" in
    rgw-start) rgw_start "$1" ;;
    rgw-stop) rgw_stop "$1" ;;
    rgw-restart)
      rgw_stop "$1"
      rgw_start "$1"
      ;;
    esac
    ;;
  admin)
    check_site "${1:-}"
    cmd_admin "$@"
    ;;
  env)
    [[ $# -eq 1 ]] || usage
    check_site "$1"
    cmd_env "$1"
    ;;
  -h | --help | help) usage ;;
  *)
    log "error: unknown subcommand '$cmd'"
    usage
    ;;
  esac
}

main "$@"
