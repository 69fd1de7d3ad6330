//! Reading the service line of one row: dates of service, units (and their
//! unit of measure), charge,
//! procedure, modifiers, diagnosis pointers, NDC (with its quantity and
//! unit) and line_id, with a finding for every value that cannot be read.
//! Claim-level values are in `assemble`.

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::claim::ServiceLine;
use crate::codeset::ndc;
use crate::finding::{Finding, Severity};

use super::cells::{date_msg, parse_date, parse_decimal, parse_money};
use super::columns::MODIFIERS;
use super::map::{not_utf8, Ctx};
use super::record::Record;
use super::{rule, Col};

/// Reads the line-level values of a row; `None` when the line cannot be
/// built (a finding says why).
pub(super) fn read_line(
    ctx: &Ctx<'_>,
    rec: &Record<'_>,
    row: u64,
    claim_id: &str,
    findings: &mut Vec<Finding>,
) -> Option<ServiceLine> {
    let fmt = ctx.map.date_format.as_str();
    let mut ok = true;
    let get = |col: Col, findings: &mut Vec<Finding>| match ctx.cell(rec, col) {
        Ok(v) => v,
        Err(()) => {
            findings.push(not_utf8(ctx, claim_id, row, col));
            None
        }
    };
    let required = |col: Col, v: &Option<Cow<'_, str>>, findings: &mut Vec<Finding>| {
        if v.is_none() {
            findings.push(ctx.finding(
                claim_id,
                row,
                col,
                rule::LINE_VALUE_MISSING,
                Severity::Error,
                format!("{} is required on every service line", col.name()),
            ));
        }
    };
    let sd = get(Col::ServiceDate, findings);
    required(Col::ServiceDate, &sd, findings);
    let service_date = sd.as_deref().and_then(|s| {
        let d = parse_date(s, fmt);
        if d.is_none() {
            findings.push(ctx.finding(
                claim_id,
                row,
                Col::ServiceDate,
                rule::BAD_DATE,
                Severity::Error,
                date_msg(Col::ServiceDate, fmt),
            ));
        }
        d
    });
    ok &= service_date.is_some();
    let service_date_end = match get(Col::ServiceDateEnd, findings) {
        None => None,
        Some(s) => match parse_date(&s, fmt) {
            Some(d) => Some(d),
            None => {
                findings.push(ctx.finding(
                    claim_id,
                    row,
                    Col::ServiceDateEnd,
                    rule::BAD_DATE,
                    Severity::Error,
                    date_msg(Col::ServiceDateEnd, fmt),
                ));
                None
            }
        },
    };
    let number = |col: Col, findings: &mut Vec<Finding>| -> Option<Decimal> {
        let v = get(col, findings);
        required(col, &v, findings);
        let s = v?;
        let d =
            if col == Col::Charge { parse_money(&s, ctx.map.money_us) } else { parse_decimal(&s) };
        if d.is_none() {
            findings.push(ctx.finding(
                claim_id,
                row,
                col,
                rule::BAD_NUMBER,
                Severity::Error,
                if col == Col::Charge && ctx.map.money_us {
                    format!("{} {:?} is not an amount like 1234.50 or $1,234.50", col.name(), s)
                } else {
                    format!(
                        "{} {:?} is not a plain number (digits and one optional dot)",
                        col.name(),
                        s
                    )
                },
            ));
        }
        d
    };
    let units = number(Col::Units, findings);
    let charge = number(Col::Charge, findings);
    ok &= units.is_some() && charge.is_some();
    let procedure =
        get(Col::Procedure, findings).map(|s| s.to_ascii_uppercase()).unwrap_or_default();
    let modifiers: Vec<String> = MODIFIERS
        .iter()
        .filter_map(|c| get(*c, findings).map(|m| m.to_ascii_uppercase()))
        .collect();
    let mut dx_pointers = Vec::new();
    if let Some(p) = get(Col::DxPointers, findings) {
        for part in p.split([',', ':', ' ']).filter(|s| !s.is_empty()) {
            match part.parse::<u8>() {
                Ok(n) => dx_pointers.push(n),
                Err(_) => {
                    findings.push(ctx.finding(
                        claim_id,
                        row,
                        Col::DxPointers,
                        rule::BAD_POINTER,
                        Severity::Error,
                        format!(
                            "dx_pointers {:?}: {part:?} is not a diagnosis position (1 to 12)",
                            p.as_ref()
                        ),
                    ));
                    ok = false;
                }
            }
        }
    }
    let ndc = get(Col::Ndc, findings).map(|s| ndc::normalize(&s).unwrap_or_else(|| s.into_owned()));
    let mut ndc_quantity = get(Col::NdcQuantity, findings).and_then(|s| {
        let d = parse_decimal(&s);
        if d.is_none() {
            findings.push(ctx.finding(
                claim_id,
                row,
                Col::NdcQuantity,
                rule::BAD_NUMBER,
                Severity::Error,
                format!("ndc_quantity {s:?} is not a plain number (digits and one optional dot)"),
            ));
        }
        d
    });
    let mut ndc_unit = get(Col::NdcUnit, findings).map(|s| s.to_ascii_uppercase());
    if ndc.is_none() && (ndc_quantity.is_some() || ndc_unit.is_some()) {
        // See: 837P guide, 2410 CTP: the drug quantity is sent only with
        // the NDC it counts (LIN); without one it has nothing to describe.
        let col = if ndc_quantity.is_some() { Col::NdcQuantity } else { Col::NdcUnit };
        findings.push(ctx.finding(
            claim_id,
            row,
            col,
            rule::NDC_FACTS_IGNORED,
            Severity::Warning,
            "ndc_quantity and ndc_unit describe an NDC, and the line has none: ignored".into(),
        ));
        ndc_quantity = None;
        ndc_unit = None;
    }
    let unit = get(Col::Unit, findings).map(|s| s.to_ascii_uppercase());
    let line_id = get(Col::LineId, findings).map(Cow::into_owned).unwrap_or_default();
    if !ok {
        return None;
    }
    Some(ServiceLine {
        line_id,
        service_date: service_date?,
        service_date_end,
        procedure,
        modifiers,
        units: units?,
        unit,
        charge: charge?,
        dx_pointers,
        ndc,
        adjudications: Vec::new(),
        ndc_quantity,
        ndc_unit,
        row,
    })
}
