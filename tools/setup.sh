#!/usr/bin/env bash
# Installs what the tests need on a fresh machine: the real dkms, kernel headers and ENA source
# (driver bundle tests), shellcheck and bats (host scripts), and the npm validators and dynalite
# (templates, documents, DynamoDB store), and chromium (the HTML report is rendered headless). Idempotent: a machine that has everything is left alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

apt_packages=(dkms linux-headers-amd64 linux-source-6.1 shellcheck bats jq kmod initramfs-tools xz-utils chromium)
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

if [ ! -d "$here/node/node_modules" ] || [ "$here/node/package-lock.json" -nt "$here/node/node_modules" ]; then
  echo "setup: installing npm validators"
  (cd "$here/node" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$here/node/node_modules"
fi
