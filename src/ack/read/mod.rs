//! Reading acknowledgments from X12 files: TA1 (interchange), 999 (per
//! transaction set, or per group when it names no set) and 277CA (per
//! claim), any number of interchanges per file, any delimiters. Built on
//! the `x12` envelope scan and segments; what was read is plain data, with
//! the position of the segment it starts at. Nothing here touches the
//! ledger, and no name, birth date or member id is kept (the 277CA's
//! patient and subscriber names are skipped).

use sha2::{Digest, Sha256};

use super::model::{
    Ack, BatchAck277, Body, ClaimAck277, Envelope, Outcome, SegmentError, SetAck, StatusCode, Ta1,
};
use crate::finding::Position;
use crate::x12::{self, Segment, TransactionKind};

fn text(s: &Segment<'_>, n: usize) -> String {
    s.str(n).trim().to_string()
}

fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0x1f]);
    }
    crate::ledger::hex(&h.finalize())
}

/// Every acknowledgment in `input`, in file order, with the envelope scan
/// (whose findings locate what is wrong with the file).
pub fn read(input: &[u8]) -> (Vec<Ack>, x12::Scan) {
    let scan = x12::scan(input);
    let mut acks = Vec::new();
    for ic in &scan.interchanges {
        for pos in &ic.ta1 {
            let Some(seg) = segment_at(input, *pos, ic.delimiters) else { continue };
            let t = Ta1 { isa13: text(&seg, 1), code: text(&seg, 4), note: text(&seg, 5) };
            let sender = &ic.sender.1;
            acks.push(Ack {
                pos: *pos,
                envelope: (ic.control.clone(), String::new(), String::new()),
                complete: true,
                fingerprint: fingerprint(&[
                    "TA1",
                    sender,
                    &t.isa13,
                    &text(&seg, 2),
                    &text(&seg, 3),
                    &t.code,
                    &t.note,
                ]),
                body: Body::Ta1(t),
            });
        }
        for g in &ic.groups {
            for set in &g.sets {
                let envelope = (ic.control.clone(), g.control.clone(), set.control.clone());
                let complete = set.end.is_some();
                match set.kind {
                    TransactionKind::Ack999 => {
                        read_999(input, set, &g.sender, envelope, complete, &mut acks)
                    }
                    TransactionKind::Ack277CA => {
                        read_277ca(input, set, envelope, complete, &mut acks)
                    }
                    _ => {}
                }
            }
        }
    }
    (acks, scan)
}

/// The segment at `pos` (one segment re-read from the input).
fn segment_at(input: &[u8], pos: Position, d: x12::Delimiters) -> Option<Segment<'_>> {
    let start = usize::try_from(pos.byte).ok()?;
    x12::Segments::chunk(input, start, input.len(), d, pos.segment.saturating_sub(1)).next()?.ok()
}

/// `AK1 (AK2 IK3 CTX IK4 IK5)* AK9`: one [`SetAck`] per AK2, or one for the
/// group when there is no AK2.
fn read_999(
    input: &[u8],
    set: &x12::TransactionSet,
    sender: &str,
    envelope: Envelope,
    complete: bool,
    out: &mut Vec<Ack>,
) {
    let mut functional_id = String::new();
    let mut gs06 = String::new();
    let mut ak1_pos = set.pos;
    let mut sets: Vec<(Position, SetAck)> = Vec::new();
    let mut group_code = String::new();
    let mut group_reasons = Vec::new();
    for seg in set.segments(input).flatten() {
        match seg.id {
            b"AK1" => {
                functional_id = text(&seg, 1);
                gs06 = text(&seg, 2);
                ak1_pos = seg.pos;
            }
            b"AK2" => sets.push((
                seg.pos,
                SetAck {
                    functional_id: functional_id.clone(),
                    gs06: gs06.clone(),
                    st02: text(&seg, 2),
                    code: String::new(),
                    reasons: Vec::new(),
                    group_code: String::new(),
                    errors: Vec::new(),
                },
            )),
            b"IK3" => {
                if let Some((_, s)) = sets.last_mut() {
                    s.errors.push(SegmentError {
                        segment_id: text(&seg, 1),
                        position: seg.str(2).trim().parse().unwrap_or(0),
                        loop_id: text(&seg, 3),
                        code: text(&seg, 4),
                        elements: Vec::new(),
                    });
                }
            }
            b"IK4" => {
                if let Some(e) = sets.last_mut().and_then(|(_, s)| s.errors.last_mut()) {
                    e.elements.push((text(&seg, 1), text(&seg, 2), text(&seg, 3)));
                }
            }
            b"IK5" => {
                if let Some((_, s)) = sets.last_mut() {
                    s.code = text(&seg, 1);
                    s.reasons = (2..=6).map(|n| text(&seg, n)).filter(|r| !r.is_empty()).collect();
                }
            }
            b"AK9" => {
                group_code = text(&seg, 1);
                group_reasons = (5..=9).map(|n| text(&seg, n)).filter(|r| !r.is_empty()).collect();
            }
            _ => {}
        }
    }
    if sets.is_empty() {
        sets.push((
            ak1_pos,
            SetAck {
                functional_id,
                gs06,
                st02: String::new(),
                code: group_code.clone(),
                reasons: group_reasons,
                group_code: String::new(),
                errors: Vec::new(),
            },
        ));
    }
    for (pos, mut s) in sets {
        s.group_code = group_code.clone();
        let errors: Vec<String> = s.errors.iter().map(SegmentError::describe).collect();
        let fp = fingerprint(&[
            "999",
            sender,
            &s.functional_id,
            &s.gs06,
            &s.st02,
            &s.code,
            &s.reasons.join(","),
            &s.group_code,
            &errors.join("|"),
        ]);
        out.push(Ack {
            pos,
            envelope: envelope.clone(),
            complete,
            fingerprint: fp,
            body: Body::Set(s),
        });
    }
}

