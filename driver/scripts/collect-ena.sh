#!/usr/bin/env bash
# collect-ena.sh: prints the host report (schema enaremediate.host-report/1, docs/host-report.md).
#
# Read-only: it only reads /lib/modules, /boot, /proc, /sys, `modinfo`, `dkms status`, `ethtool`
# (when installed; sysfs otherwise) and the kernel log. The output stays under SSM's 24,000
# characters of stdout: the oldest kernel log lines go first, then per-queue counters, and
# "truncated" says so.
#
# Usage: collect-ena.sh [--counters all|global]
#   --counters global  leaves out the per-queue ethtool counters from the start (not a cut:
#                      "truncated" stays false). The engine's final validation asks for this: its
#                      verdict rests on the device-wide counters and the kernel log (a per-queue
#                      counter never fails a host, docs/host-report.md), and the shorter report often fits
#                      in a command listing's 2,500 characters, so no GetCommandInvocation is needed.
#
# Environment (for replaying saved data and for tests):
#   ENA_COLLECT_KERNEL_LOG=FILE     read kernel log lines from FILE instead of dmesg/journalctl
#   ENA_COLLECT_SYS_CLASS_NET=DIR   read interfaces from DIR instead of /sys/class/net
#   ENA_COLLECT_MAX_CHARS=N         the output bound (default 23000, under SSM's 24,000)
#   ENA_COLLECT_BOOT_DIR=DIR        read grub.cfg and grubenv under DIR instead of /boot
#   ENA_COLLECT_FSTAB=FILE          read FILE instead of /etc/fstab
#   ENA_LOCK_FILE, ENA_LOCK_WAIT_SECONDS, ENA_LOCK_METHOD: see lib/lock.sh
#
# It takes the host lock too (lib/lock.sh): a report taken halfway through an install describes a
# host that never exists. After 60 s of waiting it prints a report that says only that (error
# host_busy, readiness false) and exits 75.
# shellcheck source-path=SCRIPTDIR
set -uo pipefail
export LC_ALL=C

ENA_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib"
# shellcheck source=lib/json.sh
. "$ENA_LIB_DIR/json.sh" # ena-include
# shellcheck source=lib/os-release.sh
. "$ENA_LIB_DIR/os-release.sh" # ena-include
# shellcheck source=lib/lock.sh
. "$ENA_LIB_DIR/lock.sh" # ena-include

readonly MAX_CHARS=${ENA_COLLECT_MAX_CHARS:-23000}
readonly SYS_NET=${ENA_COLLECT_SYS_CLASS_NET:-/sys/class/net}
readonly MAX_LOG_LINES=200
readonly BOOT_DIR=${ENA_COLLECT_BOOT_DIR:-/boot}
readonly FSTAB=${ENA_COLLECT_FSTAB:-/etc/fstab}
readonly MAX_FSTAB_ENTRIES=64
readonly LOCK_WAIT_SECONDS=60
readonly IN_TREE_DIR=/kernel/drivers/net/ethernet/amazon/ena/
RUNNING_KERNEL=$(uname -r)

have() { command -v "$1" >/dev/null 2>&1; }

