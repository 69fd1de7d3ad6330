//! Coverage answers as the rest of claimflow sees them: the status a 271
//! gave a patient with a payer ([`CoverageStatus`], one [`Coverage`] per
//! answer, as recorded in the ledger and written to `coverage.csv`), the
//! patient key that ties an answer to a claim without keeping a name, and
//! the build rules that hold a claim on the newest answer on file
//! ([`coverage_findings`]: `E-ELIG-001`, `E-ELIG-002`, `W-ELIG-003`,
//! `E-ELIG-004`).
//!
//! It does not read 271s (`edi27x`), record anything (`ledger`) or decide
//! what to ask (the eligibility job).

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::claim::{Claim, Relationship};
use crate::config::Config;
use crate::finding::{Finding, Severity};

/// Rule ids of the coverage checks.
pub mod rule {
    /// The newest answer says the date of service is not covered.
    pub const NOT_COVERED: &str = "E-ELIG-001";
    /// The newest answer says the member was not found.
    pub const NOT_FOUND: &str = "E-ELIG-002";
    /// The newest answer names another payer as primary.
    pub const OTHER_PRIMARY: &str = "W-ELIG-003";
    /// The payer requires a fresh answer and none is on file.
    pub const NO_FRESH_ANSWER: &str = "E-ELIG-004";
}

/// What a 271 said of a patient's coverage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageStatus {
    /// EB01 1-5 for the service type asked.
    Active,
    /// EB01 6, 7 or 8.
    Inactive,
    /// AAA03 72, 73, 75 or 76 at the subscriber or dependent level.
    NotFound,
    /// Any other AAA at the subscriber or dependent level.
    Error,
    /// No EB for the service type asked.
    Unknown,
    /// An AAA at the source or receiver level: the inquiry was rejected
    /// before any patient was looked at.
    Rejected,
}

impl CoverageStatus {
    /// The word in `coverage.csv` and the ledger.
    pub fn word(self) -> &'static str {
        match self {
            CoverageStatus::Active => "active",
            CoverageStatus::Inactive => "inactive",
            CoverageStatus::NotFound => "not_found",
            CoverageStatus::Error => "error",
            CoverageStatus::Unknown => "unknown",
            CoverageStatus::Rejected => "rejected",
        }
    }

    /// The status named by `word`.
    pub fn from_word(word: &str) -> Option<CoverageStatus> {
        [
            CoverageStatus::Active,
            CoverageStatus::Inactive,
            CoverageStatus::NotFound,
            CoverageStatus::Error,
            CoverageStatus::Unknown,
            CoverageStatus::Rejected,
        ]
        .into_iter()
        .find(|s| s.word() == word)
    }

    /// True when a person must look (inactive, not found, error, rejected).
    pub fn needs_attention(self) -> bool {
        !matches!(self, CoverageStatus::Active | CoverageStatus::Unknown)
    }
}

/// One coverage answer (a row of `coverage.csv`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Coverage {
    /// The payer asked.
    pub payer_id: String,
    /// The subscriber's member id (empty for a rejected inquiry).
    pub member_id: String,
    /// `subscriber` or `dependent` (`source` or `receiver` for a rejected inquiry).
    pub patient: String,
    /// The patient key (see [`patient_key`]); not PHI.
    #[serde(skip)]
    pub patient_key: String,
    /// The date of service asked.
    pub service_date: Option<NaiveDate>,
    /// What the answer says.
    pub status: Option<CoverageStatus>,
    /// Plan begin date.
    pub plan_begin: Option<NaiveDate>,
    /// Plan end date.
    pub plan_end: Option<NaiveDate>,
    /// EB05 of the status EB.
    pub plan_name: String,
    /// REF*6P (or 18).
    pub group_number: String,
    /// EB04 of the status EB.
    pub insurance_type: String,
    /// In network (EB12 Y, or not given): copay (EB01 B).
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub copay: Option<Decimal>,
    /// Coinsurance percent (EB01 A, EB08).
    pub coinsurance: Option<Decimal>,
    /// Deductible for the calendar year (EB01 C, EB06 23).
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub deductible: Option<Decimal>,
    /// Deductible remaining (EB01 C, EB06 29).
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub deductible_remaining: Option<Decimal>,
    /// Out-of-pocket remaining (EB01 G, EB06 29).
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub oop_remaining: Option<Decimal>,
    /// Out of network (EB12 N): copay.
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub copay_out: Option<Decimal>,
    /// Out of network coinsurance.
    pub coinsurance_out: Option<Decimal>,
    /// Out of network deductible.
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub deductible_out: Option<Decimal>,
    /// Out of network deductible remaining.
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub deductible_remaining_out: Option<Decimal>,
    /// Another payer named as primary: `NAME (ID)`.
    pub other_payer_primary: String,
    /// AAA03 with its meaning.
    pub reject_reason: String,
    /// AAA04 with its meaning.
    pub follow_up: String,
    /// The 271's BHT date and time.
    pub answered_at: Option<NaiveDateTime>,
    /// TRN02 of the inquiry answered.
    pub trace: String,
}

