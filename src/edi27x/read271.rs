//! Reading 271 eligibility answers (005010X279A1): one [`Answer271`] per
//! patient answered (a subscriber level without dependents asked, or a
//! dependent level, which takes the subscriber's member id and group), and
//! one per AAA at the source (2000A) or receiver (2000B) level (an inquiry
//! rejected before any patient was looked at).
//!
//! Kept: the trace (TRN02 of the TRN echoing the inquiry), payer and member
//! ids, plan dates (2100 DTP 346/347, 356/357, or 291/292/307 ranges; a
//! benefit's own range when the 2100 has none), group number (REF*6P, else
//! REF*18), every EB with its 2120 other payer, and the AAA codes. Patient
//! names and birth dates are not kept. A date or amount that does not
//! parse is a finding naming the segment and element; the rest is read.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::loops::{levels, Level};
use crate::finding::{Finding, Position};
use crate::x12::{self, Segment};

/// Where in the 271 an answer sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageLevel {
    /// 2000A information source (payer): AAA only.
    Source,
    /// 2000B information receiver (provider): AAA only.
    Receiver,
    /// 2000C: the subscriber is the patient.
    Subscriber,
    /// 2000D: the patient is a dependent.
    Dependent,
}

impl CoverageLevel {
    /// `source`, `receiver`, `subscriber` or `dependent`.
    pub fn word(self) -> &'static str {
        match self {
            CoverageLevel::Source => "source",
            CoverageLevel::Receiver => "receiver",
            CoverageLevel::Subscriber => "subscriber",
            CoverageLevel::Dependent => "dependent",
        }
    }
}

/// One EB (2110C/D) with what its loop adds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Benefit {
    /// EB01 eligibility or benefit information code.
    pub code: String,
    /// EB02 coverage level (IND, FAM...).
    pub coverage_level: String,
    /// EB03 service type codes (repetitions).
    pub service_types: Vec<String>,
    /// EB04 insurance type code.
    pub insurance_type: String,
    /// EB05 plan coverage description.
    pub plan_name: String,
    /// EB06 time period qualifier (23 calendar year, 29 remaining...).
    pub period: String,
    /// EB07 monetary amount.
    pub amount: Option<Decimal>,
    /// EB08 percent (as sent: 0.2 = 20%).
    pub percent: Option<Decimal>,
    /// EB12 in plan network: Y, N, W (not applicable) or U; empty when not given.
    pub network: String,
    /// The benefit's own date range (2110 DTP 291/292/346/347/356/357).
    pub begin: Option<NaiveDate>,
    /// End of the benefit's own range.
    pub end: Option<NaiveDate>,
    /// 2120 NM1 naming another entity: (NM101, NM103 name, NM109 id).
    pub other: Option<(String, String, String)>,
}

/// One patient's answer, or one rejected inquiry.
#[derive(Clone, Debug)]
pub struct Answer271 {
    /// Position of the level's HL (or of the AAA at the source or receiver level).
    pub pos: Position,
    /// Where the answer sits.
    pub level: CoverageLevel,
    /// 2100A payer id (NM109).
    pub payer_id: String,
    /// TRN02 echoing the inquiry (TRN01 2), else any TRN02 of the level.
    pub trace: String,
    /// 2100C NM109 (the subscriber's member id); empty at source/receiver level.
    pub member_id: String,
    /// Plan (or eligibility) begin date.
    pub plan_begin: Option<NaiveDate>,
    /// Plan (or eligibility) end date.
    pub plan_end: Option<NaiveDate>,
    /// The date asked when the 271 echoes it (2100 DTP*291 D8).
    pub service_date: Option<NaiveDate>,
    /// REF*6P (group number), else REF*18 (plan number).
    pub group_number: String,
    /// AAA03 (reject reason) and AAA04 (follow-up action) of each AAA, in order.
    pub rejects: Vec<(String, String)>,
    /// The EBs, in order.
    pub benefits: Vec<Benefit>,
    /// BHT04/BHT05: when the payer answered.
    pub answered_at: Option<NaiveDateTime>,
    /// sha256 over the set's envelope and the answer's segments: the same
    /// answer read twice has the same fingerprint.
    pub fingerprint: String,
}

