#!/usr/bin/env python3
"""Writes the synthetic 835 reconciliation fixtures in fixtures/835/.

The segments below are written by hand (see fixtures/835/README.md for the
scenario and the expected figures); this script only adds the envelopes,
counts SE01/GE01/IEA01 and writes the files. All names, ids and amounts are
made up. Run from the project root: python3 scripts/gen-835-fixtures.py
"""
import os
from decimal import Decimal

OUT = "fixtures/835"


def isa(ctl, sender="DEMOPAYER1", receiver="DEMOPROVIDER", date="20260320"):
    return (
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}"
        f"*{date[2:]}*1200*^*00501*{ctl:09d}*0*T*:"
    )


def interchange(ctl, sets, sender="DEMOPAYER1", receiver="DEMOPROVIDER", date="20260320"):
    segs = [
        isa(ctl, sender, receiver, date),
        f"GS*HP*{sender}*{receiver}*{date}*1200*{ctl}*X*005010X221A1",
    ]
    for n, body in enumerate(sets, start=1):
        st = f"{n:04d}"
        seg_list = [f"ST*835*{st}"] + body
        seg_list.append(f"SE*{len(seg_list) + 1}*{st}")
        segs += seg_list
    segs += [f"GE*{len(sets)}*{ctl}", f"IEA*1*{ctl:09d}"]
    return segs


# The payee (loop 1000B): name, NPI, street, city, state, ZIP, tax id.
DEMO_MEDICAL_GROUP = (
    "DEMO MEDICAL GROUP", "1234567893", "100 MAIN ST", "SPRINGFIELD", "IL", "627010001", "123456789",
)


def header(amount, trace, date, payer_name, payer_id, method="CHK",
           payee=DEMO_MEDICAL_GROUP, payer_street="1 PAYER WAY", trn03="1512345678"):
    """BPR to REF*TJ; payer_id None leaves REF*2U out (the payer is then named by TRN03 only)."""
    if method == "CHK":
        bpr = f"BPR*C*{amount}*C*CHK************{date}"
    else:
        bpr = f"BPR*H*{amount}*C*NON************{date}"
    pe_name, pe_npi, pe_street, pe_city, pe_state, pe_zip, pe_tin = payee
    return [
        bpr,
        f"TRN*1*{trace}*{trn03}",
        f"DTM*405*{date}",
        f"N1*PR*{payer_name}",
        f"N3*{payer_street}",
        "N4*SPRINGFIELD*IL*627010001",
    ] + ([f"REF*2U*{payer_id}"] if payer_id else []) + [
        "PER*BL*PROVIDER SERVICES*TE*5555550199",
        f"N1*PE*{pe_name}*XX*{pe_npi}",
        f"N3*{pe_street}",
        f"N4*{pe_city}*{pe_state}*{pe_zip}",
        f"REF*TJ*{pe_tin}",
    ]


def patient(last, first):
    return f"NM1*QC*1*{last}*{first}****MI*TESTMEMBER01"


# remit-1.835: one check (trace T100) from DEMOPAYER1, six claims, PLB with
# interest (L6, increases the payment) and an overpayment recovery (WO).
remit1 = header("329.5", "T100", "20260315", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    # C1001 paid: two lines, contractual reductions only.
    "CLP*C1001*1*120*87**12*PCN-1001",
    patient("TESTPATIENT", "ONE"),
    "DTM*050*20260310",
    "SVC*HC:99213*100*72**1", "DTM*472*20260301", "CAS*CO*45*28", "REF*6R*C1001-1", "AMT*B6*72",
    "SVC*HC:81002*20*15**1", "DTM*472*20260301", "CAS*CO*45*5", "REF*6R*C1001-2", "AMT*B6*15",
    # C1002 partial: the second line is bundled (CO-97) and paid 0.
    "CLP*C1002*1*200*100**12*PCN-1002",
    patient("TESTPATIENT", "TWO"),
    "SVC*HC:99214:25*150*100**1", "DTM*472*20260302", "CAS*CO*45*50", "REF*6R*C1002-1",
    "SVC*HC:93000*50*0**1", "DTM*472*20260302", "CAS*CO*97*50", "REF*6R*C1002-2", "LQ*HE*M15",
    # C1003 denied (CLP02 4): missing information (CO-16), remark on MOA.
    "CLP*C1003*4*200*0**12*PCN-1003",
    patient("TESTPATIENT", "THREE"),
    "MOA***MA130",
    "SVC*HC:99203*200*0**1", "DTM*472*20260303", "CAS*CO*16*200", "REF*6R*C1003-1",
    # C1004 patient responsibility: deductible PR-1 plus contractual CO-45.
    "CLP*C1004*1*100*0*80*12*PCN-1004",
    patient("TESTPATIENT", "FOUR"),
    "SVC*HC:99213*100*0**1", "DTM*472*20260304", "CAS*PR*1*80", "CAS*CO*45*20", "REF*6R*C1004-1",
    # C1005-LONG-CLAIM-ID truncated by the payer to 14 characters; no REF*6R.
    "CLP*C1005-LONG-CLA*1*80*80**12*PCN-1005",
    patient("TESTPATIENT", "FIVE"),
    "SVC*HC:99212*80*80**1", "DTM*472*20260305",
    # C1006 paid 90 (reversed and corrected in remit-2).
    "CLP*C1006*1*100*90**12*PCN-1006",
    patient("TESTPATIENT", "SIX"),
    "SVC*HC:99213*100*90**1", "DTM*472*20260306", "CAS*CO*45*10", "REF*6R*C1006-1",
    "PLB*1234567893*20261231*L6:C1001*-2.5*WO:PCN-1002*30",
]

