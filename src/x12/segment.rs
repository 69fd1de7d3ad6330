//! A borrowed X12 segment and access to its elements, components and repetitions.
//!
//! A [`Segment`] is a view into the input buffer: nothing is copied or
//! allocated when a segment is lexed. Element numbers are 1-based as in the
//! implementation guides (`NM1*85*2` has element 1 = `85`). Reading an element
//! past the end gives an empty slice, as X12 treats a missing trailing element
//! like an empty one. This module does not interpret any segment.

use std::borrow::Cow;

use super::delim::Delimiters;
use super::error::Position;
use super::lex::find_byte;

/// One segment, borrowed from the input.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct Segment<'a> {
    /// The segment id, e.g. `b"CLM"` (2 or 3 ASCII letters/digits).
    pub id: &'a [u8],
    /// Everything after the id up to (not including) the terminator: empty,
    /// or starting with the element separator.
    pub body: &'a [u8],
    /// Where the segment's id starts.
    pub pos: Position,
    /// Length in bytes from the id to the terminator, terminator included.
    pub len: u32,
    /// The delimiters in force for this segment.
    pub delimiters: Delimiters,
}

impl<'a> Segment<'a> {
    /// The segment id as text (ids are ASCII alphanumerics by construction).
    pub fn id_str(&self) -> &'a str {
        // Safe because the lexer only accepts ASCII alphanumeric ids.
        std::str::from_utf8(self.id).unwrap_or("?")
    }

    /// True when the id is `id`.
    pub fn is(&self, id: &str) -> bool {
        self.id == id.as_bytes()
    }

    /// The elements after the id, in order (element 1 first).
    pub fn elements(&self) -> Elements<'a> {
        Elements {
            rest: if self.body.is_empty() { None } else { Some(&self.body[1..]) },
            sep: self.delimiters.element,
            delimiters: self.delimiters,
        }
    }

    /// Number of elements present (trailing empty ones included).
    pub fn element_count(&self) -> usize {
        if self.body.is_empty() {
            0
        } else {
            memchr::memchr_iter(self.delimiters.element, self.body).count()
        }
    }

    /// Element `n` (1-based); an empty element when it is absent.
    pub fn element(&self, n: usize) -> Element<'a> {
        self.elements()
            .nth(n.wrapping_sub(1))
            .unwrap_or(Element { raw: b"", delimiters: self.delimiters })
    }

    /// Element `n` (1-based) as text, lossily decoded and not trimmed.
    pub fn str(&self, n: usize) -> Cow<'a, str> {
        String::from_utf8_lossy(self.element(n).raw)
    }

    /// Element `n`, component `m` (both 1-based) as text.
    pub fn component_str(&self, n: usize, m: usize) -> Cow<'a, str> {
        String::from_utf8_lossy(self.element(n).component(m))
    }
}

/// An element (or repeated element) of a segment.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct Element<'a> {
    /// The element's bytes, components and repetitions unsplit.
    pub raw: &'a [u8],
    delimiters: Delimiters,
}

impl<'a> Element<'a> {
    /// An element of `raw` bytes read with `delimiters`.
    pub(crate) fn new(raw: &'a [u8], delimiters: Delimiters) -> Element<'a> {
        Element { raw, delimiters }
    }

    /// True when the element is empty.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The element as text (lossy UTF-8).
    pub fn as_str(&self) -> Cow<'a, str> {
        String::from_utf8_lossy(self.raw)
    }

    /// Components split by the component separator (one item when there is none).
    pub fn components(&self) -> impl Iterator<Item = &'a [u8]> {
        let c = self.delimiters.component;
        self.raw.split(move |&b| b == c)
    }

    /// Component `m` (1-based), empty when absent.
    pub fn component(&self, m: usize) -> &'a [u8] {
        self.components().nth(m.wrapping_sub(1)).unwrap_or(b"")
    }

    /// True when the element holds the repetition separator (two or more repetitions).
    pub fn is_repeated(&self) -> bool {
        self.delimiters.repetition.is_some_and(|r| self.raw.contains(&r))
    }

    /// Repetitions split by the repetition separator (one item when none is in force).
    pub fn repetitions(&self) -> Vec<Element<'a>> {
        match self.delimiters.repetition {
            Some(r) => self
                .raw
                .split(|&b| b == r)
                .map(|raw| Element { raw, delimiters: self.delimiters })
                .collect(),
            None => vec![*self],
        }
    }
}

/// Iterator over a segment's elements.
#[derive(Clone, Debug)]
pub struct Elements<'a> {
    rest: Option<&'a [u8]>,
    sep: u8,
    delimiters: Delimiters,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Element<'a>;

    fn next(&mut self) -> Option<Element<'a>> {
        let rest = self.rest?;
        match find_byte(self.sep, rest) {
            Some(i) => {
                self.rest = Some(&rest[i + 1..]);
                Some(Element { raw: &rest[..i], delimiters: self.delimiters })
            }
            None => {
                self.rest = None;
                Some(Element { raw: rest, delimiters: self.delimiters })
            }
        }
    }
}
