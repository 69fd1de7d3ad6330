//! Denials as domain vocabulary shared by `reconcile`, `status`, `secondary`
//! and `report`: the money column of each CAS adjustment ([`Bucket`]), the
//! denial category of a CARC code ([`Category`]), the next action, and the
//! denial worklist entry of a set of adjustments ([`Denial`]).
//!
//! The category words and actions are our own; no CARC description text is
//! used or shipped (X12 holds the copyright on it). The mapping is by code
//! value, chosen so that a billing team knows which desk a denial goes to.
//! This module does not read 835s and does not classify a claim payment
//! (reconcile's `classify` does).

use rust_decimal::Decimal;
use serde::Serialize;

use crate::edi835::{Adjustment, Group};
use crate::Text;

/// Which kind of problem a denial is, in our own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Information missing or wrong on the claim.
    MissingInformation,
    /// Codes that do not fit together (modifier, place, age, sex, diagnosis).
    CodingMismatch,
    /// Sent before.
    Duplicate,
    /// The patient was not covered on the date of service.
    Eligibility,
    /// Prior authorization or referral missing.
    Authorization,
    /// Sent too late.
    TimelyFiling,
    /// The plan does not cover the service, or a benefit limit was reached.
    NonCovered,
    /// The payer does not consider the service necessary.
    MedicalNecessity,
    /// Paid as part of another service.
    Bundled,
    /// Another payer pays first, or a prior payer already paid.
    CoordinationOfBenefits,
    /// Fee schedule or contract reduction.
    Contractual,
    /// Deductible, coinsurance or copay: the patient's share.
    PatientCostShare,
    /// Anything not listed.
    Other,
}

impl Category {
    /// The words in `denials.csv` and the status worklist.
    pub fn words(self) -> &'static str {
        match self {
            Category::MissingInformation => "missing information",
            Category::CodingMismatch => "coding mismatch",
            Category::Duplicate => "duplicate",
            Category::Eligibility => "eligibility",
            Category::Authorization => "authorization",
            Category::TimelyFiling => "timely filing",
            Category::NonCovered => "non-covered",
            Category::MedicalNecessity => "medical necessity",
            Category::Bundled => "bundled",
            Category::CoordinationOfBenefits => "coordination of benefits",
            Category::Contractual => "contractual",
            Category::PatientCostShare => "patient cost share",
            Category::Other => "other",
        }
    }
}

use super::Action;