# kernel_list: every kernel under /lib/modules, one per line.
kernel_list() {
  local dir
  for dir in /lib/modules/*/; do
    [[ -d $dir ]] && basename "$dir"
  done
}

initramfs_path() {
  local candidate
  for candidate in "/boot/initrd.img-$1" "/boot/initramfs-$1.img" "/boot/initrd-$1"; do
    [[ -f $candidate ]] && { printf '%s' "$candidate"; return 0; }
  done
  return 1
}

# initramfs_contains_ena FILE: true, false, or null when no lister is installed.
initramfs_contains_ena() {
  local listing
  if have lsinitramfs; then
    listing=$(lsinitramfs "$1" 2>/dev/null)
  elif have lsinitrd; then
    listing=$(lsinitrd "$1" 2>/dev/null)
  else
    printf 'null'
    return 0
  fi
  if grep -Eq '(^|/)ena\.ko(\.xz|\.gz|\.zst)?$' <<<"$listing"; then printf 'true'; else printf 'false'; fi
}

kernel_json() {
  local k=$1 running=false headers=false module version module_json=null initramfs=null path in_tree
  [[ $k == "$RUNNING_KERNEL" ]] && running=true
  [[ -e /lib/modules/$k/build/Makefile ]] && headers=true
  module=$(modinfo -k "$k" -n ena 2>/dev/null)
  if [[ -n $module ]]; then
    version=$(modinfo -k "$k" -F version ena 2>/dev/null)
    in_tree=false
    [[ $module == *"$IN_TREE_DIR"* ]] && in_tree=true
    module_json=$(printf '{"path":%s,"version":%s,"inTree":%s}' "$(json_str "$module")" "$(json_str_or_null "$version")" "$in_tree")
  fi
  if path=$(initramfs_path "$k"); then
    initramfs=$(printf '{"path":%s,"containsEna":%s}' "$(json_str "$path")" "$(initramfs_contains_ena "$path")")
  fi
  printf '{"kernel":%s,"running":%s,"headers":%s,"enaModule":%s,"initramfs":%s}' \
    "$(json_str "$k")" "$running" "$headers" "$module_json" "$initramfs"
}

# dkms_json: `dkms status` lines in both the 3.x (mod/ver, kver, arch: state) and 2.x
# (mod, ver, kver, arch: state) forms; "added" lines carry no kernel.
dkms_json() {
  local line sep='' out='[' module version kernel arch state fields
  have dkms || { printf 'null'; return 0; }
  while IFS= read -r line; do
    [[ $line == *:* ]] || continue
    state=${line##*: }
    state=${state%% *}
    fields=${line%: *}
    fields=${fields//, /,}
    IFS=, read -r module version kernel arch <<<"$fields"
    if [[ $module == */* ]]; then
      arch=$kernel kernel=$version
      version=${module#*/} module=${module%%/*}
    fi
    out+=$sep$(printf '{"module":%s,"version":%s,"kernel":%s,"arch":%s,"state":%s}' \
      "$(json_str "$module")" "$(json_str_or_null "$version")" "$(json_str_or_null "$kernel")" \
      "$(json_str_or_null "$arch")" "$(json_str "$state")")
    sep=,
  done < <(dkms status 2>/dev/null)
  printf '%s]' "$out"
}

