//! The 837P writer: claims -> one X12 interchange (ISA ... IEA).
//!
//! Segment order, usage and codes follow the 005010X222A1 implementation guide
//! (checked against pyx12's `837.5010.X222.A1.xml` map). Only the loops that
//! the encounter CSV feeds are written; everything else in the guide is
//! situational and left out. The claim loops (2300 and below) are rendered in
//! parallel per claim; the hierarchy and envelopes are written sequentially,
//! so the output is the same for any number of threads.

use std::borrow::Borrow;
use std::io::Write;

use chrono::{NaiveDate, NaiveDateTime};
use rayon::prelude::*;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

use crate::claim::{Claim, Person, ProviderRef, Relationship, ServiceLine};
use crate::config::Config;
use crate::x12::{Delimiters, GroupHeader, InterchangeHeader, SegmentWriter, WriteError};

/// GS08 / ST03: the 837P implementation guide version.
const GUIDE_VERSION: &str = "005010X222A1";

/// Control numbers and clock of one interchange.
#[derive(Clone, Debug)]
pub struct Envelope {
    /// ISA13 interchange control number (1..=999,999,999).
    pub interchange_control: u32,
    /// GS06 group control number.
    pub group_control: u32,
    /// The run's clock: ISA09/ISA10, GS04/GS05 and BHT04/BHT05.
    pub now: NaiveDateTime,
}

/// One transaction set written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SetSummary {
    /// ST02 / SE02 control number (4 digits, from 0001 within the interchange).
    pub control: String,
    /// Claims (CLM segments) in the set.
    pub claims: usize,
    /// SE01: segments from ST to SE inclusive.
    pub segments: u32,
}

/// What [`write()`] wrote.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    /// ISA13 as written (9 digits).
    pub interchange_control: String,
    /// GS06 as written.
    pub group_control: String,
    /// The transaction sets, in file order.
    pub sets: Vec<SetSummary>,
    /// Claims written.
    pub claims: usize,
    /// Service lines written.
    pub lines: usize,
    /// Sum of CLM02 over all claims.
    pub total_charge: Decimal,
}

/// Writes `claims` as one 837P interchange to `out`.
///
/// Claims keep their input order within each transaction set, grouped under
/// their billing provider, subscriber and patient in order of first
/// appearance. A new ST/SE starts every `max_claims_per_transaction` claims.
/// The guide does not allow a transaction set without claims, so an empty
/// `claims` is refused with [`WriteError::Order`] (callers write no file then).
pub fn write<W: Write + Send, C: Borrow<Claim> + Sync>(
    out: W,
    claims: &[C],
    cfg: &Config,
    env: &Envelope,
) -> Result<Written, WriteError> {
    if claims.is_empty() {
        return Err(WriteError::Order("an 837P needs at least one claim"));
    }
    let i = &cfg.interchange;
    let delimiters = Delimiters {
        element: byte_of(&i.element, b'*'),
        component: byte_of(&i.component, b':'),
        repetition: Some(byte_of(&i.repetition, b'^')),
        segment: byte_of(&i.segment, b'~'),
    };
    let mut w = SegmentWriter::new(out, delimiters, i.newline);
    let isa_date = env.now.format("%y%m%d").to_string();
    let date = env.now.format("%Y%m%d").to_string();
    let time = env.now.format("%H%M").to_string();
    w.begin_interchange(&InterchangeHeader {
        sender_qualifier: &i.sender_qualifier,
        sender_id: &i.sender_id,
        receiver_qualifier: &i.receiver_qualifier,
        receiver_id: &i.receiver_id,
        date: &isa_date,
        time: &time,
        version: "00501",
        control: env.interchange_control,
        ack_requested: false,
        usage: i.usage.chars().next().unwrap_or('T'),
    })?;
    w.begin_group(&GroupHeader {
        functional_id: "HC",
        sender: i.gs_sender(),
        receiver: i.gs_receiver(),
        date: &date,
        time: &time,
        control: env.group_control,
        version: GUIDE_VERSION,
    })?;
    let mut summary = Written {
        interchange_control: format!("{:09}", env.interchange_control),
        group_control: env.group_control.to_string(),
        sets: Vec::new(),
        claims: 0,
        lines: 0,
        total_charge: Decimal::ZERO,
    };
    let per_set = i.max_claims_per_transaction.max(1);
    let chunks: Vec<&[C]> = claims.chunks(per_set).collect();
    let render = |chunk: &[C]| -> Result<Vec<Rendered>, WriteError> {
        chunk.par_iter().map(|c| render_claim(c.borrow(), delimiters, i.newline)).collect()
    };
    // Pipeline: while this thread writes set n, the pool renders set n + 1
    // (rendering is pure per claim; writing stays sequential and ordered).
    let mut next = render(chunks[0]);
    for (n, chunk) in chunks.iter().enumerate() {
        let rendered = next?;
        let control = format!("{:04}", n + 1);
        let (written, following) = rayon::join(
            || -> Result<u32, WriteError> {
                w.begin_set("837", &control, GUIDE_VERSION)?;
                // BHT03: the originator's batch id; ISA13 + ST02 is unique per set.
                let batch = format!("{}{}", summary.interchange_control, control);
                w.segment("BHT", &["0019", "00", &batch, &date, &time, "CH"])?;
                loop_1000a(&mut w, cfg)?;
                loop_1000b(&mut w, cfg)?;
                let claims_in_set: Vec<&Claim> = chunk.iter().map(Borrow::borrow).collect();
                write_hierarchy(&mut w, &claims_in_set, &rendered)?;
                w.end_set()
            },
            || chunks.get(n + 1).map(|c| render(c)),
        );
        let segments = written?;
        next = following.unwrap_or_else(|| Ok(Vec::new()));
        for c in chunk.iter() {
            let c: &Claim = c.borrow();
            summary.lines += c.lines.len();
            summary.total_charge += c.total_charge();
        }
        summary.claims += chunk.len();
        summary.sets.push(SetSummary { control, claims: chunk.len(), segments });
    }
    w.end_group()?;
    w.end_interchange()?;
    w.into_inner()?;
    Ok(summary)
}

