#!/usr/bin/env python3
"""Synthetic NCCI files in CMS layouts for benchmarks (made-up content).

    python3 scripts/gen-ncci.py --pairs 1000000 --out DIR

Writes DIR/ptp-part1.txt .. ptp-part4.txt (tab-separated, with a notice
before the header, as CMS ships them), DIR/mue.txt and DIR/addon.txt. The
pairs between the procedure codes scripts/gen-encounters.py uses are edits
the rules must look up (void, deleted, or with modifier indicator 1, so
that few claims are held back); the rest are made-up codes of CPT shape
(0xxxx) that no export line uses. No real NCCI content.
"""
import argparse
import os

EXPORT_CODES = ["99213", "99214", "99212", "99203", "36415", "85025", "80053", "90471",
                "90686", "97110", "97140", "93000", "81002", "71046", "J1100", "J3301"]
HEADER = ("Column 1\tColumn 2\t* = In existence prior to 1996\tEffective Date\t"
          "Deletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\t"
          "PTP Edit Rationale\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=1_000_000)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rows = []
    for i, c1 in enumerate(EXPORT_CODES):
        for j, c2 in enumerate(EXPORT_CODES):
            if c1 == c2:
                continue
            kind = (i * 16 + j) % 3
            if kind == 0:
                rows.append(f"{c1}\t{c2}\t\t20200101\t*\t9\tStandards of medical practice\n")
            elif kind == 1:
                rows.append(f"{c1}\t{c2}\t\t20200101\t20210101\t0\tMutually exclusive procedures\n")
            else:
                # Not yet in effect for the generated dates of service.
                rows.append(f"{c1}\t{c2}\t\t20990101\t*\t1\tMisuse of column two code with column one code\n")
    n = 0
    while len(rows) < a.pairs:
        c1, c2 = 1000 + n // 1000, 50000 + n % 1000
        rows.append(f"{c1:05d}\t{c2:05d}\t\t20200101\t*\t{n % 2}\tMutually exclusive procedures\n")
        n += 1
    part = (len(rows) + 3) // 4
    for p in range(4):
        with open(os.path.join(a.out, f"ptp-part{p + 1}.txt"), "w") as f:
            f.write("Made-up notice: synthetic benchmark data, no CMS content.\n\n")
            f.write(HEADER)
            f.writelines(rows[p * part:(p + 1) * part])
    with open(os.path.join(a.out, "mue.txt"), "w") as f:
        f.write("HCPCS/CPT Code\tPractitioner Services MUE Values\tMUE Adjudication Indicator\tMUE Rationale\n")
        for i, c in enumerate(EXPORT_CODES):
            ind = ["1 Line Edit", "2 Date of Service Edit: Policy", "3 Date of Service Edit: Clinical"][i % 3]
            f.write(f"{c}\t20\t{ind}\tClinical\n")
        for k in range(10000):
            f.write(f"{2000 + k:05d}\t{1 + k % 9}\t{1 + k % 3} Edit\tx\n")
    with open(os.path.join(a.out, "addon.txt"), "w") as f:
        f.write("Add-on Code\tPrimary Code\tAdd-on Code Edit Type\tAdd-on Code Effective Date\t"
                "Add-on Code Deletion Date\n")
        # Deleted before the generated dates of service: looked up, never in effect.
        f.write("90471\tCCCCC\t2\t20200101\t20210101\n")
        for k in range(3000):
            f.write(f"{20000 + k:05d}\t{30000 + k % 50:05d}\t{1 + k % 3}\t20200101\t*\n")


if __name__ == "__main__":
    main()
