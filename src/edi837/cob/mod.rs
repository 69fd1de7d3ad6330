//! Coordination of benefits in the 837P: the other-payer loops (2320 other
//! subscriber, 2330A other subscriber name, 2330B other payer, 2430 line
//! adjudication) and the COB balancing rules.
//!
//! Writing follows 005010X222A1: 2320 comes after the claim's 2310 provider
//! loops and before 2400; 2430 comes after a line's 2410. An other payer that
//! has adjudicated the claim carries its claim-level CAS (one segment per
//! group code), AMT*D, and either per-line 2430s (SVD, CAS, DTP*573, AMT*EAF)
//! or, when it gave claim-level information only, AMT*EAF in 2320 and
//! DTP*573 in 2330B. See: X12 RFI 1391 and 1517 on where AMT*EAF goes.
//!
//! Balancing ([`balance`]) is the guide's COB front matter: for each other
//! payer, every line's charge = its SVD02 + its line CAS; CLM02 = AMT*D +
//! claim CAS + line CAS; and, when the payer reported lines, AMT*D = the sum
//! of SVD02 less the claim-level CAS (the guide's section 1.4.4.1; with no
//! claim-level adjustment, AMT*D is the sum of SVD02). See: X12 RFI 1294. The same rules run on a claim about to be written (`secondary`)
//! and on any 837P being validated (`cob_check`). This module does not decide
//! what to send (that is `secondary`).

use std::io::Write;

use rust_decimal::Decimal;

use crate::claim::{Adjustment, Claim, LineAdjudication, OtherPayer};
use crate::x12::{SegmentWriter, WriteError};

mod balance;

pub(crate) use balance::{balance, CobAdjudication, CobClaim, CobLine, CobPayer};

/// A line is not balanced: charge ≠ SVD02 + line CAS.
pub const RULE_LINE: &str = "837-COB-LINE";
/// A claim is not balanced: CLM02 ≠ AMT*D + claim CAS + line CAS.
pub const RULE_CLAIM: &str = "837-COB-CLAIM";
/// AMT*D ≠ the sum of the payer's SVD02 less its claim-level CAS.
pub const RULE_PAID: &str = "837-COB-PAID";

/// Loop 2320 other subscriber, with 2330A and 2330B:
/// `SBR*<P|S|T>*<rel>*<group>**<type>****<filing>~ [CAS*<group>*<reason>*<amount>...~]
/// (SBR05 when the other payer is Medicare and not primary) [AMT*D*<paid>~] [AMT*EAF*<liability>~] OI***Y***Y~`, then
/// `NM1*IL*1*<last>*<first>*<middle>***MI*<member id>~ [N3~ N4~]` and
/// `NM1*PR*2*<name>*****PI*<payer id>~ [DTP*573*D8*<date>~] [REF*F8*<claim number>~]`.
pub(super) fn loop_2320<W: Write>(
    w: &mut SegmentWriter<W>,
    c: &Claim,
    o: &OtherPayer,
) -> Result<(), WriteError> {
    w.segment(
        "SBR",
        &[
            o.responsibility.code(),
            o.relationship.code(),
            o.group_number.as_deref().unwrap_or(""),
            "",
            o.insurance_type_code(c).unwrap_or(""),
            "",
            "",
            "",
            &o.payer.filing_indicator,
        ],
    )?;
    cas(w, &o.adjustments)?;
    let lines_reported = c.lines.iter().any(|l| line_of(l, &o.payer.id).is_some());
    if let Some(paid) = o.paid {
        w.segment("AMT", &["D", &crate::numtext::amount(paid)])?;
        // Claim-level remaining liability only when the payer gave no lines.
        if !lines_reported {
            let eaf = o.remaining_patient_liability.unwrap_or_else(|| pr_total(&o.adjustments));
            w.segment("AMT", &["EAF", &crate::numtext::amount(eaf)])?;
        }
    }
    // OI03 benefits assignment Y, OI06 release of information Y (as CLM08/CLM09).
    w.segment("OI", &["", "", "Y", "", "", "Y"])?;
    let s = &o.subscriber;
    super::write::subscriber_name(w, s, &o.member_id)?;
    if !s.address.line1.is_empty() {
        super::write::address(w, &s.address)?;
    }
    w.segment("NM1", &["PR", "2", &o.payer.name, "", "", "", "", "PI", &o.payer.id])?;
    // See: 837P 2330B DTP*573: required when this payer adjudicated the
    // claim and 2430 DTP*573 is not used.
    if let Some(d) = o.adjudication_date.filter(|_| o.paid.is_some() && !lines_reported) {
        w.segment("DTP", &["573", "D8", &super::write::d8(d)])?;
    }
    if let Some(n) = o.claim_number.as_deref().filter(|n| !n.is_empty()) {
        w.segment("REF", &["F8", n])?;
    }
    Ok(())
}