fn byte_of(s: &str, default: u8) -> u8 {
    s.as_bytes().first().copied().unwrap_or(default)
}

/// Claims of one transaction set grouped: billing provider -> subscriber ->
/// (claims directly, or patients -> claims). Indexes into the set's claims.
#[derive(Debug, Default)]
struct BillingGroup {
    subscribers: Vec<SubscriberGroup>,
}

#[derive(Debug, Default)]
struct SubscriberGroup {
    /// Claims where the patient is the subscriber.
    claims: Vec<usize>,
    /// Patients (dependents) with their claims.
    patients: Vec<Vec<usize>>,
}

/// A person's identity for grouping (no allocation: borrowed fields).
type PersonKey<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<NaiveDate>,
    Option<&'static str>,
    &'a str,
    Option<&'a str>,
    &'a str,
    &'a str,
    &'a str,
);

fn person_key(p: &Person) -> PersonKey<'_> {
    let a = &p.address;
    (
        &p.last,
        &p.first,
        p.middle.as_deref(),
        p.dob,
        p.sex.map(|s| s.code()),
        &a.line1,
        a.line2.as_deref(),
        &a.city,
        &a.state,
        &a.zip,
    )
}

/// The fields that make two claims share a 2000B loop: payer (2010BB is
/// inside 2000B), member, group, subscriber demographics, and whether the
/// subscriber is the patient (SBR02 differs), and the payer's place in the
/// order of payers (SBR01 differs).
type SubscriberKey<'a> =
    (&'a str, &'a str, &'a str, &'a str, Option<&'a str>, bool, PersonKey<'a>, &'static str);

fn subscriber_key(c: &Claim) -> SubscriberKey<'_> {
    (
        &c.payer.id,
        &c.payer.name,
        &c.payer.filing_indicator,
        &c.member_id,
        c.group_number.as_deref(),
        is_self(c),
        person_key(&c.subscriber),
        c.payer_responsibility().code(),
    )
}

fn patient_key(c: &Claim) -> (&'static str, Option<PersonKey<'_>>) {
    (c.relationship.code(), c.patient.as_ref().map(person_key))
}

