//! `status --inquire`: 276 claim status inquiries for the claims named, or
//! for every claim the worklist says to ask the payer about (accepted, no
//! 835 past the payer's `expected_days_to_pay`). Each claim is read back
//! from the 837 it was last sent in (names, member id, dates as sent), asked
//! at most once a day, and recorded with its trace in the ledger and in the
//! claim's history. The 277 answers are read by `ack`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{worklist, Options};
use crate::atomic::AtomicFile;
use crate::claim::Action;
use crate::claim::{Claim, Relationship};
use crate::config::Config;
use crate::edi27x::{write_276, Inquiry276, Name};
use crate::edi837::Envelope;
use crate::ledger::{self, Ledger};

/// Why `status --inquire` could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InquireError {
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] ledger::Error),
    /// A file could not be written.
    #[error("{path}: {what}: {cause}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The I/O error.
        #[source]
        cause: std::io::Error,
    },
    /// The 276 could not be written.
    #[error("{path}: writing the 276: {cause}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The writer's error.
        #[source]
        cause: crate::x12::WriteError,
    },
    /// The 276 written failed claimflow's own envelope check (a bug).
    #[error("{path}: the 276 written failed its own check ({first}); nothing was sent. This is a bug in claimflow: please report it")]
    SelfCheck {
        /// The file.
        path: PathBuf,
        /// The first finding.
        first: String,
    },
}

fn io(path: &Path, what: &'static str) -> impl FnOnce(std::io::Error) -> InquireError {
    let path = path.to_path_buf();
    move |cause| InquireError::Io { path, what, cause }
}

/// One claim asked about.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Inquired {
    /// CLM01.
    pub claim_id: String,
    /// Payer id.
    pub payer_id: String,
    /// The 276 trace (TRN02).
    pub trace: String,
}

/// A claim not asked about, and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct NotInquired {
    /// CLM01.
    pub claim_id: String,
    /// Payer id (empty when the ledger does not know the claim).
    pub payer_id: String,
    /// Why.
    pub reason: String,
}

/// What `inquire` did.
#[derive(Debug, serde::Serialize)]
pub struct InquireReport {
    /// The 276 written, when any claim was asked about.
    pub x12_file: Option<PathBuf>,
    /// Its ISA13.
    pub interchange_control: Option<String>,
    /// Claims asked about.
    pub inquired: Vec<Inquired>,
    /// Claims not asked about (asked today, not in the ledger, 837 unreadable).
    pub not_inquired: Vec<NotInquired>,
}

