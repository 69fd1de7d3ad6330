//! The 835 health care claim payment/advice (005010X221A1) as owned, typed data.
//!
//! [`read_file`] turns the bytes of one X12 file into one [`Remittance`] per
//! 835 transaction set (several sets, payers and interchanges per file are
//! normal), in file order; large files are read set by set in parallel.
//! Reading is tolerant: newline terminators, legacy component separators,
//! missing optional loops and bare ST…SE files are accepted, and anything odd
//! becomes a [`Finding`] with its position, never a panic.
//! [`balance()`] checks the money (SVC, CLP, BPR and PR balancing) and returns
//! findings too.
//!
//! This module does not match payments to claims (that is `reconcile`) and
//! knows nothing of the ledger. Field names follow the guide's element
//! numbers (`clp04_paid`), so a reader can find each value in the TR3.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::x12::{Finding, Position};
pub use crate::Text;

mod balance;
pub(crate) mod parse;

pub use balance::balance;
pub use parse::{
    read_file, read_set, read_set_for_balance, read_set_for_reconcile, BalanceReader, Balanced,
    FileRemittances,
};

/// A name/id pair: N1 (payer, payee) or NM1 (patient, insured, providers).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Party {
    /// N101 / NM101 entity identifier code (`PR`, `PE`, `QC`, `IL`, `74`, `82`, `TT`…).
    pub entity: Text,
    /// NM102 entity type (`1` person, `2` organization); empty for N1.
    pub entity_type: Text,
    /// N102 name, or NM103 last/organization name.
    pub name: Text,
    /// NM104 first name.
    pub first: Text,
    /// NM105 middle name.
    pub middle: Text,
    /// N103 / NM108 identification code qualifier.
    pub id_qualifier: Text,
    /// N104 / NM109 identification code.
    pub id: Text,
    /// N3 address lines (empty when absent).
    pub address: Vec<Text>,
    /// N4 city, state, ZIP (empty when absent).
    pub city_state_zip: Vec<Text>,
    /// REF segments that follow the N1 (qualifier, value).
    pub refs: Vec<Reference>,
}

/// A REF segment: qualifier and value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// REF01 qualifier, e.g. `6R`, `1K`, `2U`.
    pub qualifier: Text,
    /// REF02 value.
    pub value: Text,
}

/// A DTM date: qualifier and date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DateRef {
    /// DTM01 qualifier, e.g. `232`, `233`, `050`, `472`.
    pub qualifier: Text,
    /// DTM02 as a date (`None` when it was not a valid CCYYMMDD).
    pub date: Option<NaiveDate>,
}

/// An AMT segment: qualifier and amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Amount {
    /// AMT01 qualifier, e.g. `AU` coverage amount, `B6` allowed, `I` interest.
    pub qualifier: Text,
    /// AMT02.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub amount: Decimal,
}

/// A QTY segment: qualifier and quantity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quantity {
    /// QTY01 qualifier, e.g. `CA` covered days.
    pub qualifier: Text,
    /// QTY02.
    pub quantity: Decimal,
}

/// CAS claim adjustment group (CAS01). 5010 uses CO, OA, PI and PR; CR was 4010.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Group {
    /// Contractual obligation (provider writes it off).
    CO,
    /// Other adjustment.
    OA,
    /// Payer-initiated reduction.
    PI,
    /// Patient responsibility.
    PR,
    /// Correction and reversal (4010 only, still seen in old files).
    CR,
}

impl Group {
    /// Parses a group code (trimmed, case-insensitive).
    pub fn from_code(s: &str) -> Option<Group> {
        // Compared in place: no uppercased copy (this runs for every CAS).
        let s = crate::values::trimmed(s);
        // Upper case as written, the usual case, at once.
        match s.as_bytes() {
            b"CO" => return Some(Group::CO),
            b"PR" => return Some(Group::PR),
            b"OA" => return Some(Group::OA),
            b"PI" => return Some(Group::PI),
            _ => {}
        }
        [Group::CO, Group::OA, Group::PI, Group::PR, Group::CR]
            .into_iter()
            .find(|g| s.eq_ignore_ascii_case(g.code()))
    }

