//! Progress of a long run, for the pipelines to report their stages: a
//! spinner naming the current stage on stderr when stderr is a terminal
//! (silent under cron), and, with `CLAIMFLOW_TIMINGS=1` in the environment,
//! each stage's wall and CPU time on stderr (for the benchmarks). Stage
//! names never carry claim data. While the export is read, the spinner also
//! shows the rows and claims read so far and their rates per second. A library caller that wants neither passes
//! [`Progress::silent`].

use std::fs;
use std::io::{self, IsTerminal};
use std::sync::Mutex;

/// Progress on stderr when it is a terminal; silent otherwise. With
/// `CLAIMFLOW_TIMINGS=1` in the environment, each stage's wall and CPU time is
/// printed on stderr when it ends (for benchmarks).
#[derive(Debug)]
pub struct Progress(Option<indicatif::ProgressBar>, Option<Lap>, Stage);

/// The current stage on the spinner: when it started and its name. (A
/// mutex, not a cell: a build checks and writes its batches on a rayon pool
/// of its own, which needs the `Progress` it holds to be `Sync`.)
type Stage = Mutex<(std::time::Instant, &'static str)>;

fn stage_now() -> Stage {
    Mutex::new((std::time::Instant::now(), ""))
}

type Lap = Mutex<(std::time::Instant, f64, &'static str)>;

fn timings() -> Option<Lap> {
    std::env::var_os("CLAIMFLOW_TIMINGS")
        .map(|_| Mutex::new((std::time::Instant::now(), process_cpu_seconds(), "")))
}

/// The value behind `m` (a poisoned lock still holds a usable value).
fn get<T: Copy>(m: &Mutex<T>) -> T {
    *m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Replaces the value behind `m`.
fn set<T>(m: &Mutex<T>, v: T) {
    *m.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = v;
}

/// Resident memory of this process now and its peak so far, in MiB (Linux
/// `/proc`: VmRSS and VmHWM; 0 elsewhere), for the stage timings.
fn memory_mib() -> (u64, u64) {
    let Ok(status) = fs::read_to_string("/proc/self/status") else { return (0, 0) };
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |k| k / 1024)
    };
    (kib("VmRSS:"), kib("VmHWM:"))
}

/// User + system CPU seconds of this process so far (Linux `/proc`; 0 elsewhere).
fn process_cpu_seconds() -> f64 {
    cpu_seconds("/proc/self/stat")
}

/// User + system CPU seconds of the calling thread so far (Linux `/proc`; 0
/// elsewhere): what a helper thread cost, whatever else the machine runs.
pub(crate) fn thread_cpu_seconds() -> f64 {
    cpu_seconds("/proc/thread-self/stat")
}

fn cpu_seconds(path: &str) -> f64 {
    let Ok(stat) = fs::read_to_string(path) else { return 0.0 };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { return 0.0 };
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 here.
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

impl Progress {
    /// Reports nothing (stage timings still print with `CLAIMFLOW_TIMINGS`).
    pub fn silent() -> Progress {
        Progress(None, timings(), stage_now())
    }

    /// A spinner on stderr when stderr is a terminal; silent otherwise.
    pub fn on_stderr() -> Progress {
        if io::stderr().is_terminal() {
            let pb = indicatif::ProgressBar::new_spinner();
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            Progress(Some(pb), timings(), stage_now())
        } else {
            Progress(None, timings(), stage_now())
        }
    }
    /// Starts the stage `msg` (ending the one before).
    pub fn stage(&self, msg: &'static str) {
        self.lap(msg);
        set(&self.2, (std::time::Instant::now(), msg));
        if let Some(pb) = &self.0 {
            pb.set_message(msg);
        }
    }

    /// On a terminal, shows the current stage with the rows and claims
    /// counted so far and their rates per second; nothing otherwise.
    pub fn counts(&self, rows: u64, claims: u64) {
        if let Some(pb) = &self.0 {
            let (start, stage) = get(&self.2);
            pb.set_message(rates(stage, rows, claims, start.elapsed().as_secs_f64()));
        }
    }
    fn lap(&self, next: &'static str) {
        if let Some(t) = &self.1 {
            let (start, cpu, name) = get(t);
            let cpu_now = process_cpu_seconds();
            if !name.is_empty() {
                let (rss, peak) = memory_mib();
                eprintln!(
                    "timing: {name}: {:.2} s wall, {:.2} s cpu, rss {rss} MiB (peak {peak} MiB)",
                    start.elapsed().as_secs_f64(),
                    cpu_now - cpu
                );
            }
            set(t, (std::time::Instant::now(), cpu_now, next));
        }
    }
    /// With `CLAIMFLOW_TIMINGS`, prints how long `what` (work done beside the
    /// stages, e.g. on another thread) took; nothing otherwise.
    pub(crate) fn timing(&self, what: &str, took: std::time::Duration) {
        if self.1.is_some() {
            eprintln!("timing: {what}: {:.2} s", took.as_secs_f64());
        }
    }

    /// Ends the last stage and clears the spinner.
    pub fn done(&self) {
        self.lap("");
        if let Some(pb) = &self.0 {
            pb.finish_and_clear();
        }
    }
}

/// `STAGE: R rows, C claims (r rows/s, c claims/s)`.
fn rates(stage: &str, rows: u64, claims: u64, secs: f64) -> String {
    let secs = secs.max(0.001);
    format!(
        "{stage}: {rows} rows, {claims} claims ({:.0} rows/s, {:.0} claims/s)",
        rows as f64 / secs,
        claims as f64 / secs
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates_are_per_second_of_the_stage() {
        assert_eq!(
            super::rates("reading encounters", 300_000, 100_000, 2.0),
            "reading encounters: 300000 rows, 100000 claims (150000 rows/s, 50000 claims/s)"
        );
        assert!(super::rates("x", 5, 1, 0.0).starts_with("x: 5 rows, 1 claims ("));
    }
}
