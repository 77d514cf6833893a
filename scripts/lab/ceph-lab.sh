#!/usr/bin/env bash
# ceph-lab.sh: two independent single-node Ceph clusters (site "a" and site "b"), each one
# mon + one memstore OSD (pool size 1) + one ceph-mgr serving Prometheus metrics (its prometheus
# module, on the site's address), plus one radosgw per site on demand. Each
# site runs its own Ceph version (LAB_CEPH_A/LAB_CEPH_B: 16.2 from the host's packages, 18.2 or
# 20.2 from a chroot built by ceph-root.sh; every Ceph command of a site goes through ceph_run). Each
# site's daemons run inside that site's network namespace and bind to the site's address
# (sites.sh: LAB_NET.11 for a, LAB_NET.12 for b, the host is LAB_NET.1 on bridge LAB_BRIDGE).
# It is the real-Ceph lab behind test/lab: rgw-multisite.sh runs against it through `env SITE`.
#
#   ceph-lab.sh up | down [--purge] | status
#   ceph-lab.sh rgw-start SITE | rgw-stop SITE | rgw-restart SITE
#   ceph-lab.sh admin SITE ARGS...     radosgw-admin (from the host) against that site's cluster
#   ceph-lab.sh env SITE               RGW_ADMIN=... / RGW_RESTART=... / RGW_ENDPOINT=... lines
#   ceph-lab.sh version SITE           the site's `radosgw --version` line
#   ceph-lab.sh metrics-url SITE       where the site's ceph-mgr serves Prometheus metrics
#   ceph-lab.sh cut SITE | heal SITE   take the site's link down / up (its daemons keep running)
#
# Everything lives under LAB_DIR; every daemon is started with a pid file and stopped by that pid
# (never by process name: other labs may run on the same machine). Auth is cephx, one keyring per
# cluster. Needs root (network namespaces). See scripts/lab/README.md for the settings.
set -euo pipefail

SCRIPT_PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
SITES_SH="$(dirname "$SCRIPT_PATH")/sites.sh"
CEPH_ROOT_SH="$(dirname "$SCRIPT_PATH")/ceph-root.sh"
SITES=(a b)
SETTING_NAMES=(LAB_REALM LAB_ZONEGROUP LAB_ZONE_A LAB_ZONE_B
  LAB_MON_PORT_A LAB_MON_PORT_B LAB_RGW_PORT_A LAB_RGW_PORT_B
  LAB_NET LAB_BRIDGE LAB_NETNS_A LAB_NETNS_B LAB_CEPH_METRICS_PORT LAB_RGW_SYNC_LEASE)
PACKAGES=(ceph-mon ceph-osd ceph-mgr ceph-mgr-modules-core radosgw ceph-common curl iproute2)
# RGW's HTTP client (sync, realm/period pull, commit forwarding) honours these; the lab only
# talks to the sites' addresses on its private bridge, so a proxy from the caller's environment
# must never be used.
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
       ceph-lab.sh rgw-start SITE | rgw-stop SITE | rgw-restart SITE | sync-lease SECONDS | rgw-set OPTION VALUE
       ceph-lab.sh admin SITE ARGS... | env SITE | version SITE | metrics-url SITE | cut SITE | heal SITE   (SITE is a or b)
