//! Segment stream -> [`Remittance`]: the 835 reader.
//!
//! One pass over a transaction set's segments with a small state machine
//! (header, 1000A payer, 1000B payee, 2000 header number, 2100 claim, 2110
//! line, trailer). Unknown or misplaced segments become warnings; values
//! that cannot be read (amounts, dates) become errors naming the segment and
//! element, and the reader goes on. It never panics and never gives up on a
//! set. It does not check balancing (see `balance`); [`BalanceReader`]
//! only hands each claim to `balance`'s per-claim checks once it is read.

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;

use super::{
    Adjustment, Amount, ClaimPayment, DateRef, Group, Party, Procedure, ProviderAdjustment,
    ProviderAdjustmentItem, Quantity, Reference, Remark, Remittance, ServicePayment, Text,
};
use crate::values::text as bytes_text;
use crate::values::{parse_date_bytes, parse_decimal_bytes};
use crate::x12::{self, Finding, TransactionKind};

mod fields;
mod segments;

use fields::{part_text, procedure, text, Fields};

/// Everything read from one file: its 835 sets and the envelope findings.
#[derive(Debug, Default)]
pub struct FileRemittances {
    /// One remittance per 835 transaction set, in file order.
    pub remittances: Vec<Remittance>,
    /// Envelope and read findings from the X12 scan (not per set).
    pub envelope_findings: Vec<Finding>,
    /// Transaction sets in the file that are not 835s.
    pub other_sets: usize,
}

/// Reads every 835 transaction set of one file (in parallel when there are
/// several), in file order. Never panics; problems are findings.
pub fn read_file(input: &[u8]) -> FileRemittances {
    let scan = x12::scan(input);
    let mut other_sets = 0;
    let mut jobs = Vec::new();
    for (ic, _, set) in scan.sets() {
        if set.kind == TransactionKind::Remittance835 {
            jobs.push((ic.control.clone(), set));
        } else {
            other_sets += 1;
        }
    }
    let remittances = jobs.par_iter().map(|(ctl, set)| read_set(input, set, ctl)).collect();
    FileRemittances { remittances, envelope_findings: scan.findings, other_sets }
}

/// Where the reader is in the 835's loop structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Header,
    Payer,
    Payee,
    HeaderNumber,
    Claim,
    Line,
    Trailer,
}

struct Reader {
    rem: Remittance,
    state: State,
    lx: Option<Text>,
    saw_bpr: bool,
    saw_trn: bool,
    /// Reused buffer for one CAS segment's adjustments.
    cas: Vec<Adjustment>,
    /// Keep only what `balance` and the findings need (see [`read_set_for_balance`]).
    balance_only: bool,
    /// Leave out what reconciling does not read (see [`read_set_for_reconcile`]).
    for_reconcile: bool,
    /// Leave CLP06 empty too.
    skip_filing_indicator: bool,
    /// Balance each claim when the next one starts (and at the end), and
    /// keep only the open one ([`BalanceReader`]) unless [`Streamed::keep`].
    streamed: Option<Streamed>,
}

/// What a [`BalanceReader`] keeps of the claims it has closed.
#[derive(Default)]
struct Streamed {
    /// Their balancing findings, in file order.
    findings: Vec<Finding>,
    /// The sum of their CLP04, in file order.
    paid: Decimal,
    /// Keep the claims once balanced ([`read_set_for_reconcile`]).
    keep: bool,
    /// How many of the kept claims are balanced.
    closed: usize,
}

/// Reads one 835 transaction set. `interchange_control` is the ISA13 it came in.
pub fn read_set(input: &[u8], set: &x12::TransactionSet, interchange_control: &str) -> Remittance {
    read(input, set, interchange_control, false)
}

/// Reads one 835 transaction set for reconciling: the same remittance and
/// findings as [`read_set`], except that what matching, classifying,
/// reporting and posting a payment never read is left out: a claim's NM1
/// names are kept only for a crossover carrier (NM1*TT, which
/// [`ClaimPayment::is_forwarded`] looks for), and then only NM101; CLP08,
/// CLP09 and CLP11 are empty, and so are the qualifier and description of
/// every SVC01 and SVC06 procedure (the code and modifiers are kept).
/// Without `filing_indicator` (which only a posting's fingerprint reads)
/// CLP06 is empty too.
///
/// Returns the remittance and what [`balance`](crate::edi835::balance)
/// finds in it: each claim is balanced as soon as it is read (while it is
/// in cache), and kept.
pub fn read_set_for_reconcile(
    input: &[u8],
    set: &x12::TransactionSet,
    interchange_control: &str,
    filing_indicator: bool,
) -> (Remittance, Vec<Finding>) {
    let mut r = Reader::new(set, interchange_control, false);
    r.for_reconcile = true;
    r.skip_filing_indicator = !filing_indicator;
    r.streamed = Some(Streamed { keep: true, ..Streamed::default() });
    read_segments(input, set, &mut r);
    r.close_streamed_claim();
    let streamed = r.streamed.take().unwrap_or_default();
    let rem = r.finish();
    let mut balance = streamed.findings;
    super::balance::payment_findings(&rem, streamed.paid, &mut balance);
    (rem, balance)
}

