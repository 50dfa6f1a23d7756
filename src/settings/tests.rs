//! Cross-flag rules, each with the message a user sees.
use super::*;
use crate::cli::Cli;
use clap::Parser;

fn settings(args: &[&str]) -> Result<Settings, SettingsError> {
    let cli = Cli::try_parse_from(std::iter::once("policygen").chain(args.iter().copied()))
        .expect("clap accepts");
    Settings::from_args(
        &cli.generate,
        parse_time("2026-12-03T00:00:00Z").expect("valid"),
    )
}

#[test]
fn sources() {
    let s = settings(&["--role", "r", "--since", "1d"]).expect("valid");
    assert!(matches!(s.source, Source::Lookup(ref l) if l.regions == Regions::Default));
    let s = settings(&[
        "--role",
        "r",
        "--since",
        "1d",
        "--s3",
        "s3://acme-trail/org/",
        "--regions",
        "us-east-1,eu-west-1",
        "--account",
        "111122223333",
    ])
    .expect("valid");
    let Source::S3(s3) = s.source else {
        panic!("not s3")
    };
    assert_eq!(
        (s3.bucket.as_str(), s3.prefix.as_str()),
        ("acme-trail", "org/")
    );
    assert!(s3.regions.admits("eu-west-1") && !s3.regions.admits("eu-west-2"));
    assert_eq!(s3.accounts.len(), 1);
    assert!(matches!(
        settings(&["--role", "r", "--since", "91d"]).err(),
        Some(SettingsError::LookupTooOld { .. })
    ));
    let s = settings(&[
        "--role",
        "r",
        "--since",
        "1d",
        "--lookup",
        "--regions",
        "all",
    ])
    .expect("valid");
    assert!(matches!(s.source, Source::Lookup(ref l) if l.regions == Regions::All));
    for bad in ["acme", "s3://", "s3://A_b/x", "https://bucket/x"] {
        assert_eq!(
            settings(&["--role", "r", "--since", "1d", "--s3", bad]).err(),
            Some(SettingsError::Source(SourceError::BadS3Url(bad.into())))
        );
    }
    assert_eq!(
        settings(&["--role", "r", "--since", "1d", "--regions", "mars"]).err(),
        Some(SettingsError::Source(SourceError::BadRegion(
            IdError::Region("mars".into())
        )))
    );
    assert_eq!(
        settings(&[
            "--role",
            "r",
            "--since",
            "1d",
            "--logs",
            ".",
            "--regions",
            "all"
        ])
        .err(),
        Some(SettingsError::RegionsWithLogs)
    );
    assert_eq!(
        settings(&[
            "--role",
            "r",
            "--since",
            "1d",
            "--index",
            "i",
            "--regions",
            "eu-west-1"
        ])
        .err(),
        Some(SettingsError::RegionsWithIndex)
    );
    let cli = Cli::try_parse_from([
        "policygen",
        "--role",
        "r",
        "--since",
        "1d",
        "--logs",
        ".",
        "--s3",
        "s3://abc",
    ]);
    assert!(cli.is_err(), "--logs conflicts with --s3");
}

#[test]
fn needs_principal_window_and_source() {
    assert_eq!(
        settings(&["--since", "30d", "--logs", "."]).err(),
        Some(SettingsError::NoPrincipal)
    );
    assert_eq!(
        settings(&["--role", "r", "--logs", "."]).err(),
        Some(SettingsError::NoWindow)
    );
    assert_eq!(
        settings(&["--role", "r", "--to", "2026-11-01", "--logs", "."]).err(),
        Some(SettingsError::NoWindow)
    );
}

#[test]
fn session_only_for_roles() {
    assert_eq!(
        settings(&[
            "--user",
            "alice",
            "--session",
            ".",
            "--since",
            "1d",
            "--logs",
            "x"
        ])
        .err(),
        Some(SettingsError::SessionWithoutRole)
    );
    let s = settings(&[
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/r/s1",
        "--since",
        "1d",
        "--logs",
        ".",
    ])
    .expect("valid");
    assert_eq!(
        s.scope.principal.and_then(|p| p.session).as_deref(),
        Some("s1")
    );
}

