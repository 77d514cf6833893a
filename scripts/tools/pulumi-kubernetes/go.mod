// Pins the sources of pulumi-resource-kubernetes: the script prepare (beside it) downloads them via this module
// (checked against go.sum) and builds in a writable copy with upstream's own go.mod and go.sum.
// provider/v4 has no tags: this pseudo-version is the commit of tag v4.25.0, the newest commit the
// module proxy here serves. Its go.mod replaces sdk/v4 with ../sdk: the copy puts sdk/v4 v4.25.0
// (tagged at the same commit) there.
module velero-ceph-dr/tools/pulumi-kubernetes

go 1.24.7

require (
	github.com/pulumi/pulumi-kubernetes/provider/v4 v4.0.0-20260115033456-f47bc2d6f199
	github.com/pulumi/pulumi-kubernetes/sdk/v4 v4.25.0
)
