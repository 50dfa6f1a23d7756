//! Every generator of committed inputs, run with `--check`: what is committed is what the script writes.
//! (`service-maps/generate.py --check` runs in `maps.rs`.)

use super::support::root;

fn check(script: &str) {
    let output = std::process::Command::new("python3")
        .arg(root().join(script))
        .arg("--check")
        .current_dir(root())
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{script} --check: the committed files differ from what it writes:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_example_trail_is_what_its_generator_writes() {
    check("examples/make_trail.py");
}

#[test]
fn scenario_inputs_are_what_their_generator_writes() {
    check("tests/data/make_scenarios.py");
}

#[test]
fn precision_cases_are_what_their_generator_writes() {
    check("tests/data/make_precision_cases.py");
}

/// The held-out precision set is written to stdout (`make_held_out.py > held-out.json`).
#[test]
fn the_held_out_precision_set_is_what_its_generator_writes() {
    let out = std::process::Command::new("python3")
        .arg(root().join("tests/precision/make_held_out.py"))
        .output()
        .expect("python3 runs");
    let committed = std::fs::read(root().join("tests/precision/held-out.json")).expect("readable");
    assert!(
        out.status.success() && out.stdout == committed,
        "tests/precision/held-out.json differs from `python3 tests/precision/make_held_out.py` output"
    );
}
