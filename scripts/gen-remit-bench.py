#!/usr/bin/env python3
"""Generates a large synthetic 837P + 835 pair for the reconcile benchmark.

Usage: gen-remit-bench.py [--claims N] [--out DIR] [--per-set M]
Writes DIR/claims.837 (N claims, two service lines each, REF*6R line ids) and
DIR/remit.835 (one claim payment per claim, M claims per transaction set):
5 % denied (CLP02 4, CO-16), 5 % deductible (PR-1), 5 % partial (second line
bundled, CO-97), the rest paid with a CO-45 reduction; every set balances.
All data is made up. Defaults: 1,000,000 claims into target/bench-data.
"""
import argparse
import os

ISA = ("ISA*00*          *00*          *ZZ*{s:<15}*ZZ*{r:<15}"
       "*260320*1200*^*00501*{c:09d}*0*T*:~\n")


def gen_837(path, n, per_set):
    with open(path, "w") as f:
        f.write(ISA.format(s="BENCHSUBMITTER", r="BENCHCLEARING", c=1))
        f.write("GS*HC*BENCHSUBMITTER*BENCHCLEARING*20260320*1200*1*X*005010X222A1~\n")
        sets = 0
        for start in range(0, n, per_set):
            sets += 1
            st = f"{sets:04d}"
            out = [f"ST*837*{st}*005010X222A1~", "BHT*0019*00*B1*20260320*1200*CH~",
                   "NM1*41*2*BENCH GROUP*****46*BENCH01~", "PER*IC*BILLING*TE*5555550100~",
                   "NM1*40*2*BENCH CLEARING*****46*BENCHCLEARING~", "HL*1**20*1~",
                   "NM1*85*2*BENCH GROUP*****XX*1234567893~", "N3*1 MAIN ST~",
                   "N4*SPRINGFIELD*IL*627010001~", "REF*EI*123456789~"]
            hl = 1
            for i in range(start, min(start + per_set, n)):
                hl += 1
                cid = f"B{i:09d}"
                out += [f"HL*{hl}*1*22*0~", "SBR*P*18*******CI~",
                        f"NM1*IL*1*BENCH*PATIENT****MI*M{i:09d}~",
                        "NM1*PR*2*BENCH PLAN*****PI*BENCHPAYER~",
                        f"CLM*{cid}*120***11:B:1*Y*A*Y*Y~", "HI*ABK:R69~",
                        "LX*1~", "SV1*HC:99213*100*UN*1***1~", "DTP*472*D8*20260301~",
                        f"REF*6R*{cid}-1~", "LX*2~", "SV1*HC:81002*20*UN*1***1~",
                        "DTP*472*D8*20260301~", f"REF*6R*{cid}-2~"]
            out.append(f"SE*{len(out) + 1}*{st}~")
            f.write("\n".join(out) + "\n")
        f.write(f"GE*{sets}*1~\nIEA*1*000000001~\n")


def payment(i):
    cid = f"B{i:09d}"
    kind = i % 20
    head = "NM1*QC*1*BENCH*PATIENT****MI*M%09d~" % i
    if kind == 0:  # denied
        return 0, [f"CLP*{cid}*4*120*0**12*P{i}~", head,
                   "SVC*HC:99213*100*0**1~", "DTM*472*20260301~", "CAS*CO*16*100~", f"REF*6R*{cid}-1~",
                   "SVC*HC:81002*20*0**1~", "DTM*472*20260301~", "CAS*CO*16*20~", f"REF*6R*{cid}-2~"]
    if kind == 1:  # deductible
        return 0, [f"CLP*{cid}*1*120*0*96*12*P{i}~", head,
                   "SVC*HC:99213*100*0**1~", "DTM*472*20260301~", "CAS*PR*1*80~", "CAS*CO*45*20~", f"REF*6R*{cid}-1~",
                   "SVC*HC:81002*20*0**1~", "DTM*472*20260301~", "CAS*PR*1*16~", "CAS*CO*45*4~", f"REF*6R*{cid}-2~"]
    if kind == 2:  # partial
        return 80, [f"CLP*{cid}*1*120*80**12*P{i}~", head,
                    "SVC*HC:99213*100*80**1~", "DTM*472*20260301~", "CAS*CO*45*20~", f"REF*6R*{cid}-1~",
                    "SVC*HC:81002*20*0**1~", "DTM*472*20260301~", "CAS*CO*97*20~", f"REF*6R*{cid}-2~"]
    return 96, [f"CLP*{cid}*1*120*96**12*P{i}~", head,
                "SVC*HC:99213*100*80**1~", "DTM*472*20260301~", "CAS*CO*45*20~", f"REF*6R*{cid}-1~",
                "SVC*HC:81002*20*16**1~", "DTM*472*20260301~", "CAS*CO*45*4~", f"REF*6R*{cid}-2~"]


def gen_835(path, n, per_set):
    with open(path, "w") as f:
        f.write(ISA.format(s="BENCHPAYER", r="BENCHPROVIDER", c=2))
        f.write("GS*HP*BENCHPAYER*BENCHPROVIDER*20260320*1200*2*X*005010X221A1~\n")
        sets = 0
        for start in range(0, n, per_set):
            sets += 1
            st = f"{sets:04d}"
            body = ["LX*1~"]
            total = 0
            for i in range(start, min(start + per_set, n)):
                paid, segs = payment(i)
                total += paid
                body += segs
            head = [f"ST*835*{st}~", f"BPR*C*{total}*C*CHK************20260315~",
                    f"TRN*1*BENCH{sets:06d}*1512345678~", "N1*PR*BENCH PLAN~", "N3*1 PLAN WAY~",
                    "N4*CAPITAL*IL*62701~", "REF*2U*BENCHPAYER~", "PER*BL*BENCH EDI*TE*8005551212~",
                    "N1*PE*BENCH GROUP*XX*1234567893~"]
            seg = head + body
            seg.append(f"SE*{len(seg) + 1}*{st}~")
            f.write("\n".join(seg) + "\n")
        f.write(f"GE*{sets}*2~\nIEA*1*000000002~\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--out", default="target/bench-data")
    ap.add_argument("--per-set", type=int, default=5000)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    gen_837(os.path.join(a.out, "claims.837"), a.claims, a.per_set)
    gen_835(os.path.join(a.out, "remit.835"), a.claims, a.per_set)


if __name__ == "__main__":
    main()
