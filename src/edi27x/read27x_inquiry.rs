//! Reading 270 and 276 inquiries back (005010X279A1, 005010X212) through the
//! guide schema's loop tree: each set's HL levels as the schema places them
//! (`loops`), the values taken from the loops the guide puts them in, into
//! the writers' own types ([`Inquiry270`], [`Inquiry276`]). Used to check
//! that what claimflow writes reads back as it was asked, and that the
//! public samples read alike.
//!
//! Not a tolerant reader of every inquiry a partner may send: values that
//! do not parse are left empty (dates `None`, amounts zero) and counted in
//! `unreadable`; `validate` names them.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::loops::{levels, Level};
use super::write270::{Inquiry270, Name, GUIDE_270};
use super::write276::{Inquiry276, GUIDE_276};
use crate::claim::{Entity, Sex};
use crate::x12::{self, Segment};

/// The inquiries of a file and how many values could not be read.
#[derive(Debug, Default)]
pub struct ReadInquiries<T> {
    /// In file order.
    pub inquiries: Vec<T>,
    /// Dates, amounts or codes that did not parse.
    pub unreadable: usize,
}

fn text(s: &Segment<'_>, n: usize) -> String {
    s.str(n).trim().to_string()
}

/// The first segment `id` whose first element is `q`, in a loop starting with `loop_prefix`.
fn find<'a>(l: &Level<'a>, id: &str, q: &str, loop_prefix: &str) -> Option<Segment<'a>> {
    l.placed()
        .find(|(s, lp)| s.is(id) && s.str(1).trim() == q && lp.starts_with(loop_prefix))
        .map(|(s, _)| *s)
}

struct Dates<'r> {
    unreadable: &'r mut usize,
}

impl Dates<'_> {
    fn d8(&mut self, raw: &str) -> Option<NaiveDate> {
        let d = NaiveDate::parse_from_str(raw, "%Y%m%d").ok();
        if d.is_none() {
            *self.unreadable += 1;
        }
        d
    }

    /// DTP02/DTP03: D8 gives one date, RD8 two.
    fn dtp(&mut self, s: &Segment<'_>) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let raw = text(s, 3);
        match (s.str(2).trim(), raw.split_once('-')) {
            ("RD8", Some((a, b))) => (self.d8(a), self.d8(b)),
            _ => (self.d8(&raw), None),
        }
    }

    fn name(&mut self, nm1: Option<Segment<'_>>, dmg: Option<Segment<'_>>) -> Name {
        Name {
            last: nm1.map(|s| text(&s, 3)).unwrap_or_default(),
            first: nm1.map(|s| text(&s, 4)).unwrap_or_default(),
            dob: dmg.and_then(|s| self.d8(&text(&s, 2))),
            sex: dmg.and_then(|s| Sex::from_code(&text(&s, 3))),
        }
    }
}

/// HL01 -> level, and the levels with children.
fn tree<'l, 'a>(lv: &'l [Level<'a>]) -> (HashMap<&'l str, &'l Level<'a>>, HashMap<&'l str, usize>) {
    let by_id = lv.iter().map(|l| (l.id.as_str(), l)).collect();
    let mut children: HashMap<&str, usize> = HashMap::new();
    for l in lv {
        *children.entry(l.parent.as_str()).or_default() += 1;
    }
    (by_id, children)
}

/// The ancestor of `l` (or `l`) with HL03 `code`.
fn up<'l, 'a>(
    by_id: &HashMap<&str, &'l Level<'a>>,
    l: &'l Level<'a>,
    code: &str,
) -> Option<&'l Level<'a>> {
    let mut cur = l;
    for _ in 0..8 {
        if cur.code == code {
            return Some(cur);
        }
        cur = by_id.get(cur.parent.as_str())?;
    }
    None
}

/// The provider of NM1*1P: entity, name, first name, NPI.
fn provider(nm1: Option<Segment<'_>>) -> (Entity, String, String, String) {
    match nm1 {
        Some(s) => (
            if s.str(2).trim() == "1" { Entity::Person } else { Entity::Organization },
            text(&s, 3),
            text(&s, 4),
            text(&s, 9),
        ),
        None => (Entity::Organization, String::new(), String::new(), String::new()),
    }
}