# remit-2.835: two transaction sets. Set 1 (trace T200, DEMOPAYER1): reversal
# of C1006 and its correction, a payer-changed code (SVC06), a split line, and
# a claim that is not ours. Set 2 (trace T300, DEMOPAYER2): a claim forwarded
# to a secondary payer (CLP02 19 + NM1*TT), a claim known only by its payer
# claim number, and a forwarding-balance PLB.
remit2_set1 = header("285", "T200", "20260318", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    "CLP*C1006*22*-100*-90**12*PCN-1006",
    patient("TESTPATIENT", "SIX"),
    "SVC*HC:99213*-100*-90**-1", "DTM*472*20260306", "CAS*CO*45*-10", "REF*6R*C1006-1",
    "CLP*C1006*1*100*95**12*PCN-1006B",
    patient("TESTPATIENT", "SIX"),
    "SVC*HC:99213*100*95**1", "DTM*472*20260306", "CAS*CO*45*5", "REF*6R*C1006-1",
    "CLP*C1007*1*180*110**12*PCN-1007",
    patient("TESTPATIENT", "SEVEN"),
    "SVC*HC:99214*180*110**1*HC:99215", "DTM*472*20260307", "CAS*CO*45*70",
    "CLP*C1008*1*160*120**12*PCN-1008",
    patient("TESTPATIENT", "EIGHT"),
    "SVC*HC:97110*80*60**2", "DTM*472*20260308", "CAS*CO*45*20", "REF*6R*C1008-1",
    "SVC*HC:97110*80*60**2", "DTM*472*20260308", "CAS*CO*45*20",
    "CLP*ZZ-NOT-OURS-1*1*50*50**12*PCN-9999",
    patient("TESTPATIENT", "NINE"),
    "SVC*HC:99211*50*50**1", "DTM*472*20260309",
]
remit2_set2 = header("120", "T300", "20260318", "SECOND DEMO PLAN", "DEMOPAYER2") + [
    "LX*1",
    "CLP*C1009*19*100*60*20*MB*PCN-1009",
    patient("TESTPATIENT", "TEN"),
    "NM1*TT*2*DEMO SECONDARY PLAN*****PI*SEC01",
    "SVC*HC:99213*100*60**1", "DTM*472*20260309", "CAS*CO*45*20", "CAS*PR*2*20", "REF*6R*C1009-1",
    "CLP*R1010*1*90*70**MB*PCN-1010",
    patient("TESTPATIENT", "ELEVEN"),
    "SVC*HC:99212*90*70**1", "DTM*472*20260310", "CAS*CO*45*20",
    "PLB*1234567893*20261231*FB:PCN-1009*10",
]

# paid-only.835: one claim paid in full after the contractual reduction
# (trace T400): nothing needs a person, reconcile exits 0.
paid_only = header("87", "T400", "20260316", "DEMO HEALTH PLAN", "DEMOPAYER1") + remit1[12:26]

# bad/unbalanced.835: every balancing rule broken once.
unbalanced = header("100", "T900", "20260319", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    # SVC: 100 - 60 = 40 but line CAS says 30; CLP: 100 - 60 = 40 but CAS says 30;
    # CLP05 says 15 but PR adjustments total 10.
    "CLP*C1001*1*100*60*15*12*PCN-1001",
    patient("TESTPATIENT", "ONE"),
    "SVC*HC:99213*100*60**1", "DTM*472*20260301", "CAS*CO*45*20", "CAS*PR*3*10",
    # BPR02 100 but claims pay 60.
]


# demo.835: the payers' answer to what `scripts/demo.sh` builds from
# fixtures/encounters/demo.csv (fixtures/claimflow.toml, --now 2026-11-27:
# out/claims-000000001.x12). Sent back by the clearinghouse (DEMOCLEARING to
# DEMOSUBMITTER), paid 2026-12-10, one transaction set per payer: REF*2U is the
# payer id of the config, N1*PE the billing provider of the claims, CLP01 the
# CLM01 sent, REF*6R the line ids sent, SVC01 code and modifiers as sent.
# Set 1 (check 100270001, DEMOPAYER1 to Demo Medical Group 1234567893):
#   D1001 paid (CO-45), D1002 paid (dependent; NM1*IL is the subscriber),
#   D1003 paid with coinsurance (PR-2) and CO-45, D1004 the replacement claim
#   paid (CO-45), D1006 DENIED (CLP02 4, CO-50 on both lines, remark N130),
#   W3001 patient responsibility (all to the deductible, PR-1, and CO-45).
# Set 2 (check 200270001, DEMOMCARE to Demo Pediatrics LLC 1003000126):
#   D1005 paid, 80 % of the allowed amount, PR-2 coinsurance and CO-45.
# `reconcile` against the demo ledger (--now 2026-12-15) matches all seven by
# claim id and every line by line id, and exits 1: the denial needs a person.
def demo_patient(last, first, member, subscriber=None):
    """NM1*QC (and NM1*IL when the subscriber is someone else)."""
    if subscriber is None:
        return [f"NM1*QC*1*{last}*{first}****MI*{member}"]
    return [f"NM1*QC*1*{last}*{first}", f"NM1*IL*1*{last}*{subscriber}****MI*{member}"]


