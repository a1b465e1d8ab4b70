#!/usr/bin/env bash
# Runs every test: installs what the tests need (tools/setup.sh), builds with warnings as errors,
# runs every xunit project (which also drive shellcheck, bats, dkms, the validators and dynalite),
# and prints one closing line "N passed, N failed, N skipped".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash tools/setup.sh

results="$root/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

dotnet build EnaRemediate.sln -c Release --nologo -v quiet
status=0
dotnet test EnaRemediate.sln -c Release --no-build --nologo \
  --logger "trx" --results-directory "$results" -- xUnit.ParallelizeTestCollections=true || status=$?

# One summary line over every project's results, in the plain form CI reads.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "tests: no test ran" >&2
  status=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
