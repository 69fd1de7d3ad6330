//! The X12 value grammars (nom, `x12::grammar`) against the hand-written
//! readers they replaced, kept here only as the baseline: `R` decimals, `D8`
//! dates, `DT` and `TM` checks, NDC forms, each over a fixed mix of valid and invalid
//! values. Run: `cargo bench --bench values`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use rust_decimal::Decimal;

use claimflow::codeset::ndc;
use claimflow::values::{parse_date_bytes, parse_decimal_bytes};
use claimflow::x12::schema::{valid_date, valid_time};

const DECIMALS: &[&[u8]] = &[
    b"150",
    b"1575.00",
    b"-12.50",
    b"0",
    b".5",
    b"98.765",
    b"123456789012.34",
    b"1.2.3",
    b"abc",
    b"",
];
const DATES: &[&[u8]] =
    &[b"20260101", b"20241231", b"20260229", b"261127", b"2026-01-01", b"2026011"];
const NDCS: &[&str] = &[
    "12345-6789-01",
    "1234-5678-90",
    "12345-678-90",
    "12345-6789-0",
    "12345678901",
    "1234567890",
    "1234a-5678-90",
];
const TIMES: &[&[u8]] = &[b"0930", b"235959", b"23595912", b"2400", b"093"];

fn old_decimal(raw: &[u8]) -> Option<Decimal> {
    let raw = raw.trim_ascii();
    let (negative, body) = match raw.first() {
        Some(b'-') => (true, &raw[1..]),
        Some(b'+') => (false, &raw[1..]),
        _ => (false, raw),
    };
    let mut mantissa: i64 = 0;
    let mut digits = 0usize;
    let mut scale: Option<u32> = None;
    for &b in body {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                if digits > 18 {
                    return None;
                }
                mantissa = mantissa * 10 + i64::from(b - b'0');
                if let Some(s) = scale.as_mut() {
                    *s += 1;
                }
            }
            b'.' if scale.is_none() => scale = Some(0),
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    Some(Decimal::new(if negative { -mantissa } else { mantissa }, scale.unwrap_or(0)))
}

fn old_date(raw: &[u8]) -> Option<chrono::NaiveDate> {
    let b = raw.trim_ascii();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    chrono::NaiveDate::from_ymd_opt(num(0..4) as i32, num(4..6), num(6..8))
}

fn old_valid_date(v: &[u8]) -> bool {
    if !v.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |s: &[u8]| s.iter().fold(0u32, |a, &b| a * 10 + u32::from(b - b'0'));
    let (year, rest) = match v.len() {
        8 => (num(&v[..4]), &v[4..]),
        6 => (2000 + num(&v[..2]), &v[2..]),
        _ => return false,
    };
    let (month, day) = (num(&rest[..2]), num(&rest[2..4]));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

fn old_valid_time(v: &[u8]) -> bool {
    if !matches!(v.len(), 4 | 6 | 7 | 8) || !v.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let two = |i: usize| u32::from(v[i] - b'0') * 10 + u32::from(v[i + 1] - b'0');
    two(0) < 24 && two(2) < 60 && (v.len() < 6 || two(4) < 60)
}

fn old_ndc(ndc: &str) -> Option<String> {
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

fn grammars(c: &mut Criterion) {
    let mut g = c.benchmark_group("R decimal");
    g.bench_function("hand-written", |b| {
        b.iter(|| DECIMALS.iter().filter_map(|v| old_decimal(black_box(v))).count())
    });
    g.bench_function("nom", |b| {
        b.iter(|| DECIMALS.iter().filter_map(|v| parse_decimal_bytes(black_box(v))).count())
    });
    g.finish();
    let mut g = c.benchmark_group("D8 date");
    g.bench_function("hand-written", |b| {
        b.iter(|| DATES.iter().filter_map(|v| old_date(black_box(v))).count())
    });
    g.bench_function("nom", |b| {
        b.iter(|| DATES.iter().filter_map(|v| parse_date_bytes(black_box(v))).count())
    });
    g.finish();
    let mut g = c.benchmark_group("DT check");
    g.bench_function("hand-written", |b| {
        b.iter(|| DATES.iter().filter(|v| old_valid_date(black_box(v))).count())
    });
    g.bench_function("nom", |b| {
        b.iter(|| DATES.iter().filter(|v| valid_date(black_box(v))).count())
    });
    g.finish();
    let mut g = c.benchmark_group("TM check");
    g.bench_function("hand-written", |b| {
        b.iter(|| TIMES.iter().filter(|v| old_valid_time(black_box(v))).count())
    });
    g.bench_function("nom", |b| {
        b.iter(|| TIMES.iter().filter(|v| valid_time(black_box(v))).count())
    });
    g.finish();
    let mut g = c.benchmark_group("NDC");
    g.bench_function("hand-written", |b| {
        b.iter(|| NDCS.iter().filter_map(|v| old_ndc(black_box(v))).count())
    });
    g.bench_function("nom", |b| {
        b.iter(|| NDCS.iter().filter_map(|v| ndc::normalize(black_box(v))).count())
    });
    g.finish();
}

criterion_group!(benches, grammars);
criterion_main!(benches);
