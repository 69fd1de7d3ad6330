//! Service line rules: line count, charges, units and their decimals, the
//! claim total, dates of service, diagnosis pointers, duplicate lines and
//! line ids. Codes on a line are checked in `codes`.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::claim::{Claim, ServiceLine};

use super::{
    Ctx, Out, ANESTHESIA_MINUTES, ANESTHESIA_UNITS, CHARGE, DOS_BEFORE_DOB, DOS_END, DOS_FUTURE,
    DUPLICATE_LINE, LINE_ID, MAX_LINES, MINUTES_NOT_ANESTHESIA, MONEY_DECIMALS, NO_LINES,
    POINTER_COUNT, POINTER_REPEATED, POINTER_TARGET, TOO_MANY_LINES, TOTAL, UNIT, UNITS,
    UNITS_DECIMALS,
};

fn decimals(d: Decimal) -> u32 {
    d.normalize().scale()
}

pub(super) fn lines(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    if c.lines.is_empty() {
        o.claim("service_date", &NO_LINES, "claim has no readable service line".into());
    }
    if c.lines.len() > MAX_LINES {
        o.claim(
            "line_id",
            &TOO_MANY_LINES,
            format!(
                "claim has {} service lines; an 837P claim holds at most {MAX_LINES}: split it into several claims at the source",
                c.lines.len()
            ),
        );
    }
    let dobs: Vec<(NaiveDate, &str)> = [
        (c.subscriber.dob, "subscriber_dob"),
        (c.patient.as_ref().and_then(|p| p.dob), "patient_dob"),
    ]
    .into_iter()
    .filter_map(|(d, col)| d.map(|d| (d, col)))
    .collect();
    // Claims have at most 50 lines, so scanning the earlier lines is cheaper
    // than hashing them; an oversized claim (held back anyway) uses maps so
    // a huge one cannot make this quadratic.
    let big = c.lines.len() > 2 * MAX_LINES;
    // The NDC is part of a line's identity: one drug from two NDCs on one
    // day is billed as one line per NDC (CMS, Medicaid), not a duplicate.
    type DupKey<'a> = (&'a str, Vec<&'a str>, NaiveDate, Option<&'a str>);
    let mut by_key: std::collections::HashMap<DupKey<'_>, u64> = Default::default();
    let mut ids: std::collections::HashSet<&str> = Default::default();
    for (i, l) in c.lines.iter().enumerate() {
        line(l, c, ctx, o, &dobs);
        let earlier = &c.lines[..i];
        let dup_of = if big {
            let mut mods: Vec<&str> = l.modifiers.iter().map(String::as_str).collect();
            mods.sort_unstable();
            let k = (l.procedure.as_str(), mods, l.service_date, l.ndc.as_deref());
            let prev = by_key.get(&k).copied();
            by_key.entry(k).or_insert(l.row);
            prev
        } else {
            earlier
                .iter()
                .find(|e| {
                    e.procedure == l.procedure
                        && same_modifiers(&e.modifiers, &l.modifiers)
                        && e.service_date == l.service_date
                        && e.ndc == l.ndc
                })
                .map(|e| e.row)
        };
        let id_dup = if big {
            !ids.insert(l.line_id.as_str())
        } else {
            earlier.iter().any(|e| e.line_id == l.line_id)
        };
        if let Some(first) = dup_of {
            o.at(
                l.row,
                "procedure",
                &DUPLICATE_LINE,
                format!(
                    "same procedure {}, modifiers, date of service and NDC as row {}; combine the units on one line or add a distinguishing modifier",
                    l.procedure, first
                ),
            );
        }
        if id_dup {
            o.at(
                l.row,
                "line_id",
                &LINE_ID,
                format!("line_id {:?} is used twice in this claim", l.line_id),
            );
        } else if l.line_id.chars().count() > 50 {
            o.at(
                l.row,
                "line_id",
                &LINE_ID,
                "line_id is longer than 50 characters (REF*6R)".into(),
            );
        }
    }
    if let Some(t) = c.stated_total {
        if decimals(t) > 2 {
            o.claim(
                "claim_total",
                &MONEY_DECIMALS,
                format!("claim_total {t} has more than 2 decimals"),
            );
        }
        let sum = c.total_charge();
        if t != sum {
            o.claim(
                "claim_total",
                &TOTAL,
                format!("claim_total {t} differs from the sum of the line charges {sum}"),
            );
        }
    }
}

