//! How values are written in the comment: escaped code spans and text, numbers with separators, ARNs by
//! their resource part, and resource sets counted by kind ("2 roles").

use std::collections::BTreeSet;

/// Inside a code span in a table: no backticks, no cell breaks.
pub fn code(s: &str) -> String {
    s.replace('`', "'").replace('|', "\\|")
}

/// Plain text in a table or list: cell breaks escaped, backtick spans kept.
pub fn text(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// `65536` as `65,536`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n thing(s)`.
pub fn count(n: usize, singular: &str) -> String {
    if n == 1 {
        format!("1 {singular}")
    } else if singular.ends_with('y') && !singular.ends_with("ey") {
        format!("{n} {}ies", &singular[..singular.len() - 1])
    } else if singular.ends_with('s') {
        format!("{n} {singular}es")
    } else {
        format!("{n} {singular}s")
    }
}

/// An ARN's parts: service, region, account, resource; `None` for anything else (`*`).
fn parts(arn: &str) -> Option<(&str, &str, &str, &str)> {
    let mut it = arn.splitn(6, ':');
    let (_, _, service, region, account, resource) = (
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    );
    arn.starts_with("arn:")
        .then_some((service, region, account, resource))
}

/// The one account every ARN of `arns` names (ARNs without an account, such as S3's, aside).
pub fn one_account<'a>(arns: impl Iterator<Item = &'a String>) -> Option<String> {
    let accounts: BTreeSet<&str> = arns
        .filter_map(|a| parts(a))
        .map(|(_, _, account, _)| account)
        .filter(|a| !a.is_empty())
        .collect();
    match accounts.len() {
        1 => accounts.into_iter().next().map(str::to_string),
        _ => None,
    }
}

/// An ARN of `account` by its resource part and region (`key/…` (eu-west-1)); other ARNs whole.
pub fn short_arn(arn: &str, account: Option<&str>) -> String {
    match parts(arn) {
        Some((_, region, acct, resource)) if acct.is_empty() || Some(acct) == account => {
            match region {
                "" => format!("`{}`", code(resource)),
                "*" => format!("`{}` (any region)", code(resource)),
                region => format!("`{}` ({region})", code(resource)),
            }
        }
        _ => format!("`{}`", code(arn)),
    }
}

/// What kind of resource an ARN names: its resource type (`role`, `key`, `log-stream`), or for S3 a bucket
/// or an object.
fn kind(arn: &str) -> Option<&str> {
    let (service, _, _, resource) = parts(arn)?;
    if service == "s3" {
        return Some(if resource.contains('/') {
            "object path"
        } else {
            "bucket"
        });
    }
    if resource.contains(":log-stream:") {
        return Some("log stream");
    }
    resource.split(['/', ':']).next().filter(|k| !k.is_empty())
}

/// `2 roles`, `1 repository in 2 regions`, `` `*` ``: a resource set said by kind.
pub fn counted(resources: &[String]) -> String {
    let mut kinds: Vec<(String, BTreeSet<&str>, BTreeSet<&str>)> = Vec::new();
    let mut other = Vec::new();
    for arn in resources {
        match (kind(arn), parts(arn)) {
            (Some(k), Some((_, region, _, resource))) => {
                match kinds.iter_mut().find(|(name, _, _)| name == k) {
                    Some((_, names, regions)) => {
                        names.insert(resource);
                        regions.insert(region);
                    }
                    None => kinds.push((
                        k.to_string(),
                        BTreeSet::from([resource]),
                        BTreeSet::from([region]),
                    )),
                }
            }
            _ => other.push(format!("`{}`", code(arn))),
        }
    }
    let mut out: Vec<String> = kinds
        .into_iter()
        .map(|(k, names, regions)| {
            let regional: Vec<&&str> = regions.iter().filter(|r| !r.is_empty()).collect();
            match regional.len() {
                0 | 1 => count(names.len(), &k),
                n => format!("{} in {n} regions", count(names.len(), &k)),
            }
        })
        .collect();
    out.extend(other);
    out.join(", ")
}

/// At most `max` items, then how many more.
pub fn capped(items: Vec<String>, max: usize, separator: &str) -> String {
    let more = items.len().saturating_sub(max);
    let mut shown: Vec<String> = items.into_iter().take(max).collect();
    if more > 0 {
        shown.push(format!("… {more} more"));
    }
    shown.join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_sets_said_by_kind() {
        let roles = [
            "arn:aws:iam::1:role/a".to_string(),
            "arn:aws:iam::1:role/b".to_string(),
        ];
        assert_eq!(counted(&roles), "2 roles");
        let repo = [
            "arn:aws:ecr:eu-west-1:1:repository/x".to_string(),
            "arn:aws:ecr:us-east-1:1:repository/x".to_string(),
            "*".to_string(),
        ];
        assert_eq!(counted(&repo), "1 repository in 2 regions, `*`");
        assert_eq!(
            short_arn("arn:aws:kms:eu-west-1:1:key/k", Some("1")),
            "`key/k` (eu-west-1)"
        );
        assert_eq!(
            short_arn("arn:aws:kms:eu-west-1:2:key/k", Some("1")),
            "`arn:aws:kms:eu-west-1:2:key/k`"
        );
        assert_eq!(thousands(65536), "65,536");
        assert_eq!(thousands(999), "999");
        assert_eq!(count(2, "policy"), "2 policies");
    }
}
