#!/usr/bin/env bash
# Benchmark `claimflow ack` (not a timed test).
#
#   bash scripts/bench-ack.sh [CLAIMS]     # default 100000
#
# Generates target/bench-data/ack-<CLAIMS>/{claims.837,acks.277} with
# scripts/gen-ack-bench.py once (one 277CA claim status per claim, 5 %
# rejected, 5000 per transaction set), seeds a ledger of CLAIMS sent claims
# with examples/seed_ledger.rs, then times with /usr/bin/time -v:
#   ack acks.277 --ledger L --out DIR   (every claim status matched and recorded)
# and prints wall time, CPU time and peak RSS. Target (issue 11): a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
data=target/bench-data/ack-$n
mkdir -p "$data"
if [ ! -s "$data/acks.277" ]; then
  python3 scripts/gen-ack-bench.py --claims "$n" --out "$data"
fi
cargo build --release --quiet --bin claimflow --example seed_ledger
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/claimflow
if [ ! -s "$data/seed.db" ]; then
  "$target/release/examples/seed_ledger" "$data/seed.db" "$data/claims.837"
fi
echo "== load: $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min) on $(nproc) cores"
echo "== $n 277CA claim statuses against a $n-claim ledger (recording every one)"
rm -rf "$data/out" "$data/bench.db" "$data/bench.db-wal" "$data/bench.db-shm"
cp "$data/seed.db" "$data/bench.db"
sync  # the copy is written out before timing starts
/usr/bin/time -v "$bin" ack "$data/acks.277" --ledger "$data/bench.db" --out "$data/out" \
  --now 2026-03-21 > "$data/run.out" 2> "$data/run.log" || [ $? -eq 1 ]
grep -E "^read|claims:|ledger:" "$data/run.out"
awk -F': ' '/Elapsed \(wall clock\)/ {w=$2} /User time/ {u=$2} /System time/ {s=$2}
  /Maximum resident set size/ {r=$2}
  END {printf "wall %s, cpu %.2f s (user %s + sys %s), peak RSS %.0f MiB\n", w, u+s, u, s, r/1024}' "$data/run.log"
