//! Helpers shared by the AWS test targets.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example trail (`examples/trail`).
pub fn example_trail() -> PathBuf {
    root().join("examples/trail")
}

/// Every file under `dir`, as (path relative to `dir` with `/`, bytes), sorted.
pub fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("readable dir")
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .expect("under base")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((rel, std::fs::read(&path).expect("readable file")));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// Writes `files` (relative path, bytes) under `dir`.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (rel, bytes) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write");
    }
}

/// The output of one run of the real binary.
pub struct Output {
    pub code: i32,
    pub policy: Vec<u8>,
    pub stderr: String,
}

/// Runs `policygen ARGS -o <tmp>` and returns the exit code, the policy file and stderr.
pub fn policygen(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("policy.json");
    let output = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("policygen runs");
    Output {
        code: output.status.code().unwrap_or(-1),
        policy: std::fs::read(&out).unwrap_or_default(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
