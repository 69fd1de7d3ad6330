#!/usr/bin/env python3
"""Renders every report.html under the given folders in headless Chromium
and checks what a reader would see (run by scripts/test.sh).

For each folder holding a report.html (with the CSV files and summary.json
that `claimflow report` wrote beside it):

1. the page loads in `chromium --headless --no-sandbox` without a single
   console message (the page has no script, so any message is the browser
   complaining: a blocked fetch, a CSP violation, a broken element);
   messages are read from Chromium's log (`--enable-logging=stderr --v=0`,
   lines with `:CONSOLE`);
2. the rendered DOM (`--dump-dom`) holds no script and nothing fetched from
   elsewhere (no src/href to http, https or //);
3. every chart (`<svg>`) has a non-empty <title> and a labelled x and y axis
   (`class="axis-label"` with `data-axis="x"` / `"y"`);
4. every table with `data-csv` shows the file's header and rows, cell for
   cell (all rows with `data-rows="all"`, else the first rows); the
   aging, denials, payments and procedures tables must all be there;
5. every element with `data-key` shows the value of that key of
   summary.json (dotted keys go into objects; null shows as "n/a").

--self-test FOLDER breaks a copy of a good report six ways (a changed cell,
a missing axis label, a missing chart title, an external image, a blocked
local stylesheet that only the console reports, a headline value that differs) and fails unless every broken copy is caught.

Usage: html_check.py [--require-some] [--self-test] FOLDER...
Exit 0 when every page passes; 1 otherwise; 2 when Chromium is missing.
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

REQUIRED_TABLES = {"aging.csv", "denials.csv", "payments.csv", "procedures.csv"}


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def render(browser, page):
    """(dom, console lines) of `page` rendered headless."""
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", f"--user-data-dir={profile}", "--enable-logging=stderr",
             "--v=0", "--virtual-time-budget=3000", "--dump-dom", "file://" + os.path.abspath(page)],
            capture_output=True, text=True, timeout=120)
    console = [l for l in proc.stderr.splitlines() if ":CONSOLE" in l]
    if proc.returncode != 0:
        console.append(f"chromium exited {proc.returncode}: {proc.stderr[-500:]}")
    return proc.stdout, console


class Dom(HTMLParser):
    """Collects the charts, tables, data-key values and outside references."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.svgs = []          # {"title": str, "axes": {x: str, y: str}}
        self.tables = []        # {"csv": name, "rows": str, "head": [...], "body": [[...]]}
        self.keys = {}          # data-key -> text
        self.outside = []       # src/href pointing elsewhere, scripts
        self._text = None       # (kind, target) while collecting text

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append(tag)
        for attr in ("src", "href", "xlink:href"):
            v = (a.get(attr) or "").strip().lower()
            if v.startswith(("http:", "https:", "//")):
                self.outside.append(f"<{tag} {attr}={v}>")
        if tag == "script":
            self.outside.append("<script>")
        if tag == "svg":
            self.svgs.append({"title": "", "axes": {}})
        elif tag == "title" and self.stack[-2:-1] == ["svg"] and self.svgs:
            self._text = ("svgtitle", tag, None, [])
        elif tag == "text" and "axis-label" in (a.get("class") or "").split() and self.svgs:
            self._text = ("axis", tag, a.get("data-axis", ""), [])
        elif tag == "table" and a.get("data-csv"):
            self.tables.append({"csv": a["data-csv"], "rows": a.get("data-rows", "all"),
                                "head": [], "body": []})
        elif tag == "tr" and self.tables and "tbody" in self.stack:
            self.tables[-1]["body"].append([])
        elif tag in ("td", "th") and self.tables and "table" in self.stack:
            self._text = (tag, tag, None, [])
        elif a.get("data-key"):
            self._text = ("key", tag, a["data-key"], [])

    def handle_data(self, data):
        if self._text:
            self._text[3].append(data)

    def handle_endtag(self, tag):
        if self._text and tag == self._text[1]:
            kind, _, target, parts = self._text
            text = "".join(parts).strip()
            if kind == "svgtitle":
                self.svgs[-1]["title"] = text
            elif kind == "axis":
                self.svgs[-1]["axes"][target] = text
            elif kind == "th":
                self.tables[-1]["head"].append(text)
            elif kind == "td" and self.tables[-1]["body"]:
                self.tables[-1]["body"][-1].append(text)
            elif kind == "key":
                self.keys[target] = text
            self._text = None
        while self.stack:
            if self.stack.pop() == tag:
                break


