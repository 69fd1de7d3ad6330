//! Where the sent claims of a reconciliation come from: 837 files named by
//! the caller, or the ledger (its claims, with their service lines read back
//! from the 837 files they were sent in), the payer names they add, and
//! what the ledger's earlier payments answered of them. This module reads;
//! it neither matches nor posts.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

use super::index::{IdIndex, PayerClaims};
use super::run::{Claims, Error};
use super::{Book, ClaimIndex, PayerNames, SentClaim};
use crate::claim::ClaimStatus;
use crate::edi837::{self, ClaimSummary};
use crate::finding::{Finding, Severity, UNREADABLE};
use crate::ledger::{self, Ledger};
use crate::Text;

/// The sent claims read from 837 files. Claims files with error findings are
/// still read; at most three of their errors per file are returned as notes.
pub(crate) fn from_837_files(paths: &[PathBuf]) -> Result<(Vec<SentClaim>, Vec<Finding>), Error> {
    let read: Vec<Result<edi837::Summaries<SentClaim>, Error>> = paths
        .par_iter()
        .map(|p| {
            let input = crate::input::open(p).map_err(Error::io(p, "cannot read"))?;
            let r = edi837::read_summaries_released(&input, SentClaim::from);
            if r.sets == 0 {
                return Err(Error::NotClaims(p.clone()));
            }
            Ok(r)
        })
        .collect();
    let read = read.into_iter().collect::<Result<Vec<_>, Error>>()?;
    let mut claims = Vec::with_capacity(if read.len() == 1 {
        0
    } else {
        read.iter().map(|r| r.claims.len()).sum()
    });
    let mut notes = Vec::new();
    for (path, r) in paths.iter().zip(read) {
        for f in r.findings.iter().filter(|f| f.severity == Severity::Error).take(3) {
            let mut note = f.clone().in_file(path.display().to_string());
            note.severity = Severity::Warning;
            note.message = format!("claims file: {}", note.message);
            notes.push(note);
        }
        // One claims file (the usual case) is taken as read: no second
        // vector of every claim, and no copy into it.
        if claims.capacity() == 0 {
            claims = r.claims;
        } else {
            claims.extend(r.claims);
        }
    }
    Ok((claims, notes))
}

/// The claims of a ledger as sent claims, with their ledger rows.
pub(crate) struct LedgerClaims {
    pub(crate) claims: Vec<SentClaim>,
    /// Per claim: true while it may still wait for an answer: never
    /// answered, or last left `partial` or `reversed` (its live payments
    /// tell what is still unanswered).
    pub(crate) waiting: Vec<bool>,
    /// Per claim: its row in the ledger (names it when posting).
    pub(crate) rows: Vec<i64>,
    /// Sent files that could not be read back.
    pub(crate) notes: Vec<Finding>,
    /// The claims' ids indexed (built while the sent files were read).
    pub(crate) ids: IdIndex,
}

