//! A segment with its elements located once ([`Fields`]): the token that
//! the readers of one set share, so that reading element `n` is an index,
//! not a scan from the start of the segment.
//!
//! The schema walk fills one `Fields` per segment and hands it to every
//! reader of the set (rules, balancing); a reader that tokenizes on its
//! own refills one with [`Fields::load`]. It dereferences to its
//! [`Segment`] (id, position, body, delimiters). It interprets nothing.

use std::borrow::Cow;
use std::ops::Deref;

use super::delim::Delimiters;
use super::error::Position;
use super::segment::{Element, Segment};

/// Elements located per segment; later ones are found by scanning (no
/// segment of the supported guides has more: MIA, the longest, has 24).
pub const MAX_FIELDS: usize = 32;

/// A segment and the bytes of its first [`MAX_FIELDS`] elements.
#[derive(Clone, Debug)]
pub struct Fields<'a> {
    seg: Segment<'a>,
    els: [&'a [u8]; MAX_FIELDS],
    /// Elements in the segment (trailing empty ones included).
    count: usize,
    /// The input the segments are read from, when the reader checked that
    /// it is UTF-8 ([`Fields::set_text`]): elements are then sliced from
    /// it as text ([`Fields::str_of`]) instead of each being checked.
    text: Option<&'a str>,
}

impl Default for Fields<'_> {
    fn default() -> Self {
        let d = Delimiters { element: b'*', component: b':', repetition: None, segment: b'~' };
        Fields {
            seg: Segment { id: b"", body: b"", pos: Position::default(), len: 0, delimiters: d },
            els: [b""; MAX_FIELDS],
            count: 0,
            text: None,
        }
    }
}

impl<'a> Deref for Fields<'a> {
    type Target = Segment<'a>;

    fn deref(&self) -> &Segment<'a> {
        &self.seg
    }
}

