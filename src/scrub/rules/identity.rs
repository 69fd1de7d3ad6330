//! Identifier rules: claim_id length, NPI check digits, the billing provider
//! and payer known in the config (with the billing provider's EIN, ZIP, state
//! and taxonomy), and member_id. It does not check people or codes.

use crate::claim::{is_valid_npi, Claim};
use crate::codeset::shape;

use super::{
    Ctx, Out, Rule, BILLING_ZIP, CLAIM_ID, EIN, MEMBER_ID, NPI_BILLING, NPI_REFERRING,
    NPI_RENDERING, STATE, TAXONOMY, UNKNOWN_BILLING, UNKNOWN_PAYER,
};

fn npi_rule(o: &mut Out<'_, '_>, npi: &str, column: &str, rule: &Rule, who: &str) {
    if npi.is_empty() {
        o.claim(column, rule, format!("{who} NPI is missing"));
    } else if !is_valid_npi(npi) {
        o.claim(
            column,
            rule,
            format!("{who} NPI {npi:?} is not a valid NPI (10 digits starting 1 or 2, check digit must match)"),
        );
    }
}

pub(super) fn identity(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    if c.claim_id.chars().count() > 20 {
        o.claim(
            "claim_id",
            &CLAIM_ID,
            format!("claim_id is {} characters; CLM01 allows 1 to 20", c.claim_id.chars().count()),
        );
    }
    npi_rule(o, &c.billing.npi, "billing_npi", &NPI_BILLING, "billing provider");
    if let Some(r) = &c.rendering {
        npi_rule(o, &r.npi, "rendering_npi", &NPI_RENDERING, "rendering provider");
    }
    if let Some(r) = &c.referring {
        npi_rule(o, &r.npi, "referring_npi", &NPI_REFERRING, "referring provider");
    }
    if !c.billing.npi.is_empty() && is_valid_npi(&c.billing.npi) {
        match ctx.config.billing_provider(&c.billing.npi) {
            None => o.claim(
                "billing_npi",
                &UNKNOWN_BILLING,
                format!("billing NPI {} is not a [[billing_provider]] in the config; add it or fix the NPI", c.billing.npi),
            ),
            Some(bp) => {
                match shape::check_ein(&bp.tax_id) {
                    Ok(()) => {}
                    Err(shape::EinProblem::Format) => o.claim(
                        "billing_npi",
                        &EIN,
                        format!("config billing provider {}: tax_id must be a 9-digit EIN", bp.npi),
                    ),
                    Err(shape::EinProblem::Prefix) => o.claim(
                        "billing_npi",
                        &EIN,
                        format!(
                            "config billing provider {}: tax_id prefix {} is not a prefix the IRS assigns",
                            bp.npi,
                            bp.tax_id.get(..2).unwrap_or("")
                        ),
                    ),
                }
                if !shape::is_zip9(&bp.zip) {
                    o.claim(
                        "billing_npi",
                        &BILLING_ZIP,
                        format!("config billing provider {}: zip must be 9 digits (ZIP+4) for a billing provider", bp.npi),
                    );
                }
                if !shape::is_state_code(&bp.state) {
                    o.claim(
                        "billing_npi",
                        &STATE,
                        format!("config billing provider {}: state {:?} is not a USPS code", bp.npi, bp.state),
                    );
                }
                if let Some(t) = &bp.taxonomy {
                    if !shape::is_taxonomy(t) {
                        o.claim(
                            "billing_npi",
                            &TAXONOMY,
                            format!("config billing provider {}: taxonomy {t:?} is not 3 digits, 6 letters/digits and X", bp.npi),
                        );
                    }
                }
            }
        }
    }
    if c.payer.id.is_empty() {
        o.claim("payer_id", &UNKNOWN_PAYER, "payer_id is missing".into());
    } else if ctx.config.payer(&c.payer.id).is_none() {
        o.claim(
            "payer_id",
            &UNKNOWN_PAYER,
            format!(
                "payer_id {:?} is not a [[payer]] in the config; add it or fix the id",
                c.payer.id
            ),
        );
    }
    if c.member_id.trim().is_empty() {
        o.claim("member_id", &MEMBER_ID, "member_id is missing".into());
    }
}
