//! Acknowledgments in the ledger (schema version 7): each TA1, 999 set
//! response and 277CA claim status read by `ack`, the claims it speaks of,
//! and where each claim sits in its 837 set (recorded by `build`, so a 999
//! error finds its claim without the 837 file).
//!
//! An acknowledgment is recorded once, keyed by a fingerprint of its
//! content (not of its file or envelope): the same acknowledgment again
//! records nothing. Each claim it speaks of gets a `claim_acks` row (its
//! event in the claim's story, listed by the `claim_events` view) and,
//! when it answers the claim's current submission and no remittance has
//! answered the claim yet, sets the claim's status (`accepted` or
//! `rejected`). A 999 or TA1 acceptance never overrides what a 277CA said,
//! and the 277CA status dates (version 11) order a claim's 277CA events: one
//! dated before a recorded one does not change the status.
//! Recording them is `post`. This module does not read X12 or match
//! anything (that is `ack`).

use rusqlite::{params, OptionalExtension};

mod post;

pub use post::{AckPosting, AckSummary, ClaimAck};

use super::{Error, Ledger};
use crate::claim::ClaimStatus;

/// Schema version 7: acknowledgments, the claims they speak of, claim
/// spans on the build events, and acknowledgments in `claim_events`.
pub(crate) const MIGRATION_V7: &str = r#"
CREATE TABLE acknowledgments (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,       -- 'TA1', '999' or '277CA'
    fingerprint   TEXT NOT NULL UNIQUE, -- sha256 of its content: the same acknowledgment is recorded once
    file          TEXT NOT NULL,       -- the acknowledgment file as named
    file_sha256   TEXT NOT NULL,
    isa13         TEXT NOT NULL,       -- the acknowledgment's own envelope
    gs06          TEXT NOT NULL,
    st02          TEXT NOT NULL,
    submission_id INTEGER REFERENCES submissions (id), -- the 837 file it answers, when known
    reference     TEXT NOT NULL,       -- what it answers: 'ISA13 000000001', 'GS06 1 ST02 0001', 'claim D1002'
    outcome       TEXT NOT NULL,       -- accepted, accepted_with_errors, rejected
    codes         TEXT NOT NULL,       -- TA104/TA105, IK5 and IK3/IK4 errors, STC composites
    received_at   TEXT NOT NULL        -- the run's --now
);

CREATE TABLE claim_acks (
    id             INTEGER PRIMARY KEY,
    ack_id         INTEGER NOT NULL REFERENCES acknowledgments (id),
    claim_id       TEXT NOT NULL,
    payer_id       TEXT NOT NULL,
    submission_id  INTEGER NOT NULL REFERENCES submissions (id),
    status         TEXT NOT NULL,      -- accepted, rejected, or sent (a TA1 that accepted the interchange)
    detail         TEXT NOT NULL,      -- what the acknowledgment says of this claim, with its codes
    payer_claim_id TEXT,               -- 277CA REF*1K
    trace          TEXT                -- 277CA REF*D9 (the clearinghouse's trace number)
);
CREATE INDEX claim_acks_claim ON claim_acks (claim_id, payer_id);

-- Where each claim sits in its 837 set (positions counted from the ST = 1),
-- for mapping 999 IK3 errors to claims. NULL on rows written before version 7.
ALTER TABLE claim_history ADD COLUMN clm_first INTEGER;  -- the CLM segment
ALTER TABLE claim_history ADD COLUMN clm_last INTEGER;   -- the claim's last segment
ALTER TABLE claim_history ADD COLUMN hl_levels TEXT;     -- HL segments above it, top first: '3,32,36'

DROP VIEW claim_events;
CREATE VIEW claim_events AS
SELECT h.claim_id, h.payer_id, h.status, h.at, h.detail,
       h.submission_id, NULL AS payment_id, 'history' AS source, h.id AS seq
FROM claim_history h
UNION ALL
SELECT p.claim_id, p.payer_id, p.status, r.applied_at,
       'trace ' || r.trace || ' paid ' || p.paid
       || CASE WHEN p.reverses IS NULL THEN '' ELSE '; undoes payment #' || p.reverses END,
       NULL, p.id, 'payment', p.id
FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id
WHERE p.matched = 1
UNION ALL
SELECT a.claim_id, a.payer_id, a.status, k.received_at,
       k.kind || ' ' || a.detail, a.submission_id, NULL, 'ack', a.id
FROM claim_acks a JOIN acknowledgments k ON k.id = a.ack_id;
"#;

/// Schema version 11: the 277CA status date of each claim event (STC02),
/// which orders a claim's 277CA events, and whether a rejection came only
/// with the claim's set or interchange (a TA1 or 999 rejection naming no
/// error inside the claim): such a claim is sent again as it is.
pub(crate) const MIGRATION_V11: &str = r#"
ALTER TABLE claim_acks ADD COLUMN status_date TEXT;  -- 277CA STC02 (CCYYMMDD); NULL for TA1 and 999
ALTER TABLE claim_acks ADD COLUMN by_set INTEGER NOT NULL DEFAULT 0; -- 1: rejected with its set or interchange, no error of its own
UPDATE claim_acks SET status_date = substr(detail, instr(detail, 'status date ') + 12, 8)
WHERE instr(detail, 'status date ') > 0;
"#;

/// Where a claim sits in its 837 set, positions counted from the ST = 1.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// The CLM segment.
    pub first: u32,
    /// The claim's last segment.
    pub last: u32,
    /// The HL segments above the claim, top level first.
    pub levels: Vec<u32>,
}

