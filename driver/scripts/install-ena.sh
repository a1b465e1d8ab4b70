#!/usr/bin/env bash
# install-ena.sh: installs the upstream ENA driver through DKMS so that it survives kernel updates.
#
#   install-ena.sh --source-archive URL --sha256 HEX [--version X.Y.Z] [--kernel KVER]...
#                  [--root DIR] [--dry-run]
#
# The archive comes from an https:// URL or an s3:// object, never a local path (a caller must not
# be able to make this script read, hash or report on an arbitrary file of the host). HEX is the
# sha256 of the archive's uncompressed tar stream (the pin in driver/ena-driver.json: gzip bytes
# differ between compressors, `git archive`'s tar stream does not); the exact tar that was hashed
# is the one unpacked.
#
# Order matters for safety: everything that can be checked without touching the host (arguments,
# distribution, checksum, unpacked version, "already installed?") is checked first; then packages
# (only what is missing), then /usr/src/ena-X.Y.Z + dkms add/build/install per kernel, then the
# initramfs. Any failure after the first change undoes this run's DKMS and /usr/src changes.
# The last stdout line is the install result (docs/host-report.md); exit 0 only when every
# requested kernel has the module.
#
# One host job at a time (lib/lock.sh): a second run waits up to 15 minutes, then exits 75 with a
# host_busy result.
#
# Environment (for hosts and tests that must not reach a package repository):
#   ENAREMEDIATE_PACKAGES=missing (default: install only what is missing) | never (install nothing;
#   a missing tool or headers tree is then reported as a failure).
#   ENA_LOCK_FILE, ENA_LOCK_WAIT_SECONDS, ENA_LOCK_METHOD: see lib/lock.sh.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
umask 022

ENA_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib"
# shellcheck source=lib/json.sh
. "$ENA_LIB_DIR/json.sh" # ena-include
# shellcheck source=lib/os-release.sh
. "$ENA_LIB_DIR/os-release.sh" # ena-include
# shellcheck source=lib/lock.sh
. "$ENA_LIB_DIR/lock.sh" # ena-include
# shellcheck source=lib/args.sh
. "$ENA_LIB_DIR/args.sh" # ena-include

readonly MODULE=ena
readonly EXIT_USAGE=64
readonly LOCK_WAIT_SECONDS=900

SOURCE='' SHA256='' VERSION='' ROOT=/ DRY_RUN=0
KERNELS=()
WORK='' LOG=/dev/null
STATUS=failed
FAIL_LOG=''
declare -A K_HEADERS=() K_DKMS=() K_MODULE=() K_MODVER=() K_INITRAMFS=() K_ERROR=()
# What this run changed, so that a failure undoes exactly that.
CREATED_SRC=0 ADDED_TO_DKMS=0
INSTALLED_NOW=()
declare -A PREINSTALLED=()

usage() {
  cat <<'USAGE'
usage: install-ena.sh --source-archive URL --sha256 HEX [--version X.Y.Z]
                      [--kernel KVER]... [--root DIR] [--dry-run]
  --source-archive  https:// URL or s3://BUCKET/KEY of the amzn-drivers release archive (.tar.gz or .tar)
  --sha256          64 hex digits: the sha256 of the uncompressed tar stream, checked before unpacking
  --version         the version the source must declare (DRV_MODULE_GEN_* in ena_netdev.h)
  --kernel          a kernel release to install for (repeatable); default: running + installed
  --root            a mounted root filesystem to install into (chroot; /proc, /sys, /dev mounted)
  --dry-run         download and check the archive, print the plan; change nothing
USAGE
}

log() { printf 'install-ena: %s\n' "$*" | tee -a "$LOG" >&2; }

# run CMD...: runs CMD with its output in the log only.
run() {
  log "+ $*"
  "$@" >>"$LOG" 2>&1
}

# in_root CMD...: CMD inside the target root (chroot unless the root is /).
in_root() {
  if [[ $ROOT == / ]]; then "$@"; else chroot "$ROOT" "$@"; fi
}

# host_path PATH: where PATH of the target root is seen from here.
host_path() {
  if [[ $ROOT == / ]]; then printf '%s' "$1"; else printf '%s%s' "$ROOT" "$1"; fi
}

# ---------------------------------------------------------------------------------------------
# The result line

