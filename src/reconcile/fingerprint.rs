//! The content fingerprint of a payment (one 835 transaction set): what
//! makes the same payment in another envelope or byte form recognisable as
//! already applied. It does not look anything up in the ledger.

use rust_decimal::Decimal;

use crate::edi835::{Adjustment, ClaimPayment, Remittance};

/// The content fingerprint of a payment (one 835 transaction set): sha256,
/// hex, over BPR01-04 and BPR16, TRN02 and TRN03, every PLB item, and per
/// claim payment CLP01-CLP07, its adjustments and its service lines (SVC01
/// code and modifiers, SVC02, SVC03, SVC05, REF*6R, adjustments). Values
/// are trimmed, ids upper case, amounts normalized (`125.00` = `125`), and
/// each is written with its length: the same payment in another envelope
/// (ISA13, GS06, ST02), with other delimiters or line endings, has the same
/// fingerprint; any other amount, code or claim changes it.
pub fn fingerprint(rem: &Remittance) -> String {
    let mut f = Fingerprint::start(rem);
    for cp in &rem.claims {
        f.claim(cp);
    }
    f.finish()
}

/// A [`fingerprint`] taken claim payment by claim payment, so a caller that
/// goes through a payment's claims anyway hashes each while it is at hand:
/// [`Fingerprint::start`] with the remittance, [`Fingerprint::claim`] with
/// each of its claim payments in order, [`Fingerprint::finish`].
pub(crate) struct Fingerprint {
    c: Canon,
}

impl Fingerprint {
    /// Hashes the payment's header (BPR, TRN), PLB items and claim count.
    pub(crate) fn start(rem: &Remittance) -> Fingerprint {
        use sha2::Digest;
        let mut c = Canon { sha: sha2::Sha256::new(), buf: [0; CANON_BUF], len: 0 };
        c.s("claimflow-payment-v1");
        let p = &rem.payment;
        c.id(&p.bpr01_handling);
        c.dec(p.bpr02_amount);
        c.id(&p.bpr03_credit_debit);
        c.id(&p.bpr04_method);
        c.s(&p.bpr16_date.map(|d| d.to_string()).unwrap_or_default());
        c.id(&rem.trace.trn02_number);
        c.id(&rem.trace.trn03_originator);
        for plb in &rem.provider_adjustments {
            c.id(&plb.provider_id);
            c.s(&plb.fiscal_date.map(|d| d.to_string()).unwrap_or_default());
            c.n(plb.items.len());
            for i in &plb.items {
                c.id(&i.reason);
                c.id(&i.reference);
                c.dec(i.amount);
            }
        }
        c.n(rem.claims.len());
        Fingerprint { c }
    }

    /// Hashes the next claim payment of the remittance.
    pub(crate) fn claim(&mut self, cp: &ClaimPayment) {
        let c = &mut self.c;
        c.id(&cp.clp01_claim_id);
        c.id(&cp.clp02_status);
        c.dec(cp.clp03_charge);
        c.dec(cp.clp04_paid);
        c.opt(cp.clp05_patient_responsibility);
        c.id(&cp.clp06_filing_indicator);
        c.id(&cp.clp07_payer_claim_id);
        c.adjustments(&cp.adjustments);
        c.n(cp.lines.len());
        for l in &cp.lines {
            c.id(&l.svc01_procedure.code);
            c.n(l.svc01_procedure.modifiers.len());
            for m in &l.svc01_procedure.modifiers {
                c.id(m);
            }
            c.dec(l.svc02_charge);
            c.dec(l.svc03_paid);
            c.opt(l.svc05_units);
            c.id(l.line_id.as_deref().unwrap_or_default());
            c.adjustments(&l.adjustments);
        }
    }

    /// The fingerprint (sha256, hex), once every claim payment is in.
    pub(crate) fn finish(mut self) -> String {
        use sha2::Digest;
        self.c.flush();
        crate::ledger::hex(&self.c.sha.finalize())
    }
}

/// The size of [`Canon`]'s buffer: 64 sha256 blocks.
const CANON_BUF: usize = 4096;

/// The canonical bytes of a payment, fed to sha256 as they are written
/// through a buffer on the stack (a set's bytes are never held whole).
struct Canon {
    sha: sha2::Sha256,
    buf: [u8; CANON_BUF],
    /// Bytes of `buf` written and not yet hashed.
    len: usize,
}

