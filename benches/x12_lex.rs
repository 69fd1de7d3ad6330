//! Throughput of the X12 core (criterion): tokenizing, the envelope scan
//! (sequential and chunked/parallel) and whole-file validation, in bytes per
//! second. The input (~16 MB of valid 837P and 835 interchanges) is generated
//! here, not committed. Run: `cargo bench --bench x12_lex`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use claimflow::x12::{self, Segments};

/// A valid multi-interchange file of about `target` bytes: 837P and 835
/// interchanges in turn, with LF after each terminator.
fn generate(target: usize) -> Vec<u8> {
    let mut out = String::with_capacity(target + 100_000);
    let mut n = 0u32;
    while out.len() < target {
        n += 1;
        let (fid, version, st01) =
            if n % 2 == 1 { ("HC", "005010X222A1", "837") } else { ("HP", "005010X221A1", "835") };
        out.push_str(&format!(
            "ISA*00*          *00*          *ZZ*BENCHSUBMITTER *ZZ*BENCHRECEIVER  *260101*1200*^*00501*{n:09}*0*T*:~\n\
             GS*{fid}*BENCHSUB*BENCHRCV*20260101*1200*{n}*X*{version}~\n"
        ));
        for s in 1..=10u32 {
            let mut segs: Vec<String> = vec![format!("ST*{st01}*{s:04}*{version}")];
            if st01 == "837" {
                segs.push("BHT*0019*00*BATCH0001*20260101*1200*CH".into());
                segs.push("HL*1**20*1".into());
                segs.push("NM1*85*2*BENCH CLINIC*****XX*1234567893".into());
                for c in 0..50u32 {
                    segs.push(format!("HL*{}*1*22*0", c + 2));
                    segs.push("SBR*P*18*******CI".into());
                    segs.push(format!("NM1*IL*1*PATIENT*TEST****MI*M{c:08}"));
                    segs.push(format!("CLM*C{s:04}{c:05}*150***11:B:1*Y*A*Y*Y"));
                    segs.push("HI*ABK:E119^ABF:I10".into());
                    segs.push("LX*1".into());
                    segs.push("SV1*HC:99213*100*UN*1***1".into());
                    segs.push("DTP*472*D8*20260101".into());
                }
            } else {
                segs.push("BPR*I*4000*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20260101".into());
                segs.push(format!("TRN*1*TRACE{s:06}*1512345678"));
                for c in 0..50u32 {
                    segs.push(format!("CLP*C{s:04}{c:05}*1*150*80*20*12*PAYERCLM{c:06}*11*1"));
                    segs.push("CAS*CO*45*50".into());
                    segs.push("SVC*HC:99213*100*60**1".into());
                    segs.push("DTM*472*20260101".into());
                    segs.push("CAS*CO*45*20*1*PR*2*20".into());
                }
            }
            let se01 = segs.len() + 1;
            for seg in segs {
                out.push_str(&seg);
                out.push_str("~\n");
            }
            out.push_str(&format!("SE*{se01}*{s:04}~\n"));
        }
        out.push_str(&format!("GE*10*{n}~\nIEA*1*{n:09}~\n"));
    }
    out.into_bytes()
}

fn benches(c: &mut Criterion) {
    let input = generate(16 << 20);
    assert!(x12::scan_sequential(&input).is_valid(), "generated input must be valid");
    let mut group = c.benchmark_group("x12");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.sample_size(20);
    group.bench_function("tokenize", |b| {
        b.iter(|| Segments::new(black_box(&input)).filter(Result::is_ok).count())
    });
    group.bench_function("tokenize_elements", |b| {
        b.iter(|| {
            Segments::new(black_box(&input))
                .flatten()
                .map(|s| s.elements().map(|e| e.raw.len()).sum::<usize>())
                .sum::<usize>()
        })
    });
    group.bench_function("scan_sequential", |b| {
        b.iter(|| x12::scan_sequential(black_box(&input)).segments)
    });
    group.bench_function("scan_parallel", |b| b.iter(|| x12::scan(black_box(&input)).segments));
    group.bench_function("validate_file", |b| {
        b.iter(|| claimflow::validate::validate_file("bench", black_box(&input)).segments)
    });
    group.finish();
}

criterion_group!(x12_benches, benches);
criterion_main!(x12_benches);
