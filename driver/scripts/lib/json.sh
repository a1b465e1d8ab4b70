# shellcheck shell=bash
# JSON encoding for host scripts. Hosts may lack jq, so every helper has a pure-bash path; jq is
# used when present because it is the reference encoder. ENA_JSON_NO_JQ=1 forces the bash path
# (the tests run both paths on the same hostile strings and compare the parsed values).

json_have_jq() {
  [[ -z ${ENA_JSON_NO_JQ:-} ]] && command -v jq >/dev/null 2>&1
}

# json_escape_bash VALUE: VALUE as a JSON string literal, without any external program.
json_escape_bash() {
  local LC_ALL=C
  local s=$1 out='' ch code i
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  # Any other control character (and DEL) becomes \u00XX; bytes >= 0x80 pass through as UTF-8.
  if [[ $s == *[$'\001'-$'\037'$'\177']* ]]; then
    for ((i = 0; i < ${#s}; i++)); do
      ch=${s:i:1}
      if [[ $ch == [$'\001'-$'\037'$'\177'] ]]; then
        printf -v code '\\u%04x' "'$ch"
        out+=$code
      else
        out+=$ch
      fi
    done
    s=$out
  fi
  printf '"%s"' "$s"
}

# json_str VALUE: VALUE as a JSON string literal. Values with nothing to escape (no quote,
# backslash or control character: most paths, versions, kernel names) skip the encoder.
json_str() {
  local LC_ALL=C
  if [[ $1 != *[\"\\$'\001'-$'\037'$'\177']* ]]; then
    printf '"%s"' "$1"
  elif json_have_jq; then
    jq -nj --arg s "$1" '$s | tojson'
  else
    json_escape_bash "$1"
  fi
}

# json_str_or_null VALUE: null for an empty VALUE, else the string literal.
json_str_or_null() {
  if [[ -z $1 ]]; then printf 'null'; else json_str "$1"; fi
}

# json_bool VALUE: true for "true"/"1"/"yes", false otherwise.
json_bool() {
  case $1 in true | 1 | yes) printf 'true' ;; *) printf 'false' ;; esac
}

# json_str_lines: each stdin line as one JSON string literal per output line (one jq for all).
json_str_lines() {
  if json_have_jq; then
    jq -R .
  else
    local line
    while IFS= read -r line || [[ -n $line ]]; do
      json_escape_bash "$line"
      printf '\n'
    done
  fi
}

# json_lines_array: stdin lines as one JSON array of strings.
json_lines_array() {
  local items
  items=$(json_str_lines | paste -sd, -)
  printf '[%s]\n' "$items"
}

# json_sanitize_utf8: drops invalid UTF-8 from stdin (kernel logs can hold any byte), when iconv exists.
json_sanitize_utf8() {
  if command -v iconv >/dev/null 2>&1; then
    iconv -f UTF-8 -t UTF-8 -c
  else
    LC_ALL=C tr -d '\200-\377'
  fi
}
