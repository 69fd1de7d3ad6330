//! Whole-file validation: the X12 envelope scan plus, per transaction set,
//! the checks that belong to its kind. Transaction sets are checked in
//! parallel; findings come back in file order.
//!
//! [`Depth::Envelope`] stops after the envelope scan (a fast pre-flight for
//! very large files). This module only dispatches: envelope rules live in
//! `x12`, the 835 balancing rules in `edi835`, and so on.

use rayon::prelude::*;

use crate::x12::{self, Finding, Severity, TransactionKind};
use crate::{edi835, edi837};

/// How far validation goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Depth {
    /// Syntax and envelopes only: delimiters, ISA/GS/ST structure, control
    /// numbers and counts.
    Envelope,
    /// Envelopes plus every transaction set's own checks: HL hierarchy, 837
    /// claim rules, 835 reading and balancing.
    #[default]
    Full,
}

/// The result of validating one file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileReport {
    /// The file's name as given.
    pub file: String,
    /// Transaction kinds found, with how many sets of each, in first-seen order.
    pub transactions: Vec<(String, usize)>,
    /// Interchanges read.
    pub interchanges: usize,
    /// Functional groups read.
    pub groups: usize,
    /// Transaction sets read.
    pub sets: usize,
    /// Segments read.
    pub segments: u32,
    /// Bytes in the file.
    pub bytes: u64,
    /// Every finding, in file order.
    pub findings: Vec<Finding>,
    /// Findings not listed because of the per-file cap.
    pub findings_suppressed: u64,
    /// The same, per severity and code.
    pub suppressed_by_code: x12::Suppressed,
    /// True when no error-level finding was made.
    pub valid: bool,
    /// What was checked.
    pub depth: Depth,
}

