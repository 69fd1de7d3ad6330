//! The lean 837 reader: per claim only what matching a remittance needs
//! (CLM01/CLM02, the 2010BB payer id, REF*F8, and per 2400 line SV1, DTP*472
//! and REF*6R), for any 837 (P, I or unlabelled), every set in parallel.
//!
//! [`read()`](super::read()) builds whole [`Claim`](crate::claim::Claim)s
//! (names, addresses, diagnoses: kilobytes each); this one keeps a few ids
//! and amounts, so a million sent claims fit in a few hundred megabytes and
//! read in about a second. It is not a validator (see `validate`): CLM02 or
//! SV102 that is not a number is its only finding (`837-AMOUNT`).

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::values::{parse_date_bytes, parse_decimal_bytes};
use crate::x12::{self, Finding, Segment, TransactionKind};
use crate::Text;

/// One service line as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineSummary {
    /// REF*6R line item control number; the line's 1-based position when none was sent.
    pub line_id: Text,
    /// SV101-2 procedure code.
    pub procedure: Text,
    /// SV101-3..6 modifiers (the ones not empty, in order).
    pub modifiers: Modifiers,
    /// DTP*472 first date of service.
    pub date: Option<NaiveDate>,
    /// SV102 charge.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub charge: Decimal,
}

/// The modifiers of a sent line (SV101-3..6 that are not empty, at most
/// four), used as a slice of [`Text`]. One pointer wide and no allocation
/// for a line without modifiers (most lines): a line takes 80 bytes, and
/// a claim's two lines fit one 160-byte allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Modifiers(Option<Box<[Text; 4]>>);

impl Modifiers {
    /// The modifiers: the non-empty leading entries.
    fn as_slice(&self) -> &[Text] {
        match &self.0 {
            None => &[],
            Some(all) => {
                let n = all.iter().take_while(|m| !m.is_empty()).count();
                &all[..n]
            }
        }
    }
}

impl std::ops::Deref for Modifiers {
    type Target = [Text];

    fn deref(&self) -> &[Text] {
        self.as_slice()
    }
}

impl<'a> IntoIterator for &'a Modifiers {
    type Item = &'a Text;
    type IntoIter = std::slice::Iter<'a, Text>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

impl FromIterator<Text> for Modifiers {
    /// The first four non-empty modifiers of `iter` (an empty one is skipped).
    fn from_iter<I: IntoIterator<Item = Text>>(iter: I) -> Modifiers {
        let mut iter = iter.into_iter().filter(|m| !m.is_empty());
        let Some(first) = iter.next() else { return Modifiers(None) };
        let mut all: [Text; 4] = Default::default();
        all[0] = first;
        for (slot, m) in all[1..].iter_mut().zip(iter) {
            *slot = m;
        }
        Modifiers(Some(Box::new(all)))
    }
}

impl Serialize for Modifiers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.as_slice())
    }
}

/// One claim as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClaimSummary {
    /// CLM01.
    pub claim_id: Text,
    /// 2010BB payer id (NM1*PR NM109).
    pub payer_id: Text,
    /// REF*F8: the payer's claim number of the claim this one replaces.
    pub original_ref: Option<Text>,
    /// CLM02 total charge.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub charge: Decimal,
    /// Service lines in order.
    pub lines: Vec<LineSummary>,
}

/// Claims read from one 837 file, with read problems.
#[derive(Debug)]
pub struct Summaries<T = ClaimSummary> {
    /// Claims in file order.
    pub claims: Vec<T>,
    /// Envelope and read findings (error-level ones make the file suspect).
    pub findings: Vec<Finding>,
    /// 837 transaction sets read.
    pub sets: usize,
}

impl<T> Default for Summaries<T> {
    fn default() -> Self {
        Summaries { claims: Vec::new(), findings: Vec::new(), sets: 0 }
    }
}

