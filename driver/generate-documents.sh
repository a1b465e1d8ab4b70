#!/usr/bin/env bash
# generate-documents.sh: builds the SSM Command documents from the host scripts and the manifest.
#
#   driver/generate-documents.sh [OUT_DIR]     (default: driver/documents)
#
# The scripts are the single source of the host logic; the documents only wrap them. SSM pastes
# {{ Param }} values into the document text before any shell sees it, so each value lands inside
# a single-quoted assignment, and its allowedPattern excludes quotes, backslashes and newlines:
# the value cannot leave the quotes. The script itself is written out through a quoted
# heredoc (no expansion) and gets the values as separate "$@" arguments; the scripts check
# each one again against the same character sets (lib/args.sh, also the source of the patterns).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail
driver_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out_dir=${1:-$driver_dir/documents}
manifest=$driver_dir/ena-driver.json
readonly END_MARK=ENAREMEDIATE_SCRIPT_END
# The documents' allowedPattern values are the scripts' own patterns (lib/args.sh).
# shellcheck source=scripts/lib/args.sh
. "$driver_dir/scripts/lib/args.sh"
# shellcheck source=scripts/lib/bundle-args.sh
. "$driver_dir/scripts/lib/bundle-args.sh"

# libs SCRIPT...: the lib/*.sh files the scripts include (`. "$ENA_LIB_DIR/x.sh" # ena-include`), once each.
libs() {
  # shellcheck disable=SC2016 # the $ is part of the line looked for
  sed -n 's|^\. "\$ENA_LIB_DIR/\([a-z-]*\.sh\)" # ena-include$|\1|p' "$@" | sort -u
}

