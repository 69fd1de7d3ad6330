//! `claimflow validate` end to end.

use crate::util::{claimflow, fixture};

#[test]
fn valid_file_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = claimflow(dir.path())
        .args(["validate", &fixture("x12/good/minimal.835")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("835"), "{stdout}");
    assert!(stdout.contains(": valid"), "{stdout}");
}

#[test]
fn se_count_off_by_one_exits_1_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("x12/bad/se_count_off_by_one.835");
    let out = claimflow(dir.path()).args(["validate", &f]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("{f}:segment 6 (byte ")), "{stdout}");
    assert!(stdout.contains("SE01 declares \"5\" segments but 4 were counted"), "{stdout}");
}

#[test]
fn unreadable_file_exits_2_but_others_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let out = claimflow(dir.path())
        .args(["validate", "no-such-file.835", &fixture("x12/good/minimal.835")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("minimal.835"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.835"));
}
