#!/usr/bin/env python3
"""Writes a large, valid, multi-interchange X12 file for benchmarks.

Usage: python3 scripts/gen-bench-x12.py OUT --mb 600 [--single-line]

The file alternates 837P and 835 interchanges (each ~1 MB: one functional
group of 20 transaction sets), every one with its own ISA13/GS06/ST02
control numbers, so `claimflow validate` finds nothing wrong. The data is
synthetic (made-up names, ids and amounts; no PHI). With --single-line no
line break follows the segment terminators (one ~GB line, as some payers
send). Fast: each interchange is built once as a template and written with
fresh control numbers.
"""

import argparse
import os

SETS_PER_GROUP = 20
CLAIMS_PER_837_SET = 100
CLAIMS_PER_835_SET = 150


def isa(control, nl):
    return (
        "ISA*00*          *00*          *ZZ*BENCHSUBMITTER *ZZ*BENCHRECEIVER  *260101*1200*^*00501*"
        f"{control:09d}*0*T*:~{nl}"
    )


def set_837(st02, nl):
    segs = [
        f"ST*837*{st02:04d}*005010X222A1",
        "BHT*0019*00*BATCH0001*20260101*1200*CH",
        "NM1*41*2*BENCH CLINIC*****46*BENCH01",
        "PER*IC*BILLING*TE*5555550100",
        "NM1*40*2*BENCH CLEARINGHOUSE*****46*BENCHCH",
        "HL*1**20*1",
        "NM1*85*2*BENCH CLINIC*****XX*1234567893",
        "N3*1 MAIN ST",
        "N4*SPRINGFIELD*IL*627010000",
        "REF*EI*123456789",
    ]
    hl = 1
    for c in range(CLAIMS_PER_837_SET):
        hl += 1
        segs += [
            f"HL*{hl}*1*22*0",
            "SBR*P*18*******CI",
            f"NM1*IL*1*PATIENT*TEST****MI*M{c:08d}",
            "N3*2 ELM ST",
            "N4*SPRINGFIELD*IL*62701",
            "DMG*D8*19800101*F",
            "NM1*PR*2*BENCH PAYER*****PI*PAYER01",
            f"CLM*C{st02:04d}{c:05d}*150***11:B:1*Y*A*Y*Y",
            "HI*ABK:E119*ABF:I10",
            "LX*1",
            "SV1*HC:99213*100*UN*1***1",
            "DTP*472*D8*20260101",
            "LX*2",
            "SV1*HC:85025*50*UN*1***1",
            "DTP*472*D8*20260101",
        ]
    segs.append(f"SE*{len(segs) + 1}*{st02:04d}")
    return "".join(s + "~" + nl for s in segs)


def set_835(st02, nl):
    segs = [
        f"ST*835*{st02:04d}",
        "BPR*I*12000*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260101",
        f"TRN*1*TRACE{st02:06d}*1512345678",
        "DTM*405*20260101",
        "N1*PR*BENCH PAYER",
        "N3*1 PAYER WAY",
        "N4*CAPITAL*IL*62701",
        "PER*BL*BENCH EDI*TE*8005551212",
        "N1*PE*BENCH CLINIC*XX*1234567893",
    ]
    segs += ["LX*1"]
    for c in range(CLAIMS_PER_835_SET):
        segs += [
            f"CLP*C{st02:04d}{c:05d}*1*150*80*20*12*PAYERCLM{c:06d}*11*1",
            f"NM1*QC*1*PATIENT*TEST****MI*M{c:08d}",
            "DTM*232*20260101",
            "SVC*HC:99213*100*60**1",
            "DTM*472*20260101",
            "CAS*CO*45*20",
            "CAS*PR*2*20",
            "REF*6R*1",
            "SVC*HC:85025*50*20**1",
            "DTM*472*20260101",
            "CAS*CO*45*30",
            "REF*6R*2",
        ]
    segs.append(f"SE*{len(segs) + 1}*{st02:04d}")
    return "".join(s + "~" + nl for s in segs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--mb", type=int, default=600, help="approximate size in MB (default 600)")
    ap.add_argument("--single-line", action="store_true", help="no line breaks at all")
    args = ap.parse_args()
    nl = "" if args.single_line else "\n"
    bodies = {}
    for kind, fid, version, make in (
        ("837", "HC", "005010X222A1", set_837),
        ("835", "HP", "005010X221A1", set_835),
    ):
        sets = "".join(make(i + 1, nl) for i in range(SETS_PER_GROUP))
        bodies[kind] = (fid, version, sets.encode())
    target = args.mb * 1_000_000
    written = 0
    n = 0
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + ".tmp", "wb") as f:
        while written < target:
            n += 1
            fid, version, sets = bodies["837" if n % 2 else "835"]
            head = isa(n, nl) + f"GS*{fid}*BENCHSUB*BENCHRCV*20260101*1200*{n}*X*{version}~{nl}"
            tail = f"GE*{SETS_PER_GROUP}*{n}~{nl}IEA*1*{n:09d}~{nl}"
            for part in (head.encode(), sets, tail.encode()):
                f.write(part)
                written += len(part)
    os.replace(args.out + ".tmp", args.out)
    print(f"{args.out}: {written} bytes, {n} interchanges")


if __name__ == "__main__":
    main()
