#!/usr/bin/env bash
# Makes promtool (alert-rule tests) and the prometheus server binary (the lab's per-site
# Prometheus) available, and prints the path of promtool on stdout.
#
# Each binary is taken from PATH when it is there. Otherwise both come out of Debian's
# `prometheus` package WITHOUT installing the package: installing it would also install and
# start a Prometheus service, which a test machine must not run (the lab runs `prometheus` as a
# plain process). The binaries go to a project-local tools dir (git-ignored) that the tests and
# the lab look in.
#
# Usage: scripts/install-promtool.sh            # prints the path of promtool
#        PROMTOOL_TOOLS_DIR=/some/dir scripts/install-promtool.sh
set -euo pipefail

project_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools_dir="${PROMTOOL_TOOLS_DIR:-${project_root}/.tools/bin}"
binaries=(promtool prometheus)

log() { printf 'install-promtool: %s\n' "$*" >&2; }

# where BINARY: prints the binary to use (PATH first, then the tools dir) or fails.
where() {
    local found
    if found="$(command -v "$1")"; then
        printf '%s\n' "${found}"
    elif [[ -x "${tools_dir}/$1" ]] && "${tools_dir}/$1" --version >/dev/null 2>&1; then
        printf '%s\n' "${tools_dir}/$1"
    else
        return 1
    fi
}

missing=()
for binary in "${binaries[@]}"; do
    if found="$(where "${binary}")"; then
        log "${binary}: ${found}"
    else
        missing+=("${binary}")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    where promtool
    exit 0
fi

for tool in apt-get dpkg-deb; do
    if ! command -v "${tool}" >/dev/null; then
        log "no ${missing[*]} on PATH nor ${tool} to fetch them: install Debian's prometheus binaries (Prometheus >= 2.x) and put them on PATH"
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

log "downloading Debian's prometheus package for ${missing[*]} (not installing it)"
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
mkdir -p "${tools_dir}"
for binary in "${missing[@]}"; do
    extracted="${work_dir}/root/usr/bin/${binary}"
    if [[ ! -x "${extracted}" ]]; then
        log "the package has no usr/bin/${binary}"
        exit 1
    fi
    # Install under a temporary name first so a concurrent run never sees a half-written binary.
    install -m 0755 "${extracted}" "${tools_dir}/${binary}.tmp.$$"
    mv -f "${tools_dir}/${binary}.tmp.$$" "${tools_dir}/${binary}"
    log "installed $("${tools_dir}/${binary}" --version 2>&1 | head -n 1)"
done

where promtool
