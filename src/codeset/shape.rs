//! Format checks that need no data file: ICD-10-CM syntax, CPT/HCPCS and
//! modifier shapes, EIN prefix, ZIP, US state codes, NUCC taxonomy shape.
//!
//! These say whether a value *looks* right; whether a code exists is a
//! question for the shipped lists (ICD-10-CM) or the user's licensed data
//! (CPT). Inputs are expected trimmed and upper-cased by the caller.

/// ICD-10-CM syntax, without the dot: a letter, a digit (or, for the
/// `QA0` category CMS added in the April 2026 update, `A`), a letter or
/// digit, then up to 4 letters or digits (3 to 7 characters).
pub(crate) fn is_icd10cm_syntax(code: &str) -> bool {
    let b = code.as_bytes();
    (3..=7).contains(&b.len())
        && b[0].is_ascii_uppercase()
        && (b[1].is_ascii_digit() || (b[0] == b'Q' && b[1] == b'A'))
        && b[2..].iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

/// What kind of procedure code a value is shaped like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProcedureKind {
    /// CPT Category I: 5 digits.
    CptCategoryI,
    /// CPT Category II: 4 digits + `F`.
    CptCategoryII,
    /// CPT Category III: 4 digits + `T`.
    CptCategoryIII,
    /// CPT Proprietary Laboratory Analyses: 4 digits + `U`.
    CptPla,
    /// HCPCS Level II: a letter A-V + 4 digits.
    HcpcsLevelII,
}

/// The shape of a CPT or HCPCS Level II code, or `None` when it has neither.
pub(crate) fn procedure_kind(code: &str) -> Option<ProcedureKind> {
    let b = code.as_bytes();
    if b.len() != 5 {
        return None;
    }
    if b.iter().all(u8::is_ascii_digit) {
        return Some(ProcedureKind::CptCategoryI);
    }
    if b[..4].iter().all(u8::is_ascii_digit) {
        return match b[4] {
            b'F' => Some(ProcedureKind::CptCategoryII),
            b'T' => Some(ProcedureKind::CptCategoryIII),
            b'U' => Some(ProcedureKind::CptPla),
            _ => None,
        };
    }
    if (b'A'..=b'V').contains(&b[0]) && b[1..].iter().all(u8::is_ascii_digit) {
        return Some(ProcedureKind::HcpcsLevelII);
    }
    None
}

/// A procedure modifier: exactly 2 letters or digits.
pub(crate) fn is_modifier(m: &str) -> bool {
    m.len() == 2 && m.bytes().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

/// Two-digit EIN prefixes the IRS assigns (campus and internet prefixes).
/// See: IRS, "How EINs are assigned and valid EIN prefixes".
/// Never assigned: 00, 07-09, 17-19, 28, 29, 49, 69, 70, 78, 79, 89, 96, 97.
const EIN_PREFIXES: &[u8] = &[
    1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23, 24, 25, 26, 27, 30, 31, 32, 33,
    34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 50, 51, 52, 53, 54, 55, 56, 57, 58,
    59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 71, 72, 73, 74, 75, 76, 77, 80, 81, 82, 83, 84, 85, 86,
    87, 88, 90, 91, 92, 93, 94, 95, 98, 99,
];

/// Why an EIN is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EinProblem {
    /// Not 9 digits (after removing one dash).
    Format,
    /// The 2-digit prefix is not one the IRS assigns.
    Prefix,
}

/// Checks an EIN (`123456789` or `12-3456789`).
pub(crate) fn check_ein(ein: &str) -> Result<(), EinProblem> {
    let digits: String = ein.trim().replacen('-', "", 1);
    if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EinProblem::Format);
    }
    let prefix = (digits.as_bytes()[0] - b'0') * 10 + (digits.as_bytes()[1] - b'0');
    if EIN_PREFIXES.contains(&prefix) {
        Ok(())
    } else {
        Err(EinProblem::Prefix)
    }
}

/// A ZIP code: 5 or 9 digits (a dash between 5 and 4 digits is accepted).
pub(crate) fn is_zip(zip: &str) -> bool {
    let z = normalize_zip(zip);
    (z.len() == 5 || z.len() == 9) && z.bytes().all(|b| b.is_ascii_digit())
}

