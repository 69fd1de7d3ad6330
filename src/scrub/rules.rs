//! The scrub rules: one stable id, a severity and a plain-language message
//! each. [`RULES`] is the catalogue (README's rule table comes from it);
//! [`check_claim`] runs them on one claim.
//!
//! Messages never contain PHI (names, dates of birth, member IDs,
//! addresses); codes, NPIs and amounts may be quoted. Each finding names the
//! canonical column and the 1-based row it came from (a line's own row for
//! line rules, the claim's first row for claim-level values).

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use crate::claim::{is_valid_npi, Claim, Frequency, Person, ServiceLine};
use crate::codeset::{self, pos, shape, CodeSets, IcdStatus};
use crate::config::Config;
use crate::finding::{Finding, Severity};

/// One rule: stable id, severity, what it checks.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable id, e.g. `E-NPI-001` (E = error, W = warning).
    pub id: &'static str,
    /// Error (claim held back) or warning.
    pub severity: Severity,
    /// What the rule checks, for the README and `--help`.
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
pub(crate) const BAD_NUMBER: Rule =
    e("E-NUM-001", "units, charge or claim_total is not a plain number");
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

// Identity.
const CLAIM_ID: Rule = e("E-CID-001", "claim_id longer than 20 characters (CLM01)");
const NPI_BILLING: Rule =
    e("E-NPI-001", "billing NPI missing or fails the check digit (Luhn with prefix 80840)");
const NPI_RENDERING: Rule = e("E-NPI-002", "rendering NPI missing or fails the check digit");
const NPI_REFERRING: Rule = e("E-NPI-003", "referring NPI missing or fails the check digit");
const UNKNOWN_BILLING: Rule = e("E-CFG-001", "billing NPI is not a billing_provider in the config");
const UNKNOWN_PAYER: Rule = e("E-CFG-002", "payer_id missing or not a payer in the config");
const EIN: Rule =
    e("E-EIN-001", "billing provider EIN not 9 digits or its prefix is not IRS-assigned");
const BILLING_ZIP: Rule = e("E-ZIP-001", "billing provider ZIP is not 9 digits");
const TAXONOMY: Rule = e("E-TAX-001", "billing provider taxonomy is not a NUCC-shaped code");
const MEMBER_ID: Rule = e("E-MEM-001", "member_id missing");
/// Applied by `claimflow build`, not by [`check`](super::check): it needs the
/// ledger. Listed here so the catalogue (`check --list-rules`) is complete.
pub const LEDGER_CHANGED: Rule = e(
    "E-LEDGER-001",
    "claim changed since it was sent (ledger): send a replacement (frequency 7 with original_ref) or use --resend",
);
// People.
const SUBSCRIBER_NAME: Rule = e("E-NAME-001", "subscriber last or first name missing");
const PROVIDER_NAME: Rule =
    e("E-NAME-002", "rendering or referring provider given without last and first name");
const PATIENT_FIELDS: Rule =
    e("E-PAT-001", "relationship is not self but a required patient field is missing");
const DOB_MISSING: Rule = e("E-DOB-001", "subscriber date of birth missing");
const DOB_FUTURE: Rule = e("E-DOB-002", "date of birth after the run date");
const ADDRESS: Rule = e("E-ADDR-001", "subscriber address line, city, state or ZIP missing");
const STATE: Rule = e("E-STATE-001", "state is not a USPS state, territory or military code");
const ZIP: Rule = e("E-ZIP-002", "subscriber or patient ZIP is not 5 or 9 digits");
/// X12 has no escaping: a value containing a delimiter would corrupt the file.
pub const X12_DELIMITER_IN_DATA: Rule = e(
    "X12_DELIMITER_IN_DATA",
    "a value to be written contains one of the configured X12 delimiters",
);
const NON_ASCII: Rule = e(
    "E-CHAR-002",
    "a value to be written contains a character outside the X12 (ASCII) character set",
);
const LENGTH: Rule = e(
    "E-LEN-001",
    "a name, address, member ID or reference is shorter or longer than its 837P element allows",
);
const CONTROL_CHAR: Rule =
    e("E-CHAR-001", "a value to be written contains a line break or other control character");
// Codes.
const ICD_SYNTAX: Rule = e(
    "E-ICD-001",
    "diagnosis is not ICD-10-CM syntax (letter, digit or QA, 1-5 more; dot only after 3rd)",
);
const ICD_UNKNOWN: Rule =
    e("E-ICD-002", "diagnosis is not in the ICD-10-CM release for the date of service");
