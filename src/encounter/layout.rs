//! Layout files: how to read an export that is not in the canonical layout.
//!
//! A layout is a small TOML file:
//!
//! ```toml
//! name = "Acme PM nightly export"   # (optional) for messages
//! date_format = "%m/%d/%Y"          # (optional) chrono strftime, every date column; default %Y-%m-%d
//! money_format = "us"               # (optional) "plain" (default: 1234.50) or "us" ($1,234.50 accepted)
//! delimiter = ";"                   # (optional) field separator: one ASCII character, "\t" for tab; default ","
//!
//! [columns]                         # canonical column = header in the export (case-insensitive)
//! claim_id = "Encounter No"
//! service_date = "DOS"
//!
//! [defaults]                        # canonical column = constant, used when the column is
//! place_of_service = "11"           # not mapped or its cell is empty
//!
//! [values.subscriber_sex]           # per column: export value -> canonical value
//! Male = "M"                        # (matched case-insensitively after trimming)
//! Female = "F"
//! ```
//!
//! With a layout, only mapped columns are read: a column the layout neither
//! maps nor defaults is "not given", even if the export happens to have a
//! header of the canonical name. This module parses and checks the file; it
//! does not read exports (that is `encounter::read`).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::format::{Item, StrftimeItems};
use serde::Deserialize;

use super::columns::Col;

/// A layout file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("{path}: cannot read layout: {cause}")]
    Io {
        /// The layout path.
        path: String,
        /// The I/O error.
        #[source]
        cause: std::io::Error,
    },
    /// Malformed TOML, an unknown key or a wrong type.
    #[error("{path}: line {line}: {message}")]
    Syntax {
        /// The layout path.
        path: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A key names no canonical column, or a value is unusable.
    #[error("{path}: {key}: {message}")]
    Value {
        /// The layout path.
        path: String,
        /// The key, e.g. `columns.claimid`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayoutFile {
    name: Option<String>,
    date_format: Option<String>,
    money_format: Option<String>,
    delimiter: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    defaults: BTreeMap<String, String>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, String>>,
}

/// A checked layout.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Name for messages (the file name when the layout gives none).
    pub name: String,
    /// chrono strftime format of every date column.
    pub date_format: String,
    /// Money cells may carry a `$` sign and `,` thousands separators
    /// (`money_format = "us"`); otherwise only plain decimals are read.
    pub money_us: bool,
    /// Field separator byte (default `,`).
    pub delimiter: u8,
    /// Canonical column -> header in the export.
    pub columns: BTreeMap<Col, String>,
    /// Canonical column -> constant used when not mapped or empty.
    pub defaults: BTreeMap<Col, String>,
    /// Canonical column -> (export value upper-cased -> canonical value).
    pub values: BTreeMap<Col, BTreeMap<String, String>>,
}

/// True when `fmt` is a usable chrono date format (no unknown `%` items).
fn is_valid_date_format(fmt: &str) -> bool {
    !fmt.is_empty() && StrftimeItems::new(fmt).all(|i| !matches!(i, Item::Error))
}

