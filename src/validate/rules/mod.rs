//! The rules of `validate` that need healthcare knowledge, run as a
//! [`Visitor`] of the schema walk: SNIP 4 situational rules (line numbers,
//! birth date against the file's date, DTP date periods, the 837P
//! rendering provider loop 2310B, HL04 and the 270/271/276 rules about who
//! the patient is) and SNIP 5
//! external code sets (place of service, ICD-10-CM by date of service,
//! HCPCS and taxonomy shapes, ZIP codes, CARC/RARC/CPT from the user's
//! `--codeset-dir` lists). The guide's structure is checked by the engine
//! in `x12::schema`; balancing stays in `edi837`/`edi835` (SNIP 3).

use chrono::{Datelike, NaiveDate};

use crate::codeset::{pos, shape, CodeSets, IcdStatus};
use crate::x12::schema::{valid_date, Ext, ExternalCodes, SegDef, Visitor};
use crate::x12::{Fields, Finding, Position, Severity};
use crate::Text;

mod levels;
mod rendering;
use levels::Levels;
use rendering::Rendering;

/// External lists for the engine: place of service (shipped), RARC (user's).
pub(super) struct Externals<'a>(pub &'a CodeSets);

impl ExternalCodes for Externals<'_> {
    fn check(&self, ext: Ext, value: &str) -> Option<bool> {
        match ext {
            Ext::PlaceOfService => Some(pos::is_place_of_service(value)),
            Ext::Rarc => self.0.rarc.as_ref().map(|l| l.listed(value, None)),
            _ => None,
        }
    }
}

/// An element as trimmed text ("" when it is not UTF-8).
fn text(raw: &[u8]) -> &str {
    let ascii = raw.trim_ascii();
    // ASCII whitespace is trimmed; Unicode's also counts VT (0x0B).
    if ascii.is_ascii() && ascii.first() != Some(&0x0b) && ascii.last() != Some(&0x0b) {
        return std::str::from_utf8(ascii).unwrap_or("");
    }
    std::str::from_utf8(raw).unwrap_or("").trim()
}

/// A CCYYMMDD date.
fn d8(raw: &[u8]) -> Option<NaiveDate> {
    let raw = raw.trim_ascii();
    if raw.len() != 8 || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num = |s: &[u8]| s.iter().fold(0u32, |a, &b| a * 10 + u32::from(b - b'0'));
    NaiveDate::from_ymd_opt(num(&raw[..4]) as i32, num(&raw[4..6]), num(&raw[6..]))
}

/// The shape of a CPT or HCPCS Level II code: 5 digits, 4 digits and a
/// letter (CPT category II/III, PLA, MAAA), or a letter and 4 digits.
fn hcpcs_shape(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5
        && (b.iter().all(u8::is_ascii_digit)
            || (b[..4].iter().all(u8::is_ascii_digit) && b[4].is_ascii_uppercase())
            || (b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)))
}

/// The rules' state over one transaction set.
pub(super) struct Rules<'a> {
    codes: &'a CodeSets,
    claims: bool,
    out: Vec<Finding>,
    /// BHT04 (837) or BPR16 (835): the date the file was created / paid.
    file_date: Option<NaiveDate>,
    /// LX number expected next in the current 837 claim.
    lx_next: u32,
    claim_id: String,
    /// The claim's diagnosis codes (position, code) and its earliest date of service.
    dx: Vec<(Position, Text)>,
    service: Option<NaiveDate>,
    /// NM109 of the billing provider (2010AA) of the current billing HL.
    billing_id: String,
    /// The open claim's rendering providers (rule `S4-2310B`).
    rendering: Rendering,
    /// A CLM was seen since the last HL.
    claim_seen: bool,
    /// The set has other-payer (COB) loops: an SBR after a CLM (2320) or
    /// an SVD (2430). Sets without them skip the COB balancing pass.
    pub(super) has_cob: bool,
    /// CARC codes met while no CARC list is loaded.
    pub(super) carc_unchecked: u32,
    /// CPT codes met while no CPT list is loaded.
    pub(super) cpt_unchecked: u32,
    /// HL04 in every guide; the 270/271/276 rules about who the patient is.
    levels: Levels,
    /// ICD-10-CM answers already looked up in this set, by code and date
    /// (direct-mapped, [`ICD_SEEN`] slots): diagnoses repeat across claims.
    icd_seen: Vec<Option<(Text, NaiveDate, IcdStatus)>>,
}

