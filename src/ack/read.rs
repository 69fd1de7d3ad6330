//! Reading acknowledgments from X12 files: TA1 (interchange), 999 (per
//! transaction set, or per group when it names no set) and 277CA (per
//! claim), any number of interchanges per file, any delimiters. Built on
//! the `x12` envelope scan and segments; what was read is plain data, with
//! the position of the segment it starts at. Nothing here touches the
//! ledger, and no name, birth date or member id is kept (the 277CA's
//! patient and subscriber names are skipped).

use sha2::{Digest, Sha256};

use crate::finding::Position;
use crate::x12::{self, Segment, TransactionKind};

/// The acknowledgment's own envelope: ISA13, GS06, ST02 (empty when absent).
pub type Envelope = (String, String, String);

/// What an acknowledgment decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted.
    Accepted,
    /// Accepted, with errors noted (TA104 E, IK5 E, AK9 E).
    AcceptedWithErrors,
    /// Rejected.
    Rejected,
    /// Neither (e.g. a 999 group partly accepted with no set named, or a
    /// 277CA category that is neither acceptance nor rejection).
    Other,
}

impl Outcome {
    /// The word in `acks.csv` and the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::AcceptedWithErrors => "accepted_with_errors",
            Outcome::Rejected => "rejected",
            Outcome::Other => "other",
        }
    }
}

/// A TA1: the receiver's answer to one interchange.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ta1 {
    /// TA101: the ISA13 it answers.
    pub isa13: String,
    /// TA104: A accepted, E accepted with errors, R rejected.
    pub code: String,
    /// TA105: the note code.
    pub note: String,
}

/// One IK3 segment error of a 999, with its IK4 element errors.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SegmentError {
    /// IK301: the segment id in error.
    pub segment_id: String,
    /// IK302: its position within the transaction set (ST = 1).
    pub position: u32,
    /// IK303: the loop id, when given.
    pub loop_id: String,
    /// IK304: the syntax error code.
    pub code: String,
    /// IK4s: (element position IK401, data element reference IK402, error
    /// code IK403). IK404 (a copy of the bad data) is not kept: it may be a
    /// member id or a name.
    pub elements: Vec<(String, String, String)>,
}

impl SegmentError {
    /// `segment 22 CLM (loop 2300): IK304 8; element 2 (ref 782) IK403 1`
    pub fn describe(&self) -> String {
        let mut s = format!("segment {} {}", self.position, self.segment_id);
        if !self.loop_id.is_empty() {
            s.push_str(&format!(" (loop {})", self.loop_id));
        }
        if !self.code.is_empty() {
            s.push_str(&format!(": IK304 {}", self.code));
        }
        for (pos, reference, code) in &self.elements {
            s.push_str(&format!("; element {pos}"));
            if !reference.is_empty() {
                s.push_str(&format!(" (ref {reference})"));
            }
            s.push_str(&format!(" IK403 {code}"));
        }
        s
    }
}

/// A 999's answer to one transaction set (AK2 … IK5), or to a whole group
/// when the 999 names no set (`st02` empty; AK9 decides).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAck {
    /// AK101: the functional id of the group answered (HC for claims).
    pub functional_id: String,
    /// AK102: GS06 of the group answered.
    pub gs06: String,
    /// AK202: ST02 of the set answered (empty for a group-level answer).
    pub st02: String,
    /// IK501 (AK901 for a group-level answer).
    pub code: String,
    /// IK502..IK506 (AK905.. for a group): the reasons.
    pub reasons: Vec<String>,
    /// AK901: the group's verdict.
    pub group_code: String,
    /// The IK3/IK4 errors.
    pub errors: Vec<SegmentError>,
}

/// One STC composite: category, status and entity codes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StatusCode {
    /// Claim status category (A1, A3, ...).
    pub category: String,
    /// Claim status code.
    pub status: String,
    /// Entity identifier code, when given.
    pub entity: String,
}

impl StatusCode {
    /// `A7:164:IL` (the entity left out when absent).
    pub fn text(&self) -> String {
        if self.entity.is_empty() {
            format!("{}:{}", self.category, self.status)
        } else {
            format!("{}:{}:{}", self.category, self.status, self.entity)
        }
    }

    /// Accepted or rejected by its category (A1, A2, A5 accepted; A3, A4,
    /// A6, A7, A8 rejected; anything else neither).
    pub fn outcome(&self) -> Outcome {
        match self.category.trim().to_ascii_uppercase().as_str() {
            "A1" | "A2" | "A5" => Outcome::Accepted,
            "A3" | "A4" | "A6" | "A7" | "A8" => Outcome::Rejected,
            _ => Outcome::Other,
        }
    }
}

