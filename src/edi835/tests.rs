//! Unit tests of the 835 reader and balancing, on synthetic fixtures and
//! inline inputs (and, when present, the public samples in ../shared).

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::*;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/835").join(name)).unwrap()
}

fn isa() -> String {
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *260320*1200*^*00501*000000001*0*T*:~GS*HP*PAYER*PROVIDER*20260320*1200*1*X*005010X221A1~".to_string()
}

fn wrap(body: &str) -> Vec<u8> {
    let n = body.matches('~').count() + 2;
    format!("{}ST*835*0001~{body}SE*{n}*0001~GE*1*1~IEA*1*000000001~", isa()).into_bytes()
}

/// The set bodies `bodies` wrapped in an interchange each, then the 835
/// fixtures of every kind: the inputs the readers are compared on.
fn with_fixtures(bodies: &[&str]) -> Vec<Vec<u8>> {
    let mut inputs: Vec<Vec<u8>> = bodies.iter().map(|b| wrap(b)).collect();
    for name in ["remit-1.835", "remit-2.835", "unbalanced.835", "money.835", "recoded.835"] {
        inputs.push(fixture(name));
    }
    inputs
}

#[test]
fn reads_every_part_of_a_remittance() {
    let input = fixture("remit-1.835");
    let file = read_file(&input);
    assert_eq!(file.remittances.len(), 1);
    let r = &file.remittances[0];
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.payment.bpr01_handling, "C");
    assert_eq!(r.payment.bpr02_amount, dec("329.5"));
    assert_eq!(r.payment.bpr04_method, "CHK");
    assert_eq!(r.payment.bpr16_date, NaiveDate::from_ymd_opt(2026, 3, 15));
    assert_eq!(r.trace.trn02_number, "T100");
    assert_eq!(r.trace.trn03_originator, "1512345678");
    assert_eq!(r.production_date, NaiveDate::from_ymd_opt(2026, 3, 15));
    assert_eq!(r.payer.name, "DEMO HEALTH PLAN");
    assert_eq!(r.payer.city_state_zip, vec!["SPRINGFIELD", "IL", "627010001"]);
    assert_eq!(r.payer_id(), "DEMOPAYER1");
    assert_eq!(r.payee.id_qualifier, "XX");
    assert_eq!(r.payee.id, "1234567893");
    assert_eq!(r.payee.refs[0], Reference { qualifier: "TJ".into(), value: "123456789".into() });
    assert_eq!(r.claims.len(), 6);
    let c1 = &r.claims[0];
    assert_eq!(c1.lx.as_deref(), Some("1"));
    assert_eq!(c1.clp01_claim_id, "C1001");
    assert_eq!(c1.clp02_status, "1");
    assert_eq!(c1.clp03_charge, dec("120"));
    assert_eq!(c1.clp04_paid, dec("87"));
    assert_eq!(c1.clp05_patient_responsibility, None);
    assert_eq!(c1.clp06_filing_indicator, "12");
    assert_eq!(c1.clp07_payer_claim_id, "PCN-1001");
    assert_eq!(c1.date("050"), NaiveDate::from_ymd_opt(2026, 3, 10));
    assert_eq!(c1.name("QC").unwrap().name, "TESTPATIENT");
    assert_eq!(c1.lines.len(), 2);
    let l = &c1.lines[0];
    assert_eq!(l.svc01_procedure.qualifier, "HC");
    assert_eq!(l.svc01_procedure.code, "99213");
    assert_eq!(l.svc02_charge, dec("100"));
    assert_eq!(l.svc03_paid, dec("72"));
    assert_eq!(l.svc05_units, Some(dec("1")));
    assert_eq!(l.service_date, NaiveDate::from_ymd_opt(2026, 3, 1));
    assert_eq!(l.line_id.as_deref(), Some("C1001-1"));
    assert_eq!(l.allowed, Some(dec("72")));
    assert_eq!(l.adjustments[0].group, Some(Group::CO));
    assert_eq!(l.adjustments[0].reason, "45");
    assert_eq!(l.adjustments[0].amount, dec("28"));
    let c2 = &r.claims[1];
    assert_eq!(c2.lines[0].svc01_procedure.modifiers, vec!["25"]);
    assert_eq!(c2.lines[1].remarks, vec![Remark { qualifier: "HE".into(), code: "M15".into() }]);
    let c3 = &r.claims[2];
    assert_eq!(c3.moa.as_ref().unwrap()[2], "MA130");
    assert_eq!(c3.remark_codes(), vec!["MA130"]);
    assert_eq!(r.claims[3].clp05_patient_responsibility, Some(dec("80")));
    assert_eq!(r.claims[3].lines[0].adjustments.len(), 2, "two CAS segments on one line");
    let plb = &r.provider_adjustments[0];
    assert_eq!(plb.provider_id, "1234567893");
    assert_eq!(plb.fiscal_date, NaiveDate::from_ymd_opt(2026, 12, 31));
    assert_eq!(plb.items.len(), 2);
    assert_eq!(plb.items[0].reason, "L6");
    assert_eq!(plb.items[0].reference, "C1001");
    assert_eq!(plb.items[0].amount, dec("-2.5"));
    assert_eq!(plb.items[1].reason, "WO");
    assert_eq!(plb.items[1].amount, dec("30"));
    assert_eq!(r.plb_total(), dec("27.5"));
    assert!(balance(r).is_empty());
}