def demo_line(code, charge, paid, units, date, adjustments, line_id, allowed=None, remarks=()):
    """One SVC loop: adjustments are (group, carc, amount) and must add up to charge - paid."""
    assert Decimal(charge) - Decimal(paid) == sum(Decimal(a) for _, _, a in adjustments), code
    segs = [f"SVC*HC:{code}*{charge}*{paid}**{units}"]
    if "-" in date:
        start, end = date.split("-")
        segs += [f"DTM*150*{start}", f"DTM*151*{end}"]
    else:
        segs.append(f"DTM*472*{date}")
    by_group = {}
    for group, carc, amount in adjustments:
        by_group.setdefault(group, []).append(f"{carc}*{amount}")
    segs += [f"CAS*{group}*" + "**".join(pairs) for group, pairs in by_group.items()]
    segs.append(f"REF*6R*{line_id}")
    if allowed is not None:
        segs.append(f"AMT*B6*{allowed}")
    segs += [f"LQ*HE*{r}" for r in remarks]
    return segs


demo_set1 = header(
    "473.2", "100270001", "20261210", "DEMO HEALTH PLAN", "DEMOPAYER1", trn03="1512345678"
) + [
    "LX*1",
    # D1001 paid: two lines, contractual reductions only.
    "CLP*D1001*1*163.5*122**12*DHP2612100001",
    *demo_patient("TESTPERSON", "ALMA", "DEMO00001"),
    "DTM*050*20261130",
    *demo_line("99214:25", "145", "110", 1, "20260302", [("CO", "45", "35")], "1", "110"),
    *demo_line("82947", "18.5", "12", 1, "20260302", [("CO", "45", "6.5")], "2", "12"),
    # D1002 paid: the patient is the subscriber's child.
    "CLP*D1002*1*185*150**12*DHP2612100002",
    *demo_patient("SAMPLETON", "LIA", "DEMO00002", subscriber="MARCO"),
    "DTM*050*20261130",
    *demo_line("99393", "160", "130", 1, "20260414", [("CO", "45", "30")], "A1", "130"),
    *demo_line("90460", "25", "20", 1, "20260414", [("CO", "45", "5")], "A2", "20"),
    # D1003 paid 80 % of the allowed amount: 20 % coinsurance (PR-2) to the patient.
    "CLP*D1003*1*142.4*91.2*22.8*12*DHP2612100003",
    *demo_patient("PLACEHOLDER", "JUNE", "DEMO00003"),
    "DTM*050*20261130",
    *demo_line("20610:RT", "110", "72", 1, "20260506",
               [("PR", "2", "18"), ("CO", "45", "20")], "1", "90"),
    *demo_line("J3301", "32.4", "19.2", 4, "20260506",
               [("PR", "2", "4.8"), ("CO", "45", "8.4")], "2", "24"),
    # D1004 the replacement claim (frequency 7, REF*F8 PAYERCCN00077) paid.
    "CLP*D1004*1*150*110**12*DHP2612100004",
    *demo_patient("FAKENAME", "OMAR", "DEMO00004"),
    "DTM*050*20261130",
    *demo_line("99214", "150", "110", 1, "20260224", [("CO", "45", "40")], "1", "110"),
    # D1006 denied: not medically necessary (CO-50) on both lines.
    "CLP*D1006*4*1375*0**12*DHP2612100005",
    *demo_patient("TRYOUT", "NINA", "DEMO00006"),
    "DTM*050*20261130",
    *demo_line("72148", "1200", "0", 1, "20260713", [("CO", "50", "1200")], "1",
               remarks=["N130"]),
    *demo_line("97110", "175", "0", 3, "20260713-20260715", [("CO", "50", "175")], "2"),
    # W3001 everything to the patient's deductible (PR-1) after the contractual reduction.
    "CLP*W3001*1*95*0*80*12*DHP2612100006",
    *demo_patient("LATECASE", "RAY", "DEMO00007"),
    "DTM*050*20261130",
    *demo_line("99213", "95", "0", 1, "20261005", [("PR", "1", "80"), ("CO", "45", "15")], "1", "80"),
]
demo_set2 = header(
    "136", "200270001", "20261210", "DEMO MEDICARE CONTRACTOR", "DEMOMCARE",
    payee=("DEMO PEDIATRICS LLC", "1003000126", "200 OAK AVE", "SPRINGFIELD", "IL", "627020002",
           "371234567"),
    payer_street="2 CONTRACTOR PLAZA", trn03="1999999999",
) + [
    "LX*1",
    # D1005 paid: the patient is the subscriber's spouse; both knees.
    "CLP*D1005*1*220*136*34*MB*MCR2612100001",
    *demo_patient("MOCKWELL", "EDNA", "DEMO00005", subscriber="HENRY"),
    "DTM*050*20261130",
    *demo_line("20610:LT", "110", "68", 1, "20260609",
               [("PR", "2", "17"), ("CO", "45", "25")], "1", "85"),
    *demo_line("20610:RT", "110", "68", 1, "20260609",
               [("PR", "2", "17"), ("CO", "45", "25")], "2", "85"),
]