impl Layout {
    /// Reads and checks a layout file.
    pub fn load(path: &Path) -> Result<Layout, Error> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::Io { path: p.clone(), cause: source })?;
        Layout::parse(&text, &p)
    }

    /// Parses layout text; `name` is used in errors.
    pub fn parse(text: &str, name: &str) -> Result<Layout, Error> {
        let f: LayoutFile = crate::config::from_toml(text)
            .map_err(|(line, message)| Error::Syntax { path: name.to_string(), line, message })?;
        let value_err =
            |key: String, message: String| Error::Value { path: name.into(), key, message };
        let col = |table: &str, k: &str| {
            Col::from_name(k).ok_or_else(|| {
                value_err(format!("{table}.{k}"), "not a canonical encounter column".into())
            })
        };
        let mut columns = BTreeMap::new();
        for (k, v) in &f.columns {
            if v.trim().is_empty() {
                return Err(value_err(format!("columns.{k}"), "header name is empty".into()));
            }
            columns.insert(col("columns", k)?, v.trim().to_string());
        }
        let mut defaults = BTreeMap::new();
        for (k, v) in &f.defaults {
            let c = col("defaults", k)?;
            if c == Col::ClaimId {
                return Err(value_err(
                    "defaults.claim_id".into(),
                    "claim_id cannot have a default: it tells claims apart".into(),
                ));
            }
            defaults.insert(c, v.trim().to_string());
        }
        let mut values = BTreeMap::new();
        for (k, map) in &f.values {
            let c = col("values", k)?;
            values.insert(
                c,
                map.iter().map(|(from, to)| (from.trim().to_uppercase(), to.clone())).collect(),
            );
        }
        let date_format = f.date_format.unwrap_or_else(|| "%Y-%m-%d".into());
        if !is_valid_date_format(&date_format) {
            return Err(value_err(
                "date_format".into(),
                format!("{date_format:?} is not a chrono date format"),
            ));
        }
        let money_us = match f.money_format.as_deref() {
            None | Some("plain") => false,
            Some("us") => true,
            Some(other) => {
                return Err(value_err(
                    "money_format".into(),
                    format!("{other:?}: use \"plain\" (1234.50) or \"us\" ($1,234.50)"),
                ))
            }
        };
        let delimiter = match f.delimiter.as_deref() {
            None => b',',
            Some(d)
                if d.len() == 1
                    && d.is_ascii()
                    && !d.as_bytes()[0].is_ascii_alphanumeric()
                    && d != "\"" =>
            {
                d.as_bytes()[0]
            }
            Some(d) => {
                return Err(value_err(
                    "delimiter".into(),
                    format!(
                    "{d:?}: use one punctuation character such as \",\", \";\", \"|\" or \"\\t\""
                ),
                ))
            }
        };
        let missing: Vec<&str> = super::columns::ALL
            .iter()
            .filter(|c| c.spec().required && !columns.contains_key(c) && !defaults.contains_key(c))
            .map(|c| c.name())
            .collect();
        if !missing.is_empty() {
            return Err(value_err(
                "columns".into(),
                format!("required columns neither mapped nor defaulted: {}", missing.join(", ")),
            ));
        }
        let name = f.name.unwrap_or_else(|| {
            Path::new(name)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        Ok(Layout { name, date_format, money_us, delimiter, columns, defaults, values })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> String {
        let mut s = String::from("date_format = \"%m/%d/%Y\"\n[columns]\n");
        for c in super::super::columns::ALL.iter().filter(|c| c.spec().required) {
            s.push_str(&format!("{} = \"X {}\"\n", c.name(), c.name()));
        }
        s
    }

    #[test]
    fn parses_mapping_defaults_and_values() {
        let text = minimal()
            + "[defaults]\nplace_of_service = \"11\"\n[values.subscriber_sex]\nMale = \"M\"\n";
        let l = Layout::parse(&text, "dir/acme.toml").unwrap();
        assert_eq!(l.name, "acme.toml");
        assert_eq!(l.date_format, "%m/%d/%Y");
        assert_eq!(l.columns[&Col::ClaimId], "X claim_id");
        assert_eq!(l.defaults[&Col::PlaceOfService], "11");
        assert_eq!(l.values[&Col::SubscriberSex]["MALE"], "M");
    }

    #[test]
    fn rejects_unknown_column_and_missing_required() {
        let e =
            Layout::parse(&(minimal() + "claimid = \"x\"\n"), "l.toml").unwrap_err().to_string();
        assert!(e.contains("columns.claimid"), "{e}");
        let e = Layout::parse("[columns]\nclaim_id = \"A\"\n", "l.toml").unwrap_err().to_string();
        assert!(e.contains("billing_npi"), "{e}");
        let e =
            Layout::parse(&minimal().replace("%m/%d/%Y", "%Q"), "l.toml").unwrap_err().to_string();
        assert!(e.contains("date_format"), "{e}");
        let e = Layout::parse(
            &minimal().replace("[columns]", "money_format = \"eu\"\n[columns]"),
            "l.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("money_format"), "{e}");
        let l = Layout::parse(
            &minimal().replace("[columns]", "delimiter = \"\\t\"\n[columns]"),
            "l.toml",
        )
        .unwrap();
        assert_eq!(l.delimiter, b'\t');
        let e = Layout::parse(
            &minimal().replace("[columns]", "delimiter = \"ab\"\n[columns]"),
            "l.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("delimiter"), "{e}");
        let e = Layout::parse(&(minimal() + "colour = 1\n"), "l.toml").unwrap_err().to_string();
        assert!(e.contains("line"), "{e}");
    }
}
