# shellcheck shell=bash
# The character sets every value of the driver parameters must match, shared by install-ena.sh and
# offline-repair.sh (which checks them before it mounts anything). The SSM documents' allowedPattern
# is a first gate; these are the second, so a value the document lets through is still refused.
# shellcheck disable=SC2034 # read by the scripts that include this file

# https://HOST[:PORT]/PATH or s3://BUCKET/KEY (S3's bucket naming rules); never a local path, so a
# caller cannot make a host read, hash or report on one of its own files.
readonly RE_SOURCE='^(https://[A-Za-z0-9.-]+(:[0-9]{1,5})?|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/[A-Za-z0-9._~:/+%=@-]+$'
readonly RE_SHA256='^[0-9a-fA-F]{64}$'
readonly RE_VERSION='^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}$'
readonly RE_KERNEL='^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$'
# offline-repair.sh: where the broken volume is attached on the rescue instance, and its EBS id.
readonly RE_TARGET_DEVICE='^/dev/(sd[a-z]{1,2}|xvd[a-z]{1,2}|nvme[0-9]{1,3}n[0-9]{1,3})$'
readonly RE_VOLUME_ID='^vol-([0-9a-f]{8}|[0-9a-f]{17})$'