/// Reads the claims of every 837 transaction set in `input` (sets in parallel).
pub fn read_summaries(input: &[u8]) -> Summaries {
    read_summaries_as(input, |c| c)
}

/// Reads the claims of every 837 transaction set in `input` (sets in
/// parallel), each turned into a `T` by `each` as its set is read: the
/// caller's form of a claim is built once, into one vector of the exact size.
pub fn read_summaries_as<T: Send>(
    input: &[u8],
    each: impl Fn(ClaimSummary) -> T + Sync,
) -> Summaries<T> {
    read_summaries_then(input, each, |_| {})
}

/// [`read_summaries_as`] for an opened file read once: the pages of each
/// set's bytes leave the process's memory as soon as the set is read
/// ([`Input::release_range`](crate::input::Input::release_range)), so the
/// map's resident part shrinks while the claims are built.
pub fn read_summaries_released<T: Send>(
    input: &crate::input::Input,
    each: impl Fn(ClaimSummary) -> T + Sync,
) -> Summaries<T> {
    read_summaries_then(input, each, |s| input.release_range(s.bytes.start, s.bytes.end))
}

/// [`read_summaries_released`] with the claims of each set in a vector of
/// its own (`claims[i]` are the claims of the `i`th 837 set, in file
/// order): no vector of every claim is built, for a caller that only looks
/// claims up.
pub fn read_summaries_by_set(input: &crate::input::Input) -> Summaries<Vec<ClaimSummary>> {
    let (per_set, findings) =
        read_sets(input, |c| c, |s| input.release_range(s.bytes.start, s.bytes.end));
    let mut out =
        Summaries { claims: Vec::with_capacity(per_set.len()), findings, sets: per_set.len() };
    for (claims, findings) in per_set {
        out.claims.push(claims);
        out.findings.extend(findings);
    }
    out
}

/// The sets of `input` read in parallel, `done` called with each once it is read.
///
/// Sets are read in rounds of a few per thread, and each round's claims are
/// moved into the one vector of all claims before the next round starts:
/// no vector per set outlives its round. The vector is sized after the
/// first round by the claims per byte read so far (with a twentieth more):
/// room never written to is never made resident.
fn read_summaries_then<T: Send>(
    input: &[u8],
    each: impl Fn(ClaimSummary) -> T + Sync,
    done: impl Fn(&x12::TransactionSet) + Sync,
) -> Summaries<T> {
    let scan = x12::scan(input);
    let sets: Vec<_> = scan.sets().map(|(_, _, s)| s).filter(|s| is_837(s)).collect();
    let total_bytes: usize = sets.iter().map(|s| s.bytes.len()).sum();
    let round = (rayon::current_num_threads() * 4).max(1);
    let last_count = AtomicUsize::new(0);
    let mut claims: Vec<T> = Vec::new();
    let mut per_set_findings = Vec::new();
    let mut bytes_read = 0usize;
    for part in sets.chunks(round) {
        let read: Vec<(Vec<T>, Vec<Finding>)> =
            part.par_iter().map(|s| read_sized(input, s, &each, &done, &last_count)).collect();
        bytes_read += part.iter().map(|s| s.bytes.len()).sum::<usize>();
        let got: usize = read.iter().map(|(c, _)| c.len()).sum();
        if claims.capacity() == 0 && bytes_read < total_bytes && bytes_read > 0 {
            // Claims per byte so far, for every byte of the sets.
            let per_byte = (claims.len() + got) as f64 / bytes_read as f64;
            let estimate = (per_byte * total_bytes as f64 * 1.05) as usize + 64;
            claims.reserve_exact(estimate.max(got));
        }
        for (mut c, f) in read {
            claims.append(&mut c);
            per_set_findings.push(f);
        }
    }
    let set_count = sets.len();
    drop(sets);
    let mut findings = scan.findings;
    for f in per_set_findings {
        findings.extend(f);
    }
    Summaries { claims, findings, sets: set_count }
}

