//! Code sets for the scrubber: shipped public-domain data and format checks.
//!
//! Three tiers (DESIGN.md "Code sets"): format checks that are always on
//! ([`shape`]: CPT/HCPCS, modifier, EIN prefix, ZIP, state; [`ndc`]
//! normalisation), small public-domain data shipped with the tool ([`pos`]:
//! CMS place of service; [`icd10cm`]: ICD-10-CM FY2026 validity and
//! billability by date of service), and licensed data the user imports (CPT,
//! NCCI, MUE: not here). This module never holds CPT descriptors or lists.

use std::sync::OnceLock;

use chrono::NaiveDate;

pub mod icd10cm;
pub mod ndc;
pub mod pos;
pub mod shape;

pub use icd10cm::{IcdRelease, IcdStatus};

/// The code sets a scrub run uses.
#[derive(Debug, Clone)]
pub struct CodeSets {
    /// ICD-10-CM releases, each with the dates of service it covers.
    pub icd10cm: Vec<IcdRelease>,
}

/// The ICD-10-CM FY2026 code list shipped in `data/icd10cm/fy2026.txt`.
const FY2026: &str = include_str!("../../data/icd10cm/fy2026.txt");

impl CodeSets {
    /// The code sets shipped with claimflow (ICD-10-CM FY2026, dates of
    /// service 2025-10-01 to 2026-09-30), loaded once per process.
    pub fn shipped() -> &'static CodeSets {
        static SHIPPED: OnceLock<CodeSets> = OnceLock::new();
        SHIPPED.get_or_init(|| CodeSets {
            icd10cm: vec![IcdRelease::from_code_list(
                "ICD-10-CM FY2026",
                // Safe because these are constant valid dates.
                NaiveDate::from_ymd_opt(2025, 10, 1).expect("valid date"),
                NaiveDate::from_ymd_opt(2026, 9, 30).expect("valid date"),
                FY2026,
            )],
        })
    }

    /// Looks up an ICD-10-CM code (no dot, upper case) for a date of service:
    /// which release covers the date, and what the code is in it.
    pub fn icd10cm(&self, code: &str, date: NaiveDate) -> IcdStatus {
        match self.icd10cm.iter().find(|r| r.covers(date)) {
            Some(r) => r.lookup(code),
            None => IcdStatus::NotCovered,
        }
    }

    /// The date range all loaded ICD-10-CM releases cover, as text for messages
    /// (`2025-10-01 to 2026-09-30`).
    pub fn icd10cm_coverage(&self) -> String {
        if self.icd10cm.is_empty() {
            return "no release loaded".into();
        }
        self.icd10cm
            .iter()
            .map(|r| format!("{} ({} to {})", r.name, r.first_date, r.last_date))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
