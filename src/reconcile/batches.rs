//! The middle of a reconcile run: the 835 transaction sets read and matched
//! in parallel batches, each batch accounted in file order, its report rows
//! appended and its postings handed to the ledger's posting thread, then
//! the pages of its 835 bytes released. It does not load the sent claims,
//! open the files or finish the reports; `run` does that around it.

use std::path::Path;

use rayon::prelude::*;

use super::report::{self, PlbRow};
use super::run::Error;
use super::set::{finish_set, posting, read_set, Against, Opened, Read, SetOut};
use super::summary::{Compact, SetSummary};
use super::{Book, ClaimIndex, ClaimStatus};
use crate::ledger::{self, Ledger, RemitPosting};
use crate::progress::Progress;
use crate::x12::Finding;
use crate::Text;

/// Transaction sets handled per parallel batch: enough to keep every core
/// busy, few enough that memory stays bounded by the batch, not the input.
const SETS_PER_BATCH: usize = 8;

/// At most this many findings are kept for the summary; the rest are counted.
const MAX_KEPT_FINDINGS: usize = 10_000;

/// Findings kept for the summary, up to [`MAX_KEPT_FINDINGS`].
#[derive(Default)]
pub(super) struct Kept {
    pub(super) findings: Vec<Finding>,
    pub(super) dropped: usize,
}

impl Kept {
    pub(super) fn keep(&mut self, file: &str, finding: Finding) {
        if self.findings.len() < MAX_KEPT_FINDINGS {
            self.findings.push(finding.in_file(file));
        } else {
            self.dropped += 1;
        }
    }
}

/// One 835 transaction set to reconcile.
pub(super) struct Job<'o> {
    pub(super) opened: &'o Opened,
    pub(super) file_no: usize,
    pub(super) control: &'o str,
    pub(super) set: &'o crate::x12::TransactionSet,
}

/// What the run keeps while the sets are read: the findings and notes, and
/// a few figures per set and claim payment.
pub(super) struct Collected<'n, 'p> {
    pub(super) kept: Kept,
    pub(super) notes: &'n mut Vec<Finding>,
    pub(super) sets: Vec<SetSummary>,
    pub(super) plb: Vec<PlbRow>,
    pub(super) compact: Vec<Compact>,
    pub(super) denial_rows: usize,
    pub(super) out_dir: &'p Path,
}

