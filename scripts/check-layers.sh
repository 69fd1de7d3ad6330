#!/usr/bin/env bash
# The layer rules of DESIGN.md "Layers": the x12 layer knows nothing of the
# rest of the crate (it may use only itself and `finding`, the one
# diagnostic model, which in turn imports nothing from the crate); anyhow
# only in main.rs and cli/; SQL only in src/ledger/; jobs never import each
# other. Part of scripts/test.sh.
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
# SQL lives in src/ledger/ (DESIGN.md: "all SQL lives here; typed
# queries"): a file elsewhere that holds SQL text or uses rusqlite fails.
sql_pattern='rusqlite|"[^"]*\b(SELECT|INSERT INTO|UPDATE [a-z_]+ SET|DELETE FROM|CREATE (TABLE|INDEX|VIEW)|PRAGMA|BEGIN( DEFERRED| IMMEDIATE)?|COMMIT|ROLLBACK)\b'
bad=$(grep -rlE "$sql_pattern" src --include='*.rs' | grep -v '^src/ledger/' | sort || true)
if [ -n "$bad" ]; then
  echo "layer violation: SQL outside src/ledger/ (add a typed query to the ledger instead):" >&2
  echo "$bad" >&2
  exit 1
fi
# Jobs never import each other (DESIGN.md "Layers"): shared vocabulary goes
# in a lower module (src/claim/: payers, denial categories, statuses, next
# actions). The list of exceptions, each as FILE PATH, is empty and stays so
# (an entry no longer found fails too, to be removed).
job_imports_allowed='
'
job_imports=$(python3 - <<'PY'
import pathlib, re
jobs = ["ack", "build", "eligibility", "reconcile", "report", "secondary", "status"]
found = set()
for job in jobs:
    for path in sorted(pathlib.Path("src", job).rglob("*.rs")):
        text = "\n".join(l.split("//")[0] for l in path.read_text().splitlines())
        for m in re.finditer(r"crate::((?:\w+::)*)(\{[^}]*\}|\w+)", text):
            prefix, tail = m.group(1), m.group(2)
            items = [t.strip() for t in tail[1:-1].split(",")] if tail.startswith("{") else [tail]
            for item in filter(None, items):
                full = (prefix + item).removesuffix("::self").split(" as ")[0]
                top = full.split("::")[0]
                if top in jobs and top != job:
                    found.add(f"{path} crate::{full}")
print("\n".join(sorted(found)))
PY
)
bad=$(comm -23 <(echo "$job_imports" | sed '/^$/d') <(echo "$job_imports_allowed" | sed '/^$/d' | sort))
if [ -n "$bad" ]; then
  echo "layer violation: a job imports another job (move the shared part to a lower module):" >&2
  echo "$bad" >&2
  exit 1
fi
stale=$(comm -13 <(echo "$job_imports" | sed '/^$/d') <(echo "$job_imports_allowed" | sed '/^$/d' | sort))
if [ -n "$stale" ]; then
  echo "scripts/check-layers.sh: these job imports are gone; remove them from job_imports_allowed:" >&2
  echo "$stale" >&2
  exit 1
fi
# One module convention: a module with submodules is a folder with mod.rs,
# never foo.rs beside foo/.
bad=$(find src -name '*.rs' ! -name mod.rs | while read -r f; do [ -d "${f%.rs}" ] && echo "$f"; done || true)
if [ -n "$bad" ]; then
  echo "module layout: move these beside their folder into FOLDER/mod.rs:" >&2
  echo "$bad" >&2
  exit 1
fi
echo "layers ok"
