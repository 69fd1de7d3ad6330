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
//! Tables carry `data-csv` (their file) and cells equal to the file's
//! cells; headline values carry `data-key` (their `summary.json` key), so a
//! checker can compare the page with the files. This module writes nothing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::aggregate::BUCKETS;
use super::chart;
use super::write::{self as w, aging_cells, denial_cells, payment_cells, procedure_cells};
use super::Report;

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

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:62rem;padding:0 1rem;color:#1b1b1b}
h1{margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}
.meta,.note{color:#555}.empty{font-size:1.2rem;padding:1rem;background:#f4f4f4;border-radius:.4rem}
dl.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.7rem}
dl.cards div{background:#f4f7fb;border-radius:.4rem;padding:.6rem .8rem}dl.cards dt{font-size:.8rem;color:#555}
dl.cards dd{margin:0;font-size:1.35rem;font-weight:600}
table{border-collapse:collapse;margin:1rem 0;font-size:.85rem;width:100%}
th,td{border-bottom:1px solid #e2e2e2;padding:.25rem .5rem;text-align:right}
th:first-child,td:first-child,th.l,td.l{text-align:left}thead th{background:#f0f0f0}
figure{margin:1.2rem 0}figcaption{font-weight:600;margin-bottom:.3rem}.wide{overflow-x:auto}
svg.chart{width:100%;height:auto;max-width:760px;display:block;margin:1rem 0}
svg .grid{stroke:#e6e6e6}svg .axis{stroke:#333}svg text{font-size:11px;fill:#333}
svg .axis-label{font-size:12px;font-weight:600}.ok{color:#1a7f37}.bad{color:#b42318}
@media print{h2{break-before:auto}svg.chart{break-inside:avoid}}";

/// A table with the CSV's header and rows; `complete` says whether every
/// row of the file is shown (else the first rows).
fn table(s: &mut String, csv: &str, header: &[&str], rows: &[Vec<String>], complete: bool) {
    let _ = write!(
        s,
        r#"<div class="wide"><table data-csv="{csv}" data-rows="{}"><thead><tr>"#,
        if complete { "all" } else { "first" }
    );
    for h in header {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{}</td>", esc(c));
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
}

fn card(s: &mut String, key: &str, label: &str, value: &str) {
    let _ =
        write!(s, r#"<div><dt>{}</dt><dd data-key="{key}">{}</dd></div>"#, esc(label), esc(value));
}

/// The page.
pub(crate) fn page(r: &Report) -> String {
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
    s.push_str(r#"<section id="headline"><h2>Headline</h2><dl class="cards">"#);
    card(&mut s, "claims_sent", "Claims sent", &sm.claims_sent.to_string());
    card(&mut s, "claims_paid", "Claims paid", &sm.claims_paid.to_string());
    card(&mut s, "claims_denied", "Claims denied", &sm.claims_denied.to_string());
    card(&mut s, "claims_outstanding", "Claims outstanding", &sm.claims_outstanding.to_string());
    card(&mut s, "claims_rejected", "Claims rejected (front end)", &sm.claims_rejected.to_string());
    card(&mut s, "ar_total", "A/R total", &sm.ar_total);
    card(&mut s, "ar_over_90", "A/R over 90 days", &sm.ar_over_90);
    card(
        &mut s,
        "collection_rate",
        "Collection rate",
        sm.collection_rate.as_deref().unwrap_or("n/a"),
    );
    card(
        &mut s,
        "median_days_to_pay",
        "Median days to pay",
        sm.median_days_to_pay.as_deref().unwrap_or("n/a"),
    );
    card(&mut s, "payments_posted", "Paid by payers", &sm.payments_posted);
    card(&mut s, "denied_amount", "Denied", &sm.denied_amount);
    s.push_str("</dl></section>");

    aging(&mut s, r);
    denials(&mut s, r);
    payments(&mut s, r);

    s.push_str(r#"<section id="patients"><h2>Patient balances</h2><dl class="cards">"#);
    card(
        &mut s,
        "patient_balance_claims",
        "Claims with a patient balance",
        &sm.patient_balance_claims.to_string(),
    );
    card(&mut s, "patient_balance_total", "Patients owe", &sm.patient_balance_total);
    s.push_str(r#"</dl><p class="note">Names and dates of birth are in <code>patient_balances.csv</code> only, so this page can be shared.</p></section>"#);

    s.push_str(r#"<section id="procedures"><h2>Procedures</h2>"#);
    let rows: Vec<Vec<String>> =
        r.procedures.iter().take(PROCEDURE_ROWS).map(procedure_cells).collect();
    let _ = write!(
        s,
        r#"<p class="note">The {} procedure codes billed most (all of them in <code>procedures.csv</code>).</p>"#,
        rows.len()
    );
    table(&mut s, "procedures.csv", &w::PROCEDURES, &rows, r.procedures.len() <= PROCEDURE_ROWS);
    s.push_str("</section>");

    if !r.eligibility.is_empty() {
        s.push_str(r#"<section id="eligibility"><h2>Eligibility</h2><p class="note">270 inquiries sent and 271 answers recorded, by payer and coverage status.</p>"#);
        let rows: Vec<Vec<String>> = r.eligibility.iter().map(super::eligibility::cells).collect();
        table(&mut s, "eligibility.csv", &super::eligibility::ELIGIBILITY, &rows, true);
        s.push_str("</section>");
    }

    let t = &sm.tie_out;
    let _ = write!(
        s,
        r#"<section id="tie-out"><h2>Tie-out</h2><p class="{}" data-key="tie_out.ok">{}</p><p class="note">Paid in payments.csv <span data-key="tie_out.payments_csv_paid">{}</span>; paid in the ledger <span data-key="tie_out.ledger_paid">{}</span>; provider adjustments <span data-key="tie_out.provider_adjustments">{}</span>; deposited <span data-key="tie_out.deposited">{}</span>.</p>"#,
        if t.ok { "ok" } else { "bad" },
        t.ok,
        t.payments_csv_paid,
        t.ledger_paid,
        t.provider_adjustments,
        t.deposited
    );
    s.push_str(r#"<p class="note">Files: "#);
    let files: Vec<String> = sm.files.iter().map(|f| format!("<code>{}</code>", esc(f))).collect();
    s.push_str(&files.join(", "));
    s.push_str("</p></section></body></html>\n");
    s
}

fn aging(s: &mut String, r: &Report) {
    s.push_str(r#"<section id="aging"><h2>A/R aging</h2><p class="note">Money still expected from payers, by days since each claim was first sent.</p>"#);
    let mut payers: Vec<(&str, Decimal)> = r
        .aging
        .iter()
        .filter(|a| a.bucket == "total" && a.payer_id != "ALL")
        .map(|a| (a.payer_id.as_str(), a.amount))
        .collect();
    payers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    payers.truncate(CHART_ITEMS);
    if !payers.is_empty() {
        let cats: Vec<String> = payers.iter().map(|p| p.0.to_string()).collect();
        let series: Vec<(String, Vec<Decimal>)> = BUCKETS
            .iter()
            .map(|b| {
                let vals = payers
                    .iter()
                    .map(|p| {
                        r.aging
                            .iter()
                            .find(|a| a.payer_id == p.0 && a.bucket == *b)
                            .map_or(Decimal::ZERO, |a| a.amount)
                    })
                    .collect();
                (format!("{b} days"), vals)
            })
            .collect();
        s.push_str(&chart::stacked_bars(
            "chart-aging",
            "A/R aging by payer",
            ("Payer", "Amount outstanding"),
            &cats,
            &series,
        ));
    }
    let rows: Vec<Vec<String>> = r.aging.iter().map(aging_cells).collect();
    table(s, "aging.csv", &w::AGING, &rows, true);
    s.push_str("</section>");
}

fn denials(s: &mut String, r: &Report) {
    s.push_str(r#"<section id="denials"><h2>Denials</h2><p class="note">Denied money by payer and reason (group and CARC), with the share of adjudicated claims and of billed money it stands for.</p>"#);
    let items: Vec<(String, Decimal)> = r
        .denials
        .iter()
        .filter(|d| d.payer_id == "ALL" && d.category != "total")
        .take(CHART_ITEMS)
        .map(|d| (d.carc.clone(), d.amount))
        .collect();
    if !items.is_empty() {
        s.push_str(&chart::bars(
            "chart-denials",
            "Denial reasons, all payers",
            ("Reason (group-CARC)", "Amount denied"),
            &items,
        ));
    }
    let rows: Vec<Vec<String>> = r.denials.iter().map(denial_cells).collect();
    table(s, "denials.csv", &w::DENIALS, &rows, true);
    s.push_str("</section>");
}

fn payments(s: &mut String, r: &Report) {
    s.push_str(r#"<section id="payments"><h2>Payments and days to pay</h2><p class="note">Claim payments by payer and month of payment; days to pay count from the day a claim was first sent.</p>"#);
    let months: Vec<String> = {
        let mut m: Vec<String> = r.payments.iter().map(|p| p.month.clone()).collect();
        m.sort();
        m.dedup();
        m
    };
    let mut paid_by_payer: BTreeMap<&str, Decimal> = BTreeMap::new();
    for p in &r.payments {
        *paid_by_payer.entry(p.payer_id.as_str()).or_default() += p.paid;
    }
    let mut payers: Vec<(&str, Decimal)> = paid_by_payer.into_iter().collect();
    payers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    payers.truncate(CHART_ITEMS);
    if !months.is_empty() {
        let series = |pick: &dyn Fn(&super::PaymentRow) -> Option<Decimal>| -> Vec<chart::Series> {
            payers
                .iter()
                .map(|(payer, _)| {
                    let vals = months
                        .iter()
                        .map(|m| {
                            r.payments
                                .iter()
                                .find(|p| p.payer_id == *payer && &p.month == m)
                                .and_then(pick)
                        })
                        .collect();
                    (payer.to_string(), vals)
                })
                .collect()
        };
        let paid = series(&|p| Some(p.paid));
        s.push_str(&chart::lines(
            "chart-paid",
            "Paid per month, by payer",
            ("Month of payment", "Amount paid"),
            &months,
            &paid,
        ));
        let days = series(&|p| p.median_days_to_pay);
        if days.iter().any(|d| d.1.iter().any(Option::is_some)) {
            s.push_str(&chart::lines(
                "chart-days",
                "Median days to pay, by payer",
                ("Month of payment", "Days from sent to paid"),
                &months,
                &days,
            ));
        }
    }
    let rows: Vec<Vec<String>> = r.payments.iter().map(payment_cells).collect();
    table(s, "payments.csv", &w::PAYMENTS, &rows, true);
    s.push_str("</section>");
}
