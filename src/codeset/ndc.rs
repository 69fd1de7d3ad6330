//! National Drug Code normalisation to the 11-digit 5-4-2 form used in
//! 837P LIN*N4.
//!
//! FDA labels print NDCs as 10 digits in three dashed segments (4-4-2,
//! 5-3-2 or 5-4-1); billing uses 11 digits, padding the short segment with a
//! leading zero. An undashed 10-digit NDC is ambiguous (which segment to
//! pad?) and is refused. The forms are a small nom grammar. This module
//! does not check that a product exists.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while_m_n};
use nom::combinator::{all_consuming, map};
use nom::{IResult, Parser};

/// Exactly `n` digits.
fn digits<'a>(
    n: usize,
) -> impl Parser<&'a str, Output = &'a str, Error = nom::error::Error<&'a str>> {
    take_while_m_n(n, n, |c: char| c.is_ascii_digit())
}

/// One labeler-product-package form: `a` `-` `b` `-` `c` digits, each part
/// padded with leading zeros to 5-4-2.
fn dashed<'a>(
    a: usize,
    b: usize,
    c: usize,
) -> impl Parser<&'a str, Output = String, Error = nom::error::Error<&'a str>> {
    map((digits(a), tag("-"), digits(b), tag("-"), digits(c)), |(x, _, y, _, z)| {
        format!("{x:0>5}{y:0>4}{z:0>2}")
    })
}

/// `ndc = 11DIGIT / 5-4-2 / 4-4-2 / 5-3-2 / 5-4-1` (dashed forms padded).
fn ndc11(i: &str) -> IResult<&str, String> {
    all_consuming(alt((
        map(digits(11), str::to_string),
        dashed(5, 4, 2),
        dashed(4, 4, 2),
        dashed(5, 3, 2),
        dashed(5, 4, 1),
    )))
    .parse(i)
}

/// The 11-digit form of `ndc`, or `None` when it is not an NDC shape.
///
/// Accepted: 11 digits; dashed 5-4-2, 4-4-2, 5-3-2, 5-4-1. Surrounding
/// spaces are ignored.
pub fn normalize(ndc: &str) -> Option<String> {
    ndc11(ndc.trim()).ok().map(|(_, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written reader the grammar replaced (baseline).
    fn split_normalize(ndc: &str) -> Option<String> {
        let s = ndc.trim();
        let parts: Vec<&str> = s.split('-').collect();
        if !parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        let (a, b, c) = match (parts.as_slice(), lens.as_slice()) {
            ([one], [11]) => return Some((*one).to_string()),
            ([a, b, c], [5, 4, 2]) => ((*a).to_string(), (*b).to_string(), (*c).to_string()),
            ([a, b, c], [4, 4, 2]) => (format!("0{a}"), (*b).to_string(), (*c).to_string()),
            ([a, b, c], [5, 3, 2]) => ((*a).to_string(), format!("0{b}"), (*c).to_string()),
            ([a, b, c], [5, 4, 1]) => ((*a).to_string(), (*b).to_string(), format!("0{c}")),
            _ => return None,
        };
        Some(format!("{a}{b}{c}"))
    }

    #[test]
    fn pads_each_ten_digit_form() {
        assert_eq!(normalize("1234-5678-90").as_deref(), Some("01234567890"));
        assert_eq!(normalize("12345-678-90").as_deref(), Some("12345067890"));
        assert_eq!(normalize("12345-6789-0").as_deref(), Some("12345678900"));
        assert_eq!(normalize("12345-6789-01").as_deref(), Some("12345678901"));
        assert_eq!(normalize("12345678901").as_deref(), Some("12345678901"));
    }

    #[test]
    fn refuses_ambiguous_and_malformed() {
        for bad in
            ["1234567890", "123-4567-890", "12345-6789", "1234a-5678-90", "", "12345--678-90"]
        {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn grammar_agrees_with_the_split_reader(s in "[ ]?[0-9a-]{0,14}[ ]?") {
            proptest::prop_assert_eq!(normalize(&s), split_normalize(&s), "{:?}", s);
        }

        #[test]
        fn any_text_reads_without_panic(s in "\\PC{0,20}") {
            proptest::prop_assert_eq!(normalize(&s), split_normalize(&s));
        }
    }
}
