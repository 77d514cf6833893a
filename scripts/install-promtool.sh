#!/usr/bin/env bash
# Makes promtool available for the alert-rule tests and prints its path on stdout.
#
# Uses promtool from PATH when there is one. Otherwise it takes promtool out of Debian's
# `prometheus` package WITHOUT installing the package: installing it would also install and
# start a Prometheus service, which a test machine must not run. The binary goes to a
# project-local tools dir (git-ignored) that the tests look in.
#
# Usage: scripts/install-promtool.sh            # prints the path of promtool
#        PROMTOOL_TOOLS_DIR=/some/dir scripts/install-promtool.sh
set -euo pipefail

project_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="${PROMTOOL_TOOLS_DIR:-${project_root}/.tools/bin}"
local_promtool="${tools_dir}/promtool"

log() { printf 'install-promtool: %s\n' "$*" >&2; }

if on_path="$(command -v promtool)"; then
    log "using promtool from PATH"
    printf '%s\n' "${on_path}"
    exit 0
fi

if [[ -x "${local_promtool}" ]] && "${local_promtool}" --version >/dev/null 2>&1; then
    log "already installed"
    printf '%s\n' "${local_promtool}"
    exit 0
fi

for tool in apt-get dpkg-deb; do
    if ! command -v "${tool}" >/dev/null; then
        log "neither promtool on PATH nor ${tool} to fetch it: install promtool (Prometheus >= 2.x) and put it on PATH"
        exit 1
    fi
done

work_dir="$(mktemp -d)"
trap 'rm -rf "${work_dir}"' EXIT
# apt-get download drops privileges to _apt when run as root: let that user write here.
if [[ ${EUID} -eq 0 ]] && id _apt >/dev/null 2>&1; then
    chown _apt "${work_dir}"
fi

download() {
    # stdout carries only the final path, so apt's progress goes to stderr.
    (cd "${work_dir}" && apt-get download -q prometheus) >&2
}

log "downloading Debian's prometheus package (not installing it)"
if ! download; then
    # A fresh machine has no package lists yet; refresh them once and try again.
    log "download failed; running apt-get update and retrying"
    apt-get update -q >&2
    download
fi

shopt -s nullglob
debs=("${work_dir}"/prometheus_*.deb)
shopt -u nullglob
if [[ ${#debs[@]} -ne 1 ]]; then
    log "expected one prometheus_*.deb in ${work_dir}, found ${#debs[@]}"
    exit 1
fi

dpkg-deb -x "${debs[0]}" "${work_dir}/root"
extracted="${work_dir}/root/usr/bin/promtool"
if [[ ! -x "${extracted}" ]]; then
    log "the package has no usr/bin/promtool"
    exit 1
fi

mkdir -p "${tools_dir}"
# Install under a temporary name first so a concurrent run never sees a half-written binary.
install -m 0755 "${extracted}" "${local_promtool}.tmp.$$"
mv -f "${local_promtool}.tmp.$$" "${local_promtool}"

log "installed $("${local_promtool}" --version 2>&1 | head -n 1)"
printf '%s\n' "${local_promtool}"
