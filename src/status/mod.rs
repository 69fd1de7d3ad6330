//! Where each claim stands: counts by payer and status, each claim's
//! current status and whole story, and the worklist of claims that need a
//! person today (see [`worklist`]). Everything is read from the ledger;
//! nothing is written to it, and nothing is printed.
//!
//! Statuses, in the order a claim goes through them: `sent` (or `resent`,
//! `replacement`, `void`, how it was last sent), `accepted` or `rejected`
//! (by a 999 or 277CA, see `ack`), then what a remittance made of it
//! (`paid`, `partial`, `denied`, `patient_responsibility`, `reversed`,
//! `forwarded`).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::claim::ClaimStatus;
use crate::config::Config;
use crate::ledger::{self, Event, Ledger, StatusCount};

mod answers;
mod inquire;
mod worklist;

pub use inquire::{inquire, InquireError, InquireReport, Inquired, NotInquired};
pub use worklist::{worklist, worklist_csv, WorkItem};

/// Days within which a 999 or 277CA is expected when a payer sets none.
pub const DEFAULT_ACK_DAYS: u32 = 2;
/// Days after acceptance within which an 835 is expected when a payer sets none.
pub const DEFAULT_DAYS_TO_PAY: u32 = 30;

/// What the worklist needs to know.
#[derive(Clone, Debug)]
pub struct Options {
    /// The run's clock ("today").
    pub now: NaiveDateTime,
    /// Per payer id: (ack_days, expected_days_to_pay) from the config.
    pub payer_days: HashMap<String, (u32, u32)>,
    /// CO adjustment reasons that are contractual write-offs.
    pub contractual_carcs: Vec<String>,
    /// CARC texts (`[codesets] dir`): a denial's reason on the worklist
    /// shows each code with its text when the list has it.
    pub reasons: crate::codeset::ReasonTexts,
}

impl Options {
    /// Options with the defaults: every payer 2 days to acknowledge and 30
    /// to pay; the default contractual CARCs.
    pub fn new(now: NaiveDateTime) -> Options {
        Options {
            now,
            payer_days: HashMap::new(),
            contractual_carcs: crate::config::DEFAULT_CONTRACTUAL_CARCS
                .iter()
                .map(|c| c.to_string())
                .collect(),
            reasons: crate::codeset::ReasonTexts::default(),
        }
    }

    /// Options with the config's payer days and contractual CARCs.
    pub fn from_config(now: NaiveDateTime, config: &Config) -> Options {
        let mut o = Options::new(now);
        for p in &config.payer {
            o.payer_days.insert(
                p.id.clone(),
                (
                    p.ack_days.unwrap_or(DEFAULT_ACK_DAYS),
                    p.expected_days_to_pay.unwrap_or(DEFAULT_DAYS_TO_PAY),
                ),
            );
        }
        o.contractual_carcs = config.reconcile.contractual_carcs.clone();
        o
    }

    /// (ack_days, expected_days_to_pay) of `payer_id`.
    pub fn days(&self, payer_id: &str) -> (u32, u32) {
        self.payer_days.get(payer_id).copied().unwrap_or((DEFAULT_ACK_DAYS, DEFAULT_DAYS_TO_PAY))
    }
}

/// One claim's current status and story.
#[derive(Clone, Debug, Serialize)]
pub struct ClaimStory {
    /// CLM01.
    pub claim_id: String,
    /// Payer id.
    pub payer_id: String,
    /// Current status.
    pub status: ClaimStatus,
    /// CLM02 as last sent.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub total_charge: Decimal,
    /// The 837 file it was last sent in.
    pub file: String,
    /// When that file was written (ISO 8601).
    pub sent_at: String,
    /// The payer's claim number, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payer_claim_id: Option<String>,
    /// Every event, oldest first.
    pub history: Vec<Event>,
    /// The newest 271 coverage answer on file for the claim's payer,
    /// member and patient (the claim read back from its 837).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<crate::coverage::Coverage>,
    /// Who owes what ([`ledger::standing`]); `None` for a COB claim to a
    /// secondary (its standing is the primary's claim's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standing: Option<ClaimStanding>,
}

