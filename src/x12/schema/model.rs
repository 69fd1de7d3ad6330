//! The shape of a guide as data: loops, segments, elements, composites,
//! code lists and syntax notes. Plain `'static` structs filled by the
//! generated `tables.rs`; nothing here reads X12 or knows a guide.

/// How a guide uses a loop, segment or element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// Required.
    UR,
    /// Situational: used when the guide's condition holds.
    US,
    /// Not used: must not be sent.
    UN,
}

/// An element's X12 data type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// Alphanumeric text.
    AN,
    /// An identifier from a code list.
    ID,
    /// A date (CCYYMMDD, or YYMMDD when 6 long).
    DT,
    /// A time (HHMM, HHMMSS, HHMMSSD, HHMMSSDD).
    TM,
    /// A decimal number (`R`).
    RN,
    /// An integer (`N0`).
    N0,
    /// A number with one implied decimal (`N1`).
    N1,
    /// A number with two implied decimals (`N2`).
    N2,
    /// A composite (its components are described in `components`).
    Composite,
}

impl Ty {
    /// The X12 name of the type (`AN`, `R`, `N0`...).
    pub fn name(self) -> &'static str {
        match self {
            Ty::AN => "AN",
            Ty::ID => "ID",
            Ty::DT => "DT",
            Ty::TM => "TM",
            Ty::RN => "R",
            Ty::N0 => "N0",
            Ty::N1 => "N1",
            Ty::N2 => "N2",
            Ty::Composite => "composite",
        }
    }
}

/// A code list kept outside the guide. Lists shipped with the tables carry
/// their index in `CODES`; the others are checked above the x12 layer (or
/// not at all) through [`ExternalCodes`](super::ExternalCodes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ext {
    /// US states, territories, military "states" and Canadian provinces.
    State,
    /// ISO 3166 country codes.
    Country,
    /// ISO 4217 currency codes.
    Currency,
    /// CMS place of service codes.
    PlaceOfService,
    /// Remittance advice remark codes (RARC).
    Rarc,
    /// Claim status codes (277).
    ClaimStatus,
    /// Claim status category codes (277).
    ClaimStatusCategory,
    /// Entity identifier codes (277).
    EntityId,
}

impl Ext {
    /// The list's name in findings.
    pub fn name(self) -> &'static str {
        match self {
            Ext::State => "US state or province codes",
            Ext::Country => "country codes",
            Ext::Currency => "currency codes",
            Ext::PlaceOfService => "place of service codes",
            Ext::Rarc => "remittance advice remark codes (RARC)",
            Ext::ClaimStatus => "claim status codes",
            Ext::ClaimStatusCategory => "claim status category codes",
            Ext::EntityId => "entity identifier codes",
        }
    }
}

/// A value pattern the guide states for an element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Exactly nine digits (an EIN, a ZIP+4).
    Digits9,
}

/// The values an element may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codes {
    /// Any value of its type and length.
    Any,
    /// One of a guide's code lists (index into `CODES`).
    List(u16),
    /// An external list (index into `CODES` when shipped, `u16::MAX` when not).
    External(Ext, u16),
    /// A pattern.
    Pattern(Pattern),
}

/// One element (or component) of a segment as the guide uses it.
#[derive(Debug)]
pub struct ElemDef {
    /// Position in its segment (or composite), 1-based.
    pub seq: u8,
    /// Required, situational or not used.
    pub usage: Usage,
    /// Data type.
    pub ty: Ty,
    /// Minimum length (digits only for numbers).
    pub min: u8,
    /// Maximum length (digits only for numbers).
    pub max: u16,
    /// Allowed values.
    pub codes: Codes,
    /// The guide's name of the element.
    pub name: &'static str,
    /// Components of a composite (empty for a simple element).
    pub components: &'static [ElemDef],
}

/// A simple element (used by the generated tables).
pub const fn e(
    seq: u8,
    usage: Usage,
    ty: Ty,
    min: u8,
    max: u16,
    codes: Codes,
    name: &'static str,
) -> ElemDef {
    ElemDef { seq, usage, ty, min, max, codes, name, components: &[] }
}

