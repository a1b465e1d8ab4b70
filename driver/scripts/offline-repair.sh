#!/usr/bin/env bash
# offline-repair.sh: repairs the ENA driver on the root volume of a broken instance, attached to a
# rescue instance (the offline-repair plan, docs/driver.md).
#
#   offline-repair.sh --target-device DEV [--volume-id vol-ID] --source-archive URL --sha256 HEX
#                     [--version X.Y.Z] [--kernel KVER]...
#
# 1. Checks every argument (lib/args.sh) before anything is touched.
# 2. Takes the host lock (lib/lock.sh) and passes it down to install-ena.sh.
# 3. Resolves the volume's disk: on Nitro an attachment named /dev/sdf appears as /dev/nvmeXn1, so
#    the EBS volume id (VolumeId, the NVMe controller's serial "volXXXX", also in
#    /dev/disk/by-id) decides when given; otherwise DEV itself, its /dev/xvdX twin on Xen, or the
#    NVMe namespace whose EBS vendor data names DEV (needs nvme-cli).
# 4. Refuses a disk that is, holds or backs anything mounted here (the rescue's own root first).
# 5. Finds the root filesystem (the disk or one of its partitions with /etc/os-release and a
#    modules tree), mounts it, mounts its /boot and /boot/efi from the same disk, mounts /proc,
#    /sys, /dev and a private /run (with this host's resolv.conf where the volume's points there).
# 6. Runs install-ena.sh --root for every kernel installed on the volume (or the --kernel ones):
#    DKMS inside the chroot, the volume's initramfs rebuilt for each kernel that got the module.
# 7. Reports fstab entries that name devices by a storage driver's name (/dev/xvda1 does not exist
#    on Nitro types, /dev/nvme0n1p1 not on Xen types).
# 8. Unmounts everything it mounted, in reverse order, on every exit (trap).
# The last stdout line is the offline-repair result (docs/host-report.md): the install result
# plus the fields of this repair. Exit 0 when the volume has the module for every kernel, 1 on
# failure, 64 on bad arguments, 75 when another host job holds the lock.
#
# Environment: ENAREMEDIATE_PACKAGES (see install-ena.sh); ENA_LOCK_* (lib/lock.sh);
#   ENA_OFFLINE_MOUNT_BASE=DIR  where the volume is mounted (default /mnt)
#   ENA_OFFLINE_SYS_CLASS_NVME=DIR  read NVMe controllers from DIR instead of /sys/class/nvme (tests)
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
umask 022

ENA_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib"
# shellcheck source=lib/json.sh
. "$ENA_LIB_DIR/json.sh" # ena-include
# shellcheck source=lib/lock.sh
. "$ENA_LIB_DIR/lock.sh" # ena-include
# shellcheck source=lib/args.sh
. "$ENA_LIB_DIR/args.sh" # ena-include

INSTALL_SCRIPT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/install-ena.sh"
readonly EXIT_USAGE=64
readonly LOCK_WAIT_SECONDS=900
readonly ROOT_FILESYSTEMS='ext2 ext3 ext4 xfs btrfs'
readonly SYS_CLASS_NVME=${ENA_OFFLINE_SYS_CLASS_NVME:-/sys/class/nvme}

TARGET_DEVICE='' VOLUME_ID='' VERSION=''
INSTALL_ARGS=()
DISK='' ROOT_PARTITION='' MNT=''
MOUNTS=()
FSTAB_JSON='[]'