# claims.837: the ten claims the remittances answer (837P, one subscriber
# per claim). C1001-C1008 were sent to DEMOPAYER1, C1009 and C1010 to
# DEMOPAYER2 (the payer whose set T300 answers them). C1010 replaces an earlier claim (frequency 7,
# REF*F8 = the payer's claim number PCN-1010).
CLAIMS = [
    # claim id, [(line id, procedure, modifiers, charge, units, date)]
    ("C1001", [("C1001-1", "99213", "", 100, 1, "20260301"), ("C1001-2", "81002", "", 20, 1, "20260301")]),
    ("C1002", [("C1002-1", "99214", "25", 150, 1, "20260302"), ("C1002-2", "93000", "", 50, 1, "20260302")]),
    ("C1003", [("C1003-1", "99203", "", 200, 1, "20260303")]),
    ("C1004", [("C1004-1", "99213", "", 100, 1, "20260304")]),
    ("C1005-LONG-CLAIM-ID", [("C1005-1", "99212", "", 80, 1, "20260305")]),
    ("C1006", [("C1006-1", "99213", "", 100, 1, "20260306")]),
    ("C1007", [("C1007-1", "99215", "", 180, 1, "20260307")]),
    ("C1008", [("C1008-1", "97110", "", 160, 4, "20260308")]),
    ("C1009", [("C1009-1", "99213", "", 100, 1, "20260309")]),
    ("C1010", [("C1010-1", "99212", "", 90, 1, "20260310")]),
]


# money.835: one check (trace T500, DEMOPAYER1) answering the claims of
# money.837, one case of issue 9 each (adjustments balance per line and claim):
#   M2001 denied (CLP02 4) with CO-16 at claim level: denied, not contractual.
#   M2002 paid, but line 2 paid 0 with CO-16: partial, the line on the worklist.
#   M2003 paid with CO-45 and CO-151 (one of four units not paid): partial.
#   M2004 CLP02 23 (not this payer's claim, passed on; NM1*TT): forwarded.
#   M2005 CLP02 19 (processed, forwarded; NM1*TT), line 2 CO-22: partial+forwarded,
#         next action: wait for the other payer's remittance.
#   M2006 paid with CO-131 (a negotiated discount): denied money by default,
#         contractual when the config lists 131 in contractual_carcs.
money = header("575", "T500", "20260325", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    "CLP*M2001*4*300*0**12*PCN-2001",
    "CAS*CO*16*300",
    patient("TESTPATIENT", "TWENTYONE"),
    "MOA***MA130",
    "CLP*M2002*1*250*120**12*PCN-2002",
    patient("TESTPATIENT", "TWENTYTWO"),
    *demo_line("99214", "150", "120", 1, "20260312", [("CO", "45", "30")], "M2002-1", "120"),
    *demo_line("36415", "100", "0", 1, "20260312", [("CO", "16", "100")], "M2002-2",
               remarks=["M51"]),
    "CLP*M2003*1*400*225**12*PCN-2003",
    patient("TESTPATIENT", "TWENTYTHREE"),
    "SVC*HC:97110*400*225**3**4", "DTM*472*20260313", "CAS*CO*45*100**151*75*1",
    "REF*6R*M2003-1",
    "CLP*M2004*23*100*0**12*PCN-2004",
    patient("TESTPATIENT", "TWENTYFOUR"),
    "NM1*TT*2*DEMO OTHER PLAN*****PI*OTHER01",
    *demo_line("99213", "100", "0", 1, "20260314", [("CO", "109", "100")], "M2004-1"),
    "CLP*M2005*19*200*80*20*12*PCN-2005",
    patient("TESTPATIENT", "TWENTYFIVE"),
    "NM1*TT*2*DEMO SECONDARY PLAN*****PI*SEC01",
    *demo_line("99213", "150", "80", 1, "20260315", [("CO", "45", "50"), ("PR", "2", "20")],
               "M2005-1"),
    *demo_line("90471", "50", "0", 1, "20260315", [("CO", "22", "50")], "M2005-2"),
    "CLP*M2006*1*180*150**12*PCN-2006",
    patient("TESTPATIENT", "TWENTYSIX"),
    *demo_line("99215", "180", "150", 1, "20260316", [("CO", "131", "30")], "M2006-1"),
]

