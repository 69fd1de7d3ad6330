//! Code rules: diagnoses (ICD-10-CM syntax, validity on the date of service,
//! billable, count, repeats), place of service, procedure, modifiers and NDC
//! with its drug quantity and unit.
//! It does not check diagnosis pointers (see `lines`).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::claim::Claim;
use crate::codeset::{self, pos, shape, IcdStatus};

use super::{
    Ctx, Out, ICD_HEADER, ICD_MISSING, ICD_NOT_COVERED, ICD_REPEATED, ICD_SYNTAX, ICD_TOO_MANY,
    ICD_UNKNOWN, MODIFIER, NDC, NDC_QUANTITY, NDC_UNIT, POS, PROCEDURE, TOO_MANY_MODIFIERS,
};

/// CTP05-1 units of measure the 837P guide allows for a drug quantity.
const NDC_UNITS: [&str; 5] = ["F2", "GR", "ME", "ML", "UN"];

pub(super) const DX_COLS: [&str; 12] =
    ["dx1", "dx2", "dx3", "dx4", "dx5", "dx6", "dx7", "dx8", "dx9", "dx10", "dx11", "dx12"];

pub(super) fn codes(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    if c.diagnoses.is_empty() {
        o.claim("dx1", &ICD_MISSING, "no diagnosis: dx1 is required".into());
    }
    if c.diagnoses.len() > 12 {
        o.claim(
            "dx12",
            &ICD_TOO_MANY,
            format!(
                "the claim has {} diagnoses; an 837P claim holds at most 12",
                c.diagnoses.len()
            ),
        );
    }
    for (i, d) in c.diagnoses.iter().enumerate() {
        if let Some(j) = c.diagnoses[..i].iter().position(|e| e == d) {
            let (col, first) = (DX_COLS[i.min(11)], DX_COLS[j.min(11)]);
            o.claim(
                col,
                &ICD_REPEATED,
                format!("{col} {d} repeats {first}; list each diagnosis once"),
            );
        }
    }
    let mut dates: Vec<NaiveDate> = c.lines.iter().map(|l| l.service_date).collect();
    dates.sort_unstable();
    dates.dedup();
    let uncovered: Vec<NaiveDate> = dates
        .iter()
        .copied()
        .filter(|d| !ctx.codesets.icd10cm.iter().any(|r| r.covers(*d)))
        .collect();
    if !uncovered.is_empty() && !c.diagnoses.is_empty() {
        o.claim(
            "dx1",
            &ICD_NOT_COVERED,
            format!(
                "no loaded ICD-10-CM release covers date(s) of service {}; loaded: {}; diagnosis codes were checked for syntax only (import the release with --codeset-dir)",
                uncovered.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                ctx.codesets.icd10cm_coverage()
            ),
        );
    }
    for (i, d) in c.diagnoses.iter().enumerate() {
        let col = DX_COLS[i.min(11)];
        if !shape::is_icd10cm_syntax(d) {
            o.claim(
                col,
                &ICD_SYNTAX,
                format!("{col} {d:?} is not an ICD-10-CM code (e.g. E11.9 or E119)"),
            );
            continue;
        }
        let mut unknown = None;
        let mut header = None;
        for date in &dates {
            match ctx.codesets.icd10cm(d, *date) {
                IcdStatus::Unknown => {
                    unknown.get_or_insert(*date);
                }
                IcdStatus::Header => {
                    header.get_or_insert(*date);
                }
                IcdStatus::Billable | IcdStatus::NotCovered => {}
            }
        }
        if let Some(date) = unknown {
            o.claim(
                col,
                &ICD_UNKNOWN,
                format!("{col} {d} is not an ICD-10-CM code valid on {date}"),
            );
        } else if let Some(date) = header {
            o.claim(
                col,
                &ICD_HEADER,
                format!(
                    "{col} {d} is a category on {date}, not billable; use a more specific code"
                ),
            );
        }
    }
    if c.place_of_service.is_empty() {
        o.claim("place_of_service", &POS, "place_of_service is missing".into());
    } else if !pos::is_place_of_service(&c.place_of_service) {
        o.claim(
            "place_of_service",
            &POS,
            format!("place_of_service {:?} is not a CMS place-of-service code", c.place_of_service),
        );
    }
    for l in &c.lines {
        if l.procedure.is_empty() {
            o.at(l.row, "procedure", &PROCEDURE, "procedure is missing".into());
        } else if shape::procedure_kind(&l.procedure).is_none() {
            o.at(
                l.row,
                "procedure",
                &PROCEDURE,
                format!(
                    "procedure {:?} is neither a CPT nor a HCPCS Level II code shape",
                    l.procedure
                ),
            );
        }
        if l.modifiers.len() > 4 {
            o.at(
                l.row,
                "modifier4",
                &TOO_MANY_MODIFIERS,
                format!("the line has {} modifiers; SV1 holds at most 4", l.modifiers.len()),
            );
        }
        for (m, col) in l.modifiers.iter().zip(["modifier1", "modifier2", "modifier3", "modifier4"])
        {
            if !shape::is_modifier(m) {
                o.at(l.row, col, &MODIFIER, format!("{col} {m:?} must be 2 letters or digits"));
            }
        }
        if let Some(n) = &l.ndc {
            if codeset::ndc::normalize(n).as_deref() != Some(n.as_str()) || n.len() != 11 {
                o.at(
                    l.row,
                    "ndc",
                    &NDC,
                    format!("ndc {n:?} is not an 11-digit NDC (or dashed 4-4-2, 5-3-2, 5-4-1)"),
                );
            }
            // See: 837P guide, 2410 CTP04/CTP05: the quantity of the drug in
            // its own unit, not the HCPCS units of SV104 (Medicaid NDC edits
            // deny a claim that copies them).
            match l.ndc_quantity {
                None => o.at(
                    l.row,
                    "ndc_quantity",
                    &NDC_QUANTITY,
                    "ndc is given but ndc_quantity is empty: give the quantity of the drug in its own unit (e.g. 1 for one 1 mL vial with ndc_unit ML), not the HCPCS units".into(),
                ),
                Some(q) if q <= Decimal::ZERO => o.at(
                    l.row,
                    "ndc_quantity",
                    &NDC_QUANTITY,
                    format!("ndc_quantity {q} must be greater than 0"),
                ),
                Some(q) if q.normalize().scale() > 3 => o.at(
                    l.row,
                    "ndc_quantity",
                    &NDC_QUANTITY,
                    format!("ndc_quantity {q} has more than 3 decimals"),
                ),
                Some(_) => {}
            }
            match l.ndc_unit.as_deref() {
                None => o.at(
                    l.row,
                    "ndc_unit",
                    &NDC_UNIT,
                    "ndc is given but ndc_unit is empty: F2 (international unit), GR (gram), ME (milligram), ML (millilitre) or UN (unit)".into(),
                ),
                Some(u) if !NDC_UNITS.contains(&u) => o.at(
                    l.row,
                    "ndc_unit",
                    &NDC_UNIT,
                    format!("ndc_unit {u:?} must be F2 (international unit), GR (gram), ME (milligram), ML (millilitre) or UN (unit)"),
                ),
                Some(_) => {}
            }
        }
    }
}
