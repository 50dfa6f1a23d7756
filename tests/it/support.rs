//! Helpers shared by the integration tests.

use clap::Parser;
use policygen::cli::Cli;
use policygen::settings::Settings;
use std::path::{Path, PathBuf};

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
