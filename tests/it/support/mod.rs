//! Helpers shared by the integration tests: the one support module.

pub mod aggregate;
pub mod canned;
pub mod engines;

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
    let policygen::collector::Source::Logs { inputs, .. } = &settings.source else {
        panic!("local logs")
    };
    let decoder = policygen::collector::Decoder::new(
        settings.scope.clone(),
        policygen::pipeline::run_sink(settings),
    );
    let partial = policygen::collector::files::collect(inputs, &decoder, false);
    policygen::pipeline::conclude(settings, Some(current), partial, Default::default())
}

/// Splits an `args` file the way a shell does.
pub fn shell_words(line: &str) -> Vec<String> {
    shlex::split(line).unwrap_or_else(|| panic!("unbalanced quotes in `{line}`"))
}

pub fn settings(words: &[String]) -> Settings {
    let cli =
        Cli::try_parse_from(std::iter::once("policygen".to_string()).chain(words.iter().cloned()))
            .unwrap_or_else(|e| panic!("clap rejects {words:?}: {e}"));
    Settings::from_args(&cli.generate, now())
        .unwrap_or_else(|e| panic!("settings reject {words:?}: {e}"))
}

/// `policygen fleet WORDS`'s settings.
pub fn fleet_settings(words: &[String]) -> policygen::fleet::FleetSettings {
    let argv = ["policygen", "fleet"]
        .into_iter()
        .map(String::from)
        .chain(words.iter().cloned());
    let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("clap rejects {words:?}: {e}"));
    let Some(policygen::cli::Command::Fleet(args)) = cli.command else {
        panic!("not the fleet command")
    };
    policygen::fleet::FleetSettings::from_args(&args, now())
        .unwrap_or_else(|e| panic!("{words:?}: {e}"))
}

/// Compares `actual` with the golden file at `path`, byte for byte (newlines aside), with snapbox:
/// `SNAPSHOTS=overwrite` rewrites the files instead (review the diff before committing). A mismatch is
/// collected in `failures`, so that one run reports every golden file that differs.
pub fn check_golden(path: &Path, actual: &str, failures: &mut Vec<String>) {
    let expected = snapbox::Data::read_from(path, Some(snapbox::data::DataFormat::Text)).raw();
    let result = snapbox::Assert::new()
        .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
        .try_eq(
            Some(&path.display()),
            snapbox::Data::text(actual.to_string()),
            expected,
        );
    if let Err(e) = result {
        failures.push(e.to_string());
    }
}

/// The emulator's endpoint (`scripts/with-moto.sh` sets it). The tests that need it are `#[ignore]`d, so
/// plain `cargo test` lists them as ignored instead of passing them unrun; without the script they fail here.
pub fn emulator() -> String {
    std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .expect("AWS_ENDPOINT_URL: run the emulator tests under `scripts/with-moto.sh`")
}

/// The path `scripts/test.sh` puts in `var` for an outside checker it installs (`tool`); `None`, the test then
/// reporting itself skipped, where the script could not install it and said why in `{var}_MISSING`.
pub fn installed_tool(var: &str, tool: &str) -> Option<String> {
    if let Some(path) = std::env::var(var).ok().filter(|s| !s.is_empty()) {
        return Some(path);
    }
    let why = std::env::var(format!("{var}_MISSING")).unwrap_or_else(|_| {
        panic!("{var} is not set: run under scripts/test.sh, which installs {tool}")
    });
    eprintln!("SKIPPED: {tool} could not be installed here: {why}");
    None
}

/// The golden scenario folders (`tests/scenarios/<name>/` with an `args` file), sorted.
pub fn scenario_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/scenarios"))
        .expect("tests/scenarios exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("args").is_file())
        .collect();
    dirs.sort();
    dirs
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
