//! Grouping one transaction set's claims into the 2000A (billing provider),
//! 2000B (subscriber) and 2000C (patient) hierarchy, in order of first
//! appearance. It writes no segments (that is `hierarchy`).

use chrono::NaiveDate;
use rustc_hash::FxHashMap;

use super::render::Rendered;
use crate::claim::{Claim, Person, Relationship};

/// Claims of one transaction set grouped: billing provider -> subscriber ->
/// (claims directly, or patients -> claims). Indexes into the set's claims.
#[derive(Debug, Default)]
pub(super) struct BillingGroup {
    pub(super) subscribers: Vec<SubscriberGroup>,
}

#[derive(Debug, Default)]
pub(super) struct SubscriberGroup {
    /// Claims where the patient is the subscriber.
    pub(super) claims: Vec<usize>,
    /// Patients (dependents) with their claims.
    pub(super) patients: Vec<Vec<usize>>,
}

/// A person's identity for grouping (no allocation: borrowed fields).
pub(super) type PersonKey<'a> = (
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
pub(super) type SubscriberKey<'a> =
    (&'a str, &'a str, &'a str, &'a str, Option<&'a str>, bool, PersonKey<'a>, &'static str);

pub(super) fn subscriber_key(c: &Claim) -> SubscriberKey<'_> {
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

pub(super) fn patient_key(c: &Claim) -> (&'static str, Option<PersonKey<'_>>) {
    (c.relationship.code(), c.patient.as_ref().map(person_key))
}

/// A billing provider's identity for grouping (2000A).
pub(super) type BillingKey<'a> = (
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

pub(super) fn billing_key(c: &Claim) -> BillingKey<'_> {
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
pub(super) fn is_self(c: &Claim) -> bool {
    c.relationship == Relationship::SelfInsured || c.patient.is_none()
}

/// Groups a set's claims in order of first appearance at every level.
pub(super) fn group(claims: &[&Claim], rendered: &[Rendered]) -> Vec<(usize, BillingGroup)> {
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
