//! Mapping a file's header to canonical columns (directly, or through a
//! [`Layout`]), and reading one cell through that mapping: decoded, trimmed,
//! defaulted and value-mapped. It does not parse values into dates or numbers.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::finding::{Finding, Severity};

use super::record::Fields;
use super::{columns, not_csv, rule, Col, Error, Layout};

/// Where each canonical column comes from.
pub(super) struct Mapping {
    pub(super) source: Vec<Option<usize>>,
    pub(super) defaults: Vec<Option<String>>,
    values: Vec<Option<HashMap<String, String>>>,
    pub(super) labels: Vec<String>,
    pub(super) date_format: String,
    pub(super) money_us: bool,
    /// One past the last field a claim-level column (other than claim_id)
    /// is read from; `None` when none is.
    pub(super) claim_end: Option<usize>,
}

impl Mapping {
    /// The field index of `col` when its cell is read as is: mapped, with
    /// no layout default and no value table.
    pub(super) fn plain(&self, col: Col) -> Option<usize> {
        let c = col as usize;
        self.source[c].filter(|_| self.defaults[c].is_none() && self.values[c].is_none())
    }
}

/// Context for turning cells into findings.
pub(super) struct Ctx<'a> {
    pub(super) file: &'a str,
    pub(super) map: &'a Mapping,
}

impl Ctx<'_> {
    pub(super) fn finding(
        &self,
        claim_id: &str,
        row: u64,
        col: Col,
        rule: &'static str,
        severity: Severity,
        message: String,
    ) -> Finding {
        Finding::new(rule, severity, message)
            .in_file(self.file)
            .at_row(row, self.map.labels[col as usize].as_str())
            .for_claim(claim_id)
    }

    /// The value of `col` in `rec`: decoded, trimmed, defaulted, mapped.
    /// `Err` when the cell is not UTF-8.
    pub(super) fn cell<'r, R: Fields + ?Sized>(
        &'r self,
        rec: &'r R,
        col: Col,
    ) -> Result<Option<Cow<'r, str>>, ()> {
        let c = col as usize;
        let mut v: Option<Cow<'r, str>> = None;
        if let Some(i) = self.map.source[c] {
            if let Some(raw) = rec.field_str(i) {
                let s = crate::values::trimmed(raw?);
                if !s.is_empty() {
                    v = Some(Cow::Borrowed(s));
                }
            }
        }
        if v.is_none() {
            v = self.map.defaults[c].as_deref().filter(|d| !d.is_empty()).map(Cow::Borrowed);
        }
        if let (Some(val), Some(table)) = (&v, &self.map.values[c]) {
            if let Some(to) = table.get(&val.to_uppercase()) {
                v = Some(Cow::Borrowed(to.as_str()));
            }
        }
        Ok(v)
    }
}

pub(super) fn not_utf8(ctx: &Ctx<'_>, claim_id: &str, row: u64, col: Col) -> Finding {
    ctx.finding(
        claim_id,
        row,
        col,
        rule::NOT_UTF8,
        Severity::Error,
        format!("{} is not UTF-8 text; re-export the file as UTF-8", col.name()),
    )
}

pub(super) fn build_mapping(
    file: &str,
    header: &[String],
    layout: Option<&Layout>,
) -> Result<(Mapping, Vec<String>), Error> {
    build_mapping_for(file, header, layout, |c| c.spec().required)
}

/// [`build_mapping`] with the columns a canonical header must have chosen
/// by `required` (a schedule export needs fewer than a claim export).
pub(super) fn build_mapping_for(
    file: &str,
    header: &[String],
    layout: Option<&Layout>,
    required: impl Fn(Col) -> bool,
) -> Result<(Mapping, Vec<String>), Error> {
    let n = columns::COLUMNS.len();
    let mut map = Mapping {
        source: vec![None; n],
        defaults: vec![None; n],
        values: vec![None; n],
        labels: columns::ALL.iter().map(|c| c.name().to_string()).collect(),
        date_format: "%Y-%m-%d".into(),
        money_us: false,
        claim_end: None,
    };
    let mut used = vec![false; header.len()];
    let find = |name: &str| -> Result<Option<usize>, Error> {
        let mut hits =
            header.iter().enumerate().filter(|(_, h)| h.eq_ignore_ascii_case(name.trim()));
        let first = hits.next().map(|(i, _)| i);
        if hits.next().is_some() {
            return Err(Error::DuplicateColumn { path: file.into(), column: name.to_string() });
        }
        Ok(first)
    };
    match layout {
        None => {
            let mut seen = HashSet::new();
            for h in header {
                if Col::from_name(h).is_some() && !seen.insert(h.to_ascii_lowercase()) {
                    return Err(Error::DuplicateColumn { path: file.into(), column: h.clone() });
                }
            }
            for (i, h) in header.iter().enumerate() {
                if let Some(c) = Col::from_name(h) {
                    map.source[c as usize] = Some(i);
                    map.labels[c as usize] = h.clone();
                    used[i] = true;
                }
            }
            let missing: Vec<&str> = columns::ALL
                .iter()
                .filter(|c| required(**c) && map.source[**c as usize].is_none())
                .map(|c| c.name())
                .collect();
            if !missing.is_empty() {
                if header.len() <= 1 {
                    return Err(not_csv(
                        file,
                        "the header has no comma-separated columns (is this a CSV export?)",
                    ));
                }
                return Err(Error::MissingColumns {
                    path: file.into(),
                    columns: missing.join(", "),
                });
            }
        }
        Some(l) => {
            map.date_format = l.date_format.clone();
            map.money_us = l.money_us;
            for (c, h) in &l.columns {
                match find(h)? {
                    Some(i) => {
                        map.source[*c as usize] = Some(i);
                        map.labels[*c as usize] = header[i].clone();
                        used[i] = true;
                    }
                    None => {
                        if header.len() <= 1 {
                            return Err(not_csv(
                                file,
                                "the header has no comma-separated columns (is this a CSV export?)",
                            ));
                        }
                        return Err(Error::LayoutHeaderMissing {
                            path: file.into(),
                            layout: l.name.clone(),
                            column: c.name().into(),
                            header: h.clone(),
                        });
                    }
                }
            }
            for (c, v) in &l.defaults {
                map.defaults[*c as usize] = Some(v.clone());
                if map.source[*c as usize].is_none() {
                    map.labels[*c as usize] = format!("{} (layout default)", c.name());
                }
            }
            for (c, table) in &l.values {
                map.values[*c as usize] =
                    Some(table.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
            }
        }
    }
    map.claim_end = columns::ALL[1..columns::CLAIM_LEVEL]
        .iter()
        .filter_map(|c| map.source[*c as usize])
        .max()
        .map(|i| i + 1);
    let unknown = header
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(h, _)| if h.is_empty() { "(blank header)".to_string() } else { h.clone() })
        .collect();
    Ok((map, unknown))
}
