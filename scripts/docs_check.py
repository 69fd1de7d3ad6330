#!/usr/bin/env python3
"""Runs the walk-throughs of the docs as printed and compares the figures
they show with what the commands print (run by scripts/test.sh).

For each file given, the ```sh blocks of its walk-through run in order, in
one fresh temporary folder holding a link to fixtures/, with a `claimflow`
on PATH (the binary named by --bin). Each ```text block that follows a sh
block is what that block printed: every line of it must be a line of the
block's output (stdout and stderr), where `...` stands for any text and a
line that is only `...` is skipped. A text block that shows a file rather
than output is marked by the line `<!-- not output -->` just before it.

Which part of a file is the walk-through: README.md from "## A five-minute
walk-through" to the next "## " heading; any other file from the first
heading holding "walk-through" to the next heading of the same level.

Usage: docs_check.py --bin PATH FILE...
Exit 0 when every walk-through ran as printed; 1 otherwise.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def walk_through(path):
    """The walk-through part of the markdown file at `path`."""
    with open(path) as f:
        lines = f.read().splitlines()
    start = next((i for i, l in enumerate(lines)
                  if l.startswith("#") and "walk-through" in l.lower()), None)
    if start is None:
        return []
    level = len(lines[start]) - len(lines[start].lstrip("#"))
    end = next((i for i in range(start + 1, len(lines))
                if re.match(r"#{1,%d} " % level, lines[i])), len(lines))
    return lines[start:end]


def blocks(lines):
    """[(kind, text, line number, checked)] of the fenced blocks."""
    out, i = [], 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        kind, start = m.group(1), i
        skip = i > 0 and lines[i - 1].strip() == "<!-- not output -->"
        i += 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        out.append((kind, body, start + 1, not skip))
        i += 1
    return out


def matches(want, got_lines):
    """True when the printed line `want` (with `...` for any text) is a line of the output."""
    pattern = "^" + ".*".join(re.escape(p) for p in want.rstrip().split("...")) + "$"
    return any(re.match(pattern, g.rstrip()) for g in got_lines)


def check(path, binary):
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        os.symlink(os.path.join(ROOT, "fixtures"), os.path.join(tmp, "fixtures"))
        bindir = os.path.join(tmp, ".bin")
        os.mkdir(bindir)
        os.symlink(os.path.abspath(binary), os.path.join(bindir, "claimflow"))
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
        output, ran = None, 0
        for kind, body, line, checked in blocks(walk_through(path)):
            if kind == "sh":
                proc = subprocess.run(["bash", "-c", "\n".join(body)], cwd=tmp, env=env,
                                      capture_output=True, text=True, timeout=300)
                output = (proc.stdout + proc.stderr).splitlines()
                ran += 1
            elif kind == "text" and checked:
                if output is None:
                    problems.append(f"{path}:{line}: a text block before any command")
                    continue
                for n, want in enumerate(body):
                    if want.strip() in ("", "..."):
                        continue
                    if not matches(want, output):
                        problems.append(f"{path}:{line + 1 + n}: not printed: {want.strip()}")
        if ran == 0:
            problems.append(f"{path}: no walk-through command found")
    return problems


def main(argv):
    if "--bin" not in argv:
        print(__doc__, file=sys.stderr)
        return 2
    i = argv.index("--bin")
    binary = argv[i + 1]
    files = argv[:i] + argv[i + 2:]
    bad = 0
    for f in files:
        problems = check(f, binary)
        if problems:
            bad += 1
            print(f"FAIL {f}")
            for p in problems:
                print(f"   {p}")
        else:
            print(f"ok   {f}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
