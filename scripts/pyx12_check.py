#!/usr/bin/env python3
"""Validate X12 files with pyx12 (the independent conformance oracle).

Usage: pyx12_check.py [--require-some] PATH...
PATH may be a file or a folder (every file in it, recursively).
Prints each pyx12 ERROR with its file; exits 1 when any file has an error,
2 when --require-some is given and no file was found.
The library is driven directly: the x12valid console script exits 1 for valid
and invalid files alike and writes a 999 beside its input.
"""
import logging
import os
import sys

import pyx12.params
import pyx12.x12n_document

IGNORED = ("Failed to create 999 response",)


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        msg = record.getMessage()
        if not any(msg.startswith(i) for i in IGNORED):
            self.records.append(msg)


def files(paths):
    for p in paths:
        if os.path.isdir(p):
            for d, _, names in os.walk(p):
                for n in sorted(names):
                    yield os.path.join(d, n)
        elif os.path.exists(p):
            yield p


def validate(path):
    handler = Collect()
    logger = logging.getLogger("pyx12")
    logger.addHandler(handler)
    logger.setLevel(logging.ERROR)
    try:
        params = pyx12.params.params()
        with open(path, encoding="ascii", errors="replace") as src:
            pyx12.x12n_document.x12n_document(
                param=params, src_file=src, fd_997=None, fd_html=None, fd_xmldoc=None
            )
    except Exception as e:  # a crash in the oracle is a failure of that file
        handler.records.append(f"pyx12 raised {type(e).__name__}: {e}")
    finally:
        logger.removeHandler(handler)
    return handler.records


def main(argv):
    require = "--require-some" in argv
    paths = [a for a in argv if a != "--require-some"]
    seen = bad = 0
    for f in files(paths):
        seen += 1
        errors = validate(f)
        if errors:
            bad += 1
            for e in errors:
                print(f"{f}: {e}")
    print(f"pyx12: {seen} file(s) checked, {bad} with errors")
    if require and seen == 0:
        print("pyx12: no files to check (expected the tests to write some)")
        return 2
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
