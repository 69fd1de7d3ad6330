#!/usr/bin/env bash
# The main job on the shipped sample data: build the demo encounter export
# into ./out with the example config, then show what came out.
#
#   bash scripts/demo.sh
#
# It starts from a fresh ./out each time (the demo's ledger lives in
# ./out/claimflow.db), so every run shows the same result. In production the
# ledger stays put between runs (default: claimflow.db beside the config).
set -uo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet || exit 2
bin=./target/release/claimflow
rm -rf out
mkdir -p out

echo "== claimflow build fixtures/encounters/demo.csv (the nightly job)"
$bin build fixtures/encounters/demo.csv --config fixtures/claimflow.toml \
  --out out --ledger out/claimflow.db --now 2026-11-27
code=$?
echo "(exit $code: 0 all sent, 1 some held back, 2 could not run)"
[ "$code" -le 1 ] || exit "$code"

echo
echo "== what was written"
ls -l out out/held
echo
echo "== the 837P passes claimflow's own validation"
$bin validate out/claims-*.x12 || exit 2

echo
echo "== the differently shaped export, through its layout file"
$bin build fixtures/layouts/acme-export.csv --layout fixtures/layouts/acme-pm.toml \
  --config fixtures/claimflow.toml --out out/acme --ledger out/claimflow.db --now 2026-11-27
echo "(exit $?)"

echo
echo "== the same export again: nothing is sent twice"
$bin build fixtures/encounters/demo.csv --config fixtures/claimflow.toml \
  --out out/rerun --ledger out/claimflow.db --now 2026-11-27
echo "(exit $?)"
exit 0
