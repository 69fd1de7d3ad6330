#!/usr/bin/env bash
# Benchmark `claimflow reconcile` (not a timed test).
#
#   bash scripts/bench-reconcile.sh [CLAIMS]     # default 1000000
#
# Generates target/bench-data/rc-<CLAIMS>/{claims.837,remit.835} with
# scripts/gen-remit-bench.py once (two service lines per claim, one claim
# payment per claim, 5000 per transaction set), then times with /usr/bin/time -v:
#   1. reconcile remit.835 --claims claims.837   (837 mode, nothing posted)
#   2. reconcile remit.835 --ledger L            (ledger of CLAIMS sent claims,
#      seeded by examples/seed_ledger.rs; every payment posted)
# and prints wall time, CPU time, peak RSS and the per-stage timings. The
# binaries are built under $CARGO_TARGET_DIR when it is set (else target/).
# Target (issue 4): 1,000,000 payments in < 10 s wall, < 2 GiB peak RSS, 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
data=target/bench-data/rc-$n
mkdir -p "$data"
if [ ! -s "$data/remit.835" ]; then
  python3 scripts/gen-remit-bench.py --claims "$n" --out "$data"
fi
cargo build --release --quiet --bin claimflow --example seed_ledger
build=${CARGO_TARGET_DIR:-target}/release
bin=$build/claimflow
if [ ! -s "$data/seed.db" ]; then
  "$build/examples/seed_ledger" "$data/seed.db" "$data/claims.837"
fi
report() {
  grep '^timing:' "$1" || true
  awk -F': ' '/Elapsed \(wall clock\)/ {w=$2} /User time/ {u=$2} /System time/ {s=$2}
    /Maximum resident set size/ {r=$2}
    END {printf "wall %s, cpu %.2f s (user %s + sys %s), peak RSS %.0f MiB\n", w, u+s, u, s, r/1024}' "$1"
}
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"
echo "== $n payments against $n claims from an 837 (--claims)"
rm -rf "$data/out1"
CLAIMFLOW_TIMINGS=1 /usr/bin/time -v "$bin" reconcile "$data/remit.835" --claims "$data/claims.837" \
  --out "$data/out1" --now 2026-04-01 > "$data/run1.out" 2> "$data/run1.log" || [ $? -eq 1 ]
grep -E "reconciled|paid [0-9]|tie-out" "$data/run1.out"
report "$data/run1.log"
echo "== $n payments against a $n-claim ledger (posting every payment)"
rm -rf "$data/out2" "$data/bench.db" "$data/bench.db-wal" "$data/bench.db-shm"
cp "$data/seed.db" "$data/bench.db"
sync  # the copy is written out before timing starts
CLAIMFLOW_TIMINGS=1 /usr/bin/time -v "$bin" reconcile "$data/remit.835" --ledger "$data/bench.db" \
  --out "$data/out2" --now 2026-04-01 > "$data/run2.out" 2> "$data/run2.log" || [ $? -eq 1 ]
grep -E "reconciled|ledger:|tie-out" "$data/run2.out"
report "$data/run2.log"