/// The levels and parties one inquiry level names: its subscriber level, its
/// dependent level (HL03 23), the payer's NM1*PR of `payer_loop` under the
/// level with HL03 20, and the provider's NM1*1P of `provider_loop` under
/// the level with HL03 `provider_code`. `None` for a level that is no
/// inquiry: neither a subscriber level (22) the caller counts as one
/// (`subscriber_is_inquiry`) nor a dependent whose subscriber is known.
struct Parties<'l, 'a> {
    subscriber: &'l Level<'a>,
    dependent: Option<&'l Level<'a>>,
    payer: Option<Segment<'a>>,
    provider: (Entity, String, String, String),
}

fn parties<'l, 'a>(
    l: &'l Level<'a>,
    by_id: &HashMap<&str, &'l Level<'a>>,
    subscriber_is_inquiry: bool,
    (provider_code, provider_loop): (&str, &str),
) -> Option<Parties<'l, 'a>> {
    let (subscriber, dependent) = match l.code.as_str() {
        "22" if subscriber_is_inquiry => (l, None),
        "23" => (*by_id.get(l.parent.as_str())?, Some(l)),
        _ => return None,
    };
    Some(Parties {
        subscriber,
        dependent,
        payer: up(by_id, l, "20").and_then(|p| find(p, "NM1", "PR", "2100A")),
        provider: provider(
            up(by_id, l, provider_code).and_then(|p| find(p, "NM1", "1P", provider_loop)),
        ),
    })
}

/// INS02 as the writer's relationship code.
fn relationship(code: &str) -> &'static str {
    const KNOWN: &[&str] = &["01", "19", "20", "21", "34", "39", "40", "53", "G8"];
    KNOWN.iter().find(|k| **k == code).copied().unwrap_or("")
}

/// Reads the 270 sets of `input`: one inquiry per subscriber level without
/// a dependent under it, and one per dependent level.
pub fn read_270(input: &[u8]) -> ReadInquiries<Inquiry270> {
    let mut out = ReadInquiries { inquiries: Vec::new(), unreadable: 0 };
    let scan = x12::scan(input);
    for (_, _, set) in scan.sets() {
        if set.id != "270" {
            continue;
        }
        let (_, lv) = levels(set, input, GUIDE_270, "270");
        let (by_id, children) = tree(&lv);
        for l in &lv {
            let leaf = !children.contains_key(l.id.as_str());
            let Some(Parties { subscriber: sub, dependent: dep, payer, provider }) =
                parties(l, &by_id, leaf, ("21", "2100B"))
            else {
                continue;
            };
            let patient = dep.unwrap_or(sub);
            let (provider_entity, provider_name, provider_first, provider_npi) = provider;
            let mut d = Dates { unreadable: &mut out.unreadable };
            let sub_nm1 = find(sub, "NM1", "IL", "2100C");
            let sub_dmg = sub.placed().find(|(s, lp)| s.is("DMG") && *lp == "2100C");
            let subscriber = d.name(sub_nm1, sub_dmg.map(|(s, _)| *s));
            let dependent = dep.map(|p| {
                let dmg = p.placed().find(|(s, lp)| s.is("DMG") && *lp == "2100D");
                let name = d.name(find(p, "NM1", "03", "2100D"), dmg.map(|(s, _)| *s));
                let ins = p.placed().find(|(s, lp)| s.is("INS") && *lp == "2100D");
                (name, relationship(&ins.map(|(s, _)| text(s, 2)).unwrap_or_default()))
            });
            let trn = patient.placed().find(|(s, lp)| s.is("TRN") && lp.starts_with("2000"));
            let patient_loop = if dep.is_some() { "2100D" } else { "2100C" };
            let eq_loop = if dep.is_some() { "2110D" } else { "2110C" };
            let dtp = find(patient, "DTP", "291", patient_loop);
            let (date, date_end) = dtp.map(|s| d.dtp(&s)).unwrap_or((None, None));
            let Some(date) = date else {
                out.unreadable += 1;
                continue;
            };
            let service_types = patient
                .placed()
                .filter(|(s, lp)| s.is("EQ") && *lp == eq_loop)
                .flat_map(|(s, _)| s.element(1).repetitions())
                .map(|r| r.as_str().trim().to_string())
                .filter(|r| !r.is_empty())
                .collect();
            out.inquiries.push(Inquiry270 {
                trace: trn.map(|(s, _)| text(s, 2)).unwrap_or_default(),
                trace_origin: trn.map(|(s, _)| text(s, 3)).unwrap_or_default(),
                payer_id: payer.map(|s| text(&s, 9)).unwrap_or_default(),
                payer_name: payer.map(|s| text(&s, 3)).unwrap_or_default(),
                provider_npi,
                provider_entity,
                provider_name,
                provider_first,
                member_id: sub_nm1.map(|s| text(&s, 9)).unwrap_or_default(),
                group_number: find(sub, "REF", "6P", "2100C").map(|s| text(&s, 2)),
                subscriber,
                dependent,
                date,
                date_end,
                service_types,
            });
        }
    }
    out
}