emit_result() {
  local k sep='' kernels='[' log_json=null
  for k in "${KERNELS[@]}"; do
    kernels+=$sep$(printf '{"kernel":%s,"headers":%s,"dkms":%s,"module":%s,"moduleVersion":%s,"initramfs":%s,"error":%s}' \
      "$(json_str "$k")" "$(json_bool "${K_HEADERS[$k]:-false}")" "$(json_str "${K_DKMS[$k]:-skipped}")" \
      "$(json_str_or_null "${K_MODULE[$k]:-}")" "$(json_str_or_null "${K_MODVER[$k]:-}")" \
      "$(json_bool "${K_INITRAMFS[$k]:-false}")" "$(json_str_or_null "${K_ERROR[$k]:-}")")
    sep=,
  done
  kernels+=']'
  if [[ -n $FAIL_LOG ]]; then
    log_json=$(printf '%s' "$FAIL_LOG" | tail -c 6000 | json_sanitize_utf8)
    log_json=$(json_str "$log_json")
  fi
  printf '{"status":%s,"version":%s,"kernels":%s,"log":%s}\n' \
    "$(json_str "$STATUS")" "$(json_str_or_null "$VERSION")" "$kernels" "$log_json"
}

# fail CODE MESSAGE [EXIT]: undoes this run's changes, prints the result and exits EXIT (1). CODE
# (for example headers_missing, checksum_mismatch, build_failed) leads the error text so diagnose
# can classify it.
fail() {
  local code=$1 message=$2 exit_code=${3:-1} k
  log "error: $code: $message"
  rollback
  for k in "${KERNELS[@]}"; do
    read_module "$k"
    [[ -z ${PREINSTALLED[$k]:-} ]] || continue
    [[ -n ${K_ERROR[$k]:-} ]] || K_ERROR[$k]="$code: $message"
    [[ ${K_DKMS[$k]:-} == failed ]] || K_DKMS[$k]=skipped
  done
  [[ -n $FAIL_LOG ]] || FAIL_LOG=$(tail -n 40 "$LOG" 2>/dev/null || true)
  STATUS=failed
  emit_result
  exit "$exit_code"
}

usage_error() {
  printf 'install-ena.sh: %s\n' "$1" >&2
  usage >&2
  FAIL_LOG="usage: $1"
  STATUS=failed
  emit_result
  exit "$EXIT_USAGE"
}

cleanup() {
  if [[ -n $WORK && -d $WORK ]]; then rm -rf -- "$WORK"; fi
  ena_unlock
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
# Arguments: every value is checked against a strict character set before it is used anywhere.

# RE_SOURCE, RE_SHA256, RE_VERSION, RE_KERNEL: lib/args.sh.
readonly RE_ROOT='^/[A-Za-z0-9._/+-]*$'

parse_args() {
  local option value
  while (($#)); do
    option=$1
    case $option in
      --dry-run) DRY_RUN=1; shift; continue ;;
      -h | --help) usage; exit 0 ;;
      --source-archive | --sha256 | --version | --kernel | --root) ;;
      *) usage_error "unknown argument '${option//[^A-Za-z0-9._=-]/?}'" ;;
    esac
    (($# >= 2)) || usage_error "$option needs a value"
    value=$2
    shift 2
    case $option in
      --source-archive)
        [[ -z $SOURCE ]] || usage_error "--source-archive given twice"
        [[ $value =~ $RE_SOURCE && $value != *..* ]] ||
          usage_error "--source-archive must be an https:// URL or s3://BUCKET/KEY of [A-Za-z0-9._~:/+%=@-] without '..' (never a local path)"
        SOURCE=$value ;;
      --sha256)
        [[ -z $SHA256 ]] || usage_error "--sha256 given twice"
        [[ $value =~ $RE_SHA256 ]] || usage_error "--sha256 must be 64 hex digits"
        SHA256=${value,,} ;;
      --version)
        [[ -z $VERSION ]] || usage_error "--version given twice"
        [[ $value =~ $RE_VERSION ]] || usage_error "--version must look like X.Y.Z"
        VERSION=$value ;;
      --kernel)
        [[ $value =~ $RE_KERNEL ]] || usage_error "--kernel must be a kernel release of [A-Za-z0-9._+~-]"
        KERNELS+=("$value") ;;
      --root)
        [[ $ROOT == / ]] || usage_error "--root given twice"
        [[ $value =~ $RE_ROOT && $value != *..* ]] || usage_error "--root must be an absolute path of [A-Za-z0-9._/+-] without '..'"
        [[ -d $value ]] || usage_error "--root $value is not a directory"
        ROOT=${value%/}
        [[ -n $ROOT ]] || ROOT=/ ;;
    esac
  done
  [[ -n $SOURCE ]] || usage_error "--source-archive is required"
  [[ -n $SHA256 ]] || usage_error "--sha256 is required"
  case ${ENAREMEDIATE_PACKAGES:-missing} in
    missing | never) ;;
    *) usage_error "ENAREMEDIATE_PACKAGES must be 'missing' or 'never'" ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Distribution and kernels

