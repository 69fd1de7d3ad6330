//! Reconciliation reports: `claims.csv`, `lines.csv`, `provider_adjustments.csv`,
//! `denials.csv` and `outstanding.csv`, written atomically (temp file in the
//! same folder, fsync, rename) with mode 0600.
//!
//! Columns are fixed and documented in `docs/reconcile.md`. Money is
//! written with two decimals (more only when the input had more), dates as
//! `YYYY-MM-DD`, code lists joined with `;`. Rows come in input order, so the
//! same input gives byte-identical files. This module decides nothing: the
//! rows are built by `reconcile`.

use crate::Text;
use std::io;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{ClaimResult, ClaimStatus, Figures};
use crate::edi835::Remittance;

/// One PLB adjustment pair, as reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlbRow {
    /// Index of the input file.
    pub file: usize,
    /// The payer's id.
    pub payer_id: Text,
    /// PLB01.
    pub provider_id: Text,
    /// PLB02.
    pub fiscal_date: Option<NaiveDate>,
    /// Reason code (`L6`, `WO`, `FB`, …).
    pub reason: Text,
    /// Reference (component 2).
    pub reference: Text,
    /// The sent claim the reference names (tied), else empty.
    pub claim_id: Text,
    /// The index of that sent claim.
    pub sent: Option<usize>,
    /// PLB amount (positive reduces the payment).
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub amount: Decimal,
    /// TRN02.
    pub check_trace: Text,
    /// BPR16.
    pub payment_date: Option<NaiveDate>,
}

/// The PLB rows of one remittance, not yet tied to a claim (see
/// [`Book::tie`](super::Book::tie)); `payer_id` is the paying payer's id.
pub fn plb_rows(file: usize, rem: &Remittance, payer_id: &Text) -> Vec<PlbRow> {
    let mut out = Vec::new();
    for p in &rem.provider_adjustments {
        for item in &p.items {
            out.push(PlbRow {
                file,
                payer_id: payer_id.clone(),
                provider_id: p.provider_id.clone(),
                fiscal_date: p.fiscal_date,
                reason: item.reason.clone(),
                reference: item.reference.clone(),
                claim_id: Text::default(),
                sent: None,
                amount: item.amount,
                check_trace: rem.trace.trn02_number.clone(),
                payment_date: rem.payment.bpr16_date,
            });
        }
    }
    out
}

/// A claim sent but not remitted (ledger mode).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct OutstandingRow {
    /// CLM01.
    pub(crate) claim_id: Text,
    /// Payer id.
    pub(crate) payer_id: Text,
    /// CLM02.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub(crate) billed: Decimal,
    /// What no live payment answered: the whole charge, or the charges of
    /// the lines not answered yet.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub(crate) outstanding: Decimal,
    /// When it was sent.
    pub(crate) sent_on: Option<NaiveDate>,
    /// Days from sending to `--now`.
    pub(crate) age_days: Option<i64>,
}

pub(crate) use crate::numtext::money;

fn date(d: Option<NaiveDate>) -> String {
    let mut s = String::with_capacity(10);
    push_date(&mut s, d);
    s
}

/// Appends `YYYY-MM-DD` (nothing for `None`).
fn push_date(out: &mut String, d: Option<NaiveDate>) {
    if let Some(d) = d {
        crate::numtext::push_iso_date(out, d);
    }
}

/// Fields of one CSV record appended straight to the output: text quoted
/// as [`push_field`] does, money and dates (never quoted: digits, `.`, `-`)
/// written in place, no copy of any value through a buffer of its own.
struct Record<'o> {
    out: &'o mut Vec<u8>,
    first: bool,
}