/// A claim's money across its payers and the patient, from
/// [`ledger::standing`]: the `standing` object of `status CLAIM --json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClaimStanding {
    /// Whose answer or money the claim waits for: `payer` (the primary has
    /// not answered), `secondary` (the secondary or crossover payer has
    /// not), `patient` (a balance a statement can bill), `none` (settled).
    pub awaiting: &'static str,
    /// `final`, `awaiting_secondary` or `after_secondary` (the words of
    /// `patient_balances.csv`).
    pub stage: &'static str,
    /// The primary payer.
    pub primary_payer_id: String,
    /// The secondary billed or named, else the crossover payer that
    /// answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_payer_id: Option<String>,
    /// What the primary paid (its live payments).
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub primary_paid: Decimal,
    /// What the secondary paid.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub secondary_paid: Decimal,
    /// The patient responsibility of the answer that counts.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub share: Decimal,
    /// What the patient paid at the visit (`AMT*F5`).
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub paid_at_visit: Decimal,
    /// What the patient owes: `share` less `paid_at_visit`, never below 0.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub patient_balance: Decimal,
    /// True when `patient_balance` can go on a statement (no secondary
    /// still to answer).
    pub billable: bool,
}

impl ClaimStanding {
    /// The standing of `answers`, with what the patient paid at the visit
    /// when the ledger did not record it (read from the claim's 837).
    pub fn of(answers: &ledger::read::balances::ClaimAnswers, paid: Option<Decimal>) -> Self {
        let st = answers.standing(paid);
        let secondary = answers.secondary.as_ref();
        let awaiting = if answers.primary.payments == 0 {
            "payer"
        } else if st.stage == ledger::Stage::AwaitingSecondary {
            "secondary"
        } else if st.billable() {
            "patient"
        } else {
            "none"
        };
        ClaimStanding {
            awaiting,
            stage: st.stage.as_str(),
            primary_payer_id: answers.primary_payer.clone(),
            secondary_payer_id: answers.second_payer.clone(),
            primary_paid: answers.primary.paid,
            secondary_paid: secondary.map_or(Decimal::ZERO, |s| s.paid),
            share: st.share,
            paid_at_visit: st.paid_at_visit,
            patient_balance: st.balance,
            billable: st.billable(),
        }
    }

    /// One line: who owes what.
    pub fn line(&self) -> String {
        use crate::numtext::money;
        let patient = format!(
            "patient balance {} (share {}, paid at the visit {})",
            money(self.patient_balance),
            money(self.share),
            money(self.paid_at_visit)
        );
        // A crossover payer is known once it answers.
        let secondary = match &self.secondary_payer_id {
            Some(s) => format!("secondary {s}"),
            None => "the crossover payer".to_string(),
        };
        match self.awaiting {
            "payer" => format!("awaiting payer {}'s answer; {patient}", self.primary_payer_id),
            "secondary" => format!(
                "{} paid {}; awaiting {secondary}: {patient}, not billable until it answers",
                self.primary_payer_id,
                money(self.primary_paid)
            ),
            _ => {
                let mut paid =
                    format!("{} paid {}", self.primary_payer_id, money(self.primary_paid));
                if self.stage == "after_secondary" {
                    paid.push_str(&format!(", {secondary} paid {}", money(self.secondary_paid)));
                }
                let owes = if self.billable { "patient owes" } else { "nothing to bill:" };
                format!("{paid}; {owes} {patient}")
            }
        }
    }
}

/// Claims by payer and status.
pub fn counts(ledger: &Ledger) -> Result<Vec<StatusCount>, ledger::Error> {
    ledger.status_counts()
}

