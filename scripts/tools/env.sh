#!/usr/bin/env bash
# Prints the environment that makes the Pulumi engine (and anything else) use the tools that
# install.sh built: eval "$(bash scripts/tools/env.sh)"
set -euo pipefail

# shellcheck source=scripts/tools/common.sh
. "$(dirname "$0")/common.sh"

dir=$(tools_dir)
printf 'export VELERO_CEPH_DR_TOOLS=%q\n' "$dir"
printf 'export PATH=%q:"$PATH"\n' "$dir/bin"
printf 'export PULUMI_HOME=%q\n' "$dir/pulumi-home"
echo 'export PULUMI_SKIP_UPDATE_CHECK=true'
echo 'export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true'
