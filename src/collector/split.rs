//! Finds the records of a CloudTrail log (`{"Records":[...]}` or a bare array) without parsing them: the
//! boundaries of each record object, found by skipping strings and counting braces. Most records belong to
//! other principals and are never parsed; the ones that might match are then parsed in full, and any
//! syntax error among them is reported there. When the layout is not the plain one this expects, `None`
//! hands the file to the full parser, which handles every shape and reports damage precisely.

use memchr::memmem;
use memchr::{memchr2, memchr3};

/// How CloudTrail begins every record. Unescaped, this cannot occur inside a JSON string.
const RECORD_START: &[u8] = b"{\"eventVersion\"";

/// A record of a file: its index among the file's records and its byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub index: usize,
    pub start: usize,
    pub end: usize,
}

/// Whether `bytes` may hold a `\u` escape (one that could spell a principal's name): a backslash followed by
/// `u`. A byte search for the backslash runs several times faster than a search for the pair, and
/// backslashes are rare in CloudTrail's JSON.
pub fn has_unicode_escape(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'\\', bytes).any(|at| bytes.get(at + 1) == Some(&b'u'))
}

/// The records of a CloudTrail-written log that may hold `needle`, and how many records there are, found
/// from where records start rather than by scanning each one. A candidate reaches from its start to the
/// comma before the next record (or to the array's end); the caller confirms each by parsing it as one
/// object, and on any failure reads the file with [`record_spans`] instead. A layout that is not the plain
/// one gives `None` here already.
pub fn candidates(body: &[u8], needle: &memmem::Finder) -> Option<(usize, Vec<Span>)> {
    let mut at = skip_ws(body, 0);
    for expected in [&b"{"[..], b"\"Records\"", b":", b"["] {
        if !body.get(at..)?.starts_with(expected) {
            return None;
        }
        at = skip_ws(body, at + expected.len());
    }
    let close = body.iter().rposition(|b| !b.is_ascii_whitespace())?;
    let array_end = skip_ws_back(body, close.checked_sub(1)?)?;
    if body[close] != b'}' || body[array_end] != b']' {
        return None;
    }
    if body[at] == b']' {
        return (at == array_end).then_some((0, Vec::new()));
    }
    // Record starts are walked once, alongside the needle's hits: no list of every start is built.
    let region = &body[at..array_end];
    let mut starts = memmem::find_iter(region, RECORD_START)
        .map(|i| i + at)
        .peekable();
    if starts.peek() != Some(&at) {
        return None;
    }
    let mut spans = Vec::new();
    let (mut passed, mut current) = (0usize, at);
    let mut next_hit = 0;
    for hit in needle.find_iter(region).map(|i| i + at) {
        if hit < next_hit {
            continue;
        }
        while let Some(start) = starts.next_if(|&s| s <= hit) {
            (passed, current) = (passed + 1, start);
        }
        let (index, start) = (passed - 1, current);
        let limit = starts.peek().copied().unwrap_or(array_end);
        let last = if limit == array_end {
            skip_ws_back(body, array_end.checked_sub(1)?)?
        } else {
            let comma = skip_ws_back(body, limit.checked_sub(1)?)?;
            if body[comma] != b',' {
                return None;
            }
            skip_ws_back(body, comma.checked_sub(1)?)?
        };
        if last < start || body[last] != b'}' {
            return None;
        }
        spans.push(Span {
            index,
            start,
            end: last + 1,
        });
        next_hit = limit;
    }
    Some((passed + starts.count(), spans))
}

/// The byte range of the first record of a `{"Records":[...]}` log, if it has one.
pub fn first_record(body: &[u8]) -> Option<(usize, usize)> {
    let mut at = skip_ws(body, 0);
    for expected in [&b"{"[..], b"\"Records\"", b":", b"["] {
        if !body.get(at..)?.starts_with(expected) {
            return None;
        }
        at = skip_ws(body, at + expected.len());
    }
    if body.get(at) != Some(&b'{') {
        return None;
    }
    Some((at, object_end(body, at)?))
}

fn skip_ws_back(body: &[u8], mut at: usize) -> Option<usize> {
    while body.get(at)?.is_ascii_whitespace() {
        at = at.checked_sub(1)?;
    }
    Some(at)
}

