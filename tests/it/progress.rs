//! Progress is drawn on stderr when it is a terminal, and only then: each long command run under a
//! pseudo-terminal (util-linux `script`, part of every Debian system) and captured (no terminal).

use super::support::{policygen, root, text, WINDOW};
use std::process::Command;

/// What a terminal shows of the binary run with `args` (stdin, stdout and stderr on a pseudo-terminal).
fn on_terminal(args: &[&str]) -> String {
    let words: Vec<&str> = std::iter::once(env!("CARGO_BIN_EXE_policygen"))
        .chain(args.iter().copied())
        .collect();
    let line = shlex::try_join(words).expect("arguments without NUL");
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(root())
        .output()
        .expect("`script` (util-linux) runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    text(&out.stdout)
}

/// Run with stderr captured (no terminal), the command draws no spinner.
fn captured_draws_nothing(args: &[&str]) {
    let captured = policygen(args);
    assert_eq!(captured.status.code(), Some(0));
    assert!(!text(&captured.stderr).contains("logs ["));
}

#[test]
fn reading_logs_draws_a_spinner_on_a_terminal_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let policy = dir.path().join("policy.json").display().to_string();
    let mut args = vec!["--role", "build-agent", "--account", "111122223333"];
    args.extend(WINDOW);
    args.extend(["--logs", "examples/trail", "-o", &policy]);
    let shown = on_terminal(&args);
    assert!(
        shown.contains("logs ["),
        "no spinner on the terminal:\n{shown}"
    );
    assert!(
        shown.contains(" read, "),
        "the spinner counts bytes:\n{shown}"
    );

    args.push("--quiet");
    let quiet = on_terminal(&args);
    assert!(
        !quiet.contains("logs ["),
        "`--quiet` draws nothing:\n{quiet}"
    );
    args.pop();
    captured_draws_nothing(&args);
}

#[test]
fn fleet_and_index_draw_progress_on_a_terminal_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("policies").display().to_string();
    let mut fleet = vec!["fleet"];
    fleet.extend(WINDOW);
    fleet.extend(["--logs", "examples/trail", "--out-dir", &out_dir]);
    let shown = on_terminal(&fleet);
    assert!(
        shown.contains("logs ["),
        "no spinner for the fleet:\n{shown}"
    );
    captured_draws_nothing(&fleet);

    let index = dir.path().join("index").display().to_string();
    let shown = on_terminal(&["index", "--logs", "examples/trail", "--index", &index]);
    assert!(shown.contains("index ["), "no bar for the index:\n{shown}");
    assert!(shown.contains("36 objects read"), "{shown}");
}
