//! The structure of a resource name: an ARN's head (`arn:aws:logs:us-east-1:111122223333:`), its resource
//! part split into components (at `/`, and at `:` except inside S3 object keys), and inside a component the
//! tokens (runs of letters and digits) and the per-run identifiers they form: dates and timestamps, UUIDs,
//! AWS resource IDs, hex IDs and commit SHAs, build and run numbers, opaque random IDs, and parts of the
//! session name. Pure functions of one name; `group.rs` decides which identifiers become `*`.

use std::fmt;

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
        let head_end = text
            .starts_with("arn:")
            .then(|| text.match_indices(':').nth(4).map(|(i, _)| i + 1))
            .flatten();
        match head_end {
            Some(end) => Name {
                head: text[..end].to_string(),
                resource: items(&text[end..]),
                s3: text.split(':').nth(2) == Some("s3") && text[..end].ends_with(":::"),
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
    if !resource.starts_with("arn:") {
        return "";
    }
    let Some((head_end, _)) = resource.match_indices(':').nth(4) else {
        return "";
    };
    let head = &resource[..=head_end];
    let s3 =
        head.starts_with("arn:") && head.ends_with(":::") && head.split(':').nth(2) == Some("s3");
    let rest = &resource[head_end + 1..];
    let end = rest
        .find(|c| c == '/' || (!s3 && c == ':'))
        .unwrap_or(rest.len());
    &resource[..head_end + 1 + end]
}

/// What kind of per-run identifier a span is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdKind {
    /// `2026-11-21`, `2026/11/21`, `20261121`, `2026_11`, `dt=2026-11-21`, `month=11`.
    Date,
    /// `2026-11-21T10:00:00Z`, `20261121T1000Z`, `2026/11/21/10`.
    Timestamp,
    /// `8-4-4-4-12` hex.
    Uuid,
    /// An EC2-style resource ID: `i-…`, `snap-…`, `vol-…`, `ami-…`, `sg-…`, `key-…`.
    AwsId,
    /// Hex of 7 or more characters with letters and digits: a commit SHA, a task or container ID, a hash.
    Hex,
    /// A build, run, task or version number.
    Number,
    /// A long random token of mixed letters and digits.
    Opaque,
    /// A part of the session name that carries a digit (`4411` of the session `gh-run-4411`).
    Session,
    /// Any other token with letters and digits (`x7kqp`, `x7Kp2Qa`, `run42`, `python311`): per-run only
    /// when the evidence shows many values coming and going at one place.
    Varying,
}

impl IdKind {
    /// Dates, hashes and session parts change from one run or period to the next by nature: they are
    /// generalised whatever the evidence. The others are kept exact when the evidence shows one long-lived
    /// resource (`group.rs`).
    pub fn always(self) -> bool {
        matches!(
            self,
            IdKind::Date | IdKind::Timestamp | IdKind::Hex | IdKind::Session
        )
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdKind::Date => "date",
            IdKind::Timestamp => "timestamp",
            IdKind::Uuid => "UUID",
            IdKind::AwsId => "AWS resource ID",
            IdKind::Hex => "hex ID",
            IdKind::Number => "number",
            IdKind::Opaque => "random ID",
            IdKind::Session => "session name part",
            IdKind::Varying => "varying token",
        })
    }
}

/// An identifier: items `start..end` of a resource part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub kind: IdKind,
}

/// EC2 (and EFS, Organizations) ID prefixes: `prefix-` then 8 or 17 hex digits.
const AWS_ID_PREFIXES: &[&str] = &[
    "tgw-attach",
    "tgw-rtb",
    "import-ami",
    "import-snap",
    "export-ami",
    "export-i",
    "eipalloc",
    "eipassoc",
    "subnet",
    "fleet",
    "snap",
    "fsap",
    "vpce",
    "dopt",
    "eigw",
    "ami",
    "aki",
    "ari",
    "vol",
    "eni",
    "igw",
    "nat",
    "rtb",
    "acl",
    "pcx",
    "tgw",
    "vgw",
    "cgw",
    "vpn",
    "vpc",
    "key",
    "sir",
    "sfr",
    "sg",
    "lt",
    "fs",
    "pl",
    "i",
    "r",
    "h",
];

/// Hive-style partition keys whose value is a date part (`month=11`).
const DATE_KEYS: &[&str] = &[
    "year", "month", "week", "day", "hour", "minute", "dt", "date", "ds", "y", "m", "w", "d", "h",
];

