//! Rule `S4-2310B` (SNIP 4) of the 837P: the claim's rendering provider
//! loop 2310B against the billing provider (2010AA) and the service lines'
//! rendering providers (2420A). The other rules are in the parent module.

use super::Rules;
use crate::x12::{Fields, Finding, Position};

/// The rendering providers of the open 837 claim: where its CLM is,
/// whether it has a 2310B, and what its service lines' 2420A name.
#[derive(Default)]
pub(super) struct Rendering {
    /// The CLM's position (None: no claim open).
    pub(super) claim: Option<Position>,
    /// A 2310B (claim rendering provider) was sent.
    pub(super) claim_level: bool,
    /// Service lines (2400), and those of them with a 2420A.
    pub(super) lines: u32,
    pub(super) lines_named: u32,
    /// NM109 of the first 2420A, and whether a later one differs from it.
    pub(super) first: Option<String>,
    pub(super) differ: bool,
}

impl Rules<'_> {
    /// `S4-2310B`: a claim without a 2310B whose service lines all name,
    /// in 2420A, one rendering provider that is not the billing provider.
    /// The guide (837P 2310B) requires 2310B when the rendering provider
    /// differs from the billing provider, and 2420A only for a line whose
    /// rendering provider differs from the claim's.
    pub(super) fn close_rendering(&mut self) {
        let r = std::mem::take(&mut self.rendering);
        let (Some(pos), Some(first)) = (r.claim, r.first.as_deref()) else { return };
        if r.claim_level || r.differ || r.lines == 0 || r.lines_named != r.lines {
            return;
        }
        if first == self.billing_id {
            return;
        }
        let f = Finding::error(
            pos,
            "CLM",
            "S4-2310B",
            format!(
                "loop 2300: no rendering provider loop 2310B, but all {} service line(s) name the same rendering provider in 2420A, who is not the billing provider (2010AA): the guide asks for loop 2310B",
                r.lines
            ),
        )
        .element("", "loop 2310B", "absent");
        self.push(f, 4, "2300");
    }

    /// An NM1 of an 837: the billing provider (2010AA) and the rendering
    /// providers of a claim (2310B) and of its lines (2420A).
    pub(super) fn provider(&mut self, seg: &Fields<'_>, loop_id: &'static str) {
        if !matches!(loop_id, "2010AA" | "2310B" | "2420A") {
            return;
        }
        let id = seg.element(9).raw.trim_ascii();
        match (loop_id, seg.element(1).raw) {
            ("2010AA", b"85") => {
                self.billing_id.clear();
                self.billing_id.push_str(std::str::from_utf8(id).unwrap_or(""));
            }
            ("2310B", b"82") => {
                self.rendering.claim_level = true;
                if !id.is_empty() && id == self.billing_id.as_bytes() {
                    let f = Finding::warning(
                        seg.pos,
                        "NM1",
                        "S4-2310B",
                        "loop 2310B: the rendering provider's NM109 is the billing provider's (2010AA); the guide sends 2310B only when the rendering provider differs from the billing provider".to_string(),
                    )
                    .element("NM109", "a provider other than the billing provider, or no 2310B", "the billing provider's NM109");
                    self.push(f, 4, loop_id);
                }
            }
            ("2420A", b"82") => {
                let r = &mut self.rendering;
                r.lines_named += 1;
                match r.first.as_deref() {
                    None => r.first = Some(String::from_utf8_lossy(id).into_owned()),
                    Some(first) => r.differ |= first.as_bytes() != id,
                }
            }
            _ => {}
        }
    }
}
