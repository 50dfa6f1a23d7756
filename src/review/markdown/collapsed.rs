//! The sections of the comment that are lists and collapsed blocks: the coverage, the evidence per action,
//! the statement diff and the proposed policy.

use super::display::{capped, code, count, text};
use super::sections::{collapsed, fixed, Labels, Section};
use super::{size_line, Comment};
use crate::review::{ChangeKind, Review};
use std::fmt::Write;

pub(super) fn coverage(review: &Review) -> String {
    let d = &review.diff;
    let cov = &d.coverage;
    let mut out = String::from("\n### Coverage\n\n");
    let _ = writeln!(out, "- window `{}`", code(&cov.window));
    let sources: Vec<String> = cov
        .sources
        .iter()
        .map(|s| format!("`{}`", code(s)))
        .collect();
    let _ = writeln!(
        out,
        "- sources {}: {} files, {} records read, {} of the principal",
        sources.join(", "),
        cov.files_read,
        cov.records_read,
        cov.records_matched
    );
    let current: Vec<String> = d.current.iter().map(|s| format!("`{}`", code(s))).collect();
    let _ = writeln!(out, "- current policy {}", current.join(", "));
    if cov.days_without_logs.is_empty() {
        out.push_str("- logs on every day of the window\n");
    } else {
        let _ = writeln!(
            out,
            "- days without logs: {}",
            capped(cov.days_without_logs.clone(), 30, ", ")
        );
    }
    for note in cov.not_logged.iter().chain(&cov.notes) {
        let _ = writeln!(out, "- {}", text(note));
    }
    if !d.unknown_actions.is_empty() {
        let unknown: Vec<String> = d
            .unknown_actions
            .iter()
            .map(|a| format!("`{}`", code(a)))
            .collect();
        let _ = writeln!(
            out,
            "- not in the IAM catalogue: {}",
            capped(unknown, 30, ", ")
        );
    }
    out
}

/// Count, last seen and a sample event per used action, collapsed; with a review, what became of it.
pub(super) fn evidence(c: &Comment, review: Option<&Review>) -> Section {
    if c.evidence.is_empty() {
        return fixed(String::new());
    }
    let mut body = String::from(if review.is_some() {
        "| action | change | calls | first seen | last seen | sample eventID |\n|---|---|---:|---|---|---|\n"
    } else {
        "| action | calls | first seen | last seen | sample eventID |\n|---|---:|---|---|---|\n"
    });
    for (action, e) in c.evidence {
        let change = review.map(|r| {
            if r.diff.added.contains_key(*action) {
                "added | "
            } else if r.diff.narrowed.iter().any(|n| n.actions.contains(*action)) {
                "narrowed | "
            } else if r.diff.kept.contains(*action) {
                "kept | "
            } else {
                "carried over | "
            }
        });
        let _ = writeln!(
            body,
            "| `{}` | {}{} | {} | {} | `{}` |",
            code(action),
            change.unwrap_or_default(),
            e.count,
            e.first_seen,
            e.last_seen,
            code(&e.sample_event_id)
        );
    }
    collapsed(
        "the evidence",
        format!(
            "Evidence: {} used in the window (calls, first and last seen, a sample event)",
            count(c.evidence.len(), "action")
        ),
        body,
        "Evidence per action: in the whole review, and `policygen … --explain`.".to_string(),
    )
}

pub(super) fn statement_diff(review: &Review, labels: &Labels) -> Section {
    let groups: Vec<_> = review
        .changes
        .iter()
        .filter(|g| g.kind != ChangeKind::Unchanged)
        .collect();
    if groups.is_empty() {
        return fixed(String::new());
    }
    let tally = |kind: ChangeKind| review.changes.iter().filter(|g| g.kind == kind).count();
    let mut body = String::new();
    for g in &groups {
        let current: Vec<String> = g
            .current
            .iter()
            .map(|l| format!("`{}`", code(&labels.short(l))))
            .collect();
        let proposed: Vec<String> = g
            .proposed
            .iter()
            .map(|s| format!("`{}`", code(s)))
            .collect();
        let _ = match g.kind {
            ChangeKind::Removed => writeln!(body, "**{}** removed", current.join(", ")),
            ChangeKind::Added => writeln!(body, "**{}** new", proposed.join(", ")),
            _ => writeln!(body, "**{}** → {}", current.join(", "), proposed.join(", ")),
        };
        let _ = write!(body, "\n```diff\n{}```\n\n", g.diff);
    }
    collapsed(
        "the statement diff",
        format!(
            "Statement diff: {} changed, {} removed, {} new, {} unchanged (paired by what they grant)",
            tally(ChangeKind::Changed),
            tally(ChangeKind::Removed),
            tally(ChangeKind::Added),
            tally(ChangeKind::Unchanged)
        ),
        body,
        "Statement diff: in the whole review.".to_string(),
    )
}

pub(super) fn proposed(c: &Comment) -> Section {
    let statements: usize = c.proposed.iter().map(|d| d.statements.len()).sum();
    let mut body = String::new();
    for (index, doc) in c.proposed.iter().enumerate() {
        if c.proposed.len() > 1 {
            let _ = writeln!(body, "Part {} of {}:\n", index + 1, c.proposed.len());
        }
        let _ = write!(body, "```json\n{}```\n\n", doc.to_json());
    }
    collapsed(
        "the proposed policy",
        format!(
            "Proposed policy, ready to copy: {}, {}",
            count(statements, "statement"),
            size_line(c)
        ),
        body,
        "Proposed policy: too long for this comment; in the whole review, and `policygen … -o policy.json`."
            .to_string(),
    )
}