usage() {
  cat <<'USAGE'
usage: offline-repair.sh --target-device DEV [--volume-id vol-ID] --source-archive URL --sha256 HEX
                         [--version X.Y.Z] [--kernel KVER]...
  --target-device   where the volume was attached: /dev/sdX, /dev/xvdX or /dev/nvmeXnY
  --volume-id       the EBS volume id; finds the NVMe device of a Nitro rescue instance
  --source-archive, --sha256, --version, --kernel: as install-ena.sh (default kernels: the volume's)
USAGE
}

log() { printf 'offline-repair: %s\n' "$*" >&2; }

# emit_result [INSTALL_RESULT]: the install result (or an empty failed one) extended by this repair's fields.
emit_result() {
  local base=${1:-} error=${2:-}
  if [[ -z $base ]]; then
    base=$(printf '{"status":"failed","version":%s,"kernels":[],"log":%s}' "$(json_str_or_null "$VERSION")" "$(json_str_or_null "$error")")
  fi
  printf '%s,"targetDevice":%s,"volumeId":%s,"device":%s,"rootPartition":%s,"fstab":%s,"error":%s}\n' "${base%\}}" \
    "$(json_str_or_null "$TARGET_DEVICE")" "$(json_str_or_null "$VOLUME_ID")" "$(json_str_or_null "$DISK")" \
    "$(json_str_or_null "$ROOT_PARTITION")" "$FSTAB_JSON" "$(json_str_or_null "$error")"
}

# fail CODE MESSAGE [EXIT]: prints a failed result (the trap unmounts) and exits.
fail() {
  log "error: $1: $2"
  emit_result '' "$1: $2"
  exit "${3:-1}"
}

usage_error() {
  printf 'offline-repair.sh: %s\n' "$1" >&2
  usage >&2
  emit_result '' "usage: $1"
  exit "$EXIT_USAGE"
}

# unmount_all: everything this run mounted, newest first; a busy mount is detached lazily so that
# the volume can still be detached from the rescue instance.
unmount_all() {
  local i
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" || log "could not unmount ${MOUNTS[i]}"
  done
  MOUNTS=()
  if [[ -n $MNT && -d $MNT ]]; then rmdir -- "$MNT" 2>/dev/null || log "left $MNT in place (not empty)"; fi
}

# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  unmount_all
  ena_unlock
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# mount_at DEST MOUNT_ARGUMENTS...: mounts and remembers DEST for unmount_all.
mount_at() {
  local dest=$1
  shift
  mount "$@" "$dest" || return 1
  MOUNTS+=("$dest")
}

parse_args() {
  local option value
  while (($#)); do
    option=$1
    case $option in
      -h | --help) usage; exit 0 ;;
      --target-device | --volume-id | --source-archive | --sha256 | --version | --kernel) ;;
      *) usage_error "unknown argument '${option//[^A-Za-z0-9._=-]/?}'" ;;
    esac
    (($# >= 2)) || usage_error "$option needs a value"
    value=$2
    shift 2
    case $option in
      --target-device)
        [[ -z $TARGET_DEVICE ]] || usage_error "--target-device given twice"
        [[ $value =~ $RE_TARGET_DEVICE ]] || usage_error "--target-device must be /dev/sdX, /dev/xvdX or /dev/nvmeXnY"
        TARGET_DEVICE=$value ;;
      --volume-id)
        [[ -z $VOLUME_ID ]] || usage_error "--volume-id given twice"
        [[ $value =~ $RE_VOLUME_ID ]] || usage_error "--volume-id must be an EBS volume id (vol- and 8 or 17 hex digits)"
        VOLUME_ID=$value ;;
      --source-archive)
        [[ $value =~ $RE_SOURCE && $value != *..* ]] || usage_error "--source-archive must be an https:// URL or s3://BUCKET/KEY of [A-Za-z0-9._~:/+%=@-] without '..' (never a local path)"
        INSTALL_ARGS+=("$option" "$value") ;;
      --sha256)
        [[ $value =~ $RE_SHA256 ]] || usage_error "--sha256 must be 64 hex digits"
        INSTALL_ARGS+=("$option" "$value") ;;
      --version)
        [[ $value =~ $RE_VERSION ]] || usage_error "--version must look like X.Y.Z"
        VERSION=$value
        INSTALL_ARGS+=("$option" "$value") ;;
      --kernel)
        [[ $value =~ $RE_KERNEL ]] || usage_error "--kernel must be a kernel release of [A-Za-z0-9._+~-]"
        INSTALL_ARGS+=("$option" "$value") ;;
    esac
  done
  [[ -n $TARGET_DEVICE ]] || usage_error "--target-device is required"
  [[ " ${INSTALL_ARGS[*]} " == *" --source-archive "* ]] || usage_error "--source-archive is required"
  [[ " ${INSTALL_ARGS[*]} " == *" --sha256 "* ]] || usage_error "--sha256 is required"
}

