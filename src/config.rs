//! `claimflow.toml`: who sends, to whom, for which billing providers and payers.
//!
//! Every key is described in `docs/config.md`. Unknown keys are errors (a typo must not
//! silently drop a setting) and every error names the file, key and line.
//! This module reads and checks the file's shape; it does not apply payer
//! rules (that is `scrub`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use crate::claim::Entity;

/// A config that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be read.
    #[error("{path}: cannot read config: {cause}")]
    Io {
        /// The config path.
        path: String,
        /// The I/O error.
        cause: std::io::Error,
    },
    /// The TOML is malformed, has an unknown key or a wrong type.
    #[error("{path}: line {line}: {message}")]
    Syntax {
        /// The config path.
        path: String,
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// What is wrong, naming the key.
        message: String,
    },
    /// A value is present but unusable.
    #[error("{path}: {key}: {message}")]
    Value {
        /// The config path.
        path: String,
        /// The key, e.g. `billing_provider[0].zip`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// The whole config file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// ISA/GS envelope settings.
    pub interchange: Interchange,
    /// Loop 1000A.
    pub submitter: Submitter,
    /// Loop 1000B.
    pub receiver: Receiver,
    /// Billing providers, looked up by NPI.
    #[serde(default)]
    pub billing_provider: Vec<BillingProviderConfig>,
    /// Payers, looked up by payer id.
    #[serde(default)]
    pub payer: Vec<PayerConfig>,
    /// `[reconcile]`: how remittances are read (optional).
    #[serde(default)]
    pub reconcile: ReconcileConfig,
    /// Where the file was read from (set by [`Config::load`]).
    #[serde(skip)]
    pub path: PathBuf,
}

fn default_element() -> String {
    "*".into()
}
fn default_component() -> String {
    ":".into()
}
fn default_repetition() -> String {
    "^".into()
}
fn default_segment() -> String {
    "~".into()
}
fn default_true() -> bool {
    true
}
fn default_max_claims() -> usize {
    5000
}

/// `[interchange]`: ISA05-ISA08, ISA15, GS02/GS03 and output delimiters.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interchange {
    /// ISA05.
    pub sender_qualifier: String,
    /// ISA06 (padded to 15 by the writer).
    pub sender_id: String,
    /// ISA07.
    pub receiver_qualifier: String,
    /// ISA08.
    pub receiver_id: String,
    /// ISA15: `T` test or `P` production.
    pub usage: String,
    /// GS02 (default: `sender_id`).
    pub gs_sender: Option<String>,
    /// GS03 (default: `receiver_id`).
    pub gs_receiver: Option<String>,
    /// Output element separator.
    #[serde(default = "default_element")]
    pub element: String,
    /// Output component separator.
    #[serde(default = "default_component")]
    pub component: String,
    /// Output repetition separator.
    #[serde(default = "default_repetition")]
    pub repetition: String,
    /// Output segment terminator.
    #[serde(default = "default_segment")]
    pub segment: String,
    /// A line break after each segment terminator.
    #[serde(default = "default_true")]
    pub newline: bool,
    /// CLM count at which a new ST/SE starts (the 837P guide: at most 5000).
    #[serde(default = "default_max_claims")]
    pub max_claims_per_transaction: usize,
    /// The first ISA13/GS06 a new ledger hands out (1 to 999999999), for a
    /// practice moving from another system; ignored once the ledger has
    /// issued numbers.
    #[serde(default)]
    pub control_number_start: Option<u32>,
}

impl Interchange {
    /// GS02: `gs_sender`, else `sender_id`.
    pub(crate) fn gs_sender(&self) -> &str {
        self.gs_sender.as_deref().unwrap_or(&self.sender_id)
    }

    /// GS03: `gs_receiver`, else `receiver_id`.
    pub(crate) fn gs_receiver(&self) -> &str {
        self.gs_receiver.as_deref().unwrap_or(&self.receiver_id)
    }
}

