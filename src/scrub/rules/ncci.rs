//! NCCI rules: procedure-to-procedure pairs (`E-NCCI-001`), medically
//! unlikely edits (`E-MUE-001`, `W-MUE-002`) and add-on codes without their
//! primary (`E-ADDON-001`), from the CMS files the user supplies.
//!
//! The edits apply to a patient's date of service, across claims: the
//! service lines of every claim of the export, and of the claims sent
//! earlier (the ledger, during `build`), are indexed by patient (last and
//! first name and date of birth, as the 837P sends them) and day. A finding
//! goes on the claim whose line the payer would deny: the column-two code,
//! the units over the limit, the add-on code. A payer's `ncci` setting
//! turns the findings into warnings or off. This module does not read the
//! files (see `codeset`).

use std::borrow::Cow;
use std::collections::HashSet;
use std::hash::Hasher;

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::claim::{Claim, Person};
use crate::codeset::ncci::{self, day, AddonEdit, Mue, ANY_PRIMARY};
use crate::codeset::{AddonType, Edits, ModifierIndicator, MueIndicator};
use crate::config::{Config, NcciLevel};
use crate::finding::{Finding, Severity};
use crate::ledger::PriorClaim;

use super::{Rule, ADDON, MUE_CLINICAL, MUE_LINE, NCCI_PTP};

/// The PTP-associated modifiers: on either line of a pair, they bypass an
/// edit with modifier indicator 1.
pub(crate) const PTP_MODIFIERS: [&str; 44] = [
    "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "TA", "T1",
    "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "LT", "RT", "LC", "LD", "RC", "LM", "RI", "24",
    "25", "57", "58", "78", "79", "27", "59", "91", "XE", "XS", "XP", "XU",
];

const BYPASS_TEXT: &str = "anatomic E1-E4, FA, F1-F9, TA, T1-T9, LT, RT, LC, LD, RC, LM, RI; \
     global surgery 24, 25, 57, 58, 78, 79; other 27, 59, 91, XE, XS, XP, XU";

fn bypasses<'m>(mut mods: impl Iterator<Item = &'m str>) -> bool {
    mods.any(|m| PTP_MODIFIERS.contains(&m.trim()))
}

/// A patient as a key: last and first name (case-insensitive) and date of
/// birth, hashed (the index keeps no names).
pub(crate) fn patient_key(last: &str, first: &str, dob: Option<NaiveDate>) -> u64 {
    // DefaultHasher::new() has fixed keys: the same patient hashes alike in
    // every run (only within a run matters here).
    let mut h = std::hash::DefaultHasher::new();
    for b in last.trim().bytes() {
        h.write_u8(b.to_ascii_uppercase());
    }
    h.write_u8(0);
    for b in first.trim().bytes() {
        h.write_u8(b.to_ascii_uppercase());
    }
    h.write_u8(0);
    h.write_i32(dob.map_or(i32::MIN, day));
    h.finish()
}

fn claim_patient(c: &Claim) -> u64 {
    let p: &Person = c.patient.as_ref().unwrap_or(&c.subscriber);
    patient_key(&p.last, &p.first, p.dob)
}

/// One service line on a patient's day.
#[derive(Clone, Debug)]
pub(crate) struct Svc {
    patient: u64,
    day: i32,
    code: u32,
    /// A PTP-associated modifier is on the line.
    bypass: bool,
    units: Decimal,
    /// Index into [`DayIndex::ids`].
    claim: u32,
    /// The line's row (0 for a claim sent earlier).
    row: u64,
}

/// The service lines of claim `c` that an edit can name, as claim `i` of
/// a [`DayIndex`].
pub(crate) fn services(c: &Claim, i: u32) -> impl Iterator<Item = Svc> + '_ {
    let patient = claim_patient(c);
    c.lines.iter().filter_map(move |l| {
        Some(Svc {
            patient,
            day: day(l.service_date),
            code: ncci::pack(&l.procedure)?,
            bypass: bypasses(l.modifiers.iter().map(String::as_str)),
            units: l.units,
            claim: i,
            row: l.row,
        })
    })
}