settings (environment): LAB_DIR LAB_REALM LAB_ZONEGROUP LAB_ZONE_A LAB_ZONE_B
  LAB_MON_PORT_A LAB_MON_PORT_B LAB_RGW_PORT_A LAB_RGW_PORT_B LAB_CEPH_METRICS_PORT LAB_TIMEOUT
  LAB_RGW_SYNC_LEASE (rgw_sync_lease_period, default 15; Ceph's own default is 120)
  LAB_NET LAB_BRIDGE LAB_NETNS_A LAB_NETNS_B
  LAB_CEPH_A LAB_CEPH_B (16.2, 18.2 or 20.2; default: the version the site last ran, else 16.2)
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
  # Every site has its own address, so both sites can use the same ports.
  LAB_MON_PORT_A=${LAB_MON_PORT_A:-3300}
  LAB_MON_PORT_B=${LAB_MON_PORT_B:-3300}
  LAB_RGW_PORT_A=${LAB_RGW_PORT_A:-8000}
  LAB_RGW_PORT_B=${LAB_RGW_PORT_B:-8000}
  # ceph-mgr's prometheus module (its usual port), on each site's address.
  LAB_CEPH_METRICS_PORT=${LAB_CEPH_METRICS_PORT:-9283}
  # The same defaults as sites.sh; another lab on this machine needs other values for all four.
  LAB_NET=${LAB_NET:-10.213.0}
  LAB_BRIDGE=${LAB_BRIDGE:-vcdr-br0}
  LAB_NETNS_A=${LAB_NETNS_A:-vcdr-a}
  LAB_NETNS_B=${LAB_NETNS_B:-vcdr-b}
  LAB_TIMEOUT=${LAB_TIMEOUT:-120}
  # Sync shard leases outlive a stopped or reloaded gateway: the lab's 15 s keeps its runs short;
  # the bench sets Ceph's 120 s (sync-lease) to measure what production clusters see.
  LAB_RGW_SYNC_LEASE=${LAB_RGW_SYNC_LEASE:-15}
  local name site rc
  for name in LAB_REALM LAB_ZONEGROUP LAB_ZONE_A LAB_ZONE_B; do
    [[ "${!name}" =~ ^[A-Za-z0-9._-]+$ ]] || die "$name must match [A-Za-z0-9._-]+, got '${!name}'"
  done
  for name in LAB_MON_PORT_A LAB_MON_PORT_B LAB_RGW_PORT_A LAB_RGW_PORT_B LAB_CEPH_METRICS_PORT LAB_TIMEOUT LAB_RGW_SYNC_LEASE; do
    [[ "${!name}" =~ ^[1-9][0-9]*$ ]] || die "$name must be a positive integer, got '${!name}'"
  done
  [[ "$LAB_NET" =~ ^10\.[0-9]{1,3}\.[0-9]{1,3}$ ]] ||
    die "LAB_NET must be the first three octets of a 10.x.y.0/24 network, got '$LAB_NET'"
  for name in LAB_BRIDGE LAB_NETNS_A LAB_NETNS_B; do
    [[ "${!name}" =~ ^[a-z0-9-]{1,12}$ ]] || die "$name must be 1 to 12 of [a-z0-9-], got '${!name}'"
  done
  [[ "$LAB_NETNS_A" != "$LAB_NETNS_B" ]] || die "LAB_NETNS_A and LAB_NETNS_B must differ, got '$LAB_NETNS_A' twice"
  # A site's Ceph version: the setting, else the version it last ran (so down/rgw-restart need no
  # setting), else the host's 16.2.
  for site in a b; do
    name="LAB_CEPH_${site^^}"
    if [[ -z "${!name:-}" && -s "$LAB_DIR/$site/ceph_version" ]]; then printf -v "$name" '%s' "$(<"$LAB_DIR/$site/ceph_version")"; fi
    printf -v "$name" '%s' "${!name:-16.2}"
    # ceph-root.sh owns the versions: exit 2 is an unknown one (its message lists the allowed).
    rc=0
    bash "$CEPH_ROOT_SH" path "${!name}" >/dev/null 2>&1 || rc=$?
    ((rc != 2)) || die "$name='${!name}' is not allowed: $(bash "$CEPH_ROOT_SH" path "${!name}" 2>&1 >/dev/null | sed 's/^ceph-root: error: //')"
  done
  # Within a site the mon and the gateway share the address.
  for site in A B; do
    name="LAB_MON_PORT_$site"
    local rgw="LAB_RGW_PORT_$site" port
    [[ "${!name}" != "${!rgw}" ]] || die "$name and $rgw must differ, both are ${!name}"
    for port in "$name" "$rgw"; do
      [[ "${!port}" != "$LAB_CEPH_METRICS_PORT" ]] || die "$port and LAB_CEPH_METRICS_PORT must differ, both are ${!port}"
    done
  done
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
site_netns() { site_setting LAB_NETNS "$1"; }
site_ceph() { site_setting LAB_CEPH "$1"; }

# ---------------------------------------------------------------------------------------------
# Ceph versions: the host's 16.2, or a chroot ("Ceph root") built by ceph-root.sh
# ---------------------------------------------------------------------------------------------

# The root of SITE's Ceph version ("" for the host's 16.2); `up` builds it when missing, every other
# command needs it built.
site_root() {
  local version
  version=$(site_ceph "$1")
  [[ "$version" != 16.2 ]] || return 0
  bash "$CEPH_ROOT_SH" path "$version" 2>/dev/null ||
    die "site $1 runs Ceph $version, whose root is not built: run 'up' (it builds the root) or 'bash $CEPH_ROOT_SH build $version'"
}

# Run a Ceph command of SITE's version in the host's network namespace: the host's binary, or the
# root's through chroot (chroot execs, so a daemon started this way keeps its pid).
ceph_run() {
  local site="$1" root
  shift
  root=$(site_root "$site")
  if [[ -z "$root" ]]; then "$@"; else chroot "$root" "$@"; fi
}

# The same inside SITE's network namespace (daemons, and the lab's own checks).
ceph_in_site() {
  local site="$1" root
  shift
  root=$(site_root "$site")
  if [[ -z "$root" ]]; then in_site "$site" "$@"; else in_site "$site" chroot "$root" "$@"; fi
}

# A root sees the lab folder at the same path, through a bind mount of the folder above LAB_DIR (not
# LAB_DIR itself, which `down --purge` removes), and needs /proc for its daemons.
root_mount_points() {
  printf '%s\n' "$1/proc" "$1$(dirname "$LAB_DIR")"
}

mount_root() {
  local root="$1" above
  above=$(dirname "$LAB_DIR")
  [[ "$above" != / ]] || die "LAB_DIR must not be directly under / when a site runs on Ceph 18.2 or 20.2 (the folder above it is bind-mounted into the root), got '$LAB_DIR'"
  mkdir -p "$root/proc" "$root$above"
  mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
  mountpoint -q "$root$above" || mount --bind "$above" "$root$above"
}

# The mounts of the roots of both sites (the versions set now and the ones they last ran), after
# their daemons stopped.
unmount_roots() {
  local site version root point
  for version in $( (for site in "${SITES[@]}"; do site_ceph "$site" && echo && recorded_ceph "$site" && echo; done) | sort -u); do
    [[ "$version" != 16.2 ]] || continue
    root=$(bash "$CEPH_ROOT_SH" path "$version" 2>/dev/null) || continue
    while IFS= read -r point; do
      ! mountpoint -q "$point" || umount "$point" || log "could not unmount $point (still in use?)"
    done < <(root_mount_points "$root")
  done
}

# Build (when missing) and mount the root of each site's version.
prepare_roots() {
  local site version root
  for site in "${SITES[@]}"; do
    version=$(site_ceph "$site")
    [[ "$version" != 16.2 ]] || continue
    root=$(bash "$CEPH_ROOT_SH" build "$version") || die "building the Ceph $version root for site $site failed"
    mount_root "$root"
  done
}

# The version SITE's daemons last started on (a site from before versions were recorded: 16.2).
recorded_ceph() {
  local file
  file="$(site_dir "$1")/ceph_version"
  if [[ -s "$file" ]]; then cat "$file"; else printf '16.2'; fi
}

# Ceph upgrades one or two releases at a time and never downgrades: Pacific (16.2) to Reef
# (18.2), Reef to Tentacle (20.2). A site records the version it last ran.
check_version_change() {
  local site="$1" recorded wanted
  recorded=$(recorded_ceph "$site")
  wanted=$(site_ceph "$site")
  case "$recorded>$wanted" in
  16.2\>16.2 | 18.2\>18.2 | 20.2\>20.2) ;;
  16.2\>18.2 | 18.2\>20.2) log "site $site: upgrading from Ceph $recorded to $wanted" ;;
  *) die "site $site ran Ceph $recorded; it can move to the same version or the next supported one (16.2 -> 18.2 -> 20.2), not to $wanted: set LAB_CEPH_${site^^}=$recorded, or run 'down --purge' first" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Network: one namespace per site (sites.sh), with this lab's settings
