//! Lookup indices over the generated tables, built once on first use
//! (`OnceLock`) so the walker places a segment and checks a code without
//! scanning: each loop's children by segment id and its required children,
//! each code list as sorted numbers (codes of up to 7 bytes packed into a
//! `u64`) for binary search, each segment use's qualifier list. It adds no facts to
//! the tables and does not read X12.

use std::sync::OnceLock;

use super::model::{Codes, Node, Usage};
use super::tables::{CODES, LOOPS, SEGS};

/// The indices of all guides.
pub(super) struct Index {
    /// Per loop (index into `LOOPS`): (packed segment id, child index)
    /// sorted, from `LoopDef::ids` (a loop child has its trigger's id).
    children: Vec<Box<[(u32, u16)]>>,
    /// Per code list (index into `CODES`): its codes sorted as bytes.
    codes: Vec<Box<[&'static [u8]]>>,
    /// Per code list: its codes packed by [`pack`] and sorted, when every
    /// code of the list is short enough to pack.
    packed: Vec<Option<Box<[u64]>>>,
    /// Per loop: the indices of its required children (segments and
    /// loops of usage R), in guide order.
    required: Vec<Box<[u16]>>,
    /// Per segment use (index into `SEGS`): the code list of its
    /// qualifier, when it has one (see `SegDef::key`).
    keys: Vec<Option<u16>>,
}

/// The indices, built on first use.
pub(super) fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build)
}

fn build() -> Index {
    let children = LOOPS
        .iter()
        .map(|l| {
            let mut v: Vec<(u32, u16)> =
                l.ids.iter().enumerate().map(|(j, &id)| (id, j as u16)).collect();
            v.sort_unstable();
            v.into_boxed_slice()
        })
        .collect();
    let codes = CODES
        .iter()
        .map(|list| {
            let mut v: Vec<&'static [u8]> = list.iter().map(|c| c.as_bytes()).collect();
            v.sort_unstable();
            v.into_boxed_slice()
        })
        .collect();
    let packed = CODES
        .iter()
        .map(|list| {
            let mut v = list.iter().map(|c| pack(c.as_bytes())).collect::<Option<Vec<u64>>>()?;
            v.sort_unstable();
            Some(v.into_boxed_slice())
        })
        .collect();
    let required = LOOPS
        .iter()
        .map(|l| {
            let usage = |n: &Node| match *n {
                Node::S(i, _) => SEGS.get(i as usize).map(|d| d.usage),
                Node::L(i, _) => LOOPS.get(i as usize).map(|d| d.usage),
            };
            l.children
                .iter()
                .enumerate()
                .filter(|(_, n)| usage(n) == Some(Usage::UR))
                .map(|(j, _)| j as u16)
                .collect()
        })
        .collect();
    let keys = SEGS
        .iter()
        .map(|d| {
            let (el, comp) = d.key;
            let e = d.elements.get((el as usize).wrapping_sub(1))?;
            let e = if comp == 0 { e } else { e.components.get(comp as usize - 1).unwrap_or(e) };
            match e.codes {
                Codes::List(i) => Some(i),
                _ => None,
            }
        })
        .collect();
    Index { children, codes, packed, required, keys }
}

/// A code of up to 7 bytes as a number: its bytes big-endian, then its
/// length (so no two codes share a number); None when longer.
#[inline]
fn pack(v: &[u8]) -> Option<u64> {
    if v.len() > 7 {
        return None;
    }
    Some(v.iter().fold(0u64, |n, &b| n << 8 | u64::from(b)) << 8 | v.len() as u64)
}

impl Index {
    /// The children of loop `l` whose segment id is `id` (packed), as
    /// (id, child index) in guide order.
    #[inline]
    pub(super) fn children_with(&self, l: u16, id: u32) -> &[(u32, u16)] {
        let Some(v) = self.children.get(l as usize) else { return &[] };
        let lo = v.partition_point(|&(i, _)| i < id);
        let n = v[lo..].partition_point(|&(i, _)| i == id);
        &v[lo..lo + n]
    }

    /// True when `v` is in code list `list` (false for an unknown list).
    #[inline]
    pub(super) fn in_list(&self, list: u16, v: &[u8]) -> bool {
        match self.packed.get(list as usize) {
            Some(Some(p)) => pack(v).is_some_and(|k| p.binary_search(&k).is_ok()),
            _ => self.codes.get(list as usize).is_some_and(|c| c.binary_search(&v).is_ok()),
        }
    }

    /// The indices of loop `l`'s required children, in guide order.
    #[inline]
    pub(super) fn required(&self, l: u16) -> &[u16] {
        self.required.get(l as usize).map_or(&[], |r| r)
    }

    /// The qualifier code list of segment use `seg`, if it has one.
    #[inline]
    pub(super) fn key_list(&self, seg: u16) -> Option<u16> {
        self.keys.get(seg as usize).copied().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_child_is_found_by_its_id_and_lists_by_their_codes() {
        let ix = index();
        for (l, def) in LOOPS.iter().enumerate() {
            for (j, _) in def.children.iter().enumerate() {
                let id = def.ids[j];
                assert!(
                    ix.children_with(l as u16, id).iter().any(|&(_, k)| k as usize == j),
                    "loop {} child {j}",
                    def.id
                );
            }
        }
        for (i, list) in CODES.iter().enumerate() {
            for c in list.iter() {
                assert!(ix.in_list(i as u16, c.as_bytes()), "{c} in list {i}");
            }
            assert!(!ix.in_list(i as u16, b"not a code"));
            assert!(!ix.in_list(i as u16, b"Q\0"));
            assert!(!ix.in_list(i as u16, b""));
        }
        assert!(!ix.in_list(u16::MAX, b"A"));
    }
}