# money.837: the six claims money.835 answers (payer DEMOPAYER1).
MONEY_CLAIMS = [
    ("M2001", [("M2001-1", "99203", "", 300, 1, "20260311")]),
    ("M2002", [("M2002-1", "99214", "", 150, 1, "20260312"), ("M2002-2", "36415", "", 100, 1, "20260312")]),
    ("M2003", [("M2003-1", "97110", "", 400, 4, "20260313")]),
    ("M2004", [("M2004-1", "99213", "", 100, 1, "20260314")]),
    ("M2005", [("M2005-1", "99213", "", 150, 1, "20260315"), ("M2005-2", "90471", "", 50, 1, "20260315")]),
    ("M2006", [("M2006-1", "99215", "", 180, 1, "20260316")]),
]


# The claims not sent to DEMOPAYER1: their NM1*PR (loop 2010BB).
PAYER_837 = {
    "C1009": "NM1*PR*2*SECOND DEMO PLAN*****PI*DEMOPAYER2",
    "C1010": "NM1*PR*2*SECOND DEMO PLAN*****PI*DEMOPAYER2",
}


def claims_837(claims=None, ctl=201):
    claims = CLAIMS if claims is None else claims
    body = [
        "BHT*0019*00*DEMO0001*20260311*1200*CH",
        "NM1*41*2*DEMO MEDICAL GROUP*****46*DEMO01",
        "PER*IC*BILLING OFFICE*TE*5555550100",
        "NM1*40*2*DEMO CLEARINGHOUSE*****46*DEMOCLEARING",
        "HL*1**20*1",
        "NM1*85*2*DEMO MEDICAL GROUP*****XX*1234567893",
        "N3*100 MAIN ST",
        "N4*SPRINGFIELD*IL*627010001",
        "REF*EI*123456789",
    ]
    hl = 1
    for n, claim in enumerate(claims, start=1):
        claim_id, lines = claim[0], claim[1]
        payer_nm1 = claim[2] if len(claim) > 2 else PAYER_837.get(
            claim_id, "NM1*PR*2*DEMO HEALTH PLAN*****PI*DEMOPAYER1")
        hl += 1
        total = sum(l[3] for l in lines)
        freq = "7" if claim_id == "C1010" else "1"
        body += [
            f"HL*{hl}*1*22*0",
            "SBR*P*18*******CI",
            f"NM1*IL*1*TESTPATIENT*N{n}****MI*TESTMEMBER{n:02d}",
            "N3*1 TEST ST",
            "N4*SPRINGFIELD*IL*62701",
            "DMG*D8*19800101*U",
            payer_nm1,
            f"CLM*{claim_id}*{total}***11:B:{freq}*Y*A*Y*Y",
        ]
        if freq == "7":
            body.append("REF*F8*PCN-1010")
        body.append("HI*ABK:R69")
        for i, (line_id, proc, mods, charge, units, date) in enumerate(lines, start=1):
            code = f"HC:{proc}" + (f":{mods}" if mods else "")
            body += [
                f"LX*{i}",
                f"SV1*{code}*{charge}*UN*{units}***1",
                f"DTP*472*D8*{date}",
                f"REF*6R*{line_id}",
            ]
    segs = [
        isa(ctl, "DEMOSUBMITTER", "DEMOCLEARING"),
        f"GS*HC*DEMOSUBMITTER*DEMOCLEARING*20260311*1200*{ctl}*X*005010X222A1",
        "ST*837*0001*005010X222A1",
    ] + body
    segs.append(f"SE*{len(body) + 2}*0001")
    segs += [f"GE*1*{ctl}", f"IEA*1*{ctl:09d}"]
    return segs


def write(name, segs, newline=True, crlf=False):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    end = "\r\n" if crlf else "\n"
    sep = "~" + end if newline else "~"
    with open(path, "w", newline="") as f:
        f.write(sep.join(segs) + "~" + end)


# payers.837 and payers.835: payer-aware matching (issue 9). The same claim
# id P3001 was sent to DEMOPAYER1 (primary) and to DEMOPAYER2 (secondary);
# P3002 to DEMOPAYER1 only.
DHP = "NM1*PR*2*DEMO HEALTH PLAN*****PI*DEMOPAYER1"
SDP = "NM1*PR*2*SECOND DEMO PLAN*****PI*DEMOPAYER2"
PAYERS_CLAIMS = [
    ("P3001", [("P3001-1", "99213", "", 100, 1, "20260401")], DHP),
    ("P3002", [("P3002-1", "99214", "", 150, 1, "20260402")], DHP),
    ("P3001", [("P3001-1", "99213", "", 100, 1, "20260401")], SDP),
    ("P3003", [("P3003-1", "99212", "", 80, 1, "20260403")], SDP),
    ("P3004", [("P3004-1", "99211", "", 60, 1, "20260404")], SDP),
]