/// The category of one CARC code (trimmed, case-insensitive). Each code's
/// meaning is noted in our own short words.
pub(crate) fn category(carc: &str) -> Category {
    let code = carc.trim().to_ascii_uppercase();
    if crate::claim::other_payer_reason(&code) {
        return Category::CoordinationOfBenefits;
    }
    let Ok(n) = code.parse::<u32>() else {
        // Codes with letters (e.g. A1, B7, B15) have no category of their
        // own here; B15 (needs a qualifying service that was not received
        // or covered) is one for a person to look at.
        return Category::Other;
    };
    match n {
        1 // deductible
        | 2 // coinsurance
        | 3 // copayment
        | 66 // blood deductible
        | 201 // the patient's under a set-aside arrangement
        => Category::PatientCostShare,
        16 // information missing, or a billing error, on the claim
        | 17 // information asked for was not sent or incomplete
        | 125 // submission or billing error
        | 129 // the prior payer's processing data on the claim looks wrong
        | 140 // member id and patient name do not match
        | 175 // prescription incomplete
        | 176 // prescription not current
        | 206 // NPI missing
        | 207 // NPI invalid
        | 208 // NPI does not match the payer's records
        | 226 // information asked of the provider not sent or incomplete
        | 227 // information asked of the patient not sent or incomplete
        | 252 // an attachment or other documentation is needed
        => Category::MissingInformation,
        4 // modifier missing or does not fit the procedure
        | 5 // procedure or bill type does not fit the place of service
        | 6 // procedure does not fit the patient's age
        | 7 // procedure does not fit the patient's sex
        | 8 // procedure does not fit the provider type or taxonomy
        | 9 // diagnosis does not fit the patient's age
        | 10 // diagnosis does not fit the patient's sex
        | 11 // diagnosis does not fit the procedure
        | 12 // diagnosis does not fit the provider type
        | 58 // the place of service is judged wrong for the treatment
        | 146 // diagnosis code not valid on the date of service
        | 181 // procedure code not valid on the date of service
        | 182 // modifier not valid on the date of service
        | 185 // the rendering provider may not bill this service
        | 199 // revenue code and procedure code do not go together
        => Category::CodingMismatch,
        18 // the same claim or service was sent before
        => Category::Duplicate,
        26 // service before coverage began
        | 27 // service after coverage ended
        | 31 // patient not found as this payer's member
        | 32 // patient is not an eligible dependent
        | 33 // the subscriber has no dependent coverage
        | 177 // patient did not meet the eligibility rules
        | 200 // service during a gap in coverage
        => Category::Eligibility,
        15 // authorization number missing, invalid or not for this service or provider
        | 39 // authorization was refused when asked for
        | 62 // authorization absent or exceeded
        | 197 // precertification, notification or authorization absent
        | 198 // precertification or authorization exceeded
        | 243 // not authorized by the network or primary care provider
        | 288 // referral absent
        => Category::Authorization,
        29 // the filing deadline passed
        => Category::TimelyFiling,
        35 // lifetime benefit maximum reached
        | 49 // routine or preventive service the plan does not cover
        | 51 // pre-existing condition not covered
        | 96 // a charge the plan does not cover
        | 119 // benefit maximum for the period or occurrence reached
        | 149 // lifetime maximum for this kind of benefit reached
        | 204 // not covered by the patient's current plan
        => Category::NonCovered,
        50 // not medically necessary in the payer's view
        | 55 // experimental or investigational in the payer's view
        | 56 // not proven effective in the payer's view
        | 150 // the documentation does not support this level of service
        | 151 // the documentation does not support this many services or units
        | 152 // the documentation does not support this length of service
        | 167 // the diagnoses given are not covered
        => Category::MedicalNecessity,
        59 // multiple or concurrent procedure rules applied
        | 97 // paid within another service already adjudicated
        | 190 // paid within a qualifying skilled nursing facility stay
        | 231 // procedures that exclude each other on the same day
        | 234 // procedure not paid on its own
        | 236 // procedure or modifier pair not allowed with another procedure (an edit)
        => Category::Bundled,
        24 // covered by a capitation agreement or managed care plan
        | 42 // above the fee schedule or maximum allowed
        | 45 // above the contracted or fee schedule amount
        | 94 // processed above the charges
        | 131 // a discount negotiated for this claim
        | 144 // incentive adjustment
        | 253 // federal sequestration cut
        => Category::Contractual,
        19 // work injury: the workers' compensation carrier is liable
        | 20 // injury a liability carrier covers
        | 21 // injury or illness the no-fault carrier is liable for
        | 22 // another payer may cover this first
        | 23 // what prior payers' adjudication already covered
        | 109 // not this payer's claim: it belongs to another payer
        | 209 // may not be billed to the patient, but may be billed to a later payer
        => Category::CoordinationOfBenefits,
        // Anything else, e.g. 136 (a prior payer's coverage rules not
        // followed) or 147 (contracted rate expired or not on file).
        _ => Category::Other,
    }
}

/// The next action for a denial of `category` carried by adjustment `group`;
/// `forwarded` when the payer has sent the claim on to another payer itself
/// (CLP02 19, 20 or 21, or NM1*TT): billing that payer again would bill it twice.
pub(crate) fn action(category: Category, group: Option<Group>, forwarded: bool) -> Action {
    match category {
        Category::CoordinationOfBenefits if forwarded => Action::WaitForOtherPayer,
        Category::CoordinationOfBenefits => Action::BillSecondary,
        // When the payer assigned the amount to the patient, the patient owes it.
        _ if group == Some(Group::PR) => Action::BillPatient,
        Category::MissingInformation | Category::CodingMismatch | Category::Eligibility => {
            Action::CorrectAndResubmit
        }
        Category::Authorization
        | Category::MedicalNecessity
        | Category::TimelyFiling
        | Category::Other => Action::Appeal,
        Category::PatientCostShare => Action::BillPatient,
        Category::Duplicate | Category::NonCovered | Category::Bundled | Category::Contractual => {
            Action::WriteOff
        }
    }
}

/// A denial worklist entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Denial {
    /// Category of the main reason.
    pub category: Category,
    /// Suggested next action.
    pub action: Action,
    /// For a denied claim or line, the amount not paid (billed − paid); for
    /// a reduction of a paid claim or line, the reduction (its `denied` money).
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub amount: Decimal,
    /// `GROUP-CARC` codes of the adjustments it covers, distinct, in file order.
    pub carc: Vec<Text>,
}