DISTRO_ID='' DISTRO_VERSION='' FAMILY=''

# detect_distro: sets FAMILY to al2, al2023, el8, el9, debian, suse or unsupported.
detect_distro() {
  local file major
  file=$(host_path /etc/os-release)
  DISTRO_ID=$(os_release_get "$file" ID)
  DISTRO_VERSION=$(os_release_get "$file" VERSION_ID)
  major=${DISTRO_VERSION%%.*}
  case $DISTRO_ID in
    amzn)
      case $DISTRO_VERSION in
        2) FAMILY=al2 ;;
        2023) FAMILY=al2023 ;;
        *) FAMILY=unsupported ;;
      esac ;;
    rhel | centos | rocky | almalinux | ol)
      case $major in
        8 | 9) FAMILY=el$major ;;
        *) FAMILY=unsupported ;;
      esac ;;
    debian | ubuntu) FAMILY=debian ;;
    sles | sled | sle_hpc | opensuse-leap) FAMILY=suse ;;
    *) FAMILY=unsupported ;;
  esac
  log "distribution: id=${DISTRO_ID:-unknown} version=${DISTRO_VERSION:-unknown} family=$FAMILY"
}

# resolve_kernels: default to the running kernel (only on the live root) plus every installed one.
resolve_kernels() {
  local dir name
  local -A seen=()
  if ((${#KERNELS[@]} == 0)); then
    [[ $ROOT != / ]] || KERNELS+=("$(uname -r)")
    for dir in "$(host_path /lib/modules)"/*/; do
      [[ -d $dir ]] || continue
      name=$(basename "$dir")
      [[ $name =~ $RE_KERNEL ]] && KERNELS+=("$name")
    done
  fi
  local unique=()
  for name in "${KERNELS[@]}"; do
    [[ -z ${seen[$name]:-} ]] || continue
    seen[$name]=1
    unique+=("$name")
  done
  KERNELS=("${unique[@]}")
  ((${#KERNELS[@]} > 0)) || fail no_kernels "no kernel found under $(host_path /lib/modules)"
  log "kernels: ${KERNELS[*]}"
}

# has_headers KVER: /lib/modules/KVER/build holds a headers tree. Distributions ship "build" as an
# absolute symlink, which must be resolved inside the target root, not on this host.
has_headers() {
  local build target
  build=$(host_path "/lib/modules/$1/build")
  if [[ -L $build ]]; then
    target=$(readlink "$build")
    if [[ $target == /* ]]; then build=$(host_path "$target"); else build=$(dirname "$build")/$target; fi
  fi
  [[ -f $build/Makefile ]]
}

has_tool() {
  local dir
  for dir in /usr/sbin /usr/bin /sbin /bin; do
    [[ -x $(host_path "$dir/$1") ]] && return 0
  done
  return 1
}

# ---------------------------------------------------------------------------------------------
# Packages: only what is missing, with the commands FACTS.md lists per distribution.

PACKAGE_COMMANDS=()

headers_package() {
  case $FAMILY in
    al2 | al2023 | el8 | el9) printf 'kernel-devel-%s' "$1" ;;
    debian) printf 'linux-headers-%s' "$1" ;;
    suse) printf 'kernel-default-devel-%s' "${1%-default}" ;;
  esac
}

plan_packages() {
  local k missing=() installer major=${DISTRO_VERSION%%.*}
  for k in "${KERNELS[@]}"; do
    has_headers "$k" || missing+=("$(headers_package "$k")")
  done
  has_tool make || missing+=(make)
  has_tool gcc || missing+=(gcc)
  if [[ $FAMILY == el8 || $FAMILY == el9 ]] && ! [[ -e $(host_path /usr/include/gelf.h) ]]; then
    missing+=(elfutils-libelf-devel)
  fi
  if ! has_tool dkms; then
    case $FAMILY in
      el8 | el9)
        # dkms comes from EPEL on the RHEL family.
        if [[ $DISTRO_ID == rhel ]]; then
          PACKAGE_COMMANDS+=("dnf install -y https://dl.fedoraproject.org/pub/epel/epel-release-latest-$major.noarch.rpm")
        elif [[ $DISTRO_ID == ol ]]; then
          PACKAGE_COMMANDS+=("dnf install -y oracle-epel-release-el$major")
        else
          PACKAGE_COMMANDS+=("dnf install -y epel-release")
        fi ;;
    esac
    missing+=(dkms)
  fi
  ((${#missing[@]} > 0)) || return 0
  case $FAMILY in
    al2) installer='yum install -y' ;;
    al2023 | el8 | el9) installer='dnf install -y' ;;
    debian)
      PACKAGE_COMMANDS+=("apt-get update")
      installer='env DEBIAN_FRONTEND=noninteractive apt-get install -y' ;;
    suse) installer='zypper --non-interactive install' ;;
    *) PACKAGE_COMMANDS+=("unsupported distribution '${DISTRO_ID:-unknown}': install yourself: ${missing[*]}"); return 0 ;;
  esac
  PACKAGE_COMMANDS+=("$installer ${missing[*]}")
}

install_packages() {
  local command words
  ((${#PACKAGE_COMMANDS[@]} > 0)) || return 0
  if [[ ${ENAREMEDIATE_PACKAGES:-missing} == never || $FAMILY == unsupported ]]; then
    log "not installing packages (ENAREMEDIATE_PACKAGES=${ENAREMEDIATE_PACKAGES:-missing}, family=$FAMILY): ${PACKAGE_COMMANDS[*]}"
    return 0
  fi
  for command in "${PACKAGE_COMMANDS[@]}"; do
    # The commands are built above from validated kernel names and fixed words only.
    read -r -a words <<<"$command"
    run in_root "${words[@]}" || log "package command failed: $command (continuing; what is still missing is checked next)"
  done
}

# ---------------------------------------------------------------------------------------------
# The source archive

# ARCHIVE: what was downloaded; TAR: its uncompressed tar stream, the one file hashed and unpacked.
ARCHIVE='' TAR='' SRC_TOP=''

fetch_archive() {
  ARCHIVE=$WORK/source.download
  case $SOURCE in
    https://*)
      command -v curl >/dev/null 2>&1 || fail download_failed "curl is needed to download $SOURCE"
      run curl -fsSL --proto '=https' --retry 3 -o "$ARCHIVE" "$SOURCE" || fail download_failed "could not download $SOURCE" ;;
    s3://*)
      command -v aws >/dev/null 2>&1 || fail download_failed "the aws CLI is needed to copy $SOURCE"
      run aws s3 cp --only-show-errors "$SOURCE" "$ARCHIVE" || fail download_failed "could not copy $SOURCE" ;;
  esac
}

# verify_checksum: the tar stream against the pin. The mismatch message never carries the digest
# that was found: it would tell the caller something about content it did not know.
verify_checksum() {
  local actual
  TAR=$WORK/source.tar
  if [[ $(head -c 2 "$ARCHIVE" | od -An -tx1 | tr -d ' \n') == 1f8b ]]; then
    gzip -dc <"$ARCHIVE" >"$TAR" 2>>"$LOG" || fail bad_archive "$SOURCE is not a valid gzip file; nothing was unpacked"
  else
    mv "$ARCHIVE" "$TAR"
  fi
  actual=$(sha256sum "$TAR" | cut -d' ' -f1)
  [[ $actual == "$SHA256" ]] ||
    fail checksum_mismatch "the tar stream of $SOURCE does not have the expected sha256 $SHA256; nothing was unpacked"
  log "checksum ok: tar stream sha256 $actual"
}

# unpack: into the private work directory, refusing members that could escape it.
unpack() {
  local listing headers
  listing=$(tar -tf "$TAR" 2>>"$LOG") || fail bad_archive "$SOURCE is not a tar archive"
  if grep -Eq '(^/|(^|/)\.\.(/|$))' <<<"$listing"; then
    fail bad_archive "$SOURCE has absolute or '..' member paths"
  fi
  mkdir -p "$WORK/src"
  tar -xf "$TAR" -C "$WORK/src" --no-same-owner --no-same-permissions 2>>"$LOG" || fail bad_archive "could not unpack $SOURCE"
  headers=$(find "$WORK/src" -maxdepth 5 -path '*/kernel/linux/ena/ena_netdev.h' | head -n 2)
  [[ -n $headers && $(wc -l <<<"$headers") -eq 1 ]] ||
    fail bad_archive "$SOURCE does not hold exactly one kernel/linux/ena/ena_netdev.h (upstream layout)"
  SRC_TOP=${headers%/kernel/linux/ena/ena_netdev.h}
  [[ -d $SRC_TOP/kernel/linux/common ]] || fail bad_archive "$SOURCE lacks kernel/linux/common (ena_com)"
}

# check_version: the version the source declares, not the tag name, is the truth.
check_version() {
  local header=$SRC_TOP/kernel/linux/ena/ena_netdev.h major minor subminor declared
  major=$(sed -n 's/^#define[[:space:]]\{1,\}DRV_MODULE_GEN_MAJOR[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p' "$header")
  minor=$(sed -n 's/^#define[[:space:]]\{1,\}DRV_MODULE_GEN_MINOR[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p' "$header")
  subminor=$(sed -n 's/^#define[[:space:]]\{1,\}DRV_MODULE_GEN_SUBMINOR[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p' "$header")
  [[ -n $major && -n $minor && -n $subminor ]] || fail version_mismatch "ena_netdev.h has no DRV_MODULE_GEN_MAJOR/MINOR/SUBMINOR"
  declared=$major.$minor.$subminor
  if [[ -n $VERSION && $VERSION != "$declared" ]]; then
    local expected=$VERSION
    VERSION=$declared
    fail version_mismatch "the source declares $declared, expected $expected"
  fi
  VERSION=$declared
  log "source version: $VERSION"
}

# ---------------------------------------------------------------------------------------------
# DKMS

dkms_conf() {
  # Name and version equal the /usr/src directory and -m/-v. No CLEAN or REMAKE_INITRD (deprecated
  # in dkms 3); the initramfs is rebuilt by this script. dkms rewrites DEST_MODULE_LOCATION per
  # distribution (Debian /updates/dkms, RHEL /extra); /updates wins over the stock module.
  cat <<CONF
PACKAGE_NAME="$MODULE"
PACKAGE_VERSION="$VERSION"
BUILT_MODULE_NAME[0]="$MODULE"
BUILT_MODULE_LOCATION[0]="kernel/linux/ena"
DEST_MODULE_LOCATION[0]="/updates"
MAKE[0]="make -C kernel/linux/ena BUILD_KERNEL=\${kernelver}"
AUTOINSTALL="yes"
CONF
}

src_dir() { host_path "/usr/src/$MODULE-$VERSION"; }

staged_matches() {
  [[ -f $(src_dir)/dkms.conf ]] && [[ "$(cat "$(src_dir)/dkms.conf")" == "$(dkms_conf)" ]]
}

dkms_state() {
  # "installed", "built", "added", ... for this version on kernel $1 (dkms 3.x and 2.x formats).
  in_root dkms status -m "$MODULE" -v "$VERSION" -k "$1" 2>/dev/null |
    sed -n 's/.*: \([a-z-]*\).*/\1/p' | head -n 1
}

dkms_knows_version() {
  [[ -n $(in_root dkms status -m "$MODULE" -v "$VERSION" 2>/dev/null) ]]
}

# read_module KVER: what modinfo finds for the kernel now.
read_module() {
  K_MODULE[$1]=$(in_root modinfo -k "$1" -n "$MODULE" 2>/dev/null || true)
  K_MODVER[$1]=$(in_root modinfo -k "$1" -F version "$MODULE" 2>/dev/null || true)
}

module_is_ours() {
  [[ -n ${K_MODULE[$1]:-} && ${K_MODULE[$1]} != */kernel/drivers/* ]] &&
    { [[ -z ${K_MODVER[$1]:-} ]] || [[ ${K_MODVER[$1]} == "$VERSION"* ]]; }
}

kernel_done() {
  has_tool dkms || return 1
  [[ $(dkms_state "$1") == installed* ]] || return 1
  read_module "$1"
  module_is_ours "$1"
}

stage_source() {
  local dir
  dir=$(src_dir)
  if [[ -e $dir ]]; then
    staged_matches || fail conflict "$dir exists with a different dkms.conf; remove it or pick another version"
    log "reusing $dir"
    return 0
  fi
  CREATED_SRC=1
  mkdir -p "$dir/kernel/linux"
  cp -R "$SRC_TOP/kernel/linux/ena" "$SRC_TOP/kernel/linux/common" "$dir/kernel/linux/"
  dkms_conf >"$dir/dkms.conf"
  log "staged $dir"
}

# classify_build_failure LOGFILE EXIT: headers_missing, kernel_api_mismatch or build_failed.
classify_build_failure() {
  if [[ $2 -eq 21 ]] || grep -Eq "headers for kernel .* cannot be found|No rule to make target 'modules'" "$1"; then
    printf 'headers_missing'
  elif grep -Eq 'modpost: .* undefined!|implicit declaration of function|has no member named' "$1"; then
    printf 'kernel_api_mismatch'
  else
    printf 'build_failed'
  fi
}

build_and_install() {
  local k step_log rc code
  if dkms_knows_version; then
    log "dkms already knows $MODULE/$VERSION"
  else
    run in_root dkms add -m "$MODULE" -v "$VERSION" || fail build_failed "dkms add -m $MODULE -v $VERSION failed"
    ADDED_TO_DKMS=1
  fi
  for k in "${KERNELS[@]}"; do
    [[ ${K_DKMS[$k]:-} != installed ]] || continue
    step_log=$WORK/dkms-$k.log
    rc=0
    log "+ dkms build/install -m $MODULE -v $VERSION -k $k"
    INSTALLED_NOW+=("$k")
    # --force: dkms otherwise keeps a distribution module whose version string compares equal or
    # higher ("DKMS will not replace this module"), and the pinned release would silently not be used.
    { in_root dkms build -m "$MODULE" -v "$VERSION" -k "$k" && in_root dkms install --force -m "$MODULE" -v "$VERSION" -k "$k"; } \
      >"$step_log" 2>&1 || rc=$?
    cat "$step_log" >>"$LOG"
    if ((rc != 0)); then
      code=$(classify_build_failure "$step_log" "$rc")
      K_DKMS[$k]=failed
      K_ERROR[$k]="$code: dkms could not build $MODULE $VERSION for $k (exit $rc)"
      FAIL_LOG=$( (tail -n 30 "$step_log"; make_log_tail "$k") 2>/dev/null || true)
      fail "$code" "dkms could not build $MODULE $VERSION for $k (exit $rc)"
    fi
    K_DKMS[$k]=installed
  done
}

# make_log_tail KVER: the compiler output dkms keeps in make.log (the part that says why).
make_log_tail() {
  local file
  file=$(host_path "/var/lib/dkms/$MODULE/$VERSION/$1/$(uname -m)/log/make.log")
  [[ -f $file ]] || file=$(host_path "/var/lib/dkms/$MODULE/$VERSION/build/make.log")
  [[ -f $file ]] && tail -n 30 "$file"
}

verify_installed() {
  local k
  for k in "${KERNELS[@]}"; do
    read_module "$k"
    module_is_ours "$k" ||
      fail version_mismatch "after dkms install, modinfo -k $k finds '${K_MODULE[$k]:-nothing}' version '${K_MODVER[$k]:-none}', not $MODULE $VERSION from DKMS"
  done
}

rebuild_initramfs() {
  local k
  for k in "${INSTALLED_NOW[@]}"; do
    K_INITRAMFS[$k]=false
    if has_tool update-initramfs; then
      run in_root update-initramfs -u -k "$k" && K_INITRAMFS[$k]=true
    elif has_tool dracut; then
      run in_root dracut -f --kver "$k" && K_INITRAMFS[$k]=true
    else
      log "no update-initramfs or dracut: the initramfs of $k keeps its old ena module"
    fi
    [[ ${K_INITRAMFS[$k]} == true ]] || log "initramfs of $k not rebuilt (not fatal: the module on disk is in place)"
  done
}

allow_unsupported_modules_on_suse() {
  [[ $FAMILY == suse ]] || return 0
  local conf
  conf=$(host_path /etc/modprobe.d/10-unsupported-modules.conf)
  if ! grep -qs '^allow_unsupported_modules 1' "$conf"; then
    printf 'allow_unsupported_modules 1\n' >>"$conf"
    log "SLES: allow_unsupported_modules 1 in /etc/modprobe.d/10-unsupported-modules.conf"
  fi
}

rollback() {
  local k
  if ((ADDED_TO_DKMS)); then
    log "rollback: dkms remove $MODULE/$VERSION --all"
    run in_root dkms remove -m "$MODULE" -v "$VERSION" --all || true
  else
    for k in "${INSTALLED_NOW[@]}"; do
      log "rollback: dkms remove $MODULE/$VERSION -k $k"
      run in_root dkms remove -m "$MODULE" -v "$VERSION" -k "$k" || true
    done
  fi
  if ((CREATED_SRC)); then
    log "rollback: rm -rf $(src_dir)"
    rm -rf -- "$(src_dir)"
  fi
  ADDED_TO_DKMS=0 CREATED_SRC=0 INSTALLED_NOW=()
}

# ---------------------------------------------------------------------------------------------

print_plan() {
  local k command
  printf 'plan: distribution %s %s (family %s)\n' "${DISTRO_ID:-unknown}" "${DISTRO_VERSION:-unknown}" "$FAMILY"
  printf 'plan: root %s\n' "$ROOT"
  for command in "${PACKAGE_COMMANDS[@]}"; do printf 'plan: packages: %s\n' "$command"; done
  printf 'plan: stage /usr/src/%s-%s with dkms.conf; dkms add -m %s -v %s\n' "$MODULE" "$VERSION" "$MODULE" "$VERSION"
  for k in "${KERNELS[@]}"; do
    if [[ ${K_DKMS[$k]:-} == installed ]]; then
      printf 'plan: kernel %s: already installed\n' "$k"
    else
      printf 'plan: kernel %s: headers %s; dkms build + install; rebuild initramfs\n' "$k" "$(has_headers "$k" && echo present || echo missing)"
    fi
  done
}

main() {
  parse_args "$@"
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/install-ena.XXXXXX")
  LOG=$WORK/install.log
  detect_distro
  resolve_kernels
  local k all_done=1
  for k in "${KERNELS[@]}"; do K_HEADERS[$k]=$(has_headers "$k" && echo true || echo false); done
  ena_lock "$LOCK_WAIT_SECONDS" ||
    fail host_busy "another EnaRemediate host job still holds $ENA_LOCK_FILE after ${ENA_LOCK_WAIT_SECONDS:-$LOCK_WAIT_SECONDS}s; nothing was done" "$ENA_EXIT_BUSY"
  fetch_archive
  verify_checksum
  unpack
  check_version

  for k in "${KERNELS[@]}"; do
    if kernel_done "$k"; then
      # Not rebuilt by this run: initramfs stays false (it means "rebuilt now").
      K_DKMS[$k]=installed
      PREINSTALLED[$k]=1
    else
      all_done=0
    fi
  done
  if ((all_done)) && staged_matches; then
    STATUS=unchanged
    [[ $DRY_RUN -eq 0 ]] || STATUS=dry-run
    log "$MODULE $VERSION is already installed through DKMS for every requested kernel"
    emit_result
    exit 0
  fi

  plan_packages
  if ((DRY_RUN)); then
    print_plan
    for k in "${KERNELS[@]}"; do read_module "$k"; done
    STATUS=dry-run
    emit_result
    exit 0
  fi

  if [[ $ROOT != / && ! -e $ROOT/proc/self ]]; then
    fail root_not_prepared "mount /proc, /sys and /dev into $ROOT before a chroot install"
  fi
  install_packages
  has_tool dkms || fail dkms_missing "dkms is not installed (and could not be installed)"
  local missing_headers=()
  for k in "${KERNELS[@]}"; do
    K_HEADERS[$k]=$(has_headers "$k" && echo true || echo false)
    if [[ ${K_HEADERS[$k]} == false ]]; then
      missing_headers+=("$k")
      K_DKMS[$k]=failed
      K_ERROR[$k]="headers_missing: kernel headers for $k are not installed (/lib/modules/$k/build); install $(headers_package "$k")"
    fi
  done
  ((${#missing_headers[@]} == 0)) ||
    fail headers_missing "kernel headers are missing for ${missing_headers[*]}; nothing was installed"

  stage_source
  build_and_install
  verify_installed
  allow_unsupported_modules_on_suse
  rebuild_initramfs
  STATUS=installed
  emit_result
}

main "$@"
