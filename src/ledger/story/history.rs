//! A claim's whole story in order ([`Ledger::history`]): its sends,
//! acknowledgments, payments and reversals as [`Event`]s. This module only
//! reads.

use rusqlite::params;

use super::dec;
use crate::ledger::{Error, Ledger};

/// One event of a claim's story.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    /// When (ISO 8601, the clock of the run that recorded it).
    pub at: String,
    /// `build`, `ack` or `remittance` (`history` for other recorded statuses).
    pub source: &'static str,
    /// The claim's status as this event gave it.
    pub status: String,
    /// What happened, with control numbers, codes and amounts.
    pub detail: String,
    /// Order among events at the same time.
    #[serde(skip)]
    order: (u8, i64),
}

impl Ledger {
    /// Every event of claim `claim_id` of `payer_id`, oldest first: its
    /// sends (file and control numbers), acknowledgments (with their
    /// codes), payments (with amounts and adjustments) and reversals. At the
    /// same moment a send comes before an acknowledgment, and that before a
    /// payment.
    pub fn history(&self, claim_id: &str, payer_id: &str) -> Result<Vec<Event>, Error> {
        let mut events = Vec::new();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT h.id, h.at, h.status, h.detail, h.frequency, h.total_charge, h.st02,
                        s.file, s.isa13, s.gs06,
                        EXISTS (SELECT 1 FROM cob_claims c
                                WHERE c.claim_id = h.claim_id AND c.payer_id = h.payer_id)
                 FROM claim_history h LEFT JOIN submissions s ON s.id = h.submission_id
                 WHERE h.claim_id = ?1 AND h.payer_id = ?2 AND (s.id IS NULL OR s.state = 'complete')",
            )
            .map_err(self.sq())?;
        let rows = st
            .query_map(params![claim_id, payer_id], |r| {
                let id: i64 = r.get(0)?;
                let status: String = r.get(2)?;
                let detail: Option<String> = r.get(3)?;
                let file: Option<String> = r.get(7)?;
                let (source, text) = match file {
                    Some(file) => {
                        let mut text = format!(
                            "{status} in {file} (ISA13 {}, GS06 {}, ST02 {}), frequency {}, charge {}",
                            r.get::<_, String>(8)?,
                            r.get::<_, String>(9)?,
                            r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                            r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                            crate::numtext::money(dec(r.get(5)?)),
                        );
                        if let Some(d) = detail {
                            text.push_str("; ");
                            text.push_str(&d);
                        }
                        // A COB claim to the secondary payer is sent by
                        // `secondary`; every other send by `build`.
                        let cob: bool = r.get(10)?;
                        (if cob { "secondary" } else { "build" }, text)
                    }
                    None => ("history", detail.unwrap_or_default()),
                };
                Ok(Event { at: r.get(1)?, source, status, detail: text, order: (0, id) })
            })
            .map_err(self.sq())?;
        for e in rows {
            events.push(e.map_err(self.sq())?);
        }
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT a.id, k.received_at, a.status, k.kind || ' ' || a.detail
                 FROM claim_acks a JOIN acknowledgments k ON k.id = a.ack_id
                 WHERE a.claim_id = ?1 AND a.payer_id = ?2",
            )
            .map_err(self.sq())?;
        let rows = st
            .query_map(params![claim_id, payer_id], |r| {
                Ok(Event {
                    at: r.get(1)?,
                    source: "ack",
                    status: r.get(2)?,
                    detail: r.get(3)?,
                    order: (1, r.get(0)?),
                })
            })
            .map_err(self.sq())?;
        for e in rows {
            events.push(e.map_err(self.sq())?);
        }
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT p.id, r.applied_at, p.status, r.trace, p.billed, p.paid,
                        p.patient_responsibility, p.adjustments,
                        (SELECT rr.trace FROM claim_payments pr
                         JOIN remittances rr ON rr.id = pr.remittance_id WHERE pr.id = p.reverses),
                        (SELECT rb.trace FROM claim_payments pb
                         JOIN remittances rb ON rb.id = pb.remittance_id WHERE pb.id = p.reversed_by)
                 FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id
                 WHERE p.claim_id = ?1 AND p.payer_id = ?2 AND p.matched = 1",
            )
            .map_err(self.sq())?;
        let rows = st
            .query_map(params![claim_id, payer_id], |r| {
                let money =
                    |i| -> rusqlite::Result<String> { Ok(crate::numtext::money(dec(r.get(i)?))) };
                // Payments are named by their check or EFT trace number
                // (TRN02), the number on the payer's paper, never by a row id.
                let mut detail = format!(
                    "835 payment, check/EFT trace {}: billed {}, paid {}, patient responsibility {}",
                    r.get::<_, String>(3)?,
                    money(4)?,
                    money(5)?,
                    money(6)?
                );
                let adjustments: String = r.get(7)?;
                if !adjustments.is_empty() {
                    detail.push_str(&format!(", adjustments {adjustments}"));
                }
                if let Some(undoes) = r.get::<_, Option<String>>(8)? {
                    detail.push_str(&format!("; takes back the payment of trace {undoes}"));
                }
                if let Some(by) = r.get::<_, Option<String>>(9)? {
                    detail.push_str(&format!("; taken back by the reversal in trace {by}"));
                }
                Ok(Event {
                    at: r.get(1)?,
                    source: "remittance",
                    status: r.get(2)?,
                    detail,
                    order: (2, r.get(0)?),
                })
            })
            .map_err(self.sq())?;
        for e in rows {
            events.push(e.map_err(self.sq())?);
        }
        events.sort_by(|a, b| a.at.cmp(&b.at).then(a.order.cmp(&b.order)));
        Ok(events)
    }
}
