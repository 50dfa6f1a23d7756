//! The sections of the comment, each with a shorter form for when the comment must fit GitHub's limit.

use super::collapsed::{coverage, evidence, proposed, statement_diff};
use super::display::{capped, code, count, counted, one_account, short_arn, text, thousands};
use super::{size_line, Comment};
use crate::review::Review;
use std::fmt::Write;

/// One part of the comment: its text, and a shorter text [`super::fit`] may put in its place.
pub struct Section {
    /// How the note about folding names it.
    pub name: &'static str,
    pub full: String,
    pub folded: Option<String>,
}

/// Which sections to fold first when the comment is too long: the least needed to decide first.
pub const FOLD_ORDER: &[&str] = &[
    "the statement diff",
    "the evidence",
    "the proposed policy",
    "the warnings",
    "the denied attempts",
    "what is carried over",
    "the removed grants",
    "the added actions",
    "the resource narrowing",
];

/// Table rows shown when a table is folded.
const FOLDED_ROWS: usize = 20;
/// Resources shown in one cell.
const CELL_ITEMS: usize = 6;

pub(super) fn fixed(full: String) -> Section {
    Section {
        name: "",
        full,
        folded: None,
    }
}

/// A table that folds to its first rows.
fn table(name: &'static str, intro: String, header: &str, rows: Vec<String>) -> Section {
    if rows.is_empty() {
        return fixed(String::new());
    }
    let render = |shown: &[String], more: usize| {
        let mut out = intro.clone();
        out.push_str(header);
        for row in shown {
            out.push_str(row);
            out.push('\n');
        }
        if more > 0 {
            let _ = writeln!(out, "\n… and {more} more rows in the whole review.");
        }
        out
    };
    Section {
        name,
        full: render(&rows, 0),
        folded: (rows.len() > FOLDED_ROWS)
            .then(|| render(&rows[..FOLDED_ROWS], rows.len() - FOLDED_ROWS)),
    }
}

/// A collapsed block that folds to one line.
pub(super) fn collapsed(
    name: &'static str,
    summary: String,
    body: String,
    folded_line: String,
) -> Section {
    Section {
        name,
        full: format!("\n<details><summary>{summary}</summary>\n\n{body}\n</details>\n"),
        folded: Some(format!("\n{folded_line}\n")),
    }
}

/// Statement labels without the policy name when there is one current policy; `policy#Sid` otherwise.
pub(super) struct Labels<'a> {
    policies: &'a [String],
}

impl Labels<'_> {
    pub(super) fn short(&self, label: &str) -> String {
        match self.policies {
            [one] => label
                .strip_prefix(one.as_str())
                .and_then(|rest| rest.strip_prefix('#'))
                .unwrap_or(label)
                .to_string(),
            _ => label.to_string(),
        }
    }

    /// A sentence of text with `policy#` prefixes removed.
    fn text(&self, sentence: &str) -> String {
        match self.policies {
            [one] => sentence.replace(&format!("`{one}#"), "`"),
            _ => sentence.to_string(),
        }
    }

    /// The line that names the one current policy, which rows then leave out.
    fn intro(&self) -> String {
        match self.policies {
            [one] => format!("Statements of `{}`.\n\n", code(one)),
            _ => String::new(),
        }
    }
}

pub fn verdict(c: &Comment) -> String {
    let incomplete = !c.incomplete.is_empty();
    let Some(review) = c.review else {
        let actions = count(c.evidence.len(), "action");
        let statements: usize = c.proposed.iter().map(|d| d.statements.len()).sum();
        return if incomplete {
            format!("❌ **Incomplete**: {actions} in {}, from incomplete input: the policy may not allow everything the principal did.\n", count(statements, "statement"))
        } else if c.evidence.is_empty() {
            "✅ **Nothing needed**: no call of the principal in the window needs a permission.\n"
                .to_string()
        } else {
            format!(
                "✅ **Complete**: {actions} in {}, {}; the policy allows every one of the {} calls the principal made in the window.\n",
                count(statements, "statement"),
                size_line(c),
                thousands(c.calls as usize)
            )
        };
    };
    let d = &review.diff;
    if d.equal && !incomplete {
        return "✅ **No change**: the current policy already grants exactly what the principal used in the window; input complete.\n".to_string();
    }
    let widened = d.narrowed.iter().filter(|n| n.widens).count();
    let mut what = vec![match (&d.removals_withheld, d.summary.narrowed) {
        (Some(_), _) => "narrows nothing (withheld)".to_string(),
        (None, 0) => "narrows no grant".to_string(),
        (None, n) => format!("narrows {}", count(n, "grant")),
    }];
    if widened > 0 {
        what.push(format!("widens {}", count(widened, "grant")));
    }
    what.push(match (&d.removals_withheld, d.summary.removed) {
        (Some(_), _) => "removes nothing (withheld)".to_string(),
        (None, 0) => "removes no action".to_string(),
        (None, n) => format!(
            "removes {} unused action{} in {}",
            thousands(n),
            if n == 1 { "" } else { "s" },
            count(d.summary.removed_services, "service")
        ),
    });
    what.push(match d.summary.added {
        0 => "adds none".to_string(),
        n => format!("adds {}", count(n, "action")),
    });
    // An incomplete run's reasons follow in a warning of their own.
    let (judgement, why) = if incomplete {
        ("❌ **Not safe to merge**", String::new())
    } else if widened > 0 {
        ("⚠️ **Review before merging**", format!("For {} the proposal reaches past what the current policy grants (marked **widens** below): check them first.", count(widened, "grant")))
    } else {
        ("✅ **Safe to merge**", format!("The proposal allows every one of the {} calls the principal made in the window `{}`. A job that did not run in the window loses what only it uses.", thousands(c.calls as usize), code(c.window)))
    };
    let why = if why.is_empty() {
        why
    } else {
        format!("\n{why}\n")
    };
    format!(
        "{judgement}: {}; input {}.\n{why}",
        what.join(", "),
        if incomplete { "INCOMPLETE" } else { "complete" }
    )
}