# kernel_named TEXT KERNEL...: the longest of the installed KERNELs that TEXT contains (a GRUB
# entry's title, id or BLS name carries the kernel release), or nothing.
kernel_named() {
  local text=$1 k best=''
  shift
  for k in "$@"; do
    [[ -n $k && $text == *"$k"* && ${#k} -gt ${#best} ]] && best=$k
  done
  printf '%s' "$best"
}

# grubenv_get NAME: a variable of GRUB's environment block (what `grub-editenv list` prints).
grubenv_get() {
  local file
  for file in "$BOOT_DIR/grub/grubenv" "$BOOT_DIR/grub2/grubenv"; do
    [[ -f $file ]] && { sed -n "s/^$1=//p" "$file" | head -n 1; return 0; }
  done
}

# grub_cfg_entry_kernel CFG PATH: the kernel of the menu entry at PATH ("0", "2", "1>0": the
# index among the top-level entries and submenus, then inside the submenu), from its linux line.
grub_cfg_entry_kernel() {
  awk -v path="$2" '
    BEGIN { n = split(path, want, ">"); depth = 0; level = 1; count[1] = -1 }
    /^[[:space:]]*(menuentry|submenu)[[:space:]]/ {
      if (depth == level - 1) {
        count[level]++
        if (count[level] == want[level] + 0) {
          if (level == n && $1 == "menuentry") { inside = depth + 1 }
          else if ($1 == "submenu") { level++; count[level] = -1 }
        }
      }
    }
    inside && depth + 0 >= inside && /^[[:space:]]*linux(efi|16)?[[:space:]]/ {
      k = $2; sub(/.*\/vmlinuz-/, "", k); print k; exit
    }
    { o = gsub(/\{/, "{"); c = gsub(/\}/, "}"); depth += o - c; if (inside && depth < inside) inside = 0 }
  ' "$1"
}

# default_boot KERNEL...: "KERNEL SOURCE" of the entry the boot loader boots next, or nothing
# when it cannot be told. grubby knows BLS and legacy configurations (RHEL family, Amazon Linux);
# elsewhere grub.cfg's default (after a one-time next_entry, and ${saved_entry} from grubenv).
default_boot() {
  local out cfg='' file value saved k
  if have grubby && out=$(grubby --default-kernel 2>/dev/null) && [[ $out == */vmlinuz-* ]]; then
    printf '%s grubby' "${out##*/vmlinuz-}"
    return 0
  fi
  for file in "$BOOT_DIR/grub/grub.cfg" "$BOOT_DIR/grub2/grub.cfg"; do
    [[ -f $file ]] && { cfg=$file; break; }
  done
  saved=$(grubenv_get saved_entry)
  if [[ -z $cfg ]]; then
    k=$(kernel_named "$saved" "$@")
    [[ -n $k ]] && printf '%s grubenv' "$k"
    return 0
  fi
  value=$(grubenv_get next_entry)
  if [[ -z $value ]]; then
    # shellcheck disable=SC2016 # ${next_entry} and ${saved_entry} are grub.cfg text, not shell
    value=$(sed -n 's/^[[:space:]]*set default="\{0,1\}\([^"]*\)"\{0,1\}[[:space:]]*$/\1/p' "$cfg" | grep -v '^\${next_entry}$' | tail -n 1)
    # shellcheck disable=SC2016 # grub.cfg text, as above
    [[ $value == '${saved_entry}' ]] && value=$saved
  fi
  value=${value:-0}
  if [[ $value =~ ^[0-9]+(\>[0-9]+)*$ ]]; then
    k=$(grub_cfg_entry_kernel "$cfg" "$value")
  else
    k=$(kernel_named "$value" "$@")
  fi
  [[ -n $k && $k =~ ^[A-Za-z0-9._+~-]+$ ]] && printf '%s grub.cfg' "$k"
  return 0
}

# fstab_json: the devices fstab mounts by path (/dev/xvda1, /dev/nvme1n1p1) and how the others
# are named (UUID=, LABEL=, ...): device names exist only on one kind of instance type.
fstab_json() {
  local spec mountpoint _type options _rest sep='' out='[' n=0 exists
  [[ -r $FSTAB ]] || { printf 'null'; return 0; }
  while read -r spec mountpoint _type options _rest; do
    [[ -n $spec && $spec != \#* ]] || continue
    ((n++ < MAX_FSTAB_ENTRIES)) || break
    exists=null
    [[ $spec == /dev/* ]] && { [[ -e $spec ]] && exists=true || exists=false; }
    out+=$sep$(printf '{"spec":%s,"mountPoint":%s,"nofail":%s,"exists":%s}' "$(json_str "${spec:0:256}")" \
      "$(json_str_or_null "${mountpoint:0:256}")" "$([[ ,$options, == *,nofail,* ]] && echo true || echo false)" "$exists")
    sep=,
  done <"$FSTAB"
  printf '%s]' "$out"
}

ENA_INTERFACES=()
INTERFACES_JSON=null

# read_interfaces: sets INTERFACES_JSON and ENA_INTERFACES (the ena-bound names whose counters the
# report carries). Called directly, never in $(...): a subshell's ENA_INTERFACES would be lost, and
# the report would carry no counters at all.
read_interfaces() {
  local dir name driver version bus oper info sep='' out='['
  for dir in "$SYS_NET"/*; do
    name=$(basename "$dir")
    [[ $name == lo || ! -e $dir ]] && continue
    driver='' version='' bus=''
    if have ethtool && info=$(ethtool -i "$name" 2>/dev/null); then
      driver=$(sed -n 's/^driver: //p' <<<"$info")
      version=$(sed -n 's/^version: //p' <<<"$info")
      bus=$(sed -n 's/^bus-info: //p' <<<"$info")
    fi
    # sysfs fallback (no ethtool): the driver symlink, the module's version file, the device link.
    [[ -n $driver || ! -L $dir/device/driver ]] || driver=$(basename "$(readlink "$dir/device/driver")")
    [[ -n $version || -z $driver || ! -r /sys/module/$driver/version ]] || version=$(cat "/sys/module/$driver/version")
    [[ -n $bus || ! -L $dir/device ]] || bus=$(basename "$(readlink "$dir/device")")
    oper=$(cat "$dir/operstate" 2>/dev/null)
    [[ $driver == ena ]] && ENA_INTERFACES+=("$name")
    out+=$sep$(printf '{"name":%s,"driver":%s,"driverVersion":%s,"busInfo":%s,"operState":%s}' \
      "$(json_str "$name")" "$(json_str_or_null "$driver")" "$(json_str_or_null "$version")" \
      "$(json_str_or_null "$bus")" "$(json_str_or_null "$oper")")
    sep=,
  done
  INTERFACES_JSON="$out]"
}

# ethtool_stats_json MODE: "all", "global" (no per-queue counters) or "none". Counter names are
# kept only when they are plain identifiers, so they need no escaping.
ethtool_stats_json() {
  local mode=$1 name sep='' out='{' counters
  if [[ $mode == none ]] || ! have ethtool; then
    printf 'null'
    return 0
  fi
  for name in "${ENA_INTERFACES[@]}"; do
    counters=$(ethtool -S "$name" 2>/dev/null |
      awk -v mode="$mode" -F': *' '
        { gsub(/^[ \t]+/, "", $1) }
        $1 ~ /^[A-Za-z0-9_.-]+$/ && $2 ~ /^-?[0-9]+$/ {
          if (mode == "global" && $1 ~ /^queue_[0-9]+_/) next
          printf "%s\"%s\":%s", sep, $1, $2; sep = ","
        }')
    out+="$sep$(json_str "$name"):{$counters}"
    sep=,
  done
  printf '%s}' "$out"
}

kernel_log_source() {
  if [[ -n ${ENA_COLLECT_KERNEL_LOG:-} ]]; then
    cat -- "$ENA_COLLECT_KERNEL_LOG" 2>/dev/null
  elif dmesg 2>/dev/null; then
    :
  elif have journalctl; then
    journalctl -k -b --no-pager -o short 2>/dev/null
  fi
}

# The kernel log, filtered to ENA lines, one JSON string per line (most recent last).
KERNEL_LOG_ITEMS=()
collect_kernel_log() {
  mapfile -t KERNEL_LOG_ITEMS < <(kernel_log_source |
    grep -aE '(^|[^[:alnum:]_])ena([^[:alnum:]_]|$)|ENA_COM|Elastic Network Adapter' |
    tail -n "$MAX_LOG_LINES" | json_sanitize_utf8 | json_str_lines)
}

distro_json() {
  printf '{"id":%s,"versionId":%s,"prettyName":%s}' \
    "$(json_str_or_null "$(os_release_get /etc/os-release ID)")" \
    "$(json_str_or_null "$(os_release_get /etc/os-release VERSION_ID)")" \
    "$(json_str_or_null "$(os_release_get /etc/os-release PRETTY_NAME)")"
}

# busy_report: what a report says when the host lock could not be had.
busy_report() {
  local reason
  reason=$(json_str "host_busy: another EnaRemediate host job still holds $ENA_LOCK_FILE after ${ENA_LOCK_WAIT_SECONDS:-$LOCK_WAIT_SECONDS}s")
  printf '{"schema":"enaremediate.host-report/1","generatedAt":%s,"error":%s,"readiness":{"enaCanBeEnabled":false,"reasons":[%s]}}\n' \
    "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" "$reason" "$reason"
}

main() {
  local cmdline ifnames='' k kernels='' sep='' reasons='' can_enable=true entry persistent=false counters=all
  while (($# > 0)); do
    case $1 in
      --counters)
        [[ ${2:-} == all || ${2:-} == global ]] || { echo "collect-ena.sh: --counters takes all or global" >&2; exit 2; }
        counters=$2
        shift 2
        ;;
      *)
        echo "collect-ena.sh: unknown argument: $1" >&2
        exit 2
        ;;
    esac
  done
  trap ena_unlock EXIT
  ena_lock "$LOCK_WAIT_SECONDS" || { busy_report; exit "$ENA_EXIT_BUSY"; }
  cmdline=$(cat /proc/cmdline 2>/dev/null)
  if [[ " $cmdline " =~ [[:space:]]net\.ifnames=([^[:space:]]*) ]]; then ifnames=${BASH_REMATCH[1]}; fi
  [[ -e /etc/udev/rules.d/70-persistent-net.rules ]] && persistent=true

  local kernel_names
  mapfile -t kernel_names < <(kernel_list)
  for k in "${kernel_names[@]}"; do
    entry=$(kernel_json "$k")
    kernels+=$sep$entry
    sep=,
    if [[ $entry == *'"enaModule":null'* ]]; then
      can_enable=false
      reasons+=${reasons:+,}$(json_str "kernel $k has no ena module")
    fi
  done
  if ((${#kernel_names[@]} == 0)); then
    can_enable=false
    reasons=$(json_str "no kernel found under /lib/modules")
  fi

  local head dkms interfaces readiness boot boot_kernel='' boot_source=''
  boot=$(default_boot "${kernel_names[@]}")
  [[ -n $boot ]] && { boot_kernel=${boot% *} boot_source=${boot##* }; }
  head=$(printf '"schema":"enaremediate.host-report/1","generatedAt":%s,"hostname":%s,"distro":%s,"runningKernel":%s,"defaultBootKernel":%s,"defaultBootSource":%s,"kernelCommandLine":%s,"netIfnames":%s,"persistentNetRules":%s,"fstab":%s' \
    "$(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" "$(json_str "$(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)")" \
    "$(distro_json)" "$(json_str "$RUNNING_KERNEL")" "$(json_str_or_null "$boot_kernel")" "$(json_str_or_null "$boot_source")" \
    "$(json_str "$cmdline")" "$(json_str_or_null "$ifnames")" "$persistent" "$(fstab_json)")
  dkms=$(dkms_json)
  read_interfaces
  interfaces=$INTERFACES_JSON
  readiness=$(printf '{"enaCanBeEnabled":%s,"reasons":[%s]}' "$can_enable" "$reasons")
  collect_kernel_log

  # Render, then shrink until it fits: older log lines first, then per-queue counters, then all counters.
  local stats_mode=$counters keep=${#KERNEL_LOG_ITEMS[@]} truncated=false doc log_json
  while :; do
    log_json=$(printf '%s\n' "${KERNEL_LOG_ITEMS[@]:${#KERNEL_LOG_ITEMS[@]}-keep}" | sed '/^$/d' | paste -sd, -)
    doc=$(printf '{%s,"kernels":[%s],"dkms":%s,"interfaces":%s,"ethtoolStats":%s,"kernelLog":[%s],"readiness":%s,"truncated":%s}' \
      "$head" "$kernels" "$dkms" "$interfaces" "$(ethtool_stats_json "$stats_mode")" "$log_json" "$readiness" "$truncated")
    ((${#doc} > MAX_CHARS)) || break
    truncated=true
    if ((keep > 0)); then
      keep=$((keep / 2))
    elif [[ $stats_mode == all ]]; then
      stats_mode=global
    elif [[ $stats_mode == global ]]; then
      stats_mode=none
    else
      dkms=null interfaces=null
      doc=$(printf '{%s,"kernels":[%s],"dkms":null,"interfaces":null,"ethtoolStats":null,"kernelLog":[],"readiness":%s,"truncated":true}' \
        "$head" "$kernels" "$readiness")
      break
    fi
  done
  printf '%s\n' "$doc"
}

main "$@"
