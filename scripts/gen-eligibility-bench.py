#!/usr/bin/env python3
"""Eligibility benchmark data (synthetic; made-up names and ids).

  gen-eligibility-bench.py schedule --rows N --out FILE.csv
      N schedule rows, one inquiry each (distinct member and date), payer
      BENCHPAYER, billing NPI 1234567893 (fixtures/build/claimflow.toml).
  gen-eligibility-bench.py answers --x270 FILE.270 --out FILE.271
      one 271 answer per TRN of the 270 (active, with copay and deductible;
      every 20th inactive), 5000 answers per transaction set.
"""
import argparse
import re


def schedule(rows, out):
    with open(out, "w") as f:
        f.write("payer_id,billing_npi,member_id,group_number,subscriber_last,subscriber_first,"
                "subscriber_dob,subscriber_sex,service_date\n")
        for i in range(rows):
            day = 1 + i % 28
            f.write(f"BENCHPAYER,1234567893,BM{i:08d},GRP{i % 50:03d},LAST{i % 997},FIRST{i % 991},"
                    f"19{50 + i % 50:02d}-0{1 + i % 9}-1{i % 9},{'MF'[i % 2]},2026-02-{day:02d}\n")


def answers(x270, out):
    text = open(x270).read()
    segs = [s.strip() for s in text.split("~") if s.strip()]
    pairs = []  # (trace, member)
    trace = None
    for s in segs:
        e = s.split("*")
        if e[0] == "TRN":
            trace = e[2]
        elif e[0] == "NM1" and e[1] == "IL" and trace:
            pairs.append((trace, e[9]))
            trace = None
    with open(out, "w") as f:
        f.write("ISA*00*          *00*          *ZZ*BENCHCLEARING  *ZZ*TESTSUBMITTER  "
                "*260301*0900*^*00501*000000099*0*T*:~\n")
        f.write("GS*HB*BENCHCLEARING*TESTSUBMITTER*20260301*0900*99*X*005010X279A1~\n")
        sets = 0
        for start in range(0, len(pairs), 5000):
            sets += 1
            body = ["BHT*0022*11*B%d*20260301*0900" % sets, "HL*1**20*1",
                    "NM1*PR*2*BENCH PLAN*****PI*BENCHPAYER", "HL*2*1*21*1",
                    "NM1*1P*2*TEST CLINIC*****XX*1234567893"]
            hl = 2
            for n, (t, m) in enumerate(pairs[start:start + 5000]):
                hl += 1
                body += ["HL*%d*2*22*0" % hl, "TRN*2*%s*9877281234" % t,
                         "NM1*IL*1*LAST*FIRST****MI*%s" % m, "REF*6P*GRP001",
                         "DTP*346*D8*20260101"]
                if (start + n) % 20 == 19:
                    body.append("EB*6**30")
                else:
                    body += ["EB*1*IND*30*HM*BENCH GOLD",
                             "EB*B*IND*30***27*25.00*****Y",
                             "EB*C*IND*30***23*1500.00*****Y",
                             "EB*C*IND*30***29*800.00*****Y"]
            ctl = "%04d" % sets
            f.write("ST*271*%s*005010X279A1~\n" % ctl)
            for s in body:
                f.write(s + "~\n")
            f.write("SE*%d*%s~\n" % (len(body) + 2, ctl))
        f.write("GE*%d*99~\nIEA*1*000000099~\n" % sets)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("schedule")
    a.add_argument("--rows", type=int, default=100000)
    a.add_argument("--out", required=True)
    b = sub.add_parser("answers")
    b.add_argument("--x270", required=True)
    b.add_argument("--out", required=True)
    args = p.parse_args()
    if args.cmd == "schedule":
        schedule(args.rows, args.out)
    else:
        answers(args.x270, args.out)


if __name__ == "__main__":
    main()
