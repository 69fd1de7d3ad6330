//! The claims ledger: the memory between nightly runs, in one SQLite file.
//!
//! It records every claim sent (with a content hash), every 837 file written
//! with its ISA13/GS06/ST02 control numbers, each claim's status history, and
//! allocates control numbers so they are never reused, even after a crash.
//! The file is opened in WAL mode; a lock file keeps two runs from sharing it
//! (see [`LockFile`]). The schema is versioned: `MIGRATIONS` lists every
//! version in order, and opening a ledger applies the missing ones in one
//! transaction each. The schema is documented in `docs/ledger.md`.
//!
//! Crash safety of a build: control numbers are allocated and committed
//! before the file is written (a crash burns them, never reuses them); the
//! submission is then recorded as `pending` with its claims, the file is
//! renamed into place, and the submission is marked `complete`. A `pending`
//! submission found when the ledger is next opened is completed when its file
//! exists, and abandoned (its claims count as not sent) when it does not.
//!
//! Remittances are in `remit` (schema 2 to 5), acknowledgments in `ack`
//! (schema 7), and the reads behind `claimflow status` in `story`. This
//! module does not decide what to build (that is `build`), and does not
//! read X12 files (that is `reconcile` and `ack`).

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::claim::{Claim, ClaimStatus};

mod account;
mod ack;
mod cob;
mod detail;
mod lock;
mod remit;
mod story;

pub use account::{ClaimMoney, LivePayment, PlbPosting};
pub use ack::{AckPosting, AckSummary, ClaimAck, CurrentClaim, Span, Submission, SubmittedClaim};
pub use cob::{CobCandidate, CobRecord, PrimaryPayment};
pub use detail::{open_read_only, DenialPosting, LinePosting, PatientRecord};
pub use lock::{LockError, LockFile};
pub use remit::{
    LedgerClaim, PaymentPosting, PostSummary, RemitPosting, SentFile, UnpairedReversal,
};
pub(crate) use story::Which;
pub use story::{ClaimState, Event, PaymentState, StatusCount};

/// A ledger problem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The lock could not be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The ledger's folder could not be created.
    #[error("cannot create the ledger's folder {path}: {cause}")]
    Folder {
        /// The folder.
        path: String,
        /// The I/O error.
        cause: std::io::Error,
    },
    /// SQLite failed.
    #[error("ledger {path}: {cause}")]
    Sqlite {
        /// The ledger file.
        path: String,
        /// The SQLite error.
        cause: rusqlite::Error,
    },
    /// The ledger was written by a newer claimflow.
    #[error("ledger {path} has schema version {found}; this claimflow knows up to {known}: upgrade claimflow")]
    TooNew {
        /// The ledger file.
        path: String,
        /// Version found.
        found: u32,
        /// Highest version known here.
        known: u32,
    },
    /// There is no ledger file where one is to be read.
    #[error("no ledger at {path}: `claimflow build` creates it")]
    Missing {
        /// The ledger file.
        path: String,
    },
    /// A control-number counter reached its maximum.
    #[error("control number {name} is exhausted (999999999); control numbers are never reused")]
    Exhausted {
        /// Counter name.
        name: String,
    },
}

/// One schema migration: version, description, SQL (run in one transaction).
pub(crate) type Migration = (u32, &'static str, &'static str);

/// Every schema version, in order. Later versions are appended (never edited):
/// version 2 adds the 835 tables, version 5 keys `remittances` by payer +
/// TRN02 + TRN03 and content fingerprint instead of the file's hash,
/// version 6 records the lines each payment answered and PLB adjustments,
/// version 7 adds acknowledgments (TA1, 999, 277CA).
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

/// What the ledger knows of a claim that was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentClaim {
    /// sha256 of the canonical claim as last sent.
    pub content_hash: String,
    /// Current status.
    pub status: ClaimStatus,
    /// The file it was last sent in.
    pub file: String,
    /// That file's ISA13.
    pub isa13: String,
}

