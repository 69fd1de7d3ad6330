//! The NPI check digit (Luhn over "80840" + the first 9 digits).
//!
//! Only the algorithm: whether an NPI is enrolled is not knowable offline.

/// True when `npi` is 10 digits, starts with 1 or 2, and its 10th digit is
/// the Luhn check digit of "80840" followed by the first 9 digits.
pub(crate) fn is_valid_npi(npi: &str) -> bool {
    let b = npi.as_bytes();
    if b.len() != 10 || !b.iter().all(u8::is_ascii_digit) || !matches!(b[0], b'1' | b'2') {
        return false;
    }
    // Luhn over the 15-digit string 80840 + 9 digits; the check digit is
    // what makes the total a multiple of 10. Doubling starts from the
    // rightmost payload digit.
    let payload: Vec<u32> = b"80840".iter().chain(&b[..9]).map(|d| u32::from(d - b'0')).collect();
    let mut sum = 0;
    for (i, d) in payload.iter().rev().enumerate() {
        let v = if i % 2 == 0 {
            let x = d * 2;
            if x > 9 {
                x - 9
            } else {
                x
            }
        } else {
            *d
        };
        sum += v;
    }
    let check = (10 - sum % 10) % 10;
    check == u32::from(b[9] - b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_known_valid_npi() {
        assert!(is_valid_npi("1234567893"));
    }

    #[test]
    fn rejects_wrong_check_digit() {
        assert!(!is_valid_npi("1234567890"));
        assert!(!is_valid_npi("123456789"));
        assert!(!is_valid_npi("3234567893"));
        assert!(!is_valid_npi("12345678a3"));
    }
}
