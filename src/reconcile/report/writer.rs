//! Writing the five reconciliation reports: a header each, rows appended
//! batch by batch, then the provider adjustments and outstanding claims,
//! every file synced, then renamed into place (atomic, mode 0600). The rows themselves
//! are formatted by the parent module.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::*;
use crate::atomic::AtomicFile;

fn header(f: &mut AtomicFile, cols: &[&str]) -> io::Result<()> {
    let mut w = buf_writer();
    w.write_record(cols);
    f.write_all(&into_bytes(w)?)
}

/// The five reports being written: rows are appended batch by batch,
/// [`ReportWriter::complete`] adds the provider adjustments and outstanding
/// claims and syncs them, and [`CompleteReports::publish`] renames every
/// file into place (atomic, mode 0600).
#[derive(Debug)]
pub(crate) struct ReportWriter {
    paths: Vec<PathBuf>,
    claims: AtomicFile,
    lines: AtomicFile,
    denials: AtomicFile,
}

impl ReportWriter {
    /// Starts the reports in `dir` (created when missing).
    pub(crate) fn create(dir: &Path) -> io::Result<ReportWriter> {
        fs::create_dir_all(dir)?;
        let paths: Vec<PathBuf> = REPORT_FILES.iter().map(|f| dir.join(f)).collect();
        let mut claims = AtomicFile::create(&paths[0])?;
        header(&mut claims, &CLAIMS_HEADER)?;
        let mut lines = AtomicFile::create(&paths[1])?;
        header(&mut lines, &LINES_HEADER)?;
        let mut denials = AtomicFile::create(&paths[3])?;
        header(&mut denials, &DENIALS_HEADER)?;
        Ok(ReportWriter { paths, claims, lines, denials })
    }

    /// Appends formatted rows (in input order).
    pub(crate) fn append(&mut self, rows: &Rows) -> io::Result<()> {
        self.claims.write_all(&rows.claims)?;
        self.lines.write_all(&rows.lines)?;
        self.denials.write_all(&rows.denials)
    }

    /// Writes the provider adjustments and the outstanding claims (also as
    /// `outstanding` rows of `claims.csv`) and syncs every file to disk,
    /// still under its temp name: nothing is in place until
    /// [`CompleteReports::publish`]. The syncs can run while other work
    /// (the ledger's last batches) goes on.
    pub(crate) fn complete(
        mut self,
        plb: &[PlbRow],
        outstanding: &[OutstandingRow],
    ) -> io::Result<CompleteReports> {
        let mut c = buf_writer();
        for o in outstanding {
            let billed = money(o.billed);
            let mut row = vec![""; CLAIMS_HEADER.len()];
            row[0] = &o.claim_id;
            row[1] = &o.payer_id;
            row[3] = ClaimStatus::Outstanding.as_str();
            row[5] = &billed;
            c.write_record(&row);
        }
        self.claims.write_all(&into_bytes(c)?)?;
        let mut p = AtomicFile::create(&self.paths[2])?;
        let mut w = buf_writer();
        w.write_record(PLB_HEADER);
        for r in plb {
            w.write_record([
                r.payer_id.as_str(),
                &r.provider_id,
                &date(r.fiscal_date),
                &r.reason,
                &r.reference,
                &r.claim_id,
                &money(r.amount),
                &money(-r.amount),
                &r.check_trace,
                &date(r.payment_date),
            ]);
        }
        p.write_all(&into_bytes(w)?)?;
        let mut o = AtomicFile::create(&self.paths[4])?;
        let mut w = buf_writer();
        w.write_record(OUTSTANDING_HEADER);
        for r in outstanding {
            w.write_record([
                r.claim_id.as_str(),
                &r.payer_id,
                &money(r.billed),
                &money(r.outstanding),
                &date(r.sent_on),
                &r.age_days.map(|a| a.to_string()).unwrap_or_default(),
            ]);
        }
        o.write_all(&into_bytes(w)?)?;
        // In the order of REPORT_FILES.
        let mut files = [self.claims, self.lines, p, self.denials, o];
        for f in &mut files {
            f.sync()?;
        }
        Ok(CompleteReports { paths: self.paths, files })
    }
}

/// The five reports written whole and synced, under their temp names
/// (dropping them removes the temp files).
#[derive(Debug)]
pub(crate) struct CompleteReports {
    paths: Vec<PathBuf>,
    files: [AtomicFile; 5],
}

impl CompleteReports {
    /// Renames every report into place (the folder synced once) and
    /// returns their paths.
    pub(crate) fn publish(self) -> io::Result<Vec<PathBuf>> {
        crate::atomic::commit_all(self.files)?;
        Ok(self.paths)
    }
}
