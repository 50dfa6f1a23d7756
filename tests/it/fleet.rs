//! `policygen fleet`: every principal written in one pass is what the single command writes for it, byte
//! for byte, with the same verdict and diagnostics; fleet.json's numbers; reviews; permission sets; exit codes.

use super::support::{now, policygen, root, settings, shell_words, text};
use clap::Parser;
use policygen::cli::{Cli, Command};
use policygen::fleet::{FleetReport, FleetSettings};
use std::collections::BTreeMap;
use std::path::Path;

/// The fleet's options from a scenario's `args`: the window and policy options, without the principal.
fn fleet_words(args: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut words = shell_words(args.trim()).into_iter();
    while let Some(word) = words.next() {
        if ["--role", "--user", "--principal", "--session", "--account"].contains(&word.as_str()) {
            words.next();
        } else {
            out.push(word);
        }
    }
    out
}

fn fleet_settings(words: &[String]) -> FleetSettings {
    let argv = ["policygen", "fleet"]
        .into_iter()
        .map(String::from)
        .chain(words.iter().cloned());
    let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("clap rejects {words:?}: {e}"));
    let Some(Command::Fleet(args)) = cli.command else {
        panic!("not the fleet command")
    };
    FleetSettings::from_args(&args, now()).unwrap_or_else(|e| panic!("{words:?}: {e}"))
}

fn run_fleet(words: &[String]) -> FleetReport {
    let settings = fleet_settings(words);
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(policygen::fleet::fleet(&settings, &Default::default()))
        .expect("the fleet produces an answer")
}

/// Diagnostics as `code subject xN`, one a line.
fn diagnostics(run: &policygen::Outcome) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for d in run.diagnostics.iter() {
        *out.entry(d.code.as_str().to_string()).or_default() += d.count;
    }
    out
}

/// Runs the fleet over `logs` with `words`, then the single command for every principal written, and
/// collects every difference.
fn compare(name: &str, logs: &Path, words: &[String], failures: &mut Vec<String>) -> usize {
    let out = tempfile::tempdir().expect("tempdir");
    let mut fleet_words: Vec<String> = words.to_vec();
    fleet_words.extend(["--logs".into(), logs.display().to_string()]);
    fleet_words.extend(["--out-dir".into(), out.path().display().to_string()]);
    let report = run_fleet(&fleet_words);
    let json = std::fs::read_to_string(out.path().join("fleet.json")).expect("fleet.json");
    assert_eq!(json, report.json(), "{name}: fleet.json is the report");
    let single_dir = tempfile::tempdir().expect("tempdir");
    for row in &report.principals {
        let target = single_dir.path().join("single.json");
        let mut single: Vec<String> = vec![
            format!("--{}", row.kind),
            row.name.clone(),
            "--account".into(),
            row.account.clone(),
        ];
        single.extend(words.iter().cloned());
        single.extend(["--logs".into(), logs.display().to_string()]);
        single.extend(["-o".into(), target.display().to_string()]);
        let settings = settings(&single);
        let run = super::support::generate(&settings);
        policygen::output::write(&run, &settings.output).expect("written");
        let expected = std::fs::read(&target).expect("single output");
        let got = std::fs::read(out.path().join(&row.file)).expect("fleet output");
        let id = format!("{name}: {}", row.id());
        if expected != got {
            failures.push(format!(
                "{id}: the policy differs from the single run's\n--- single\n{}\n--- fleet\n{}",
                text(&expected),
                text(&got)
            ));
        }
        if row.complete == run.incomplete() {
            failures.push(format!(
                "{id}: fleet says complete={}, single run incomplete={}",
                row.complete,
                run.incomplete()
            ));
        }
        if row.records != run.stats.records_matched {
            failures.push(format!(
                "{id}: records {} vs {}",
                row.records, run.stats.records_matched
            ));
        }
        if row.diagnostics != diagnostics(&run) {
            failures.push(format!(
                "{id}: diagnostics {:?} vs single {:?}",
                row.diagnostics,
                diagnostics(&run)
            ));
        }
    }
    report.principals.len()
}

#[test]
fn every_principal_of_every_scenario_is_its_single_run() {
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("tests/scenarios"))
        .expect("tests/scenarios exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("args").is_file())
        .collect();
    dirs.sort();
    let mut failures = Vec::new();
    let mut principals = 0;
    for dir in &dirs {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        let args = std::fs::read_to_string(dir.join("args")).expect("args");
        principals += compare(name, &dir.join("logs"), &fleet_words(&args), &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(principals >= dirs.len(), "only {principals} principals");
}

#[test]
fn every_principal_of_the_example_trail_is_its_single_run() {
    let mut failures = Vec::new();
    let words: Vec<String> = ["--from", "2026-11-01", "--to", "2026-12-01"]
        .map(String::from)
        .to_vec();
    let n = compare(
        "examples/trail",
        &root().join("examples/trail"),
        &words,
        &mut failures,
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(n, 4);
}
