#!/usr/bin/env bash
# make-upstream-archive.sh: builds a release archive in the amzn-drivers layout from the real ENA
# sources inside Debian's linux-source tarball, so install-ena.sh can be tested with the real driver.
#
#   make-upstream-archive.sh --linux-source TAR.XZ --cache DIR --version X.Y.Z --out FILE [--break]
#
# The in-kernel driver keeps ena_com next to ena_netdev; upstream keeps it in
# kernel/linux/common/ena_com and builds through a Makefile with a BUILD_KERNEL= interface. This
# script recreates that layout, sets DRV_MODULE_GEN_* to the requested version and adds the
# MODULE_VERSION("X.Y.Zg") upstream modules report. --break adds a compile error (rollback tests).
# The archive is reproducible (sorted names, fixed mtimes, gzip -n), so its sha256 is stable.
set -euo pipefail

linux_source='' cache='' version='' out='' break_build=0
while (($#)); do
  case $1 in
    --linux-source) linux_source=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --break) break_build=1; shift ;;
    *) echo "make-upstream-archive.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
[[ -f $linux_source && -n $cache && $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ && -n $out ]] || {
  echo "usage: make-upstream-archive.sh --linux-source TAR.XZ --cache DIR --version X.Y.Z --out FILE [--break]" >&2
  exit 64
}

# Unpacking the 130 MB source tarball takes seconds: do it once per cache directory.
in_tree=$cache/ena
if [[ ! -f $in_tree/ena_netdev.h ]]; then
  mkdir -p "$cache/extract"
  tar -xJf "$linux_source" -C "$cache/extract" --wildcards '*/drivers/net/ethernet/amazon/ena/*'
  rm -rf "$in_tree.tmp"
  mv "$(find "$cache/extract" -type d -path '*/drivers/net/ethernet/amazon/ena' | head -n 1)" "$in_tree.tmp"
  mv "$in_tree.tmp" "$in_tree"
  rm -rf "$cache/extract"
fi

IFS=. read -r major minor subminor <<<"$version"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
top=$stage/amzn-drivers-ena_linux_$version
ena=$top/kernel/linux/ena
com=$top/kernel/linux/common/ena_com
mkdir -p "$ena" "$com"
cp "$in_tree"/ena_netdev.c "$in_tree"/ena_netdev.h "$in_tree"/ena_ethtool.c "$in_tree"/ena_pci_id_tbl.h "$ena/"
cp "$in_tree"/ena_com.c "$in_tree"/ena_com.h "$in_tree"/ena_eth_com.c "$in_tree"/ena_eth_com.h \
  "$in_tree"/ena_common_defs.h "$in_tree"/ena_admin_defs.h "$in_tree"/ena_eth_io_defs.h "$in_tree"/ena_regs_defs.h "$com/"

sed -i -e "s/^#define DRV_MODULE_GEN_MAJOR.*/#define DRV_MODULE_GEN_MAJOR\t$major/" \
  -e "s/^#define DRV_MODULE_GEN_MINOR.*/#define DRV_MODULE_GEN_MINOR\t$minor/" \
  -e "s/^#define DRV_MODULE_GEN_SUBMINOR.*/#define DRV_MODULE_GEN_SUBMINOR $subminor/" "$ena/ena_netdev.h"
grep -q "DRV_MODULE_GEN_SUBMINOR $subminor\$" "$ena/ena_netdev.h" || {
  echo "make-upstream-archive.sh: ena_netdev.h has no DRV_MODULE_GEN_* macros to set" >&2
  exit 1
}
cat >>"$ena/ena_netdev.c" <<'C'

/* Added by the EnaRemediate test fixture: upstream modules report "X.Y.Zg". */
#define DRV_MODULE_VERSION __stringify(DRV_MODULE_GEN_MAJOR) "." \
	__stringify(DRV_MODULE_GEN_MINOR) "." __stringify(DRV_MODULE_GEN_SUBMINOR) "g"
MODULE_VERSION(DRV_MODULE_VERSION);
C

cat >"$ena/Makefile" <<'MAKE'
# Upstream-like Makefile: the interface of amzn-drivers' kernel/linux/ena/Makefile
# (BUILD_KERNEL= or KERNEL_BUILD_DIR=, ena_com in ../common/ena_com).
ENA_COM_PATH := ../common/ena_com

obj-m += ena.o
ena-objs := ena_netdev.o ena_ethtool.o $(ENA_COM_PATH)/ena_com.o $(ENA_COM_PATH)/ena_eth_com.o

ccflags-y := -I$(src) -I$(src)/$(ENA_COM_PATH)

BUILD_KERNEL ?= $(shell uname -r)
KERNEL_BUILD_DIR ?= /lib/modules/$(BUILD_KERNEL)/build

all:
	$(MAKE) -C $(KERNEL_BUILD_DIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KERNEL_BUILD_DIR) M=$(CURDIR) clean
MAKE

if ((break_build)); then
  printf '\n#error "EnaRemediate test fixture: deliberate build failure"\n' >>"$ena/ena_ethtool.c"
fi

mkdir -p "$(dirname "$out")"
tar -C "$stage" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - "$(basename "$top")" | gzip -n >"$out"
