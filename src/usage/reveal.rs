//! What the principal's own records reveal about resources that other records name only partially: the
//! full ARN of a secret asked for by name (a create's response), a role's path (another call that passed
//! the role), the stack of a change set, the work group of a query execution. Calls that need it wait here
//! until every record of the principal in the window is read; [`UsageSet::resolve`] then settles them and
//! reports what was resolved. Only records the collector kept (this principal, this window) reach here.

use super::{Evidence, UsageKey, UsageSet};
use crate::glob::unescape_value;
use crate::glob::{has_wildcard, literal_prefix};
use crate::mapper::{Lookup, MappedGrant, Reveal};
use crate::policy::resource_matches;
use crate::report::{Code, Diagnostics, Location};
use std::collections::BTreeMap;

/// A grant that waits: what the record gave exactly, and what it waits for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub(crate) struct Waiting {
    action: String,
    region: String,
    facts: BTreeMap<String, String>,
    resources: Vec<String>,
    lookup: Lookup,
    /// `eventSource eventName`, for the report.
    call: String,
}

/// The waiting grants and the links of every record read so far; merged like the rest of the usage set.
#[derive(Debug, Default, Clone)]
pub struct Revealed {
    pub(crate) waiting: BTreeMap<Waiting, (Evidence, Option<Location>)>,
    /// `(link, key)` → ARN → an eventID that made the link (the smallest: the same whatever the file order).
    pub(crate) links: BTreeMap<(String, String), BTreeMap<String, String>>,
}

impl Revealed {
    pub fn merge(&mut self, other: Revealed) {
        for (waiting, (evidence, location)) in other.waiting {
            self.wait(waiting, evidence, location);
        }
        for (link, targets) in other.links {
            let mine = self.links.entry(link).or_default();
            for (arn, event) in targets {
                keep_smallest_event(mine, arn, event);
            }
        }
    }

    pub(super) fn wait(
        &mut self,
        waiting: Waiting,
        evidence: Evidence,
        location: Option<Location>,
    ) {
        match self.waiting.get_mut(&waiting) {
            Some((mine, first)) => {
                mine.merge(&evidence);
                if location.is_some() && (first.is_none() || location < *first) {
                    *first = location;
                }
            }
            None => {
                self.waiting.insert(waiting, (evidence, location));
            }
        }
    }
}

/// Keeps `arn` with the smallest eventID seen for it.
fn keep_smallest_event(targets: &mut BTreeMap<String, String>, arn: String, event: String) {
    match targets.get_mut(&arn) {
        Some(first) if event < *first => *first = event,
        Some(_) => {}
        None => {
            targets.insert(arn, event);
        }
    }
}

impl UsageSet {
    /// Keeps the grants that wait for other records and the links a record makes; returns the grants
    /// that do not wait. `at` gives the record's evidence and location, and is called only when there is
    /// something to keep.
    pub fn defer(
        &mut self,
        grants: Vec<MappedGrant>,
        reveals: Vec<Reveal>,
        call: &str,
        region: &str,
        at: impl FnOnce() -> (Evidence, Option<Location>),
    ) -> Vec<MappedGrant> {
        if reveals.is_empty() && grants.iter().all(|g| g.lookup.is_none()) {
            return grants;
        }
        let (evidence, location) = at();
        for reveal in reveals {
            let targets = self
                .revealed
                .links
                .entry((reveal.link, reveal.key))
                .or_default();
            keep_smallest_event(targets, reveal.arn, evidence.sample_event_id.clone());
        }
        let (waiting, now): (Vec<_>, Vec<_>) = grants.into_iter().partition(|g| g.lookup.is_some());
        for grant in waiting {
            let waiting = Waiting {
                action: grant.action,
                region: region.to_string(),
                facts: grant.facts,
                resources: grant.resources,
                lookup: grant.lookup.unwrap_or_default(),
                call: call.to_string(),
            };
            self.revealed
                .wait(waiting, evidence.clone(), location.clone());
        }
        now
    }

