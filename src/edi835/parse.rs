//! Segment stream -> [`Remittance`]: the 835 reader.
//!
//! One pass over a transaction set's segments with a small state machine
//! (header, 1000A payer, 1000B payee, 2000 header number, 2100 claim, 2110
//! line, trailer). Unknown or misplaced segments become warnings; values
//! that cannot be read (amounts, dates) become errors naming the segment and
//! element, and the reader goes on. It never panics and never gives up on a
//! set. It does not check balancing (see `balance`).

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;

use super::{
    Adjustment, Amount, ClaimPayment, DateRef, Group, Party, Procedure, ProviderAdjustment,
    ProviderAdjustmentItem, Quantity, Reference, Remark, Remittance, ServicePayment, Text,
};
use crate::x12::{self, Finding, Position, Segment, TransactionKind};

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
}

/// Reads one 835 transaction set. `interchange_control` is the ISA13 it came in.
pub fn read_set(input: &[u8], set: &x12::TransactionSet, interchange_control: &str) -> Remittance {
    let mut r = Reader {
        rem: Remittance {
            pos: set.pos,
            interchange_control: Text::new(interchange_control),
            st02_control: Text::new(&set.control),
            ..Remittance::default()
        },
        state: State::Header,
        lx: None,
        saw_bpr: false,
        saw_trn: false,
    };
    // One element table, refilled per segment (it is 512 bytes: building a
    // new one per segment showed up as copying in profiles).
    let mut fields = Fields::default();
    for item in set.segments(input) {
        match item {
            Ok(seg) => {
                fields.load(&seg);
                r.segment(&fields);
            }
            Err(e) => r.rem.findings.push(Finding::error(
                e.pos,
                "",
                "835-READ",
                format!("cannot read segment: {}", e.kind),
            )),
        }
    }
    if !r.saw_bpr {
        r.rem.findings.push(Finding::error(
            set.pos,
            "ST",
            "835-BPR",
            "835 transaction set has no BPR (payment) segment".to_string(),
        ));
    }
    if !r.saw_trn {
        r.rem.findings.push(Finding::error(
            set.pos,
            "ST",
            "835-TRN",
            "835 transaction set has no TRN (trace number) segment".to_string(),
        ));
    }
    r.rem
}

/// Text of element `n` (1-based), trimmed.
/// Most elements kept per segment (MIA, the longest 835 segment, has 24).
const MAX_FIELDS: usize = 32;

/// A segment with its elements split once: reading element `n` is then an
/// index, not a scan from the start (the reader asks for most of them).
struct Fields<'a> {
    pos: Position,
    id: &'a str,
    component: u8,
    els: [&'a [u8]; MAX_FIELDS],
    len: usize,
}

impl Default for Fields<'_> {
    fn default() -> Self {
        Fields { pos: Position::default(), id: "", component: b':', els: [b""; MAX_FIELDS], len: 0 }
    }
}

impl<'a> Fields<'a> {
    /// Refills the table with `seg`'s elements.
    fn load(&mut self, seg: &Segment<'a>) {
        let mut len = 0;
        for e in seg.elements().take(MAX_FIELDS) {
            self.els[len] = e.raw;
            len += 1;
        }
        self.len = len;
        self.pos = seg.pos;
        self.id = seg.id_str();
        self.component = seg.delimiters.component;
    }

    /// Element `n` (1-based), empty when absent.
    fn get(&self, n: usize) -> &'a [u8] {
        if n == 0 || n > self.len {
            b""
        } else {
            self.els[n - 1]
        }
    }

    fn id_str(&self) -> &'a str {
        self.id
    }

    fn is(&self, id: &str) -> bool {
        self.id == id
    }

    fn element_count(&self) -> usize {
        self.len
    }

    /// Component `m` (1-based) of element `n`, empty when absent.
    fn component(&self, n: usize, m: usize) -> &'a [u8] {
        let c = self.component;
        self.get(n).split(move |&b| b == c).nth(m.wrapping_sub(1)).unwrap_or(b"")
    }
}

fn text(seg: &Fields<'_>, n: usize) -> Text {
    bytes_text(seg.get(n))
}

use crate::values::text as bytes_text;
use crate::values::{parse_date_bytes, parse_decimal_bytes};