# stripped FILE: FILE without its comment lines (the shebang and heredoc bodies stay): the
# documents must fit SSM's 64 KB, and the commented source is in the repository.
stripped() {
  awk '
    heredoc != "" { print; if ($0 == heredoc) heredoc = ""; next }
    /^[[:space:]]*#/ && !/^#!/ { next }
    { print }
    match($0, /<<-?'"'"'?[A-Z_]+'"'"'?/) { heredoc = substr($0, RSTART, RLENGTH); gsub(/[<>'"'"'-]/, "", heredoc) }
  ' "$1"
}

# check_embeddable TEXT NAME: SSM would substitute "{{" sequences, and the end mark would end the heredoc early.
check_embeddable() {
  if grep -q '{{' <<<"$1"; then echo "generate-documents.sh: $2 contains '{{', which SSM would substitute" >&2; exit 1; fi
  if grep -qx "$END_MARK" <<<"$1"; then echo "generate-documents.sh: $2 contains the line $END_MARK" >&2; exit 1; fi
}

# embed FILE TARGET: the shell text that writes FILE (comments stripped) to TARGET on the host.
embed() {
  local text
  text=$(stripped "$1")
  check_embeddable "$text" "$1"
  printf "cat >\"\$ena_dir/%s\" <<'%s'\n%s\n%s\n" "$2" "$END_MARK" "$text" "$END_MARK"
}

# document DESCRIPTION PARAMETERS_JSON STEP_NAME TIMEOUT PRELUDE INVOCATION SCRIPT_FILE...: the
# scripts and the lib/*.sh they include are written into one private directory on the host, as in
# the repository (scripts beside each other, libs in lib/), so a script can run another one beside
# it (offline-repair.sh runs install-ena.sh) and the libs are in the document once.
document() {
  local description=$1 parameters=$2 step=$3 timeout=$4 prelude=$5 invocation=$6 file lib body
  shift 6
  # shellcheck disable=SC2016 # the $ena_dir is text for the document, expanded later on the host
  body=$(printf 'mkdir "$ena_dir/lib"\n')$'\n'
  for lib in $(libs "$@"); do
    [[ -f $driver_dir/scripts/lib/$lib ]] || { echo "generate-documents.sh: missing scripts/lib/$lib" >&2; exit 1; }
    body+=$(embed "$driver_dir/scripts/lib/$lib" "lib/$lib")$'\n'
  done
  for file in "$@"; do
    body+=$(embed "$file" "$(basename "$file")")$'\n'
  done
  {
    printf '%s\n' "$prelude"
    # shellcheck disable=SC2016 # the $(...) is text for the document, run later on the host
    printf 'ena_dir=$(mktemp -d /tmp/enaremediate.XXXXXX)\n'
    printf "trap 'rm -rf \"\$ena_dir\"' EXIT\n"
    printf '%s' "$body"
    printf '%s\n' "$invocation"
  } | jq -R . | jq -s --indent 2 \
    --arg description "$description" --argjson parameters "$parameters" \
    --arg step "$step" --arg timeout "$timeout" '{
      schemaVersion: "2.2",
      description: $description,
      parameters: $parameters,
      mainSteps: [{
        action: "aws:runShellScript",
        name: $step,
        precondition: { StringEquals: ["platformType", "Linux"] },
        inputs: { timeoutSeconds: $timeout, runCommand: . }
      }]
    }'
}

# The install parameters, shared by EnaRemediate-InstallDriver and EnaRemediate-OfflineRepair. The
# patterns come from lib/args.sh, the one definition the scripts check again.
install_parameters=$(jq --indent 2 --arg source "$RE_SOURCE" --arg sha256 "$RE_SHA256" --arg version "$RE_VERSION" '.release as $r | {
  SourceArchive: {
    type: "String",
    description: "https:// URL or s3://BUCKET/KEY of the amzn-drivers release archive (.tar.gz or .tar), never a local path. Default: the pinned release on GitHub; hosts without internet use the copy driver/package-release.sh puts in the stack'"'"'s bucket.",
    default: $r.archiveUrl,
    allowedPattern: $source
  },
  Sha256: {
    type: "String",
    description: "sha256 of the archive'"'"'s uncompressed tar stream, 64 hex digits; verified before anything is unpacked. Default: the pin in driver/ena-driver.json.",
    default: $r.sha256,
    allowedPattern: $sha256
  },
  Version: {
    type: "String",
    description: "The version the source must declare in DRV_MODULE_GEN_* (X.Y.Z); empty: take it from the source.",
    default: $r.version,
    allowedPattern: ("^(" + ($version | ltrimstr("^") | rtrimstr("$")) + ")?$")
  },
  Kernels: {
    type: "String",
    description: "Kernel releases to install for, separated by spaces or commas; empty: the running kernel and every installed kernel.",
    default: "",
    allowedPattern: "^[A-Za-z0-9._+~, -]{0,1024}$"
  }
}' "$manifest")

offline_parameters=$(jq --indent 2 --arg device "$RE_TARGET_DEVICE" --arg volume "$RE_VOLUME_ID" '{
  TargetDevice: {
    type: "String",
    description: "The device name the broken root volume was attached at on this rescue instance (/dev/sdf); on a Nitro rescue it appears as /dev/nvmeXn1 and is found by VolumeId.",
    allowedPattern: $device
  },
  VolumeId: {
    type: "String",
    description: "The EBS volume id of that volume (vol-...); finds its NVMe device on a Nitro rescue instance. Empty: TargetDevice alone.",
    default: "",
    allowedPattern: ("^(" + ($volume | ltrimstr("^") | rtrimstr("$")) + ")?$")
  }
} + (. | with_entries(.value.description |= sub("empty: the running kernel and every installed kernel"; "empty: every kernel installed on the volume"))) ' <<<"$install_parameters")

install_prelude_values=$(cat <<'SH'
set -eu
set -f
ENA_SOURCE_ARCHIVE='{{ SourceArchive }}'
ENA_SHA256='{{ Sha256 }}'
ENA_VERSION='{{ Version }}'
ENA_KERNELS='{{ Kernels }}'
SH
)
install_arguments=$(cat <<'SH'
set -- --source-archive "$ENA_SOURCE_ARCHIVE" --sha256 "$ENA_SHA256"
if [ -n "$ENA_VERSION" ]; then set -- "$@" --version "$ENA_VERSION"; fi
for ena_kernel in $(printf '%s' "$ENA_KERNELS" | tr ',' ' '); do set -- "$@" --kernel "$ena_kernel"; done
SH
)

install_prelude=$(printf '#!/bin/sh\n# Generated by driver/generate-documents.sh from driver/scripts/install-ena.sh: do not edit.\n%s' "$install_prelude_values")
install_invocation=$(cat <<SH
$install_arguments
ena_status=0
bash "\$ena_dir/install-ena.sh" "\$@" || ena_status=\$?
exit "\$ena_status"
SH
)

offline_prelude=$(cat <<SH
#!/bin/sh
# Generated by driver/generate-documents.sh from driver/scripts/offline-repair.sh and install-ena.sh: do not edit.
$install_prelude_values
ENA_TARGET_DEVICE='{{ TargetDevice }}'
ENA_VOLUME_ID='{{ VolumeId }}'
SH
)
offline_invocation=$(cat <<SH
$install_arguments
set -- "\$@" --target-device "\$ENA_TARGET_DEVICE"
if [ -n "\$ENA_VOLUME_ID" ]; then set -- "\$@" --volume-id "\$ENA_VOLUME_ID"; fi
ena_status=0
bash "\$ena_dir/offline-repair.sh" "\$@" || ena_status=\$?
exit "\$ena_status"
SH
)

# Counters matches one of two words (SSM refuses any other value), so its substitution is plain text.
collect_parameters=$(jq -n --indent 2 '{
  Counters: {
    type: "String",
    description: "all: every ethtool counter; global: the device-wide counters only, no per-queue ones (the final validation: its verdict needs no per-queue counter, and a short report then fits in a command listing)",
    allowedPattern: "^(all|global)$",
    default: "all"
  }
}')
collect_prelude=$(cat <<'SH'
#!/bin/sh
# Generated by driver/generate-documents.sh from driver/scripts/collect-ena.sh: do not edit.
set -eu
ENA_COUNTERS='{{ Counters }}'
SH
)
collect_invocation=$(cat <<'SH'
ena_status=0
bash "$ena_dir/collect-ena.sh" --counters "$ENA_COUNTERS" || ena_status=$?
exit "$ena_status"
SH
)

rebundle_parameters=$(jq -n --indent 2 --arg bucket "$RE_BUCKET" --arg prefix "$RE_KEY_PREFIX" --arg arch "$RE_ARCHITECTURE" '{
  Bucket: {
    type: "String",
    description: "The S3 bucket of this account the bundle is uploaded to (the stack'"'"'s bucket).",
    allowedPattern: $bucket
  },
  KeyPrefix: {
    type: "String",
    description: "The key prefix under which the bundle parts and image.manifest.xml go (no leading slash, no '"'"'..'"'"').",
    allowedPattern: $prefix
  },
  Architecture: {
    type: "String",
    description: "The architecture ec2-bundle-vol records in the manifest (the source AMI'"'"'s).",
    default: "x86_64",
    allowedPattern: $arch
  }
}')
rebundle_prelude=$(cat <<'SH'
#!/bin/sh
# Generated by driver/generate-documents.sh from driver/scripts/rebundle-instance.sh: do not edit.
set -eu
set -f
ENA_BUCKET='{{ Bucket }}'
ENA_KEY_PREFIX='{{ KeyPrefix }}'
ENA_ARCHITECTURE='{{ Architecture }}'
SH
)
rebundle_invocation=$(cat <<'SH'
ena_status=0
bash "$ena_dir/rebundle-instance.sh" --bucket "$ENA_BUCKET" --key-prefix "$ENA_KEY_PREFIX" --architecture "$ENA_ARCHITECTURE" || ena_status=$?
exit "$ena_status"
SH
)