impl Span {
    /// Appends the `hl_levels` column of the claim's build event: the
    /// levels joined by ',' (read back by `from_columns`).
    pub(crate) fn push_levels(&self, out: &mut String) {
        use std::fmt::Write as _;
        for (i, l) in self.levels.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{l}");
        }
    }

    fn from_columns(first: Option<i64>, last: Option<i64>, levels: Option<String>) -> Option<Span> {
        let first = u32::try_from(first?).ok()?;
        let last = u32::try_from(last?).ok()?;
        let levels =
            levels.unwrap_or_default().split(',').filter_map(|p| p.trim().parse().ok()).collect();
        Some(Span { first, last, levels })
    }
}

/// A complete submission, found by one of its control numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    /// `submissions.id`.
    pub id: i64,
    /// The 837 file as written.
    pub file: String,
    /// ISA13.
    pub isa13: String,
    /// GS06.
    pub gs06: String,
    /// The file's ST02 values.
    pub st02: Vec<String>,
    /// When it was written (the run's clock, ISO 8601).
    pub created_at: String,
}

/// One claim of a submission, as sent in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmittedClaim {
    /// CLM01.
    pub claim_id: String,
    /// Payer id.
    pub payer_id: String,
    /// ST02 of its set.
    pub st02: String,
    /// Where it sits in the set (None for claims sent before version 7).
    pub span: Option<Span>,
}

/// A claim as the ledger holds it now, for matching a claim acknowledgment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentClaim {
    /// CLM01 as sent (the acknowledgment may spell it in another case).
    pub claim_id: String,
    /// Payer id.
    pub payer_id: String,
    /// Its current submission.
    pub submission_id: i64,
    /// Current status.
    pub status: ClaimStatus,
}

/// The front-end rejection a claim's current submission got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// When it was recorded (ISO 8601).
    pub at: String,
    /// What it said (`277CA claim rejected by ... (A7:164:IL ...)`).
    pub said: String,
    /// True when every rejection of the current submission came only with
    /// its set or interchange (see [`ClaimAck::by_set`]).
    pub by_set: bool,
}

impl Ledger {
    /// The complete submission whose ISA13 is `isa13` (compared as numbers:
    /// `1` finds `000000001`).
    pub fn submission_by_isa13(&self, isa13: &str) -> Result<Option<Submission>, Error> {
        let Ok(n) = isa13.trim().parse::<u64>() else { return Ok(None) };
        self.submission_where("CAST(isa13 AS INTEGER) = ?1", n)
    }

    /// The complete submission whose GS06 is `gs06` (compared as numbers).
    pub fn submission_by_gs06(&self, gs06: &str) -> Result<Option<Submission>, Error> {
        let Ok(n) = gs06.trim().parse::<u64>() else { return Ok(None) };
        self.submission_where("CAST(gs06 AS INTEGER) = ?1", n)
    }

    /// The complete submission with `submissions.id` = `id`.
    pub fn submission_by_id(&self, id: i64) -> Result<Option<Submission>, Error> {
        self.submission_where("id = ?1", id as u64)
    }

    fn submission_where(&self, cond: &str, n: u64) -> Result<Option<Submission>, Error> {
        let sql = format!(
            "SELECT id, file, isa13, gs06, st02, created_at FROM submissions
             WHERE state = 'complete' AND {cond} ORDER BY id DESC LIMIT 1"
        );
        let mut st = self.conn.prepare_cached(&sql).map_err(self.sq())?;
        st.query_row([n as i64], |r| {
            Ok(Submission {
                id: r.get(0)?,
                file: r.get(1)?,
                isa13: r.get(2)?,
                gs06: r.get(3)?,
                st02: r.get::<_, String>(4)?.split(',').map(str::to_string).collect(),
                created_at: r.get(5)?,
            })
        })
        .optional()
        .map_err(self.sq())
    }

