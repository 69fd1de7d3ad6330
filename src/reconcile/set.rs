//! One 835 transaction set (one payment) through a reconciliation: its
//! file opened and scanned, the set read, balanced and matched
//! ([`read_set`], in parallel with the others of its batch), then, once the
//! run has accounted it, its report rows formatted and its ledger postings
//! built ([`finish_set`]). The run (`run`) orders and accounts the sets;
//! this module writes and posts nothing itself.

use std::path::Path;

use rust_decimal::Decimal;

use super::report::{self, PlbRow};
use super::summary::SetSummary;
use super::{ClaimIndex, ClaimResult, ClaimRule, ClaimStatus, LineRule, PayerNames, SentClaim};
use crate::edi835;
use crate::ledger::{
    self, DenialPosting, LinePosting, PaymentPosting, PlbPosting, ProcedureSums, RemitPosting,
};
use crate::x12::{self, Finding, Severity, TransactionKind};
use crate::Text;

/// A note: an 835 whose paying payer is not known (matched by claim id alone).
const UNKNOWN_PAYER: &str = "835-PAYER-UNKNOWN";

/// One 835 file, opened and scanned (its bytes stay mapped for the run).
pub(super) struct Opened {
    pub(super) name: String,
    pub(super) input: Option<crate::input::Input>,
    pub(super) scan: x12::Scan,
    /// The file's sha256 (hex), recorded with its postings; empty when
    /// nothing is posted.
    pub(super) hash: String,
    pub(super) broken: Option<String>,
}

/// Opens and scans the 835 at `path`; `with_hash` takes its sha256 too (only
/// the ledger records it).
pub(super) fn open_remit_file(path: &Path, with_hash: bool) -> Opened {
    let name = path.display().to_string();
    let input = match crate::input::open(path) {
        Ok(i) => i,
        Err(e) => {
            return Opened {
                name,
                input: None,
                scan: x12::Scan::default(),
                hash: String::new(),
                broken: Some(format!("cannot read: {e}")),
            }
        }
    };
    let hash = if with_hash {
        use sha2::Digest;
        ledger::hex(&sha2::Sha256::digest(&input[..]))
    } else {
        String::new()
    };
    let scan = x12::scan(&input);
    let sets = scan.sets().filter(|(_, _, s)| s.kind == TransactionKind::Remittance835).count();
    let broken =
        (sets == 0).then(|| match scan.findings.iter().find(|f| f.severity == Severity::Error) {
            Some(f) => format!("no 835 transaction set could be read ({f})"),
            None => "no 835 transaction set in the file".to_string(),
        });
    Opened { name, input: Some(input), scan, hash, broken }
}

/// One transaction set read and matched, not yet accounted.
pub(super) struct Read {
    pub(super) summary: SetSummary,
    pub(super) results: Vec<ClaimResult>,
    pub(super) plb: Vec<PlbRow>,
    pub(super) findings: Vec<Finding>,
    /// Set when the set's payer is not a known payer id or alias.
    pub(super) unknown_payer: Option<Finding>,
    /// The paying payer's id, when known.
    pub(super) payer: Option<Text>,
    /// Per result, its service lines and denying adjustments (ledger mode only).
    pub(super) detail: Vec<(Vec<LinePosting>, Vec<DenialPosting>)>,
}

/// What one transaction set contributed.
pub(super) struct SetOut {
    pub(super) summary: SetSummary,
    pub(super) rows: report::Rows,
    pub(super) plb: Vec<PlbRow>,
    pub(super) findings: Vec<Finding>,
    /// Ledger postings (ledger mode only).
    pub(super) payments: Vec<PaymentPosting>,
    /// The service lines of the matched postings, summed (ledger mode only).
    pub(super) procedures: ProcedureSums,
    pub(super) unknown_payer: Option<Finding>,
}

/// What every transaction set is matched against.
pub(super) struct Against<'c> {
    pub(super) index: &'c ClaimIndex<'c>,
    pub(super) payers: &'c PayerNames,
    pub(super) contractual: &'c [String],
    /// The sent claims' ledger rows (ledger mode only).
    pub(super) ledger_rows: Option<&'c [i64]>,
    /// CARC and RARC texts for `denials.csv`.
    pub(super) reasons: &'c crate::codeset::ReasonTexts,
}