/// A billing provider's identity for grouping (2000A).
type BillingKey<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a str,
    Option<&'a str>,
    &'a str,
    &'a str,
    &'a str,
);

fn billing_key(c: &Claim) -> BillingKey<'_> {
    let b = &c.billing;
    let a = &b.address;
    (
        &b.npi,
        &b.name,
        &b.tax_id,
        b.taxonomy.as_deref(),
        &a.line1,
        a.line2.as_deref(),
        &a.city,
        &a.state,
        &a.zip,
    )
}

/// True when the patient is the subscriber (no 2000C loop).
fn is_self(c: &Claim) -> bool {
    c.relationship == Relationship::SelfInsured || c.patient.is_none()
}

/// Groups a set's claims in order of first appearance at every level.
fn group(claims: &[&Claim], rendered: &[Rendered]) -> Vec<(usize, BillingGroup)> {
    let mut billing: Vec<(usize, BillingGroup)> = Vec::new();
    let n = claims.len();
    let mut billing_at = HashIndex::with_capacity(8);
    let mut sub_at = HashIndex::with_capacity(n);
    let mut pat_at = HashIndex::with_capacity(n / 4);
    for (idx, c) in claims.iter().enumerate() {
        let [hb, hs, hp] = rendered[idx].keys;
        let b = billing_at.find_or_insert(
            (0, 0),
            hb,
            idx,
            |r| billing_key(claims[r]) == billing_key(c),
            || {
                billing.push((idx, BillingGroup::default()));
                billing.len() - 1
            },
        );
        let subs = &mut billing[b].1.subscribers;
        let s = sub_at.find_or_insert(
            (b, 0),
            hs,
            idx,
            |r| subscriber_key(claims[r]) == subscriber_key(c),
            || {
                subs.push(SubscriberGroup::default());
                subs.len() - 1
            },
        );
        let sub = &mut subs[s];
        if is_self(c) {
            sub.claims.push(idx);
        } else {
            let p = pat_at.find_or_insert(
                (b, s),
                hp,
                idx,
                |r| patient_key(claims[r]) == patient_key(c),
                || {
                    sub.patients.push(Vec::new());
                    sub.patients.len() - 1
                },
            );
            sub.patients[p].push(idx);
        }
    }
    billing
}

/// (parent groups, key hash).
type GroupSlot = ((usize, usize), u64);

/// Groups looked up by a key hash computed earlier (in parallel, while the
/// claim's memory was hot); a hit is confirmed by comparing the keys of the
/// group's first claim, so equal hashes of different keys never merge.
#[derive(Debug)]
struct HashIndex {
    /// (parent groups, key hash) -> [(first claim index, group index)].
    /// FxHash: the keys are our own claims (not attacker-chosen), and a hit
    /// is confirmed in full, so a weak hash can only cost time.
    map: FxHashMap<GroupSlot, Vec<(usize, usize)>>,
}

impl HashIndex {
    fn with_capacity(n: usize) -> HashIndex {
        HashIndex { map: FxHashMap::with_capacity_and_hasher(n, Default::default()) }
    }

    fn find_or_insert(
        &mut self,
        parent: (usize, usize),
        hash: u64,
        idx: usize,
        same_as: impl Fn(usize) -> bool,
        new_group: impl FnOnce() -> usize,
    ) -> usize {
        let candidates = self.map.entry((parent, hash)).or_default();
        if let Some(&(_, g)) = candidates.iter().find(|(rep, _)| same_as(*rep)) {
            return g;
        }
        let g = new_group();
        candidates.push((idx, g));
        g
    }
}

/// Segments rendered ahead of time, and how many.
#[derive(Debug, Default)]
struct Block {
    bytes: Vec<u8>,
    segments: u32,
}

impl Block {
    fn render(
        delimiters: Delimiters,
        newline: bool,
        capacity: usize,
        f: impl FnOnce(&mut SegmentWriter<Vec<u8>>) -> Result<(), WriteError>,
    ) -> Result<Block, WriteError> {
        let mut w = SegmentWriter::new(Vec::with_capacity(capacity), delimiters, newline);
        f(&mut w)?;
        let segments = w.set_segments();
        Ok(Block { bytes: w.into_inner()?, segments })
    }