const ICD_HEADER: Rule =
    e("E-ICD-003", "diagnosis is a category, not a billable (most specific) code");
const ICD_MISSING: Rule = e("E-ICD-004", "no diagnosis (dx1 empty)");
const ICD_TOO_MANY: Rule = e("E-ICD-006", "more than 12 diagnoses (837P HI holds 12)");
const ICD_REPEATED: Rule = w("W-ICD-002", "the same diagnosis appears twice on the claim");
const ICD_NOT_COVERED: Rule =
    w("W-ICD-001", "no loaded ICD-10-CM release covers the date of service: validity not checked");
const PROCEDURE: Rule = e(
    "E-CPT-001",
    "procedure missing or not CPT (5 digits, 4 digits + F/T/U) or HCPCS (A-V + 4 digits)",
);
const MODIFIER: Rule = e("E-MOD-001", "modifier is not 2 letters or digits");
const TOO_MANY_MODIFIERS: Rule = e("E-MOD-002", "more than 4 modifiers on a line");
const POS: Rule = e("E-POS-001", "place of service missing or not a CMS place-of-service code");
const NDC: Rule = e("E-NDC-001", "NDC is not 11 digits or dashed 4-4-2, 5-3-2, 5-4-1");
// Lines.
const NO_LINES: Rule = e("E-LINE-002", "claim has no readable service line");
const TOO_MANY_LINES: Rule =
    e("E-LINE-001", "more than 50 service lines (the 837P limit): held back, not split");
const CHARGE: Rule = e("E-CHG-001", "line charge is not greater than 0");
const MONEY_DECIMALS: Rule = e("E-CHG-002", "an amount has more than 2 decimals");
const UNITS: Rule = e("E-UNT-001", "units not greater than 0");
const UNITS_DECIMALS: Rule = e("E-UNT-002", "units have more than 3 decimals");
const DOS_FUTURE: Rule = e("E-DOS-001", "date of service after the run date");
const DOS_BEFORE_DOB: Rule =
    e("E-DOS-002", "date of service before the patient's or subscriber's date of birth");
const DOS_END: Rule = e("E-DOS-003", "service_date_end before service_date");
const POINTER_TARGET: Rule =
    e("E-PTR-001", "a diagnosis pointer names a dx position that is empty");
const POINTER_COUNT: Rule = e("E-PTR-002", "a line has no diagnosis pointer or more than 4");
const POINTER_REPEATED: Rule = e("E-PTR-004", "a line points at the same diagnosis twice");
const DUPLICATE_LINE: Rule =
    e("E-DUP-001", "two lines with the same procedure, modifiers and date of service");
const LINE_ID: Rule =
    e("E-LID-001", "line_id repeated within the claim or longer than 50 characters");
const TOTAL: Rule = e("E-TOT-001", "claim_total differs from the sum of the line charges");
// Payer rules.
const TIMELY_FILING: Rule =
    e("E-TF-001", "date of service older than the payer's timely_filing_days");
const PRIOR_AUTH: Rule = e(
    "E-PA-001",
    "procedure needs prior authorization (payer prior_auth_required) but prior_auth is empty",
);
const ORIGINAL_REF: Rule = e("E-FREQ-001", "frequency 7 or 8 without original_ref");

/// Every rule, reader rules included, in documentation order.
pub const RULES: &[Rule] = &[
    CLAIM_ID,
    NO_CLAIM_ID,
    NPI_BILLING,
    NPI_RENDERING,
    NPI_REFERRING,
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
    NO_LINES,
    TOO_MANY_LINES,
    CHARGE,
    MONEY_DECIMALS,
    UNITS,
    UNITS_DECIMALS,
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
    BAD_FREQUENCY,
    ROW_DISAGREES,
    FIELD_COUNT,
    NOT_UTF8,
    UNKNOWN_COLUMNS,
    BAD_DATE,
    BAD_NUMBER,
    LINE_VALUE_MISSING,
    LEDGER_CHANGED,
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Largest number of service lines on one 837P claim (loop 2400 repeat 50).
pub const MAX_LINES: usize = 50;

/// What every rule needs besides the claim.
pub struct Ctx<'a> {
    config: &'a Config,
    today: NaiveDate,
    codesets: &'a CodeSets,
    delimiters: Vec<char>,
    /// Bytes that need a closer look: the delimiters and control bytes.
    special: [bool; 256],
}

