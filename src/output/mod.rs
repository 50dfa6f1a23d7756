//! What a run writes: the proposal in the chosen format (or the review against `--current`) to `-o` or
//! stdout, the pull-request comment (`--comment`), `--summary-json`, and how the run ends (its exit code).

mod color;
mod exit;
mod summary;

pub use crate::settings::output::{ColorChoice, Format, OutputOptions};
pub use color::color_enabled;
pub use exit::Exit;
pub use summary::{evidence_text, summary_json, summary_text, SUMMARY_SCHEMA_VERSION};

use crate::emitter::render::{cloudformation, json, terraform};
use crate::pipeline::Outcome;
use crate::report::Severity;
use crate::review::markdown;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write `{path}`")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the policy to stdout")]
    Stdout(#[source] std::io::Error),
}

/// Writes the output texts to `-o` (parts of a split JSON policy beside it) or stdout, and the summary JSON.
/// A closed stdout pipe (`| head`) is no error.
pub fn write(outcome: &Outcome, options: &OutputOptions) -> Result<(), OutputError> {
    for (index, text) in render(outcome, options).iter().enumerate() {
        match &options.path {
            Some(path) => {
                let path = part_path(path, index);
                std::fs::write(&path, text)
                    .map_err(|source| OutputError::Write { path, source })?;
            }
            None => write_stdout(text)?,
        }
    }
    if let Some(path) = &options.comment {
        let limit = markdown::GITHUB_COMMENT_LIMIT - markdown::COMMENT_RESERVE;
        let text = comment_text(outcome, options, limit);
        std::fs::write(path, text).map_err(|source| OutputError::Write {
            path: path.clone(),
            source,
        })?;
    }
    if let Some(path) = &options.summary_json {
        std::fs::write(path, summary_json(outcome, options)).map_err(|source| {
            OutputError::Write {
                path: path.clone(),
                source,
            }
        })?;
    }
    Ok(())
}

/// `--comment`: the markdown review in at most `limit` characters, pointing to the whole review when
/// `-o` writes it.
pub fn comment_text(outcome: &Outcome, options: &OutputOptions, limit: usize) -> String {
    let full_review = options
        .path
        .as_ref()
        .filter(|_| options.format == Format::Markdown)
        .map(|p| p.display().to_string());
    with_comment(outcome, options, |c| {
        markdown::fit(c, limit, full_review.as_deref())
    })
}

/// Calls `f` with the markdown review of `outcome`.
fn with_comment<T>(
    outcome: &Outcome,
    options: &OutputOptions,
    f: impl FnOnce(&markdown::Comment) -> T,
) -> T {
    let evidence = outcome.usage.by_action();
    let incomplete = outcome.incomplete_reasons();
    let warnings: Vec<String> = outcome
        .diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Incomplete && options.levels.shown(d.code))
        .map(|d| {
            let denied = if options.levels.level(d.code) == crate::report::Level::Deny {
                "**denied** "
            } else {
                ""
            };
            format!("{denied}`{}` {}: {}", d.code, d.subject, d.detail)
        })
        .collect();
    f(&markdown::Comment {
        principal: &outcome.principal,
        window: &outcome.window,
        proposed: &outcome.parts,
        review: outcome.review.as_ref(),
        evidence: &evidence,
        incomplete: &incomplete,
        warnings: &warnings,
        calls: outcome.stats.records_mapped,
        size_limit: options.size_limit,
    })
}

/// Writes a command's whole output to stdout; a closed pipe ends quietly.
pub fn write_stdout(text: &str) -> Result<(), OutputError> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(OutputError::Stdout(e)),
        _ => Ok(()),
    }
}

/// Where each part goes with `--split -o FILE` and JSON: `FILE`, then `FILE.2` before the extension
/// (`policy.json`, `policy.2.json`).
pub fn part_path(path: &Path, index: usize) -> PathBuf {
    if index == 0 {
        return path.to_path_buf();
    }
    let n = index + 1;
    let name = match (path.file_stem(), path.extension()) {
        (Some(stem), Some(ext)) => {
            format!("{}.{n}.{}", stem.to_string_lossy(), ext.to_string_lossy())
        }
        _ => format!(
            "{}.{n}",
            path.file_name().unwrap_or_default().to_string_lossy()
        ),
    };
    path.with_file_name(name)
}

/// The texts to write for the chosen format: one per part for JSON, one for everything else.
pub fn render(outcome: &Outcome, options: &OutputOptions) -> Vec<String> {
    let parts = &outcome.parts;
    // HCL and YAML take comments: an incomplete proposal says so where it is pasted.
    let warned = |text: String| {
        let reasons = outcome.incomplete_reasons();
        if reasons.is_empty() {
            return vec![text];
        }
        let mut header = String::from(
            "# policygen: INCOMPLETE: this policy may not allow everything the principal did:\n",
        );
        for why in reasons {
            header.push_str(&format!("#   - {}\n", why.replace(['\n', '\r'], " ")));
        }
        vec![header + &text]
    };
    match options.format {
        Format::Json => parts.iter().map(json::render).collect(),
        Format::Terraform => warned(terraform::render(parts, &outcome.principal_name)),
        Format::Cloudformation => warned(cloudformation::render(parts)),
        Format::DiffJson => vec![outcome
            .review
            .as_ref()
            .map(|r| r.diff.to_json())
            .unwrap_or_default()],
        Format::Markdown => vec![with_comment(outcome, options, markdown::render)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_part_names() {
        let p = Path::new("out/policy.json");
        assert_eq!(part_path(p, 0), PathBuf::from("out/policy.json"));
        assert_eq!(part_path(p, 2), PathBuf::from("out/policy.3.json"));
        assert_eq!(part_path(Path::new("policy"), 1), PathBuf::from("policy.2"));
    }
}
