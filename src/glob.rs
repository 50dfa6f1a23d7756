//! `*` and `?` wildcards, as IAM evaluates them in actions and ARNs and as `--session` globs use them.

/// Whether `text` matches `pattern`; `*` matches any run (also empty), `?` any one character.
pub fn wildcard_match(pattern: &str, text: &str, case_sensitive: bool) -> bool {
    let eq = |a: char, b: char| {
        if case_sensitive {
            a == b
        } else {
            a.eq_ignore_ascii_case(&b)
        }
    };
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((star, matched)) = backtrack {
            pi = star + 1;
            ti = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::wildcard_match;

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
}
