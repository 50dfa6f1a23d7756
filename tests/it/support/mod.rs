//! Helpers shared by the integration tests: the one support module.

pub mod aggregate;

use clap::Parser;
use policygen::cli::Cli;
use policygen::settings::Settings;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the real binary from the package root.
pub fn policygen(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The example trail's month.
pub const WINDOW: [&str; 4] = ["--from", "2026-11-01", "--to", "2026-12-01"];

/// The fixed "now" of every test, so `--since` windows are reproducible.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    policygen::window::parse_time("2026-12-03T00:00:00Z").expect("valid time")
}

/// Splits an `args` file the way a shell would for simple words and single or double quotes.
pub fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Runs the pipeline on local sources, as the binary does.
pub fn generate(settings: &Settings) -> policygen::Outcome {
    tokio::runtime::Runtime::new()
        .expect("a runtime")
        .block_on(policygen::generate(settings, &Default::default()))
        .expect("the run produces an answer")
}

/// Runs the pipeline on local sources, reviewed against `current` (read by the test its own way).
pub fn generate_with_current(
    settings: &Settings,
    current: policygen::current::CurrentPolicies,
) -> policygen::Outcome {
    let policygen::collector::Source::Logs(inputs) = &settings.source else {
        panic!("local logs")
    };
    let ingest = policygen::collector::Ingest::new(settings.scope.clone());
    let partial = policygen::collector::files::collect(inputs, &ingest);
    policygen::pipeline::conclude(settings, Some(current), partial, Default::default())
}

pub fn settings(words: &[String]) -> Settings {
    let cli =
        Cli::try_parse_from(std::iter::once("policygen".to_string()).chain(words.iter().cloned()))
            .unwrap_or_else(|e| panic!("clap rejects {words:?}: {e}"));
    Settings::from_args(&cli.generate, now())
        .unwrap_or_else(|e| panic!("settings reject {words:?}: {e}"))
}

/// Set `UPDATE_GOLDEN=1` to rewrite golden files instead of comparing; review the diff before committing.
pub fn check_golden(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, actual).expect("golden file is writable");
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => failures.push(format!(
            "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )),
        Err(_) => failures.push(format!(
            "{} is missing (run with UPDATE_GOLDEN=1)\n--- actual\n{actual}",
            path.display()
        )),
    }
}

#[test]
fn shell_words_split_like_a_shell() {
    assert_eq!(
        shell_words("--role a --session 'gh-*' --x \"b c\""),
        ["--role", "a", "--session", "gh-*", "--x", "b c"]
    );
}

/// The emulator's endpoint (`scripts/with-moto.sh` sets it). The tests that need it are `#[ignore]`d, so
/// plain `cargo test` lists them as ignored instead of passing them unrun; without the script they fail here.
pub fn emulator() -> String {
    std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .expect("AWS_ENDPOINT_URL: run the emulator tests under `scripts/with-moto.sh`")
}

/// The example trail (`examples/trail`).
pub fn example_trail() -> PathBuf {
    root().join("examples/trail")
}

/// Every file under `dir`, as (path relative to `dir` with `/`, bytes), sorted.
pub fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("readable dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .expect("under base")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((rel, std::fs::read(&path).expect("readable file")));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// Writes `files` (relative path, bytes) under `dir`.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (rel, bytes) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write");
    }
}

/// The output of one run of the real binary.
pub struct Output {
    pub code: i32,
    pub policy: Vec<u8>,
    pub stderr: String,
}

/// Runs `policygen ARGS -o <tmp>` and returns the exit code, the policy file and stderr.
pub fn policygen_to_file(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("policy.json");
    let output = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("policygen runs");
    Output {
        code: output.status.code().unwrap_or(-1),
        policy: std::fs::read(&out).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
