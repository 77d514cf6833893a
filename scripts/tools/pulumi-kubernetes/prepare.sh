#!/usr/bin/env bash
# Usage: prepare.sh DEST VERSION. Copies the pinned provider/v4 and sdk/v4 modules (see go.mod)
# into DEST/provider and DEST/sdk, writable, and generates the two files the provider binary embeds
# (schema-embed.json, terraform-mapping-embed.json), which are made at build time from committed
# JSON and so are not in the module zip; upstream's own cmd/pulumi-resource-kubernetes/generate.go
# does it. Prints the directory to build in.
set -euo pipefail
dest=$1
version=$2
cd "$(dirname "$0")"

# mod_dir MODULE: the module's folder in the module cache, at the version go.mod pins.
mod_dir() {
    local v
    v=$(sed -n "s#^[[:space:]]*$1 \(v[^ ]*\)\$#\1#p" go.mod)
    go mod download -json "$1@$v" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

provider=$(mod_dir github.com/pulumi/pulumi-kubernetes/provider/v4)
sdk=$(mod_dir github.com/pulumi/pulumi-kubernetes/sdk/v4)
mkdir -p "$dest"
cp -R "$provider" "$dest/provider"
cp -R "$sdk" "$dest/sdk"
chmod -R u+w "$dest"
(cd "$dest/provider/cmd/pulumi-resource-kubernetes" && VERSION=$version go run generate.go >&2)
echo "$dest/provider"