impl<'a> Ctx<'a> {
    /// Context for a run at `now` with these config and code sets.
    pub fn new(config: &'a Config, now: NaiveDateTime, codesets: &'a CodeSets) -> Ctx<'a> {
        let i = &config.interchange;
        let delimiters: Vec<char> = [&i.element, &i.component, &i.repetition, &i.segment]
            .iter()
            .filter_map(|s| s.chars().next())
            .collect();
        let mut special = [false; 256];
        for b in (0u8..0x20).chain(0x7f..=0xff) {
            special[usize::from(b)] = true;
        }
        for d in &delimiters {
            let mut buf = [0u8; 4];
            for b in d.encode_utf8(&mut buf).bytes() {
                special[usize::from(b)] = true;
            }
        }
        Ctx { config, today: now.date(), codesets, delimiters, special }
    }
}

/// Collects findings for one claim.
struct Out<'c, 'o> {
    claim: &'c Claim,
    out: &'o mut Vec<Finding>,
}

impl Out<'_, '_> {
    fn first_row(&self) -> u64 {
        self.claim.source.rows.first().copied().unwrap_or(0)
    }

    fn at(&mut self, row: u64, column: &str, rule: &Rule, message: String) {
        self.out.push(Finding {
            claim_id: self.claim.claim_id.clone(),
            file: self.claim.source.file.clone(),
            row,
            column: column.to_string(),
            rule: rule.id,
            severity: rule.severity,
            message,
        });
    }

    /// A claim-level finding (first row of the claim).
    fn claim(&mut self, column: &str, rule: &Rule, message: String) {
        let row = self.first_row();
        self.at(row, column, rule, message);
    }
}

/// Runs every rule on one claim, appending to `out`.
pub fn check_claim(c: &Claim, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut o = Out { claim: c, out };
    identity(c, ctx, &mut o);
    people(c, ctx, &mut o);
    delimiters(c, ctx, &mut o);
    codes(c, ctx, &mut o);
    lines(c, ctx, &mut o);
    payer(c, ctx, &mut o);
}

fn npi_rule(o: &mut Out<'_, '_>, npi: &str, column: &str, rule: &Rule, who: &str) {
    if npi.is_empty() {
        o.claim(column, rule, format!("{who} NPI is missing"));
    } else if !is_valid_npi(npi) {
        o.claim(
            column,
            rule,
            format!("{who} NPI {npi:?} is not a valid NPI (10 digits starting 1 or 2, check digit must match)"),
        );
    }
}

fn identity(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    if c.claim_id.chars().count() > 20 {
        o.claim(
            "claim_id",
            &CLAIM_ID,
            format!("claim_id is {} characters; CLM01 allows 1 to 20", c.claim_id.chars().count()),
        );
    }
    npi_rule(o, &c.billing.npi, "billing_npi", &NPI_BILLING, "billing provider");
    if let Some(r) = &c.rendering {
        npi_rule(o, &r.npi, "rendering_npi", &NPI_RENDERING, "rendering provider");
    }
    if let Some(r) = &c.referring {
        npi_rule(o, &r.npi, "referring_npi", &NPI_REFERRING, "referring provider");
    }
    if !c.billing.npi.is_empty() && is_valid_npi(&c.billing.npi) {
        match ctx.config.billing_provider(&c.billing.npi) {
            None => o.claim(
                "billing_npi",
                &UNKNOWN_BILLING,
                format!("billing NPI {} is not a [[billing_provider]] in the config; add it or fix the NPI", c.billing.npi),
            ),
            Some(bp) => {
                match shape::check_ein(&bp.tax_id) {
                    Ok(()) => {}
                    Err(shape::EinProblem::Format) => o.claim(
                        "billing_npi",
                        &EIN,
                        format!("config billing provider {}: tax_id must be a 9-digit EIN", bp.npi),
                    ),
                    Err(shape::EinProblem::Prefix) => o.claim(
                        "billing_npi",
                        &EIN,
                        format!(
                            "config billing provider {}: tax_id prefix {} is not a prefix the IRS assigns",
                            bp.npi,
                            bp.tax_id.get(..2).unwrap_or("")
                        ),
                    ),
                }
                if !shape::is_zip9(&bp.zip) {
                    o.claim(
                        "billing_npi",
                        &BILLING_ZIP,
                        format!("config billing provider {}: zip must be 9 digits (ZIP+4) for a billing provider", bp.npi),
                    );
                }
                if !shape::is_state_code(&bp.state) {
                    o.claim(
                        "billing_npi",
                        &STATE,
                        format!("config billing provider {}: state {:?} is not a USPS code", bp.npi, bp.state),
                    );
                }
                if let Some(t) = &bp.taxonomy {
                    if !shape::is_taxonomy(t) {
                        o.claim(
                            "billing_npi",
                            &TAXONOMY,
                            format!("config billing provider {}: taxonomy {t:?} is not 3 digits, 6 letters/digits and X", bp.npi),
                        );
                    }
                }
            }
        }
    }
    if c.payer.id.is_empty() {
        o.claim("payer_id", &UNKNOWN_PAYER, "payer_id is missing".into());
    } else if ctx.config.payer(&c.payer.id).is_none() {
        o.claim(
            "payer_id",
            &UNKNOWN_PAYER,
            format!(
                "payer_id {:?} is not a [[payer]] in the config; add it or fix the id",
                c.payer.id
            ),
        );
    }
    if c.member_id.trim().is_empty() {
        o.claim("member_id", &MEMBER_ID, "member_id is missing".into());
    }
}

