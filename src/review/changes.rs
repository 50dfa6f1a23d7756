//! The statement diff: current statements paired with the proposed statements made from them, by what they
//! grant (not by position or Sid), each pair diffed on its own; new and removed statements shown whole.

use super::text::canonical;
use crate::glob::wildcard_match;
use crate::policy::{PolicyDocument, Statement};
use serde::Serialize;
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// A current statement and the proposed statements that grant what it granted and was used.
    Changed,
    /// A current statement nothing of which is proposed.
    Removed,
    /// A proposed statement no current statement grants any of.
    Added,
    /// The same statement on both sides.
    Unchanged,
}

/// One group of the statement diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementChange {
    pub kind: ChangeKind,
    /// `policy#Sid` labels of the current side (one statement, or none).
    pub current: Vec<String>,
    /// Sids (or `#N` in the proposal) of the proposed side.
    pub proposed: Vec<String>,
    /// The group's lines: ` ` context, `-` current only, `+` proposed only (empty when unchanged).
    pub diff: String,
}

/// A current statement with its label.
pub struct Labelled<'a> {
    pub label: String,
    pub statement: &'a Statement,
}

/// How much of `proposed` `current` grants: the (action, resource) pairs of the proposed statement that the
/// current one covers, the same Sid counting above all.
fn weight(current: &Statement, proposed: &Statement) -> usize {
    if current.effect != proposed.effect {
        return 0;
    }
    let same_sid = current.sid.is_some() && current.sid == proposed.sid;
    let actions = proposed.action.as_ref().map(|l| l.items()).unwrap_or(&[]);
    let resources = proposed
        .resource
        .as_ref()
        .or(proposed.not_resource.as_ref())
        .map(|l| l.items())
        .unwrap_or(&[]);
    let covered = actions
        .iter()
        .flat_map(|a| resources.iter().map(move |r| (a, r)))
        .filter(|(a, r)| covers_pattern(current, a, r))
        .count();
    covered + if same_sid { 1_000_000 } else { 0 }
}

/// `Statement::covers` for a proposed action and resource that may themselves hold `*`: a current pattern
/// covers them when it matches them as text.
fn covers_pattern(current: &Statement, action: &str, resource: &str) -> bool {
    let action_ok = match (&current.action, &current.not_action) {
        (Some(list), _) => list
            .items()
            .iter()
            .any(|p| wildcard_match(p, action, false)),
        (None, Some(list)) => !list
            .items()
            .iter()
            .any(|p| wildcard_match(p, action, false)),
        (None, None) => false,
    };
    let resource_ok = match (&current.resource, &current.not_resource) {
        (Some(list), _) => list
            .items()
            .iter()
            .any(|p| wildcard_match(p, resource, true)),
        (None, Some(list)) => !list
            .items()
            .iter()
            .any(|p| wildcard_match(p, resource, true)),
        (None, None) => false,
    };
    action_ok && resource_ok
}

fn one(statement: &Statement) -> Statement {
    canonical(&PolicyDocument {
        version: String::new(),
        statements: vec![statement.clone()],
    })
    .statements
    .remove(0)
}

fn name(statement: &Statement, index: usize) -> String {
    statement
        .sid
        .clone()
        .unwrap_or_else(|| format!("#{}", index + 1))
}

/// Pretty JSON of statements, one after another, in canonical form.
fn lines(statements: &[Statement]) -> String {
    let mut out = String::new();
    for s in statements {
        let _ = writeln!(out, "{}", crate::policy::pretty_json(s).trim_end());
    }
    out
}

fn diff(before: &str, after: &str) -> String {
    let mut out = String::new();
    for change in similar::TextDiff::from_lines(before, after).iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        let _ = write!(out, "{sign}{}", change.value());
        if change.missing_newline() {
            out.push('\n');
        }
    }
    out
}

