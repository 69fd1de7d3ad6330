//! Claim status codes as a person reads them: the 277CA STC composite
//! `CATEGORY:STATUS:ENTITY` (for example `A7:164:IL`) explained in short
//! words of our own, for the common codes of front-end rejections. The code
//! lists are published by X12; only their short meaning is given here, and a
//! code not in the small tables below is shown as it is. It decides nothing.

/// The short meaning of a claim status category code (STC01-1).
pub fn category(code: &str) -> Option<&'static str> {
    Some(match code {
        "A0" => "forwarded to another entity",
        "A1" => "received, not yet accepted",
        "A2" => "accepted for adjudication",
        "A3" => "rejected: returned as unprocessable",
        "A4" => "not found",
        "A5" => "split by the payer",
        "A6" => "rejected: information missing",
        "A7" => "rejected: information invalid",
        "A8" => "rejected: a related value does not match",
        "E0" => "no answer possible: error in the request",
        _ => return None,
    })
}

/// The short meaning of a claim status code (STC01-2).
pub fn status(code: &str) -> Option<&'static str> {
    Some(match code {
        "19" => "received",
        "20" => "accepted for processing",
        "21" => "missing or invalid information",
        "33" => "subscriber and member id not found",
        "128" => "tax id",
        "145" => "specialty (taxonomy) code",
        "164" => "member or contract number",
        "187" => "date(s) of service",
        "562" => "NPI",
        _ => return None,
    })
}

/// The short name of an entity identifier code (STC01-3).
pub fn entity(code: &str) -> Option<&'static str> {
    Some(match code {
        "03" => "dependent",
        "1P" => "provider",
        "40" => "receiver",
        "41" => "submitter",
        "77" => "service location",
        "82" => "rendering provider",
        "85" => "billing provider",
        "87" => "pay-to provider",
        "DK" => "ordering provider",
        "DN" => "referring provider",
        "IL" => "subscriber",
        "PR" => "payer",
        "QC" => "patient",
        _ => return None,
    })
}

/// `A7:164:IL` in words ("rejected: information invalid: member or contract
/// number of the subscriber"); `None` when it is not such a composite or its
/// category is not in the table.
pub fn explain(composite: &str) -> Option<String> {
    let mut parts = composite.split(':');
    let cat = category(parts.next()?)?;
    let mut text = cat.to_string();
    if let Some(st) = parts.next().filter(|s| !s.is_empty()) {
        text.push_str(": ");
        text.push_str(status(st).unwrap_or(st));
        if let Some(e) = parts.next().filter(|s| !s.is_empty()) {
            text.push_str(" of the ");
            text.push_str(entity(e).unwrap_or(e));
        }
    }
    Some(text)
}

/// `text` with every STC composite in it followed by its meaning in
/// brackets: "277CA claim rejected by P (A7:164:IL [rejected: information
/// invalid: member or contract number of the subscriber], ...)".
pub fn annotate(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_uppercase()) {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let end =
            from.find(|c: char| !(c.is_ascii_alphanumeric() || c == ':')).unwrap_or(from.len());
        let word = &from[..end];
        out.push_str(word);
        let composite = word.len() >= 4
            && word.as_bytes()[2] == b':'
            && word.as_bytes()[1].is_ascii_digit()
            && (start == 0
                || !text[..text.len() - rest.len() + start].ends_with(char::is_alphanumeric));
        if composite {
            if let Some(words) = explain(word) {
                out.push_str(&format!(" [{words}]"));
            }
        }
        rest = &from[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_in_words() {
        assert_eq!(
            explain("A7:164:IL").as_deref(),
            Some("rejected: information invalid: member or contract number of the subscriber")
        );
        assert_eq!(
            explain("A3:999:ZZ").as_deref(),
            Some("rejected: returned as unprocessable: 999 of the ZZ")
        );
        assert_eq!(explain("Q9:1"), None);
        assert_eq!(
            annotate("277CA claim rejected by P1 (A7:164:IL, status date 20261128)"),
            "277CA claim rejected by P1 (A7:164:IL [rejected: information invalid: member or contract number of the subscriber], status date 20261128)"
        );
        assert_eq!(annotate("ISA13 000000001, GS06 1"), "ISA13 000000001, GS06 1");
        assert_eq!(annotate("CO-45 30.00"), "CO-45 30.00");
    }
}
