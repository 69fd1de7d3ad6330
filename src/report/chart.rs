//! Inline SVG charts for `report.html`: stacked bars, bars and lines.
//!
//! Every chart is a `<figure>` (its title as caption) holding one `<svg>` with a `<title>`, an x and a y axis with tick
//! labels, and an axis label on each (`class="axis-label"`, `data-axis="x"`
//! or `"y"`), and a legend when it has several series. Amounts are drawn
//! from `Decimal` converted to `f64` for coordinates only; every number a
//! reader sees is printed from the exact value. No script, no font or image
//! fetched: the page works offline.
//!
//! Series stay apart when their values are equal: each series of a line
//! chart has its own marker shape (circle, square, triangle, diamond, ...),
//! drawn in the legend too, and its points sit a few pixels to the side of
//! the other series' points in the same month. Money axes are written as
//! dollars with thousands separators.

use std::fmt::Write as _;

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::html::esc;

const W: f64 = 760.0;
const H: f64 = 340.0;
const LEFT: f64 = 84.0;
const RIGHT: f64 = 150.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 64.0;

/// Series colours (colour-blind safe palette).
pub(crate) const COLOURS: [&str; 8] =
    ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"];

/// A series: its name and one value per category (None: no point).
pub(crate) type Series = (String, Vec<Option<Decimal>>);

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// A round step so that about 5 ticks cover `max`.
fn step(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let raw = max / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let n = raw / mag;
    let nice = if n <= 1.0 {
        1.0
    } else if n <= 2.0 {
        2.0
    } else if n <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// A tick value as text: dollars on a money axis (`$1,500`), else the
/// number (no fractions for whole steps).
fn tick(v: f64, money: bool) -> String {
    if money {
        let d = Decimal::from_f64_retain(v).unwrap_or_default().round_dp(2);
        let text = super::html::dollars(d);
        return text.strip_suffix(".00").map(str::to_string).unwrap_or(text);
    }
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// Marker shapes, one per series: an SVG path around (0, 0).
const SHAPES: [&str; 8] = [
    "M-4,0a4,4 0 1,0 8,0a4,4 0 1,0 -8,0Z",
    "M-3.5,-3.5h7v7h-7Z",
    "M0,-4.5L4.5,3.5H-4.5Z",
    "M0,-5L5,0L0,5L-5,0Z",
    "M0,4.5L4.5,-3.5H-4.5Z",
    "M-4.5,-1.5h3v-3h3v3h3v3h-3v3h-3v-3h-3Z",
    "M-4,-4L4,4M-4,4L4,-4",
    "M-5,-1.5h10v3h-10Z",
];

/// A series' marker at (x, y).
fn marker(s: &mut String, k: usize, x: f64, y: f64, title: &str) {
    let c = COLOURS[k % COLOURS.len()];
    let _ = write!(
        s,
        r#"<path class="mark" data-series="{k}" d="{d}" transform="translate({x:.1} {y:.1})" fill="{c}" stroke="{c}" stroke-width="1.5"><title>{}</title></path>"#,
        esc(title),
        d = SHAPES[k % SHAPES.len()]
    );
}

/// The frame: `<svg>`, title, y grid and ticks up to `max`, axes and their
/// labels. Returns the svg so far and the y scale (value -> y).
fn frame(
    id: &str,
    title: &str,
    x_label: &str,
    y_label: &str,
    max: f64,
    money: bool,
) -> (String, f64) {
    let st = step(max);
    let top = (max / st).ceil().max(1.0) * st;
    let plot_h = H - TOP - BOTTOM;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<figure><figcaption>{}</figcaption><svg viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-t" class="chart" id="{id}"><title id="{id}-t">{}</title>"#,
        esc(title),
        esc(title)
    );
    let mut v = 0.0;
    while v <= top + st / 2.0 {
        let y = H - BOTTOM - v / top * plot_h;
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{tx}" y="{ty:.1}" class="tick" text-anchor="end">{}</text>"##,
            tick(v, money),
            x2 = W - RIGHT,
            tx = LEFT - 6.0,
            ty = y + 4.0
        );
        v += st;
    }
    let _ = write!(
        s,
        r#"<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{yb}" class="axis"/><line x1="{LEFT}" x2="{xr}" y1="{yb}" y2="{yb}" class="axis"/>"#,
        yb = H - BOTTOM,
        xr = W - RIGHT
    );
    let _ = write!(
        s,
        r#"<text class="axis-label" data-axis="x" x="{x:.1}" y="{y}" text-anchor="middle">{}</text>"#,
        esc(x_label),
        x = LEFT + (W - RIGHT - LEFT) / 2.0,
        y = H - 12.0
    );
    let _ = write!(
        s,
        r#"<text class="axis-label" data-axis="y" transform="translate(18 {y:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
        esc(y_label),
        y = TOP + plot_h / 2.0
    );
    (s, plot_h / top)
}