    /// Settles every waiting grant with what the records revealed: the ARNs the principal's calls named
    /// exactly (its grants' own resources and the links) that match a pattern, or the resource linked to a
    /// key. What was resolved is a `resource-resolved` note; what was not keeps its pattern
    /// (`wildcard-segment`) or, for a link, becomes `*` (`wildcard-resource`).
    pub fn resolve(&mut self, diagnostics: &mut Diagnostics) {
        let revealed = std::mem::take(&mut self.revealed);
        if revealed.waiting.is_empty() {
            return;
        }
        // Concrete ARN → (as written in a policy, the smallest eventID that named it).
        let mut known: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut learn = |resource: &str, event: &str| {
            if has_wildcard(resource) {
                return;
            }
            let entry = known
                .entry(unescape_value(resource))
                .or_insert_with(|| (resource.to_string(), event.to_string()));
            if event < entry.1.as_str() {
                entry.1 = event.to_string();
            }
        };
        for (key, evidence) in &self.used {
            learn(&key.resource, &evidence.sample_event_id);
        }
        for targets in revealed.links.values() {
            for (arn, event) in targets {
                learn(arn, event);
            }
        }
        for (waiting, (evidence, location)) in revealed.waiting {
            let mut found: BTreeMap<String, String> = BTreeMap::new();
            for pattern in &waiting.lookup.narrow {
                let prefix = literal_prefix(pattern);
                for (concrete, (written, event)) in known.range(prefix.clone()..) {
                    if !concrete.starts_with(&prefix) {
                        break;
                    }
                    if resource_matches(pattern, concrete) {
                        keep_smallest_event(&mut found, written.clone(), event.clone());
                    }
                }
            }
            // Every key must be linked: a call on several query executions needs each one's work group.
            let mut unlinked = false;
            for link in &waiting.lookup.links {
                match revealed.links.get(link) {
                    Some(targets) => {
                        for (arn, event) in targets {
                            keep_smallest_event(&mut found, arn.clone(), event.clone());
                        }
                    }
                    None => unlinked = true,
                }
            }
            let wanted: Vec<String> = waiting
                .lookup
                .narrow
                .iter()
                .map(|p| format!("`{p}`"))
                .chain(
                    waiting
                        .lookup
                        .links
                        .iter()
                        .map(|(link, key)| format!("the {link} of `{key}`")),
                )
                .collect();
            let mut resources = waiting.resources.clone();
            if !found.is_empty() && !unlinked {
                let named: Vec<String> = found
                    .iter()
                    .map(|(arn, event)| format!("`{arn}` (eventID {event})"))
                    .collect();
                let detail = format!(
                    "`{}` names {}; the principal's records name it in full: {}",
                    waiting.call,
                    wanted.join(" or "),
                    named.join(", ")
                );
                diagnostics.add(Code::ResourceResolved, &waiting.action, detail, location);
                resources.extend(found.into_keys());
            } else if unlinked {
                let detail = format!(
                    "`{}` names {}, which no record of the principal in the window names",
                    waiting.call,
                    wanted.join(" or ")
                );
                diagnostics.add(Code::WildcardResource, &waiting.action, detail, location);
                resources = vec!["*".to_string()];
            } else {
                let detail = format!(
                    "{}, and no record of the principal in the window names the resource in full (`{}`)",
                    waiting.lookup.why, waiting.call
                );
                diagnostics.add(Code::WildcardSegment, &waiting.action, detail, location);
                resources.extend(waiting.lookup.narrow.iter().cloned());
            }
            for resource in resources {
                let key = UsageKey {
                    action: waiting.action.clone(),
                    resource,
                    region: waiting.region.clone(),
                    facts: waiting.facts.clone(),
                };
                self.add(key, evidence.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapper::MappedGrant;

    fn waiting(action: &str, narrow: &[&str], links: &[(&str, &str)]) -> MappedGrant {
        MappedGrant {
            action: action.into(),
            resources: Vec::new(),
            facts: BTreeMap::new(),
            wildcard: None,
            lookup: Some(Lookup {
                narrow: narrow.iter().map(|s| s.to_string()).collect(),
                links: links
                    .iter()
                    .map(|(l, k)| (l.to_string(), k.to_string()))
                    .collect(),
                why: "the map puts `*/`".into(),
            }),
        }
    }

    fn at(event: &str) -> impl FnOnce() -> (Evidence, Option<Location>) + '_ {
        move || (Evidence::new("2026-11-01T00:00:00Z", event, None), None)
    }

    fn used(set: &UsageSet, action: &str) -> Vec<String> {
        set.used
            .keys()
            .filter(|k| k.action == action)
            .map(|k| k.resource.clone())
            .collect()
    }

    fn link(key: &str, arn: &str) -> Reveal {
        Reveal {
            link: "athena-query-workgroup".into(),
            key: key.into(),
            arn: arn.into(),
        }
    }

    const ROLE: &str = "arn:aws:iam::111122223333:role/ci/app";
    const NAMES: [&str; 2] = [
        "arn:aws:iam::111122223333:role/*/app",
        "arn:aws:iam::111122223333:role/app",
    ];

    #[test]
    fn a_pattern_is_narrowed_to_the_arn_another_call_named() {
        let mut set = UsageSet::default();
        let passed = MappedGrant {
            action: "iam:PassRole".into(),
            resources: vec![ROLE.into()],
            facts: BTreeMap::new(),
            wildcard: None,
            lookup: None,
        };
        let now = set.defer(
            vec![waiting("iam:GetRole", &NAMES, &[]), passed],
            Vec::new(),
            "iam GetRole",
            "us-east-1",
            at("e2"),
        );
        assert_eq!(now.len(), 1);
        for grant in now {
            for resource in grant.resources {
                let key = UsageKey {
                    action: grant.action.clone(),
                    resource,
                    region: "us-east-1".into(),
                    facts: BTreeMap::new(),
                };
                set.add(key, Evidence::new("2026-11-01T00:00:00Z", "e1", None));
            }
        }
        let mut diagnostics = Diagnostics::default();
        set.resolve(&mut diagnostics);
        assert_eq!(used(&set, "iam:GetRole"), [ROLE]);
        assert_eq!(diagnostics.count(Code::ResourceResolved), 1);
    }

    #[test]
    fn an_unresolved_pattern_stays_and_is_reported() {
        let mut set = UsageSet::default();
        set.defer(
            vec![waiting("iam:GetRole", &NAMES, &[])],
            Vec::new(),
            "iam GetRole",
            "us-east-1",
            at("e1"),
        );
        let mut diagnostics = Diagnostics::default();
        set.resolve(&mut diagnostics);
        assert_eq!(used(&set, "iam:GetRole"), NAMES);
        assert_eq!(diagnostics.count(Code::WildcardSegment), 1);
    }

    #[test]
    fn every_key_of_a_link_must_be_linked() {
        let wg = "arn:aws:athena:us-east-1:111122223333:workgroup/bi";
        let mut set = UsageSet::default();
        set.defer(
            Vec::new(),
            vec![link("q1", wg)],
            "athena StartQueryExecution",
            "us-east-1",
            at("e1"),
        );
        let one = waiting(
            "athena:GetQueryResults",
            &[],
            &[("athena-query-workgroup", "q1")],
        );
        let two = waiting(
            "athena:BatchGetQueryExecution",
            &[],
            &[
                ("athena-query-workgroup", "q1"),
                ("athena-query-workgroup", "q2"),
            ],
        );
        set.defer(
            vec![one, two],
            Vec::new(),
            "athena calls",
            "us-east-1",
            at("e2"),
        );
        let mut diagnostics = Diagnostics::default();
        set.resolve(&mut diagnostics);
        assert_eq!(used(&set, "athena:GetQueryResults"), [wg]);
        assert_eq!(used(&set, "athena:BatchGetQueryExecution"), ["*"]);
        assert_eq!(diagnostics.count(Code::WildcardResource), 1);
    }

    /// Files are read in any order and split: the links and waiting grants merge like the rest of the
    /// usage set, and what is resolved does not depend on it.
    #[test]
    fn resolution_does_not_depend_on_order_or_split() {
        let wg = |n: &str| format!("arn:aws:athena:us-east-1:111122223333:workgroup/{n}");
        let inputs: Vec<(Vec<MappedGrant>, Vec<Reveal>, &str)> = vec![
            (Vec::new(), vec![link("q1", &wg("bi"))], "e1"),
            (
                vec![waiting(
                    "athena:GetQueryResults",
                    &[],
                    &[("athena-query-workgroup", "q1")],
                )],
                Vec::new(),
                "e2",
            ),
            (Vec::new(), vec![link("q1", &wg("etl"))], "e3"),
            (
                vec![waiting(
                    "athena:GetQueryResults",
                    &[],
                    &[("athena-query-workgroup", "q2")],
                )],
                Vec::new(),
                "e4",
            ),
        ];
        let run = |order: &[usize], split: usize| {
            let (mut left, mut right) = (UsageSet::default(), UsageSet::default());
            for (n, &i) in order.iter().enumerate() {
                let (grants, reveals, event) = inputs[i].clone();
                let side = if n < split { &mut left } else { &mut right };
                side.defer(grants, reveals, "call", "us-east-1", at(event));
            }
            right.merge(left);
            let mut diagnostics = Diagnostics::default();
            right.resolve(&mut diagnostics);
            let details: Vec<String> = diagnostics
                .iter()
                .map(|d| format!("{} {} {}", d.code, d.subject, d.detail))
                .collect();
            (right.used.into_iter().collect::<Vec<_>>(), details)
        };
        let first = run(&[0, 1, 2, 3], 2);
        assert_eq!(first, run(&[3, 2, 1, 0], 1));
        assert_eq!(first, run(&[1, 3, 0, 2], 3));
        assert!(first.0.iter().any(|(k, _)| k.resource == "*"));
        assert!(first.0.iter().any(|(k, _)| k.resource == wg("etl")));
    }
}
