#!/usr/bin/env bash
# Benchmark `claimflow secondary` (not a timed test).
#
#   bash scripts/bench-secondary.sh [CLAIMS]     # default 100000
#
# Generates target/bench-data/cob-<CLAIMS>/{encounters.csv,primary.835} with
# scripts/gen-cob-bench.py once (every claim names a secondary payer; the
# primary pays every claim with CO and PR adjustments), then prepares a
# ledger once: `build` the export and `reconcile` the primary's 835 (both
# untimed). It times with /usr/bin/time -v, on a fresh copy of that ledger:
#   secondary --out DIR   (every posted claim: read back its 837 and 835,
#                          build and balance the COB claim, write one 837P,
#                          record every claim at the secondary payer)
# and prints the summary, wall time, CPU time and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
data=target/bench-data/cob-$n
mkdir -p "$data"
if [ ! -s "$data/primary.835" ]; then
  python3 scripts/gen-cob-bench.py --claims "$n" --out "$data"
fi
cargo build --release --quiet --bin claimflow
bin=./target/release/claimflow
cfg=fixtures/claimflow.toml
if [ ! -s "$data/seed.db" ]; then
  echo "== preparing the ledger: build $n claims, reconcile the primary's 835 (untimed)"
  rm -rf "$data/build" "$data/recon" "$data"/seed.db*
  "$bin" build "$data/encounters.csv" --config "$cfg" --out "$data/build" \
    --ledger "$data/seed.db" --now 2026-03-20 > /dev/null
  "$bin" reconcile "$data/primary.835" --config "$cfg" --ledger "$data/seed.db" \
    --out "$data/recon" --now 2026-04-01 > /dev/null || [ $? -eq 1 ]
fi
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"
echo "== secondary for $n posted claims"
rm -rf "$data/cob" "$data"/bench.db*
cp "$data/seed.db" "$data/bench.db"
sync
CLAIMFLOW_TIMINGS=1 /usr/bin/time -v "$bin" secondary --config "$cfg" --ledger "$data/bench.db" \
  --out "$data/cob" --now 2026-04-02 > "$data/run.out" 2> "$data/run.log" || [ $? -eq 1 ]
head -1 "$data/run.out"
grep '^timing:' "$data/run.log" || true
awk -F': ' '/Elapsed \(wall clock\)/ {w=$2} /User time/ {u=$2} /System time/ {s=$2}
  /Maximum resident set size/ {r=$2}
  END {printf "wall %s, cpu %.2f s (user %s + sys %s), peak RSS %.0f MiB\n", w, u+s, u, s, r/1024}' "$data/run.log"