# payers.835:
#   Set 1 (trace T610, REF*2U DEMOPAYER2): P3001 paid 30 as secondary (OA-23
#     the primary's share, CO-45): goes to the claim sent to DEMOPAYER2.
#   Set 2 (trace T620): no REF*2U, N1*PR without N104, TRN03 1512345678, an
#     alias of DEMOPAYER1 in a config: P3001 paid 50 (PR-2 20, CO-45 30) and
#     P3002 paid 120 (CO-45 30). Without the alias the payer is unknown:
#     P3001 (sent to two payers) is unmatched, P3002 matches by claim id alone.
payers_set1 = header("30", "T610", "20260410", "SECOND DEMO PLAN", "DEMOPAYER2",
                     trn03="1999999999") + [
    "LX*1",
    "CLP*P3001*2*100*30**12*PCN2-3001",
    patient("TESTPATIENT", "THIRTYONE"),
    *demo_line("99213", "100", "30", 1, "20260401", [("OA", "23", "50"), ("CO", "45", "20")],
               "P3001-1"),
]
payers_set2 = header("170", "T620", "20260411", "DEMO HEALTH PLAN", None) + [
    "LX*1",
    "CLP*P3001*1*100*50*20*12*PCN1-3001",
    patient("TESTPATIENT", "THIRTYONE"),
    *demo_line("99213", "100", "50", 1, "20260401", [("PR", "2", "20"), ("CO", "45", "30")],
               "P3001-1"),
    "CLP*P3002*1*150*120**12*PCN1-3002",
    patient("TESTPATIENT", "THIRTYTWO"),
    *demo_line("99214", "150", "120", 1, "20260402", [("CO", "45", "30")], "P3002-1"),
]

# payers-resent.835: set 1 of payers.835 (T610) delivered again by the
# clearinghouse: a new envelope (ISA13/GS06 111, other sender, date) and CRLF
# line endings; the same payment.
# payers-two.835: two payments of DEMOPAYER2 under the same check number
# T630 from two originating companies (TRN03 1999999999 and 1888888888):
# P3003 paid 64 (CO-45 16) and P3004 paid 50 (CO-45 10).
# payers-conflict.835: trace T610 of DEMOPAYER2 again (same TRN03), but paying
# P3001 35 instead of 30: a different payment under a used trace.
payers_two_1 = header("64", "T630", "20260412", "SECOND DEMO PLAN", "DEMOPAYER2",
                      trn03="1999999999") + [
    "LX*1",
    "CLP*P3003*1*80*64**12*PCN2-3003",
    patient("TESTPATIENT", "THIRTYTHREE"),
    *demo_line("99212", "80", "64", 1, "20260403", [("CO", "45", "16")], "P3003-1"),
]
payers_two_2 = header("50", "T630", "20260412", "SECOND DEMO PLAN", "DEMOPAYER2",
                      trn03="1888888888") + [
    "LX*1",
    "CLP*P3004*1*60*50**12*PCN2-3004",
    patient("TESTPATIENT", "THIRTYFOUR"),
    *demo_line("99211", "60", "50", 1, "20260404", [("CO", "45", "10")], "P3004-1"),
]
payers_conflict = header("35", "T610", "20260410", "SECOND DEMO PLAN", "DEMOPAYER2",
                         trn03="1999999999") + [
    "LX*1",
    "CLP*P3001*2*100*35**12*PCN2-3001",
    patient("TESTPATIENT", "THIRTYONE"),
    *demo_line("99213", "100", "35", 1, "20260401", [("OA", "23", "50"), ("CO", "45", "15")],
               "P3001-1"),
]


# lines.837 and lines-1/2/3.835: every sent line accounted for, split claims,
# reversals, PLB tied to claims (issue 9). All to DEMOPAYER1.
LINES_CLAIMS = [
    ("L4001", [("L4001-1", "99213", "", 100, 1, "20260501"), ("L4001-2", "36415", "", 50, 1, "20260501")]),
    ("L4002", [("L4002-1", "99214", "", 120, 1, "20260502"), ("L4002-2", "97110", "", 80, 1, "20260502")]),
    ("L4003", [("L4003-1", "99212", "", 70, 1, "20260503"), ("L4003-2", "81002", "", 30, 1, "20260503")]),
    ("L4004", [("L4004-1", "99213", "", 100, 1, "20260504")]),
    ("L4005", [("L4005-1", "99211", "", 60, 1, "20260505")]),
    ("L4006", [("L4006-1", "99213", "", 100, 1, "20260506")]),
    ("L4007", [("L4007-1", "99215", "", 350, 1, "20260507")]),
]


def clp(claim, status, charge, paid, pcn, last, line):
    """One claim payment with one service line (a demo_line list)."""
    return [f"CLP*{claim}*{status}*{charge}*{paid}**12*{pcn}", patient("TESTPATIENT", last)] + line