# ---------------------------------------------------------------------------------------------

sites_sh() {
  env LAB_NET="$LAB_NET" LAB_BRIDGE="$LAB_BRIDGE" LAB_NETNS_A="$LAB_NETNS_A" LAB_NETNS_B="$LAB_NETNS_B" \
    bash "$SITES_SH" "$@"
}
# The site's address (sites.sh owns the mapping: LAB_NET.11 for a, LAB_NET.12 for b).
site_addr() { sites_sh addr "$1"; }
# Run CMD... inside SITE's network namespace. `ip netns exec` execs, so a daemon started this way
# writes its own pid to its pid file.
in_site() { sites_sh exec "$@"; }

have_netns() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

# linked | cut | no netns
link_state() {
  if ! have_netns "$(site_netns "$1")"; then
    printf 'no netns'
  elif sites_sh is-cut "$1"; then
    printf 'cut'
  else
    printf 'linked'
  fi
}

# The namespaces and the bridge of this lab. The /24 must not be routed elsewhere on this host
# (another lab's bridge with the same LAB_NET would take the traffic).
sites_up() {
  [[ $(id -u) -eq 0 ]] || die "the sites' network namespaces need root"
  local other
  other=$(ip -o addr show to "$LAB_NET.0/24" | awk -v br="$LAB_BRIDGE" '$2 != br {print $2}' | sort -u | tr '\n' ' ')
  [[ -z "$other" ]] || die "$LAB_NET.0/24 is already on interface(s) $other(another lab?): set LAB_NET, LAB_BRIDGE and LAB_NETNS_A/B to other values"
  sites_sh up
}

