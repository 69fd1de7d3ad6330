//! The chart sections of `report.html`: A/R aging (stacked bars by payer,
//! then `aging.csv`), denials (bars of denied money by reason, then
//! `denials.csv`) and payments (lines of paid and of median days to pay per
//! month, by payer, then `payments.csv`), each appended to the page.
//!
//! This module writes nothing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::{dollars, table, CHART_ITEMS};
use crate::report::aggregate::BUCKETS;
use crate::report::chart;
use crate::report::write::{self as w, aging_cells, denial_cells, payment_cells};
use crate::report::Report;

pub(super) fn aging(s: &mut String, r: &Report) {
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
    if payers.is_empty() {
        s.push_str(
            r#"<p class="sum">Nothing is outstanding: every claim sent has been answered.</p>"#,
        );
    }
    let rows: Vec<Vec<String>> = r.aging.iter().map(aging_cells).collect();
    table(s, "aging.csv", &w::AGING, &rows, "nonzero");
    s.push_str("</section>");
}

pub(super) fn denials(s: &mut String, r: &Report, reasons: &crate::codeset::ReasonTexts) {
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
    if let Some(t) = r.denials.iter().find(|d| d.payer_id == "ALL" && d.category == "total") {
        let _ = write!(
            s,
            r#"<p class="sum">{} claim(s) with denied money ({} line(s)), {} in all: the <em>ALL, total</em> row below and the headline's "Denied" amount.</p>"#,
            t.claims,
            t.lines,
            dollars(t.amount)
        );
    } else {
        s.push_str(r#"<p class="sum">No denied money in this scope.</p>"#);
    }
    let rows: Vec<Vec<String>> = r.denials.iter().map(|d| denial_cells(d, reasons)).collect();
    table(s, "denials.csv", &w::DENIALS, &rows, "all");
    s.push_str("</section>");
}

pub(super) fn payments(s: &mut String, r: &Report) {
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
        let series =
            |pick: &dyn Fn(&crate::report::PaymentRow) -> Option<Decimal>| -> Vec<chart::Series> {
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
            true,
        ));
        let days = series(&|p| p.median_days_to_pay);
        if days.iter().any(|d| d.1.iter().any(Option::is_some)) {
            s.push_str(&chart::lines(
                "chart-days",
                "Median days to pay, by payer",
                ("Month of payment", "Days from sent to paid"),
                &months,
                &days,
                false,
            ));
        }
    }
    let rows: Vec<Vec<String>> = r.payments.iter().map(payment_cells).collect();
    table(s, "payments.csv", &w::PAYMENTS, &rows, "all");
    s.push_str("</section>");
}