    fn write_to<W: Write>(&self, w: &mut SegmentWriter<W>) -> Result<(), WriteError> {
        w.raw_segments(&self.bytes, self.segments)
    }
}

/// One claim's pre-rendered loops, with the hashes of its grouping keys.
/// Everything but the HL segments (whose numbers depend on order) is
/// rendered in parallel.
#[derive(Debug)]
struct Rendered {
    /// Loop 2300 and below.
    claim: Block,
    /// Loop 2000B after its HL (used when this claim opens its subscriber group).
    subscriber: Block,
    /// Loop 2000C after its HL (empty when the patient is the subscriber).
    patient: Block,
    /// Hashes of the billing, subscriber and patient keys.
    keys: [u64; 3],
}

fn key_hash<T: std::hash::Hash>(t: &T) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    // Deterministic (fixed keys): output never depends on the hash anyway.
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(t)
}

/// Writes the 2000A/2000B/2000C levels of one set with the pre-rendered
/// claim loops in place.
fn write_hierarchy<W: Write>(
    w: &mut SegmentWriter<W>,
    claims: &[&Claim],
    rendered: &[Rendered],
) -> Result<(), WriteError> {
    let mut hl = 0u32;
    for (first, bg) in group(claims, rendered) {
        hl += 1;
        let billing_hl = hl;
        loop_2000a(w, billing_hl, claims[first])?;
        for sg in &bg.subscribers {
            hl += 1;
            let sub_hl = hl;
            let sample = sg
                .claims
                .first()
                .or_else(|| sg.patients.first().and_then(|p| p.first()))
                .copied()
                .unwrap_or(first);
            loop_2000b(w, sub_hl, billing_hl, !sg.patients.is_empty(), &rendered[sample])?;
            for &ci in &sg.claims {
                rendered[ci].claim.write_to(w)?;
            }
            for patient_claims in &sg.patients {
                hl += 1;
                let Some(&pi) = patient_claims.first() else { continue };
                loop_2000c(w, hl, sub_hl, &rendered[pi])?;
                for &ci in patient_claims {
                    rendered[ci].claim.write_to(w)?;
                }
            }
        }
    }
    Ok(())
}

/// Loop 1000A submitter: `NM1*41*2*<name>*****46*<id>~ PER*IC*<contact>*TE*<phone>*EM*<email>~`
fn loop_1000a<W: Write>(w: &mut SegmentWriter<W>, cfg: &Config) -> Result<(), WriteError> {
    let s = &cfg.submitter;
    w.segment("NM1", &["41", "2", &s.name, "", "", "", "", "46", &s.id])?;
    let mut per: Vec<&str> = vec!["IC", &s.contact_name];
    if let Some(phone) = s.phone.as_deref().filter(|p| !p.is_empty()) {
        per.extend(["TE", phone]);
    }
    if let Some(email) = s.email.as_deref().filter(|e| !e.is_empty()) {
        per.extend(["EM", email]);
    }
    w.segment("PER", &per)
}

/// Loop 1000B receiver: `NM1*40*2*<name>*****46*<id>~`
fn loop_1000b<W: Write>(w: &mut SegmentWriter<W>, cfg: &Config) -> Result<(), WriteError> {
    let r = &cfg.receiver;
    w.segment("NM1", &["40", "2", &r.name, "", "", "", "", "46", &r.id])
}

/// Loop 2000A billing provider level: `HL*<id>**20*1~ [PRV*BI*PXC*<taxonomy>~]`, then 2010AA.
fn loop_2000a<W: Write>(w: &mut SegmentWriter<W>, hl: u32, c: &Claim) -> Result<(), WriteError> {
    w.segment("HL", &[&hl.to_string(), "", "20", "1"])?;
    if let Some(t) = c.billing.taxonomy.as_deref().filter(|t| !t.is_empty()) {
        w.segment("PRV", &["BI", "PXC", t])?;
    }
    loop_2010aa(w, c)
}

