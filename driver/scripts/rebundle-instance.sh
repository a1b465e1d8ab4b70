#!/usr/bin/env bash
# rebundle-instance.sh: bundles the root file system of this instance-store-backed instance with
# the EC2 AMI tools and uploads the bundle to S3, so that an AMI can be registered from it
# (docs/instance-store.md, "The replacement journey"). It changes nothing on the host but its own
# temporary directory.
#
#   rebundle-instance.sh --bucket BUCKET --key-prefix PREFIX [--architecture i386|x86_64|arm64]
#
# The AMI tools' documented commands:
#   ec2-bundle-vol -k KEY -c CERT -u ACCOUNT -r ARCH -d DIR -p image -e DIR --batch
#   ec2-upload-bundle -b BUCKET/PREFIX -m DIR/image.manifest.xml -a KEY_ID -s SECRET -t TOKEN
#     --region REGION --batch --retry
# The signing key and certificate are made for this bundle with openssl (the AMI tools do not need
# them registered with the account) and live in the work directory, which is excluded from the
# bundle and removed at exit. ec2-bundle-vol's default filter leaves other keys and certificates
# out of the bundle too. The account, Region and temporary credentials of the instance profile
# come from the instance metadata (IMDSv2); the profile needs s3:PutObject on BUCKET/PREFIX/*.
# ec2-upload-bundle takes them only as arguments (-a -s -t): they are the short-lived credentials
# the instance already holds, visible to root on the host for the few minutes of the upload.
#
# Every value is checked against lib/bundle-args.sh's patterns and passed as its own argument; none is
# ever evaluated. The last stdout line is the result:
#   {"status":"uploaded","manifest":"BUCKET/PREFIX/image.manifest.xml","error":null}
#   {"status":"failed","manifest":null,"error":"CODE: what went wrong"}
# Exit 0 uploaded, 1 failed, 64 bad usage, 75 another EnaRemediate host job holds the lock.
#
# Environment: ENA_LOCK_FILE, ENA_LOCK_WAIT_SECONDS, ENA_LOCK_METHOD: see lib/lock.sh.
# shellcheck source-path=SCRIPTDIR
set -uo pipefail
export LC_ALL=C

ENA_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib"
# shellcheck source=lib/bundle-args.sh
. "$ENA_LIB_DIR/bundle-args.sh" # ena-include
# shellcheck source=lib/json.sh
. "$ENA_LIB_DIR/json.sh" # ena-include
# shellcheck source=lib/lock.sh
. "$ENA_LIB_DIR/lock.sh" # ena-include

readonly EXIT_USAGE=64
readonly LOCK_WAIT_SECONDS=300
readonly IMDS=http://169.254.169.254
BUCKET='' PREFIX='' ARCH=x86_64 WORK=''

usage() {
  printf 'usage: rebundle-instance.sh --bucket BUCKET --key-prefix PREFIX [--architecture i386|x86_64|arm64]\n'
}

# result STATUS MANIFEST ERROR: the result line (empty values become null).
result() {
  printf '{"status":%s,"manifest":%s,"error":%s}\n' "$(json_str "$1")" "$(json_str_or_null "$2")" "$(json_str_or_null "$3")"
}

fail() {
  printf 'rebundle-instance.sh: %s\n' "$1" >&2
  result failed '' "$1"
  exit "${2:-1}"
}

usage_error() {
  usage >&2
  fail "usage: $1" "$EXIT_USAGE"
}

cleanup() {
  if [[ -n $WORK && -d $WORK ]]; then rm -rf -- "$WORK"; fi
  ena_unlock
}
trap cleanup EXIT

