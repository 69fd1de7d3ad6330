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
   and the markers of two series never sit on the same spot (equal values
   stay distinguishable);
4. every table with `data-csv` holds the file's columns (`data-col`) and
   rows (`data-v`), cell for cell: all rows with `data-rows="all"`, the
   first rows with `"first"`, the rows with a number other than zero with
   `"nonzero"` (rows of zeros are folded away); its headers are words, not
   CSV column names; money cells read `$1,375.00` (thousands separators,
   two decimals) and rates `28.72%`; the aging, denials, payments and
   procedures tables must all be there;
5. every element with `data-key` holds the value of that key of
   summary.json (`data-v`; dotted keys go into objects; null is "n/a") and
   shows it for a person: money as dollars, rates as percentages, the
   tie-out as "OK" or "Does not tie out: ..." with the difference, never a
   bare true/false;
6. the headline cards of `claims_by_outcome` add up to `claims_sent`;
7. at 1280 px wide nothing scrolls sideways and no table cell or headline
   value wraps onto a second line (measured by a copy of the page with a
   small script, the only way to read a layout); a screenshot at 1280 px
   is saved beside the page as `report-1280.png` and must be a PNG 1280 px
   wide, at least 600 px high, and more than 20 KB (a blank page is less).

--self-test FOLDER breaks a copy of a good report in ten ways (a changed
cell, a missing axis label, a missing chart title, an external image, a
blocked local stylesheet that only the console reports, a headline value
that differs, a CSV column name as header, a bare "true" tie-out, a money
cell without thousands separators, a table too wide for 1280 px) and fails
unless every broken copy is caught.

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


def run_headless(browser, args, done, tries=3):
    """Runs headless Chromium with `args` in a fresh profile until `done(proc)`.

    Headless Chromium now and then exits without output on a busy machine (a
    crashed GPU or zygote process); that says nothing about the page, so the
    run is repeated, up to `tries` times in all. Returns the last run.
    """
    proc = None
    for _ in range(tries):
        with tempfile.TemporaryDirectory() as profile:
            try:
                proc = subprocess.run(
                    [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     f"--user-data-dir={profile}", *args],
                    capture_output=True, text=True, timeout=120)
            except subprocess.TimeoutExpired as e:
                proc = subprocess.CompletedProcess(e.cmd, 124, e.stdout or "", "Chromium did not finish in 120 s")
                if isinstance(proc.stdout, bytes):
                    proc.stdout = proc.stdout.decode(errors="replace")
        if done(proc):
            break
    return proc


def render(browser, page):
    """(dom, console lines) of `page` rendered headless."""
    proc = run_headless(browser, ["--disable-extensions", "--enable-logging=stderr", "--v=0",
                                  "--virtual-time-budget=3000", "--dump-dom", "file://" + os.path.abspath(page)],
                        lambda p: "</html>" in p.stdout)
    console = [l for l in proc.stderr.splitlines() if ":CONSOLE" in l]
    if proc.returncode != 0:
        console.append(f"chromium exited {proc.returncode}: {proc.stderr[-500:]}")
    return proc.stdout, console