fn address_checks(o: &mut Out<'_, '_>, p: &Person, prefix: &str) {
    let a = &p.address;
    if !a.state.is_empty() && !shape::is_state_code(&a.state) {
        o.claim(
            &format!("{prefix}_state"),
            &STATE,
            format!("{prefix}_state {:?} is not a USPS state code", a.state),
        );
    }
    if !a.zip.is_empty() && !shape::is_zip(&a.zip) {
        o.claim(&format!("{prefix}_zip"), &ZIP, format!("{prefix}_zip must be 5 or 9 digits"));
    }
}

fn people(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    let s = &c.subscriber;
    for (v, col) in [(&s.last, "subscriber_last"), (&s.first, "subscriber_first")] {
        if v.trim().is_empty() {
            o.claim(col, &SUBSCRIBER_NAME, format!("{col} is missing"));
        }
    }
    if s.dob.is_none() {
        o.claim(
            "subscriber_dob",
            &DOB_MISSING,
            "subscriber_dob is missing or not a valid date".into(),
        );
    }
    if s.sex.is_none() {
        o.claim("subscriber_sex", &BAD_SEX, "subscriber_sex is missing or not M, F or U".into());
    }
    for (v, col) in [
        (&s.address.line1, "subscriber_address1"),
        (&s.address.city, "subscriber_city"),
        (&s.address.state, "subscriber_state"),
        (&s.address.zip, "subscriber_zip"),
    ] {
        if v.trim().is_empty() {
            o.claim(col, &ADDRESS, format!("{col} is missing"));
        }
    }
    address_checks(o, s, "subscriber");
    if let Some(p) = &c.patient {
        let rel = c.relationship.word();
        let fields: [(bool, &str); 8] = [
            (p.last.trim().is_empty(), "patient_last"),
            (p.first.trim().is_empty(), "patient_first"),
            (p.dob.is_none(), "patient_dob"),
            (p.sex.is_none(), "patient_sex"),
            (p.address.line1.trim().is_empty(), "patient_address1"),
            (p.address.city.trim().is_empty(), "patient_city"),
            (p.address.state.trim().is_empty(), "patient_state"),
            (p.address.zip.trim().is_empty(), "patient_zip"),
        ];
        for (missing, col) in fields {
            if missing {
                o.claim(
                    col,
                    &PATIENT_FIELDS,
                    format!("{col} is required when relationship is {rel}"),
                );
            }
        }
        address_checks(o, p, "patient");
    }
    for (prov, col, who) in
        [(&c.rendering, "rendering", "rendering"), (&c.referring, "referring", "referring")]
    {
        if let Some(r) = prov {
            if r.last.trim().is_empty() || r.first.trim().is_empty() {
                let which = if r.last.trim().is_empty() { "last" } else { "first" };
                o.claim(
                    &format!("{col}_{which}"),
                    &PROVIDER_NAME,
                    format!("{who} provider needs {col}_last and {col}_first (2310 NM1, person)"),
                );
            }
        }
    }
    for (p, col) in [(Some(s), "subscriber_dob"), (c.patient.as_ref(), "patient_dob")] {
        if let Some(dob) = p.and_then(|p| p.dob) {
            if dob > ctx.today {
                o.claim(col, &DOB_FUTURE, format!("{col} is after the run date {}", ctx.today));
            }
        }
    }
}

