//! Matching acknowledgments to the ledger: a TA1 to the file sent with its
//! ISA13, a 999 set response to the set sent with its GS06 and ST02 (each
//! IK3 error to the claim whose segment it points at), a 277CA claim status
//! to the claim with its id and payer. Each match says which claims the
//! acknowledgment speaks of and what it says of each; nothing is recorded
//! here (see `run`).

use std::collections::HashMap;

use super::model::{BatchAck277, ClaimAck277, Outcome, SetAck, Ta1};
use super::run::{Error, Options};
use crate::claim::ClaimStatus;
use crate::ledger::{ClaimAck, Ledger, Submission, SubmittedClaim};

/// Submissions and their claims looked up once per run.
#[derive(Default)]
pub(crate) struct Cache {
    by_isa13: HashMap<String, Option<Submission>>,
    by_gs06: HashMap<String, Option<Submission>>,
    claims: HashMap<(i64, Option<String>), Vec<SubmittedClaim>>,
}

impl Cache {
    fn by_isa13(&mut self, l: &Ledger, isa13: &str) -> Result<Option<Submission>, Error> {
        if let Some(s) = self.by_isa13.get(isa13) {
            return Ok(s.clone());
        }
        let s = l.submission_by_isa13(isa13)?;
        self.by_isa13.insert(isa13.to_string(), s.clone());
        Ok(s)
    }

    fn by_gs06(&mut self, l: &Ledger, gs06: &str) -> Result<Option<Submission>, Error> {
        if let Some(s) = self.by_gs06.get(gs06) {
            return Ok(s.clone());
        }
        let s = l.submission_by_gs06(gs06)?;
        self.by_gs06.insert(gs06.to_string(), s.clone());
        Ok(s)
    }

    fn claims(
        &mut self,
        l: &Ledger,
        id: i64,
        st02: Option<&str>,
    ) -> Result<&[SubmittedClaim], Error> {
        let key = (id, st02.map(str::to_string));
        if !self.claims.contains_key(&key) {
            let c = l.submitted_claims(id, st02)?;
            self.claims.insert(key.clone(), c);
        }
        Ok(self.claims.get(&key).map_or(&[][..], Vec::as_slice))
    }
}

/// (reference, outcome, codes, the claims it speaks of or why none, submission)
pub(crate) type MatchResult =
    (String, Option<Outcome>, String, Result<Vec<ClaimAck>, String>, Option<i64>);

pub(crate) fn match_ta1(t: &Ta1, l: &Ledger, cache: &mut Cache) -> Result<MatchResult, Error> {
    let reference = format!("ISA13 {}", t.isa13);
    let outcome = match t.code.as_str() {
        "A" => Outcome::Accepted,
        "E" => Outcome::AcceptedWithErrors,
        "R" => Outcome::Rejected,
        _ => Outcome::Other,
    };
    let codes = format!("TA104 {} TA105 {}", t.code, t.note);
    let Some(sub) = cache.by_isa13(l, &t.isa13)? else {
        let why = "no file sent with this interchange control number".to_string();
        return Ok((reference, Some(outcome), codes, Err(why), None));
    };
    let (status, said) = match outcome {
        Outcome::Rejected => (ClaimStatus::Rejected, "interchange rejected"),
        Outcome::AcceptedWithErrors => (ClaimStatus::Sent, "interchange accepted with errors"),
        Outcome::Accepted => (ClaimStatus::Sent, "interchange accepted"),
        Outcome::Other => (ClaimStatus::Sent, "interchange answered"),
    };
    let detail = format!("{said} ({reference}, {codes})");
    let claims = cache
        .claims(l, sub.id, None)?
        .iter()
        .map(|c| ClaimAck {
            claim_id: c.claim_id.clone(),
            payer_id: c.payer_id.clone(),
            submission_id: sub.id,
            status,
            claim_level: false,
            detail: detail.clone(),
            payer_claim_id: None,
            trace: None,
            status_date: None,
            // The interchange was rejected: no claim's content was.
            by_set: status == ClaimStatus::Rejected,
        })
        .collect();
    Ok((reference, Some(outcome), codes, Ok(claims), Some(sub.id)))
}

