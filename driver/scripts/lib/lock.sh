# shellcheck shell=bash
# One EnaRemediate host job at a time. install-ena.sh, collect-ena.sh and offline-repair.sh take
# the same lock before they read or change anything: two installs at once could undo each other
# (one run's rollback removing the other's module), and a report taken in the middle of an install
# describes a host that never exists. A second run waits a bounded time, then gives up with
# ENA_EXIT_BUSY and a `host_busy` result (docs/driver.md).
#
# flock(1) on ENA_LOCK_FILE where it exists (util-linux, on every supported distribution); a mkdir
# lock otherwise. A run started by a run that holds the lock (offline-repair.sh runs
# install-ena.sh) inherits it: with flock through the inherited descriptor ENA_LOCK_FD, with mkdir
# because the lock's owner is one of its ancestors.
#
# Environment: ENA_LOCK_FILE (default /var/lock/enaremediate.lock), ENA_LOCK_WAIT_SECONDS (the
# caller's default otherwise), ENA_LOCK_METHOD=mkdir (tests: the fallback on a host with flock).

# shellcheck disable=SC2034 # read by the scripts that include this file
readonly ENA_EXIT_BUSY=75
ENA_LOCK_FILE=${ENA_LOCK_FILE:-/var/lock/enaremediate.lock}
ENA_LOCK_OWNED_DIR=''

# ena_lock DEFAULT_WAIT_SECONDS: 0 once the lock is held, 1 when the wait ran out.
ena_lock() {
  local wait=${ENA_LOCK_WAIT_SECONDS:-$1}
  [[ $wait =~ ^[0-9]{1,5}$ ]] || wait=$1
  mkdir -p "$(dirname "$ENA_LOCK_FILE")"
  if [[ ${ENA_LOCK_METHOD:-} != mkdir ]] && command -v flock >/dev/null 2>&1; then
    ena_lock_flock "$wait"
  else
    ena_lock_mkdir "$wait"
  fi
}

ena_lock_flock() {
  local fd
  if [[ ${ENA_LOCK_FD:-} =~ ^[0-9]+$ ]] &&
    [[ $(readlink "/proc/self/fd/$ENA_LOCK_FD" 2>/dev/null) == "$(readlink -f "$ENA_LOCK_FILE")" ]] &&
    flock -n "$ENA_LOCK_FD"; then
    return 0 # the descriptor of the run that started this one, which holds the lock
  fi
  exec {fd}>>"$ENA_LOCK_FILE"
  flock -w "$1" "$fd" || return 1
  export ENA_LOCK_FD=$fd
}

# ena_is_ancestor PID: PID is this process or one of its parents.
ena_is_ancestor() {
  local pid=$$ stat
  while [[ $pid =~ ^[0-9]+$ && $pid -gt 1 ]]; do
    [[ $pid == "$1" ]] && return 0
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    read -r _ pid _ <<<"$stat"
  done
  return 1
}

ena_lock_mkdir() {
  local dir=$ENA_LOCK_FILE.d owner deadline=$((SECONDS + $1))
  while :; do
    if mkdir "$dir" 2>/dev/null; then
      printf '%s\n' "$$" >"$dir/pid"
      ENA_LOCK_OWNED_DIR=$dir
      return 0
    fi
    # No lock directory and none could be made (a read-only /var/lock): waiting cannot help.
    [[ -d $dir ]] || return 1
    owner=$(cat "$dir/pid" 2>/dev/null || true)
    if [[ $owner =~ ^[0-9]+$ ]]; then
      ena_is_ancestor "$owner" && return 0
      # The owner died without unlocking (killed by the SSM timeout): the lock is stale.
      kill -0 "$owner" 2>/dev/null || { rm -rf -- "$dir"; continue; }
    fi
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

# ena_unlock: releases a mkdir lock this process took (a flock lock ends with the process).
ena_unlock() {
  if [[ -n $ENA_LOCK_OWNED_DIR ]]; then
    rm -rf -- "$ENA_LOCK_OWNED_DIR"
    ENA_LOCK_OWNED_DIR=''
  fi
}
