#!/usr/bin/env python3
"""Writes the 835 fixtures of the money-across-payers scenarios in
fixtures/835/money/ (tests/money/).

Each remittance answers claims built from an existing export
(encounters/demo.csv with --now 2026-11-27, or encounters/cob.csv with
--now 2026-03-20); the segments are written by hand to the 005010X221A1
guide, balanced, with made-up names, ids and amounts. The envelopes and
helpers are those of scripts/gen-835-fixtures.py.
Run from the project root: python3 scripts/gen-money-fixtures.py
"""
import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("gen835", os.path.join(HERE, "gen-835-fixtures.py"))
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

header, interchange, write = gen.header, gen.interchange, gen.write
demo_patient, demo_line = gen.demo_patient, gen.demo_line

# copay.835 (demo.csv): D1001, whose patient paid 25.00 at the visit
# (patient_paid, AMT*F5), is paid with a 25.00 copay (PR-3) on its first
# line; D1003 (nothing paid at the visit) with 22.80 coinsurance.
copay = header("188.2", "MONEY-COPAY-1", "20261210", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    "CLP*D1001*1*163.5*97*25*12*DHP2612100101",
    *demo_patient("TESTPERSON", "ALMA", "DEMO00001"),
    "DTM*050*20261130",
    *demo_line("99214:25", "145", "85", "1", "20260302",
               [("CO", "45", "35"), ("PR", "3", "25")], "1", "110"),
    *demo_line("82947", "18.5", "12", "1", "20260302", [("CO", "45", "6.5")], "2", "12"),
    "CLP*D1003*1*142.4*91.2*22.8*12*DHP2612100103",
    *demo_patient("PLACEHOLDER", "JUNE", "DEMO00003"),
    "DTM*050*20261130",
    *demo_line("20610:RT", "110", "72", "1", "20260506",
               [("PR", "2", "18"), ("CO", "45", "20")], "1", "90"),
    *demo_line("J3301", "32.4", "19.2", "4", "20260506",
               [("PR", "2", "4.8"), ("CO", "45", "8.4")], "2", "24"),
]


def cob_patient(first, member):
    return f"NM1*QC*1*TESTCOB*{first}****MI*{member}"


# cob-denied.835 (cob.csv): the primary denies two claims outright (CLP02 4),
# for reasons the secondary pays on: C3001 because another payer may cover
# it first (CO-22 on both lines), C3004 as not covered by the plan (PR-204);
# C3007 (no secondary) is paid with coinsurance.
cob_denied = header("60", "COB-DENIED-1", "20260401", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    "CLP*C3001*4*180*0**12*PCN3001",
    cob_patient("ALMA", "COB00001"),
    "SVC*HC:99214*150*0**1", "DTM*472*20260310", "CAS*CO*22*150", "REF*6R*1",
    "SVC*HC:36415*30*0**1", "DTM*472*20260310", "CAS*CO*22*30", "REF*6R*2",
    "CLP*C3004*4*95*0*95*12*PCN3004",
    cob_patient("GUS", "COB00004"),
    "SVC*HC:99213*95*0**1", "DTM*472*20260310", "CAS*PR*204*95", "REF*6R*1",
    "CLP*C3007*1*75*60*15*12*PCN3007",
    cob_patient("JO", "COB00007"),
    "SVC*HC:99212*75*60**1", "DTM*472*20260310", "CAS*PR*2*15", "REF*6R*1",
]


# capitated.835 (demo.csv): D1002 is covered by a capitation agreement: CLP02
# 1, paid 0, CO-24 on both lines (24 listed in contractual_carcs by the
# test's config); D1004 paid with CO-45.
capitated = header("110", "MONEY-CAP-1", "20261210", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    "CLP*D1002*1*185*0**12*DHP2612100102",
    *demo_patient("SAMPLETON", "LIA", "DEMO00002", "MARCO"),
    "DTM*050*20261130",
    *demo_line("99393", "160", "0", "1", "20260414", [("CO", "24", "160")], "A1"),
    *demo_line("90460", "25", "0", "1", "20260414", [("CO", "24", "25")], "A2"),
    "CLP*D1004*1*150*110**12*DHP2612100104",
    *demo_patient("FAKENAME", "OMAR", "DEMO00004"),
    "DTM*050*20261130",
    *demo_line("99214", "150", "110", "1", "20260224", [("CO", "45", "40")], "1", "110"),
]