# Remove the namespaces and the bridge, unless a process (of this lab or any other) still runs
# in one of them.
sites_down() {
  local site ns pids busy=0
  for site in "${SITES[@]}"; do
    ns=$(site_netns "$site")
    have_netns "$ns" || continue
    pids=$(ip netns pids "$ns" | tr '\n' ' ')
    if [[ -n "$pids" ]]; then
      log "netns $ns still has processes ($pids); keeping the namespaces and $LAB_BRIDGE"
      busy=1
    fi
  done
  ((busy)) && return 0
  if have_netns "$LAB_NETNS_A" || have_netns "$LAB_NETNS_B" || ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
    sites_sh down
    log "removed netns $LAB_NETNS_A, $LAB_NETNS_B and bridge $LAB_BRIDGE"
  fi
}

# ---------------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------------

# Install the Debian packages only when a command is missing; installing needs root and apt.
ensure_packages() {
  local cmd missing=0
  [[ "$LAB_CEPH_A" == 16.2 || "$LAB_CEPH_B" == 16.2 ]] || return 0
  for cmd in ceph-mon ceph-osd ceph-mgr radosgw radosgw-admin ceph rados ceph-authtool monmaptool curl flock ip; do
    command -v "$cmd" >/dev/null 2>&1 || missing=1
  done
  [[ -d /usr/share/ceph/mgr/prometheus ]] || missing=1
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

# Is PORT taken on SITE's address? Connects from inside the site's namespace (works while cut).
port_busy() {
  in_site "$1" timeout 5 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$(site_addr "$1")" "$2" 2>/dev/null
}

require_free_port() {
  local site="$1" port="$2"
  ! port_busy "$site" "$port" ||
    die "port $(site_addr "$site"):$port (netns $(site_netns "$site")) for $3 is already in use (another lab in this netns? set LAB_NETNS_*/LAB_*_PORT_*)"
}

# Start a Ceph daemon; it daemonizes itself and writes pid_file (set in ceph.conf). Early errors
# (before it detaches) go to the daemon's startup log.
start_daemon() {
  local site="$1" name="$2" bin="$3" dir pid i
  shift 3 # the rest: words before the binary (env VAR=value)
  dir=$(site_dir "$site")
  rm -f "$(pid_file "$site" "$name")"
  # 9>&-: the daemon must not inherit the lab lock (it would hold it for its whole life).
  ceph_in_site "$site" "$@" "$bin" -c "$(site_conf "$site")" -n "$name" </dev/null >>"$dir/log/$name.startup.log" 2>&1 9>&- ||
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
# zone takes effect); the fsid and the mon address (LAB_NET, mon port) are fixed when the site is
# created. The host's clients (RGW_ADMIN) read the same file and reach the mon over the bridge.
write_conf() {
  local site="$1" dir fsid addr
  dir=$(site_dir "$site")
  fsid=$(<"$dir/fsid")
  addr=$(site_addr "$site")
  cat >"$dir/ceph.conf.new" <<EOF
# Generated by scripts/lab/ceph-lab.sh for lab site $site; rewritten on every up/rgw-start.
[global]
fsid = $fsid
# One mon, msgr2 only, everything bound to the site's address in netns $(site_netns "$site").
mon_host = [v2:$addr:$(mon_port "$site")]
public_addr = $addr
cluster_addr = $addr
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

[mgr]
mgr_data = $dir/\$name
admin_socket = $dir/run/\$name.asok
pid_file = $dir/run/\$name.pid
log_file = $dir/log/\$name.log

[client.rgw.$site]
admin_socket = $dir/run/\$name.asok
pid_file = $dir/run/\$name.pid
log_file = $dir/log/\$name.log
rgw_frontends = beast endpoint=$addr:$(rgw_port "$site")
rgw_realm = $LAB_REALM
rgw_zonegroup = $LAB_ZONEGROUP
rgw_zone = $(site_zone "$site")
# Sync shard leases outlive a stopped or reloaded gateway (LAB_RGW_SYNC_LEASE).
rgw_sync_lease_period = $LAB_RGW_SYNC_LEASE
EOF
  # Gateway options set with rgw-set (e.g. the bench's rgw_data_notify_interval_msec).
  if [[ -f "$LAB_DIR/rgw-options.conf" ]]; then cat "$LAB_DIR/rgw-options.conf" >>"$dir/ceph.conf.new"; fi
  mv -f "$dir/ceph.conf.new" "$dir/ceph.conf"
}

mon_addr() { printf '%s:%s' "$(site_addr "$1")" "$(mon_port "$1")"; }

# The address the site's mon was created with (a site made before the namespaces: 127.0.0.1).
recorded_mon_addr() {
  local dir
  dir=$(site_dir "$1")
  if [[ -f "$dir/mon_addr" ]]; then cat "$dir/mon_addr"; else printf '127.0.0.1:%s' "$(<"$dir/mon_port")"; fi
}

# The mon address is baked into the monmap: a different LAB_NET or LAB_MON_PORT_* needs a new lab.
check_mon_addr_unchanged() {
  local site="$1" recorded
  recorded=$(recorded_mon_addr "$site")
  [[ "$recorded" == "$(mon_addr "$site")" ]] ||
    die "site $site was created with mon address $recorded, not $(mon_addr "$site"); use the same LAB_NET and mon port or run 'down --purge' first"
}

# All keys of the cluster in one keyring; the caps are what vstart/cephadm give these entities.
make_keyring() {
  local site="$1" kr
  kr="$(site_dir "$site")/keyring"
  ceph_run "$site" ceph-authtool --create-keyring "$kr" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph_run "$site" ceph-authtool "$kr" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  ceph_run "$site" ceph-authtool "$kr" --gen-key -n osd.0 \
    --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' >/dev/null
  ceph_run "$site" ceph-authtool "$kr" --gen-key -n "client.rgw.$site" \
    --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' >/dev/null
  add_mgr_key "$site"
  chmod 600 "$kr"
}

# The mgr's key, in the same keyring; a site made before the lab had a mgr gets it registered with
# its running mon as well.
add_mgr_key() {
  local site="$1" kr
  kr="$(site_dir "$site")/keyring"
  grep -qF "[mgr.$site]" "$kr" && return 0
  ceph_run "$site" ceph-authtool "$kr" --gen-key -n "mgr.$site" \
    --cap mon 'allow profile mgr' --cap osd 'allow *' --cap mds 'allow *' >/dev/null
}

register_mgr_key() {
  local site="$1" kr
  kr="$(site_dir "$site")/keyring"
  ceph_site "$site" auth get "mgr.$site" >/dev/null 2>&1 && return 0
  add_mgr_key "$site"
  ceph_in_site "$site" ceph-authtool "$kr" -p -n "mgr.$site" >/dev/null ||
    die "site $site: no mgr.$site key in $kr"
  ceph_site "$site" auth import -i "$kr" >/dev/null || die "site $site: could not register mgr.$site with the mon"
}

ceph_metrics_url() { printf 'http://%s:%s/metrics' "$(site_addr "$1")" "$LAB_CEPH_METRICS_PORT"; }
ceph_metrics_answer() { in_site "$1" curl -sf -m 3 "$(ceph_metrics_url "$1")" | grep -q '^ceph_health_status'; }

configure_prometheus_module() {
  local site="$1"
  ceph_site "$site" config set mgr mgr/prometheus/server_addr "$(site_addr "$site")" &&
    ceph_site "$site" config set mgr mgr/prometheus/server_port "$LAB_CEPH_METRICS_PORT" &&
    # The module caches a scrape this long; the lab's Prometheus scrapes every 5 s.
    ceph_site "$site" config set mgr mgr/prometheus/scrape_interval 5 &&
    { [[ "$(site_ceph "$site")" == 16.2 ]] ||
      ceph_site "$site" config set mgr mgr/prometheus/exclude_perf_counters false; } &&
    ceph_site "$site" mgr module enable prometheus --force
}

# ceph-mgr with its prometheus module on the site's address. Pacific's module exports every
# daemon's perf counters (RGW's data-sync-from-ZONE ones among them); from Reef on it leaves them to
# ceph-exporter unless exclude_perf_counters is off, and Debian ships no ceph-exporter.
start_mgr() {
  local site="$1"
  mkdir -p "$(site_dir "$site")/mgr.$site"
  register_mgr_key "$site"
  daemon_pid "$site" "mgr.$site" >/dev/null || {
    require_free_port "$site" "$LAB_CEPH_METRICS_PORT" "mgr.$site prometheus module"
    local pythonpath
    pythonpath=$(bash "$CEPH_ROOT_SH" mgr-pythonpath "$(site_ceph "$site")") ||
      die "site $site: ceph-root.sh mgr-pythonpath $(site_ceph "$site") failed"
    if [[ -n "$pythonpath" ]]; then
      start_daemon "$site" "mgr.$site" ceph-mgr env "PYTHONPATH=$pythonpath"
    else
      start_daemon "$site" "mgr.$site" ceph-mgr
    fi
  }
  # The mon knows a module's options only once the new mgr has reported them: retry until then.
  wait_for "site $site: prometheus module configured" configure_prometheus_module "$site" ||
    die "site $site: could not configure ceph-mgr's prometheus module; see $(site_dir "$site")/log/mgr.$site.log"
  wait_for "site $site: ceph-mgr serves metrics on $(ceph_metrics_url "$site")" ceph_metrics_answer "$site" ||
    die "site $site: ceph-mgr serves no metrics on $(ceph_metrics_url "$site") after ${LAB_TIMEOUT}s; see $(site_dir "$site")/log/mgr.$site.log"
}

mkfs_mon() {
  local site="$1" dir
  dir=$(site_dir "$site")
  ceph_run "$site" monmaptool --create --fsid "$(<"$dir/fsid")" --addv "$site" "[v2:$(mon_addr "$site")]" \
    "$dir/monmap" >/dev/null
  ceph_run "$site" ceph-mon -c "$dir/ceph.conf" -n "mon.$site" --mkfs --monmap "$dir/monmap" --keyring "$dir/keyring" \
    >>"$dir/log/mon.$site.startup.log" 2>&1 || die "ceph-mon --mkfs failed for site $site; see $dir/log"
}

# The lab's own checks run inside the site's namespace, so `up` works on a cut site too.
ceph_site() { ceph_in_site "$1" timeout 30 ceph -c "$(site_conf "$1")" --connect-timeout 10 "${@:2}"; }

wait_mon() {
  wait_for "site $1: mon.$1 answers on $(mon_addr "$1")" ceph_site "$1" mon stat ||
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
  ceph_run "$site" ceph-osd -c "$dir/ceph.conf" -n osd.0 --mkfs --osd-uuid "$uuid" \
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
  ceph_in_site "$site" timeout "$LAB_TIMEOUT" rados -c "$(site_conf "$site")" -p "$PROBE_POOL" put probe "$(site_conf "$site")" ||
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
  require_free_port "$site" "$(mon_port "$site")" "mon.$site"
  mkdir -p "$dir/run" "$dir/log" "$dir/crash" "$dir/mon.$site"
  cat /proc/sys/kernel/random/uuid >"$dir/fsid"
  mon_port "$site" >"$dir/mon_port"
  mon_addr "$site" >"$dir/mon_addr"
  site_ceph "$site" >"$dir/ceph_version"
  write_conf "$site"
  make_keyring "$site"
  mkfs_mon "$site"
  start_daemon "$site" "mon.$site" ceph-mon
  wait_mon "$site"
  mkfs_osd "$site"
  start_daemon "$site" osd.0 ceph-osd
  wait_osd_up "$site"
  probe_pool "$site"
  start_mgr "$site"
  touch "$dir/.initialized"
}

# Start whatever of an existing site is not running (after `down`, or a crash).
start_site() {
  local site="$1"
  check_mon_addr_unchanged "$site"
  check_version_change "$site"
  # Daemons of one site never mix versions: a site with any daemon running keeps its version.
  if [[ "$(recorded_ceph "$site")" != "$(site_ceph "$site")" ]] &&
    { daemon_pid "$site" "mon.$site" >/dev/null || daemon_pid "$site" osd.0 >/dev/null; }; then
    die "site $site runs Ceph $(recorded_ceph "$site"); stop it ('down') before it can start on $(site_ceph "$site")"
  fi
  if daemon_pid "$site" "mon.$site" >/dev/null && daemon_pid "$site" osd.0 >/dev/null && daemon_pid "$site" "mgr.$site" >/dev/null; then
    log "site $site: already running (mon.$site pid $(daemon_pid "$site" "mon.$site"), osd.0 pid $(daemon_pid "$site" osd.0))"
    return 0
  fi
  site_ceph "$site" >"$(site_dir "$site")/ceph_version"
  write_conf "$site"
  if ! daemon_pid "$site" "mon.$site" >/dev/null; then
    require_free_port "$site" "$(mon_port "$site")" "mon.$site"
    start_daemon "$site" "mon.$site" ceph-mon
  fi
  wait_mon "$site"
  daemon_pid "$site" osd.0 >/dev/null || start_daemon "$site" osd.0 ceph-osd
  wait_osd_up "$site"
  probe_pool "$site"
  start_mgr "$site"
}

stop_site() {
  if daemon_pid "$1" "client.rgw.$1" >/dev/null; then
    wait_no_realm_reload "$1"
    stop_daemon "$1" "client.rgw.$1"
  fi
  stop_daemon "$1" "mgr.$1"
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

rgw_url() { printf 'http://%s:%s' "$(site_addr "$1")" "$(rgw_port "$1")"; }

# Asked from inside the site's namespace: a restart of a cut site's gateway works too.
rgw_answers() { in_site "$1" curl -s -o /dev/null -m 2 "$(rgw_url "$1")/"; }

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
  [[ "$(recorded_ceph "$site")" == "$(site_ceph "$site")" ]] ||
    die "site $site runs Ceph $(recorded_ceph "$site"), not $(site_ceph "$site"): run 'up' with LAB_CEPH_${site^^}=$(site_ceph "$site") (after 'down') to change it"
  require_free_port "$site" "$(rgw_port "$site")" "radosgw of site $site"
  write_conf "$site"
  start_daemon "$site" "client.rgw.$site" radosgw
  # Up means: answers HTTP on its port. Fail fast if it dies (e.g. its zone does not exist).
  deadline=$((SECONDS + LAB_TIMEOUT))
  until rgw_answers "$site"; do
    if ! pid=$(daemon_pid "$site" "client.rgw.$site"); then
      tail -n 15 "$dir/log/client.rgw.$site.log" >&2 2>/dev/null || true
      die "site $site: radosgw exited during startup (zone '$(site_zone "$site")' configured?); see $dir/log/client.rgw.$site.log"
    fi
    ((SECONDS < deadline)) || die "site $site: radosgw does not answer on $(rgw_url "$site") after ${LAB_TIMEOUT}s"
    sleep 0.3
  done
  log "site $site: radosgw answers on $(rgw_url "$site") (zone $(site_zone "$site"), netns $(site_netns "$site"))"
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
  prepare_roots
  sites_up
  for site in "${SITES[@]}"; do
    discard_incomplete_site "$site"
    if [[ -f "$(site_dir "$site")/.initialized" ]]; then start_site "$site"; else create_site "$site"; fi
  done
  log "lab up in $((SECONDS - started))s: $LAB_DIR (Ceph $LAB_CEPH_A on a, $LAB_CEPH_B on b; mon a $(mon_addr a) in netns $LAB_NETNS_A, mon b $(mon_addr b) in netns $LAB_NETNS_B; radosgw: rgw-restart SITE)"
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
  sites_down
  unmount_roots
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
    printf 'site %s (zone %s, Ceph %s): netns %s, address %s, %s\n' "$site" "$(site_zone "$site")" \
      "$(site_ceph "$site")" "$(site_netns "$site")" "$(site_addr "$site")" "$(link_state "$site")"
    for name in "mon.$site" osd.0 "mgr.$site" "client.rgw.$site"; do
      case "$name" in
      mon.*) port=$(recorded_mon_addr "$site") ;;
      osd.*) port="" ;;
      mgr.*) port=$(ceph_metrics_url "$site") ;;
      *) port="http://$(sed -n 's/^rgw_frontends = .*endpoint=\([0-9.]*:[0-9]*\).*/\1/p' "$(site_conf "$site")")" ;;
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
  ceph_run "$1" radosgw-admin -c "$(site_conf "$1")" "${@:2}"
}

