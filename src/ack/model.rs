//! What an acknowledgment says, as plain data: TA1, 999 set (or group)
//! responses with their IK3/IK4 errors, 277CA claim statuses with their
//! STC codes, and the verdict words. Built by `read`; matched by `matching`.
//! No name, birth date, member id or copy of bad data is held.

use crate::finding::Position;

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

/// A 277CA's rejection of a whole batch (loop 2200B, the information
/// receiver's level: our file was turned away before its claims were
/// looked at) or of one billing provider's claims in it (loop 2200C, the
/// provider's level: e.g. a provider the payer does not know). Acceptances
/// at these levels say nothing of the claims and are not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchAck277 {
    /// 2100A NM109: who speaks.
    pub source_id: String,
    /// 2200B TRN02: the batch (our 837's BHT03: ISA13 then ST02).
    pub batch: String,
    /// 2100C NM109: the billing provider whose claims are rejected (loop
    /// 2200C); empty when the whole batch is (loop 2200B).
    pub provider_npi: String,
    /// The 2200B (or 2200C) STC composites.
    pub statuses: Vec<StatusCode>,
}

impl BatchAck277 {
    /// The codes: `A3:24:41`.
    pub fn codes(&self) -> String {
        self.statuses.iter().map(StatusCode::text).collect::<Vec<_>>().join(" ")
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
    /// A 277CA rejection of a whole batch.
    Batch(BatchAck277),
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
            Body::Claim(_) | Body::Batch(_) => "277CA",
        }
    }
}