/// Reads and matches one transaction set (in parallel with the others of
/// its batch): balancing and read findings, ambiguous claim ids, CLP03
/// against the CLM02 sent.
pub(super) fn read_set(
    opened: &Opened,
    file_no: usize,
    interchange_control: &str,
    set: &x12::TransactionSet,
    against: &Against<'_>,
) -> Read {
    let Against { index, payers, contractual, ledger_rows, .. } = *against;
    let input = opened.input.as_deref().unwrap_or_default();
    // CLP06 is read only for the postings' fingerprints (ledger mode).
    // Balanced as it is read (`edi835::balance`'s findings).
    let (rem, mut findings) =
        edi835::read_set_for_reconcile(input, set, interchange_control, ledger_rows.is_some());
    findings.extend(rem.findings.iter().filter(|f| f.rule != "835-READ").cloned());
    let payer = payers.paying_payer(&rem);
    let unknown_payer = payer.is_none().then(|| {
        let message = format!(
            "835 transaction {} (trace {}): payer {} is not a configured payer id or alias, nor the payer of a sent claim: its claim payments are matched by claim id alone",
            rem.st02_control,
            rem.trace.trn02_number,
            rem.payer_id()
        );
        Finding::new(UNKNOWN_PAYER, Severity::Warning, message).in_file(&opened.name)
    });
    // The posting's fingerprint takes each claim payment as soon as it is
    // reconciled, while it is in cache. (The postings' detail is built in a
    // pass of its own below: its allocations made in this loop, among the
    // results', cost more later, in formatting and posting, than the pass.)
    let ledger = ledger_rows.is_some();
    let mut fingerprint = ledger.then(|| super::fingerprint::Fingerprint::start(&rem));
    let results = super::remittance::reconcile_remittance_each(
        index,
        file_no,
        &rem,
        payer.as_deref(),
        contractual,
        ledger,
        |c, _| {
            if let Some(f) = fingerprint.as_mut() {
                f.claim(c);
            }
        },
    );
    for r in results.iter().filter(|r| r.rule == ClaimRule::None && !r.candidates.is_empty()) {
        let mut f = Finding::warning(
            r.pos,
            "CLP",
            "RECON-AMBIGUOUS",
            format!(
                "claim payment not matched: claims with this id were sent to payers {}, and the paying payer ({}) is none of them",
                r.candidates.join(", "),
                if payer.is_some() { r.payer_id.as_str() } else { "unknown" }
            ),
        );
        f.claim_id = r.claim_id.to_string();
        findings.push(f);
    }
    for r in results.iter().filter(|r| r.status != ClaimStatus::Reversed) {
        let Some(i) = r.sent else { continue };
        let sent = &index.claims()[i];
        let clm02 = sent.charge;
        // A part of a claim the payer split: its CLP03 is the charge of the
        // lines it answers, not the claim's.
        let part: Decimal = sent
            .lines
            .iter()
            .enumerate()
            .filter(|(n, _)| r.answered & super::line_bit(*n) != 0)
            .map(|(_, l)| l.charge)
            .sum();
        let split = r.answered != 0
            && r.answered & super::all_lines(sent.lines.len())
                != super::all_lines(sent.lines.len())
            && r.figures.billed == part;
        if r.figures.billed != clm02 && !split {
            let mut f = Finding::warning(
                r.pos,
                "CLP",
                "RECON-CLP03",
                format!(
                    "claim payment charge (CLP03) {} is not the {} sent (CLM02)",
                    report::money(r.figures.billed),
                    report::money(clm02)
                ),
            );
            f.claim_id = r.claim_id.to_string();
            findings.push(f);
        }
    }
    // A line answered under another procedure code than the one billed
    // (SVC06 naming the code billed, or matched by charge and date alone).
    for r in results.iter().filter(|r| r.status != ClaimStatus::Reversed && !r.later_payer) {
        let Some(i) = r.sent else { continue };
        let sent = &index.claims()[i];
        for l in &r.lines {
            if l.rule == LineRule::None {
                continue;
            }
            let Some(line) = sent.lines.iter().find(|s| s.line_id == l.line_id) else {
                continue;
            };
            let answered = crate::values::trimmed(l.procedure.split(':').next().unwrap_or(""));
            if answered.is_empty()
                || answered.eq_ignore_ascii_case(crate::values::trimmed(&line.procedure))
            {
                continue;
            }
            let how = match l.rule {
                LineRule::OriginalProcedure => "SVC06 names the code billed",
                LineRule::LineId => "matched by its line item control number, REF*6R",
                _ => "matched by the line's charge and date",
            };
            let mut f = Finding::warning(
                l.pos,
                "SVC",
                "RECON-RECODED",
                format!(
                    "line {} billed as procedure {} was answered under procedure {answered} ({how}): check the payer's coding before billing the patient or a secondary",
                    l.line_id,
                    line.procedure.trim(),
                ),
            );
            f.claim_id = r.claim_id.to_string();
            findings.push(f);
        }
    }
    let payer_id = payer.clone().unwrap_or_else(|| rem.payer_id());
    let plb = report::plb_rows(file_no, &rem, &payer_id);
    let summary = SetSummary {
        file: opened.name.clone(),
        st02: rem.st02_control.to_string(),
        payer_id: payer_id.to_string(),
        trace: rem.trace.trn02_number.to_string(),
        payment_date: rem.payment.bpr16_date,
        method: rem.payment.bpr04_method.to_string(),
        bpr02: rem.payment.bpr02_amount,
        paid: rem.paid_total(),
        plb: rem.plb_total(),
        claims: rem.claims.len(),
        complete: set.end.is_some(),
        trn03: rem.trace.trn03_originator.to_string(),
        fingerprint: fingerprint.map(super::fingerprint::Fingerprint::finish).unwrap_or_default(),
        file_sha256: opened.hash.clone(),
    };
    // Each claim payment is dropped as soon as its detail is taken, while
    // it is in cache (dropped with the set at the end, it met the claims
    // cold again).
    let detail = match ledger_rows {
        Some(_) => rem
            .claims
            .into_iter()
            .zip(&results)
            .map(|(c, r)| super::detail::lines_and_denials(&c, r.status, contractual))
            .collect(),
        None => Vec::new(),
    };
    Read { summary, results, plb, findings, unknown_payer, payer, detail }
}

