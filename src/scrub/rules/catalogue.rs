//! The scrub rule catalogue: every rule's stable id, severity and what it
//! checks, as constants the checks name, and [`RULES`], the table
//! `docs/scrub-rules.md` is made from. No check runs here (that is the
//! subject modules beside this one).

use crate::finding::Severity;

/// One rule: stable id, severity, what it checks.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable id, e.g. `E-NPI-001` (E = error, W = warning).
    pub id: &'static str,
    /// Error (claim held back) or warning.
    pub severity: Severity,
    /// What the rule checks, for the docs and `--help`.
    pub what: &'static str,
}

const fn e(id: &'static str, what: &'static str) -> Rule {
    Rule { id, severity: Severity::Error, what }
}
const fn w(id: &'static str, what: &'static str) -> Rule {
    Rule { id, severity: Severity::Warning, what }
}

// Reader (encounter) rules.
pub(crate) const ROW_DISAGREES: Rule =
    e("E-ROW-001", "a claim-level value differs between rows of one claim (both rows named)");
pub(crate) const NO_CLAIM_ID: Rule =
    e("E-CID-002", "a row has no claim_id (the row is held back on its own)");
pub(crate) const FIELD_COUNT: Rule =
    e("E-CSV-002", "a row has a different number of fields than the header");
pub(crate) const NOT_UTF8: Rule = e("E-CSV-003", "a cell is not UTF-8 text");
pub(crate) const UNKNOWN_COLUMNS: Rule =
    w("W-CSV-001", "columns the reader does not use, listed once");
pub(crate) const BAD_DATE: Rule =
    e("E-DATE-001", "a date is not a valid date in the expected format");
pub(crate) const BAD_NUMBER: Rule = e(
    "E-NUM-001",
    "units, charge, claim_total, patient_paid or ndc_quantity is not a plain number",
);
pub(crate) const LINE_VALUE_MISSING: Rule =
    e("E-REQ-001", "service_date, units or charge is empty on a line");
pub(crate) const BAD_SEX: Rule = e("E-SEX-001", "sex missing or not M, F or U");
pub(crate) const BAD_RELATIONSHIP: Rule =
    e("E-REL-001", "relationship is not self, spouse, child or other");
pub(crate) const PATIENT_IGNORED: Rule =
    w("W-PAT-001", "patient columns filled although relationship is self (ignored)");
pub(crate) const BAD_FREQUENCY: Rule = e("E-FREQ-002", "frequency is not 1, 7 or 8");
pub(crate) const DX_GAP: Rule = e("E-ICD-005", "a dx column is empty while a later one is filled");
pub(crate) const BAD_POINTER: Rule =
    e("E-PTR-003", "dx_pointers holds something that is not a number");
pub(crate) const ACCIDENT_IGNORED: Rule = w(
    "W-ACC-001",
    "accident_state without related_cause AA, or accident_date without AA or OA (not sent)",
);
pub(crate) const NDC_FACTS_IGNORED: Rule =
    w("W-NDC-001", "ndc_quantity or ndc_unit on a line without an NDC (not sent)");

// Identity.
pub(super) const CLAIM_ID: Rule = e("E-CID-001", "claim_id longer than 20 characters (CLM01)");
pub(super) const NPI_BILLING: Rule =
    e("E-NPI-001", "billing NPI missing or fails the check digit (Luhn with prefix 80840)");
pub(super) const NPI_RENDERING: Rule =
    e("E-NPI-002", "rendering NPI missing or fails the check digit");
pub(super) const NPI_REFERRING: Rule =
    e("E-NPI-003", "referring NPI missing or fails the check digit");
pub(super) const NPI_FACILITY: Rule = e("E-NPI-004", "service facility NPI fails the check digit");
pub(super) const NPI_SUPERVISING: Rule =
    e("E-NPI-005", "supervising NPI missing or fails the check digit");
pub(super) const UNKNOWN_BILLING: Rule =
    e("E-CFG-001", "billing NPI is not a billing_provider in the config");
pub(super) const UNKNOWN_PAYER: Rule =
    e("E-CFG-002", "payer_id missing or not a payer in the config");
pub(super) const EIN: Rule =
    e("E-EIN-001", "billing provider EIN not 9 digits or its prefix is not IRS-assigned");