/// A composite element (used by the generated tables).
pub const fn c(
    seq: u8,
    usage: Usage,
    name: &'static str,
    components: &'static [ElemDef],
) -> ElemDef {
    ElemDef { seq, usage, ty: Ty::Composite, min: 0, max: 0, codes: Codes::Any, name, components }
}

/// The X12 syntax notes on a segment's elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyntaxKind {
    /// P, paired: all or none present.
    SynP,
    /// R, required: at least one present.
    SynR,
    /// C, conditional: when the first is present, all others are.
    SynC,
    /// L, list conditional: when the first is present, one of the others is.
    SynL,
    /// E, exclusion: at most one present.
    SynE,
}

impl SyntaxKind {
    /// The note's letter.
    pub fn letter(self) -> char {
        match self {
            SyntaxKind::SynP => 'P',
            SyntaxKind::SynR => 'R',
            SyntaxKind::SynC => 'C',
            SyntaxKind::SynL => 'L',
            SyntaxKind::SynE => 'E',
        }
    }
}

/// One segment as a guide uses it in one place.
#[derive(Debug)]
pub struct SegDef {
    /// Segment id, e.g. `NM1`.
    pub id: &'static str,
    /// The guide's name for this use of it.
    pub name: &'static str,
    /// Required, situational or not used.
    pub usage: Usage,
    /// Times it may repeat at this place (0 = unbounded).
    pub max_use: u32,
    /// The element (and component, 0 = none) whose value tells this use of
    /// the segment from others with the same id (e.g. REF01); (0, 0) = none.
    pub key: (u8, u8),
    /// Syntax notes: kind and element positions.
    pub syntax: &'static [(SyntaxKind, &'static [u8])],
    /// Elements in order.
    pub elements: &'static [ElemDef],
}

/// A child of a loop: a segment or a loop (index into `SEGS` / `LOOPS`),
/// with its position number in the guide (in a set's root loop, preceded
/// by its table number: 1xxxx header, 2xxxx detail..., 9xxxx SE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Node {
    /// A segment: index in `SEGS`, position.
    S(u16, u32),
    /// A loop: index in `LOOPS`, position.
    L(u16, u32),
}

impl Node {
    /// The guide's position number.
    pub fn pos(self) -> u32 {
        match self {
            Node::S(_, p) | Node::L(_, p) => p,
        }
    }
}

/// One loop of a guide. A guide's transaction set is its root loop (id `ST_LOOP`).
#[derive(Debug)]
pub struct LoopDef {
    /// Loop id, e.g. `2010AA`.
    pub id: &'static str,
    /// The guide's name for the loop.
    pub name: &'static str,
    /// Required, situational or not used.
    pub usage: Usage,
    /// Times it may repeat (0 = unbounded).
    pub repeat: u32,
    /// Segments and loops in guide order; the first is the trigger segment.
    pub children: &'static [Node],
    /// The segment id of each child (a loop's: its trigger's), packed by
    /// `packed_id`, for a quick first test when placing a segment.
    pub ids: &'static [u32],
}

/// A segment id as a number: its 2-3 bytes, big-endian.
#[inline]
pub fn packed_id(id: &[u8]) -> u32 {
    id.iter().fold(0u32, |n, &b| n << 8 | u32::from(b))
}

/// One implementation guide.
#[derive(Debug)]
pub struct Guide {
    /// Version as GS08 / ST03 give it, e.g. `005010X222A1`.
    pub version: &'static str,
    /// ST01 of its sets.
    pub st01: &'static str,
    /// Short name (`837P`, `835`...).
    pub short: &'static str,
    /// The guide's title.
    pub name: &'static str,
    /// The pyx12 map it was generated from.
    pub source: &'static str,
    /// Index of its root loop in `LOOPS`.
    pub root: u16,
    /// True when the tables hold the guide's structure only (loops,
    /// segments and the qualifiers that place them), taken from a map of
    /// an earlier version: element usage, codes and repeats are not checked.
    pub structure_only: bool,
}