/// Step 3: the sets read, matched and accounted in parallel batches, their
/// rows appended to `writer`, and (with `ledger`) posted. The ledger posts
/// on its own thread while the next batch is read, so SQLite's single
/// writer overlaps the parallel parsing. Each batch is one transaction; a
/// set is applied at most once, so a run stopped half-way is completed by
/// running it again.
///
/// Once every set is read, `then` is given the writer (and what was
/// collected) while the ledger's last batches are still being posted: the
/// reports are completed and synced meanwhile. Its result is returned with
/// what was posted.
#[allow(clippy::too_many_arguments)]
pub(super) fn read_match_post<T>(
    jobs: &[Job<'_>],
    against: &Against<'_>,
    book: &mut Book,
    ledger: Option<&mut Ledger>,
    mut writer: report::ReportWriter,
    out: &mut Collected<'_, '_>,
    at: &str,
    progress: &Progress,
    then: impl FnOnce(report::ReportWriter, &Collected<'_, '_>, &Book) -> Result<T, Error>,
) -> Result<(Option<ledger::PostSummary>, T), Error> {
    std::thread::scope(|scope| -> Result<(Option<ledger::PostSummary>, T), Error> {
        let (to_ledger, poster) = match ledger {
            Some(l) => {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RemitPosting>>(2);
                let handle = scope.spawn(move || post_batches(l, rx, at));
                (Some(tx), Some(handle))
            }
            None => (None, None),
        };
        let read_batch = |batch: &[Job<'_>]| -> Vec<Read> {
            batch
                .par_iter()
                .map(|j| read_set(j.opened, j.file_no, j.control, j.set, against))
                .collect()
        };
        // While one batch is accounted, written and posted (mostly on one
        // core), the next is read and matched on the others.
        let mut batches = jobs.chunks(SETS_PER_BATCH);
        let mut current = batches.next().map(|b| (b, read_batch(b)));
        while let Some((done, reads)) = current.take() {
            let next = batches.next();
            let (next_reads, sent_on) = rayon::join(
                || next.map(|b| (b, read_batch(b))),
                || write_batch(reads, against, book, &mut writer, out, to_ledger.as_ref()),
            );
            // A send fails only when the posting thread stopped on an
            // error, which joining it below reports.
            if !sent_on? {
                break;
            }
            // The batch's bytes are not read again: their pages leave the
            // process's memory (the sets after them are untouched).
            for j in done {
                if let Some(input) = &j.opened.input {
                    input.release(j.set.bytes.end);
                }
            }
            current = next_reads;
        }
        drop(to_ledger);
        progress.stage("complete and sync reports");
        let done = then(writer, out, book)?;
        if poster.is_some() {
            progress.stage("finish ledger posting");
        }
        let posted = match poster {
            Some(h) => {
                let (post, busy, cpu) = h.join().map_err(|_| Error::PostingThread)??;
                progress.timing(&format!("ledger posting thread (cpu {cpu:.2} s) busy"), busy);
                Some(post)
            }
            None => None,
        };
        Ok((posted, done))
    })
}

/// One batch of read sets accounted in file order, its rows formatted (in
/// parallel) and appended to the reports, and its postings sent to the
/// posting thread. False when the posting thread has stopped.
fn write_batch(
    mut reads: Vec<Read>,
    against: &Against<'_>,
    book: &mut Book,
    writer: &mut report::ReportWriter,
    out: &mut Collected<'_, '_>,
    to_ledger: Option<&std::sync::mpsc::SyncSender<Vec<RemitPosting>>>,
) -> Result<bool, Error> {
    let with_postings = to_ledger.is_some();
    let out_dir = out.out_dir;
    // Accounting runs in file order: a payment sees what the payments
    // before it answered.
    for (k, rd) in reads.iter_mut().enumerate() {
        account_set(book, against.index, rd, !with_postings, out.sets.len() + k, &mut out.compact);
    }
    let outs: Vec<std::io::Result<SetOut>> =
        reads.into_par_iter().map(|rd| finish_set(rd, against)).collect();
    let mut postings = Vec::new();
    for set_out in outs {
        let set_out = set_out.map_err(Error::io(out_dir, "writing reports"))?;
        writer.append(&set_out.rows).map_err(Error::io(out_dir, "writing reports"))?;
        out.denial_rows += set_out.rows.denial_rows;
        for f in set_out.findings {
            out.kept.keep(&set_out.summary.file, f);
        }
        out.notes.extend(set_out.unknown_payer);
        if with_postings && set_out.summary.complete {
            let sent = against.index.claims();
            postings.push(posting(
                &set_out.summary,
                set_out.payments,
                set_out.procedures,
                &set_out.plb,
                sent,
            ));
        }
        out.plb.extend(set_out.plb);
        out.sets.push(set_out.summary);
    }
    Ok(match to_ledger {
        Some(tx) => tx.send(postings).is_ok(),
        None => true,
    })
}

/// One set's claim payments accounted in file order (lines answered,
/// reversals, PLB ties), and the little the summary keeps of each.
fn account_set(
    book: &mut Book,
    index: &ClaimIndex<'_>,
    rd: &mut Read,
    without_ledger: bool,
    set_no: usize,
    compact: &mut Vec<Compact>,
) {
    let sent = index.claims();
    rd.findings.extend(book.account(sent, &mut rd.results, without_ledger));
    for row in &mut rd.plb {
        row.sent = book.tie(index, &rd.results, rd.payer.as_deref(), &row.reference);
        if let Some(i) = row.sent {
            row.claim_id = sent[i].claim_id.clone();
        }
    }
    compact.extend(rd.results.iter().map(|r| Compact {
        status: r.status,
        forwarded: r.forwarded,
        paid: r.figures.paid,
        // Only reversals are named in the summary.
        claim_id: if r.status == ClaimStatus::Reversed {
            r.claim_id.clone()
        } else {
            Text::default()
        },
        set: set_no,
    }));
}

/// The posting thread: each batch of remittances in one transaction.
/// Returns what was posted, the time spent posting and the thread's CPU
/// seconds.
fn post_batches(
    ledger: &mut Ledger,
    batches: std::sync::mpsc::Receiver<Vec<RemitPosting>>,
    at: &str,
) -> Result<(ledger::PostSummary, std::time::Duration, f64), Error> {
    let cpu = crate::progress::thread_cpu_seconds();
    let mut post = ledger::PostSummary::default();
    let mut busy = std::time::Duration::ZERO;
    let started = std::cell::Cell::new(std::time::Instant::now());
    let received =
        batches.into_iter().inspect(|_| started.set(std::time::Instant::now())).map(Aside);
    ledger.post_remittance_batches(received, at, |p| {
        busy += started.get().elapsed();
        post.applied.extend(p.applied);
        post.already_applied.extend(p.already_applied);
        post.conflicts.extend(p.conflicts);
        post.payments += p.payments;
        post.unmatched += p.unmatched;
        post.undone += p.undone;
        post.unpaired_reversals.extend(p.unpaired_reversals);
    })?;
    Ok((post, busy, crate::progress::thread_cpu_seconds() - cpu))
}

/// A batch of postings freed on the rayon pool once posted: its thousands
/// of small allocations are not freed on the posting thread, which is
/// the one the run waits for.
struct Aside(Vec<RemitPosting>);

impl std::ops::Deref for Aside {
    type Target = [RemitPosting];

    fn deref(&self) -> &[RemitPosting] {
        &self.0
    }
}

impl Drop for Aside {
    fn drop(&mut self) {
        let batch = std::mem::take(&mut self.0);
        rayon::spawn(move || drop(batch));
    }
}