/// The ledger's claims as sent claims. Service lines (and REF*F8) come from
/// the 837 files the claims were sent in, when those files are still there
/// (else the claim is matched at claim level only, with a note); the files
/// are read on other cores while SQLite reads the claims, each straight
/// into the one vector of sent claims, whose lines are then moved in from
/// the files' claims. The claims' ids are indexed once SQLite has read
/// them, while the files are still read; their payer claim numbers as the
/// lines are moved in.
pub(crate) fn from_ledger(ledger: &Ledger) -> Result<LedgerClaims, Error> {
    let files = ledger.sent_files()?;
    let sent_on: Vec<Option<NaiveDate>> = files
        .iter()
        .map(|s| s.created_at.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()))
        .collect();
    let (read, scanned) = std::thread::scope(|scope| {
        let reader =
            scope.spawn(|| files.par_iter().map(|f| read_sent_file(&f.file)).collect::<Vec<_>>());
        let scanned = scan_ledger(ledger, &files, &sent_on).map(|s| (IdIndex::new(&s.0), s));
        (reader.join(), scanned)
    });
    let (ids, (mut claims, rows, waiting, submission)) = scanned?;
    let read = read.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let mut notes = Vec::new();
    let mut read: Vec<FileClaims> = files
        .iter()
        .zip(read)
        .map(|(f, r)| {
            FileClaims::new(r.unwrap_or_else(|e| {
                let message = format!(
                    "unreadable: sent file cannot be read ({e}): its claims are matched without their service lines"
                );
                notes.push(Finding::new(UNREADABLE, Severity::Warning, message).in_file(&f.file));
                Vec::new()
            }))
        })
        .collect();
    let mut payer_claims = PayerClaims::default();
    for (i, (c, &f)) in claims.iter_mut().zip(&submission).enumerate() {
        let in_file = &mut read[f as usize];
        if let Some(sent) = in_file.find(&c.claim_id, &c.payer_id) {
            c.lines = std::mem::take(&mut sent.lines);
            // REF*F8 of a replacement names the payer's claim number too.
            if c.payer_claim_id.is_none() {
                c.payer_claim_id = sent.original_ref.take();
            }
        }
        payer_claims.add(i, c);
    }
    // What is left of the files' claims (their ids) is freed on the pool,
    // beside the index's last part and the start of the run.
    rayon::spawn(move || drop(read));
    let ids = ids.with_payer_claims(payer_claims);
    Ok(LedgerClaims { claims, waiting, rows, notes, ids })
}

/// What one pass over the ledger's claims gives: the sent claims (without
/// their lines), and per claim its ledger row, whether it is waiting and
/// the index of the file it was last sent in.
type Scanned = (Vec<SentClaim>, Vec<i64>, Vec<bool>, Vec<u32>);

/// The ledger's claims last sent in one of `files`, as sent claims without
/// their lines, in row order.
fn scan_ledger(
    ledger: &Ledger,
    files: &[ledger::SentFile],
    sent_on: &[Option<NaiveDate>],
) -> Result<Scanned, Error> {
    let n = ledger.claim_count()?;
    let (mut claims, mut rows, mut waiting, mut submission) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    ledger.each_sent_claim(files, |r| {
        claims.push(SentClaim {
            claim_id: Text::new(r.claim_id),
            payer_id: Text::new(r.payer_id),
            payer_claim_id: r.payer_claim_id.map(Text::new),
            charge: r.total_charge.parse().unwrap_or_default(),
            sent_on: sent_on[r.submission],
            lines: Vec::new(),
        });
        rows.push(r.row);
        // A claim rejected at the front end has its answer (on the status
        // worklist); it is not outstanding.
        waiting.push(
            (!r.status.is_remitted() && r.status != ClaimStatus::Rejected)
                || matches!(r.status, ClaimStatus::Partial | ClaimStatus::Reversed),
        );
        // Files are few (one per submission): their number fits.
        submission.push(u32::try_from(r.submission).unwrap_or(u32::MAX));
    })?;
    Ok((claims, rows, waiting, submission))
}

/// The claims of one sent 837 file in file order (a vector per transaction
/// set), found by (claim id, payer id). The ledger's claims usually come in
/// the order they were sent, so the claim after the last one found is tried
/// first; any other is found by binary search in a list sorted by the first
/// lookup that needs it.
struct FileClaims {
    sets: Vec<Vec<ClaimSummary>>,
    /// The claim after the last one found: set, then place in the set.
    next: (usize, usize),
    /// Places (set, claim) of every claim sorted by key, then by place.
    sorted: Option<Vec<(u32, u32)>>,
}

impl FileClaims {
    fn new(sets: Vec<Vec<ClaimSummary>>) -> FileClaims {
        FileClaims { sets, next: (0, 0), sorted: None }
    }