#[test]
fn reads_several_sets_payers_reversals_and_changed_codes() {
    let input = fixture("remit-2.835");
    let file = read_file(&input);
    assert_eq!(file.remittances.len(), 2);
    let (a, b) = (&file.remittances[0], &file.remittances[1]);
    assert_eq!(a.st02_control, "0001");
    assert_eq!(b.st02_control, "0002");
    assert_eq!(b.payer_id(), "DEMOPAYER2");
    assert!(a.claims[0].is_reversal());
    assert_eq!(a.claims[0].clp04_paid, dec("-90"));
    assert_eq!(a.claims[0].lines[0].svc05_units, Some(dec("-1")));
    let changed = &a.claims[2].lines[0];
    assert_eq!(changed.svc01_procedure.code, "99214");
    assert_eq!(changed.svc06_original.as_ref().unwrap().code, "99215");
    assert_eq!(changed.submitted_procedure().code, "99215");
    assert!(b.claims[0].is_forwarded());
    assert_eq!(b.claims[0].name("TT").unwrap().id, "SEC01");
    for r in &file.remittances {
        assert!(balance(r).is_empty(), "{:?}", balance(r));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
    }
}

#[test]
fn reads_all_six_cas_triples_and_six_plb_pairs() {
    let body = "BPR*I*3*C*NON************20260101~TRN*1*T*1~N1*PR*P~N1*PE*Q*XX*1234567893~LX*1~\
CLP*A1*1*30*9**12*X~CAS*CO*45*1*1*42*2**94*3*2*131*4**253*5**59*6~CAS*OA*23*0~\
PLB*1*20261231*L6:A1*-1*WO:X*2*FB*3*CV:1*4*72:2*-5*IS*-6~";
    let input = wrap(body);
    let file = read_file(&input);
    let r = &file.remittances[0];
    let c = &r.claims[0];
    assert_eq!(c.adjustments.len(), 7);
    assert_eq!(c.adjustments[0].quantity, Some(dec("1")));
    assert_eq!(c.adjustments[5].reason, "59");
    assert_eq!(c.adjustments[5].amount, dec("6"));
    assert_eq!(c.adjustments[6].group, Some(Group::OA));
    let items = &r.provider_adjustments[0].items;
    assert_eq!(items.len(), 6);
    assert_eq!(items[2].reason, "FB");
    assert_eq!(items[2].reference, "");
    assert_eq!(items[5].amount, dec("-6"));
    // The claim balances (30 − 9 = 21 = 1+…+6); BPR02 3 ≠ 9 − (−1+2+3+4−5−6) = 12.
    let codes: Vec<&str> = balance(r).iter().map(|f| f.rule).collect();
    assert_eq!(codes, vec!["835-BAL-BPR"]);
}

#[test]
fn reports_each_imbalance_as_a_finding() {
    let input = fixture("unbalanced.835");
    let file = read_file(&input);
    let r = &file.remittances[0];
    let findings = balance(r);
    let codes: Vec<&str> = findings.iter().map(|f| f.rule).collect();
    assert_eq!(codes, vec!["835-BAL-SVC", "835-BAL-CLP", "835-CLP05", "835-BAL-BPR"]);
    assert!(findings[0].message.contains("off by 10.00"), "{}", findings[0].message);
    assert_eq!(findings[2].severity, crate::x12::Severity::Warning);
    assert!(findings[3].message.contains("BPR02 100.00"), "{}", findings[3].message);
}

