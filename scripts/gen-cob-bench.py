#!/usr/bin/env python3
"""Generate the secondary (COB) benchmark inputs: an encounter export whose
claims all name a secondary payer, and the primary payer's 835 paying them.

Usage:
  gen-cob-bench.py --claims N --out DIR

Writes DIR/encounters.csv (two service lines per claim, patient = primary
subscriber; secondary coverage at DEMOSECOND, a tenth of it held by a
spouse) and DIR/primary.835 (DEMOPAYER1, 5000 claim payments per
transaction set: each line paid with a CO-45 contractual write-off and a
PR-2 coinsurance, every tenth claim with a claim-level CO-253 too), for
the fixture config (fixtures/claimflow.toml). Service dates are in March
2026: build with --now 2026-03-20, reconcile with --now 2026-04-01.
Every value is made up (no PHI). Deterministic.
"""
import argparse
import os

HEADER = (
    "claim_id,billing_npi,payer_id,member_id,group_number,subscriber_last,subscriber_first,"
    "subscriber_dob,subscriber_sex,subscriber_address1,subscriber_city,subscriber_state,"
    "subscriber_zip,place_of_service,rendering_npi,rendering_last,rendering_first,dx1,line_id,service_date,procedure,units,charge,dx_pointers,"
    "secondary_payer_id,secondary_member_id,secondary_group_number,secondary_relationship,"
    "secondary_subscriber_last,secondary_subscriber_first,secondary_subscriber_dob,"
    "secondary_subscriber_sex"
)
LINES = [("99213", "120.00", 120), ("36415", "30.00", 30)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "encounters.csv"), "w") as f:
        f.write(HEADER + "\n")
        for n in range(a.claims):
            cid = f"B{n:08d}"
            day = 2 + n % 17
            spouse = n % 10 == 0
            sec = (
                f"DEMOSECOND,SM{n:08d},SG1,spouse,Benchperson,Partner{n % 97},1960-01-01,M"
                if spouse
                else f"DEMOSECOND,SM{n:08d},SG1,self,,,,"
            )
            for i, (proc, charge, _) in enumerate(LINES, 1):
                f.write(
                    f"{cid},1234567893,DEMOPAYER1,PM{n:08d},GRP1,Benchperson,Pat{n % 89},"
                    f"1970-05-05,F,{n % 900 + 1} Sample Rd,Springfield,IL,62704,11,"
                    f"1679576722,RENDER,RAY,E11.9,{i},"
                    f"2026-03-{day:02d},{proc},1,{charge},1,{sec}\n"
                )
    segs = []
    sets = []
    per_set = 5000
    for start in range(0, a.claims, per_set):
        body = []
        total = 0
        for n in range(start, min(a.claims, start + per_set)):
            cid = f"B{n:08d}"
            day = 2 + n % 17
            seq = 2 if n % 10 == 0 else 0
            paid_lines = []
            for i, (proc, _, charge) in enumerate(LINES, 1):
                co = charge // 5
                pr = charge // 10
                paid_lines.append((i, proc, charge, charge - co - pr, co, pr))
            paid = sum(p[3] for p in paid_lines) - seq
            pr_total = sum(p[5] for p in paid_lines)
            total += paid
            body.append(f"CLP*{cid}*1*150*{paid}*{pr_total}*12*PCN{n:08d}")
            if seq:
                body.append(f"CAS*CO*253*{seq}")
            body.append(f"NM1*QC*1*BENCHPERSON*PAT****MI*PM{n:08d}")
            for i, proc, charge, lpaid, co, pr in paid_lines:
                body += [
                    f"SVC*HC:{proc}*{charge}*{lpaid}**1",
                    f"DTM*472*202603{day:02d}",
                    f"CAS*CO*45*{co}",
                    f"CAS*PR*2*{pr}",
                    f"REF*6R*{i}",
                ]
        st = len(sets) + 1
        head = [
            f"ST*835*{st:04d}",
            f"BPR*I*{total}*C*ACH*CCP*01*999999992*DA*123456*1512345678**01*999988880*DA*98765*20260401",
            f"TRN*1*BENCH{st:05d}*1512345678",
            "DTM*405*20260401",
            "N1*PR*DEMO HEALTH PLAN",
            "N3*1 PAYER WAY",
            "N4*SPRINGFIELD*IL*627010001",
            "REF*2U*DEMOPAYER1",
            "PER*BL*PROVIDER SERVICES*TE*5555550199",
            "N1*PE*DEMO MEDICAL GROUP*XX*1234567893",
            "N3*100 MAIN ST",
            "N4*SPRINGFIELD*IL*627010001",
            "REF*TJ*123456789",
            "LX*1",
        ]
        seg = head + body
        seg.append(f"SE*{len(seg) + 1}*{st:04d}")
        sets.append(seg)
    out = [
        "ISA*00*          *00*          *ZZ*DEMOPAYER1     *ZZ*DEMOSUBMITTER  *260401*1200*^*00501*000000901*0*P*:",
        f"GS*HP*DEMOPAYER1*DEMOSUBMITTER*20260401*1200*901*X*005010X221A1",
    ]
    for s in sets:
        out += s
    out += [f"GE*{len(sets)}*901", "IEA*1*000000901"]
    with open(os.path.join(a.out, "primary.835"), "w") as f:
        f.write("~\n".join(out) + "~\n")


if __name__ == "__main__":
    main()