/// The claims a 999 error at segment `position` of a set concerns:
/// the claim whose loop holds it; else every claim under the HL level
/// that holds it; else none (the set's header).
fn claims_at(position: u32, claims: &[SubmittedClaim]) -> Vec<usize> {
    let within: Vec<usize> = claims
        .iter()
        .enumerate()
        .filter(|(_, c)| c.span.as_ref().is_some_and(|s| s.first <= position && position <= s.last))
        .map(|(i, _)| i)
        .collect();
    if !within.is_empty() {
        return within;
    }
    let level = claims
        .iter()
        .filter_map(|c| c.span.as_ref())
        .flat_map(|s| s.levels.iter().copied())
        .filter(|&hl| hl <= position)
        .max();
    let Some(level) = level else { return Vec::new() };
    claims
        .iter()
        .enumerate()
        .filter(|(_, c)| c.span.as_ref().is_some_and(|s| s.levels.contains(&level)))
        .map(|(i, _)| i)
        .collect()
}

pub(crate) fn match_999(s: &SetAck, l: &Ledger, cache: &mut Cache) -> Result<MatchResult, Error> {
    let reference = if s.st02.is_empty() {
        format!("GS06 {}", s.gs06)
    } else {
        format!("GS06 {} ST02 {}", s.gs06, s.st02)
    };
    let outcome = match s.code.as_str() {
        "A" => Outcome::Accepted,
        "E" => Outcome::AcceptedWithErrors,
        "M" | "R" | "W" | "X" => Outcome::Rejected,
        _ => Outcome::Other,
    };
    let mut codes =
        if s.st02.is_empty() { format!("AK9 {}", s.code) } else { format!("IK5 {}", s.code) };
    if !s.reasons.is_empty() {
        codes.push_str(&format!(" {}", s.reasons.join(",")));
    }
    for e in &s.errors {
        codes.push_str(&format!("; {}", e.describe()));
    }
    if !s.functional_id.is_empty() && s.functional_id != "HC" {
        let why = format!("it answers a group of kind {} (claims are HC)", s.functional_id);
        return Ok((reference, Some(outcome), codes, Err(why), None));
    }
    let Some(sub) = cache.by_gs06(l, &s.gs06)? else {
        let why = "no file sent with this group control number".to_string();
        return Ok((reference, Some(outcome), codes, Err(why), None));
    };
    let st02 = (!s.st02.is_empty()).then_some(s.st02.as_str());
    if let Some(st) = st02 {
        if !sub.st02.iter().any(|x| x == st) {
            let why =
                format!("the file with GS06 {} (ISA13 {}) has no set {st}", sub.gs06, sub.isa13);
            return Ok((reference, Some(outcome), codes, Err(why), None));
        }
    }
    let claims = cache.claims(l, sub.id, st02)?;
    let mut per_claim: Vec<Vec<String>> = vec![Vec::new(); claims.len()];
    let mut header = Vec::new();
    for e in &s.errors {
        let at = claims_at(e.position, claims);
        if at.is_empty() {
            header.push(e.describe());
        }
        for i in at {
            per_claim[i].push(e.describe());
        }
    }
    let status = match outcome {
        Outcome::Accepted | Outcome::AcceptedWithErrors => ClaimStatus::Accepted,
        Outcome::Rejected => ClaimStatus::Rejected,
        Outcome::Other => ClaimStatus::Sent,
    };
    let said = match outcome {
        Outcome::Accepted => "set accepted",
        Outcome::AcceptedWithErrors => "set accepted with errors",
        Outcome::Rejected => "set rejected",
        Outcome::Other => "set answered",
    };
    let verdict = if s.st02.is_empty() { codes.clone() } else { format!("IK5 {}", s.code) };
    let list = claims
        .iter()
        .zip(per_claim)
        .map(|(c, errors)| {
            // Rejected with its set, no error inside it: sent again as is.
            let by_set = status == ClaimStatus::Rejected && errors.is_empty();
            let mut detail = format!("{said} ({reference}, {verdict}");
            if !s.reasons.is_empty() && !s.st02.is_empty() {
                detail.push_str(&format!(" {}", s.reasons.join(",")));
            }
            detail.push(')');
            for e in errors.iter().chain(&header) {
                detail.push_str("; ");
                detail.push_str(e);
            }
            ClaimAck {
                claim_id: c.claim_id.clone(),
                payer_id: c.payer_id.clone(),
                submission_id: sub.id,
                status,
                claim_level: false,
                detail,
                payer_claim_id: None,
                trace: None,
                status_date: None,
                by_set,
            }
        })
        .collect();
    Ok((reference, Some(outcome), codes, Ok(list), Some(sub.id)))
}

