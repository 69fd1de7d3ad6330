//! Copying held-back rows out: which input rows belong to held-back claims,
//! and writing them (with the header) byte for byte as they were read. It does
//! not decide which claims are held back (`scrub` does).

use std::io::{self, Write};

use crate::claim::Claim;

use super::Encounters;

impl Encounters {
    /// Every input row of the given claims plus the unclaimed rows, sorted:
    /// what goes to `held/` when those claims are held back.
    pub fn held_rows<'a>(&self, held: impl IntoIterator<Item = &'a Claim>) -> Vec<u64> {
        let mut rows: Vec<u64> =
            held.into_iter().flat_map(|c| c.source.rows.iter().copied()).collect();
        rows.extend(&self.unclaimed_rows);
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// Writes the original header and the given rows (1-based, header = row
    /// 1; data rows start at 2), byte for byte as they were in the input, so
    /// the result can be fixed and re-run with the same layout. Rows that do
    /// not exist are skipped. Each row ends with a line break.
    pub fn write_rows<W: Write>(&self, mut w: W, rows: &[u64]) -> io::Result<()> {
        let end_of = |i: usize| self.row_starts.get(i + 1).copied().unwrap_or(self.data.len());
        let header_end = self.row_starts.first().copied().unwrap_or(self.data.len());
        let mut put = |bytes: &[u8]| -> io::Result<()> {
            w.write_all(bytes)?;
            if !bytes.ends_with(b"\n") {
                w.write_all(b"\n")?;
            }
            Ok(())
        };
        put(&self.data[self.header_start..header_end])?;
        for &r in rows {
            let Some(i) = r.checked_sub(2).map(|i| i as usize) else { continue };
            if let Some(&start) = self.row_starts.get(i) {
                put(&self.data[start..end_of(i)])?;
            }
        }
        w.flush()
    }
}