#[test]
fn bad_values_become_findings_not_panics() {
    let body = "BPR*C*12,50*C*CHK************2026013X~TRN*1*T*1~N1*PR*P~LX*1~\
CLP**77*abc*0~CAS*ZZ*1*x~SVC*HC:1*1*1~LQ*HE*N1~PLB*1**L6*y~CAS~SVC~";
    let input = wrap(body);
    let file = read_file(&input);
    let r = &file.remittances[0];
    let codes: Vec<&str> = r.findings.iter().map(|f| f.rule).collect();
    for expected in ["835-AMOUNT", "835-DATE", "835-CLP", "835-CLP02", "835-CAS-GROUP"] {
        assert!(codes.contains(&expected), "{expected} missing in {codes:?}");
    }
    let _ = balance(r);
}

#[test]
fn headerless_and_newline_terminated_files_read() {
    let st_only = b"ST*835*1234~BPR*I*5*C*NON************20260101~TRN*1*T9*1~N1*PR*P~N1*PE*Q~LX*1~CLP*X1*1*5*5**12*Y~SE*8*1234~";
    let file = read_file(st_only);
    assert_eq!(file.remittances.len(), 1);
    assert_eq!(file.remittances[0].claims[0].clp04_paid, dec("5"));
    let text = String::from_utf8(fixture("paid-only.835")).unwrap().replace("~\n", "\n");
    let file = read_file(text.as_bytes());
    assert_eq!(file.remittances.len(), 1);
    assert_eq!(file.remittances[0].claims[0].lines.len(), 2);
    assert!(balance(&file.remittances[0]).is_empty());
}

#[test]
fn arbitrary_bytes_never_panic() {
    let base = fixture("remit-2.835");
    // Cut and corrupt the file at many places; reading must always return.
    for cut in (0..base.len()).step_by(37) {
        let mut v = base[..cut].to_vec();
        v.extend_from_slice(b"*~:^");
        let f = read_file(&v);
        for r in &f.remittances {
            let _ = balance(r);
        }
    }
}

/// Every public 835 sample parses; exactly the ones PROVENANCE.md marks as
/// not balancing at BPR level get `835-BAL-BPR`. Skipped without ../shared.
#[test]
fn public_samples_parse_and_only_unbalanced_ones_are_flagged() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/x12-samples/835");
    let Ok(entries) = std::fs::read_dir(&dir) else { return };
    let mut names: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    names.sort();
    let unbalanced = [
        "835-nebraska-medicaid-3-interchanges-masked-from-oopfactory.txt",
        "835-reversals-clp02-22-denials-isa00401-gs08-5010-from-oopfactory.txt",
        "835-secondary-two-plb-unbalanced-negative-test-from-stupidedi.edi",
        "835-two-st-plb-l6-interest-masked-unbalanced-from-covehealth.txt",
    ];
    let mut seen = 0;
    for path in names {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.starts_with("835-") {
            continue;
        }
        seen += 1;
        let input = std::fs::read(&path).unwrap();
        let file = read_file(&input);
        assert!(!file.remittances.is_empty(), "{name}: no 835 set read");
        let bpr =
            file.remittances.iter().any(|r| balance(r).iter().any(|f| f.rule == "835-BAL-BPR"));
        assert_eq!(bpr, unbalanced.contains(&name.as_str()), "{name}");
    }
    assert!(seen >= 20, "only {seen} samples found");
}

#[test]
fn huge_amounts_are_findings_and_sums_never_overflow() {
    let big = "999999999999999999";
    let mut body = format!("BPR*C*{big}*C*CHK************20260101~TRN*1*T*1~N1*PR*P~LX*1~");
    for i in 0..50 {
        body.push_str(&format!(
            "CLP*X{i}*1*{big}*{big}**12*Y~SVC*HC:1*{big}*-{big}~CAS*CO*45*{big}9~"
        ));
    }
    body.push_str(&format!("PLB*1*20261231*L6*-{big}~"));
    let input = wrap(&body);
    let file = read_file(&input);
    let r = &file.remittances[0];
    assert!(r.findings.iter().any(|f| f.rule == "835-AMOUNT"));
    let codes: Vec<&str> = balance(r).iter().map(|f| f.rule).collect();
    assert!(codes.contains(&"835-BAL-BPR"));
}