pub(super) const BILLING_ZIP: Rule = e("E-ZIP-001", "billing provider ZIP is not 9 digits");
pub(super) const TAXONOMY: Rule =
    e("E-TAX-001", "billing provider taxonomy is not a NUCC-shaped code");
pub(super) const MEMBER_ID: Rule = e("E-MEM-001", "member_id missing");
/// Applied by `claimflow build`, not by [`check`](super::check): it needs the
/// ledger. Listed here so the catalogue (`check --list-rules`) is complete.
pub(crate) const LEDGER_CHANGED: Rule = e(
    "E-LEDGER-001",
    "claim changed since it was sent (ledger): send a replacement (frequency 7 with original_ref) or use --resend",
);
pub(crate) const LEDGER_REJECTED: Rule = e(
    "E-LEDGER-002",
    "claim rejected at the front end (TA1, 999 or 277CA) and unchanged since: correct it and build again (it goes as an original), or use --resend",
);
/// Applied by `build` and `check` with a ledger (`crate::coverage`): they
/// need the 271 answers on file.
pub(crate) const ELIG_NOT_COVERED: Rule = e(
    "E-ELIG-001",
    "the newest 271 answer on file says the date of service is not covered (inactive, or outside the plan dates)",
);
pub(crate) const ELIG_NOT_FOUND: Rule =
    e("E-ELIG-002", "the newest 271 answer on file says the member was not found");
pub(crate) const ELIG_OTHER_PRIMARY: Rule =
    w("W-ELIG-003", "the newest 271 answer on file names another payer as primary");
pub(crate) const ELIG_NO_FRESH_ANSWER: Rule = e(
    "E-ELIG-004",
    "the payer requires a 271 answer on file (eligibility_required) and none is fresh",
);
pub(crate) const ELIG_SERVICE_TYPE: Rule = e(
    "E-ELIG-005",
    "service_type is not X12 service type codes separated by ^ (eligibility request)",
);
// People.
pub(super) const SUBSCRIBER_NAME: Rule = e("E-NAME-001", "subscriber last or first name missing");
pub(super) const PROVIDER_NAME: Rule = e(
    "E-NAME-002",
    "rendering, referring or supervising provider given without last and first name",
);
pub(super) const PATIENT_FIELDS: Rule =
    e("E-PAT-001", "relationship is not self but a required patient field is missing");
pub(super) const DOB_MISSING: Rule = e("E-DOB-001", "subscriber date of birth missing");
pub(super) const DOB_FUTURE: Rule = e("E-DOB-002", "date of birth after the run date");
pub(super) const ADDRESS: Rule =
    e("E-ADDR-001", "subscriber address line, city, state or ZIP missing");
pub(super) const STATE: Rule =
    e("E-STATE-001", "state is not a USPS state, territory or military code");
pub(super) const ZIP: Rule = e("E-ZIP-002", "subscriber or patient ZIP is not 5 or 9 digits");
/// X12 has no escaping: a value containing a delimiter would corrupt the file.
pub(crate) const X12_DELIMITER_IN_DATA: Rule = e(
    "X12_DELIMITER_IN_DATA",
    "a value to be written contains one of the configured X12 delimiters",
);
pub(super) const NON_ASCII: Rule = e(
    "E-CHAR-002",
    "a value to be written contains a character outside the X12 (ASCII) character set",
);
pub(super) const LENGTH: Rule = e(
    "E-LEN-001",
    "a name, address, member ID or reference is shorter or longer than its 837P element allows",
);
pub(super) const CONTROL_CHAR: Rule =
    e("E-CHAR-001", "a value to be written contains a line break or other control character");
// Codes.
pub(super) const ICD_SYNTAX: Rule = e(
    "E-ICD-001",
    "diagnosis is not ICD-10-CM syntax (letter, digit or QA, 1-5 more; dot only after 3rd)",
);
pub(super) const ICD_UNKNOWN: Rule =
    e("E-ICD-002", "diagnosis is not in the ICD-10-CM release for the date of service");
pub(super) const ICD_HEADER: Rule =
    e("E-ICD-003", "diagnosis is a category, not a billable (most specific) code");
pub(super) const ICD_MISSING: Rule = e("E-ICD-004", "no diagnosis (dx1 empty)");
pub(super) const ICD_TOO_MANY: Rule = e("E-ICD-006", "more than 12 diagnoses (837P HI holds 12)");
pub(super) const ICD_REPEATED: Rule =
    w("W-ICD-002", "the same diagnosis appears twice on the claim");