    /// The X12 code.
    pub fn code(self) -> &'static str {
        match self {
            Group::CO => "CO",
            Group::OA => "OA",
            Group::PI => "PI",
            Group::PR => "PR",
            Group::CR => "CR",
        }
    }
}

/// One adjustment: a CAS triple (reason, amount, quantity) with its group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Adjustment {
    /// CAS01 group (`None` when the file holds an unknown group code).
    pub group: Option<Group>,
    /// CAS01 as written (kept for unknown codes).
    pub group_code: Text,
    /// CARC reason code (CAS02, 05, 08, 11, 14 or 17).
    pub reason: Text,
    /// Amount (CAS03, 06, …): positive reduces payment, negative increases it.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub amount: Decimal,
    /// Quantity (CAS04, 07, …), when given.
    pub quantity: Option<Decimal>,
}

/// A procedure composite (SVC01 or SVC06): qualifier:code:modifiers…
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Procedure {
    /// Component 1: product/service id qualifier (`HC`, `AD`, `NU`, `N4`…).
    pub qualifier: Text,
    /// Component 2: the code.
    pub code: Text,
    /// Components 3–6: modifiers (empty ones dropped).
    pub modifiers: Vec<Text>,
    /// Component 7: description, when given.
    pub description: Text,
}

impl Procedure {
    /// `HC:99213:25` style text: qualifier, code and modifiers.
    pub fn display(&self) -> Text {
        let mut s = self.code.clone();
        for m in &self.modifiers {
            s.push(':');
            s.push_str(m);
        }
        s
    }
}

/// A remark code (LQ, or MIA/MOA remark elements).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Remark {
    /// `HE` for RARC (LQ01), `RX` for NCPDP reject codes; `MOA`/`MIA` for claim remarks.
    pub qualifier: Text,
    /// The code.
    pub code: Text,
}

/// One service line payment (loop 2110).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServicePayment {
    /// Position of the SVC.
    pub pos: Position,
    /// SVC01 adjudicated procedure.
    pub svc01_procedure: Procedure,
    /// SVC02 line charge.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub svc02_charge: Decimal,
    /// SVC03 line payment.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub svc03_paid: Decimal,
    /// SVC04 NUBC revenue code.
    pub svc04_revenue_code: Text,
    /// SVC05 units paid.
    pub svc05_units: Option<Decimal>,
    /// SVC06 submitted procedure, when the payer changed the code.
    pub svc06_original: Option<Procedure>,
    /// SVC07 original units of service.
    pub svc07_original_units: Option<Decimal>,
    /// DTM*472 service date, or DTM*150 start.
    pub service_date: Option<NaiveDate>,
    /// DTM*151 service period end.
    pub service_date_end: Option<NaiveDate>,
    /// Line adjustments (CAS), every triple in file order.
    pub adjustments: Vec<Adjustment>,
    /// REF*6R line item control number (our line id), when returned.
    pub line_id: Option<Text>,
    /// Other REF segments of the line.
    pub refs: Vec<Reference>,
    /// AMT*B6 allowed amount.
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub allowed: Option<Decimal>,
    /// Other AMT segments of the line.
    pub amounts: Vec<Amount>,
    /// QTY segments of the line.
    pub quantities: Vec<Quantity>,
    /// LQ remark codes.
    pub remarks: Vec<Remark>,
}

impl ServicePayment {
    /// The procedure as it was submitted: SVC06 when present, else SVC01.
    pub fn submitted_procedure(&self) -> &Procedure {
        self.svc06_original.as_ref().unwrap_or(&self.svc01_procedure)
    }
}

