//! Reading an encounter file: opens it, reads the header and every row, and
//! groups rows by claim_id into claims with their findings. The whole file
//! at once ([`read`]: rows of a claim may be anywhere, claims keep first-seen
//! order), or as a stream ([`Opened::read_batches`]: when every claim's rows
//! are adjacent, each claim is built as soon as its rows end and handed on in
//! batches), or through an index of rows by claim ([`Opened::index_claims`]
//! and [`Opened::read_indexed`], in `index`: rows of a claim anywhere,
//! claims in first-seen order, in batches). It leaves mapping columns to
//! `map` and reading values to `line` and `assemble`; the row loop itself is
//! in `rows`.

use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::claim::Claim;
use crate::finding::{Finding, Severity};
use crate::input::Input;

use super::assemble::{finish_claim, Group};
use super::map::{build_mapping, Ctx, Mapping};
use super::record::Splitter;

mod chunks;
mod index;
mod rows;
use super::{not_csv, rule, Col, Encounters, Error, Layout};
pub use chunks::PART_BYTES;
pub use index::ClaimIndex;
use rows::Grouping;

/// Reads an encounter export (canonical layout, or `layout`) into claims.
///
/// Fatal errors (nothing usable): unreadable file, not CSV, missing
/// required columns, a layout that does not fit the file. Everything else is
/// a finding in [`Encounters::findings`].
pub fn read(path: &Path, layout: Option<&Layout>) -> Result<Encounters, Error> {
    read_counting(path, layout, &mut |_, _| {})
}

/// [`read`], calling `on_rows(rows, claims)` with the data rows and claims
/// read so far every 16,384 rows (for progress on a terminal).
pub fn read_counting(
    path: &Path,
    layout: Option<&Layout>,
    on_rows: &mut dyn FnMut(u64, u64),
) -> Result<Encounters, Error> {
    let file = path.display().to_string();
    let data = crate::input::open(path)
        .map_err(|source| Error::Io { path: file.clone(), cause: source })?;
    read_input(file, data, layout, on_rows)
}

/// Reads an export already in memory; `file` names it in findings.
pub fn read_bytes(
    file: &str,
    bytes: Vec<u8>,
    layout: Option<&Layout>,
) -> Result<Encounters, Error> {
    read_input(file.to_string(), Input::Owned(bytes), layout, &mut |_, _| {})
}

fn read_input(
    file: String,
    data: Input,
    layout: Option<&Layout>,
    on_rows: &mut dyn FnMut(u64, u64),
) -> Result<Encounters, Error> {
    let opened = Opened::new(file, data, layout, false)?;
    let mut groups: Vec<Group> = Vec::new();
    let rest = opened.rows(Grouping::Whole(&mut groups), on_rows)?;
    // Sequential on purpose: the claims are built in the same allocator
    // arena the grouped rows are freed from, which keeps peak memory about
    // 200 MB lower per million lines than building them on rayon workers;
    // unzip writes each claim (about 1 KB) once into its final place.
    let ctx = opened.ctx();
    let (claims, per_claim): (Vec<Claim>, Vec<Vec<Finding>>) =
        groups.into_iter().map(|g| finish_claim(&ctx, g)).unzip();
    let mut enc = opened.into_encounters(rest);
    for mut f in per_claim {
        f.sort_by_key(|f| f.row);
        enc.findings.append(&mut f);
    }
    enc.claims = claims;
    Ok(enc)
}

/// An export opened and its header read and mapped; its rows not read yet.
pub struct Opened {
    file: String,
    data: Input,
    /// Where the header starts (after a BOM).
    base: usize,
    /// Where the data rows start in the body (after the header).
    data_start: usize,
    delimiter: u8,
    header: Vec<String>,
    map: Mapping,
    /// The unknown-columns warning, when any.
    header_findings: Vec<Finding>,
}

/// What reading the rows leaves besides the claims: the file-level and
/// unclaimed-row findings, in row order, and where each row starts.
pub struct Rows {
    findings: Vec<Finding>,
    unclaimed_rows: Vec<u64>,
    row_starts: Vec<usize>,
    blank_rows: u64,
}

/// Opens an export for [`Opened::read_batches`]: the header is read and
/// mapped (the fatal errors of [`read`] are returned here); the file is
/// memory-mapped without reading it ahead.
pub fn open(path: &Path, layout: Option<&Layout>) -> Result<Opened, Error> {
    let file = path.display().to_string();
    let data = crate::input::open_streamed(path)
        .map_err(|source| Error::Io { path: file.clone(), cause: source })?;
    Opened::new(file, data, layout, true)
}

fn io_err(e: csv::Error, file: &str) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => Error::Io { path: file.to_string(), cause: source },
        other => Error::NotCsv { path: file.to_string(), message: format!("{other:?}") },
    }
}