# split-1.835 and split-2.835 (cob.csv): the primary answers C3001 over two
# remittances, as cob-primary.835 answers it in one: line 1 with the
# claim-level CO-253 first (paid 98.00, PR-2 30.00), line 2 two weeks later
# (paid 0, all to the deductible, PR-1 30.00).
split_1 = header("98", "COB-SPLIT-1", "20260401", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    "CLP*C3001*1*150*98*30*12*PCN3001",
    "CAS*CO*253*2",
    cob_patient("ALMA", "COB00001"),
    "SVC*HC:99214*150*100**1", "DTM*472*20260310", "CAS*CO*45*20", "CAS*PR*2*30", "REF*6R*1",
]
split_2 = header("0", "COB-SPLIT-2", "20260415", "DEMO HEALTH PLAN", "DEMOPAYER1", method="NON") + [
    "LX*1",
    "CLP*C3001*1*30*0*30*12*PCN3001",
    cob_patient("ALMA", "COB00001"),
    "SVC*HC:36415*30*0**1", "DTM*472*20260310", "CAS*PR*1*30", "REF*6R*2",
]


# correction-first.835 (cob.csv): C3008 paid (PCN3008, 100.00), its
# corrected payment (PCN3008B, 110.00) and then, in the same 835, the
# reversal of the first payment.
correction_first = header("110", "COB-CORR-1", "20260401", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    "CLP*C3008*1*130*100*0*12*PCN3008",
    cob_patient("KAI", "COB00008"),
    "SVC*HC:99213*130*100**1", "DTM*472*20260310", "CAS*CO*45*30", "REF*6R*1",
    "CLP*C3008*1*130*110*0*12*PCN3008B",
    cob_patient("KAI", "COB00008"),
    "SVC*HC:99213*130*110**1", "DTM*472*20260310", "CAS*CO*45*20", "REF*6R*1",
    "CLP*C3008*22*-130*-100*0*12*PCN3008",
    cob_patient("KAI", "COB00008"),
    "SVC*HC:99213*-130*-100**-1", "DTM*472*20260310", "CAS*CO*45*-30", "REF*6R*1",
]


# void-paid.835 and void-reversal.835 (cob.csv): C3008 is paid (PCN3008,
# 100.00); the practice then voids it (frequency 8) and the payer takes the
# payment back (CLP02 22) with no corrected payment: what a void asks for.
# The reversal's 835 also pays C3007 and C3004, so that it deposits 0.00.
void_paid = header("100", "COB-VOID-1", "20260401", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    "CLP*C3008*1*130*100*0*12*PCN3008",
    cob_patient("KAI", "COB00008"),
    "SVC*HC:99213*130*100**1", "DTM*472*20260310", "CAS*CO*45*30", "REF*6R*1",
]
void_reversal = header("0", "COB-VOID-2", "20260420", "DEMO HEALTH PLAN", "DEMOPAYER1",
                       method="NON") + [
    "LX*1",
    "CLP*C3008*22*-130*-100*0*12*PCN3008",
    cob_patient("KAI", "COB00008"),
    "SVC*HC:99213*-130*-100**-1", "DTM*472*20260310", "CAS*CO*45*-30", "REF*6R*1",
    "CLP*C3007*1*75*60*15*12*PCN3007",
    cob_patient("JO", "COB00007"),
    "SVC*HC:99212*75*60**1", "DTM*472*20260310", "CAS*PR*2*15", "REF*6R*1",
    "CLP*C3004*1*95*40*0*12*PCN3004",
    cob_patient("GUS", "COB00004"),
    "SVC*HC:99213*95*40**1", "DTM*472*20260310", "CAS*CO*45*55", "REF*6R*1",
]


