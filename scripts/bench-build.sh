#!/usr/bin/env bash
# Benchmark `claimflow build` on a synthetic export (not a timed test).
#
#   bash scripts/bench-build.sh [LINES]      # default 1000000 service lines
#   NCCI_PAIRS=1000000 bash scripts/bench-build.sh   # with synthetic NCCI files
#   SHUFFLE=1 bash scripts/bench-build.sh    # the export's data rows shuffled
#
# SHUFFLE=1 builds target/bench-data/enc-<LINES>-shuffled.csv once: the
# header, then the data rows of enc-<LINES>.csv in a fixed random order (the
# generator writes one row per line), so that no claim's rows are adjacent.
# Generates target/bench-data/enc-<LINES>.csv (about 3.15 lines per claim)
# with scripts/gen-encounters.py once, then times a build into a fresh output
# folder and ledger with /usr/bin/time -v. Prints wall time, CPU time, peak
# RSS, claims/s and MB/s of input, and the per-stage timings
# (CLAIMFLOW_TIMINGS=1). Target (issue 3): 1,000,000 lines in < 10 s wall and
# < 2 GiB peak RSS on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
claims=$(( lines * 100 / 315 ))
data=target/bench-data
mkdir -p "$data"
csv="$data/enc-$lines.csv"
if [ ! -s "$csv" ]; then
  python3 scripts/gen-encounters.py --claims "$claims" --out "$csv" --config-out "$data/claimflow.toml"
fi
if [ -n "${SHUFFLE:-}" ]; then
  shuffled="$data/enc-$lines-shuffled.csv"
  if [ ! -s "$shuffled" ]; then
    { head -n 1 "$csv"; tail -n +2 "$csv" | shuf --random-source=<(yes 42); } > "$shuffled.tmp"
    mv "$shuffled.tmp" "$shuffled"
  fi
  csv=$shuffled
fi
codesets=()
if [ -n "${NCCI_PAIRS:-}" ]; then
  ncci="$data/ncci-$NCCI_PAIRS"
  [ -s "$ncci/mue.txt" ] || python3 scripts/gen-ncci.py --pairs "$NCCI_PAIRS" --out "$ncci"
  codesets=(--codeset-dir "$ncci")
fi
cargo build --release --quiet
rm -rf "$data/out" "$data/bench.db" "$data/bench.db-wal" "$data/bench.db-shm"
log="$data/bench.log"
CLAIMFLOW_TIMINGS=1 /usr/bin/time -v ./target/release/claimflow build "$csv" \
  --config "$data/claimflow.toml" --ledger "$data/bench.db" --out "$data/out" \
  --now 2026-01-15 "${codesets[@]}" > "$data/bench.out" 2> "$log" || [ $? -eq 1 ]
grep '^timing:' "$log"
python3 - "$log" "$csv" "$data/out/manifest.json" <<'PY'
import json, os, re, sys
log = open(sys.argv[1]).read()
def field(name):
    return re.search(re.escape(name) + r": (.*)", log).group(1).strip()
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
parts = [float(p) for p in wall.split(":")]
secs = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
rss_mib = int(field("Maximum resident set size (kbytes)")) / 1024
m = json.load(open(sys.argv[3]))
c = m["counts"]
mb = os.path.getsize(sys.argv[2]) / 1e6
out_mb = sum(o["bytes"] for o in m["outputs"]) / 1e6
print(f"input: {c['rows']} rows, {c['claims']} claims, {mb:.1f} MB; "
      f"sent {c['sent']} claims ({c['sent_lines']} lines), held {c['held']}; output {out_mb:.1f} MB")
print(f"wall {secs:.2f} s, cpu {cpu:.2f} s, peak RSS {rss_mib:.0f} MiB")
print(f"{c['claims'] / secs:,.0f} claims/s, {c['lines'] / secs:,.0f} lines/s, {mb / secs:.1f} MB/s of input")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