/// A 277CA's word on one claim (loop 2200D, with its 2220D line statuses).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimAck277 {
    /// 2100A NM109: who speaks (the payer's or clearinghouse's id).
    pub source_id: String,
    /// 2200B TRN02: the batch it answers (our 837's BHT03), when given.
    pub batch: String,
    /// 2200D TRN02: our claim id (CLM01).
    pub claim_id: String,
    /// The claim's STC composites (STC01, STC10, STC11), in order.
    pub statuses: Vec<StatusCode>,
    /// The service lines' STC composites (loop 2220D), in order.
    pub line_statuses: Vec<StatusCode>,
    /// STC02 of the first claim STC: the status date (CCYYMMDD).
    pub date: String,
    /// REF*1K: the payer's claim control number.
    pub payer_claim_id: String,
    /// REF*D9: the clearinghouse's trace number.
    pub trace: String,
}

impl ClaimAck277 {
    /// Rejected when any claim status rejects it; else accepted when any
    /// accepts it; else neither.
    pub fn outcome(&self) -> Outcome {
        let outcomes: Vec<Outcome> = self.statuses.iter().map(StatusCode::outcome).collect();
        if outcomes.contains(&Outcome::Rejected) {
            Outcome::Rejected
        } else if outcomes.contains(&Outcome::Accepted) {
            Outcome::Accepted
        } else {
            Outcome::Other
        }
    }

    /// The claim's codes, then the lines': `A7:164:IL A3:21; line A3:...`.
    pub fn codes(&self) -> String {
        let mut s = self.statuses.iter().map(StatusCode::text).collect::<Vec<_>>().join(" ");
        if !self.line_statuses.is_empty() {
            s.push_str("; lines ");
            s.push_str(
                &self.line_statuses.iter().map(StatusCode::text).collect::<Vec<_>>().join(" "),
            );
        }
        s
    }
}

/// What one acknowledgment is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// A TA1.
    Ta1(Ta1),
    /// A 999 set (or group) response.
    Set(SetAck),
    /// A 277CA claim status.
    Claim(ClaimAck277),
}

/// One acknowledgment read from a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ack {
    /// Where it starts (TA1, AK2 or AK1, 2200D TRN).
    pub pos: Position,
    /// Its own envelope.
    pub envelope: Envelope,
    /// False when its transaction set has no SE (a truncated file): it is
    /// reported, never recorded.
    pub complete: bool,
    /// sha256 (hex) of its content without its envelope: the same
    /// acknowledgment in another file or envelope has the same fingerprint.
    pub fingerprint: String,
    /// What it says.
    pub body: Body,
}

impl Ack {
    /// `TA1`, `999` or `277CA`.
    pub fn kind(&self) -> &'static str {
        match self.body {
            Body::Ta1(_) => "TA1",
            Body::Set(_) => "999",
            Body::Claim(_) => "277CA",
        }
    }
}

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
                    e.elements.push((
                        text(&seg, 1),
                        text(&seg, 2),
                        text(&seg, 3),
                    ));
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
                group_reasons =
                    (5..=9).map(|n| text(&seg, n)).filter(|r| !r.is_empty()).collect();
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
                level = text(&seg, 3);
                in_line = false;
                if level == "20" {
                    source.clear();
                    batch.clear();
                } else if level == "21" {
                    batch.clear();
                }
            }
            b"NM1" if level == "20" => source = text(&seg, 9),
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
        assert_eq!((c.source_id.as_str(), c.batch.as_str(), c.claim_id.as_str()), ("P1", "0000000010001", "C1"));
        assert_eq!(c.codes(), "A3:21:PR A7:164:IL; lines A3:453:QC");
        assert_eq!((c.payer_claim_id.as_str(), c.trace.as_str()), ("PCN1", "TR1"));
        assert_eq!(c.outcome(), Outcome::Rejected);
        let Body::Claim(c2) = &acks[1].body else { panic!() };
        assert_eq!(c2.outcome(), Outcome::Accepted);
        assert!(!format!("{acks:?}").contains("SECRETNAME"));
    }

    #[test]
    fn categories_decide_acceptance() {
        let code = |c: &str| StatusCode { category: c.into(), status: "1".into(), entity: String::new() };
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
