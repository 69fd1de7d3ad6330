//! The service line loops: 2400 (LX, SV1, DTP, REF) and 2410 drug
//! identification, with the allocation-free text buffer they format numbers
//! and dates in. The 2430 line adjudication loops are `edi837::cob`.

use std::io::Write;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::claim::ServiceLine;
use crate::x12::{SegmentWriter, WriteError};

/// Loop 2400 service line:
/// `LX*<n>~ SV1*HC:<code>[:<mod>...]*<charge>*<UN|MJ>*<units>***<ptr>[:<ptr>...]~
/// DTP*472*<D8|RD8>*<date[-date]>~ REF*6R*<line id>~`, then 2410 and 2430
/// per other payer's adjudication of the line.
pub(super) fn loop_2400<W: Write>(
    w: &mut SegmentWriter<W>,
    n: usize,
    l: &ServiceLine,
    s: &mut Scratch,
) -> Result<(), WriteError> {
    w.segment("LX", &[s.int(n)])?;
    w.begin("SV1");
    let mut proc = ["HC", &l.procedure, "", "", "", ""];
    for (slot, m) in proc[2..].iter_mut().zip(&l.modifiers) {
        *slot = m;
    }
    w.composite(&proc)?;
    w.element(s.money(l.charge))?.element(l.unit_code())?.element(s.money(l.units))?;
    w.element("")?.element("")?;
    let mut ptrs = [""; 4];
    for (slot, p) in ptrs.iter_mut().zip(&l.dx_pointers) {
        *slot = POINTERS.get(usize::from(*p)).copied().unwrap_or("");
    }
    w.composite(&ptrs)?;
    w.end()?;
    match l.service_date_end.filter(|e| *e != l.service_date) {
        Some(end) => w.segment("DTP", &["472", "RD8", s.range(l.service_date, end)])?,
        None => w.segment("DTP", &["472", "D8", s.date(l.service_date)])?,
    }
    if !l.line_id.is_empty() {
        w.segment("REF", &["6R", &l.line_id])?;
    }
    // See: 837P guide, 2410: LIN and CTP (quantity and unit both required)
    // go together; scrub holds back an NDC line without its quantity.
    if let (Some(ndc), Some(qty), Some(unit)) =
        (l.ndc.as_deref().filter(|v| !v.is_empty()), l.ndc_quantity, l.ndc_unit.as_deref())
    {
        loop_2410(w, ndc, qty, unit, s)?;
    }
    for a in &l.adjudications {
        super::super::cob::loop_2430(w, a)?;
    }
    Ok(())
}

/// A reusable text buffer for numbers and dates, so rendering a line
/// allocates nothing. Each method returns the formatted text, valid until
/// the next call.
#[derive(Debug, Default)]
pub(super) struct Scratch(String);

impl Scratch {
    fn int(&mut self, n: usize) -> &str {
        use std::fmt::Write as _;
        self.0.clear();
        let _ = write!(self.0, "{n}");
        &self.0
    }
    /// Money and quantities: no trailing zeros (`100`, `100.5`, `2.5`).
    fn money(&mut self, d: Decimal) -> &str {
        self.0.clear();
        crate::numtext::push_normalized(&mut self.0, d);
        &self.0
    }
    fn push_d8(&mut self, d: NaiveDate) {
        use chrono::Datelike;
        use std::fmt::Write as _;
        let _ = write!(self.0, "{:04}{:02}{:02}", d.year(), d.month(), d.day());
    }
    /// `CCYYMMDD` (D8).
    fn date(&mut self, d: NaiveDate) -> &str {
        self.0.clear();
        self.push_d8(d);
        &self.0
    }
    /// `CCYYMMDD-CCYYMMDD` (RD8).
    fn range(&mut self, from: NaiveDate, to: NaiveDate) -> &str {
        self.0.clear();
        self.push_d8(from);
        self.0.push('-');
        self.push_d8(to);
        &self.0
    }
}

/// Diagnosis pointer values as text (index = pointer; 1 to 12 are valid).
const POINTERS: [&str; 13] = ["", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"];

/// `CCYYMMDD` (D8), without strftime's per-call format parsing.
pub(in crate::edi837) fn d8(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

/// Loop 2410 drug identification:
/// `LIN**N4*<ndc 11 digits>~ CTP****<drug quantity>*<F2|GR|ME|ML|UN>~`
fn loop_2410<W: Write>(
    w: &mut SegmentWriter<W>,
    ndc: &str,
    quantity: Decimal,
    unit: &str,
    s: &mut Scratch,
) -> Result<(), WriteError> {
    w.segment("LIN", &["", "N4", ndc])?;
    w.begin("CTP");
    w.element("")?.element("")?.element("")?.element(s.money(quantity))?;
    w.composite(&[unit])?;
    w.end()
}
