#!/usr/bin/env bats
# One host job at a time (driver/scripts/lib/lock.sh): install-ena.sh, collect-ena.sh and
# offline-repair.sh share one lock; a second run waits, and gives up after its bound with exit 75
# and a host_busy result. The first run is held at a known point: collect-ena.sh reading its
# kernel log from a FIFO blocks, with the lock taken, until the test writes to the FIFO.

load helpers

COLLECT="$DRIVER_SCRIPTS/collect-ena.sh"

setup_file() { serve_test_archive; }

teardown_file() { s3_stop; }

setup() {
  use_test_archive
  ROOT=$(make_root debian-12 6.1.0-26-cloud-amd64)
  export ENA_LOCK_FILE=$BATS_TEST_TMPDIR/enaremediate.lock
  FIFO=$BATS_TEST_TMPDIR/kernel-log
  mkfifo "$FIFO"
}

teardown() {
  # Never leave a blocked collector behind, whatever the test did.
  [[ -z ${HOLDER:-} ]] || { kill "$HOLDER" 2>/dev/null || true; }
}

# hold_lock: starts collect-ena.sh, which takes the lock and then blocks on the FIFO.
hold_lock() {
  ENA_COLLECT_KERNEL_LOG=$FIFO "$COLLECT" >"$BATS_TEST_TMPDIR/holder.out" 3>&- &
  HOLDER=$!
  for ((i = 0; i < 300; i++)); do
    lock_is_held && return 0
    sleep 0.1
  done
  echo "collect-ena.sh never took the lock" >&2
  return 1
}

lock_is_held() {
  if [[ ${ENA_LOCK_METHOD:-} == mkdir ]]; then
    [[ -s $ENA_LOCK_FILE.d/pid ]]
  else
    ! flock -n "$ENA_LOCK_FILE" true
  fi
}

# release_lock: lets the collector finish; it must end with a report.
release_lock() {
  printf 'ena 0000:00:05.0: Elastic Network Adapter (ENA) found\n' >"$FIFO"
  wait "$HOLDER"
  HOLDER=''
  jq -e '.schema == "enaremediate.host-report/1"' "$BATS_TEST_TMPDIR/holder.out" >/dev/null
}

two_installs_at_once() {
  hold_lock
  # A second job with a short bound gives up, changes nothing and says why.
  before=$(cd "$ROOT" && find . | sort)
  ENA_LOCK_WAIT_SECONDS=1 run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --root "$ROOT" --dry-run
  [ "$status" -eq 75 ]
  [ "$(last_json | jq -r .status)" = failed ]
  [[ $(last_json | jq -r '.kernels[0].error') == "host_busy: another EnaRemediate host job still holds $ENA_LOCK_FILE after 1s; nothing was done" ]]
  [ "$before" = "$(cd "$ROOT" && find . | sort)" ]

  # A collector also gives up, with a report that says only that.
  ENA_LOCK_WAIT_SECONDS=1 run "$COLLECT"
  [ "$status" -eq 75 ]
  last_json | jq -e '.schema == "enaremediate.host-report/1" and (.error | startswith("host_busy:")) and .readiness.enaCanBeEnabled == false' >/dev/null

  # One that waits long enough runs once the first has finished.
  ENA_LOCK_WAIT_SECONDS=120 "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --root "$ROOT" --dry-run \
    >"$BATS_TEST_TMPDIR/waiter.out" 2>"$BATS_TEST_TMPDIR/waiter.err" 3>&- &
  waiter=$!
  sleep 1
  kill -0 "$waiter" # still waiting: the lock is held
  release_lock
  wait "$waiter"
  [ "$(tail -n 1 "$BATS_TEST_TMPDIR/waiter.out" | jq -r .status)" = dry-run ]
  run lock_is_held
  [ "$status" -ne 0 ]
}

@test "flock: a second run waits for the first, and gives up after its bound with exit 75" {
  two_installs_at_once
}

@test "mkdir fallback: the same, and the lock directory is removed afterwards" {
  export ENA_LOCK_METHOD=mkdir
  two_installs_at_once
  [ ! -e "$ENA_LOCK_FILE.d" ]
}

@test "a run started by the lock's holder inherits the lock (offline-repair.sh runs install-ena.sh)" {
  for method in flock mkdir; do
    # shellcheck disable=SC2016
    ENA_LOCK_METHOD=$method ENA_LOCK_WAIT_SECONDS=0 run bash -c '
      . "$1/lib/lock.sh"; ena_lock 0 || exit 99
      "$1/install-ena.sh" --source-archive "$2" --sha256 "$3" --root "$4" --dry-run; status=$?
      ena_unlock; exit "$status"' _ "$DRIVER_SCRIPTS" "$ARCHIVE" "$SHA" "$ROOT"
    [ "$status" -eq 0 ]
    [ "$(last_json | jq -r .status)" = dry-run ]
  done
}

@test "mkdir fallback: a lock left by a run that died is taken over" {
  export ENA_LOCK_METHOD=mkdir
  mkdir "$ENA_LOCK_FILE.d"
  bash -c 'exit 0' &
  dead=$!
  wait "$dead"
  printf '%s\n' "$dead" >"$ENA_LOCK_FILE.d/pid"
  ENA_LOCK_WAIT_SECONDS=0 run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --root "$ROOT" --dry-run
  [ "$status" -eq 0 ]
  [ ! -e "$ENA_LOCK_FILE.d" ]
}

@test "offline-repair.sh takes the same lock before it looks for the device" {
  hold_lock
  ENA_LOCK_WAIT_SECONDS=1 run "$OFFLINE" --target-device /dev/sdf --source-archive "$ARCHIVE" --sha256 "$SHA"
  [ "$status" -eq 75 ]
  [[ $(last_json | jq -r .error) == host_busy:* ]]
  release_lock
}
