//! The 837P reader's segment handlers: NM1 (the party of the current
//! level), REF, CLM, DTP, HI, SV1 and CTP, each filling the claim or line
//! being read. Which loop a segment belongs to is decided by the state
//! machine in `read`; other payers are `read_cob`'s.

use super::*;

impl State {
    pub(super) fn nm1(&mut self, seg: &Segment<'_>) {
        let qualifier = seg.str(1);
        let qualifier = qualifier.trim();
        if let Some(claim) = self.claim.as_mut() {
            let provider =
                || ProviderRef { npi: text(seg, 9), last: text(seg, 3), first: text(seg, 4) };
            self.entity = match (qualifier, self.line.is_some()) {
                ("DN", false) => {
                    claim.referring = Some(provider());
                    Entity::Referring
                }
                ("82", false) => {
                    claim.rendering = Some(provider());
                    Entity::Rendering
                }
                ("77", false) => {
                    claim.facility = Some(Box::new(Facility {
                        name: text(seg, 3),
                        npi: text(seg, 9),
                        address: Address::default(),
                    }));
                    Entity::Facility
                }
                ("DQ", false) => {
                    claim.supervising = Some(Box::new(provider()));
                    Entity::Supervising
                }
                _ => Entity::Skipped,
            };
            return;
        }
        self.entity = match qualifier {
            "85" => {
                self.billing.entity = if seg.str(2).trim() == "1" {
                    crate::claim::Entity::Person
                } else {
                    crate::claim::Entity::Organization
                };
                self.billing.name = text(seg, 3);
                self.billing.first_name = text(seg, 4);
                self.billing.npi = text(seg, 9);
                self.billing.pay_to = None;
                Entity::Billing
            }
            "87" => {
                self.billing.pay_to = Some(Address::default());
                Entity::PayTo
            }
            "IL" => {
                self.subscriber.last = text(seg, 3);
                self.subscriber.first = text(seg, 4);
                self.subscriber.middle = opt(seg, 5);
                self.member_id = text(seg, 9);
                Entity::Subscriber
            }
            "PR" => {
                self.payer.name = text(seg, 3);
                self.payer.id = text(seg, 9);
                Entity::Payer
            }
            "QC" => {
                let p = self.patient.get_or_insert_with(Person::default);
                p.last = text(seg, 3);
                p.first = text(seg, 4);
                p.middle = opt(seg, 5);
                Entity::Patient
            }
            "41" | "40" => Entity::None,
            _ => Entity::Skipped,
        };
    }

    pub(super) fn reference(&mut self, seg: &Segment<'_>) {
        let q = seg.str(1);
        match (self.entity, q.trim()) {
            (Entity::Billing, "EI") => self.billing.tax_id = text(seg, 2),
            (Entity::Claim, "G1") => {
                if let Some(c) = self.claim.as_mut() {
                    c.prior_auth = opt(seg, 2);
                }
            }
            (Entity::Claim, "F8") => {
                if let Some(c) = self.claim.as_mut() {
                    c.original_ref = opt(seg, 2);
                }
            }
            (Entity::Line, "6R") => {
                if let Some(l) = self.line.as_mut().and_then(|d| d.line.as_mut()) {
                    l.line_id = text(seg, 2);
                }
            }
            _ => {}
        }
    }

