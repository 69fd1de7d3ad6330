//! Lookup indices over the generated tables, built once on first use
//! (`OnceLock`) so the walker places a segment and checks a code without
//! scanning: each loop's children by segment id and its required children,
//! each code list as sorted numbers (codes of up to 7 bytes packed into a
//! `u64`) for binary search, each segment use's qualifier list. It adds no facts to
//! the tables and does not read X12.

use std::sync::OnceLock;

use super::model::{Codes, Node, SegDef, Ty, Usage};
use super::tables::{CODES, LOOPS, SEGS};

/// The indices of all guides.
pub(super) struct Index {
    /// Every segment id the tables use, numbered 1, 2, 3... (0: none), by
    /// [`slot`] of the id.
    dense: Box<[u16]>,
    /// How many ids `dense` numbers, plus one.
    ids: usize,
    /// Per loop and id number (`loop * ids + number`): where its children
    /// with that segment id (a loop child has its trigger's id) are in
    /// `cands`, as (start, count).
    ranges: Box<[(u32, u16)]>,
    /// Child indices, grouped by loop and id number, in guide order.
    cands: Box<[u16]>,
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
    /// Per segment use: its free elements, see [`Index::free_elements`].
    free: Vec<u32>,
}

/// The indices, built on first use.
pub(super) fn index() -> &'static Index {
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX.get_or_init(build)
}

/// A 2-3 character segment id of letters and digits as a number below
/// 37³ (None for any other id).
#[inline]
fn slot(id: &[u8]) -> Option<usize> {
    let c = |b: u8| match b {
        b'0'..=b'9' => Some(usize::from(b - b'0')),
        b'A'..=b'Z' => Some(usize::from(b - b'A') + 10),
        _ => None,
    };
    match *id {
        [a, b] => Some((c(a)? * 37 + c(b)?) * 37 + 36),
        [a, b, d] => Some((c(a)? * 37 + c(b)?) * 37 + c(d)?),
        _ => None,
    }
}

/// The segment id a packed id (`packed_id`) was made from.
fn unpack_id(p: u32) -> Vec<u8> {
    p.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect()
}

fn build() -> Index {
    let mut dense = vec![0u16; 37 * 37 * 37].into_boxed_slice();
    let mut ids = 1usize;
    for l in LOOPS.iter() {
        for &p in l.ids {
            if let Some(s) = slot(&unpack_id(p)) {
                if dense[s] == 0 {
                    dense[s] = ids as u16;
                    ids += 1;
                }
            }
        }
    }
    let mut ranges = vec![(0u32, 0u16); LOOPS.len() * ids];
    let mut cands = Vec::new();
    for (li, l) in LOOPS.iter().enumerate() {
        let mut v: Vec<(u16, u16)> = l
            .ids
            .iter()
            .enumerate()
            .filter_map(|(j, &p)| Some((dense[slot(&unpack_id(p))?], j as u16)))
            .collect();
        v.sort_unstable();
        for (d, j) in v {
            let r = &mut ranges[li * ids + usize::from(d)];
            if r.1 == 0 {
                r.0 = cands.len() as u32;
            }
            r.1 += 1;
            cands.push(j);
        }
    }
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
    // A free element: simple, used, and checked for type and length only.
    let free = SEGS
        .iter()
        .map(|d| {
            d.elements.iter().take(31).enumerate().fold(0u32, |m, (k, e)| {
                let free =
                    e.ty != Ty::Composite && e.usage != Usage::UN && matches!(e.codes, Codes::Any);
                if free {
                    m | 1 << (k + 1)
                } else {
                    m
                }
            })
        })
        .collect();
    Index {
        dense,
        ids,
        ranges: ranges.into_boxed_slice(),
        cands: cands.into_boxed_slice(),
        codes,
        packed,
        required,
        keys,
        free,
    }
}

/// A code of up to 7 bytes as a number: its bytes big-endian, then its
/// length (so no two codes share a number); None when longer.
#[inline]
pub(super) fn pack(v: &[u8]) -> Option<u64> {
    if v.len() > 7 {
        return None;
    }
    Some(v.iter().fold(0u64, |n, &b| n << 8 | u64::from(b)) << 8 | v.len() as u64)
}

impl Index {
    /// The number of segment id `id` (0 when no guide uses it), for
    /// [`Index::children_with`].
    #[inline]
    pub(super) fn id_number(&self, id: &[u8]) -> u16 {
        slot(id).map_or(0, |s| self.dense[s])
    }

    /// The indices of the children of loop `l` whose segment id has
    /// number `n` (see [`Index::id_number`]), in guide order.
    #[inline]
    pub(super) fn children_with(&self, l: u16, n: u16) -> &[u16] {
        if n == 0 {
            return &[];
        }
        let Some(&(start, len)) = self.ranges.get(usize::from(l) * self.ids + usize::from(n))
        else {
            return &[];
        };
        let start = start as usize;
        self.cands.get(start..start + usize::from(len)).unwrap_or(&[])
    }

    /// True when `v` is in code list `list` (false for an unknown list).
    #[inline]
    pub(super) fn in_list(&self, list: u16, v: &[u8]) -> bool {
        self.in_list_packed(list, pack(v), v)
    }

    /// [`Index::in_list`] with `v` already packed (`packed` is `pack(v)`).
    #[inline(always)]
    pub(super) fn in_list_packed(&self, list: u16, packed: Option<u64>, v: &[u8]) -> bool {
        match self.packed.get(list as usize) {
            // Most lists (qualifiers) are short: a scan beats a search, and
            // it is done in place (the walk asks for a qualifier's list or
            // two per segment).
            Some(Some(p)) if p.len() <= 16 => packed.is_some_and(|k| p.contains(&k)),
            _ => self.in_long_list(list, packed, v),
        }
    }

    /// [`Index::in_list_packed`] for a list of more than 16 codes, or of
    /// codes too long to pack: a binary search.
    #[inline(never)]
    fn in_long_list(&self, list: u16, packed: Option<u64>, v: &[u8]) -> bool {
        match self.packed.get(list as usize) {
            Some(Some(p)) => packed.is_some_and(|k| p.binary_search(&k).is_ok()),
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

    /// The free elements of segment use `def` (one of the tables'): bit n
    /// set when its element n (1 to 31) is a simple element of a used
    /// element whose only checks are its type and length (no code list,
    /// pattern or external code set). 0 for a `SegDef` not in the tables.
    #[inline]
    pub(super) fn free_elements(&self, def: &SegDef) -> u32 {
        let offset = (def as *const SegDef as usize).wrapping_sub(SEGS.as_ptr() as usize);
        let i = offset / std::mem::size_of::<SegDef>();
        if offset % std::mem::size_of::<SegDef>() != 0 {
            return 0;
        }
        self.free.get(i).copied().unwrap_or(0)
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
                let n = ix.id_number(&unpack_id(def.ids[j]));
                assert!(n > 0, "loop {} child {j}", def.id);
                let with = ix.children_with(l as u16, n);
                assert!(with.contains(&(j as u16)), "loop {} child {j}", def.id);
                assert!(with.iter().all(|&k| def.ids[usize::from(k)] == def.ids[j]));
                assert!(with.windows(2).all(|w| w[0] < w[1]), "guide order");
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
        assert_eq!(ix.id_number(b"ZZZ"), 0);
        assert_eq!(ix.id_number(b"a1"), 0);
        assert!(ix.children_with(0, 0).is_empty());
    }
}
