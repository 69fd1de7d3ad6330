//! Whole-file validation by WEDI SNIP level: the X12 envelope scan (SNIP
//! 1), then per transaction set the guide's schema walk (`x12::schema`,
//! SNIP 2), the balancing checks of its kind (SNIP 3), the situational
//! rules and external code sets (`rules`, SNIP 4 and 5). Transaction sets
//! are checked in parallel (`set`: one walk per set, which the rules and
//! the balancing reader ride on); findings come back in file order.
//!
//! [`Depth::Envelope`] (level 1) stops after the envelope scan (a fast
//! pre-flight for very large files). This module only dispatches: envelope
//! rules live in `x12`, the guides in `x12::schema`, the 835 balancing
//! rules in `edi835`, and so on.

use crate::x12::schema;
use crate::x12::{self, Finding, Severity, TransactionKind};

mod rules;
mod set;

use set::{check_sets, SetResult};

/// What `validate` checks and how.
#[derive(Clone, Debug)]
pub struct Options {
    /// Highest SNIP level checked, 1 to 5.
    pub level: u8,
    /// The guide to use for every set (a version such as `005010X222A1`, or
    /// a short name `837P`, `837I`, `835`, `999`, `277CA`, `277`), for a bare
    /// file or one whose envelope does not say.
    pub transaction: Option<String>,
    /// Code sets for SNIP 5.
    pub codes: crate::codeset::CodeSets,
    /// Keep each set's loop tree (for `parse --json`).
    pub loops: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            level: 5,
            transaction: None,
            codes: crate::codeset::CodeSets::shipped().clone(),
            loops: false,
        }
    }
}

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
    /// Highest SNIP level checked.
    pub level: u8,
    /// SNIP 5 checks not done because a licensed list (CARC, RARC, CPT) was
    /// not given, with how many codes went unchecked ("" when none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub not_checked: String,
    /// Each set's loop tree, when asked for (`Options::loops`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub loops: Vec<Vec<schema::LoopSpan>>,
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

/// Validates one file's bytes fully. Never panics; never fails (problems are findings).
pub fn validate_file(name: &str, input: &[u8]) -> FileReport {
    validate_with(name, input, &Options::default())
}

/// Validates one file's bytes to the given depth (all levels, or envelopes only).
pub fn validate_file_to(name: &str, input: &[u8], depth: Depth) -> FileReport {
    let level = if depth == Depth::Envelope { 1 } else { 5 };
    validate_with(name, input, &Options { level, ..Options::default() })
}

/// Validates one file's bytes with `opts`.
pub fn validate_with(name: &str, input: &[u8], opts: &Options) -> FileReport {
    let depth = if opts.level <= 1 { Depth::Envelope } else { Depth::Full };
    let scan = x12::scan(input);
    let sets: Vec<_> = scan.sets().map(|(_, g, s)| (g.version.as_str(), s)).collect();
    let per_set: Vec<SetResult> = match depth {
        Depth::Full => check_sets(input, &sets, opts),
        Depth::Envelope => Vec::new(),
    };
    let mut findings: Vec<Finding> = scan.findings.iter().cloned().map(|f| f.snip(1)).collect();
    let mut suppressed = scan.findings_suppressed;
    let mut by_code = scan.suppressed_by_code.clone();
    let mut loops = Vec::new();
    let (mut carc, mut rarc, mut cpt) = (0u32, 0u32, 0u32);
    for r in per_set {
        carc += r.carc_unchecked;
        rarc += r.rarc_unchecked;
        cpt += r.cpt_unchecked;
        if opts.loops {
            loops.push(r.loops);
        }
        for f in r.findings {
            if findings.len() < x12::MAX_FINDINGS {
                findings.push(f);
            } else {
                suppressed += 1;
                by_code.add(&f);
            }
        }
    }
    let mut lists = Vec::new();
    if opts.level >= 5 {
        for (n, what, file) in [
            (carc, "CARC (claim adjustment reason codes)", "CARC list"),
            (rarc, "RARC (remark codes)", "RARC list"),
            (cpt, "CPT codes", "CPT list"),
        ] {
            if n > 0 {
                lists.push(format!("{n} {what} (no {file})"));
            }
        }
    }
    let not_checked = if lists.is_empty() {
        String::new()
    } else {
        format!(
            "licensed code lists not loaded, so these codes were not checked: {}; give the lists with --codeset-dir",
            lists.join(", ")
        )
    };
    findings.sort_by_key(|f| f.pos);
    let mut transactions: Vec<(String, usize)> = Vec::new();
    for (_, s) in &sets {
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
        level: opts.level,
        loops,
        not_checked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An 835 with `n` claims that each fail line and claim balancing (and
    /// nothing else).
    fn unbalanced_835(n: usize) -> Vec<u8> {
        let mut body = vec![
            "ST*835*0001".to_string(),
            "BPR*I*0*C*CHK************20261127".into(),
            "TRN*1*CHK0001*1999999999".into(),
            "N1*PR*PLAN".into(),
            "N3*1 PAYER WAY".into(),
            "N4*SPRINGFIELD*IL*62701".into(),
            "PER*BL*EDI*TE*5555550100".into(),
            "N1*PE*CLINIC*XX*1234567893".into(),
            "LX*1".into(),
        ];
        for i in 0..n {
            body.push(format!("CLP*C{i}*1*100*0**12*P{i}"));
            body.push("NM1*QC*1*DEMO*PAT".into());
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
