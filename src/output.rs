//! What a run writes: the proposal in the chosen format, or the review against `--current`.

use crate::collector::LogInput;
use crate::current::CurrentPolicies;
use crate::emitter::render::{cloudformation, json, terraform};
use crate::emitter::size::fit;
use crate::policy::PolicyDocument;
use crate::report::{Code, Severity};
use crate::review::{markdown, review, Coverage, Review};
use crate::settings::{Format, Settings};
use crate::Run;
use chrono::{Duration, NaiveDate};
use std::path::{Path, PathBuf};

/// The review of a run against the current policies.
pub fn review_run(run: &Run, settings: &Settings, current: &CurrentPolicies) -> Review {
    review(current, &run.policy, &run.usage, coverage(run, settings))
}

/// What the review is based on.
pub fn coverage(run: &Run, settings: &Settings) -> Coverage {
    let window = &settings.scope.window;
    let last = window.to - Duration::nanoseconds(1);
    Coverage {
        window: window.to_string(),
        sources: match settings.source.describe() {
            Some(source) => vec![source],
            None => settings
                .logs
                .iter()
                .map(|l| match l {
                    LogInput::Path(p) => p.display().to_string(),
                    LogInput::Stdin => "<stdin>".to_string(),
                })
                .collect(),
        },
        files_read: run.stats.files_read,
        records_read: run.stats.records_read,
        records_matched: run.stats.records_matched,
        // An engine's rows give one time per distinct call, not the events of every day.
        days_without_logs: if settings.source.reads_events() {
            missing_days(window.from.date_naive(), last.date_naive(), |d| {
                run.days.contains(&d.format("%Y-%m-%d").to_string())
            })
        } else {
            Vec::new()
        },
        not_logged: Vec::new(),
        notes: incomplete_reasons(run),
        complete: !run.incomplete(),
    }
}

/// Days in `[first, last]` for which `has` is false, consecutive ones as `first..last`.
fn missing_days(first: NaiveDate, last: NaiveDate, has: impl Fn(NaiveDate) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut gap: Option<(NaiveDate, NaiveDate)> = None;
    let mut day = first;
    let flush = |gap: (NaiveDate, NaiveDate), out: &mut Vec<String>| {
        out.push(if gap.0 == gap.1 {
            gap.0.to_string()
        } else {
            format!("{}..{}", gap.0, gap.1)
        })
    };
    while day <= last {
        if has(day) {
            if let Some(g) = gap.take() {
                flush(g, &mut out);
            }
        } else {
            gap = Some(gap.map_or((day, day), |(start, _)| (start, day)));
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    if let Some(g) = gap {
        flush(g, &mut out);
    }
    out
}

/// The diagnostics that make the run incomplete, one line each.
pub fn incomplete_reasons(run: &Run) -> Vec<String> {
    let mut out: Vec<String> = run
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Incomplete)
        .map(|d| {
            let times = if d.count > 1 {
                format!(" (x{})", d.count)
            } else {
                String::new()
            };
            format!("`{}` {}: {}{times}", d.code, d.subject, d.detail)
        })
        .collect();
    if run.stopped {
        out.push("stopped at the first input problem (`--strict`)".to_string());
    }
    out
}

/// The proposal in parts that fit the size limit (one part unless `--split`), with the review's
/// diagnostics added to the run's.
pub fn parts(settings: &Settings, run: &mut Run, review: Option<&Review>) -> Vec<PolicyDocument> {
    if let Some(r) = review {
        for n in &r.diff.not_evaluated {
            let keys: Vec<&str> = n.condition_keys.iter().map(String::as_str).collect();
            run.diagnostics.add(
                Code::ConditionNotEvaluated,
                n.statement.clone(),
                format!("conditions on {}: carried over unchanged", keys.join(", ")),
                None,
            );
        }
        if let Some(why) = &r.diff.removals_withheld {
            run.diagnostics
                .add(Code::RemovalsWithheld, "review", why.clone(), None);
        }
    }
    let proposed = review.map_or(&run.policy, |r| &r.proposed).clone();
    let parts = fit(
        &proposed,
        settings.size_limit,
        settings.split,
        &mut run.diagnostics,
    );
    crate::verify::check_written(&run.usage, &run.policy, &parts, &mut run.diagnostics);
    parts
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
/// `principal` is the summary's label of the principal.
pub fn render(
    settings: &Settings,
    run: &Run,
    review: Option<&Review>,
    parts: &[PolicyDocument],
    principal: &str,
) -> Vec<String> {
    let one = |text: String| vec![text];
    // HCL and YAML take comments: an incomplete proposal says so where it is pasted.
    let warned = |text: String| {
        let reasons = incomplete_reasons(run);
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
    match settings.format {
        Format::Json => parts.iter().map(json::render).collect(),
        Format::Terraform => warned(terraform::render(parts, &settings.principal_name())),
        Format::Cloudformation => warned(cloudformation::render(parts)),
        Format::DiffJson => one(review.map(|r| r.diff.to_json()).unwrap_or_default()),
        Format::Markdown => {
            let evidence = run.usage.by_action();
            let incomplete = incomplete_reasons(run);
            let warnings: Vec<String> = run
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .map(|d| format!("`{}` {}: {}", d.code, d.subject, d.detail))
                .collect();
            one(markdown::render(&markdown::Comment {
                principal,
                window: &settings.scope.window.to_string(),
                proposed: parts,
                review,
                evidence: &evidence,
                incomplete: &incomplete,
                warnings: &warnings,
            }))
        }
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

    #[test]
    fn gaps_as_ranges() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let have = ["2026-11-01", "2026-11-04", "2026-11-06"];
        let got = missing_days(d("2026-11-01"), d("2026-11-07"), |day| {
            have.contains(&day.to_string().as_str())
        });
        assert_eq!(got, ["2026-11-02..2026-11-03", "2026-11-05", "2026-11-07"]);
    }
}
