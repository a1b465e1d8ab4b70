# shellcheck shell=bash
# What pin-release.sh and package-release.sh share: getting a tag of amzn/amzn-drivers from git and
# turning it into the exact tar stream the pin names. `git archive` is the reference: its tar
# output for a commit is stable across machines (gzip output is not, so nothing hashes .gz bytes).

readonly RELEASE_REPOSITORY=https://github.com/amzn/amzn-drivers

# release_repo TAG WORK REPO: REPO when given, otherwise a shallow bare clone of TAG under WORK.
release_repo() {
  if [[ -n $3 ]]; then
    printf '%s' "$3"
  else
    git clone --quiet --bare --depth 1 --branch "$1" "$RELEASE_REPOSITORY" "$2/amzn-drivers.git" >&2
    printf '%s' "$2/amzn-drivers.git"
  fi
}

# release_tar REPO TAG OUT: the pinned form of the release, prefix amzn-drivers-TAG/.
release_tar() {
  git -C "$1" archive --format=tar --prefix="amzn-drivers-$2/" "$2" >"$3"
}

# release_declared_version TAR TAG: X.Y.Z from DRV_MODULE_GEN_* in ena_netdev.h (tag names are not reliable).
release_declared_version() {
  local header part
  header=$(tar -xOf "$1" "amzn-drivers-$2/kernel/linux/ena/ena_netdev.h") || return 1
  for part in MAJOR MINOR SUBMINOR; do
    sed -n "s/^#define[[:space:]]\{1,\}DRV_MODULE_GEN_${part}[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p" <<<"$header"
  done | paste -sd. -
}