class Dom(HTMLParser):
    """Collects the charts, tables, data-key values and outside references."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.svgs = []          # {"title": str, "axes": {x: str, y: str}, "marks": [(series, at)]}
        self.tables = []        # {"csv", "rows", "head": [(col, text)], "body": [[(v, text)]]}
        self.keys = {}          # data-key -> (data-v, data-fmt, text)
        self.outside = []       # src/href pointing elsewhere, scripts
        self.layout = None      # body data-layout (the measuring copy)
        self._text = None       # (kind, tag, target, parts)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.stack.append(tag)
        for attr in ("src", "href", "xlink:href"):
            v = (a.get(attr) or "").strip().lower()
            if v.startswith(("http:", "https:", "//")):
                self.outside.append(f"<{tag} {attr}={v}>")
        if tag == "script":
            self.outside.append("<script>")
        if tag == "body" and a.get("data-layout") is not None:
            self.layout = a["data-layout"]
        if tag == "svg":
            self.svgs.append({"title": "", "axes": {}, "marks": []})
        elif tag == "path" and "mark" in (a.get("class") or "").split() and self.svgs:
            self.svgs[-1]["marks"].append((a.get("data-series"), a.get("transform")))
        elif tag == "title" and self.stack[-2:-1] == ["svg"] and self.svgs:
            self._text = ("svgtitle", tag, None, [])
        elif tag == "text" and "axis-label" in (a.get("class") or "").split() and self.svgs:
            self._text = ("axis", tag, a.get("data-axis", ""), [])
        elif tag == "table" and a.get("data-csv"):
            self.tables.append({"csv": a["data-csv"], "rows": a.get("data-rows", "all"),
                                "head": [], "body": []})
        elif tag == "tr" and self.tables and "tbody" in self.stack:
            self.tables[-1]["body"].append([])
        elif tag == "th" and self.tables and "table" in self.stack:
            self._text = ("th", tag, a.get("data-col"), [])
        elif tag == "td" and self.tables and "table" in self.stack:
            self._text = ("td", tag, a.get("data-v"), [])
        elif a.get("data-key"):
            self._text = ("key", tag, (a["data-key"], a.get("data-v"), a.get("data-fmt")), [])

    def handle_data(self, data):
        if self._text:
            self._text[3].append(data)

    def handle_endtag(self, tag):
        if self._text and tag == self._text[1]:
            kind, _, target, parts = self._text
            text = " ".join("".join(parts).split())
            if kind == "svgtitle":
                self.svgs[-1]["title"] = text
            elif kind == "axis":
                self.svgs[-1]["axes"][target] = text
            elif kind == "th":
                self.tables[-1]["head"].append((target, text))
            elif kind == "td" and self.tables[-1]["body"]:
                self.tables[-1]["body"][-1].append((target, text))
            elif kind == "key":
                key, value, fmt = target
                self.keys[key] = (value, fmt, text)
            self._text = None
        while self.stack:
            if self.stack.pop() == tag:
                break


MONEY_COLUMNS = {"amount", "billed", "allowed", "paid", "contractual", "patient_responsibility",
                 "denied", "provider_adjustments", "deposited"}
RATE_COLUMNS = {"denial_rate", "denial_rate_amount"}


def dollars(text):
    """'1375.00' -> '$1,375.00' (the reader's form of a two-decimal amount)."""
    neg = text.startswith("-")
    whole, _, cents = text.lstrip("-").partition(".")
    return ("-" if neg and text.strip("-0.") else "") + "$" + f"{int(whole):,}" + "." + (cents or "00")


def percent(text):
    """'0.2872' -> '28.72%'."""
    if text == "":
        return ""
    from decimal import Decimal
    return f"{(Decimal(text) * 100).quantize(Decimal('0.01'))}%"


def shown_cell(column, value):
    if column in MONEY_COLUMNS:
        return dollars(value)
    if column in RATE_COLUMNS:
        return percent(value)
    return value


def all_zero(row):
    """True when every number of a CSV row is zero."""
    nums = []
    for c in row:
        try:
            nums.append(float(c))
        except ValueError:
            pass
    return all(n == 0 for n in nums)


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


# Injected into a copy of the page (the page itself allows no script):
# measures the layout at the window's width and writes it on <body>.
MEASURE = """<script>window.addEventListener('load', () => {
  const bad = [];
  const d = document.documentElement;
  if (d.scrollWidth > d.clientWidth) bad.push(`the page scrolls sideways: ${d.scrollWidth} px in ${d.clientWidth}`);
  document.querySelectorAll('.wide, section, figure').forEach((e) => {
    if (e.scrollWidth > e.clientWidth + 1) bad.push(`${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''} ${e.querySelector('table') ? e.querySelector('table').dataset.csv : ''} scrolls sideways: ${e.scrollWidth} px in ${e.clientWidth}`);
  });
  document.querySelectorAll('td, dd').forEach((e) => {
    const r = document.createRange(); r.selectNodeContents(e);
    const tops = new Set(Array.from(r.getClientRects()).map((x) => Math.round(x.top)));
    if (tops.size > 1) bad.push(`"${e.textContent}" wraps onto ${tops.size} lines`);
  });
  document.body.dataset.layout = JSON.stringify(bad);
  document.body.dataset.height = String(d.scrollHeight);
});</script>"""

WIDTH = 1280


def measure(browser, folder):
    """(problems, page height) of the page laid out 1280 px wide."""
    with open(os.path.join(folder, "report.html")) as f:
        page = f.read()
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    page = page.replace("</head>", MEASURE + "</head>", 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "measure.html")
        with open(path, "w") as f:
            f.write(page)
        proc = run_headless(browser, ["--hide-scrollbars", f"--window-size={WIDTH},900",
                                      "--virtual-time-budget=3000", "--dump-dom", "file://" + path],
                            lambda p: "data-layout=" in p.stdout)
    dom = Dom()
    dom.feed(proc.stdout)
    if dom.layout is None:
        return [f"the layout at {WIDTH} px could not be measured"], 0
    height = re.search(r'data-height="(\d+)"', proc.stdout)
    return [f"at {WIDTH} px: {p}" for p in json.loads(dom.layout)], int(height.group(1)) if height else 0


def screenshot(browser, folder, height):
    """Saves report-1280.png beside the page; the problems with it."""
    shot = os.path.join(folder, "report-1280.png")
    height = max(600, min(height or 2000, 12000))
    if os.path.exists(shot):
        os.remove(shot)
    proc = run_headless(browser, ["--hide-scrollbars", f"--window-size={WIDTH},{height}", f"--screenshot={shot}",
                                  "file://" + os.path.abspath(os.path.join(folder, "report.html"))],
                        lambda p: os.path.exists(shot) and os.path.getsize(shot) > 0)
    if not os.path.exists(shot):
        tail = "; ".join(proc.stderr.strip().splitlines()[-3:])
        return ["no screenshot was written" + (f" (Chromium said: {tail})" if tail else "")]
    with open(shot, "rb") as f:
        head = f.read(24)
    size = os.path.getsize(shot)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return ["the screenshot is not a PNG"]
    w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    problems = []
    if w != WIDTH:
        problems.append(f"the screenshot is {w} px wide, not {WIDTH}")
    if h < 600:
        problems.append(f"the screenshot is {h} px high")
    if size <= 20_000:
        problems.append(f"the screenshot is {size} bytes: a blank page?")
    return problems


def check(browser, folder, layout=True):
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
        spots = {}
        for series, at in svg["marks"]:
            spots.setdefault(at, set()).add(series)
        for at, series in spots.items():
            if len(series) > 1:
                problems.append(f"chart {i} ({svg['title']}): series {sorted(series)} drawn on the same spot {at}")
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
        cols = [c for c, _ in t["head"]]
        if cols != head:
            problems.append(f"{t['csv']}: page columns {cols} != file header {head}")
        for col, text in t["head"]:
            if "_" in text or text == col:
                problems.append(f"{t['csv']}: header {text!r} is a CSV column name, not words")
        if t["rows"] == "nonzero":
            body = [r for r in body if not all_zero(r)]
        shown = t["body"]
        if t["rows"] in ("all", "nonzero") and len(shown) != len(body):
            problems.append(f"{t['csv']}: page shows {len(shown)} rows, the file has {len(body)} ({t['rows']})")
        for n, (got, want) in enumerate(zip(shown, body), 1):
            values = [v for v, _ in got]
            if values != want:
                problems.append(f"{t['csv']} row {n}: page {values} != file {want}")
                continue
            for col, (value, text) in zip(head, got):
                if text != shown_cell(col, value):
                    problems.append(f"{t['csv']} row {n} {col}: shows {text!r}, a reader expects {shown_cell(col, value)!r}")
        if len(shown) > len(body):
            problems.append(f"{t['csv']}: page shows more rows than the file")
    for name in sorted(REQUIRED_TABLES - seen):
        problems.append(f"no table for {name}")
    with open(os.path.join(folder, "summary.json")) as f:
        summary = json.load(f)
    if not dom.keys:
        problems.append("no headline value (data-key) on the page")
    for key, (value, fmt, text) in sorted(dom.keys.items()):
        want, known = summary_value(summary, key)
        if not known:
            problems.append(f"data-key {key}: not a summary.json key")
            continue
        if value != want:
            problems.append(f"data-key {key}: page {value!r} != summary.json {want!r}")
            continue
        if text in ("true", "false"):
            problems.append(f"data-key {key}: shows a bare {text!r}")
        elif fmt == "ok":
            good = text.startswith("OK") if want == "true" else text.startswith("Does not tie out: ")
            if not good:
                problems.append(f"data-key {key}: shows {text!r} for {want}")
        elif want == "n/a":
            if text != "n/a":
                problems.append(f"data-key {key}: shows {text!r} for null")
        else:
            reader = {"money": dollars, "rate": percent, "days": lambda v: f"{v} days"}.get(fmt, lambda v: v)(want)
            if text != reader:
                problems.append(f"data-key {key}: shows {text!r}, a reader expects {reader!r}")
    outcomes = summary.get("claims_by_outcome")
    if not isinstance(outcomes, dict):
        problems.append("summary.json has no claims_by_outcome")
    else:
        cards = {k: v for k, v in dom.keys.items() if k.startswith("claims_by_outcome.")}
        if len(cards) != len(outcomes):
            problems.append(f"headline: {len(cards)} outcome card(s) for {len(outcomes)} outcomes")
        total = sum(int(v[0]) for v in cards.values())
        if total != summary["claims_sent"]:
            problems.append(f"headline: the outcome cards add up to {total}, not the {summary['claims_sent']} claims sent")
    if layout:
        found, height = measure(browser, folder)
        problems += found
        problems += screenshot(browser, folder, height)
    return problems


def self_test(browser, folder):
    """Breaks copies of a good report; every break must be caught."""
    with open(os.path.join(folder, "report.html")) as f:
        good = f.read()
    breaks = {
        "a changed cell": lambda s: re.sub(r'<td data-v="(\d+\.\d\d)">', r'<td data-v="9\1">', s, count=1),
        "a missing axis label": lambda s: s.replace('class="axis-label" data-axis="y"', 'class="tick"', 1),
        "a missing chart title": lambda s: re.sub(r'(<title id="[^"]+">)[^<]*', r"\1", s, count=1),
        "an external image": lambda s: s.replace("<body>", '<body><img src="https://example.invalid/x.png">', 1),
        "a console error (a stylesheet the page may not load)":
            lambda s: s.replace("</head>", '<link rel="stylesheet" href="local.css"></head>', 1),
        "a different headline": lambda s: re.sub(r'(data-key="claims_sent" data-v=")(\d+)', r"\g<1>1\2", s, count=1),
        "a CSV column name as header": lambda s: s.replace('data-col="payer_id">Payer<', 'data-col="payer_id">payer_id<', 1),
        "a bare true tie-out": lambda s: re.sub(r'(data-key="tie_out.ok" data-v="true" data-fmt="ok">)[^<]*', r"\1true", s, count=1),
        "money without thousands separators":
            lambda s: re.sub(r'(<td data-v="(\d+\.\d\d)"[^>]*>)\$[\d,]+\.\d\d<', r"\1\2<", s, count=1),
        "a table too wide for 1280 px": lambda s: s.replace("</style>", "table{min-width:1500px}</style>", 1),
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
            if not check(browser, tmp, layout=(name == "a table too wide for 1280 px")):
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
