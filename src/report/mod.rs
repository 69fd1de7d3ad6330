//! The money report: A/R aging, denials, payments and days to pay, patient
//! balances and procedures, read from the ledger in one read transaction
//! and written as CSV files, `summary.json` and one self-contained HTML page
//! (`report.html`).
//!
//! [`run`] runs every query of the ledger's read API (`ledger::read`:
//! the report's queries, patient balances) inside one read transaction
//! (so all files describe the same moment), folds the groups into rows
//! (`aggregate`, `patient`) and writes the files (`write`, `html`, `chart`)
//! atomically with mode 0600. Memory grows with the number of groups
//! (payers, months, reasons, codes), not with claims or payments.
//!
//! The report reads the ledger only: it posts nothing and never changes a
//! claim. Patient names are written to `patient_balances.csv` only; nothing
//! returned here holds them ([`Report`] carries counts and totals), and the
//! HTML page shows the count and total of patient balances, not the names.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::ledger::read;
use crate::ledger::Connection;

mod aggregate;
mod chart;
mod eligibility;
mod html;
mod patient;
mod write;

pub use aggregate::{AgingRow, DenialRow, PaymentRow, ProcedureRow, BUCKETS};
pub use eligibility::EligibilityRow;
pub use patient::BalanceTotals;

/// A report problem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The ledger could not be opened.
    #[error(transparent)]
    Ledger(#[from] crate::ledger::Error),
    /// A query failed, or the ledger holds a value that is not what its
    /// column says.
    #[error(transparent)]
    Read(#[from] crate::ledger::ReadError),
    /// An output file could not be written.
    #[error("{path}: cannot write: {cause}")]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        cause: std::io::Error,
    },
    /// `--payer` names no payer of the ledger.
    #[error("--payer {payer}: no claim or payment of this payer in the ledger; {hint}")]
    UnknownPayer {
        /// The payer id given.
        payer: String,
        /// The closest known payer ids, or the known ones.
        hint: String,
    },
}

/// What the report covers.
#[derive(Clone, Debug)]
pub struct Options {
    /// The run's clock: ages of receivables are counted to this day.
    pub now: NaiveDateTime,
    /// Claims first sent, and payments dated, on or after this day.
    pub from: Option<NaiveDate>,
    /// Claims first sent, and payments dated, on or before this day.
    pub to: Option<NaiveDate>,
    /// Only this payer's claims and payments.
    pub payer: Option<String>,
    /// CARC texts (`[codesets] dir`): the reasons of `denials.csv` and the
    /// page's denials table show each code with its text when the list has
    /// it.
    pub reasons: crate::codeset::ReasonTexts,
}

impl Options {
    /// Everything in the ledger, as of `now`.
    pub fn new(now: NaiveDateTime) -> Options {
        Options {
            now,
            from: None,
            to: None,
            payer: None,
            reasons: crate::codeset::ReasonTexts::default(),
        }
    }
}

/// The checks that the files agree with the ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TieOut {
    /// Sum of `paid` over the rows of `payments.csv`.
    pub payments_csv_paid: String,
    /// Sum of `claim_payments.paid` in the ledger (same filter).
    pub ledger_paid: String,
    /// Provider-level adjustments of the same remittances.
    pub provider_adjustments: String,
    /// BPR02 of the same remittances: ledger_paid − provider_adjustments
    /// when every remittance posted balanced.
    pub deposited: String,
    /// Both equalities hold.
    pub ok: bool,
}

/// Every claim sent, counted once under what became of it; the counts add
/// up to `claims_sent` (the headline cards of `report.html`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Outcomes {
    /// Answered, and a payer paid on it (in full or in part).
    pub paid: u64,
    /// Answered with a denial of the whole claim.
    pub denied: u64,
    /// Answered with nothing paid: all of it is the patient's (deductible,
    /// coinsurance, copay).
    pub left_to_patient: u64,
    /// Answered by the primary; its standing waits for a later payer: the
    /// secondary it names or was billed to has not answered, or the primary
    /// forwarded it to a crossover payer that has not answered.
    pub waiting_for_secondary: u64,
    /// Money still expected from the payer (no answer yet, or part of it).
    pub outstanding: u64,
    /// Rejected at the front end (999/277CA) and not sent again.
    pub rejected: u64,
}

