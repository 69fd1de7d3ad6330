//! 277 claim status answers (005010X212, told from a 277CA by GS08/ST03)
//! in `ack`: each claim answered is matched to the 276 inquiry by its trace
//! (TRN02), else by its patient account number (REF*EJ = CLM01) and payer,
//! and recorded once: its STC category and status code, REF*1K, the
//! amounts and the check number and date go into the claim's history. What
//! the category makes of the claim:
//!
//! | STC01-1 | history status | claim status |
//! |---|---|---|
//! | A0-A8 | `accepted` (A3, A4, A6, A7, A8: `rejected`) | the same, as for a 277CA |
//! | P0-P5 | `pending` | unchanged |
//! | F0, F1, F3, F3F, F3N | `finalized` | unchanged (an 835 is expected) |
//! | F2, F4 | `finalized_denied` | unchanged (an 835 is expected) |
//! | R0-R16 | `information_requested` | unchanged |
//! | E0-E4 | `status_error` | unchanged |
//! | D0 | `not_on_file` | unchanged |
//!
//! A finalized 277 posts no money: payments come from 835s only. The
//! worklist reads the newest answer (`status::worklist`).

use chrono::NaiveDate;

use super::report::{AckRow, Report};
use super::run::{Error, Options};
use crate::edi27x::{read_277, ClaimStatus277, Stc};
use crate::finding::{Finding, Severity};
use crate::ledger::{Ledger, StatusAnswerRecord};
use crate::numtext::money;

/// What a 277 category makes of a claim (the history status).
pub fn status_of_category(category: &str) -> &'static str {
    let c = category.to_ascii_uppercase();
    match c.as_str() {
        "A3" | "A4" | "A6" | "A7" | "A8" => "rejected",
        "F2" | "F4" => "finalized_denied",
        "D0" => "not_on_file",
        _ if c.starts_with('A') => "accepted",
        _ if c.starts_with('P') => "pending",
        _ if c.starts_with('F') => "finalized",
        _ if c.starts_with('R') => "information_requested",
        _ => "status_error",
    }
}

/// Reads the 277 X212 answers of one file and records them; adds counts
/// and findings to `report` and the `acks.csv` rows to `rows`. Returns how many answers the file held.
pub(super) fn intake(
    bytes: &[u8],
    scan: &crate::x12::Scan,
    file: &str,
    ledger: &mut Ledger,
    options: &Options,
    report: &mut Report,
    rows: &mut Vec<AckRow>,
) -> Result<usize, Error> {
    let read = read_277(bytes, scan);
    for f in read.findings {
        report.findings.push(f.in_file(file));
    }
    for a in &read.answers {
        report.counts.claim_statuses += 1;
        let first = a.statuses.first().cloned().unwrap_or_default();
        let status = status_of_category(&first.category);
        let codes: Vec<String> = a.statuses.iter().map(Stc::codes).collect();
        let codes = codes.join(" ");
        let mut row = AckRow {
            file: file.to_string(),
            kind: "277",
            segment: a.pos.segment,
            reference: a.trace.clone(),
            claim_id: String::new(),
            payer_id: String::new(),
            status: status.to_string(),
            detail: codes.clone(),
            payer_claim_id: a.payer_claim_id.clone(),
            trace: a.trace.clone(),
            recorded: "not recorded",
        };
        let claim = if matches!(a.level.as_str(), "22" | "23") {
            find_claim(a, ledger, options)?
        } else {
            None
        };
        let Some((claim_id, payer_id)) = claim else {
            report.counts.unmatched += 1;
            let what = if matches!(a.level.as_str(), "22" | "23") {
                "matches no claim status inquiry sent (trace) and no claim sent (REF*EJ)"
            } else {
                "is a status of the whole inquiry (receiver or provider level), not of a claim"
            };
            report.findings.push(
                Finding::new(
                    super::UNMATCHED,
                    Severity::Error,
                    format!("277 trace {} ({codes}) {what}", a.trace),
                )
                .in_file(file)
                .at(a.pos, "HL"),
            );
            row.status = "unmatched".into();
            rows.push(row);
            continue;
        };
        match status {
            "accepted" => report.counts.claims_accepted += 1,
            "rejected" => report.counts.claims_rejected += 1,
            _ => {}
        }
        let detail = detail(a, &first, &codes);
        let record = StatusAnswerRecord {
            fingerprint: a.fingerprint.clone(),
            claim_id: claim_id.clone(),
            payer_id: payer_id.clone(),
            trace: a.trace.clone(),
            category: first.category.clone(),
            codes: codes.clone(),
            status: status.to_string(),
            payer_claim_id: Some(a.payer_claim_id.clone()).filter(|p| !p.is_empty()),
            charge: first.charge,
            paid: first.paid,
            check_number: Some(first.check_number.clone()).filter(|c| !c.is_empty()),
            check_date: first.check_date,
            file: file.to_string(),
            detail: detail.clone(),
        };
        let new = ledger.record_status_answer(&record, options.now)?;
        if new {
            report.ledger.recorded += 1;
            report.ledger.claim_events += 1;
        } else {
            report.ledger.already += 1;
            report.counts.already += 1;
        }
        row.claim_id = claim_id;
        row.payer_id = payer_id;
        row.detail = detail;
        row.recorded = if new { "new" } else { "already" };
        rows.push(row);
    }
    Ok(read.answers.len())
}

fn find_claim(
    a: &ClaimStatus277,
    ledger: &Ledger,
    options: &Options,
) -> Result<Option<(String, String)>, Error> {
    if !a.trace.is_empty() {
        if let Some(c) = ledger.status_inquiry(&a.trace)? {
            return Ok(Some(c));
        }
    }
    if a.claim_id.is_empty() {
        return Ok(None);
    }
    let payers = ledger.payers_of_claim(&a.claim_id)?;
    let named = options.payers.get(&a.payer_id).map(|t| t.to_string());
    let payer = match (payers.len(), named) {
        (1, _) => payers.first().cloned(),
        (_, Some(p)) if payers.contains(&p) => Some(p),
        _ => None,
    };
    Ok(payer.map(|p| (a.claim_id.clone(), p)))
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y%m%d").to_string()).unwrap_or_default()
}

fn detail(a: &ClaimStatus277, s: &Stc, codes: &str) -> String {
    let mut out = format!("277 claim status {codes}");
    if let Some(d) = s.date {
        out.push_str(&format!(", status date {}", date(Some(d))));
    }
    if !a.payer_claim_id.is_empty() {
        out.push_str(&format!(", payer claim number {}", a.payer_claim_id));
    }
    if let Some(c) = s.charge {
        out.push_str(&format!(", charge {}", money(c)));
    }
    if let Some(p) = s.paid {
        out.push_str(&format!(", paid {}", money(p)));
    }
    if !s.check_number.is_empty() {
        out.push_str(&format!(", check {}", s.check_number));
    }
    if s.check_date.is_some() {
        out.push_str(&format!(" of {}", date(s.check_date)));
    }
    out.push_str(&format!(", trace {}", a.trace));
    out
}
