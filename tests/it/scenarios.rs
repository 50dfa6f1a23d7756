//! Scenario folders: `tests/scenarios/<name>/` holds `args` (one line of flags), `logs/` (the input), and the
//! golden `expected.json` (the policy) and `expected-diagnostics.txt`. Adding a folder needs no Rust change.

use super::support::{check_golden, generate, root, scenario_dirs, settings, shell_words};
use policygen::glob::unescape_value;
use policygen::report::{Code, Severity};
use policygen::Outcome as Run;
use std::fmt::Write;
use std::path::Path;

fn run_scenario(dir: &Path) -> (Run, policygen::settings::Settings) {
    let args = std::fs::read_to_string(dir.join("args"))
        .unwrap_or_else(|e| panic!("{}: args: {e}", dir.display()));
    let mut words = shell_words(args.trim());
    words.push("--logs".into());
    words.push(dir.join("logs").display().to_string());
    let settings = settings(&words);
    (generate(&settings), settings)
}

/// What the diagnostics golden file shows: the verdict, the counters, and every diagnostic without paths
/// (paths differ between checkouts).
fn diagnostics_text(run: &Run) -> String {
    let mut out = String::new();
    let verdict = if run.incomplete() {
        "incomplete"
    } else {
        "complete"
    };
    let s = &run.stats;
    let _ = writeln!(out, "result {verdict}");
    let _ = writeln!(
        out,
        "files {} skipped {} failed {}; records {} matched {} mapped {} no-permission {} failed-calls {} unmapped {} duplicates {}",
        s.files_read, s.files_skipped, s.files_failed, s.records_read, s.records_matched, s.records_mapped,
        s.records_no_permission, s.records_failed_calls, s.records_unmapped, s.records_duplicate
    );
    for d in run.diagnostics.iter() {
        let severity = match d.severity {
            Severity::Incomplete => "incomplete",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        let _ = writeln!(out, "{severity} {} {} x{}", d.code, d.subject, d.count);
    }
    // Paths differ between checkouts: show them relative to the repository.
    out.replace(&format!("{}/", root().display()), "")
}

/// Every observed call the policy was built from is allowed by it, and every `*` has a diagnostic.
fn soundness(name: &str, run: &Run, failures: &mut Vec<String>) {
    for key in run.usage.used.keys() {
        if !run
            .policy
            .allows(&key.action, &unescape_value(&key.resource))
        {
            failures.push(format!(
                "{name}: policy does not allow observed `{}` on `{}`",
                key.action, key.resource
            ));
        }
        if key.resource == "*" {
            let explained = run.diagnostics.iter().any(|d| {
                d.subject == key.action
                    && matches!(d.code, Code::WildcardResource | Code::StarOnlyAction)
            });
            if !explained {
                failures.push(format!(
                    "{name}: `{}` got `*` without a diagnostic",
                    key.action
                ));
            }
        }
    }
    for statement in &run.policy.statements {
        for resource in statement.resource.iter().flat_map(|r| r.items()) {
            if resource.ends_with('*')
                && resource != "*"
                && !resource.ends_with("/*")
                && !resource.contains("${*}")
            {
                let explained = run
                    .diagnostics
                    .iter()
                    .any(|d| matches!(d.code, Code::ResourceGeneralised | Code::WildcardSegment));
                if !explained {
                    failures.push(format!(
                        "{name}: `{resource}` is a wildcard without a diagnostic"
                    ));
                }
            }
        }
    }
}

#[test]
fn scenarios() {
    let dirs = scenario_dirs();
    assert!(dirs.len() >= 20, "only {} scenarios", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let (run, settings) = run_scenario(dir);
        let policy = run.policy.to_json();
        check_golden(&dir.join("expected.json"), &policy, &mut failures);
        check_golden(
            &dir.join("expected-diagnostics.txt"),
            &diagnostics_text(&run),
            &mut failures,
        );
        soundness(&name, &run, &mut failures);
        let again = generate(&settings);
        if again.policy.to_json() != policy || diagnostics_text(&again) != diagnostics_text(&run) {
            failures.push(format!("{name}: a second run gave different output"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn example_trail_is_sound_and_deterministic() {
    let words: Vec<String> =
        "--role build-agent --from 2026-11-01 --to 2026-12-01 --logs examples/trail"
            .split(' ')
            .map(|w| {
                if w == "examples/trail" {
                    root().join(w).display().to_string()
                } else {
                    w.to_string()
                }
            })
            .collect();
    let settings = settings(&words);
    let run = generate(&settings);
    let mut failures = Vec::new();
    soundness("examples/trail", &run, &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(!run.incomplete(), "the example trail reads cleanly");
    assert!(run.policy.statements.len() >= 5);
    assert_eq!(generate(&settings).policy.to_json(), run.policy.to_json());
}