/// What `summary.json` holds: the headline numbers and the files written.
/// Amounts are two-decimal text, rates 4-decimal text, days plain numbers
/// as text; `null` when there is nothing to compute them from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The `--now` day the ages count to.
    pub as_of: String,
    /// `--from`, when given.
    pub from: Option<String>,
    /// `--to`, when given.
    pub to: Option<String>,
    /// `--payer`, when given.
    pub payer: Option<String>,
    /// Claims sent (voids left out).
    pub claims_sent: u64,
    /// Of those, claims a payer paid something on.
    pub claims_paid: u64,
    /// Of those, claims whose current status is denied.
    pub claims_denied: u64,
    /// Of those, claims with money still expected from the payer.
    pub claims_outstanding: u64,
    /// Of those, claims rejected at the front end (999/277CA) and not sent
    /// again: not in the A/R, they wait for a correction.
    pub claims_rejected: u64,
    /// The same claims, each counted once under what became of it.
    pub claims_by_outcome: Outcomes,
    /// Money still expected from payers (the `ALL total` row of `aging.csv`).
    pub ar_total: String,
    /// Of that, claims first sent more than 90 days ago.
    pub ar_over_90: String,
    /// Claims answered in full whose standing waits for a secondary payer
    /// not billed yet or for the crossover payer (the `ALL,awaiting
    /// secondary payer` row of `aging.csv`): apart from the A/R buckets.
    pub ar_awaiting_secondary_claims: u64,
    /// The patient share that payer is to answer.
    pub ar_awaiting_secondary: String,
    /// Claims rejected at the front end and not sent again (the
    /// `ALL,rejected, not yet resent` row of `aging.csv`): apart from the
    /// A/R, aging toward timely filing.
    pub ar_rejected_claims: u64,
    /// Their charges.
    pub ar_rejected: String,
    /// Paid over (billed − contractual) of the claim payments posted.
    pub collection_rate: Option<String>,
    /// Median days from first sent to payment, over every payment.
    pub median_days_to_pay: Option<String>,
    /// Sum of what payers paid on claims (CLP04).
    pub payments_posted: String,
    /// Sum of denied money (the `ALL total` row of `denials.csv`).
    pub denied_amount: String,
    /// Rows of `patient_balances.csv` a statement can bill (no secondary
    /// still to answer).
    pub patient_balance_claims: u64,
    /// Sum of their balances.
    pub patient_balance_total: String,
    /// Rows of `patient_balances.csv` waiting for the secondary's answer.
    pub patient_balance_awaiting_secondary_claims: u64,
    /// Sum of their balances (not billable yet).
    pub patient_balance_awaiting_secondary: String,
    /// Rows whose patient could not be named.
    pub patients_unknown: u64,
    /// The tie-out of payments and deposits.
    pub tie_out: TieOut,
    /// The files written, by name, in `DIR`.
    pub files: Vec<String>,
}

/// What [`run`] computed and wrote.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The headline numbers (`summary.json`).
    pub summary: Summary,
    /// `aging.csv` rows.
    pub aging: Vec<AgingRow>,
    /// `denials.csv` rows.
    pub denials: Vec<DenialRow>,
    /// `payments.csv` rows.
    pub payments: Vec<PaymentRow>,
    /// `procedures.csv` rows.
    pub procedures: Vec<ProcedureRow>,
    /// `eligibility.csv` rows (270 inquiries and 271 answers by payer).
    pub eligibility: Vec<EligibilityRow>,
    /// Count and total of `patient_balances.csv` (its rows hold PHI and stay in the file).
    pub patient_balances: BalanceTotals,
    /// Every file written, in `out_dir`.
    pub files: Vec<PathBuf>,
}

impl Report {
    /// True when the files do not tie out to the ledger (a person should look).
    pub fn needs_attention(&self) -> bool {
        !self.summary.tie_out.ok
    }

    /// True when the ledger holds no claim and no payment in the report's scope.
    pub fn is_empty(&self) -> bool {
        self.summary.claims_sent == 0 && self.payments.is_empty()
    }
}

/// Writes the report of the ledger open on `conn` into `out_dir` (created
/// if needed). Open the ledger with [`crate::ledger::open_read_only`]: it
/// is read, never written. On a ledger of an older schema the report is
/// written when its queries work there; when one needs a newer table the
/// error is [`crate::ledger::Error::Outdated`] (naming the command that
/// upgrades the ledger) and no file is written.
///
/// A `payer` the ledger does not know as given is looked up ignoring ASCII
/// case; one it does not know at all is [`Error::UnknownPayer`], with the
/// closest payer ids, and nothing is written.
pub fn run(conn: &Connection, out_dir: &Path, options: &Options) -> Result<Report, Error> {
    run_on(conn, out_dir, options).map_err(|e| match (&e, crate::ledger::read::outdated(conn)) {
        (Error::Read(_) | Error::Ledger(crate::ledger::Error::Sqlite { .. }), Some(outdated)) => {
            Error::Ledger(outdated)
        }
        _ => e,
    })
}

fn run_on(conn: &Connection, out_dir: &Path, options: &Options) -> Result<Report, Error> {
    let resolved;
    let options = match &options.payer {
        Some(p) => {
            resolved = Options { payer: Some(known_payer(conn, p)?), ..options.clone() };
            &resolved
        }
        None => options,
    };
    std::fs::create_dir_all(out_dir)
        .map_err(|cause| Error::Write { path: out_dir.to_path_buf(), cause })?;
    read::begin(conn)?;
    let read = write::read_and_write(conn, out_dir, options);
    // A read transaction changes nothing: ending it cannot lose work.
    let end = read::end(conn, read.is_ok());
    let report = read?;
    end?;
    Ok(report)
}

/// The ledger's payer id that `payer` names (as given, else ignoring case).
fn known_payer(conn: &Connection, payer: &str) -> Result<String, Error> {
    let known = read::payer_ids(conn)?;
    if let Some(p) = known.iter().find(|k| *k == payer) {
        return Ok(p.clone());
    }
    if let Some(p) = known.iter().find(|k| k.eq_ignore_ascii_case(payer.trim())) {
        return Ok(p.clone());
    }
    let closest = crate::suggest::closest(payer, known.iter().map(String::as_str));
    let hint = if !closest.is_empty() || known.is_empty() {
        crate::suggest::hint(&closest, "the ledger has no payer yet")
    } else if known.len() <= 10 {
        format!("known payers: {}", known.join(", "))
    } else {
        format!("{} payers known, none close to it (see `claimflow status`)", known.len())
    };
    Err(Error::UnknownPayer { payer: payer.to_string(), hint })
}

/// `Decimal` as 2-decimal text.
pub(crate) fn money(d: Decimal) -> String {
    crate::numtext::money(d)
}
