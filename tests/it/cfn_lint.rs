//! The CloudFormation output checked by a tool this project did not write: cfn-lint (AWS's template linter,
//! installed pinned by `scripts/install-checkers.sh`) validates each policy document against its schema
//! and each action against the IAM catalogue it bundles. Every scenario and the example trail are rendered
//! by the real binary with `--format cloudformation` and pasted into an `AWS::IAM::ManagedPolicy`.

use super::support::{example_trail, installed_tool, scenario_dirs};
use std::path::Path;
use std::process::Command;

/// A template holding each YAML document of `output` (one per part after `--split`) as a managed policy.
fn template(output: &str) -> String {
    let mut out = String::from("AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n");
    for (n, document) in output.split("\n---\n").enumerate() {
        out.push_str(&format!(
            "  Policy{n}:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        ));
        for line in document.lines() {
            out.push_str(&format!("      {line}\n"));
        }
    }
    out
}

/// The CloudFormation output of `policygen ARGS --logs LOGS`, whatever the exit code (an incomplete run
/// still writes its proposal, with the reasons as comments).
fn cloudformation(args: &[String], logs: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args)
        .arg("--logs")
        .arg(logs)
        .args(["--format", "cloudformation", "-q"])
        .output()
        .expect("policygen runs");
    String::from_utf8(out.stdout).expect("utf-8")
}

fn lint(cfn_lint: &str, files: &[std::path::PathBuf]) -> (bool, String) {
    let out = Command::new(cfn_lint)
        .args(files)
        .output()
        .expect("cfn-lint runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `scripts/test.sh` installs cfn-lint and sets `CFN_LINT`; where python3 cannot make a venv the script
/// says so and the test reports itself skipped.
#[test]
#[ignore = "needs cfn-lint: run by scripts/test.sh, which installs it"]
fn cfn_lint_accepts_the_cloudformation_output_of_every_scenario() {
    let Some(cfn_lint) = installed_tool("CFN_LINT", "cfn-lint") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    let mut write = |name: &str, output: &str| {
        assert!(
            output.contains("PolicyDocument:"),
            "{name}: no policy:\n{output}"
        );
        let path = dir.path().join(format!("{name}.yaml"));
        std::fs::write(&path, template(output)).expect("write");
        files.push(path);
    };
    for scenario in scenario_dirs() {
        let args = std::fs::read_to_string(scenario.join("args")).expect("args");
        let args = shlex::split(args.trim()).expect("args split as a shell would");
        let name = scenario.file_name().expect("named").to_string_lossy();
        write(&name, &cloudformation(&args, &scenario.join("logs")));
    }
    let example: Vec<String> =
        "--role build-agent --account 111122223333 --from 2026-11-01 --to 2026-12-01"
            .split(' ')
            .map(String::from)
            .collect();
    write("example-trail", &cloudformation(&example, &example_trail()));
    assert!(files.len() > 40, "only {} outputs", files.len());
    let (ok, text) = lint(&cfn_lint, &files);
    assert!(ok, "cfn-lint:\n{text}");

    // cfn-lint finds what it should: an action that does not exist, in a copy of the example's output.
    let broken = dir.path().join("broken.yaml");
    let example_output = std::fs::read_to_string(&files[files.len() - 1]).expect("read");
    let renamed = example_output.replacen("\"ecr:", "\"ecr:Describez", 1);
    assert_ne!(renamed, example_output, "the example grants an ecr action");
    std::fs::write(&broken, renamed).expect("write");
    let (ok, text) = lint(&cfn_lint, &[broken]);
    assert!(
        !ok && text.contains("W3037"),
        "cfn-lint missed an unknown action:\n{text}"
    );
}
