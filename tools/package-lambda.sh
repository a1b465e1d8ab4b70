#!/usr/bin/env bash
# Builds the Lambda deployment artifact the way `sam build` does for our functions: a
# framework-dependent `dotnet publish` of the executable assembly EnaRemediate.Functions for
# Linux (the managed dotnet10 runtime starts it; Handler: EnaRemediate.Functions).
#
#   tools/package-lambda.sh [--arch x86_64|arm64] [--zip FILE] OUTPUT_DIR
#
# sam build calls it through infra/Makefile with OUTPUT_DIR=$ARTIFACTS_DIR. One publish serves
# every function (the handler is chosen by ENAREMEDIATE_HANDLER), so it is cached per commit+arch.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

arch=x86_64
zip=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch="$2"; shift 2 ;;
    --zip) zip="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) echo "package-lambda: unknown option $1" >&2; exit 64 ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || { echo "usage: package-lambda.sh [--arch x86_64|arm64] [--zip FILE] OUTPUT_DIR" >&2; exit 64; }
out="$1"

case "$arch" in
  x86_64) rid=linux-x64 ;;
  arm64) rid=linux-arm64 ;;
  *) echo "package-lambda: --arch must be x86_64 or arm64, not $arch" >&2; exit 64 ;;
esac

publish="$root/artifacts/lambda/$rid"
if [ ! -f "$publish/EnaRemediate.Functions.dll" ] || [ -n "$(find "$root/functions" -newer "$publish/EnaRemediate.Functions.dll" -name '*.cs' -print -quit)" ]; then
  rm -rf "$publish"
  dotnet publish "$root/functions/EnaRemediate.Functions/EnaRemediate.Functions.csproj" \
    -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=false \
    -o "$publish" --nologo -v quiet
fi

mkdir -p "$out"
cp -R "$publish/." "$out/"
if [ -n "$zip" ]; then
  rm -f "$zip"
  (cd "$out" && zip -qr "$(cd "$(dirname "$zip")" && pwd)/$(basename "$zip")" .)
fi
echo "package-lambda: $rid artifact in $out"
