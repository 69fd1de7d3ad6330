#!/usr/bin/env python3
"""Generate a synthetic encounter export (canonical CSV layout) for benchmarks.

Usage:
  gen-encounters.py --claims N [--seed S] [--out FILE] [--config-out FILE] [--faulty PCT]

Realistic mix: 1-6 service lines per claim (mean about 3.3), 1-12 diagnoses,
about a quarter of patients are dependents (spouse/child) of the subscriber
(never for Medicare), modifiers on about a third of lines, some NDC drug
lines with their quantity and unit, a few date ranges, 3 billing providers
(organizations: every claim names a rendering provider, one in ten the
organization itself) and 4 payers. Some claims carry the other claim facts:
the service facility (every outpatient-hospital claim), a supervising
provider, an accident or employment cause, a delay reason, the amount the
patient paid, a claim note. Every value is made up (no PHI). With
--config-out it also writes a claimflow.toml naming those providers and
payers, so `claimflow build` can run on the output as is. --faulty PCT makes
that percentage of claims fail a scrub rule (bad NPI, missing dx pointer...).
Service dates fall in October-December 2025 (ICD-10-CM FY2026): run build
with --now 2026-01-15.
Deterministic for a given seed.
"""
import argparse
import csv
import random
import sys

COLUMNS = (
    "claim_id billing_npi payer_id member_id group_number subscriber_last subscriber_first "
    "subscriber_middle subscriber_dob subscriber_sex subscriber_address1 subscriber_address2 "
    "subscriber_city subscriber_state subscriber_zip relationship patient_last patient_first "
    "patient_middle patient_dob patient_sex patient_address1 patient_address2 patient_city "
    "patient_state patient_zip place_of_service frequency original_ref prior_auth onset_date "
    "rendering_npi rendering_last rendering_first referring_npi referring_last referring_first "
    + " ".join(f"dx{i}" for i in range(1, 13))
    + " facility_name facility_npi facility_address1 facility_address2 facility_city facility_state "
    "facility_zip supervising_npi supervising_last supervising_first related_cause accident_state "
    "accident_date delay_reason patient_paid claim_note"
    + " line_id service_date service_date_end procedure modifier1 modifier2 modifier3 modifier4 "
    "units charge dx_pointers ndc ndc_quantity ndc_unit"
).split()

LAST = "SMITH JOHNSON WILLIAMS BROWN JONES GARCIA MILLER DAVIS RODRIGUEZ MARTINEZ HERNANDEZ LOPEZ WILSON ANDERSON THOMAS TAYLOR MOORE JACKSON MARTIN LEE".split()
FIRST = "JAMES MARY ROBERT PATRICIA JOHN JENNIFER MICHAEL LINDA DAVID ELIZABETH WILLIAM BARBARA RICHARD SUSAN JOSEPH JESSICA".split()
STREETS = "MAIN OAK PINE MAPLE CEDAR ELM WASHINGTON LAKE HILL PARK".split()
CITIES = [("SPRINGFIELD", "IL", "62701"), ("PEORIA", "IL", "61602"), ("MADISON", "WI", "53703"),
          ("DES MOINES", "IA", "50309"), ("ST LOUIS", "MO", "63101"), ("INDIANAPOLIS", "IN", "46204")]
DX = ("E119 I10 J069 E785 Z23 K219 F419 N390 J029 H6690 L309 B349 J45909 G4700 E039 D649 "
      "M25561 R1084 Z0000 E669 F329 J301 K5900 M62830").split()
# (procedure, charge, ndc?, drug unit)
PROCEDURES = [("99213", "125.00", None, None), ("99214", "185.00", None, None),
              ("99212", "85.00", None, None), ("99203", "160.00", None, None),
              ("36415", "15.00", None, None), ("85025", "32.50", None, None),
              ("80053", "48.00", None, None), ("90471", "25.00", None, None),
              ("90686", "38.25", None, None), ("97110", "60.00", None, None),
              ("97140", "55.00", None, None), ("93000", "70.00", None, None),
              ("81002", "12.00", None, None), ("71046", "110.00", None, None),
              ("J1100", "18.40", "00641036725", "ML"), ("J3301", "22.10", "00003029328", "ML")]
FACILITIES = [("SPRINGFIELD GENERAL HOSPITAL", "800 HOSPITAL DR", "SPRINGFIELD", "IL", "627040800"),
              ("PEORIA MEMORIAL HOSPITAL", "12 CLINIC WAY", "PEORIA", "IL", "616020012")]