/// Loop 2430 line adjudication:
/// `SVD*<payer id>*<paid>*HC:<code>[:<mod>...]**<units>~ [CAS...~] DTP*573*D8*<date>~ [AMT*EAF*<amount>~]`
pub(super) fn loop_2430<W: Write>(
    w: &mut SegmentWriter<W>,
    a: &LineAdjudication,
) -> Result<(), WriteError> {
    w.begin("SVD");
    w.element(&a.payer_id)?.element(&crate::numtext::amount(a.paid))?;
    let mut proc = ["HC", &a.procedure, "", "", "", ""];
    for (slot, m) in proc[2..].iter_mut().zip(&a.modifiers) {
        *slot = m;
    }
    w.composite(&proc)?;
    w.element("")?.element(&crate::numtext::amount(a.units))?;
    w.end()?;
    cas(w, &a.adjustments)?;
    if let Some(d) = a.date {
        w.segment("DTP", &["573", "D8", &super::write::d8(d)])?;
    }
    if let Some(eaf) = a.remaining_patient_liability {
        w.segment("AMT", &["EAF", &crate::numtext::amount(eaf)])?;
    }
    Ok(())
}

/// CAS segments, one per group code in order of first appearance, each with
/// up to six reason/amount/quantity triples (another segment of the same
/// group when there are more).
fn cas<W: Write>(w: &mut SegmentWriter<W>, list: &[Adjustment]) -> Result<(), WriteError> {
    let mut groups: Vec<&str> = Vec::new();
    for a in list {
        if !groups.contains(&a.group.as_str()) {
            groups.push(&a.group);
        }
    }
    for g in groups {
        let of_group: Vec<&Adjustment> = list.iter().filter(|a| a.group == g).collect();
        for chunk in of_group.chunks(6) {
            w.begin("CAS");
            w.element(g)?;
            for a in chunk {
                w.element(&a.reason)?.element(&crate::numtext::amount(a.amount))?;
                let q = a.quantity.map(crate::numtext::amount).unwrap_or_default();
                w.element(&q)?;
            }
            w.end()?;
        }
    }
    Ok(())
}

fn pr_total(list: &[Adjustment]) -> Decimal {
    list.iter().filter(|a| a.group == "PR").map(|a| a.amount).sum()
}