    /// The claim with this claim id and payer id (exactly as sent): the one
    /// after the last one found when it has them, else the first in the file.
    fn find(&mut self, claim_id: &str, payer_id: &str) -> Option<&mut ClaimSummary> {
        let want = (claim_id, payer_id);
        let (mut set, mut at) = self.next;
        while self.sets.get(set).is_some_and(|s| at >= s.len()) {
            (set, at) = (set + 1, 0);
        }
        let here = self.sets.get(set).and_then(|s| s.get(at));
        if !here.is_some_and(|c| claim_key(c) == want) {
            let sets = &self.sets;
            let claim = |&(s, c): &(u32, u32)| &sets[s as usize][c as usize];
            let sorted = self.sorted.get_or_insert_with(|| {
                // Sets and claims past u32 (4 billion) are not indexed.
                let mut v: Vec<(u32, u32)> = sets
                    .iter()
                    .enumerate()
                    .map_while(|(s, c)| Some((u32::try_from(s).ok()?, c.len())))
                    .flat_map(|(s, n)| {
                        (0..u32::try_from(n).unwrap_or(u32::MAX)).map(move |c| (s, c))
                    })
                    .collect();
                v.par_sort_unstable_by(|a, b| {
                    claim_key(claim(a)).cmp(&claim_key(claim(b))).then(a.cmp(b))
                });
                v
            });
            let p = sorted.partition_point(|i| claim_key(claim(i)) < want);
            let found = sorted.get(p).filter(|i| claim_key(claim(i)) == want)?;
            (set, at) = (found.0 as usize, found.1 as usize);
        }
        self.next = (set, at + 1);
        self.sets.get_mut(set).and_then(|s| s.get_mut(at))
    }
}

/// The claims of one sent 837 file, in file order, a vector per set.
fn read_sent_file(path: &str) -> std::io::Result<Vec<Vec<ClaimSummary>>> {
    let input = crate::input::open(Path::new(path))?;
    let claims = edi837::read_summaries_by_set(&input).claims;
    Ok(claims)
}

fn claim_key(c: &ClaimSummary) -> (&str, &str) {
    (c.claim_id.as_str(), c.payer_id.as_str())
}

/// The answered-lines mask of a payment of `sent` whose answered line ids
/// are `lines` (`;`-joined, as the ledger keeps them); `None` is every
/// line. Ids no longer among the claim's lines are left out.
pub(crate) fn line_mask(sent: &SentClaim, lines: Option<&str>) -> u64 {
    let Some(ids) = lines else { return super::all_lines(sent.lines.len()) };
    ids.split(';')
        .filter_map(|id| {
            let id = id.trim();
            sent.lines.iter().position(|l| l.line_id.trim().eq_ignore_ascii_case(id))
        })
        .fold(0, |m, i| m | super::line_bit(i))
}

/// The sent claims and, in ledger mode, what the ledger knows of them.
pub(super) struct Loaded<'l> {
    pub(super) sent: Vec<SentClaim>,
    pub(super) notes: Vec<Finding>,
    pub(super) ledger: Option<&'l mut Ledger>,
    /// Per sent claim: waiting for an answer when the run started.
    pub(super) waiting: Vec<bool>,
    /// Per sent claim: its ledger row.
    pub(super) ledger_rows: Vec<i64>,
    /// The sent claims' ids indexed, when they were indexed while loading.
    pub(super) ids: Option<IdIndex>,
}

impl Loaded<'_> {
    /// The index of the sent claims (built now, or completed from the ids
    /// indexed while loading).
    pub(super) fn index(sent: &[SentClaim], ids: Option<IdIndex>) -> ClaimIndex<'_> {
        match ids {
            Some(ids) => ClaimIndex::with_ids(sent, ids),
            None => ClaimIndex::new(sent),
        }
    }
}

