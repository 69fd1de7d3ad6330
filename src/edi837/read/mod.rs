//! The 837P reader: any 837P interchange -> [`Claim`]s.
//!
//! Walks the segments once with a small state machine that follows the
//! hierarchical levels (HL 20/22/23), so it reads our own output and the
//! variations found in real files: several interchanges in one file, other
//! delimiters, loops we do not model (2010AC pay-to plan, 2330C-G other
//! payers' providers, 2420 line providers...), which are skipped. Other
//! payers (2320/2330A/2330B) and line adjudications (2430) are read by
//! `read_cob`; everything else the writer writes is read back into the same
//! claim fields. What cannot be read into a claim
//! (a line without a date of service, an amount that is not a number, a
//! stretch of bytes that is not X12) becomes a warning [`Finding`] with its
//! position; only an input with no interchange at all is an [`Error`].
//!
//! It does not validate (use `validate`): an 837P missing required
//! segments still yields what it has, with empty fields.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::claim::{
    Address, BillingProvider, Claim, Facility, Frequency, Payer, Person, ProviderRef, Relationship,
    ServiceLine, Sex, Source,
};
use crate::finding::{Finding, Severity};
use crate::x12::{Element, Position, Segment, Segments};

mod segments;

/// An input that is not an X12 interchange at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No ISA segment could be read.
    #[error("not an X12 interchange: {0}")]
    NotX12(String),
}

/// The rule id of what the reader skipped (a warning: reading went on).
pub const READ_SKIPPED: &str = "837-READ";

/// The claims read from one 837P input, with anything skipped.
#[derive(Clone, Debug, Default)]
pub struct Read837 {
    /// Claims in file order.
    pub claims: Vec<Claim>,
    /// What was skipped ([`READ_SKIPPED`] warnings, with position and claim).
    pub warnings: Vec<Finding>,
}

/// Reads every claim of an 837P input; warnings are dropped (see [`read`]).
pub fn read_claims(input: &[u8]) -> Result<Vec<Claim>, Error> {
    read(input).map(|r| r.claims)
}

/// Where N3/N4/DMG/REF/PRV segments currently belong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entity {
    None,
    Billing,
    /// 2010AB pay-to address.
    PayTo,
    Subscriber,
    Payer,
    Patient,
    Claim,
    Referring,
    Rendering,
    /// 2310C service facility location.
    Facility,
    /// 2310D supervising provider.
    Supervising,
    Line,
    /// A loop we do not model (2010AC, 2320/2330x, 2420x...).
    Skipped,
}

#[derive(Debug, Default)]
struct LineDraft {
    pos: Position,
    line: Option<ServiceLine>,
    date: Option<(NaiveDate, Option<NaiveDate>)>,
}

#[derive(Debug)]
struct State {
    billing: BillingProvider,
    subscriber: Person,
    member_id: String,
    group_number: Option<String>,
    /// 2000B SBR05 insurance type code.
    insurance_type: Option<String>,
    subscriber_is_patient: bool,
    payer: Payer,
    patient: Option<Person>,
    relationship: Relationship,
    claim: Option<Claim>,
    line: Option<LineDraft>,
    entity: Entity,
    /// Where in the other-payer loops (2320/2330x/2430) the reader is.
    cob: super::read_cob::Cursor,
    out: Read837,
}

fn text(seg: &Segment<'_>, n: usize) -> String {
    seg.str(n).trim().to_string()
}

fn opt(seg: &Segment<'_>, n: usize) -> Option<String> {
    Some(text(seg, n)).filter(|s| !s.is_empty())
}

fn d8(s: &str) -> Option<NaiveDate> {
    crate::values::parse_date(s)
}

impl State {
    fn new() -> State {
        State {
            billing: BillingProvider::default(),
            subscriber: Person::default(),
            member_id: String::new(),
            group_number: None,
            insurance_type: None,
            subscriber_is_patient: true,
            payer: Payer::default(),
            patient: None,
            relationship: Relationship::SelfInsured,
            claim: None,
            line: None,
            entity: Entity::None,
            cob: super::read_cob::Cursor::None,
            out: Read837::default(),
        }
    }

    fn warn(&mut self, pos: Position, message: String) {
        let mut w = Finding::new(READ_SKIPPED, Severity::Warning, message).at(pos, "");
        if let Some(c) = &self.claim {
            w = w.for_claim(&c.claim_id);
        }
        self.out.warnings.push(w);
    }

    fn finish_line(&mut self) {
        let Some(draft) = self.line.take() else { return };
        let Some(mut line) = draft.line else {
            self.warn(draft.pos, "service line without SV1 skipped".into());
            return;
        };
        match draft.date {
            Some((from, to)) => {
                line.service_date = from;
                line.service_date_end = to;
                if let Some(c) = self.claim.as_mut() {
                    c.lines.push(line);
                }
            }
            None => self.warn(
                draft.pos,
                "service line without a readable DTP*472 date of service skipped".into(),
            ),
        }
    }