pub(crate) fn match_277(
    c: &ClaimAck277,
    l: &Ledger,
    options: &Options,
) -> Result<MatchResult, Error> {
    let reference = format!("claim {}", c.claim_id);
    let outcome = c.outcome();
    let codes = c.codes();
    let candidates = l.current_claims(&c.claim_id)?;
    let payer = options.payers.get(&c.source_id).map(|p| p.to_string());
    // The batch it answers (our BHT03: the 9-digit ISA13, then the ST02).
    let batch = if c.batch.len() == 13 && c.batch.bytes().all(|b| b.is_ascii_digit()) {
        l.submission_by_isa13(&c.batch[..9])?
    } else {
        None
    };
    let found = match &payer {
        Some(p) => candidates.iter().find(|k| k.payer_id == *p),
        None if candidates.len() == 1 => candidates.first(),
        // Sent to several payers, and the source names none of them: the
        // 2200B TRN names the submission, which went to one of them.
        None => match &batch {
            Some(sub) => {
                let mut sent_there = Vec::new();
                for k in &candidates {
                    if l.was_sent_in(sub.id, &k.claim_id, &k.payer_id)? {
                        sent_there.push(k);
                    }
                }
                if sent_there.len() == 1 {
                    sent_there.first().copied()
                } else {
                    None
                }
            }
            None => None,
        },
    };
    let Some(k) = found else {
        let why = if candidates.is_empty() {
            "no claim with this id was sent".to_string()
        } else if let Some(p) = payer {
            format!("this claim was not sent to payer {p} (the 277CA's source {})", c.source_id)
        } else {
            format!(
                "this claim was sent to {} payers, the 277CA's source {} is no payer id or alias in the config, and its batch (2200B TRN02 {}) is no file sent to one of them",
                candidates.len(),
                c.source_id,
                c.batch
            )
        };
        return Ok((reference, Some(outcome), codes, Err(why), None));
    };
    // The batch it answers, when the claim was sent there.
    let mut submission = k.submission_id;
    if let Some(sub) = &batch {
        if l.was_sent_in(sub.id, &k.claim_id, &k.payer_id)? {
            submission = sub.id;
        }
    }
    let status = match outcome {
        Outcome::Accepted | Outcome::AcceptedWithErrors => ClaimStatus::Accepted,
        Outcome::Rejected => ClaimStatus::Rejected,
        Outcome::Other => ClaimStatus::Sent,
    };
    let said = match outcome {
        Outcome::Accepted | Outcome::AcceptedWithErrors => "claim accepted",
        Outcome::Rejected => "claim rejected",
        Outcome::Other => "claim status",
    };
    let mut detail = format!("{said} by {} ({codes}", c.source_id);
    if !c.date.is_empty() {
        detail.push_str(&format!(", status date {}", c.date));
    }
    if !c.payer_claim_id.is_empty() {
        detail.push_str(&format!(", payer claim number {}", c.payer_claim_id));
    }
    if !c.trace.is_empty() {
        detail.push_str(&format!(", trace {}", c.trace));
    }
    detail.push(')');
    let ack = ClaimAck {
        claim_id: k.claim_id.clone(),
        payer_id: k.payer_id.clone(),
        submission_id: submission,
        status,
        claim_level: true,
        detail,
        payer_claim_id: (!c.payer_claim_id.is_empty()).then(|| c.payer_claim_id.clone()),
        trace: (!c.trace.is_empty()).then(|| c.trace.clone()),
        status_date: (c.date.len() == 8 && c.date.bytes().all(|b| b.is_ascii_digit()))
            .then(|| c.date.clone()),
        by_set: false,
    };
    Ok((reference, Some(outcome), codes, Ok(vec![ack]), Some(submission)))
}

