#!/usr/bin/env bash
# Times `claimflow validate`.
#
# PART=guide (the default): full validation (SNIP levels 1-5: envelopes, the
# guide's schema, balancing, situational rules, code sets) of a generated
# 837P of 172,000 claims in sets of 5,000 (about 54 MB) and of a large 835
# (1,000,000 claim payments in sets of 5,000, about 230 MB), both from
# scripts/gen-remit-bench.py, reporting MB/s for each (targets: 400 MB/s for
# the 837P, 200 MB/s for the 835, on 2 cores).
#
#   bash scripts/bench-validate.sh
#   CLAIMS837=172000 CLAIMS835=1000000 RUNS=5 bash scripts/bench-validate.sh
#
# PART=envelope: a large (>= 500 MB) multi-interchange 837P/835 file against
# `wc -l` on the same file (the memory-bandwidth floor).
#
#   PART=envelope bash scripts/bench-validate.sh              # 600 MB, line breaks after terminators
#   PART=envelope MB=1100 SINGLE_LINE=1 bash scripts/bench-validate.sh   # a ~1.1 GB single-line file
#   PART=envelope RUNS=5 THREADS=2 bash scripts/bench-validate.sh
#
# The file is generated (scripts/gen-bench-x12.py) into target/bench-data/ and
# kept for later runs. The page cache is warmed first; each command runs RUNS
# times and the best wall time is reported, with MB/s and peak RSS
# (/usr/bin/time -v). claimflow must report the file valid (exit 0).
# Two claimflow runs: `--envelope-only` (syntax and envelopes, what the
# issue-2 target of 3x `wc -l` is about) and the default, which also reads
# and checks every transaction set (HL, 837 claim rules, 835 balancing).
set -euo pipefail
cd "$(dirname "$0")/.."

PART=${PART:-guide}
MB=${MB:-600}
RUNS=${RUNS:-3}
SINGLE_LINE=${SINGLE_LINE:-0}
THREADS=${THREADS:-$(nproc)}
suffix=$([ "$SINGLE_LINE" = 1 ] && echo "-single-line" || echo "")
file="target/bench-data/bench-${MB}mb${suffix}.x12"

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/claimflow

if [ "$PART" = guide ]; then
  c837=${CLAIMS837:-172000}
  c835=${CLAIMS835:-1000000}
  d837=target/bench-data/rc-$c837
  d835=target/bench-data/rc-$c835
  for d in "$d837:$c837" "$d835:$c835"; do
    dir=${d%%:*}
    n=${d##*:}
    if [ ! -s "$dir/remit.835" ]; then
      mkdir -p "$dir"
      python3 scripts/gen-remit-bench.py --claims "$n" --out "$dir" --per-set 5000
    fi
  done
fi

if [ "$PART" = guide ]; then
  echo "cores: $(nproc), claimflow threads: $THREADS, best of $RUNS"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows wall times)"
  printf "%-44s %10s %8s %8s %8s %12s\n" "file" "MB" "wall s" "MB/s" "CPU s" "peak RSS MB"
  for f in "$d837/claims.837" "$d835/remit.835"; do
    cat "$f" > /dev/null
    bytes=$(stat -c %s "$f")
    best="" cpu="" rss="" code=0
    for _ in $(seq "$RUNS"); do
      log=$(mktemp)
      set +e
      /usr/bin/time -v "$bin" --threads "$THREADS" validate "$f" > "$log.out" 2> "$log"
      code=$?
      set -e
      wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$log")
      c=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$log")
      kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
      if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then best=$wall; cpu=$c; rss=$kb; fi
      rm -f "$log"
    done
    if [ "$code" != 0 ]; then
      echo "claimflow validate exited $code on $f (expected 0: valid):" >&2
      grep -v '^  ' "$log.out" | tail -5 >&2
      exit 1
    fi
    rm -f "$log.out"
    awk -v f="$f" -v b="$bytes" -v w="$best" -v c="$cpu" -v r="$rss" \
      'BEGIN {printf "%-44s %10.1f %8.2f %8.0f %8.2f %12.1f\n", f, b/1e6, w, b/1e6/w, c, r/1024}'
  done
  exit 0
fi

if [ ! -f "$file" ]; then
  python3 scripts/gen-bench-x12.py "$file" --mb "$MB" $([ "$SINGLE_LINE" = 1 ] && echo --single-line)
fi
bytes=$(stat -c %s "$file")
cat "$file" > /dev/null # warm the page cache

# best_of CMD...: prints "wall_seconds max_rss_kb exit_code cpu_seconds" of the fastest run.
best_of() {
  local best="" rss="" code=0 cpu=""
  for _ in $(seq "$RUNS"); do
    local log
    log=$(mktemp)
    set +e
    /usr/bin/time -v "$@" > /dev/null 2> "$log"
    code=$?
    set -e
    local wall kb
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$log")
    kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    local c
    c=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$log")
    rm -f "$log"
    if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then best=$wall; rss=$kb; cpu=$c; fi
  done
  echo "$best $rss $code $cpu"
}

echo "file: $file ($bytes bytes), cores: $(nproc), claimflow threads: $THREADS, best of $RUNS"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows wall times)"
read -r wc_wall wc_rss wc_code wc_cpu < <(best_of wc -l "$file")
read -r ev_wall ev_rss ev_code ev_cpu < <(best_of "$bin" --threads "$THREADS" validate --envelope-only "$file")
read -r cf_wall cf_rss cf_code cf_cpu < <(best_of "$bin" --threads "$THREADS" validate "$file")
if [ "$cf_code" != 0 ] || [ "$ev_code" != 0 ]; then
  echo "claimflow validate exited $cf_code (envelopes only: $ev_code) on the benchmark file (expected 0: valid)" >&2
  "$bin" validate "$file" | tail -5 >&2
  exit 1
fi
awk -v b="$bytes" -v w="$wc_wall" -v r="$wc_rss" -v c="$wc_cpu" -v cw="$cf_wall" -v cr="$cf_rss" -v cc="$cf_cpu" \
    -v ew="$ev_wall" -v er="$ev_rss" -v ec="$ev_cpu" 'BEGIN {
  printf "%-34s %8s %10s %12s %12s\n", "command", "wall s", "MB/s", "CPU s", "peak RSS MB"
  printf "%-34s %8.2f %10.0f %12.2f %12.1f\n", "wc -l", w, b / 1e6 / w, c, r / 1024
  printf "%-34s %8.2f %10.0f %12.2f %12.1f\n", "claimflow validate --envelope-only", ew, b / 1e6 / ew, ec, er / 1024
  printf "%-34s %8.2f %10.0f %12.2f %12.1f\n", "claimflow validate", cw, b / 1e6 / cw, cc, cr / 1024
  printf "ratio validate --envelope-only / wc -l: %.2fx wall (issue 2 target: <= 3x)\n", ew / w
  printf "ratio validate (all checks) / wc -l: %.2fx wall\n", cw / w
}'
