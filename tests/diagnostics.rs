//! Diagnostics: library errors keep their causes as `source()`, and the
//! binary prints an error with every cause under it, each once.

use std::error::Error as _;
use std::path::Path;

use crate::util::{claimflow, fixture};

#[test]
fn library_errors_keep_their_cause_as_source() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    let err = claimflow::config::Config::load(&missing).unwrap_err();
    let cause = err.source().expect("the I/O error under a config error");
    assert!(cause.downcast_ref::<std::io::Error>().is_some(), "{cause:?}");

    // A ledger whose folder cannot be made: the folder error, then the I/O error.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let err = claimflow::ledger::Ledger::open(&file.join("claimflow.db")).unwrap_err();
    let cause = err.source().expect("the I/O error under a ledger error");
    assert!(cause.downcast_ref::<std::io::Error>().is_some(), "{cause:?}");
}

/// The error line of a command that could not run.
fn error_line(dir: &Path, args: &[&str]) -> String {
    let o = claimflow(dir).args(args).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn the_binary_prints_the_whole_chain_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("config.toml")).unwrap();
    let err = error_line(d, &["check", &fixture("encounters/demo.csv"), "--config", "config.toml"]);
    let io = std::fs::read_to_string(d.join("config.toml")).unwrap_err().to_string();
    assert!(err.starts_with("claimflow: config.toml: cannot read config: "), "{err}");
    assert_eq!(err.matches(&io).count(), 1, "{err}");

    std::fs::write(d.join("a-file"), "").unwrap();
    let args = [
        "build",
        &fixture("encounters/demo.csv"),
        "--config",
        &fixture("claimflow.toml"),
        "--ledger",
        "a-file/claimflow.db",
        "--out",
        "out",
    ];
    let err = error_line(d, &args);
    let io = std::fs::create_dir_all(d.join("a-file")).unwrap_err().to_string();
    assert!(err.contains("cannot create the ledger's folder"), "{err}");
    assert_eq!(err.matches(&io).count(), 1, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
