//! `*` and `?` wildcards, as IAM evaluates them in actions and ARNs and as `--session` globs use them.
//! `${*}`, `${?}` and `${$}` in a pattern are IAM's escapes for the literal characters.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    Literal(char),
    Any,
    One,
}

fn tokens(pattern: &str) -> Vec<Token> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        let escape = ["${*}", "${?}", "${$}"]
            .iter()
            .find(|e| rest.starts_with(**e));
        if let Some(escape) = escape {
            out.push(Token::Literal(escape.as_bytes()[2] as char));
            rest = &rest[escape.len()..];
            continue;
        }
        out.push(match c {
            '*' => Token::Any,
            '?' => Token::One,
            c => Token::Literal(c),
        });
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Whether `text` matches `pattern`; `*` matches any run (also empty), `?` any one character.
pub fn wildcard_match(pattern: &str, text: &str, case_sensitive: bool) -> bool {
    // Most patterns a call is checked against differ from it early: compare the plain start before
    // tokenising anything.
    let plain = pattern
        .bytes()
        .position(|b| matches!(b, b'*' | b'?' | b'$'))
        .unwrap_or(pattern.len());
    let (head, rest) = (&pattern.as_bytes()[..plain], text.as_bytes());
    let same_head = rest.len() >= head.len()
        && if case_sensitive {
            rest[..head.len()] == *head
        } else {
            rest[..head.len()].eq_ignore_ascii_case(head)
        };
    if !same_head {
        return false;
    }
    if plain == pattern.len() {
        return rest.len() == head.len();
    }
    walk(pattern, text, case_sensitive)
}

/// The matcher itself, token by token with one backtracking point.
fn walk(pattern: &str, text: &str, case_sensitive: bool) -> bool {
    let eq = |a: char, b: char| {
        if case_sensitive {
            a == b
        } else {
            a.eq_ignore_ascii_case(&b)
        }
    };
    let p = tokens(pattern);
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(Token::One) => {
                pi += 1;
                ti += 1;
            }
            Some(Token::Literal(c)) if eq(*c, t[ti]) => {
                pi += 1;
                ti += 1;
            }
            Some(Token::Any) => {
                backtrack = Some((pi, ti));
                pi += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    pi = star + 1;
                    ti = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&token| token == Token::Any)
}

/// The text a pattern's matches all start with: its characters up to the first real wildcard, escapes
/// read as the characters they stand for.
pub fn literal_prefix(pattern: &str) -> String {
    tokens(pattern)
        .into_iter()
        .map_while(|t| match t {
            Token::Literal(c) => Some(c),
            Token::Any | Token::One => None,
        })
        .collect()
}

/// Whether a pattern has a real wildcard: a `*` or `?` that is not one of the escapes.
pub fn has_wildcard(pattern: &str) -> bool {
    tokens(pattern)
        .iter()
        .any(|t| matches!(t, Token::Any | Token::One))
}

/// IAM reads `*`, `?` and `$` in a Resource as wildcards and variables; a value from a record is literal.
pub fn escape_value(value: &str) -> String {
    if !value.contains(['*', '?', '$']) {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '*' => out.push_str("${*}"),
            '?' => out.push_str("${?}"),
            '$' => out.push_str("${$}"),
            c => out.push(c),
        }
    }
    out
}

/// The concrete ARN a policy resource written by [`escape_value`] stands for.
pub fn unescape_value(value: &str) -> String {
    value
        .replace("${*}", "*")
        .replace("${?}", "?")
        .replace("${$}", "$")
}

#[cfg(test)]
mod tests {
    use super::{has_wildcard, literal_prefix, wildcard_match};

    proptest::proptest! {
        /// The plain-start shortcut answers as the matcher does.
        #[test]
        fn shortcut_agrees_with_the_matcher(
            pattern in "[aAb*?$/{}é]{0,8}",
            text in "[aAb*?$/{}é]{0,8}",
            case_sensitive: bool,
        ) {
            proptest::prop_assert_eq!(
                wildcard_match(&pattern, &text, case_sensitive),
                super::walk(&pattern, &text, case_sensitive)
            );
        }
    }

    #[test]
    fn real_wildcards_only() {
        assert!(has_wildcard("secret:db-??????"));
        assert!(has_wildcard("stack/web/*"));
        assert!(!has_wildcard("b/a${*}b${?}"));
        assert!(!has_wildcard("role/ci/deployer"));
        assert_eq!(literal_prefix("b/a${*}b/*/x"), "b/a*b/");
        assert_eq!(literal_prefix("role/ci"), "role/ci");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("gh-*", "gh-run-1", true));
        assert!(wildcard_match("*", "", true));
        assert!(wildcard_match("s3:Get*", "s3:getobject", false));
        assert!(!wildcard_match("s3:Get*", "s3:getobject", true));
        assert!(wildcard_match(
            "arn:aws:s3:::b/*/x?",
            "arn:aws:s3:::b/a/b/xy",
            true
        ));
        assert!(!wildcard_match(
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::c/k",
            true
        ));
        assert!(wildcard_match("a*b*c", "aXbYbZc", true));
        assert!(!wildcard_match("a*b*c", "aXbYbZ", true));
    }

    #[test]
    fn iam_escapes_are_literal() {
        assert!(wildcard_match(
            "arn:aws:s3:::b/a${*}b",
            "arn:aws:s3:::b/a*b",
            true
        ));
        assert!(!wildcard_match(
            "arn:aws:s3:::b/a${*}b",
            "arn:aws:s3:::b/axxb",
            true
        ));
        assert!(wildcard_match("x${?}${$}", "x?$", true));
        assert!(!wildcard_match("x${?}", "xy", true));
    }
}
