//! The structure of a resource name, shared by the usage set (its crowds) and the emitter (per-run names):
//! an ARN's head (`arn:aws:logs:us-east-1:111122223333:`), its resource part split into components (at `/`,
//! and at `:` except inside S3 object keys), and inside a component the per-run identifiers
//! ([`identifiers`]). Pure functions of one name; `emitter/group/` decides which identifiers become `*`.

mod identifiers;
#[cfg(test)]
mod tests;

use crate::arn::Arn;
pub use identifiers::{has_word, identifiers, IdKind, Span};

/// One character of a resource as IAM reads it: a literal, or a wildcard (`*`, `?`). `${*}`, `${?}` and
/// `${$}` are literal characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    Lit(char),
    Any,
    One,
}

impl Item {
    fn char(self) -> Option<char> {
        match self {
            Item::Lit(c) => Some(c),
            _ => None,
        }
    }

    /// Part of a token: a letter or digit.
    fn word(self) -> bool {
        self.char().is_some_and(char::is_alphanumeric)
    }
}

/// The items of a resource as policygen writes it (IAM escapes read as literals).
pub fn items(text: &str) -> Vec<Item> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(escape) = ["${*}", "${?}", "${$}"]
            .iter()
            .find(|e| rest.starts_with(**e))
        {
            out.push(Item::Lit(escape.as_bytes()[2] as char));
            rest = &rest[escape.len()..];
            continue;
        }
        out.push(match c {
            '*' => Item::Any,
            '?' => Item::One,
            c => Item::Lit(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Writes items back, escaping literal `*`, `?` and `$` so that IAM reads them literally.
pub fn render(items: &[Item]) -> String {
    let mut out = String::with_capacity(items.len());
    for item in items {
        match item {
            Item::Lit('*') => out.push_str("${*}"),
            Item::Lit('?') => out.push_str("${?}"),
            Item::Lit('$') => out.push_str("${$}"),
            Item::Lit(c) => out.push(*c),
            Item::Any => out.push('*'),
            Item::One => out.push('?'),
        }
    }
    out
}

/// A resource split into its ARN head and resource part. Anything that is not an ARN (`*`) has no
/// resource part and is never generalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// `arn:partition:service:region:account:`, as written.
    pub head: String,
    pub resource: Vec<Item>,
    /// S3 buckets and objects: `:` is an ordinary character of an object key, not a separator.
    pub s3: bool,
}

impl Name {
    pub fn parse(text: &str) -> Name {
        match Arn::parse(text) {
            Some(arn) => Name {
                head: arn.head().to_string(),
                resource: items(arn.resource()),
                s3: keys_hold_colons(&arn),
            },
            None => Name {
                head: text.to_string(),
                resource: Vec::new(),
                s3: false,
            },
        }
    }

    pub fn render(&self) -> String {
        format!("{}{}", self.head, render(&self.resource))
    }

    /// Whether an item at `i` separates components.
    pub fn separates(&self, item: Item) -> bool {
        item == Item::Lit('/') || (!self.s3 && item == Item::Lit(':'))
    }

    /// The components of the resource part: `(start, end)` item ranges between separators.
    pub fn components(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, item) in self.resource.iter().enumerate() {
            if self.separates(*item) {
                out.push((start, i));
                start = i + 1;
            }
        }
        out.push((start, self.resource.len()));
        out
    }

    /// The container the resource belongs to ([`container`]).
    pub fn container(&self) -> String {
        let first = self.components()[0];
        format!("{}{}", self.head, render(&self.resource[..first.1]))
    }
}

/// The container a resource belongs to, where `--max-resources` and the usage set's crowds count: the
/// ARN's head and the first component of its resource part (an S3 bucket; a resource type such as
/// `log-group`, `table`, `instance`). Empty for what is not an ARN.
pub fn container(resource: &str) -> &str {
    let Some(arn) = Arn::parse(resource) else {
        return "";
    };
    let s3 = keys_hold_colons(&arn);
    let rest = arn.resource();
    let end = rest
        .find(|c| c == '/' || (!s3 && c == ':'))
        .unwrap_or(rest.len());
    &resource[..arn.head().len() + end]
}

/// S3 buckets and objects (`arn:aws:s3:::bucket/key`): `:` is an ordinary character of an object key.
fn keys_hold_colons(arn: &Arn) -> bool {
    arn.service() == "s3" && arn.region().is_empty() && arn.account().is_empty()
}

/// The resource with each span replaced by `*`. A date or timestamp keeps its separators (`2026/11/21` and
/// `2026-11-21` become `*/*/*` and `*-*-*`, so `orders-db-*-*-*` still denies `orders-db-final`), an AWS
/// resource ID its prefix (`snap-*`), anything else is one `*` per component it touches.
pub fn generalise(name: &Name, spans: &[Span]) -> Vec<Item> {
    let mut out = Vec::with_capacity(name.resource.len());
    let mut i = 0;
    for span in spans {
        out.extend_from_slice(&name.resource[i..span.start]);
        let items = &name.resource[span.start..span.end];
        let keep = match span.kind {
            IdKind::AwsId => items
                .iter()
                .rposition(|item| *item == Item::Lit('-'))
                .map_or(0, |dash| dash + 1),
            // The Region and what follows it: `us-east-1_*`, `us-east-1:*`.
            IdKind::RegionalId => items
                .iter()
                .position(|item| matches!(item, Item::Lit('_' | ':')))
                .map_or(0, |separator| separator + 1),
            _ => 0,
        };
        out.extend_from_slice(&items[..keep]);
        let mut open = false;
        for item in &items[keep..] {
            let separator = match span.kind {
                IdKind::Date | IdKind::Timestamp => !item.word(),
                _ => name.separates(*item),
            };
            if separator {
                out.push(*item);
                open = false;
            } else if !open {
                out.push(Item::Any);
                open = true;
            }
        }
        i = span.end;
    }
    out.extend_from_slice(&name.resource[i..]);
    out.dedup_by(|a, b| *a == Item::Any && *b == Item::Any);
    out
}

/// How the usage set keeps a crowd (`usage.rs`): level 1 generalises every identifier recognised by its
/// shape whatever the evidence, level 2 also every other token with a digit ([`IdKind::Varying`]), and each
/// further level also turns one more trailing component into `*`, never the first one (the container).
/// Nested: reducing at one level and then at a higher one is reducing at the higher one, so the result does
/// not depend on when a crowd formed.
pub fn reduce(resource: &str, level: usize) -> String {
    let name = Name::parse(resource);
    if level == 0 || name.resource.is_empty() {
        return resource.to_string();
    }
    let mut spans = identifiers(&name.resource, &[]);
    if level < 2 {
        spans.retain(|s| s.kind != IdKind::Varying);
    }
    let general = Name {
        resource: generalise(&name, &spans),
        ..name
    };
    let components = general.components();
    let keep = components
        .len()
        .saturating_sub(level.saturating_sub(2))
        .max(1);
    let mut items = general.resource[..components[keep - 1].1].to_vec();
    for &(start, _) in &components[keep..] {
        items.push(general.resource[start - 1]);
        items.push(Item::Any);
    }
    format!("{}{}", general.head, render(&items))
}
