//! The 835 reader's segment handlers: BPR, the REF and DTM segments, CLP,
//! SVC and PLB, each filling the remittance being read. Where a segment may
//! appear is decided by the state machine in `parse`.

use super::*;

impl Reader {
    /// `BPR*<01 handling>*<02 amount>*<03 C/D>*<04 method>*<05 format>*…*<16 date>~`
    pub(super) fn bpr(&mut self, seg: &Fields<'_>) {
        self.saw_bpr = true;
        let amount = self.money(seg, 2);
        let date = self.date(seg, 16);
        self.rem.payment = super::super::Payment {
            pos: seg.pos,
            bpr01_handling: text(seg, 1),
            bpr02_amount: amount,
            bpr03_credit_debit: text(seg, 3),
            bpr04_method: text(seg, 4),
            bpr05_format: text(seg, 5),
            bpr16_date: date,
        };
    }

    pub(super) fn reference_segment(&mut self, seg: &Fields<'_>) {
        if self.balance_only && matches!(self.state, State::Claim | State::Line) {
            return;
        }
        // A line's REF*6R (its line item control number) is the usual REF:
        // its qualifier is compared as `text` would read it (trimmed, exactly
        // `6R`) without making a text of it.
        if self.state == State::Line && seg.get(1).trim_ascii() == b"6R" {
            if let Some(l) = self.current_line().filter(|l| l.line_id.is_none()) {
                l.line_id = Some(text(seg, 2));
                return;
            }
        }
        let r = Self::reference(seg);
        match self.state {
            State::Header => self.rem.refs.push(r),
            State::Payer | State::Payee => {
                if let Some(p) = self.current_party() {
                    p.refs.push(r)
                }
            }
            State::Claim => {
                if let Some(c) = self.current_claim() {
                    c.refs.push(r)
                }
            }
            State::Line => {
                if let Some(l) = self.current_line() {
                    if r.qualifier == "6R" && l.line_id.is_none() {
                        l.line_id = Some(r.value);
                    } else {
                        l.refs.push(r)
                    }
                }
            }
            State::HeaderNumber | State::Trailer => self.misplaced(seg),
        }
    }

    pub(super) fn dtm(&mut self, seg: &Fields<'_>) {
        // Compared as trimmed bytes (what `text` would keep for ASCII).
        let qualifier = seg.get(1).trim_ascii();
        let date = self.date(seg, 2);
        match self.state {
            State::Header | State::Payer | State::Payee => {
                if qualifier == b"405" {
                    self.rem.production_date = date;
                }
            }
            State::Claim if self.balance_only => {}
            State::Claim => {
                let qualifier = text(seg, 1);
                if let Some(c) = self.current_claim() {
                    c.dates.push(DateRef { qualifier, date })
                }
            }
            State::Line => {
                if let Some(l) = self.current_line() {
                    match qualifier {
                        b"472" | b"150" => l.service_date = date,
                        b"151" => l.service_date_end = date,
                        _ => {}
                    }
                }
            }
            State::HeaderNumber | State::Trailer => self.misplaced(seg),
        }
    }

    /// `CLP*<01 claim id>*<02 status>*<03 charge>*<04 paid>*<05 patient resp>*<06 filing>*<07 payer claim no>*<08 facility>*<09 freq>**<11 DRG>*<12 weight>*<13 fraction>~`
    pub(super) fn clp(&mut self, seg: &Fields<'_>) {
        if self.state == State::Trailer {
            self.misplaced(seg);
        }
        let claim_id = text(seg, 1);
        let status = text(seg, 2);
        if claim_id.is_empty() {
            self.error(seg, "835-CLP", "CLP01 (patient control number) is empty".to_string());
        }
        if !matches!(
            status.as_str(),
            "1" | "2" | "3" | "4" | "19" | "20" | "21" | "22" | "23" | "25"
        ) {
            self.warn(seg, "835-CLP02", format!("CLP02 status code {status:?} is not a 5010 code"));
        }
        let charge = self.money(seg, 3);
        let paid = self.money(seg, 4);
        let pr = self.opt_number(seg, 5);
        let weight = self.opt_number(seg, 12);
        let fraction = self.opt_number(seg, 13);
        self.close_streamed_claim();
        self.rem.claims.push(ClaimPayment {
            pos: seg.pos,
            lx: self.lx.clone(),
            clp01_claim_id: claim_id,
            clp02_status: status,
            clp03_charge: charge,
            clp04_paid: paid,
            clp05_patient_responsibility: pr,
            clp06_filing_indicator: if self.skip_filing_indicator {
                Text::default()
            } else {
                self.kept_text(seg, 6)
            },
            clp07_payer_claim_id: self.kept_text(seg, 7),
            clp08_facility: self.detail_text(seg, 8),
            clp09_frequency: self.detail_text(seg, 9),
            clp11_drg: self.detail_text(seg, 11),
            clp12_drg_weight: weight,
            clp13_discharge_fraction: fraction,
            adjustments: Vec::new(),
            names: Vec::new(),
            mia: None,
            moa: None,
            refs: Vec::new(),
            dates: Vec::new(),
            amounts: Vec::new(),
            quantities: Vec::new(),
            lines: Vec::new(),
        });
        self.state = State::Claim;
    }

    /// `SVC*<01 Q:code:mod…>*<02 charge>*<03 paid>*<04 revenue>*<05 units>*<06 Q:original code>*<07 original units>~`
    pub(super) fn svc(&mut self, seg: &Fields<'_>) {
        if !matches!(self.state, State::Claim | State::Line) || self.rem.claims.is_empty() {
            self.misplaced(seg);
            return;
        }
        let charge = self.money(seg, 2);
        let paid = self.money(seg, 3);
        let units = self.opt_number(seg, 5);
        let original_units = self.opt_number(seg, 7);
        let code_only = self.for_reconcile;
        let original =
            if seg.get(6).is_empty() { None } else { Some(procedure(seg, 6, code_only)) };
        let line = ServicePayment {
            pos: seg.pos,
            svc01_procedure: procedure(seg, 1, code_only),
            svc02_charge: charge,
            svc03_paid: paid,
            svc04_revenue_code: text(seg, 4),
            svc05_units: units,
            svc06_original: original,
            svc07_original_units: original_units,
            service_date: None,
            service_date_end: None,
            adjustments: Vec::new(),
            line_id: None,
            refs: Vec::new(),
            allowed: None,
            amounts: Vec::new(),
            quantities: Vec::new(),
            remarks: Vec::new(),
        };
        if let Some(c) = self.current_claim() {
            c.lines.push(line);
        }
        self.state = State::Line;
    }

    /// `PLB*<01 provider>*<02 fiscal date>*<03 reason:reference>*<04 amount>*…(6 pairs)~`
    pub(super) fn plb(&mut self, seg: &Fields<'_>) {
        let fiscal_date = self.date(seg, 2);
        let mut items = Vec::new();
        for k in 0..6 {
            let n = 3 + 2 * k;
            if seg.get(n).is_empty() && seg.get(n + 1).trim_ascii().is_empty() {
                continue;
            }
            let reason = part_text(seg, seg.component(n, 1));
            let reference = part_text(seg, seg.component(n, 2));
            let amount = self.money(seg, n + 1);
            items.push(ProviderAdjustmentItem { reason, reference, amount });
        }
        self.rem.provider_adjustments.push(ProviderAdjustment {
            pos: seg.pos,
            provider_id: text(seg, 1),
            fiscal_date,
            items,
        });
        self.state = State::Trailer;
    }
}
