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
ENAREMEDIATE_CHAOS_SEEDS=$seeds ENAREMEDIATE_CHAOS_REPORT=$report \
  dotnet test tests/EnaRemediate.Engine.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~ChaosSuiteTests.NoSeedBreaksAnInvariant" >/dev/null || status=$?
elapsed=$(( $(date +%s) - begin ))
python3 tools/reliability-report.py "$report" "$seeds" "$started" "$elapsed" "$(nproc) cores, $(uptime | sed 's/.*load average: //') load" > docs/RELIABILITY.md
echo "chaos: $(wc -l <"$report") seeds run in ${elapsed}s; docs/RELIABILITY.md rewritten (dotnet test exit $status)"
exit "$status"
