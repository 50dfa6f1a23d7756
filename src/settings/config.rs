//! `policygen.toml`: what a CI job repeats on every run, so that the workflow says `policygen --check`.
//!
//! The keys are the long options (`role`, `account`, `since`, `s3`, `regions`, `max-resources`, `format`,
//! …), with a string, a number, `true` (a flag) or a list (an option given several times), and a
//! `[diagnostics]` table of levels (`wildcard-resource = "deny"`). The file is read as the words of a command
//! line put before the real one, so every value is checked as the option's own. The command line wins: an
//! option it gives replaces the file's, and one of the principal (`role`, `user`, `principal`, `session`),
//! the window (`since`, `from`, `to`) or the source (`logs`, `s3`, `athena`, `lake`, `lookup`) replaces the
//! file's whole group. Relative paths in the file are relative to the file's directory, as in Cargo's.

use crate::cli::Cli;
use clap::parser::ValueSource;
use clap::CommandFactory;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// The file looked for in the working directory.
pub const FILE_NAME: &str = "policygen.toml";

/// Options the file cannot set: they are about one invocation, not about the job.
const NOT_IN_FILE: &[&str] = &["config", "help", "version", "print-sql"];
/// Options whose values are paths.
const PATHS: &[&str] = &[
    "logs",
    "download",
    "output",
    "summary-json",
    "comment",
    "current",
];
/// Options that stand for each other: the command line giving one of the first list replaces all of the
/// file's second list (the principal, the window, the source with its own options).
const GROUPS: &[(&[&str], &[&str])] = &[
    (
        &["role", "user", "principal"],
        &["role", "user", "principal", "session"],
    ),
    (&["since", "from"], &["since", "from", "to"]),
    (
        &["logs", "s3", "athena", "lake", "lookup"],
        &[
            "logs",
            "s3",
            "athena",
            "lake",
            "lookup",
            "regions",
            "download",
            "concurrency",
            "athena-workgroup",
            "athena-output",
            "athena-layout",
        ],
    ),
];
const LEVELS: &[&str] = &["allow", "warn", "deny"];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("cannot read `{path}`: {reason}")]
    Read { path: String, reason: String },
    #[error("`{path}` is not valid TOML: {reason}")]
    Syntax { path: String, reason: String },
    #[error("`{path}`: unknown key `{key}` (the keys are the long options of `policygen --help`, and a `[diagnostics]` table)")]
    UnknownKey { path: String, key: String },
    #[error("`{path}`: `{key}` cannot be set in the file, only on the command line")]
    NotInFile { path: String, key: String },
    #[error("`{path}`: `{key}` takes {expected}")]
    Type {
        path: String,
        key: String,
        expected: &'static str,
    },
    #[error("`{path}`: `[diagnostics]` `{code}` is `{level}`: a level is \"allow\", \"warn\" or \"deny\"")]
    Level {
        path: String,
        code: String,
        level: String,
    },
}

/// Why the command line could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// clap's own: usage errors, and `--help` and `--version`, which it prints itself.
    #[error(transparent)]
    Clap(#[from] clap::Error),
    #[error("in `{path}`: {}", error.to_string().trim_start_matches("error: ").trim_end())]
    FromFile { path: String, error: clap::Error },
}

impl ParseError {
    /// Prints the error (or the help) as clap would, and gives the exit code.
    pub fn report(&self) -> u8 {
        match self {
            ParseError::Clap(e) => {
                let _ = e.print();
                u8::try_from(e.exit_code()).unwrap_or(2)
            }
            other => {
                eprintln!("error: {other}");
                2
            }
        }
    }
}

/// The command line, with the configuration file's values for what it does not give.
pub fn parse(args: Vec<OsString>, cwd: &Path) -> Result<Cli, ParseError> {
    use clap::Parser;
    let own = Cli::try_parse_from(&args)?;
    let merged = self::args(args, cwd)?;
    Cli::try_parse_from(merged).map_err(|error| ParseError::FromFile {
        path: own
            .generate
            .config
            .map_or(FILE_NAME.to_string(), |p| p.display().to_string()),
        error,
    })
}

