//! The real binary: help, exit codes, error wording, stdin, output files.

use super::support::{policygen, root, text, WINDOW};
use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn help_teaches() {
    let out = policygen(&["--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for needle in [
        "--role",
        "--since",
        "--logs",
        "EXAMPLES",
        "EXIT CODES",
        "web-identity",
        "--include-denied",
    ] {
        assert!(help.contains(needle), "help lacks {needle}");
    }
}

/// The README's first command, run as written, prints the summary the README shows.
#[test]
fn readme_first_command_prints_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let command = readme
        .lines()
        .find_map(|l| l.strip_prefix("cargo run -- "))
        .expect("the README's first command");
    let args: Vec<&str> = command.split_whitespace().collect();
    let out = policygen(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let policy: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is the policy");
    assert_eq!(policy["Version"], "2012-10-17");
    let intro = readme
        .find("On the example trail, policygen prints")
        .expect("the sample summary");
    let sample = readme[intro..]
        .split("```\n")
        .nth(1)
        .expect("a fenced sample");
    let stderr = text(&out.stderr);
    let shown: Vec<&str> = sample.lines().take_while(|l| l.trim() != "...").collect();
    let printed: Vec<&str> = stderr.lines().take(shown.len()).collect();
    assert_eq!(
        printed, shown,
        "README.md's sample summary is not what the command prints"
    );
}

/// The summary names each generalised resource and what it stands for; `--exact` keeps every name.
#[test]
fn summary_lists_generalised_resources_and_exact_keeps_names() {
    let mut args = vec![
        "--role",
        "build-agent",
        "--logs",
        "examples/trail",
        "--explain",
    ];
    args.extend(WINDOW);
    let out = policygen(&args);
    let (policy, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        stderr.contains("policy   24 actions in 15 statements"),
        "{stderr}"
    );
    assert!(
        stderr.contains("generalised 6 resources stand for the names observed"),
        "{stderr}"
    );
    assert!(
        stderr.contains("arn:aws:s3:::acme-build-artifacts/builds/*/bundle.zip <- 30 observed: session name part (`4181`, `4182`, … 30 values)"),
        "{stderr}"
    );
    assert!(stderr.contains("  resource arn:aws:s3:::acme-build-artifacts/builds/*/bundle.zip stands for 30 observed"), "{stderr}");
    assert!(policy.contains("log-stream:gh-run-*\""), "{policy}");
    args.push("--exact");
    let out = policygen(&args);
    let (policy, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(!stderr.contains("generalised"), "{stderr}");
    assert!(policy.contains("builds/4210/bundle.zip"), "{policy}");
    assert!(!policy.contains("builds/*"), "{policy}");
}

#[test]
fn usage_errors_exit_2_and_say_how() {
    let out = policygen(&["--role", "x", "--logs", "examples/trail"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--since 30d"),
        "{}",
        text(&out.stderr)
    );
    let out = policygen(&["--since", "1d", "--logs", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--role NAME|ARN"));
    let out = policygen(&["--role", "a", "--user", "b", "--since", "1d", "--logs", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = policygen(&["--role", "a", "--since", "30y", "--logs", "x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`30y`"));
}

/// A `--logs` path that does not exist is a typo: exit 2 before anything is read or written.
#[test]
fn missing_logs_path_is_a_usage_error_that_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, "the policy deployed today\n").expect("writable");
    let policy_arg = policy.display().to_string();
    let mut args = vec![
        "--role",
        "build-agent",
        "--logs",
        "examples/trail",
        "--logs",
        "no/such/file.json",
        "-o",
        &policy_arg,
    ];
    args.extend(WINDOW);
    let out = policygen(&args);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).lines().next(),
        Some("error: `--logs no/such/file.json` cannot be read: No such file or directory (os error 2)")
    );
    assert!(out.stdout.is_empty());
    let kept = std::fs::read_to_string(&policy).expect("readable");
    assert_eq!(kept, "the policy deployed today\n");
    // An output that cannot be written is found before the logs are read, too.
    let mut args = vec![
        "--role",
        "build-agent",
        "--logs",
        "examples/trail",
        "-o",
        "no/such/dir/p.json",
    ];
    args.extend(WINDOW);
    let out = policygen(&args);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("error: cannot write `no/such/dir/p.json`"),
        "{}",
        text(&out.stderr)
    );
    // `-o -` is stdout.
    let mut args = vec![
        "--role",
        "build-agent",
        "--account",
        "111122223333",
        "--logs",
        "examples/trail",
        "-o",
        "-",
        "-q",
    ];
    args.extend(WINDOW);
    let out = policygen(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("{\n  \"Version\""));
}

/// A file under a directory that cannot be read makes the run incomplete; the rest is still used.
#[test]
fn unreadable_file_is_incomplete_but_the_rest_is_used() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink("/nonexistent/log.json.gz", dir.path().join("gone.json.gz"))
        .expect("symlink");
    let extra = dir.path().display().to_string();
    let mut args = vec![
        "--role",
        "build-agent",
        "--account",
        "111122223333",
        "--logs",
        "examples/trail",
        "--logs",
        &extra,
    ];
    args.extend(WINDOW);
    let out = policygen(&args);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("incomplete unreadable-file") && stderr.contains("gone.json.gz"),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("result   INCOMPLETE")),
        "{stderr}"
    );
    let policy: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("the policy is still written");
    assert!(policy["Statement"]
        .as_array()
        .is_some_and(|s| !s.is_empty()));
}