pub(in crate::scrub) const ICD_NOT_COVERED: Rule =
    w("W-ICD-001", "no loaded ICD-10-CM release covers the date of service: validity not checked");
pub(super) const PROCEDURE: Rule = e(
    "E-CPT-001",
    "procedure missing or not CPT (5 digits, 4 digits + F/T/U) or HCPCS (A-V + 4 digits)",
);
pub(super) const MODIFIER: Rule = e("E-MOD-001", "modifier is not 2 letters or digits");
pub(super) const TOO_MANY_MODIFIERS: Rule = e("E-MOD-002", "more than 4 modifiers on a line");
pub(super) const POS: Rule =
    e("E-POS-001", "place of service missing or not a CMS place-of-service code");
pub(super) const NDC: Rule = e("E-NDC-001", "NDC is not 11 digits or dashed 4-4-2, 5-3-2, 5-4-1");
pub(super) const NDC_QUANTITY: Rule = e(
    "E-NDC-002",
    "NDC line without ndc_quantity, or one not greater than 0 or with more than 3 decimals",
);
pub(super) const NDC_UNIT: Rule =
    e("E-NDC-003", "NDC line without ndc_unit, or one not F2, GR, ME, ML or UN");
// Lines.
pub(super) const NO_LINES: Rule = e("E-LINE-002", "claim has no readable service line");
pub(super) const TOO_MANY_LINES: Rule =
    e("E-LINE-001", "more than 50 service lines (the 837P limit): held back, not split");
pub(super) const CHARGE: Rule = e("E-CHG-001", "line charge is not greater than 0");
pub(super) const MONEY_DECIMALS: Rule = e("E-CHG-002", "an amount has more than 2 decimals");
pub(super) const UNITS: Rule = e("E-UNT-001", "units not greater than 0");
pub(super) const UNITS_DECIMALS: Rule = e("E-UNT-002", "units have more than 3 decimals");
pub(super) const UNIT: Rule = e("E-UNT-003", "unit is not UN (units) or MJ (minutes)");
pub(super) const ANESTHESIA_UNITS: Rule = e(
    "E-ANES-001",
    "anesthesia code (00100-01999) sent in units (unit UN): payers want the anesthesia time in minutes (MJ)",
);
pub(super) const ANESTHESIA_MINUTES: Rule =
    e("E-ANES-002", "a line in minutes (MJ) whose units are not whole minutes");
pub(super) const MINUTES_NOT_ANESTHESIA: Rule =
    w("W-ANES-001", "a line in minutes (MJ) whose procedure is not an anesthesia code");
pub(super) const DOS_FUTURE: Rule = e("E-DOS-001", "date of service after the run date");
pub(super) const DOS_BEFORE_DOB: Rule =
    e("E-DOS-002", "date of service before the patient's or subscriber's date of birth");
pub(super) const DOS_END: Rule = e("E-DOS-003", "service_date_end before service_date");
pub(super) const POINTER_TARGET: Rule =
    e("E-PTR-001", "a diagnosis pointer names a dx position that is empty");
pub(super) const POINTER_COUNT: Rule =
    e("E-PTR-002", "a line has no diagnosis pointer or more than 4");
pub(super) const POINTER_REPEATED: Rule =
    e("E-PTR-004", "a line points at the same diagnosis twice");
pub(super) const DUPLICATE_LINE: Rule =
    e("E-DUP-001", "two lines with the same procedure, modifiers, date of service and NDC");
pub(super) const LINE_ID: Rule =
    e("E-LID-001", "line_id repeated within the claim or longer than 50 characters");
pub(super) const TOTAL: Rule =
    e("E-TOT-001", "claim_total differs from the sum of the line charges");
// Payer rules.
pub(super) const TIMELY_FILING: Rule =
    e("E-TF-001", "date of service older than the payer's timely_filing_days");
