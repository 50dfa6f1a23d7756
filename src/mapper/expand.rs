//! Action patterns against the IAM catalogue: what `s3:Get*`, `*` or a `NotAction` list grants. The review
//! expands the current policy with it; it is the same catalogue the mapper maps with.

use super::catalogue::Registry;
use crate::action::Action;
use crate::glob::wildcard_match;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Every action of the embedded catalogue (`prefix:Name`), built once, on the first pattern that needs it:
/// loading all 450 services costs about 90 ms, which runs without a review never pay.
static ALL: OnceLock<Vec<String>> = OnceLock::new();

impl Registry {
    /// The actions of one service, `prefix:Name`; none for an unknown prefix.
    pub fn service_actions(&self, prefix: &str) -> Vec<String> {
        match self.service(prefix) {
            Some(Ok(service)) => service
                .actions
                .keys()
                .map(|name| format!("{}:{name}", service.prefix))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Every action of the catalogue.
    pub fn all_actions(&self) -> &[String] {
        ALL.get_or_init(|| {
            self.prefixes()
                .into_iter()
                .flat_map(|p| self.service_actions(p))
                .collect()
        })
    }

    /// The catalogue actions an `Action` pattern matches (case-insensitively, as IAM compares actions);
    /// `Err(pattern)` when it matches none (a typo, a retired action).
    pub fn expand(&self, pattern: &str) -> Result<BTreeSet<String>, String> {
        let found: BTreeSet<String> = match Action::parse(pattern) {
            _ if pattern == "*" => self.all_actions().iter().cloned().collect(),
            Some(parsed) if !parsed.prefix().contains(['*', '?']) => self
                .service_actions(&parsed.prefix().to_ascii_lowercase())
                .into_iter()
                .filter(|a| {
                    Action::parse(a).is_some_and(|a| wildcard_match(parsed.name(), a.name(), false))
                })
                .collect(),
            Some(_) => self
                .all_actions()
                .iter()
                .filter(|a| wildcard_match(pattern, a, false))
                .cloned()
                .collect(),
            None => BTreeSet::new(),
        };
        if found.is_empty() {
            Err(pattern.to_string())
        } else {
            Ok(found)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_wildcards() {
        let c = Registry::embedded();
        let gets = c.expand("sts:Get*").expect("known");
        assert!(gets.contains("sts:GetCallerIdentity"));
        assert!(gets.iter().all(|a| a.starts_with("sts:Get")));
        assert_eq!(
            c.expand("s3:NoSuchThing"),
            Err("s3:NoSuchThing".to_string())
        );
        assert!(c
            .expand("STS:getcalleridentity")
            .is_ok_and(|a| a.len() == 1));
        assert!(c
            .expand("s*:GetObject")
            .is_ok_and(|a| a.contains("s3:GetObject")));
        assert!(c.expand("*").is_ok_and(|a| a.len() > 10_000));
    }
}