/// A 277CA batch rejection: the 2200B TRN02 is our BHT03 (the 9-digit
/// ISA13, then the ST02); every claim of that set is rejected. A provider
/// rejection (2200C) rejects the claims of that set billed by the provider
/// (2100C NM109), found by reading the 837 the ledger recorded.
pub(crate) fn match_batch(
    b: &BatchAck277,
    l: &Ledger,
    cache: &mut Cache,
) -> Result<MatchResult, Error> {
    let reference = if b.provider_npi.is_empty() {
        format!("batch {}", b.batch)
    } else {
        format!("batch {}, billing provider {}", b.batch, b.provider_npi)
    };
    let codes = b.codes();
    let named = (b.batch.len() == 13 && b.batch.bytes().all(|c| c.is_ascii_digit()))
        .then(|| (&b.batch[..9], &b.batch[9..]));
    let Some((isa13, st02)) = named else {
        let why = "the batch is not one of ours (our BHT03 is the ISA13 then the ST02)".to_string();
        return Ok((reference, Some(Outcome::Rejected), codes, Err(why), None));
    };
    let sub = match cache.by_isa13(l, isa13)? {
        Some(sub) if sub.st02.iter().any(|s| s == st02) => sub,
        _ => {
            let why = format!("no file sent with ISA13 {isa13} and set {st02}");
            return Ok((reference, Some(Outcome::Rejected), codes, Err(why), None));
        }
    };
    let billed_by_provider = if b.provider_npi.is_empty() {
        None
    } else {
        match claims_billed_by(&sub.file, &b.provider_npi) {
            Ok(ids) => Some(ids),
            Err(why) => return Ok((reference, Some(Outcome::Rejected), codes, Err(why), None)),
        }
    };
    let what = if b.provider_npi.is_empty() { "batch" } else { "billing provider's claims" };
    let detail = format!("{what} rejected by {} ({reference}, {codes})", b.source_id);
    let claims: Vec<ClaimAck> = cache
        .claims(l, sub.id, Some(st02))?
        .iter()
        .filter(|c| {
            billed_by_provider
                .as_ref()
                .map_or(true, |ids| ids.contains(&(c.claim_id.clone(), c.payer_id.clone())))
        })
        .map(|c| ClaimAck {
            claim_id: c.claim_id.clone(),
            payer_id: c.payer_id.clone(),
            submission_id: sub.id,
            status: ClaimStatus::Rejected,
            claim_level: true,
            detail: detail.clone(),
            payer_claim_id: None,
            trace: None,
            status_date: None,
            by_set: false,
        })
        .collect();
    if claims.is_empty() && billed_by_provider.is_some() {
        let why = format!("no claim of set {st02} in ISA13 {isa13} is billed by that provider");
        return Ok((reference, Some(Outcome::Rejected), codes, Err(why), None));
    }
    Ok((reference, Some(Outcome::Rejected), codes, Ok(claims), Some(sub.id)))
}

/// (claim id, payer id) of every claim in the 837 `file` billed by `npi`.
fn claims_billed_by(
    file: &str,
    npi: &str,
) -> Result<std::collections::HashSet<(String, String)>, String> {
    let cannot = |cause: String| {
        format!("cannot read the 837 {file} to find the provider's claims: {cause}")
    };
    let bytes =
        crate::input::open(std::path::Path::new(file)).map_err(|e| cannot(e.to_string()))?;
    let read = crate::edi837::read(&bytes).map_err(|e| cannot(e.to_string()))?;
    Ok(read
        .claims
        .iter()
        .filter(|c| c.billing.npi == npi)
        .map(|c| (c.claim_id.clone(), c.payer.id.clone()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Span;

    fn claim(id: &str, first: u32, last: u32, levels: &[u32]) -> SubmittedClaim {
        SubmittedClaim {
            claim_id: id.into(),
            payer_id: "P".into(),
            st02: "0001".into(),
            span: Some(Span { first, last, levels: levels.to_vec() }),
        }
    }

    #[test]
    fn an_error_goes_to_the_claim_or_level_that_holds_its_segment() {
        // Billing HL at 6; subscriber A (HL 11) with claims C1, C2; subscriber
        // B (HL 30) with patient HL 34 and claim C3.
        let claims = [
            claim("C1", 17, 22, &[6, 11]),
            claim("C2", 23, 29, &[6, 11]),
            claim("C3", 40, 45, &[6, 30, 34]),
        ];
        assert_eq!(claims_at(20, &claims), [0]);
        assert_eq!(claims_at(23, &claims), [1]);
        assert_eq!(claims_at(13, &claims), [0, 1], "subscriber A's segments");
        assert_eq!(claims_at(31, &claims), [2], "subscriber B's segments");
        assert_eq!(claims_at(36, &claims), [2], "the patient's segments");
        assert_eq!(claims_at(8, &claims), [0, 1, 2], "the billing provider's segments");
        assert!(claims_at(3, &claims).is_empty(), "the set's header");
    }
}
