//! Finding the sent claim a claim payment answers: the lookup tables over
//! the sent claims ([`ClaimIndex`]: claim id, prefix, payer claim number).
//! It does not match service lines (`lines`) or classify payments.

use std::collections::HashMap;

use rayon::prelude::*;

use super::{ClaimRule, SentClaim};
use crate::Text;

/// Minimum length of a CLP01 for prefix matching: shorter ids match too much.
const MIN_PREFIX: usize = 6;

fn norm(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

/// The bytes of `norm(s)`, without allocating.
fn norm_bytes(s: &str) -> impl Iterator<Item = u8> + '_ {
    s.trim().bytes().map(|b| b.to_ascii_uppercase())
}

/// The hasher of the id maps (FxHash): the keys are claim ids we sent
/// ourselves, so the flooding resistance of the default hasher buys nothing.
pub(crate) type FastHash = rustc_hash::FxBuildHasher;

/// No earlier claim with the same id (end of a [`ClaimIndex`] chain).
const NO_CLAIM: u32 = u32::MAX;

/// Lookup tables over the sent claims, built once.
#[derive(Debug)]
pub struct ClaimIndex<'a> {
    claims: &'a [SentClaim],
    /// Normalized claim id to the latest claim with that id.
    by_id: IdTable,
    /// Per claim: the previous claim with the same normalized id (sent to
    /// another payer, or sent again), else [`NO_CLAIM`]. Walking it needs no
    /// allocation.
    same_id: Vec<u32>,
    /// Indexes of the claims in `by_id`, sorted by normalized id (for
    /// prefixes); built on the first prefix lookup, as most runs never need it.
    sorted: std::sync::OnceLock<Vec<usize>>,
    /// Normalized payer id, a 0x1F byte, normalized payer claim number.
    pub(super) by_payer_claim: HashMap<String, usize, FastHash>,
}