/// Reads one 835 transaction set for [`balance`](crate::edi835::balance) and
/// its findings only: the same findings and money as [`read_set`], but the
/// claims carry no NM1 names, no CLP06-CLP11 texts and no dates, and claims
/// and service lines no REF references (nor line ids), AMT amounts, QTY
/// quantities, LQ remarks or adjustment reason codes. No interchange
/// control number.
pub fn read_set_for_balance(input: &[u8], set: &x12::TransactionSet) -> Remittance {
    read(input, set, "", true)
}

/// Claims to make room for in `set`: one per 8 segments (a claim payment
/// with one service line is CLP, NM1, SVC, DTM, CAS and REF at least), so
/// the claims are seldom moved while the set is read.
fn claim_capacity(set: &x12::TransactionSet) -> usize {
    set.segment_count as usize / 8
}

fn read(
    input: &[u8],
    set: &x12::TransactionSet,
    interchange_control: &str,
    balance_only: bool,
) -> Remittance {
    read_with(input, set, Reader::new(set, interchange_control, balance_only))
}

/// Reads the segments of `set` with `r`.
fn read_with(input: &[u8], set: &x12::TransactionSet, mut r: Reader) -> Remittance {
    read_segments(input, set, &mut r);
    r.finish()
}

/// Feeds the segments of `set` to `r`.
fn read_segments(input: &[u8], set: &x12::TransactionSet, r: &mut Reader) {
    // One element table, refilled per segment (it is 512 bytes: building a
    // new one per segment showed up as copying in profiles).
    // Each segment's terminator and element separators are found in one
    // pass (`Segments::next_fields`), not a terminator search and a
    // second scan of the body.
    let mut fields = Fields::default();
    // The set is checked as UTF-8 once; its elements are then slices of
    // that text (a set that is not UTF-8 has each text element checked).
    fields.set_text(input.get(set.bytes.clone()).and_then(|b| std::str::from_utf8(b).ok()));
    let mut segments = set.segments(input);
    while let Some(item) = segments.next_fields(&mut fields) {
        match item {
            Ok(()) => r.segment(&fields),
            Err(e) => r.rem.findings.push(Finding::error(
                e.pos,
                "",
                "835-READ",
                format!("cannot read segment: {}", e.kind),
            )),
        }
    }
}

/// [`read_set_for_balance`] and [`balance`](crate::edi835::balance) fed one
/// segment at a time, for a caller that already reads the set (`validate`'s
/// schema walk): the same findings (segments that cannot be read are the
/// caller's to report). Each claim is balanced as soon as the next one
/// starts and then dropped, so a set's claims are never all held.
pub struct BalanceReader {
    r: Reader,
}

/// The findings of a [`BalanceReader`].
#[derive(Debug, Default)]
pub struct Balanced {
    /// What [`balance`](crate::edi835::balance) finds, in its order.
    pub balance: Vec<Finding>,
    /// What reading found ([`Remittance::findings`]).
    pub read: Vec<Finding>,
}

impl BalanceReader {
    /// A reader of the 835 set `set`.
    pub fn new(set: &x12::TransactionSet) -> BalanceReader {
        let mut r = Reader::new(set, "", true);
        r.streamed = Some(Streamed::default());
        r.rem.claims = Vec::with_capacity(1);
        BalanceReader { r }
    }

    /// Takes the set's next segment (ST to SE, in order), its elements
    /// located (`x12::schema::walk` hands them so).
    pub fn segment(&mut self, seg: &Fields<'_>) {
        self.r.segment(seg);
    }

    /// The set is over: the balancing findings and the reader's.
    pub fn finish(mut self) -> Balanced {
        self.r.close_streamed_claim();
        let streamed = self.r.streamed.take().unwrap_or_default();
        let rem = self.r.finish();
        let mut balance = streamed.findings;
        super::balance::payment_findings(&rem, streamed.paid, &mut balance);
        Balanced { balance, read: rem.findings }
    }
}