parse_args() {
  local option value
  while (($#)); do
    option=$1
    case $option in
      -h | --help) usage; exit 0 ;;
      --bucket | --key-prefix | --architecture) ;;
      *) usage_error "unknown argument '${option//[^A-Za-z0-9._=-]/?}'" ;;
    esac
    (($# >= 2)) || usage_error "$option needs a value"
    value=$2
    shift 2
    case $option in
      --bucket) [[ $value =~ $RE_BUCKET && $value != *..* ]] || usage_error "--bucket must be an S3 bucket name"; BUCKET=$value ;;
      --key-prefix) [[ $value =~ $RE_KEY_PREFIX && $value != *..* ]] || usage_error "--key-prefix must be of [A-Za-z0-9._/-] without '..'"; PREFIX=$value ;;
      --architecture) [[ $value =~ $RE_ARCHITECTURE ]] || usage_error "--architecture must be i386, x86_64 or arm64"; ARCH=$value ;;
    esac
  done
  [[ -n $BUCKET ]] || usage_error "--bucket is required"
  [[ -n $PREFIX ]] || usage_error "--key-prefix is required"
}

# imds PATH: one instance metadata value (IMDSv2: a session token first).
imds() {
  local token
  token=$(curl -fsS -m 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$IMDS/latest/api/token") || return 1
  curl -fsS -m 5 -H "X-aws-ec2-metadata-token: $token" "$IMDS/latest/$1"
}

# field NAME: the string value of NAME in the JSON document on stdin (IMDS prints one key a line).
field() {
  sed -n 's/^[[:space:]]*"'"$1"'"[[:space:]]*:[[:space:]]*"\([^"]*\)".*$/\1/p' | head -n 1
}

main() {
  parse_args "$@"
  local tool identity account region role credentials key_id secret token manifest
  for tool in ec2-bundle-vol ec2-upload-bundle openssl curl; do
    command -v "$tool" >/dev/null 2>&1 || fail "tools_missing: $tool is not installed (the EC2 AMI tools provide ec2-bundle-vol and ec2-upload-bundle)"
  done
  ena_lock "$LOCK_WAIT_SECONDS" || fail "host_busy: another EnaRemediate host job still holds $ENA_LOCK_FILE" "$ENA_EXIT_BUSY"

  identity=$(imds dynamic/instance-identity/document) || fail "imds_unavailable: the instance identity document could not be read"
  account=$(field accountId <<<"$identity")
  region=$(field region <<<"$identity")
  [[ $account =~ ^[0-9]{12}$ && $region =~ ^[a-z0-9-]{1,32}$ ]] || fail "imds_unavailable: no account id or Region in the identity document"
  role=$(imds meta-data/iam/security-credentials/ | head -n 1) || role=''
  [[ $role =~ ^[A-Za-z0-9+=,.@_-]{1,128}$ ]] || fail "no_instance_profile: the instance has no IAM role to upload with"
  credentials=$(imds "meta-data/iam/security-credentials/$role") || fail "no_instance_profile: the role's credentials could not be read"
  key_id=$(field AccessKeyId <<<"$credentials")
  secret=$(field SecretAccessKey <<<"$credentials")
  token=$(field Token <<<"$credentials")
  [[ -n $key_id && -n $secret && -n $token ]] || fail "no_instance_profile: the role's credentials are incomplete"

  WORK=$(mktemp -d /mnt/enaremediate-bundle.XXXXXX 2>/dev/null || mktemp -d "${TMPDIR:-/tmp}/enaremediate-bundle.XXXXXX") ||
    fail "no_space: no work directory for the bundle"
  chmod 700 "$WORK"
  openssl req -new -x509 -nodes -sha256 -days 1 -newkey rsa:2048 -subj /CN=enaremediate-bundle \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1 || fail "signing_key: openssl could not make the bundle's signing key"

  ec2-bundle-vol -k "$WORK/key.pem" -c "$WORK/cert.pem" -u "$account" -r "$ARCH" \
    -d "$WORK" -p image -e "$WORK" --batch >&2 || fail "bundle_failed: ec2-bundle-vol failed (see stderr)"
  ec2-upload-bundle -b "$BUCKET/$PREFIX" -m "$WORK/image.manifest.xml" -a "$key_id" -s "$secret" -t "$token" \
    --region "$region" --batch --retry >&2 || fail "upload_failed: ec2-upload-bundle could not upload to s3://$BUCKET/$PREFIX/"
  manifest="$BUCKET/$PREFIX/image.manifest.xml"
  result uploaded "$manifest" ''
}

main "$@"