/// One claim payment (loop 2100, CLP and what follows).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClaimPayment {
    /// Position of the CLP.
    pub pos: Position,
    /// LX01 of the header group this claim is in, when there is one.
    pub lx: Option<Text>,
    /// CLP01 patient control number (our CLM01, possibly truncated).
    pub clp01_claim_id: Text,
    /// CLP02 claim status code (1, 2, 3, 4, 19, 20, 21, 22, 23, 25).
    pub clp02_status: Text,
    /// CLP03 total claim charge.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub clp03_charge: Decimal,
    /// CLP04 claim payment amount.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub clp04_paid: Decimal,
    /// CLP05 patient responsibility amount, when given.
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub clp05_patient_responsibility: Option<Decimal>,
    /// CLP06 claim filing indicator.
    pub clp06_filing_indicator: Text,
    /// CLP07 payer claim control number.
    pub clp07_payer_claim_id: Text,
    /// CLP08 facility type code.
    pub clp08_facility: Text,
    /// CLP09 claim frequency code.
    pub clp09_frequency: Text,
    /// CLP11 DRG code.
    pub clp11_drg: Text,
    /// CLP12 DRG weight.
    pub clp12_drg_weight: Option<Decimal>,
    /// CLP13 discharge fraction.
    pub clp13_discharge_fraction: Option<Decimal>,
    /// Claim-level adjustments (CAS), every triple of every segment, in file order.
    pub adjustments: Vec<Adjustment>,
    /// NM1 names: QC patient, IL insured, 74 corrected, 82 rendering,
    /// TT crossover carrier, PR corrected priority payer, and others.
    pub names: Vec<Party>,
    /// MIA inpatient adjudication elements (MIA01…MIA24), when present.
    pub mia: Option<Vec<Text>>,
    /// MOA outpatient adjudication elements (MOA01…MOA09), when present.
    pub moa: Option<Vec<Text>>,
    /// Claim REF segments.
    pub refs: Vec<Reference>,
    /// Claim DTM segments (232/233 statement period, 050 received, 036/037 coverage).
    pub dates: Vec<DateRef>,
    /// Claim AMT segments.
    pub amounts: Vec<Amount>,
    /// Claim QTY segments.
    pub quantities: Vec<Quantity>,
    /// Service lines (loop 2110) in file order.
    pub lines: Vec<ServicePayment>,
}

impl ClaimPayment {
    /// Every adjustment of the claim: claim level first, then each line's.
    pub fn all_adjustments(&self) -> impl Iterator<Item = &Adjustment> + Clone {
        self.adjustments.iter().chain(self.lines.iter().flat_map(|l| l.adjustments.iter()))
    }

    /// The date with `qualifier` (first one), when present and valid.
    pub fn date(&self, qualifier: &str) -> Option<NaiveDate> {
        self.dates.iter().find(|d| d.qualifier == qualifier).and_then(|d| d.date)
    }

    /// The name with entity code `entity` (first one).
    pub fn name(&self, entity: &str) -> Option<&Party> {
        self.names.iter().find(|n| n.entity == entity)
    }

    /// Remark codes: MIA/MOA claim remarks first, then every line's LQ codes.
    pub fn remark_codes(&self) -> Vec<Text> {
        let mut out = Vec::new();
        // MOA03..MOA07 and MIA05, MIA20..MIA24 are remark codes.
        if let Some(moa) = &self.moa {
            out.extend(moa.iter().skip(2).take(5).filter(|s| !s.is_empty()).cloned());
        }
        if let Some(mia) = &self.mia {
            for i in [4usize, 19, 20, 21, 22, 23] {
                if let Some(s) = mia.get(i).filter(|s| !s.is_empty()) {
                    out.push(s.clone());
                }
            }
        }
        out
    }

    /// True when CLP02 says the claim was forwarded (19, 20, 21) or a
    /// crossover carrier (NM1*TT) is named.
    pub fn is_forwarded(&self) -> bool {
        matches!(self.clp02_status.as_str(), "19" | "20" | "21") || self.name("TT").is_some()
    }

    /// True for a reversal of a previous payment (CLP02 = 22).
    pub fn is_reversal(&self) -> bool {
        self.clp02_status == "22"
    }
}

