#!/usr/bin/env bash
# package-release.sh: puts the pinned ENA release where hosts can fetch it without GitHub.
#
#   driver/package-release.sh --bucket BUCKET [--prefix PREFIX] [--out FILE] [--repo GIT_DIR] [--manifest FILE]
#
# Run on a machine with internet (and, for --bucket, AWS credentials), before `sam deploy`:
#  1. takes the manifest's tag from a shallow clone of github.com/amzn/amzn-drivers (or --repo);
#  2. refuses unless the tag's commit and tree are the pinned ones, `git archive`'s tar stream has
#     the pinned sha256 and ena_netdev.h declares the pinned version: a release that does not match
#     its pin never reaches a host;
#  3. writes it gzip-compressed (FILE, default a temporary file) and checks that the gunzipped
#     stream still hashes to the pin, which is what every host checks again before unpacking;
#  4. with --bucket, uploads it to s3://BUCKET/PREFIX/ena_linux_X.Y.Z.tar.gz (PREFIX default ena)
#     and prints the value to deploy with as the last line: DriverSourceArchive=s3://...
# Exit 1 on any mismatch, 64 on bad arguments.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
driver_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=release-common.sh
. "$driver_dir/release-common.sh"

bucket='' prefix=ena out='' repo='' manifest=$driver_dir/ena-driver.json
usage() { echo "usage: package-release.sh --bucket BUCKET [--prefix PREFIX] [--out FILE] [--repo GIT_DIR] [--manifest FILE]" >&2; exit 64; }
while (($#)); do
  (($# >= 2)) || usage
  case $1 in
    --bucket) bucket=$2 ;;
    --prefix) prefix=$2 ;;
    --out) out=$2 ;;
    --repo) repo=$2 ;;
    --manifest) manifest=$2 ;;
    *) usage ;;
  esac
  shift 2
done
[[ -n $bucket || -n $out ]] || usage
[[ -z $bucket || $bucket =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || { echo "package-release.sh: '$bucket' is not an S3 bucket name" >&2; exit 64; }
[[ $prefix =~ ^[A-Za-z0-9._/-]*$ && $prefix != *..* ]] || { echo "package-release.sh: prefix must be of [A-Za-z0-9._/-]" >&2; exit 64; }

refuse() { echo "package-release.sh: refused: $*" >&2; exit 1; }
pin() { jq -er ".release.$1 // empty" "$manifest" || refuse "the manifest $manifest has no release.$1"; }
# One assignment per line: with set -e a failed lookup then stops the script.
tag=$(pin tag)
version=$(pin version)
commit=$(pin commit)
tree=$(pin tree)
sha256=$(pin sha256)
name=$(pin packagedArchive)
[[ $sha256 =~ ^[0-9a-f]{64}$ && $commit =~ ^[0-9a-f]{40}$ && $tree =~ ^[0-9a-f]{40}$ ]] || refuse "the manifest's pin is malformed"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$(release_repo "$tag" "$work" "$repo")
actual=$(git -C "$repo" rev-parse --verify "$tag^{commit}") || refuse "the repository has no tag $tag"
[[ $actual == "$commit" ]] || refuse "$tag is commit $actual, the pin says $commit"
actual=$(git -C "$repo" rev-parse --verify "$tag^{tree}")
[[ $actual == "$tree" ]] || refuse "$tag has tree $actual, the pin says $tree"
release_tar "$repo" "$tag" "$work/release.tar"
actual=$(sha256sum "$work/release.tar" | cut -d' ' -f1)
[[ $actual == "$sha256" ]] || refuse "git archive of $tag has tar sha256 $actual, the pin says $sha256 (a different git version's tar format?)"
declared=$(release_declared_version "$work/release.tar" "$tag") || refuse "$tag has no kernel/linux/ena/ena_netdev.h"
[[ $declared == "$version" ]] || refuse "$tag declares version '$declared', the pin says $version"

out=${out:-$work/$name}
gzip -n -9 <"$work/release.tar" >"$out"
actual=$(gzip -dc <"$out" | sha256sum | cut -d' ' -f1)
[[ $actual == "$sha256" ]] || refuse "$out does not gunzip to the pinned tar stream"
echo "package-release.sh: $tag matches its pin (commit $commit, tree $tree, tar sha256 $sha256): $out" >&2

if [[ -n $bucket ]]; then
  url=s3://$bucket/${prefix:+${prefix%/}/}$name
  aws s3 cp --only-show-errors "$out" "$url"
  echo "DriverSourceArchive=$url"
fi
