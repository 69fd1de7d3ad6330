//! Code sets for the scrubber: shipped public-domain data and format checks.
//!
//! Three tiers (DESIGN.md "Code sets"): format checks that are always on
//! (`shape`: CPT/HCPCS, modifier, EIN prefix, ZIP, state; `ndc`
//! normalisation), small public-domain data shipped with the tool (`pos`:
//! CMS place of service; `icd10cm`: ICD-10-CM FY2026 validity and
//! billability by date of service), and licensed data the user imports (CPT,
//! NCCI, MUE: not here). This module never holds CPT descriptors or lists.

use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;

mod icd10cm;
pub(crate) mod ndc;
pub(crate) mod pos;
pub(crate) mod shape;

pub use icd10cm::{IcdRelease, IcdStatus};

/// The code sets a scrub run uses.
#[derive(Debug, Clone)]
pub struct CodeSets {
    /// ICD-10-CM releases, each with the dates of service it covers.
    pub icd10cm: Vec<IcdRelease>,
}

/// A code-set directory that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The directory or a file in it could not be read.
    #[error("{path}: cannot read: {cause}")]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        cause: std::io::Error,
    },
    /// A file name does not say which fiscal year it covers.
    #[error("{path}: name ICD-10-CM files icd10cm-FY<YYYY>.txt (e.g. icd10cm-FY2027.txt) so the dates they cover are known")]
    Name {
        /// The file.
        path: String,
    },
    /// A file holds no ICD-10-CM code.
    #[error(
        "{path}: no ICD-10-CM codes found (expected one code per line, or the CMS order file)"
    )]
    Empty {
        /// The file.
        path: String,
    },
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

    /// The shipped code sets plus the ICD-10-CM releases in `dir`: every
    /// `icd10cm-FY<YYYY>.txt` (fiscal year YYYY: dates of service from
    /// October 1 of YYYY-1 to September 30 of YYYY), either the CMS order
    /// file (`icd10cm_order_YYYY.txt` renamed; billable from its header flag)
    /// or one code per line (billable = leaves). Imported releases take
    /// precedence over the shipped one for the dates they cover. Other files
    /// in `dir` are ignored.
    pub fn with_dir(dir: &Path) -> Result<CodeSets, Error> {
        let io =
            |path: &Path, source| Error::Io { path: path.display().to_string(), cause: source };
        let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.to_ascii_lowercase().starts_with("icd10cm"))
            })
            .collect();
        names.sort();
        let mut icd10cm = Vec::new();
        for path in names {
            let shown = path.display().to_string();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let year = name
                .to_ascii_lowercase()
                .strip_prefix("icd10cm-fy")
                .and_then(|r| r.strip_suffix(".txt"))
                .and_then(|y| y.parse::<i32>().ok())
                .filter(|y| (2015..=2100).contains(y))
                .ok_or_else(|| Error::Name { path: shown.clone() })?;
            let (first, last) = match (
                NaiveDate::from_ymd_opt(year - 1, 10, 1),
                NaiveDate::from_ymd_opt(year, 9, 30),
            ) {
                (Some(f), Some(l)) => (f, l),
                _ => return Err(Error::Name { path: shown }),
            };
            let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
            let release =
                IcdRelease::from_text(&format!("ICD-10-CM FY{year} ({name})"), first, last, &text);
            if release.is_empty() {
                return Err(Error::Empty { path: shown });
            }
            icd10cm.push(release);
        }
        icd10cm.extend(CodeSets::shipped().icd10cm.iter().cloned());
        Ok(CodeSets { icd10cm })
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
    pub(crate) fn icd10cm_coverage(&self) -> String {
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
