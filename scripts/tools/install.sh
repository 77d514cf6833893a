#!/usr/bin/env bash
# Builds the pinned tools in scripts/tools/tools.tsv from Go modules and caches them outside the
# checkout: <tools dir>/<name>/<version>/<name>, tools dir = $VELERO_CEPH_DR_TOOLS or
# ${XDG_CACHE_HOME:-~/.cache}/velero-ceph-dr/tools. A tool already in the cache is skipped; a build
# goes to a temporary folder renamed into place, so an interrupted build is never taken as done.
# Then: <tools dir>/bin holds a link to each tool plus the dynamic-provider launcher (put it on
# PATH: the engine takes the language host and plugins from there), and <tools dir>/pulumi-home has
# the provider plugins installed as well (`eval "$(bash scripts/tools/env.sh)"` sets both up).
#
# Usage: install.sh [NAME...]   (default: every tool)
# Ends with one line per tool: name, version, path (or FAILED); exits 1 if any build failed.
set -euo pipefail

# shellcheck source=scripts/tools/common.sh
. "$(dirname "$0")/common.sh"

command -v go >/dev/null || { echo "error: go is not on PATH (Go >= 1.24 is needed)" >&2; exit 1; }

dir=$(tools_dir)
mkdir -p "$dir/bin"
export CGO_ENABLED=0
export GOFLAGS="${GOFLAGS:-} -mod=readonly"

wanted=" $* "
summary=()
failed=0

now() { date +%s; }

# build NAME VERSION FAMILY PACKAGE LDFLAGS: builds into a temp folder, then renames it into place.
build() {
    local name=$1 version=$2 family=$3 pkg=$4 ldflags=$5
    local famdir="$TOOLS_SRC/$family" tmp srcdir
    [ "$ldflags" = "-" ] && ldflags=""
    tmp=$(mktemp -d "$dir/.build-$name.XXXXXX")
    srcdir=$famdir
    if [ -f "$famdir/prepare.sh" ]; then
        # The family needs a writable copy of its sources; prepare.sh prints where to build.
        srcdir=$(bash "$famdir/prepare.sh" "$tmp/src" "$version" | tail -n 1)
    fi
    mkdir -p "$tmp/out"
    (cd "$srcdir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$tmp/out/$name" "$pkg")
    mkdir -p "$dir/$name"
    rm -rf "$dir/$name/$version.old"
    [ -e "$dir/$name/$version" ] && mv "$dir/$name/$version" "$dir/$name/$version.old"
    mv "$tmp/out" "$dir/$name/$version"
    rm -rf "$tmp" "$dir/$name/$version.old"
}

while IFS=$'\t' read -r name version family pkg ldflags plugin; do
    if [ "$wanted" != "  " ] && [[ $wanted != *" $name "* ]]; then
        continue
    fi
    path="$dir/$name/$version/$name"
    if [ -x "$path" ]; then
        echo "==> $name $version: cached"
    else
        echo "==> $name $version: building $pkg (family $family)"
        start=$(now)
        if (build "$name" "$version" "$family" "$pkg" "$ldflags"); then
            echo "==> $name $version: built in $(( $(now) - start )) s"
        else
            echo "error: $name $version: build failed after $(( $(now) - start )) s" >&2
            rm -rf "$dir/.build-$name".*
            summary+=("$name	$version	FAILED")
            failed=1
            continue
        fi
    fi
    ln -sfn "../$name/$version/$name" "$dir/bin/$name"
    summary+=("$name	$version	$path	$plugin")
done < <(tools_rows)

# Launcher for the Node.js dynamic-provider host, which ships as JavaScript in @pulumi/pulumi (the
# official CLI tarball has the same kind of script next to the pulumi binary).
for launcher in "$TOOLS_SRC"/launchers/*; do
    cp "$launcher" "$dir/bin/.tmp-launcher"
    chmod 755 "$dir/bin/.tmp-launcher"
    mv "$dir/bin/.tmp-launcher" "$dir/bin/$(basename "$launcher")"
done

# Plugins for the engine: installed into a PULUMI_HOME under the tools dir (the engine also finds
# them on PATH through bin/).
export PULUMI_HOME="$dir/pulumi-home" PULUMI_SKIP_UPDATE_CHECK=true
pulumi="$dir/bin/pulumi"
for row in "${summary[@]}"; do
    IFS=$'\t' read -r name version path plugin <<<"$row"
    [ "$path" = FAILED ] || [ -z "${plugin:-}" ] || [ "$plugin" = "-" ] && continue
    kind=${plugin%%:*}
    pname=${plugin#*:}
    if [ ! -x "$pulumi" ]; then
        echo "warning: no pulumi CLI, $kind plugin $pname $version not installed into $PULUMI_HOME" >&2
        continue
    fi
    if [ ! -e "$PULUMI_HOME/plugins/$kind-$pname-v$version/$name" ]; then
        if "$pulumi" plugin install "$kind" "$pname" "$version" --file "$path" >/dev/null; then
            echo "==> $kind plugin $pname $version installed into $PULUMI_HOME"
        else
            echo "error: pulumi plugin install $kind $pname $version --file $path failed" >&2
            failed=1
        fi
    fi
done

echo
echo "Tools in $dir (eval \"\$(bash scripts/tools/env.sh)\" to use them):"
for row in "${summary[@]}"; do
    IFS=$'\t' read -r name version path _ <<<"$row"
    printf '%-28s %-8s %s\n' "$name" "$version" "$path"
done
exit "$failed"