fn delimiters<'c>(c: &'c Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    // Borrowed, not cloned: this runs on every value of every claim.
    let r0 = o.first_row();
    let claim_val = |v: &'c str, col: &'static str| (v, col, r0);
    let mut owned: Vec<(&str, &'static str, u64)> = vec![
        claim_val(&c.claim_id, "claim_id"),
        claim_val(&c.member_id, "member_id"),
        claim_val(&c.billing.npi, "billing_npi"),
        claim_val(&c.payer.id, "payer_id"),
        claim_val(&c.place_of_service, "place_of_service"),
    ];
    let opts = [
        (&c.group_number, "group_number"),
        (&c.original_ref, "original_ref"),
        (&c.prior_auth, "prior_auth"),
    ];
    for (v, col) in opts {
        if let Some(v) = v {
            owned.push(claim_val(v, col));
        }
    }
    let mut person = |p: &'c Person, pre: &'static [&'static str; 7]| {
        owned.push(claim_val(&p.last, pre[0]));
        owned.push(claim_val(&p.first, pre[1]));
        if let Some(m) = &p.middle {
            owned.push(claim_val(m, pre[2]));
        }
        owned.push(claim_val(&p.address.line1, pre[3]));
        if let Some(a2) = &p.address.line2 {
            owned.push(claim_val(a2, pre[4]));
        }
        owned.push(claim_val(&p.address.city, pre[5]));
        owned.push(claim_val(&p.address.state, pre[6]));
    };
    person(
        &c.subscriber,
        &[
            "subscriber_last",
            "subscriber_first",
            "subscriber_middle",
            "subscriber_address1",
            "subscriber_address2",
            "subscriber_city",
            "subscriber_state",
        ],
    );
    if let Some(p) = &c.patient {
        person(
            p,
            &[
                "patient_last",
                "patient_first",
                "patient_middle",
                "patient_address1",
                "patient_address2",
                "patient_city",
                "patient_state",
            ],
        );
    }
    for (p, cols) in [
        (&c.rendering, ["rendering_npi", "rendering_last", "rendering_first"]),
        (&c.referring, ["referring_npi", "referring_last", "referring_first"]),
    ] {
        if let Some(p) = p {
            owned.push(claim_val(&p.npi, cols[0]));
            owned.push(claim_val(&p.last, cols[1]));
            owned.push(claim_val(&p.first, cols[2]));
        }
    }
    for (i, d) in c.diagnoses.iter().enumerate() {
        owned.push((d.as_str(), DX_COLS[i.min(11)], r0));
    }
    // Config values that go into the file with this claim.
    let b = &c.billing;
    for v in [&b.name, &b.address.line1, &b.address.city] {
        owned.push((v.as_str(), "billing_npi", r0));
    }
    if let Some(a2) = &b.address.line2 {
        owned.push((a2.as_str(), "billing_npi", r0));
    }
    owned.push((c.payer.name.as_str(), "payer_id", r0));
    for l in &c.lines {
        owned.push((l.line_id.as_str(), "line_id", l.row));
        owned.push((l.procedure.as_str(), "procedure", l.row));
        for (m, col) in l.modifiers.iter().zip(["modifier1", "modifier2", "modifier3", "modifier4"])
        {
            owned.push((m.as_str(), col, l.row));
        }
        if let Some(n) = &l.ndc {
            owned.push((n.as_str(), "ndc", l.row));
        }
    }
    for (v, col, row) in owned {
        if let Some((min, max)) = element_length(col) {
            let n = v.chars().count();
            if n > 0 && (n < min || n > max) {
                o.at(
                    row,
                    col,
                    &LENGTH,
                    format!("{col} is {n} characters; the 837P element takes {min} to {max}"),
                );
            }
        }
        // Fast path: one table lookup per byte.
        if !v.bytes().any(|b| ctx.special[usize::from(b)]) {
            continue;
        }
        if let Some(d) = v.chars().find(|ch| ctx.delimiters.contains(ch)) {
            o.at(
                row,
                col,
                &X12_DELIMITER_IN_DATA,
                format!("{col} contains {d:?}, an X12 delimiter in the config; remove it (X12 has no escaping)"),
            );
        } else if v.chars().any(char::is_control) {
            o.at(
                row,
                col,
                &CONTROL_CHAR,
                format!("{col} contains a line break or control character"),
            );
        } else if !v.is_ascii() {
            o.at(
                row,
                col,
                &NON_ASCII,
                format!(
                    "{col} contains a character outside the X12 character set (letters with accents, \
                     typographic quotes...); clearinghouses reject it: spell it in plain ASCII"
                ),
            );
        }
    }
}