# lines-1.835 (trace T710, 2026-05-15), the first run:
#   L4001 answers line 1 only (CLP03 100, CLM02 150): line 2 not adjudicated.
#   L4002 split by the payer: part A (PCN-4002A) answers line 1; part B
#         comes in lines-2.835.
#   L4003 split in two CLPs of this payment (PCN-4003A, PCN-4003B).
#   L4004, L4005, L4006 paid (reversed in lines-2.835).
lines1 = header("475", "T710", "20260515", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    *clp("L4001", 1, 100, 80, "PCN-4001", "FORTYONE",
         demo_line("99213", "100", "80", 1, "20260501", [("CO", "45", "20")], "L4001-1")),
    *clp("L4002", 1, 120, 100, "PCN-4002A", "FORTYTWO",
         demo_line("99214", "120", "100", 1, "20260502", [("CO", "45", "20")], "L4002-1")),
    *clp("L4003", 1, 70, 60, "PCN-4003A", "FORTYTHREE",
         demo_line("99212", "70", "60", 1, "20260503", [("CO", "45", "10")], "L4003-1")),
    *clp("L4003", 1, 30, 25, "PCN-4003B", "FORTYTHREE",
         demo_line("81002", "30", "25", 1, "20260503", [("CO", "45", "5")], "L4003-2")),
    *clp("L4004", 1, 100, 80, "PCN-4004", "FORTYFOUR",
         demo_line("99213", "100", "80", 1, "20260504", [("CO", "45", "20")], "L4004-1")),
    *clp("L4005", 1, 60, 50, "PCN-4005", "FORTYFIVE",
         demo_line("99211", "60", "50", 1, "20260505", [("CO", "45", "10")], "L4005-1")),
    *clp("L4006", 1, 100, 80, "PCN-4006", "FORTYSIX",
         demo_line("99213", "100", "80", 1, "20260506", [("CO", "45", "20")], "L4006-1")),
]

# lines-2.835 (trace T720, 2026-05-29), the second run:
#   L4002 part B (PCN-4002B) answers line 2: the claim is complete.
#   L4004 reversed (same CLP07, negated amounts) and corrected (PCN-4004B, 90).
#   L4005 reversed, no correction: outstanding again.
#   L4006 "reversed" with amounts of no payment (-70, paid was 80): nothing undone.
#   L4007 paid.
#   PLB: WO recoupment naming PCN-4001 (L4001), interest L6 naming L4004,
#        and a provider-level CS adjustment whose reference names no claim.
lines2 = header("226.25", "T720", "20260529", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    *clp("L4002", 1, 80, 70, "PCN-4002B", "FORTYTWO",
         demo_line("97110", "80", "70", 1, "20260502", [("CO", "45", "10")], "L4002-2")),
    *clp("L4004", 22, -100, -80, "PCN-4004", "FORTYFOUR",
         demo_line("99213", "-100", "-80", -1, "20260504", [("CO", "45", "-20")], "L4004-1")),
    *clp("L4004", 1, 100, 90, "PCN-4004B", "FORTYFOUR",
         demo_line("99213", "100", "90", 1, "20260504", [("CO", "45", "10")], "L4004-1")),
    *clp("L4005", 22, -60, -50, "PCN-4005", "FORTYFIVE",
         demo_line("99211", "-60", "-50", -1, "20260505", [("CO", "45", "-10")], "L4005-1")),
    *clp("L4006", 22, -100, -70, "PCN-4006", "FORTYSIX",
         demo_line("99213", "-100", "-70", -1, "20260506", [("CO", "45", "-30")], "L4006-1")),
    *clp("L4007", 1, 350, 300, "PCN-4007", "FORTYSEVEN",
         demo_line("99215", "350", "300", 1, "20260507", [("CO", "45", "50")], "L4007-1")),
    "PLB*1234567893*20261231*WO:PCN-4001*20*L6:L4004*-1.25*CS:NOCLAIM77*15",
]

# lines-3.835 (trace T730, 2026-06-12), a later run: a new payment of L4005
# (after its reversal) and the answer to L4001's second line.
lines3 = header("95", "T730", "20260612", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    *clp("L4005", 1, 60, 55, "PCN-4005B", "FORTYFIVE",
         demo_line("99211", "60", "55", 1, "20260505", [("CO", "45", "5")], "L4005-1")),
    *clp("L4001", 1, 50, 40, "PCN-4001B", "FORTYONE",
         demo_line("36415", "50", "40", 1, "20260501", [("CO", "45", "10")], "L4001-2")),
]


# lines-split.835: L4002 of lines.837 split by the payer across two payments
# of one file: set 1 (trace T750, 2026-05-15) answers line 1 (PCN-4002A),
# set 2 (trace T760, 2026-05-29) line 2 (PCN-4002B). At the end of a run of
# this file the claim is complete: paid, not outstanding, nothing to do.
split_a = header("100", "T750", "20260515", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    *clp("L4002", 1, 120, 100, "PCN-4002A", "FORTYTWO",
         demo_line("99214", "120", "100", 1, "20260502", [("CO", "45", "20")], "L4002-1")),
]
split_b = header("70", "T760", "20260529", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    *clp("L4002", 1, 80, 70, "PCN-4002B", "FORTYTWO",
         demo_line("97110", "80", "70", 1, "20260502", [("CO", "45", "10")], "L4002-2")),
]