fn procedure(seg: &Fields<'_>, n: usize) -> Procedure {
    let c = seg.component;
    let mut p = Procedure::default();
    for (i, raw) in seg.get(n).split(|&b| b == c).enumerate().take(7) {
        match i {
            0 => p.qualifier = bytes_text(raw),
            1 => p.code = bytes_text(raw),
            2..=5 => {
                let m = bytes_text(raw);
                if !m.is_empty() {
                    p.modifiers.push(m);
                }
            }
            _ => p.description = bytes_text(raw),
        }
    }
    p
}

impl Reader {
    fn warn(&mut self, seg: &Fields<'_>, code: &'static str, message: String) {
        self.rem.findings.push(Finding::warning(seg.pos, seg.id_str(), code, message));
    }

    fn error(&mut self, seg: &Fields<'_>, code: &'static str, message: String) {
        self.rem.findings.push(Finding::error(seg.pos, seg.id_str(), code, message));
    }

    /// A required amount: an unreadable or empty one is an error and counts as 0.
    fn money(&mut self, seg: &Fields<'_>, n: usize) -> Decimal {
        match parse_decimal_bytes(seg.get(n)) {
            Some(d) => d,
            None => {
                let raw = text(seg, n);
                let what = if raw.is_empty() { "missing".to_string() } else { format!("{raw:?}") };
                self.error(
                    seg,
                    "835-AMOUNT",
                    format!(
                        "{}{:02}: amount is {what}, expected a decimal number",
                        seg.id_str(),
                        n
                    ),
                );
                Decimal::ZERO
            }
        }
    }

    /// An optional number: empty is `None`, unreadable is an error and `None`.
    fn opt_number(&mut self, seg: &Fields<'_>, n: usize) -> Option<Decimal> {
        let bytes = seg.get(n);
        if bytes.trim_ascii().is_empty() {
            return None;
        }
        let d = parse_decimal_bytes(bytes);
        if d.is_none() {
            let raw = text(seg, n);
            self.error(
                seg,
                "835-AMOUNT",
                format!("{}{:02}: {raw:?} is not a decimal number", seg.id_str(), n),
            );
        }
        d
    }

    fn date(&mut self, seg: &Fields<'_>, n: usize) -> Option<NaiveDate> {
        let bytes = seg.get(n);
        if bytes.trim_ascii().is_empty() {
            return None;
        }
        let d = parse_date_bytes(bytes);
        if d.is_none() {
            let raw = text(seg, n);
            self.error(
                seg,
                "835-DATE",
                format!("{}{:02}: {raw:?} is not a CCYYMMDD date", seg.id_str(), n),
            );
        }
        d
    }

    fn adjustments(&mut self, seg: &Fields<'_>) -> Vec<Adjustment> {
        let group_code = text(seg, 1);
        let group = Group::from_code(&group_code);
        if group.is_none() {
            self.warn(
                seg,
                "835-CAS-GROUP",
                format!(
                    "CAS01 {group_code:?} is not a claim adjustment group code (CO, OA, PI, PR)"
                ),
            );
        }
        let mut out = Vec::new();
        // Six triples: CAS02-04, CAS05-07, …, CAS17-19.
        for k in 0..6 {
            let n = 2 + 3 * k;
            let reason = text(seg, n);
            let amount_raw = text(seg, n + 1);
            if reason.is_empty() && amount_raw.is_empty() {
                continue;
            }
            let amount = self.money(seg, n + 1);
            let quantity = self.opt_number(seg, n + 2);
            out.push(Adjustment {
                group,
                group_code: group_code.clone(),
                reason,
                amount,
                quantity,
            });
        }
        if out.is_empty() {
            self.warn(seg, "835-CAS-EMPTY", "CAS segment holds no adjustment".to_string());
        }
        out
    }

    fn party(seg: &Fields<'_>) -> Party {
        if seg.is("N1") {
            Party {
                entity: text(seg, 1),
                name: text(seg, 2),
                id_qualifier: text(seg, 3),
                id: text(seg, 4),
                ..Party::default()
            }
        } else {
            Party {
                entity: text(seg, 1),
                entity_type: text(seg, 2),
                name: text(seg, 3),
                first: text(seg, 4),
                middle: text(seg, 5),
                id_qualifier: text(seg, 8),
                id: text(seg, 9),
                ..Party::default()
            }
        }
    }

