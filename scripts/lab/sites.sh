#!/usr/bin/env bash
# sites.sh: the lab's two "hosts", one network namespace per site on a private bridge, so each site
# has its own address (its daemons use the same ports without clashing) and a site can be cut off by
# its link, the way a region is lost, instead of by stopping its processes.
#
#   host (admin, Pulumi engine)  bridge LAB_BRIDGE  LAB_NET.1/24
#   site a: netns LAB_NETNS_A    LAB_NET.11         site b: netns LAB_NETNS_B    LAB_NET.12
#
# Traffic stays on this machine: the bridge has no uplink and the namespaces have no default route.
# Usage: sites.sh up | down | status | addr SITE | exec SITE CMD... | cut SITE | heal SITE | is-cut SITE
set -euo pipefail

LAB_NET=${LAB_NET:-10.213.0}
LAB_BRIDGE=${LAB_BRIDGE:-vcdr-br0}
LAB_NETNS_A=${LAB_NETNS_A:-vcdr-a}
LAB_NETNS_B=${LAB_NETNS_B:-vcdr-b}

log() { printf 'sites: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

[[ "$LAB_NET" =~ ^10\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "LAB_NET must be the first three octets of a 10.x.y.0/24 network, got '$LAB_NET'"
for value in "$LAB_BRIDGE" "$LAB_NETNS_A" "$LAB_NETNS_B"; do
  [[ "$value" =~ ^[a-z0-9-]{1,12}$ ]] || die "LAB_BRIDGE and LAB_NETNS_* must be 1 to 12 of [a-z0-9-] (link names are short), got '$value'"
done

check_site() { [[ "${1:-}" == a || "${1:-}" == b ]] || die "site must be 'a' or 'b', got '${1:-}'"; }
netns_of() { if [[ "$1" == a ]]; then printf '%s' "$LAB_NETNS_A"; else printf '%s' "$LAB_NETNS_B"; fi; }
addr_of() { if [[ "$1" == a ]]; then printf '%s.11' "$LAB_NET"; else printf '%s.12' "$LAB_NET"; fi; }
# The host end of a site's veth pair; cutting it takes the site off the network.
host_link() { printf '%s-h' "$(netns_of "$1")"; }
site_link() { printf '%s-n' "$(netns_of "$1")"; }

have_netns() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
have_link() { ip link show "$1" >/dev/null 2>&1; }

up_bridge() {
  if ! have_link "$LAB_BRIDGE"; then
    ip link add "$LAB_BRIDGE" type bridge
    ip addr add "$LAB_NET.1/24" dev "$LAB_BRIDGE"
  fi
  ip link set "$LAB_BRIDGE" up
}

up_site() {
  local site="$1" ns link
  ns=$(netns_of "$site")
  link=$(host_link "$site")
  have_netns "$ns" || ip netns add "$ns"
  ip -n "$ns" link set lo up
  if ! have_link "$link"; then
    ip link add "$link" type veth peer name "$(site_link "$site")"
    ip link set "$(site_link "$site")" netns "$ns"
    ip -n "$ns" addr add "$(addr_of "$site")/24" dev "$(site_link "$site")"
  fi
  ip link set "$link" master "$LAB_BRIDGE"
  ip link set "$link" up
  ip -n "$ns" link set "$(site_link "$site")" up
  log "site $site: netns $ns, address $(addr_of "$site")"
}

down_site() {
  local site="$1" ns
  ns=$(netns_of "$site")
  if have_netns "$ns" && [[ -n "$(ip netns pids "$ns")" ]]; then
    die "netns $ns still has processes ($(ip netns pids "$ns" | tr '\n' ' ')); stop the lab's daemons first"
  fi
  ! have_link "$(host_link "$site")" || ip link del "$(host_link "$site")"
  ! have_netns "$ns" || ip netns del "$ns"
}

cmd=${1:-}
shift || true
case "$cmd" in
  up)
    [[ "$(id -u)" -eq 0 ]] || die "network namespaces need root"
    up_bridge
    up_site a
    up_site b
    ;;
  down)
    down_site a
    down_site b
    ! have_link "$LAB_BRIDGE" || ip link del "$LAB_BRIDGE"
    ;;
  status)
    for site in a b; do
      ns=$(netns_of "$site")
      if have_netns "$ns"; then
        state=$(ip -o link show "$(host_link "$site")" 2>/dev/null | grep -q 'state UP' && echo linked || echo cut)
        printf 'site %s: netns %s, address %s, %s\n' "$site" "$ns" "$(addr_of "$site")" "$state"
      else
        printf 'site %s: no netns\n' "$site"
      fi
    done
    ;;
  addr)
    check_site "${1:-}"
    addr_of "$1"
    printf '\n'
    ;;
  exec)
    check_site "${1:-}"
    site=$1
    shift
    exec ip netns exec "$(netns_of "$site")" "$@"
    ;;
  cut)
    check_site "${1:-}"
    ip link set "$(host_link "$1")" down
    log "site $1 cut off (link $(host_link "$1") down)"
    ;;
  heal)
    check_site "${1:-}"
    ip link set "$(host_link "$1")" up
    log "site $1 linked again"
    ;;
  is-cut)
    check_site "${1:-}"
    ! ip -o link show "$(host_link "$1")" | grep -q 'state UP'
    ;;
  *)
    die "usage: sites.sh up | down | status | addr SITE | exec SITE CMD... | cut SITE | heal SITE | is-cut SITE"
    ;;
esac