    pub(super) fn clm(&mut self, seg: &Segment<'_>) {
        self.finish_claim();
        let clm05 = seg.element(5);
        let comp = |m: usize| String::from_utf8_lossy(clm05.component(m)).trim().to_string();
        let frequency_code = comp(3);
        let frequency = Frequency::from_code(&frequency_code).unwrap_or_else(|| {
            self.warn(seg.pos, format!("CLM05-3 frequency {frequency_code:?} read as original"));
            Frequency::Original
        });
        let clm11 = seg.element(11);
        let related_causes: Vec<String> = (1..=2)
            .map(|m| String::from_utf8_lossy(clm11.component(m)).trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        let accident_state = Some(String::from_utf8_lossy(clm11.component(4)).trim().to_string())
            .filter(|s| !s.is_empty());
        let is_self = self.subscriber_is_patient || self.patient.is_none();
        let stated_total = Some(self.decimal(seg, 2, "CLM02 total charge"));
        let claim = Claim {
            claim_id: text(seg, 1),
            billing: self.billing.clone(),
            payer: self.payer.clone(),
            member_id: self.member_id.clone(),
            group_number: self.group_number.clone(),
            subscriber: self.subscriber.clone(),
            relationship: if is_self { Relationship::SelfInsured } else { self.relationship },
            patient: if is_self { None } else { self.patient.clone() },
            place_of_service: comp(1),
            frequency,
            original_ref: None,
            prior_auth: None,
            onset_date: None,
            rendering: None,
            referring: None,
            facility: None,
            supervising: None,
            related_causes,
            accident_state,
            accident_date: None,
            delay_reason: opt(seg, 20),
            patient_paid: None,
            note: None,
            diagnoses: Vec::new(),
            lines: Vec::new(),
            stated_total,
            other_payers: Vec::new(),
            insurance_type: self.insurance_type.clone(),
            source: Source::default(),
        };
        self.claim = Some(claim);
        self.entity = Entity::Claim;
    }

    pub(super) fn dtp(&mut self, seg: &Segment<'_>) {
        let q = seg.str(1);
        let format = seg.str(2);
        let value = seg.str(3);
        match (self.entity, q.trim()) {
            (Entity::Claim, "431") => {
                if let Some(c) = self.claim.as_mut() {
                    c.onset_date = d8(&value);
                }
            }
            (Entity::Claim, "439") => {
                if let Some(c) = self.claim.as_mut() {
                    c.accident_date = d8(&value);
                }
            }
            (Entity::Line, "472") => {
                let date = match format.trim() {
                    "RD8" => value.split_once('-').and_then(|(a, b)| Some((d8(a)?, Some(d8(b)?)))),
                    _ => d8(&value).map(|d| (d, None)),
                };
                if let Some(draft) = self.line.as_mut() {
                    draft.date = date;
                }
            }
            _ => {}
        }
    }

    pub(super) fn hi(&mut self, seg: &Segment<'_>) {
        let Some(claim) = self.claim.as_mut() else { return };
        if self.entity != Entity::Claim || !claim.diagnoses.is_empty() {
            return;
        }
        claim
            .diagnoses
            .extend(diagnosis_codes(seg).map(|c| String::from_utf8_lossy(c).into_owned()));
    }

    pub(super) fn sv1(&mut self, seg: &Segment<'_>) {
        if self.line.is_none() {
            if self.claim.is_none() {
                return;
            }
            // An SV1 without LX: tolerate, start a line here.
            self.line = Some(LineDraft { pos: seg.pos, ..LineDraft::default() });
            self.entity = Entity::Line;
        }
        let sv101 = seg.element(1);
        let comp = |m: usize| String::from_utf8_lossy(sv101.component(m)).trim().to_string();
        let procedure = comp(2);
        let modifiers: Vec<String> = (3..=6).map(comp).filter(|m| !m.is_empty()).collect();
        let charge = self.decimal(seg, 2, "SV102 charge");
        let units = self.decimal(seg, 4, "SV104 units");
        // SV103 is kept only when it is not the procedure's default, as the
        // encounter reader leaves `unit` empty when the column is.
        let unit = text(seg, 3);
        let unit =
            (!unit.is_empty() && unit != ServiceLine::default_unit(&procedure)).then_some(unit);
        let dx_pointers: Vec<u8> = dx_pointers(seg).filter_map(|p| u8::try_from(p).ok()).collect();
        if let Some(draft) = self.line.as_mut() {
            draft.line = Some(ServiceLine {
                line_id: String::new(),
                // Set from DTP*472 when the line is finished.
                service_date: NaiveDate::default(),
                service_date_end: None,
                procedure,
                modifiers,
                units,
                unit,
                charge,
                dx_pointers,
                ndc: None,
                adjudications: Vec::new(),
                ndc_quantity: None,
                ndc_unit: None,
                row: 0,
            });
        }
    }

    /// CTP of loop 2410: CTP04 drug quantity, CTP05-1 its unit.
    pub(super) fn ctp(&mut self, seg: &Segment<'_>) {
        if self.line.as_ref().and_then(|d| d.line.as_ref()).is_none() {
            return;
        }
        let quantity = Some(text(seg, 4))
            .filter(|q| !q.is_empty())
            .map(|_| self.decimal(seg, 4, "CTP04 drug quantity"));
        let unit = Some(String::from_utf8_lossy(seg.element(5).component(1)).trim().to_string())
            .filter(|u| !u.is_empty());
        if let Some(l) = self.line.as_mut().and_then(|d| d.line.as_mut()) {
            l.ndc_quantity = quantity;
            l.ndc_unit = unit;
        }
    }
}