    fn reference(seg: &Fields<'_>) -> Reference {
        Reference { qualifier: text(seg, 1), value: text(seg, 2) }
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
        let id = seg.id_str();
        match id {
            "ST" | "SE" => {}
            "BPR" => self.bpr(seg),
            "TRN" => {
                self.saw_trn = true;
                self.rem.trace = super::Trace {
                    trn01_type: text(seg, 1),
                    trn02_number: text(seg, 2),
                    trn03_originator: text(seg, 3),
                    trn04_supplemental: text(seg, 4),
                };
            }
            "CUR" | "RDM" | "TS3" | "TS2" | "PER" => {}
            "N1" => {
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
            "N3" | "N4" => {
                let values: Vec<Text> = (1..=seg.element_count()).map(|n| text(seg, n)).collect();
                let is_n3 = id == "N3";
                match self.current_party() {
                    Some(p) if is_n3 => p.address = values,
                    Some(p) => p.city_state_zip = values,
                    None => self.misplaced(seg),
                }
            }
            "REF" => self.reference_segment(seg),
            "DTM" => self.dtm(seg),
            "LX" => {
                self.lx = Some(text(seg, 1));
                self.state = State::HeaderNumber;
            }
            "CLP" => self.clp(seg),
            "CAS" => {
                let adj = self.adjustments(seg);
                match self.state {
                    State::Claim => {
                        if let Some(c) = self.current_claim() {
                            c.adjustments.extend(adj)
                        }
                    }
                    State::Line => {
                        if let Some(l) = self.current_line() {
                            l.adjustments.extend(adj)
                        }
                    }
                    _ => self.misplaced(seg),
                }
            }
            "NM1" => {
                let p = Self::party(seg);
                match self.state {
                    State::Claim => {
                        if let Some(c) = self.current_claim() {
                            c.names.push(p)
                        }
                    }
                    _ => self.misplaced(seg),
                }
            }
            "MIA" | "MOA" => {
                let values: Vec<Text> = (1..=seg.element_count()).map(|n| text(seg, n)).collect();
                let is_mia = id == "MIA";
                match (self.state, self.current_claim()) {
                    (State::Claim, Some(c)) if is_mia => c.mia = Some(values),
                    (State::Claim, Some(c)) => c.moa = Some(values),
                    _ => self.misplaced(seg),
                }
            }
            "AMT" => {
                let amount = self.money(seg, 2);
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
            "QTY" => {
                let quantity = self.money(seg, 2);
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
            "SVC" => self.svc(seg),
            "LQ" => {
                let r = Remark { qualifier: text(seg, 1), code: text(seg, 2) };
                match (self.state, self.current_line()) {
                    (State::Line, Some(l)) => l.remarks.push(r),
                    _ => self.misplaced(seg),
                }
            }
            "PLB" => self.plb(seg),
            _ => self.warn(
                seg,
                "835-SEGMENT",
                format!("{id} segment is not part of an 835 (005010X221A1); ignored"),
            ),
        }
    }

    /// `BPR*<01 handling>*<02 amount>*<03 C/D>*<04 method>*<05 format>*…*<16 date>~`
    fn bpr(&mut self, seg: &Fields<'_>) {
        self.saw_bpr = true;
        let amount = self.money(seg, 2);
        let date = self.date(seg, 16);
        self.rem.payment = super::Payment {
            pos: seg.pos,
            bpr01_handling: text(seg, 1),
            bpr02_amount: amount,
            bpr03_credit_debit: text(seg, 3),
            bpr04_method: text(seg, 4),
            bpr05_format: text(seg, 5),
            bpr16_date: date,
        };
    }

    fn reference_segment(&mut self, seg: &Fields<'_>) {
        let r = Self::reference(seg);
        match self.state {
            State::Header => self.rem.refs.push(r),
            State::Payer | State::Payee => {
                if let Some(p) = self.current_party() {
                    p.refs.push(r)
                }
            }
            State::Claim => {
                if let Some(c) = self.current_claim() {
                    c.refs.push(r)
                }
            }
            State::Line => {
                if let Some(l) = self.current_line() {
                    if r.qualifier == "6R" && l.line_id.is_none() {
                        l.line_id = Some(r.value);
                    } else {
                        l.refs.push(r)
                    }
                }
            }
            State::HeaderNumber | State::Trailer => self.misplaced(seg),
        }
    }

    fn dtm(&mut self, seg: &Fields<'_>) {
        let qualifier = text(seg, 1);
        let date = self.date(seg, 2);
        match self.state {
            State::Header | State::Payer | State::Payee => {
                if qualifier == "405" {
                    self.rem.production_date = date;
                }
            }
            State::Claim => {
                if let Some(c) = self.current_claim() {
                    c.dates.push(DateRef { qualifier, date })
                }
            }
            State::Line => {
                if let Some(l) = self.current_line() {
                    match qualifier.as_str() {
                        "472" | "150" => l.service_date = date,
                        "151" => l.service_date_end = date,
                        _ => {}
                    }
                }
            }
            State::HeaderNumber | State::Trailer => self.misplaced(seg),
        }
    }

    /// `CLP*<01 claim id>*<02 status>*<03 charge>*<04 paid>*<05 patient resp>*<06 filing>*<07 payer claim no>*<08 facility>*<09 freq>**<11 DRG>*<12 weight>*<13 fraction>~`
    fn clp(&mut self, seg: &Fields<'_>) {
        if self.state == State::Trailer {
            self.misplaced(seg);
        }
        let claim_id = text(seg, 1);
        let status = text(seg, 2);
        if claim_id.is_empty() {
            self.error(seg, "835-CLP", "CLP01 (patient control number) is empty".to_string());
        }
        if !matches!(
            status.as_str(),
            "1" | "2" | "3" | "4" | "19" | "20" | "21" | "22" | "23" | "25"
        ) {
            self.warn(seg, "835-CLP02", format!("CLP02 status code {status:?} is not a 5010 code"));
        }
        let charge = self.money(seg, 3);
        let paid = self.money(seg, 4);
        let pr = self.opt_number(seg, 5);
        let weight = self.opt_number(seg, 12);
        let fraction = self.opt_number(seg, 13);
        self.rem.claims.push(ClaimPayment {
            pos: seg.pos,
            lx: self.lx.clone(),
            clp01_claim_id: claim_id,
            clp02_status: status,
            clp03_charge: charge,
            clp04_paid: paid,
            clp05_patient_responsibility: pr,
            clp06_filing_indicator: text(seg, 6),
            clp07_payer_claim_id: text(seg, 7),
            clp08_facility: text(seg, 8),
            clp09_frequency: text(seg, 9),
            clp11_drg: text(seg, 11),
            clp12_drg_weight: weight,
            clp13_discharge_fraction: fraction,
            adjustments: Vec::new(),
            names: Vec::new(),
            mia: None,
            moa: None,
            refs: Vec::new(),
            dates: Vec::new(),
            amounts: Vec::new(),
            quantities: Vec::new(),
            lines: Vec::new(),
        });
        self.state = State::Claim;
    }

    /// `SVC*<01 Q:code:mod…>*<02 charge>*<03 paid>*<04 revenue>*<05 units>*<06 Q:original code>*<07 original units>~`
    fn svc(&mut self, seg: &Fields<'_>) {
        if !matches!(self.state, State::Claim | State::Line) || self.rem.claims.is_empty() {
            self.misplaced(seg);
            return;
        }
        let charge = self.money(seg, 2);
        let paid = self.money(seg, 3);
        let units = self.opt_number(seg, 5);
        let original_units = self.opt_number(seg, 7);
        let original = if seg.get(6).is_empty() { None } else { Some(procedure(seg, 6)) };
        let line = ServicePayment {
            pos: seg.pos,
            svc01_procedure: procedure(seg, 1),
            svc02_charge: charge,
            svc03_paid: paid,
            svc04_revenue_code: text(seg, 4),
            svc05_units: units,
            svc06_original: original,
            svc07_original_units: original_units,
            service_date: None,
            service_date_end: None,
            adjustments: Vec::new(),
            line_id: None,
            refs: Vec::new(),
            allowed: None,
            amounts: Vec::new(),
            quantities: Vec::new(),
            remarks: Vec::new(),
        };
        if let Some(c) = self.current_claim() {
            c.lines.push(line);
        }
        self.state = State::Line;
    }

    /// `PLB*<01 provider>*<02 fiscal date>*<03 reason:reference>*<04 amount>*…(6 pairs)~`
    fn plb(&mut self, seg: &Fields<'_>) {
        let fiscal_date = self.date(seg, 2);
        let mut items = Vec::new();
        for k in 0..6 {
            let n = 3 + 2 * k;
            let amount_raw = text(seg, n + 1);
            if seg.get(n).is_empty() && amount_raw.is_empty() {
                continue;
            }
            let reason = bytes_text(seg.component(n, 1));
            let reference = bytes_text(seg.component(n, 2));
            let amount = self.money(seg, n + 1);
            items.push(ProviderAdjustmentItem { reason, reference, amount });
        }
        self.rem.provider_adjustments.push(ProviderAdjustment {
            pos: seg.pos,
            provider_id: text(seg, 1),
            fiscal_date,
            items,
        });
        self.state = State::Trailer;
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
