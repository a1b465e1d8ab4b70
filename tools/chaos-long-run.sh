#!/usr/bin/env bash
# The chaos suite's long run (issue 11): runs N seeds (default 10,000) of
# tests/EnaRemediate.Engine.Tests/Chaos and rewrites docs/RELIABILITY.md from their figures.
# Usage: bash tools/chaos-long-run.sh [SEEDS]    (CI runs 300 seeds as part of tools/test.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seeds=${1:-10000}
report=$(mktemp /tmp/enaremediate-chaos-XXXXXX.jsonl)
trap 'rm -f "$report"' EXIT

dotnet build tests/EnaRemediate.Engine.Tests -c Release --nologo -v quiet
started=$(date -u +%Y-%m-%dT%H:%MZ)
begin=$(date +%s)
status=0
# One slice of seeds per core: the seeds are independent, each in its own simulator.
slices=$(nproc)
per=$(( (seeds + slices - 1) / slices ))
pids=()
for ((i = 0; i < slices; i++)); do
  first=$(( 1 + i * per ))
  count=$(( first + per - 1 > seeds ? seeds - first + 1 : per ))
  [ "$count" -gt 0 ] || continue
  ENAREMEDIATE_CHAOS_SEEDS=$count ENAREMEDIATE_CHAOS_FIRST_SEED=$first ENAREMEDIATE_CHAOS_REPORT=$report.$i \
    dotnet test tests/EnaRemediate.Engine.Tests -c Release --no-build --nologo \
    --filter "FullyQualifiedName~ChaosSuiteTests.NoSeedBreaksAnInvariant" >"$report.$i.log" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
cat "$report".[0-9] "$report".[0-9][0-9] 2>/dev/null | grep -h '^{' > "$report" || true
# The slices' test logs stay for a look at anything the report cannot say (a crashed test host).
mkdir -p artifacts/chaos
for log in "$report".*.log; do mv "$log" "artifacts/chaos/slice-${log##*.jsonl.}"; done
rm -f "$report".[0-9] "$report".[0-9][0-9]
elapsed=$(( $(date +%s) - begin ))
python3 tools/reliability-report.py "$report" "$seeds" "$started at commit $(git rev-parse --short HEAD)" "$elapsed" "$(nproc) cores, $(uptime | sed 's/.*load average: //') load" > docs/RELIABILITY.md
echo "chaos: $(wc -l <"$report") seeds run in ${elapsed}s; docs/RELIABILITY.md rewritten (dotnet test exit $status)"
exit "$status"
