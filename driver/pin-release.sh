#!/usr/bin/env bash
# pin-release.sh: pins an upstream ENA release in driver/ena-driver.json from its git tag.
#
#   driver/pin-release.sh X.Y.Z [--repo GIT_DIR] [--manifest FILE]
#
# Takes tag ena_linux_X.Y.Z from a shallow clone of github.com/amzn/amzn-drivers (or --repo, a
# clone made elsewhere), checks that its ena_netdev.h declares X.Y.Z, and writes the tag's commit,
# tree and the sha256 of `git archive --format=tar --prefix=amzn-drivers-ena_linux_X.Y.Z/` into the
# manifest. Then run driver/generate-documents.sh (the documents' defaults follow the manifest) and
# driver/package-release.sh to put that archive where the hosts fetch it.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
driver_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=release-common.sh
. "$driver_dir/release-common.sh"
version=${1:-}
shift || true
repo='' manifest=$driver_dir/ena-driver.json
while (($#)); do
  case $1 in
    --repo) repo=$2; shift 2 ;;
    --manifest) manifest=$2; shift 2 ;;
    *) echo "pin-release.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
[[ $version =~ ^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}$ ]] || { echo "usage: pin-release.sh X.Y.Z [--repo GIT_DIR] [--manifest FILE]" >&2; exit 64; }

tag=ena_linux_$version
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$(release_repo "$tag" "$work" "$repo")
commit=$(git -C "$repo" rev-parse --verify "$tag^{commit}")
tree=$(git -C "$repo" rev-parse --verify "$tag^{tree}")
release_tar "$repo" "$tag" "$work/release.tar"
declared=$(release_declared_version "$work/release.tar" "$tag") ||
  { echo "pin-release.sh: $tag has no kernel/linux/ena/ena_netdev.h" >&2; exit 1; }
[[ $declared == "$version" ]] || { echo "pin-release.sh: $tag declares version '$declared', not $version" >&2; exit 1; }
sha256=$(sha256sum "$work/release.tar" | cut -d' ' -f1)

jq --indent 2 --arg tag "$tag" --arg version "$version" --arg commit "$commit" --arg tree "$tree" \
  --arg sha256 "$sha256" --arg git "$(git --version | sed 's/^git version //')" '
  .release = (.release | .tag = $tag | .version = $version | .moduleVersion = ($version + "g")
    | .commit = $commit | .tree = $tree | .archiveTopDirectory = ("amzn-drivers-" + $tag) | .sha256 = $sha256
    | .sha256Of = ("the uncompressed tar stream of `git archive --format=tar --prefix=amzn-drivers-" + $tag + "/ " + $tag
        + "` (git " + $git + "); hosts gunzip what they download and hash the tar, because gzip bytes differ between compressors")
    | .archiveUrl = ("https://github.com/amzn/amzn-drivers/archive/refs/tags/" + $tag + ".tar.gz")
    | .packagedArchive = ($tag + ".tar.gz"))' \
  "$manifest" >"$work/manifest.json"
mv "$work/manifest.json" "$manifest"
echo "pinned $tag commit $commit tree $tree tar sha256 $sha256 in $manifest"
