//! One transaction set's checks: the guide it is checked against (or the
//! finding saying why none is), then one schema walk that hands every
//! segment, elements located, to the rules (SNIP 4 and 5) and to the
//! balancing reader of the set's kind (SNIP 3); and the order in which a
//! file's sets are checked on the cores. It does not scan envelopes or
//! gather a file's report (see `validate`).

use super::{rules, Options};
use crate::x12::schema::{self, Guide, SegDef, Visitor};
use crate::x12::{self, Fields, Finding, TransactionKind, TransactionSet};
use crate::{edi835, edi837};

/// The guide a set is checked against, or the finding saying why none is.
fn guide_of(
    set: &TransactionSet,
    gs08: &str,
    opts: &Options,
) -> (Option<&'static Guide>, Option<Finding>) {
    if let Some(t) = opts.transaction.as_deref() {
        let by_short = schema::guides().iter().find(|g| g.short.eq_ignore_ascii_case(t));
        return match by_short.or_else(|| schema::guide_for(t, &set.id)) {
            Some(g) => (Some(g), None),
            None => (
                None,
                Some(
                    Finding::error(
                        set.pos,
                        "ST",
                        "G-GUIDE-UNKNOWN",
                        format!("--transaction {t:?} names no guide claimflow knows (837P, 837I, 835, 999, 277CA, 277 or a version such as 005010X222A1)"),
                    )
                    .snip(1),
                ),
            ),
        };
    }
    let st03 = set.implementation.trim();
    let gs08 = gs08.trim();
    if !st03.is_empty() && !gs08.is_empty() && st03 != gs08 {
        let f = Finding::error(
            set.pos,
            "ST",
            "G-VERSION-MISMATCH",
            format!(
                "ST03 {st03:?} (the set's guide) differs from GS08 {gs08:?} (its group's guide): the set is not the transaction its envelope says"
            ),
        )
        .element("ST03", gs08, st03)
        .snip(1);
        return (None, Some(f));
    }
    let version = if st03.is_empty() { gs08 } else { st03 };
    match schema::guide_for(version, &set.id) {
        Some(g) if g.st01 == set.id => (Some(g), None),
        Some(g) => (
            None,
            Some(
                Finding::error(
                    set.pos,
                    "ST",
                    "G-VERSION-MISMATCH",
                    format!(
                        "ST01 {:?} is not the transaction of guide {version} ({} {})",
                        set.id, g.st01, g.short
                    ),
                )
                .element("ST01", g.st01, set.id.as_str())
                .snip(1),
            ),
        ),
        None => {
            let f = Finding::error(
                set.pos,
                "ST",
                "G-GUIDE-UNKNOWN",
                format!(
                    "transaction {} with guide {version:?} is not one claimflow has a schema for (837P 005010X222A1, 837I 005010X223A2, 835 005010X221A1, 999 005010X231A1, 277CA 005010X214, 276/277 005010X212, 270/271 005010X279A1): it was checked for envelopes only",
                    set.id
                ),
            )
            .element("ST03/GS08", "a known guide", version)
            .snip(1);
            (None, Some(f))
        }
    }
}

/// What one set's checks found.
pub(super) struct SetResult {
    pub(super) findings: Vec<Finding>,
    pub(super) loops: Vec<schema::LoopSpan>,
    pub(super) carc_unchecked: u32,
    pub(super) rarc_unchecked: u32,
    pub(super) cpt_unchecked: u32,
}

/// The checks of every set (`sets`: each with its group's GS08), on every
/// core, in file order.
///
/// The tasks are each set's walk ([`check_set`]) and, smaller, each set's
/// HL numbering check, taken in that order by whichever thread is free: the
/// small tasks come last and fill the time a thread would otherwise wait
/// for another's last walk (21 sets on 2 cores are 11 walks on one and 10
/// on the other).
pub(super) fn check_sets(
    input: &[u8],
    sets: &[(&str, &TransactionSet)],
    opts: &Options,
) -> Vec<SetResult> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::OnceLock;

    let n = sets.len();
    let walked: Vec<OnceLock<SetResult>> = (0..n).map(|_| OnceLock::new()).collect();
    let numbered: Vec<OnceLock<Vec<Finding>>> = (0..n).map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if let Some((gs08, set)) = sets.get(i) {
            let _ = walked[i].set(check_set(input, set, gs08, opts));
        } else if let Some((_, set)) = sets.get(i - n) {
            let _ = numbered[i - n].set(hierarchy(input, set));
        } else {
            break;
        }
    };
    let threads = rayon::current_num_threads().min(n).max(1);
    rayon::scope(|s| {
        for _ in 1..threads {
            s.spawn(|_| work());
        }
        work();
    });
    walked
        .into_iter()
        .zip(numbered)
        .zip(sets)
        .map(|((walk, hl), (gs08, set))| {
            // Every task ran; were one lost, it would be run here.
            let mut r = walk.into_inner().unwrap_or_else(|| check_set(input, set, gs08, opts));
            let mut findings = hl.into_inner().unwrap_or_else(|| hierarchy(input, set));
            findings.append(&mut r.findings);
            findings.sort_by_key(|f| f.pos);
            r.findings = findings;
            r
        })
        .collect()
}