/// The command line `args` (program name first) with the words of the configuration file before its own:
/// `--config FILE`, else `policygen.toml` in `cwd` when there is one. A command line clap rejects, or one
/// with a subcommand, `--help` or `--version`, is returned as it is.
pub fn args(args: Vec<OsString>, cwd: &Path) -> Result<Vec<OsString>, ConfigError> {
    let Ok(matches) = Cli::command().try_get_matches_from(&args) else {
        return Ok(args);
    };
    if matches.subcommand().is_some() {
        return Ok(args);
    }
    let (path, shown) = match matches.get_one::<PathBuf>("config") {
        Some(path) => (cwd.join(path), path.display().to_string()),
        None => match cwd.join(FILE_NAME) {
            found if found.is_file() => (found, FILE_NAME.to_string()),
            _ => return Ok(args),
        },
    };
    let given: BTreeSet<String> = Cli::command()
        .get_arguments()
        .filter(|a| matches.value_source(a.get_id().as_str()) == Some(ValueSource::CommandLine))
        .filter_map(|a| a.get_long().map(str::to_string))
        .collect();
    let levels_given: BTreeSet<String> = LEVELS
        .iter()
        .flat_map(|level| {
            matches
                .get_many::<String>(level)
                .into_iter()
                .flatten()
                .cloned()
        })
        .collect();
    let words = file_words(&path, &shown, &given, &levels_given)?;
    let mut out = Vec::with_capacity(args.len() + words.len());
    let mut rest = args.into_iter();
    out.extend(rest.next());
    out.extend(words.into_iter().map(OsString::from));
    out.extend(rest);
    Ok(out)
}