/// Writes a 276 into `out_dir` for `claims` (or, when empty, for the
/// worklist's claims to ask the payer about) and records the inquiries.
pub fn inquire(
    ledger: &mut Ledger,
    config: &Config,
    options: &Options,
    claims: &[String],
    out_dir: &Path,
) -> Result<InquireReport, InquireError> {
    let ids: Vec<String> = if claims.is_empty() {
        worklist(ledger, options)?
            .into_iter()
            .filter(|w| w.next_action == Action::AskPayerForStatus.words())
            .map(|w| w.claim_id)
            .collect()
    } else {
        claims.to_vec()
    };
    let mut report = InquireReport {
        x12_file: None,
        interchange_control: None,
        inquired: Vec::new(),
        not_inquired: Vec::new(),
    };
    let states = ledger.claim_states(ledger::Which::Ids(&ids))?;
    for id in &ids {
        if !states.iter().any(|s| &s.claim_id == id) {
            report.not_inquired.push(NotInquired {
                claim_id: id.clone(),
                payer_id: String::new(),
                reason: "not in the ledger".into(),
            });
        }
    }
    let today = options.now.date();
    let mut files: HashMap<String, Option<Vec<Claim>>> = HashMap::new();
    let mut asks: Vec<(Claim, Option<String>)> = Vec::new();
    for s in states {
        if let Some(t) = ledger.status_inquired_on(&s.claim_id, &s.payer_id, today)? {
            report.not_inquired.push(NotInquired {
                claim_id: s.claim_id,
                payer_id: s.payer_id,
                reason: format!("asked today already (trace {t})"),
            });
            continue;
        }
        let sent = files
            .entry(s.file.clone())
            .or_insert_with(|| {
                let bytes = std::fs::read(&s.file).ok()?;
                crate::edi837::read_claims(&bytes).ok()
            })
            .as_ref()
            .and_then(|cs| {
                cs.iter().find(|c| c.claim_id == s.claim_id && c.payer.id == s.payer_id).cloned()
            });
        match sent {
            Some(c) => asks.push((c, s.payer_claim_id)),
            None => report.not_inquired.push(NotInquired {
                claim_id: s.claim_id,
                payer_id: s.payer_id,
                reason: format!("its 837 {} cannot be read back", s.file),
            }),
        }
    }
    if asks.is_empty() {
        return Ok(report);
    }
    std::fs::create_dir_all(out_dir).map_err(io(out_dir, "cannot create output folder"))?;
    let (isa13, gs06) =
        ledger.allocate_control_numbers(config.interchange.control_number_start.unwrap_or(1))?;
    let inquiries: Vec<Inquiry276> = asks
        .iter()
        .enumerate()
        .map(|(n, (c, pcn))| inquiry(c, pcn.clone(), config, &format!("{isa13:09}-{}", n + 1)))
        .collect();
    let dest = out_dir.join(format!("status-{isa13:09}.x12"));
    let env = Envelope { interchange_control: isa13, group_control: gs06, now: options.now };
    let mut file = AtomicFile::create(&dest).map_err(io(&dest, "cannot create"))?;
    write_276(&mut file, &inquiries, config, &env)
        .and_then(|w| Ok(file.flush().map(|()| w)?))
        .map_err(|cause| InquireError::Write { path: dest.clone(), cause })?;
    let bytes = std::fs::read(file.temp_path()).map_err(io(&dest, "cannot re-read"))?;
    let scan = crate::x12::scan(&bytes);
    let mut problems = scan.findings.clone();
    for (_, _, set) in scan.sets() {
        problems.extend(crate::x12::check_hierarchy(&bytes, set));
    }
    if let Some(first) = problems.iter().find(|f| f.is_error()) {
        return Err(InquireError::SelfCheck { path: dest, first: first.message.clone() });
    }
    file.commit().map_err(io(&dest, "cannot write"))?;
    let shown = dest.display().to_string();
    let isa = format!("{isa13:09}");
    let rows: Vec<(String, String, String)> = inquiries
        .iter()
        .map(|q| (q.trace.clone(), q.claim_id.clone(), q.payer_id.clone()))
        .collect();
    ledger.record_status_inquiries(&rows, &shown, &isa, options.now)?;
    report.inquired = rows
        .into_iter()
        .map(|(trace, claim_id, payer_id)| Inquired { claim_id, payer_id, trace })
        .collect();
    report.x12_file = Some(dest);
    report.interchange_control = Some(isa);
    Ok(report)
}

fn name(p: &crate::claim::Person) -> Name {
    Name { last: p.last.clone(), first: p.first.clone(), dob: p.dob, sex: p.sex }
}

fn inquiry(c: &Claim, payer_claim_id: Option<String>, config: &Config, trace: &str) -> Inquiry276 {
    let from = c.lines.iter().map(|l| l.service_date).min().unwrap_or_default();
    let to = c.lines.iter().map(|l| l.service_date_end.unwrap_or(l.service_date)).max();
    let payer_name =
        config.payer(&c.payer.id).map_or_else(|| c.payer.name.clone(), |p| p.name.clone());
    Inquiry276 {
        trace: trace.to_string(),
        payer_id: c.payer.id.clone(),
        payer_name,
        provider_npi: c.billing.npi.clone(),
        provider_entity: c.billing.entity,
        provider_name: c.billing.name.clone(),
        provider_first: c.billing.first_name.clone(),
        member_id: c.member_id.clone(),
        subscriber: name(&c.subscriber),
        dependent: c
            .patient
            .as_ref()
            .filter(|_| c.relationship != Relationship::SelfInsured)
            .map(name),
        claim_id: c.claim_id.clone(),
        payer_claim_id,
        total_charge: c.total_charge(),
        from,
        to: to.unwrap_or(from),
    }
}