/// The sent line ids a payment answered, `;`-joined; `None` when it
/// answered every line of the claim (or the lines are not known).
pub(super) fn answered_ids(sent: &SentClaim, answered: u64) -> Option<String> {
    let all = super::all_lines(sent.lines.len());
    if all == 0 || answered & all == all {
        return None;
    }
    let ids: Vec<&str> = sent
        .lines
        .iter()
        .enumerate()
        .filter(|(n, _)| answered & super::line_bit(*n) != 0)
        .map(|(_, l)| l.line_id.as_str())
        .collect();
    Some(ids.join(";"))
}

/// Formats the rows of an accounted set and builds its ledger postings (in
/// parallel with the others of its batch).
pub(super) fn finish_set(read: Read, against: &Against<'_>) -> std::io::Result<SetOut> {
    let Read { summary, results, plb, findings, unknown_payer, detail, .. } = read;
    let index = against.index;
    let rows = report::format_rows(&results, against.reasons)?;
    // The service lines of the matched payments are summed here, on the
    // reading threads, not by the posting thread.
    let mut procedures = ProcedureSums::default();
    // The results are not needed after this: their strings move into the postings.
    let payments = match against.ledger_rows {
        Some(rows) => results
            .into_iter()
            .zip(detail)
            // Every result of a remittance has a ledger status (none is
            // `Outstanding`, which only the reports use).
            .filter(|(r, _)| r.status.in_ledger())
            .map(|(r, (lines, denials))| (r.status, r, lines, denials))
            .map(|(status, r, service_lines, denials)| {
                // A later payer's answer is posted under its own id: the
                // claim's row is not its (no status of the primary changes).
                let payer_id = match r.sent {
                    Some(i) if !r.later_payer => index.claims()[i].payer_id.clone(),
                    _ => r.payer_id.clone(),
                };
                if r.sent.is_some() {
                    let reversal = r.status == ClaimStatus::Reversed;
                    procedures.add(&payer_id, &service_lines, reversal);
                }
                (status, r, payer_id, denials)
            })
            .map(|(status, r, payer_id, denials)| PaymentPosting {
                payer_id,
                claim_row: r.sent.map(|i| rows[i]),
                status,
                claim_status: r.claim_status.filter(|&s| s.in_ledger() && s != status),
                reversal: r.status == ClaimStatus::Reversed,
                lines: match r.sent {
                    Some(i) if r.status != ClaimStatus::Reversed => {
                        answered_ids(&index.claims()[i], r.answered)
                    }
                    _ => None,
                },
                pos: r.pos,
                claim_id: r.claim_id,
                clp01: r.clp01,
                clp02: r.clp02,
                payer_claim_id: r.payer_claim_id,
                billed: r.figures.billed,
                paid: r.figures.paid,
                patient_responsibility: r.figures.patient_responsibility,
                contractual: r.figures.contractual,
                denied: r.figures.denied,
                other_adjustments: r.figures.other_adjustments,
                allowed: r.figures.allowed,
                adjustments: r.adjustments,
                denials,
                replaces_denial: r.replaces_denial,
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(SetOut { summary, rows, plb, findings, payments, procedures, unknown_payer })
}

/// The ledger posting of one transaction set, with its PLB adjustments.
pub(super) fn posting(
    s: &SetSummary,
    payments: Vec<PaymentPosting>,
    procedures: ProcedureSums,
    plb: &[PlbRow],
    claims: &[SentClaim],
) -> RemitPosting {
    RemitPosting {
        procedures,
        adjustments: plb
            .iter()
            .map(|p| PlbPosting {
                provider_id: p.provider_id.clone(),
                fiscal_date: p.fiscal_date.map(|d| d.format("%Y-%m-%d").to_string()),
                reason: p.reason.clone(),
                reference: p.reference.clone(),
                amount: p.amount,
                claim: p.sent.map(|i| (claims[i].claim_id.clone(), claims[i].payer_id.clone())),
            })
            .collect(),
        payer_id: s.payer_id.clone(),
        trace: s.trace.clone(),
        trn03: s.trn03.clone(),
        fingerprint: s.fingerprint.clone(),
        file_sha256: s.file_sha256.clone(),
        // Recorded absolute, so a later job (`secondary` reads the primary's
        // payment back from it) finds the file from any working directory.
        file: std::fs::canonicalize(&s.file)
            .map_or_else(|_| s.file.clone(), |p| p.display().to_string()),
        st02: s.st02.clone(),
        bpr02: s.bpr02,
        payment_date: s.payment_date.map(|d| d.format("%Y-%m-%d").to_string()),
        plb_total: s.plb,
        payments,
    }
}