    /// The claims sent in submission `id` (in set `st02` only, when given),
    /// in the order they were recorded.
    pub fn submitted_claims(
        &self,
        id: i64,
        st02: Option<&str>,
    ) -> Result<Vec<SubmittedClaim>, Error> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT claim_id, payer_id, st02, clm_first, clm_last, hl_levels
                 FROM claim_history WHERE submission_id = ?1 AND (?2 IS NULL OR st02 = ?2)
                 ORDER BY id",
            )
            .map_err(self.sq())?;
        let rows = st
            .query_map(params![id, st02], |r| {
                Ok(SubmittedClaim {
                    claim_id: r.get(0)?,
                    payer_id: r.get(1)?,
                    st02: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    span: Span::from_columns(r.get(3)?, r.get(4)?, r.get(5)?),
                })
            })
            .map_err(self.sq())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.sq())
    }

    /// Every payer the ledger has claim `claim_id` for, with its current
    /// submission and status. The id is trimmed and, when no claim has it
    /// exactly, compared without regard to case (as reconcile matches CLP01).
    pub fn current_claims(&self, claim_id: &str) -> Result<Vec<CurrentClaim>, Error> {
        let read = |r: &rusqlite::Row<'_>| {
            Ok(CurrentClaim {
                claim_id: r.get(0)?,
                payer_id: r.get(1)?,
                submission_id: r.get(2)?,
                status: r.get(3)?,
            })
        };
        let id = claim_id.trim();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT claim_id, payer_id, submission_id, status FROM claims WHERE claim_id = ?1
                 ORDER BY payer_id",
            )
            .map_err(self.sq())?;
        let exact = st.query_map([id], read).map_err(self.sq())?.collect::<Result<Vec<_>, _>>();
        let exact = exact.map_err(self.sq())?;
        if !exact.is_empty() {
            return Ok(exact);
        }
        // Rare (a payer that changed the id's case): a scan of the claims.
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT claim_id, payer_id, submission_id, status FROM claims
                 WHERE upper(claim_id) = upper(?1) ORDER BY payer_id, claim_id",
            )
            .map_err(self.sq())?;
        let rows = st.query_map([id], read).map_err(self.sq())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.sq())
    }

    /// True when claim `claim_id` of `payer_id` was sent in submission `id`.
    pub fn was_sent_in(&self, id: i64, claim_id: &str, payer_id: &str) -> Result<bool, Error> {
        let mut st = self
            .conn
            .prepare_cached(
                // `+submission_id`: look the claim up by its own index; the
                // submission index would read every claim of the file.
                "SELECT EXISTS (SELECT 1 FROM claim_history
                 WHERE claim_id = ?1 AND payer_id = ?2 AND +submission_id = ?3)",
            )
            .map_err(self.sq())?;
        st.query_row(params![claim_id, payer_id, id], |r| r.get(0)).map_err(self.sq())
    }

    /// True when an acknowledgment with this fingerprint is recorded.
    pub fn is_acknowledged(&self, fingerprint: &str) -> Result<bool, Error> {
        let mut st = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM acknowledgments WHERE fingerprint = ?1)")
            .map_err(self.sq())?;
        st.query_row([fingerprint], |r| r.get(0)).map_err(self.sq())
    }

    /// The latest front-end rejection of claim `claim_id` of `payer_id`:
    /// when (ISO 8601) and what it said (`277CA A7:164:IL ...`), and whether
    /// its current submission was rejected only with its set or interchange.
    pub fn latest_rejection(
        &self,
        claim_id: &str,
        payer_id: &str,
    ) -> Result<Option<Rejection>, Error> {
        self.conn
            .query_row(
                "SELECT k.received_at, k.kind || ' ' || a.detail,
                    EXISTS (SELECT 1 FROM claim_acks o JOIN claims c
                        ON c.claim_id = o.claim_id AND c.payer_id = o.payer_id
                        AND c.submission_id = o.submission_id
                     WHERE o.claim_id = ?1 AND o.payer_id = ?2 AND o.status = 'rejected'
                       AND o.by_set = 1)
                    AND NOT EXISTS (SELECT 1 FROM claim_acks o JOIN claims c
                        ON c.claim_id = o.claim_id AND c.payer_id = o.payer_id
                        AND c.submission_id = o.submission_id
                     WHERE o.claim_id = ?1 AND o.payer_id = ?2 AND o.status = 'rejected'
                       AND o.by_set = 0)
                 FROM claim_acks a JOIN acknowledgments k ON k.id = a.ack_id
                 WHERE a.claim_id = ?1 AND a.payer_id = ?2 AND a.status = 'rejected'
                 ORDER BY a.id DESC LIMIT 1",
                params![claim_id, payer_id],
                |r| Ok(Rejection { at: r.get(0)?, said: r.get(1)?, by_set: r.get(2)? }),
            )
            .optional()
            .map_err(self.sq())
    }
}
