#!/usr/bin/env bash
# Usage: run-fleet-scaling.sh [--scenario S] [N...]
# Runs `fleet` for each fleet size (default: 1 10 100 1000 5000 10000) on scenario S (default
# kernel-update), seed 1, and keeps each JSON document in bench/fleet-results/S-N.json (the plot's
# input) with its stderr and /usr/bin/time's wall time and peak RSS beside it. FLEET_TIMEOUT (seconds,
# default 3600) bounds one size: a size that runs out is recorded as such, never as a result.
# BENCH_DLL runs an already built EnaRemediate.Bench.dll instead of building (e.g. a copy built
# with -o elsewhere while another run still uses bin/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/fleet-results"
mkdir -p "$out"
dll="${BENCH_DLL:-$here/EnaRemediate.Bench/bin/Release/net10.0/EnaRemediate.Bench.dll}"
[ -n "${BENCH_DLL:-}" ] || dotnet build -c Release "$here/EnaRemediate.Bench" >/dev/null
scenario=kernel-update
if [ "${1:-}" = "--scenario" ]; then
  [ -n "${2:-}" ] || { echo "usage: $0 [--scenario S] [N...]" >&2; exit 64; }
  scenario=$2
  shift 2
fi
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 10 100 1000 5000 10000)
for n in "${sizes[@]}"; do
  base="$out/$scenario-$n"
  echo "fleet $scenario $n: started $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
  if timeout "${FLEET_TIMEOUT:-3600}" /usr/bin/time -f "wall %e s, max RSS %M KB" -o "$base.time" \
      dotnet "$dll" fleet --instances "$n" --scenario "$scenario" --seed 1 --format json >"$base.json.part" 2>"$base.log"; then
    mv "$base.json.part" "$base.json"
    echo "fleet $scenario $n: $(cat "$base.time")"
  else
    rm -f "$base.json.part"
    echo "fleet $scenario $n: did not finish within ${FLEET_TIMEOUT:-3600} s" | tee "$base.time"
  fi
done