fn same_payer(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The claim-id part of a [`ClaimIndex`]: built from the claims' ids alone,
/// so it can be built before the rest of the claims is known (in ledger
/// mode while the sent 837s are still read), then completed by
/// [`ClaimIndex::with_ids`].
#[derive(Debug)]
pub(crate) struct IdIndex {
    by_id: IdTable,
    same_id: Vec<u32>,
    /// The payer claim numbers, when gathered as the claims were completed.
    payer_claims: Option<PayerClaims>,
}

/// The payer claim numbers of the sent claims: normalized payer id, a 0x1F
/// byte and the normalized number, to the latest claim with them.
#[derive(Debug, Default)]
pub(crate) struct PayerClaims(HashMap<String, usize, FastHash>);

impl PayerClaims {
    /// Adds claim `i`, `c` (claims are added in order: the later wins).
    pub(crate) fn add(&mut self, i: usize, c: &SentClaim) {
        if let Some(p) = c.payer_claim_id.as_deref().filter(|p| !p.trim().is_empty()) {
            self.0.insert(payer_claim_key(&c.payer_id, p), i);
        }
    }
}

impl IdIndex {
    /// Indexes the ids of `claims` on this thread (the later claim with an
    /// id wins).
    pub(crate) fn new(claims: &[SentClaim]) -> IdIndex {
        // A claim past the table's reach (4 billion) is not indexed.
        let n = claims.len().min(NO_CLAIM as usize);
        let mut by_id = IdTable::with_capacity(n);
        let mut same_id = vec![NO_CLAIM; claims.len()];
        for (i, c) in claims[..n].iter().enumerate() {
            let id = c.claim_id.trim();
            let (at, tag) = by_id.start(id_hash(id));
            if let Some(prev) = insert_into(&mut by_id.slots, at, tag, i as u32, claims, id) {
                same_id[i] = prev;
            }
        }
        IdIndex { by_id, same_id, payer_claims: None }
    }

    /// Keeps `payer_claims`, gathered from every claim in order once the
    /// claims are complete, for [`ClaimIndex::with_ids`].
    pub(crate) fn with_payer_claims(self, payer_claims: PayerClaims) -> IdIndex {
        IdIndex { payer_claims: Some(payer_claims), ..self }
    }
}

impl<'a> ClaimIndex<'a> {
    /// Indexes `claims`. When a claim id appears twice for one payer (sent
    /// again), the later one wins.
    pub fn new(claims: &'a [SentClaim]) -> ClaimIndex<'a> {
        ClaimIndex::with_ids(claims, IdIndex::new(claims))
    }

    /// Indexes `claims` with `ids` built by [`IdIndex::new`] from the same
    /// claims, in the same order and with the same ids and (when `ids`
    /// has them) payer claim numbers; ids built from other claims are
    /// built again.
    pub(crate) fn with_ids(claims: &'a [SentClaim], ids: IdIndex) -> ClaimIndex<'a> {
        let IdIndex { by_id, same_id, payer_claims } =
            if ids.same_id.len() == claims.len() { ids } else { IdIndex::new(claims) };
        let payer_claims = payer_claims.unwrap_or_else(|| {
            let mut p = PayerClaims::default();
            for (i, c) in claims.iter().enumerate() {
                p.add(i, c);
            }
            p
        });
        ClaimIndex {
            claims,
            by_id,
            same_id,
            sorted: std::sync::OnceLock::new(),
            by_payer_claim: payer_claims.0,
        }
    }

    /// The sent claims.
    pub(crate) fn claims(&self) -> &'a [SentClaim] {
        self.claims
    }

    /// The claims with the same normalized id as claim `i`, latest first.
    fn chain(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(i), |&j| {
            let p = self.same_id[j];
            (p != NO_CLAIM).then_some(p as usize)
        })
    }

    /// The latest claim with the same id as claim `i` sent to `payer`.
    pub(super) fn for_payer(&self, i: usize, payer: &str) -> Option<usize> {
        self.chain(i).find(|&j| same_payer(&self.claims[j].payer_id, payer))
    }

    /// The latest claim sent with the id of `i` when every claim with that
    /// id was sent to one payer; `None` when several payers have it.
    fn only_one(&self, i: usize) -> Option<usize> {
        let payer = &self.claims[i].payer_id;
        self.chain(i).all(|j| same_payer(&self.claims[j].payer_id, payer)).then_some(i)
    }

    /// The latest claim whose normalized id is `claim_id` normalized.
    pub(super) fn latest(&self, claim_id: &str) -> Option<usize> {
        self.by_id.get(self.claims, claim_id.trim()).map(|i| i as usize)
    }

    /// Finds the sent claim for CLP01 `claim_id` / CLP07 `payer_claim_id`
    /// paid by `payer` (the paying payer's id, `None` when unknown), in the
    /// order of `docs/reconcile.md`: claim id, prefix and payer claim number
    /// among the paying payer's claims, then the claim id alone when exactly
    /// one payer was sent a claim with that id.
    pub(crate) fn find(
        &self,
        claim_id: &str,
        payer_claim_id: &str,
        payer: Option<&str>,
    ) -> (Option<usize>, ClaimRule) {
        let latest = self.latest(claim_id);
        if let Some(payer) = payer {
            if let Some(i) = latest.and_then(|i| self.for_payer(i, payer)) {
                return (Some(i), ClaimRule::ClaimId);
            }
            if let Some(i) = self.prefix(claim_id, payer) {
                return (Some(i), ClaimRule::ClaimIdPrefix);
            }
            let pcn = payer_claim_id.trim();
            if !pcn.is_empty() {
                if let Some(&i) = self.by_payer_claim.get(&payer_claim_key(payer, pcn)) {
                    return (Some(i), ClaimRule::PayerClaimId);
                }
            }
        }
        match latest.and_then(|i| self.only_one(i)) {
            Some(i) => (Some(i), ClaimRule::ClaimIdOnly),
            None => (None, ClaimRule::None),
        }
    }

    /// The one claim of `payer` whose id starts with `claim_id` (at least
    /// [`MIN_PREFIX`] characters).
    fn prefix(&self, claim_id: &str, payer: &str) -> Option<usize> {
        let key = norm(claim_id);
        if key.len() < MIN_PREFIX {
            return None;
        }
        let id = |i: usize| norm_bytes(&self.claims[i].claim_id);
        let sorted = self.sorted.get_or_init(|| {
            let mut v: Vec<usize> = self.by_id.claims().map(|i| i as usize).collect();
            v.par_sort_unstable_by(|&a, &b| id(a).cmp(id(b)));
            v
        });
        let start = sorted.partition_point(|&i| id(i).lt(key.bytes()));
        let mut hits = sorted[start..]
            .iter()
            .take_while(|&&i| id(i).take(key.len()).eq(key.bytes()))
            .filter_map(|&i| self.for_payer(i, payer));
        match (hits.next(), hits.next()) {
            (Some(i), None) => Some(i),
            _ => None,
        }
    }

    /// The payer ids of the sent claims with CLP01 `claim_id` as their id,
    /// distinct, sorted (for a finding when it is ambiguous).
    pub(crate) fn payers_of(&self, claim_id: &str) -> Vec<Text> {
        let mut payers: Vec<Text> = match self.latest(claim_id) {
            Some(i) => self.chain(i).map(|j| self.claims[j].payer_id.clone()).collect(),
            None => Vec::new(),
        };
        payers.sort();
        payers.dedup();
        payers
    }
}

/// Normalized claim id to the latest sent claim with that id: an
/// open-addressed table of one `u64` per slot (32 bits of the id's hash and
/// the claim's index + 1; 0 is an empty slot), at most half full. The ids
/// themselves stay in the sent claims, compared there on a hash match.
///
/// A million claims take 16 MiB of slots, where a map holding the ids took
/// 64 MiB: the lookup of each claim payment's CLP01 touches one slot in a
/// table four times smaller, then the claim it finds (which matching reads
/// next anyway).
#[derive(Debug)]
struct IdTable {
    slots: Vec<u64>,
    /// The number of bits of a slot index (`slots.len() == 1 << bits`).
    bits: u32,
}

/// The hash of a trimmed claim id, upper case (ids are compared
/// case-insensitively). Ids are usually sent in upper case: no copy then.
fn id_hash(trimmed: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = FastHash::default().build_hasher();
    if trimmed.bytes().any(|b| b.is_ascii_lowercase()) {
        h.write(trimmed.to_ascii_uppercase().as_bytes());
    } else {
        h.write(trimmed.as_bytes());
    }
    h.finish()
}

/// Indexes claim `i` of `claims`, whose trimmed id is `id` and whose probe
/// starts at slot `at` of `slots` with `tag`; returns the claim it replaces
/// as the latest with that id.
fn insert_into(
    slots: &mut [u64],
    mut at: usize,
    tag: u64,
    i: u32,
    claims: &[SentClaim],
    id: &str,
) -> Option<u32> {
    let mask = slots.len() - 1;
    loop {
        let slot = slots[at];
        if slot == 0 {
            slots[at] = tag | (u64::from(i) + 1);
            return None;
        }
        let held = (slot & 0xFFFF_FFFF) as u32 - 1;
        if slot & !0xFFFF_FFFF == tag
            && claims[held as usize].claim_id.trim().eq_ignore_ascii_case(id)
        {
            slots[at] = tag | (u64::from(i) + 1);
            return Some(held);
        }
        at = (at + 1) & mask;
    }
}

impl IdTable {
    /// A table for `n` claims, at most half full.
    fn with_capacity(n: usize) -> IdTable {
        let bits = (n.max(4) * 2).next_power_of_two().trailing_zeros();
        IdTable { slots: vec![0; 1 << bits], bits }
    }

    /// The slot a probe for `hash` starts at (Fibonacci hashing spreads
    /// every bit of the hash over the index) and the tag kept in the slot.
    fn start(&self, hash: u64) -> (usize, u64) {
        let mixed = hash.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((mixed >> (64 - self.bits)) as usize, (hash & 0xFFFF_FFFF) << 32)
    }

    /// The latest claim whose trimmed id equals `trimmed`, ignoring case.
    fn get(&self, claims: &[SentClaim], trimmed: &str) -> Option<u32> {
        let (mut at, tag) = self.start(id_hash(trimmed));
        let mask = self.slots.len() - 1;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return None;
            }
            let held = (slot & 0xFFFF_FFFF) as u32 - 1;
            if slot & !0xFFFF_FFFF == tag
                && claims[held as usize].claim_id.trim().eq_ignore_ascii_case(trimmed)
            {
                return Some(held);
            }
            at = (at + 1) & mask;
        }
    }

    /// The claims in the table (the latest of each id), in slot order.
    fn claims(&self) -> impl Iterator<Item = u32> + '_ {
        self.slots.iter().filter(|&&s| s != 0).map(|&s| (s & 0xFFFF_FFFF) as u32 - 1)
    }
}

