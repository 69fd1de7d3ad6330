//! The reads behind `claimflow status`: claims counted by payer and
//! status, each claim's current state (its submission, latest
//! acknowledgment and latest payment), and its whole story in order
//! (`history`). This
//! module only reads; it decides nothing (the worklist rules are in
//! `status`).

use std::collections::BTreeMap;

use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;

mod history;

pub use history::Event;

use super::{Error, Ledger};
use crate::claim::ClaimStatus;

/// How many claims of one payer have one status.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StatusCount {
    /// Payer id.
    pub payer_id: String,
    /// Current status.
    pub status: ClaimStatus,
    /// Claims.
    pub claims: u64,
    /// Sum of their charges (CLM02 as last sent).
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub total_charge: Decimal,
}

/// The latest matched payment of a claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentState {
    /// Its status (paid, partial, denied, ...).
    pub status: ClaimStatus,
    /// CLP03.
    pub billed: Decimal,
    /// CLP04.
    pub paid: Decimal,
    /// The denied amount (None on payments posted before schema version 4).
    pub denied: Option<Decimal>,
    /// Every adjustment, `GROUP-CARC amount` joined with `;`.
    pub adjustments: String,
    /// When it was posted (the reconcile run's clock).
    pub applied_at: String,
    /// TRN02 of its payment.
    pub trace: String,
    /// True when a later reversal undid it.
    pub reversed: bool,
}

/// A claim as the ledger holds it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimState {
    /// CLM01.
    pub claim_id: String,
    /// Payer id.
    pub payer_id: String,
    /// Current status.
    pub status: ClaimStatus,
    /// CLM02 as last sent.
    pub total_charge: Decimal,
    /// CLM05-3 as last sent.
    pub frequency: String,
    /// When its current submission was written (ISO 8601).
    pub sent_at: String,
    /// The 837 file of its current submission.
    pub file: String,
    /// ISA13, GS06 and ST02 of its current submission.
    pub control: (String, String, String),
    /// The payer's claim number (REF*1K or CLP07), when known.
    pub payer_claim_id: Option<String>,
    /// The latest acknowledgment of its current submission: when, what it
    /// made of the claim, and what it said.
    pub ack: Option<(String, ClaimStatus, String)>,
    /// The first acceptance of its current submission (when).
    pub accepted_at: Option<String>,
    /// The latest rejection of its current submission: when, what it said,
    /// and whether every rejection of that submission came only with its
    /// set or interchange (a TA1 or 999 naming no error inside the claim).
    pub rejection: Option<(String, String, bool)>,
    /// True when a 277CA spoke of its current submission.
    pub confirmed_by_277: bool,
    /// True when a payment of any payer was posted to the claim after its
    /// latest one from this payer (e.g. the other payer's after a
    /// forwarded claim).
    pub answered_since: bool,
    /// Its latest matched payment.
    pub payment: Option<PaymentState>,
    /// The sent lines (1-based positions) no live payment answered yet,
    /// when the payer answered part of the claim; empty when every line is
    /// answered or the ledger does not know the claim's lines (sent before
    /// schema version 10).
    pub unanswered_lines: Vec<usize>,
}

fn dec(s: Option<String>) -> Decimal {
    s.and_then(|s| s.parse().ok()).unwrap_or_default()
}

/// Which claims a read covers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Which<'a> {
    /// These claim ids (every payer).
    Ids(&'a [String]),
    /// Claims that may need a person: none of paid, patient responsibility,
    /// forwarded.
    Open,
}

impl Ledger {
    /// Every claim id in the ledger, once, in id order (to name the ids
    /// closest to one asked for that is not there).
    pub fn claim_ids(&self) -> Result<Vec<String>, Error> {
        let mut st = self
            .conn
            .prepare("SELECT DISTINCT claim_id FROM claims ORDER BY claim_id")
            .map_err(self.sq())?;
        let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(self.sq())?;
        rows.collect::<Result<_, _>>().map_err(self.sq())
    }