/// Slots of `Rules::icd_seen` (a power of 2).
const ICD_SEEN: usize = 256;

impl<'a> Rules<'a> {
    pub(super) fn new(codes: &'a CodeSets, claims: bool) -> Rules<'a> {
        Rules {
            codes,
            claims,
            out: Vec::new(),
            file_date: None,
            lx_next: 1,
            claim_id: String::new(),
            dx: Vec::new(),
            service: None,
            billing_id: String::new(),
            rendering: Rendering::default(),
            claim_seen: false,
            has_cob: false,
            carc_unchecked: 0,
            cpt_unchecked: 0,
            levels: Levels::default(),
            icd_seen: vec![None; ICD_SEEN],
        }
    }

    /// The same rules for a set of the guide named `short` (`270`, `837P`...).
    pub(super) fn for_guide(mut self, short: &str) -> Rules<'a> {
        self.levels = Levels::new(short);
        self
    }

    /// `CodeSets::icd10cm`, remembered per code and date.
    fn icd10cm(&mut self, code: &Text, date: NaiveDate) -> IcdStatus {
        let h = code.bytes().fold(u64::from(date.num_days_from_ce() as u32), |h, b| {
            (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95)
        });
        let slot = (h >> 32) as usize & (ICD_SEEN - 1);
        if let Some((c, d, status)) = &self.icd_seen[slot] {
            if *d == date && c == code {
                return *status;
            }
        }
        let status = self.codes.icd10cm(code, date);
        self.icd_seen[slot] = Some((code.clone(), date, status));
        status
    }

    fn push(&mut self, f: Finding, snip: u8, loop_id: &'static str) {
        let f = f.snip(snip).in_loop(loop_id);
        let f = if self.claim_id.is_empty() { f } else { f.for_claim(self.claim_id.clone()) };
        self.out.push(f);
    }

    /// ICD-10-CM (by the date of service) and the rendering provider rule
    /// of the claim just finished.
    fn close_claim(&mut self) {
        self.close_rendering();
        let date = self.service.or(self.file_date);
        let mut dx = std::mem::take(&mut self.dx);
        if let Some(date) = date {
            for (pos, code) in dx.drain(..) {
                let status = self.icd10cm(&code, date);
                let why = match status {
                    IcdStatus::Unknown => "is not an ICD-10-CM code",
                    IcdStatus::Header => "is an ICD-10-CM category, not a billable code",
                    _ => continue,
                };
                let f = Finding::error(
                    pos,
                    "HI",
                    "S5-ICD10",
                    format!("diagnosis {code:?} {why} on the date of service {date}"),
                )
                .element("HI01-2", "a billable ICD-10-CM code", code);
                self.push(f, 5, "2300");
            }
        }
        dx.clear();
        self.dx = dx; // its buffer serves the next claim
        self.service = None;
        self.lx_next = 1;
    }

    fn note_service(&mut self, date: Option<NaiveDate>) {
        if let Some(d) = date {
            self.service = Some(self.service.map_or(d, |s| s.min(d)));
        }
    }

    fn carc(&mut self, seg: &Fields<'_>, loop_id: &'static str) {
        // The reason codes are CAS02, 05, 08, 11, 14 and 17.
        for n in [2, 5, 8, 11, 14, 17] {
            let el = seg.element(n);
            if el.raw.is_empty() {
                continue;
            }
            if self.codes.carc.is_none() && el.raw.is_ascii() {
                // Only counted: a code is there unless the element is blank
                // (ASCII whitespace and VT, what `trim` removes).
                if el.raw.iter().any(|b| !b.is_ascii_whitespace() && *b != 0x0b) {
                    self.carc_unchecked += 1;
                }
                continue;
            }
            let code = String::from_utf8_lossy(el.raw);
            let code = code.trim();
            if code.is_empty() {
                continue;
            }
            match self.codes.carc.as_ref().map(|l| l.listed(code, self.file_date)) {
                None => self.carc_unchecked += 1,
                Some(listed) => {
                    if !listed {
                        let r = format!("CAS{n:02}");
                        let f = Finding::error(
                            seg.pos,
                            "CAS",
                            "S5-CARC",
                            format!("{r} {code:?} is not a claim adjustment reason code in force in the CARC list"),
                        )
                        .element(r, "a CARC on the CARC list, in use on the file's date", code);
                        self.push(f, 5, loop_id);
                    }
                }
            }
        }
    }
}

