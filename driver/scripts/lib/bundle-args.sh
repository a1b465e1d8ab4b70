# shellcheck shell=bash
# The character sets of rebundle-instance.sh's values (the S3 bucket in S3's naming rules, the key
# prefix, the architecture ec2-bundle-vol records in the manifest). The SSM document's
# allowedPattern is the first gate; the script checks them again.
# shellcheck disable=SC2034 # read by the scripts that include this file
readonly RE_BUCKET='^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$'
readonly RE_KEY_PREFIX='^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$'
readonly RE_ARCHITECTURE='^(i386|x86_64|arm64)$'
