#!/usr/bin/env bash
# The main job on the shipped sample data: build the demo encounter export
# into ./demo with the example config, validate the 837P, reconcile the
# payers' answer (fixtures/835/demo.835) against the demo's ledger and show
# the denials worklist, then the layout export and a rerun.
#
#   bash scripts/demo.sh
#
# It starts from a fresh ./demo each time (the demo's ledger lives in
# ./demo/claimflow.db), so every run shows the same result; the README's
# walk-through uses ./out, which the demo leaves alone. In production the
# ledger stays put between runs (default: claimflow.db beside the config).
set -uo pipefail
cd "$(dirname "$0")/.."
echo "== compiling claimflow (release): cargo build --release"
echo "   (the first run downloads and compiles the crates: several minutes on a fresh machine)"
cargo build --release || exit 2
bin=${CARGO_TARGET_DIR:-target}/release/claimflow
rm -rf demo
mkdir -p demo

echo
echo "== claimflow build fixtures/encounters/demo.csv (the nightly job)"
$bin build fixtures/encounters/demo.csv --config fixtures/claimflow.toml \
  --out demo --ledger demo/claimflow.db --now 2026-11-27
code=$?
echo "(exit $code: 0 all sent, 1 some held back, 2 could not run)"
[ "$code" -le 1 ] || exit "$code"

echo
echo "== what was written"
ls -l demo demo/held
echo
echo "== the 837P passes claimflow's own validation"
$bin validate demo/claims-*.x12 || exit 2

echo
echo "== the payers' answer: claimflow reconcile fixtures/835/demo.835 against the demo's ledger"
$bin reconcile fixtures/835/demo.835 --config fixtures/claimflow.toml \
  --ledger demo/claimflow.db --out demo/recon --now 2026-12-15
code=$?
echo "(exit $code: 0 all paid and balanced, 1 something needs a person, 2 could not run)"
[ "$code" -le 1 ] || exit "$code"

# A CSV report as a table when column(1) is there, else as it is.
show() {
  if command -v column >/dev/null 2>&1; then
    column -s, -t <"$1"
  else
    cat "$1"
  fi
}
echo
echo "== the denials worklist (demo/recon/denials.csv)"
show demo/recon/denials.csv
echo
echo "== every claim payment (demo/recon/claims.csv)"
show demo/recon/claims.csv

echo
echo "== the differently shaped export, through its layout file"
$bin build fixtures/layouts/acme-export.csv --layout fixtures/layouts/acme-pm.toml \
  --config fixtures/claimflow.toml --out demo/acme --ledger demo/claimflow.db --now 2026-11-27
echo "(exit $?)"

echo
echo "== the same export again: nothing is sent twice"
$bin build fixtures/encounters/demo.csv --config fixtures/claimflow.toml \
  --out demo/rerun --ledger demo/claimflow.db --now 2026-11-27
echo "(exit $?)"
echo
echo "== the claimflow the demo built: $bin"
echo "   for the README's walk-through, put it on PATH in this shell:"
echo "   export PATH=\"$(cd "$(dirname "$bin")" && pwd):\$PATH\""
exit 0
