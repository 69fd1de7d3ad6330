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

use super::read::{diagnosis_codes, dx_pointers};
use crate::claim::is_valid_npi;
use crate::x12::{Finding, Position, TransactionSet};

/// The claim being checked: CLM position, id, stated total, line sum, HI count.
struct OpenClaim {
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

fn close(claim: Option<OpenClaim>, findings: &mut Vec<Finding>) {
    let Some(c) = claim else { return };
    if let Some(stated) = c.stated {
        if c.has_lines && stated != c.lines {
            findings.push(Finding::error(
                c.pos,
                "CLM",
                "837-CLM02",
                format!(
                    "claim {}: CLM02 total charge {} differs from the sum of its line charges {}",
                    c.id,
                    crate::numtext::amount(stated),
                    crate::numtext::amount(c.lines)
                ),
            ));
        }
    }
    for (pos, p) in c.pointers {
        if p == 0 || p > c.diagnoses {
            findings.push(Finding::error(
                pos,
                "SV1",
                "837-DXPTR",
                format!(
                    "claim {}: SV107 diagnosis pointer {p} does not point at one of the claim's {} diagnosis code(s)",
                    c.id, c.diagnoses
                ),
            ));
        }
    }
}

/// Checks one 837 set (professional when `professional`, else institutional).
pub(crate) fn check_set(input: &[u8], set: &TransactionSet, professional: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut claim: Option<OpenClaim> = None;
    for seg in set.segments(input).flatten() {
        match seg.id {
            b"CLM" => {
                close(claim.take(), &mut findings);
                claim = Some(OpenClaim {
                    pos: seg.pos,
                    id: seg.str(1).trim().to_string(),
                    stated: amount(seg.element(2).raw),
                    lines: Decimal::ZERO,
                    has_lines: false,
                    diagnoses: 0,
                    pointers: Vec::new(),
                });
            }
            b"HL" | b"SE" => close(claim.take(), &mut findings),
            b"HI" => {
                if let Some(c) = claim.as_mut() {
                    c.diagnoses += diagnosis_codes(&seg).count();
                }
            }
            b"SV1" if professional => {
                if let Some(c) = claim.as_mut() {
                    c.has_lines = true;
                    c.lines += amount(seg.element(2).raw).unwrap_or_default();
                    c.pointers.extend(dx_pointers(&seg).map(|n| (seg.pos, n)));
                }
            }
            b"SV2" if !professional => {
                if let Some(c) = claim.as_mut() {
                    c.has_lines = true;
                    c.lines += amount(seg.element(3).raw).unwrap_or_default();
                }
            }
            b"NM1" if seg.element(8).raw == b"XX" => {
                let npi = seg.str(9);
                if !is_valid_npi(npi.trim()) {
                    // A warning: payers' front-end edits reject it, but the
                    // guides' own examples use made-up NPIs.
                    findings.push(Finding::warning(
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
    close(claim, &mut findings);
    findings
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
