//! The detail of a remittance's claim payments: answered service lines
//! summed by payer and procedure, and denying adjustments with their reason.
//! It decides nothing about money (`reconcile` does).

use rusqlite::Connection;
use rust_decimal::Decimal;

use crate::ledger::bind::Binds;
use crate::Text;

/// One service line of a claim payment to post.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinePosting {
    /// The procedure code as submitted (SVC06 when the payer changed it,
    /// else SVC01), without modifiers.
    pub procedure: Text,
    /// SVC02.
    pub billed: Decimal,
    /// SVC03.
    pub paid: Decimal,
}

/// One adjustment counted in a payment's `denied` amount.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DenialPosting {
    /// 0 for a claim-level adjustment, else the line's number (1 = first).
    pub line_no: u32,
    /// CAS01.
    pub group_code: Text,
    /// CAS02.
    pub carc: Text,
    /// The amount.
    pub amount: Decimal,
}

/// Statements inserting the detail of claim payments and remittances.
pub(crate) struct DetailInserts<'t> {
    procedure: Binds<'t>,
    denial: Binds<'t>,
}

/// The service lines of one remittance's matched claim payments summed
/// by the claim's payer and the procedure code: lines, billed, paid.
/// Reconcile sums them while it builds the postings (on its reading
/// threads), so the posting thread only inserts them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcedureSums {
    sums: std::collections::BTreeMap<(Text, Text), (i64, Decimal, Decimal)>,
}

impl ProcedureSums {
    /// Adds the lines of a matched claim payment of claim payer `payer`:
    /// each line counts 1, or -1 in a reversal.
    pub fn add(&mut self, payer: &Text, lines: &[LinePosting], reversal: bool) {
        for l in lines {
            let e = self.sums.entry((payer.clone(), l.procedure.clone())).or_default();
            e.0 += if reversal { -1 } else { 1 };
            e.1 += l.billed;
            e.2 += l.paid;
        }
    }
}

impl<'t> DetailInserts<'t> {
    /// Prepares the statements on `tx`.
    pub(crate) fn new(tx: &'t Connection) -> rusqlite::Result<DetailInserts<'t>> {
        Ok(DetailInserts {
            procedure: Binds::new(tx.prepare_cached(
                "INSERT INTO remittance_procedures (remittance_id, payer_id, procedure, lines, billed, paid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?),
            denial: Binds::new(tx.prepare_cached(
                "INSERT INTO payment_denials (payment_id, line_no, group_code, carc, amount)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?),
        })
    }

    /// Inserts the denials of claim payment `payment_id`.
    pub(crate) fn insert_denials(
        &mut self,
        payment_id: i64,
        denials: &[DenialPosting],
    ) -> rusqlite::Result<()> {
        for d in denials {
            let st = &mut self.denial;
            st.int(1, payment_id)?;
            st.int(2, i64::from(d.line_no))?;
            st.text(3, d.group_code.as_str())?;
            st.text(4, d.carc.as_str())?;
            st.amount(5, d.amount)?;
            st.execute()?;
        }
        Ok(())
    }

    /// Inserts the procedure sums of remittance `remittance_id`.
    pub(crate) fn insert_procedures(
        &mut self,
        remittance_id: i64,
        sums: &ProcedureSums,
    ) -> rusqlite::Result<()> {
        let st = &mut self.procedure;
        for ((payer, procedure), (lines, billed, paid)) in &sums.sums {
            st.int(1, remittance_id)?;
            st.text(2, payer.as_str())?;
            st.text(3, procedure.as_str())?;
            st.int(4, *lines)?;
            st.amount(5, *billed)?;
            st.amount(6, *paid)?;
            st.execute()?;
        }
        Ok(())
    }
}
