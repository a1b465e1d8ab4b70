# shellcheck shell=bash
# Reads /etc/os-release without sourcing it: the file is data, never code.

# os_release_get FILE KEY: the unquoted value of KEY, or nothing when FILE or KEY is absent.
os_release_get() {
  local file=$1 key=$2 line value
  [[ -r $file ]] || return 0
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line == "$key="* ]] || continue
    value=${line#*=}
    if [[ $value == \"*\" || $value == \'*\' ]]; then
      value=${value:1:${#value}-2}
    fi
    printf '%s' "$value"
    return 0
  done <"$file"
}
