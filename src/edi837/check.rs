//! Claim-level checks of any 837 transaction set, for `claimflow validate`.
//!
//! These are the checks an implementation-guide validator such as pyx12 does
//! not make (it checks structure, not sums or check digits):
//!
//! - `837-CLM02`: CLM02 total charge must equal the sum of the claim's line
//!   charges (SV102 in an 837P, SV203 in an 837I).
//! - `837-DXPTR`: every SV107 diagnosis pointer (837P) must point at a
//!   diagnosis the claim's HI segments carry (ABK/ABF, or BK/BF).
//! - `837-NPI`: an NM1 identifier with qualifier `XX` must be a 10-digit NPI
//!   with a valid check digit (a warning: the guides' examples use made-up
//!   NPIs; `scrub` holds such a claim back before it is ever written).
//!
//! It reads segments only; it does not rebuild claims (see [`super::read()`]).

use rust_decimal::Decimal;

use super::read::{diagnosis_codes, pointers};
use crate::claim::is_valid_npi;
use crate::x12::{Fields, Finding, Position, TransactionSet};

/// The claim being checked: CLM position, id, stated total, line sum, HI count.
#[derive(Default)]
struct OpenClaim {
    /// A CLM was read and its claim is not closed yet.
    open: bool,
    pos: Position,
    id: String,
    stated: Option<Decimal>,
    lines: Decimal,
    has_lines: bool,
    diagnoses: usize,
    /// SV107 pointers seen: (segment position, pointer).
    pointers: Vec<(Position, usize)>,
}

fn amount(raw: &[u8]) -> Option<Decimal> {
    crate::values::parse_decimal_bytes(raw)
}

impl OpenClaim {
    /// Reports the open claim's findings and closes it (its buffers are
    /// kept for the next claim).
    fn close(&mut self, findings: &mut Vec<Finding>) {
        if !std::mem::take(&mut self.open) {
            return;
        }
        if let Some(stated) = self.stated {
            if self.has_lines && stated != self.lines {
                findings.push(Finding::error(
                    self.pos,
                    "CLM",
                    "837-CLM02",
                    format!(
                        "claim {}: CLM02 total charge {} differs from the sum of its line charges {}",
                        self.id,
                        crate::numtext::amount(stated),
                        crate::numtext::amount(self.lines)
                    ),
                ));
            }
        }
        for &(pos, p) in &self.pointers {
            if p == 0 || p > self.diagnoses {
                findings.push(Finding::error(
                    pos,
                    "SV1",
                    "837-DXPTR",
                    format!(
                        "claim {}: SV107 diagnosis pointer {p} does not point at one of the claim's {} diagnosis code(s)",
                        self.id, self.diagnoses
                    ),
                ));
            }
        }
    }

    /// Opens the claim of `clm`.
    fn open(&mut self, clm: &Fields<'_>) {
        self.open = true;
        self.pos = clm.pos;
        self.id.clear();
        self.id.push_str(&clm.str(1));
        let trimmed = self.id.trim();
        if trimmed.len() != self.id.len() {
            self.id = trimmed.to_string();
        }
        self.stated = amount(clm.get(2));
        self.lines = Decimal::ZERO;
        self.has_lines = false;
        self.diagnoses = 0;
        self.pointers.clear();
    }
}

/// Checks one 837 set (professional when `professional`, else institutional).
pub(crate) fn check_set(input: &[u8], set: &TransactionSet, professional: bool) -> Vec<Finding> {
    let mut check = SetCheck::new(professional);
    let mut fields = Fields::default();
    for seg in set.segments(input).flatten() {
        fields.load(&seg);
        check.segment(&fields);
    }
    check.finish()
}

/// The checks of [`check_set`] fed one segment at a time, for a caller that
/// already reads the set (`validate`'s schema walk): the same findings
/// without a second pass over the set.
pub(crate) struct SetCheck {
    professional: bool,
    claim: OpenClaim,
    findings: Vec<Finding>,
}

impl SetCheck {
    /// A check of one set (professional when `professional`, else institutional).
    pub(crate) fn new(professional: bool) -> SetCheck {
        SetCheck { professional, claim: OpenClaim::default(), findings: Vec::new() }
    }

    /// Takes the set's next segment (ST to SE, in order).
    pub(crate) fn segment(&mut self, seg: &Fields<'_>) {
        let claim = &mut self.claim;
        match seg.id {
            b"CLM" => {
                claim.close(&mut self.findings);
                claim.open(seg);
            }
            b"HL" | b"SE" => claim.close(&mut self.findings),
            b"HI" if claim.open => claim.diagnoses += diagnosis_codes(seg).count(),
            b"SV1" if self.professional && claim.open => {
                claim.has_lines = true;
                claim.lines += amount(seg.get(2)).unwrap_or_default();
                claim.pointers.extend(pointers(seg.element(7)).map(|n| (seg.pos, n)));
            }
            b"SV2" if !self.professional && claim.open => {
                claim.has_lines = true;
                claim.lines += amount(seg.get(3)).unwrap_or_default();
            }
            b"NM1" if seg.get(8) == b"XX" => {
                let npi = seg.str(9);
                if !is_valid_npi(npi.trim()) {
                    // A warning: payers' front-end edits reject it, but the
                    // guides' own examples use made-up NPIs.
                    self.findings.push(Finding::warning(
                        seg.pos,
                        "NM1",
                        "837-NPI",
                        format!(
                            "NM1*{}: NM109 {:?} is not a valid NPI (10 digits starting with 1 or 2, with a Luhn check digit over 80840 and the first 9)",
                            seg.str(1).trim(),
                            npi.trim()
                        ),
                    ));
                }
            }
            _ => {}
        }
    }

    /// The set is over: its findings.
    pub(crate) fn finish(mut self) -> Vec<Finding> {
        self.claim.close(&mut self.findings);
        self.findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12;

    fn check(body: &str) -> Vec<&'static str> {
        let f = format!(
            "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~GS*HC*S*R*20260101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~{body}SE*{}*0001~GE*1*1~IEA*1*000000001~",
            body.matches('~').count() + 2
        );
        let scan = x12::scan(f.as_bytes());
        let (_, _, set) = scan.sets().next().unwrap();
        check_set(f.as_bytes(), set, true).iter().map(|f| f.rule).collect()
    }

    #[test]
    fn balanced_claim_passes() {
        assert!(check("NM1*85*2*X*****XX*1234567893~CLM*A*150***11:B:1~HI*ABK:E119*ABF:I10~LX*1~SV1*HC:99213*100*UN*1***1:2~LX*2~SV1*HC:99214*50*UN*1***2~").is_empty());
    }

    #[test]
    fn clm02_must_equal_line_sum() {
        assert_eq!(
            check("CLM*A*151***11:B:1~HI*ABK:E119~LX*1~SV1*HC:99213*150*UN*1***1~"),
            vec!["837-CLM02"]
        );
    }

    #[test]
    fn pointer_past_diagnoses_is_reported() {
        assert_eq!(
            check("CLM*A*100***11:B:1~HI*ABK:E119~LX*1~SV1*HC:99213*100*UN*1***1:2~"),
            vec!["837-DXPTR"]
        );
    }

    #[test]
    fn bad_npi_check_digit_is_reported() {
        assert_eq!(check("NM1*85*2*X*****XX*1234567890~"), vec!["837-NPI"]);
    }
}
