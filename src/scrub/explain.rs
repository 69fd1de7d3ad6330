//! `check --explain RULE`: for every rule of the catalogue, how to fix what
//! it finds, and the closest ids when asked about an unknown one. The text
//! of what a rule checks is the catalogue's own (`Rule::what`); this module
//! adds the fix. It runs no rule.

use super::rules::{Rule, RULES};

/// How to fix what each rule finds, by rule id (every id of [`RULES`]).
const FIXES: &[(&str, &str)] = &[
    ("E-CID-001", "Shorten claim_id to 20 characters or fewer in the practice-management system (CLM01 holds at most 20) and export again; payers echo it back in the 835."),
    ("E-CID-002", "Give the row the claim_id of the claim it belongs to; the row is held back on its own in held/ until it has one."),
    ("E-NPI-001", "Correct billing_npi: 10 digits whose last digit is the Luhn check digit over 80840 + the first 9 (look it up in NPPES)."),
    ("E-NPI-002", "Correct rendering_npi (10 digits, valid check digit); when the organization itself rendered the service, give the billing NPI."),
    ("E-NPI-003", "Correct referring_npi (10 digits, valid check digit), or leave the referring provider columns empty when there is none."),
    ("E-NPI-004", "Correct facility_npi (10 digits, valid check digit) or leave it empty."),
    ("E-NPI-005", "Correct supervising_npi (10 digits, valid check digit), or leave the supervising provider columns empty."),
    ("E-CFG-001", "Add a [[billing_provider]] with this npi to claimflow.toml, or correct billing_npi in the export."),
    ("E-CFG-002", "Fill payer_id with the id of a [[payer]] of claimflow.toml, or add the payer to the config."),
    ("E-EIN-001", "Correct tax_id of the billing provider in claimflow.toml: 9 digits (a dash is allowed) with an IRS-assigned prefix."),
    ("E-ZIP-001", "Give the billing provider's zip in claimflow.toml as 9 digits (ZIP+4); the 837P requires the full ZIP for loop 2010AA."),
    ("E-TAX-001", "Correct taxonomy of the billing provider in claimflow.toml: 10 characters ending in X (NUCC code), or remove it."),
    ("E-MEM-001", "Fill member_id with the subscriber's id from the insurance card."),
    ("E-NAME-001", "Fill subscriber_last and subscriber_first as on the insurance card."),
    ("E-NAME-002", "Give the provider's last and first name with its NPI (rendering_last/first, referring_last/first or supervising_last/first), or leave all of that provider's columns empty."),
    ("E-PAT-001", "When relationship is not self, fill patient_last, patient_first, patient_dob, patient_sex and the patient's address."),
    ("E-REL-001", "Set relationship to self, spouse, child or other (the patient's relationship to the subscriber)."),
    ("W-PAT-001", "Nothing is sent from the patient columns when relationship is self; clear them, or correct relationship if the patient is not the subscriber."),
    ("E-DOB-001", "Fill subscriber_dob (YYYY-MM-DD)."),
    ("E-DOB-002", "Correct the date of birth: it is after the run date (check --now and the export's date format)."),
    ("E-SEX-001", "Set the sex column to M, F or U."),
    ("E-ADDR-001", "Fill the subscriber's address line, city, state and ZIP."),
    ("E-STATE-001", "Use a two-letter USPS code (states, DC, territories, AA/AE/AP)."),
    ("E-ZIP-002", "Give the ZIP as 5 or 9 digits (a dash between 5 and 4 is allowed)."),
    ("X12_DELIMITER_IN_DATA", "Remove the character from the value, or choose other delimiters in [interchange] of claimflow.toml: X12 has no escaping, so a delimiter inside a value would break the file."),
    ("E-LEN-001", "Shorten or complete the value so it fits the 837P element's minimum and maximum length named in the message."),
    ("E-CHAR-001", "Remove the line break, tab or other control character from the value."),
    ("E-CHAR-002", "Replace the character with plain ASCII (e.g. letters without accents); X12 5010 files carry the basic and extended ASCII character set only."),
    ("E-ICD-001", "Correct the diagnosis code: a letter, a digit (or QA), then 1 to 5 more characters; a dot, if any, only after the third character."),
    ("E-ICD-002", "Use a code of the ICD-10-CM release in effect on the date of service (a code retired or not yet valid on that date is denied); with a newer release, put it in the code-set folder."),
    ("E-ICD-003", "Code to the highest specificity: use one of the billable codes below the category named (payers deny non-billable headers)."),
    ("E-ICD-004", "Fill dx1 with the primary diagnosis."),
    ("E-ICD-006", "Keep at most 12 diagnoses on a claim; split the encounter at the source if more are needed."),
    ("W-ICD-002", "Remove the repeated diagnosis and point the lines at the one that remains."),
    ("E-ICD-005", "Move the diagnoses up so there is no empty dx column before a filled one, and renumber the pointers."),
    ("W-ICD-001", "Put the ICD-10-CM release for that date of service in the code-set folder (icd10cm-FY<YYYY>.txt) so the codes are checked, or correct the date."),
    ("E-CPT-001", "Fill procedure with a CPT code (5 digits, or 4 digits + F, T or U) or a HCPCS Level II code (a letter A-V + 4 digits)."),
    ("E-MOD-001", "Give each modifier as exactly 2 letters or digits (e.g. 25, 59, LT)."),
    ("E-MOD-002", "Keep at most 4 modifiers on a line (SV101-3 to SV101-6); put the most important first."),
    ("E-POS-001", "Fill place_of_service with a CMS place-of-service code (e.g. 11 office, 22 outpatient hospital, 10 telehealth in the patient's home)."),
    ("E-NDC-001", "Give the NDC as 11 digits, or dashed 4-4-2, 5-3-2 or 5-4-1 as on the package."),
    ("E-NDC-002", "Fill ndc_quantity with the drug quantity, greater than 0 with at most 3 decimals."),
    ("E-NDC-003", "Fill ndc_unit with F2, GR, ME, ML or UN."),
    ("W-NDC-001", "Nothing is sent from ndc_quantity or ndc_unit without an NDC: add the NDC, or clear them."),
    ("E-LINE-002", "Fix the line errors reported for the claim's rows (date, units, charge), so at least one service line can be read."),
    ("E-LINE-001", "Split the encounter into claims of at most 50 lines at the source (claimflow does not split: payers echo the claim id)."),
    ("E-CHG-001", "Give the line a charge greater than 0."),
    ("E-CHG-002", "Round the amount to cents (2 decimals)."),
    ("E-UNT-001", "Give the line units greater than 0."),
    ("E-UNT-002", "Round units to at most 3 decimals."),
    ("E-ANES-001", "Send the anesthesia time in minutes: set unit to MJ and units to the minutes of anesthesia (the payer adds the base units)."),
    ("E-ANES-002", "Give the anesthesia time in whole minutes (round as the payer's policy says)."),
    ("W-ANES-001", "Check the line: minutes (MJ) are for anesthesia codes (00100-01999); bill other services in units (UN)."),
    ("E-UNT-003", "Set unit to UN (units) or MJ (minutes, for anesthesia time); leave it empty for UN."),
    ("E-DOS-001", "Correct the date of service: it is after the run date (check --now); bill a service once it was given."),
    ("E-DOS-002", "Correct the date of service or the date of birth: the service is dated before the person was born."),
    ("E-DOS-003", "Correct service_date_end: it is before service_date (or leave it empty for a single day)."),
    ("E-PTR-001", "Point the line only at dx positions that are filled (1 = dx1, ...), or fill the diagnosis it points at."),
    ("E-PTR-002", "Give the line 1 to 4 diagnosis pointers (e.g. \"1 2\")."),
    ("E-PTR-004", "Remove the repeated pointer: each pointer names a different diagnosis."),
    ("E-PTR-003", "Write dx_pointers as numbers 1 to 12 separated by spaces or commas."),
    ("E-DUP-001", "Merge the two lines into one with the total units, or add the modifier that tells them apart (e.g. 76, 91, RT/LT)."),
    ("E-LID-001", "Give each line a line_id unique within the claim and at most 50 characters, or leave line_id empty."),
    ("E-TOT-001", "Correct claim_total to the sum of the line charges, or leave it empty."),
    ("E-TF-001", "The line is past the payer's timely filing limit: bill it only with proof of timely filing or a delay reason (delay_reason), or write it off."),
    ("E-PA-001", "Fill prior_auth with the payer's authorization number for the procedure, or obtain one before billing."),
    ("E-FREQ-001", "Fill original_ref with the payer's claim number (835 CLP07) of the claim replaced or voided; build fills it from the ledger when a payment recorded one."),
    ("E-NCCI-001", "Bill only the column-one code for that day, or, for modifier indicator 1 and when clinically appropriate (a separate site, session or encounter), add the PTP-associated modifier that applies (e.g. 59, XE, XS, XP, XU, LT/RT) to one of the lines. Indicator 0 cannot be bypassed. Check the other claim named in the message when the pair spans claims."),
    ("E-MUE-001", "Correct the units to what was given, up to the MUE; for a per-line edit (indicator 1) a medically necessary higher count goes on separate lines with the right modifiers only when the payer allows; a per-day policy edit (indicator 2) is not paid above the limit."),
    ("W-MUE-002", "Check the units; when more than the MUE were medically necessary, send the claim and keep the documentation: the payer may pay the units over the limit on appeal."),
    ("E-ADDON-001", "Bill the add-on code with its primary procedure for the same patient and day (on this claim or another), or remove it; for edit type 3 check the payer's policy on other primaries."),
    ("E-ELIG-001", "Check the patient's coverage for the date of service (a new 270 with eligibility request, or the payer's portal); bill the payer that covers the date, or the patient when none does."),
    ("E-ELIG-002", "Correct the member id, name or birth date against the insurance card, then ask again with eligibility request --again before building."),
    ("W-ELIG-003", "Bill the payer the 271 names as primary first and this payer as secondary, or confirm the coordination of benefits with the patient."),
    ("E-ELIG-004", "Ask the payer for coverage (eligibility request, then eligibility read of its 271) before building, or raise the payer's eligibility_max_age_days."),
    ("E-ELIG-005", "Write service_type as X12 service type codes (1 or 2 letters or digits, e.g. 30 or 98) separated by ^."),
    ("E-MCR-001", "Set relationship to self and put the beneficiary's name, birth date and Medicare id in the subscriber columns: a Medicare beneficiary is always the subscriber."),
    ("E-COB-001", "Use the id of a [[payer]] of claimflow.toml in secondary_payer_id, or add the payer to the config."),
    ("E-COB-002", "Correct secondary_payer_id: it names the claim's own payer; it must be the patient's other plan."),
    ("E-COB-003", "Fill secondary_member_id with the member id of the secondary plan."),
    ("E-COB-004", "Fill the secondary subscriber's last and first name, birth date and sex, or set secondary_relationship to self."),
    ("E-COB-005", "Fill secondary_payer_id, or clear the secondary coverage columns."),
    ("E-COB-006", "Set secondary_insurance_type to a Medicare secondary payer type (12, 13, 14, 15, 16, 41, 42, 43 or 47) that says why Medicare pays second, or leave it empty for the default."),
    ("W-COB-002", "Fill secondary_insurance_type with the reason Medicare pays second (12 working aged, 13 end-stage renal disease, 14 no-fault, 15 workers' compensation, 16 public health service, 41 black lung, 42 veterans, 43 disability, 47 other liability); without it SBR05 takes the default."),
    ("E-MCR-002", "Set secondary_relationship to self and put the beneficiary's name, birth date and Medicare id in the secondary subscriber columns: a Medicare beneficiary is always the subscriber."),
    ("W-COB-003", "Clear secondary_insurance_type (it is sent only to a Medicare secondary payer) or correct secondary_payer_id."),
    ("W-COB-001", "Nothing is sent from the secondary subscriber columns when secondary_relationship is self; clear them or correct the relationship."),
    ("E-REND-001", "Fill rendering_npi (with rendering_last and rendering_first) for the person who gave the service, or set rendering_npi to the billing NPI when the organization rendered it."),
    ("E-FAC-001", "Fill the service facility columns (facility_name, facility_npi, address) for a facility place of service."),
    ("E-FAC-002", "Complete the facility columns named in the message, or clear them all."),
    ("E-FAC-003", "Give facility_zip as 9 digits (ZIP+4)."),
    ("E-ACC-003", "Give related_cause as up to two different codes of AA (auto accident), EM (employment) or OA (other accident)."),
    ("E-ACC-001", "Fill accident_state (the state where the auto accident happened)."),
    ("E-ACC-002", "Fill accident_date, on or before the first date of service."),
    ("W-ACC-001", "accident_state is sent only with AA and accident_date only with AA or OA: fill related_cause, or clear the columns."),
    ("E-DLY-001", "Use a CLM20 delay reason code: 1 to 11 or 15, or leave delay_reason empty."),
    ("E-AMT-001", "Give patient_paid greater than 0, with at most 2 decimals and not above the claim's total charge, or leave it empty."),
    ("E-NOTE-001", "Shorten claim_note to 80 characters and keep to letters, digits, space and ! \" & ' ( ) + , - . / ; ? =."),
    ("E-FREQ-002", "Set frequency to 1 (original), 7 (replacement) or 8 (void), or leave it empty for 1."),
    ("E-ROW-001", "Make the claim-level columns the same on every row of the claim (both rows are named in the message)."),
    ("E-CSV-002", "Fix the row's field count: an unquoted comma inside a value, or a missing or extra separator."),
    ("E-CSV-003", "Export the file as UTF-8 (or fix the bytes named in the message)."),
    ("W-CSV-001", "Nothing to fix for the claims: the columns listed are not read. Map them in a layout file if they are meant to be used."),
    ("E-DATE-001", "Write the date as YYYY-MM-DD (or the format of the layout file), and a real calendar date."),
    ("E-NUM-001", "Write the number plainly: digits with an optional dot and decimals, no currency sign or thousands separator."),
    ("E-REQ-001", "Fill service_date, units and charge on every service line."),
    ("E-LEDGER-001", "The claim was sent and has changed since: send a replacement (frequency 7 with original_ref set to the payer's claim number), or re-run build with --resend to send it again as is."),
    ("E-LEDGER-002", "The claim was rejected at the front end and has not changed: correct what the rejection names and build again (it goes as an original), or re-run with --resend."),
];