/// One set read with room for as many claims as the set read last (the
/// files we read hold sets of similar sizes, so its claims usually fit at
/// the first try); `done` is called once it is read.
fn read_sized<T>(
    input: &[u8],
    set: &x12::TransactionSet,
    each: impl Fn(ClaimSummary) -> T,
    done: impl Fn(&x12::TransactionSet),
    last_count: &AtomicUsize,
) -> (Vec<T>, Vec<Finding>) {
    let hint = last_count.load(Ordering::Relaxed);
    let read = read_set(input, set, &each, hint);
    last_count.store(read.0.len(), Ordering::Relaxed);
    done(set);
    read
}

fn is_837(s: &x12::TransactionSet) -> bool {
    matches!(
        s.kind,
        TransactionKind::Claim837P | TransactionKind::Claim837 | TransactionKind::Claim837I
    )
}

/// The 837 sets of `input` read in parallel (`done` called with each once
/// it is read): per set its claims and findings, after the envelope's findings.
#[allow(clippy::type_complexity)]
fn read_sets<T: Send>(
    input: &[u8],
    each: impl Fn(ClaimSummary) -> T + Sync,
    done: impl Fn(&x12::TransactionSet) + Sync,
) -> (Vec<(Vec<T>, Vec<Finding>)>, Vec<Finding>) {
    let scan = x12::scan(input);
    let sets: Vec<_> = scan.sets().map(|(_, _, s)| s).filter(|s| is_837(s)).collect();
    let last_count = AtomicUsize::new(0);
    let per_set: Vec<(Vec<T>, Vec<Finding>)> =
        sets.par_iter().map(|s| read_sized(input, s, &each, &done, &last_count)).collect();
    (per_set, scan.findings)
}

/// A segment's elements read forward and only as far as the last one
/// asked for: element `n` after element `m < n` goes on from `m` (the
/// reader needs the first two or three elements of most segments, and
/// never goes back).
struct Ahead<'a> {
    seg: Segment<'a>,
    els: x12::Elements<'a>,
    /// The number of the element last read (0 before the first).
    at: usize,
    last: &'a [u8],
}

impl<'a> Ahead<'a> {
    fn new(seg: Segment<'a>) -> Ahead<'a> {
        Ahead { seg, els: seg.elements(), at: 0, last: b"" }
    }

    /// The bytes of element `n` (1-based), empty when absent: what
    /// `seg.element(n).raw` is. An element before the last one read is
    /// found again from the start.
    fn get(&mut self, n: usize) -> &'a [u8] {
        if n < self.at {
            (self.els, self.at, self.last) = (self.seg.elements(), 0, b"");
        }
        while self.at < n {
            self.at += 1;
            self.last = self.els.next().map_or(b"", |e| e.raw);
        }
        self.last
    }

    fn element(&mut self, n: usize) -> x12::Element<'a> {
        x12::Element::new(self.get(n), self.seg.delimiters)
    }
}

fn text(seg: &mut Ahead<'_>, n: usize) -> Text {
    crate::values::text(seg.get(n))
}

/// Element `n` of `seg` as an amount; one that is not a number is an
/// `837-AMOUNT` finding and counts as 0. The number is read from the
/// element's bytes (what [`parse_decimal`](crate::values::parse_decimal)
/// of its text reads).
fn amount(seg: &mut Ahead<'_>, n: usize, findings: &mut Vec<Finding>) -> Decimal {
    let raw = seg.get(n);
    parse_decimal_bytes(raw).unwrap_or_else(|| {
        let raw = crate::values::text(raw);
        let id = seg.seg.id_str();
        findings.push(Finding::error(
            seg.seg.pos,
            id,
            "837-AMOUNT",
            format!("{id}{n:02} {raw:?} is not a decimal number"),
        ));
        Decimal::ZERO
    })
}