/// One claim of a submission, as recorded.
#[derive(Clone, Debug)]
pub struct ClaimRecord {
    /// CLM01.
    pub claim_id: String,
    /// Payer id.
    pub payer_id: String,
    /// [`content_hash`] of the claim.
    pub content_hash: String,
    /// CLM05-3.
    pub frequency: String,
    /// CLM02.
    pub total_charge: Decimal,
    /// ST02 of the set holding it.
    pub st02: String,
    /// How it is sent: [`ClaimStatus::Sent`], `Resent` (with `--resend`),
    /// `Replacement` (frequency 7) or `Void` (8).
    pub status: ClaimStatus,
    /// Where it sits in its 837 set (for mapping 999 errors to it).
    pub span: Option<Span>,
    /// What to say of this send in the claim's story (e.g. that it goes
    /// again after a front-end rejection); `None` says nothing more.
    pub detail: Option<String>,
    /// The patient as sent (for patient statements); `None` records none.
    pub patient: Option<PatientRecord>,
}

/// A file about to be (or just) written.
#[derive(Clone, Debug)]
pub struct SubmissionRecord {
    /// Where the file is (will be) after the rename.
    pub file: PathBuf,
    /// sha256 of its bytes, hex.
    pub file_sha256: String,
    /// ISA13 (9 digits).
    pub isa13: String,
    /// GS06.
    pub gs06: String,
    /// ST02 values.
    pub st02: Vec<String>,
    /// Sum of CLM02.
    pub total_charge: Decimal,
    /// The run's clock, ISO 8601.
    pub created_at: String,
}

/// An open, locked ledger.
#[derive(Debug)]
pub struct Ledger {
    conn: Connection,
    path: String,
    /// Pending submissions resolved on open: (ISA13, completed?).
    pub recovered: Vec<(String, bool)>,
    // Dropped last: the lock is released after the connection closes.
    _lock: LockFile,
}

/// The sha256 (hex) of a claim's canonical serialization.
///
/// The canonical form (version `claimflow-claim-v1`) is every field of the
/// claim that goes into an 837P, in declaration order: strings as a 4-byte
/// little-endian length and their UTF-8 bytes, absent values as one `0` byte
/// (present ones as `1` then the value), dates as days from 0001-01-01,
/// amounts and units normalized (`125.00` = `125`) as rust_decimal's 16-byte
/// form, lists as a count then their items. Where the claim came from
/// (`source`, line `row`) is left out, so a reordered export hashes the same.
/// Two claims with the same hash put the same content in an 837P.
pub fn content_hash(claim: &Claim) -> String {
    let mut c = Canon(Vec::with_capacity(1024));
    c.raw(b"claimflow-claim-v1");
    c.claim(claim);
    hex(&Sha256::digest(&c.0))
}

/// Canonical encoder for [`content_hash`].
struct Canon(Vec<u8>);

