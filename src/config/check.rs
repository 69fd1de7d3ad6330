//! Normalizing and checking a parsed `claimflow.toml`: interchange values,
//! billing providers, payers and reconcile settings, each error naming its
//! key. It does not parse TOML (that is `Config::parse`).

use super::{is_po_box, Config, Entity, Error};

/// True for a CARC code's shape: 1 to 3 characters, `A`-`Z` or `0`-`9`.
fn is_carc(code: &str) -> bool {
    (1..=3).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// SBR09 claim filing indicator codes of the 837P guide.
const FILING_INDICATORS: &[&str] = &[
    "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI", "HM", "LM", "MA",
    "MB", "MC", "OF", "TV", "VA", "WC", "ZZ",
];

/// The error of key `key` in config file `.0`.
struct ErrAt<'a>(&'a str);

impl ErrAt<'_> {
    fn at(&self, key: String, message: String) -> Error {
        Error::Value { path: self.0.to_string(), key, message }
    }
}

impl Config {
    /// Normalizes the parsed values (phone digits, tax ids and ZIPs without
    /// dashes) and checks them section by section; the first problem is the
    /// error, naming its key.
    pub(super) fn normalize_and_check(&mut self, name: &str) -> Result<(), Error> {
        let err = ErrAt(name);
        self.check_interchange(&err)?;
        self.check_submitter(&err)?;
        self.check_billing_providers(&err)?;
        self.check_payers(&err)?;
        self.check_reconcile(&err)
    }

    /// `[interchange]`: usage, ids, delimiters, batch size, control numbers.
    fn check_interchange(&self, err: &ErrAt<'_>) -> Result<(), Error> {
        let i = &self.interchange;
        if !matches!(i.usage.as_str(), "T" | "P") {
            return Err(err.at(
                "interchange.usage".into(),
                format!("must be \"T\" or \"P\", found {:?}", i.usage),
            ));
        }
        for (key, v, w) in [
            ("interchange.sender_qualifier", &i.sender_qualifier, 2),
            ("interchange.sender_id", &i.sender_id, 15),
            ("interchange.receiver_qualifier", &i.receiver_qualifier, 2),
            ("interchange.receiver_id", &i.receiver_id, 15),
        ] {
            if v.is_empty() || v.len() > w {
                return Err(
                    err.at(key.into(), format!("must be 1 to {w} characters, found {}", v.len()))
                );
            }
        }
        let delims = [
            ("element", &i.element),
            ("component", &i.component),
            ("repetition", &i.repetition),
            ("segment", &i.segment),
        ];
        for (key, v) in delims {
            if v.len() != 1 || v.as_bytes()[0].is_ascii_alphanumeric() || v == " " {
                return Err(err.at(
                    format!("interchange.{key}"),
                    format!("must be one punctuation character, found {v:?}"),
                ));
            }
        }
        let mut bytes: Vec<u8> = delims.iter().map(|(_, v)| v.as_bytes()[0]).collect();
        bytes.sort_unstable();
        bytes.dedup();
        if bytes.len() != 4 {
            return Err(err.at("interchange".into(), "element, component, repetition and segment delimiters must be four different characters".into()));
        }
        if i.max_claims_per_transaction == 0 || i.max_claims_per_transaction > 5000 {
            return Err(
                err.at("interchange.max_claims_per_transaction".into(), "must be 1 to 5000".into())
            );
        }
        if i.control_number_start.is_some_and(|n| n == 0 || n > 999_999_999) {
            return Err(err.at(
                "interchange.control_number_start".into(),
                "must be 1 to 999999999 (ISA13 has nine digits)".into(),
            ));
        }
        Ok(())
    }

    /// `[submitter]`: a contact is given; the phone is kept as digits.
    fn check_submitter(&mut self, err: &ErrAt<'_>) -> Result<(), Error> {
        if self.submitter.phone.is_none() && self.submitter.email.is_none() {
            return Err(err.at(
                "submitter".into(),
                "give a phone or an email for the submitter contact".into(),
            ));
        }
        if let Some(phone) = &mut self.submitter.phone {
            *phone = phone.chars().filter(char::is_ascii_digit).collect();
        }
        Ok(())
    }