pub fn all(c: &Comment) -> Vec<Section> {
    let mut out = Vec::new();
    if !c.incomplete.is_empty() {
        let mut s = String::from("\n> [!WARNING]\n> **Incomplete run**: the proposal may not allow everything the principal did");
        s.push_str(if c.review.is_some() {
            ", and every removal is withheld.\n"
        } else {
            ".\n"
        });
        for why in c.incomplete {
            let _ = writeln!(s, "> - {}", text(why));
        }
        out.push(fixed(s));
    }
    match c.review {
        Some(review) => reviewed(c, review, &mut out),
        None => proposal_only(c, &mut out),
    }
    out.push(table(
        "the warnings",
        "\n### Warnings\n\n".to_string(),
        "",
        c.warnings
            .iter()
            .map(|w| format!("- {}", text(w)))
            .collect(),
    ));
    out
}

fn proposal_only(c: &Comment, out: &mut Vec<Section>) {
    let statements: usize = c.proposed.iter().map(|d| d.statements.len()).sum();
    out.push(fixed(format!(
        "\nWindow `{}`.\n\n| the proposal | how many |\n|---|---:|\n| actions | {} |\n| statements | {statements} |\n| policies | {} |\n",
        code(c.window),
        c.evidence.len(),
        c.proposed.len()
    )));
    out.push(evidence(c, None));
    out.push(proposed(c));
}

fn reviewed(c: &Comment, review: &Review, out: &mut Vec<Section>) {
    let d = &review.diff;
    let labels = Labels {
        policies: &d.current,
    };
    let mut s = format!(
        "\n| what changes | how many |\n|---|---:|\n| grants narrowed to fewer resources | {} |\n| actions removed (unused in the window) | {} |\n| actions added (used, not granted today) | {} |\n| actions kept | {} |\n| kept unchanged: not logged by CloudTrail | {} |\n| kept unchanged: statements with conditions | {} |\n",
        d.summary.narrowed,
        thousands(d.summary.removed),
        d.summary.added,
        d.summary.kept,
        d.summary.not_logged,
        d.summary.not_evaluated
    );
    if let Some(why) = &d.removals_withheld {
        let _ = writeln!(s, "\n**Removals withheld**: {}.", text(why));
    }
    out.push(fixed(s));
    out.push(narrowing(review, &labels));
    out.push(removed(review, &labels));
    out.push(added(c, review));
    out.push(carried(review, &labels));
    out.push(table(
        "the denied attempts",
        "\n### Denied attempts in the window\n\n".to_string(),
        "| action | error | count | verdict |\n|---|---|---:|---|\n",
        d.denied_attempts
            .iter()
            .map(|a| {
                format!(
                    "| `{}` | `{}` | {} | {} |",
                    code(&a.action),
                    code(&a.error_code),
                    a.count,
                    text(&labels.text(&a.verdict))
                )
            })
            .collect(),
    ));
    out.push(fixed(coverage(review)));
    out.push(evidence(c, Some(review)));
    out.push(statement_diff(review, &labels));
    out.push(proposed(c));
}

