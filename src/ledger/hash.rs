//! The canonical content hash of a claim (`content_hash`, version
//! `claimflow-claim-v1`) that tells a changed claim from one already sent,
//! and the hex form of digests. It does not decide what to resend (that is
//! `build`).

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::claim::Claim;

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
    // The canonical bytes go in a buffer each thread keeps (a build hashes
    // every claim, on all cores).
    thread_local! {
        static CANON: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    CANON.with_borrow_mut(|buf| {
        buf.clear();
        let mut c = Canon(std::mem::take(buf));
        c.raw(b"claimflow-claim-v1");
        c.claim(claim);
        let hash = hex(&Sha256::digest(&c.0));
        *buf = c.0;
        hash
    })
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
        if let Some(t) = &c.insurance_type {
            self.s("insurance_type");
            self.s(t);
        }
        for (i, l) in c.lines.iter().enumerate() {
            // Added with anesthesia minutes: only a line sent in minutes
            // encodes its unit of measure.
            if l.unit_code() != "UN" {
                self.s("line_unit");
                self.len(i);
                self.s(l.unit_code());
            }
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
        // Added with Medicare as a secondary payer: only when given.
        if let Some(t) = &o.insurance_type {
            self.s("insurance_type");
            self.s(t);
        }
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
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}
