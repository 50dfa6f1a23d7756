//! A pull-request comment: a warning first when the run is incomplete, a summary table, what is removed and
//! added with the evidence for every added action, what is carried over, the coverage notes, and the diff in
//! a collapsible block.

use super::Review;
use crate::policy::PolicyDocument;
use crate::usage::Evidence;
use std::collections::BTreeMap;
use std::fmt::Write;

pub struct Comment<'a> {
    /// The principal, as the summary shows it.
    pub principal: &'a str,
    pub window: &'a str,
    /// The proposal, one document per part.
    pub proposed: &'a [PolicyDocument],
    /// Present with `--current`.
    pub review: Option<&'a Review>,
    /// Evidence per used action.
    pub evidence: &'a BTreeMap<&'a str, Evidence>,
    /// Why the run is incomplete; empty when it is complete.
    pub incomplete: &'a [String],
    /// Warnings to show (size limits, wildcards), as `code subject: detail`.
    pub warnings: &'a [String],
}

pub fn render(c: &Comment) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## policygen: {}\n", text(c.principal));
    if !c.incomplete.is_empty() {
        out.push_str("> [!WARNING]\n> **Incomplete run**: the proposal may not allow everything the principal did");
        out.push_str(if c.review.is_some() {
            ", and every removal is withheld.\n"
        } else {
            ".\n"
        });
        for why in c.incomplete {
            let _ = writeln!(out, "> - {}", text(why));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "Window `{}`.\n", code(c.window));
    match c.review {
        Some(review) => reviewed(&mut out, c, review),
        None => proposal_only(&mut out, c),
    }
    if !c.warnings.is_empty() {
        out.push_str("\n### Warnings\n\n");
        for warning in c.warnings {
            let _ = writeln!(out, "- {}", text(warning));
        }
    }
    out
}

fn proposal_only(out: &mut String, c: &Comment) {
    let statements: usize = c.proposed.iter().map(|d| d.statements.len()).sum();
    let _ = writeln!(
        out,
        "| | |\n|---|---:|\n| actions | {} |\n| statements | {statements} |\n| policies | {} |",
        c.evidence.len(),
        c.proposed.len()
    );
    out.push_str("\n### Evidence\n\n");
    evidence_table(out, c, c.evidence.keys().copied());
    out.push_str("\n<details><summary>Proposed policy</summary>\n\n");
    for doc in c.proposed {
        let _ = write!(out, "```json\n{}```\n\n", doc.to_json());
    }
    out.push_str("</details>\n");
}

fn reviewed(out: &mut String, c: &Comment, review: &Review) {
    let d = &review.diff;
    let _ = writeln!(
        out,
        "| | actions |\n|---|---:|\n| added | {} |\n| removed (unused in the window) | {} |\n| kept | {} |\n| not logged by CloudTrail (kept) | {} |\n| statements with conditions (not evaluated, kept) | {} |",
        d.summary.added, d.summary.removed, d.summary.kept, d.summary.not_logged, d.summary.not_evaluated
    );
    if d.equal {
        out.push_str("\n**The current policy already grants exactly this.**\n");
    }
    if let Some(why) = &d.removals_withheld {
        let _ = writeln!(out, "\n**Removals withheld**: {}.", text(why));
    }
    let wildcards: Vec<_> = d.wildcards.iter().filter(|w| w.unused > 0).collect();
    if !wildcards.is_empty() {
        let heading = if d.removals_withheld.is_some() {
            "Unused in the window (removal withheld)"
        } else {
            "Removed: granted, unused in the window"
        };
        let _ = writeln!(out, "\n### {heading}\n");
        out.push_str(
            "| statement | grants | expands to | used | unused |\n|---|---|---:|---:|---:|\n",
        );
        for w in wildcards {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} | {} |",
                code(&w.statement),
                code(&w.pattern),
                w.expands_to,
                w.used,
                w.unused
            );
        }
    }
    if !d.added.is_empty() {
        out.push_str("\n### Added: used, not granted today\n\n| action | resources |\n|---|---|\n");
        for (action, added) in &d.added {
            let resources: Vec<String> = added
                .resources
                .iter()
                .map(|r| format!("`{}`", code(r)))
                .collect();
            let _ = writeln!(out, "| `{}` | {} |", code(action), resources.join("<br>"));
        }
        let with_evidence: Vec<&str> = d
            .added
            .keys()
            .map(String::as_str)
            .filter(|a| c.evidence.contains_key(a))
            .collect();
        if !with_evidence.is_empty() {
            out.push_str("\n#### Evidence for the added actions\n\n");
            evidence_table(out, c, with_evidence.into_iter());
        }
    }
    if !d.denies.is_empty() || !d.not_evaluated.is_empty() || !d.not_logged.is_empty() {
        out.push_str("\n### Carried over unchanged\n\n");
        for deny in &d.denies {
            let blocked: Vec<String> = deny
                .blocked
                .iter()
                .map(|a| format!("`{}`", code(a)))
                .collect();
            let _ = writeln!(
                out,
                "- explicit Deny `{}`: {} action pattern(s){}",
                code(&deny.statement),
                deny.actions.len(),
                if blocked.is_empty() {
                    String::new()
                } else {
                    format!("; blocked {} in the window", blocked.join(", "))
                }
            );
        }
        for n in &d.not_evaluated {
            let keys: Vec<String> = n
                .condition_keys
                .iter()
                .map(|k| format!("`{}`", code(k)))
                .collect();
            let _ = writeln!(
                out,
                "- `{}` has conditions policygen cannot evaluate ({}): {} action(s), neither counted as used nor as unused",
                code(&n.statement),
                keys.join(", "),
                n.actions
            );
        }
        if !d.not_logged.is_empty() {
            let _ = writeln!(
                out,
                "- {} granted action(s) CloudTrail could not show in use (see Coverage)",
                d.not_logged.len()
            );
        }
    }
    if !d.denied_attempts.is_empty() {
        out.push_str("\n### Denied attempts in the window\n\n| action | error | count | verdict |\n|---|---|---:|---|\n");
        for a in &d.denied_attempts {
            let _ = writeln!(
                out,
                "| `{}` | `{}` | {} | {} |",
                code(&a.action),
                code(&a.error_code),
                a.count,
                text(&a.verdict)
            );
        }
    }
    let cov = &d.coverage;
    out.push_str("\n### Coverage\n\n");
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
            cov.days_without_logs.join(", ")
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
        let _ = writeln!(out, "- not in the IAM catalogue: {}", unknown.join(", "));
    }
    if !review.text.is_empty() {
        let _ = write!(
            out,
            "\n<details><summary>Policy diff (current → proposed, canonical form)</summary>\n\n```diff\n{}```\n\n</details>\n",
            review.text
        );
    }
}

fn evidence_table<'a>(out: &mut String, c: &Comment, actions: impl Iterator<Item = &'a str>) {
    out.push_str("| action | events | first seen | last seen | sample eventID | map entry |\n|---|---:|---|---|---|---|\n");
    for action in actions {
        let Some(e) = c.evidence.get(action) else {
            continue;
        };
        let entries: Vec<String> = e
            .entries
            .iter()
            .map(|x| format!("`{}`", code(&x.to_string())))
            .collect();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | `{}` | {} |",
            code(action),
            e.count,
            e.first_seen,
            e.last_seen,
            code(&e.sample_event_id),
            entries.join("<br>")
        );
    }
}

/// Inside a code span in a table: no backticks, no cell breaks.
fn code(s: &str) -> String {
    s.replace('`', "'").replace('|', "\\|")
}

/// Plain text in a table or list: cell breaks escaped, backtick spans kept.
fn text(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