/// The money column an adjustment is reported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Group PR: the patient's share.
    PatientResponsibility,
    /// Group CO with a reason in the contractual list: the contract write-off.
    Contractual,
    /// Money withheld for a reason the office can act on (resubmit, appeal,
    /// bill another payer, bill the patient): group CO with any reason not in
    /// the contractual list, and group PI or OA, except as [`Bucket::Other`] says.
    Denied,
    /// Adjustments that are not the office's to act on: PI or OA with a
    /// reason in the contractual list (a contract reduction the payer filed
    /// under another group), OA-23 (the amount another payer's adjudication
    /// already covers), and the legacy CR group or an unknown group code.
    Other,
}

/// The CARC reason of the other payer's adjudication (OA-23).
const PRIOR_PAYER_CARC: &str = "23";

/// Which money column adjustment `a` is reported in; `contractual` are the
/// contractual CARC codes (upper case).
pub(crate) fn bucket(a: &Adjustment, contractual: &[String]) -> Bucket {
    // The reason is looked at only for the groups whose column depends on it.
    if matches!(a.group, Some(Group::PR)) {
        return Bucket::PatientResponsibility;
    }
    let reason = crate::values::trimmed(&a.reason);
    let is_contractual =
        || contractual.iter().any(|c| crate::values::same_ignoring_case(c, reason));
    match a.group {
        Some(Group::PR) => Bucket::PatientResponsibility,
        Some(Group::CO) if is_contractual() => Bucket::Contractual,
        Some(Group::CO) => Bucket::Denied,
        Some(Group::PI | Group::OA) if is_contractual() || reason == PRIOR_PAYER_CARC => {
            Bucket::Other
        }
        Some(Group::PI | Group::OA) => Bucket::Denied,
        _ => Bucket::Other,
    }
}

pub(crate) fn distinct(into: &mut Vec<Text>, s: Text) {
    if !s.is_empty() && !into.contains(&s) {
        into.push(s);
    }
}

pub(crate) fn carc_code(a: &Adjustment) -> Text {
    let (g, r) = (a.group_code.as_bytes(), a.reason.as_bytes());
    let n = g.len() + 1 + r.len();
    // Put together on the stack and stored once (inline when it fits).
    let mut buf = [0u8; 24];
    if let Some(b) = buf.get_mut(..n) {
        b[..g.len()].copy_from_slice(g);
        b[g.len()] = b'-';
        b[g.len() + 1..].copy_from_slice(r);
        // Two texts and a `-`: always valid UTF-8.
        if let Ok(s) = std::str::from_utf8(b) {
            return Text::new(s);
        }
    }
    let mut s = Text::with_capacity(n);
    s.push_str(&a.group_code);
    s.push('-');
    s.push_str(&a.reason);
    s
}

/// The main reason of a denial: the largest denying adjustment; else the
/// largest non-patient one; else the largest.
fn primary<'x>(
    adjs: impl Iterator<Item = &'x Adjustment> + Clone,
    contractual: &[String],
) -> Option<&'x Adjustment> {
    let largest = |it: &mut dyn Iterator<Item = &'x Adjustment>| it.max_by_key(|a| a.amount);
    largest(&mut adjs.clone().filter(|a| bucket(a, contractual) == Bucket::Denied))
        .or_else(|| largest(&mut adjs.clone().filter(|a| a.group != Some(Group::PR))))
        .or_else(|| largest(&mut adjs.clone()))
}

/// The worklist entry for adjustments `adjs` (all of a denied claim or
/// line, or only the denying ones of a reduction).
pub(crate) fn denial_of<'x>(
    adjs: impl Iterator<Item = &'x Adjustment> + Clone,
    amount: Decimal,
    contractual: &[String],
    forwarded: bool,
) -> Denial {
    let mut carc = Vec::new();
    for a in adjs.clone() {
        distinct(&mut carc, carc_code(a));
    }
    match primary(adjs, contractual) {
        Some(a) => {
            let category = category(&a.reason);
            let action = action(category, a.group, forwarded);
            Denial { category, action, amount, carc }
        }
        None => Denial { category: Category::Other, action: Action::Appeal, amount, carc },
    }
}

