//! The review workflow end to end on the example trail: every output format, diffs against current policies
//! with wildcards, `NotAction`, `NotResource`, conditions and `Deny`, `--check`, and parse checks of the
//! Terraform and CloudFormation output. Golden files live in `tests/golden/review/`; `SNAPSHOTS=overwrite`
//! rewrites them (review the diff before committing).

use super::support::check_golden as check_golden_at;
use clap::Parser;
use policygen::cli::Cli;
use policygen::settings::Settings;
use policygen::Outcome;
use std::path::PathBuf;

const BASE: &[&str] = &[
    "--role",
    "build-agent",
    "--account",
    "111122223333",
    "--from",
    "2026-11-01",
    "--to",
    "2026-12-01",
    "--logs",
    "examples/trail",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden(name: &str) -> PathBuf {
    root().join("tests/golden/review").join(name)
}

/// Runs like the binary does (cargo runs tests from the package root, so paths in the output stay
/// relative).
struct Case {
    settings: Settings,
    outcome: Outcome,
}

fn run(extra: &[&str]) -> Case {
    let args = BASE.iter().chain(extra).copied();
    let cli = Cli::try_parse_from(std::iter::once("policygen").chain(args)).expect("clap accepts");
    let now = policygen::window::parse_time("2026-12-03T00:00:00Z").expect("valid");
    let settings = Settings::from_args(&cli.generate, now).expect("valid settings");
    let outcome = super::support::generate(&settings);
    Case { settings, outcome }
}

fn output(case: &Case) -> String {
    policygen::output::render(&case.outcome, &case.settings.output).concat()
}

fn check_golden(name: &str, actual: &str, failures: &mut Vec<String>) {
    check_golden_at(&golden(name), actual, failures);
}

/// One golden file per case and format.
#[test]
fn golden_outputs() {
    let cases: &[(&str, &[&str])] = &[
        ("proposal", &[]),
        ("example", &["--current", "examples/current-policy.json"]),
        (
            "tricky",
            &[
                "--current",
                "tests/golden/review/inputs/tricky-current.json",
            ],
        ),
        (
            "two-policies",
            &[
                "--current",
                "tests/golden/review/inputs/get-role-policy.json",
                "--current",
                "tests/golden/review/inputs/tricky-current.json",
            ],
        ),
        (
            "conditions",
            &[
                "--condition",
                "region",
                "--condition",
                "service",
                "--condition",
                "instance-type",
            ],
        ),
        (
            // Over the managed-policy limit: split into parts (JSON parts are concatenated here).
            "tricky-split",
            &[
                "--current",
                "tests/golden/review/inputs/tricky-current.json",
                "--split",
                "-o",
                "unused.json",
            ],
        ),
        (
            // Whole families of one statement become exact wildcards; a family used in part stays a list.
            "compact",
            &[
                "--logs",
                "tests/golden/review/inputs/compact-events.json",
                "--compact",
            ],
        ),
        (
            "incomplete",
            &[
                "--logs",
                "tests/golden/review/inputs/damaged",
                "--current",
                "examples/current-policy.json",
            ],
        ),
    ];
    let mut failures = Vec::new();
    for (case, extra) in cases {
        for (format, extension) in [
            ("json", "json"),
            ("terraform", "tf"),
            ("cloudformation", "yaml"),
            ("markdown", "md"),
            ("diff-json", "diff.json"),
        ] {
            if format == "diff-json" && !extra.contains(&"--current") {
                continue;
            }
            // The diff of a NotAction statement lists every action of the catalogue: the markdown shows it.
            if format == "diff-json" && *case != "example" && *case != "incomplete"
                || (*case == "conditions" || *case == "tricky-split" || *case == "compact")
                    && format != "json"
                    && format != "terraform"
            {
                continue;
            }
            let mut args = extra.to_vec();
            args.extend(["--format", format]);
            let text = output(&run(&args));
            check_golden(&format!("{case}.{extension}"), &text, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn diff_semantics_on_the_tricky_policy() {
    let o = run(&[
        "--current",
        "tests/golden/review/inputs/tricky-current.json",
    ]);
    let d = &o.outcome.review.expect("review").diff;
    // NotAction grants everything outside iam/organizations/sts: ECR and friends are kept, not added.
    assert!(d.kept.contains("ecr:PutImage"));
    // iam:PassRole is granted only under a condition policygen cannot evaluate: neither kept nor added.
    assert!(!d.kept.contains("iam:PassRole") && !d.added.contains_key("iam:PassRole"));
    let pass = d
        .not_evaluated
        .iter()
        .find(|n| n.statement.ends_with("#PassOnlyFromEurope"))
        .expect("conditional statement reported");
    assert!(pass.used_only_here.contains("iam:PassRole"));
    // The unconditional Deny explains the denied ssm:PutParameter; the conditional one is shown too.
    let writes = d
        .denies
        .iter()
        .find(|x| x.statement.ends_with("#NoParameterWrites"))
        .expect("deny shown");
    assert!(writes.blocked.contains("ssm:PutParameter"));
    assert!(d.denies.iter().any(|x| x.conditional));
    let not_action = d
        .wildcards
        .iter()
        .find(|w| w.pattern.starts_with("NotAction"))
        .expect("NotAction expansion");
    assert!(not_action.expands_to > 10_000);
    assert!(!d.equal);
}

#[test]
fn check_is_equal_against_its_own_proposal() {
    let first = run(&["--current", "examples/current-policy.json"]);
    let proposed = first.outcome.review.expect("review").proposed;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("proposed.json");
    std::fs::write(&path, proposed.to_json()).expect("write");
    let path = path.to_string_lossy().to_string();
    let second = run(&["--current", &path]);
    let review = second.outcome.review.expect("review");
    assert!(review.diff.equal, "{}", review.text);
    assert!(review.text.is_empty());
    assert_eq!(review.diff.summary.removed, 0);

    let binary = env!("CARGO_BIN_EXE_policygen");
    let status = |current: &str| {
        std::process::Command::new(binary)
            .current_dir(root())
            .args(BASE)
            .args(["--current", current, "--check", "-q"])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("runs")
            .code()
    };
    assert_eq!(status(&path), Some(0));
    assert_eq!(status("examples/current-policy.json"), Some(1));
    assert_eq!(status("tests/golden/review/inputs/missing.json"), Some(2));
}

#[test]
fn terraform_output_parses_as_hcl() {
    for extra in [
        &[][..],
        &[
            "--current",
            "tests/golden/review/inputs/tricky-current.json",
        ][..],
    ] {
        let mut args = extra.to_vec();
        args.extend(["--format", "terraform"]);
        let o = run(&args);
        let text = output(&o);
        let body = hcl::parse(&text).unwrap_or_else(|e| panic!("invalid HCL: {e}\n{text}"));
        let data = body.blocks().next().expect("one data block");
        assert_eq!(data.identifier(), "data");
        let statements = data
            .body()
            .blocks()
            .filter(|b| b.identifier() == "statement")
            .count();
        let expected = o
            .outcome
            .review
            .as_ref()
            .map_or(o.outcome.policy.statements.len(), |r| {
                r.proposed.statements.len()
            });
        assert_eq!(statements, expected);
    }
}

#[test]
fn cloudformation_output_is_the_same_document_in_yaml() {
    for extra in [
        &[][..],
        &[
            "--current",
            "tests/golden/review/inputs/tricky-current.json",
        ][..],
    ] {
        let mut args = extra.to_vec();
        args.extend(["--format", "cloudformation"]);
        let o = run(&args);
        let text = output(&o);
        let yaml: serde_json::Value =
            serde_norway::from_str(&text).unwrap_or_else(|e| panic!("invalid YAML: {e}\n{text}"));
        let proposed = o
            .outcome
            .review
            .as_ref()
            .map_or(o.outcome.policy.clone(), |r| r.proposed.clone());
        let json: serde_json::Value = serde_json::to_value(&proposed).expect("json");
        // The YAML writes every list as a list; compare after reading both as policy documents.
        let from_yaml: policygen::policy::PolicyDocument =
            serde_json::from_value(yaml["PolicyDocument"].clone()).expect("a policy document");
        let from_json: policygen::policy::PolicyDocument =
            serde_json::from_value(json).expect("a policy document");
        assert_eq!(
            policygen::review::canonical(&from_yaml),
            policygen::review::canonical(&from_json)
        );
    }
}

#[test]
fn outputs_are_deterministic() {
    let args = [
        "--current",
        "examples/current-policy.json",
        "--format",
        "markdown",
    ];
    assert_eq!(output(&run(&args)), output(&run(&args)));
}