/// Category labels under the x axis, centred on `slot` wide bands.
fn x_labels(s: &mut String, labels: &[String], slot: f64) {
    for (i, l) in labels.iter().enumerate() {
        let x = LEFT + slot * (i as f64 + 0.5);
        let short: String = l.chars().take(12).collect();
        let _ = write!(
            s,
            r#"<text x="{x:.1}" y="{y}" class="tick" text-anchor="middle">{}</text>"#,
            esc(&short),
            y = H - BOTTOM + 16.0
        );
    }
}

/// The legend: a swatch (or the series' marker) and the name of each series.
fn legend(s: &mut String, names: &[&str], markers: bool) {
    for (i, n) in names.iter().enumerate() {
        let y = TOP + 8.0 + 18.0 * i as f64;
        let x = W - RIGHT + 14.0;
        if markers {
            let c = COLOURS[i % COLOURS.len()];
            let _ = write!(
                s,
                r#"<path d="{d}" transform="translate({mx} {my})" fill="{c}" stroke="{c}" stroke-width="1.5"/>"#,
                d = SHAPES[i % SHAPES.len()],
                mx = x + 5.0,
                my = y - 4.0
            );
        } else {
            let _ = write!(
                s,
                r#"<rect x="{x}" y="{ry}" width="10" height="10" fill="{c}"/>"#,
                ry = y - 9.0,
                c = COLOURS[i % COLOURS.len()],
            );
        }
        let _ =
            write!(s, r#"<text x="{tx}" y="{y}" class="legend">{}</text>"#, esc(n), tx = x + 14.0);
    }
}

/// Bars stacked per category: one series per stack layer.
pub(crate) fn stacked_bars(
    id: &str,
    title: &str,
    axes: (&str, &str),
    categories: &[String],
    series: &[(String, Vec<Decimal>)],
) -> String {
    let totals: Vec<f64> =
        (0..categories.len()).map(|i| series.iter().map(|s| f(s.1[i])).sum()).collect();
    let max = totals.iter().copied().fold(0.0, f64::max);
    let (mut s, scale) = frame(id, title, axes.0, axes.1, max, true);
    let slot = (W - RIGHT - LEFT) / categories.len().max(1) as f64;
    let bw = (slot * 0.6).min(60.0);
    for (i, _) in categories.iter().enumerate() {
        let mut base = H - BOTTOM;
        for (k, (name, values)) in series.iter().enumerate() {
            let h = f(values[i]) * scale;
            if h <= 0.0 {
                continue;
            }
            base -= h;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{base:.1}" width="{bw:.1}" height="{h:.1}" fill="{c}"><title>{} {}: {}</title></rect>"#,
                esc(&categories[i]),
                esc(name),
                super::html::dollars(values[i]),
                x = LEFT + slot * i as f64 + (slot - bw) / 2.0,
                c = COLOURS[k % COLOURS.len()]
            );
        }
    }
    x_labels(&mut s, categories, slot);
    let names: Vec<&str> = series.iter().map(|x| x.0.as_str()).collect();
    legend(&mut s, &names, false);
    s.push_str("</svg></figure>");
    s
}

/// One bar per item.
pub(crate) fn bars(
    id: &str,
    title: &str,
    axes: (&str, &str),
    items: &[(String, Decimal)],
) -> String {
    let max = items.iter().map(|i| f(i.1)).fold(0.0, f64::max);
    let (mut s, scale) = frame(id, title, axes.0, axes.1, max, true);
    let slot = (W - RIGHT - LEFT) / items.len().max(1) as f64;
    let bw = (slot * 0.6).min(60.0);
    for (i, (label, v)) in items.iter().enumerate() {
        let h = (f(*v) * scale).max(0.0);
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{h:.1}" fill="{c}"><title>{}: {}</title></rect>"#,
            esc(label),
            super::html::dollars(*v),
            x = LEFT + slot * i as f64 + (slot - bw) / 2.0,
            y = H - BOTTOM - h,
            c = COLOURS[0]
        );
    }
    let labels: Vec<String> = items.iter().map(|i| i.0.clone()).collect();
    x_labels(&mut s, &labels, slot);
    s.push_str("</svg></figure>");
    s
}