    fn finish_claim(&mut self) {
        self.finish_line();
        if let Some(c) = self.claim.take() {
            self.out.claims.push(c);
        }
    }

    fn person(&mut self) -> Option<&mut Person> {
        match self.entity {
            Entity::Subscriber => Some(&mut self.subscriber),
            Entity::Patient => self.patient.as_mut(),
            _ => None,
        }
    }

    fn address(&mut self) -> Option<&mut Address> {
        match self.entity {
            Entity::Billing => Some(&mut self.billing.address),
            Entity::PayTo => self.billing.pay_to.as_mut(),
            Entity::Subscriber | Entity::Patient => self.person().map(|p| &mut p.address),
            Entity::Facility => {
                self.claim.as_mut().and_then(|c| c.facility.as_mut()).map(|f| &mut f.address)
            }
            _ => None,
        }
    }

    fn segment(&mut self, seg: &Segment<'_>) {
        if let Some(claim) = self.claim.as_mut() {
            let line = self.line.as_mut().and_then(|d| d.line.as_mut());
            if super::read_cob::segment(&mut self.cob, claim, line, seg) {
                return;
            }
        }
        match seg.id {
            b"ST" | b"SE" | b"GE" | b"IEA" | b"ISA" | b"GS" => {
                self.finish_claim();
                self.entity = Entity::None;
            }
            b"HL" => self.hl(seg),
            b"PRV" if self.claim.is_none() && seg.str(1).trim() == "BI" => {
                self.billing.taxonomy = opt(seg, 3);
            }
            b"SBR" if self.claim.is_none() => {
                self.subscriber_is_patient = seg.str(2).trim() == "18";
                self.group_number = opt(seg, 3);
                self.insurance_type = opt(seg, 5);
                self.payer.filing_indicator = text(seg, 9);
            }
            b"PAT" if self.claim.is_none() => {
                self.relationship = Relationship::parse(&seg.str(1)).unwrap_or(Relationship::Other);
            }
            b"NM1" => self.nm1(seg),
            b"N3" => {
                if let Some(a) = self.address() {
                    a.line1 = text(seg, 1);
                    a.line2 = opt(seg, 2);
                }
            }
            b"N4" => {
                if let Some(a) = self.address() {
                    a.city = text(seg, 1);
                    a.state = text(seg, 2);
                    a.zip = text(seg, 3);
                }
            }
            b"DMG" => {
                if let Some(p) = self.person() {
                    if seg.str(1).trim() == "D8" {
                        p.dob = d8(&seg.str(2));
                    }
                    p.sex = Sex::from_code(&seg.str(3));
                }
            }
            b"REF" => self.reference(seg),
            b"CLM" => self.clm(seg),
            b"DTP" => self.dtp(seg),
            b"HI" => self.hi(seg),
            b"LX" => {
                self.finish_line();
                if self.claim.is_some() {
                    self.entity = Entity::Line;
                    self.line = Some(LineDraft { pos: seg.pos, ..LineDraft::default() });
                }
            }
            b"SV1" => self.sv1(seg),
            b"LIN" => {
                if let Some(l) = self.line.as_mut().and_then(|d| d.line.as_mut()) {
                    if seg.str(2).trim() == "N4" {
                        l.ndc = opt(seg, 3);
                    }
                }
            }
            b"CTP" => self.ctp(seg),
            b"AMT" if self.entity == Entity::Claim && seg.str(1).trim() == "F5" => {
                let paid = self.decimal(seg, 2, "AMT02 patient amount paid");
                if let Some(c) = self.claim.as_mut() {
                    c.patient_paid = Some(paid);
                }
            }
            b"NTE" if self.entity == Entity::Claim && seg.str(1).trim() == "ADD" => {
                if let Some(c) = self.claim.as_mut() {
                    c.note = opt(seg, 2);
                }
            }
            _ => {}
        }
    }

    fn hl(&mut self, seg: &Segment<'_>) {
        self.finish_claim();
        match seg.str(3).trim() {
            "20" => {
                self.billing = BillingProvider::default();
                self.entity = Entity::None;
            }
            "22" => {
                self.subscriber = Person::default();
                self.member_id.clear();
                self.group_number = None;
                self.subscriber_is_patient = true;
                self.payer = Payer::default();
                self.patient = None;
                self.relationship = Relationship::SelfInsured;
                self.entity = Entity::None;
            }
            "23" => {
                self.patient = Some(Person::default());
                self.relationship = Relationship::Other;
                self.entity = Entity::None;
            }
            _ => self.entity = Entity::Skipped,
        }
    }