    /// Claims by payer and status, ordered by payer then status.
    pub fn status_counts(&self) -> Result<Vec<StatusCount>, Error> {
        let mut st = self
            .conn
            .prepare("SELECT payer_id, status, total_charge FROM claims")
            .map_err(self.sq())?;
        let mut rows = st.query([]).map_err(self.sq())?;
        let mut by: BTreeMap<(String, ClaimStatus), (u64, Decimal)> = BTreeMap::new();
        while let Some(r) = rows.next().map_err(self.sq())? {
            let key = (r.get(0).map_err(self.sq())?, r.get(1).map_err(self.sq())?);
            let e = by.entry(key).or_default();
            e.0 += 1;
            e.1 += dec(r.get(2).map_err(self.sq())?);
        }
        Ok(by
            .into_iter()
            .map(|((payer_id, status), (claims, total_charge))| StatusCount {
                payer_id,
                status,
                claims,
                total_charge,
            })
            .collect())
    }

    /// The current state of the claims `which` covers, by claim id then payer.
    pub(crate) fn claim_states(&self, which: Which<'_>) -> Result<Vec<ClaimState>, Error> {
        let filter = match which {
            Which::Ids(_) => "c.claim_id = ?1",
            Which::Open => "c.status NOT IN ('paid', 'patient_responsibility', 'unmatched')",
        };
        let sql = format!(
            "SELECT c.claim_id, c.payer_id, c.status, c.total_charge, c.frequency, c.payer_claim_id,
                s.created_at, s.file, s.isa13, s.gs06, c.st02,
                (SELECT k.received_at FROM claim_acks a JOIN acknowledgments k ON k.id = a.ack_id
                 WHERE a.claim_id = c.claim_id AND a.payer_id = c.payer_id
                   AND a.submission_id = c.submission_id ORDER BY a.id DESC LIMIT 1),
                (SELECT a.status FROM claim_acks a
                 WHERE a.claim_id = c.claim_id AND a.payer_id = c.payer_id
                   AND a.submission_id = c.submission_id ORDER BY a.id DESC LIMIT 1),
                (SELECT k.kind || ' ' || a.detail FROM claim_acks a JOIN acknowledgments k ON k.id = a.ack_id
                 WHERE a.claim_id = c.claim_id AND a.payer_id = c.payer_id
                   AND a.submission_id = c.submission_id ORDER BY a.id DESC LIMIT 1),
                (SELECT k.received_at FROM claim_acks a JOIN acknowledgments k ON k.id = a.ack_id
                 WHERE a.claim_id = c.claim_id AND a.payer_id = c.payer_id
                   AND a.submission_id = c.submission_id AND a.status = 'accepted'
                 ORDER BY a.id LIMIT 1),
                (SELECT p.id FROM claim_payments p
                 WHERE p.claim_id = c.claim_id AND p.payer_id = c.payer_id AND p.matched = 1
                 ORDER BY p.id DESC LIMIT 1),
                (SELECT k.received_at || char(31) || k.kind || ' ' || a.detail
                 FROM claim_acks a JOIN acknowledgments k ON k.id = a.ack_id
                 WHERE a.claim_id = c.claim_id AND a.payer_id = c.payer_id
                   AND a.submission_id = c.submission_id AND a.status = 'rejected'
                 ORDER BY a.id DESC LIMIT 1),
                NOT EXISTS (SELECT 1 FROM claim_acks a
                 WHERE a.claim_id = c.claim_id AND a.payer_id = c.payer_id
                   AND a.submission_id = c.submission_id AND a.status = 'rejected'
                   AND a.by_set = 0),
                EXISTS (SELECT 1 FROM claim_acks a JOIN acknowledgments k ON k.id = a.ack_id
                 WHERE a.claim_id = c.claim_id AND a.payer_id = c.payer_id
                   AND a.submission_id = c.submission_id AND k.kind = '277CA'),
                EXISTS (SELECT 1 FROM claim_payments q
                 WHERE q.claim_id = c.claim_id AND q.matched = 1
                   AND q.id > (SELECT MAX(p.id) FROM claim_payments p
                     WHERE p.claim_id = c.claim_id AND p.payer_id = c.payer_id
                       AND p.matched = 1))
             FROM claims c JOIN submissions s ON s.id = c.submission_id
             WHERE {filter} ORDER BY c.claim_id, c.payer_id"
        );
        let mut st = self.conn.prepare_cached(&sql).map_err(self.sq())?;
        let read = |r: &rusqlite::Row<'_>| -> rusqlite::Result<(ClaimState, Option<i64>)> {
            let ack_at: Option<String> = r.get(11)?;
            let ack_status: Option<ClaimStatus> = r.get(12)?;
            let ack_detail: Option<String> = r.get(13)?;
            Ok((
                ClaimState {
                    claim_id: r.get(0)?,
                    payer_id: r.get(1)?,
                    status: r.get(2)?,
                    total_charge: dec(r.get(3)?),
                    frequency: r.get(4)?,
                    payer_claim_id: r.get(5)?,
                    sent_at: r.get(6)?,
                    file: r.get(7)?,
                    control: (r.get(8)?, r.get(9)?, r.get(10)?),
                    ack: match (ack_at, ack_status) {
                        (Some(at), Some(s)) => Some((at, s, ack_detail.unwrap_or_default())),
                        _ => None,
                    },
                    accepted_at: r.get(14)?,
                    rejection: r.get::<_, Option<String>>(16)?.map(|s| {
                        let (at, said) = s.split_once('\u{1f}').unwrap_or(("", &s));
                        (at.to_string(), said.to_string(), false)
                    }),
                    confirmed_by_277: r.get(18)?,
                    answered_since: r.get(19)?,
                    payment: None,
                    unanswered_lines: Vec::new(),
                },
                r.get(15)?,
            ))
        };
        let read = |r: &rusqlite::Row<'_>| {
            let (mut state, payment) = read(r)?;
            let by_set: bool = r.get(17)?;
            if let Some(rej) = state.rejection.as_mut() {
                rej.2 = by_set;
            }
            Ok((state, payment))
        };
        let mut found = Vec::new();
        match which {
            Which::Ids(ids) => {
                for id in ids {
                    let rows = st.query_map([id], read).map_err(self.sq())?;
                    for row in rows {
                        found.push(row.map_err(self.sq())?);
                    }
                }
            }
            Which::Open => {
                let rows = st.query_map([], read).map_err(self.sq())?;
                for row in rows {
                    found.push(row.map_err(self.sq())?);
                }
            }
        }
        let mut out = Vec::with_capacity(found.len());
        for (mut state, payment) in found {
            if let Some(id) = payment {
                state.payment = self.payment_state(id)?;
            }
            if state.status == ClaimStatus::Partial {
                state.unanswered_lines = self.unanswered(&state.claim_id, &state.payer_id)?;
            }
            out.push(state);
        }
        Ok(out)
    }

    /// The sent lines (1-based positions) of a claim no live payment
    /// answered, from its line ids as sent (`claim_patients`, schema 10).
    fn unanswered(&self, claim_id: &str, payer_id: &str) -> Result<Vec<usize>, Error> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT cp.line_ids FROM claims c JOIN claim_patients cp
                   ON cp.claim_id = c.claim_id AND cp.payer_id = c.payer_id
                  AND cp.submission_id = c.submission_id
                 WHERE c.claim_id = ?1 AND c.payer_id = ?2",
            )
            .map_err(self.sq())?;
        let ids: Option<Option<String>> = st
            .query_row(params![claim_id, payer_id], |r| r.get(0))
            .optional()
            .map_err(self.sq())?;
        let Some(Some(ids)) = ids.filter(|i| i.as_ref().is_some_and(|t| !t.is_empty())) else {
            return Ok(Vec::new());
        };
        let sent: Vec<String> = ids.split(';').map(str::to_string).collect();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT lines FROM claim_payments
                 WHERE claim_id = ?1 AND payer_id = ?2 AND matched = 1 AND reversed_by IS NULL
                   AND status NOT IN ('reversed', 'unmatched')",
            )
            .map_err(self.sq())?;
        let answered = st
            .query_map(params![claim_id, payer_id], |r| r.get::<_, Option<String>>(0))
            .map_err(self.sq())?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.sq())?;
        if answered.is_empty() {
            return Ok(Vec::new());
        }
        Ok(super::unanswered_lines(&sent, &answered).into_iter().map(|(n, _)| n).collect())
    }

    fn payment_state(&self, id: i64) -> Result<Option<PaymentState>, Error> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT p.status, p.billed, p.paid, p.denied, p.adjustments, r.applied_at, r.trace,
                        p.reversed_by IS NOT NULL
                 FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id WHERE p.id = ?1",
            )
            .map_err(self.sq())?;
        st.query_row([id], |r| {
            Ok(PaymentState {
                status: r.get(0)?,
                billed: dec(r.get(1)?),
                paid: dec(r.get(2)?),
                denied: r.get::<_, Option<String>>(3)?.and_then(|s| s.parse().ok()),
                adjustments: r.get(4)?,
                applied_at: r.get(5)?,
                trace: r.get(6)?,
                reversed: r.get(7)?,
            })
        })
        .optional()
        .map_err(self.sq())
    }
}
