//! Code sets for the scrubber: shipped public-domain data and format checks.
//!
//! Three tiers (DESIGN.md "Code sets"): format checks that are always on
//! (`shape`: CPT/HCPCS, modifier, EIN prefix, ZIP, state; `ndc`
//! normalisation), small public-domain data shipped with the tool (`pos`:
//! CMS place of service; `icd10cm`: ICD-10-CM FY2026 validity and
//! billability by date of service), and data the user supplies in the
//! code-set folder (`--codeset-dir`, `[codesets] dir`): newer ICD-10-CM
//! releases, CMS's NCCI practitioner PTP, MUE and add-on code edits (`ncci`),
//! and the CARC and RARC lists (`reasons`), recognised by their header row
//! (`table`). This module never holds CPT descriptors, edits or reason texts.
//!
//! For the guide-schema validator: [`CodeSets::carc_in_use`] and
//! [`CodeSets::rarc_in_use`] say whether an 835 reason or remark code is on
//! the loaded list and in use on a date (`None` when no list is loaded).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

mod icd10cm;
pub(crate) mod ncci;
pub mod ndc;
pub(crate) mod pos;
mod reasons;
pub(crate) mod shape;
mod table;

pub use icd10cm::{IcdRelease, IcdStatus};
pub use ncci::{AddonType, Edits, ModifierIndicator, MueIndicator};
pub use reasons::{ReasonList, ReasonTexts};
pub use table::FileKind;

/// The code sets a scrub run uses.
#[derive(Debug, Clone)]
pub struct CodeSets {
    /// ICD-10-CM releases, each with the dates of service it covers.
    pub icd10cm: Vec<IcdRelease>,
    /// NCCI PTP, MUE and add-on code edits (empty when none was supplied).
    pub edits: Arc<Edits>,
    /// The CARC list, when one was supplied.
    pub carc: Option<Arc<ReasonList>>,
    /// The RARC list, when one was supplied.
    pub rarc: Option<Arc<ReasonList>>,
    /// The CPT list (CPT and HCPCS codes in use), when one was supplied.
    pub cpt: Option<Arc<ReasonList>>,
    /// The files read from the code-set folder, in name order.
    pub files: Vec<CodeSetFile>,
}

