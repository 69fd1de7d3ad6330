//! A claim's standing across payers: which payer's answer sets what the
//! patient owes, whether that amount can be billed to the patient yet, and
//! what the patient already paid at the visit, and which sent lines no
//! live payment answered yet (schema version 10).
//!
//! The payers answer in coordination-of-benefits order: the primary, then
//! the secondary (billed by `claimflow secondary`, named on the claim, or the
//! crossover payer the primary forwarded the claim to: CLP02 19-21).
//! The answer that counts is the last payer's in that order that has a live
//! payment (matched, not a reversal, not undone by one); the patient's share
//! is its patient responsibility (PR), less what the patient paid at the
//! visit (`patient_paid`, sent as 2300 `AMT*F5`), never below zero. While a
//! secondary is named or billed and has not answered, the share is not the
//! patient's to pay yet: it is `awaiting_secondary` and no statement bills it.
//!
//! [`standing`] is the one rule; the `patient_responsibility` view (schema
//! 14) states it in SQL for other readers of the ledger, and `report`,
//! `status` and `secondary` read balances through this function (the answers
//! it takes are read by `ledger::read::balances`). This module runs no SQL
//! and writes nothing; it holds the SQL of schema versions 10 and 14.

use rust_decimal::Decimal;

/// Schema version 10: what the patient paid at the visit, as sent.
pub(crate) const MIGRATION_V10: &str = r#"
-- patient_paid: 2300 AMT*F5 of the claim as sent (decimal text), '' when the
-- claim carried none; NULL on rows recorded before version 10 (the report
-- then reads the amount from the recorded 837).
ALTER TABLE claim_patients ADD COLUMN patient_paid TEXT;
-- line_ids: the claim's line ids as sent (REF*6R, else the line's position),
-- in order, ';'-joined: which lines a split claim still waits for.
ALTER TABLE claim_patients ADD COLUMN line_ids TEXT;

-- replaced_by: the later payment (not a reversal) that overturned this
-- denial on the same lines; such a row is no longer live (reversed_by is set
-- too) and its charge and denied money no longer count.
ALTER TABLE claim_payments ADD COLUMN replaced_by INTEGER REFERENCES claim_payments (id);

