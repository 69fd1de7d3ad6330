//! The parallel envelope scan: splits a large input at segment terminators,
//! lexes the chunks on several threads, and replays their events through one
//! [`Checker`] so the result equals the sequential scan. The checks themselves
//! live in `checker`.

use rayon::prelude::*;

use crate::x12::delim::Delimiters;
use crate::x12::error::{Error, ErrorKind, Position};
use crate::x12::lex::{is_envelope_id, Segments};
use crate::x12::segment::Segment;

use super::checker::{scan_sequential, Checker};
use super::model::Scan;

/// Scans with the parallel algorithm split into `chunks` pieces, whatever
/// the input size (the result must equal [`scan_sequential`]'s). Used by
/// tests and the fuzzer to exercise chunk boundaries on small inputs; falls
/// back to the sequential scan when the input cannot be split.
pub fn scan_chunked(input: &[u8], chunks: usize) -> Scan {
    scan_parallel_chunks(input, chunks.max(1)).unwrap_or_else(|| scan_sequential(input))
}

/// What a chunk worker saw: envelope segments, runs of other segments, errors.
enum Event<'a> {
    Envelope(Segment<'a>),
    /// A run of non-envelope segments; `first` is the run's first segment.
    Plain {
        first: Segment<'a>,
        last: Segment<'a>,
    },
    ReadError(Error),
}

/// Splits the input at segment terminators and scans chunks in parallel.
/// Returns `None` when the input does not allow it (no leading ISA, or an
/// interchange with other delimiters than the first): the caller then scans
/// sequentially.
pub(crate) fn scan_parallel_chunks<'a>(input: &'a [u8], chunks: usize) -> Option<Scan> {
    let bom = if input.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    if !input[bom..].starts_with(b"ISA") {
        return None;
    }
    let header = Delimiters::from_isa(&input[bom..], Position::default()).ok()?;
    let delims = header.delimiters;
    let step = input.len() / chunks;
    let mut bounds = vec![0usize];
    for k in 1..chunks {
        let from = (k * step).max(*bounds.last()?);
        match memchr::memchr(delims.segment, &input[from..]) {
            Some(i) if from + i + 1 < input.len() => bounds.push(from + i + 1),
            _ => break,
        }
    }
    bounds.push(input.len());
    bounds.dedup();
    let parts: Vec<(Vec<Event<'a>>, u32, bool)> = bounds
        .par_windows(2)
        .enumerate()
        .map(|(k, w)| {
            let mut lexer = if k == 0 {
                Segments::new(input).limit(w[1])
            } else {
                Segments::chunk(input, w[0], w[1], delims, 0)
            };
            let mut events = Vec::new();
            let mut run: Option<(Segment<'_>, Segment<'_>)> = None;
            let mut same_delims = true;
            loop {
                if let Some((first, last)) = lexer.plain_run() {
                    match &mut run {
                        Some((_, l)) => *l = last,
                        None => run = Some((first, last)),
                    }
                }
                let Some(item) = lexer.next() else { break };
                match item {
                    Ok(seg) if is_envelope_id(seg.id) => {
                        if let Some((first, last)) = run.take() {
                            events.push(Event::Plain { first, last });
                        }
                        if seg.is("ISA") && seg.delimiters != delims {
                            same_delims = false;
                        }
                        events.push(Event::Envelope(seg));
                    }
                    Ok(seg) => match &mut run {
                        Some((_, last)) => *last = seg,
                        None => run = Some((seg, seg)),
                    },
                    Err(e) => {
                        if matches!(
                            e.kind,
                            ErrorKind::IsaTruncated(_) | ErrorKind::BadDelimiters(_)
                        ) {
                            // After an unreadable ISA the sequential scan
                            // skips to the next ISA; chunks cannot know.
                            same_delims = false;
                        }
                        if let Some((first, last)) = run.take() {
                            events.push(Event::Plain { first, last });
                        }
                        events.push(Event::ReadError(e));
                    }
                }
            }
            if let Some((first, last)) = run.take() {
                events.push(Event::Plain { first, last });
            }
            (events, lexer.ordinal(), same_delims)
        })
        .collect();
    if parts.iter().any(|p| !p.2) {
        return None;
    }
    let mut checker = Checker::new(input);
    let mut offset = 0u32;
    // An unreadable stretch that runs to the end of a chunk may go on in the
    // next one: the sequential scan reports it once, so merge it.
    let mut carry: Option<Error> = None;
    for ((events, count, _), w) in parts.into_iter().zip(bounds.windows(2)) {
        let shift = |mut s: Segment<'a>| -> Segment<'a> {
            s.pos.segment += offset;
            s
        };
        let n = events.len();
        for (idx, ev) in events.into_iter().enumerate() {
            let mut error = match ev {
                Event::ReadError(mut e) => {
                    e.pos.segment += offset;
                    e
                }
                other => {
                    if let Some(c) = carry.take() {
                        checker.read_error(c);
                    }
                    match other {
                        Event::Envelope(s) => checker.segment(shift(s)),
                        Event::Plain { first, last } => {
                            checker.plain_run(shift(first), shift(last))
                        }
                        Event::ReadError(_) => {}
                    }
                    continue;
                }
            };
            if let Some(c) = carry.take() {
                match (idx == 0, merge_skips(&c, &error)) {
                    (true, Some(merged)) => error = merged,
                    _ => checker.read_error(c),
                }
            }
            let to_chunk_end = skip_end(&error).is_some_and(|e| {
                input.get(e..w[1]).is_some_and(|rest| {
                    rest.iter()
                        .all(|&b| matches!(b, b'\r' | b'\n' | b' ' | b'\t') || b == delims.segment)
                })
            });
            if idx + 1 == n && to_chunk_end {
                carry = Some(error);
            } else {
                checker.read_error(error);
            }
        }
        offset += count;
    }
    if let Some(c) = carry {
        checker.read_error(c);
    }
    Some(checker.finish(offset))
}

/// Where an unreadable stretch (a `BadSegmentId` error) ends.
fn skip_end(e: &Error) -> Option<usize> {
    match e.kind {
        ErrorKind::BadSegmentId { skipped, .. } => Some((e.pos.byte + skipped) as usize),
        _ => None,
    }
}

/// `a` then `b` as one unreadable stretch, when both are `BadSegmentId`.
fn merge_skips(a: &Error, b: &Error) -> Option<Error> {
    let end = skip_end(b)?;
    skip_end(a)?;
    let mut merged = a.clone();
    if let ErrorKind::BadSegmentId { skipped, .. } = &mut merged.kind {
        *skipped = end as u64 - a.pos.byte;
    }
    Some(merged)
}
