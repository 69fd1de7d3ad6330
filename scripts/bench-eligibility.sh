#!/usr/bin/env bash
# Benchmark `claimflow eligibility request` and `eligibility read` (not a timed test).
#
#   bash scripts/bench-eligibility.sh [ROWS]     # default 100000
#
# Generates target/bench-data/elig-<ROWS>/schedule.csv with
# scripts/gen-eligibility-bench.py (one inquiry per row), then times with
# /usr/bin/time -v, on a fresh ledger:
#   eligibility request schedule.csv --out DIR   (ROWS inquiries: one 270, recorded)
#   eligibility read answers.271 --out DIR       (ROWS answers matched by trace, recorded, coverage.csv)
# and prints wall time, CPU time and peak RSS of each.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
data=target/bench-data/elig-$n
mkdir -p "$data"
if [ ! -s "$data/schedule.csv" ]; then
  python3 scripts/gen-eligibility-bench.py schedule --rows "$n" --out "$data/schedule.csv"
fi
cargo build --release --quiet --bin claimflow
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/claimflow
{ cat fixtures/build/claimflow.toml
  printf '\n[[payer]]\nid = "BENCHPAYER"\nname = "Bench Plan"\nfiling_indicator = "CI"\n'
} > "$data/claimflow.toml"
rm -rf "$data/out" "$data"/bench.db*
measure() {
  awk -F': ' '/Elapsed \(wall clock\)/ {w=$2} /User time/ {u=$2} /System time/ {s=$2}
    /Maximum resident set size/ {r=$2}
    END {printf "wall %s, cpu %.2f s (user %s + sys %s), peak RSS %.0f MiB\n", w, u+s, u, s, r/1024}' "$1"
}
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"
echo "== eligibility request: $n rows"
/usr/bin/time -v "$bin" eligibility request "$data/schedule.csv" --config "$data/claimflow.toml" \
  --ledger "$data/bench.db" --out "$data/out" --now 2026-03-01T07:00 > "$data/request.out" 2> "$data/request.log"
tail -1 "$data/request.out"
measure "$data/request.log"
python3 scripts/gen-eligibility-bench.py answers --x270 "$data"/out/eligibility-*.x12 --out "$data/answers.271"
echo "== eligibility read: $n answers"
/usr/bin/time -v "$bin" eligibility read "$data/answers.271" --config "$data/claimflow.toml" \
  --ledger "$data/bench.db" --out "$data/out" --now 2026-03-01T09:30 > "$data/read.out" 2> "$data/read.log" || [ $? -eq 1 ]
tail -2 "$data/read.out"
measure "$data/read.log"