impl<'o> Record<'o> {
    fn new(out: &'o mut Vec<u8>) -> Record<'o> {
        Record { out, first: true }
    }
    fn sep(&mut self) {
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
    }
    fn text(&mut self, f: &str) {
        self.sep();
        push_field(self.out, f.as_bytes());
    }
    fn empty(&mut self) {
        self.sep();
    }
    fn money(&mut self, d: Decimal) {
        self.sep();
        crate::numtext::push_money_bytes(self.out, d);
    }
    fn figures(&mut self, f: &Figures) {
        for d in [
            f.billed,
            f.allowed,
            f.paid,
            f.patient_responsibility,
            f.contractual,
            f.denied,
            f.other_adjustments,
            f.variance,
        ] {
            self.money(d);
        }
    }
    /// Codes joined with `;`, quoted as one field when one of them must be.
    fn joined(&mut self, codes: &[Text]) {
        self.sep();
        let start = self.out.len();
        let mut quote = false;
        for (i, c) in codes.iter().enumerate() {
            if i > 0 {
                self.out.push(b';');
            }
            let c = c.as_bytes();
            quote |= needs_quotes(c);
            self.out.extend_from_slice(c);
        }
        if quote {
            // Rare: written again as one quoted field.
            self.out.truncate(start);
            push_field(self.out, codes.join(";").as_bytes());
        }
    }
    /// The date already written as text (or empty).
    fn date(&mut self, d: &[u8]) {
        self.sep();
        self.out.extend_from_slice(d);
    }
    /// Ends the record (every record here has several fields, so an empty
    /// one is never written `""`).
    fn end(self) {
        self.out.push(b'\n');
    }
}

/// Header of `claims.csv`.
const CLAIMS_HEADER: [&str; 17] = [
    "claim_id",
    "payer_id",
    "payer_claim_id",
    "status",
    "match_rule",
    "billed",
    "allowed",
    "paid",
    "patient_responsibility",
    "contractual",
    "denied",
    "other_adjustments",
    "variance",
    "carc_codes",
    "rarc_codes",
    "check_trace",
    "payment_date",
];

/// Header of `lines.csv`.
const LINES_HEADER: [&str; 19] = [
    "claim_id",
    "line_id",
    "procedure",
    "payer_id",
    "payer_claim_id",
    "status",
    "match_rule",
    "billed",
    "allowed",
    "paid",
    "patient_responsibility",
    "contractual",
    "denied",
    "other_adjustments",
    "variance",
    "carc_codes",
    "rarc_codes",
    "check_trace",
    "payment_date",
];

/// Header of `provider_adjustments.csv`.
const PLB_HEADER: [&str; 10] = [
    "payer_id",
    "provider_id",
    "fiscal_date",
    "reason",
    "reference",
    "claim_id",
    "amount",
    "payment_effect",
    "check_trace",
    "payment_date",
];

/// Header of `denials.csv`.
const DENIALS_HEADER: [&str; 14] = [
    "claim_id",
    "line_id",
    "procedure",
    "payer_id",
    "payer_claim_id",
    "billed",
    "paid",
    "denied_amount",
    "carc_codes",
    "rarc_codes",
    "category",
    "next_action",
    "check_trace",
    "payment_date",
];

/// Header of `outstanding.csv`.
const OUTSTANDING_HEADER: [&str; 6] =
    ["claim_id", "payer_id", "billed", "outstanding_amount", "sent_date", "age_days"];

/// The file names written into the output folder, in order.
const REPORT_FILES: [&str; 5] =
    ["claims.csv", "lines.csv", "provider_adjustments.csv", "denials.csv", "outstanding.csv"];

/// CSV rows written into memory, byte for byte as the `csv` crate's default
/// writer writes them: fields joined by `,`, a field quoted only when it
/// holds a comma, a quote, CR or LF (its quotes doubled), a record with one
/// empty field written `""`, each record ended by `\n`. The rows of a
/// million payments are written without the `csv` writer's per-field state
/// machine and buffer copy (a test compares the two on awkward fields).
struct CsvBuf(Vec<u8>);

impl CsvBuf {
    /// Appends one record.
    fn write_record<I, T>(&mut self, record: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        let start = self.0.len();
        let mut fields = 0;
        for f in record {
            if fields > 0 {
                self.0.push(b',');
            }
            push_field(&mut self.0, f.as_ref());
            fields += 1;
        }
        if fields == 1 && self.0.len() == start {
            self.0.extend_from_slice(b"\"\"");
        }
        self.0.push(b'\n');
    }
}

/// True when a CSV field must be quoted: it holds a comma, a quote, CR or LF.
#[inline]
fn needs_quotes(f: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // Eight bytes at a time: a byte of `x` is zero exactly where the high
    // bit of this is set.
    let zero = |x: u64| !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
    let mut words = f.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let w = u64::from_le_bytes(b);
        let hit = zero(w ^ LO.wrapping_mul(u64::from(b',')))
            | zero(w ^ LO.wrapping_mul(u64::from(b'"')))
            | zero(w ^ LO.wrapping_mul(u64::from(b'\r')))
            | zero(w ^ LO.wrapping_mul(u64::from(b'\n')));
        if hit != 0 {
            return true;
        }
    }
    words.remainder().iter().any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

/// Appends one CSV field, quoted when it must be.
fn push_field(out: &mut Vec<u8>, f: &[u8]) {
    if !needs_quotes(f) {
        out.extend_from_slice(f);
        return;
    }
    out.push(b'"');
    for &b in f {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

fn buf_writer() -> CsvBuf {
    buf_writer_with(0)
}

/// A CSV buffer sized up front: growing large buffers step by step costs
/// copies and allocator work on million-row runs.
fn buf_writer_with(capacity: usize) -> CsvBuf {
    CsvBuf(Vec::with_capacity(capacity))
}

fn into_bytes(w: CsvBuf) -> io::Result<Vec<u8>> {
    Ok(w.0)
}

/// The CSV rows (no header) of some results: `claims.csv`, `lines.csv` and
/// `denials.csv` parts. Pure and independent per batch, so callers format
/// transaction sets in parallel and append the parts in order.
#[derive(Debug, Default)]
pub struct Rows {
    /// `claims.csv` rows.
    pub claims: Vec<u8>,
    /// `lines.csv` rows.
    pub lines: Vec<u8>,
    /// `denials.csv` rows.
    pub denials: Vec<u8>,
    /// Number of denial rows.
    pub denial_rows: usize,
}

/// Formats `results` as rows of `claims.csv`, `lines.csv` and `denials.csv`
/// (whose reason codes carry their text when `reasons` has it).
pub fn format_rows(
    results: &[ClaimResult],
    reasons: &crate::codeset::ReasonTexts,
) -> io::Result<Rows> {
    let lines: usize = results.iter().map(|r| r.lines.len()).sum();
    let mut c = buf_writer_with(results.len() * 160);
    let mut l = buf_writer_with(lines * 170);
    let mut d = buf_writer_with(results.len() * 20);
    let mut denial_rows = 0;
    // The payment date as text, written once per claim payment.
    let mut date = Vec::with_capacity(10);
    for r in results {
        date.clear();
        if let Some(d) = r.payment_date {
            crate::numtext::push_iso_date_bytes(&mut date, d);
        }
        let mut rec = Record::new(&mut c.0);
        rec.text(&r.claim_id);
        rec.text(&r.payer_id);
        rec.text(&r.payer_claim_id);
        rec.sep();
        if r.forwarded {
            let words = r.status_words();
            push_field(rec.out, words.as_bytes());
        } else {
            push_field(rec.out, r.status.as_str().as_bytes());
        }
        rec.text(r.rule.words());
        rec.figures(&r.figures);
        rec.joined(&r.carc);
        rec.joined(&r.rarc);
        rec.text(&r.check_trace);
        rec.date(&date);
        rec.end();
        for line in &r.lines {
            let mut rec = Record::new(&mut l.0);
            rec.text(&r.claim_id);
            rec.text(&line.line_id);
            rec.text(&line.procedure);
            rec.text(&r.payer_id);
            rec.text(&r.payer_claim_id);
            rec.text(line.status.as_str());
            rec.text(line.rule.words());
            if line.status == ClaimStatus::NotAdjudicated {
                // Only the charge sent: no payment says anything of the rest.
                rec.money(line.figures.billed);
                for _ in 1..8 {
                    rec.empty();
                }
            } else {
                rec.figures(&line.figures);
            }
            rec.joined(&line.carc);
            rec.joined(&line.rarc);
            rec.text(&r.check_trace);
            rec.date(&date);
            rec.end();
        }
        let date = std::str::from_utf8(&date).unwrap_or_default();
        // A denied claim is one row (its lines are not listed); a partial
        // claim lists its claim-level reductions, then each line's.
        if let Some(den) = &r.denial {
            denial_rows += 1;
            d.write_record([
                r.claim_id.as_str(),
                "",
                "",
                &r.payer_id,
                &r.payer_claim_id,
                &money(r.figures.billed),
                &money(r.figures.paid),
                &money(den.amount),
                &reasons.carcs(&den.carc, ";"),
                &if reasons.is_empty() { r.rarc.join(";") } else { reasons.rarcs(&r.rarc, ";") },
                den.category.words(),
                den.action.words(),
                &r.check_trace,
                date,
            ]);
        }
        if r.status == ClaimStatus::Partial {
            for line in &r.lines {
                if let Some(den) = &line.denial {
                    denial_rows += 1;
                    d.write_record([
                        r.claim_id.as_str(),
                        &line.line_id,
                        &line.procedure,
                        &r.payer_id,
                        &r.payer_claim_id,
                        &money(line.figures.billed),
                        &money(line.figures.paid),
                        &money(den.amount),
                        &reasons.carcs(&den.carc, ";"),
                        &reasons.rarcs(&line.rarc, ";"),
                        den.category.words(),
                        den.action.words(),
                        &r.check_trace,
                        date,
                    ]);
                }
            }
        }
    }
    Ok(Rows { claims: into_bytes(c)?, lines: into_bytes(l)?, denials: into_bytes(d)?, denial_rows })
}

mod writer;

pub(crate) use writer::ReportWriter;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_written_as_the_csv_crate_writes_them() {
        let records: Vec<Vec<&str>> = vec![
            vec!["C1", "", "plain", "99213:25", "100.00"],
            vec!["a,b", "say \"hi\"", "\"", "line\nbreak", "cr\rhere", "crlf\r\n"],
            vec!["", "", ""],
            vec![""],
            vec!["only"],
            vec!["ünïcode,", " spaced ", "#hash", "'quote'", "tab\there"],
        ];
        let mut ours = buf_writer();
        let mut theirs = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        for r in &records {
            ours.write_record(r);
            theirs.write_record(r).unwrap();
        }
        let theirs = theirs.into_inner().unwrap();
        assert_eq!(String::from_utf8_lossy(&ours.0), String::from_utf8_lossy(&theirs));
    }

    #[test]
    fn records_written_in_place_are_what_the_csv_crate_writes() {
        let codes: Vec<Text> = vec!["CO-45".into(), "PR,1".into(), "OA-\"23\"".into()];
        let plain: Vec<Text> = vec!["CO-45".into(), "PR-1".into()];
        let date = b"2026-03-05";
        for (id, codes) in [("C1", &plain), ("a,b", &codes), ("", &plain), ("x\ny", &Vec::new())] {
            let mut ours = Vec::new();
            let mut rec = Record::new(&mut ours);
            rec.text(id);
            rec.empty();
            rec.money(Decimal::new(-12_345, 2));
            rec.money(Decimal::ZERO);
            rec.joined(codes);
            rec.date(date);
            rec.end();
            let mut theirs = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
            let joined: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
            theirs
                .write_record([id, "", "-123.45", "0.00", &joined.join(";"), "2026-03-05"])
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs.into_inner().unwrap())
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn needs_quotes_finds_every_special_byte(v in proptest::collection::vec(
            proptest::sample::select(b"ab,\"\r\n \xc3\xa9".to_vec()), 0..40)) {
            let want = v.iter().any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
            proptest::prop_assert_eq!(needs_quotes(&v), want);
        }
    }

    #[test]
    fn writes_money_with_two_decimals() {
        assert_eq!(money(Decimal::new(100, 0)), "100.00");
        assert_eq!(money(Decimal::new(1005, 3)), "1.005");
        assert_eq!(date(NaiveDate::from_ymd_opt(2026, 3, 5)), "2026-03-05");
        assert_eq!(date(None), "");
    }
}
