//! Provider rules on the claim's 2310 loops: an organization billing
//! provider needs a rendering provider (2310B); a facility place of service
//! needs the service facility (2310C), whose columns must be complete with
//! a 9-digit ZIP; the facility's and the supervising provider's (2310D)
//! NPIs must pass the check digit, and the facility's state be a USPS code.
//! Provider names are checked in `people`, the rendering and referring
//! NPIs in `identity`.

use crate::claim::{is_valid_npi, Claim, Entity};
use crate::codeset::{pos, shape};

use super::{
    Ctx, Out, FACILITY_INCOMPLETE, FACILITY_MISSING, FACILITY_ZIP, NO_RENDERING, NPI_FACILITY,
    NPI_SUPERVISING, STATE,
};

pub(super) fn providers(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    // See: 837P guide, 2310B: required when the rendering provider is not
    // the billing provider. An organization does not render a physician's
    // service, so a group's claim without the person who did is rejected
    // (Medicare and most commercial payers reject it at the front end).
    // rendering_npi equal to billing_npi states that the organization
    // itself rendered it (a laboratory, an ambulance or equipment supplier);
    // 2310B is then not sent.
    if let Some(bp) = ctx.config.billing_provider(&c.billing.npi) {
        if bp.entity == Entity::Organization && c.rendering.is_none() {
            o.claim(
                "rendering_npi",
                &NO_RENDERING,
                format!(
                    "billing provider {} is an organization and the claim names no rendering provider: give the NPI and name of the person who rendered the service (rendering_npi, rendering_last, rendering_first), or rendering_npi {} when the organization itself rendered it",
                    bp.npi, bp.npi
                ),
            );
        }
    }
    let at_facility = pos::is_facility(&c.place_of_service);
    match &c.facility {
        None if at_facility => o.claim(
            "facility_name",
            &FACILITY_MISSING,
            format!(
                "place_of_service {} ({}) is a facility: give where the service was rendered (facility_name, facility_npi, facility_address1, facility_city, facility_state, facility_zip) for loop 2310C",
                c.place_of_service,
                pos::name(&c.place_of_service).unwrap_or("facility")
            ),
        ),
        None => {}
        Some(f) => {
            let a = &f.address;
            let mut required = vec![
                (f.name.as_str(), "facility_name"),
                (a.line1.as_str(), "facility_address1"),
                (a.city.as_str(), "facility_city"),
                (a.state.as_str(), "facility_state"),
                (a.zip.as_str(), "facility_zip"),
            ];
            // A hospital or nursing facility has an NPI, and payers match
            // the facility by it; a school or workplace may have none.
            if at_facility {
                required.insert(1, (f.npi.as_str(), "facility_npi"));
            }
            for (v, col) in required {
                if v.trim().is_empty() {
                    o.claim(
                        col,
                        &FACILITY_INCOMPLETE,
                        format!("{col} is empty: the service facility (loop 2310C) needs its name, address, city, state and ZIP{}", if at_facility { ", and its NPI at this place of service" } else { "" }),
                    );
                }
            }
            if !a.state.is_empty() && !shape::is_state_code(&a.state) {
                o.claim(
                    "facility_state",
                    &STATE,
                    format!("facility_state {:?} is not a USPS state code", a.state),
                );
            }
            if !a.zip.is_empty() && !shape::is_zip9(&a.zip) {
                o.claim(
                    "facility_zip",
                    &FACILITY_ZIP,
                    "facility_zip must be 9 digits (ZIP+4) for the service facility".into(),
                );
            }
            if !f.npi.is_empty() && !is_valid_npi(&f.npi) {
                o.claim(
                    "facility_npi",
                    &NPI_FACILITY,
                    format!("service facility NPI {:?} is not a valid NPI (10 digits starting 1 or 2, check digit must match)", f.npi),
                );
            }
        }
    }
    if let Some(s) = &c.supervising {
        if s.npi.is_empty() {
            o.claim(
                "supervising_npi",
                &NPI_SUPERVISING,
                "supervising provider NPI is missing".into(),
            );
        } else if !is_valid_npi(&s.npi) {
            o.claim(
                "supervising_npi",
                &NPI_SUPERVISING,
                format!("supervising provider NPI {:?} is not a valid NPI (10 digits starting 1 or 2, check digit must match)", s.npi),
            );
        }
    }
}
