//! Findings: the one diagnostic type of the crate. Every problem a reader,
//! a checker or a rule reports (an X12 envelope error, an 835 that does not
//! balance, a CSV row with a bad NPI, a claim changed after it was sent) is a
//! [`Finding`]: a stable rule id from the catalogue, a [`Severity`], a plain
//! message without PHI, and where it is (file, X12 position, CSV row and
//! column, claim), each part present only when it applies.
//!
//! Its `Display` is the printed line (`FILE:WHERE: [warning: ]MESSAGE
//! [RULE]`), its serde form the `--json` shape, and [`rejects_csv`] writes
//! `rejects.csv` with the same field names. This module decides nothing and
//! imports nothing from the rest of the crate, so every layer (`x12`
//! included) can use it.

use std::fmt;

use serde::Serialize;

/// The rule of a file that could not be read at all ([`Finding::unreadable`]).
pub const UNREADABLE: &str = "FILE-UNREADABLE";

/// Where something is in an X12 stream.
///
/// `byte` starts at 0 and counts from the start of the file; `segment` starts
/// at 1 and counts every segment of the file (across interchanges). A
/// `segment` of 0 means "before the first segment" (e.g. a file too short to
/// hold an ISA).
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, Ord, PartialOrd, Hash, Serialize)]
pub struct Position {
    /// Byte offset from the start of the input, 0-based.
    pub byte: u64,
    /// Segment ordinal in the input, 1-based (0 = no segment yet).
    pub segment: u32,
}

impl Position {
    /// A position at `byte`, in segment `segment`.
    pub fn new(byte: u64, segment: u32) -> Position {
        Position { byte, segment }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "segment {} (byte {})", self.segment, self.byte)
    }
}

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The claim is held back; the file is not valid; a receiver would
    /// reject it.
    Error,
    /// Worth knowing; the claim goes, the file is accepted.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in an input.
///
/// Empty strings, a `row` of 0 and a `pos` of `None` mean "does not apply";
/// they are left out of the JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule id from the catalogue, e.g. `X12-SE01`, `835-BAL-CLP`,
    /// `E-NPI-001`.
    pub rule: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong and what to do, in plain language, without PHI (no
    /// names, dates of birth, member ids or addresses).
    pub message: String,
    /// The input file as named by the caller.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub file: String,
    /// Where in an X12 input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pos: Option<Position>,
    /// Id of the X12 segment concerned.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub segment_id: String,
    /// 1-based row of a CSV input (header = row 1); 0 when not tied to a row.
    #[serde(skip_serializing_if = "is_zero")]
    pub row: u64,
    /// The CSV column as named in the input file's header.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub column: String,
    /// The claim (CLM01 / claim_id) concerned.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub claim_id: String,
    /// WEDI SNIP level of the check (1 syntax and envelopes, 2 guide
    /// requirements, 3 balancing, 4 situational rules, 5 external code
    /// sets); 0 when the finding is not about an X12 file's conformance.
    #[serde(skip_serializing_if = "is_zero_u8")]
    pub snip: u8,
    /// The guide's loop id (e.g. `2310A`, `ST_LOOP` for the set's header).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub loop_id: &'static str,
    /// The element concerned, e.g. `CLM06`, `SV101-2`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub element: String,
    /// What the guide (or rule) expects there.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub expected: String,
    /// What was found instead.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub found: String,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_zero_u8(n: &u8) -> bool {
    *n == 0
}