/// Minimum and maximum lengths of the 837P elements the free-text columns
/// feed (005010X222A1: NM103 60, NM104 35, NM105 25, NM109 2-80, N301/N302
/// 55, N401 2-30, SBR03 and REF02 50).
fn element_length(col: &str) -> Option<(usize, usize)> {
    let (_, field) = col.split_once('_')?;
    Some(match (col, field) {
        ("member_id", _) => (2, 80),
        ("group_number", _) | ("original_ref", _) | ("prior_auth", _) => (1, 50),
        (_, "last") => (1, 60),
        (_, "first") => (1, 35),
        (_, "middle") => (1, 25),
        (_, "address1") | (_, "address2") => (1, 55),
        (_, "city") => (2, 30),
        _ => return None,
    })
}

const DX_COLS: [&str; 12] =
    ["dx1", "dx2", "dx3", "dx4", "dx5", "dx6", "dx7", "dx8", "dx9", "dx10", "dx11", "dx12"];

fn codes(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    if c.diagnoses.is_empty() {
        o.claim("dx1", &ICD_MISSING, "no diagnosis: dx1 is required".into());
    }
    if c.diagnoses.len() > 12 {
        o.claim(
            "dx12",
            &ICD_TOO_MANY,
            format!(
                "the claim has {} diagnoses; an 837P claim holds at most 12",
                c.diagnoses.len()
            ),
        );
    }
    for (i, d) in c.diagnoses.iter().enumerate() {
        if let Some(j) = c.diagnoses[..i].iter().position(|e| e == d) {
            let (col, first) = (DX_COLS[i.min(11)], DX_COLS[j.min(11)]);
            o.claim(
                col,
                &ICD_REPEATED,
                format!("{col} {d} repeats {first}; list each diagnosis once"),
            );
        }
    }
    let mut dates: Vec<NaiveDate> = c.lines.iter().map(|l| l.service_date).collect();
    dates.sort_unstable();
    dates.dedup();
    let uncovered: Vec<NaiveDate> = dates
        .iter()
        .copied()
        .filter(|d| !ctx.codesets.icd10cm.iter().any(|r| r.covers(*d)))
        .collect();
    if !uncovered.is_empty() && !c.diagnoses.is_empty() {
        o.claim(
            "dx1",
            &ICD_NOT_COVERED,
            format!(
                "no loaded ICD-10-CM release covers date(s) of service {}; loaded: {}; diagnosis codes were checked for syntax only (import the release with --codeset-dir)",
                uncovered.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                ctx.codesets.icd10cm_coverage()
            ),
        );
    }
    for (i, d) in c.diagnoses.iter().enumerate() {
        let col = DX_COLS[i.min(11)];
        if !shape::is_icd10cm_syntax(d) {
            o.claim(
                col,
                &ICD_SYNTAX,
                format!("{col} {d:?} is not an ICD-10-CM code (e.g. E11.9 or E119)"),
            );
            continue;
        }
        let mut unknown = None;
        let mut header = None;
        for date in &dates {
            match ctx.codesets.icd10cm(d, *date) {
                IcdStatus::Unknown => {
                    unknown.get_or_insert(*date);
                }
                IcdStatus::Header => {
                    header.get_or_insert(*date);
                }
                IcdStatus::Billable | IcdStatus::NotCovered => {}
            }
        }
        if let Some(date) = unknown {
            o.claim(
                col,
                &ICD_UNKNOWN,
                format!("{col} {d} is not an ICD-10-CM code valid on {date}"),
            );
        } else if let Some(date) = header {
            o.claim(
                col,
                &ICD_HEADER,
                format!(
                    "{col} {d} is a category on {date}, not billable; use a more specific code"
                ),
            );
        }
    }
    if c.place_of_service.is_empty() {
        o.claim("place_of_service", &POS, "place_of_service is missing".into());
    } else if !pos::is_place_of_service(&c.place_of_service) {
        o.claim(
            "place_of_service",
            &POS,
            format!("place_of_service {:?} is not a CMS place-of-service code", c.place_of_service),
        );
    }
    for l in &c.lines {
        if l.procedure.is_empty() {
            o.at(l.row, "procedure", &PROCEDURE, "procedure is missing".into());
        } else if shape::procedure_kind(&l.procedure).is_none() {
            o.at(
                l.row,
                "procedure",
                &PROCEDURE,
                format!(
                    "procedure {:?} is neither a CPT nor a HCPCS Level II code shape",
                    l.procedure
                ),
            );
        }
        if l.modifiers.len() > 4 {
            o.at(
                l.row,
                "modifier4",
                &TOO_MANY_MODIFIERS,
                format!("the line has {} modifiers; SV1 holds at most 4", l.modifiers.len()),
            );
        }
        for (m, col) in l.modifiers.iter().zip(["modifier1", "modifier2", "modifier3", "modifier4"])
        {
            if !shape::is_modifier(m) {
                o.at(l.row, col, &MODIFIER, format!("{col} {m:?} must be 2 letters or digits"));
            }
        }
        if let Some(n) = &l.ndc {
            if codeset::ndc::normalize(n).as_deref() != Some(n.as_str()) || n.len() != 11 {
                o.at(
                    l.row,
                    "ndc",
                    &NDC,
                    format!("ndc {n:?} is not an 11-digit NDC (or dashed 4-4-2, 5-3-2, 5-4-1)"),
                );
            }
        }
    }
}