/// The file as command-line words, without what the command line gives (`given`: long names; `levels`:
/// codes given a level).
fn file_words(
    path: &Path,
    shown: &str,
    given: &BTreeSet<String>,
    levels: &BTreeSet<String>,
) -> Result<Vec<String>, ConfigError> {
    let shown = shown.to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| ConfigError::Syntax {
        path: shown.clone(),
        reason: e.message().to_string(),
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let command = Cli::command();
    let replaced = |key: &str| {
        given.contains(key)
            || GROUPS.iter().any(|(triggers, dropped)| {
                dropped.contains(&key) && triggers.iter().any(|k| given.contains(*k))
            })
    };
    let mut words = Vec::new();
    for (key, value) in &table {
        let type_error = |expected| ConfigError::Type {
            path: shown.clone(),
            key: key.clone(),
            expected,
        };
        if key == "diagnostics" {
            let codes = value
                .as_table()
                .ok_or_else(|| type_error("a table of `code = \"level\"`"))?;
            for (code, level) in codes {
                let level = level
                    .as_str()
                    .filter(|l| LEVELS.contains(l))
                    .ok_or_else(|| ConfigError::Level {
                        path: shown.clone(),
                        code: code.clone(),
                        level: level
                            .as_str()
                            .map_or("not a string".to_string(), |l| format!("\"{l}\"")),
                    })?;
                if !levels.contains(code) {
                    words.extend([format!("--{level}"), code.clone()]);
                }
            }
            continue;
        }
        if NOT_IN_FILE.contains(&key.as_str()) || LEVELS.contains(&key.as_str()) {
            return Err(ConfigError::NotInFile {
                path: shown.clone(),
                key: key.clone(),
            });
        }
        let arg = command
            .get_arguments()
            .find(|a| a.get_long() == Some(key.as_str()))
            .ok_or_else(|| ConfigError::UnknownKey {
                path: shown.clone(),
                key: key.clone(),
            })?;
        if replaced(key) {
            continue;
        }
        let flag = format!("--{key}");
        if !arg.get_action().takes_values() {
            match value.as_bool() {
                Some(true) => words.push(flag),
                Some(false) => {}
                None => return Err(type_error("`true` or `false`")),
            }
            continue;
        }
        let repeatable = matches!(arg.get_action(), clap::ArgAction::Append);
        let values: Vec<&toml::Value> = match value.as_array() {
            Some(list) if repeatable => list.iter().collect(),
            Some(_) => return Err(type_error("one value, not a list")),
            None => vec![value],
        };
        for item in values {
            let text = match item {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(n) => n.to_string(),
                _ => return Err(type_error("a string or a number (or a list of them)")),
            };
            let text = if PATHS.contains(&key.as_str()) && text != "-" && text != "iam" {
                base.join(&text).display().to_string()
            } else {
                text
            };
            words.extend([flag.clone(), text]);
        }
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn run(file: &str, cli: &[&str]) -> Result<crate::cli::GenerateArgs, ConfigError> {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(FILE_NAME), file).expect("write");
        let argv: Vec<OsString> = std::iter::once("policygen")
            .chain(cli.iter().copied())
            .map(OsString::from)
            .collect();
        let merged = args(argv, dir.path())?;
        let cli = Cli::try_parse_from(merged).expect("clap accepts the merged line");
        Ok(cli.generate)
    }

    #[test]
    fn the_command_line_wins_key_by_key_and_group_by_group() {
        let file = r#"
            role = "build-agent"
            session = "gh-*"
            account = ["111122223333"]
            since = "30d"
            s3 = "s3://acme-trail"
            regions = ["us-east-1", "eu-west-1"]
            max-resources = 40
            compact = true
            format = "markdown"
            [diagnostics]
            wildcard-resource = "deny"
            denied-call = "allow"
        "#;
        let args = run(file, &[]).expect("valid");
        assert_eq!(args.role.as_deref(), Some("build-agent"));
        assert_eq!(args.max_resources, 40);
        assert!(args.compact);
        assert_eq!(args.regions, ["us-east-1", "eu-west-1"]);
        assert_eq!(args.deny, ["wildcard-resource"]);
        assert_eq!(args.allow, ["denied-call"]);
        let args = run(
            file,
            &[
                "--user",
                "alice",
                "--from",
                "2026-01-01",
                "--logs",
                "-",
                "--max-resources",
                "5",
                "--warn",
                "denied-call",
            ],
        )
        .expect("valid");
        assert_eq!((args.role, args.session), (None, None));
        assert_eq!(args.user.as_deref(), Some("alice"));
        assert_eq!((args.since, args.s3), (None, None));
        assert_eq!(args.max_resources, 5);
        assert!(args.allow.is_empty());
        assert_eq!(args.warn, ["denied-call"]);
        assert_eq!(args.accounts, ["111122223333"]);
    }

    #[test]
    fn mistakes_name_the_key() {
        let err = |file: &str| run(file, &[]).expect_err("rejected").to_string();
        assert!(err("rol = \"x\"").contains("unknown key `rol`"));
        assert!(err("compact = \"yes\"").contains("`compact` takes `true` or `false`"));
        assert!(err("since = [\"1d\"]").contains("`since` takes one value"));
        assert!(err("config = \"x.toml\"").contains("`config` cannot be set in the file"));
        assert!(err("[diagnostics]\nwildcard-resource = \"error\"")
            .contains("`wildcard-resource` is `\"error\"`"));
        assert!(err("role = ").contains("not valid TOML"));
    }

    #[test]
    fn paths_are_relative_to_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sub = dir.path().join("ci");
        std::fs::create_dir(&sub).expect("mkdir");
        std::fs::write(
            sub.join("p.toml"),
            "logs = [\"trail\", \"-\"]\ncurrent = [\"iam\"]",
        )
        .expect("write");
        let argv = ["policygen", "--config", "ci/p.toml"]
            .map(OsString::from)
            .to_vec();
        let merged = args(argv, dir.path()).expect("valid");
        let cli = Cli::try_parse_from(merged).expect("clap accepts");
        assert_eq!(
            cli.generate.logs,
            [sub.join("trail").display().to_string(), "-".to_string()]
        );
        assert_eq!(cli.generate.current, [PathBuf::from("iam")]);
    }
}