impl Canon {
    /// Hashes what the buffer holds.
    fn flush(&mut self) {
        use sha2::Digest;
        self.sha.update(&self.buf[..self.len]);
        self.len = 0;
    }

    /// The next `n` bytes of the buffer, to be written whole (`n` at most
    /// [`CANON_BUF`]); hashes what it holds first when they do not fit.
    #[inline]
    fn room(&mut self, n: usize) -> &mut [u8] {
        if self.len + n > CANON_BUF {
            self.flush();
        }
        let start = self.len;
        self.len += n;
        &mut self.buf[start..start + n]
    }

    /// `bytes` as they are.
    #[inline]
    fn raw(&mut self, bytes: &[u8]) {
        for part in bytes.chunks(CANON_BUF) {
            self.room(part.len()).copy_from_slice(part);
        }
    }

    /// A length (or count), 4 bytes little-endian.
    #[inline]
    fn n(&mut self, n: usize) {
        self.room(4).copy_from_slice(&(n as u32).to_le_bytes());
    }

    /// A value as written (trimmed), with its length.
    fn s(&mut self, v: &str) {
        let v = crate::values::trimmed(v);
        self.n(v.len());
        self.raw(v.as_bytes());
    }

    /// An id or code: trimmed and upper case, with its length.
    #[inline]
    fn id(&mut self, v: &str) {
        let v = crate::values::trimmed(v).as_bytes();
        self.n(v.len());
        for part in v.chunks(CANON_BUF) {
            for (to, b) in self.room(part.len()).iter_mut().zip(part) {
                *to = b.to_ascii_uppercase();
            }
        }
    }

    /// An amount, normalized (`125.00` = `125`), with its length.
    #[inline]
    fn dec(&mut self, d: Decimal) {
        let mut text = [0u8; crate::numtext::NORMALIZED_MAX];
        let start = crate::numtext::normalized_into(&mut text, d);
        let text = &text[start..];
        let to = self.room(4 + text.len());
        to[..4].copy_from_slice(&(text.len() as u32).to_le_bytes());
        to[4..].copy_from_slice(text);
    }

    /// An optional amount (`-` when absent).
    fn opt(&mut self, d: Option<Decimal>) {
        match d {
            Some(d) => self.dec(d),
            None => self.s("-"),
        }
    }

