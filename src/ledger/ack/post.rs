//! Recording acknowledgments in the ledger: [`Ledger::post_acks`] writes
//! each TA1, 999 set response and 277CA once (keyed by its fingerprint),
//! a `claim_acks` row per claim it speaks of, and the claim's status where
//! the acknowledgment may change it (see the parent module for the rules).
//! This module does not read X12 or match anything (that is `ack`).

use rusqlite::{params, TransactionBehavior};

use crate::claim::ClaimStatus;
use crate::ledger::{Error, Ledger};

/// What one acknowledgment says of one claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimAck {
    /// CLM01.
    pub claim_id: String,
    /// The claim's payer id (ledger key).
    pub payer_id: String,
    /// The submission it answers.
    pub submission_id: i64,
    /// `Accepted`, `Rejected`, or `Sent` (nothing decided about the claim:
    /// a TA1 that accepted the interchange).
    pub status: ClaimStatus,
    /// True for a 277CA (the payer's or clearinghouse's word on the claim);
    /// false for TA1 and 999 (the file's or set's syntax).
    pub claim_level: bool,
    /// What it says of the claim, with its codes.
    pub detail: String,
    /// 277CA REF*1K.
    pub payer_claim_id: Option<String>,
    /// 277CA REF*D9.
    pub trace: Option<String>,
    /// 277CA STC02 status date (CCYYMMDD), which orders the claim's 277CA
    /// events: one dated before a recorded 277CA event of the same
    /// submission does not change the claim's status.
    pub status_date: Option<String>,
    /// A TA1 or 999 rejection of the claim's interchange or set that names
    /// no error inside the claim: the claim is sent again as it is.
    pub by_set: bool,
}

/// One acknowledgment to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AckPosting {
    /// `TA1`, `999` or `277CA`.
    pub kind: &'static str,
    /// sha256 (hex) of its content, without its envelope.
    pub fingerprint: String,
    /// The file as named.
    pub file: String,
    /// sha256 of the file, hex.
    pub file_sha256: String,
    /// The acknowledgment's own ISA13, GS06 and ST02 (empty when absent).
    pub envelope: (String, String, String),
    /// The submission it answers, when known.
    pub submission_id: Option<i64>,
    /// What it answers, e.g. `GS06 1 ST02 0001`.
    pub reference: String,
    /// `accepted`, `accepted_with_errors` or `rejected`.
    pub outcome: String,
    /// Its codes as text.
    pub codes: String,
    /// The claims it speaks of.
    pub claims: Vec<ClaimAck>,
}

/// What recording acknowledgments did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AckSummary {
    /// Indexes (into the postings given) of those recorded now.
    pub recorded: Vec<usize>,
    /// Indexes of those recorded before (nothing recorded now).
    pub already: Vec<usize>,
    /// Claim events recorded.
    pub claim_events: usize,
    /// Claims whose current status changed.
    pub status_changes: usize,
}

/// The statuses an acknowledgment may change, by what it is: a 277CA (or
/// any rejection) speaks over every status before a remittance; a TA1 or
/// 999 acceptance only over a claim still on its way.
const ANY_BEFORE_REMITTANCE: &str =
    "'sent', 'resent', 'replacement', 'void', 'accepted', 'rejected'";
const ON_ITS_WAY: &str = "'sent', 'resent', 'replacement', 'void'";

impl Ledger {
    /// Records acknowledgments in order, in one transaction; one whose
    /// fingerprint is recorded already records nothing. `at` is the run's
    /// clock (ISO 8601).
    pub fn post_acks(&mut self, acks: &[AckPosting], at: &str) -> Result<AckSummary, Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        let mut summary = AckSummary::default();
        {
            let mut seen = tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM acknowledgments WHERE fingerprint = ?1)",
                )
                .map_err(sq)?;
            let mut ins_ack = tx
                .prepare_cached(
                    "INSERT INTO acknowledgments (kind, fingerprint, file, file_sha256, isa13, gs06,
                        st02, submission_id, reference, outcome, codes, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .map_err(sq)?;
            let mut ins_claim = tx
                .prepare_cached(
                    "INSERT INTO claim_acks (ack_id, claim_id, payer_id, submission_id, status,
                        detail, payer_claim_id, trace, status_date, by_set)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(sq)?;
            let any = format!(
                "UPDATE claims SET status = ?4, updated_at = ?5,
                    payer_claim_id = COALESCE(?6, payer_claim_id)
                 WHERE claim_id = ?1 AND payer_id = ?2 AND submission_id = ?3
                   AND status IN ({ANY_BEFORE_REMITTANCE})"
            );
            let waiting = format!(
                "UPDATE claims SET status = ?4, updated_at = ?5,
                    payer_claim_id = COALESCE(?6, payer_claim_id)
                 WHERE claim_id = ?1 AND payer_id = ?2 AND submission_id = ?3
                   AND status IN ({ON_ITS_WAY})"
            );
            let mut newer = tx
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM claim_acks
                     WHERE claim_id = ?1 AND payer_id = ?2 AND submission_id = ?3
                       AND status_date IS NOT NULL AND id <> ?6
                       AND status IN ('accepted', 'rejected')
                       AND (status_date > ?4 OR (status_date = ?4 AND ?5 AND status = 'rejected')))",
                )
                .map_err(sq)?;
            let mut set_any = tx.prepare_cached(&any).map_err(sq)?;
            let mut set_waiting = tx.prepare_cached(&waiting).map_err(sq)?;
            for (i, a) in acks.iter().enumerate() {
                if seen.query_row([&a.fingerprint], |r| r.get::<_, bool>(0)).map_err(sq)? {
                    summary.already.push(i);
                    continue;
                }
                ins_ack
                    .execute(params![
                        a.kind,
                        a.fingerprint,
                        a.file,
                        a.file_sha256,
                        a.envelope.0,
                        a.envelope.1,
                        a.envelope.2,
                        a.submission_id,
                        a.reference,
                        a.outcome,
                        a.codes,
                        at
                    ])
                    .map_err(sq)?;
                let ack_id = tx.last_insert_rowid();
                for c in &a.claims {
                    ins_claim
                        .execute(params![
                            ack_id,
                            c.claim_id,
                            c.payer_id,
                            c.submission_id,
                            c.status,
                            c.detail,
                            c.payer_claim_id,
                            c.trace,
                            c.status_date,
                            c.by_set
                        ])
                        .map_err(sq)?;
                    let event_id = tx.last_insert_rowid();
                    summary.claim_events += 1;
                    if c.status == ClaimStatus::Sent {
                        continue;
                    }
                    // The STC dates order a claim's 277CA events: one dated
                    // before a recorded one (or the same day, an acceptance
                    // after a rejection) leaves the status as it is.
                    if let Some(date) = &c.status_date {
                        let later: bool = newer
                            .query_row(
                                params![
                                    c.claim_id,
                                    c.payer_id,
                                    c.submission_id,
                                    date,
                                    c.status == ClaimStatus::Accepted,
                                    event_id
                                ],
                                |r| r.get(0),
                            )
                            .map_err(sq)?;
                        if later {
                            continue;
                        }
                    }
                    let st = if c.claim_level || c.status == ClaimStatus::Rejected {
                        &mut set_any
                    } else {
                        &mut set_waiting
                    };
                    summary.status_changes += st
                        .execute(params![
                            c.claim_id,
                            c.payer_id,
                            c.submission_id,
                            c.status,
                            at,
                            c.payer_claim_id
                        ])
                        .map_err(sq)?;
                }
                summary.recorded.push(i);
            }
        }
        tx.commit().map_err(sq)?;
        Ok(summary)
    }
}