    fn decimal(&mut self, seg: &Segment<'_>, n: usize, what: &str) -> Decimal {
        let raw = seg.str(n);
        let raw = raw.trim();
        if raw.is_empty() {
            return Decimal::ZERO;
        }
        crate::values::parse_decimal(raw).unwrap_or_else(|| {
            self.warn(seg.pos, format!("{what} {raw:?} is not a number; read as 0"));
            Decimal::ZERO
        })
    }
}

/// The diagnosis codes one HI segment carries: principal (ABK, BK) and
/// other (ABF, BF) composites with a non-empty code, trimmed, in order.
pub(super) fn diagnosis_codes<'a>(seg: &Segment<'a>) -> impl Iterator<Item = &'a [u8]> {
    seg.elements().filter_map(|el| {
        let q = el.component(1).trim_ascii();
        let code = el.component(2).trim_ascii();
        (matches!(q, b"ABK" | b"ABF" | b"BK" | b"BF") && !code.is_empty()).then_some(code)
    })
}

/// The SV107 diagnosis pointers of an SV1 (1-based), numbers only.
pub(super) fn dx_pointers<'a>(seg: &Segment<'a>) -> impl Iterator<Item = usize> + 'a {
    pointers(seg.element(7))
}

/// The diagnosis pointers of an SV107 element (1-based), numbers only.
pub(super) fn pointers(sv107: Element<'_>) -> impl Iterator<Item = usize> + '_ {
    sv107.components().filter_map(|p| match p {
        // The usual pointer: one or two digits.
        [d @ b'0'..=b'9'] => Some(usize::from(d - b'0')),
        [d @ b'0'..=b'9', e @ b'0'..=b'9'] => {
            Some(usize::from(d - b'0') * 10 + usize::from(e - b'0'))
        }
        _ => std::str::from_utf8(p).ok()?.trim().parse().ok(),
    })
}

/// Reads every claim of an 837P input (one or more interchanges).
///
/// Claims carry everything the 837P holds that the model has; fields the
/// file does not carry stay empty (for instance the subscriber's address and
/// date of birth when the patient is a dependent, which the guide says not to
/// send). `source` is empty and `row` is 0 on every line.
pub fn read(input: &[u8]) -> Result<Read837, Error> {
    let mut claims = Vec::new();
    let warnings = read_each(input, |c| claims.push(c))?;
    Ok(Read837 { claims, warnings })
}

/// Reads the claims of an 837P input like [`read`], handing each to `each`
/// in file order as soon as it is complete instead of collecting them, so
/// memory holds one claim at a time. Returns the warnings. On an error
/// (no ISA at all) the claims already handed over came from input that is
/// not X12 and should be discarded.
pub fn read_each(input: &[u8], mut each: impl FnMut(Claim)) -> Result<Vec<Finding>, Error> {
    let mut state = State::new();
    let mut saw_isa = false;
    let mut first_error: Option<String> = None;
    for item in Segments::new(input) {
        match item {
            Ok(seg) => {
                saw_isa |= seg.is("ISA");
                state.segment(&seg);
            }
            Err(e) => {
                if first_error.is_none() {
                    first_error = Some(e.to_string());
                }
                let pos = e.pos;
                state.warn(pos, format!("unreadable X12 skipped: {}", e.kind));
            }
        }
        state.out.claims.drain(..).for_each(&mut each);
    }
    state.finish_claim();
    state.out.claims.drain(..).for_each(&mut each);
    if !saw_isa {
        return Err(Error::NotX12(first_error.unwrap_or_else(|| "no ISA segment".into())));
    }
    Ok(state.out.warnings)
}

/// Reads the claims of one 837 transaction set of `input` (found by
/// [`x12::scan`](crate::x12::scan) of the same bytes) like [`read_each`],
/// handing each to `each` in set order. A claim of a set reads the same as
/// in the whole file: the hierarchical levels above each claim are inside
/// its set, and every level starts afresh. Returns false (after handing over
/// what it could read) when a stretch of the set is not X12: the caller then
/// reads the whole file, as [`read_each`] skips such stretches its own way.
pub fn read_set_each(
    input: &[u8],
    set: &crate::x12::TransactionSet,
    mut each: impl FnMut(Claim),
) -> bool {
    let mut state = State::new();
    let mut clean = true;
    for item in set.segments(input) {
        match item {
            Ok(seg) => state.segment(&seg),
            Err(_) => clean = false,
        }
        state.out.claims.drain(..).for_each(&mut each);
    }
    state.finish_claim();
    state.out.claims.drain(..).for_each(&mut each);
    clean
}
