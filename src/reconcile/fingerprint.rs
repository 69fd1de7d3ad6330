//! The content fingerprint of a payment (one 835 transaction set): what
//! makes the same payment in another envelope or byte form recognisable as
//! already applied. It does not look anything up in the ledger.

use rust_decimal::Decimal;

use crate::edi835::{Adjustment, Remittance};

/// The content fingerprint of a payment (one 835 transaction set): sha256,
/// hex, over BPR01-04 and BPR16, TRN02 and TRN03, every PLB item, and per
/// claim payment CLP01-CLP07, its adjustments and its service lines (SVC01
/// code and modifiers, SVC02, SVC03, SVC05, REF*6R, adjustments). Values
/// are trimmed, ids upper case, amounts normalized (`125.00` = `125`), and
/// each is written with its length: the same payment in another envelope
/// (ISA13, GS06, ST02), with other delimiters or line endings, has the same
/// fingerprint; any other amount, code or claim changes it.
pub fn fingerprint(rem: &Remittance) -> String {
    use sha2::Digest;
    /// The canonical bytes, hashed once at the end; a text buffer for amounts.
    struct Canon(Vec<u8>, String);
    impl Canon {
        fn n(&mut self, n: usize) {
            self.0.extend_from_slice(&(n as u32).to_le_bytes());
        }
        fn s(&mut self, v: &str) {
            let v = crate::values::trimmed(v);
            self.n(v.len());
            self.0.extend_from_slice(v.as_bytes());
        }
        fn id(&mut self, v: &str) {
            let v = crate::values::trimmed(v);
            self.n(v.len());
            self.0.extend(v.bytes().map(|b| b.to_ascii_uppercase()));
        }
        fn dec(&mut self, d: Decimal) {
            self.1.clear();
            crate::numtext::push_normalized(&mut self.1, d);
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
    let mut c = Canon(Vec::with_capacity(256 * rem.claims.len() + 256), String::new());
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

#[cfg(test)]
mod tests {
    use super::*;

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
