#!/usr/bin/env python3
"""Writes the synthetic fixtures of the `report` tests (issue 13).

The ledger the tests report on is filled by the fixtures alone:

1. build fixtures/encounters/demo.csv         --now 2026-11-27 (D1001-D1006, W3001)
2. reconcile fixtures/835/demo.835            --now 2026-12-15 (paid 2026-12-10; D1006 denied CO-50)
3. build fixtures/report/december.csv         --now 2026-12-20 (R4001-R4003)
4. reconcile fixtures/835/report-followup.835 --now 2027-01-20 (paid 2027-01-15)
5. build fixtures/report/february.csv         --now 2027-02-20 (R4004)

report-followup.835 (DEMOPAYER1, check 100270002, one set):
  D1001 reversed (CLP02 22) and not corrected: owed again;
  D1002 reversed and corrected as a partial payment (line A2 bundled, CO-97);
  R4001 paid with a copay (PR-3 20) and CO-45.
R4002 (DEMOPAYER1), R4003 (DEMOMCARE) and R4004 (DEMOPAYER1) get no answer.

The envelope helpers come from scripts/gen-835-fixtures.py. All names, ids
and amounts are made up. Run from the project root:
python3 scripts/gen-report-fixtures.py
"""
import csv
import importlib.util
import os

spec = importlib.util.spec_from_file_location("gen835", "scripts/gen-835-fixtures.py")
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)

followup = gen.header(
    "20", "100270002", "20270115", "DEMO HEALTH PLAN", "DEMOPAYER1", trn03="1512345678"
) + [
    "LX*1",
    # D1001: the payment of 2026-12-10 reversed; no correction follows.
    "CLP*D1001*22*-163.5*-122**12*DHP2612100001",
    *gen.demo_patient("TESTPERSON", "ALMA", "DEMO00001"),
    *gen.demo_line("99214:25", "-145", "-110", -1, "20260302", [("CO", "45", "-35")], "1", "-110"),
    *gen.demo_line("82947", "-18.5", "-12", -1, "20260302", [("CO", "45", "-6.5")], "2", "-12"),
    # D1002: reversed, then paid again as a partial payment.
    "CLP*D1002*22*-185*-150**12*DHP2612100002",
    *gen.demo_patient("SAMPLETON", "LIA", "DEMO00002", subscriber="MARCO"),
    *gen.demo_line("99393", "-160", "-130", -1, "20260414", [("CO", "45", "-30")], "A1", "-130"),
    *gen.demo_line("90460", "-25", "-20", -1, "20260414", [("CO", "45", "-5")], "A2", "-20"),
    "CLP*D1002*1*185*130**12*DHP2701150002",
    *gen.demo_patient("SAMPLETON", "LIA", "DEMO00002", subscriber="MARCO"),
    *gen.demo_line("99393", "160", "130", 1, "20260414", [("CO", "45", "30")], "A1", "130"),
    *gen.demo_line("90460", "25", "0", 1, "20260414", [("CO", "97", "25")], "A2"),
    # R4001: paid, with a copay.
    "CLP*R4001*1*218.5*162*20*12*DHP2701150003",
    *gen.demo_patient("QUILLFEATHER", "ADA", "DEMO00041"),
    *gen.demo_line("99214", "200", "150", 1, "20261201",
                   [("PR", "3", "20"), ("CO", "45", "30")], "1", "170"),
    *gen.demo_line("82947", "18.5", "12", 1, "20261201", [("CO", "45", "6.5")], "2", "12"),
]

HEADER = ("claim_id,billing_npi,payer_id,member_id,group_number,subscriber_last,subscriber_first,"
          "subscriber_middle,subscriber_dob,subscriber_sex,subscriber_address1,subscriber_address2,"
          "subscriber_city,subscriber_state,subscriber_zip,relationship,patient_last,patient_first,"
          "patient_middle,patient_dob,patient_sex,patient_address1,patient_address2,patient_city,"
          "patient_state,patient_zip,place_of_service,frequency,original_ref,prior_auth,onset_date,"
          "rendering_npi,rendering_last,rendering_first,referring_npi,referring_last,referring_first,"
          "dx1,dx2,dx3,dx4,dx5,dx6,dx7,dx8,dx9,dx10,dx11,dx12,claim_total,line_id,service_date,"
          "service_date_end,procedure,modifier1,modifier2,modifier3,modifier4,units,charge,"
          "dx_pointers,ndc").split(",")


def row(claim, npi, payer, member, last, first, dob, sex, dx, date, code, charge, ptr="1"):
    """One service line of a claim whose patient is the subscriber."""
    r = dict.fromkeys(HEADER, "")
    r.update(claim_id=claim, billing_npi=npi, payer_id=payer, member_id=member,
             subscriber_last=last, subscriber_first=first, subscriber_dob=dob, subscriber_sex=sex,
             subscriber_address1="12 Sample Rd", subscriber_city="Springfield",
             subscriber_state="IL", subscriber_zip="62704", place_of_service="11",
             dx1=dx[0], dx2=dx[1] if len(dx) > 1 else "", service_date=date, procedure=code,
             units="1", charge=charge, dx_pointers=ptr,
             # The organization itself rendered the service (E-REND-001).
             rendering_npi=npi)
    return r


def write_csv(name, rows):
    path = os.path.join("fixtures/report", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main():
    gen.write("report-followup.835", gen.interchange(
        114, [followup], "DEMOCLEARING", "DEMOSUBMITTER", "20270115"))
    write_csv("december.csv", [
        row("R4001", "1234567893", "DEMOPAYER1", "DEMO00041", "Quillfeather", "Ada",
            "1970-02-03", "F", ["E11.9", "I10"], "2026-12-01", "99214", "200.00", "1,2"),
        row("R4001", "1234567893", "DEMOPAYER1", "DEMO00041", "Quillfeather", "Ada",
            "1970-02-03", "F", ["E11.9", "I10"], "2026-12-01", "82947", "18.50", "1"),
        row("R4002", "1234567893", "DEMOPAYER1", "DEMO00042", "Brightwater", "Otto",
            "1988-07-21", "M", ["I10"], "2026-12-03", "99213", "95.00"),
        row("R4003", "1003000126", "DEMOMCARE", "DEMO00043", "Oldfield", "Greta",
            "1949-11-02", "F", ["M17.0"], "2026-12-04", "99213", "95.00"),
    ])
    write_csv("february.csv", [
        row("R4004", "1234567893", "DEMOPAYER1", "DEMO00044", "Quillfeather", "Ada",
            "1970-02-03", "F", ["I10"], "2027-02-10", "99212", "80.00"),
    ])


if __name__ == "__main__":
    main()