/// `[submitter]`: loop 1000A.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Submitter {
    /// NM103 name.
    pub name: String,
    /// NM109 id (qualifier 46).
    pub id: String,
    /// PER02 contact name.
    pub contact_name: String,
    /// PER telephone (digits), optional when email is given.
    pub phone: Option<String>,
    /// PER email, optional when phone is given.
    pub email: Option<String>,
}

/// `[receiver]`: loop 1000B.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receiver {
    /// NM103 name.
    pub name: String,
    /// NM109 id (qualifier 46).
    pub id: String,
}

/// `[[billing_provider]]`: loop 2010AA.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillingProviderConfig {
    /// NPI (rows name the provider by it).
    pub npi: String,
    /// `organization` (the default) or `person` (a sole practitioner billing
    /// under their own NPI: `last_name` and `first_name` replace `name`).
    #[serde(default)]
    pub entity: Entity,
    /// Organization name (organizations only).
    #[serde(default)]
    pub name: String,
    /// The person's last name (persons only).
    pub last_name: Option<String>,
    /// The person's first name (persons only).
    pub first_name: Option<String>,
    /// EIN, 9 digits (a dash is accepted and removed by [`Config::load`]).
    pub tax_id: String,
    /// PRV*BI taxonomy.
    pub taxonomy: Option<String>,
    /// N301.
    pub address1: String,
    /// N302.
    pub address2: Option<String>,
    /// N401.
    pub city: String,
    /// N402.
    pub state: String,
    /// N403, 9 digits for a billing provider (dash removed on load).
    pub zip: String,
    /// Loop 2010AB: where payments go when not the address above (a PO or
    /// lock box belongs here, never in the billing provider's address).
    pub pay_to: Option<PayToConfig>,
}

/// `[billing_provider.pay_to]`: loop 2010AB pay-to address.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayToConfig {
    /// N301.
    pub address1: String,
    /// N302.
    pub address2: Option<String>,
    /// N401.
    pub city: String,
    /// N402.
    pub state: String,
    /// N403, 5 or 9 digits (dash removed on load).
    pub zip: String,
}

/// True when an address line is a post office box, drawer or lock box,
/// which the 837P guide does not allow as a billing provider's address
/// (loop 2010AA): "PO Box 12", "P.O. Box 12", "Post Office Box", "Lockbox".
pub(crate) fn is_po_box(line: &str) -> bool {
    let letters: String = line
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    [
        "POBOX",
        "POSTOFFICEBOX",
        "PODRAWER",
        "POSTOFFICEDRAWER",
        "POB0",
        "POB1",
        "POB2",
        "POB3",
        "POB4",
        "POB5",
        "POB6",
        "POB7",
        "POB8",
        "POB9",
    ]
    .iter()
    .any(|p| letters.starts_with(p))
        || letters.contains("LOCKBOX")
}

/// `[[payer]]`: loop 2010BB and the payer's rules.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayerConfig {
    /// Payer id (NM109, qualifier PI); rows name the payer by it.
    pub id: String,
    /// Payer name.
    pub name: String,
    /// SBR09 claim filing indicator.
    pub filing_indicator: String,
    /// Days from date of service after which a line is too old to file.
    pub timely_filing_days: Option<u32>,
    /// Procedure codes that need a prior authorization on the claim.
    #[serde(default)]
    pub prior_auth_required: Vec<String>,
    /// Other ids this payer uses in its 835s (TRN03, REF*2U, N1*PR N104),
    /// 999s and 277CAs.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Days after sending within which a 999/277CA is expected.
    pub ack_days: Option<u32>,
    /// Days after acceptance within which an 835 is expected.
    pub expected_days_to_pay: Option<u32>,
}

/// The CO adjustment reasons (CARCs) that are contractual write-offs when
/// the config does not list them: 45 (the fee schedule or contracted rate
/// is below the charge) and 253 (the federal sequestration cut).
pub const DEFAULT_CONTRACTUAL_CARCS: [&str; 2] = ["45", "253"];

fn default_contractual_carcs() -> Vec<String> {
    DEFAULT_CONTRACTUAL_CARCS.iter().map(|c| c.to_string()).collect()
}