# ---------------------------------------------------------------------------------------------
# Which disk

# nvme_by_volume_id: the namespace of the NVMe controller whose serial is the volume id without '-'.
nvme_by_volume_id() {
  local serial=${VOLUME_ID/-/} controller namespace
  if [[ -e /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$serial ]]; then
    readlink -f "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$serial"
    return 0
  fi
  for controller in "$SYS_CLASS_NVME"/nvme*; do
    [[ -f $controller/serial && $(tr -d ' \n' <"$controller/serial") == "$serial" ]] || continue
    for namespace in "$controller"/nvme*n1; do
      [[ -e $namespace ]] && { printf '/dev/%s' "$(basename "$namespace")"; return 0; }
    done
  done
  return 1
}

# nvme_by_ebs_name: the NVMe namespace whose EBS vendor data (id-ctrl bytes 3072-3103) names DEV.
nvme_by_ebs_name() {
  local namespace name
  command -v nvme >/dev/null 2>&1 || return 1
  for namespace in /dev/nvme*n1; do
    [[ -b $namespace ]] || continue
    name=$(nvme id-ctrl --raw-binary "$namespace" 2>/dev/null | tail -c +3073 | head -c 32 | tr -d '\0 ') || continue
    [[ /dev/${name#/dev/} == "$TARGET_DEVICE" ]] && { printf '%s' "$namespace"; return 0; }
  done
  return 1
}

resolve_disk() {
  local candidate='' xen_twin
  if [[ -n $VOLUME_ID ]]; then
    candidate=$(nvme_by_volume_id) || { candidate=''; log "no NVMe device has the serial of $VOLUME_ID (a Xen rescue instance shows none)"; }
  fi
  xen_twin=/dev/xvd${TARGET_DEVICE#/dev/sd}
  if [[ -z $candidate && -b $TARGET_DEVICE ]]; then candidate=$(readlink -f "$TARGET_DEVICE"); fi
  if [[ -z $candidate && $TARGET_DEVICE == /dev/sd* && -b $xen_twin ]]; then candidate=$xen_twin; fi
  if [[ -z $candidate ]]; then candidate=$(nvme_by_ebs_name) || candidate=''; fi
  [[ -n $candidate ]] ||
    fail target_missing "no block device for $TARGET_DEVICE${VOLUME_ID:+ or volume $VOLUME_ID} (attached and in state attached? on Nitro pass VolumeId or install nvme-cli)"
  [[ -b $candidate ]] || fail target_missing "$candidate (for $TARGET_DEVICE) is not a block device"
  DISK=$candidate
  [[ -d /sys/class/block/${DISK#/dev/} && ! -e /sys/class/block/${DISK#/dev/}/partition ]] ||
    fail target_not_a_disk "$DISK is a partition or not a disk; name the whole attached volume"
  log "target $TARGET_DEVICE${VOLUME_ID:+ (volume $VOLUME_ID)} is $DISK"
}

# disk_members: the disk's own sysfs directory and its partitions', one per line.
disk_members() {
  local sys=/sys/class/block/${DISK#/dev/} part
  printf '%s\n' "$sys"
  for part in "$sys"/*/partition; do
    [[ -f $part ]] && dirname "$part"
  done
  return 0
}

# refuse_if_in_use: the disk must be nobody's: not the root of this host, not mounted, not held
# by device mapper (LVM, crypt, multipath), not a swap.
refuse_if_in_use() {
  local root_dev member number mounted holders
  root_dev=$(mountpoint -d / 2>/dev/null || true)
  while IFS= read -r member; do
    number=$(cat "$member/dev")
    if [[ $number == "$root_dev" ]]; then
      fail target_is_own_root "$DISK holds this rescue instance's own root filesystem (/dev/$(basename "$member")); refusing to touch it"
    fi
    mounted=$(awk -v n="$number" '$3 == n { print $5; exit }' /proc/self/mountinfo)
    [[ -z $mounted ]] || fail target_in_use "/dev/$(basename "$member") is mounted at $mounted on this host; unmount it first"
    holders=$(ls -A "$member/holders" 2>/dev/null || true)
    [[ -z $holders ]] || fail target_in_use "/dev/$(basename "$member") is held by ${holders//$'\n'/ } (device mapper: LVM or encryption are not supported)"
    if grep -q "^/dev/$(basename "$member")[[:space:]]" /proc/swaps 2>/dev/null; then
      fail target_in_use "/dev/$(basename "$member") is in use as swap"
    fi
  done < <(disk_members)
}

# ---------------------------------------------------------------------------------------------
# Mounting the volume

fs_type() { blkid -o value -s TYPE "$1" 2>/dev/null || true; }

# mount_options TYPE: read-only first; XFS needs nouuid because a rescue made from the same image
# has a root filesystem with the same UUID.
mount_options() {
  if [[ $1 == xfs ]]; then printf 'ro,nouuid'; else printf 'ro'; fi
}

find_and_mount_root() {
  local member device type
  MNT=$(mktemp -d "${ENA_OFFLINE_MOUNT_BASE:-/mnt}/enaremediate-offline.XXXXXX")
  while IFS= read -r member; do
    device=/dev/$(basename "$member")
    type=$(fs_type "$device")
    [[ " $ROOT_FILESYSTEMS " == *" $type "* ]] || continue
    mount_at "$MNT" -t "$type" -o "$(mount_options "$type")" "$device" || { log "could not mount $device ($type)"; continue; }
    if [[ -f $MNT/etc/os-release || -f $MNT/usr/lib/os-release ]] && [[ -d $MNT/lib/modules || -d $MNT/usr/lib/modules ]]; then
      ROOT_PARTITION=$device
      mount -o remount,rw "$MNT" || fail mount_failed "could not mount $device read-write"
      log "root filesystem: $device ($type) at $MNT"
      return 0
    fi
    umount "$MNT"
    unset 'MOUNTS[${#MOUNTS[@]}-1]'
  done < <(disk_members)
  fail root_not_found "no partition of $DISK holds a Linux root filesystem (/etc/os-release and /lib/modules) of type ${ROOT_FILESYSTEMS// /, }"
}

# partition_for SPEC: the member of the disk an fstab SPEC (UUID=, LABEL=, PARTUUID=) names.
partition_for() {
  local key=${1%%=*} value=${1#*=} member device
  case $key in UUID | LABEL | PARTUUID) ;; *) return 1 ;; esac
  value=${value//\"/}
  while IFS= read -r member; do
    device=/dev/$(basename "$member")
    [[ $(blkid -o value -s "$key" "$device" 2>/dev/null || true) == "$value" ]] && { printf '%s' "$device"; return 0; }
  done < <(disk_members)
  return 1
}

# mount_boot: /boot and /boot/efi, where the volume has them as their own filesystems on this disk
# (the RHEL family does), so that the initramfs is written where the volume's boot loader reads it.
mount_boot() {
  local wanted spec mountpoint _type _rest device
  [[ -f $MNT/etc/fstab ]] || return 0
  for wanted in /boot /boot/efi; do
    while read -r spec mountpoint _type _rest; do
      [[ $mountpoint == "$wanted" && $spec != \#* ]] || continue
      device=$(partition_for "$spec") || { log "fstab: $wanted is $spec, not found on $DISK; the initramfs may be written to the root's $wanted"; continue; }
      mount_at "$MNT$wanted" -t "$(fs_type "$device")" "$device" || fail mount_failed "could not mount $device at $wanted"
      log "mounted $device at $wanted"
    done <"$MNT/etc/fstab"
  done
}

# prepare_chroot: /proc, /sys and /dev of this host; /run private, with this host's resolver
# where the volume's /etc/resolv.conf points into /run (for package installs inside the chroot).
prepare_chroot() {
  local dir link
  for dir in proc sys dev run; do mkdir -p "$MNT/$dir"; done
  mount_at "$MNT/proc" -t proc proc || fail mount_failed "could not mount /proc into $MNT"
  mount_at "$MNT/sys" -t sysfs sysfs || fail mount_failed "could not mount /sys into $MNT"
  mount_at "$MNT/dev" --bind /dev || fail mount_failed "could not bind /dev into $MNT"
  mount_at "$MNT/run" -t tmpfs -o mode=0755 tmpfs || fail mount_failed "could not mount a tmpfs on $MNT/run"
  if [[ -L $MNT/etc/resolv.conf ]]; then
    link=$(readlink "$MNT/etc/resolv.conf")
    if [[ $link == /run/* && $link != *..* && -r /etc/resolv.conf ]]; then
      mkdir -p "$MNT$(dirname "$link")"
      cp -L /etc/resolv.conf "$MNT$link"
    fi
  fi
}

# ---------------------------------------------------------------------------------------------
# fstab: device names that only exist on one kind of instance type

check_fstab() {
  local spec mountpoint _type options _rest problem entries=()
  [[ -f $MNT/etc/fstab ]] || return 0
  while read -r spec mountpoint _type options _rest; do
    [[ -n $spec && $spec != \#* ]] || continue
    case $spec in
      /dev/xvd* | /dev/sd* | /dev/hd*) problem="Nitro instance types name EBS disks /dev/nvme*: use UUID= or LABEL= (unless the volume's udev rules create $spec, as Amazon Linux's do)" ;;
      /dev/nvme*) problem="Xen instance types name EBS disks /dev/xvd*: use UUID= or LABEL=" ;;
      *) continue ;;
    esac
    entries+=("$(printf '{"spec":%s,"mountPoint":%s,"nofail":%s,"problem":%s}' "$(json_str "$spec")" "$(json_str "$mountpoint")" \
      "$([[ ,$options, == *,nofail,* ]] && echo true || echo false)" "$(json_str "$problem")")")
    log "fstab: $spec ($mountpoint): $problem"
  done <"$MNT/etc/fstab"
  local IFS=,
  FSTAB_JSON="[${entries[*]}]"
}

# ---------------------------------------------------------------------------------------------

main() {
  parse_args "$@"
  ena_lock "$LOCK_WAIT_SECONDS" ||
    fail host_busy "another EnaRemediate host job still holds $ENA_LOCK_FILE after ${ENA_LOCK_WAIT_SECONDS:-$LOCK_WAIT_SECONDS}s; nothing was done" "$ENA_EXIT_BUSY"
  resolve_disk
  refuse_if_in_use
  find_and_mount_root
  mount_boot
  check_fstab
  prepare_chroot

  local out status=0 result
  out=$(mktemp)
  log "+ install-ena.sh --root $MNT ${INSTALL_ARGS[*]}"
  bash "$INSTALL_SCRIPT" --root "$MNT" "${INSTALL_ARGS[@]}" >"$out" || status=$?
  result=$(tail -n 1 "$out")
  head -n -1 "$out" >&2
  rm -f -- "$out"
  [[ $result == '{"status":'*'}' ]] || fail install_failed "install-ena.sh printed no result (exit $status)"
  unmount_all
  emit_result "$result"
  exit "$status"
}

main "$@"