/// A rule with its fix.
#[derive(Debug, Clone, Copy)]
pub struct Explanation {
    /// The rule (id, severity, what it checks).
    pub rule: &'static Rule,
    /// How to fix what it finds.
    pub fix: &'static str,
}

/// The explanation of `id` (case-insensitive), or the closest known ids.
pub fn explain(id: &str) -> Result<Explanation, Vec<&'static str>> {
    let want = id.trim().to_ascii_uppercase();
    if let Some(rule) = RULES.iter().find(|r| r.id.eq_ignore_ascii_case(&want)) {
        let fix = FIXES.iter().find(|(i, _)| *i == rule.id).map_or("", |(_, f)| f);
        return Ok(Explanation { rule, fix });
    }
    Err(closest(&want))
}

/// Up to three ids nearest to `want`: those containing it first, then by
/// edit distance.
fn closest(want: &str) -> Vec<&'static str> {
    let mut scored: Vec<(usize, &'static str)> = RULES
        .iter()
        .map(|r| {
            let d = if !want.is_empty() && r.id.contains(want) { 0 } else { distance(want, r.id) };
            (d, r.id)
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}

/// Levenshtein distance over bytes.
fn distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_a_fix() {
        for r in RULES {
            let e = explain(r.id).unwrap();
            assert!(e.fix.len() > 20, "{} has no fix text", r.id);
        }
        assert_eq!(FIXES.len(), RULES.len(), "a fix for a rule not in the catalogue");
        assert_eq!(explain("e-ncci-001").unwrap().rule.id, "E-NCCI-001");
    }

    #[test]
    fn unknown_ids_get_the_closest() {
        assert_eq!(explain("E-NPI-01").unwrap_err()[0], "E-NPI-001");
        assert_eq!(explain("NCCI").unwrap_err()[0], "E-NCCI-001");
        assert_eq!(explain("E-MUE-002").unwrap_err()[..2], ["E-MUE-001", "W-MUE-002"]);
    }
}
