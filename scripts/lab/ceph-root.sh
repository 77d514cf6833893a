#!/usr/bin/env bash
# ceph-root.sh: Debian chroots with a newer Ceph than the bookworm host's 16.2, so a lab site can
# run Reef or Tentacle (issue 15). 16.2 is the host's own Ceph: nothing to build, its root is "".
#
#   ceph-root.sh build VERSION     build the root when missing (cached); prints the root on stdout
#   ceph-root.sh path VERSION      the root (exit 1 if not built; "" for 16.2, the host)
#   ceph-root.sh version VERSION   the recorded `radosgw --version` line
#   ceph-root.sh list              built roots: version, root, radosgw version (tab-separated)
#   ceph-root.sh mgr-pythonpath VERSION   PYTHONPATH (inside the root) ceph-mgr needs, or an empty line
#   ceph-root.sh contents VERSION  what a built root of VERSION holds (the entries of its contents file)
#
# VERSION: 16.2 (host), 18.2 (Debian trixie), 20.2 (Debian sid). Roots live in
# ${VCDR_CACHE:-$HOME/.cache/velero-ceph-dr}/ceph-roots/VERSION. A build goes into VERSION.partial
# and is renamed into place after its marker file is written, so an interrupted build never looks
# complete; the next build starts that one over. Building needs root, debootstrap and the network.
# Progress ("==> [elapsed s] ...") goes to stderr; details to ceph-roots/VERSION.build.log.
set -euo pipefail

ALLOWED="16.2 (the host's Ceph), 18.2 (Debian trixie), 20.2 (Debian sid)"
# ceph-mgr and its core modules: the lab's metrics come from the mgr's prometheus module.
PACKAGES=(ceph-mon ceph-osd ceph-mgr ceph-mgr-modules-core radosgw ceph-common)
MARKER=.velero-ceph-dr-built
# What the root holds beyond debootstrap, one entry per line (written once it is there): the
# packages, and for Reef the cffi bcrypt. A cached root missing an entry is topped up, not rebuilt.
CONTENTS=.velero-ceph-dr-contents
STARTED=$SECONDS

log() { printf 'ceph-root: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
progress() { printf '==> [%4ds] %s\n' "$((SECONDS - STARTED))" "$*" >&2; }

usage() {
  cat >&2 <<EOF
usage: ceph-root.sh build VERSION | path VERSION | version VERSION | mgr-pythonpath VERSION | contents VERSION | list
VERSION: $ALLOWED
settings (environment): VCDR_CACHE (default \$HOME/.cache/velero-ceph-dr), VCDR_DEBIAN_MIRROR
EOF
  exit 2
}

# The Debian suite that ships VERSION; 16.2 is the host's (bookworm) and has no suite here.
suite_of() {
  case "$1" in
  18.2) printf 'trixie' ;;
  20.2) printf 'sid' ;;
  esac
}

check_version() {
  case "${1:-}" in
  16.2 | 18.2 | 20.2) ;;
  *)
    log "error: unknown Ceph version '${1:-}': allowed values are $ALLOWED"
    exit 2
    ;;
  esac
}

