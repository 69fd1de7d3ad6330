//! Payers and their aliases: how a payer names itself in an 835 (REF*2U,
//! N1*PR N104, TRN03) or an acknowledgment, mapped to the payer id of the
//! config. Shared by `reconcile` (the paying payer of a remittance) and
//! `ack`. It reads no config file and matches no claim.

use std::collections::HashMap;

use crate::edi835::Remittance;
use crate::Text;

/// Trimmed, upper case: the key of a payer name.
fn norm(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

/// How payers name themselves in 835s: each payer id and alias (trimmed,
/// upper case) to the payer id. Filled from the config's payers (`id` and
/// `aliases`); the payer ids of the sent claims are added by the run.
#[derive(Clone, Debug, Default)]
pub struct PayerNames {
    names: HashMap<String, Text, rustc_hash::FxBuildHasher>,
}

impl PayerNames {
    /// No names known.
    pub fn new() -> PayerNames {
        PayerNames::default()
    }

    /// Adds payer `id` and its `aliases`. A name already known keeps its payer.
    pub fn add<'s>(&mut self, id: &'s str, aliases: impl IntoIterator<Item = &'s str>) {
        let id = id.trim();
        if id.is_empty() {
            return;
        }
        for name in std::iter::once(id).chain(aliases) {
            let key = norm(name);
            if !key.is_empty() {
                self.names.entry(key).or_insert_with(|| Text::new(id));
            }
        }
    }

    /// True when no name is known.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The payer id `name` stands for.
    pub fn get(&self, name: &str) -> Option<&Text> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return None;
        }
        if !trimmed.bytes().any(|b| b.is_ascii_lowercase()) {
            return self.names.get(trimmed);
        }
        self.names.get(&norm(trimmed))
    }

    /// The paying payer of remittance `rem`: the first of REF*2U, N1*PR
    /// N104 and TRN03 that is a known payer id or alias.
    pub fn paying_payer(&self, rem: &Remittance) -> Option<Text> {
        let ref2u = rem.payer.refs.iter().filter(|r| r.qualifier == "2U").map(|r| r.value.as_str());
        ref2u
            .chain([rem.payer.id.as_str(), rem.trace.trn03_originator.as_str()])
            .find_map(|n| self.get(n))
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payer_names_resolve_ids_and_aliases() {
        let mut names = PayerNames::new();
        names.add("DEMOPAYER1", ["1512345678", "dhp"]);
        names.add("DEMOPAYER2", []);
        assert_eq!(names.get(" dhp ").map(Text::as_str), Some("DEMOPAYER1"));
        assert_eq!(names.get("1512345678").map(Text::as_str), Some("DEMOPAYER1"));
        assert_eq!(names.get("demopayer2").map(Text::as_str), Some("DEMOPAYER2"));
        assert_eq!(names.get("OTHER"), None);
        assert_eq!(names.get(""), None);
    }
}