# The gateway binary's version line of SITE (the same binary as its radosgw-admin).
cmd_version() {
  ceph_run "$1" radosgw --version
}

# Lines for `eval "$(ceph-lab.sh env a)"` or a dotenv reader: single-quoted values without quotes
# inside. RGW_ADMIN runs on the host (it reaches the site's mon over the bridge with the site's
# ceph.conf) and drops proxy variables (realm/period pull and commit forwarding use HTTP);
# RGW_RESTART restarts the gateway inside the site's namespace.
cmd_env() {
  local site="$1" unset_proxies="" v baked="" root
  for v in "${PROXY_VARS[@]}"; do unset_proxies+="-u $v "; done
  for v in LAB_DIR "${SETTING_NAMES[@]}" LAB_CEPH_A LAB_CEPH_B; do baked+="$v=${!v} "; done
  root=$(site_root "$site")
  printf "RGW_ADMIN='env %s%sradosgw-admin -c %s'\n" "$unset_proxies" "${root:+chroot $root }" "$(site_conf "$site")"
  printf "RGW_RESTART='env %s%s rgw-restart %s'\n" "$baked" "$SCRIPT_PATH" "$site"
  printf "RGW_ENDPOINT='%s'\n" "$(rgw_url "$site")"
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
  version)
    [[ $# -eq 1 ]] || usage
    check_site "$1"
    cmd_version "$1"
    ;;
  metrics-url)
    [[ $# -eq 1 ]] || usage
    check_site "$1"
    ceph_metrics_url "$1"
    printf '\n'
    ;;
  sync-lease)
    # Both gateways restart with the new lease; later restarts (the failover tool's) keep it.
    [[ $# -eq 1 && "$1" =~ ^[1-9][0-9]*$ ]] || die "sync-lease needs the lease in seconds (a positive integer), got '${1:-}'"
    take_lock
    local site
    LAB_RGW_SYNC_LEASE=$1
    save_settings
    for site in "${SITES[@]}"; do
      rgw_stop "$site"
      rgw_start "$site"
    done
    log "rgw_sync_lease_period = $LAB_RGW_SYNC_LEASE on both gateways"
    ;;
  rgw-set)
    # A gateway option on both sites (kept for later restarts); both gateways restart with it.
    [[ $# -eq 2 && "$1" =~ ^rgw_[a-z0-9_]+$ && "$2" =~ ^[A-Za-z0-9._-]+$ ]] ||
      die "rgw-set needs an option (rgw_...) and a value ([A-Za-z0-9._-]), got '$*'"
    take_lock
    local site options="$LAB_DIR/rgw-options.conf"
    { grep -v "^$1 = " "$options" 2>/dev/null || true; printf '%s = %s\n' "$1" "$2"; } >"$options.new"
    mv -f "$options.new" "$options"
    for site in "${SITES[@]}"; do
      rgw_stop "$site"
      rgw_start "$site"
    done
    log "$1 = $2 on both gateways"
    ;;
  cut | heal)
    # A site is lost by its link: its daemons keep running behind it.
    [[ $# -eq 1 ]] || usage
    check_site "$1"
    have_netns "$(site_netns "$1")" || die "netns $(site_netns "$1") of site $1 does not exist: run 'up' first"
    sites_sh "$cmd" "$1"
    ;;
  -h | --help | help) usage ;;
  *)
    log "error: unknown subcommand '$cmd'"
    usage
    ;;
  esac
}

main "$@"
