//! The reader: the round trip field by field, other delimiters and unknown
//! loops, problems reported without panicking, public samples when present.

use super::*;

#[test]
fn round_trip_field_by_field() {
    let claims = sample_claims();
    let (text, _) = written(&claims);
    let back = read(text.as_bytes()).unwrap();
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    // The writer groups C3 before C2 (same subscriber first); compare by id.
    assert_eq!(back.claims.len(), claims.len());
    for want in claims.into_iter().map(as_carried) {
        let got = back.claims.iter().find(|c| c.claim_id == want.claim_id).unwrap();
        assert_eq!(got.billing, want.billing, "{}", want.claim_id);
        assert_eq!(got.payer, want.payer, "{}", want.claim_id);
        assert_eq!(got.member_id, want.member_id);
        assert_eq!(got.group_number, want.group_number);
        assert_eq!(got.subscriber, want.subscriber, "{}", want.claim_id);
        assert_eq!(got.relationship, want.relationship);
        assert_eq!(got.patient, want.patient);
        assert_eq!(got.place_of_service, want.place_of_service);
        assert_eq!(got.frequency, want.frequency);
        assert_eq!(got.original_ref, want.original_ref);
        assert_eq!(got.prior_auth, want.prior_auth);
        assert_eq!(got.onset_date, want.onset_date);
        assert_eq!(got.rendering, want.rendering);
        assert_eq!(got.referring, want.referring);
        assert_eq!(got.diagnoses, want.diagnoses);
        assert_eq!(got.lines, want.lines, "{}", want.claim_id);
        assert_eq!(got, &want);
    }
}

#[test]
fn reader_tolerates_other_delimiters_and_unknown_loops() {
    let mut cfg = config();
    cfg.interchange.element = "|".into();
    cfg.interchange.component = ">".into();
    cfg.interchange.segment = "\n".into();
    cfg.interchange.newline = false;
    let claims = sample_claims();
    let mut out = Vec::new();
    write(&mut out, &claims, &cfg, &envelope()).unwrap();
    keep_837("unit-edi837-delimiters", &out);
    let text = String::from_utf8(out).unwrap();
    // Splice in a pay-to loop and a 2420A line rendering provider.
    let text =
        text.replacen("HL|2|1|22|0\n", "NM1|87|2\nN3|PO BOX 1\nN4|X|IL|62701\nHL|2|1|22|0\n", 1);
    let text =
        text.replacen("REF|6R|C1-1\n", "REF|6R|C1-1\nNM1|82|1|OTHER|DOC||||XX|1245319599\n", 1);
    let back = read(text.as_bytes()).unwrap();
    let c1 = back.claims.iter().find(|c| c.claim_id == "C1").unwrap();
    assert_eq!(c1.billing.address.city, "Springfield");
    assert_eq!(c1.rendering, None, "2420A is not the claim's rendering provider");
    assert_eq!(c1.lines.len(), 1);
    assert_eq!(back.claims.len(), 4);
}

#[test]
fn reader_reports_problems_without_panicking() {
    assert!(read(b"not x12 at all").is_err());
    let (text, _) = written(&sample_claims());
    let broken = text.replacen("DTP*472*D8*20240301~", "DTP*472*D8*2024XX01~", 1);
    let back = read(broken.as_bytes()).unwrap();
    assert_eq!(back.warnings.len(), 1);
    assert!(back.warnings[0].message.contains("DTP*472"));
    for cut in (0..text.len()).step_by(97) {
        let _ = read(&text.as_bytes()[..cut]);
    }
}

#[test]
fn reads_public_samples_when_present() {
    // Optional: ../shared/x12-samples exists on the development machine only.
    // (../shared from the project root; ../../shared from a git worktree.)
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(entries) = ["../shared/x12-samples/837p", "../../shared/x12-samples/837p"]
        .iter()
        .find_map(|rel| walk(&root.join(rel)).ok())
    else {
        return;
    };
    let (mut files, mut claims, mut lines) = (0, 0, 0);
    for path in entries {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        // Must not panic on any sample; claims read must carry their CLM01.
        if let Ok(r) = read(&bytes) {
            files += 1;
            claims += r.claims.len();
            lines += r.claims.iter().map(|c| c.lines.len()).sum::<usize>();
            for c in &r.claims {
                assert!(!c.claim_id.is_empty(), "{}: claim without CLM01", path.display());
            }
        }
    }
    eprintln!("public 837P samples: {files} files, {claims} claims, {lines} lines");
    if files > 0 {
        assert!(claims > 0 && lines >= claims, "{files} files, {claims} claims, {lines} lines");
    }
}

fn walk(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}