/// A 271 file read.
#[derive(Debug)]
pub struct Read271 {
    /// Answers in file order.
    pub answers: Vec<Answer271>,
    /// Values that could not be read (segment and element named).
    pub findings: Vec<Finding>,
    /// Transaction sets that are 271s.
    pub sets: usize,
    /// The envelope scan (its findings say what is wrong with the file).
    pub scan: x12::Scan,
}

/// Reads every 271 set in `input` (other sets are skipped).
pub fn read_271(input: &[u8]) -> Read271 {
    let scan = x12::scan(input);
    let mut out = Read271 { answers: Vec::new(), findings: Vec::new(), sets: 0, scan };
    let mut found = Vec::new();
    for (ic, g, set) in out.scan.sets() {
        if set.id != "271" {
            continue;
        }
        out.sets += 1;
        let envelope = format!("{}|{}|{}|{}", ic.sender.1, ic.control, g.control, set.control);
        read_set(set, input, &envelope, &mut found, &mut out.findings);
    }
    out.answers = found;
    out
}

fn text(s: &Segment<'_>, n: usize) -> String {
    s.str(n).trim().to_string()
}

struct Ctx<'f> {
    findings: &'f mut Vec<Finding>,
}

impl Ctx<'_> {
    fn date(&mut self, s: &Segment<'_>, n: usize, raw: &str) -> Option<NaiveDate> {
        let d = NaiveDate::parse_from_str(raw, "%Y%m%d").ok();
        if d.is_none() {
            self.findings.push(Finding::error(
                s.pos,
                s.id_str(),
                "E-271-001",
                format!("{}{:02}: {raw:?} is not a CCYYMMDD date", s.id_str(), n),
            ));
        }
        d
    }

    /// DTP03 as (begin, end): D8 gives begin only, RD8 both.
    fn dtp(&mut self, s: &Segment<'_>) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let raw = text(s, 3);
        match s.str(2).trim() {
            "RD8" => match raw.split_once('-') {
                Some((a, b)) => (self.date(s, 3, a), self.date(s, 3, b)),
                None => (self.date(s, 3, &raw), None),
            },
            _ => (self.date(s, 3, &raw), None),
        }
    }

    fn amount(&mut self, s: &Segment<'_>, n: usize) -> Option<Decimal> {
        let raw = text(s, n);
        if raw.is_empty() {
            return None;
        }
        let d = crate::values::parse_decimal(&raw);
        if d.is_none() {
            self.findings.push(Finding::error(
                s.pos,
                s.id_str(),
                "E-271-002",
                format!("{}{:02}: {raw:?} is not a number", s.id_str(), n),
            ));
        }
        d
    }
}