impl FileReport {
    /// True when no error-level finding was made.
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// `file: 835 x2 (1 interchange, 1 group, 2 sets, 120 segments): valid`
    pub fn summary_line(&self) -> String {
        let kinds = if self.transactions.is_empty() {
            "no transaction sets".to_string()
        } else {
            self.transactions
                .iter()
                .map(|(k, n)| if *n == 1 { k.clone() } else { format!("{k} x{n}") })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let errors = self.findings.iter().filter(|f| f.severity == Severity::Error).count()
            + self.findings_suppressed as usize;
        let warnings = self.findings.iter().filter(|f| f.severity == Severity::Warning).count();
        let verdict = match (errors, warnings) {
            (0, 0) => "valid".to_string(),
            (0, w) => format!("valid, {w} warning(s)"),
            (e, 0) => format!("INVALID, {e} error(s)"),
            (e, w) => format!("INVALID, {e} error(s), {w} warning(s)"),
        };
        let verdict = match self.depth {
            Depth::Full => verdict,
            Depth::Envelope => format!("{verdict} (envelopes only)"),
        };
        format!(
            "{}: {} ({} interchange(s), {} group(s), {} set(s), {} segments): {}",
            self.file, kinds, self.interchanges, self.groups, self.sets, self.segments, verdict
        )
    }
}

/// Per-transaction checks for one set, by kind. Returns findings with
/// file-level positions.
fn check_set(input: &[u8], kind: TransactionKind, set: &x12::TransactionSet) -> Vec<Finding> {
    let mut findings = x12::check_hierarchy(input, set);
    match kind {
        TransactionKind::Claim837P => {
            findings.extend(edi837::check_set(input, set, true));
            findings.extend(edi837::check_cob(input, set));
        }
        TransactionKind::Claim837I => findings.extend(edi837::check_set(input, set, false)),
        _ => {}
    }
    if kind == TransactionKind::Remittance835 {
        // The interchange control number only labels remittances; not needed here.
        let rem = edi835::read_set(input, set, "");
        findings.extend(edi835::balance(&rem));
        // Read errors are already reported by the envelope scan.
        findings.extend(rem.findings.into_iter().filter(|f| f.rule != "835-READ"));
    }
    findings.sort_by_key(|f| f.pos);
    findings
}

/// Validates one file's bytes fully. Never panics; never fails (problems are findings).
pub fn validate_file(name: &str, input: &[u8]) -> FileReport {
    validate_file_to(name, input, Depth::Full)
}

/// Validates one file's bytes to the given depth.
pub fn validate_file_to(name: &str, input: &[u8], depth: Depth) -> FileReport {
    let scan = x12::scan(input);
    let sets: Vec<_> = scan.sets().map(|(_, _, s)| s).collect();
    let per_set: Vec<Vec<Finding>> = match depth {
        Depth::Full => sets.par_iter().map(|s| check_set(input, s.kind, s)).collect(),
        Depth::Envelope => Vec::new(),
    };
    let mut findings = scan.findings.clone();
    let mut suppressed = scan.findings_suppressed;
    let mut by_code = scan.suppressed_by_code.clone();
    for f in per_set.into_iter().flatten() {
        if findings.len() < x12::MAX_FINDINGS {
            findings.push(f);
        } else {
            suppressed += 1;
            by_code.add(&f);
        }
    }
    findings.sort_by_key(|f| f.pos);
    let mut transactions: Vec<(String, usize)> = Vec::new();
    for s in &sets {
        let name =
            if s.kind == TransactionKind::Other { s.id.clone() } else { s.kind.name().to_string() };
        match transactions.iter_mut().find(|(k, _)| *k == name) {
            Some((_, n)) => *n += 1,
            None => transactions.push((name, 1)),
        }
    }
    let valid = suppressed == 0 && !findings.iter().any(|f| f.severity == Severity::Error);
    FileReport {
        file: name.to_string(),
        transactions,
        interchanges: scan.interchanges.len(),
        groups: scan.interchanges.iter().map(|i| i.groups.len()).sum(),
        sets: sets.len(),
        segments: scan.segments,
        bytes: input.len() as u64,
        findings,
        findings_suppressed: suppressed,
        suppressed_by_code: by_code,
        valid,
        depth,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An 835 with `n` claims that each fail line and claim balancing.
    fn unbalanced_835(n: usize) -> Vec<u8> {
        let mut body = vec![
            "ST*835*0001".to_string(),
            "BPR*I*0*C*CHK************20261127".into(),
            "TRN*1*CHK0001*1999999999".into(),
            "N1*PR*PLAN".into(),
            "N1*PE*CLINIC*XX*1234567893".into(),
            "LX*1".into(),
        ];
        for i in 0..n {
            body.push(format!("CLP*C{i}*1*100*0**12*P{i}"));
            body.push("SVC*HC:99213*100*0**1".into());
        }
        let count = body.len() + 1;
        body.push(format!("SE*{count}*0001"));
        let mut s = String::from(
            "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261127*0900*^*00501*000000001*0*T*:~GS*HP*S*R*20261127*0900*1*X*005010X221A1~",
        );
        for seg in body {
            s.push_str(&seg);
            s.push('~');
        }
        s.push_str("GE*1*1~IEA*1*000000001~");
        s.into_bytes()
    }

    #[test]
    fn findings_past_the_cap_are_counted_per_code() {
        let report = validate_file("big", &unbalanced_835(600));
        assert_eq!(report.findings.len(), x12::MAX_FINDINGS);
        assert_eq!(report.findings_suppressed, 200);
        let past: u64 = report.suppressed_by_code.errors.values().sum();
        assert_eq!(past, 200);
        for code in ["835-BAL-SVC", "835-BAL-CLP"] {
            let kept = report.findings.iter().filter(|f| f.rule == code).count() as u64;
            let rest = report.suppressed_by_code.errors.get(code).copied().unwrap_or(0);
            assert_eq!(kept + rest, 600, "{code}");
        }
        assert!(!report.is_valid());
    }
}