pub(crate) fn payer_claim_key(payer: &str, payer_claim_id: &str) -> String {
    let mut k = norm(payer);
    k.push('\u{1f}');
    k.push_str(&norm(payer_claim_id));
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::testing::sent;

    #[test]
    fn finds_claims_by_id_prefix_and_payer_number() {
        let mut claims = vec![sent("ABC-000123-X"), sent("abc-000999"), sent("ZZ1")];
        claims[2].payer_claim_id = Some("PCN77".into());
        let ix = ClaimIndex::new(&claims);
        let p = Some("P");
        assert_eq!(ix.find(" abc-000123-x ", "", p), (Some(0), ClaimRule::ClaimId));
        assert_eq!(ix.find("ABC-0001", "", p), (Some(0), ClaimRule::ClaimIdPrefix));
        // Ambiguous prefix: two claims start with ABC-000.
        assert_eq!(ix.find("ABC-000", "", p), (None, ClaimRule::None));
        // Too short to trust as a prefix.
        assert_eq!(ix.find("ZZ", "", p), (None, ClaimRule::None));
        assert_eq!(ix.find("UNKNOWN", "pcn77", p), (Some(2), ClaimRule::PayerClaimId));
        // Another payer's claim number is not this payer's.
        assert_eq!(ix.find("UNKNOWN", "pcn77", Some("Q")), (None, ClaimRule::None));
        // Payer unknown, or not the payer the claim went to: one claim has the id.
        assert_eq!(ix.find("ABC-000123-X", "", None), (Some(0), ClaimRule::ClaimIdOnly));
        assert_eq!(ix.find("ABC-000123-X", "", Some("Q")), (Some(0), ClaimRule::ClaimIdOnly));
    }

    #[test]
    fn every_id_of_a_large_batch_is_found_and_no_other() {
        // Enough ids that probes run past occupied slots; every third sent
        // in lower case with spaces, every fifth sent again (the later wins).
        let mut claims: Vec<SentClaim> =
            (0..20_000)
                .map(|n| {
                    if n % 3 == 0 {
                        sent(&format!(" b{n:09} "))
                    } else {
                        sent(&format!("B{n:09}"))
                    }
                })
                .collect();
        claims.extend((0..20_000).step_by(5).map(|n| sent(&format!("B{n:09}"))));
        claims.push(sent("ZPREFIX-ONLY-1"));
        let ix = ClaimIndex::new(&claims);
        for n in 0..20_000usize {
            let want = if n % 5 == 0 { 20_000 + n / 5 } else { n };
            assert_eq!(ix.latest(&format!("b{n:09}")), Some(want), "id {n}");
            assert_eq!(ix.latest(&format!(" B{n:09}")), Some(want), "id {n}");
        }
        assert_eq!(ix.latest("B000020000"), None);
        assert_eq!(ix.latest("B00000000"), None);
        assert_eq!(ix.latest(""), None);
        // The table lists the latest claim of each id once (prefix matching).
        let mut listed: Vec<usize> = ix.by_id.claims().map(|i| i as usize).collect();
        listed.sort_unstable();
        assert_eq!(listed.len(), 20_001);
        // Ten ids start with B00001999: no prefix match; one with ZPREFIX-ONL.
        assert_eq!(ix.find("B00001999", "", Some("P")), (None, ClaimRule::None));
        assert_eq!(ix.find("zprefix-onl", "", Some("P")), (Some(24_000), ClaimRule::ClaimIdPrefix));
    }

    #[test]
    fn a_claim_id_sent_to_two_payers_matches_by_payer_or_not_at_all() {
        let mut claims = vec![sent("C1"), sent("C1"), sent("C2")];
        claims[1].payer_id = "Q".into();
        let ix = ClaimIndex::new(&claims);
        assert_eq!(ix.find("c1", "", Some("p")), (Some(0), ClaimRule::ClaimId));
        assert_eq!(ix.find("C1", "", Some("Q")), (Some(1), ClaimRule::ClaimId));
        assert_eq!(ix.find("C1", "", None), (None, ClaimRule::None));
        assert_eq!(ix.find("C1", "", Some("R")), (None, ClaimRule::None));
        assert_eq!(ix.payers_of("C1"), vec![Text::new("P"), Text::new("Q")]);
        assert!(ix.payers_of("C3").is_empty());
        // The same id sent twice to one payer is one claim: the later wins.
        let again = vec![sent("C1"), sent("C1")];
        let ix = ClaimIndex::new(&again);
        assert_eq!(ix.find("C1", "", None), (Some(1), ClaimRule::ClaimIdOnly));
        assert_eq!(ix.find("C1", "", Some("P")), (Some(1), ClaimRule::ClaimId));
    }
}