/// The claim status composites of an STC: STC01, STC10, STC11.
fn stc_codes(seg: &Segment<'_>) -> Vec<StatusCode> {
    [1, 10, 11]
        .into_iter()
        .filter(|n| !seg.element(*n).is_empty())
        .map(|n| StatusCode {
            category: seg.component_str(n, 1).trim().to_string(),
            status: seg.component_str(n, 2).trim().to_string(),
            entity: seg.component_str(n, 3).trim().to_string(),
        })
        .collect()
}

/// Loops 2000A (source) … 2000B (receiver, TRN = our batch) … 2000D
/// (patient: TRN = our claim id, STC, REF*1K, REF*D9, then 2220D lines).
fn read_277ca(
    input: &[u8],
    set: &x12::TransactionSet,
    envelope: Envelope,
    complete: bool,
    out: &mut Vec<Ack>,
) {
    let mut bht = (String::new(), String::new());
    let mut level = String::new();
    let mut source = String::new();
    let mut batch = String::new();
    let mut claim: Option<(Position, ClaimAck277)> = None;
    let mut in_line = false;
    let mut provider = String::new();
    let mut batch_stc: Option<(Position, Vec<StatusCode>)> = None;
    let mut provider_stc: Option<(Position, Vec<StatusCode>)> = None;
    // A batch-level or provider-level rejection becomes an acknowledgment
    // of its own (`provider` empty for the batch).
    let flush_batch = |stc: &mut Option<(Position, Vec<StatusCode>)>,
                       source: &str,
                       batch: &str,
                       provider: &str,
                       out: &mut Vec<Ack>| {
        let Some((pos, statuses)) = stc.take() else { return };
        if !statuses.iter().any(|s| s.outcome() == Outcome::Rejected) {
            return;
        }
        let b = BatchAck277 {
            source_id: source.into(),
            batch: batch.into(),
            provider_npi: provider.into(),
            statuses,
        };
        out.push(Ack {
            pos,
            envelope: envelope.clone(),
            complete,
            fingerprint: if provider.is_empty() {
                fingerprint(&["277CA-batch", source, batch, &b.codes()])
            } else {
                fingerprint(&["277CA-provider", source, batch, provider, &b.codes()])
            },
            body: Body::Batch(b),
        });
    };
    let flush = |claim: &mut Option<(Position, ClaimAck277)>,
                 bht: &(String, String),
                 out: &mut Vec<Ack>| {
        if let Some((pos, c)) = claim.take() {
            let fp = fingerprint(&[
                "277CA",
                &c.source_id,
                &c.batch,
                &c.claim_id,
                &c.codes(),
                &c.date,
                &c.payer_claim_id,
                &c.trace,
                &bht.0,
                &bht.1,
            ]);
            out.push(Ack {
                pos,
                envelope: envelope.clone(),
                complete,
                fingerprint: fp,
                body: Body::Claim(c),
            });
        }
    };
    for seg in set.segments(input).flatten() {
        match seg.id {
            b"BHT" => bht = (text(&seg, 3), text(&seg, 4)),
            b"HL" => {
                flush(&mut claim, &bht, out);
                flush_batch(&mut batch_stc, &source, &batch, "", out);
                flush_batch(&mut provider_stc, &source, &batch, &provider, out);
                level = text(&seg, 3);
                in_line = false;
                if level == "20" {
                    source.clear();
                    batch.clear();
                } else if level == "21" {
                    batch.clear();
                }
                if level == "20" || level == "21" || level == "19" {
                    provider.clear();
                }
            }
            b"NM1" if level == "20" => source = text(&seg, 9),
            b"NM1" if level == "19" => provider = text(&seg, 9),
            b"TRN" if level == "21" => batch = text(&seg, 2),
            b"TRN" if level == "PT" => {
                flush(&mut claim, &bht, out);
                claim = Some((
                    seg.pos,
                    ClaimAck277 {
                        source_id: source.clone(),
                        batch: batch.clone(),
                        claim_id: text(&seg, 2),
                        statuses: Vec::new(),
                        line_statuses: Vec::new(),
                        date: String::new(),
                        payer_claim_id: String::new(),
                        trace: String::new(),
                    },
                ));
                in_line = false;
            }
            b"SVC" => in_line = true,
            b"STC" if level == "21" => {
                let (_, codes) = batch_stc.get_or_insert_with(|| (seg.pos, Vec::new()));
                codes.extend(stc_codes(&seg));
            }
            b"STC" if level == "19" => {
                let (_, codes) = provider_stc.get_or_insert_with(|| (seg.pos, Vec::new()));
                codes.extend(stc_codes(&seg));
            }
            b"STC" => {
                if let Some((_, c)) = claim.as_mut() {
                    if in_line {
                        c.line_statuses.extend(stc_codes(&seg));
                    } else {
                        if c.statuses.is_empty() {
                            c.date = text(&seg, 2);
                        }
                        c.statuses.extend(stc_codes(&seg));
                    }
                }
            }
            b"REF" if !in_line => {
                if let Some((_, c)) = claim.as_mut() {
                    match seg.str(1).trim() {
                        "1K" => c.payer_claim_id = text(&seg, 2),
                        "D9" => c.trace = text(&seg, 2),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    flush(&mut claim, &bht, out);
    flush_batch(&mut batch_stc, &source, &batch, "", out);
    flush_batch(&mut provider_stc, &source, &batch, &provider, out);
}

#[cfg(test)]
mod tests;
