//! Known ids close to one that was not found: a typo in a claim id or a
//! payer id is answered with the ids it probably meant. Compares ASCII
//! case-insensitively by edit distance; it knows nothing of where the ids
//! come from.

/// At most this many suggestions are returned.
const MAX: usize = 3;

/// The known ids closest to `wanted` (at most three, closest first, then in
/// id order); only ids within an edit distance of a third of the longer id
/// (at least 2) count as close.
pub fn closest<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let w: Vec<u8> = wanted.trim().bytes().map(|b| b.to_ascii_uppercase()).collect();
    let mut scored: Vec<(usize, &str)> = known
        .into_iter()
        .filter_map(|k| {
            let kb: Vec<u8> = k.bytes().map(|b| b.to_ascii_uppercase()).collect();
            let limit = (w.len().max(kb.len()) / 3).max(2);
            // Lengths that differ by more than the limit cannot be close.
            if w.len().abs_diff(kb.len()) > limit {
                return None;
            }
            let d = distance(&w, &kb);
            (d <= limit).then_some((d, k))
        })
        .collect();
    scored.sort_unstable();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(MAX).map(|(_, k)| k.to_string()).collect()
}

/// Levenshtein distance of two byte strings.
fn distance(a: &[u8], b: &[u8]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// "closest known: A, B" or, when none is close, `none_close`.
pub fn hint(closest: &[String], none_close: &str) -> String {
    if closest.is_empty() {
        none_close.to_string()
    } else {
        format!("closest known: {}", closest.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_the_id_meant() {
        let known = ["D1002", "D1003", "D1006", "F2001", "DEMOMCARE"];
        assert_eq!(closest("D1020", known), vec!["D1002", "D1003", "D1006"]);
        assert_eq!(closest("demomcar", known), vec!["DEMOMCARE"]);
        assert!(closest("NOPE", known).is_empty());
        assert!(closest("", known).is_empty() || closest("", known).len() <= 3);
    }

    #[test]
    fn edit_distance() {
        assert_eq!(distance(b"kitten", b"sitting"), 3);
        assert_eq!(distance(b"", b"abc"), 3);
        assert_eq!(distance(b"abc", b"abc"), 0);
    }
}
