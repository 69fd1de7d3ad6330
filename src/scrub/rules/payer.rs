//! Payer rules: original_ref for replacements and voids, the Medicare
//! beneficiary as subscriber, and the payer's timely filing limit and prior
//! authorization list from the config. It does not check that the payer
//! exists (see `identity`).

use crate::claim::{Claim, Frequency, Relationship};

use super::{Ctx, Out, MEDICARE_NOT_SELF, ORIGINAL_REF, PRIOR_AUTH, TIMELY_FILING};

pub(super) fn payer(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    if matches!(c.frequency, Frequency::Replacement | Frequency::Void)
        && c.original_ref.as_deref().is_none_or_empty()
    {
        o.claim(
            "original_ref",
            &ORIGINAL_REF,
            format!(
                "frequency {} needs original_ref: the payer's claim number (835 CLP07) of the claim replaced or voided",
                c.frequency.code()
            ),
        );
    }
    let Some(p) = ctx.config.payer(&c.payer.id) else { return };
    // See: 837P guide, 2000B SBR: Medicare (SBR09 MA or MB) has no dependent
    // coverage; the beneficiary is the subscriber, and 2000C is not sent.
    if matches!(p.filing_indicator.as_str(), "MA" | "MB")
        && c.relationship != Relationship::SelfInsured
    {
        o.claim(
            "relationship",
            &MEDICARE_NOT_SELF,
            format!(
                "payer {} is Medicare (filing indicator {}): the beneficiary is the subscriber, so relationship must be self, not {}; put the beneficiary's name, birth date and Medicare id in the subscriber columns",
                p.id,
                p.filing_indicator,
                c.relationship.word()
            ),
        );
    }
    if let Some(days) = p.timely_filing_days {
        for l in &c.lines {
            let age = (ctx.today - l.service_date).num_days();
            if age > i64::from(days) {
                o.at(
                    l.row,
                    "service_date",
                    &TIMELY_FILING,
                    format!(
                        "service_date {} is {age} days before the run date; payer {} accepts claims up to {days} days after service",
                        l.service_date, p.id
                    ),
                );
            }
        }
    }
    if c.prior_auth.as_deref().is_none_or_empty() {
        for l in &c.lines {
            if p.prior_auth_required
                .iter()
                .any(|code| code.trim().eq_ignore_ascii_case(&l.procedure))
            {
                o.at(
                    l.row,
                    "prior_auth",
                    &PRIOR_AUTH,
                    format!("payer {} requires prior authorization for procedure {}; prior_auth is empty", p.id, l.procedure),
                );
            }
        }
    }
}

trait NoneOrEmpty {
    fn is_none_or_empty(&self) -> bool;
}

impl NoneOrEmpty for Option<&str> {
    fn is_none_or_empty(&self) -> bool {
        match self {
            None => true,
            Some(s) => s.trim().is_empty(),
        }
    }
}