/// The claims with these ids (every payer each was sent to), with their
/// stories; an id the ledger does not know is left out (the caller names it).
pub fn claims(ledger: &Ledger, ids: &[String]) -> Result<Vec<ClaimStory>, ledger::Error> {
    let states = ledger.claim_states(ledger::Which::Ids(ids))?;
    let mut out = Vec::with_capacity(states.len());
    let mut files: HashMap<String, Vec<crate::claim::Claim>> = HashMap::new();
    for s in states {
        let history = ledger.history(&s.claim_id, &s.payer_id)?;
        let sent = files
            .entry(s.file.clone())
            .or_insert_with(|| {
                std::fs::read(&s.file)
                    .ok()
                    .and_then(|b| crate::edi837::read_claims(&b).ok())
                    .unwrap_or_default()
            })
            .iter()
            .find(|c| c.claim_id == s.claim_id && c.payer.id == s.payer_id);
        let standing = ledger
            .claim_answers(&s.claim_id, &s.payer_id)?
            .map(|a| ClaimStanding::of(&a, sent.and_then(|c| c.patient_paid)));
        let coverage = match sent {
            Some(c) => {
                let key = crate::coverage::claim_patient_key(c);
                let on_file = ledger.coverage_for(&c.payer.id, &c.member_id, &key)?;
                crate::coverage::answer_for_claim(c, &on_file).cloned()
            }
            None => None,
        };
        out.push(ClaimStory {
            claim_id: s.claim_id,
            payer_id: s.payer_id,
            status: s.status,
            total_charge: s.total_charge,
            file: s.file,
            sent_at: s.sent_at,
            payer_claim_id: s.payer_claim_id,
            history,
            coverage,
            standing,
        });
    }
    Ok(out)
}

/// A claim id asked for that the ledger does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnknownClaim {
    /// The id as asked.
    pub id: String,
    /// The ledger's claim ids closest to it (at most three).
    pub closest: Vec<String>,
}

/// The stories of the claims asked for, and the ids the ledger does not hold.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Found {
    /// The claims found, in the order asked.
    pub stories: Vec<ClaimStory>,
    /// Ids matching no claim, with the closest known ones.
    pub unknown: Vec<UnknownClaim>,
}

/// Looks up the claims `ids` name as [`claims`] does, and an id the ledger
/// does not hold as written also ignoring ASCII case and surrounding space
/// (as reconcile matches claim ids: `d1002` finds `D1002`). An id matching
/// nothing is returned with the closest known ids.
pub fn find(ledger: &Ledger, ids: &[String]) -> Result<Found, ledger::Error> {
    let exact: std::collections::HashSet<String> =
        ledger.claim_states(ledger::Which::Ids(ids))?.into_iter().map(|s| s.claim_id).collect();
    let mut known: Option<Vec<String>> = None;
    let mut resolved: Vec<String> = Vec::with_capacity(ids.len());
    let mut unknown = Vec::new();
    for id in ids {
        if exact.contains(id) {
            resolved.push(id.clone());
            continue;
        }
        let all = match &known {
            Some(all) => all,
            None => known.insert(ledger.claim_ids()?),
        };
        let wanted = id.trim();
        let same: Vec<&String> = all.iter().filter(|k| k.eq_ignore_ascii_case(wanted)).collect();
        if same.is_empty() {
            let closest = crate::suggest::closest(wanted, all.iter().map(String::as_str));
            unknown.push(UnknownClaim { id: id.clone(), closest });
        } else {
            resolved.extend(same.into_iter().cloned());
        }
    }
    resolved.dedup();
    Ok(Found { stories: claims(ledger, &resolved)?, unknown })
}

/// The date of an ISO 8601 timestamp (its first 10 characters).
pub(crate) fn date_of(at: &str) -> Option<NaiveDate> {
    at.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// Writes a report (the worklist CSV) atomically, mode 0600: a temp file
/// in the same folder, fsync, rename. The folder is created when missing.
pub fn write_report(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    crate::atomic::write(path, bytes)
}