# lines-split-denied.835: L4003 of lines.837 split across two payments of
# one file: set 1 (trace T770) pays line 1 (PCN-4003A), set 2 (trace T780)
# denies line 2 (PCN-4003B, CO-16): the claim ends partial, not denied.
split_denied_a = header("60", "T770", "20260515", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    *clp("L4003", 1, 70, 60, "PCN-4003A", "FORTYTHREE",
         demo_line("99212", "70", "60", 1, "20260503", [("CO", "45", "10")], "L4003-1")),
]
split_denied_b = header("0", "T780", "20260529", "DEMO HEALTH PLAN", "DEMOPAYER1", method="NON") + [
    "LX*1",
    *clp("L4003", 1, 30, 0, "PCN-4003B", "FORTYTHREE",
         demo_line("81002", "30", "0", 1, "20260503", [("CO", "16", "30")], "L4003-2",
                   remarks=["M51"])),
]

# recoded.837 and recoded.835 (trace T740, 2026-06-20): lines the payer
# re-coded, answered without REF*6R (issue 9). All to DEMOPAYER1.
#   R5001 line 1 (99213) re-coded to 99212, SVC06 99213: original_procedure.
#         line 2 (99214): SVC06 names 99215, never sent; SVC01 99214: procedure.
#         line 3 (36415) re-coded to G0471 without SVC06: the only 30.00 line
#         of that date: charge_date.
#   R5002 two 40.00 lines of one date, both re-coded to 97530 without SVC06:
#         which is which cannot be told: no match, both lines not_adjudicated.
RECODED_CLAIMS = [
    ("R5001", [("R5001-1", "99213", "", 100, 1, "20260601"), ("R5001-2", "99214", "", 150, 1, "20260601"),
               ("R5001-3", "36415", "", 30, 1, "20260601")]),
    ("R5002", [("R5002-1", "97110", "", 40, 1, "20260602"), ("R5002-2", "97112", "", 40, 1, "20260602")]),
]


def recoded_line(code, charge, paid, date, adjustment, original=None):
    """One SVC loop without REF*6R: SVC06 is the original code when given."""
    assert Decimal(charge) - Decimal(paid) == Decimal(adjustment[2]), code
    svc = f"SVC*HC:{code}*{charge}*{paid}**1" + (f"*HC:{original}" if original else "")
    return [svc, f"DTM*472*{date}", "CAS*{}*{}*{}".format(*adjustment)]


recoded = header("280", "T740", "20260620", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    "CLP*R5001*1*280*210**12*PCN-5001",
    patient("TESTPATIENT", "FIFTYONE"),
    *recoded_line("99212", "100", "70", "20260601", ("CO", "45", "30"), original="99213"),
    *recoded_line("99214", "150", "120", "20260601", ("CO", "45", "30"), original="99215"),
    *recoded_line("G0471", "30", "20", "20260601", ("CO", "45", "10")),
    "CLP*R5002*1*80*70**12*PCN-5002",
    patient("TESTPATIENT", "FIFTYTWO"),
    *recoded_line("97530", "40", "35", "20260602", ("CO", "45", "5")),
    *recoded_line("97530", "40", "35", "20260602", ("CO", "45", "5")),
]


def main():
    write("remit-1.835", interchange(101, [remit1]))
    write("remit-2.835", interchange(102, [remit2_set1, remit2_set2]))
    write("unbalanced.835", interchange(109, [unbalanced]))
    write("paid-only.835", interchange(104, [paid_only]))
    write("demo.835", interchange(
        105, [demo_set1, demo_set2], "DEMOCLEARING", "DEMOSUBMITTER", "20261210"))
    write("claims.837", claims_837())
    write("money.835", interchange(106, [money]))
    write("money.837", claims_837(MONEY_CLAIMS, 206))
    write("payers.835", interchange(110, [payers_set1, payers_set2]))
    write("payers.837", claims_837(PAYERS_CLAIMS, 210))
    write("payers-resent.835",
          interchange(111, [payers_set1], "DEMOCLEARING", "DEMOPROVIDER", "20260415"), crlf=True)
    write("payers-two.835", interchange(112, [payers_two_1, payers_two_2], "DEMOPAYER2"))
    write("payers-conflict.835", interchange(113, [payers_conflict], "DEMOPAYER2"))
    write("lines.837", claims_837(LINES_CLAIMS, 220))
    write("lines-1.835", interchange(121, [lines1]))
    write("lines-2.835", interchange(122, [lines2]))
    write("lines-3.835", interchange(123, [lines3]))
    write("lines-split.835", interchange(125, [split_a, split_b]))
    write("lines-split-denied.835", interchange(126, [split_denied_a, split_denied_b]))
    write("recoded.837", claims_837(RECODED_CLAIMS, 224))
    write("recoded.835", interchange(124, [recoded]))
    # Broken inputs live with the other bad X12 files (pyx12 rejects them).
    with open("fixtures/x12/bad/not_x12.835", "w") as f:
        f.write("This is not an X12 file: a clearinghouse error page saved as .835\n")
    # A truncated transfer: remit-1 cut in the middle of a claim (no SE/GE/IEA).
    segs = interchange(101, [remit1])
    write("../x12/bad/truncated_remit.835", segs[: len(segs) // 2])


if __name__ == "__main__":
    main()