/// Step 1: the sent claims, from the 837 files or the ledger.
pub(super) fn load(claims: Claims<'_>) -> Result<Loaded<'_>, Error> {
    Ok(match claims {
        Claims::Files(paths) => {
            let (sent, notes) = from_837_files(paths)?;
            Loaded {
                sent,
                notes,
                ledger: None,
                waiting: Vec::new(),
                ledger_rows: Vec::new(),
                ids: None,
            }
        }
        Claims::Ledger(l) => {
            let lc = from_ledger(l)?;
            Loaded {
                sent: lc.claims,
                notes: lc.notes,
                ledger: Some(l),
                waiting: lc.waiting,
                ledger_rows: lc.rows,
                ids: Some(lc.ids),
            }
        }
    })
}

/// Step 2: what earlier runs' live payments answered (ledger mode).
pub(super) fn earlier_answers(index: &ClaimIndex<'_>, earlier: Vec<ledger::LivePayment>) -> Book {
    let sent = index.claims();
    let mut book = Book::new(sent.len());
    for p in earlier {
        let Some(i) = index.latest(&p.claim_id).and_then(|i| index.for_payer(i, &p.payer_id))
        else {
            continue;
        };
        let Some(status) = super::account::own_status(p.status, p.denied, p.paid) else {
            continue;
        };
        let lines = line_mask(&sent[i], p.lines.as_deref());
        book.add_earlier(i, &p.payer_claim_id, p.billed, p.paid, lines, status);
    }
    book
}

/// The config's payer names, plus the payer ids the claims were sent to
/// (which name their payers too).
pub(super) fn known_payers(configured: &PayerNames, sent: &[SentClaim]) -> PayerNames {
    let mut payers = configured.clone();
    // Claims to one payer usually come together: a payer id like the
    // claim's before is known (or added) already.
    let mut last: Option<&str> = None;
    for c in sent {
        if last == Some(c.payer_id.as_str()) {
            continue;
        }
        last = Some(c.payer_id.as_str());
        if payers.get(&c.payer_id).is_none() {
            payers.add(&c.payer_id, []);
        }
    }
    payers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::testing::{line, sent, sent_with};
    use rust_decimal::Decimal;

    /// A claim read from a file, its one line's id `tag`.
    fn summary(id: &str, payer: &str, tag: &str) -> ClaimSummary {
        ClaimSummary {
            claim_id: id.into(),
            payer_id: payer.into(),
            original_ref: None,
            charge: Decimal::ZERO,
            lines: vec![line(tag, "99213", 1, "")],
        }
    }

    #[test]
    fn a_file_s_claims_are_found_in_order_out_of_order_and_across_sets() {
        let sets = vec![
            vec![summary("A", "P", "a"), summary("B", "P", "b"), summary("B", "Q", "bq")],
            vec![],
            vec![summary("C", "P", "c"), summary("D", "P", "d"), summary("C", "P", "c2")],
        ];
        let mut f = FileClaims::new(sets);
        let mut id = |c: &str, p: &str| f.find(c, p).map(|s| s.lines[0].line_id.to_string());
        // In file order: each found at the cursor, across the empty set.
        assert_eq!(id("A", "P").as_deref(), Some("a"));
        assert_eq!(id("B", "P").as_deref(), Some("b"));
        assert_eq!(id("B", "Q").as_deref(), Some("bq"));
        assert_eq!(id("C", "P").as_deref(), Some("c"));
        // Out of order, then the cursor goes on from the claim found.
        assert_eq!(id("A", "P").as_deref(), Some("a"));
        assert_eq!(id("B", "P").as_deref(), Some("b"));
        // Ids and payers are compared exactly; a claim not in the file is none.
        assert_eq!(id("b", "P"), None);
        assert_eq!(id("B", "R"), None);
        assert_eq!(id("E", "P"), None);
        // Sent twice in one file: the first unless the cursor is at the other.
        assert_eq!(id("D", "P").as_deref(), Some("d"));
        assert_eq!(id("C", "P").as_deref(), Some("c2"));
        assert_eq!(id("C", "P").as_deref(), Some("c"));
        let mut empty = FileClaims::new(Vec::new());
        assert!(empty.find("A", "P").is_none());
    }

    #[test]
    fn a_payment_s_answered_lines_come_back_as_a_mask() {
        let c = sent_with(
            "C1",
            vec![
                line("C1-1", "99213", 100, ""),
                line("C1-2", "36415", 30, ""),
                line("3", "81002", 20, ""),
            ],
        );
        // NULL (rows posted before schema version 6, or every line): all.
        assert_eq!(line_mask(&c, None), 0b111);
        assert_eq!(line_mask(&c, Some("c1-2; 3")), 0b110);
        // An id no longer among the claim's lines answers nothing.
        assert_eq!(line_mask(&c, Some("C1-9")), 0);
        assert_eq!(line_mask(&sent("C2"), None), 0);
    }
}