fn line_of<'l>(l: &'l crate::claim::ServiceLine, payer: &str) -> Option<&'l LineAdjudication> {
    l.adjudications.iter().find(|a| a.payer_id == payer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::{Payer, Relationship, Responsibility};

    fn adj(group: &str, reason: &str, amount: &str) -> Adjustment {
        Adjustment {
            group: group.into(),
            reason: reason.into(),
            amount: amount.parse().unwrap(),
            quantity: None,
        }
    }

    /// A two-line sample claim as a COB claim: the primary paid the lines
    /// less a claim-level CO-253 of 2, line 1 with CO and PR, line 2 with OA.
    fn cob_claim() -> Claim {
        let mut c =
            crate::edi837::tests::sample_claims().into_iter().find(|c| c.lines.len() == 2).unwrap();
        let charges: Vec<Decimal> = c.lines.iter().map(|l| l.charge).collect();
        c.other_payers = vec![OtherPayer {
            responsibility: Responsibility::Primary,
            relationship: Relationship::SelfInsured,
            group_number: Some("G1".into()),
            payer: Payer {
                id: "PRIMARY1".into(),
                name: "Primary Plan".into(),
                filing_indicator: "CI".into(),
            },
            member_id: "PM1".into(),
            subscriber: c.subscriber.clone(),
            paid: None,
            adjustments: vec![adj("CO", "253", "2")],
            remaining_patient_liability: None,
            adjudication_date: Some(chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()),
            claim_number: Some("PCN1".into()),
            insurance_type: None,
        }];
        let mut paid_total = Decimal::ZERO;
        for (i, l) in c.lines.iter_mut().enumerate() {
            let adjustments = if i == 0 {
                vec![adj("CO", "45", "10"), adj("PR", "2", "5")]
            } else {
                vec![adj("OA", "94", "1")]
            };
            let cas: Decimal = adjustments.iter().map(|a| a.amount).sum();
            let paid = charges[i] - cas;
            paid_total += paid;
            l.adjudications.push(LineAdjudication {
                payer_id: "PRIMARY1".into(),
                paid,
                procedure: l.procedure.clone(),
                modifiers: l.modifiers.clone(),
                units: l.units,
                adjustments,
                date: Some(chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()),
                remaining_patient_liability: Some(Decimal::ZERO),
            });
        }
        c.other_payers[0].paid = Some(paid_total - Decimal::TWO);
        c
    }

    #[test]
    fn a_balanced_cob_claim_passes_and_each_rule_can_fail() {
        let c = cob_claim();
        assert_eq!(balance(&CobClaim::of(&c)), []);
        let mut off = c.clone();
        off.lines[1].adjudications[0].paid += Decimal::ONE;
        let rules: Vec<&str> = balance(&CobClaim::of(&off)).iter().map(|i| i.rule).collect();
        assert_eq!(rules, [RULE_LINE, RULE_PAID]);
        let mut off = c.clone();
        off.lines[1].adjudications[0].adjustments[0].amount += Decimal::ONE;
        let rules: Vec<&str> = balance(&CobClaim::of(&off)).iter().map(|i| i.rule).collect();
        assert_eq!(rules, [RULE_LINE, RULE_CLAIM]);
        let mut off = c.clone();
        off.other_payers[0].paid = off.other_payers[0].paid.map(|p| p + Decimal::ONE);
        let rules: Vec<&str> = balance(&CobClaim::of(&off)).iter().map(|i| i.rule).collect();
        assert_eq!(rules, [RULE_CLAIM, RULE_PAID]);
        // Coverage only (no AMT*D): nothing to balance.
        let mut coverage = c;
        coverage.other_payers[0].paid = None;
        assert_eq!(balance(&CobClaim::of(&coverage)), []);
    }

    #[test]
    fn cob_loops_round_trip_through_the_reader() {
        let c = cob_claim();
        let env = crate::edi837::Envelope {
            interchange_control: 7,
            group_control: 7,
            now: chrono::NaiveDate::from_ymd_opt(2026, 4, 2).unwrap().and_hms_opt(9, 0, 0).unwrap(),
        };
        let mut out = Vec::new();
        crate::edi837::write(&mut out, &[&c], &crate::edi837::tests::config(), &env).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        // The claim's own payer is secondary; CAS grouped by group code.
        assert!(text.contains("\nSBR*S*"), "{text}");
        assert!(text.contains("SBR*P*18*G1******CI~"), "{text}");
        assert!(text.contains("CAS*CO*45*10~\nCAS*PR*2*5~"), "{text}");
        let back = crate::edi837::read(&out).unwrap().claims.remove(0);
        // 2330A carries no DMG, and 2330B no DTP*573 when the lines carry it.
        let mut want = c.other_payers.clone();
        want[0].subscriber.dob = None;
        want[0].subscriber.sex = None;
        want[0].adjudication_date = None;
        assert_eq!(back.other_payers, want);
        for (a, b) in back.lines.iter().zip(&c.lines) {
            assert_eq!(a.adjudications, b.adjudications);
        }
        assert_eq!(back.payer_responsibility(), Responsibility::Secondary);
        assert!(crate::validate::validate_file("cob.x12", &out).is_valid());
        crate::edi837::tests::keep_837("unit-cob-round-trip", &out);
    }

    #[test]
    fn more_than_six_adjustments_of_a_group_take_two_segments() {
        let list: Vec<Adjustment> = (1..=7).map(|n| adj("CO", &n.to_string(), "1")).collect();
        let d = crate::x12::Delimiters {
            element: b'*',
            component: b':',
            repetition: Some(b'^'),
            segment: b'~',
        };
        let mut w = SegmentWriter::new(Vec::new(), d, false);
        cas(&mut w, &list).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        assert_eq!(text, "CAS*CO*1*1**2*1**3*1**4*1**5*1**6*1~CAS*CO*7*1~");
    }
}