impl<'a> Fields<'a> {
    /// `seg` with its elements located.
    pub fn new(seg: &Segment<'a>) -> Fields<'a> {
        let mut f = Fields::default();
        f.load(seg);
        f
    }

    /// Refills the table with `seg`'s elements (reusing it costs less than
    /// building a new one per segment).
    ///
    /// One pass over the body, eight bytes at a time: each word's bytes
    /// equal to the element separator are found at once (an exact SWAR
    /// test), so the cost is per word and per element, not per byte.
    #[inline]
    pub fn load(&mut self, seg: &Segment<'a>) {
        const LO: u64 = 0x0101_0101_0101_0101;
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        self.seg = *seg;
        let body = seg.body;
        if body.is_empty() {
            self.count = 0;
            return;
        }
        let sep = seg.delimiters.element;
        let pattern = LO.wrapping_mul(u64::from(sep));
        // body[0] is the separator before element 1.
        let mut n = 0;
        let mut start = 1;
        let mut i = 1;
        while i + 8 <= body.len() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&body[i..i + 8]);
            let x = u64::from_le_bytes(word) ^ pattern;
            // High bit set in each byte of `x` that is zero (a separator).
            let mut hits = !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
            while hits != 0 {
                let at = i + (hits.trailing_zeros() / 8) as usize;
                self.put(n, &body[start..at]);
                n += 1;
                start = at + 1;
                hits &= hits - 1;
            }
            i += 8;
        }
        for (at, &b) in body.iter().enumerate().skip(i) {
            if b == sep {
                self.put(n, &body[start..at]);
                n += 1;
                start = at + 1;
            }
        }
        self.put(n, &body[start..]);
        self.count = n + 1;
    }

    /// Fills the table with the segment whose id is `input[start..start +
    /// id_len]` and whose body runs to the first `d.segment` after the id
    /// (the segment `Segments::next` would read there, numbered `ordinal`),
    /// finding the element separators and the terminator in the same pass,
    /// eight bytes at a time: the tokenizer's hot path, which otherwise
    /// searches the terminator and then [`Fields::load`] scans the body
    /// again. Returns the terminator's index, or `None` when no terminator
    /// follows in `input` (the table then holds part of a segment).
    ///
    /// For a terminator other than LF (whose CR before it is not part of
    /// the body, which `Segments` handles).
    #[inline(always)]
    pub(crate) fn scan(
        &mut self,
        input: &'a [u8],
        start: usize,
        id_len: usize,
        d: Delimiters,
        ordinal: u32,
    ) -> Option<usize> {
        const LO: u64 = 0x0101_0101_0101_0101;
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        // High bit set in each byte of `x` that is zero (exact).
        let zeros = |x: u64| !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
        let body_start = start + id_len;
        let (sep, term) = (d.element, d.segment);
        let term_at = if *input.get(body_start)? == term {
            self.count = 0;
            body_start
        } else {
            // input[body_start] is the separator before element 1.
            let seps = LO.wrapping_mul(u64::from(sep));
            let terms = LO.wrapping_mul(u64::from(term));
            let mut n = 0;
            let mut el = body_start + 1;
            let mut i = el;
            let term_at = loop {
                if let Some(bytes) = input.get(i..i + 8) {
                    let mut word = [0u8; 8];
                    word.copy_from_slice(bytes);
                    let w = u64::from_le_bytes(word);
                    let mut hits = zeros(w ^ seps);
                    let ends = zeros(w ^ terms);
                    if ends != 0 {
                        // Separators before the terminator only.
                        hits &= (ends & ends.wrapping_neg()) - 1;
                    }
                    while hits != 0 {
                        let at = i + (hits.trailing_zeros() / 8) as usize;
                        self.put(n, &input[el..at]);
                        n += 1;
                        el = at + 1;
                        hits &= hits - 1;
                    }
                    if ends != 0 {
                        break i + (ends.trailing_zeros() / 8) as usize;
                    }
                    i += 8;
                } else {
                    let rest = input.get(i..)?;
                    let end = i + rest.iter().position(|&b| b == term)?;
                    for (at, &b) in input.iter().enumerate().take(end).skip(i) {
                        if b == sep {
                            self.put(n, &input[el..at]);
                            n += 1;
                            el = at + 1;
                        }
                    }
                    break end;
                }
            };
            self.put(n, &input[el..term_at]);
            self.count = n + 1;
            term_at
        };
        self.seg = Segment {
            id: &input[start..body_start],
            body: &input[body_start..term_at],
            pos: Position::new(start as u64, ordinal),
            len: (term_at + 1 - start) as u32,
            delimiters: d,
        };
        Some(term_at)
    }

    #[inline(always)]
    fn put(&mut self, n: usize, el: &'a [u8]) {
        if let Some(slot) = self.els.get_mut(n) {
            *slot = el;
        }
    }

    /// The segment.
    pub fn segment(&self) -> &Segment<'a> {
        &self.seg
    }

    /// Gives the text (already checked as UTF-8) that the segments loaded
    /// next are slices of, or `None`; kept across [`Fields::load`]s.
    pub fn set_text(&mut self, text: Option<&'a str>) {
        self.text = text;
    }

    /// `raw` (an element, or a part of one) as text, when it is a slice of
    /// the text [`Fields::set_text`] gave: `None` when no text was given,
    /// when `raw` lies outside it, or when its ends are not character
    /// boundaries (a separator that is not ASCII). An empty `raw` is "".
    #[inline]
    pub fn str_of(&self, raw: &'a [u8]) -> Option<&'a str> {
        let text = self.text?;
        if raw.is_empty() {
            return Some("");
        }
        // Addresses only: a slice that starts inside `text`'s bytes is
        // part of them, so this never reads other memory.
        let at = (raw.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
        text.get(at..at.checked_add(raw.len())?)
    }

    /// The bytes of element `n` (1-based), empty when absent.
    #[inline]
    pub fn get(&self, n: usize) -> &'a [u8] {
        if n == 0 || n > self.count {
            b""
        } else if n <= MAX_FIELDS {
            self.els[n - 1]
        } else {
            self.seg.element(n).raw
        }
    }

    /// Element `n` (1-based); an empty element when it is absent.
    #[inline]
    pub fn element(&self, n: usize) -> Element<'a> {
        Element::new(self.get(n), self.seg.delimiters)
    }

    /// Number of elements present (trailing empty ones included).
    pub fn element_count(&self) -> usize {
        self.count
    }

    /// The elements in order (element 1 first).
    pub fn elements(&self) -> impl Iterator<Item = Element<'a>> + '_ {
        (1..=self.count).map(move |n| self.element(n))
    }

    /// Element `n` (1-based) as text, lossily decoded and not trimmed.
    pub fn str(&self, n: usize) -> Cow<'a, str> {
        String::from_utf8_lossy(self.get(n))
    }

    /// Component `m` of element `n` (both 1-based), empty when absent.
    pub fn component(&self, n: usize, m: usize) -> &'a [u8] {
        self.element(n).component(m)
    }

    /// Element `n`, component `m` (both 1-based) as text.
    pub fn component_str(&self, n: usize, m: usize) -> Cow<'a, str> {
        String::from_utf8_lossy(self.component(n, m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12::Segments;

    #[test]
    fn elements_of_the_given_text_are_its_slices_and_nothing_else_is() {
        let input = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~NM1*QC*1*M\u{fc}LLER* Jos\u{e9} **~SVC*HC:99213:25*100*\u{20ac}5~N3~IEA*1*000000001~";
        let mut f = Fields::default();
        f.set_text(Some(input));
        let other = "NM1*QC*1*M\u{fc}LLER~".to_string();
        for seg in Segments::new(input.as_bytes()).flatten() {
            f.load(&seg);
            for n in 0..12 {
                let want = std::str::from_utf8(f.get(n)).ok();
                assert_eq!(f.str_of(f.get(n)), want, "{} {n}", seg.id_str());
                for m in 1..4 {
                    let part = f.component(n, m);
                    assert_eq!(f.str_of(part), std::str::from_utf8(part).ok());
                }
            }
            // Bytes of another buffer are not sliced from the text.
            assert_eq!(f.str_of(&other.as_bytes()[4..6]), None);
        }
        // Without a text, nothing is given as text.
        let mut plain = Fields::default();
        for seg in Segments::new(input.as_bytes()).flatten() {
            plain.load(&seg);
            assert_eq!(plain.str_of(plain.get(1)), None);
        }
        // A separator that is not a character boundary: the slice is refused.
        let text = "AB\u{e9}CD";
        let mut f = Fields::default();
        f.set_text(Some(text));
        assert_eq!(f.str_of(&text.as_bytes()[2..3]), None);
        assert_eq!(f.str_of(&text.as_bytes()[2..4]), Some("\u{e9}"));
    }

    #[test]
    fn fields_agree_with_the_segment_on_every_element() {
        let long = format!("ZZ{}~", "*x".repeat(40));
        let input = format!(
            "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~NM1*85*2*X*****XX*1234567893~N3~HI*ABK:E119*ABF:I10~DTP*472**~{long}IEA*1*000000001~"
        );
        let mut f = Fields::default();
        for seg in Segments::new(input.as_bytes()).flatten() {
            f.load(&seg);
            assert_eq!(f.element_count(), seg.element_count(), "{}", seg.id_str());
            assert!(f.elements().eq(seg.elements()), "{}", seg.id_str());
            for n in 0..45 {
                assert_eq!(f.element(n), seg.element(n), "{} {n}", seg.id_str());
                for m in 0..3 {
                    assert_eq!(f.component(n, m), seg.element(n).component(m));
                }
            }
            assert_eq!(f.pos, seg.pos);
        }
    }

    proptest::proptest! {
        #[test]
        fn fields_agree_with_the_segment_on_any_body(body in proptest::collection::vec(
            proptest::sample::select(b"**:^A1 +)".to_vec()), 0..90)) {
            let body = [b"*".as_slice(), &body].concat();
            let d = Delimiters { element: b'*', component: b':', repetition: Some(b'^'), segment: b'~' };
            for b in [&body[..], &body[..body.len().min(1)], &[][..]] {
                let seg = Segment { id: b"ZZ", body: b, pos: Position::default(), len: 0, delimiters: d };
                let f = Fields::new(&seg);
                proptest::prop_assert_eq!(f.element_count(), seg.element_count());
                proptest::prop_assert!(f.elements().eq(seg.elements()));
            }
        }
    }
}