/// AWS Region names (`us-east-1`, `us-gov-west-1`): their digit is not a number to generalise.
const REGION_AREAS: &[&str] = &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn"];
const REGION_DIRECTIONS: &[&str] = &[
    "north",
    "south",
    "east",
    "west",
    "central",
    "northeast",
    "southeast",
    "northwest",
    "southwest",
];

struct Scan<'a> {
    items: &'a [Item],
}

impl Scan<'_> {
    fn char(&self, i: usize) -> Option<char> {
        self.items.get(i).and_then(|item| item.char())
    }

    fn digits(&self, i: usize, n: usize) -> Option<u32> {
        let mut value = 0u32;
        for k in 0..n {
            value = value * 10 + self.char(i + k)?.to_digit(10)?;
        }
        Some(value)
    }

    /// The end of the token starting at `i`.
    fn token_end(&self, i: usize) -> usize {
        let mut end = i;
        while self.items.get(end).is_some_and(|item| item.word()) {
            end += 1;
        }
        end
    }

    /// Whether a token may end at `i`: the item there is not a letter or digit.
    fn boundary(&self, i: usize) -> bool {
        !self.items.get(i).is_some_and(|item| item.word())
    }

    /// Whether items `start..end` spell `word` (ASCII case-insensitively when `fold`).
    fn is(&self, start: usize, end: usize, word: &str, fold: bool) -> bool {
        end >= start
            && end - start == word.len()
            && word.chars().enumerate().all(|(k, w)| {
                self.char(start + k)
                    .is_some_and(|c| c == w || (fold && c.eq_ignore_ascii_case(&w)))
            })
    }

    fn year(&self, i: usize) -> bool {
        self.digits(i, 4)
            .is_some_and(|y| (1970..=2099).contains(&y))
    }

    fn month(&self, i: usize) -> bool {
        self.digits(i, 2).is_some_and(|m| (1..=12).contains(&m))
    }

    fn day(&self, i: usize) -> bool {
        self.digits(i, 2).is_some_and(|d| (1..=31).contains(&d))
    }

    fn hour(&self, i: usize) -> bool {
        self.digits(i, 2).is_some_and(|h| h <= 23)
    }

    fn sixty(&self, i: usize) -> bool {
        self.digits(i, 2).is_some_and(|m| m <= 59)
    }

    /// The time of day after a date: `hh[:mm[:ss[.fff]]][Z|±hh:mm]` with `:`, `-`, `_`, `.` or nothing
    /// between the parts. Returns the candidate ends, shortest first.
    fn time(&self, i: usize, ends: &mut Vec<usize>) {
        if !self.hour(i) {
            return;
        }
        let mut at = i + 2;
        for _ in 0..2 {
            let next = match self.char(at) {
                Some(':' | '-' | '_' | '.') if self.sixty(at + 1) => at + 3,
                Some(c) if c.is_ascii_digit() && self.sixty(at) => at + 2,
                _ => break,
            };
            at = next;
            ends.push(at);
        }
        if ends.is_empty() {
            return;
        }
        if self.char(at) == Some('.') && self.char(at + 1).is_some_and(|c| c.is_ascii_digit()) {
            at += 1;
            while self.char(at).is_some_and(|c| c.is_ascii_digit()) {
                at += 1;
            }
            ends.push(at);
        }
        match self.char(at) {
            Some('Z') => ends.push(at + 1),
            Some('+' | '-') if self.hour(at + 1) => {
                let zone = if self.char(at + 3) == Some(':') {
                    at + 4
                } else {
                    at + 3
                };
                if self.sixty(zone) {
                    ends.push(zone + 2);
                }
            }
            _ => {}
        }
    }

    /// A date or timestamp starting at `i`.
    fn date(&self, i: usize) -> Option<(usize, IdKind)> {
        if !self.year(i) {
            return None;
        }
        // (end, kind) candidates; the longest one that ends a token wins.
        let mut found: Vec<(usize, IdKind)> = Vec::new();
        match self.char(i + 4) {
            Some(sep @ ('-' | '/' | '_' | '.')) if self.month(i + 5) => {
                found.push((i + 7, IdKind::Date));
                if self.char(i + 7) == Some(sep) && self.day(i + 8) {
                    found.push((i + 10, IdKind::Date));
                    let mut times = Vec::new();
                    match self.char(i + 10) {
                        Some('T' | 't' | ' ' | '_') => self.time(i + 11, &mut times),
                        // `2026/11/21/10`: an hourly partition, as Firehose writes it.
                        Some('/') if sep == '/' && self.hour(i + 11) => times.push(i + 13),
                        Some('-') => self.time(i + 11, &mut times),
                        _ => {}
                    }
                    found.extend(times.into_iter().map(|end| (end, IdKind::Timestamp)));
                }
            }
            // `202611`, `20261121`, `2026112110`, `20261121100000`, `20261121T1205Z`.
            Some(c) if c.is_ascii_digit() && self.month(i + 4) => {
                found.push((i + 6, IdKind::Date));
                if self.day(i + 6) {
                    found.push((i + 8, IdKind::Date));
                    let mut times = Vec::new();
                    match self.char(i + 8) {
                        Some('T' | 't') => self.time(i + 9, &mut times),
                        Some(c) if c.is_ascii_digit() => {
                            if self.hour(i + 8) {
                                times.push(i + 10);
                            }
                            self.time(i + 8, &mut times);
                        }
                        _ => {}
                    }
                    found.extend(times.into_iter().map(|end| (end, IdKind::Timestamp)));
                }
            }
            _ => {}
        }
        found.into_iter().rev().find(|(end, _)| self.boundary(*end))
    }

    fn uuid(&self, i: usize) -> Option<usize> {
        let mut at = i;
        for (n, len) in [8, 4, 4, 4, 12].into_iter().enumerate() {
            if n > 0 {
                if self.char(at) != Some('-') {
                    return None;
                }
                at += 1;
            }
            for k in 0..len {
                if !self.char(at + k).is_some_and(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
            }
            at += len;
        }
        self.boundary(at).then_some(at)
    }

    fn aws_id(&self, i: usize) -> Option<usize> {
        for prefix in AWS_ID_PREFIXES {
            let n = prefix.chars().count();
            let matches = prefix
                .chars()
                .enumerate()
                .all(|(k, c)| self.char(i + k) == Some(c));
            if !matches || self.char(i + n) != Some('-') {
                continue;
            }
            let start = i + n + 1;
            let mut end = start;
            while self.char(end).is_some_and(|c| c.is_ascii_hexdigit()) {
                end += 1;
            }
            let hex_lower = (start..end).all(|k| {
                self.char(k)
                    .is_some_and(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
            });
            if matches!(end - start, 8 | 17) && hex_lower && self.boundary(end) {
                return Some(end);
            }
        }
        None
    }

    /// `us-east-1`: stable, never a number to generalise.
    fn region(&self, i: usize) -> Option<usize> {
        let area_end = self.token_end(i);
        if !REGION_AREAS.iter().any(|a| self.is(i, area_end, a, false)) {
            return None;
        }
        let mut at = area_end;
        if self.char(at) != Some('-') {
            return None;
        }
        if self.is(at + 1, self.token_end(at + 1), "gov", false) {
            at = self.token_end(at + 1);
            if self.char(at) != Some('-') {
                return None;
            }
        }
        let direction_end = self.token_end(at + 1);
        if !REGION_DIRECTIONS
            .iter()
            .any(|d| self.is(at + 1, direction_end, d, false))
            || self.char(direction_end) != Some('-')
        {
            return None;
        }
        let digit_end = self.token_end(direction_end + 1);
        let digits = digit_end - (direction_end + 1);
        ((1..=2).contains(&digits)
            && (direction_end + 1..digit_end)
                .all(|k| self.char(k).is_some_and(|c| c.is_ascii_digit())))
        .then_some(digit_end)
    }

    /// A value after a Hive partition key (`month=11`, `dt=2026-11-21`).
    fn keyed(&self, i: usize) -> bool {
        if i < 2 || self.char(i - 1) != Some('=') {
            return false;
        }
        let mut start = i - 1;
        while start > 0 && self.items[start - 1].word() {
            start -= 1;
        }
        DATE_KEYS.iter().any(|k| self.is(start, i - 1, k, true))
    }

    /// The kind of a single token, by its shape.
    fn token(&self, start: usize, end: usize) -> Option<IdKind> {
        let chars = || (start..end).filter_map(|k| self.char(k));
        let len = end - start;
        let digits = chars().filter(char::is_ascii_digit).count();
        let upper = chars().filter(char::is_ascii_uppercase).count();
        let lower = chars().filter(char::is_ascii_lowercase).count();
        if digits + upper + lower != len || digits == 0 {
            return None;
        }
        if digits == len {
            // Account IDs name an owner, not a run.
            return (len != 12).then_some(IdKind::Number);
        }
        if len >= 7 && chars().all(|c| c.is_ascii_hexdigit()) {
            return Some(IdKind::Hex);
        }
        // `python311`, `node20`, `build42`, `macOS14`: a word and a version, not a random ID.
        let word_then_number = {
            let letters = chars().take_while(char::is_ascii_alphabetic).count();
            chars().skip(letters).all(|c| c.is_ascii_digit())
        };
        // Shorter mixed tokens (`x7Kp2Qa`, a Secrets Manager suffix) are left to the evidence (`Varying`).
        let random = (len >= 10 && upper > 0 && lower > 0)
            || (len >= 16 && (upper == 0 || lower == 0) && digits >= 2);
        Some(if random && !word_then_number {
            IdKind::Opaque
        } else {
            IdKind::Varying
        })
    }
}

/// Whether the items hold a word: a run of letters without a digit (`orders`, `batch` in `batch-*.json`), the
/// kind of name that stays exact unless the crowd rule merges it.
pub fn has_word(items: &[Item]) -> bool {
    let mut word = false;
    let mut run_has_digit = false;
    let mut in_run = false;
    for item in items.iter().chain(std::iter::once(&Item::Any)) {
        if item.word() {
            in_run = true;
            run_has_digit |= item.char().is_some_and(|c| c.is_ascii_digit());
        } else {
            word |= in_run && !run_has_digit;
            in_run = false;
            run_has_digit = false;
        }
    }
    word
}

/// The per-run identifiers of a resource part, in order, never overlapping, each a whole run of tokens.
/// `sessions` are the names of the sessions that used the resource: their parts with a digit are
/// identifiers wherever they appear.
pub fn identifiers(resource: &[Item], sessions: &[String]) -> Vec<Span> {
    let scan = Scan { items: resource };
    let session_parts: Vec<String> = sessions
        .iter()
        .flat_map(|s| {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|part| part.len() >= 3 && part.chars().any(|c| c.is_ascii_digit()))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < resource.len() {
        let starts_token = resource[i].word() && (i == 0 || !resource[i - 1].word());
        if !starts_token {
            i += 1;
            continue;
        }
        let token_end = scan.token_end(i);
        if let Some(end) = scan.region(i) {
            i = end;
            continue;
        }
        let found = scan
            .date(i)
            .or_else(|| scan.uuid(i).map(|end| (end, IdKind::Uuid)))
            .or_else(|| scan.aws_id(i).map(|end| (end, IdKind::AwsId)))
            .or_else(|| {
                session_parts
                    .iter()
                    .any(|part| scan.is(i, token_end, part, false))
                    .then_some((token_end, IdKind::Session))
            })
            .or_else(|| {
                let kind = scan.token(i, token_end)?;
                match kind {
                    IdKind::Number if scan.keyed(i) => Some((token_end, IdKind::Date)),
                    kind => Some((token_end, kind)),
                }
            });
        match found {
            Some((end, kind)) => {
                out.push(Span {
                    start: i,
                    end,
                    kind,
                });
                i = end;
            }
            None => i = token_end,
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(resource: &str) -> Vec<(String, IdKind)> {
        let name = Name::parse(resource);
        identifiers(&name.resource, &[])
            .into_iter()
            .map(|s| (render(&name.resource[s.start..s.end]), s.kind))
            .collect()
    }

    fn general(resource: &str) -> String {
        let name = Name::parse(resource);
        let mut spans = identifiers(&name.resource, &[]);
        spans.retain(|s| s.kind != IdKind::Varying);
        format!("{}{}", name.head, render(&generalise(&name, &spans)))
    }

    #[test]
    fn heads_and_components() {
        let name = Name::parse("arn:aws:logs:us-east-1:1:log-group:/ci/app:log-stream:gh-run-1");
        assert_eq!(name.head, "arn:aws:logs:us-east-1:1:");
        assert_eq!(name.components().len(), 6);
        assert_eq!(name.container(), "arn:aws:logs:us-east-1:1:log-group");
        assert_eq!(
            container("arn:aws:logs:us-east-1:1:log-group:/ci/app:log-stream:x"),
            name.container()
        );
        assert_eq!(container("arn:aws:s3:::b/k:x"), "arn:aws:s3:::b");
        assert_eq!(
            container("arn:aws:sqs:us-east-1:1:jobs"),
            "arn:aws:sqs:us-east-1:1:jobs"
        );
        assert_eq!(container("*"), "");
        let s3 = Name::parse("arn:aws:s3:::b/logs/2026-11-21T10:00:00Z.json");
        assert!(s3.s3);
        assert_eq!(s3.components().len(), 3);
        assert_eq!(s3.container(), "arn:aws:s3:::b");
        assert_eq!(Name::parse("*").resource, Vec::new());
        let escaped = "arn:aws:logs:r:1:log-group:g:log-stream:2026/11/21/[${$}LATEST]ab";
        assert_eq!(Name::parse(escaped).render(), escaped);
    }

    #[test]
    fn dates_and_timestamps() {
        for (text, kind) in [
            ("2026/11/21", IdKind::Date),
            ("2026-11-21", IdKind::Date),
            ("20261121", IdKind::Date),
            ("202611", IdKind::Date),
            ("2026112110", IdKind::Timestamp),
            ("2026_11", IdKind::Date),
            ("2026.11", IdKind::Date),
            ("2026-11-21T10:00:00Z", IdKind::Timestamp),
            ("2026-11-21T10:00:00.123+01:00", IdKind::Timestamp),
            ("20261121T1205Z", IdKind::Timestamp),
            ("2026/11/21/10", IdKind::Timestamp),
            ("2026-11-21-10-00-00", IdKind::Timestamp),
        ] {
            let arn = format!("arn:aws:s3:::b/x-{text}.json");
            assert_eq!(kinds(&arn), [(text.to_string(), kind)], "{text}");
        }
        assert_eq!(
            kinds("arn:aws:s3:::b/events/year=2026/month=11/day=21/x.json")
                .into_iter()
                .map(|(_, k)| k)
                .collect::<Vec<_>>(),
            [IdKind::Date, IdKind::Date, IdKind::Date]
        );
        assert_eq!(
            general("arn:aws:s3:::b/events/dt=2026-11-21/part-0.parquet"),
            "arn:aws:s3:::b/events/dt=*-*-*/part-*.parquet"
        );
        assert_eq!(
            general("arn:aws:dynamodb:us-east-1:1:table/metrics_2026_11"),
            "arn:aws:dynamodb:us-east-1:1:table/metrics_*_*"
        );
        // Not dates: a month 13, a year out of range, a date inside a longer token.
        assert!(kinds("arn:aws:s3:::b/2026-13-01x")
            .iter()
            .all(|(_, k)| *k != IdKind::Date));
        assert_eq!(
            kinds("arn:aws:s3:::b/v20261121a"),
            [("v20261121a".to_string(), IdKind::Varying)]
        );
    }

    #[test]
    fn ids_by_shape() {
        assert_eq!(
            kinds("arn:aws:kms:us-east-1:1:key/2b164095-6f02-424f-9f4e-2166ede18709"),
            [(
                "2b164095-6f02-424f-9f4e-2166ede18709".to_string(),
                IdKind::Uuid
            )]
        );
        for id in [
            "i-0123456789abcdef0",
            "snap-0a1b2c3d",
            "sg-0123abcd",
            "key-0123456789abcdef0",
            "ami-0abc1234def567890",
        ] {
            assert_eq!(
                kinds(&format!("arn:aws:ec2:us-east-1:1:x/{id}")),
                [(id.to_string(), IdKind::AwsId)],
                "{id}"
            );
        }
        assert_eq!(
            kinds("arn:aws:s3:::b/cfn/acme-api-3f2a9c1b7e4d.yaml"),
            [("3f2a9c1b7e4d".to_string(), IdKind::Hex)]
        );
        assert_eq!(
            kinds("arn:aws:logs:us-east-1:1:log-group:/ci/app:log-stream:gh-run-4411"),
            [("4411".to_string(), IdKind::Number)]
        );
        assert_eq!(
            kinds("arn:aws:s3:::b/upload/Vs9HM347tFmxAb0I.bin"),
            [("Vs9HM347tFmxAb0I".to_string(), IdKind::Opaque)]
        );
        assert_eq!(
            kinds("arn:aws:s3:::b/pipeline/SourceArti/x7Kp2Qa"),
            [("x7Kp2Qa".to_string(), IdKind::Varying)]
        );
        // Stable: words, environments, Region names, account IDs, hex-looking words. Words with digits are
        // only candidates (`Varying`), which the evidence decides.
        for stable in [
            "arn:aws:s3:::111122223333-orders-prod-us-east-1/deadbeef/cafe",
            "arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/acme-api",
            "arn:aws:ecr:us-east-1:1:repository/build-agent/app",
        ] {
            assert_eq!(kinds(stable), [], "{stable}");
        }
        assert!(kinds("arn:aws:s3:::b/python311/node20/macOS14/v2")
            .iter()
            .all(|(_, k)| *k == IdKind::Varying));
    }

    #[test]
    fn words() {
        assert!(has_word(&items("batch-*.json")));
        assert!(!has_word(&items("*-4411")));
        assert!(!has_word(&items("*")));
        assert!(has_word(&items("acme")));
    }

    #[test]
    fn session_parts() {
        let name = Name::parse("arn:aws:logs:r:1:log-group:g:log-stream:deploy-x7kqp");
        let spans = identifiers(&name.resource, &["deploy-x7kqp".to_string()]);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].kind, IdKind::Session);
        let alone = identifiers(&name.resource, &["alice".to_string()]);
        assert_eq!(
            alone.iter().map(|s| s.kind).collect::<Vec<_>>(),
            [IdKind::Varying]
        );
    }

    #[test]
    fn generalised_forms() {
        assert_eq!(
            general("arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:log-stream:2026/11/21/[${$}LATEST]0123456789abcdef0123456789abcdef"),
            "arn:aws:logs:us-east-1:1:log-group:/aws/lambda/f:log-stream:*/*/*/[${$}LATEST]*"
        );
        assert_eq!(
            general("arn:aws:s3:::b/builds/4411/bundle.zip"),
            "arn:aws:s3:::b/builds/*/bundle.zip"
        );
        assert_eq!(
            general("arn:aws:cloudformation:us-east-1:1:changeSet/gh-run-4411-a1b2c3d/6f02c0de-6f02-424f-9f4e-2166ede18709"),
            "arn:aws:cloudformation:us-east-1:1:changeSet/gh-run-*-*/*"
        );
        assert_eq!(general("*"), "*");
        assert_eq!(
            general("arn:aws:s3:::b/logs/2026-11-21T10:00:00Z.json"),
            "arn:aws:s3:::b/logs/*-*-*:*:*.json"
        );
        assert_eq!(
            general("arn:aws:ec2:us-east-1::snapshot/snap-0123456789abcdef0"),
            "arn:aws:ec2:us-east-1::snapshot/snap-*"
        );
        assert_eq!(
            general(
                "arn:aws:ec2:us-east-1:1:transit-gateway-attachment/tgw-attach-0123456789abcdef0"
            ),
            "arn:aws:ec2:us-east-1:1:transit-gateway-attachment/tgw-attach-*"
        );
    }

    #[test]
    fn crowd_levels_are_nested() {
        let arn = "arn:aws:s3:::b/reports/acme/2026/11/21/summary-4411-v2.pdf";
        assert_eq!(reduce(arn, 0), arn);
        assert_eq!(
            reduce(arn, 1),
            "arn:aws:s3:::b/reports/acme/*/*/*/summary-*-v2.pdf"
        );
        assert_eq!(
            reduce(arn, 2),
            "arn:aws:s3:::b/reports/acme/*/*/*/summary-*-*.pdf"
        );
        assert_eq!(reduce(arn, 3), "arn:aws:s3:::b/reports/acme/*/*/*/*");
        assert_eq!(reduce(arn, 7), "arn:aws:s3:::b/reports/*/*/*/*/*");
        assert_eq!(reduce(arn, 99), "arn:aws:s3:::b/*/*/*/*/*/*");
        assert_eq!(
            reduce("arn:aws:s3:::b/x/2026-11-21.json", 1),
            "arn:aws:s3:::b/x/*-*-*.json"
        );
        for (a, b) in [(1, 2), (1, 5), (2, 3), (3, 40)] {
            assert_eq!(reduce(&reduce(arn, a), b), reduce(arn, b));
        }
        assert_eq!(reduce("*", 3), "*");
    }

    #[test]
    fn generalising_is_idempotent() {
        for arn in [
            "arn:aws:s3:::b/a/2026/11/21/x-1-2.json",
            "arn:aws:ecs:us-east-1:1:task/c/0123456789abcdef0123456789abcdef",
        ] {
            let once = general(arn);
            assert_eq!(general(&once), once);
        }
    }
}
