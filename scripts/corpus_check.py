#!/usr/bin/env python3
"""Tolerance corpus check: `claimflow validate` over every public X12 sample.

Usage:
    python3 scripts/corpus_check.py ROOT            # compare with the committed table
    python3 scripts/corpus_check.py ROOT --update   # rewrite the table from current output

ROOT is a folder of sample files (normally ../shared/x12-samples). Every file
under it is validated except LICENSES/, PROVENANCE.md, SHA256SUMS and dot
files. The outcome of each file is compared with fixtures/corpus-expected.tsv:

    file <TAB> verdict <TAB> errors <TAB> warnings

- verdict: `valid` or `invalid`, judged on X12-* error findings only;
- errors / warnings: the X12-* finding codes with how many times each was
  reported, e.g. `X12-HL01:2,X12-SE01:2` (`-` when none).

Only X12-* codes are compared: findings of later, transaction-specific
checks (835 balancing `835-*`, 837 structure...) do not change the outcome
recorded here. When an X12 check changes on purpose, run with --update and
review the diff of fixtures/corpus-expected.tsv in the commit.

When ROOT has a PROVENANCE.md whose "checks" column records an envelope
defect (SE01=, SE02=, GE01=, IEA02=, ISA length, ST without SE, no ISA
envelope), the script also checks that such a file is reported invalid, and
that a file recorded as "ok" is valid: an independent oracle for the table.

Exit status: 0 all outcomes as expected; 1 a difference (printed as a diff);
2 could not run (no binary, unreadable folder).
"""

import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SKIP_DIRS = {"LICENSES"}
SKIP_FILES = {"PROVENANCE.md", "SHA256SUMS"}
DEFECT = re.compile(r"SE01=|SE02=|GE01=|IEA02=|ISA length|ST without SE|no ISA")


def samples(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not (rel_dir == "." and d in SKIP_DIRS)
        )
        for name in sorted(filenames):
            if name.startswith(".") or (rel_dir == "." and name in SKIP_FILES):
                continue
            out.append(os.path.normpath(os.path.join(rel_dir, name)))
    return sorted(out)


def codes(report, severity):
    """X12-* codes of one severity with their counts: the findings listed plus
    those past validate's per-file cap (counted per code in the report), so
    the figures do not move when other findings fill the cap."""
    counts = {}
    for f in report["findings"]:
        if f["severity"] == severity and f["rule"].startswith("X12-"):
            counts[f["rule"]] = counts.get(f["rule"], 0) + 1
    past_cap = report.get("suppressed_by_code", {}).get(severity + "s", {})
    for code, n in past_cap.items():
        if code.startswith("X12-"):
            counts[code] = counts.get(code, 0) + n
    return ",".join(f"{c}:{n}" for c, n in sorted(counts.items())) or "-"


def outcome(report):
    errors = codes(report, "error")
    verdict = "invalid" if errors != "-" else "valid"
    return (verdict, errors, codes(report, "warning"))


def run_validate(binary, root, files):
    proc = subprocess.run(
        [binary, "validate", "--json", *files],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        check=False,
    )
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr.decode(errors="replace"))
        sys.exit(f"corpus_check: claimflow validate exited {proc.returncode}")
    reports = json.loads(proc.stdout)
    if len(reports) != len(files):
        sys.exit("corpus_check: claimflow returned a different number of reports than files")
    got = {}
    for name, rep in zip(files, reports):
        if "error" in rep:
            got[name] = ("unreadable", rep["error"], "-")
        else:
            got[name] = outcome(rep)
    return got


def read_table(path):
    table = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cells = line.split("\t")
            if len(cells) != 4:
                sys.exit(f"corpus_check: {path}: malformed line {line!r}")
            table[cells[0]] = tuple(cells[1:])
    return table


def write_table(path, got):
    with open(path, "w", encoding="utf-8") as f:
        f.write("# Expected `claimflow validate` outcome per public sample (scripts/corpus_check.py).\n")
        f.write("# Regenerate with: python3 scripts/corpus_check.py ../shared/x12-samples --update\n")
        f.write("# file\tverdict\terrors (X12-* code:count)\twarnings (X12-* code:count)\n")
        for name in sorted(got):
            f.write("\t".join((name,) + got[name]) + "\n")


def provenance(root):
    """file -> checks column of PROVENANCE.md (empty when there is none)."""
    path = os.path.join(root, "PROVENANCE.md")
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("| `"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            out[os.path.normpath(cells[0].strip("`"))] = cells[-1]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root", help="folder of X12 samples")
    ap.add_argument("--update", action="store_true", help="rewrite the expected-outcome table")
    ap.add_argument("--table", default=os.path.join(REPO, "fixtures", "corpus-expected.tsv"))
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    ap.add_argument("--bin", default=os.path.join(target, "release", "claimflow"))
    args = ap.parse_args()

    if not os.path.isdir(args.root):
        print(f"corpus_check: {args.root}: not a folder", file=sys.stderr)
        return 2
    if not os.access(args.bin, os.X_OK):
        print(f"corpus_check: {args.bin} not found (cargo build --release first)", file=sys.stderr)
        return 2
    files = samples(args.root)
    got = run_validate(os.path.abspath(args.bin), args.root, files)

    problems = []
    # Independent oracle: the corpus's own record of envelope defects.
    for name, checks in sorted(provenance(args.root).items()):
        if name not in got:
            problems.append(f"{name}: listed in PROVENANCE.md but not found")
            continue
        verdict = got[name][0]
        if DEFECT.search(checks) and verdict != "invalid":
            problems.append(f"{name}: PROVENANCE records a defect ({checks}) but claimflow says {verdict}")
        elif checks.startswith("ok") and not DEFECT.search(checks) and verdict != "valid":
            problems.append(f"{name}: PROVENANCE says ok but claimflow says {verdict} {got[name][1]}")

    if args.update:
        write_table(args.table, got)
        print(f"corpus_check: wrote {len(got)} outcomes to {os.path.relpath(args.table, REPO)}")
        for p in problems:
            print(f"corpus_check: warning: {p}")
        return 0

    if not os.path.exists(args.table):
        print(f"corpus_check: {args.table} missing; run with --update", file=sys.stderr)
        return 2
    want = read_table(args.table)
    diff = []
    for name in sorted(set(want) | set(got)):
        w, g = want.get(name), got.get(name)
        if w == g:
            continue
        if w is not None:
            diff.append(f"- {name}\t" + "\t".join(w))
        if g is not None:
            diff.append(f"+ {name}\t" + "\t".join(g))
    valid = sum(1 for g in got.values() if g[0] == "valid")
    print(
        f"corpus_check: {len(got)} samples: {valid} valid, {len(got) - valid} invalid "
        f"({sum(1 for v in want.values() if v[0] == 'invalid')} expected invalid)"
    )
    if diff:
        print("corpus_check: outcomes differ from fixtures/corpus-expected.tsv (- expected, + got):")
        print("\n".join(diff))
        print("If the change is intended: python3 scripts/corpus_check.py ROOT --update, and review the diff.")
    for p in problems:
        print(f"corpus_check: {p}")
    return 1 if diff or problems else 0


if __name__ == "__main__":
    sys.exit(main())