# crossover-medicare.835 and crossover-secondary.835 (demo.csv): Medicare
# (DEMOMCARE) pays D1005, leaves 34.00 coinsurance (PR-2) and forwards the
# claim to the patient's supplemental plan (CLP02 19, NM1*TT DEMOSECOND,
# remark MA18); DEMOSECOND, to which the claim was never sent, then pays the
# coinsurance as secondary (CLP02 2, OA-23 for what Medicare covered).
PEDIATRICS = (
    "DEMO PEDIATRICS LLC", "1003000126", "200 OAK AVE", "SPRINGFIELD", "IL", "627020002",
    "371234567",
)
crossover_medicare = header("136", "MCR-XOVER-1", "20261210", "DEMO MEDICARE CONTRACTOR",
                            "DEMOMCARE", payee=PEDIATRICS, trn03="1999999999") + [
    "LX*1",
    "CLP*D1005*19*220*136*34*MB*MCR2612100105",
    "NM1*QC*1*MOCKWELL*EDNA",
    "NM1*IL*1*MOCKWELL*HENRY****MI*DEMO00005",
    "NM1*TT*2*DEMO SECONDARY PLAN*****PI*DEMOSECOND",
    "MOA***MA18",
    "DTM*050*20261130",
    *demo_line("20610:LT", "110", "68", "1", "20260609",
               [("PR", "2", "17"), ("CO", "45", "25")], "1", "85"),
    *demo_line("20610:RT", "110", "68", "1", "20260609",
               [("PR", "2", "17"), ("CO", "45", "25")], "2", "85"),
]
crossover_secondary = header("34", "SEC-XOVER-1", "20261222", "DEMO SECONDARY PLAN",
                             "DEMOSECOND", payee=PEDIATRICS, trn03="1888888888") + [
    "LX*1",
    "CLP*D1005*2*220*34*0*MB*SEC2612220105",
    "NM1*QC*1*MOCKWELL*EDNA",
    "NM1*IL*1*MOCKWELL*HENRY****MI*SEC00005",
    "DTM*050*20261215",
    *demo_line("20610:LT", "110", "17", "1", "20260609", [("OA", "23", "93")], "1"),
    *demo_line("20610:RT", "110", "17", "1", "20260609", [("OA", "23", "93")], "2"),
]


# overturned-1.835 and overturned-2.835 (cob.csv): the primary denies C3007
# (CO-16, information missing), then, without reversing the denial, pays it
# (60.00, coinsurance PR-2 15.00) once the information is in.
overturned_1 = header("0", "COB-DENY-7", "20260401", "DEMO HEALTH PLAN", "DEMOPAYER1",
                      method="NON") + [
    "LX*1",
    "CLP*C3007*4*75*0**12*PCN3007",
    cob_patient("JO", "COB00007"),
    "SVC*HC:99212*75*0**1", "DTM*472*20260310", "CAS*CO*16*75", "REF*6R*1", "LQ*HE*M51",
]
overturned_2 = header("60", "COB-PAY-7", "20260420", "DEMO HEALTH PLAN", "DEMOPAYER1") + [
    "LX*1",
    "CLP*C3007*1*75*60*15*12*PCN3007A",
    cob_patient("JO", "COB00007"),
    "SVC*HC:99212*75*60**1", "DTM*472*20260310", "CAS*PR*2*15", "REF*6R*1",
]


def main():
    gen.OUT = "fixtures/835/money"
    write("copay.835", interchange(
        401, [copay], "DEMOCLEARING", "DEMOSUBMITTER", "20261210"))
    write("cob-denied.835", interchange(
        402, [cob_denied], "DEMOPAYER1", "DEMOSUBMITTER", "20260401"))
    write("split-1.835", interchange(
        404, [split_1], "DEMOPAYER1", "DEMOSUBMITTER", "20260401"))
    write("split-2.835", interchange(
        405, [split_2], "DEMOPAYER1", "DEMOSUBMITTER", "20260415"))
    write("correction-first.835", interchange(
        406, [correction_first], "DEMOPAYER1", "DEMOSUBMITTER", "20260401"))
    write("crossover-medicare.835", interchange(
        407, [crossover_medicare], "DEMOMCARE", "DEMOSUBMITTER", "20261210"))
    write("crossover-secondary.835", interchange(
        408, [crossover_secondary], "DEMOSECOND", "DEMOSUBMITTER", "20261222"))
    write("overturned-1.835", interchange(
        409, [overturned_1], "DEMOPAYER1", "DEMOSUBMITTER", "20260401"))
    write("overturned-2.835", interchange(
        410, [overturned_2], "DEMOPAYER1", "DEMOSUBMITTER", "20260420"))
    write("capitated.835", interchange(
        403, [capitated], "DEMOCLEARING", "DEMOSUBMITTER", "20261210"))
    write("void-paid.835", interchange(
        411, [void_paid], "DEMOPAYER1", "DEMOSUBMITTER", "20260401"))
    write("void-reversal.835", interchange(
        412, [void_reversal], "DEMOPAYER1", "DEMOSUBMITTER", "20260420"))


if __name__ == "__main__":
    main()