pub(super) const PRIOR_AUTH: Rule = e(
    "E-PA-001",
    "procedure needs prior authorization (payer prior_auth_required) but prior_auth is empty",
);
pub(super) const ORIGINAL_REF: Rule = e("E-FREQ-001", "frequency 7 or 8 without original_ref");
// Providers.
pub(super) const NO_RENDERING: Rule = e(
    "E-REND-001",
    "organization billing provider and no rendering provider (rendering_npi equal to billing_npi states the organization rendered it)",
);
pub(super) const FACILITY_MISSING: Rule = e(
    "E-FAC-001",
    "place of service is a hospital or other facility (19, 21, 22, 23, 26, 31, 32, 51, 52, 56, 61, 65) but no facility columns are given",
);
pub(super) const FACILITY_INCOMPLETE: Rule = e(
    "E-FAC-002",
    "facility columns given but facility_name, facility_address1, facility_city, facility_state or facility_zip (facility_npi at a facility place of service) is empty",
);
pub(super) const FACILITY_ZIP: Rule = e("E-FAC-003", "facility_zip is not 9 digits (ZIP+4)");
// Claim facts.
pub(super) const ACCIDENT_STATE: Rule = e("E-ACC-001", "related_cause AA without accident_state");
pub(super) const ACCIDENT_DATE: Rule = e(
    "E-ACC-002",
    "related_cause AA or OA without accident_date, or accident_date after the first date of service",
);
pub(super) const RELATED_CAUSE: Rule = e(
    "E-ACC-003",
    "related_cause holds a code other than AA, EM or OA, more than two, or one twice",
);
pub(super) const DELAY_REASON: Rule =
    e("E-DLY-001", "delay_reason is not a CLM20 delay reason code (1 to 11 or 15)");
pub(super) const PATIENT_PAID: Rule = e(
    "E-AMT-001",
    "patient_paid is not greater than 0, has more than 2 decimals or exceeds the claim's total charge",
);
pub(super) const CLAIM_NOTE: Rule = e(
    "E-NOTE-001",
    "claim_note over 80 characters or with characters outside the basic X12 set (letters, digits, space and ! \" & ' ( ) + , - . / ; ? =)",
);
pub(super) const MEDICARE_NOT_SELF: Rule = e(
    "E-MCR-001",
    "Medicare payer (filing indicator MA or MB) with a relationship other than self: a Medicare beneficiary is always the subscriber",
);

// NCCI edits (CMS files the user supplies; severity per payer `ncci`).
pub(crate) const NCCI_PTP: Rule = e(
    "E-NCCI-001",
    "NCCI procedure-to-procedure edit: a column-two code billed with its column-one code for the same patient and day (this claim, another claim of the export, or one sent earlier), modifier indicator 0, or 1 without a PTP-associated modifier",
);
pub(crate) const MUE_LINE: Rule = e(
    "E-MUE-001",
    "units above the MUE: per line (adjudication indicator 1), or per day summed over the patient's claims (indicator 2)",
);
pub(crate) const MUE_CLINICAL: Rule = w(
    "W-MUE-002",
    "units of the patient's day above an MUE with adjudication indicator 3 (clinical: payable on appeal with documentation)",
);
pub(crate) const ADDON: Rule = e(
    "E-ADDON-001",
    "add-on code without one of its primary codes for the patient that day (edit type 3: warning)",
);

// Secondary coverage (other payer, loops 2320/2330A/2330B).
pub(super) const SECONDARY_UNKNOWN_PAYER: Rule =
    e("E-COB-001", "secondary_payer_id is not a payer in the config");
pub(super) const SECONDARY_SAME_PAYER: Rule =
    e("E-COB-002", "secondary_payer_id is the claim's own (primary) payer");
pub(super) const SECONDARY_MEMBER_ID: Rule =
    e("E-COB-003", "secondary coverage given without secondary_member_id");
pub(super) const SECONDARY_FIELDS: Rule = e(
    "E-COB-004",
    "secondary_relationship is not self but the secondary subscriber's last or first name, birth date or sex is missing",
);
pub(super) const SECONDARY_NO_PAYER: Rule =
    e("E-COB-005", "secondary coverage columns filled but secondary_payer_id empty");
