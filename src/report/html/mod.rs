//! `report.html`: one self-contained page (inline CSS and SVG, no script,
//! no font or image fetched; a Content-Security-Policy forbids any fetch) with
//! the headline numbers, the charts and the tables of the CSV files.
//!
//! Layout, top to bottom: title and scope; headline cards; A/R aging
//! (stacked bars by payer, then the `aging.csv` table); denials (bars of
//! denied money by reason, then `denials.csv`); payments (lines of paid per
//! month and of median days to pay per month, by payer, then
//! `payments.csv`); patient balances (count and total only: names stay in
//! `patient_balances.csv`); procedures (the first 25 rows of
//! `procedures.csv`); the files written and the tie-out. An empty ledger
//! gives the cards and a line saying there is nothing to report yet.
//!
//! Written for a person: money as `$1,375.00`, rates as `28.72%`, column
//! headers in words, the tie-out as "OK" or the difference, rows of a table
//! with no money in them folded away (they stay in the CSV), a layout that
//! fits 1280 px. Headline cards count every claim sent once under what
//! became of it, so they add up to the claims sent.
//!
//! For a checker, every table carries `data-csv` (its file), each header
//! `data-col` (the CSV column) and each cell `data-v` (the file's cell);
//! headline values carry `data-key` (their `summary.json` key) and `data-v`
//! (its value). The chart sections (aging, denials, payments) are in
//! `sections`. This module writes nothing.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::write::{self as w, procedure_cells};
use super::Report;

mod sections;

use sections::{aging, denials, payments};

/// Payers or reasons drawn in one chart at most (the largest ones).
const CHART_ITEMS: usize = 8;
/// Rows of `procedures.csv` shown.
const PROCEDURE_ROWS: usize = 25;

/// `s` with `& < > " '` escaped for HTML text and attributes.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Money for a person: `$1,375.00`, `-$12.50` (two decimals, thousands
/// separators).
pub(crate) fn dollars(d: Decimal) -> String {
    let text = super::money(d.abs().round_dp(2));
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if d.is_sign_negative() && !d.is_zero() { "-" } else { "" };
    format!("{sign}${grouped}.{cents}")
}

/// A rate written as a fraction (`0.2872`) as a percentage (`28.72%`);
/// empty text stays empty.
pub(crate) fn percent(rate: &str) -> String {
    match rate.parse::<Decimal>() {
        Ok(r) => format!("{:.2}%", r * Decimal::ONE_HUNDRED),
        Err(_) => rate.to_string(),
    }
}

/// How a CSV column is shown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Money,
    Rate,
    Plain,
}

/// A CSV column's header in words, and how its cells are shown.
fn column(name: &str) -> (&'static str, Kind) {
    match name {
        "payer_id" => ("Payer", Kind::Plain),
        "bucket" => ("Days since sent", Kind::Plain),
        "claims" => ("Claims", Kind::Plain),
        "amount" => ("Amount", Kind::Money),
        "category" => ("Reason category", Kind::Plain),
        "carc" => ("Reason (group-code)", Kind::Plain),
        "lines" => ("Lines", Kind::Plain),
        "denial_rate" => ("Share of claims denied", Kind::Rate),
        "denial_rate_amount" => ("Share of billed denied", Kind::Rate),
        "month" => ("Month", Kind::Plain),
        "billed" => ("Billed", Kind::Money),
        "allowed" => ("Allowed", Kind::Money),
        "paid" => ("Paid", Kind::Money),
        "contractual" => ("Contractual write-off", Kind::Money),
        "patient_responsibility" => ("Patient share", Kind::Money),
        "median_days_to_pay" => ("Median days to pay", Kind::Plain),
        "p90_days_to_pay" => ("Days for 9 in 10 to be paid", Kind::Plain),
        "claim_payments" => ("Claim payments", Kind::Plain),
        "denied" => ("Denied", Kind::Money),
        "provider_adjustments" => ("Provider adjustments", Kind::Money),
        "deposited" => ("Deposited", Kind::Money),
        "paid_claims" => ("Claims paid", Kind::Plain),
        "procedure" => ("Procedure", Kind::Plain),
        _ => ("", Kind::Plain),
    }
}

/// A CSV cell as shown.
fn shown(kind: Kind, cell: &str) -> String {
    match kind {
        Kind::Money => cell.parse::<Decimal>().map_or_else(|_| cell.to_string(), dollars),
        Kind::Rate => percent(cell),
        Kind::Plain => cell.to_string(),
    }
}

