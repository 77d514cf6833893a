# shellcheck shell=bash
# Shared by install.sh and env.sh (sourced): where the tools live and how tools.tsv is read.
# The same rules are in tools.ts.

TOOLS_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOLS_TSV="$TOOLS_SRC/tools.tsv"

# The tools directory: VELERO_CEPH_DR_TOOLS, else the user's cache.
tools_dir() {
    printf '%s\n' "${VELERO_CEPH_DR_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/velero-ceph-dr/tools}"
}

# Prints the rows of tools.tsv without comments and header, tab-separated.
tools_rows() {
    grep -v -e '^#' -e '^name	' -e '^[[:space:]]*$' "$TOOLS_TSV"
}