#[test]
fn balance_only_reading_finds_what_full_reading_finds() {
    let bad = "BPR*C*12,50*C*CHK************2026013X~TRN*1*T*1~N1*PR*P~LX*1~\
CLP**77*abc*0~NM1*QC*1*X~REF*6R*1~CAS*ZZ*1*x~SVC*HC:1*1*1~DTM*472*2026~REF*6R*2~LQ*HE*N1~PLB*1**L6*y~CAS~SVC~NM1*QC~";
    // Two claims that do not balance (a line and a claim each), then a PLB
    // the BPR does not match, then a claim after the PLB.
    let unbalanced = "BPR*C*10*C*CHK************20260130~TRN*1*T*1~N1*PR*P~LX*1~\
CLP*A*1*100*50*5~CAS*PR*1*5~SVC*HC:99213*100*60~CAS*CO*45*30~\
CLP*B*1*40*10~SVC*HC:99214:25*40*10~CAS*CO*45*20~PLB*1*20261231*L6*3~CLP*C*1*1*1~";
    let inputs = with_fixtures(&[bad, unbalanced]);
    let mut compared = 0;
    for input in &inputs {
        let scan = crate::x12::scan(input);
        for (_, _, set) in scan.sets() {
            let full = read_set(input, set, "");
            let lean = read_set_for_balance(input, set);
            assert_eq!(lean.findings, full.findings);
            assert_eq!(balance(&lean), balance(&full));
            assert_eq!(lean.claims.len(), full.claims.len());
            assert!(lean.claims.iter().all(|c| c.names.is_empty() && c.refs.is_empty()));
            // Fed segment by segment, each claim balanced as it closes.
            let mut streamed = BalanceReader::new(set);
            let mut fields = crate::x12::Fields::default();
            for seg in set.segments(input).flatten() {
                fields.load(&seg);
                streamed.segment(&fields);
            }
            let streamed = streamed.finish();
            let read: Vec<_> = full.findings.iter().filter(|f| f.rule != "835-READ").collect();
            assert_eq!(streamed.read.iter().collect::<Vec<_>>(), read);
            assert_eq!(streamed.balance, balance(&full));
            compared += 1;
        }
    }
    assert!(compared >= 7, "{compared} sets compared");
    // The full reader keeps what the lean one drops.
    let full = read_set(&inputs[2], crate::x12::scan(&inputs[2]).sets().next().unwrap().2, "");
    assert!(full.claims.iter().any(|c| !c.names.is_empty()));
}

#[test]
fn reconcile_reading_is_full_reading_without_what_reconcile_never_reads() {
    let odd = "BPR*C*12,50*C*CHK************2026013X~TRN*1*T*1~N1*PR*P~LX*1~\
CLP*A*1*100*50*5*12*P1*11*1**DRG*1.5*0.5~NM1*QC*1*LAST*FIRST*M***MI*M1~NM1* TT *2*CARRIER*****PI*9~\
SVC*HC:99213:25:59:::DESC*100*60**1*HC:99214*1~CAS*CO*45*30~REF*6R*1~LQ*HE*N1~CLP*B~NM1~SVC*HC~";
    let inputs = with_fixtures(&[odd]);
    let mut compared = 0;
    for input in &inputs {
        let scan = crate::x12::scan(input);
        for (_, _, set) in scan.sets() {
            let mut full = read_set(input, set, "ICN");
            let (lean, lean_balance) = read_set_for_reconcile(input, set, "ICN", true);
            let (leaner, leaner_balance) = read_set_for_reconcile(input, set, "ICN", false);
            // Each claim balanced as it is read: what `balance` finds.
            assert_eq!(lean_balance, balance(&full));
            assert_eq!(leaner_balance, lean_balance);
            let mut without_clp06 = lean.clone();
            for c in &mut without_clp06.claims {
                c.clp06_filing_indicator = Text::default();
            }
            assert_eq!(leaner, without_clp06);
            // What the reconcile reading leaves out, cleared from the full one.
            let code_only = |p: &mut Procedure| {
                p.qualifier = Text::default();
                p.description = Text::default();
            };
            for c in &mut full.claims {
                c.clp08_facility = Text::default();
                c.clp09_frequency = Text::default();
                c.clp11_drg = Text::default();
                c.names.retain(|n| n.entity == "TT");
                for n in &mut c.names {
                    *n = Party { entity: n.entity.clone(), ..Party::default() };
                }
                for l in &mut c.lines {
                    code_only(&mut l.svc01_procedure);
                    if let Some(p) = l.svc06_original.as_mut() {
                        code_only(p);
                    }
                }
            }
            assert_eq!(lean, full);
            compared += 1;
        }
    }
    assert!(compared >= 6, "{compared} sets compared");
    // The full reader keeps what the lean one drops.
    let scan = crate::x12::scan(&inputs[0]);
    let set = scan.sets().next().unwrap().2;
    let full = read_set(&inputs[0], set, "");
    assert_eq!(full.claims[0].names[0].first, "FIRST");
    assert_eq!(full.claims[0].clp11_drg, "DRG");
    assert_eq!(full.claims[0].lines[0].svc01_procedure.description, "DESC");
    let (lean, lean_balance) = read_set_for_reconcile(&inputs[0], set, "", true);
    assert!(lean_balance.iter().any(|f| f.rule == "835-BAL-CLP"), "{lean_balance:?}");
    assert_eq!(lean.claims[0].clp06_filing_indicator, "12");
    assert_eq!(lean.claims[0].names.len(), 1);
    assert_eq!(lean.claims[0].names[0].entity, "TT");
    assert_eq!(lean.claims[0].is_forwarded(), full.claims[0].is_forwarded());
    assert!(lean.claims[0].is_forwarded());
    assert_eq!(lean.claims[0].lines[0].svc01_procedure.modifiers, ["25", "59"]);
}