roots_dir() {
  local cache=${VCDR_CACHE:-$HOME/.cache/velero-ceph-dr}
  case "$cache" in /*) ;; *) cache="$PWD/$cache" ;; esac
  # The root ends up word-split in the lab's RGW_ADMIN/RGW_RESTART: keep it plain.
  [[ "$cache" =~ ^/[A-Za-z0-9._/+-]+$ ]] || die "VCDR_CACHE must be a path of [A-Za-z0-9._/+-], got '$cache'"
  printf '%s/ceph-roots' "${cache%/}"
}

root_of() { printf '%s/%s' "$(roots_dir)" "$1"; }
is_built() { [[ -s "$1/$MARKER" ]]; }

# The Debian mirror the host's apt uses (its bookworm entry), so the chroots come from the same
# place; VCDR_DEBIAN_MIRROR overrides it, deb.debian.org is the fallback.
host_mirror() {
  local codename mirror=""
  if [[ -n "${VCDR_DEBIAN_MIRROR:-}" ]]; then
    printf '%s' "$VCDR_DEBIAN_MIRROR"
    return 0
  fi
  codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-bookworm}")
  # One-line format: "deb [options] URI SUITE COMPONENTS..."
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk -v s="$codename" '$1 == "deb" { for (i = 2; i < NF; i++) if ($i !~ /^\[/ && $(i+1) == s) { print $i; exit } }') || true
  if [[ -z "$mirror" ]]; then
    # deb822 format: the URIs of the stanza whose Suites name the host's codename.
    mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
      awk -v s="$codename" 'BEGIN { RS = "" } {
        uri = ""; hit = 0
        n = split($0, lines, "\n")
        for (i = 1; i <= n; i++) {
          if (lines[i] ~ /^URIs:/) { split(lines[i], f, " "); uri = f[2] }
          if (lines[i] ~ /^Suites:/) { m = split(lines[i], f, " "); for (j = 2; j <= m; j++) if (f[j] == s) hit = 1 }
        }
        if (hit && uri != "") { print uri; exit }
      }') || true
  fi
  printf '%s' "${mirror:-http://deb.debian.org/debian}"
}

# Mounts at or below PATH (deepest first), from the kernel's table.
mounts_under() {
  awk -v p="$1" '$2 == p || index($2, p "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

# Remove a stale partial build, never across a mount (a /proc left by a killed build, or a bind
# mount someone made inside it).
remove_partial() {
  local partial="$1" m
  [[ -e "$partial" ]] || return 0
  while read -r m; do
    [[ -n "$m" ]] && umount "$m"
  done < <(mounts_under "$partial")
  [[ -z "$(mounts_under "$partial")" ]] || die "$partial still has mounts; unmount them and run build again"
  rm -rf --one-file-system "$partial"
}

# Run CMD... with its output in the build log, printing its last line every 15 s as progress. The
# step gets its own session (setsid), so an interrupted build can stop all of it (debootstrap's
# and apt's children too) by its process group, and the terminal's Ctrl-C reaches only this script.
STEP_PID=""
run_step() {
  local what="$1" log_file="$2" last=$SECONDS
  shift 2
  progress "$what"
  printf '\n### %s: %s\n' "$what" "$*" >>"$log_file"
  setsid "$@" </dev/null >>"$log_file" 2>&1 &
  STEP_PID=$!
  while kill -0 "$STEP_PID" 2>/dev/null; do
    sleep 1
    if ((SECONDS - last >= 15)); then
      last=$SECONDS
      progress "  $(tail -n 1 "$log_file" | cut -c1-100)"
    fi
  done
  if ! wait "$STEP_PID"; then
    STEP_PID=""
    tail -n 25 "$log_file" >&2
    die "$what failed; see $log_file"
  fi
  STEP_PID=""
}

# Stop the running step's process group: SIGTERM, then SIGKILL after 30 s (dpkg may be mid-unpack;
# the partial root is discarded by the next build anyway).
stop_step() {
  local i
  [[ -n "$STEP_PID" ]] || return 0
  kill -TERM -- "-$STEP_PID" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    kill -0 -- "-$STEP_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$STEP_PID" 2>/dev/null || true
  wait "$STEP_PID" 2>/dev/null || true
  STEP_PID=""
}

BUILD_PROC=""
cleanup_build() {
  stop_step
  if [[ -n "$BUILD_PROC" ]] && mountpoint -q "$BUILD_PROC"; then
    umount "$BUILD_PROC" || umount -l "$BUILD_PROC" || true
  fi
}

# Debian trixie's python3-bcrypt (4.x) is a PyO3 (Rust) module. Reef's ceph-mgr loads each of its
# modules in a Python subinterpreter, where PyO3 refuses to load ("PyO3 modules do not yet support
# subinterpreters"); mgr_util imports bcrypt, so no mgr module loads, the prometheus one included.
# (Tentacle loads modules in the main interpreter: mgr_subinterpreter_modules.) Reef's root gets
# bookworm's cffi build of bcrypt (3.2.x) in /usr/local/lib/python3.X/dist-packages, which ceph-mgr
# gets first through PYTHONPATH (mgr-pythonpath): no file of a Debian package in the root changes.
needs_cffi_bcrypt() { [[ "$1" == 18.2 ]]; }

local_site_packages() {
  local root="$1" py
  py=$(chroot "$root" python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])') ||
    die "python3 does not run in $root"
  printf '%s/usr/local/lib/python%s/dist-packages' "$root" "$py"
}

has_cffi_bcrypt() { [[ -f "$(local_site_packages "$1")/bcrypt/_bcrypt.abi3.so" ]]; }

install_cffi_bcrypt() {
  local root="$1" log_file="$2" tmp deb dest
  has_cffi_bcrypt "$root" && return 0
  tmp=$(mktemp -d)
  # The host is bookworm (the lab's Ceph 16.2): its python3-bcrypt is the cffi build.
  (cd "$tmp" && apt-get download python3-bcrypt) >>"$log_file" 2>&1 ||
    die "apt-get download python3-bcrypt failed on the host (a bookworm host has its cffi build 3.2.x); see $log_file"
  local debs=("$tmp"/python3-bcrypt_3.*.deb)
  deb=${debs[0]}
  [[ -f "$deb" ]] || die "the host's python3-bcrypt is not 3.x (the cffi build Reef's ceph-mgr needs); see $log_file"
  dpkg-deb -x "$deb" "$tmp/x"
  dest=$(local_site_packages "$root")
  mkdir -p "$dest"
  cp -a "$tmp/x/usr/lib/python3/dist-packages/bcrypt" "$dest/bcrypt"
  rm -rf "$tmp"
  chroot "$root" python3 -c 'import bcrypt; assert bcrypt.__version__.startswith("3.")' >>"$log_file" 2>&1 ||
    die "bcrypt from $deb does not import in $root; see $log_file"
  progress "Ceph root $root: bookworm's cffi python3-bcrypt shadows trixie's PyO3 build (Reef's ceph-mgr modules load)"
}

# The entries a root of VERSION holds: PACKAGES, and `cffi-bcrypt` where ceph-mgr needs it.
wanted_contents() {
  printf '%s\n' "${PACKAGES[@]}"
  ! needs_cffi_bcrypt "$1" || printf 'cffi-bcrypt\n'
}

# Entries of wanted_contents VERSION that ROOT's contents file lacks, one per line; exit 1 when none.
missing_contents() {
  local root="$1" version="$2" entry found=1
  while IFS= read -r entry; do
    if ! grep -qxF "$entry" "$root/$CONTENTS" 2>/dev/null; then
      printf '%s\n' "$entry"
      found=0
    fi
  done < <(wanted_contents "$version")
  return "$found"
}

# A root built before PACKAGES grew gets the missing packages installed in place (same suite,
# same apt options), so a cached root is never rebuilt from scratch for one more package.
top_up() {
  local root="$1" suite="$2" log_file="$3" version="$4" apt_opts=() missing
  local -a in_root
  missing=$(missing_contents "$root" "$version" | grep -vx cffi-bcrypt | tr '\n' ' ') || true
  if [[ -z "$missing" ]]; then
    ! needs_cffi_bcrypt "$version" || install_cffi_bcrypt "$root" "$log_file"
    wanted_contents "$version" >"$root/$CONTENTS"
    return 0
  fi
  progress "Ceph root $root lacks ${missing% }; installing it"
  [[ "$suite" != sid ]] || apt_opts=(-o Acquire::Check-Valid-Until=false)
  in_root=(chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive)
  trap cleanup_build EXIT
  if ! mountpoint -q "$root/proc"; then
    BUILD_PROC="$root/proc"
    mount -t proc proc "$BUILD_PROC"
  fi
  run_step "apt-get update" "$log_file" "${in_root[@]}" apt-get "${apt_opts[@]}" update
  # shellcheck disable=SC2086 # one word per package
  run_step "apt-get install ${missing% }" "$log_file" "${in_root[@]}" apt-get install -y --no-install-recommends $missing
  run_step "apt-get clean" "$log_file" "${in_root[@]}" apt-get clean
  cleanup_build
  BUILD_PROC=""
  trap - EXIT
  ! needs_cffi_bcrypt "$version" || install_cffi_bcrypt "$root" "$log_file"
  wanted_contents "$version" >"$root/$CONTENTS"
}

cmd_build() {
  local version="$1" suite root partial log_file mirror apt_opts=() lock
  local -a in_root
  suite=$(suite_of "$version")
  if [[ -z "$suite" ]]; then
    log "Ceph $version is the host's own (bookworm packages): nothing to build"
    return 0
  fi
  root=$(root_of "$version")
  partial="$root.partial"
  log_file="$root.build.log"
  if is_built "$root" && ! missing_contents "$root" "$version" >/dev/null; then
    progress "Ceph $version root is built: $root ($(<"$root/$MARKER"))"
    printf '%s\n' "$root"
    return 0
  fi
  [[ $(id -u) -eq 0 ]] || die "building a Ceph root needs root (debootstrap, chroot)"
  mkdir -p "$(roots_dir)"
  # Two sites on the same version may ask at once: one builds, the other waits and reuses it.
  lock="$(roots_dir)/.$version.lock"
  exec 8>"$lock"
  if ! flock -n 8; then
    progress "another build of Ceph $version is running; waiting for it"
    flock 8
  fi
  if is_built "$root"; then
    top_up "$root" "$suite" "$log_file" "$version"
    progress "Ceph $version root is built: $root ($(<"$root/$MARKER"))"
    printf '%s\n' "$root"
    return 0
  fi
  [[ ! -e "$root" ]] || die "$root exists but has no $MARKER (not made by this script?); remove it and run build again"
  if ! command -v debootstrap >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || die "debootstrap is missing: install it"
    progress "installing debootstrap on the host"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap >&2
  fi
  mirror=$(host_mirror)
  progress "building Ceph $version (Debian $suite from $mirror) into $partial"
  remove_partial "$partial"
  : >"$log_file"
  trap cleanup_build EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  run_step "debootstrap --variant=minbase $suite" "$log_file" \
    debootstrap --variant=minbase "$suite" "$partial" "$mirror"
  # No package's maintainer script may start a daemon in the chroot (or on the host's ports).
  printf '#!/bin/sh\nexit 101\n' >"$partial/usr/sbin/policy-rc.d"
  chmod 755 "$partial/usr/sbin/policy-rc.d"
  [[ -s "$partial/etc/resolv.conf" ]] || cp -L /etc/resolv.conf "$partial/etc/resolv.conf"
  # sid's InRelease is often past its Valid-Until on mirrors and snapshots; apt refuses it then.
  [[ "$suite" != sid ]] || apt_opts=(-o Acquire::Check-Valid-Until=false)
  # Commands inside the chroot, without the host's environment leaking in.
  in_root=(chroot "$partial" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive)
  BUILD_PROC="$partial/proc"
  mount -t proc proc "$BUILD_PROC"
  run_step "apt-get update" "$log_file" "${in_root[@]}" apt-get "${apt_opts[@]}" update
  run_step "apt-get install ${PACKAGES[*]}" "$log_file" \
    "${in_root[@]}" apt-get install -y --no-install-recommends "${PACKAGES[@]}"
  run_step "apt-get clean" "$log_file" "${in_root[@]}" apt-get clean
  ! needs_cffi_bcrypt "$version" || install_cffi_bcrypt "$partial" "$log_file"
  wanted_contents "$version" >"$partial/$CONTENTS"
  "${in_root[@]}" radosgw --version 2>>"$log_file" | head -n 1 >"$partial/$MARKER" ||
    die "radosgw --version failed in $partial; see $log_file"
  is_built "$partial" || die "radosgw --version printed nothing in $partial; see $log_file"
  umount "$BUILD_PROC"
  BUILD_PROC=""
  trap - EXIT INT TERM
  mv -T "$partial" "$root"
  progress "Ceph $version root built: $root ($(<"$root/$MARKER"), $(du -sh "$root" | cut -f1))"
  printf '%s\n' "$root"
}

cmd_path() {
  local version="$1" root
  if [[ -z "$(suite_of "$version")" ]]; then
    printf '\n' # the host's Ceph: no root
    return 0
  fi
  root=$(root_of "$version")
  is_built "$root" || die "Ceph $version root is not built ($root): run 'ceph-root.sh build $version'"
  printf '%s\n' "$root"
}

# ceph-mgr builds its own sys.path (no /usr/local site directory), so the cffi bcrypt reaches it
# only through PYTHONPATH: the folder inside the root, for the mgr's environment.
cmd_mgr_pythonpath() {
  local version="$1" root dir
  if ! needs_cffi_bcrypt "$version"; then
    printf '\n'
    return 0
  fi
  root=$(cmd_path "$version")
  has_cffi_bcrypt "$root" || die "Ceph $version root lacks the cffi bcrypt: run 'ceph-root.sh build $version'"
  dir=$(local_site_packages "$root")
  printf '%s\n' "${dir#"$root"}"
}

cmd_version() {
  local version="$1" root
  if [[ -z "$(suite_of "$version")" ]]; then
    command -v radosgw >/dev/null 2>&1 || die "the host has no radosgw (Ceph 16.2 is not installed)"
    radosgw --version | head -n 1
    return 0
  fi
  root=$(cmd_path "$version")
  printf '%s\n' "$(<"$root/$MARKER")"
}

cmd_list() {
  local dir root found=0
  dir=$(roots_dir)
  for root in "$dir"/*; do
    [[ -d "$root" ]] || continue
    case "$root" in
    *.partial) log "incomplete build (the next build starts it over): $root" ;;
    *)
      if is_built "$root"; then
        printf '%s\t%s\t%s\n' "${root##*/}" "$root" "$(<"$root/$MARKER")"
        found=1
      fi
      ;;
    esac
  done
  ((found)) || log "no Ceph roots built in $dir (ceph-root.sh build 18.2|20.2)"
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
  build | path | version)
    [[ $# -eq 2 ]] || usage
    check_version "$2"
    "cmd_$cmd" "$2"
    ;;
  mgr-pythonpath)
    [[ $# -eq 2 ]] || usage
    check_version "$2"
    cmd_mgr_pythonpath "$2"
    ;;
  contents)
    [[ $# -eq 2 ]] || usage
    check_version "$2"
    wanted_contents "$2"
    ;;
  list)
    [[ $# -eq 1 ]] || usage
    cmd_list
    ;;
  -h | --help | help) usage ;;
  *)
    [[ -z "$cmd" ]] || log "error: unknown subcommand '$cmd'"
    usage
    ;;
  esac
}

main "$@"