impl Reader {
    fn new(set: &x12::TransactionSet, interchange_control: &str, balance_only: bool) -> Reader {
        Reader {
            rem: Remittance {
                pos: set.pos,
                interchange_control: Text::new(interchange_control),
                st02_control: Text::new(&set.control),
                claims: Vec::with_capacity(claim_capacity(set)),
                ..Remittance::default()
            },
            state: State::Header,
            lx: None,
            saw_bpr: false,
            saw_trn: false,
            cas: Vec::new(),
            balance_only,
            for_reconcile: false,
            skip_filing_indicator: false,
            streamed: None,
        }
    }

    /// When claims are balanced as they are read: balances the claims read
    /// since the last call (the one just closed) and drops them, or keeps
    /// them ([`Streamed::keep`]).
    fn close_streamed_claim(&mut self) {
        if let Some(s) = self.streamed.as_mut() {
            for claim in self.rem.claims.get(s.closed..).unwrap_or_default() {
                super::balance::claim_findings(claim, &mut s.findings);
                s.paid += claim.clp04_paid;
            }
            if s.keep {
                s.closed = self.rem.claims.len();
            } else {
                self.rem.claims.clear();
            }
        }
    }

    /// The findings of what never came (BPR, TRN); the remittance.
    fn finish(mut self) -> Remittance {
        for (saw, rule, what) in [
            (self.saw_bpr, "835-BPR", "BPR (payment)"),
            (self.saw_trn, "835-TRN", "TRN (trace number)"),
        ] {
            if !saw {
                self.rem.findings.push(Finding::error(
                    self.rem.pos,
                    "ST",
                    rule,
                    format!("835 transaction set has no {what} segment"),
                ));
            }
        }
        self.rem
    }

    fn current_claim(&mut self) -> Option<&mut ClaimPayment> {
        self.rem.claims.last_mut()
    }

    fn current_line(&mut self) -> Option<&mut ServicePayment> {
        self.rem.claims.last_mut().and_then(|c| c.lines.last_mut())
    }

    fn current_party(&mut self) -> Option<&mut Party> {
        match self.state {
            State::Payer => Some(&mut self.rem.payer),
            State::Payee => Some(&mut self.rem.payee),
            _ => None,
        }
    }

    fn misplaced(&mut self, seg: &Fields<'_>) {
        let loop_name = match self.state {
            State::Header => "the header",
            State::Payer => "loop 1000A (payer)",
            State::Payee => "loop 1000B (payee)",
            State::HeaderNumber => "loop 2000 (header number)",
            State::Claim => "loop 2100 (claim payment)",
            State::Line => "loop 2110 (service payment)",
            State::Trailer => "the trailer (after PLB)",
        };
        self.warn(
            seg,
            "835-SEGMENT",
            format!("{} segment is not expected in {loop_name}; ignored", seg.id_str()),
        );
    }