fn decimals(d: Decimal) -> u32 {
    d.normalize().scale()
}

fn lines(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    if c.lines.is_empty() {
        o.claim("service_date", &NO_LINES, "claim has no readable service line".into());
    }
    if c.lines.len() > MAX_LINES {
        o.claim(
            "line_id",
            &TOO_MANY_LINES,
            format!(
                "claim has {} service lines; an 837P claim holds at most {MAX_LINES}: split it into several claims at the source",
                c.lines.len()
            ),
        );
    }
    let dobs: Vec<(NaiveDate, &str)> = [
        (c.subscriber.dob, "subscriber_dob"),
        (c.patient.as_ref().and_then(|p| p.dob), "patient_dob"),
    ]
    .into_iter()
    .filter_map(|(d, col)| d.map(|d| (d, col)))
    .collect();
    // Claims have at most 50 lines, so scanning the earlier lines is cheaper
    // than hashing them; an oversized claim (held back anyway) uses maps so
    // a huge one cannot make this quadratic.
    let big = c.lines.len() > 2 * MAX_LINES;
    let mut by_key: std::collections::HashMap<(&str, Vec<&str>, NaiveDate), u64> =
        Default::default();
    let mut ids: std::collections::HashSet<&str> = Default::default();
    for (i, l) in c.lines.iter().enumerate() {
        line(l, c, ctx, o, &dobs);
        let earlier = &c.lines[..i];
        let dup_of = if big {
            let mut mods: Vec<&str> = l.modifiers.iter().map(String::as_str).collect();
            mods.sort_unstable();
            let k = (l.procedure.as_str(), mods, l.service_date);
            let prev = by_key.get(&k).copied();
            by_key.entry(k).or_insert(l.row);
            prev
        } else {
            earlier
                .iter()
                .find(|e| {
                    e.procedure == l.procedure
                        && same_modifiers(&e.modifiers, &l.modifiers)
                        && e.service_date == l.service_date
                })
                .map(|e| e.row)
        };
        let id_dup = if big {
            !ids.insert(l.line_id.as_str())
        } else {
            earlier.iter().any(|e| e.line_id == l.line_id)
        };
        if let Some(first) = dup_of {
            o.at(
                l.row,
                "procedure",
                &DUPLICATE_LINE,
                format!(
                    "same procedure {}, modifiers and date of service as row {}; combine the units on one line or add a distinguishing modifier",
                    l.procedure, first
                ),
            );
        }
        if id_dup {
            o.at(
                l.row,
                "line_id",
                &LINE_ID,
                format!("line_id {:?} is used twice in this claim", l.line_id),
            );
        } else if l.line_id.chars().count() > 50 {
            o.at(
                l.row,
                "line_id",
                &LINE_ID,
                "line_id is longer than 50 characters (REF*6R)".into(),
            );
        }
    }
    if let Some(t) = c.stated_total {
        if decimals(t) > 2 {
            o.claim(
                "claim_total",
                &MONEY_DECIMALS,
                format!("claim_total {t} has more than 2 decimals"),
            );
        }
        let sum = c.total_charge();
        if t != sum {
            o.claim(
                "claim_total",
                &TOTAL,
                format!("claim_total {t} differs from the sum of the line charges {sum}"),
            );
        }
    }
}

