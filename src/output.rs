//! What a run writes: the proposal in the chosen format, or the review against `--current`.

use crate::collector::LogInput;
use crate::current::CurrentPolicies;
use crate::diff::{review, Coverage, Review};
use crate::emitter::render::{cloudformation, json, markdown, terraform};
use crate::policy::PolicyDocument;
use crate::report::Severity;
use crate::settings::{Format, Settings};
use crate::Run;
use chrono::{Duration, NaiveDate};

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
        sources: settings
            .logs
            .iter()
            .map(|l| match l {
                LogInput::Path(p) => p.display().to_string(),
                LogInput::Stdin => "<stdin>".to_string(),
            })
            .collect(),
        files_read: run.stats.files_read,
        records_read: run.stats.records_read,
        records_matched: run.stats.records_matched,
        days_without_logs: missing_days(window.from.date_naive(), last.date_naive(), |d| {
            run.days.contains(&d.format("%Y-%m-%d").to_string())
        }),
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

/// The text to write for the chosen format. `principal` is the summary's label of the principal.
pub fn render(settings: &Settings, run: &Run, review: Option<&Review>, principal: &str) -> String {
    let proposed: PolicyDocument = match review {
        Some(r) => r.proposed.clone(),
        None => run.policy.clone(),
    };
    let parts = [proposed];
    match settings.format {
        Format::Json => json::render(&parts[0]),
        Format::Terraform => terraform::render(&parts, &settings.principal_name()),
        Format::Cloudformation => cloudformation::render(&parts),
        Format::DiffJson => review.map(|r| r.diff.to_json()).unwrap_or_default(),
        Format::Markdown => {
            let evidence = run.usage.by_action();
            let incomplete = incomplete_reasons(run);
            let warnings: Vec<String> = run
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .map(|d| format!("`{}` {}: {}", d.code, d.subject, d.detail))
                .collect();
            markdown::render(&markdown::Comment {
                principal,
                window: &settings.scope.window.to_string(),
                proposed: &parts,
                review,
                evidence: &evidence,
                incomplete: &incomplete,
                warnings: &warnings,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
