//! The ledger's schema versions (`MIGRATIONS`) and applying the missing ones
//! when a ledger is opened, one transaction each. The tables a version adds
//! are defined by the module that owns them (`remit`, `account`, `ack`,
//! `cob`, `detail`); this module does not read or write their rows.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{account, ack, cob, detail, eligibility, remit, standing, Error, Ledger};

/// One schema migration: version, description, SQL (run in one transaction).
pub(crate) type Migration = (u32, &'static str, &'static str);

/// Every schema version, in order. Later versions are appended (never edited):
/// version 2 adds the 835 tables, version 5 keys `remittances` by payer +
/// TRN02 + TRN03 and content fingerprint instead of the file's hash,
/// version 6 records the lines each payment answered and PLB adjustments,
/// version 7 adds acknowledgments (TA1, 999, 277CA), version 11 the 277CA
/// status date and the rejections that name no error of the claim, version
/// 13 eligibility inquiries and coverage answers, version 14 rebuilds the
/// `patient_responsibility` view on `ledger::standing`'s rule.
pub(crate) const MIGRATIONS: &[Migration] = &[
    (
        1,
        "claims, submissions, claim history, control-number counters",
        r#"
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,          -- 'ISA13', 'GS06'
    value INTEGER NOT NULL           -- last value handed out (0 = none yet)
);
INSERT INTO counters (name, value) VALUES ('ISA13', 0), ('GS06', 0);

CREATE TABLE submissions (
    id           INTEGER PRIMARY KEY,
    file         TEXT NOT NULL,      -- absolute path of the 837 as written
    file_sha256  TEXT NOT NULL,
    isa13        TEXT NOT NULL,      -- 9 digits
    gs06         TEXT NOT NULL,
    st02         TEXT NOT NULL,      -- the file's ST02 values, comma separated
    claims       INTEGER NOT NULL,
    total_charge TEXT NOT NULL,      -- decimal text
    created_at   TEXT NOT NULL,      -- the run's --now, ISO 8601
    state        TEXT NOT NULL CHECK (state IN ('pending', 'complete', 'abandoned'))
);
CREATE UNIQUE INDEX submissions_isa13 ON submissions (isa13);

CREATE TABLE claims (
    claim_id      TEXT NOT NULL,     -- CLM01
    payer_id      TEXT NOT NULL,     -- 2010BB NM109
    content_hash  TEXT NOT NULL,     -- sha256 of the canonical claim (see docs/ledger.md)
    frequency     TEXT NOT NULL,     -- CLM05-3 as last sent
    total_charge  TEXT NOT NULL,
    status        TEXT NOT NULL,     -- 'sent' (later: accepted, rejected, paid, denied, ...)
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    st02          TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (claim_id, payer_id)
);

CREATE TABLE claim_history (
    id            INTEGER PRIMARY KEY,
    claim_id      TEXT NOT NULL,
    payer_id      TEXT NOT NULL,
    status        TEXT NOT NULL,     -- 'sent', 'resent', 'replacement', 'void', then later events
    at            TEXT NOT NULL,
    submission_id INTEGER REFERENCES submissions (id),
    st02          TEXT,
    content_hash  TEXT,
    frequency     TEXT,
    total_charge  TEXT,
    detail        TEXT
);
CREATE INDEX claim_history_claim ON claim_history (claim_id, payer_id);
-- Only build/send rows name a submission; payment rows (most of the table) stay out of the index.
CREATE INDEX claim_history_submission ON claim_history (submission_id) WHERE submission_id IS NOT NULL;
"#,
    ),
    (2, "remittances applied, claim payments, reversals", remit::MIGRATION_V2),
    (
        3,
        "payer claim number on claims; claim_events view over history and payments",
        remit::MIGRATION_V3,
    ),
    (4, "denied amount of claim payments apart from contractual", remit::MIGRATION_V4),
    (
        5,
        "remittances keyed by payer, trace, TRN03 and content fingerprint, not by file",
        remit::MIGRATION_V5,
    ),
    (
        6,
        "sent lines each claim payment answered; PLB provider adjustments tied to claims",
        account::MIGRATION_V6,
    ),
    (
        7,
        "acknowledgments (TA1, 999, 277CA), claim spans in their 837 set, acknowledgments in claim_events",
        ack::MIGRATION_V7,
    ),
    (
        8,
        "other coverage, COB claims to secondary payers, patient responsibility",
        cob::MIGRATION_V8,
    ),
    (
        9,
        "patients as sent, answered service lines by procedure, denying adjustments, allowed amounts",
        detail::MIGRATION_V9,
    ),
    (10, "what the patient paid at the visit, as sent", standing::MIGRATION_V10),
    (
        11,
        "277CA status dates, rejections of a claim only with its set or interchange",
        ack::MIGRATION_V11,
    ),
    (12, "service lines of each claim as sent, for the NCCI rules", detail::MIGRATION_V12),
    (
        13,
        "eligibility: 270 inquiries and 271 coverage answers; 276 claim status inquiries and 277 answers",
        eligibility::MIGRATION_V13,
    ),
    (
        14,
        "patient_responsibility view on the standing rule: crossovers wait, paid at the visit credited",
        standing::MIGRATION_V14,
    ),
];

/// (version, table): the tables whose references a version's table rebuild
/// could break, checked before that version commits (foreign keys are off
/// while migrating). Only these are checked: a whole-ledger check reads
/// every claim.
const REFERRING: &[(u32, &str)] = &[(5, "claim_payments")];

/// The highest schema version this build knows.
pub(crate) fn schema_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

impl Ledger {
    pub(super) fn migrate(&mut self) -> Result<(), Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        self.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     INTEGER PRIMARY KEY,
                    description TEXT NOT NULL,
                    applied_at  TEXT NOT NULL
                );",
            )
            .map_err(sq)?;
        let current = self.version()?;
        let known = schema_version();
        if current > known {
            return Err(Error::TooNew { path, found: current, known });
        }
        // A migration may rebuild a table others refer to: foreign keys are
        // off while migrating (they cannot be switched inside a transaction)
        // and the referring tables are checked before it commits.
        self.conn.pragma_update(None, "foreign_keys", "OFF").map_err(sq)?;
        let migrated = self.apply_migrations(current);
        self.conn.pragma_update(None, "foreign_keys", "ON").map_err(sq)?;
        migrated
    }

    fn apply_migrations(&mut self, current: u32) -> Result<(), Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        for (version, description, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            let tx =
                self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
            tx.execute_batch(sql).map_err(sq)?;
            for table in REFERRING[..].iter().filter(|r| r.0 == *version).map(|r| r.1) {
                let broken: Option<String> = tx
                    .query_row(&format!("PRAGMA foreign_key_check({table})"), [], |r| r.get(0))
                    .optional()
                    .map_err(sq)?;
                if broken.is_some() {
                    return Err(sq(rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                        Some(format!(
                            "schema version {version} leaves a broken reference in {table}"
                        )),
                    )));
                }
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, description, applied_at)
                 VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
                params![version, description],
            )
            .map_err(sq)?;
            tx.commit().map_err(sq)?;
        }
        Ok(())
    }
}