#[test]
fn text_reads_the_same_from_utf8_and_other_bytes() {
    // One set in UTF-8, the same set with one Latin-1 byte (not UTF-8):
    // the UTF-8 one reads its names as they are; in the other only the
    // byte that is not UTF-8 is replaced, and everything else reads alike.
    let body = "BPR*I*100*C*CHK************20260315~TRN*1*T1*1512345678~N1*PR*DEMO PLAN~N1*PE*CLINIC*XX*1234567893~LX*1~CLP*C1*1*150*100**12*PCN1~CAS*CO*45*50~NM1*QC*1*M\u{dc}LLER*JOS\u{c9}****MI*W1~SVC*HC:99213:25*150*100~DTM*472*20260301~CAS*CO*45*50~";
    let utf8 = wrap(body);
    let latin1: Vec<u8> = {
        let mut b = utf8.clone();
        let at = b.windows(2).position(|w| w == "\u{c9}".as_bytes()).unwrap();
        b.splice(at..at + 2, [0xc9u8]);
        b
    };
    let read = |input: &[u8]| {
        let scan = crate::x12::scan(input);
        let (_, _, set) = scan.sets().next().unwrap();
        read_set(input, set, "")
    };
    let (a, b) = (read(&utf8), read(&latin1));
    let (ca, cb) = (&a.claims[0], &b.claims[0]);
    assert_eq!(ca.names[0].name, "M\u{dc}LLER");
    assert_eq!(ca.names[0].first, "JOS\u{c9}");
    assert_eq!(cb.names[0].name, "M\u{dc}LLER");
    assert_eq!(cb.names[0].first, "JOS\u{fffd}");
    assert_eq!(ca.names[0].id, cb.names[0].id);
    assert_eq!(ca.lines[0].svc01_procedure, cb.lines[0].svc01_procedure);
    assert_eq!(ca.lines[0].svc01_procedure.code, "99213");
    assert_eq!(ca.lines[0].svc01_procedure.modifiers, vec!["25"]);
    assert_eq!(ca.adjustments, cb.adjustments);
    assert_eq!(ca.clp07_payer_claim_id, "PCN1");
    assert_eq!(cb.clp07_payer_claim_id, "PCN1");
    assert_eq!(a.payer.name, b.payer.name);
}

#[test]
fn group_codes_read_in_any_case_and_spacing() {
    let all = [Group::CO, Group::OA, Group::PI, Group::PR, Group::CR];
    for s in
        ["CO", "co", " Pr ", "PR", "OA", "oA", "PI", "CR", "cr", "ZZ", "", "C", "COO", "\u{a0}PI"]
    {
        let want = all.into_iter().find(|g| s.trim().eq_ignore_ascii_case(g.code()));
        assert_eq!(Group::from_code(s), want, "{s:?}");
    }
}