-- The COB claims the last `claimflow secondary` run could not build, with
-- why in billing words: the worklist lists them (rewritten by each run).
CREATE TABLE cob_held (
    claim_id           TEXT NOT NULL,   -- CLM01
    payer_id           TEXT NOT NULL,   -- the primary payer (the claim's ledger key)
    secondary_payer_id TEXT NOT NULL,
    reason             TEXT NOT NULL,
    at                 TEXT NOT NULL,   -- the secondary run's clock
    PRIMARY KEY (claim_id, payer_id, secondary_payer_id)
);
"#;

/// Schema version 14: the `patient_responsibility` view on the rule of
/// [`standing`]: a crossover (CLP02 19-21) waits for the crossover payer,
/// whose payments count as the secondary's; the amount is what the patient
/// owes after what they paid at the visit; `share` and `paid_at_visit`
/// beside it.
pub(crate) const MIGRATION_V14: &str = r#"
DROP VIEW patient_responsibility;
CREATE VIEW patient_responsibility AS
WITH live AS (
    SELECT p.id, p.claim_id, p.payer_id, p.clp02,
           CAST(ROUND(CAST(p.patient_responsibility AS REAL) * 100) AS INTEGER) AS cents
    FROM claim_payments p
    WHERE p.matched = 1 AND p.reversed_by IS NULL AND p.status NOT IN ('reversed', 'unmatched')
),
per_payer AS (
    SELECT claim_id, payer_id, SUM(cents) AS cents,
           MAX(TRIM(clp02) IN ('19', '20', '21')) AS forwarded
    FROM live GROUP BY claim_id, payer_id
),
-- The crossover payer of a claim: the first payer with a live payment on it
-- and no claim of its own (SQLite takes payer_id from the row of MIN(id)).
crossover AS (
    SELECT l.claim_id, l.payer_id, MIN(l.id) AS first_id
    FROM live l
    WHERE NOT EXISTS (SELECT 1 FROM claims x
                      WHERE x.claim_id = l.claim_id AND x.payer_id = l.payer_id)
    GROUP BY l.claim_id
),
chain AS (
    SELECT c.claim_id, c.payer_id AS primary_payer_id,
        COALESCE(
            (SELECT cc.payer_id FROM cob_claims cc
             WHERE cc.claim_id = c.claim_id AND cc.primary_payer_id = c.payer_id),
            (SELECT oc.other_payer_id FROM other_coverage oc
             WHERE oc.claim_id = c.claim_id AND oc.payer_id = c.payer_id
               AND oc.submission_id = c.submission_id LIMIT 1),
            x.payer_id) AS secondary_payer_id,
        COALESCE((SELECT CAST(ROUND(CAST(NULLIF(TRIM(cp.patient_paid), '') AS REAL) * 100)
                              AS INTEGER)
                  FROM claim_patients cp
                  WHERE cp.claim_id = c.claim_id AND cp.payer_id = c.payer_id
                    AND cp.submission_id = c.submission_id), 0) AS paid_cents
    FROM claims c
    LEFT JOIN crossover x ON x.claim_id = c.claim_id
    WHERE NOT EXISTS (SELECT 1 FROM cob_claims y
                      WHERE y.claim_id = c.claim_id AND y.payer_id = c.payer_id)
),
answer AS (
    SELECT ch.claim_id, ch.primary_payer_id, ch.secondary_payer_id,
           COALESCE(s.payer_id, p.payer_id) AS payer_id,
           COALESCE(s.cents, p.cents) AS cents,
           MAX(ch.paid_cents, 0) AS paid_cents,
           CASE WHEN s.payer_id IS NOT NULL THEN 'after_secondary'
                WHEN ch.secondary_payer_id IS NOT NULL OR p.forwarded = 1
                    THEN 'awaiting_secondary'
                ELSE 'final' END AS stage
    FROM chain ch
    JOIN per_payer p ON p.claim_id = ch.claim_id AND p.payer_id = ch.primary_payer_id
    LEFT JOIN per_payer s ON s.claim_id = ch.claim_id AND s.payer_id = ch.secondary_payer_id
),
owed AS (
    SELECT *, MAX(cents - paid_cents, 0) AS owed_cents FROM answer
)
SELECT claim_id, payer_id,
       printf('%d.%02d', owed_cents / 100, owed_cents % 100) AS amount,
       stage, primary_payer_id, secondary_payer_id,
       printf('%s%d.%02d', CASE WHEN cents < 0 THEN '-' ELSE '' END, abs(cents) / 100,
              abs(cents) % 100) AS share,
       printf('%d.%02d', paid_cents / 100, paid_cents % 100) AS paid_at_visit
FROM owed;
"#;

/// Where a claim's patient share stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// No other payer: the primary's answer is final.
    Final,
    /// A secondary is named or billed and has not answered yet.
    AwaitingSecondary,
    /// The secondary has answered.
    AfterSecondary,
}

impl Stage {
    /// The word in `patient_balances.csv` and the ledger's view.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Final => "final",
            Stage::AwaitingSecondary => "awaiting_secondary",
            Stage::AfterSecondary => "after_secondary",
        }
    }
}

/// What one payer's live payments of a claim add up to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PayerAnswer {
    /// How many live payments (0: the payer has not answered).
    pub payments: u32,
    /// Sum of CLP04.
    pub paid: Decimal,
    /// Sum of the PR adjustments.
    pub patient_responsibility: Decimal,
    /// Every adjustment, `GROUP-CARC amount` joined with `;`.
    pub adjustments: String,
    /// True when a live payment was processed and forwarded to another
    /// payer (CLP02 19, 20 or 21: a Medicare crossover): that payer answers
    /// next.
    pub forwarded: bool,
}

/// A claim's patient share after every payer that has answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The stage.
    pub stage: Stage,
    /// The patient responsibility of the answer that counts.
    pub share: Decimal,
    /// What the patient paid at the visit and is credited against `share`.
    pub paid_at_visit: Decimal,
    /// `share` less `paid_at_visit`, never below zero: what the patient owes.
    pub balance: Decimal,
}

impl Standing {
    /// True when the balance can go on a patient statement: above zero and
    /// no secondary still to answer.
    pub fn billable(&self) -> bool {
        self.balance > Decimal::ZERO && self.stage != Stage::AwaitingSecondary
    }
}