/// `[reconcile]`: how 835 adjustments are reported.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconcileConfig {
    /// CO adjustment reasons that are contractual write-offs; any other CO
    /// adjustment is reported as denied.
    #[serde(default = "default_contractual_carcs")]
    pub contractual_carcs: Vec<String>,
}

impl Default for ReconcileConfig {
    fn default() -> ReconcileConfig {
        ReconcileConfig { contractual_carcs: default_contractual_carcs() }
    }
}

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

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|source| Error::Io { path: p.clone(), cause: source })?;
        Config::parse(&text, &p)
    }

    /// Parses config text; `name` is used in errors.
    pub fn parse(text: &str, name: &str) -> Result<Config, Error> {
        let mut cfg: Config = toml::from_str(text).map_err(|e| Error::Syntax {
            path: name.to_string(),
            line: e.span().map(|s| line_of(text, s.start)).unwrap_or(0),
            message: e.message().to_string(),
        })?;
        cfg.path = PathBuf::from(name);
        cfg.normalize_and_check(name)?;
        Ok(cfg)
    }

    fn normalize_and_check(&mut self, name: &str) -> Result<(), Error> {
        let err =
            |key: String, message: String| Error::Value { path: name.to_string(), key, message };
        let i = &self.interchange;
        if !matches!(i.usage.as_str(), "T" | "P") {
            return Err(err(
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
                return Err(err(
                    key.into(),
                    format!("must be 1 to {w} characters, found {}", v.len()),
                ));
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
                return Err(err(
                    format!("interchange.{key}"),
                    format!("must be one punctuation character, found {v:?}"),
                ));
            }
        }
        let mut bytes: Vec<u8> = delims.iter().map(|(_, v)| v.as_bytes()[0]).collect();
        bytes.sort_unstable();
        bytes.dedup();
        if bytes.len() != 4 {
            return Err(err("interchange".into(), "element, component, repetition and segment delimiters must be four different characters".into()));
        }
        if i.max_claims_per_transaction == 0 || i.max_claims_per_transaction > 5000 {
            return Err(err(
                "interchange.max_claims_per_transaction".into(),
                "must be 1 to 5000".into(),
            ));
        }
        if i.control_number_start.is_some_and(|n| n == 0 || n > 999_999_999) {
            return Err(err(
                "interchange.control_number_start".into(),
                "must be 1 to 999999999 (ISA13 has nine digits)".into(),
            ));
        }
        if self.submitter.phone.is_none() && self.submitter.email.is_none() {
            return Err(err(
                "submitter".into(),
                "give a phone or an email for the submitter contact".into(),
            ));
        }
        if let Some(phone) = &mut self.submitter.phone {
            *phone = phone.chars().filter(char::is_ascii_digit).collect();
        }
        for (n, bp) in self.billing_provider.iter_mut().enumerate() {
            bp.tax_id = bp.tax_id.replace('-', "");
            bp.zip = bp.zip.replace('-', "");
            let key = |k: &str| format!("billing_provider[{n}].{k}");
            let given = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
            match bp.entity {
                Entity::Organization => {
                    if bp.name.trim().is_empty() {
                        return Err(err(key("name"), "an organization needs its name (or set entity = \"person\" with last_name and first_name)".into()));
                    }
                    if bp.last_name.is_some() || bp.first_name.is_some() {
                        return Err(err(key("entity"), "last_name and first_name are for entity = \"person\"; an organization has a name".into()));
                    }
                }
                Entity::Person => {
                    if !given(&bp.last_name) || !given(&bp.first_name) {
                        return Err(err(
                            key("last_name"),
                            "entity = \"person\" needs last_name and first_name".into(),
                        ));
                    }
                    if !bp.name.is_empty() {
                        return Err(err(key("name"), "entity = \"person\" is named by last_name and first_name; leave name out".into()));
                    }
                }
            }
            for (k, line) in [("address1", Some(&bp.address1)), ("address2", bp.address2.as_ref())]
            {
                if line.is_some_and(|l| is_po_box(l)) {
                    return Err(err(key(k), format!("{:?} is a PO or lock box: the billing provider needs a street address (the 837P guide); put the box in [billing_provider.pay_to]", line.map(String::as_str).unwrap_or_default())));
                }
            }
            if let Some(pt) = &mut bp.pay_to {
                pt.zip = pt.zip.replace('-', "");
                if !matches!(pt.zip.len(), 5 | 9) || !pt.zip.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err(
                        key("pay_to.zip"),
                        format!("must be 5 or 9 digits, found {:?}", pt.zip),
                    ));
                }
                for (k, v) in [("address1", &pt.address1), ("city", &pt.city), ("state", &pt.state)]
                {
                    if v.trim().is_empty() {
                        return Err(err(key(&format!("pay_to.{k}")), "is required".into()));
                    }
                }
            }
            if bp.npi.len() != 10 || !bp.npi.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(
                    format!("billing_provider[{n}].npi"),
                    format!("must be 10 digits, found {:?}", bp.npi),
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for bp in &self.billing_provider {
            if !seen.insert(bp.npi.clone()) {
                return Err(err(
                    "billing_provider.npi".into(),
                    format!("{} is listed twice", bp.npi),
                ));
            }
        }
        seen.clear();
        for (n, p) in self.payer.iter().enumerate() {
            if !seen.insert(p.id.clone()) {
                return Err(err(format!("payer[{n}].id"), format!("{} is listed twice", p.id)));
            }
            if !FILING_INDICATORS.contains(&p.filing_indicator.as_str()) {
                return Err(err(
                    format!("payer[{n}].filing_indicator"),
                    format!("{:?} is not an 837P claim filing indicator code", p.filing_indicator),
                ));
            }
            for (key, days) in
                [("ack_days", p.ack_days), ("expected_days_to_pay", p.expected_days_to_pay)]
            {
                if days == Some(0) {
                    return Err(err(
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
                    return Err(err(
                        key,
                        format!("must be a payer id without surrounding spaces, found {alias:?}"),
                    ));
                }
                if let Some(&other) = names.get(alias.as_str()) {
                    if other != n || alias == &p.id {
                        return Err(err(
                            key,
                            format!("{alias} already names payer {}", self.payer[other].id),
                        ));
                    }
                    return Err(err(key, format!("{alias} is listed twice")));
                }
                names.insert(alias, n);
            }
        }
        for (i, code) in self.reconcile.contractual_carcs.iter().enumerate() {
            if !is_carc(code) {
                return Err(err(
                    format!("reconcile.contractual_carcs[{i}]"),
                    format!("must be a CARC code: 1 to 3 characters A-Z or 0-9, found {code:?}"),
                ));
            }
        }
        Ok(())
    }

    /// The billing provider with this NPI.
    pub(crate) fn billing_provider(&self, npi: &str) -> Option<&BillingProviderConfig> {
        self.billing_provider.iter().find(|b| b.npi == npi.trim())
    }

    /// The payer with this id.
    pub(crate) fn payer(&self, id: &str) -> Option<&PayerConfig> {
        self.payer.iter().find(|p| p.id == id.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
[interchange]
sender_qualifier = "ZZ"
sender_id = "DEMOSUBMITTER"
receiver_qualifier = "ZZ"
receiver_id = "DEMOCLEARING"
usage = "T"

[submitter]
name = "Demo Medical Group"
id = "DEMO01"
contact_name = "Billing Office"
phone = "555-555-0100"

[receiver]
name = "Demo Clearinghouse"
id = "DEMOCLEARING"

[[billing_provider]]
npi = "1234567893"
name = "Demo Medical Group"
tax_id = "12-3456789"
address1 = "100 Main St"
city = "Springfield"
state = "IL"
zip = "62701-0001"

[[payer]]
id = "DEMOPAYER1"
name = "Demo Health Plan"
filing_indicator = "CI"
"#;

    #[test]
    fn reads_example_and_normalizes() {
        let c = Config::parse(EXAMPLE, "claimflow.toml").unwrap();
        assert_eq!(c.billing_provider[0].tax_id, "123456789");
        assert_eq!(c.billing_provider[0].zip, "627010001");
        assert_eq!(c.interchange.gs_sender(), "DEMOSUBMITTER");
        assert_eq!(c.interchange.max_claims_per_transaction, 5000);
        assert!(c.payer("DEMOPAYER1").is_some());
    }

    #[test]
    fn reads_a_person_billing_provider_with_a_pay_to_address() {
        let text = EXAMPLE.replace(
            "name = \"Demo Medical Group\"\ntax_id",
            "entity = \"person\"\nlast_name = \"Rivera\"\nfirst_name = \"Ana\"\ntax_id",
        ) + "\n[billing_provider.pay_to]\naddress1 = \"PO Box 4410\"\ncity = \"Springfield\"\nstate = \"IL\"\nzip = \"62705-4410\"\n";
        // The pay_to table must follow its billing provider.
        let text = text.replacen(
            "\n[[payer]]\nid = \"DEMOPAYER1\"\nname = \"Demo Health Plan\"\nfiling_indicator = \"CI\"\n",
            "\n",
            1,
        ) + "\n[[payer]]\nid = \"DEMOPAYER1\"\nname = \"Demo Health Plan\"\nfiling_indicator = \"CI\"\n";
        let c = Config::parse(&text, "c.toml").unwrap();
        let bp = &c.billing_provider[0];
        assert_eq!(bp.entity, Entity::Person);
        assert_eq!(
            (bp.last_name.as_deref(), bp.first_name.as_deref()),
            (Some("Rivera"), Some("Ana"))
        );
        assert_eq!(bp.pay_to.as_ref().unwrap().zip, "627054410");
    }

    #[test]
    fn billing_provider_entity_names_and_street_address_are_checked() {
        for (from, to, key, words) in [
            (
                "address1 = \"100 Main St\"",
                "address1 = \"P.O. Box 12\"",
                "billing_provider[0].address1",
                "PO or lock box",
            ),
            (
                "address1 = \"100 Main St\"",
                "address1 = \"100 Main St\"\naddress2 = \"Lockbox 7731\"",
                "billing_provider[0].address2",
                "PO or lock box",
            ),
            (
                "name = \"Demo Medical Group\"\ntax_id",
                "entity = \"person\"\nlast_name = \"Rivera\"\ntax_id",
                "billing_provider[0].last_name",
                "needs last_name and first_name",
            ),
            (
                "name = \"Demo Medical Group\"\ntax_id",
                "entity = \"person\"\nname = \"X\"\nlast_name = \"R\"\nfirst_name = \"A\"\ntax_id",
                "billing_provider[0].name",
                "leave name out",
            ),
            (
                "name = \"Demo Medical Group\"\ntax_id",
                "name = \"Demo\"\nlast_name = \"R\"\ntax_id",
                "billing_provider[0].entity",
                "for entity = \"person\"",
            ),
            (
                "name = \"Demo Medical Group\"\ntax_id",
                "tax_id",
                "billing_provider[0].name",
                "needs its name",
            ),
        ] {
            let text = EXAMPLE.replacen(from, to, 1);
            assert_ne!(text, EXAMPLE);
            let e = Config::parse(&text, "c.toml").unwrap_err().to_string();
            assert!(e.contains(key) && e.contains(words), "{to}: {e}");
        }
        assert!(is_po_box("PO BOX 44"));
        assert!(is_po_box("Post Office Box 9"));
        assert!(is_po_box("POB 12"));
        assert!(!is_po_box("100 Pobox Lane"));
        assert!(!is_po_box("12 Poplar Ave"));
        assert!(!is_po_box("1 Boxwood Rd"));
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let bad = EXAMPLE.replace("usage = \"T\"", "usage = \"T\"\nusgae = \"P\"");
        let e = Config::parse(&bad, "c.toml").unwrap_err().to_string();
        assert!(e.contains("usgae"), "{e}");
        assert!(e.contains("line 8"), "{e}");
    }

    #[test]
    fn reads_payer_aliases_days_and_contractual_carcs() {
        let c = Config::parse(EXAMPLE, "claimflow.toml").unwrap();
        assert_eq!(c.reconcile.contractual_carcs, ["45", "253"]);
        assert!(c.payer[0].aliases.is_empty());
        assert_eq!(c.payer[0].ack_days, None);
        let text = EXAMPLE.replace(
            "filing_indicator = \"CI\"",
            "filing_indicator = \"CI\"\naliases = [\"1311234567\", \"DHP\"]\nack_days = 2\nexpected_days_to_pay = 30\n\n[reconcile]\ncontractual_carcs = [\"45\", \"253\", \"131\", \"B7\"]",
        );
        let c = Config::parse(&text, "claimflow.toml").unwrap();
        assert_eq!(c.payer[0].aliases, ["1311234567", "DHP"]);
        assert_eq!(c.payer[0].ack_days, Some(2));
        assert_eq!(c.payer[0].expected_days_to_pay, Some(30));
        assert_eq!(c.reconcile.contractual_carcs, ["45", "253", "131", "B7"]);
        // An empty [reconcile] table keeps the default list.
        let c = Config::parse(&format!("{EXAMPLE}\n[reconcile]\n"), "c.toml").unwrap();
        assert_eq!(c.reconcile.contractual_carcs, ["45", "253"]);
    }

    #[test]
    fn bad_new_keys_are_located_errors() {
        let with = |extra: &str| {
            let text = EXAMPLE.replace(
                "filing_indicator = \"CI\"",
                &format!("filing_indicator = \"CI\"\n{extra}"),
            );
            Config::parse(&text, "c.toml").unwrap_err().to_string()
        };
        assert_eq!(
            with("ack_days = 0"),
            "c.toml: payer[0].ack_days: must be a positive number of days, found 0"
        );
        assert_eq!(
            with("expected_days_to_pay = 0"),
            "c.toml: payer[0].expected_days_to_pay: must be a positive number of days, found 0"
        );
        // The line of the extra key in `with`'s text.
        let line = EXAMPLE.lines().count() + 1;
        for extra in ["ack_days = -1", "aliases = \"X\"", "expected_days_to_pay = 1.5"] {
            let e = with(extra);
            assert!(e.starts_with(&format!("c.toml: line {line}:")), "{e}");
        }
        assert_eq!(
            with("aliases = [\" \"]"),
            "c.toml: payer[0].aliases[0]: must be a payer id without surrounding spaces, found \" \""
        );
        assert_eq!(
            with("aliases = [\"DEMOPAYER1\"]"),
            "c.toml: payer[0].aliases[0]: DEMOPAYER1 already names payer DEMOPAYER1"
        );
        assert_eq!(
            with("aliases = [\"A1\", \"A1\"]"),
            "c.toml: payer[0].aliases[1]: A1 is listed twice"
        );
        let two = format!(
            "{EXAMPLE}\n[[payer]]\nid = \"DEMOPAYER2\"\nname = \"Two\"\nfiling_indicator = \"CI\"\naliases = [\"DEMOPAYER1\"]\n"
        );
        assert_eq!(
            Config::parse(&two, "c.toml").unwrap_err().to_string(),
            "c.toml: payer[1].aliases[0]: DEMOPAYER1 already names payer DEMOPAYER1"
        );
        for bad in ["\"\"", "\"1234\"", "\"a1\"", "\"4 5\"", "\"CO-45\""] {
            let text = format!("{EXAMPLE}\n[reconcile]\ncontractual_carcs = [\"45\", {bad}]\n");
            assert_eq!(
                Config::parse(&text, "c.toml").unwrap_err().to_string(),
                format!("c.toml: reconcile.contractual_carcs[1]: must be a CARC code: 1 to 3 characters A-Z or 0-9, found {bad}"),
            );
        }
        let text = format!("{EXAMPLE}\n[reconcile]\ncontractual_carc = [\"45\"]\n");
        let e = Config::parse(&text, "c.toml").unwrap_err().to_string();
        let line = EXAMPLE.lines().count() + 3;
        assert!(e.starts_with(&format!("c.toml: line {line}:")), "{e}");
        assert!(e.contains("contractual_carc"), "{e}");
    }
}
