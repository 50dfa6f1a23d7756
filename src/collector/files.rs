//! Local log files: paths (files or directories, recursive) and stdin, read in parallel across cores.

use super::ingest::{Ingest, Partial};
use super::s3::{key_time, SLACK_AFTER, SLACK_BEFORE};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A `--logs` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogInput {
    Path(PathBuf),
    Stdin,
}

/// Files under the inputs, sorted and without duplicates; directory problems are reported, not fatal.
pub fn discover(inputs: &[LogInput], ingest: &Ingest, out: &mut Partial) -> (Vec<PathBuf>, bool) {
    let mut files = BTreeSet::new();
    let mut stdin = false;
    for input in inputs {
        match input {
            LogInput::Stdin => stdin = true,
            LogInput::Path(path) => walk(path, ingest, out, &mut files, &mut BTreeSet::new()),
        }
    }
    (files.into_iter().collect(), stdin)
}

fn walk(
    path: &Path,
    ingest: &Ingest,
    out: &mut Partial,
    files: &mut BTreeSet<PathBuf>,
    visiting: &mut BTreeSet<PathBuf>,
) {
    let name = path.display().to_string();
    let metadata = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return ingest.unreadable(&name, &e.to_string(), out),
    };
    if metadata.is_file() {
        files.insert(path.to_path_buf());
        return;
    }
    if !metadata.is_dir() {
        return ingest.unreadable(&name, "not a file or directory", out);
    }
    // Symlinked directories can loop; each real directory is entered once per branch.
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if !visiting.insert(real.clone()) {
        return ingest.unreadable(&name, "a symbolic link loop", out);
    }
    match std::fs::read_dir(path) {
        Ok(entries) => {
            let mut children: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            children.sort();
            for child in children {
                let file_name = child.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if file_name.starts_with('.') {
                    continue;
                }
                walk(&child, ingest, out, files, visiting);
            }
        }
        Err(e) => ingest.unreadable(&name, &e.to_string(), out),
    }
    visiting.remove(&real);
}

/// Reads every input through `ingest`, files in parallel, and merges what they contributed.
pub fn collect(inputs: &[LogInput], ingest: &Ingest) -> Partial {
    let mut out = Partial::default();
    let (mut files, stdin) = discover(inputs, ingest, &mut out);
    // CloudTrail names each object by its delivery time, which follows every event in it: objects delivered
    // well outside the window cannot hold events inside it (the same slack as the S3 source).
    let window = &ingest.scope().window;
    let before = files.len();
    files.retain(|path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match key_time(name) {
            Some(t) if !name.contains("CloudTrail-Digest") => {
                // An unbounded window (`maps coverage`) has no edge to add slack to.
                let after_start = window
                    .from
                    .checked_sub_signed(SLACK_BEFORE)
                    .is_none_or(|from| from <= t);
                let before_end = window
                    .to
                    .checked_add_signed(SLACK_AFTER)
                    .is_none_or(|to| t <= to);
                after_start && before_end
            }
            _ => true,
        }
    });
    out.stats.files_outside_window += (before - files.len()) as u64;
    let parts: Vec<Partial> = files
        .par_iter()
        .map(|path| {
            let mut part = Partial::default();
            if ingest.stopped() {
                return part;
            }
            let name = path.display().to_string();
            match std::fs::read(path) {
                Ok(bytes) => ingest.ingest(&name, &bytes, &mut part),
                Err(e) => ingest.unreadable(&name, &e.to_string(), &mut part),
            }
            part
        })
        .collect();
    for part in parts {
        out.merge(part);
    }
    if stdin && !ingest.stopped() {
        let mut bytes = Vec::new();
        match std::io::stdin().lock().read_to_end(&mut bytes) {
            Ok(_) => ingest.ingest("<stdin>", &bytes, &mut out),
            Err(e) => ingest.unreadable("<stdin>", &e.to_string(), &mut out),
        }
    }
    out
}