impl Finding {
    /// A finding with no location yet.
    pub fn new(rule: &'static str, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            rule,
            severity,
            message: message.into(),
            file: String::new(),
            pos: None,
            segment_id: String::new(),
            row: 0,
            column: String::new(),
            claim_id: String::new(),
            snip: 0,
            loop_id: "",
            element: String::new(),
            expected: String::new(),
            found: String::new(),
        }
    }

    /// The same finding with its SNIP level.
    pub fn snip(mut self, level: u8) -> Finding {
        self.snip = level;
        self
    }

    /// The same finding in a guide loop.
    pub fn in_loop(mut self, loop_id: &'static str) -> Finding {
        self.loop_id = loop_id;
        self
    }

    /// The same finding about an element, with what was expected and found.
    pub fn element(
        mut self,
        element: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Finding {
        self.element = element.into();
        self.expected = expected.into();
        self.found = found.into();
        self
    }

    /// A file that could not be read at all (missing, not readable, not the
    /// kind of file the command reads): rule [`UNREADABLE`], an error whose
    /// message starts with `unreadable: `, the same word in every command.
    pub fn unreadable(file: impl Into<String>, reason: impl fmt::Display) -> Finding {
        Finding::new(UNREADABLE, Severity::Error, format!("unreadable: {reason}")).in_file(file)
    }

    /// An error at an X12 position, in segment `segment_id`.
    pub fn error(pos: Position, segment_id: &str, rule: &'static str, message: String) -> Finding {
        Finding::new(rule, Severity::Error, message).at(pos, segment_id)
    }

    /// A warning at an X12 position, in segment `segment_id`.
    pub fn warning(
        pos: Position,
        segment_id: &str,
        rule: &'static str,
        message: String,
    ) -> Finding {
        Finding::new(rule, Severity::Warning, message).at(pos, segment_id)
    }

    /// The same finding at an X12 position.
    pub fn at(mut self, pos: Position, segment_id: &str) -> Finding {
        self.pos = Some(pos);
        self.segment_id = segment_id.to_string();
        self
    }

    /// The same finding in `file`.
    pub fn in_file(mut self, file: impl Into<String>) -> Finding {
        self.file = file.into();
        self
    }

    /// The same finding at a CSV row (1-based, header = 1) and column.
    pub fn at_row(mut self, row: u64, column: impl Into<String>) -> Finding {
        self.row = row;
        self.column = column.into();
        self
    }

    /// The same finding about a claim.
    pub fn for_claim(mut self, claim_id: impl Into<String>) -> Finding {
        self.claim_id = claim_id.into();
        self
    }

    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The printed line: `FILE:WHERE: [warning: ]MESSAGE [RULE]`, where WHERE is
/// `segment N (byte B)` in X12 input, `row R` (with `column C`) in CSV input,
/// and `claim ID` is added when the finding names a claim the position does
/// not. Parts that do not apply are left out.
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if let Some(pos) = self.pos {
            place.push(pos.to_string());
        }
        if self.row > 0 {
            place.push(format!("row {}", self.row));
        }
        if !self.column.is_empty() {
            place.push(format!("column {}", self.column));
        }
        if !self.claim_id.is_empty() {
            place.push(format!("claim {}", self.claim_id));
        }
        let place = place.join(", ");
        match (self.file.is_empty(), place.is_empty()) {
            (false, false) => write!(f, "{}:{place}: ", self.file)?,
            (false, true) => write!(f, "{}: ", self.file)?,
            (true, false) => write!(f, "{place}: ")?,
            (true, true) => {}
        }
        if self.severity == Severity::Warning {
            f.write_str("warning: ")?;
        }
        write!(f, "{} [{}]", self.message, self.rule)
    }
}

/// `rejects.csv`: `claim_id,row,column,rule,severity,message` (the fields of
/// [`Finding`] that apply to claims from an encounter export), one line per
/// finding, sorted by row then claim id (the order of equal keys is kept).
pub fn rejects_csv(findings: &[Finding]) -> Vec<u8> {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by(|a, b| (a.row, &a.claim_id).cmp(&(b.row, &b.claim_id)));
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_record(["claim_id", "row", "column", "rule", "severity", "message"]);
    for f in sorted {
        let row = f.row.to_string();
        let _ = w.write_record([
            f.claim_id.as_str(),
            &row,
            &f.column,
            f.rule,
            f.severity.as_str(),
            &f.message,
        ]);
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_x12_findings_with_their_position() {
        let f = Finding::error(Position::new(812, 14), "SE", "X12-SE01", "SE01 is 5".into())
            .in_file("remit.835");
        assert_eq!(f.to_string(), "remit.835:segment 14 (byte 812): SE01 is 5 [X12-SE01]");
        let w = Finding::warning(Position::new(0, 1), "ISA", "X12-ISA", "odd".into());
        assert_eq!(w.to_string(), "segment 1 (byte 0): warning: odd [X12-ISA]");
    }

    #[test]
    fn prints_csv_findings_with_row_column_and_claim() {
        let f = Finding::new("E-NPI-001", Severity::Error, "bad NPI")
            .in_file("demo.csv")
            .at_row(13, "billing_npi")
            .for_claim("F2001");
        assert_eq!(
            f.to_string(),
            "demo.csv:row 13, column billing_npi, claim F2001: bad NPI [E-NPI-001]"
        );
        assert_eq!(Finding::new("R", Severity::Error, "m").to_string(), "m [R]");
    }

    #[test]
    fn json_leaves_out_what_does_not_apply() {
        let f = Finding::new("E-NPI-001", Severity::Error, "bad").at_row(3, "npi");
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(
            json,
            r#"{"rule":"E-NPI-001","severity":"error","message":"bad","row":3,"column":"npi"}"#
        );
    }

    #[test]
    fn rejects_csv_is_sorted_by_row_and_quotes_messages() {
        let a = Finding::new("B", Severity::Warning, "later, with a comma").at_row(5, "x");
        let b = Finding::new("A", Severity::Error, "first").at_row(2, "y").for_claim("C1");
        let csv = String::from_utf8(rejects_csv(&[a, b])).unwrap();
        assert_eq!(
            csv,
            "claim_id,row,column,rule,severity,message\nC1,2,y,A,error,first\n,5,x,B,warning,\"later, with a comma\"\n"
        );
    }
}
