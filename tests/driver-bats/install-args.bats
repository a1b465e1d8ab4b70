#!/usr/bin/env bats
# install-ena.sh argument handling: every bad value is refused with exit 64 and a failed result
# line, before anything runs; nothing from an argument is ever evaluated.

load helpers

setup_file() { serve_test_archive; }

teardown_file() { s3_stop; }

setup() {
  use_test_archive
  ROOT=$(make_root debian-12 6.1.0-26-cloud-amd64)
}

assert_usage_error() {
  [ "$status" -eq 64 ]
  [ "$(last_json | jq -r .status)" = failed ]
  last_json | jq -e '.log | startswith("usage: ")' >/dev/null
}

@test "no arguments: usage error with a failed result line" {
  run "$INSTALL"
  assert_usage_error
  [[ $(last_json | jq -r .log) == *"--source-archive is required"* ]]
}

@test "--sha256 is required" {
  run "$INSTALL" --source-archive "$ARCHIVE"
  assert_usage_error
}

@test "malformed checksums are refused" {
  for bad in 123 "${SHA:1}" "${SHA:1}g" "$SHA$SHA" "${SHA:2} ;"; do
    run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$bad" --root "$ROOT" --dry-run
    assert_usage_error
  done
}

@test "source archives outside the allowed forms are refused" {
  for bad in relative/ena.tar.gz "http://example.com/ena.tar.gz" "/tmp/a b.tar.gz" "/tmp/'x'" \
    '/tmp/$(id)' "/tmp/../etc/passwd" "ftp://x/y" "file:///tmp/x" "/tmp/x;id" \
    "https://example.com/../etc/passwd" "s3://Bucket_With_Caps/key" "s3://bucket" "https://" "https://a b/c"; do
    run "$INSTALL" --source-archive "$bad" --sha256 "$SHA" --root "$ROOT" --dry-run
    assert_usage_error
  done
}

@test "a local path is never read: /etc/shadow is refused and its digest never printed" {
  secret=$BATS_TEST_TMPDIR/shadow
  printf 'root:$6$secret:19000:0:99999:7:::\n' >"$secret"
  digest=$(sha256sum "$secret" | cut -d' ' -f1)
  for source in "$secret" /etc/shadow /etc/passwd; do
    run "$INSTALL" --source-archive "$source" --sha256 "$(printf '%064d' 0)" --root "$ROOT" --dry-run
    assert_usage_error
    [[ $(last_json | jq -r .log) == *"never a local path"* ]]
  done
  run "$INSTALL" --source-archive "$secret" --sha256 "$(printf '%064d' 0)" --root "$ROOT" --dry-run
  [[ $output != *"$digest"* ]]
}

@test "the digest is that of the tar stream: any gzip of the same tar, or the plain tar, is accepted" {
  tar_file=$BATS_TEST_TMPDIR/ena.tar
  gzip -dc "$BATS_FILE_TMPDIR/ena.tar.gz" >"$tar_file"
  gzip -9 -c "$tar_file" >"$BATS_TEST_TMPDIR/other.tar.gz"
  # Different compressed bytes (name and time in the header, level), the same tar stream.
  run cmp -s "$BATS_FILE_TMPDIR/ena.tar.gz" "$BATS_TEST_TMPDIR/other.tar.gz"
  [ "$status" -eq 1 ]
  for file in "$BATS_TEST_TMPDIR/other.tar.gz" "$tar_file"; do
    url=$(s3_put "$file" "variants/$(basename "$file")")
    run "$INSTALL" --source-archive "$url" --sha256 "$SHA" --version 9.8.7 --root "$ROOT" --dry-run
    [ "$status" -eq 0 ]
    [ "$(last_json | jq -r .status)" = dry-run ]
    [[ $output == *"checksum ok: tar stream sha256 $SHA"* ]]
  done
}

@test "a tar stream with one byte changed is refused, and the message names no digest it found" {
  tar_file=$BATS_TEST_TMPDIR/ena.tar
  gzip -dc "$BATS_FILE_TMPDIR/ena.tar.gz" >"$tar_file"
  printf '#define EXTRA 1\n' | dd of="$tar_file" bs=1 seek=700 conv=notrunc status=none
  actual=$(sha256sum "$tar_file" | cut -d' ' -f1)
  gzip -n -c "$tar_file" >"$BATS_TEST_TMPDIR/tampered.tar.gz"
  url=$(s3_put "$BATS_TEST_TMPDIR/tampered.tar.gz" variants/tampered.tar.gz)
  run "$INSTALL" --source-archive "$url" --sha256 "$SHA" --root "$ROOT" --dry-run
  [ "$status" -eq 1 ]
  [[ $(last_json | jq -r '.kernels[0].error') == "checksum_mismatch: the tar stream of $url does not have the expected sha256 $SHA; nothing was unpacked" ]]
  [[ $output != *"$actual"* ]]
}

@test "an archive that is not gzip or tar is refused as a bad archive after the checksum" {
  printf 'not an archive' >"$BATS_TEST_TMPDIR/junk"
  url=$(s3_put "$BATS_TEST_TMPDIR/junk" variants/junk)
  run "$INSTALL" --source-archive "$url" --sha256 "$(sha256sum "$BATS_TEST_TMPDIR/junk" | cut -d' ' -f1)" --root "$ROOT" --dry-run
  [ "$status" -eq 1 ]
  [[ $(last_json | jq -r '.kernels[0].error') == bad_archive:* ]]
}

@test "a missing S3 object is a download failure" {
  run "$INSTALL" --source-archive "s3://$TEST_BUCKET/none/ena.tar.gz" --sha256 "$SHA" --root "$ROOT" --dry-run
  [ "$status" -eq 1 ]
  [[ $(last_json | jq -r '.kernels[0].error') == download_failed:* ]]
}