#[test]
fn stdin_and_output_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_file = dir.path().join("policy.json");
    let record = r#"{"eventVersion":"1.08","eventTime":"2026-11-05T10:00:00Z","eventSource":"sqs.amazonaws.com","eventName":"SendMessage","awsRegion":"eu-west-1","recipientAccountId":"111122223333","eventID":"e1","requestParameters":{"queueUrl":"https://sqs.eu-west-1.amazonaws.com/111122223333/jobs"},"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","userName":"alice","accountId":"111122223333"}}"#;
    let mut child = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args([
            "--user",
            "alice",
            "--since",
            "90d",
            "--to",
            "2026-12-01",
            "--logs",
            "-",
            "-o",
        ])
        .arg(&out_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(record.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("binary ends");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let policy = std::fs::read_to_string(&out_file).expect("policy file written");
    assert!(
        policy.contains("sqs:SendMessage")
            && policy.contains("arn:aws:sqs:eu-west-1:111122223333:jobs"),
        "{policy}"
    );
}

#[test]
fn deny_warnings_fails_on_warnings() {
    let mut args = vec![
        "--role",
        "build-agent",
        "--logs",
        "examples/trail",
        "--deny-warnings",
        "-q",
    ];
    args.extend(WINDOW);
    let out = policygen(&args);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "-q prints nothing: {}",
        text(&out.stderr)
    );
}

#[test]
fn summary_json_for_machines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("summary.json");
    let mut args = vec![
        "--role",
        "build-agent",
        "--logs",
        "examples/trail",
        "-q",
        "--summary-json",
    ];
    let summary_arg = summary.display().to_string();
    args.push(&summary_arg);
    args.extend(WINDOW);
    let out = policygen(&args);
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).expect("written")).expect("json");
    assert_eq!(value["complete"], true);
    assert!(value["actions"]["s3:PutObject"]["count"]
        .as_u64()
        .is_some_and(|c| c > 0));
    assert!(value["diagnostics"]
        .as_array()
        .is_some_and(|d| !d.is_empty()));
}

#[test]
fn maps_explain_names_the_entry() {
    let out = policygen(&[
        "maps",
        "explain",
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("lambda:UpdateFunctionCode") && stdout.contains("service-maps/lambda.json"),
        "{stdout}"
    );
    let out = policygen(&["maps", "explain", "nope.amazonaws.com", "Foo"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn maps_coverage_on_the_example() {
    let out = policygen(&["maps", "coverage", "--logs", "examples/trail"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(
        text(&out.stdout),
        "read 36 files (1 skipped, 0 unreadable), 1018 records\n\
         35 of 35 distinct eventSource/eventName pairs mapped (100.0%)\n  \
         mapped: 32\n  need no permission: 3\n  service-internal: 0\n  console page actions: 0\n"
    );
}

/// Nothing read is no answer: not "0 of 0 mapped (100%)".
#[test]
fn maps_coverage_of_nothing_is_incomplete() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("notes.json"), "{\"a\": 1}\n{\"a\": 2}\n").expect("writable");
    let logs = dir.path().display().to_string();
    let out = policygen(&["maps", "coverage", "--logs", &logs]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("read 0 files (1 skipped, 0 unreadable), 0 records\nno API calls found"),
        "{stdout}"
    );
}

#[test]
fn closed_pipe_is_quiet() {
    let mut args = vec!["--role", "build-agent", "--logs", "examples/trail", "-q"];
    args.extend(WINDOW);
    let mut child = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(&args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("binary ends");
    assert!(
        !text(&out.stderr).contains("error"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn no_aws_credentials_is_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(["--role", "build-agent", "--since", "1d"])
        .env_clear()
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no AWS credentials found") && stderr.contains("--logs PATH"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}