/// The same modifiers in any order (payers do not read order as meaning).
fn same_modifiers(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|m| b.contains(m)) && b.iter().all(|m| a.contains(m))
}

fn line(
    l: &ServiceLine,
    c: &Claim,
    ctx: &Ctx<'_>,
    o: &mut Out<'_, '_>,
    dobs: &[(NaiveDate, &str)],
) {
    if l.charge <= Decimal::ZERO {
        o.at(l.row, "charge", &CHARGE, format!("charge {} must be greater than 0", l.charge));
    }
    if decimals(l.charge) > 2 {
        o.at(
            l.row,
            "charge",
            &MONEY_DECIMALS,
            format!("charge {} has more than 2 decimals", l.charge),
        );
    }
    if l.units <= Decimal::ZERO {
        o.at(l.row, "units", &UNITS, format!("units {} must be greater than 0", l.units));
    }
    if decimals(l.units) > 3 {
        o.at(
            l.row,
            "units",
            &UNITS_DECIMALS,
            format!("units {} has more than 3 decimals", l.units),
        );
    }
    let last = l.service_date_end.unwrap_or(l.service_date);
    if last > ctx.today {
        let col = if l.service_date > ctx.today { "service_date" } else { "service_date_end" };
        o.at(l.row, col, &DOS_FUTURE, format!("{col} is after the run date {}", ctx.today));
    }
    if let Some(end) = l.service_date_end {
        if end < l.service_date {
            o.at(
                l.row,
                "service_date_end",
                &DOS_END,
                "service_date_end is before service_date".into(),
            );
        }
    }
    for (dob, col) in dobs {
        if l.service_date < *dob {
            o.at(
                l.row,
                "service_date",
                &DOS_BEFORE_DOB,
                format!("service_date {} is before {col}", l.service_date),
            );
        }
    }
    if l.dx_pointers.is_empty() || l.dx_pointers.len() > 4 {
        o.at(
            l.row,
            "dx_pointers",
            &POINTER_COUNT,
            format!("a line needs 1 to 4 diagnosis pointers; found {}", l.dx_pointers.len()),
        );
    }
    if let Some((i, p)) =
        l.dx_pointers.iter().enumerate().find(|(i, p)| l.dx_pointers[..*i].contains(p))
    {
        o.at(
            l.row,
            "dx_pointers",
            &POINTER_REPEATED,
            format!("dx pointer {p} is listed twice (position {})", i + 1),
        );
    }
    for p in &l.dx_pointers {
        if *p == 0 || usize::from(*p) > c.diagnoses.len() {
            o.at(
                l.row,
                "dx_pointers",
                &POINTER_TARGET,
                format!(
                    "dx pointer {p} points at dx{p}, which is empty (the claim has {} diagnoses)",
                    c.diagnoses.len()
                ),
            );
        }
    }
}

fn payer(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    if matches!(c.frequency, Frequency::Replacement | Frequency::Void)
        && c.original_ref.as_deref().is_none_or_empty()
    {
        o.claim(
            "original_ref",
            &ORIGINAL_REF,
            format!(
                "frequency {} needs original_ref: the payer's claim number (835 CLP07) of the claim replaced or voided",
                c.frequency.code()
            ),
        );
    }
    let Some(p) = ctx.config.payer(&c.payer.id) else { return };
    if let Some(days) = p.timely_filing_days {
        for l in &c.lines {
            let age = (ctx.today - l.service_date).num_days();
            if age > i64::from(days) {
                o.at(
                    l.row,
                    "service_date",
                    &TIMELY_FILING,
                    format!(
                        "service_date {} is {age} days before the run date; payer {} accepts claims up to {days} days after service",
                        l.service_date, p.id
                    ),
                );
            }
        }
    }
    if c.prior_auth.as_deref().is_none_or_empty() {
        for l in &c.lines {
            if p.prior_auth_required
                .iter()
                .any(|code| code.trim().eq_ignore_ascii_case(&l.procedure))
            {
                o.at(
                    l.row,
                    "prior_auth",
                    &PRIOR_AUTH,
                    format!("payer {} requires prior authorization for procedure {}; prior_auth is empty", p.id, l.procedure),
                );
            }
        }
    }
}

trait NoneOrEmpty {
    fn is_none_or_empty(&self) -> bool;
}

impl NoneOrEmpty for Option<&str> {
    fn is_none_or_empty(&self) -> bool {
        match self {
            None => true,
            Some(s) => s.trim().is_empty(),
        }
    }
}

#[cfg(test)]
mod tests;
