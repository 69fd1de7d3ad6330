//! The X12 value grammars (nom: `x12::grammar`, `codeset::ndc`) against
//! the one-pass readers `values` and `schema` use (and a copy of the NDC
//! reader the grammar replaced): `R` decimals, `D8`
//! dates, `DT` and `TM` checks, NDC forms, each over a fixed mix of valid and invalid
//! values. Run: `cargo bench --bench values`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

use claimflow::codeset::ndc;
use claimflow::values::{parse_date_bytes, parse_decimal_bytes};
use claimflow::x12::grammar;
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
        b.iter(|| DECIMALS.iter().filter_map(|v| parse_decimal_bytes(black_box(v))).count())
    });
    g.bench_function("nom", |b| {
        b.iter(|| DECIMALS.iter().filter_map(|v| grammar::r_number(black_box(v)).ok()).count())
    });
    g.finish();
    let mut g = c.benchmark_group("D8 date");
    g.bench_function("hand-written", |b| {
        b.iter(|| DATES.iter().filter_map(|v| parse_date_bytes(black_box(v))).count())
    });
    g.bench_function("nom", |b| {
        b.iter(|| {
            DATES
                .iter()
                .filter_map(|v| match grammar::d8(black_box(v)) {
                    Ok((&[], d)) => chrono::NaiveDate::from_ymd_opt(d.year as i32, d.month, d.day),
                    _ => None,
                })
                .count()
        })
    });
    g.finish();
    let mut g = c.benchmark_group("DT check");
    g.bench_function("hand-written", |b| {
        b.iter(|| DATES.iter().filter(|v| valid_date(black_box(v))).count())
    });
    g.bench_function("nom", |b| {
        b.iter(|| {
            DATES
                .iter()
                .filter(|v| {
                    grammar::dt(black_box(v)).is_ok_and(|(_, d)| grammar::is_calendar_date(d))
                })
                .count()
        })
    });
    g.finish();
    let mut g = c.benchmark_group("TM check");
    g.bench_function("hand-written", |b| {
        b.iter(|| TIMES.iter().filter(|v| valid_time(black_box(v))).count())
    });
    g.bench_function("nom", |b| {
        b.iter(|| {
            TIMES
                .iter()
                .filter(|v| {
                    grammar::tm(black_box(v)).is_ok_and(|(_, t)| grammar::is_time_of_day(t))
                })
                .count()
        })
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
