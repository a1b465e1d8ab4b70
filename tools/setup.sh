#!/usr/bin/env bash
# Installs what the tests need on a fresh machine: the real dkms, kernel headers and ENA source
# (driver bundle tests), debootstrap (the Debian root volume of the offline-repair test, built
# lazily by the test and cached under /var/cache/enaremediate-tests), shellcheck and bats (host
# scripts), moto's S3 server and the aws CLI (host scripts fetch archives only from s3:// or
# https://), the npm validators and dynalite (templates, documents, DynamoDB store), and chromium
# (the HTML report is rendered headless).
# Idempotent: a machine that has everything is left alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

apt_packages=(dkms linux-headers-amd64 linux-source-6.1 shellcheck bats jq kmod initramfs-tools xz-utils debootstrap git chromium)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The S3 the driver tests serve archives from (moto_server) and the client the scripts use (aws).
if ! command -v moto_server >/dev/null 2>&1 || ! command -v aws >/dev/null 2>&1; then
  echo "setup: installing moto[server] and awscli (pip)"
  python3 -m pip install --quiet 'moto[server]' awscli
fi

if [ ! -d "$here/node/node_modules" ] || [ "$here/node/package-lock.json" -nt "$here/node/node_modules" ]; then
  echo "setup: installing npm validators"
  (cd "$here/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$here/node/node_modules"
fi

# cfn-lint: the template's lint gate (tests/EnaRemediate.Functions.Tests/Infra/CfnLintTests.cs, which
# report skipped when it is absent). CI images carry it; elsewhere try pip.
if ! command -v cfn-lint >/dev/null 2>&1 && ! python3 -c 'import cfnlint' >/dev/null 2>&1; then
  echo "setup: installing cfn-lint with pip"
  python3 -m pip install --quiet 'cfn-lint==1.51.0' \
    || echo "setup: could not pip-install cfn-lint; the cfn-lint tests will report skipped" >&2
fi