mkdir -p "$out_dir"
scripts=$driver_dir/scripts
document "EnaRemediate: install the pinned upstream ENA driver through DKMS for every installed kernel (driver/scripts/install-ena.sh). The last stdout line is the install result JSON." \
  "$install_parameters" installEnaDriver 1800 "$install_prelude" "$install_invocation" "$scripts/install-ena.sh" \
  >"$out_dir/EnaRemediate-InstallDriver.json"
document "EnaRemediate: on a rescue instance, install the ENA driver through DKMS into the root volume of a broken instance attached at TargetDevice: mount, chroot, every kernel on the volume, its initramfs, unmount (driver/scripts/offline-repair.sh). The last stdout line is the offline-repair result JSON." \
  "$offline_parameters" offlineRepair 3600 "$offline_prelude" "$offline_invocation" "$scripts/offline-repair.sh" "$scripts/install-ena.sh" \
  >"$out_dir/EnaRemediate-OfflineRepair.json"
document "EnaRemediate: print the ENA host report (schema enaremediate.host-report/1, driver/scripts/collect-ena.sh). Read-only." \
  "$collect_parameters" collectHostReport 120 "$collect_prelude" "$collect_invocation" "$scripts/collect-ena.sh" \
  >"$out_dir/EnaRemediate-CollectHostReport.json"
document "EnaRemediate: bundle this instance-store-backed instance's root file system with the EC2 AMI tools (ec2-bundle-vol) and upload it to s3://Bucket/KeyPrefix/ (ec2-upload-bundle) for RegisterImage (driver/scripts/rebundle-instance.sh). The last stdout line is the result JSON." \
  "$rebundle_parameters" rebundleInstance 7200 "$rebundle_prelude" "$rebundle_invocation" "$scripts/rebundle-instance.sh" \
  >"$out_dir/EnaRemediate-RebundleInstance.json"