/// SV103: a line is sent in units (`UN`) or, for anesthesia time, in
/// minutes (`MJ`); an anesthesia code with no `unit` is sent in minutes.
fn unit(l: &ServiceLine, o: &mut Out<'_, '_>) {
    let anesthesia = crate::claim::is_anesthesia_code(&l.procedure);
    match l.unit_code() {
        "UN" if anesthesia => o.at(
            l.row,
            "unit",
            &ANESTHESIA_UNITS,
            format!(
                "procedure {} is an anesthesia code, billed in minutes of anesthesia time: leave unit empty or set MJ, with the minutes in units",
                l.procedure
            ),
        ),
        "UN" => {}
        "MJ" => {
            if l.units.fract() != Decimal::ZERO {
                o.at(
                    l.row,
                    "units",
                    &ANESTHESIA_MINUTES,
                    format!("units {} are minutes (unit MJ) and must be whole minutes", l.units),
                );
            }
            if !anesthesia {
                o.at(
                    l.row,
                    "unit",
                    &MINUTES_NOT_ANESTHESIA,
                    format!(
                        "procedure {} is not an anesthesia code (00100-01999) but is sent in minutes (MJ); payers read it in units",
                        l.procedure
                    ),
                );
            }
        }
        u => o.at(
            l.row,
            "unit",
            &UNIT,
            format!("unit {u:?} must be UN (units) or MJ (minutes of anesthesia time)"),
        ),
    }
}

/// The same modifiers in any order (payers do not read order as meaning).
fn same_modifiers(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|m| b.contains(m)) && b.iter().all(|m| a.contains(m))
}

fn line(
    l: &ServiceLine,
    c: &Claim,
    ctx: &Ctx<'_>,
    o: &mut Out<'_, '_>,
    dobs: &[(NaiveDate, &str)],
) {
    if l.charge <= Decimal::ZERO {
        o.at(l.row, "charge", &CHARGE, format!("charge {} must be greater than 0", l.charge));
    }
    if decimals(l.charge) > 2 {
        o.at(
            l.row,
            "charge",
            &MONEY_DECIMALS,
            format!("charge {} has more than 2 decimals", l.charge),
        );
    }
    if l.units <= Decimal::ZERO {
        o.at(l.row, "units", &UNITS, format!("units {} must be greater than 0", l.units));
    }
    if decimals(l.units) > 3 {
        o.at(
            l.row,
            "units",
            &UNITS_DECIMALS,
            format!("units {} has more than 3 decimals", l.units),
        );
    }
    unit(l, o);
    let last = l.service_date_end.unwrap_or(l.service_date);
    if last > ctx.today {
        let col = if l.service_date > ctx.today { "service_date" } else { "service_date_end" };
        o.at(l.row, col, &DOS_FUTURE, format!("{col} is after the run date {}", ctx.today));
    }
    if let Some(end) = l.service_date_end {
        if end < l.service_date {
            o.at(
                l.row,
                "service_date_end",
                &DOS_END,
                "service_date_end is before service_date".into(),
            );
        }
    }
    for (dob, col) in dobs {
        if l.service_date < *dob {
            o.at(
                l.row,
                "service_date",
                &DOS_BEFORE_DOB,
                format!("service_date {} is before {col}", l.service_date),
            );
        }
    }
    if l.dx_pointers.is_empty() || l.dx_pointers.len() > 4 {
        o.at(
            l.row,
            "dx_pointers",
            &POINTER_COUNT,
            format!("a line needs 1 to 4 diagnosis pointers; found {}", l.dx_pointers.len()),
        );
    }
    if let Some((i, p)) =
        l.dx_pointers.iter().enumerate().find(|(i, p)| l.dx_pointers[..*i].contains(p))
    {
        o.at(
            l.row,
            "dx_pointers",
            &POINTER_REPEATED,
            format!("dx pointer {p} is listed twice (position {})", i + 1),
        );
    }
    for p in &l.dx_pointers {
        if *p == 0 || usize::from(*p) > c.diagnoses.len() {
            o.at(
                l.row,
                "dx_pointers",
                &POINTER_TARGET,
                format!(
                    "dx pointer {p} points at dx{p}, which is empty (the claim has {} diagnoses)",
                    c.diagnoses.len()
                ),
            );
        }
    }
}
