//! Findings: one problem with one claim (or one input file), as reported by
//! the encounter reader and the scrub rules.
//!
//! A finding names the file, the 1-based row (header = row 1), the column,
//! the claim and the stable rule id, with a plain-language message that
//! carries no PHI (no names, dates of birth, member IDs or addresses). This
//! module only holds the type; it does not decide anything.

use serde::Serialize;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The claim is held back.
    Error,
    /// Reported, but the claim goes.
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

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The claim (CLM01) it concerns; empty for file-level findings and rows
    /// without a claim_id.
    pub claim_id: String,
    /// The input file as named on the command line.
    pub file: String,
    /// 1-based row of the input (header = row 1); 0 when not tied to a row.
    pub row: u64,
    /// The column as named in the input file's header (for the canonical
    /// layout, the canonical name); empty when not tied to one column.
    pub column: String,
    /// Stable rule id, e.g. `E-NPI-001` (see `scrub::RULES`).
    pub rule: &'static str,
    /// Error (claim held back) or warning (reported, claim goes).
    pub severity: Severity,
    /// What is wrong and what to do, in plain language, without PHI.
    pub message: String,
}

impl Finding {
    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `rejects.csv`: `claim_id,row,column,rule,severity,message`, one line per
/// finding, sorted by row then claim id (the order of equal keys is kept).
pub fn rejects_csv(findings: &[Finding]) -> Vec<u8> {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by(|a, b| (a.row, &a.claim_id).cmp(&(b.row, &b.claim_id)));
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_record(["claim_id", "row", "column", "rule", "severity", "message"]);
    let mut row = String::new();
    for f in sorted {
        row.clear();
        crate::numtext::push_digits(&mut row, u128::from(f.row));
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