impl Canon {
    fn raw(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }
    fn len(&mut self, n: usize) {
        self.raw(&(n as u32).to_le_bytes());
    }
    fn s(&mut self, v: &str) {
        self.len(v.len());
        self.raw(v.as_bytes());
    }
    fn opt<T>(&mut self, v: Option<T>, f: impl FnOnce(&mut Canon, T)) {
        match v {
            None => self.0.push(0),
            Some(x) => {
                self.0.push(1);
                f(self, x);
            }
        }
    }
    fn os(&mut self, v: Option<&String>) {
        self.opt(v, |c, x| c.s(x));
    }
    fn date(&mut self, d: chrono::NaiveDate) {
        use chrono::Datelike;
        self.raw(&d.num_days_from_ce().to_le_bytes());
    }
    fn dec(&mut self, d: Decimal) {
        self.raw(&d.normalize().serialize());
    }
    fn address(&mut self, a: &crate::claim::Address) {
        self.s(&a.line1);
        self.os(a.line2.as_ref());
        self.s(&a.city);
        self.s(&a.state);
        self.s(&a.zip);
    }
    fn person(&mut self, p: &crate::claim::Person) {
        self.s(&p.last);
        self.s(&p.first);
        self.os(p.middle.as_ref());
        self.opt(p.dob, Canon::date);
        self.opt(p.sex, |c, x| c.s(x.code()));
        self.address(&p.address);
    }
    fn provider(&mut self, p: &crate::claim::ProviderRef) {
        self.s(&p.npi);
        self.s(&p.last);
        self.s(&p.first);
    }
    fn claim(&mut self, c: &Claim) {
        self.s(&c.claim_id);
        let b = &c.billing;
        self.s(&b.npi);
        self.s(&b.name);
        self.s(&b.tax_id);
        self.os(b.taxonomy.as_ref());
        self.address(&b.address);
        self.s(&c.payer.id);
        self.s(&c.payer.name);
        self.s(&c.payer.filing_indicator);
        self.s(&c.member_id);
        self.os(c.group_number.as_ref());
        self.person(&c.subscriber);
        self.s(c.relationship.code());
        self.opt(c.patient.as_ref(), Canon::person);
        self.s(&c.place_of_service);
        self.s(c.frequency.code());
        self.os(c.original_ref.as_ref());
        self.os(c.prior_auth.as_ref());
        self.opt(c.onset_date, Canon::date);
        self.opt(c.rendering.as_ref(), Canon::provider);
        self.opt(c.referring.as_ref(), Canon::provider);
        self.len(c.diagnoses.len());
        for d in &c.diagnoses {
            self.s(d);
        }
        self.len(c.lines.len());
        for l in &c.lines {
            self.s(&l.line_id);
            self.date(l.service_date);
            self.opt(l.service_date_end, Canon::date);
            self.s(&l.procedure);
            self.len(l.modifiers.len());
            for m in &l.modifiers {
                self.s(m);
            }
            self.dec(l.units);
            self.dec(l.charge);
            self.len(l.dx_pointers.len());
            self.raw(&l.dx_pointers);
            self.os(l.ndc.as_ref());
        }
        self.opt(c.stated_total, Canon::dec);
        // Added with the person billing provider and the pay-to address:
        // encoded only when used, so the hash of every claim without them
        // stays what it was (a ledger's sent claims are not "changed").
        if b.entity == crate::claim::Entity::Person || b.pay_to.is_some() {
            self.s("billing:entity,first_name,pay_to");
            self.s(b.entity.code());
            self.s(&b.first_name);
            self.opt(b.pay_to.as_ref(), Canon::address);
        }
        // Added with the claim facts of the 2310C/2310D loops, CLM11, CLM20,
        // DTP*439, AMT*F5, NTE and CTP: each is encoded, after its own tag,
        // only when present, for the same reason.
        if let Some(f) = &c.facility {
            self.s("facility");
            self.s(&f.name);
            self.s(&f.npi);
            self.address(&f.address);
        }
        if let Some(p) = &c.supervising {
            self.s("supervising");
            self.provider(p);
        }
        if !c.related_causes.is_empty() {
            self.s("related_causes");
            self.len(c.related_causes.len());
            for r in &c.related_causes {
                self.s(r);
            }
        }
        if let Some(s) = &c.accident_state {
            self.s("accident_state");
            self.s(s);
        }
        if let Some(d) = c.accident_date {
            self.s("accident_date");
            self.date(d);
        }
        if let Some(d) = &c.delay_reason {
            self.s("delay_reason");
            self.s(d);
        }
        if let Some(p) = c.patient_paid {
            self.s("patient_paid");
            self.dec(p);
        }
        if let Some(n) = &c.note {
            self.s("note");
            self.s(n);
        }
        for (i, l) in c.lines.iter().enumerate() {
            if l.ndc_quantity.is_some() || l.ndc_unit.is_some() {
                self.s("line_ndc");
                self.len(i);
                self.opt(l.ndc_quantity, Canon::dec);
                self.os(l.ndc_unit.as_ref());
            }
        }
        // Added with other coverage (coordination of benefits): encoded only
        // when the claim names another payer, for the same reason.
        if !c.other_payers.is_empty() || c.lines.iter().any(|l| !l.adjudications.is_empty()) {
            self.s("cob:other_payers,line_adjudications");
            self.len(c.other_payers.len());
            for o in &c.other_payers {
                self.other_payer(o);
            }
            for l in &c.lines {
                self.len(l.adjudications.len());
                for a in &l.adjudications {
                    self.line_adjudication(a);
                }
            }
        }
    }
    fn adjustments(&mut self, list: &[crate::claim::Adjustment]) {
        self.len(list.len());
        for a in list {
            self.s(&a.group);
            self.s(&a.reason);
            self.dec(a.amount);
            self.opt(a.quantity, Canon::dec);
        }
    }
    fn other_payer(&mut self, o: &crate::claim::OtherPayer) {
        self.s(o.responsibility.code());
        self.s(o.relationship.code());
        self.os(o.group_number.as_ref());
        self.s(&o.payer.id);
        self.s(&o.payer.name);
        self.s(&o.payer.filing_indicator);
        self.s(&o.member_id);
        self.person(&o.subscriber);
        self.opt(o.paid, Canon::dec);
        self.adjustments(&o.adjustments);
        self.opt(o.remaining_patient_liability, Canon::dec);
        self.opt(o.adjudication_date, Canon::date);
        self.os(o.claim_number.as_ref());
    }
    fn line_adjudication(&mut self, a: &crate::claim::LineAdjudication) {
        self.s(&a.payer_id);
        self.dec(a.paid);
        self.s(&a.procedure);
        self.len(a.modifiers.len());
        for m in &a.modifiers {
            self.s(m);
        }
        self.dec(a.units);
        self.adjustments(&a.adjustments);
        self.opt(a.date, Canon::date);
        self.opt(a.remaining_patient_liability, Canon::dec);
    }
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

impl Ledger {
    /// Creates the ledger's folder if needed, takes the lock, opens (creating
    /// if needed) the ledger, applies missing migrations and resolves
    /// submissions left `pending` by a crash.
    pub fn open(path: &Path) -> Result<Ledger, Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|cause| Error::Folder { path: dir.display().to_string(), cause })?;
        }
        let lock = LockFile::acquire(path)?;
        let shown = path.display().to_string();
        let sq = |source| Error::Sqlite { path: shown.clone(), cause: source };
        let conn = Connection::open(path).map_err(sq)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sq)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(sq)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(sq)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(sq)?;
        set_private(path);
        let mut ledger = Ledger { conn, path: shown, recovered: Vec::new(), _lock: lock };
        ledger.migrate()?;
        ledger.recover()?;
        Ok(ledger)
    }

    fn sq(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |source| Error::Sqlite { path: self.path.clone(), cause: source }
    }

    /// The schema version of the open ledger.
    pub fn version(&self) -> Result<u32, Error> {
        self.conn
            .query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))
            .map_err(self.sq())
    }

    fn migrate(&mut self) -> Result<(), Error> {
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

    /// Resolves `pending` submissions: complete when the file exists, else abandoned.
    fn recover(&mut self) -> Result<(), Error> {
        let pending: Vec<(i64, String, String)> = {
            let mut st = self
                .conn
                .prepare(
                    "SELECT id, file, isa13 FROM submissions WHERE state = 'pending' ORDER BY id",
                )
                .map_err(self.sq())?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(self.sq())?
                .collect::<Result<Vec<_>, _>>()
                .map_err(self.sq())?;
            rows
        };
        for (id, file, isa13) in pending {
            if Path::new(&file).exists() {
                self.complete(id)?;
                self.recovered.push((isa13, true));
            } else {
                let path = self.path.clone();
                let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
                let tx = self.conn.transaction().map_err(sq)?;
                tx.execute("DELETE FROM claim_history WHERE submission_id = ?1", [id])
                    .map_err(sq)?;
                tx.execute("DELETE FROM claim_patients WHERE submission_id = ?1", [id])
                    .map_err(sq)?;
                tx.execute("UPDATE submissions SET state = 'abandoned' WHERE id = ?1", [id])
                    .map_err(sq)?;
                tx.commit().map_err(sq)?;
                self.recovered.push((isa13, false));
            }
        }
        Ok(())
    }

    /// Allocates the next ISA13 and GS06 in one committed transaction.
    /// A number handed out is never handed out again, whether or not the
    /// file it was meant for gets written. `first` is what a counter that has
    /// handed out nothing yet starts at (1 normally; `control_number_start`
    /// in the config); once a counter has handed out a number, `first` is
    /// ignored and numbers go on from the last one.
    pub fn allocate_control_numbers(&mut self, first: u32) -> Result<(u32, u32), Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        let next = |name: &str| -> Result<u32, Error> {
            let v: i64 = tx
                .query_row(
                    "UPDATE counters SET value = CASE WHEN value = 0 THEN max(?2, 1) ELSE value + 1 END
                     WHERE name = ?1 RETURNING value",
                    params![name, first],
                    |r| r.get(0),
                )
                .map_err(sq)?;
            u32::try_from(v)
                .ok()
                .filter(|v| *v <= 999_999_999)
                .ok_or_else(|| Error::Exhausted { name: name.to_string() })
        };
        let isa13 = next("ISA13")?;
        let gs06 = next("GS06")?;
        tx.commit().map_err(sq)?;
        Ok((isa13, gs06))
    }

    /// The last value handed out by a counter (`ISA13`, `GS06`).
    pub fn counter(&self, name: &str) -> Result<u32, Error> {
        let v: i64 = self
            .conn
            .query_row("SELECT value FROM counters WHERE name = ?1", [name], |r| r.get(0))
            .map_err(self.sq())?;
        Ok(u32::try_from(v).unwrap_or(u32::MAX))
    }

    /// What the ledger knows of each `(claim_id, payer_id)`, in the same
    /// order (None = never sent in a complete submission).
    pub fn lookup(&self, keys: &[(&str, &str)]) -> Result<Vec<Option<SentClaim>>, Error> {
        // A new ledger answers without a query per claim.
        let any: bool = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM claims)", [], |r| r.get(0))
            .map_err(self.sq())?;
        if !any {
            return Ok(vec![None; keys.len()]);
        }
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT c.content_hash, c.status, s.file, s.isa13
                 FROM claims c JOIN submissions s ON s.id = c.submission_id
                 WHERE c.claim_id = ?1 AND c.payer_id = ?2",
            )
            .map_err(self.sq())?;
        let mut out = Vec::with_capacity(keys.len());
        for (claim_id, payer_id) in keys {
            let found = st
                .query_row(params![claim_id, payer_id], |r| {
                    Ok(SentClaim {
                        content_hash: r.get(0)?,
                        status: r.get(1)?,
                        file: r.get(2)?,
                        isa13: r.get(3)?,
                    })
                })
                .optional()
                .map_err(self.sq())?;
            out.push(found);
        }
        Ok(out)
    }

    /// Records a submission and its claims as `pending`, in one transaction.
    /// Call before renaming the file into place; then [`Ledger::complete`].
    pub fn record_pending(
        &mut self,
        sub: &SubmissionRecord,
        claims: &[ClaimRecord],
    ) -> Result<i64, Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        tx.execute(
            "INSERT INTO submissions (file, file_sha256, isa13, gs06, st02, claims, total_charge, created_at, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')",
            params![
                sub.file.display().to_string(),
                sub.file_sha256,
                sub.isa13,
                sub.gs06,
                sub.st02.join(","),
                claims.len() as i64,
                crate::numtext::amount(sub.total_charge),
                sub.created_at,
            ],
        )
        .map_err(sq)?;
        let id = tx.last_insert_rowid();
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO claim_history
                       (claim_id, payer_id, status, at, submission_id, st02, content_hash, frequency,
                        total_charge, clm_first, clm_last, hl_levels, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                )
                .map_err(sq)?;
            for c in claims {
                let (first, last, levels) = ack::span_columns(c.span.as_ref());
                st.execute(params![
                    c.claim_id,
                    c.payer_id,
                    c.status,
                    sub.created_at,
                    id,
                    c.st02,
                    c.content_hash,
                    c.frequency,
                    crate::numtext::amount(c.total_charge),
                    first,
                    last,
                    levels,
                    c.detail,
                ])
                .map_err(sq)?;
            }
        }
        detail::insert_patients(&tx, id, claims).map_err(sq)?;
        tx.commit().map_err(sq)?;
        Ok(id)
    }

    /// Marks a pending submission complete: its claims become the ledger's
    /// current state (status `sent`), in one transaction.
    pub fn complete(&mut self, submission_id: i64) -> Result<(), Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        tx.execute(
            "INSERT INTO claims
               (claim_id, payer_id, content_hash, frequency, total_charge, status, submission_id, st02, updated_at)
             SELECT claim_id, payer_id, content_hash, frequency, total_charge, 'sent', submission_id, st02, at
             FROM claim_history WHERE submission_id = ?1 ORDER BY id
             ON CONFLICT (claim_id, payer_id) DO UPDATE SET
               content_hash = excluded.content_hash, frequency = excluded.frequency,
               total_charge = excluded.total_charge, status = excluded.status,
               submission_id = excluded.submission_id, st02 = excluded.st02,
               updated_at = excluded.updated_at",
            [submission_id],
        )
        .map_err(sq)?;
        tx.execute("UPDATE submissions SET state = 'complete' WHERE id = ?1", [submission_id])
            .map_err(sq)?;
        tx.commit().map_err(sq)?;
        Ok(())
    }

    /// Records a later event for a claim that was sent (e.g. paid, denied,
    /// reversed): a `claim_history` row, and
    /// the claim's current `status`. Returns false (and records nothing) when
    /// the ledger has no such claim. `at` is ISO 8601 (the run's `--now`).
    pub fn record_status(
        &mut self,
        claim_id: &str,
        payer_id: &str,
        status: ClaimStatus,
        at: &str,
        detail: Option<&str>,
    ) -> Result<bool, Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        let n = tx
            .execute(
                "UPDATE claims SET status = ?3, updated_at = ?4 WHERE claim_id = ?1 AND payer_id = ?2",
                params![claim_id, payer_id, status, at],
            )
            .map_err(sq)?;
        if n == 0 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO claim_history (claim_id, payer_id, status, at, detail)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![claim_id, payer_id, status, at, detail],
        )
        .map_err(sq)?;
        tx.commit().map_err(sq)?;
        Ok(true)
    }

    /// The open connection, for read-only reporting and for modules that add
    /// their own tables through `MIGRATIONS`.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The open connection, for writes in modules that own tables added by a
    /// migration (e.g. remittances); use a transaction.
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// Makes the ledger file (and its WAL companions, when present) mode 0600.
fn set_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_os_string();
            p.push(suffix);
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests;

/// Statuses are stored as their words (`sent`, `paid`, ...).
impl rusqlite::ToSql for ClaimStatus {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

/// A word that is no status is an error naming it (a ledger edited by hand).
impl rusqlite::types::FromSql for ClaimStatus {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let word = value.as_str()?;
        ClaimStatus::from_word(word).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown claim status {word:?}").into())
        })
    }
}