/// Loop 2010AA billing provider: `NM1*85*<2|1>*<name or last>*[<first>]****XX*<npi>~
/// N3~ N4~ REF*EI*<ein>~`, then 2010AB pay-to when the provider has one:
/// `NM1*87*<2|1>~ N3~ N4~`.
fn loop_2010aa<W: Write>(w: &mut SegmentWriter<W>, c: &Claim) -> Result<(), WriteError> {
    let b = &c.billing;
    let kind = b.entity.code();
    w.segment("NM1", &["85", kind, &b.name, &b.first_name, "", "", "", "XX", &b.npi])?;
    address(w, &b.address)?;
    w.segment("REF", &["EI", &b.tax_id])?;
    if let Some(pay_to) = &b.pay_to {
        w.segment("NM1", &["87", kind])?;
        address(w, pay_to)?;
    }
    Ok(())
}

/// `N3*<line1>[*<line2>]~ N4*<city>*<state>*<zip>~`
fn address<W: Write>(
    w: &mut SegmentWriter<W>,
    a: &crate::claim::Address,
) -> Result<(), WriteError> {
    w.segment("N3", &[&a.line1, a.line2.as_deref().unwrap_or("")])?;
    w.segment("N4", &[&a.city, &a.state, &a.zip])
}

/// Loop 2000B subscriber level: `HL*<id>*<parent>*22*<0|1>~`, then the
/// pre-rendered rest of the loop (see [`subscriber_body`]).
fn loop_2000b<W: Write>(
    w: &mut SegmentWriter<W>,
    hl: u32,
    parent: u32,
    has_patients: bool,
    r: &Rendered,
) -> Result<(), WriteError> {
    w.segment(
        "HL",
        &[&hl.to_string(), &parent.to_string(), "22", if has_patients { "1" } else { "0" }],
    )?;
    r.subscriber.write_to(w)
}

/// Loop 2000B after its HL: `SBR*<P|S|T>*<18|>*<group>******<filing>~`
/// (`S` on a claim to a secondary payer, see [`Claim::payer_responsibility`]), then
/// 2010BA and 2010BB. Rendered per claim in parallel; the first claim of
/// each subscriber group supplies it.
fn subscriber_body<W: Write>(w: &mut SegmentWriter<W>, c: &Claim) -> Result<(), WriteError> {
    let is_self = is_self(c);
    w.segment(
        "SBR",
        &[
            c.payer_responsibility().code(),
            if is_self { "18" } else { "" },
            c.group_number.as_deref().unwrap_or(""),
            "",
            "",
            "",
            "",
            "",
            &c.payer.filing_indicator,
        ],
    )?;
    loop_2010ba(w, c, is_self)?;
    loop_2010bb(w, c)
}

/// Loop 2010BA subscriber: `NM1*IL*1*<last>*<first>*<middle>***MI*<member id>~`;
/// N3/N4 and `DMG*D8*<dob>*<sex>~` when the subscriber is the patient (the
/// guide: "required when the patient is the subscriber; if not required, do not send").
fn loop_2010ba<W: Write>(
    w: &mut SegmentWriter<W>,
    c: &Claim,
    is_self: bool,
) -> Result<(), WriteError> {
    let s = &c.subscriber;
    w.segment(
        "NM1",
        &[
            "IL",
            "1",
            &s.last,
            &s.first,
            s.middle.as_deref().unwrap_or(""),
            "",
            "",
            "MI",
            &c.member_id,
        ],
    )?;
    if is_self {
        address(w, &s.address)?;
        demographics(w, s)?;
    }
    Ok(())
}

/// `DMG*D8*<CCYYMMDD>*<M|F|U>~` (skipped when the date of birth is unknown).
fn demographics<W: Write>(w: &mut SegmentWriter<W>, p: &Person) -> Result<(), WriteError> {
    if let Some(dob) = p.dob {
        let sex = p.sex.map_or("U", |s| s.code());
        w.segment("DMG", &["D8", &d8(dob), sex])?;
    }
    Ok(())
}

/// Loop 2010BB payer: `NM1*PR*2*<name>*****PI*<payer id>~`
fn loop_2010bb<W: Write>(w: &mut SegmentWriter<W>, c: &Claim) -> Result<(), WriteError> {
    w.segment("NM1", &["PR", "2", &c.payer.name, "", "", "", "", "PI", &c.payer.id])
}

