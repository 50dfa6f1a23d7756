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