impl Visitor for Rules<'_> {
    fn segment(&mut self, loop_id: &'static str, seg: &Fields<'_>, _def: Option<&SegDef>) {
        if self.levels.reads(seg.id) {
            self.levels.segment(loop_id, seg);
        }
        match seg.id {
            b"BHT" => self.file_date = d8(seg.element(4).raw),
            b"BPR" => self.file_date = d8(seg.element(16).raw),
            b"CLM" if self.claims => {
                self.close_claim();
                self.claim_id.clear();
                self.claim_id.push_str(seg.str(1).trim());
                self.rendering.claim = Some(seg.pos);
                self.claim_seen = true;
            }
            b"SBR" if self.claim_seen => self.has_cob = true,
            b"SVD" => self.has_cob = true,
            b"NM1" if self.claims => self.provider(seg, loop_id),
            b"HL" | b"SE" if self.claims => {
                self.close_claim();
                self.claim_id.clear();
                // The SBR after an HL is the subscriber's (2000B), not COB.
                self.claim_seen = false;
            }
            b"HI" if self.claims => {
                for el in seg.elements() {
                    if matches!(el.component(1), b"ABK" | b"ABF" | b"BK" | b"BF") {
                        let code = text(el.component(2));
                        if !code.is_empty() {
                            self.dx.push((seg.pos, Text::new(code)));
                        }
                    }
                }
            }
            b"LX" if self.claims && loop_id == "2400" => {
                self.rendering.lines += 1;
                let raw = seg.element(1).raw;
                let number = if (1..=9).contains(&raw.len()) && raw.iter().all(u8::is_ascii_digit) {
                    Some(raw.iter().fold(0u32, |a, &b| a * 10 + u32::from(b - b'0')))
                } else {
                    text(raw).parse::<u32>().ok()
                };
                if number != Some(self.lx_next) {
                    let n = text(raw);
                    let f = Finding::error(
                        seg.pos,
                        "LX",
                        "S4-LX-ORDER",
                        format!(
                            "LX01 is {n:?}, expected {} (service lines are numbered 1, 2, 3... within a claim)",
                            self.lx_next
                        ),
                    )
                    .element("LX01", self.lx_next.to_string(), n);
                    self.push(f, 4, loop_id);
                }
                self.lx_next = number.map_or(self.lx_next + 1, |v| v + 1);
            }
            b"DMG" if seg.element(1).raw == b"D8" => {
                if let (Some(born), Some(file)) = (d8(seg.element(2).raw), self.file_date) {
                    if born > file {
                        let f = Finding::error(
                            seg.pos,
                            "DMG",
                            "S4-DOB-FUTURE",
                            format!("loop {loop_id}: the birth date (DMG02) is after the file's creation date (BHT04)"),
                        )
                        .element("DMG02", "a date on or before BHT04", "a later date");
                        self.push(f, 4, loop_id);
                    }
                }
            }
            b"DTP" => {
                let q = seg.element(2).raw;
                let v = seg.element(3).raw;
                let ok = match q {
                    b"D8" => valid_date(v),
                    b"RD8" => {
                        let mut parts = v.splitn(2, |&b| b == b'-');
                        let a = parts.next().unwrap_or(b"");
                        let b = parts.next().unwrap_or(b"");
                        valid_date(a) && valid_date(b) && a.len() == 8 && b.len() == 8 && a <= b
                    }
                    _ => true,
                };
                if !ok {
                    let expected = if q == b"RD8" {
                        "CCYYMMDD-CCYYMMDD, start not after end"
                    } else {
                        "a real date CCYYMMDD"
                    };
                    let f = Finding::error(
                        seg.pos,
                        "DTP",
                        "S4-DTP-DATE",
                        format!(
                            "loop {loop_id}: DTP*{} date {:?} is not {expected}",
                            text(seg.element(1).raw),
                            text(v)
                        ),
                    )
                    .element("DTP03", expected, text(v));
                    self.push(f, 4, loop_id);
                } else if self.claims && seg.element(1).raw == b"472" {
                    let first = &v[..v.len().min(8)];
                    self.note_service(d8(first));
                }
            }
            b"PRV" if seg.element(2).raw == b"PXC" => {
                let t = text(seg.element(3).raw);
                if !shape::is_taxonomy(t) {
                    // A warning: the guides' own examples use codes of
                    // older taxonomy releases that end in other letters.
                    let f = Finding::warning(
                        seg.pos,
                        "PRV",
                        "S5-TAXONOMY",
                        format!("loop {loop_id}: PRV03 {t:?} is not shaped like a provider taxonomy code (10 characters ending in X)"),
                    )
                    .element("PRV03", "a taxonomy code (9 characters and X)", t);
                    self.push(f, 5, loop_id);
                }
            }
            b"SV1" => {
                let el = seg.element(1);
                if el.component(1) == b"HC" {
                    let code = text(el.component(2));
                    if !hcpcs_shape(code) {
                        let f = Finding::error(
                            seg.pos,
                            "SV1",
                            "S5-HCPCS",
                            format!(
                                "SV101-2 {code:?} is not shaped like a CPT or HCPCS Level II code"
                            ),
                        )
                        .element(
                            "SV101-2",
                            "5 characters: 5 digits, 4 digits and F/T/U, or a letter and 4 digits",
                            code,
                        );
                        self.push(f, 5, loop_id);
                    } else if code.bytes().all(|b| b.is_ascii_digit()) {
                        let date = self.service.or(self.file_date);
                        match self.codes.cpt.as_ref().map(|l| l.listed(code, date)) {
                            None => self.cpt_unchecked += 1,
                            Some(false) => {
                                let f = Finding::error(
                                    seg.pos,
                                    "SV1",
                                    "S5-CPT",
                                    format!(
                                        "SV101-2 {code:?} is not a code in use on the CPT list"
                                    ),
                                )
                                .element(
                                    "SV101-2",
                                    "a CPT code on the CPT list, in use on the date of service",
                                    code,
                                );
                                self.push(f, 5, loop_id);
                            }
                            Some(true) => {}
                        }
                    }
                }
            }
            b"REF" if self.claims && seg.element(1).raw == b"EI" => {
                let ein = text(seg.element(2).raw);
                let digits = ein.bytes().filter(u8::is_ascii_digit).count();
                let plain = digits == ein.len();
                if digits != 9 || !plain {
                    // 9 digits with a dash is the number written for people
                    // (the guides' own examples do it): a warning.
                    let f = Finding::new(
                        "G-EIN",
                        if digits == 9 { Severity::Warning } else { Severity::Error },
                        format!("loop {loop_id}: REF02 of REF*EI has {digits} digit(s) in {} character(s); an employer identification number is 9 digits without a dash", ein.len()),
                    )
                    .at(seg.pos, "REF")
                    .element("REF02", "9 digits", format!("{} characters", ein.len()));
                    self.push(f, 2, loop_id);
                }
            }
            b"N4" => {
                let zip = text(seg.element(3).raw);
                let country = text(seg.element(4).raw);
                let state = text(seg.element(2).raw);
                if !state.is_empty()
                    && (country.is_empty() || country == "US")
                    && !shape::is_state_code(state)
                {
                    let f = Finding::error(
                        seg.pos,
                        "N4",
                        "S5-STATE",
                        format!(
                            "loop {loop_id}: N402 {state:?} is not a US state or territory code"
                        ),
                    )
                    .element("N402", "a US state or territory code", state);
                    self.push(f, 5, loop_id);
                }
                if self.claims
                    && loop_id == "2010AA"
                    && !(zip.len() == 9 && zip.bytes().all(|b| b.is_ascii_digit()))
                {
                    // A warning for a 5-digit ZIP: the guide wants ZIP+4,
                    // but its own examples (and many payers) take 5 digits.
                    let severity =
                        if shape::is_zip(zip) { Severity::Warning } else { Severity::Error };
                    let f = Finding::new(
                        "G-ZIP9",
                        severity,
                        format!("loop {loop_id}: the billing provider's N403 {zip:?} should be a 9-digit ZIP+4"),
                    )
                    .at(seg.pos, "N4")
                    .element("N403", "9 digits", zip);
                    self.push(f, 2, loop_id);
                    return;
                }
                if !zip.is_empty() && (country.is_empty() || country == "US") && !shape::is_zip(zip)
                {
                    let f = Finding::error(
                        seg.pos,
                        "N4",
                        "S5-ZIP",
                        format!(
                            "loop {loop_id}: N403 {zip:?} is not a US ZIP code (5 or 9 digits)"
                        ),
                    )
                    .element("N403", "5 or 9 digits", zip);
                    self.push(f, 5, loop_id);
                }
            }
            b"CAS" => self.carc(seg, loop_id),
            _ => {}
        }
    }

    fn finish(&mut self) -> Vec<Finding> {
        if self.claims {
            self.close_claim();
        }
        let mut out = std::mem::take(&mut self.out);
        out.extend(self.levels.finish());
        out
    }
}