/// The standing of a claim from its primary's answer, its secondary's
/// answer (`None` when no secondary is named, billed or answering as the
/// crossover payer) and what the patient paid at the visit.
pub fn standing(
    primary: &PayerAnswer,
    secondary: Option<&PayerAnswer>,
    paid_at_visit: Decimal,
) -> Standing {
    let (stage, share) = match secondary {
        // Forwarded by the primary (crossover): the crossover payer answers
        // next, even when the claim named no secondary.
        None if primary.forwarded => (Stage::AwaitingSecondary, primary.patient_responsibility),
        None => (Stage::Final, primary.patient_responsibility),
        Some(s) if s.payments > 0 => (Stage::AfterSecondary, s.patient_responsibility),
        Some(_) => (Stage::AwaitingSecondary, primary.patient_responsibility),
    };
    let paid_at_visit = paid_at_visit.max(Decimal::ZERO);
    let balance = (share - paid_at_visit).max(Decimal::ZERO);
    Standing { stage, share, paid_at_visit, balance }
}

/// The sent lines no live payment answered: (1-based position, line id) of
/// each line of `sent` (line ids in order) that none of `answered` lists
/// (each the `;`-joined line ids of one live payment; `None`: it answered
/// every line). Empty when every line is answered.
pub fn unanswered_lines<'s>(
    sent: &'s [String],
    answered: &[Option<String>],
) -> Vec<(usize, &'s str)> {
    let mut ids: Vec<&str> = Vec::new();
    for a in answered {
        match a {
            None => return Vec::new(),
            Some(list) => ids.extend(list.split(';').map(str::trim)),
        }
    }
    sent.iter()
        .enumerate()
        .filter(|(_, l)| !ids.iter().any(|a| a.eq_ignore_ascii_case(l.trim())))
        .map(|(n, l)| (n + 1, l.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(payments: u32, paid: &str, pr: &str) -> PayerAnswer {
        PayerAnswer {
            payments,
            paid: paid.parse().unwrap(),
            patient_responsibility: pr.parse().unwrap(),
            adjustments: String::new(),
            forwarded: false,
        }
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_copay_paid_at_the_visit_is_credited() {
        let s = standing(&answer(1, "75", "25"), None, d("25"));
        assert_eq!((s.stage, s.share, s.balance), (Stage::Final, d("25"), d("0")));
        assert!(!s.billable());
        // Paid more than the share: nothing owed, never a negative balance.
        let s = standing(&answer(1, "90", "10"), None, d("25"));
        assert_eq!(s.balance, d("0"));
        let s = standing(&answer(1, "60", "40"), None, d("25"));
        assert_eq!(s.balance, d("15"));
        assert!(s.billable());
    }

    #[test]
    fn unanswered_lines_are_those_no_live_payment_lists() {
        let sent: Vec<String> = ["A1", "A2", "A3"].iter().map(|s| s.to_string()).collect();
        assert_eq!(unanswered_lines(&sent, &[Some("A1".into())]), [(2, "A2"), (3, "A3")]);
        assert_eq!(unanswered_lines(&sent, &[Some("a1;A3".into())]), [(2, "A2")]);
        assert!(unanswered_lines(&sent, &[Some("A1".into()), None]).is_empty());
        assert!(unanswered_lines(&sent, &[Some("A1;A2".into()), Some("A3".into())]).is_empty());
    }

    #[test]
    fn a_crossover_waits_for_the_crossover_payer() {
        let mut medicare = answer(1, "80", "20");
        medicare.forwarded = true;
        let s = standing(&medicare, None, d("0"));
        assert_eq!((s.stage, s.balance), (Stage::AwaitingSecondary, d("20")));
        assert!(!s.billable());
        let s = standing(&medicare, Some(&answer(1, "20", "0")), d("0"));
        assert_eq!((s.stage, s.balance), (Stage::AfterSecondary, d("0")));
    }

    #[test]
    fn a_share_awaiting_the_secondary_is_not_billable() {
        let s = standing(&answer(1, "80", "20"), Some(&PayerAnswer::default()), d("0"));
        assert_eq!((s.stage, s.balance), (Stage::AwaitingSecondary, d("20")));
        assert!(!s.billable());
        let s = standing(&answer(1, "80", "20"), Some(&answer(1, "15", "5")), d("0"));
        assert_eq!((s.stage, s.share, s.balance), (Stage::AfterSecondary, d("5"), d("5")));
        assert!(s.billable());
    }
}
