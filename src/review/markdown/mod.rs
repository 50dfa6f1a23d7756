//! A pull-request comment. A one-line verdict first (what changes, whether it is safe to merge), then the
//! changes a reviewer must see (resource narrowing, the riskiest first; removals; additions), what is carried
//! over, the coverage, and, collapsed, the evidence per action, the statement diff and the copy-ready
//! proposed policy. [`fit`] folds the bulkiest parts so that the comment stays under GitHub's limit.

mod collapsed;
mod display;
mod sections;

use super::Review;
use crate::emitter::size::{size, SizeLimit};
use crate::policy::PolicyDocument;
use crate::usage::Evidence;
use display::{text, thousands};
use sections::Section;
use std::collections::BTreeMap;

/// GitHub rejects an issue or pull-request comment longer than this many characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;
/// What [`fit`] leaves free under the limit for what the CI step adds (its marker, a link to the run).
pub const COMMENT_RESERVE: usize = 1_536;

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
    /// The principal's successful calls in the window, every one of which the proposal allows.
    pub calls: u64,
    /// The IAM size limit the proposal is checked against.
    pub size_limit: SizeLimit,
}

/// The whole review.
pub fn render(c: &Comment) -> String {
    assemble(c, &sections::all(c), &[], None)
}

/// The review as a comment of at most `limit` characters: the bulkiest sections are folded, least needed
/// first, and a note says what was left out and where the whole review is (`full_review`, the `-o` file).
pub fn fit(c: &Comment, limit: usize, full_review: Option<&str>) -> String {
    let mut parts = sections::all(c);
    let whole = assemble(c, &parts, &[], full_review);
    if whole.chars().count() <= limit {
        return whole;
    }
    let total = whole.chars().count();
    let mut folded: Vec<&'static str> = Vec::new();
    for name in sections::FOLD_ORDER {
        let Some(section) = parts
            .iter_mut()
            .find(|s| s.name == *name && s.folded.is_some())
        else {
            continue;
        };
        if let Some(shorter) = section.folded.take() {
            section.full = shorter;
            folded.push(section.name);
        }
        let out = assemble(c, &parts, &folded_note(&folded, total), full_review);
        if out.chars().count() <= limit {
            return out;
        }
    }
    // Still too long (a table of thousands of rows): cut, and say so.
    let out = assemble(c, &parts, &folded_note(&folded, total), full_review);
    let marker = "\n\n**… cut here to fit the comment limit.**\n";
    let keep = limit.saturating_sub(marker.chars().count());
    out.chars().take(keep).collect::<String>() + marker
}

fn folded_note(folded: &[&str], total: usize) -> Vec<String> {
    vec![format!(
        "to fit GitHub's {}-character limit (the whole review is {}): {} {} folded",
        thousands(GITHUB_COMMENT_LIMIT),
        thousands(total),
        folded.join(", "),
        if folded.len() == 1 { "is" } else { "are" }
    )]
}

fn assemble(c: &Comment, parts: &[Section], notes: &[String], full_review: Option<&str>) -> String {
    let mut out = format!("## policygen: {}\n\n", text(c.principal));
    out.push_str(&sections::verdict(c));
    for note in notes {
        let whole = match full_review {
            Some(path) => format!(
                "the whole review is `{}`, written with `-o`",
                display::code(path)
            ),
            None => "`policygen … --format markdown -o FILE` writes the whole review".to_string(),
        };
        out.push_str(&format!(
            "\n> [!NOTE]\n> This comment is shortened {note}; {whole}.\n"
        ));
    }
    for part in parts {
        out.push_str(&part.full);
    }
    out
}

/// The proposal's size against its limit: `4,321 of the 6,144 characters of a managed policy`.
fn size_line(c: &Comment) -> String {
    let sizes: Vec<usize> = c.proposed.iter().map(size).collect();
    let limit = c.size_limit.chars();
    match sizes.as_slice() {
        [one] => format!(
            "{} of the {} characters of {}",
            thousands(*one),
            thousands(limit),
            c.size_limit.name_with_article()
        ),
        many => format!(
            "{} parts of at most {} characters ({}), {} in all",
            many.len(),
            thousands(limit),
            c.size_limit.name(),
            thousands(many.iter().sum())
        ),
    }
}
