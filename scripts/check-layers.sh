#!/usr/bin/env bash
# The x12 layer knows nothing of the rest of the crate (DESIGN.md "Layers"):
# it may use only itself and `finding`, the one diagnostic model, which in
# turn imports nothing from the crate.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -rn 'crate::' src/x12 | grep -v -e 'crate::x12' -e 'crate::finding' || true)
if [ -n "$bad" ]; then
  echo "layer violation: src/x12 imports from the rest of the crate:" >&2
  echo "$bad" >&2
  exit 1
fi
bad=$(grep -n 'crate::' src/finding.rs || true)
if [ -n "$bad" ]; then
  echo "layer violation: src/finding.rs must import nothing from the crate:" >&2
  echo "$bad" >&2
  exit 1
fi
# anyhow only in main.rs and cli/
bad=$(grep -rln 'anyhow' src | grep -v -e '^src/main.rs$' -e '^src/cli/' || true)
if [ -n "$bad" ]; then
  echo "layer violation: anyhow used outside main.rs and cli/: $bad" >&2
  exit 1
fi
echo "layers ok"