NOTES = ["CORRECTED CLAIM", "Records sent on request", "Late charge, see op note"]
MODIFIERS = ["25", "59", "GP", "LT", "RT", "26", "TC", "XU"]
POS = ["11", "11", "11", "22", "02"]
PAYERS = [("DEMOPAYER1", "Demo Health Plan", "CI"), ("DEMOMCARE", "Demo Medicare", "MB"),
          ("DEMOMCAID", "Demo Medicaid", "MC"), ("DEMOBCBS", "Demo Blue Plan", "BL")]


def luhn_npi(prefix9):
    digits = [int(c) for c in "80840" + prefix9]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return prefix9 + str((10 - total % 10) % 10)


def npi(rng):
    return luhn_npi("1" + "".join(rng.choice("0123456789") for _ in range(8)))


BILLING = [luhn_npi("123456789"), luhn_npi("154321678"), luhn_npi("198765432")]


def date(rng, start_day=0, span=90):
    # 2025-10-01 plus a day offset, as YYYY-MM-DD (October 31, November 30,
    # December 31 days): inside the shipped ICD-10-CM release (FY2026).
    # Returns the date and its offset from 2025-10-01.
    offset = day = start_day + rng.randrange(span)
    for month, days in ((10, 31), (11, 30), (12, 31)):
        if day < days:
            return f"2025-{month:02d}-{day + 1:02d}", offset
        day -= days
    return "2025-12-31", 91


def person(rng, min_year, max_year):
    city, state, zip5 = rng.choice(CITIES)
    return {
        "last": rng.choice(LAST), "first": rng.choice(FIRST),
        "middle": rng.choice(["", "", "A", "J", "M"]),
        "dob": f"{rng.randint(min_year, max_year)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "sex": rng.choice("MF"),
        "address1": f"{rng.randint(1, 9999)} {rng.choice(STREETS)} ST",
        "address2": rng.choice(["", "", "", "APT 2"]),
        "city": city, "state": state, "zip": zip5 + rng.choice(["", "", "1234"]),
    }


