//! From per-action resource sets to statements: generalise crowded parents, then group actions that share
//! exactly the same resources.

use std::collections::{BTreeMap, BTreeSet};

/// The parent an ARN's resource hangs under: up to the first `/` of its resource part (an S3 bucket), or
/// else up to its last `:` (`...:log-group:g:log-stream:`).
pub fn parent(arn: &str) -> &str {
    let resource_start = arn
        .match_indices(':')
        .nth(4)
        .map(|(i, _)| i + 1)
        .unwrap_or(0);
    let resource = &arn[resource_start..];
    match resource.find('/') {
        Some(slash) => &arn[..resource_start + slash + 1],
        None => match resource.rfind(':') {
            Some(colon) => &arn[..resource_start + colon + 1],
            None => &arn[..resource_start],
        },
    }
}

/// The longest common prefix of two strings, ending on a character boundary.
pub fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let mut shared = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(shared) {
        shared -= 1;
    }
    &a[..shared]
}

/// The wildcard that stands for every resource sharing `common` under `parent`: never cut inside an
/// escape such as `${*}`, never shorter than the parent.
pub fn pattern(common: &str, parent: &str) -> String {
    let common = match common.rfind("${") {
        Some(open) if !common[open..].contains('}') => &common[..open],
        _ => common,
    };
    let common = if common.len() < parent.len() {
        parent
    } else {
        common
    };
    format!("{common}*")
}

/// A generalisation that was made: `count` resources under one parent became `pattern`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generalised {
    pub action: String,
    pub count: usize,
    pub pattern: String,
}

/// Replaces more than `threshold` resources under one parent by their longest common prefix and `*`.
pub fn generalise(
    action: &str,
    resources: &BTreeSet<String>,
    threshold: usize,
) -> (BTreeSet<String>, Vec<Generalised>) {
    let mut by_parent: BTreeMap<&str, Vec<&String>> = BTreeMap::new();
    for arn in resources {
        by_parent.entry(parent(arn)).or_default().push(arn);
    }
    let mut out = BTreeSet::new();
    let mut made = Vec::new();
    for (parent, members) in by_parent {
        if members.len() <= threshold || parent.is_empty() {
            out.extend(members.into_iter().cloned());
            continue;
        }
        let common = members[1..]
            .iter()
            .fold(members[0].as_str(), |c, m| common_prefix(c, m));
        let pattern = pattern(common, parent);
        made.push(Generalised {
            action: action.to_string(),
            count: members.len(),
            pattern: pattern.clone(),
        });
        out.insert(pattern);
    }
    (out, made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents() {
        assert_eq!(
            parent("arn:aws:s3:::bucket/a/b.zip"),
            "arn:aws:s3:::bucket/"
        );
        assert_eq!(parent("arn:aws:s3:::bucket"), "arn:aws:s3:::");
        assert_eq!(
            parent("arn:aws:logs:us-east-1:1:log-group:g:log-stream:s"),
            "arn:aws:logs:us-east-1:1:log-group:g:log-stream:"
        );
        assert_eq!(
            parent("arn:aws:lambda:us-east-1:1:function:f"),
            "arn:aws:lambda:us-east-1:1:function:"
        );
        assert_eq!(parent("arn:aws:iam::1:role/ci/x"), "arn:aws:iam::1:role/");
    }

    #[test]
    fn generalises_past_threshold_only() {
        let keys: BTreeSet<String> = (0..5)
            .map(|i| format!("arn:aws:s3:::b/builds/{i}.zip"))
            .collect();
        let (same, made) = generalise("s3:PutObject", &keys, 5);
        assert_eq!(same, keys);
        assert!(made.is_empty());
        let (general, made) = generalise("s3:PutObject", &keys, 4);
        assert_eq!(
            general.into_iter().collect::<Vec<_>>(),
            ["arn:aws:s3:::b/builds/*"]
        );
        assert_eq!(made[0].count, 5);
        let mixed: BTreeSet<String> = ["arn:aws:s3:::b/x", "arn:aws:s3:::b/y"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (general, _) = generalise("s3:GetObject", &mixed, 1);
        assert_eq!(
            general.into_iter().collect::<Vec<_>>(),
            ["arn:aws:s3:::b/*"]
        );
    }
}