/// True when element `n` of `seg`, as text and trimmed, is `code` (ASCII,
/// without spaces): an element of the code's length is compared as bytes,
/// a longer one as text (`seg.str(n).trim() == code`).
fn is_code(seg: &mut Ahead<'_>, n: usize, code: &str) -> bool {
    let raw = seg.get(n);
    match raw.len().cmp(&code.len()) {
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => raw == code.as_bytes(),
        std::cmp::Ordering::Greater => String::from_utf8_lossy(raw).trim() == code,
    }
}

/// A service line while its claim is read: `has_id` once a REF*6R gave
/// its id (until then its id is left empty; without one it is the line's
/// position).
struct LineRead {
    line: LineSummary,
    has_id: bool,
}

/// The claims of one set, each turned into a `T` by `each` as soon as it
/// is read; `hint` is how many claims to make room for first. The lines of
/// the claim being read are gathered in one vector reused from claim to
/// claim, and moved into a vector of their exact number when the claim
/// ends: a claim's lines take one allocation of their own size.
fn read_set<T>(
    input: &[u8],
    set: &x12::TransactionSet,
    each: &impl Fn(ClaimSummary) -> T,
    hint: usize,
) -> (Vec<T>, Vec<Finding>) {
    let mut claims: Vec<T> = Vec::with_capacity(hint);
    let mut findings = Vec::new();
    let mut current: Option<ClaimSummary> = None;
    let mut lines: Vec<LineRead> = Vec::new();
    let finish = |mut claim: ClaimSummary, lines: &mut Vec<LineRead>| {
        claim.lines = lines
            .drain(..)
            .enumerate()
            .map(|(n, l)| {
                let mut line = l.line;
                if !l.has_id {
                    line.line_id = compact_str::format_compact!("{}", n + 1);
                }
                line
            })
            .collect();
        each(claim)
    };
    let mut payer_id = Text::default();
    let mut in_line = false;
    // NM1*PR names the claim's payer only in 2010BB, before any CLM of the
    // subscriber level; after a CLM it is another payer (2330B).
    let mut claim_since_hl = false;
    for item in set.segments(input) {
        let Ok(seg) = item else { continue };
        let id = seg.id;
        let seg = &mut Ahead::new(seg);
        match id {
            b"HL" => {
                in_line = false;
                claim_since_hl = false;
                // A new subscriber/patient level may name another payer.
                if is_code(seg, 3, "22") {
                    payer_id.clear();
                }
            }
            b"NM1" if !claim_since_hl && is_code(seg, 1, "PR") => {
                payer_id = text(seg, 9);
            }
            b"CLM" => {
                in_line = false;
                claim_since_hl = true;
                let claim_id = text(seg, 1);
                let charge = amount(seg, 2, &mut findings);
                if let Some(done) = current.take() {
                    claims.push(finish(done, &mut lines));
                }
                current = Some(ClaimSummary {
                    claim_id,
                    payer_id: payer_id.clone(),
                    original_ref: None,
                    charge,
                    lines: Vec::new(),
                });
            }
            b"REF" if !in_line && is_code(seg, 1, "F8") => {
                if let Some(c) = current.as_mut() {
                    c.original_ref = Some(text(seg, 2));
                }
            }
            b"LX" => in_line = true,
            b"SV1" => {
                in_line = true;
                let sv101 = seg.element(1);
                let charge = amount(seg, 2, &mut findings);
                if current.is_some() {
                    // SV101: qualifier, procedure, then up to four modifiers.
                    let mut comps = sv101.components().skip(1);
                    let procedure = comps.next().map(crate::values::text).unwrap_or_default();
                    lines.push(LineRead {
                        line: LineSummary {
                            line_id: Text::default(),
                            procedure,
                            modifiers: comps
                                .take(4)
                                .map(crate::values::text)
                                .filter(|m| !m.is_empty())
                                .collect(),
                            date: None,
                            charge,
                        },
                        has_id: false,
                    });
                }
            }
            b"DTP" if in_line && is_code(seg, 1, "472") => {
                // The first date of D8 or RD8 (a `-` is never part of a
                // multi-byte character: split as bytes, as text).
                let raw = seg.get(3);
                let first = raw.split(|&b| b == b'-').next().unwrap_or(b"");
                if let Some(l) = lines.last_mut() {
                    l.line.date = parse_date_bytes(first);
                }
            }
            b"REF" if in_line && is_code(seg, 1, "6R") => {
                if let Some(l) = lines.last_mut() {
                    l.line.line_id = text(seg, 2);
                    l.has_id = true;
                }
            }
            _ => {}
        }
    }
    if let Some(done) = current.take() {
        claims.push(finish(done, &mut lines));
    }
    // A set larger than the hint leaves room for up to as many claims
    // again: the claims move to a vector of their exact number.
    if claims.capacity() - claims.len() > claims.len() / 8 {
        let mut exact = Vec::with_capacity(claims.len());
        exact.append(&mut claims);
        claims = exact;
    }
    (claims, findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_claims_lines_and_line_ids_from_an_837() {
        let input = b"ISA*00*          *00*          *ZZ*S              *ZZ*R              *240101*1200*^*00501*000000001*0*T*:~GS*HC*S*R*20240101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*1*20240101*1200*CH~HL*1**20*1~HL*2*1*22*0~NM1*PR*2*PAYER*****PI*P1~CLM*C1*150***11:B:1*Y*A*Y*Y~REF*F8*PCN9~LX*1~SV1*HC:99213:25*100*UN*1***1~DTP*472*D8*20240102~REF*6R*C1-1~LX*2~SV1*HC:81002*50*UN*1***1~DTP*472*RD8*20240103-20240104~SE*15*0001~GE*1*1~IEA*1*000000001~";
        let r = read_summaries(input);
        assert_eq!(r.sets, 1);
        assert_eq!(r.claims.len(), 1);
        let c = &r.claims[0];
        assert_eq!(c.claim_id, "C1");
        assert_eq!(c.payer_id, "P1");
        assert_eq!(c.original_ref.as_deref(), Some("PCN9"));
        assert_eq!(c.charge, Decimal::new(150, 0));
        assert_eq!(c.lines[0].line_id, "C1-1");
        assert_eq!(c.lines[0].modifiers[..], ["25"]);
        assert_eq!(c.lines[1].line_id, "2");
        assert_eq!(c.lines[1].date, NaiveDate::from_ymd_opt(2024, 1, 3));
    }

    #[test]
    fn lines_belong_to_the_claim_before_them_and_take_only_their_room() {
        // Set 1: a line before any claim (dropped); claim C1's lines go on
        // past a new HL until the next CLM; C2 has no lines; C3's second
        // line has an empty REF*6R (kept empty), its third none (its place).
        // Set 2: more claims than set 1, read with set 1's count as the hint.
        let set1 = "ST*837*0001*005010X222A1~HL*1**20*1~LX*1~SV1*HC:1*1~HL*2*1*22*0~NM1*PR*2*P*****PI*P1~CLM*C1*3~LX*1~SV1*HC:A:25:59*1~REF*6R*X~HL*3*1*22*0~NM1*PR*2*P*****PI*P2~LX*2~SV1*HC:B*2~DTP*472*D8*20240105~CLM*C2*0~CLM*C3*6~LX*1~SV1*HC:C*1~LX*2~SV1*HC:D*2~REF*6R*~LX*3~SV1*HC:E*3~SE*9*0001~";
        let claims2: String = (0..9).map(|n| format!("CLM*D{n}*1~LX*1~SV1*HC:F*1~")).collect();
        let set2 = format!("ST*837*0002*005010X222A1~HL*1**20*1~HL*2*1*22*0~NM1*PR*2*P*****PI*P1~{claims2}SE*9*0002~");
        let input = format!("ISA*00*          *00*          *ZZ*S              *ZZ*R              *240101*1200*^*00501*000000001*0*T*:~GS*HC*S*R*20240101*1200*1*X*005010X222A1~{set1}{set2}GE*2*1~IEA*1*000000001~");
        let r = read_summaries(input.as_bytes());
        assert_eq!(r.sets, 2);
        let ids: Vec<&str> = r.claims.iter().map(|c| c.claim_id.as_str()).collect();
        assert_eq!(ids[..3], ["C1", "C2", "C3"]);
        assert_eq!(ids.len(), 12);
        let c1 = &r.claims[0];
        assert_eq!(c1.payer_id, "P1");
        let c1_lines: Vec<(&str, &str)> =
            c1.lines.iter().map(|l| (l.line_id.as_str(), l.procedure.as_str())).collect();
        assert_eq!(c1_lines, [("X", "A"), ("2", "B")]);
        assert_eq!(c1.lines[0].modifiers[..], ["25", "59"]);
        assert!(c1.lines[1].modifiers.is_empty());
        assert_eq!(c1.lines[1].date, NaiveDate::from_ymd_opt(2024, 1, 5));
        assert!(r.claims[1].lines.is_empty());
        let c3: Vec<&str> = r.claims[2].lines.iter().map(|l| l.line_id.as_str()).collect();
        assert_eq!(c3, ["1", "", "3"]);
        assert!(r.claims.iter().all(|c| c.lines.capacity() == c.lines.len()));
        assert!(r.claims[3..].iter().all(|c| c.payer_id == "P1" && c.lines.len() == 1));
    }

    #[test]
    fn modifiers_are_the_non_empty_ones_in_order_and_a_line_takes_80_bytes() {
        let m: Modifiers =
            ["", "25", "", "59", "XU", "GP", "LT"].map(Text::from).into_iter().collect();
        assert_eq!(m[..], ["25", "59", "XU", "GP"]);
        assert_eq!((&m).into_iter().count(), 4);
        let none: Modifiers = ["", ""].map(Text::from).into_iter().collect();
        assert_eq!(none, Modifiers::default());
        assert!(none.is_empty());
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"["25","59","XU","GP"]"#);
        assert_eq!(serde_json::to_string(&none).unwrap(), "[]");
        if cfg!(target_pointer_width = "64") {
            assert_eq!(std::mem::size_of::<LineSummary>(), 80);
        }
    }

    #[test]
    fn sets_read_in_rounds_keep_file_order_whatever_their_sizes() {
        // More sets than a round, the first few small (the vector is sized
        // from them, too small: it grows), some empty.
        let mut bytes = b"ISA*00*          *00*          *ZZ*S              *ZZ*R              *240101*1200*^*00501*000000001*0*T*:~GS*HC*S*R*20240101*1200*1*X*005010X222A1~".to_vec();
        let mut want = Vec::new();
        let sets = rayon::current_num_threads() * 4 * 3 + 5;
        for n in 0..sets {
            let count = if n < 3 { 1 } else { (n * 7) % 13 };
            let claims: String = (0..count)
                .map(|c| {
                    want.push(format!("S{n}C{c}"));
                    format!("CLM*S{n}C{c}*1~LX*1~SV1*HC:A*1~")
                })
                .collect();
            bytes.extend_from_slice(
                format!("ST*837*{n:04}*005010X222A1~HL*1**20*1~HL*2*1*22*0~NM1*PR*2*P*****PI*P1~{claims}SE*1*{n:04}~").as_bytes(),
            );
        }
        bytes.extend_from_slice(format!("GE*{sets}*1~IEA*1*000000001~").as_bytes());
        let r = read_summaries(&bytes);
        assert_eq!(r.sets, sets);
        let got: Vec<&str> = r.claims.iter().map(|c| c.claim_id.as_str()).collect();
        assert_eq!(got, want);
        assert!(r.claims.iter().all(|c| c.lines.len() == 1 && c.payer_id == "P1"));
    }

    #[test]
    fn elements_read_ahead_in_any_order_are_the_segment_s() {
        let d = x12::Delimiters::default();
        let input = "SV1*HC:99213:25*100*UN**1~";
        let mut segs = x12::Segments::chunk(input.as_bytes(), 0, input.len(), d, 0);
        let seg = segs.next().unwrap().unwrap();
        let mut ahead = Ahead::new(seg);
        for n in [0, 1, 2, 2, 5, 3, 7, 1, 0, 4, 6] {
            assert_eq!(ahead.get(n), seg.element(n).raw, "element {n}");
        }
        assert_eq!(ahead.element(1).component(3), b"25");
    }

    #[test]
    fn codes_are_compared_as_trimmed_text() {
        let d = x12::Delimiters::default();
        let input = "NM1*PR*\u{a0}PR*P*PR *P\u{FFFD}~";
        let mut segs = x12::Segments::chunk(input.as_bytes(), 0, input.len(), d, 0);
        let seg = &mut Ahead::new(segs.next().unwrap().unwrap());
        assert!(is_code(seg, 1, "PR"));
        // Unicode spaces trim as text does.
        assert!(is_code(seg, 2, "PR"));
        assert!(!is_code(seg, 3, "PR"));
        assert!(is_code(seg, 4, "PR"));
        assert!(!is_code(seg, 5, "PR"));
        assert!(!is_code(seg, 6, "PR"));
        assert!(!is_code(seg, 1, "472"));
    }

    #[test]
    fn a_file_read_by_set_holds_the_same_claims() {
        let one = b"ST*837*0001*005010X222A1~HL*1**20*1~HL*2*1*22*0~NM1*PR*2*PAYER*****PI*P1~CLM*C1*150***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:99213*100*UN*1***1~CLM*C2*150~SE*9*0001~";
        let mut bytes = b"ISA*00*          *00*          *ZZ*S              *ZZ*R              *240101*1200*^*00501*000000001*0*T*:~GS*HC*S*R*20240101*1200*1*X*005010X222A1~".to_vec();
        for _ in 0..3 {
            bytes.extend_from_slice(one);
        }
        bytes.extend_from_slice(b"GE*3*1~IEA*1*000000001~");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sent.837");
        std::fs::write(&path, &bytes).unwrap();
        let input = crate::input::open(&path).unwrap();
        let by_set = read_summaries_by_set(&input);
        let read = read_summaries(&bytes);
        assert_eq!((by_set.sets, by_set.claims.len()), (3, 3));
        assert_eq!(by_set.claims.concat(), read.claims);
        assert_eq!(by_set.findings.len(), read.findings.len());
    }

    #[test]
    fn a_mapped_file_read_with_its_pages_released_reads_the_same() {
        let one = b"ISA*00*          *00*          *ZZ*S              *ZZ*R              *240101*1200*^*00501*000000001*0*T*:~GS*HC*S*R*20240101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*1*20240101*1200*CH~HL*1**20*1~HL*2*1*22*0~NM1*PR*2*PAYER*****PI*P1~CLM*C1*150***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:99213*100*UN*1***1~SE*9*0001~GE*1*1~IEA*1*000000001~\n";
        // Large enough to be memory-mapped (1 MiB and more).
        let bytes = one.repeat((1 << 20) / one.len() + 1);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sent.837");
        std::fs::write(&path, &bytes).unwrap();
        let input = crate::input::open(&path).unwrap();
        assert!(matches!(input, crate::input::Input::Mapped(_)));
        let released = read_summaries_released(&input, |c| c);
        let read = read_summaries(&bytes);
        assert_eq!(released.sets, bytes.len() / one.len());
        assert_eq!((released.sets, &released.claims), (read.sets, &read.claims));
        assert_eq!(released.findings.len(), read.findings.len());
        // Released pages are read again from the file, unchanged.
        assert!(input[..] == bytes[..]);
    }
}
