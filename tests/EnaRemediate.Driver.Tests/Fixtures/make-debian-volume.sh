#!/usr/bin/env bash
# make-debian-volume.sh: a Debian root volume for the offline-repair test, the kind of disk a
# broken instance leaves behind: bookworm with a kernel (its modules, /boot and initramfs), that
# kernel's headers, dkms, gcc, make and initramfs-tools, as an ext4 image file with no partition
# table (the test attaches it through a loop device).
#
#   make-debian-volume.sh --cache DIR --out IMAGE [--mirror URL]
#
# debootstrap takes minutes, so the tree is built once under DIR/tree (DIR/tree.complete marks a
# finished build; a half-built tree is thrown away) and the image once as DIR/volume.img, built
# with `mkfs.ext4 -d` (no mount needed). Each call then only copies the image to IMAGE (sparse).
# The mirror defaults to the first Debian URI of this machine's apt sources, which is reachable here.
set -euo pipefail

cache='' out='' mirror=''
while (($#)); do
  case $1 in
    --cache) cache=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --mirror) mirror=$2; shift 2 ;;
    *) echo "make-debian-volume.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done
[[ -n $cache && -n $out ]] || { echo "usage: make-debian-volume.sh --cache DIR --out IMAGE [--mirror URL]" >&2; exit 64; }
command -v debootstrap >/dev/null || { echo "make-debian-volume.sh: debootstrap is missing: run tools/setup.sh" >&2; exit 1; }

if [[ -z $mirror ]]; then
  mirror=$(grep -hoE '(URIs:[[:space:]]*|^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?)https?://[^[:space:]]+/debian/?([[:space:]]|$)' \
    /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | grep -oE 'https?://[^[:space:]]+' | head -n 1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
fi

mkdir -p "$cache"
# One builder at a time: test runs of several sessions may ask together.
exec 8>"$cache/.lock"
flock -w 1800 8

tree=$cache/tree
if [[ ! -f $cache/tree.complete ]]; then
  rm -rf "$tree" "$cache/volume.img"
  echo "make-debian-volume.sh: debootstrap bookworm from $mirror into $tree (once; takes a few minutes)" >&2
  debootstrap --variant=minbase \
    --include=linux-image-amd64,linux-headers-amd64,dkms,initramfs-tools,kmod,gcc,make,libc6-dev \
    bookworm "$tree" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
    { tail -n 30 "$cache/debootstrap.log" >&2; exit 1; }
  # An fstab as EC2 AMIs of the Xen era wrote it: a device name that Nitro types do not have.
  printf '/dev/xvda1 / ext4 defaults 0 1\nUUID=0ec2-0000 /data ext4 defaults,nofail 0 2\n' >"$tree/etc/fstab"
  rm -rf "$tree/var/cache/apt/archives"/*.deb
  touch "$cache/tree.complete"
fi

if [[ ! -f $cache/volume.img ]]; then
  size_mb=$(($(du -sm "$tree" | cut -f1) * 3 / 2 + 256))
  rm -f "$cache/volume.img.tmp"
  truncate -s "${size_mb}M" "$cache/volume.img.tmp"
  mkfs.ext4 -q -F -L enaremediate-test -d "$tree" "$cache/volume.img.tmp"
  mv "$cache/volume.img.tmp" "$cache/volume.img"
fi

mkdir -p "$(dirname "$out")"
cp --sparse=always "$cache/volume.img" "$out"
