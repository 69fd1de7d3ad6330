#!/usr/bin/env bash
# The whole test suite, on a fresh machine with only Rust and Python:
#   formatting, lints, layer rules, unit + integration + property tests,
#   pyx12 conformance of every 837 the tests wrote, and (when ../shared exists)
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

echo "== the library walk-through (cargo run --example build_then_reconcile)"
cargo run --quiet --example build_then_reconcile -- "$CLAIMFLOW_TEST_OUTPUT/example"
cp "$CLAIMFLOW_TEST_OUTPUT"/example/claims-*.x12 "$CLAIMFLOW_TEST_OUTPUT/837/"

echo "== the fuzz targets still compile (cd fuzz && cargo check)"
(cd fuzz && cargo check --quiet)

echo "== cargo doc (no warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet

echo "== pyx12 conformance of every 837 the tests produced"
.venv/bin/python scripts/pyx12_check.py --require-some "$CLAIMFLOW_TEST_OUTPUT/837"

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
