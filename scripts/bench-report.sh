#!/usr/bin/env bash
# Benchmark `claimflow report` on a large ledger (not a timed test).
#
#   bash scripts/bench-report.sh [CLAIMS]     # default 1000000
#
# Reuses the reconcile benchmark's data (scripts/gen-remit-bench.py: CLAIMS
# claims of two lines each, one claim payment per claim: 5 % denied, 5 %
# deductible, 5 % partial, the rest paid), generated once into
# <target>/bench-data/rc-<CLAIMS>/ (<target> is $CARGO_TARGET_DIR, else
# target). Once, it fills report.db: the claims seeded
# as sent by examples/seed_ledger.rs (with made-up patients), then every
# payment posted by `claimflow reconcile`. Then it times, with /usr/bin/time -v,
#   claimflow report --ledger report.db --out report --now 2026-06-30
# (twice: the first run after the copy also reads the file from disk) and
# prints wall time, CPU time and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
target=${CARGO_TARGET_DIR:-target}
data=$target/bench-data/rc-$n
mkdir -p "$data"
if [ ! -s "$data/remit.835" ]; then
  python3 scripts/gen-remit-bench.py --claims "$n" --out "$data"
fi
cargo build --release --quiet --bin claimflow --example seed_ledger
bin=$target/release/claimflow
if [ ! -s "$data/report.db" ]; then
  rm -f "$data/report-fill.db" "$data/report-fill.db-wal" "$data/report-fill.db-shm"
  $target/release/examples/seed_ledger "$data/report-fill.db" "$data/claims.837"
  "$bin" reconcile "$data/remit.835" --ledger "$data/report-fill.db" --out "$data/report-recon" \
    --now 2026-04-01 > "$data/report-fill.out" || [ $? -eq 1 ]
  grep -E "reconciled|ledger:" "$data/report-fill.out"
  mv "$data/report-fill.db" "$data/report.db"
  rm -f "$data/report-fill.db-wal" "$data/report-fill.db-shm"
fi
report() {
  awk -F': ' '/Elapsed \(wall clock\)/ {w=$2} /User time/ {u=$2} /System time/ {s=$2}
    /Maximum resident set size/ {r=$2}
    END {printf "wall %s, cpu %.2f s (user %s + sys %s), peak RSS %.0f MiB\n", w, u+s, u, s, r/1024}' "$1"
}
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"
echo "== report on a ledger of $n claims and $n claim payments ($(du -m "$data/report.db" | cut -f1) MiB)"
for run in 1 2; do
  rm -rf "$data/report"
  /usr/bin/time -v "$bin" report --ledger "$data/report.db" --out "$data/report" --now 2026-06-30 \
    > "$data/report-run.out" 2> "$data/report-run.log"
  echo "-- run $run"
  cat "$data/report-run.out"
  report "$data/report-run.log"
done