/// A 9-digit ZIP+4 (the billing provider must have one).
pub(crate) fn is_zip9(zip: &str) -> bool {
    let z = normalize_zip(zip);
    z.len() == 9 && z.bytes().all(|b| b.is_ascii_digit())
}

/// Removes the dash of `NNNNN-NNNN` and surrounding spaces.
pub(crate) fn normalize_zip(zip: &str) -> String {
    let z = zip.trim();
    if z.len() == 10 && z.as_bytes()[5] == b'-' {
        format!("{}{}", &z[..5], &z[6..])
    } else {
        z.to_string()
    }
}

/// USPS state codes: the 50 states, DC, the territories and the military
/// "states" (AA, AE, AP).
const STATE_CODES: &[&str] = &[
    "AA", "AE", "AK", "AL", "AP", "AR", "AS", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "FM", "GA",
    "GU", "HI", "IA", "ID", "IL", "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MH", "MI", "MN", "MO",
    "MP", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH", "OK", "OR", "PA", "PR",
    "PW", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VI", "VT", "WA", "WI", "WV", "WY",
];

/// True for a USPS state, territory or military code (upper case).
pub(crate) fn is_state_code(s: &str) -> bool {
    STATE_CODES.binary_search(&s).is_ok()
}

/// NUCC provider taxonomy shape: 3 digits, 6 letters or digits, `X`.
pub(crate) fn is_taxonomy(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 10
        && b[..3].iter().all(u8::is_ascii_digit)
        && b[3..9].iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && b[9] == b'X'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icd_syntax() {
        for ok in ["E119", "E11", "S72001A", "U071", "Z23", "C7A010", "QA00101"] {
            assert!(is_icd10cm_syntax(ok), "{ok}");
        }
        for bad in ["E1", "11E9", "E11.9", "e119", "E1190000", "EE11", "QB01"] {
            assert!(!is_icd10cm_syntax(bad), "{bad}");
        }
    }

    #[test]
    fn procedure_shapes() {
        assert_eq!(procedure_kind("99213"), Some(ProcedureKind::CptCategoryI));
        assert_eq!(procedure_kind("3074F"), Some(ProcedureKind::CptCategoryII));
        assert_eq!(procedure_kind("0042T"), Some(ProcedureKind::CptCategoryIII));
        assert_eq!(procedure_kind("0001U"), Some(ProcedureKind::CptPla));
        assert_eq!(procedure_kind("J3301"), Some(ProcedureKind::HcpcsLevelII));
        for bad in ["9921", "992134", "W1234", "1234X", "J33O1", ""] {
            assert_eq!(procedure_kind(bad), None, "{bad}");
        }
    }

    #[test]
    fn modifiers() {
        assert!(is_modifier("25") && is_modifier("LT") && is_modifier("GT"));
        assert!(!is_modifier("2") && !is_modifier("LTX") && !is_modifier("l-"));
    }

    #[test]
    fn ein_prefixes() {
        assert_eq!(check_ein("12-3456789"), Ok(()));
        assert_eq!(check_ein("123456789"), Ok(()));
        assert_eq!(check_ein("07-3456789"), Err(EinProblem::Prefix));
        assert_eq!(check_ein("00-3456789"), Err(EinProblem::Prefix));
        assert_eq!(check_ein("1234567"), Err(EinProblem::Format));
        assert_eq!(check_ein("12-34A6789"), Err(EinProblem::Format));
        assert!(EIN_PREFIXES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn zips_states_taxonomy() {
        assert!(is_zip("62701") && is_zip("62701-0001") && is_zip("627010001"));
        assert!(!is_zip("6270") && !is_zip("62701-01"));
        assert!(is_zip9("62701-0001") && !is_zip9("62701"));
        assert!(STATE_CODES.windows(2).all(|w| w[0] < w[1]));
        assert!(is_state_code("IL") && is_state_code("PR") && !is_state_code("XX"));
        assert!(is_taxonomy("207Q00000X") && !is_taxonomy("207Q00000Y"));
    }
}