/// The key that ties an answer to a claim's patient: `subscriber`, or
/// `dependent:` and a hash of the dependent's first name and birth date (no
/// name is stored).
pub fn patient_key(dependent: Option<(&str, Option<NaiveDate>)>) -> String {
    match dependent {
        None => "subscriber".into(),
        Some((first, dob)) => {
            let mut h = Sha256::new();
            h.update(first.trim().to_uppercase().as_bytes());
            h.update([0x1f]);
            h.update(dob.map(|d| d.to_string()).unwrap_or_default().as_bytes());
            format!("dependent:{}", &crate::ledger::hex(&h.finalize())[..16])
        }
    }
}

/// The patient key of a claim.
pub fn claim_patient_key(c: &Claim) -> String {
    match (&c.relationship, &c.patient) {
        (Relationship::SelfInsured, _) | (_, None) => patient_key(None),
        (_, Some(p)) => patient_key(Some((&p.first, p.dob))),
    }
}

/// AAA03 reject reasons (X12 element 901) in plain words.
pub fn reject_reason_meaning(code: &str) -> &'static str {
    match code {
        "04" => "authorized quantity exceeded",
        "15" => "required application data missing",
        "41" => "authorization or access restrictions",
        "42" => "payer unable to respond now",
        "43" => "provider id invalid or missing",
        "44" => "provider name invalid or missing",
        "45" => "provider specialty invalid or missing",
        "46" => "provider phone invalid or missing",
        "47" => "provider state invalid or missing",
        "48" => "referring provider id invalid or missing",
        "49" => "provider is not primary care",
        "50" => "provider not eligible for inquiries",
        "51" => "provider not on file",
        "52" => "service dates not within the provider's plan enrollment",
        "53" => "benefit asked does not fit the provider type",
        "54" => "service id qualifier not appropriate",
        "55" => "service id not appropriate",
        "56" => "date not appropriate",
        "57" => "dates of service invalid or missing",
        "58" => "birth date invalid or missing",
        "60" => "birth date after the date asked",
        "61" => "date of death before the date asked",
        "62" => "date of service outside the inquiry period allowed",
        "63" => "date of service in the future",
        "64" => "patient id invalid or missing",
        "65" => "patient name invalid or missing",
        "66" => "patient gender invalid or missing",
        "67" => "patient not found",
        "68" => "patient id duplicated",
        "69" => "inconsistent with the patient's age",
        "70" => "inconsistent with the patient's gender",
        "71" => "birth date does not match the payer's",
        "72" => "member id invalid or missing",
        "73" => "subscriber name invalid or missing",
        "74" => "subscriber gender invalid or missing",
        "75" => "subscriber not found",
        "76" => "subscriber id duplicated",
        "77" => "subscriber found, patient not found",
        "78" => "subscriber not in the group or plan named",
        "79" => "participant id invalid",
        "80" => "no response received",
        "97" => "provider address invalid or missing",
        "T4" => "payer name or id missing",
        _ => "",
    }
}

/// AAA04 follow-up actions in plain words.
pub fn follow_up_meaning(code: &str) -> &'static str {
    match code {
        "C" => "correct and resubmit",
        "N" => "resubmission not allowed",
        "P" => "resubmit the original inquiry",
        "R" => "resubmission allowed",
        "S" => "do not resubmit: the payer asked a third party",
        "W" => "wait 30 days and resubmit",
        "X" => "wait 10 days and resubmit",
        "Y" => "do not resubmit: the payer will answer",
        _ => "",
    }
}

/// `CODE (meaning)`, or the code alone when its meaning is not known.
pub fn with_meaning(code: &str, meaning: &str) -> String {
    if code.is_empty() || meaning.is_empty() {
        code.to_string()
    } else {
        format!("{code} ({meaning})")
    }
}

