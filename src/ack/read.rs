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
mod tests {
    use super::*;

    const ISA: &str = "ISA*00*          *00*          *ZZ*CH             *ZZ*US             *251202*0900*^*00501*000000009*0*T*:~";

    #[test]
    fn reads_a_ta1_before_the_groups_and_one_alone() {
        let file = format!("{ISA}TA1*000000001*251201*0200*R*024~IEA*0*000000009~");
        let (acks, scan) = read(file.as_bytes());
        assert!(scan.is_valid(), "{:?}", scan.findings);
        assert_eq!(acks.len(), 1);
        assert_eq!(acks[0].kind(), "TA1");
        assert_eq!(
            acks[0].body,
            Body::Ta1(Ta1 { isa13: "000000001".into(), code: "R".into(), note: "024".into() })
        );
        assert_eq!(acks[0].pos.segment, 2);
    }

    #[test]
    fn reads_999_sets_with_their_errors_and_keeps_no_bad_data() {
        let file = format!(
            "{ISA}GS*FA*CH*US*20251202*0900*9*X*005010X231A1~ST*999*0001*005010X231A1~\
             AK1*HC*12*005010X222A1~AK2*837*0001~IK5*A~AK2*837*0002~IK3*NM1*16*2010*8~\
             CTX*CLM01:C9~IK4*9*67*7*MEMBER123~IK5*R*5~AK9*P*2*2*1~SE*11*0001~GE*1*9~IEA*1*000000009~"
        );
        let (acks, _) = read(file.as_bytes());
        assert_eq!(acks.len(), 2);
        let Body::Set(s) = &acks[1].body else { panic!("{:?}", acks[1]) };
        assert_eq!((s.gs06.as_str(), s.st02.as_str(), s.code.as_str()), ("12", "0002", "R"));
        assert_eq!(s.reasons, ["5"]);
        assert_eq!(s.group_code, "P");
        assert_eq!(
            s.errors[0].describe(),
            "segment 16 NM1 (loop 2010): IK304 8; element 9 (ref 67) IK403 7"
        );
        assert!(!format!("{:?}", acks).contains("MEMBER123"));
        assert_ne!(acks[0].fingerprint, acks[1].fingerprint);
    }

    #[test]
    fn a_999_naming_no_set_answers_the_group() {
        let file = format!(
            "{ISA}GS*FA*CH*US*20251202*0900*9*X*005010X231A1~ST*999*0001*005010X231A1~\
             AK1*HC*12*005010X222A1~AK9*R*1*1*0*1~SE*4*0001~GE*1*9~IEA*1*000000009~"
        );
        let (acks, _) = read(file.as_bytes());
        let Body::Set(s) = &acks[0].body else { panic!() };
        assert_eq!((s.st02.as_str(), s.code.as_str()), ("", "R"));
        assert_eq!(s.reasons, ["1"]);
    }

    #[test]
    fn reads_277ca_claims_with_any_delimiters_and_no_names() {
        let file = "ISA|00|          |00|          |ZZ|CH             |ZZ|US             |251202|0900|^|00501|000000009|0|T|>\n\
GS|HN|CH|US|20251202|0900|9|X|005010X214\nST|277|0001|005010X214\nBHT|0085|08|B1|20251202|0900|TH\n\
HL|1||20|1\nNM1|PR|2|PAYER|||||PI|P1\nHL|2|1|21|1\nNM1|41|2|US|||||46|S1\nTRN|2|0000000010001\n\
HL|3|2|19|1\nNM1|85|2|DOC|||||XX|1234567893\nHL|4|3|PT\nNM1|QC|1|SECRETNAME|ANN\nTRN|2|C1\n\
STC|A3>21>PR|20251202|U|10||||||A7>164>IL\nREF|1K|PCN1\nREF|D9|TR1\nSVC|HC>99213|10|||||1\nSTC|A3>453>QC|20251202|U\n\
HL|5|3|PT\nNM1|QC|1|OTHER|BOB\nTRN|2|C2\nSTC|A2>20>PR|20251202|WQ|5\nSE|22|0001\nGE|1|9\nIEA|1|000000009\n";
        let (acks, scan) = read(file.as_bytes());
        assert!(scan.is_valid(), "{:?}", scan.findings);
        assert_eq!(acks.len(), 2);
        let Body::Claim(c) = &acks[0].body else { panic!() };
        assert_eq!(
            (c.source_id.as_str(), c.batch.as_str(), c.claim_id.as_str()),
            ("P1", "0000000010001", "C1")
        );
        assert_eq!(c.codes(), "A3:21:PR A7:164:IL; lines A3:453:QC");
        assert_eq!((c.payer_claim_id.as_str(), c.trace.as_str()), ("PCN1", "TR1"));
        assert_eq!(c.outcome(), Outcome::Rejected);
        let Body::Claim(c2) = &acks[1].body else { panic!() };
        assert_eq!(c2.outcome(), Outcome::Accepted);
        assert!(!format!("{acks:?}").contains("SECRETNAME"));
    }

    #[test]
    fn reads_every_interchange_of_a_file() {
        let one = format!(
            "{ISA}GS*FA*CH*US*20251202*0900*9*X*005010X231A1~ST*999*0001*005010X231A1~\
             AK1*HC*12*005010X222A1~AK2*837*0001~IK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*9~IEA*1*000000009~\n"
        );
        let two = one.replace("000000009", "000000010").replace("*12*", "*13*");
        let (acks, scan) = read(format!("{one}{two}").as_bytes());
        assert!(scan.is_valid(), "{:?}", scan.findings);
        let groups: Vec<(String, String)> = acks
            .iter()
            .map(|a| match &a.body {
                Body::Set(s) => (a.envelope.0.clone(), s.gs06.clone()),
                _ => panic!("{a:?}"),
            })
            .collect();
        assert_eq!(
            groups,
            [
                ("000000009".to_string(), "12".to_string()),
                ("000000010".to_string(), "13".to_string())
            ]
        );
        assert_ne!(acks[0].fingerprint, acks[1].fingerprint);
    }

    #[test]
    fn categories_decide_acceptance() {
        let code =
            |c: &str| StatusCode { category: c.into(), status: "1".into(), entity: String::new() };
        for c in ["A1", "A2", "A5"] {
            assert_eq!(code(c).outcome(), Outcome::Accepted, "{c}");
        }
        for c in ["A3", "A4", "A6", "A7", "A8"] {
            assert_eq!(code(c).outcome(), Outcome::Rejected, "{c}");
        }
        assert_eq!(code("A0").outcome(), Outcome::Other);
        assert_eq!(code("A7").text(), "A7:1");
    }
}