impl Opened {
    fn new(
        file: String,
        data: Input,
        layout: Option<&Layout>,
        streamed: bool,
    ) -> Result<Opened, Error> {
        let base = if data.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let body = &data[base..];
        // By parts of 16 MiB on all cores, each released once looked at when
        // the file is streamed.
        const PART: usize = 1 << 24;
        let has_nul = body.par_chunks(PART).enumerate().any(|(i, part)| {
            let found = memchr::memchr(0, part).is_some();
            if streamed {
                data.release_range(base + i * PART, base + i * PART + part.len());
            }
            found
        });
        if has_nul {
            return Err(not_csv(&file, "the file contains NUL bytes (binary data)"));
        }
        let delimiter = layout.map_or(b',', |l| l.delimiter);
        let mut rdr = reader(body, delimiter);
        let mut rec = csv::ByteRecord::new();
        if !rdr.read_byte_record(&mut rec).map_err(|e| io_err(e, &file))? {
            return Err(not_csv(&file, "the file is empty (a header row is required)"));
        }
        let header: Vec<String> = rec
            .iter()
            .map(|h| std::str::from_utf8(h).map(|s| s.trim().to_string()))
            .collect::<Result<_, _>>()
            .map_err(|_| not_csv(&file, "the header row is not UTF-8 text"))?;
        // The data rows start where the csv reader stopped after the header.
        let data_start = rdr.position().byte() as usize;
        let (map, unknown) = build_mapping(&file, &header, layout)?;
        let mut header_findings = Vec::new();
        if !unknown.is_empty() {
            header_findings.push(
                Finding::new(
                    rule::UNKNOWN_COLUMNS,
                    Severity::Warning,
                    format!("columns not read (ignored): {}", unknown.join(", ")),
                )
                .in_file(&file)
                .at_row(1, ""),
            );
        }
        Ok(Opened { file, data, base, data_start, delimiter, header, map, header_findings })
    }

    /// How a canonical column is named in this file's header (see
    /// [`Encounters::column_label`]).
    pub fn column_label(&self, canonical: &str) -> String {
        super::label(&self.map.labels, canonical)
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx { file: &self.file, map: &self.map }
    }

    /// The export after its BOM (where the header starts).
    fn body(&self) -> &[u8] {
        &self.data[self.base..]
    }

    /// A splitter on the rows after the header.
    fn data_rows(&self) -> Splitter<'_> {
        Splitter::new(self.body(), self.delimiter, self.data_start)
    }

    /// True when the rows of each claim_id follow one another (the usual
    /// export): [`Opened::read_batches`] may then build each claim when its
    /// rows end. One pass over the file reading only the claim_id cell, the
    /// way [`read`] reads it (rows without a claim_id, blank rows included,
    /// belong to no claim and do not break a claim's rows).
    pub fn claims_adjacent(&self) -> bool {
        let mut rows = self.data_rows();
        let ctx = self.ctx();
        let mut current = String::new();
        // Hashes of the claim_ids seen so far (8 bytes each, not
        // the ids): two ids with one hash only make the caller read the
        // whole file, which is always right.
        let mut ended: FxHashSet<u64> = FxHashSet::default();
        let hash = |id: &str| {
            use std::hash::BuildHasher;
            std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
                .hash_one(id)
        };
        let mut n = 0u64;
        while let Some(rec) = rows.next() {
            n += 1;
            if n % 65_536 == 0 {
                self.data.release(self.base + rec.start);
            }
            let Ok(Some(id)) = ctx.cell(&rec, Col::ClaimId) else { continue };
            if id == current.as_str() {
                continue;
            }
            // A new claim starts: its id must not have been seen before.
            if !ended.insert(hash(&id)) {
                return false;
            }
            current = id.into_owned();
        }
        true
    }

    /// Reads every row, building each claim as soon as its rows end and
    /// calling `on_batch(claims, findings)` with `batch` claims at a time (the
    /// last batch may be smaller) and their reader findings (claim by claim,
    /// each claim's by row). Correct only when [`Opened::claims_adjacent`]
    /// holds: a claim_id whose rows come back later makes a second claim.
    /// Pages of the file already read are released as it goes. Returns what
    /// [`Opened::into_encounters`] needs, or the callback's first error.
    pub fn read_batches<E: From<Error>>(
        &self,
        batch: usize,
        on_rows: &mut dyn FnMut(u64, u64),
        on_batch: &mut dyn FnMut(Vec<Claim>, Vec<Finding>) -> Result<(), E>,
    ) -> Result<Rows, E> {
        self.rows(Grouping::Stream { batch: batch.max(1), on_batch }, on_rows)
    }

    /// The [`Encounters`] of this file without claims: file-level and
    /// unclaimed-row findings, the header, and the rows (for
    /// [`Encounters::write_rows`] and [`Encounters::column_label`]).
    pub fn into_encounters(self, rows: Rows) -> Encounters {
        let Opened { file, data, base, header, map, mut header_findings, .. } = self;
        header_findings.extend(rows.findings);
        Encounters {
            file,
            claims: Vec::new(),
            findings: header_findings,
            unclaimed_rows: rows.unclaimed_rows,
            header,
            labels: map.labels,
            data,
            header_start: base,
            row_starts: rows.row_starts,
            blank_rows: rows.blank_rows,
        }
    }
}

fn reader(body: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body)
}

#[cfg(test)]
mod tests;