/// The coverage findings of one claim given the answers on file for its
/// payer, member and patient (any order; the newest counts), the run's
/// clock and the config. `file` and the claim's first row locate them.
pub fn coverage_findings(
    c: &Claim,
    answers: &[Coverage],
    config: &Config,
    now: NaiveDateTime,
    file: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let row = c.source.rows.first().copied().unwrap_or(0);
    let at = |col: &str, id: &'static str, sev: Severity, msg: String| {
        Finding::new(id, sev, msg).in_file(file).at_row(row, col).for_claim(&c.claim_id)
    };
    let usable = || {
        answers.iter().filter(|a| {
            !matches!(a.status, Some(CoverageStatus::Rejected) | None) && a.answered_at.is_some()
        })
    };
    let newest = answer_for_claim(c, answers);
    let payer = config.payer(&c.payer.id);
    if let Some(p) = payer.filter(|p| p.eligibility_required) {
        let max_age = i64::from(p.eligibility_max_age());
        let latest = usable().max_by_key(|a| a.answered_at);
        let fresh = latest
            .and_then(|a| a.answered_at)
            .is_some_and(|t| (now.date() - t.date()).num_days() <= max_age);
        if !fresh {
            let said = match latest.and_then(|a| a.answered_at) {
                Some(t) => format!("the newest answer on file is of {}", t.date()),
                None => "no answer is on file".into(),
            };
            out.push(at(
                "payer_id",
                rule::NO_FRESH_ANSWER,
                Severity::Error,
                format!(
                    "payer {} requires a 271 eligibility answer no older than {max_age} days and {said}: run `claimflow eligibility request` and `eligibility read`",
                    p.id
                ),
            ));
        }
    }
    let Some(a) = newest else { return out };
    let date = a.answered_at.map(|t| t.date().to_string()).unwrap_or_default();
    let first = c.lines.iter().map(|l| l.service_date).min();
    let last = c.lines.iter().map(|l| l.service_date_end.unwrap_or(l.service_date)).max();
    match a.status {
        Some(CoverageStatus::NotFound) => out.push(at(
            "member_id",
            rule::NOT_FOUND,
            Severity::Error,
            format!(
                "payer {}'s 271 of {date} did not find the member ({}): check member_id and the patient's name and birth date",
                c.payer.id, a.reject_reason
            ),
        )),
        Some(CoverageStatus::Inactive) => {
            // An inactive answer about another period does not decide this claim.
            let outside = match (first, last) {
                (Some(f), Some(l)) => {
                    a.plan_end.is_some_and(|e| f > e) || a.plan_begin.is_some_and(|b| l < b)
                }
                _ => false,
            };
            if !outside {
                out.push(at(
                    "service_date",
                    rule::NOT_COVERED,
                    Severity::Error,
                    format!(
                        "payer {}'s 271 of {date} says coverage is inactive{}: the date of service is not covered",
                        c.payer.id,
                        plan_range(a)
                    ),
                ));
            }
        }
        Some(CoverageStatus::Active) => {
            let ended = a.plan_end.zip(last).is_some_and(|(e, l)| l > e);
            let before = a.plan_begin.zip(first).is_some_and(|(b, f)| f < b);
            if ended || before {
                out.push(at(
                    "service_date",
                    rule::NOT_COVERED,
                    Severity::Error,
                    format!(
                        "payer {}'s 271 of {date} gives coverage{}: the date of service is outside it",
                        c.payer.id,
                        plan_range(a)
                    ),
                ));
            }
        }
        _ => {}
    }
    if !a.other_payer_primary.is_empty() {
        out.push(at(
            "payer_id",
            rule::OTHER_PRIMARY,
            Severity::Warning,
            format!(
                "payer {}'s 271 of {date} names another payer as primary: {}; bill the primary payer first",
                c.payer.id, a.other_payer_primary
            ),
        ));
    }
    out
}

/// The answer that counts for a claim among those on file for its payer,
/// member and patient: the newest about one of its dates of service, else
/// the newest (a rejected inquiry never counts).
pub fn answer_for_claim<'a>(c: &Claim, answers: &'a [Coverage]) -> Option<&'a Coverage> {
    let usable = || {
        answers.iter().filter(|a| {
            !matches!(a.status, Some(CoverageStatus::Rejected) | None) && a.answered_at.is_some()
        })
    };
    let dates: Vec<NaiveDate> = c.lines.iter().map(|l| l.service_date).collect();
    usable()
        .filter(|a| a.service_date.is_some_and(|d| dates.contains(&d)))
        .max_by_key(|a| a.answered_at)
        .or_else(|| usable().max_by_key(|a| a.answered_at))
}

fn plan_range(a: &Coverage) -> String {
    match (a.plan_begin, a.plan_end) {
        (Some(b), Some(e)) => format!(" (plan {b} to {e})"),
        (Some(b), None) => format!(" (plan from {b})"),
        (None, Some(e)) => format!(" (plan ended {e})"),
        (None, None) => String::new(),
    }
}