/// The HL numbering check of one set (SNIP 1).
fn hierarchy(input: &[u8], set: &TransactionSet) -> Vec<Finding> {
    let mut findings = x12::check_hierarchy(input, set);
    for f in &mut findings {
        f.snip = 1;
    }
    findings
}

/// Per-transaction checks for one set, by kind and level, but for its HL
/// numbering ([`check_sets`] runs that apart). Returns findings with
/// file-level positions, not yet in file order.
///
/// With a guide, the set is read once: the schema walk hands every segment
/// to the rules and to the balancing reader of its kind ([`Passes`]).
/// Without one (or at level 1), balancing reads the set itself.
fn check_set(input: &[u8], set: &TransactionSet, gs08: &str, opts: &Options) -> SetResult {
    let kind = set.kind;
    let mut findings = Vec::new();
    let (guide, problem) = guide_of(set, gs08, opts);
    findings.extend(problem);
    let mut loops = Vec::new();
    let (mut carc, mut rarc, mut cpt) = (0, 0, 0);
    // Without a walk (no guide), COB balancing runs on every 837P set.
    let mut has_cob = true;
    let balancing = opts.level >= 3;
    let mut claims = None;
    let mut remit = None;
    if let Some(g) = guide.filter(|_| opts.level >= 2) {
        let mut passes = Passes {
            rules: rules::Rules::new(&opts.codes, g.st01 == "837").for_guide(g.short),
            claims: match kind {
                TransactionKind::Claim837P if balancing => Some(edi837::SetCheck::new(true)),
                TransactionKind::Claim837I if balancing => Some(edi837::SetCheck::new(false)),
                _ => None,
            },
            remit: (balancing && kind == TransactionKind::Remittance835)
                .then(|| edi835::BalanceReader::new(set)),
        };
        let ext = rules::Externals(&opts.codes);
        let walk = schema::walk(input, set, g, opts.loops, &ext, &mut passes);
        let rules = &passes.rules;
        carc = rules.carc_unchecked;
        cpt = rules.cpt_unchecked;
        has_cob = rules.has_cob;
        rarc =
            walk.unchecked.iter().filter(|(e, _)| *e == schema::Ext::Rarc).map(|(_, n)| *n).sum();
        findings.extend(walk.findings.into_iter().filter(|f| f.snip <= opts.level));
        loops = walk.loops;
        claims = passes.claims.map(edi837::SetCheck::finish);
        remit = passes.remit.map(edi835::BalanceReader::finish);
    }
    if balancing {
        let mut balance = Vec::new();
        match kind {
            TransactionKind::Claim837P | TransactionKind::Claim837I => {
                let professional = kind == TransactionKind::Claim837P;
                balance.extend(match claims {
                    Some(f) => f,
                    None => edi837::check_set(input, set, professional),
                });
                // Only sets with other-payer loops (2320 SBR, 2430 SVD) have
                // COB amounts to balance.
                if professional && has_cob {
                    balance.extend(edi837::check_cob(input, set));
                }
            }
            TransactionKind::Remittance835 => {
                // Names, references and the interchange control number are not needed here.
                let found = match remit {
                    Some(found) => found,
                    None => {
                        let rem = edi835::read_set_for_balance(input, set);
                        edi835::Balanced { balance: edi835::balance(&rem), read: rem.findings }
                    }
                };
                balance.extend(found.balance);
                // Read errors are already reported by the envelope scan.
                balance.extend(found.read.into_iter().filter(|f| f.rule != "835-READ"));
            }
            _ => {}
        }
        for mut f in balance {
            f.snip = 3;
            findings.push(f);
        }
    }
    SetResult { findings, loops, carc_unchecked: carc, rarc_unchecked: rarc, cpt_unchecked: cpt }
}

/// What reads a set during its schema walk: the rules (SNIP 4 and 5) and
/// the balancing checks of its kind (SNIP 3), each seeing every segment.
struct Passes<'c> {
    rules: rules::Rules<'c>,
    /// 837 claim checks (`edi837::check_set`'s).
    claims: Option<edi837::SetCheck>,
    /// The 835 reader for balancing (`edi835::read_set_for_balance`'s).
    remit: Option<edi835::BalanceReader>,
}

impl Visitor for Passes<'_> {
    fn segment(&mut self, loop_id: &'static str, seg: &Fields<'_>, def: Option<&SegDef>) {
        self.rules.segment(loop_id, seg, def);
        if let Some(c) = self.claims.as_mut() {
            c.segment(seg);
        }
        if let Some(r) = self.remit.as_mut() {
            r.segment(seg);
        }
    }

    fn finish(&mut self) -> Vec<Finding> {
        self.rules.finish()
    }
}
