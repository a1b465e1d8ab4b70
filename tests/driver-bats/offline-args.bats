#!/usr/bin/env bats
# offline-repair.sh before it mounts anything: every argument checked (exit 64), the device
# resolved from the volume id on a Nitro rescue, and disks that are in use refused. The repair
# itself runs for real in RealOfflineRepairTests (a debootstrapped volume on a loop device).

load helpers

setup() {
  SHA=$(printf '%064d' 0)
  ARCHIVE=s3://bucket-name/ena/ena.tar.gz
  export ENA_LOCK_FILE=$BATS_TEST_TMPDIR/enaremediate.lock
  export ENA_OFFLINE_MOUNT_BASE=$BATS_TEST_TMPDIR
}

assert_usage_error() {
  [ "$status" -eq 64 ]
  [ "$(last_json | jq -r .status)" = failed ]
  last_json | jq -e '(.error | startswith("usage: ")) and .kernels == []' >/dev/null
}

nothing_mounted() { ! grep -q "$BATS_TEST_TMPDIR" /proc/self/mountinfo; }

@test "the target device is required and must be an attachment name" {
  run "$OFFLINE" --source-archive "$ARCHIVE" --sha256 "$SHA"
  assert_usage_error
  for bad in /dev/sda1 /dev/nvme1n1p1 sdf /dev/../sdf '/dev/sdf;id' /dev/vda /dev/loop0 '/dev/$(id)' /dev/xvdf1; do
    run "$OFFLINE" --target-device "$bad" --source-archive "$ARCHIVE" --sha256 "$SHA"
    assert_usage_error
  done
}

@test "volume ids, sources, digests, versions and kernels are checked before anything is touched" {
  for bad in vol-123 vol-0123456789abcdef vol-0123456789ABCDEF0 'vol-01234567;id' i-0123456789abcdef0; do
    run "$OFFLINE" --target-device /dev/sdf --volume-id "$bad" --source-archive "$ARCHIVE" --sha256 "$SHA"
    assert_usage_error
  done
  run "$OFFLINE" --target-device /dev/sdf --source-archive /etc/shadow --sha256 "$SHA"
  assert_usage_error
  run "$OFFLINE" --target-device /dev/sdf --source-archive "$ARCHIVE" --sha256 "${SHA:1}"
  assert_usage_error
  run "$OFFLINE" --target-device /dev/sdf --source-archive "$ARCHIVE" --sha256 "$SHA" --version 2.16
  assert_usage_error
  run "$OFFLINE" --target-device /dev/sdf --source-archive "$ARCHIVE" --sha256 "$SHA" --kernel '--dry-run'
  assert_usage_error
  run "$OFFLINE" --target-device /dev/sdf --sha256 "$SHA"
  assert_usage_error
  run "$OFFLINE" --target-device /dev/sdf --source-archive "$ARCHIVE" --sha256 "$SHA" --root /
  assert_usage_error
}

@test "a device that is not there is named in a failed result, with nothing mounted" {
  run "$OFFLINE" --target-device /dev/sdzz --source-archive "$ARCHIVE" --sha256 "$SHA"
  [ "$status" -eq 1 ]
  last_json | jq -e '.status == "failed" and (.error | startswith("target_missing: no block device for /dev/sdzz")) and .targetDevice == "/dev/sdzz" and .device == null' >/dev/null
  nothing_mounted
}

@test "on a Nitro rescue the volume id finds the NVMe namespace through the controller's serial" {
  sys=$BATS_TEST_TMPDIR/sys-class-nvme
  mkdir -p "$sys/nvme0/nvme0n1" "$sys/nvme1/nvme1n1"
  printf 'vol0aaaaaaaaaaaaaaaa \n' >"$sys/nvme0/serial"
  printf 'vol0123456789abcdef0 \n' >"$sys/nvme1/serial"
  ENA_OFFLINE_SYS_CLASS_NVME=$sys run "$OFFLINE" --target-device /dev/sdf --volume-id vol-0123456789abcdef0 \
    --source-archive "$ARCHIVE" --sha256 "$SHA"
  [ "$status" -eq 1 ]
  # The namespace the serial names is the one looked at (this machine has no such device).
  [[ $(last_json | jq -r .error) == "target_missing: /dev/nvme1n1 (for /dev/sdf) is not a block device" ]]
  [ "$(last_json | jq -r .volumeId)" = vol-0123456789abcdef0 ]
}

@test "the rescue instance's own root disk is refused before anything is mounted" {
  [ "$(id -u)" -eq 0 ] || skip "needs root to create a /dev entry for the root disk"
  root_dev=$(mountpoint -d /)
  disk=''
  for dev in /sys/class/block/*; do
    [[ $(cat "$dev/dev") == "$root_dev" ]] && disk=/dev/$(basename "$dev")
  done
  [ -n "$disk" ] || skip "/ is not on a block device here ($root_dev)"
  # A whole-disk root (as here) or a partition's disk: the name an attachment would have.
  [[ -e /sys/class/block/${disk#/dev/}/partition ]] && disk=/dev/$(basename "$(readlink -f "/sys/class/block/${disk#/dev/}/..")")
  link=/dev/sdyz
  [ ! -e "$link" ] || skip "$link exists on this machine"
  ln -s "$disk" "$link"
  run "$OFFLINE" --target-device "$link" --source-archive "$ARCHIVE" --sha256 "$SHA"
  rm -f "$link"
  [ "$status" -eq 1 ]
  [[ $(last_json | jq -r .error) == "target_is_own_root: $disk holds this rescue instance's own root filesystem"* ]]
  nothing_mounted
}
