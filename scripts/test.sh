#!/usr/bin/env bash
# The whole test suite, on a fresh machine with only Rust and Python:
#   formatting, lints, layer rules, unit + integration + property tests,
#   pyx12 conformance of every 837 the tests wrote, the report pages in headless
#   Chromium (installed with apt-get when missing), and (when ../shared exists)
#   the public-sample corpus check.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

echo "== pyx12 oracle (local virtual environment .venv)"
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import pyx12' 2>/dev/null; then
  python3 -m venv .venv
  echo "   installing pyx12 4.0.0 from PyPI into .venv (first run only)"
  .venv/bin/pip install --quiet --disable-pip-version-check pyx12==4.0.0
fi

echo "== headless Chromium for the HTML report check (Debian's chromium package)"
html_check=yes
if ! command -v chromium >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; fi
  if [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; then
    echo "   installing chromium with apt-get (first run only)"
    if ! $sudo apt-get install -y -q chromium >/dev/null 2>&1; then
      $sudo apt-get update -q >/dev/null 2>&1 || true
      $sudo apt-get install -y -q chromium >/dev/null 2>&1 || true
    fi
  fi
  if ! command -v chromium >/dev/null 2>&1; then
    html_check=no
    echo "   chromium is missing and could not be installed (needs root or sudo and apt-get):"
    echo "   the HTML report check will be SKIPPED"
  fi
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy (lints every target)"
echo "   (the first run downloads and compiles the crates: several minutes on a fresh machine)"
cargo clippy --all-targets --quiet -- -D warnings

echo "== layer rules"
bash scripts/check-layers.sh

echo "== cargo test (unit, integration, property and doc tests)"
echo "   (compiles the test build first: several minutes on a fresh machine)"
export CLAIMFLOW_TEST_OUTPUT="$root/target/test-output"
rm -rf "$CLAIMFLOW_TEST_OUTPUT"
mkdir -p "$CLAIMFLOW_TEST_OUTPUT/837"
cargo test --all-targets --quiet
cargo test --doc --quiet

echo "== the walk-throughs of README.md, docs/ack-and-status.md and docs/secondary.md, run as printed (figures compared)"
python3 scripts/docs_check.py --bin "${CARGO_TARGET_DIR:-target}/debug/claimflow" \
  README.md docs/ack-and-status.md docs/secondary.md

echo "== the library walk-through (cargo run --example build_then_reconcile)"
cargo run --quiet --example build_then_reconcile -- "$CLAIMFLOW_TEST_OUTPUT/example"
cp "$CLAIMFLOW_TEST_OUTPUT"/example/claims-*.x12 "$CLAIMFLOW_TEST_OUTPUT/837/"

echo "== the fuzz targets still compile (cd fuzz && cargo check)"
(cd fuzz && cargo check --quiet)

echo "== cargo doc (no warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet

echo "== pyx12 conformance of every 837 the tests produced"
.venv/bin/python scripts/pyx12_check.py --require-some "$CLAIMFLOW_TEST_OUTPUT/837"

if [ "$html_check" = yes ]; then
  echo "== report.html in headless Chromium (every report the tests wrote)"
  python3 scripts/html_check.py --require-some "$CLAIMFLOW_TEST_OUTPUT/report"
  echo "   the checker catches broken pages (self-test)"
  python3 scripts/html_check.py --self-test "$CLAIMFLOW_TEST_OUTPUT/report/fixtures"
else
  echo "== report.html check SKIPPED: chromium is not installed"
fi

echo "== pyx12 conformance of the synthetic 835 fixtures"
.venv/bin/python scripts/pyx12_check.py --require-some fixtures/835

echo "== pyx12 conformance of the acknowledgment fixtures (TA1, 999, 277CA; not fixtures/ack/bad or fixtures/ack/tr3)"
.venv/bin/python scripts/pyx12_check.py --require-some $(find fixtures/ack -maxdepth 1 -type f | sort)

# CLAIMFLOW_SAMPLES points elsewhere (e.g. from a worktree: /work/shared/x12-samples).
samples=${CLAIMFLOW_SAMPLES:-../shared/x12-samples}
if [ -d "$samples" ]; then
  echo "== public sample corpus ($samples)"
  echo "   compiling claimflow (release) for the corpus check (several minutes the first time)"
  cargo build --release --quiet
  python3 scripts/corpus_check.py --bin "${CARGO_TARGET_DIR:-target}/release/claimflow" "$samples"
else
  echo "== corpus check skipped: $samples not present"
fi
echo "all checks passed"