@test "hostile kernel values are refused and never run" {
  for bad in '$(touch '"$BATS_TEST_TMPDIR"'/pwned)' '`touch x`' '--dry-run' 'a;b' '' '6.1 0' '../x'; do
    run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --root "$ROOT" --dry-run --kernel "$bad"
    assert_usage_error
  done
  [ ! -e "$BATS_TEST_TMPDIR/pwned" ]
}

@test "versions must be X.Y.Z" {
  for bad in 2.16 2.16.1g v2.16.1 '2.16.1;' 2.16.1.0; do
    run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --version "$bad" --root "$ROOT" --dry-run
    assert_usage_error
  done
}

@test "unknown, missing-value and repeated options are refused" {
  run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --force
  assert_usage_error
  run "$INSTALL" --source-archive "$ARCHIVE" --sha256
  assert_usage_error
  run "$INSTALL" --source-archive "$ARCHIVE" --source-archive "$ARCHIVE" --sha256 "$SHA"
  assert_usage_error
  run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --root "$BATS_TEST_TMPDIR/does-not-exist"
  assert_usage_error
  ENAREMEDIATE_PACKAGES=always run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --root "$ROOT"
  assert_usage_error
}

@test "--help prints the usage and exits 0" {
  run "$INSTALL" --help
  [ "$status" -eq 0 ]
  [[ $output == *"--source-archive URL --sha256 HEX"* ]]
}

@test "dry run into a root: plan and result, and the root is left exactly as it was" {
  before=$(cd "$ROOT" && find . -printf '%p %s %T@\n' | sort)
  run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --version 9.8.7 --root "$ROOT" --dry-run
  [ "$status" -eq 0 ]
  [ "$(last_json | jq -r .status)" = dry-run ]
  [ "$(last_json | jq -r .version)" = 9.8.7 ]
  [ "$(last_json | jq -r '.kernels[0].kernel')" = 6.1.0-26-cloud-amd64 ]
  [ "$(last_json | jq -r '.kernels[0].headers')" = false ]
  [[ $output == *"plan: root $ROOT"* ]]
  [[ $output == *"plan: kernel 6.1.0-26-cloud-amd64: headers missing; dkms build + install"* ]]
  after=$(cd "$ROOT" && find . -printf '%p %s %T@\n' | sort)
  [ "$before" = "$after" ]
}

@test "with --root the default kernels are the root's, not the running one" {
  mkdir -p "$ROOT/lib/modules/6.1.0-27-cloud-amd64"
  run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --root "$ROOT" --dry-run
  [ "$status" -eq 0 ]
  [ "$(last_json | jq -c '[.kernels[].kernel]')" = '["6.1.0-26-cloud-amd64","6.1.0-27-cloud-amd64"]' ]
}

@test "a wrong checksum fails before anything is unpacked" {
  export TMPDIR=$BATS_TEST_TMPDIR/tmp
  mkdir -p "$TMPDIR"
  run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$(printf '%064d' 0)" --root "$ROOT" --dry-run
  [ "$status" -eq 1 ]
  [ "$(last_json | jq -r .status)" = failed ]
  [[ $(last_json | jq -r '.kernels[0].error') == checksum_mismatch:* ]]
  [ -z "$(ls -A "$TMPDIR")" ]
}

@test "the version the source declares must match --version" {
  run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --version 9.8.6 --root "$ROOT" --dry-run
  [ "$status" -eq 1 ]
  [[ $(last_json | jq -r '.kernels[0].error') == "version_mismatch: the source declares 9.8.7, expected 9.8.6" ]]
}

@test "archives with escaping member paths are refused" {
  stage=$BATS_TEST_TMPDIR/evil
  mkdir -p "$stage/a"
  printf 'x' >"$stage/evil"
  tar -C "$stage/a" -czf "$BATS_TEST_TMPDIR/evil.tar.gz" ../evil
  run "$INSTALL" --source-archive "$(s3_put "$BATS_TEST_TMPDIR/evil.tar.gz" evil.tar.gz)" --sha256 "$(sha_of "$BATS_TEST_TMPDIR/evil.tar.gz")" --root "$ROOT" --dry-run
  [ "$status" -eq 1 ]
  [[ $(last_json | jq -r '.kernels[0].error') == bad_archive:* ]]
}

@test "archives without the upstream layout are refused" {
  mkdir -p "$BATS_TEST_TMPDIR/flat"
  printf 'x' >"$BATS_TEST_TMPDIR/flat/ena_netdev.h"
  tar -C "$BATS_TEST_TMPDIR/flat" -czf "$BATS_TEST_TMPDIR/flat.tar.gz" ena_netdev.h
  run "$INSTALL" --source-archive "$(s3_put "$BATS_TEST_TMPDIR/flat.tar.gz" flat.tar.gz)" --sha256 "$(sha_of "$BATS_TEST_TMPDIR/flat.tar.gz")" --root "$ROOT" --dry-run
  [ "$status" -eq 1 ]
  [[ $(last_json | jq -r '.kernels[0].error') == "bad_archive:"*"upstream layout"* ]]
}

@test "a real install into a root without /proc mounted is refused before any change" {
  before=$(cd "$ROOT" && find . | sort)
  run "$INSTALL" --source-archive "$ARCHIVE" --sha256 "$SHA" --root "$ROOT"
  [ "$status" -eq 1 ]
  [[ $(last_json | jq -r '.kernels[0].error') == root_not_prepared:* ]]
  [ "$before" = "$(cd "$ROOT" && find . | sort)" ]
}