/// The service lines of the export's claims and of earlier claims, by
/// patient and day (every line: any code of the day is a primary for an
/// add-on code of edit type 2).
pub(crate) struct DayIndex<'a> {
    edits: &'a Edits,
    /// Sorted by (patient, day): a patient's day is a run of entries.
    days: Vec<Svc>,
    /// Per entry of `days`: the start and end of its patient's day.
    runs: Vec<(u32, u32)>,
    /// The positions in `days` of each export claim's lines: those of claim
    /// `i` are `by_claim[claim_start[i]..claim_start[i + 1]]`.
    by_claim: Vec<u32>,
    claim_start: Vec<u32>,
    /// Claim ids: the export's claims (in the order given), then earlier ones.
    ids: Vec<Cow<'a, str>>,
    /// Index of the first earlier (ledger) claim in `ids`.
    earlier: usize,
}

impl<'a> DayIndex<'a> {
    /// Indexes `claims` (the export) and `prior` (claims sent earlier whose
    /// id is not in the export).
    pub(crate) fn new(
        edits: &'a Edits,
        claims: impl Iterator<Item = &'a Claim>,
        prior: &'a [PriorClaim],
    ) -> DayIndex<'a> {
        let claims: Vec<&Claim> = claims.collect();
        // Built in parallel and sorted, not hashed: a million lines index
        // in a fraction of the time a map of vectors takes.
        let days: Vec<Svc> =
            claims.par_iter().enumerate().flat_map_iter(|(i, c)| services(c, i as u32)).collect();
        let ids = claims.iter().map(|c| Cow::Borrowed(c.claim_id.as_str())).collect();
        DayIndex::from_services(edits, days, ids, prior)
    }

    /// Indexes the service lines `days` of the export's claims (from
    /// [`services`], in any order) whose ids are `ids` (by claim index), and
    /// `prior` (claims sent earlier whose id is not in the export).
    pub(crate) fn from_services(
        edits: &'a Edits,
        mut days: Vec<Svc>,
        mut ids: Vec<Cow<'a, str>>,
        prior: &'a [PriorClaim],
    ) -> DayIndex<'a> {
        let earlier = ids.len();
        if !prior.is_empty() {
            let export: HashSet<&str> = ids.iter().map(|id| id.as_ref()).collect();
            let prior: Vec<&PriorClaim> =
                prior.iter().filter(|p| !export.contains(p.claim_id.as_str())).collect();
            for pc in prior {
                let claim = ids.len() as u32;
                ids.push(Cow::Borrowed(pc.claim_id.as_str()));
                let patient = patient_key(&pc.last, &pc.first, pc.dob);
                for l in pc.lines() {
                    let Some(code) = ncci::pack(l.procedure) else { continue };
                    days.push(Svc {
                        patient,
                        day: day(l.date),
                        code,
                        bypass: bypasses(l.modifiers.iter().copied()),
                        units: l.units,
                        claim,
                        row: 0,
                    });
                }
            }
        }
        days.par_sort_by_key(|s| (s.patient, s.day, s.claim));
        // Where each patient's day starts and ends, and each claim's lines
        // (a counting sort by claim): a claim finds its days without a search.
        let mut runs = vec![(0u32, 0u32); days.len()];
        let mut start = 0;
        for i in 1..=days.len() {
            if i == days.len()
                || (days[i].patient, days[i].day) != (days[start].patient, days[start].day)
            {
                for r in &mut runs[start..i] {
                    *r = (start as u32, i as u32);
                }
                start = i;
            }
        }
        let mut claim_start = vec![0u32; earlier + 1];
        for s in days.iter().filter(|s| (s.claim as usize) < earlier) {
            claim_start[s.claim as usize + 1] += 1;
        }
        for i in 0..earlier {
            claim_start[i + 1] += claim_start[i];
        }
        let mut fill = claim_start.clone();
        let mut by_claim = vec![0u32; claim_start[earlier] as usize];
        for (p, s) in days.iter().enumerate().filter(|(_, s)| (s.claim as usize) < earlier) {
            let slot = &mut fill[s.claim as usize];
            by_claim[*slot as usize] = p as u32;
            *slot += 1;
        }
        DayIndex { edits, days, runs, by_claim, claim_start, ids, earlier }
    }

    /// Where another line is, for messages.
    fn place(&self, s: &Svc, own: u32) -> String {
        if s.claim == own {
            format!("row {}", s.row)
        } else if (s.claim as usize) < self.earlier {
            format!("claim {}, row {}", self.ids[s.claim as usize], s.row)
        } else {
            format!("claim {}, sent earlier", self.ids[s.claim as usize])
        }
    }

    /// Runs the NCCI rules on claim `i` (its index among the export's
    /// claims given to [`DayIndex::new`]), appending findings to `out`.
    pub(crate) fn check(&self, i: usize, c: &Claim, config: &Config, out: &mut Vec<Finding>) {
        let level = config.payer(&c.payer.id).map_or(NcciLevel::Warning, |p| p.ncci_level());
        if level == NcciLevel::Off || self.days.is_empty() {
            return;
        }
        // A rule fires only on a line whose code an edit names.
        let named = |l: &crate::claim::ServiceLine| {
            ncci::pack(&l.procedure).is_some_and(|k| self.edits.names(k))
        };
        if !c.lines.iter().any(named) {
            return;
        }
        let own = i as u32;
        let Some(range) = self.claim_start.get(i..i + 2) else { return };
        let mut runs: Vec<(u32, u32)> = self.by_claim[range[0] as usize..range[1] as usize]
            .iter()
            .map(|&p| self.runs[p as usize])
            .collect();
        runs.sort_unstable();
        runs.dedup();
        let mut emit = |row: u64, rule: &Rule, severity: Severity, message: String| {
            let severity = if level == NcciLevel::Warning { Severity::Warning } else { severity };
            out.push(
                Finding::new(rule.id, severity, message)
                    .in_file(&c.source.file)
                    .at_row(row, "procedure")
                    .for_claim(&c.claim_id),
            );
        };
        for (start, end) in runs {
            let svcs = &self.days[start as usize..end as usize];
            let Some(date) = svcs.first().and_then(|s| NaiveDate::from_num_days_from_ce_opt(s.day))
            else {
                continue;
            };
            self.ptp(own, date, svcs, &mut emit);
            self.mue(own, date, svcs, &mut emit);
            self.addon(own, date, svcs, &mut emit);
        }
    }

    fn ptp(
        &self,
        own: u32,
        date: NaiveDate,
        svcs: &[Svc],
        emit: &mut impl FnMut(u64, &Rule, Severity, String),
    ) {
        let d = day(date);
        for x in svcs.iter().filter(|s| s.claim == own) {
            let mut reported: Vec<u32> = Vec::new();
            for y in svcs {
                if y.code == x.code || reported.contains(&y.code) {
                    continue;
                }
                // The newest edit of the pair in effect on the date.
                let Some(e) = self
                    .edits
                    .ptp(y.code, x.code)
                    .iter()
                    .filter(|e| e.in_effect(d))
                    .max_by_key(|e| e.effective)
                else {
                    continue;
                };
                match e.modifier {
                    ModifierIndicator::NotApplicable => continue,
                    ModifierIndicator::Allowed if x.bypass || y.bypass => continue,
                    _ => {}
                }
                let (col1, col2) = (ncci::unpack(y.code), ncci::unpack(x.code));
                let rationale = self.edits.rationale(e);
                let why =
                    if rationale.is_empty() { String::new() } else { format!(" ({rationale})") };
                let message = match e.modifier {
                    ModifierIndicator::Allowed => format!(
                        "procedure {col2} on {date} is the column-two code of {col1} ({}): NCCI \
                         edit {col1}/{col2}{why}, modifier indicator 1: not paid with {col1} on \
                         the same day unless a PTP-associated modifier on either line applies \
                         when clinically appropriate ({BYPASS_TEXT})",
                        self.place(y, own)
                    ),
                    _ => format!(
                        "procedure {col2} on {date} is the column-two code of {col1} ({}): NCCI \
                         edit {col1}/{col2}{why}, modifier indicator 0: no modifier bypasses it; \
                         bill {col1} alone for that day",
                        self.place(y, own)
                    ),
                };
                reported.push(y.code);
                emit(x.row, &NCCI_PTP, NCCI_PTP.severity, message);
            }
        }
    }

    fn mue(
        &self,
        own: u32,
        date: NaiveDate,
        svcs: &[Svc],
        emit: &mut impl FnMut(u64, &Rule, Severity, String),
    ) {
        let mut done: Vec<u32> = Vec::new();
        for x in svcs.iter().filter(|s| s.claim == own) {
            let Some(m) = self.edits.mue(x.code) else { continue };
            let limit = Decimal::from(m.value);
            if m.indicator == MueIndicator::Line {
                if x.units > limit {
                    let code = ncci::unpack(x.code);
                    emit(
                        x.row,
                        &MUE_LINE,
                        MUE_LINE.severity,
                        format!(
                            "procedure {code} has {} units on the line; its MUE is {} per line \
                             (adjudication indicator 1): the line is denied, not cut to the limit",
                            x.units.normalize(),
                            m.value
                        ),
                    );
                }
                continue;
            }
            if done.contains(&x.code) {
                continue;
            }
            done.push(x.code);
            self.mue_day(own, date, svcs, x, m, emit);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn mue_day(
        &self,
        own: u32,
        date: NaiveDate,
        svcs: &[Svc],
        first: &Svc,
        m: &Mue,
        emit: &mut impl FnMut(u64, &Rule, Severity, String),
    ) {
        let total: Decimal = svcs.iter().filter(|s| s.code == first.code).map(|s| s.units).sum();
        if total <= Decimal::from(m.value) {
            return;
        }
        let code = ncci::unpack(first.code);
        let same: Vec<&Svc> = svcs.iter().filter(|s| s.code == first.code).collect();
        let mut others: Vec<String> =
            same.iter().filter(|s| s.claim != own).map(|s| self.place(s, own)).collect();
        others.dedup();
        let across = if others.is_empty() {
            "on this claim".to_string()
        } else {
            format!("on this claim and {}", others.join("; "))
        };
        let (rule, what) = if m.indicator == MueIndicator::DateClinical {
            (
                &MUE_CLINICAL,
                "adjudication indicator 3, per date of service, clinical: units over it are \
                 denied; the payer may pay them on appeal with documentation of medical necessity",
            )
        } else {
            (
                &MUE_LINE,
                "adjudication indicator 2, per date of service, policy: units over it are not \
                 paid, also on appeal",
            )
        };
        emit(
            first.row,
            rule,
            rule.severity,
            format!(
                "procedure {code} adds up to {} units on {date} {across}; its MUE is {} per day ({what})",
                total.normalize(),
                m.value
            ),
        );
    }

    fn addon(
        &self,
        own: u32,
        date: NaiveDate,
        svcs: &[Svc],
        emit: &mut impl FnMut(u64, &Rule, Severity, String),
    ) {
        let d = day(date);
        let mut done: Vec<u32> = Vec::new();
        for x in svcs.iter().filter(|s| s.claim == own) {
            if done.contains(&x.code) {
                continue;
            }
            let all = self.edits.addon(x.code);
            if !all.iter().any(|e| e.in_effect(d)) {
                continue;
            }
            let rows: Vec<&AddonEdit> = all.iter().filter(|e| e.in_effect(d)).collect();
            let Some(first) = rows.first() else { continue };
            done.push(x.code);
            let any = rows.iter().any(|e| e.kind == AddonType::Any);
            let ok = svcs.iter().any(|s| {
                s.code != x.code
                    && (any || rows.iter().any(|e| e.primary == s.code || e.primary == ANY_PRIMARY))
            });
            if ok {
                continue;
            }
            let code = ncci::unpack(x.code);
            let (severity, message) = if any {
                (
                    ADDON.severity,
                    format!(
                        "add-on code {code} on {date} without a primary procedure that day \
                         (add-on edit type 2: any primary code): bill it with the primary service"
                    ),
                )
            } else {
                let mut primaries: Vec<String> = rows
                    .iter()
                    .filter(|e| e.primary != ANY_PRIMARY)
                    .map(|e| ncci::unpack(e.primary))
                    .collect();
                primaries.dedup();
                let shown = if primaries.len() > 8 {
                    format!("{} and {} more", primaries[..8].join(", "), primaries.len() - 8)
                } else {
                    primaries.join(", ")
                };
                if first.kind == AddonType::ListedOrPayer {
                    (
                        Severity::Warning,
                        format!(
                            "add-on code {code} on {date} without one of its primary codes that \
                             day ({shown}); add-on edit type 3: the payer may allow other \
                             primaries, check its policy"
                        ),
                    )
                } else {
                    (
                        ADDON.severity,
                        format!(
                            "add-on code {code} on {date} without one of its primary codes that \
                             day ({shown}; add-on edit type 1): bill it with its primary service"
                        ),
                    )
                }
            };
            emit(x.row, &ADDON, severity, message);
        }
    }
}
