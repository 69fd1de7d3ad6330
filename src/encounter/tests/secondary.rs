//! Secondary coverage columns: the other payer, and the secondary
//! subscriber ignored when self.

use super::*;

#[test]
fn secondary_coverage_columns_become_the_other_payer() {
    let cols = "secondary_payer_id,secondary_member_id,secondary_group_number,secondary_relationship,secondary_subscriber_last,secondary_subscriber_first,secondary_subscriber_dob,secondary_subscriber_sex";
    let text = format!(
        "{HEADER},{cols}\n{},DEMOSECOND,SEC2,SG1,spouse,Doe,John,1979-01-01,M\n{},DEMOSECOND,SEC2,SG1,self,,,,\n{},,,,,,,,\n",
        row("C1", "99213", "2026-03-02"),
        row("C2", "99213", "2026-03-02"),
        row("C3", "99213", "2026-03-02"),
    );
    let e = read_str(&text);
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    let spouse = &e.claims[0].other_payers[0];
    assert_eq!(spouse.payer.id, "DEMOSECOND");
    assert_eq!(spouse.member_id, "SEC2");
    assert_eq!(spouse.group_number.as_deref(), Some("SG1"));
    assert_eq!(spouse.relationship, crate::claim::Relationship::Spouse);
    assert_eq!(
        (spouse.subscriber.first.as_str(), spouse.subscriber.sex),
        ("John", Some(Sex::Male))
    );
    // No address columns: the patient's address.
    assert_eq!(spouse.subscriber.address.line1, "1 Elm St");
    // Self: the patient is the secondary subscriber.
    let me = &e.claims[1].other_payers[0];
    assert_eq!(me.subscriber.first, "Jane");
    // No secondary cell at all: no other payer (and the claim hashes as one without COB columns).
    assert!(e.claims[2].other_payers.is_empty());
}

#[test]
fn secondary_subscriber_columns_are_ignored_when_self_and_bad_values_are_findings() {
    let cols = "secondary_payer_id,secondary_member_id,secondary_relationship,secondary_subscriber_first,secondary_subscriber_dob,secondary_subscriber_sex";
    let text = format!(
        "{HEADER},{cols}\n{},DEMOSECOND,SEC2,self,John,,\n{},DEMOSECOND,SEC2,cousin,,1979-13-01,X\n",
        row("C1", "99213", "2026-03-02"),
        row("C2", "99213", "2026-03-02"),
    );
    let e = read_str(&text);
    let f: Vec<(&str, &str, Severity)> =
        e.findings.iter().map(|f| (f.claim_id.as_str(), f.rule, f.severity)).collect();
    assert_eq!(
        f,
        [
            ("C1", "W-COB-001", Severity::Warning),
            ("C2", "E-REL-001", Severity::Error),
            ("C2", "E-DATE-001", Severity::Error),
            ("C2", "E-SEX-001", Severity::Error),
        ]
    );
    assert_eq!(e.findings[0].column, "secondary_subscriber_first");
    assert_eq!(e.findings[0].row, 2);
}