    fn segment(&mut self, seg: &Fields<'_>) {
        // Matched as bytes: no text is made of the id of every segment.
        let id = seg.id;
        match id {
            b"ST" | b"SE" => {}
            b"BPR" => self.bpr(seg),
            b"TRN" => {
                self.saw_trn = true;
                self.rem.trace = super::Trace {
                    trn01_type: text(seg, 1),
                    trn02_number: text(seg, 2),
                    trn03_originator: text(seg, 3),
                    trn04_supplemental: text(seg, 4),
                };
            }
            b"CUR" | b"RDM" | b"TS3" | b"TS2" | b"PER" => {}
            b"N1" => {
                let p = Self::party(seg);
                match p.entity.as_str() {
                    "PR" => {
                        self.rem.payer = p;
                        self.state = State::Payer;
                    }
                    "PE" => {
                        self.rem.payee = p;
                        self.state = State::Payee;
                    }
                    _ if self.state == State::Header => {
                        // Some payers label the payer N1 oddly; the first one is the payer.
                        self.rem.payer = p;
                        self.state = State::Payer;
                    }
                    _ => self.misplaced(seg),
                }
            }
            b"N3" | b"N4" => {
                let values: Vec<Text> = (1..=seg.element_count()).map(|n| text(seg, n)).collect();
                let is_n3 = id == b"N3";
                match self.current_party() {
                    Some(p) if is_n3 => p.address = values,
                    Some(p) => p.city_state_zip = values,
                    None => self.misplaced(seg),
                }
            }
            b"REF" => self.reference_segment(seg),
            b"DTM" => self.dtm(seg),
            b"LX" => {
                self.lx = Some(text(seg, 1));
                self.state = State::HeaderNumber;
            }
            b"CLP" => self.clp(seg),
            b"CAS" => {
                let mut adj = std::mem::take(&mut self.cas);
                adj.clear();
                self.adjustments(seg, &mut adj);
                match self.state {
                    State::Claim => {
                        if let Some(c) = self.current_claim() {
                            c.adjustments.append(&mut adj)
                        }
                    }
                    State::Line => {
                        if let Some(l) = self.current_line() {
                            l.adjustments.append(&mut adj)
                        }
                    }
                    _ => self.misplaced(seg),
                }
                self.cas = adj;
            }
            b"NM1" => match self.state {
                // Names are not needed for balancing: `balance_only` skips them.
                State::Claim if self.balance_only => {}
                // Only the crossover carrier's entity code, for reconciling
                // (as `text` would read it: trimmed, exactly `TT`).
                State::Claim if self.for_reconcile && seg.get(1).trim_ascii() != b"TT" => {}
                State::Claim => {
                    let p = if self.for_reconcile {
                        Party { entity: text(seg, 1), ..Party::default() }
                    } else {
                        Self::party(seg)
                    };
                    if let Some(c) = self.current_claim() {
                        c.names.push(p)
                    }
                }
                _ => self.misplaced(seg),
            },
            b"MIA" | b"MOA" => {
                let values: Vec<Text> = (1..=seg.element_count()).map(|n| text(seg, n)).collect();
                let is_mia = id == b"MIA";
                match (self.state, self.current_claim()) {
                    (State::Claim, Some(c)) if is_mia => c.mia = Some(values),
                    (State::Claim, Some(c)) => c.moa = Some(values),
                    _ => self.misplaced(seg),
                }
            }
            b"AMT" => {
                let amount = self.money(seg, 2);
                // Balancing needs no amounts but the claim's and line's own.
                if self.balance_only && matches!(self.state, State::Claim | State::Line) {
                    return;
                }
                let a = Amount { qualifier: text(seg, 1), amount };
                match self.state {
                    State::Claim => {
                        if let Some(c) = self.current_claim() {
                            c.amounts.push(a)
                        }
                    }
                    State::Line => {
                        if let Some(l) = self.current_line() {
                            if a.qualifier == "B6" {
                                l.allowed = Some(a.amount);
                            }
                            l.amounts.push(a)
                        }
                    }
                    _ => self.misplaced(seg),
                }
            }
            b"QTY" => {
                let quantity = self.money(seg, 2);
                if self.balance_only && matches!(self.state, State::Claim | State::Line) {
                    return;
                }
                let q = Quantity { qualifier: text(seg, 1), quantity };
                match self.state {
                    State::Claim => {
                        if let Some(c) = self.current_claim() {
                            c.quantities.push(q)
                        }
                    }
                    State::Line => {
                        if let Some(l) = self.current_line() {
                            l.quantities.push(q)
                        }
                    }
                    _ => self.misplaced(seg),
                }
            }
            b"SVC" => self.svc(seg),
            b"LQ" => {
                let keep = !self.balance_only;
                match (self.state, self.current_line()) {
                    (State::Line, Some(l)) if keep => {
                        l.remarks.push(Remark { qualifier: text(seg, 1), code: text(seg, 2) })
                    }
                    (State::Line, Some(_)) => {}
                    _ => self.misplaced(seg),
                }
            }
            b"PLB" => self.plb(seg),
            _ => self.warn(
                seg,
                "835-SEGMENT",
                format!("{} segment is not part of an 835 (005010X221A1); ignored", seg.id_str()),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::{parse_date, parse_decimal};

    #[test]
    fn parses_x12_decimals() {
        assert_eq!(parse_decimal("12.50"), Some(Decimal::new(1250, 2)));
        assert_eq!(parse_decimal("-1.27"), Some(Decimal::new(-127, 2)));
        assert_eq!(parse_decimal(".5"), Some(Decimal::new(5, 1)));
        assert_eq!(parse_decimal("100"), Some(Decimal::new(100, 0)));
        assert_eq!(parse_decimal("7."), Some(Decimal::new(7, 0)));
        assert_eq!(parse_decimal(""), None);
        assert_eq!(parse_decimal("1,000"), None);
        assert_eq!(parse_decimal("1.2.3"), None);
        assert_eq!(parse_decimal("-"), None);
        assert_eq!(parse_decimal("."), None);
        assert_eq!(
            parse_decimal("999999999999999999"),
            Some(Decimal::new(999_999_999_999_999_999, 0))
        );
        assert_eq!(parse_decimal("9999999999999999999"), None, "19 digits");
        assert_eq!(parse_decimal("99999999999999999999999999999"), None);
    }

    #[test]
    fn parses_d8_dates() {
        assert_eq!(parse_date("20240131"), NaiveDate::from_ymd_opt(2024, 1, 31));
        assert_eq!(parse_date("20240231"), None);
        assert_eq!(parse_date("240131"), None);
    }
}
