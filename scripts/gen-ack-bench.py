#!/usr/bin/env python3
"""Generates a large synthetic 837P and the 277CA that answers it, for the
ack benchmark.

Usage: gen-ack-bench.py [--claims N] [--out DIR] [--per-set M]
Writes DIR/claims.837 (N claims B000000000..., payer BENCHPAYER, the 837 of
scripts/gen-remit-bench.py) and DIR/acks.277 (a 277CA from BENCHPAYER with
one claim status per claim, M claims per transaction set: 5 % rejected with
A7:164:IL, the rest accepted with A2:20:PR and a payer claim number).
All data is made up. Defaults: 100,000 claims into target/bench-data.
"""
import argparse
import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ISA = ("ISA*00*          *00*          *ZZ*{s:<15}*ZZ*{r:<15}"
       "*260321*0600*^*00501*{c:09d}*0*T*:~\n")


def gen_277(path, n, per_set):
    with open(path, "w") as f:
        f.write(ISA.format(s="BENCHCLEARING", r="BENCHSUBMITTER", c=277))
        f.write("GS*HN*BENCHCLEARING*BENCHSUBMITTER*20260321*0600*277*X*005010X214~\n")
        sets = 0
        for start in range(0, n, per_set):
            sets += 1
            st = f"{sets:04d}"
            out = [f"ST*277*{st}*005010X214~", f"BHT*0085*08*B277{st}*20260321*0600*TH~",
                   "HL*1**20*1~", "NM1*PR*2*BENCH PLAN*****PI*BENCHPAYER~",
                   f"TRN*1*B277{st}~", "DTP*050*D8*20260320~", "DTP*009*D8*20260321~",
                   "HL*2*1*21*1~", "NM1*41*2*BENCH GROUP*****46*BENCH01~",
                   "TRN*2*0000000010001~", "STC*A1:19:PR*20260321*WQ*0~",
                   "HL*3*2*19*1~", "NM1*85*2*BENCH GROUP*****XX*1234567893~",
                   "TRN*1*BENCHPROV~", "STC*A1:19:PR**WQ*0~"]
            hl = 3
            for i in range(start, min(start + per_set, n)):
                hl += 1
                cid = f"B{i:09d}"
                out += [f"HL*{hl}*3*PT~", f"NM1*QC*1*BENCH*PATIENT****MI*M{i:09d}~",
                        f"TRN*2*{cid}~"]
                if i % 20 == 7:
                    out.append("STC*A7:164:IL*20260321*U*120~")
                else:
                    out += ["STC*A2:20:PR*20260321*WQ*120~", f"REF*1K*PCN{i:09d}~"]
                out.append("DTP*472*D8*20260301~")
            out.append(f"SE*{len(out) + 1}*{st}~")
            f.write("\n".join(out) + "\n")
        f.write(f"GE*{sets}*277~\nIEA*1*000000277~\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--out", default="target/bench-data")
    ap.add_argument("--per-set", type=int, default=5000)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    spec = importlib.util.spec_from_file_location("remit", os.path.join(HERE, "gen-remit-bench.py"))
    remit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(remit)
    remit.gen_837(os.path.join(a.out, "claims.837"), a.claims, a.per_set)
    gen_277(os.path.join(a.out, "acks.277"), a.claims, a.per_set)


if __name__ == "__main__":
    main()
