//! Local log files: paths (files or directories, recursive) and stdin, read in parallel across cores.

use super::decode::Decoder;
use super::progress::spinner;
use super::s3::{key_time, SLACK_AFTER, SLACK_BEFORE};
use super::sink::{Collected, Sink};
use crate::window::TimeWindow;
use rayon::prelude::*;
use std::collections::{BTreeSet, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use walkdir::WalkDir;

/// A `--logs` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogInput {
    Path(PathBuf),
    Stdin,
}

/// What walking an input finds: a file, or a path that cannot be read as one.
enum Listed {
    File(PathBuf),
    Problem { name: String, why: String },
}

/// The files under `path` in name order; symbolic links are followed, loops among them reported; hidden
/// files and directories are skipped.
fn walk(path: &Path) -> impl Iterator<Item = Listed> + Send + '_ {
    let hidden =
        |e: &walkdir::DirEntry| e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
    WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| !hidden(e))
        .filter_map(move |entry| match entry {
            Ok(e) if e.file_type().is_file() => Some(Listed::File(e.into_path())),
            Ok(e) if e.file_type().is_dir() => None,
            Ok(e) => Some(Listed::Problem {
                name: e.path().display().to_string(),
                why: "not a file or directory".to_string(),
            }),
            Err(e) => {
                let name = e.path().unwrap_or(path).display().to_string();
                let why = match (e.loop_ancestor(), e.io_error()) {
                    (Some(_), _) => "a symbolic link loop".to_string(),
                    (None, Some(io)) => io.to_string(),
                    (None, None) => e.to_string(),
                };
                Some(Listed::Problem { name, why })
            }
        })
}

fn paths(inputs: &[LogInput]) -> impl Iterator<Item = &Path> + Send {
    inputs.iter().filter_map(|input| match input {
        LogInput::Path(path) => Some(path.as_path()),
        LogInput::Stdin => None,
    })
}

/// Files under the inputs, sorted and without duplicates; directory problems are reported, not fatal.
pub fn discover<S: Sink>(
    inputs: &[LogInput],
    decoder: &Decoder<S>,
    out: &mut Collected<S>,
) -> (Vec<PathBuf>, bool) {
    let mut files = BTreeSet::new();
    for listed in paths(inputs).flat_map(walk) {
        match listed {
            Listed::File(path) => {
                files.insert(path);
            }
            Listed::Problem { name, why } => decoder.unreadable(&name, &why, out),
        }
    }
    let stdin = inputs.contains(&LogInput::Stdin);
    (files.into_iter().collect(), stdin)
}

/// Reads every input through `decoder`, files in parallel while the directories are still being walked
/// (listing a big trail takes a while), and merges what they contributed. `progress`: a spinner on stderr
/// with the files and bytes read (the walk is not done before reading, so there is no total to show).
pub fn collect<S: Sink>(inputs: &[LogInput], decoder: &Decoder<S>, progress: bool) -> Collected<S> {
    let window = &decoder.scope().window;
    let spinner = spinner(
        progress,
        "{spinner} logs [{elapsed}] {binary_bytes} read, {binary_bytes_per_sec} {msg}",
        "0 files".into(),
    );
    let files_read = AtomicUsize::new(0);
    // A file under two inputs is read once.
    let listed = Mutex::new(HashSet::new());
    // Each worker folds its files into one partial, so memory holds a few partials, not one per file.
    // Merging is order-independent (counts add, times take min/max), so the result does not depend on
    // which worker read which file.
    let mut out = paths(inputs)
        .flat_map(walk)
        .par_bridge()
        .fold(
            || decoder.fresh(),
            |mut part, listed_now| {
                match listed_now {
                    Listed::Problem { name, why } => decoder.unreadable(&name, &why, &mut part),
                    Listed::File(path) => {
                        let first = listed
                            .lock()
                            .map_or(true, |mut seen| seen.insert(path.clone()));
                        let name = path.display().to_string();
                        if first && !opened(&name, window) {
                            part.decoded.stats.files_outside_window += 1;
                        } else if first && !decoder.stopped() {
                            match std::fs::read(&path) {
                                Ok(bytes) => {
                                    decoder.read(&name, &bytes, &mut part);
                                    let n = files_read.fetch_add(1, Ordering::Relaxed) + 1;
                                    spinner.inc(bytes.len() as u64);
                                    spinner.set_message(format!(
                                        "{n} file{}",
                                        if n == 1 { "" } else { "s" }
                                    ));
                                }
                                Err(e) => decoder.unreadable(&name, &e.to_string(), &mut part),
                            }
                        }
                    }
                }
                part
            },
        )
        .reduce(
            || decoder.fresh(),
            |mut a, b| {
                a.merge(b);
                a
            },
        );
    spinner.finish_and_clear();
    if inputs.contains(&LogInput::Stdin) && !decoder.stopped() {
        let mut bytes = Vec::new();
        match std::io::stdin().lock().read_to_end(&mut bytes) {
            Ok(_) => decoder.read("<stdin>", &bytes, &mut out),
            Err(e) => decoder.unreadable("<stdin>", &e.to_string(), &mut out),
        }
    }
    out
}

/// Whether a run over `window` opens the object `name`: CloudTrail names each object by its delivery time,
/// which follows every event in it, so objects delivered well outside the window cannot hold events inside it
/// (the same slack as the S3 source). Digests and objects named otherwise are always opened.
pub fn opened(name: &str, window: &TimeWindow) -> bool {
    let file = Path::new(name)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    match key_time(file) {
        Some(t) if !file.contains("CloudTrail-Digest") => {
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
}

/// `--logs` values: paths, and `-` for stdin.
pub fn log_inputs(paths: &[String]) -> Vec<LogInput> {
    paths
        .iter()
        .map(|p| {
            if p == "-" {
                LogInput::Stdin
            } else {
                LogInput::Path(PathBuf::from(p))
            }
        })
        .collect()
}