/// The worklist entry of a payment the ledger recorded: its adjustments as
/// `claim_payments.adjustments` holds them (`GROUP-CARC amount` joined with
/// `;`), read back and classified as `reconcile::reconcile_remittance` does. Used by
/// the status worklist; words it cannot read are left out.
pub(crate) fn denial_of_recorded(
    adjustments: &str,
    amount: Decimal,
    contractual: &[String],
) -> Denial {
    let adjs: Vec<Adjustment> = adjustments
        .split(';')
        .filter_map(|a| {
            let (code, value) = a.trim().split_once(' ')?;
            let (group, reason) = code.split_once('-')?;
            Some(Adjustment {
                group: Group::from_code(group),
                group_code: Text::new(group),
                reason: Text::new(reason),
                amount: value.trim().parse().ok()?,
                quantity: None,
            })
        })
        .collect();
    let denying: Vec<&Adjustment> =
        adjs.iter().filter(|a| is_denial_adjustment(a, contractual)).collect();
    if denying.is_empty() {
        denial_of(adjs.iter(), amount, contractual, false)
    } else {
        denial_of(denying.into_iter(), amount, contractual, false)
    }
}

/// True for an adjustment that denies money (see [`Bucket::Denied`]) and
/// is not zero.
pub(crate) fn is_denial_adjustment(a: &Adjustment, contractual: &[String]) -> bool {
    a.amount != Decimal::ZERO && bucket(a, contractual) == Bucket::Denied
}

/// The denial category words of CARC `carc` (as in reconcile's `denials.csv`
/// and the money report).
pub fn carc_category(carc: &str) -> &'static str {
    category(carc).words()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_code_has_its_category() {
        use Category::*;
        let table: &[(Category, &[&str])] = &[
            (PatientCostShare, &["1", "2", "3", "66", "201"]),
            (
                MissingInformation,
                &[
                    "16", "17", "125", "129", "140", "175", "176", "206", "207", "208", "226",
                    "227", "252",
                ],
            ),
            (
                CodingMismatch,
                &[
                    "4", "5", "6", "7", "8", "9", "10", "11", "12", "58", "146", "181", "182",
                    "185", "199",
                ],
            ),
            (Duplicate, &["18"]),
            (Eligibility, &["26", "27", "31", "32", "33", "177", "200"]),
            (Authorization, &["15", "39", "62", "197", "198", "243", "288"]),
            (TimelyFiling, &["29"]),
            (NonCovered, &["35", "49", "51", "96", "119", "149", "204"]),
            (MedicalNecessity, &["50", "55", "56", "150", "151", "152", "167"]),
            (Bundled, &["59", "97", "190", "231", "234", "236"]),
            (Contractual, &["24", "42", "45", "94", "131", "144", "253"]),
            (CoordinationOfBenefits, &["19", "20", "21", "22", "23", "109", "209"]),
            (Other, &["136", "147", "B15", "b15", "A1", "ZZ9", "", "0", "999"]),
        ];
        for (want, codes) in table {
            for code in *codes {
                assert_eq!(category(code), *want, "CARC {code:?}");
            }
        }
        assert_eq!(category(" 18 "), Category::Duplicate);
    }

    #[test]
    fn carcs_of_other_payers_and_of_capitation_get_their_own_action() {
        // 21 no-fault carrier, 209 not billable to the patient: not "correct and resubmit".
        assert_eq!(action(category("21"), Some(Group::CO), false), Action::BillSecondary);
        assert_eq!(action(category("209"), Some(Group::CO), false), Action::BillSecondary);
        // 24 capitation, 190 SNF stay: not "bill secondary".
        assert_eq!(action(category("24"), Some(Group::CO), false), Action::WriteOff);
        assert_eq!(action(category("190"), Some(Group::CO), false), Action::WriteOff);
    }

    #[test]
    fn actions_by_category_group_and_forwarding() {
        assert_eq!(action(Category::NonCovered, Some(Group::PR), false), Action::BillPatient);
        assert_eq!(action(Category::NonCovered, Some(Group::CO), false), Action::WriteOff);
        assert_eq!(
            action(Category::CoordinationOfBenefits, Some(Group::PR), false),
            Action::BillSecondary
        );
        // The payer forwarded the claim itself: never bill the other payer again.
        assert_eq!(
            action(Category::CoordinationOfBenefits, Some(Group::CO), true),
            Action::WaitForOtherPayer
        );
        assert_eq!(action(Category::NonCovered, Some(Group::CO), true), Action::WriteOff);
        assert_eq!(
            action(Category::MissingInformation, Some(Group::CO), false),
            Action::CorrectAndResubmit
        );
        assert_eq!(action(Category::TimelyFiling, Some(Group::CO), false), Action::Appeal);
        assert_eq!(action(Category::Other, None, false), Action::Appeal);
        assert_eq!(Action::WaitForOtherPayer.words(), "wait for the other payer's remittance");
    }
}