/// True when every number in the row is zero (a row with nothing in it).
fn all_zero(row: &[String]) -> bool {
    row.iter().filter_map(|c| c.parse::<Decimal>().ok()).all(|d| d.is_zero())
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5rem auto;max-width:76rem;padding:0 1rem;color:#1b1b1b}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}
.meta,.note{color:#555}.empty{font-size:1.2rem;padding:1rem;background:#f4f4f4;border-radius:.4rem}
dl.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.7rem}
dl.cards div{background:#f4f7fb;border-radius:.4rem;padding:.6rem .8rem}dl.cards dt{font-size:.8rem;color:#555}
dl.cards dd{margin:0;font-size:1.35rem;font-weight:600}
dl.cards.outcomes div{background:#eef6ef}.sum{color:#555;margin:.3rem 0 0}
table{border-collapse:collapse;margin:1rem 0;font-size:.8rem;width:100%}
th,td{border-bottom:1px solid #e2e2e2;padding:.25rem .4rem;text-align:right}
td{white-space:nowrap}th{vertical-align:bottom;font-weight:600}
th:first-child,td:first-child,th.l,td.l{text-align:left}thead th{background:#f0f0f0}
figure{margin:1.2rem 0}figcaption{font-weight:600;margin-bottom:.3rem}.wide{overflow-x:auto}
svg.chart{width:100%;height:auto;max-width:860px;display:block;margin:1rem 0}
svg .grid{stroke:#e6e6e6}svg .axis{stroke:#333}svg text{font-size:11px;fill:#333}
svg .axis-label{font-size:12px;font-weight:600}.ok{color:#1a7f37}.bad{color:#b42318}
@media print{h2{break-before:auto}svg.chart{break-inside:avoid}}";

/// A table with the CSV's columns (headers in words) and rows; `shown`
/// says which rows of the file are on the page: `all`, the `first` rows,
/// or the `nonzero` ones (rows whose numbers are all zero are folded away,
/// with a note).
fn table(s: &mut String, csv: &str, header: &[&str], rows: &[Vec<String>], shown_rows: &str) {
    let kinds: Vec<Kind> = header.iter().map(|h| column(h).1).collect();
    let _ = write!(
        s,
        r#"<div class="wide"><table data-csv="{csv}" data-rows="{shown_rows}"><thead><tr>"#
    );
    for (i, h) in header.iter().enumerate() {
        let words = column(h).0;
        let class =
            if i > 0 && kinds[i] == Kind::Plain && !is_count(h) { r#" class="l""# } else { "" };
        let _ = write!(
            s,
            r#"<th data-col="{}"{class}>{}</th>"#,
            esc(h),
            esc(if words.is_empty() { h } else { words })
        );
    }
    s.push_str("</tr></thead><tbody>");
    let mut folded = 0;
    for r in rows {
        if shown_rows == "nonzero" && all_zero(r) {
            folded += 1;
            continue;
        }
        s.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            let kind = kinds.get(i).copied().unwrap_or(Kind::Plain);
            let class = if i > 0
                && kind == Kind::Plain
                && !is_count(header.get(i).copied().unwrap_or(""))
            {
                r#" class="l""#
            } else {
                ""
            };
            let _ = write!(s, r#"<td data-v="{}"{class}>{}</td>"#, esc(c), esc(&shown(kind, c)));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    if folded > 0 {
        let _ = write!(
            s,
            r#"<p class="note" data-folded="{folded}">{folded} row(s) with nothing in them are not shown; <code>{csv}</code> has every row.</p>"#
        );
    }
}

/// Columns of counts and days (right-aligned like money).
fn is_count(col: &str) -> bool {
    matches!(
        col,
        "claims"
            | "lines"
            | "median_days_to_pay"
            | "p90_days_to_pay"
            | "claim_payments"
            | "paid_claims"
    )
}

/// How a headline value is shown.
#[derive(Clone, Copy)]
enum Fmt {
    Count,
    Money,
    Rate,
    Days,
}

/// A headline card: its label, and its value as `summary.json` has it
/// (`data-v`) and as a person reads it.
fn card(s: &mut String, key: &str, label: &str, value: Option<&str>, fmt: Fmt) {
    let raw = value.unwrap_or("n/a");
    let text = match (value, fmt) {
        (None, _) => "n/a".to_string(),
        (Some(v), Fmt::Money) => v.parse::<Decimal>().map_or_else(|_| v.to_string(), dollars),
        (Some(v), Fmt::Rate) => percent(v),
        (Some(v), Fmt::Days) => format!("{v} days"),
        (Some(v), Fmt::Count) => v.to_string(),
    };
    let fmt = match fmt {
        Fmt::Count => "count",
        Fmt::Money => "money",
        Fmt::Rate => "rate",
        Fmt::Days => "days",
    };
    let _ = write!(
        s,
        r#"<div><dt>{}</dt><dd data-key="{key}" data-v="{}" data-fmt="{fmt}">{}</dd></div>"#,
        esc(label),
        esc(raw),
        esc(&text)
    );
}

/// The page.
pub(crate) fn page(r: &Report, reasons: &crate::codeset::ReasonTexts) -> String {
    let sm = &r.summary;
    let mut s = String::with_capacity(64 << 10);
    s.push_str(r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">"#);
    s.push_str(r#"<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">"#);
    s.push_str(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#);
    let _ = write!(
        s,
        "<title>Claims money report, {}</title><style>{STYLE}</style></head><body>",
        esc(&sm.as_of)
    );
    s.push_str("<h1>Claims money report</h1>");
    let mut scope = format!("As of {}", sm.as_of);
    match (&sm.from, &sm.to) {
        (None, None) => scope.push_str(", everything in the ledger"),
        (f, t) => {
            let _ = write!(
                scope,
                "; claims sent and payments dated from {} to {}",
                f.as_deref().unwrap_or("the start"),
                t.as_deref().unwrap_or("now")
            );
        }
    }
    if let Some(p) = &sm.payer {
        let _ = write!(scope, "; payer {p}");
    }
    let _ = write!(s, r#"<p class="meta">{}</p>"#, esc(&scope));
    if r.is_empty() {
        s.push_str(r#"<p class="empty" id="nothing-yet">Nothing to report yet: the ledger holds no claim sent and no payment posted in this scope. Run <code>claimflow build</code>, then <code>claimflow reconcile</code>.</p>"#);
    }
    let o = &sm.claims_by_outcome;
    s.push_str(r#"<section id="headline"><h2>Headline</h2>"#);
    let _ = write!(
        s,
        r#"<p class="sum">Every claim sent, once, under what became of it: <span data-key="claims_sent" data-v="{n}" data-fmt="count">{n}</span> claim(s) sent.</p><dl class="cards outcomes">"#,
        n = sm.claims_sent
    );
    let outcomes = [
        ("paid", "Paid by the payer", o.paid),
        ("denied", "Denied in full", o.denied),
        ("left_to_patient", "Left to the patient", o.left_to_patient),
        ("waiting_for_secondary", "Waiting for a secondary payer", o.waiting_for_secondary),
        ("outstanding", "Outstanding at the payer", o.outstanding),
        ("rejected", "Rejected before the payer (999/277CA)", o.rejected),
    ];
    for (key, label, n) in outcomes {
        card(&mut s, &format!("claims_by_outcome.{key}"), label, Some(&n.to_string()), Fmt::Count);
    }
    s.push_str(r#"</dl><dl class="cards">"#);
    card(&mut s, "ar_total", "A/R: still expected from payers", Some(&sm.ar_total), Fmt::Money);
    card(&mut s, "ar_over_90", "A/R over 90 days", Some(&sm.ar_over_90), Fmt::Money);
    card(&mut s, "payments_posted", "Paid by payers", Some(&sm.payments_posted), Fmt::Money);
    card(&mut s, "denied_amount", "Denied", Some(&sm.denied_amount), Fmt::Money);
    card(&mut s, "collection_rate", "Collection rate", sm.collection_rate.as_deref(), Fmt::Rate);
    card(
        &mut s,
        "median_days_to_pay",
        "Median days to pay",
        sm.median_days_to_pay.as_deref(),
        Fmt::Days,
    );
    s.push_str("</dl></section>");

    aging(&mut s, r);
    denials(&mut s, r, reasons);
    payments(&mut s, r);

    s.push_str(r#"<section id="patients"><h2>Patient balances</h2><dl class="cards">"#);
    card(
        &mut s,
        "patient_balance_claims",
        "Claims with a patient balance",
        Some(&sm.patient_balance_claims.to_string()),
        Fmt::Count,
    );
    card(
        &mut s,
        "patient_balance_total",
        "Patients owe",
        Some(&sm.patient_balance_total),
        Fmt::Money,
    );
    s.push_str(r#"</dl><p class="note">Names and dates of birth are in <code>patient_balances.csv</code> only, so this page can be shared.</p></section>"#);

    s.push_str(r#"<section id="procedures"><h2>Procedures</h2>"#);
    let rows: Vec<Vec<String>> =
        r.procedures.iter().take(PROCEDURE_ROWS).map(procedure_cells).collect();
    let _ = write!(
        s,
        r#"<p class="note">The {} procedure codes billed most (all of them in <code>procedures.csv</code>).</p>"#,
        rows.len()
    );
    let all = if r.procedures.len() <= PROCEDURE_ROWS { "all" } else { "first" };
    table(&mut s, "procedures.csv", &w::PROCEDURES, &rows, all);
    s.push_str("</section>");

    if !r.eligibility.is_empty() {
        s.push_str(r#"<section id="eligibility"><h2>Eligibility</h2><p class="note">270 inquiries sent and 271 answers recorded, by payer and coverage status.</p>"#);
        let rows: Vec<Vec<String>> = r.eligibility.iter().map(super::eligibility::cells).collect();
        table(&mut s, "eligibility.csv", &super::eligibility::ELIGIBILITY, &rows, "all");
        s.push_str("</section>");
    }

    let t = &sm.tie_out;
    let verdict = if t.ok {
        "OK: the payments in payments.csv equal the ledger's, and what the payers deposited"
            .to_string()
    } else {
        let d = |a: &str, b: &str| {
            let (a, b) = (
                a.parse::<Decimal>().unwrap_or_default(),
                b.parse::<Decimal>().unwrap_or_default(),
            );
            dollars(a - b)
        };
        let deposit_gap = {
            let paid = t.ledger_paid.parse::<Decimal>().unwrap_or_default();
            let plb = t.provider_adjustments.parse::<Decimal>().unwrap_or_default();
            let dep = t.deposited.parse::<Decimal>().unwrap_or_default();
            dollars(paid - plb - dep)
        };
        format!(
            "Does not tie out: payments.csv differs from the ledger by {}; paid less provider adjustments differs from the deposits by {deposit_gap}",
            d(&t.payments_csv_paid, &t.ledger_paid)
        )
    };
    let _ = write!(
        s,
        r#"<section id="tie-out"><h2>Tie-out</h2><p class="{}" data-key="tie_out.ok" data-v="{}" data-fmt="ok">{}</p><p class="note">Paid in payments.csv <span data-key="tie_out.payments_csv_paid" data-v="{}" data-fmt="money">{}</span>; paid in the ledger <span data-key="tie_out.ledger_paid" data-v="{}" data-fmt="money">{}</span>; provider adjustments <span data-key="tie_out.provider_adjustments" data-v="{}" data-fmt="money">{}</span>; deposited <span data-key="tie_out.deposited" data-v="{}" data-fmt="money">{}</span>.</p>"#,
        if t.ok { "ok" } else { "bad" },
        t.ok,
        esc(&verdict),
        t.payments_csv_paid,
        money_text(&t.payments_csv_paid),
        t.ledger_paid,
        money_text(&t.ledger_paid),
        t.provider_adjustments,
        money_text(&t.provider_adjustments),
        t.deposited,
        money_text(&t.deposited)
    );
    s.push_str(r#"<p class="note">Files: "#);
    let files: Vec<String> = sm.files.iter().map(|f| format!("<code>{}</code>", esc(f))).collect();
    s.push_str(&files.join(", "));
    s.push_str("</p></section></body></html>\n");
    s
}

/// Two-decimal text as dollars (unchanged when it is not a number).
fn money_text(v: &str) -> String {
    v.parse::<Decimal>().map_or_else(|_| v.to_string(), dollars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_rates_for_a_person() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(dollars(d("1375")), "$1,375.00");
        assert_eq!(dollars(d("2110.9")), "$2,110.90");
        assert_eq!(dollars(d("1234567.891")), "$1,234,567.89");
        assert_eq!(dollars(d("-12.5")), "-$12.50");
        assert_eq!(dollars(d("0")), "$0.00");
        assert_eq!(dollars(d("999.99")), "$999.99");
        assert_eq!(percent("0.2872"), "28.72%");
        assert_eq!(percent("1.0000"), "100.00%");
        assert_eq!(percent(""), "");
    }

    #[test]
    fn rows_of_zeros_are_folded_with_a_note() {
        let rows = vec![
            vec!["A".to_string(), "0-30".into(), "0".into(), "0.00".into()],
            vec!["A".to_string(), "total".into(), "1".into(), "1200.00".into()],
        ];
        let mut s = String::new();
        table(&mut s, "aging.csv", &w::AGING, &rows, "nonzero");
        assert!(!s.contains(r#"data-v="0-30""#), "{s}");
        assert!(s.contains(r#"<td data-v="1200.00">$1,200.00</td>"#), "{s}");
        assert!(s.contains(r#"<th data-col="bucket" class="l">Days since sent</th>"#), "{s}");
        assert!(s.contains(r#"data-folded="1""#), "{s}");
    }
}