fn narrowing(review: &Review, labels: &Labels) -> Section {
    let rows = &review.diff.narrowed;
    let account = one_account(rows.iter().flat_map(|n| n.after.iter().chain(&n.before)));
    let mut intro = String::from(
        "\n### Resource narrowing: the used actions of each grant on fewer resources\n\n",
    );
    intro.push_str(&labels.intro());
    if let Some(account) = &account {
        let _ = write!(
            intro,
            "ARNs of account `{account}` are shown by their resource and region. "
        );
    }
    intro.push_str("The riskiest first.\n\n");
    let shown = |resources: &[String]| {
        capped(
            resources
                .iter()
                .map(|r| short_arn(r, account.as_deref()))
                .collect(),
            CELL_ITEMS,
            "<br>",
        )
    };
    let lines = rows
        .iter()
        .map(|n| {
            let statement = labels.short(&format!(
                "{}#{}",
                n.policy,
                n.statement.trim_start_matches('#')
            ));
            let flag = if n.risk.is_some() { "⚠️ " } else { "" };
            // The risk names its action; said once when the grant is that action.
            let risk = n
                .risk
                .as_ref()
                .map(|r| {
                    let own = format!("`{}` ", n.grants);
                    format!("<br>{}", text(r.strip_prefix(&own).unwrap_or(r)))
                })
                .unwrap_or_default();
            let before = if n.not_resource {
                format!("all but {}", shown(&n.before))
            } else {
                shown(&n.before)
            };
            let widens = if n.widens { "**widens**: " } else { "" };
            let only_star = if n.after.iter().any(|r| r == "*") {
                " (`*`: actions that take no resource)"
            } else {
                ""
            };
            format!(
                "| {flag}`{}`: `{}`{risk} | {before} | {widens}**{}**{only_star}<br>{} | {} of {}, last {} |",
                code(&statement),
                code(&n.grants),
                counted(&n.after),
                shown(&n.after),
                count(n.calls as usize, "call"),
                count(n.actions.len(), "action"),
                n.last_seen.get(..10).unwrap_or(&n.last_seen)
            )
        })
        .collect();
    table(
        "the resource narrowing",
        intro,
        "| grant | before | after | evidence |\n|---|---|---|---|\n",
        lines,
    )
}

fn removed(review: &Review, labels: &Labels) -> Section {
    let d = &review.diff;
    let heading = if d.removals_withheld.is_some() {
        "Unused in the window (removal withheld)"
    } else {
        "Removed: granted, unused in the window"
    };
    let rows = d
        .wildcards
        .iter()
        .filter(|w| w.unused > 0)
        .map(|w| {
            format!(
                "| `{}` | `{}` | {} | {} | {} |",
                code(&labels.short(&w.statement)),
                code(&w.pattern),
                thousands(w.expands_to),
                w.used,
                thousands(w.unused)
            )
        })
        .collect();
    table(
        "the removed grants",
        format!("\n### {heading}\n\n{}", labels.intro()),
        "| statement | grants | expands to | used | unused |\n|---|---|---:|---:|---:|\n",
        rows,
    )
}

fn added(c: &Comment, review: &Review) -> Section {
    let rows = review
        .diff
        .added
        .iter()
        .map(|(action, added)| {
            let resources: Vec<String> = added
                .resources
                .iter()
                .map(|r| format!("`{}`", code(r)))
                .collect();
            let evidence = c.evidence.get(action.as_str()).map_or(String::new(), |e| {
                format!("{}, last {}", count(e.count as usize, "call"), e.last_seen)
            });
            format!(
                "| `{}` | {} | {evidence} |",
                code(action),
                capped(resources, CELL_ITEMS, "<br>")
            )
        })
        .collect();
    table(
        "the added actions",
        "\n### Added: used, not granted today\n\n".to_string(),
        "| action | resources | evidence |\n|---|---|---|\n",
        rows,
    )
}

fn carried(review: &Review, labels: &Labels) -> Section {
    let d = &review.diff;
    let mut lines = Vec::new();
    for deny in &d.denies {
        let blocked: Vec<String> = deny
            .blocked
            .iter()
            .map(|a| format!("`{}`", code(a)))
            .collect();
        lines.push(format!(
            "- explicit Deny `{}`: {} action pattern(s){}",
            code(&labels.short(&deny.statement)),
            deny.actions.len(),
            if blocked.is_empty() {
                String::new()
            } else {
                format!("; blocked {} in the window", blocked.join(", "))
            }
        ));
    }
    for n in &d.not_evaluated {
        let keys: Vec<String> = n
            .condition_keys
            .iter()
            .map(|k| format!("`{}`", code(k)))
            .collect();
        lines.push(format!(
            "- `{}` has conditions policygen cannot evaluate ({}): {} action(s), neither counted as used nor as unused",
            code(&labels.short(&n.statement)),
            keys.join(", "),
            n.actions
        ));
    }
    if !d.not_logged.is_empty() {
        lines.push(format!(
            "- {} granted action(s) CloudTrail could not show in use (see Coverage)",
            d.not_logged.len()
        ));
    }
    table(
        "what is carried over",
        "\n### Carried over unchanged\n\n".to_string(),
        "",
        lines,
    )
}