fn hash(envelope: &str, segs: &[Segment<'_>]) -> String {
    let mut h = Sha256::new();
    h.update(envelope.as_bytes());
    for s in segs {
        h.update([0x1e]);
        h.update(s.id);
        h.update(s.body);
    }
    crate::ledger::hex(&h.finalize())
}

fn read_set(
    set: &x12::TransactionSet,
    input: &[u8],
    envelope: &str,
    out: &mut Vec<Answer271>,
    findings: &mut Vec<Finding>,
) {
    let mut ctx = Ctx { findings };
    let (head, levels) = levels(set, input, super::GUIDE_270, "271");
    let answered_at = head.iter().find(|s| s.is("BHT")).and_then(|b| {
        let date = NaiveDate::parse_from_str(b.str(4).trim(), "%Y%m%d").ok()?;
        let t = b.str(5);
        let t = t.trim();
        let time =
            NaiveTime::parse_from_str(t.get(..4).unwrap_or(""), "%H%M").unwrap_or(NaiveTime::MIN);
        Some(date.and_time(time))
    });
    // HL01 -> index, and the subscriber levels with a dependent under them
    // (a set may hold thousands of answers: no scan per level).
    let index: std::collections::HashMap<&str, usize> =
        levels.iter().enumerate().map(|(i, l)| (l.id.as_str(), i)).collect();
    let with_dependents: std::collections::HashSet<&str> =
        levels.iter().filter(|l| l.code == "23").map(|l| l.parent.as_str()).collect();
    let find = |id: &str| index.get(id).map(|&i| &levels[i]);
    for l in &levels {
        // The payer of this level: walk up to the 20 level.
        let mut top = l;
        let mut guard = 0;
        while top.code != "20" && guard < 8 {
            match find(&top.parent) {
                Some(p) => top = p,
                None => break,
            }
            guard += 1;
        }
        let payer_id = nm1(top, "PR").map(|s| text(&s, 9)).unwrap_or_default();
        let base = Answer271 {
            pos: l.hl.pos,
            level: CoverageLevel::Subscriber,
            payer_id,
            trace: String::new(),
            member_id: String::new(),
            plan_begin: None,
            plan_end: None,
            service_date: None,
            group_number: String::new(),
            rejects: Vec::new(),
            benefits: Vec::new(),
            answered_at,
            fingerprint: String::new(),
        };
        match l.code.as_str() {
            "20" | "21" => {
                for s in l.segments.iter().filter(|s| s.is("AAA")) {
                    let mut a = base.clone();
                    a.pos = s.pos;
                    a.level = if l.code == "20" {
                        CoverageLevel::Source
                    } else {
                        CoverageLevel::Receiver
                    };
                    a.rejects.push((text(s, 3), text(s, 4)));
                    a.fingerprint = hash(envelope, &[l.hl, *s]);
                    out.push(a);
                }
            }
            "22" => {
                let has_dependents = with_dependents.contains(l.id.as_str());
                let has_trn = l.segments.iter().any(|s| s.is("TRN"));
                if has_dependents && !has_trn {
                    continue;
                }
                let mut a = base;
                fill(&mut ctx, l, &mut a);
                a.member_id = nm1(l, "IL").map(|s| text(&s, 9)).unwrap_or_default();
                a.fingerprint = hash(envelope, &segments_of(l));
                out.push(a);
            }
            "23" => {
                let mut a = base;
                a.level = CoverageLevel::Dependent;
                if let Some(sub) = find(&l.parent) {
                    // The subscriber's plan facts apply unless the dependent's own say otherwise.
                    fill(&mut ctx, sub, &mut a);
                    a.benefits.clear();
                    a.trace.clear();
                    a.member_id = nm1(sub, "IL").map(|s| text(&s, 9)).unwrap_or_default();
                }
                let inherited = (a.plan_begin, a.plan_end, a.group_number.clone());
                a.plan_begin = None;
                a.plan_end = None;
                a.group_number.clear();
                a.rejects.clear();
                fill(&mut ctx, l, &mut a);
                a.plan_begin = a.plan_begin.or(inherited.0);
                a.plan_end = a.plan_end.or(inherited.1);
                if a.group_number.is_empty() {
                    a.group_number = inherited.2;
                }
                let mut segs = find(&l.parent).map(segments_of).unwrap_or_default();
                segs.extend(segments_of(l));
                a.fingerprint = hash(envelope, &segs);
                out.push(a);
            }
            _ => {}
        }
    }
}

fn segments_of<'a>(l: &Level<'a>) -> Vec<Segment<'a>> {
    std::iter::once(l.hl).chain(l.segments.iter().copied()).collect()
}

fn nm1<'a>(l: &Level<'a>, qualifier: &str) -> Option<Segment<'a>> {
    l.segments.iter().find(|s| s.is("NM1") && s.str(1).trim() == qualifier).copied()
}