#[test]
fn review_flags_need_current() {
    let base = ["--role", "r", "--since", "1d", "--logs", "."];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        settings(&args).err()
    };
    assert_eq!(
        with(&["--check"]),
        Some(SettingsError::NeedsCurrent("--check"))
    );
    assert_eq!(
        with(&["--format", "diff-json"]),
        Some(SettingsError::NeedsCurrent("--format diff-json"))
    );
    assert_eq!(with(&["--check", "--current", "c.json"]), None);
    assert_eq!(with(&["--split"]), Some(SettingsError::SplitNeedsOutput));
    let s = settings(&[
        "--role",
        "r",
        "--since",
        "1d",
        "--logs",
        ".",
        "--current",
        "iam",
        "--check",
    ])
    .expect("valid");
    assert!(s.current == Current::Iam && s.needs_aws());
    assert_eq!(
        with(&["--current", "iam", "--current", "c.json"]),
        Some(SettingsError::CurrentIamWithFile("c.json".into()))
    );
    let s = settings(&[
        "--role",
        "r",
        "--since",
        "1d",
        "--logs",
        ".",
        "--current",
        "./iam",
    ])
    .expect("valid");
    assert!(s.current == Current::Files(vec!["./iam".into()]) && !s.needs_aws());
    assert_eq!(
        settings(&[
            "--principal",
            "arn:aws:iam::111122223333:root",
            "--since",
            "1d",
            "--logs",
            ".",
            "--current",
            "iam"
        ])
        .err(),
        Some(SettingsError::CurrentIamNeedsRoleOrUser(
            "arn:aws:iam::111122223333:root".into()
        ))
    );
    assert_eq!(with(&["--split", "-o", "p.json"]), None);
}

#[test]
fn window_forms() {
    let s = settings(&[
        "--role",
        "r",
        "--from",
        "2026-10-01",
        "--to",
        "2026-11-01T12:00:00Z",
        "--logs",
        "-",
    ])
    .expect("valid");
    assert_eq!(
        s.scope.window.to_string(),
        "[2026-10-01T00:00:00Z, 2026-11-01T12:00:00Z)"
    );
    assert_eq!(
        s.source,
        Source::Logs {
            inputs: vec![LogInput::Stdin],
            progress: false
        }
    );
    assert_eq!(s.principal_name(), "r");
    assert!(settings(&[
        "--role",
        "r",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-01",
        "--logs",
        "x"
    ])
    .is_err());
    assert_eq!(
        settings(&[
            "--role",
            "r",
            "--since",
            "1d",
            "--account",
            "12",
            "--logs",
            "x"
        ])
        .err(),
        Some(SettingsError::Id(IdError::Account("12".into())))
    );
}

/// A typo in a path is found before any work, and never overwrites an output.
#[test]
fn paths_are_checked_before_work() {
    let base = ["--role", "r", "--since", "1d"];
    let run = |extra: &[&str]| settings(&[&base[..], extra].concat());
    assert!(matches!(
        run(&["--logs", "no/such/dir"]).err(),
        Some(SettingsError::NoSuchLogs { .. })
    ));
    assert!(matches!(
        run(&["--logs", ".", "-o", "no/such/dir/policy.json"]).err(),
        Some(SettingsError::NotWritable { .. })
    ));
    assert!(matches!(
        run(&["--logs", ".", "--summary-json", "src"]).err(),
        Some(SettingsError::NotWritable { .. })
    ));
    let to_stdout = run(&["--logs", ".", "-o", "-"]).expect("valid");
    assert_eq!(to_stdout.output.path, None);
}

#[test]
fn a_session_arn_is_one_account() {
    let s = settings(&[
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/deployer/gh-1",
        "--since",
        "1d",
        "--logs",
        ".",
    ])
    .expect("valid");
    let principal = s.scope.principal.expect("a principal");
    assert_eq!(
        principal.accounts,
        BTreeSet::from(["111122223333".parse().expect("valid")])
    );
    assert_eq!(principal.session.as_deref(), Some("gh-1"));
    let other = settings(&[
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/deployer/gh-1",
        "--account",
        "444455556666",
        "--since",
        "1d",
        "--logs",
        ".",
    ]);
    assert!(matches!(
        other.err(),
        Some(SettingsError::AccountOutsideArn { .. })
    ));
}
