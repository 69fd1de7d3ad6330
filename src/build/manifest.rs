//! `manifest.json` of a build (inputs and outputs with their sha256, counts,
//! totals, control numbers) and the streamed file hashing it needs. This
//! module decides nothing about claims.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::ledger;

/// A file read or written by the run.
#[derive(Clone, Debug, Serialize)]
pub struct FileEntry {
    /// As given (inputs) or as written (outputs).
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// sha256 of the contents, lowercase hex.
    pub sha256: String,
}

impl FileEntry {
    /// The entry of a file whose contents are in memory.
    pub(crate) fn of_bytes(path: &Path, bytes: &[u8]) -> FileEntry {
        FileEntry {
            path: path.display().to_string(),
            bytes: bytes.len() as u64,
            sha256: ledger::hex(&Sha256::digest(bytes)),
        }
    }
}

/// Counts of a build.
#[derive(Clone, Debug, Serialize)]
pub struct Counts {
    /// Data rows read (header excluded).
    pub rows: u64,
    /// Claims read (clean and held).
    pub claims: usize,
    /// Service lines read.
    pub lines: usize,
    /// Claims written to the 837P.
    pub sent: usize,
    /// Service lines written to the 837P.
    pub sent_lines: usize,
    /// Clean claims not sent again: sent earlier, unchanged.
    pub already_sent: usize,
    /// Claims held back (by the rules, or by the ledger).
    pub held: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
}

/// Charges of a build, as money text (two decimals).
#[derive(Clone, Debug, Serialize)]
pub struct Totals {
    /// Sum of CLM02 of the claims sent.
    pub sent_charge: String,
    /// Sum of the charges of the lines read into the claims held back.
    pub held_charge: String,
    /// Rows of `held/` not in `held_charge`: no service line could be read
    /// from them (no claim_id, a date or charge that is not one, ...);
    /// their reasons are in `rejects.csv`.
    pub held_rows_not_in_charge: Vec<u64>,
    /// Sum of the charges of the claims already sent.
    pub already_sent_charge: String,
}

/// The control numbers of the 837P written (none when nothing was sent).
#[derive(Clone, Debug, Default, Serialize)]
pub struct ControlNumbers {
    /// ISA13, nine digits.
    pub isa13: Option<String>,
    /// GS06.
    pub gs06: Option<String>,
    /// ST02 of every transaction set, in file order.
    pub st02: Vec<String>,
}

/// `manifest.json`: everything a run read and wrote, so a night's work can be
/// audited later.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
    /// The claimflow version that ran.
    pub claimflow: &'static str,
    /// The run's clock, `YYYY-MM-DDTHH:MM:SS`.
    pub now: String,
    /// Whether `resend` was asked.
    pub resend: bool,
    /// The export, the config and the layout.
    pub inputs: Vec<FileEntry>,
    /// The 837P, `rejects.csv` and the held rows, as written.
    pub outputs: Vec<FileEntry>,
    /// The code-set files read from the code-set folder (ICD-10-CM
    /// releases, NCCI PTP, MUE and add-on edits, CARC and RARC lists), with
    /// their kind, rows and sha256; empty when no folder was given.
    pub codesets: Vec<crate::codeset::CodeSetFile>,
    /// Counts.
    pub counts: Counts,
    /// Charges.
    pub totals: Totals,
    /// Control numbers of the 837P.
    pub control_numbers: ControlNumbers,
    /// Claim ids held back, by row.
    pub held_claims: Vec<String>,
    /// Claim ids already sent and unchanged.
    pub already_sent_claims: Vec<String>,
}

/// sha256 (lowercase hex) and size of a file, streamed.
pub(crate) fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let mut f = fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((ledger::hex(&h.finalize()), n))
}