/// A file read from the code-set folder (recorded in `manifest.json`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct CodeSetFile {
    /// The file as found in the folder.
    pub path: String,
    /// What it holds: `icd10cm`, `ptp`, `mue`, `addon`, `carc`, `rarc`
    /// or `cpt`.
    pub kind: String,
    /// Size in bytes.
    pub bytes: u64,
    /// sha256 of the contents, lowercase hex.
    pub sha256: String,
    /// Data rows (codes or edits) read.
    pub rows: usize,
    /// Rows not used because a newer file holds the same edit.
    pub replaced: usize,
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
        #[source]
        cause: std::io::Error,
    },
    /// A file name does not say which fiscal year it covers.
    #[error("{path}: name ICD-10-CM files icd10cm-FY<YYYY>.txt (e.g. icd10cm-FY2027.txt) so the dates they cover are known")]
    Name {
        /// The file.
        path: String,
    },
    /// A code-set file of the wrong kind, without the columns needed, or
    /// with a value that cannot be read.
    #[error("{path}: line {line}: {message}")]
    File {
        /// The file.
        path: String,
        /// 1-based line (0: the file as a whole).
        line: usize,
        /// What is wrong and what was expected.
        message: String,
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
            edits: Arc::new(Edits::default()),
            carc: None,
            rarc: None,
            cpt: None,
            files: Vec::new(),
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
    /// precedence over the shipped one for the dates they cover.
    ///
    /// Every other `.txt`, `.csv` or `.tsv` file must be an NCCI PTP, MUE,
    /// add-on code edit, CARC or RARC file, recognised by its header row
    /// (see `docs/scrub-rules.md`); a file of another kind, a header without
    /// the columns needed, or a date or code that cannot be read is an error
    /// naming the file and line. Files with other extensions are ignored.
    pub fn with_dir(dir: &Path) -> Result<CodeSets, Error> {
        let io =
            |path: &Path, source| Error::Io { path: path.display().to_string(), cause: source };
        let all = files_in(dir)?;
        let lower =
            |p: &Path| p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
        let (names, others): (Vec<PathBuf>, Vec<PathBuf>) =
            all.into_iter().partition(|p| lower(p).starts_with("icd10cm"));
        let others: Vec<PathBuf> = others
            .into_iter()
            .filter(|p| {
                let n = lower(p);
                !n.starts_with('.') && [".txt", ".csv", ".tsv"].iter().any(|ext| n.ends_with(ext))
            })
            .collect();
        let mut files = Vec::new();
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
            let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
            let text = String::from_utf8_lossy(&bytes);
            let release =
                IcdRelease::from_text(&format!("ICD-10-CM FY{year} ({name})"), first, last, &text);
            if release.is_empty() {
                return Err(Error::Empty { path: shown });
            }
            files.push(CodeSetFile {
                path: shown,
                kind: "icd10cm".into(),
                bytes: bytes.len() as u64,
                sha256: hex(&Sha256::digest(&bytes)),
                rows: release.code_count(),
                replaced: 0,
            });
            icd10cm.push(release);
        }
        icd10cm.extend(CodeSets::shipped().icd10cm.iter().cloned());
        let mut builder = ncci::Builder::default();
        let mut carc: Option<ReasonList> = None;
        let mut rarc: Option<ReasonList> = None;
        let mut cpt: Option<ReasonList> = None;
        let mut ncci_files = Vec::new();
        for path in others {
            let shown = path.display().to_string();
            let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
            let text = String::from_utf8_lossy(&bytes);
            let bad = |p: table::Problem| Error::File {
                path: shown.clone(),
                line: p.line,
                message: p.message,
            };
            let h = table::header(&text).map_err(bad)?;
            let lists = [carc.as_ref(), rarc.as_ref(), cpt.as_ref()];
            let before = builder_rows(&builder, lists, h.kind);
            match h.kind {
                FileKind::Carc => carc.get_or_insert_with(ReasonList::default).add(&text, &h),
                FileKind::Rarc => rarc.get_or_insert_with(ReasonList::default).add(&text, &h),
                FileKind::Cpt => cpt.get_or_insert_with(ReasonList::default).add(&text, &h),
                _ => {
                    ncci_files.push(files.len());
                    builder.add(ncci_files.len() - 1, &text, &h)
                }
            }
            .map_err(bad)?;
            let lists = [carc.as_ref(), rarc.as_ref(), cpt.as_ref()];
            let rows = builder_rows(&builder, lists, h.kind) - before;
            files.push(CodeSetFile {
                path: shown,
                kind: format!("{:?}", h.kind).to_ascii_lowercase(),
                bytes: bytes.len() as u64,
                sha256: hex(&Sha256::digest(&bytes)),
                rows,
                replaced: 0,
            });
        }
        let edits = builder.finish(ncci_files.len());
        for (i, &f) in ncci_files.iter().enumerate() {
            if let (Some(file), Some(k)) = (files.get_mut(f), edits.kept.get(i)) {
                file.replaced = k.1;
            }
        }
        let finish = |mut l: ReasonList| {
            l.finish();
            Arc::new(l)
        };
        Ok(CodeSets {
            icd10cm,
            edits: Arc::new(edits),
            carc: carc.map(finish),
            rarc: rarc.map(finish),
            cpt: cpt.map(finish),
            files,
        })
    }

    /// The code sets in the folder `dir` when one is given, else the shipped
    /// ones (a borrowed reference needs no copy).
    pub fn load(dir: Option<&Path>) -> Result<std::borrow::Cow<'static, CodeSets>, Error> {
        Ok(match dir {
            Some(d) => std::borrow::Cow::Owned(CodeSets::with_dir(d)?),
            None => std::borrow::Cow::Borrowed(CodeSets::shipped()),
        })
    }

    /// Whether a CARC is on the loaded list and in use on `date` (start on
    /// or before, stop after or none). `None` when no CARC list is loaded.
    pub fn carc_in_use(&self, code: &str, date: NaiveDate) -> Option<bool> {
        self.carc.as_ref().map(|l| l.in_use(code, date))
    }

    /// Whether a RARC is on the loaded list and in use on `date`; `None`
    /// when no RARC list is loaded.
    pub fn rarc_in_use(&self, code: &str, date: NaiveDate) -> Option<bool> {
        self.rarc.as_ref().map(|l| l.in_use(code, date))
    }

    /// Whether a CPT or HCPCS code is on the loaded CPT list and in use on
    /// `date`; `None` when no CPT list is loaded.
    pub fn cpt_in_use(&self, code: &str, date: NaiveDate) -> Option<bool> {
        self.cpt.as_ref().map(|l| l.in_use(code, date))
    }

    /// The CARC and RARC lists, for showing reason codes with their text.
    pub fn reason_texts(&self) -> ReasonTexts {
        ReasonTexts::new(self.carc.clone(), self.rarc.clone())
    }

    /// The CARC and RARC lists of the code-set folder `dir`, without loading
    /// the other files (only their header rows are read, to tell their
    /// kind). Errors as [`CodeSets::with_dir`] for the lists themselves; a
    /// file of no known kind is an error too.
    pub fn reason_texts_in(dir: &Path) -> Result<ReasonTexts, Error> {
        use std::io::BufRead;
        let io =
            |path: &Path, source| Error::Io { path: path.display().to_string(), cause: source };
        let all = files_in(dir)?;
        let mut lists: [Option<ReasonList>; 2] = [None, None];
        for path in all {
            let n = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_ascii_lowercase();
            if n.starts_with("icd10cm")
                || n.starts_with('.')
                || ![".txt", ".csv", ".tsv"].iter().any(|ext| n.ends_with(ext))
            {
                continue;
            }
            let shown = path.display().to_string();
            let bad = |p: table::Problem| Error::File {
                path: shown.clone(),
                line: p.line,
                message: p.message,
            };
            // The header is within the first lines: read those only.
            let file = std::fs::File::open(&path).map_err(|e| io(&path, e))?;
            let mut head = Vec::new();
            for line in std::io::BufReader::new(file).split(b'\n').take(500) {
                head.extend(line.map_err(|e| io(&path, e))?);
                head.push(b'\n');
            }
            let h = table::header(&String::from_utf8_lossy(&head)).map_err(bad)?;
            let slot = match h.kind {
                FileKind::Carc => 0,
                FileKind::Rarc => 1,
                _ => continue,
            };
            let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
            let text = String::from_utf8_lossy(&bytes);
            let h = table::header(&text).map_err(bad)?;
            lists[slot].get_or_insert_with(ReasonList::default).add(&text, &h).map_err(bad)?;
        }
        let [carc, rarc] = lists.map(|l| {
            l.map(|mut l| {
                l.finish();
                Arc::new(l)
            })
        });
        Ok(ReasonTexts::new(carc, rarc))
    }

    /// The description of a CARC on the loaded list.
    pub fn carc_text(&self, code: &str) -> Option<&str> {
        self.carc.as_ref()?.description(code)
    }

    /// The description of a RARC on the loaded list.
    pub fn rarc_text(&self, code: &str) -> Option<&str> {
        self.rarc.as_ref()?.description(code)
    }

    /// What the run uses, one line per code-set file (for the operator): the
    /// file, its kind and rows, and the rows a newer file replaced. Empty
    /// when no folder was given.
    pub fn summary(&self) -> Vec<String> {
        self.files
            .iter()
            .map(|f| {
                let mut s = format!("code set {} ({}): {} row(s)", f.path, f.kind, f.rows);
                if f.replaced > 0 && f.replaced == f.rows {
                    s.push_str("; not used: a newer file holds every one of its edits");
                } else if f.replaced > 0 {
                    s.push_str(&format!(
                        "; {} of them replaced by a file with a newer effective date",
                        f.replaced
                    ));
                }
                s
            })
            .collect()
    }

    /// Looks up an ICD-10-CM code (no dot, upper case) for a date of service:
    /// which release covers the date, and what the code is in it.
    pub fn icd10cm(&self, code: &str, date: NaiveDate) -> IcdStatus {
        match self.icd10cm.iter().find(|r| r.covers(date)) {
            Some(r) => r.lookup(code),
            None => IcdStatus::NotCovered,
        }
    }

    /// The note a run prints once when no NCCI file was supplied, else None.
    pub fn ncci_note(&self) -> Option<String> {
        self.edits.is_empty().then(|| {
            "NCCI/MUE edits were not checked: no NCCI PTP, MUE or add-on code file in the \
             code-set folder (--codeset-dir or [codesets] dir; see docs/scrub-rules.md)"
                .to_string()
        })
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

/// The files (not folders) in the code-set folder `dir`, in name order.
fn files_in(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let io = |source| Error::Io { path: dir.display().to_string(), cause: source };
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    all.sort();
    Ok(all)
}

/// The rows a kind holds so far (to count one file's rows).
/// `lists` are the CARC, RARC and CPT lists.
fn builder_rows(b: &ncci::Builder, lists: [Option<&ReasonList>; 3], kind: FileKind) -> usize {
    let [carc, rarc, cpt] = lists;
    match kind {
        FileKind::Carc => carc.map_or(0, ReasonList::len),
        FileKind::Rarc => rarc.map_or(0, ReasonList::len),
        FileKind::Cpt => cpt.map_or(0, ReasonList::len),
        _ => b.rows(kind),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
