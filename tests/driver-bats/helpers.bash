# Shared setup for the driver script bats tests: a tiny archive in the upstream layout and fake
# root filesystems, so argument handling and distribution detection run without root or network.
DRIVER_SCRIPTS="$(cd "$BATS_TEST_DIRNAME/../../driver/scripts" && pwd)"
INSTALL="$DRIVER_SCRIPTS/install-ena.sh"
OS_RELEASE_DIR="$BATS_TEST_DIRNAME/os-release"
export ENAREMEDIATE_PACKAGES=never

# make_archive VERSION OUT: a minimal archive whose ena_netdev.h declares VERSION.
make_archive() {
  local version=$1 out=$2 stage major minor subminor
  IFS=. read -r major minor subminor <<<"$version"
  stage=$(mktemp -d "${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/archive.XXXXXX")
  mkdir -p "$stage/amzn-drivers-ena_linux_$version/kernel/linux/ena" "$stage/amzn-drivers-ena_linux_$version/kernel/linux/common/ena_com"
  printf '#define DRV_MODULE_GEN_MAJOR\t%s\n#define DRV_MODULE_GEN_MINOR\t%s\n#define DRV_MODULE_GEN_SUBMINOR %s\n' \
    "$major" "$minor" "$subminor" >"$stage/amzn-drivers-ena_linux_$version/kernel/linux/ena/ena_netdev.h"
  tar -C "$stage" -czf "$out" "amzn-drivers-ena_linux_$version"
}

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

# make_root OS_RELEASE_NAME KERNEL: a fake mounted root with that os-release and one kernel.
make_root() {
  local root=$BATS_TEST_TMPDIR/root-$1
  mkdir -p "$root/etc" "$root/lib/modules/$2"
  cp "$OS_RELEASE_DIR/$1" "$root/etc/os-release"
  printf '%s' "$root"
}

# last_json: the last line of $output, the install result.
last_json() { printf '%s\n' "$output" | tail -n 1; }