pub(super) const SECONDARY_INSURANCE_TYPE: Rule = e(
    "E-COB-006",
    "secondary_insurance_type is not a Medicare secondary payer type (12, 13, 14, 15, 16, 41, 42, 43, 47)",
);
pub(super) const MEDICARE_TYPE_DEFAULTED: Rule = w(
    "W-COB-002",
    "secondary payer is Medicare and secondary_insurance_type is empty: SBR05 takes a default (see secondary.md)",
);
pub(super) const MEDICARE_SECONDARY_NOT_SELF: Rule = e(
    "E-MCR-002",
    "secondary payer is Medicare (filing indicator MA or MB) and secondary_relationship is not self: the COB claim to Medicare would carry a patient loop",
);
pub(super) const INSURANCE_TYPE_IGNORED: Rule = w(
    "W-COB-003",
    "secondary_insurance_type given but the secondary payer is not Medicare: ignored",
);
pub(crate) const SECONDARY_SUBSCRIBER_IGNORED: Rule = w(
    "W-COB-001",
    "secondary subscriber columns filled although secondary_relationship is self (ignored)",
);

/// Every rule, reader rules included, in documentation order.
pub const RULES: &[Rule] = &[
    CLAIM_ID,
    NO_CLAIM_ID,
    NPI_BILLING,
    NPI_RENDERING,
    NPI_REFERRING,
    NPI_FACILITY,
    NPI_SUPERVISING,
    UNKNOWN_BILLING,
    UNKNOWN_PAYER,
    EIN,
    BILLING_ZIP,
    TAXONOMY,
    MEMBER_ID,
    SUBSCRIBER_NAME,
    PROVIDER_NAME,
    PATIENT_FIELDS,
    BAD_RELATIONSHIP,
    PATIENT_IGNORED,
    DOB_MISSING,
    DOB_FUTURE,
    BAD_SEX,
    ADDRESS,
    STATE,
    ZIP,
    X12_DELIMITER_IN_DATA,
    LENGTH,
    CONTROL_CHAR,
    NON_ASCII,
    ICD_SYNTAX,
    ICD_UNKNOWN,
    ICD_HEADER,
    ICD_MISSING,
    ICD_TOO_MANY,
    ICD_REPEATED,
    DX_GAP,
    ICD_NOT_COVERED,
    PROCEDURE,
    MODIFIER,
    TOO_MANY_MODIFIERS,
    POS,
    NDC,
    NDC_QUANTITY,
    NDC_UNIT,
    NDC_FACTS_IGNORED,
    NO_LINES,
    TOO_MANY_LINES,
    CHARGE,
    MONEY_DECIMALS,
    UNITS,
    UNITS_DECIMALS,
    UNIT,
    ANESTHESIA_UNITS,
    ANESTHESIA_MINUTES,
    MINUTES_NOT_ANESTHESIA,
    DOS_FUTURE,
    DOS_BEFORE_DOB,
    DOS_END,
    POINTER_TARGET,
    POINTER_COUNT,
    POINTER_REPEATED,
    BAD_POINTER,
    DUPLICATE_LINE,
    LINE_ID,
    TOTAL,
    TIMELY_FILING,
    PRIOR_AUTH,
    ORIGINAL_REF,
    NCCI_PTP,
    MUE_LINE,
    MUE_CLINICAL,
    ADDON,
    MEDICARE_NOT_SELF,
    SECONDARY_UNKNOWN_PAYER,
    SECONDARY_SAME_PAYER,
    SECONDARY_MEMBER_ID,
    SECONDARY_FIELDS,
    SECONDARY_INSURANCE_TYPE,
    MEDICARE_SECONDARY_NOT_SELF,
    MEDICARE_TYPE_DEFAULTED,
    INSURANCE_TYPE_IGNORED,
    SECONDARY_NO_PAYER,
    SECONDARY_SUBSCRIBER_IGNORED,
    NO_RENDERING,
    FACILITY_MISSING,
    FACILITY_INCOMPLETE,
    FACILITY_ZIP,
    RELATED_CAUSE,
    ACCIDENT_STATE,
    ACCIDENT_DATE,
    ACCIDENT_IGNORED,
    DELAY_REASON,
    PATIENT_PAID,
    CLAIM_NOTE,
    BAD_FREQUENCY,
    ROW_DISAGREES,
    FIELD_COUNT,
    NOT_UTF8,
    UNKNOWN_COLUMNS,
    BAD_DATE,
    BAD_NUMBER,
    LINE_VALUE_MISSING,
    LEDGER_CHANGED,
    LEDGER_REJECTED,
    ELIG_NOT_COVERED,
    ELIG_NOT_FOUND,
    ELIG_OTHER_PRIMARY,
    ELIG_NO_FRESH_ANSWER,
    ELIG_SERVICE_TYPE,
];

/// The rule with this id.
#[cfg(test)]
pub(crate) fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}