/// One line per series over the categories (months); `money` says the
/// values are amounts (else counts such as days).
pub(crate) fn lines(
    id: &str,
    title: &str,
    axes: (&str, &str),
    categories: &[String],
    series: &[Series],
    money: bool,
) -> String {
    let max = series.iter().flat_map(|s| s.1.iter().flatten()).map(|d| f(*d)).fold(0.0, f64::max);
    let (mut s, scale) = frame(id, title, axes.0, axes.1, max, money);
    let slot = (W - RIGHT - LEFT) / categories.len().max(1) as f64;
    // Each series sits `gap` px beside the next within a month, so equal
    // values of two series are two markers, not one over the other.
    let n = series.len().max(1) as f64;
    let gap = (slot * 0.5 / n).min(9.0);
    for (k, (name, values)) in series.iter().enumerate() {
        let c = COLOURS[k % COLOURS.len()];
        let dx = (k as f64 - (n - 1.0) / 2.0) * gap;
        let pts: Vec<(f64, f64, Decimal)> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                v.map(|d| {
                    (LEFT + slot * (i as f64 + 0.5) + dx, H - BOTTOM - f(d).max(0.0) * scale, d)
                })
            })
            .collect();
        if pts.len() > 1 {
            let path: Vec<String> = pts.iter().map(|p| format!("{:.1},{:.1}", p.0, p.1)).collect();
            let _ = write!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{c}" stroke-width="2"/>"#,
                path.join(" ")
            );
        }
        for (x, y, d) in pts {
            let value = if money { super::html::dollars(d) } else { d.normalize().to_string() };
            marker(&mut s, k, x, y, &format!("{name}: {value}"));
        }
    }
    x_labels(&mut s, categories, slot);
    let names: Vec<&str> = series.iter().map(|x| x.0.as_str()).collect();
    legend(&mut s, &names, true);
    s.push_str("</svg></figure>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_round() {
        assert_eq!(step(0.0), 1.0);
        assert_eq!(step(9.0), 2.0);
        assert_eq!(step(1234.0), 500.0);
        assert_eq!(step(50.0), 10.0);
    }

    #[test]
    fn equal_values_of_two_series_are_two_markers_apart() {
        let d = |s: &str| Some(s.parse::<Decimal>().unwrap());
        let c = lines(
            "c",
            "C",
            ("Month", "Days"),
            &["2026-12".into()],
            &[("P1".into(), vec![d("13")]), ("P2".into(), vec![d("13")])],
            false,
        );
        let at: Vec<&str> = c
            .split(r#"class="mark""#)
            .skip(1)
            .map(|m| m.split("transform=\"").nth(1).unwrap().split('"').next().unwrap())
            .collect();
        assert_eq!(at.len(), 2, "{c}");
        assert_ne!(at[0], at[1], "{c}");
        assert!(c.contains(SHAPES[0]) && c.contains(SHAPES[1]), "two shapes: {c}");
    }

    #[test]
    fn money_ticks_are_dollars() {
        assert_eq!(tick(1500.0, true), "$1,500");
        assert_eq!(tick(12.5, true), "$12.50");
        assert_eq!(tick(20.0, false), "20");
    }

    #[test]
    fn every_chart_has_a_title_and_labelled_axes() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let charts = [
            stacked_bars(
                "a",
                "A <&>",
                ("Payer", "Amount"),
                &["P1".into()],
                &[("0-30".into(), vec![d("5")])],
            ),
            bars("b", "B", ("Reason", "Amount"), &[("CO-50".into(), d("1375"))]),
            lines(
                "c",
                "C",
                ("Month", "Days"),
                &["2026-01".into()],
                &[("P1".into(), vec![Some(d("3"))])],
                false,
            ),
        ];
        for c in charts {
            assert!(c.starts_with("<figure>") && c.ends_with("</svg></figure>"), "{c}");
            assert!(c.contains("<title id="), "{c}");
            assert!(c.contains(r#"data-axis="x""#) && c.contains(r#"data-axis="y""#), "{c}");
            assert!(!c.contains("<&>"), "title is escaped: {c}");
        }
    }
}