/// Loop 2000C patient level: `HL*<id>*<parent>*23*0~`, then the
/// pre-rendered `PAT*<01|19|G8>~` and 2010CA (see [`patient_body`]).
fn loop_2000c<W: Write>(
    w: &mut SegmentWriter<W>,
    hl: u32,
    parent: u32,
    r: &Rendered,
) -> Result<(), WriteError> {
    w.segment("HL", &[&hl.to_string(), &parent.to_string(), "23", "0"])?;
    r.patient.write_to(w)
}

/// Loop 2000C after its HL: `PAT*<01|19|G8>~`, then 2010CA.
fn patient_body<W: Write>(w: &mut SegmentWriter<W>, c: &Claim) -> Result<(), WriteError> {
    w.segment("PAT", &[c.relationship.code()])?;
    loop_2010ca(w, c)
}

/// Loop 2010CA patient: `NM1*QC*1*<last>*<first>*<middle>~ N3~ N4~ DMG~`
fn loop_2010ca<W: Write>(w: &mut SegmentWriter<W>, c: &Claim) -> Result<(), WriteError> {
    let default = Person::default();
    let p = c.patient.as_ref().unwrap_or(&default);
    w.segment("NM1", &["QC", "1", &p.last, &p.first, p.middle.as_deref().unwrap_or("")])?;
    address(w, &p.address)?;
    demographics(w, p)
}

/// Renders one claim's loops (2300 and below, the 2000B and 2000C bodies)
/// and hashes its grouping keys; pure, so it runs in parallel.
fn render_claim(c: &Claim, delimiters: Delimiters, newline: bool) -> Result<Rendered, WriteError> {
    let claim = Block::render(delimiters, newline, 256 + 160 * c.lines.len(), |w| loop_2300(w, c))?;
    let subscriber = Block::render(delimiters, newline, 256, |w| subscriber_body(w, c))?;
    let patient = if is_self(c) {
        Block::default()
    } else {
        Block::render(delimiters, newline, 192, |w| patient_body(w, c))?
    };
    let keys = [key_hash(&billing_key(c)), key_hash(&subscriber_key(c)), key_hash(&patient_key(c))];
    Ok(Rendered { claim, subscriber, patient, keys })
}

