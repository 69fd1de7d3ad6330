//! The streamed builds that need more than one pass over the export, in
//! bounded memory:
//!
//! - [`run`]: an export whose claims' rows are not adjacent. The rows are
//!   indexed by claim (one pass; see [`encounter::ClaimIndex`]), then the
//!   claims are read from their rows' offsets in first-seen order, the order
//!   of the whole-file build, and go through the same batches as an adjacent
//!   export (`stream`). Memory holds the index (about 8 bytes per row,
//!   besides the 8 of each row's start that every build keeps for `held/`)
//!   and a batch, never every claim.
//! - [`run_ncci`]: NCCI/MUE edits loaded. They compare a patient's services
//!   of a day across the export, so a first pass reads every claim (through
//!   the index when rows are apart) and keeps only what the edits look at:
//!   per service line whose code an edit can name, the patient key (a hash),
//!   day, code, units, PTP-modifier flag, claim and row (about 50 bytes),
//!   plus each claim's id. The second pass streams the claims, each batch's
//!   edits looking across that table. When the ledger holds claims sent
//!   earlier for the export's dates (the edits then also run against them,
//!   in an order that depends on every claim's outcome), it answers `None`
//!   and the whole-file build runs.
//!
//! The bytes written and the findings are those of the whole-file build. It
//! does not decide whether rows are adjacent (`stream` does, and calls
//! [`run`] when they are not).

use std::borrow::Cow;
use std::sync::mpsc;

use chrono::NaiveDate;

use super::stream::{Stop, Stream, BATCH};
use super::{manifest, Error, Inputs, Report};
use crate::claim::Claim;
use crate::encounter;
use crate::finding::Finding;
use crate::scrub;

/// Builds `export` through its claim index into `out_dir`; `hashed` is the
/// export's sha256 and size. `Ok(None)` when the export is too large to
/// index (over four billion rows): the caller builds it whole.
pub(super) fn run(
    mut stream: Stream<'_, '_>,
    export: encounter::Opened,
    hashed: (String, u64),
) -> Result<Option<Report>, Error> {
    let (inputs, progress) = (stream.inputs(), stream.progress());
    progress.stage("indexing rows by claim");
    let Some(index) = export.index_claims()? else { return Ok(None) };
    progress.stage("reading, checking and writing claims");
    // The rows are known apart: nothing waits for an adjacency answer.
    let (tx, adjacent) = mpsc::channel();
    let _ = tx.send(true);
    let read = stream.read(&export, &adjacent, |on_rows, on_batch| {
        export.read_indexed(&index, BATCH, on_rows, on_batch)?;
        Ok(index.into_rows())
    });
    finish(inputs, stream, read, export, hashed).map(Some)
}

/// Ends a stream that read `export` (the rows read, or why it stopped).
fn finish(
    inputs: &Inputs<'_>,
    stream: Stream<'_, '_>,
    read: Result<encounter::Rows, Stop>,
    export: encounter::Opened,
    hashed: (String, u64),
) -> Result<Report, Error> {
    let rows = match read {
        Ok(rows) => rows,
        Err(Stop::Failed(e)) => return Err(e),
        Err(Stop::NotAdjacent | Stop::Gone) => {
            return Err(Error::Io {
                path: inputs.export.to_path_buf(),
                what: "cannot read",
                cause: std::io::Error::other("the reading thread stopped"),
            })
        }
    };
    let (sha256, bytes) = hashed;
    let encounters = export.into_encounters(rows);
    stream.finish(encounters, &sha256, bytes)
}

/// Builds `export` with the NCCI/MUE edits loaded, in two passes (see the
/// module doc). `Ok(None)` when the whole-file build must run instead:
/// the ledger holds claims sent earlier for the export's dates, or the
/// export is too large to index.
pub(super) fn run_ncci(
    stream: Stream<'_, '_>,
    export: encounter::Opened,
) -> Result<Option<Report>, Error> {
    let (inputs, progress) = (stream.inputs(), stream.progress());
    progress.stage("indexing services by patient and day");
    let (adjacent, hashed) = std::thread::scope(|s| {
        let hasher = s.spawn(|| manifest::hash_file(inputs.export));
        (export.claims_adjacent(), hasher.join())
    });
    let hashed = hashed
        .unwrap_or_else(|_| Err(std::io::Error::other("hashing the export failed")))
        .map_err(Error::io(inputs.export, "cannot read"))?;
    let index = match adjacent {
        true => None,
        false => match export.index_claims()? {
            Some(index) => Some(index),
            None => return Ok(None),
        },
    };
    // The first pass: what the edits look at, claim by claim.
    let mut services: Vec<scrub::Svc> = Vec::new();
    let mut ids: Vec<Cow<'_, str>> = Vec::new();
    let mut dates: Option<(NaiveDate, NaiveDate)> = None;
    let mut take = |claims: Vec<Claim>, _: Vec<Finding>| -> Result<(), Error> {
        for c in claims {
            let i = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            services.extend(scrub::ncci_services(&c, i));
            for d in c.lines.iter().map(|l| l.service_date) {
                dates = Some(dates.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d))));
            }
            ids.push(Cow::Owned(c.claim_id));
        }
        Ok(())
    };
    match &index {
        Some(index) => export.read_indexed(index, BATCH, &mut |_, _| {}, &mut take)?,
        None => drop(export.read_batches(BATCH, &mut |_, _| {}, &mut take)?),
    }
    if u32::try_from(ids.len()).is_err() {
        return Ok(None);
    }
    // The whole-file build runs the edits against the claims sent earlier
    // for the dates of the claims it sends (a claim is recorded under its
    // first date of service; its lines may run a few weeks later): none
    // for any date of the export, none for those.
    if let Some((first, last)) = dates {
        if !stream.ledger().prior_claims(first - chrono::Duration::days(62), last)?.is_empty() {
            return Ok(None);
        }
    }
    services.shrink_to_fit();
    let days = scrub::DayIndex::from_services(&inputs.codesets.edits, services, ids, &[]);
    progress.stage("reading, checking and writing claims");
    let (tx, known) = mpsc::channel();
    let _ = tx.send(true);
    let mut stream = stream.with_days(days);
    let read = stream.read(&export, &known, |on_rows, on_batch| match index {
        Some(index) => {
            export.read_indexed(&index, BATCH, on_rows, on_batch)?;
            Ok(index.into_rows())
        }
        None => export.read_batches(BATCH, on_rows, on_batch),
    });
    finish(inputs, stream, read, export, hashed).map(Some)
}
