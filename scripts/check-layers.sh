#!/usr/bin/env bash
# The x12 layer knows nothing of the rest of the crate (DESIGN.md "Layers").
set -euo pipefail
cd "$(dirname "$0")/.."
bad=$(grep -rn 'use crate::' src/x12 | grep -v 'crate::x12' || true)
if [ -n "$bad" ]; then
  echo "layer violation: src/x12 imports from the rest of the crate:" >&2
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