def claim_rows(rng, n, faulty):
    sub = person(rng, 1945, 2000)
    rel = rng.choices(["self", "spouse", "child"], weights=[75, 8, 17])[0]
    pat = None
    if rel == "spouse":
        pat = person(rng, 1945, 2000)
        pat["last"] = sub["last"]
    elif rel == "child":
        pat = person(rng, 2008, 2020)
        pat["last"] = sub["last"]
        for k in ("address1", "address2", "city", "state", "zip"):
            pat[k] = sub[k]
    payer = rng.choice(PAYERS)
    if payer[2] in ("MA", "MB"):
        # A Medicare beneficiary is always the subscriber.
        rel, pat = "self", None
    ndx = min(12, max(1, int(rng.expovariate(1 / 3.0)) + 1))
    dxs = rng.sample(DX, ndx)
    nlines = rng.choices([1, 2, 3, 4, 5, 6], weights=[20, 20, 20, 15, 15, 10])[0]
    claim = {
        "claim_id": f"CLM{n:09d}", "billing_npi": rng.choice(BILLING), "payer_id": payer[0],
        "member_id": f"M{rng.randrange(10**9):09d}",
        "group_number": rng.choice(["", f"G{rng.randrange(10**5):05d}"]),
        "relationship": rel, "place_of_service": rng.choice(POS), "frequency": "1",
        "original_ref": "", "prior_auth": "", "onset_date": "",
    }
    for k, v in sub.items():
        claim["subscriber_" + k] = v
    if pat:
        for k, v in pat.items():
            claim["patient_" + k] = v
    if rng.random() < 0.1:
        claim["rendering_npi"] = claim["billing_npi"]  # the organization rendered it
    else:
        claim.update(rendering_npi=npi(rng), rendering_last=rng.choice(LAST), rendering_first=rng.choice(FIRST))
    if claim["place_of_service"] == "22":
        name, street, city, state, zip9 = rng.choice(FACILITIES)
        claim.update(facility_name=name, facility_npi=npi(rng), facility_address1=street,
                     facility_city=city, facility_state=state, facility_zip=zip9)
    if rng.random() < 0.05:
        claim.update(supervising_npi=npi(rng), supervising_last=rng.choice(LAST),
                     supervising_first=rng.choice(FIRST))
    if rng.random() < 0.15:
        claim.update(referring_npi=npi(rng), referring_last=rng.choice(LAST), referring_first=rng.choice(FIRST))
    if rng.random() < 0.1:
        claim["prior_auth"] = f"PA{rng.randrange(10**7):07d}"
    for i, dx in enumerate(dxs, 1):
        claim[f"dx{i}"] = dx[:3] + "." + dx[3:] if len(dx) > 3 and rng.random() < 0.5 else dx
    first_date, first_day = date(rng, 0, 80)
    if rng.random() < 0.1:
        claim["onset_date"] = "2025-09-15"
    cause = rng.random()
    if cause < 0.04:
        claim.update(related_cause="AA", accident_state=rng.choice(["IL", "WI", "IN"]),
                     accident_date="2025-09-20")
    elif cause < 0.06:
        claim.update(related_cause="OA", accident_date="2025-09-25")
    elif cause < 0.08:
        claim["related_cause"] = "EM"
    if rng.random() < 0.02:
        claim["delay_reason"] = rng.choice(["1", "7", "11"])
    if rng.random() < 0.03:
        claim["claim_note"] = rng.choice(NOTES)
    rows = []
    used = set()
    for ln in range(1, nlines + 1):
        # No duplicate lines (same procedure, modifiers and date): redraw.
        while True:
            proc, charge, ndc, drug_unit = rng.choice(PROCEDURES)
            mods = rng.sample(MODIFIERS, rng.choice([1, 1, 2])) if rng.random() < 0.33 else []
            svc, svc_day = date(rng, first_day, 3)
            if (proc, tuple(sorted(mods)), svc) not in used:
                break
        used.add((proc, tuple(sorted(mods)), svc))
        row = dict(claim)
        ptrs = rng.sample(range(1, ndx + 1), min(ndx, rng.choice([1, 1, 2, 3, 4])))
        row.update(line_id=f"{ln}", service_date=svc, procedure=proc, units="1", charge=charge,
                   dx_pointers=",".join(map(str, ptrs)))
        for i, m in enumerate(mods[:4], 1):
            row[f"modifier{i}"] = m
        if ndc:
            row["ndc"] = ndc[:5] + "-" + ndc[5:9] + "-" + ndc[9:] if rng.random() < 0.5 else ndc
            row["units"] = rng.choice(["1", "2", "0.5"])
            row["ndc_quantity"] = rng.choice(["1", "0.5", "2"])
            row["ndc_unit"] = drug_unit
        if proc.startswith("97") and rng.random() < 0.3 and svc_day < 89:
            row["service_date_end"], _ = date(rng, svc_day + 2, 1)
        rows.append(row)
    if rng.random() < 0.1:
        # The copay, never more than the claim's total.
        for r in rows:
            r["patient_paid"] = "10.00"
    if faulty and rng.random() < faulty:
        kind = rng.randrange(4)
        if kind == 0:
            for r in rows:
                r["billing_npi"] = "1234567890"  # bad check digit
        elif kind == 1:
            rows[0]["dx_pointers"] = "9" if ndx < 9 else "13"
        elif kind == 2:
            rows[0]["charge"] = "0"
        else:
            for r in rows:
                r["member_id"] = ""
    return rows


CONFIG = """# Generated by scripts/gen-encounters.py for benchmarks.
[interchange]
sender_qualifier = "ZZ"
sender_id = "DEMOSUBMITTER"
receiver_qualifier = "ZZ"
receiver_id = "DEMOCLEARING"
usage = "T"

[submitter]
name = "Demo Medical Group"
id = "DEMO01"
contact_name = "Billing Office"
phone = "5555550100"

[receiver]
name = "Demo Clearinghouse"
id = "DEMOCLEARING"
"""


def write_config(path):
    with open(path, "w") as f:
        f.write(CONFIG)
        for i, n in enumerate(BILLING):
            f.write(f"""
[[billing_provider]]
npi = "{n}"
name = "Demo Medical Group {i + 1}"
tax_id = "12345678{i}"
taxonomy = "207Q00000X"
address1 = "{100 + i} Main St"
city = "Springfield"
state = "IL"
zip = "627010001"
""")
        for pid, name, fi in PAYERS:
            f.write(f"""
[[payer]]
id = "{pid}"
name = "{name}"
filing_indicator = "{fi}"
timely_filing_days = 365
""")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--claims", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="-")
    ap.add_argument("--config-out")
    ap.add_argument("--faulty", type=float, default=0.0, help="percent of claims with a scrub error")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = sys.stdout if a.out == "-" else open(a.out, "w", newline="")
    w = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    lines = 0
    for n in range(1, a.claims + 1):
        rows = claim_rows(rng, n, a.faulty / 100.0)
        lines += len(rows)
        w.writerows(rows)
    if out is not sys.stdout:
        out.close()
    if a.config_out:
        write_config(a.config_out)
    print(f"gen-encounters: {a.claims} claims, {lines} service lines", file=sys.stderr)


if __name__ == "__main__":
    main()
