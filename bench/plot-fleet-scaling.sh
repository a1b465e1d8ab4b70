#!/usr/bin/env bash
# Draws bench/fleet-scaling.png from bench/fleet-results/kernel-update-*.json (written by
# run-fleet-scaling.sh): completion ÷ floor and EC2+SSM calls per instance against the fleet
# size, the engine next to the naive baseline, with the issue's targets (1.05, 8 calls) marked
# and each point labelled with the share of the fleet that strategy recovered (a strategy that
# loses instances to throttling ends early: its ratio then flatters it). The engine's ratio on
# nitro-fleet (nitro-fleet-*.json, from run-fleet-scaling.sh --scenario nitro-fleet) is drawn
# beside it when those files exist.
# Needs jq and gnuplot (Debian: apt-get install jq gnuplot-nox).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data=$(mktemp)
nitro=$(mktemp)
trap 'rm -f "$data" "$nitro"' EXIT
for f in "$here"/fleet-results/kernel-update-*.json; do
  jq -r '[.instances, .ratio, .baseline.ratio, .apiCalls.perInstance, .baseline.apiCalls.perInstance,
          100 * (.outcomes.recovered // 0) / .instances, 100 * (.baseline.outcomes.recovered // 0) / .instances] | @tsv' "$f"
done | sort -n >"$data"
[ -s "$data" ] || { echo "plot: no results in $here/fleet-results" >&2; exit 1; }
for f in "$here"/fleet-results/nitro-fleet-*.json; do
  if [ -e "$f" ]; then jq -r '[.instances, .ratio] | @tsv' "$f"; fi
done | sort -n >"$nitro"
nitro_plot=""
[ ! -s "$nitro" ] || nitro_plot=", \"$nitro\" using 1:2 with linespoints lw 2 pt 9 dt 3 title \"engine, nitro-fleet\""
gnuplot <<PLOT
set terminal pngcairo size 1400,520 font "DejaVu Sans,11"
set output "$here/fleet-scaling.png"
set multiplot layout 1,2 title "kernel-update, seed 1: engine vs naive baseline (one call per instance per action, 15 s waiters)"
set logscale x
set xlabel "instances"
set grid
set key bottom left
set format x "%.0f"
set title "completion ÷ floor (lower is better; labels: share of the fleet recovered)"
set ylabel "ratio"
set yrange [0:*]
plot "$data" using 1:2 with linespoints lw 2 pt 7 title "engine", \
     "$data" using 1:3 with linespoints lw 2 pt 5 title "baseline", \
     "$data" using 1:2:(sprintf("%.0f%%", \$6)) with labels offset 0,1 font ",9" tc rgb "dark-violet" notitle, \
     "$data" using 1:3:(sprintf("%.0f%%", \$7)) with labels offset 0,-1 font ",9" tc rgb "dark-green" notitle, \
     1.05 with lines dt 2 lc rgb "gray40" title "target 1.05"$nitro_plot
set title "EC2+SSM calls per instance (lower is better)"
set key top right
set ylabel "calls / instance"
set logscale y
set yrange [1:*]
plot "$data" using 1:4 with linespoints lw 2 pt 7 title "engine", \
     "$data" using 1:5 with linespoints lw 2 pt 5 title "baseline", \
     8 with lines dt 2 lc rgb "gray40" title "target 8"
unset multiplot
PLOT
echo "wrote $here/fleet-scaling.png"
