//! Property tests: any rows or bytes after a valid header, the reader and
//! every rule run to the end without panicking and every data row is
//! accounted for.

use super::*;
use proptest::prelude::*;

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[ -~]{0,12}",
        "[0-9]{1,11}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "[A-Z][0-9][0-9A-Z.]{1,6}",
        "\"[^\"]{0,8}\"",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Any bytes after a valid header: the reader and every rule run to
    /// the end without panicking, and every data row is accounted for.
    #[test]
    fn never_panics_on_arbitrary_rows(rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..22), 0..8)) {
        let mut text = String::from(HEADER);
        text.push('\n');
        for r in &rows {
            text.push_str(&r.join(","));
            text.push('\n');
        }
        if let Ok(mut e) = read_bytes("p.csv", text.into_bytes(), None) {
            let cfg = crate::config::Config::parse(include_str!("../../../fixtures/claimflow.toml"), "c.toml").unwrap();
            let now = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap().and_hms_opt(0, 0, 0).unwrap();
            let s = crate::scrub::run(&mut e, &cfg, now, crate::codeset::CodeSets::shipped());
            let mut out = Vec::new();
            let held = e.held_rows(s.held.iter());
            e.write_rows(&mut out, &held).unwrap();
            let accounted: usize = s.clean.iter().chain(&s.held).map(|c| c.source.rows.len()).sum::<usize>()
                + e.unclaimed_rows.len();
            prop_assert_eq!(accounted as u64 + e.blank_rows, e.row_starts.len() as u64, "every data row belongs to a claim or is unclaimed");
        }
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut text = HEADER.as_bytes().to_vec();
        text.push(b'\n');
        text.extend_from_slice(&bytes);
        let _ = read_bytes("p.csv", text, None);
        let _ = read_bytes("p.csv", bytes, None);
    }
}