    fn adjustments(&mut self, adjs: &[Adjustment]) {
        self.n(adjs.len());
        for a in adjs {
            self.id(&a.group_code);
            self.id(&a.reason);
            self.dec(a.amount);
            self.opt(a.quantity);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edi835::{Procedure, ProviderAdjustment, ProviderAdjustmentItem, ServicePayment};
    use crate::x12::Position;
    use crate::Text;
    use proptest::prelude::*;

    /// The fingerprint as first defined: every canonical byte in one
    /// buffer, hashed at the end. Ledgers hold fingerprints made this way,
    /// so [`fingerprint`] must give the same for every payment.
    fn reference(rem: &Remittance) -> String {
        use sha2::Digest;
        struct Canon(Vec<u8>, String);
        impl Canon {
            fn n(&mut self, n: usize) {
                self.0.extend_from_slice(&(n as u32).to_le_bytes());
            }
            fn s(&mut self, v: &str) {
                let v = v.trim();
                self.n(v.len());
                self.0.extend_from_slice(v.as_bytes());
            }
            fn id(&mut self, v: &str) {
                let v = v.trim();
                self.n(v.len());
                self.0.extend(v.bytes().map(|b| b.to_ascii_uppercase()));
            }
            fn dec(&mut self, d: Decimal) {
                self.1 = d.normalize().to_string();
                self.n(self.1.len());
                self.0.extend_from_slice(self.1.as_bytes());
            }
            fn opt(&mut self, d: Option<Decimal>) {
                match d {
                    Some(d) => self.dec(d),
                    None => self.s("-"),
                }
            }
            fn adjustments(&mut self, adjs: &[Adjustment]) {
                self.n(adjs.len());
                for a in adjs {
                    self.id(&a.group_code);
                    self.id(&a.reason);
                    self.dec(a.amount);
                    self.opt(a.quantity);
                }
            }
        }
        let mut c = Canon(Vec::new(), String::new());
        c.s("claimflow-payment-v1");
        let p = &rem.payment;
        c.id(&p.bpr01_handling);
        c.dec(p.bpr02_amount);
        c.id(&p.bpr03_credit_debit);
        c.id(&p.bpr04_method);
        c.s(&p.bpr16_date.map(|d| d.to_string()).unwrap_or_default());
        c.id(&rem.trace.trn02_number);
        c.id(&rem.trace.trn03_originator);
        for plb in &rem.provider_adjustments {
            c.id(&plb.provider_id);
            c.s(&plb.fiscal_date.map(|d| d.to_string()).unwrap_or_default());
            c.n(plb.items.len());
            for i in &plb.items {
                c.id(&i.reason);
                c.id(&i.reference);
                c.dec(i.amount);
            }
        }
        c.n(rem.claims.len());
        for cp in &rem.claims {
            c.id(&cp.clp01_claim_id);
            c.id(&cp.clp02_status);
            c.dec(cp.clp03_charge);
            c.dec(cp.clp04_paid);
            c.opt(cp.clp05_patient_responsibility);
            c.id(&cp.clp06_filing_indicator);
            c.id(&cp.clp07_payer_claim_id);
            c.adjustments(&cp.adjustments);
            c.n(cp.lines.len());
            for l in &cp.lines {
                c.id(&l.svc01_procedure.code);
                c.n(l.svc01_procedure.modifiers.len());
                for m in &l.svc01_procedure.modifiers {
                    c.id(m);
                }
                c.dec(l.svc02_charge);
                c.dec(l.svc03_paid);
                c.opt(l.svc05_units);
                c.id(l.line_id.as_deref().unwrap_or_default());
                c.adjustments(&l.adjustments);
            }
        }
        crate::ledger::hex(&sha2::Sha256::digest(&c.0))
    }

    /// Every 835 under `fixtures/`, read.
    fn fixture_remittances() -> Vec<(std::path::PathBuf, Remittance)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|x| x == "835") {
                    out.push(path);
                }
            }
        }
        let mut paths = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"), &mut paths);
        paths.sort();
        let mut out = Vec::new();
        for path in paths {
            let read = crate::edi835::read_file(&std::fs::read(&path).unwrap());
            out.extend(read.remittances.into_iter().map(|r| (path.clone(), r)));
        }
        out
    }

    #[test]
    fn every_fixture_payment_keeps_the_fingerprint_ledgers_hold() {
        let all = fixture_remittances();
        assert!(all.len() >= 40, "{} fixture payments", all.len());
        for (path, rem) in &all {
            assert_eq!(fingerprint(rem), reference(rem), "{}", path.display());
        }
    }

    /// Ids and values: usually short codes, sometimes with blanks, lower
    /// case or non-ASCII bytes, now and then longer than the hash buffer.
    fn text() -> impl Strategy<Value = Text> {
        prop_oneof![
            12 => "[A-Za-z0-9]{0,12}".boxed(),
            3 => "[ a-z0-9\\t\\-]{0,20}".boxed(),
            2 => "[ -~éß]{0,40}".boxed(),
            1 => ("[a-zé]{4,8}", 1030usize..1100).prop_map(|(s, n)| s.repeat(n)).boxed(),
        ]
        .prop_map(Text::from)
    }

    /// Amounts as X12 carries them, and any other `Decimal`.
    fn amount() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            8 => (-10_000_000i64..10_000_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)),
            1 => (any::<i64>(), 0u32..12).prop_map(|(m, s)| Decimal::new(m, s)),
            1 => (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
                .prop_map(|(lo, mid, hi, neg, s)| Decimal::from_parts(lo, mid, hi, neg, s)),
        ]
    }

    fn date() -> impl Strategy<Value = Option<chrono::NaiveDate>> {
        proptest::option::of(
            (700_000i32..800_000).prop_map(chrono::NaiveDate::from_num_days_from_ce_opt),
        )
        .prop_map(Option::flatten)
    }

    fn adjustments() -> impl Strategy<Value = Vec<Adjustment>> {
        proptest::collection::vec(
            (text(), text(), amount(), proptest::option::of(amount())).prop_map(
                |(group_code, reason, amount, quantity)| Adjustment {
                    group: crate::edi835::Group::from_code(&group_code),
                    group_code,
                    reason,
                    amount,
                    quantity,
                },
            ),
            0..4,
        )
    }

    fn line() -> impl Strategy<Value = ServicePayment> {
        (
            text(),
            proptest::collection::vec(text(), 0..4),
            (amount(), amount(), proptest::option::of(amount())),
            proptest::option::of(text()),
            adjustments(),
        )
            .prop_map(|(code, modifiers, (charge, paid, units), line_id, adjustments)| {
                ServicePayment {
                    pos: Position::default(),
                    svc01_procedure: Procedure { code, modifiers, ..Procedure::default() },
                    svc02_charge: charge,
                    svc03_paid: paid,
                    svc04_revenue_code: Text::default(),
                    svc05_units: units,
                    svc06_original: None,
                    svc07_original_units: None,
                    service_date: None,
                    service_date_end: None,
                    adjustments,
                    line_id,
                    refs: vec![],
                    allowed: None,
                    amounts: vec![],
                    quantities: vec![],
                    remarks: vec![],
                }
            })
    }

    fn claim() -> impl Strategy<Value = ClaimPayment> {
        (
            (text(), text(), text(), text()),
            (amount(), amount(), proptest::option::of(amount())),
            adjustments(),
            proptest::collection::vec(line(), 0..5),
        )
            .prop_map(
                |((clp01, clp02, clp06, clp07), (charge, paid, pr), adjustments, lines)| {
                    let mut c = crate::reconcile::testing::payment("1", 0, 0, &[]);
                    c.clp01_claim_id = clp01;
                    c.clp02_status = clp02;
                    c.clp03_charge = charge;
                    c.clp04_paid = paid;
                    c.clp05_patient_responsibility = pr;
                    c.clp06_filing_indicator = clp06;
                    c.clp07_payer_claim_id = clp07;
                    c.adjustments = adjustments;
                    c.lines = lines;
                    c
                },
            )
    }

    fn remittance() -> impl Strategy<Value = Remittance> {
        let plb = (
            text(),
            date(),
            proptest::collection::vec(
                (text(), text(), amount()).prop_map(|(reason, reference, amount)| {
                    ProviderAdjustmentItem { reason, reference, amount }
                }),
                0..7,
            ),
        )
            .prop_map(|(provider_id, fiscal_date, items)| ProviderAdjustment {
                pos: Position::default(),
                provider_id,
                fiscal_date,
                items,
            });
        (
            (text(), amount(), text(), text(), date()),
            (text(), text()),
            proptest::collection::vec(plb, 0..3),
            proptest::collection::vec(claim(), 0..30),
        )
            .prop_map(
                |((handling, bpr02, credit, method, paid_on), (trn02, trn03), plb, claims)| {
                    let mut r = Remittance::default();
                    r.payment.bpr01_handling = handling;
                    r.payment.bpr02_amount = bpr02;
                    r.payment.bpr03_credit_debit = credit;
                    r.payment.bpr04_method = method;
                    r.payment.bpr16_date = paid_on;
                    r.trace.trn02_number = trn02;
                    r.trace.trn03_originator = trn03;
                    r.provider_adjustments = plb;
                    r.claims = claims;
                    r
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn any_payment_keeps_the_fingerprint_ledgers_hold(rem in remittance()) {
            prop_assert_eq!(fingerprint(&rem), reference(&rem));
        }
    }

    #[test]
    fn a_payment_has_one_fingerprint_whatever_its_envelope_or_line_endings() {
        let read = |name: &str| {
            let path =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/835").join(name);
            crate::edi835::read_file(&std::fs::read(path).unwrap()).remittances
        };
        let first = read("payers.835");
        let resent = read("payers-resent.835");
        let conflict = read("payers-conflict.835");
        let fp = fingerprint(&first[0]);
        assert_eq!(fp.len(), 64);
        assert_eq!(fingerprint(&resent[0]), fp, "new ISA13/GS06, CRLF");
        assert_ne!(fingerprint(&first[1]), fp);
        assert_ne!(fingerprint(&conflict[0]), fp, "same trace, other amounts");
        let mut changed = first[0].clone();
        changed.claims[0].lines[0].adjustments[0].reason = "24".into();
        assert_ne!(fingerprint(&changed), fp);
    }
}