    /// `[[billing_provider]]`: entity names, street addresses, pay-to, NPIs (each once).
    fn check_billing_providers(&mut self, err: &ErrAt<'_>) -> Result<(), Error> {
        for (n, bp) in self.billing_provider.iter_mut().enumerate() {
            bp.tax_id = bp.tax_id.replace('-', "");
            bp.zip = bp.zip.replace('-', "");
            let key = |k: &str| format!("billing_provider[{n}].{k}");
            let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
            match bp.entity {
                Entity::Organization => {
                    if bp.name.trim().is_empty() {
                        return Err(err.at(key("name"), "an organization needs its name (or set entity = \"person\" with last_name and first_name)".into()));
                    }
                    if bp.last_name.is_some() || bp.first_name.is_some() {
                        return Err(err.at(key("entity"), "last_name and first_name are for entity = \"person\"; an organization has a name".into()));
                    }
                }
                Entity::Person => {
                    if !given(&bp.last_name) || !given(&bp.first_name) {
                        return Err(err.at(
                            key("last_name"),
                            "entity = \"person\" needs last_name and first_name".into(),
                        ));
                    }
                    if !bp.name.is_empty() {
                        return Err(err.at(key("name"), "entity = \"person\" is named by last_name and first_name; leave name out".into()));
                    }
                }
            }
            for (k, line) in [("address1", Some(&bp.address1)), ("address2", bp.address2.as_ref())]
            {
                if line.is_some_and(|l| is_po_box(l)) {
                    return Err(err.at(key(k), format!("{:?} is a PO or lock box: the billing provider needs a street address (the 837P guide); put the box in [billing_provider.pay_to]", line.map(String::as_str).unwrap_or_default())));
                }
            }
            if let Some(pt) = &mut bp.pay_to {
                pt.zip = pt.zip.replace('-', "");
                if !matches!(pt.zip.len(), 5 | 9) || !pt.zip.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err.at(
                        key("pay_to.zip"),
                        format!("must be 5 or 9 digits, found {:?}", pt.zip),
                    ));
                }
                for (k, v) in [("address1", &pt.address1), ("city", &pt.city), ("state", &pt.state)]
                {
                    if v.trim().is_empty() {
                        return Err(err.at(key(&format!("pay_to.{k}")), "is required".into()));
                    }
                }
            }
            if bp.npi.len() != 10 || !bp.npi.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err.at(
                    format!("billing_provider[{n}].npi"),
                    format!("must be 10 digits, found {:?}", bp.npi),
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for bp in &self.billing_provider {
            if !seen.insert(bp.npi.clone()) {
                return Err(
                    err.at("billing_provider.npi".into(), format!("{} is listed twice", bp.npi))
                );
            }
        }
        Ok(())
    }

    /// `[[payer]]`: ids once, filing indicators, day counts, and aliases that name one payer each.
    fn check_payers(&self, err: &ErrAt<'_>) -> Result<(), Error> {
        let mut seen = std::collections::HashSet::new();
        for (n, p) in self.payer.iter().enumerate() {
            if !seen.insert(p.id.clone()) {
                return Err(err.at(format!("payer[{n}].id"), format!("{} is listed twice", p.id)));
            }
            if !FILING_INDICATORS.contains(&p.filing_indicator.as_str()) {
                return Err(err.at(
                    format!("payer[{n}].filing_indicator"),
                    format!("{:?} is not an 837P claim filing indicator code", p.filing_indicator),
                ));
            }
            for (key, days) in [
                ("ack_days", p.ack_days),
                ("expected_days_to_pay", p.expected_days_to_pay),
                ("eligibility_max_age_days", p.eligibility_max_age_days),
            ] {
                if days == Some(0) {
                    return Err(err.at(
                        format!("payer[{n}].{key}"),
                        "must be a positive number of days, found 0".into(),
                    ));
                }
            }
        }
        // Every payer id and alias names one payer only: a remittance's
        // payer must not be ambiguous.
        let mut names: std::collections::HashMap<&str, usize> =
            self.payer.iter().enumerate().map(|(n, p)| (p.id.as_str(), n)).collect();
        for (n, p) in self.payer.iter().enumerate() {
            for (a, alias) in p.aliases.iter().enumerate() {
                let key = format!("payer[{n}].aliases[{a}]");
                if alias.trim().is_empty() || alias.trim() != alias {
                    return Err(err.at(
                        key,
                        format!("must be a payer id without surrounding spaces, found {alias:?}"),
                    ));
                }
                if let Some(&other) = names.get(alias.as_str()) {
                    if other != n || alias == &p.id {
                        return Err(err.at(
                            key,
                            format!("{alias} already names payer {}", self.payer[other].id),
                        ));
                    }
                    return Err(err.at(key, format!("{alias} is listed twice")));
                }
                names.insert(alias, n);
            }
        }
        Ok(())
    }

    /// `[reconcile]`: the contractual CARC codes.
    fn check_reconcile(&self, err: &ErrAt<'_>) -> Result<(), Error> {
        for (i, code) in self.reconcile.contractual_carcs.iter().enumerate() {
            if !is_carc(code) {
                return Err(err.at(
                    format!("reconcile.contractual_carcs[{i}]"),
                    format!("must be a CARC code: 1 to 3 characters A-Z or 0-9, found {code:?}"),
                ));
            }
        }
        Ok(())
    }
}
