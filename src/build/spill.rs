//! The streamed build of an export whose claims' rows are not adjacent: the
//! rows are indexed by claim (one pass; see [`encounter::ClaimIndex`]), then
//! the claims are read from their rows' offsets in first-seen order, the
//! order of the whole-file build, and go through the same batches as an
//! adjacent export (`stream`): memory holds the index (about 8 bytes per
//! row, besides the 8 of each row's start that every build keeps for
//! `held/`) and a batch, never every claim. The bytes written and the
//! findings are those of the whole-file build. It does not decide whether
//! rows are adjacent (`stream` does, and calls [`run`] when they are not).

use std::sync::mpsc;

use super::stream::{Stop, Stream, BATCH};
use super::{Error, Inputs, Options, Report};
use crate::encounter;
use crate::ledger::Ledger;
use crate::progress::Progress;

/// Builds `export` through its claim index into `out_dir`; `hashed` is the
/// export's sha256 and size. `Ok(None)` when the export is too large to
/// index (over four billion rows): the caller builds it whole.
pub(super) fn run(
    inputs: &Inputs<'_>,
    options: &Options,
    ledger: &mut Ledger,
    out_dir: &std::path::Path,
    progress: &Progress,
    export: encounter::Opened,
    hashed: (String, u64),
) -> Result<Option<Report>, Error> {
    progress.stage("indexing rows by claim");
    let Some(index) = export.index_claims()? else { return Ok(None) };
    progress.stage("reading, checking and writing claims");
    // The rows are known apart: nothing waits for an adjacency answer.
    let (tx, adjacent) = mpsc::channel();
    let _ = tx.send(true);
    let mut stream = Stream::new(inputs, options, ledger, out_dir, progress);
    let read = stream.read(&export, &adjacent, |on_rows, on_batch| {
        export.read_indexed(index, BATCH, on_rows, on_batch)
    });
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
    stream.finish(encounters, &sha256, bytes).map(Some)
}