/// Byte ranges of every record, in order.
pub fn record_spans(body: &[u8]) -> Option<Vec<(usize, usize)>> {
    let mut at = skip_ws(body, 0);
    let wrapped = body.get(at) == Some(&b'{');
    if wrapped {
        at = skip_ws(body, at + 1);
        let key = b"\"Records\"";
        if !body.get(at..)?.starts_with(key) {
            return None;
        }
        at = skip_ws(body, at + key.len());
        if body.get(at) != Some(&b':') {
            return None;
        }
        at = skip_ws(body, at + 1);
    }
    if body.get(at) != Some(&b'[') {
        return None;
    }
    at += 1;
    let mut spans = Vec::new();
    loop {
        at = skip_ws(body, at);
        match body.get(at)? {
            b']' => {
                at += 1;
                break;
            }
            b',' if !spans.is_empty() => at += 1,
            b'{' => {
                let end = object_end(body, at)?;
                spans.push((at, end));
                at = end;
                at = skip_ws(body, at);
                match body.get(at)? {
                    b',' => at += 1,
                    b']' => {}
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
    at = skip_ws(body, at);
    if wrapped {
        if body.get(at) != Some(&b'}') {
            return None;
        }
        at = skip_ws(body, at + 1);
    }
    (at == body.len()).then_some(spans)
}

fn skip_ws(body: &[u8], mut at: usize) -> usize {
    while body.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
        at += 1;
    }
    at
}

/// The end (exclusive) of the object starting at `start`, or `None` if the data ends first.
fn object_end(body: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = start;
    loop {
        at += memchr3(b'"', b'{', b'}', body.get(at..)?)?;
        match body[at] {
            b'"' => at = string_end(body, at + 1)?,
            b'{' => {
                depth += 1;
                at += 1;
            }
            _ => {
                depth -= 1;
                at += 1;
                if depth == 0 {
                    return Some(at);
                }
            }
        }
    }
}

/// The position after the closing quote of a string whose content starts at `at`.
fn string_end(body: &[u8], mut at: usize) -> Option<usize> {
    loop {
        at += memchr2(b'"', b'\\', body.get(at..)?)?;
        if body[at] == b'\\' {
            at += 2;
        } else {
            return Some(at + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{candidates, record_spans};
    use memchr::memmem::Finder;

    fn candidate_texts<'t>(text: &'t str, needle: &str) -> Option<(usize, Vec<&'t str>)> {
        let finder = Finder::new(needle.as_bytes());
        candidates(text.as_bytes(), &finder).map(|(n, spans)| {
            (
                n,
                spans.into_iter().map(|s| &text[s.start..s.end]).collect(),
            )
        })
    }

    #[test]
    fn finds_candidates_by_record_start() {
        let text = r#"{"Records":[{"eventVersion":"1","u":"alice"}, {"eventVersion":"1","u":"bob","x":"alice alice"},
            {"eventVersion":"1","u":"carol"}]}"#;
        assert_eq!(
            candidate_texts(text, "alice"),
            Some((
                3,
                vec![
                    r#"{"eventVersion":"1","u":"alice"}"#,
                    r#"{"eventVersion":"1","u":"bob","x":"alice alice"}"#
                ]
            ))
        );
        assert_eq!(candidate_texts(text, "nobody"), Some((3, vec![])));
        assert_eq!(candidate_texts(r#"{"Records":[]}"#, "x"), Some((0, vec![])));
    }

    #[test]
    fn candidates_refuse_surprises() {
        // a nested object that starts like a record: the candidate is no one object, which the caller's
        // parse finds
        let nested = r#"{"Records":[{"eventVersion":"1","p":{"eventVersion":"2","u":"alice"}}]}"#;
        let (_, spans) = candidate_texts(nested, "alice").expect("plain layout");
        assert_eq!(spans, [r#"{"eventVersion":"2","u":"alice"}}"#]);
        assert!(serde_json::from_str::<serde::de::IgnoredAny>(spans[0]).is_err());
        // records not separated by a comma
        assert_eq!(
            candidate_texts(
                r#"{"Records":[{"eventVersion":"1","u":"alice"} {"eventVersion":"1"}]}"#,
                "alice"
            ),
            None
        );
        // records that do not start with eventVersion
        assert_eq!(
            candidate_texts(r#"{"Records":[{"u":"alice"}]}"#, "alice"),
            None
        );
        // truncated
        assert_eq!(
            candidate_texts(r#"{"Records":[{"eventVersion":"1","u":"alice""#, "alice"),
            None
        );
    }

    fn records(text: &str) -> Option<Vec<&str>> {
        record_spans(text.as_bytes())
            .map(|spans| spans.into_iter().map(|(a, b)| &text[a..b]).collect())
    }

    #[test]
    fn splits_records() {
        let text = r#"{"Records":[{"a":"x}\"{","b":{"c":[1,{"d":2}]}}, {"e":"\\"}]}"#;
        assert_eq!(
            records(text),
            Some(vec![
                r#"{"a":"x}\"{","b":{"c":[1,{"d":2}]}}"#,
                r#"{"e":"\\"}"#
            ])
        );
        assert_eq!(records(" [ {\"a\":1} ]\n"), Some(vec!["{\"a\":1}"]));
        assert_eq!(records("{\"Records\":[]}"), Some(vec![]));
    }

    #[test]
    fn hands_other_layouts_to_the_parser() {
        for text in [
            r#"{"Records":[{"a":1}"#,
            r#"{"Records":[{"a":1}]"#,
            r#"{"Other":1,"Records":[]}"#,
            r#"{"Records":[1]}"#,
            r#"{"Records":[{"a":1}]} trailing"#,
            r#"{"Records":[{"a":"unterminated}]}"#,
            r#"{"Records":[,{"a":1}]}"#,
        ] {
            assert_eq!(records(text), None, "{text}");
        }
    }
}
