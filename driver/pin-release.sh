#!/usr/bin/env bash
# pin-release.sh: pins an upstream ENA release in driver/ena-driver.json with its real sha256.
#
#   driver/pin-release.sh X.Y.Z [--archive FILE] [--manifest FILE]
#
# Downloads https://github.com/amzn/amzn-drivers/archive/refs/tags/ena_linux_X.Y.Z.tar.gz (or
# takes --archive, a copy fetched elsewhere), checks that it unpacks to
# amzn-drivers-ena_linux_X.Y.Z/ and that ena_netdev.h declares X.Y.Z (tag names are not reliable),
# and writes tag, URL, sha256 and module version into the manifest. Then run
# driver/generate-documents.sh so the SSM document's defaults follow.
set -euo pipefail
driver_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
version=${1:-}
shift || true
archive='' manifest=$driver_dir/ena-driver.json
while (($#)); do
  case $1 in
    --archive) archive=$2; shift 2 ;;
    --manifest) manifest=$2; shift 2 ;;
    *) echo "pin-release.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
[[ $version =~ ^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}$ ]] || { echo "usage: pin-release.sh X.Y.Z [--archive FILE] [--manifest FILE]" >&2; exit 64; }

tag=ena_linux_$version
url=https://github.com/amzn/amzn-drivers/archive/refs/tags/$tag.tar.gz
top=amzn-drivers-$tag
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -z $archive ]]; then
  archive=$work/$tag.tar.gz
  curl -fsSL --proto '=https' -o "$archive" "$url"
fi

tar -xzf "$archive" -C "$work" "$top/kernel/linux/ena/ena_netdev.h" ||
  { echo "pin-release.sh: $archive has no $top/kernel/linux/ena/ena_netdev.h" >&2; exit 1; }
declared=$(for part in MAJOR MINOR SUBMINOR; do
  sed -n "s/^#define[[:space:]]\{1,\}DRV_MODULE_GEN_${part}[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p" "$work/$top/kernel/linux/ena/ena_netdev.h"
done | paste -sd. -)
[[ $declared == "$version" ]] || { echo "pin-release.sh: $tag declares version '$declared', not $version" >&2; exit 1; }

sha256=$(sha256sum "$archive" | cut -d' ' -f1)
jq --indent 2 --arg tag "$tag" --arg version "$version" --arg url "$url" --arg top "$top" --arg sha256 "$sha256" '
  .release = (.release | .tag = $tag | .version = $version | .moduleVersion = ($version + "g")
    | .archiveUrl = $url | .archiveTopDirectory = $top | .sha256 = $sha256 | del(.sha256Note))' \
  "$manifest" >"$work/manifest.json"
mv "$work/manifest.json" "$manifest"
echo "pinned $tag sha256 $sha256 in $manifest"
