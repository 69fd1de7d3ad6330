//! Reading 277 claim status answers (005010X212, not the 277CA): one
//! [`ClaimStatus277`] per claim level answered (2200D under a subscriber,
//! 2200E under a dependent) with its claim-level STCs, the trace the 276
//! sent (TRN02), REF*1K (the payer's claim number), REF*EJ (our claim id)
//! and the service dates; and one per status given at the receiver or
//! provider level (2200B, 2200C: no claim named). Names are not kept. A date
//! or amount that does not parse is a finding naming segment and element.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::loops::{levels, Level};
use crate::finding::{Finding, Position};
use crate::x12::{self, Segment};

/// One STC.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stc {
    /// STC01-1 category code (F1, P3, R4, E0, A7...).
    pub category: String,
    /// STC01-2 status code.
    pub code: String,
    /// STC01-3 entity code.
    pub entity: String,
    /// STC02 status date.
    pub date: Option<NaiveDate>,
    /// STC04 total charge.
    pub charge: Option<Decimal>,
    /// STC05 payment amount.
    pub paid: Option<Decimal>,
    /// STC06 adjudication or payment date.
    pub paid_date: Option<NaiveDate>,
    /// STC08 check issue or EFT date.
    pub check_date: Option<NaiveDate>,
    /// STC09 check or EFT trace number.
    pub check_number: String,
}

impl Stc {
    /// `CATEGORY:CODE[:ENTITY]`.
    pub fn codes(&self) -> String {
        let mut s = format!("{}:{}", self.category, self.code);
        if !self.entity.is_empty() {
            s.push(':');
            s.push_str(&self.entity);
        }
        s
    }
}

/// One claim's status answer, or a status at the receiver or provider level.
#[derive(Clone, Debug)]
pub struct ClaimStatus277 {
    /// Position of the level's HL.
    pub pos: Position,
    /// HL03 of the level: 21 receiver, 19 provider, 22 subscriber, 23 dependent.
    pub level: String,
    /// 2100A payer id.
    pub payer_id: String,
    /// TRN02 (the 276's trace).
    pub trace: String,
    /// The claim-level STCs, in order.
    pub statuses: Vec<Stc>,
    /// REF*1K: the payer's claim number.
    pub payer_claim_id: String,
    /// REF*EJ: the patient account number (our CLM01).
    pub claim_id: String,
    /// sha256 of the set's envelope and the level's segments.
    pub fingerprint: String,
}

/// A file of 277 (X212) answers.
#[derive(Debug)]
pub struct Read277 {
    /// Answers in file order.
    pub answers: Vec<ClaimStatus277>,
    /// Values that could not be read.
    pub findings: Vec<Finding>,
    /// 277 X212 sets read.
    pub sets: usize,
}

/// True for a 277 claim status response set (ST01 277, X212 in ST03 or GS08).
pub fn is_x212(set: &x12::TransactionSet, gs08: &str) -> bool {
    let v = if set.implementation.is_empty() { gs08 } else { set.implementation.as_str() };
    set.id == "277" && v.contains("X212")
}

/// Reads the 277 X212 sets of `input` (others are skipped) given its scan.
pub fn read_277(input: &[u8], scan: &x12::Scan) -> Read277 {
    let mut out = Read277 { answers: Vec::new(), findings: Vec::new(), sets: 0 };
    for (ic, g, set) in scan.sets() {
        if !is_x212(set, &g.version) {
            continue;
        }
        out.sets += 1;
        let envelope = format!("{}|{}|{}|{}", ic.sender.1, ic.control, g.control, set.control);
        let (_, lv) = levels(set, input, super::GUIDE_276, "277");
        let index: std::collections::HashMap<&str, usize> =
            lv.iter().enumerate().map(|(i, l)| (l.id.as_str(), i)).collect();
        for l in &lv {
            if !matches!(l.code.as_str(), "21" | "19" | "22" | "23") {
                continue;
            }
            let trn = l.segments.iter().find(|s| s.is("TRN"));
            let Some(trn) = trn else { continue };
            let payer_id = top_payer(&lv, &index, l);
            let mut a = ClaimStatus277 {
                pos: l.hl.pos,
                level: l.code.clone(),
                payer_id,
                trace: trn.str(2).trim().to_string(),
                statuses: Vec::new(),
                payer_claim_id: String::new(),
                claim_id: String::new(),
                fingerprint: String::new(),
            };
            for (s, loop_id) in l.placed() {
                // The service lines (2220D/E) come after the claim's own STCs.
                if loop_id.starts_with("2220") || s.is("SVC") {
                    break;
                }
                match s.id {
                    b"STC" => a.statuses.push(stc(s, &mut out.findings)),
                    b"REF" => match s.str(1).trim() {
                        "1K" => a.payer_claim_id = s.str(2).trim().to_string(),
                        "EJ" => a.claim_id = s.str(2).trim().to_string(),
                        _ => {}
                    },
                    _ => {}
                }
            }
            let mut h = Sha256::new();
            h.update(envelope.as_bytes());
            for s in std::iter::once(&l.hl).chain(&l.segments) {
                h.update([0x1e]);
                h.update(s.id);
                h.update(s.body);
            }
            a.fingerprint = crate::ledger::hex(&h.finalize());
            out.answers.push(a);
        }
    }
    out
}

fn top_payer(
    all: &[Level<'_>],
    index: &std::collections::HashMap<&str, usize>,
    l: &Level<'_>,
) -> String {
    let mut cur = l;
    for _ in 0..8 {
        if cur.code == "20" {
            break;
        }
        match index.get(cur.parent.as_str()) {
            Some(&p) => cur = &all[p],
            None => break,
        }
    }
    cur.segments
        .iter()
        .find(|s| s.is("NM1") && s.str(1).trim() == "PR")
        .map(|s| s.str(9).trim().to_string())
        .unwrap_or_default()
}

fn stc(s: &Segment<'_>, findings: &mut Vec<Finding>) -> Stc {
    let mut bad = |n: usize, what: &str, raw: &str| {
        findings.push(Finding::error(
            s.pos,
            "STC",
            "E-277-001",
            format!("STC{n:02}: {raw:?} is not {what}"),
        ));
    };
    let mut date = |n: usize| -> Option<NaiveDate> {
        let raw = s.str(n).trim().to_string();
        if raw.is_empty() {
            return None;
        }
        let d = NaiveDate::parse_from_str(&raw, "%Y%m%d").ok();
        if d.is_none() {
            bad(n, "a CCYYMMDD date", &raw);
        }
        d
    };
    let (d2, d6, d8) = (date(2), date(6), date(8));
    let mut money = |n: usize| -> Option<Decimal> {
        let raw = s.str(n).trim().to_string();
        if raw.is_empty() {
            return None;
        }
        let d = crate::values::parse_decimal(&raw);
        if d.is_none() {
            bad(n, "a number", &raw);
        }
        d
    };
    let (charge, paid) = (money(4), money(5));
    Stc {
        category: s.component_str(1, 1).trim().to_string(),
        code: s.component_str(1, 2).trim().to_string(),
        entity: s.component_str(1, 3).trim().to_string(),
        date: d2,
        charge,
        paid,
        paid_date: d6,
        check_date: d8,
        check_number: s.str(9).trim().to_string(),
    }
}
