# Shared setup for the driver script bats tests: a tiny archive in the upstream layout, served by a
# local S3 (moto) through the real aws CLI, and fake root filesystems, so argument handling and
# distribution detection run without network.
DRIVER_SCRIPTS="$(cd "$BATS_TEST_DIRNAME/../../driver/scripts" && pwd)"
INSTALL="$DRIVER_SCRIPTS/install-ena.sh"
OFFLINE="$DRIVER_SCRIPTS/offline-repair.sh"
readonly TEST_BUCKET=enaremediate-bats
OS_RELEASE_DIR="$BATS_TEST_DIRNAME/os-release"
export ENAREMEDIATE_PACKAGES=never
# Dry runs into fake roots do not touch this host: they need not wait for a real install's lock.
export ENA_LOCK_FILE=$BATS_FILE_TMPDIR/enaremediate.lock

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

# sha_of ARCHIVE: the digest install-ena.sh checks, that of the uncompressed tar stream.
sha_of() { gzip -dcf <"$1" | sha256sum | cut -d' ' -f1; }

# s3_start: a moto S3 server on a free port for this file's tests (call from setup_file); the aws
# CLI the scripts run finds it through AWS_ENDPOINT_URL.
s3_start() {
  local port i
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  moto_server -H 127.0.0.1 -p "$port" >"$BATS_FILE_TMPDIR/moto.log" 2>&1 3>&- &
  printf '%s' "$!" >"$BATS_FILE_TMPDIR/moto.pid"
  export AWS_ENDPOINT_URL=http://127.0.0.1:$port AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
  for ((i = 0; i < 100; i++)); do
    curl -fs "$AWS_ENDPOINT_URL/" >/dev/null 2>&1 && break
    sleep 0.2
  done
  aws s3 mb "s3://$TEST_BUCKET" >/dev/null
}

# s3_stop: ends the server s3_start started (call from teardown_file).
s3_stop() { kill "$(cat "$BATS_FILE_TMPDIR/moto.pid")" 2>/dev/null || true; }

# s3_put FILE KEY: uploads FILE and prints its s3:// URL.
s3_put() {
  aws s3 cp --only-show-errors "$1" "s3://$TEST_BUCKET/$2" >/dev/null
  printf 's3://%s/%s' "$TEST_BUCKET" "$2"
}

# serve_test_archive: setup_file of the suites that install from S3: the server, with a 9.8.7 archive in it.
serve_test_archive() {
  s3_start
  make_archive 9.8.7 "$BATS_FILE_TMPDIR/ena.tar.gz"
  s3_put "$BATS_FILE_TMPDIR/ena.tar.gz" ena/ena.tar.gz >/dev/null
}

# use_test_archive: setup of those suites: ARCHIVE (its s3:// URL) and SHA (its tar stream digest).
use_test_archive() {
  ARCHIVE=s3://$TEST_BUCKET/ena/ena.tar.gz
  SHA=$(sha_of "$BATS_FILE_TMPDIR/ena.tar.gz")
}

# make_root OS_RELEASE_NAME KERNEL: a fake mounted root with that os-release and one kernel.
make_root() {
  local root=$BATS_TEST_TMPDIR/root-$1
  mkdir -p "$root/etc" "$root/lib/modules/$2"
  cp "$OS_RELEASE_DIR/$1" "$root/etc/os-release"
  printf '%s' "$root"
}

# last_json: the last line of $output, the install result.
last_json() { printf '%s\n' "$output" | tail -n 1; }
