//! The remittance tables' migrations, schema versions 2 to 5. It runs none
//! of them (`migrations` does).

/// Schema version 2: remittances, claim payments, provider adjustments.
pub(crate) const MIGRATION_V2: &str = r#"
CREATE TABLE remittances (
    id           INTEGER PRIMARY KEY,
    payer_id     TEXT NOT NULL,        -- N1*PR REF*2U, N104, or TRN03
    trace        TEXT NOT NULL,        -- TRN02 check/EFT trace number
    file_sha256  TEXT NOT NULL,
    file         TEXT NOT NULL,
    st02         TEXT NOT NULL,
    bpr02        TEXT NOT NULL,        -- decimal text
    plb_total    TEXT NOT NULL,        -- decimal text, positive = taken back
    payment_date TEXT,                 -- BPR16, YYYY-MM-DD
    applied_at   TEXT NOT NULL,        -- the run's --now
    UNIQUE (payer_id, trace, file_sha256)
);

CREATE TABLE claim_payments (
    id                     INTEGER PRIMARY KEY,
    remittance_id          INTEGER NOT NULL REFERENCES remittances (id),
    claim_id               TEXT NOT NULL,  -- matched CLM01, or CLP01 when unmatched
    payer_id               TEXT NOT NULL,  -- the claim's payer id (ledger key)
    matched                INTEGER NOT NULL,
    clp01                  TEXT NOT NULL,
    clp02                  TEXT NOT NULL,
    payer_claim_id         TEXT NOT NULL,  -- CLP07
    status                 TEXT NOT NULL,  -- paid, partial, denied, patient_responsibility, reversed, unmatched
    billed                 TEXT NOT NULL,
    paid                   TEXT NOT NULL,
    patient_responsibility TEXT NOT NULL,
    contractual            TEXT NOT NULL,
    other_adjustments      TEXT NOT NULL,
    adjustments            TEXT NOT NULL,  -- 'CO-45 20.00;PR-1 10.00'
    reverses               INTEGER REFERENCES claim_payments (id),
    reversed_by            INTEGER REFERENCES claim_payments (id)
);
CREATE INDEX claim_payments_claim ON claim_payments (claim_id, payer_id);
"#;

/// Schema version 3: the claim's payer claim number on `claims`, and payment
/// events read from `claim_payments` (through the `claim_events` view)
/// instead of being copied into `claim_history`.
pub(crate) const MIGRATION_V3: &str = r#"
ALTER TABLE claims ADD COLUMN payer_claim_id TEXT;   -- CLP07 of the latest payment that gave one
UPDATE claims SET payer_claim_id = (
    SELECT p.payer_claim_id FROM claim_payments p
    WHERE p.claim_id = claims.claim_id AND p.payer_id = claims.payer_id
      AND p.matched = 1 AND p.payer_claim_id <> ''
    ORDER BY p.id DESC LIMIT 1);
-- Version 2 copied every matched payment into claim_history (no submission,
-- detail 'trace T paid A'); claim_events now reads those from claim_payments.
DELETE FROM claim_history
WHERE submission_id IS NULL AND detail LIKE 'trace % paid %'
  AND status IN ('paid', 'partial', 'denied', 'patient_responsibility', 'reversed');

-- Every event of a claim: build events and later statuses (claim_history),
-- and each matched claim payment. Order by at, source, seq (at the same
-- moment a build event comes before a payment).
CREATE VIEW claim_events AS
SELECT h.claim_id, h.payer_id, h.status, h.at, h.detail,
       h.submission_id, NULL AS payment_id, 'history' AS source, h.id AS seq
FROM claim_history h
UNION ALL
SELECT p.claim_id, p.payer_id, p.status, r.applied_at,
       'trace ' || r.trace || ' paid ' || p.paid
       || CASE WHEN p.reverses IS NULL THEN '' ELSE '; undoes payment #' || p.reverses END,
       NULL, p.id, 'payment', p.id
FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id
WHERE p.matched = 1;
"#;

/// Schema version 4: the denied part of a payment's adjustments apart from
/// the contractual part. Rows posted by version 3 keep `contractual` = every
/// CO adjustment and get `denied` NULL (`adjustments` lists each one).
pub(crate) const MIGRATION_V4: &str = r#"
ALTER TABLE claim_payments ADD COLUMN denied TEXT;   -- decimal text; NULL on rows posted by version 3
"#;

/// Schema version 5: a payment is keyed by payer + TRN02 + TRN03 and its
/// content fingerprint, not by file; the unique key on the file's hash goes
/// (two payments in one file may share a trace). The table is rebuilt (run
/// with foreign keys off, checked before commit); earlier rows get NULL
/// `trn03` and `fingerprint`.
pub(crate) const MIGRATION_V5: &str = r#"
DROP VIEW claim_events;
CREATE TABLE remittances_v5 (
    id           INTEGER PRIMARY KEY,
    payer_id     TEXT NOT NULL,        -- the paying payer's id (config id), else REF*2U, N104 or TRN03
    trace        TEXT NOT NULL,        -- TRN02 check/EFT trace number
    trn03        TEXT,                 -- TRN03; NULL on rows posted before version 5
    fingerprint  TEXT,                 -- sha256 of the payment's content; NULL before version 5
    file_sha256  TEXT NOT NULL,
    file         TEXT NOT NULL,
    st02         TEXT NOT NULL,
    bpr02        TEXT NOT NULL,        -- decimal text
    plb_total    TEXT NOT NULL,        -- decimal text, positive = taken back
    payment_date TEXT,                 -- BPR16, YYYY-MM-DD
    applied_at   TEXT NOT NULL         -- the run's --now
);
INSERT INTO remittances_v5 (id, payer_id, trace, trn03, fingerprint, file_sha256, file, st02,
    bpr02, plb_total, payment_date, applied_at)
SELECT id, payer_id, trace, NULL, NULL, file_sha256, file, st02, bpr02, plb_total,
    payment_date, applied_at
FROM remittances;
DROP TABLE remittances;
ALTER TABLE remittances_v5 RENAME TO remittances;
CREATE INDEX remittances_payment ON remittances (payer_id, trace);

CREATE VIEW claim_events AS
SELECT h.claim_id, h.payer_id, h.status, h.at, h.detail,
       h.submission_id, NULL AS payment_id, 'history' AS source, h.id AS seq
FROM claim_history h
UNION ALL
SELECT p.claim_id, p.payer_id, p.status, r.applied_at,
       'trace ' || r.trace || ' paid ' || p.paid
       || CASE WHEN p.reverses IS NULL THEN '' ELSE '; undoes payment #' || p.reverses END,
       NULL, p.id, 'payment', p.id
FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id
WHERE p.matched = 1;
"#;
