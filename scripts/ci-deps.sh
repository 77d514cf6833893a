#!/usr/bin/env bash
# Installs the Debian packages that the tests need, when missing. Needs root (CI runs as root).
set -euo pipefail

missing=()
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
# The lab (test/lab) runs two Ceph 16.2 clusters; scripts/lab/ceph-lab.sh would install these too.
command -v ceph-mon >/dev/null 2>&1 || missing+=(ceph-mon)
command -v ceph-osd >/dev/null 2>&1 || missing+=(ceph-osd)
command -v radosgw >/dev/null 2>&1 || missing+=(radosgw)
# Each lab site's ceph-mgr serves its prometheus module (the lab's Prometheus scrapes it).
command -v ceph-mgr >/dev/null 2>&1 || missing+=(ceph-mgr)
[ -d /usr/share/ceph/mgr/prometheus ] || missing+=(ceph-mgr-modules-core)
command -v radosgw-admin >/dev/null 2>&1 || missing+=(ceph-common)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# The dashboard check draws its panels as SVG and converts them to PNG (scripts/monitoring/png.ts),
# with DejaVu Sans for the text.
command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)

# promtool (alert rule tests) and prometheus (the lab's per-site Prometheus): extracted from Debian's
# prometheus package into .tools/bin, the service neither installed nor started.
bash "$(dirname "$0")/install-promtool.sh"

if [ "${#missing[@]}" -eq 0 ]; then
    echo "ci-deps: nothing to install"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "ci-deps: need root to install: ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
