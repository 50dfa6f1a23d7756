//! The floor under `policygen fleet`: what reading every record costs before any mapping, against one
//! principal's whole run on the same trail. A single run parses only its principal's records (a byte search
//! skips the rest); a fleet must at least inflate, split and parse all of them. Each stage below adds one
//! step of that, on every core, with policygen's own reader (`gunzip`, `record_spans`, `Record`), so the
//! ratios say how far below a given fleet/single ratio any fleet can go; the last stage is how a fleet reads
//! a valid object (one pass, no split). Prints figures; asserts nothing.
//!
//!     cargo bench --bench floor [-- --data DIR] [--runs N]
//!
//! DIR holds `AWSLogs/` (default `target/bench-data/1m`, from `benches/run.sh --sizes 1m`). Each figure is
//! the best of N runs (default 3). Method and figures: docs/performance.md (the fleet's floor).

use policygen::collector::inflate::gunzip;
use policygen::collector::shape::whole_records;
use policygen::collector::split::record_spans;
use policygen::event::Record;
use policygen::principal::PrincipalKey;
use rayon::prelude::*;
use serde::de::IgnoredAny;
use std::path::PathBuf;
use std::time::Instant;

// As the binary does (`src/main.rs`), so the figures compare with its runs.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// The benchmark's principal and window (`benches/fleet.sh`).
const SINGLE: &str = "--role orders-api-prod-task --from 2024-01-01 --to 2024-03-31 --quiet --logs";

#[derive(Clone, Copy, PartialEq)]
enum Stage {
    Inflate,
    Split,
    Tokenise,
    Parse,
    /// Parse the object as one document (`whole_records`, what a fleet reads a valid object with): no
    /// split pass.
    Stream,
}

/// Reads every object to `stage`; returns the records reached and those a fleet attributes.
fn read(files: &[PathBuf], stage: Stage) -> (u64, u64) {
    files
        .par_iter()
        .map_init(Vec::new, |text, path| {
            let Ok(gzip) = std::fs::read(path) else {
                return (0, 0);
            };
            if gunzip(&gzip, text).is_err() || stage == Stage::Inflate {
                return (0, 0);
            }
            if stage == Stage::Stream {
                let records = whole_records(text).unwrap_or_default();
                let keyed = records.iter().filter_map(PrincipalKey::of).count();
                return (records.len() as u64, keyed as u64);
            }
            let spans = record_spans(text).unwrap_or_default();
            let (mut records, mut attributed) = (0, 0);
            for (start, end) in spans {
                let raw = &text[start..end];
                records += 1;
                match stage {
                    Stage::Tokenise => {
                        let _ = serde_json::from_slice::<IgnoredAny>(raw);
                    }
                    Stage::Parse => {
                        let record = std::str::from_utf8(raw)
                            .ok()
                            .and_then(|t| serde_json::from_str::<Record>(t).ok());
                        attributed +=
                            u64::from(record.as_ref().and_then(PrincipalKey::of).is_some());
                    }
                    _ => {}
                }
            }
            (records, attributed)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(f());
        best = best.min(start.elapsed().as_secs_f64());
    }
    (best, last.expect("at least one run"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo test --all-targets` runs this too: a timing has no place there, and CI has no trail to time.
    if !args.iter().any(|a| a == "--bench") {
        println!("floor: a benchmark; run it with `cargo bench --bench floor`");
        return;
    }
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = value("--data").map_or_else(|| root.join("target/bench-data/1m"), PathBuf::from);
    let runs: usize = value("--runs").and_then(|n| n.parse().ok()).unwrap_or(3);
    let files: Vec<PathBuf> = walkdir::WalkDir::new(data.join("AWSLogs"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    if files.is_empty() {
        eprintln!(
            "floor: no trail under {} (run benches/run.sh --sizes 1m first)",
            data.display()
        );
        std::process::exit(2);
    }

    let words: Vec<String> = std::iter::once("policygen".to_string())
        .chain(SINGLE.split(' ').map(str::to_string))
        .chain(std::iter::once(data.display().to_string()))
        .collect();
    let cli = <policygen::cli::Cli as clap::Parser>::parse_from(words);
    let settings = policygen::settings::Settings::from_args(&cli.generate, chrono::Utc::now())
        .expect("the benchmark's settings");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let (single, outcome) = best(runs, || {
        runtime
            .block_on(policygen::generate(&settings, &Default::default()))
            .expect("an answer")
    });
    println!(
        "{} objects, {} threads, best of {runs}",
        files.len(),
        rayon::current_num_threads()
    );
    println!(
        "one principal's whole run          {single:7.3} s  1.00x  ({} records read, {} of them its own)",
        outcome.stats.records_read, outcome.stats.records_matched
    );
    for (stage, what) in [
        (Stage::Inflate, "read and inflate every object"),
        (Stage::Split, "… and split it into records"),
        (Stage::Tokenise, "… and tokenise every record"),
        (Stage::Parse, "… and parse every record, key it"),
        (Stage::Stream, "inflate, parse and key as a fleet"),
    ] {
        let (seconds, (records, attributed)) = best(runs, || read(&files, stage));
        let counts = match stage {
            Stage::Inflate => String::new(),
            Stage::Parse | Stage::Stream => {
                format!("  ({records} records, {attributed} with a principal)")
            }
            _ => format!("  ({records} records)"),
        };
        println!(
            "{what:<34} {seconds:7.3} s  {:.2}x{counts}",
            seconds / single
        );
    }
}
