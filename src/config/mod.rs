//! `claimflow.toml`: who sends, to whom, for which billing providers and payers.
//!
//! Every key is described in `docs/config.md`. Unknown keys are errors (a typo must not
//! silently drop a setting) and every error names the file, key and line.
//! This module reads and checks the file's shape; it does not apply payer
//! rules (that is `scrub`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

mod check;

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
        #[source]
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
    /// `[codesets]`: where the code-set files the user supplies are (optional).
    #[serde(default)]
    pub codesets: CodesetsConfig,
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
    /// What the NCCI PTP, MUE and add-on rules do for this payer (default:
    /// error for filing indicators MA, MB and MC, warning for the others).
    pub ncci: Option<NcciLevel>,
    /// A claim needs a fresh 271 coverage answer on file to be sent.
    #[serde(default)]
    pub eligibility_required: bool,
    /// Days a 271 answer counts as fresh (default 30).
    pub eligibility_max_age_days: Option<u32>,
}

/// Days a 271 answer counts as fresh when the payer does not say.
pub const DEFAULT_ELIGIBILITY_MAX_AGE_DAYS: u32 = 30;

impl PayerConfig {
    /// `eligibility_max_age_days`, or its default.
    pub fn eligibility_max_age(&self) -> u32 {
        self.eligibility_max_age_days.unwrap_or(DEFAULT_ELIGIBILITY_MAX_AGE_DAYS)
    }
}

/// A payer's `ncci` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NcciLevel {
    /// Findings are errors: the claim is held back.
    Error,
    /// Findings are warnings (same rule ids): the claim goes.
    Warning,
    /// The NCCI, MUE and add-on rules do not run for this payer.
    Off,
}

impl PayerConfig {
    /// The payer's `ncci` level: as configured, else error for Medicare and
    /// Medicaid (filing indicator MA, MB, MC) and warning for others.
    pub fn ncci_level(&self) -> NcciLevel {
        self.ncci.unwrap_or(match self.filing_indicator.as_str() {
            "MA" | "MB" | "MC" => NcciLevel::Error,
            _ => NcciLevel::Warning,
        })
    }
}

/// `[codesets]`: the folder of code-set files the user supplies.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodesetsConfig {
    /// The folder (relative to the config file's folder when not absolute):
    /// newer ICD-10-CM releases, NCCI PTP, MUE and add-on code edits, CARC
    /// and RARC lists. `--codeset-dir` overrides it.
    pub dir: Option<PathBuf>,
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

/// TOML `text` deserialized, as `claimflow.toml` and the encounter layout
/// files are read; on failure, the 1-based line of the problem (0 when
/// unknown) and the message naming the key.
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, (usize, String)> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| {
            text[..s.start.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
        });
        (line, e.message().to_string())
    })
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
        let mut cfg: Config = from_toml(text).map_err(|(line, message)| Error::Syntax {
            path: name.to_string(),
            line,
            message,
        })?;
        cfg.path = PathBuf::from(name);
        cfg.normalize_and_check(name)?;
        Ok(cfg)
    }

    /// The code-set folder of `[codesets] dir`, resolved against the config
    /// file's folder when relative.
    pub fn codeset_dir(&self) -> Option<PathBuf> {
        let dir = self.codesets.dir.as_ref()?;
        if dir.is_absolute() {
            return Some(dir.clone());
        }
        let base = self.path.parent().unwrap_or(Path::new(""));
        Some(base.join(dir))
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
mod tests;