/// Pairs each proposed statement with the current statement that grants most of it; a proposed statement
/// equal to a current one is that statement unchanged.
pub fn changes(current: &[Labelled], proposed: &PolicyDocument) -> Vec<StatementChange> {
    let canon_current: Vec<Statement> = current.iter().map(|c| one(c.statement)).collect();
    let canon_proposed: Vec<Statement> = proposed.statements.iter().map(one).collect();
    // Which current statement each proposed one belongs to, and whether it is the same statement.
    let mut owner: Vec<Option<usize>> = vec![None; canon_proposed.len()];
    let mut weights = vec![0; canon_proposed.len()];
    let mut unchanged = vec![false; canon_current.len()];
    for (p, statement) in canon_proposed.iter().enumerate() {
        if let Some(c) =
            (0..canon_current.len()).find(|&c| !unchanged[c] && canon_current[c] == *statement)
        {
            unchanged[c] = true;
            owner[p] = Some(c);
        }
    }
    for (p, statement) in canon_proposed.iter().enumerate() {
        if owner[p].is_some() {
            continue;
        }
        let best = (0..canon_current.len())
            .filter(|&c| !unchanged[c])
            .map(|c| (weight(&canon_current[c], statement), c))
            .filter(|(w, _)| *w > 0)
            .max_by_key(|(w, c)| (*w, std::cmp::Reverse(*c)));
        owner[p] = best.map(|(_, c)| c);
        weights[p] = best.map_or(0, |(w, _)| w);
    }
    let mut out = Vec::new();
    for (c, labelled) in current.iter().enumerate() {
        // The statement made most from this one first: the one diffed against it; the others are new.
        let mut mine: Vec<usize> = (0..owner.len()).filter(|&p| owner[p] == Some(c)).collect();
        mine.sort_by_key(|&p| std::cmp::Reverse(weights[p]));
        let before = lines(std::slice::from_ref(&canon_current[c]));
        let (kind, text) = match mine.split_first() {
            _ if unchanged[c] => (ChangeKind::Unchanged, String::new()),
            None => (ChangeKind::Removed, diff(&before, "")),
            Some((&partner, others)) => {
                let mut text = diff(&before, &lines(&[canon_proposed[partner].clone()]));
                let others: Vec<Statement> =
                    others.iter().map(|&p| canon_proposed[p].clone()).collect();
                text.push_str(&diff("", &lines(&others)));
                (ChangeKind::Changed, text)
            }
        };
        out.push(StatementChange {
            kind,
            current: vec![labelled.label.clone()],
            proposed: mine
                .iter()
                .map(|&p| name(&proposed.statements[p], p))
                .collect(),
            diff: text,
        });
    }
    for (p, statement) in canon_proposed.iter().enumerate() {
        if owner[p].is_none() {
            out.push(StatementChange {
                kind: ChangeKind::Added,
                current: Vec::new(),
                proposed: vec![name(&proposed.statements[p], p)],
                diff: diff("", &lines(std::slice::from_ref(statement))),
            });
        }
    }
    out
}

/// The groups that change something, as one text: a `## current → proposed` line before each group.
pub fn text(changes: &[StatementChange]) -> String {
    let mut out = String::new();
    for change in changes.iter().filter(|c| c.kind != ChangeKind::Unchanged) {
        let _ = writeln!(
            out,
            "## {} → {}",
            or_none(&change.current),
            or_none(&change.proposed)
        );
        out.push_str(&change.diff);
    }
    out
}

fn or_none(names: &[String]) -> String {
    if names.is_empty() {
        "(none)".to_string()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> PolicyDocument {
        serde_json::from_str(text).expect("valid policy")
    }

    #[test]
    fn pairs_by_what_is_granted_not_by_position() {
        let current = doc(
            r#"{"Statement":[{"Sid":"Artifacts","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"},
               {"Sid":"Pass","Effect":"Allow","Action":"iam:PassRole","Resource":"*"},
               {"Sid":"Old","Effect":"Allow","Action":"sqs:*","Resource":"*"},
               {"Sid":"NoIam","Effect":"Deny","Action":"iam:CreateRole","Resource":"*"}]}"#,
        );
        let proposed = doc(
            r#"{"Statement":[{"Sid":"Iam1","Effect":"Allow","Action":["iam:PassRole"],"Resource":["arn:aws:iam::1:role/a"]},
               {"Sid":"S31","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/x"]},
               {"Sid":"Sts1","Effect":"Allow","Action":["sts:GetCallerIdentity"],"Resource":["*"]},
               {"Sid":"NoIam","Effect":"Deny","Action":"iam:CreateRole","Resource":"*"}]}"#,
        );
        let labelled: Vec<Labelled> = current
            .statements
            .iter()
            .map(|s| Labelled {
                label: format!("p#{}", s.sid.clone().unwrap_or_default()),
                statement: s,
            })
            .collect();
        let groups = changes(&labelled, &proposed);
        let kinds: Vec<(ChangeKind, Vec<String>)> = groups
            .iter()
            .map(|g| (g.kind, g.proposed.clone()))
            .collect();
        assert_eq!(
            kinds,
            [
                (ChangeKind::Changed, vec!["S31".to_string()]),
                (ChangeKind::Changed, vec!["Iam1".to_string()]),
                (ChangeKind::Removed, vec![]),
                (ChangeKind::Unchanged, vec!["NoIam".to_string()]),
                (ChangeKind::Added, vec!["Sts1".to_string()]),
            ]
        );
        assert!(
            groups[0].diff.contains("-    \"s3:*\""),
            "{}",
            groups[0].diff
        );
        assert!(groups[0].diff.contains("+    \"s3:GetObject\""));
        assert!(groups[2].diff.lines().all(|l| l.starts_with('-')));
        assert!(groups[4].diff.lines().all(|l| l.starts_with('+')));
        assert!(!text(&groups).contains("NoIam"));
    }
}