def summary_value(summary, key):
    v = summary
    for part in key.split("."):
        if not isinstance(v, dict) or part not in v:
            return None, False
        v = v[part]
    if v is None:
        return "n/a", True
    if isinstance(v, bool):
        return "true" if v else "false", True
    return str(v), True


def check(browser, folder):
    """The problems of the report in `folder` (empty: it passes)."""
    page = os.path.join(folder, "report.html")
    problems = []
    dom_text, console = render(browser, page)
    problems += [f"console: {c}" for c in console]
    if "</html>" not in dom_text:
        problems.append("the page did not render (no DOM dumped)")
        return problems
    dom = Dom()
    dom.feed(dom_text)
    problems += [f"outside reference or script: {o}" for o in dom.outside]
    for i, svg in enumerate(dom.svgs, 1):
        if not svg["title"]:
            problems.append(f"chart {i} has no title")
        for axis in ("x", "y"):
            if not svg["axes"].get(axis):
                problems.append(f"chart {i} ({svg['title'] or 'untitled'}) has no {axis} axis label")
    seen = set()
    for t in dom.tables:
        seen.add(t["csv"])
        path = os.path.join(folder, t["csv"])
        if not os.path.exists(path):
            problems.append(f"table for {t['csv']}: the file is missing")
            continue
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        head, body = rows[0], rows[1:]
        if t["head"] != head:
            problems.append(f"{t['csv']}: page header {t['head']} != file header {head}")
        shown = t["body"]
        if t["rows"] == "all" and len(shown) != len(body):
            problems.append(f"{t['csv']}: page shows {len(shown)} rows, the file has {len(body)}")
        for n, (got, want) in enumerate(zip(shown, body), 1):
            if got != want:
                problems.append(f"{t['csv']} row {n}: page {got} != file {want}")
        if len(shown) > len(body):
            problems.append(f"{t['csv']}: page shows more rows than the file")
    for name in sorted(REQUIRED_TABLES - seen):
        problems.append(f"no table for {name}")
    with open(os.path.join(folder, "summary.json")) as f:
        summary = json.load(f)
    if not dom.keys:
        problems.append("no headline value (data-key) on the page")
    for key, text in sorted(dom.keys.items()):
        want, known = summary_value(summary, key)
        if not known:
            problems.append(f"data-key {key}: not a summary.json key")
        elif text != want:
            problems.append(f"data-key {key}: page {text!r} != summary.json {want!r}")
    return problems


def self_test(browser, folder):
    """Breaks copies of a good report; every break must be caught."""
    with open(os.path.join(folder, "report.html")) as f:
        good = f.read()
    breaks = {
        "a changed cell": lambda s: re.sub(r"<td>(\d+\.\d\d)</td>", r"<td>9\1</td>", s, count=1),
        "a missing axis label": lambda s: s.replace('class="axis-label" data-axis="y"', 'class="tick"', 1),
        "a missing chart title": lambda s: re.sub(r'(<title id="[^"]+">)[^<]*', r"\1", s, count=1),
        "an external image": lambda s: s.replace("<body>", '<body><img src="https://example.invalid/x.png">', 1),
        "a console error (a stylesheet the page may not load)":
            lambda s: s.replace("</head>", '<link rel="stylesheet" href="local.css"></head>', 1),
        "a different headline": lambda s: re.sub(r'(data-key="claims_sent">)(\d+)', r"\g<1>1\2", s, count=1),
    }
    failed = []
    for name, brk in breaks.items():
        broken = brk(good)
        if broken == good:
            failed.append(f"self-test: could not plant {name} (the page has no such element)")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            for entry in os.listdir(folder):
                shutil.copy(os.path.join(folder, entry), tmp)
            with open(os.path.join(tmp, "report.html"), "w") as f:
                f.write(broken)
            if not check(browser, tmp):
                failed.append(f"self-test: {name} was not caught")
            else:
                print(f"   self-test: {name} caught")
    return failed


def main(argv):
    require_some = "--require-some" in argv
    selftest = "--self-test" in argv
    roots = [a for a in argv if not a.startswith("--")]
    browser = chromium()
    if browser is None:
        print("html_check: chromium is not installed", file=sys.stderr)
        return 2
    folders = sorted({d for r in roots for d, _, files in os.walk(r) if "report.html" in files})
    if require_some and not folders:
        print(f"html_check: no report.html under {' '.join(roots)}", file=sys.stderr)
        return 1
    bad = 0
    for folder in folders:
        problems = self_test(browser, folder) if selftest else check(browser, folder)
        if problems:
            bad += 1
            print(f"FAIL {folder}")
            for p in problems:
                print(f"   {p}")
        else:
            print(f"ok   {folder}" + (" (self-test)" if selftest else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
