//! The per-run identifiers inside a resource part, found by their shape: dates and timestamps, UUIDs, AWS
//! resource IDs, hex IDs and commit SHAs, build and run numbers, opaque random IDs, and parts of the session
//! name. Tokens are runs of letters and digits.

use super::Item;
use std::fmt;

/// What kind of per-run identifier a span is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IdKind {
    /// `2026-11-21`, `2026/11/21`, `20261121`, `2026_11`, `dt=2026-11-21`, `month=11`.
    Date,
    /// `2026-11-21T10:00:00Z`, `20261121T1000Z`, `2026/11/21/10`.
    Timestamp,
    /// `8-4-4-4-12` hex.
    Uuid,
    /// An EC2-style resource ID: `i-…`, `snap-…`, `vol-…`, `ami-…`, `sg-…`, `key-…`, KMS `mrk-…`.
    AwsId,
    /// A resource ID that starts with its Region: a Cognito user pool `us-east-1_AbCdEf123`, an identity
    /// pool `us-east-1:<UUID>`.
    RegionalId,
    /// Hex of 7 or more characters with letters and digits, in one letter case: a commit SHA, a task or
    /// container ID, a hash.
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
    /// resource (`emitter/group/`).
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
            IdKind::RegionalId => "region-prefixed ID",
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

/// AWS resource ID prefixes and the lengths of the hex that follows `prefix-`: EC2 (`i-`, `vol-`, `sgr-`,
/// `vpce-svc-`, …, 8 or 17 digits), EFS (`fs-`, `fsap-`), KMS multi-Region keys (`mrk-`, 32), Transfer Family
/// servers (`s-`, 17), VPC Lattice services and service networks (`svc-`, `sn-`, 17).
const AWS_ID_PREFIXES: &[(&str, &[usize])] = &[
    ("tgw-attach", EC2),
    ("tgw-rtb", EC2),
    ("import-ami", EC2),
    ("import-snap", EC2),
    ("export-ami", EC2),
    ("export-i", EC2),
    ("vpce-svc", &[17]),
    ("eipalloc", EC2),
    ("eipassoc", EC2),
    ("subnet", EC2),
    ("fleet", EC2),
    ("snap", EC2),
    ("fsap", EC2),
    ("vpce", EC2),
    ("dopt", EC2),
    ("eigw", EC2),
    ("ami", EC2),
    ("aki", EC2),
    ("ari", EC2),
    ("vol", EC2),
    ("eni", EC2),
    ("igw", EC2),
    ("nat", EC2),
    ("rtb", EC2),
    ("acl", EC2),
    ("pcx", EC2),
    ("tgw", EC2),
    ("vgw", EC2),
    ("cgw", EC2),
    ("vpn", EC2),
    ("vpc", EC2),
    ("key", EC2),
    ("sir", EC2),
    ("sfr", EC2),
    ("sgr", EC2),
    ("mrk", &[32]),
    ("svc", &[17]),
    ("sg", EC2),
    ("sn", &[17]),
    ("lt", EC2),
    ("fs", EC2),
    ("pl", EC2),
    ("fl", EC2),
    ("cr", &[17]),
    ("i", EC2),
    ("r", EC2),
    ("h", EC2),
    ("s", &[17]),
];

/// The lengths of EC2's resource IDs: 8 hex digits, 17 since 2016.
const EC2: &[usize] = &[8, 17];

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
        // Runs at every token start of every name: the first letter rules most prefixes out cheaply.
        // Every prefix starts with an ASCII lowercase letter; comparing bytes spares a `memcmp` call each.
        let first = self.char(i).filter(char::is_ascii_lowercase)? as u8;
        for (prefix, lengths) in AWS_ID_PREFIXES {
            if prefix.as_bytes()[0] != first {
                continue;
            }
            // The prefixes are ASCII: bytes are characters.
            let n = prefix.len();
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
            if lengths.contains(&(end - start)) && hex_lower && self.boundary(end) {
                return Some(end);
            }
        }
        None
    }

    /// A Region and the ID it prefixes: `us-east-1_AbCdEf123` (a Cognito user pool), `us-east-1:<UUID>` (an
    /// identity pool).
    fn regional_id(&self, i: usize) -> Option<usize> {
        let region_end = self.region(i)?;
        match self.char(region_end) {
            Some('_') => {
                let end = self.token_end(region_end + 1);
                (end > region_end + 1).then_some(end)
            }
            Some(':') => self.uuid(region_end + 1),
            _ => None,
        }
    }

    /// `us-east-1`: stable, never a number to generalise.
    fn region(&self, i: usize) -> Option<usize> {
        // Every area is two letters and then a `-`: most tokens fail that at once, without being walked.
        let area_end = i + 2;
        if self.char(area_end) != Some('-')
            || !REGION_AREAS.iter().any(|a| self.is(i, area_end, a, false))
        {
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
        // A digest is written in one case; a mixed-case token (`AbCdEf123`, a Cognito pool's ID) is not one.
        if len >= 7 && chars().all(|c| c.is_ascii_hexdigit()) && (upper == 0 || lower == 0) {
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
        if let Some(end) = scan.regional_id(i) {
            out.push(Span {
                start: i,
                end,
                kind: IdKind::RegionalId,
            });
            i = end;
            continue;
        }
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

#[cfg(test)]
mod tests {
    #[test]
    fn aws_id_prefixes_are_ascii_and_lowercase_since_they_are_compared_as_bytes() {
        assert!(super::AWS_ID_PREFIXES.iter().all(|(p, _)| p.is_ascii()));
        assert!(super::AWS_ID_PREFIXES
            .iter()
            .all(|(p, _)| p.starts_with(|c: char| c.is_ascii_lowercase())));
    }

    #[test]
    fn region_areas_are_two_letters() {
        assert!(super::REGION_AREAS
            .iter()
            .all(|a| a.len() == 2 && a.chars().all(|c| c.is_ascii_lowercase())));
    }
}