/// Loop 2300 claim:
/// `CLM*<id>*<total>***<POS>:B:<freq>*Y*A*Y*Y[**<causes>:::<state>][*********<delay>]~
/// [DTP*431*D8*<onset>~] [DTP*439*D8*<accident>~] [AMT*F5*<paid>~] [REF*G1*<auth>~]
/// [REF*F8*<original ref>~] [NTE*ADD*<note>~] HI*ABK:<dx1>[*ABF:<dx2>...]~`, then
/// 2310A, 2310B (when the rendering NPI differs from the billing NPI),
/// 2310C, 2310D, 2320 per other payer (see `cob`) and 2400. Segments follow
/// the guide's order within 2300.
fn loop_2300<W: Write>(w: &mut SegmentWriter<W>, c: &Claim) -> Result<(), WriteError> {
    let total = crate::numtext::amount(c.total_charge());
    w.begin("CLM");
    w.element(&c.claim_id)?.element(&total)?.element("")?.element("")?;
    w.composite(&[&c.place_of_service, "B", c.frequency.code()])?;
    w.element("Y")?.element("A")?.element("Y")?.element("Y")?;
    let delay = c.delay_reason.as_deref().filter(|d| !d.is_empty());
    if !c.related_causes.is_empty() || delay.is_some() {
        // CLM10 (patient signature source) is not used.
        w.element("")?;
        // CLM11: up to two related causes; -4 the auto accident state
        // (See: 837P guide, CLM11-4: required when a cause is AA).
        let cause = |n: usize| c.related_causes.get(n).map_or("", String::as_str);
        let state = if c.is_auto_accident() { c.accident_state.as_deref() } else { None };
        w.composite(&[cause(0), cause(1), "", state.unwrap_or("")])?;
        if let Some(d) = delay {
            // CLM12 to CLM19 are not used; CLM20 delay reason.
            for _ in 12..20 {
                w.element("")?;
            }
            w.element(d)?;
        }
    }
    w.end()?;
    if let Some(onset) = c.onset_date {
        w.segment("DTP", &["431", "D8", &d8(onset)])?;
    }
    // See: 837P guide, 2300 DTP*439: required when CLM11 has AA or OA.
    if let Some(date) = c.accident_date.filter(|_| c.is_accident()) {
        w.segment("DTP", &["439", "D8", &d8(date)])?;
    }
    if let Some(paid) = c.patient_paid {
        w.segment("AMT", &["F5", &crate::numtext::amount(paid)])?;
    }
    if let Some(auth) = c.prior_auth.as_deref().filter(|s| !s.is_empty()) {
        w.segment("REF", &["G1", auth])?;
    }
    if let Some(orig) = c.original_ref.as_deref().filter(|s| !s.is_empty()) {
        w.segment("REF", &["F8", orig])?;
    }
    if let Some(note) = c.note.as_deref().filter(|s| !s.is_empty()) {
        w.segment("NTE", &["ADD", note])?;
    }
    if !c.diagnoses.is_empty() {
        w.begin("HI");
        for (n, dx) in c.diagnoses.iter().take(12).enumerate() {
            w.composite(&[if n == 0 { "ABK" } else { "ABF" }, dx])?;
        }
        w.end()?;
    }
    if let Some(r) = &c.referring {
        loop_2310(w, "DN", r)?;
    }
    // See: 837P guide, 2310B situational rule: sent only when the rendering
    // provider is not the billing provider (an organization's NPI sent as
    // the rendering person is rejected by front-end edits).
    if let Some(r) = c.rendering.as_ref().filter(|r| r.npi != c.billing.npi) {
        loop_2310(w, "82", r)?;
    }
    if let Some(f) = &c.facility {
        loop_2310c(w, f)?;
    }
    if let Some(r) = &c.supervising {
        loop_2310(w, "DQ", r)?;
    }
    for o in &c.other_payers {
        super::cob::loop_2320(w, c, o)?;
    }
    let mut scratch = Scratch::default();
    for (n, line) in c.lines.iter().enumerate() {
        loop_2400(w, n + 1, line, &mut scratch)?;
    }
    Ok(())
}

/// Loop 2310C service facility location:
/// `NM1*77*2*<name>*****[XX*<npi>]~ N3~ N4~` (NM108/NM109 only when the
/// facility has an NPI).
fn loop_2310c<W: Write>(
    w: &mut SegmentWriter<W>,
    f: &crate::claim::Facility,
) -> Result<(), WriteError> {
    let qualifier = if f.npi.is_empty() { "" } else { "XX" };
    w.segment("NM1", &["77", "2", &f.name, "", "", "", "", qualifier, &f.npi])?;
    address(w, &f.address)
}

/// Loops 2310A (referring, `DN`), 2310B (rendering, `82`) and 2310D
/// (supervising, `DQ`): `NM1*<DN|82|DQ>*1*<last>*<first>****XX*<npi>~`
fn loop_2310<W: Write>(
    w: &mut SegmentWriter<W>,
    qualifier: &str,
    p: &ProviderRef,
) -> Result<(), WriteError> {
    w.segment("NM1", &[qualifier, "1", &p.last, &p.first, "", "", "", "XX", &p.npi])
}

/// Loop 2400 service line:
/// `LX*<n>~ SV1*HC:<code>[:<mod>...]*<charge>*UN*<units>***<ptr>[:<ptr>...]~
/// DTP*472*<D8|RD8>*<date[-date]>~ REF*6R*<line id>~`, then 2410 and 2430
/// per other payer's adjudication of the line.
fn loop_2400<W: Write>(
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
    w.element(s.money(l.charge))?.element("UN")?.element(s.money(l.units))?;
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
        super::cob::loop_2430(w, a)?;
    }
    Ok(())
}

/// A reusable text buffer for numbers and dates, so rendering a line
/// allocates nothing. Each method returns the formatted text, valid until
/// the next call.
#[derive(Debug, Default)]
struct Scratch(String);

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
pub(super) fn d8(d: NaiveDate) -> String {
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