/// Reads the 276 sets of `input`: one inquiry per claim status tracking
/// loop (2200D under a subscriber, 2200E under a dependent).
pub fn read_276(input: &[u8]) -> ReadInquiries<Inquiry276> {
    let mut out = ReadInquiries { inquiries: Vec::new(), unreadable: 0 };
    let scan = x12::scan(input);
    for (_, _, set) in scan.sets() {
        if set.id != "276" {
            continue;
        }
        let (_, lv) = levels(set, input, GUIDE_276, "276");
        let (by_id, _) = tree(&lv);
        for l in &lv {
            let Some(Parties { subscriber: sub, dependent: dep, payer, provider }) =
                parties(l, &by_id, true, ("19", "2100C"))
            else {
                continue;
            };
            let patient = dep.unwrap_or(sub);
            let (provider_entity, provider_name, provider_first, provider_npi) = provider;
            let mut d = Dates { unreadable: &mut out.unreadable };
            let sub_nm1 = find(sub, "NM1", "IL", "2100D");
            let sub_dmg = sub.placed().find(|(s, lp)| s.is("DMG") && *lp == "2000D");
            let subscriber = d.name(sub_nm1, sub_dmg.map(|(s, _)| *s));
            let dependent = dep.map(|p| {
                let dmg = p.placed().find(|(s, lp)| s.is("DMG") && *lp == "2000E");
                d.name(find(p, "NM1", "QC", "2100E"), dmg.map(|(s, _)| *s))
            });
            // Each claim status tracking loop (2200D/E) is one inquiry.
            let tracking = if dep.is_some() { "2200E" } else { "2200D" };
            let mut claims: Vec<Vec<Segment<'_>>> = Vec::new();
            for (s, lp) in patient.placed() {
                if lp != tracking {
                    continue;
                }
                if s.is("TRN") {
                    claims.push(Vec::new());
                }
                if let Some(c) = claims.last_mut() {
                    c.push(*s);
                }
            }
            for c in claims {
                let get = |id: &str, q: &str| {
                    c.iter().find(|s| s.is(id) && (q.is_empty() || s.str(1).trim() == q))
                };
                let (from, to) = get("DTP", "472").map(|s| d.dtp(s)).unwrap_or((None, None));
                let Some(from) = from else {
                    *d.unreadable += 1;
                    continue;
                };
                let total =
                    get("AMT", "T3").and_then(|s| crate::values::parse_decimal(&text(s, 2)));
                if total.is_none() {
                    *d.unreadable += 1;
                }
                out.inquiries.push(Inquiry276 {
                    trace: get("TRN", "").map(|s| text(s, 2)).unwrap_or_default(),
                    payer_id: payer.map(|s| text(&s, 9)).unwrap_or_default(),
                    payer_name: payer.map(|s| text(&s, 3)).unwrap_or_default(),
                    provider_npi: provider_npi.clone(),
                    provider_entity,
                    provider_name: provider_name.clone(),
                    provider_first: provider_first.clone(),
                    member_id: sub_nm1.map(|s| text(&s, 9)).unwrap_or_default(),
                    subscriber: subscriber.clone(),
                    dependent: dependent.clone(),
                    claim_id: get("REF", "EJ").map(|s| text(s, 2)).unwrap_or_default(),
                    payer_claim_id: get("REF", "1K").map(|s| text(s, 2)),
                    total_charge: total.unwrap_or(Decimal::ZERO),
                    from,
                    to: to.unwrap_or(from),
                });
            }
        }
    }
    out
}