/// BPR financial information: the payment itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Payment {
    /// Position of the BPR.
    pub pos: Position,
    /// BPR01 transaction handling code (`C` payment and remittance, `I`
    /// remittance only, `H` notification only…).
    pub bpr01_handling: Text,
    /// BPR02 total actual provider payment amount.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub bpr02_amount: Decimal,
    /// BPR03 credit/debit flag (`C`/`D`).
    pub bpr03_credit_debit: Text,
    /// BPR04 payment method (`ACH`, `CHK`, `BOP`, `FWT`, `NON`).
    pub bpr04_method: Text,
    /// BPR05 payment format (`CCP`, `CTX`).
    pub bpr05_format: Text,
    /// BPR16 check issue or EFT effective date.
    pub bpr16_date: Option<NaiveDate>,
}

/// TRN reassociation trace number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// TRN01 trace type code (`1`).
    pub trn01_type: Text,
    /// TRN02 check or EFT trace number.
    pub trn02_number: Text,
    /// TRN03 payer identifier (`1` + EIN, usually).
    pub trn03_originator: Text,
    /// TRN04 originating company supplemental code.
    pub trn04_supplemental: Text,
}

/// One PLB adjustment pair: reason:reference and amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProviderAdjustmentItem {
    /// Composite component 1: adjustment reason (`L6` interest, `WO`
    /// overpayment recovery, `FB` forwarding balance, `CV`, `CS`, `72`…).
    pub reason: Text,
    /// Composite component 2: reference (often a claim id or payer claim number).
    pub reference: Text,
    /// Amount: positive reduces the payment, negative increases it.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub amount: Decimal,
}

/// A PLB provider-level adjustment segment (up to 6 pairs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProviderAdjustment {
    /// Position of the PLB.
    pub pos: Position,
    /// PLB01 provider identifier.
    pub provider_id: Text,
    /// PLB02 fiscal period date.
    pub fiscal_date: Option<NaiveDate>,
    /// The adjustment pairs, in order.
    pub items: Vec<ProviderAdjustmentItem>,
}

/// One 835 transaction set: one payment (or notice) from one payer to one payee.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Remittance {
    /// Position of the ST.
    pub pos: Position,
    /// ISA13 of the interchange (empty when there was no ISA).
    pub interchange_control: Text,
    /// ST02.
    pub st02_control: Text,
    /// BPR: the payment.
    pub payment: Payment,
    /// TRN: the trace number.
    pub trace: Trace,
    /// REF*EV receiver id, REF*F2 version and other header REFs.
    pub refs: Vec<Reference>,
    /// DTM*405 production date.
    pub production_date: Option<NaiveDate>,
    /// Loop 1000A payer (N1*PR and its N3/N4/REF).
    pub payer: Party,
    /// Loop 1000B payee (N1*PE and its N3/N4/REF).
    pub payee: Party,
    /// Claim payments in file order.
    pub claims: Vec<ClaimPayment>,
    /// PLB provider adjustments in file order.
    pub provider_adjustments: Vec<ProviderAdjustment>,
    /// Problems met while reading (never fatal).
    pub findings: Vec<Finding>,
}

impl Remittance {
    /// The payer's identifier: REF*2U, else N104, else TRN03.
    pub fn payer_id(&self) -> Text {
        if let Some(r) = self.payer.refs.iter().find(|r| r.qualifier == "2U") {
            return r.value.clone();
        }
        if !self.payer.id.is_empty() {
            return self.payer.id.clone();
        }
        self.trace.trn03_originator.clone()
    }

    /// Sum of PLB amounts (positive = money taken back from the payee).
    pub fn plb_total(&self) -> Decimal {
        self.provider_adjustments.iter().flat_map(|p| p.items.iter()).map(|i| i.amount).sum()
    }

    /// Sum of CLP04 over the set's claims.
    pub fn paid_total(&self) -> Decimal {
        self.claims.iter().map(|c| c.clp04_paid).sum()
    }
}

#[cfg(test)]
mod tests;