/// Reads a subscriber or dependent level's segments into `a`.
fn fill(ctx: &mut Ctx<'_>, l: &Level<'_>, a: &mut Answer271) {
    // Between LS and LE: a 2120 entity even when its NM101 is one the guide
    // does not list (the schema then leaves it in 2110C).
    let mut ls_open = false;
    for (s, loop_id) in l.placed() {
        // 2110C/D (an EB and what follows it), 2115, 2120C/D (its related entity).
        let in_eb = loop_id.starts_with("211") || loop_id.starts_with("212");
        let in_2120 = loop_id.starts_with("2120") || ls_open;
        match s.id {
            // TRN*2 echoes the inquiry's trace; a TRN*1 is the payer's own.
            b"TRN" if s.str(1).trim() == "2" || a.trace.is_empty() => a.trace = text(s, 2),
            b"AAA" => a.rejects.push((text(s, 3), text(s, 4))),
            b"REF" if !in_eb => match s.str(1).trim() {
                "6P" => a.group_number = text(s, 2),
                "18" if a.group_number.is_empty() => a.group_number = text(s, 2),
                _ => {}
            },
            b"DTP" if !in_eb => {
                let (b, e) = ctx.dtp(s);
                match s.str(1).trim() {
                    "346" | "356" => a.plan_begin = b.or(a.plan_begin),
                    "347" | "357" => a.plan_end = b.or(a.plan_end),
                    "291" | "292" | "307" if e.is_some() => {
                        a.plan_begin = a.plan_begin.or(b);
                        a.plan_end = a.plan_end.or(e);
                    }
                    "291" => a.service_date = b,
                    _ => {}
                }
            }
            b"EB" => {
                a.benefits.push(Benefit {
                    code: text(s, 1),
                    coverage_level: text(s, 2),
                    service_types: s
                        .element(3)
                        .repetitions()
                        .iter()
                        .map(|r| r.as_str().trim().to_string())
                        .filter(|r| !r.is_empty())
                        .collect(),
                    insurance_type: text(s, 4),
                    plan_name: text(s, 5),
                    period: text(s, 6),
                    amount: ctx.amount(s, 7),
                    percent: ctx.amount(s, 8),
                    network: text(s, 12),
                    ..Benefit::default()
                });
            }
            b"DTP" if in_eb && !in_2120 => {
                let (b, e) = ctx.dtp(s);
                if let Some(eb) = a.benefits.last_mut() {
                    match s.str(1).trim() {
                        "346" | "356" => eb.begin = b,
                        "347" | "357" => eb.end = b,
                        "291" | "292" | "307" => {
                            eb.begin = b;
                            eb.end = e;
                        }
                        _ => {}
                    }
                }
            }
            b"LS" => ls_open = true,
            b"LE" => ls_open = false,
            b"NM1" if in_2120 => {
                if let Some(eb) = a.benefits.last_mut() {
                    if eb.other.is_none() {
                        eb.other = Some((text(s, 1), text(s, 3), text(s, 9)));
                    }
                }
            }
            _ => {}
        }
    }
    // Plan dates from a benefit's own range when the level gives none.
    if a.plan_begin.is_none() && a.plan_end.is_none() {
        if let Some(eb) = a.benefits.iter().find(|b| b.begin.is_some() || b.end.is_some()) {
            a.plan_begin = eb.begin;
            a.plan_end = eb.end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x271(entity: &str) -> String {
        format!(
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *251130*0900*^*00501*000000001*0*T*:~GS*HB*A*B*20251130*0900*1*X*005010X279A1~ST*271*0001*005010X279A1~BHT*0022*11*R1*20251130*0900~HL*1**20*1~NM1*PR*2*PLAN*****PI*P1~HL*2*1*21*1~NM1*1P*2*CLINIC*****XX*1234567893~HL*3*2*22*0~TRN*2*T1*9877281234~NM1*IL*1*DOE*JO****MI*M1~DTP*346*D8*20250101~EB*R**30~DTP*291*D8*20250301~LS*2120~NM1*{entity}*2*OTHER*****PI*O1~LE*2120~EB*1**30~SE*17*0001~GE*1*1~IEA*1*000000001~"
        )
    }

    #[test]
    fn benefit_dates_and_2120_entities_come_from_their_loops() {
        for entity in ["PRP", "ZZZ"] {
            // ZZZ is no entity the guide lists: the LS/LE pair still makes it the EB's.
            let read = read_271(x271(entity).as_bytes());
            let a = &read.answers[0];
            assert_eq!(a.plan_begin, NaiveDate::from_ymd_opt(2025, 1, 1), "{entity}");
            assert_eq!(a.benefits.len(), 2, "{entity}");
            let other = a.benefits[0].other.clone();
            assert_eq!(other, Some((entity.into(), "OTHER".into(), "O1".into())), "{entity}");
            assert_eq!(a.benefits[0].begin, NaiveDate::from_ymd_opt(2025, 3, 1), "{entity}");
            assert_eq!(a.benefits[1].other, None, "{entity}");
        }
    }
}
