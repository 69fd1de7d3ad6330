//! What the 270 and 276 writers share: the interchange with its sets (one
//! set per `max_claims_per_transaction` inquiries, each ST, BHT, the
//! hierarchy the writer gives, SE), grouping in order of first appearance,
//! and the segments both write alike (DMG, the provider's NM1*1P, D8 dates).
//! Nothing here knows which inquiry a set holds.

use std::io::Write;

use chrono::NaiveDate;

use super::write270::Name;
use crate::claim::Entity;
use crate::config::Config;
use crate::edi837::{begin_envelope, Envelope};
use crate::x12::{SegmentWriter, WriteError};

/// One transaction of the 270/276 kind: GS01, ST01, the guide (GS08 and
/// ST03) and BHT01 (the hierarchical structure code).
pub(super) struct Kind {
    pub gs01: &'static str,
    pub st01: &'static str,
    pub guide: &'static str,
    pub bht01: &'static str,
}

/// Writes `items` as one interchange of `kind` to `out`: one set per
/// `max_claims_per_transaction` items, each with BHT*`bht01`*13 (a request;
/// BHT03 is ISA13 + ST02, unique per set) and the hierarchy `body` writes.
/// Returns ISA13 and the ST02 of each set.
pub(super) fn write_sets<W: Write, T>(
    out: W,
    items: &[T],
    cfg: &Config,
    env: &Envelope,
    kind: &Kind,
    mut body: impl FnMut(&mut SegmentWriter<W>, &[T]) -> Result<(), WriteError>,
) -> Result<(String, Vec<String>), WriteError> {
    let mut w = begin_envelope(out, cfg, env, kind.gs01, kind.guide)?;
    let date = d8(env.now.date());
    let time = env.now.format("%H%M").to_string();
    let isa13 = format!("{:09}", env.interchange_control);
    let mut sets = Vec::new();
    let per_set = cfg.interchange.max_claims_per_transaction.max(1);
    for (n, chunk) in items.chunks(per_set).enumerate() {
        let control = format!("{:04}", n + 1);
        w.begin_set(kind.st01, &control, kind.guide)?;
        let reference = format!("{isa13}{control}");
        w.segment("BHT", &[kind.bht01, "13", &reference, &date, &time])?;
        body(&mut w, chunk)?;
        w.end_set()?;
        sets.push(control);
    }
    w.end_group()?;
    w.end_interchange()?;
    w.into_inner()?;
    Ok((isa13, sets))
}

/// A date as D8 (`CCYYMMDD`).
pub(super) fn d8(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// The distinct values of `items` in order of first appearance.
pub(super) fn firsts<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// DMG with D8 birth date and sex, when the birth date is known.
pub(super) fn dmg<W: Write>(w: &mut SegmentWriter<W>, n: &Name) -> Result<(), WriteError> {
    if let Some(dob) = n.dob {
        w.segment("DMG", &["D8", &d8(dob), n.sex.map_or("", |s| s.code())])?;
    }
    Ok(())
}

/// The provider's NM1*1P (an organization, or a person with first name), NPI as XX.
pub(super) fn provider_nm1<W: Write>(
    w: &mut SegmentWriter<W>,
    entity: Entity,
    name: &str,
    first: &str,
    npi: &str,
) -> Result<(), WriteError> {
    match entity {
        Entity::Organization => w.segment("NM1", &["1P", "2", name, "", "", "", "", "XX", npi]),
        Entity::Person => w.segment("NM1", &["1P", "1", name, first, "", "", "", "XX", npi]),
    }
}
