//! What the principal's own records reveal about resources that other records name only partially: the
//! full ARN of a secret asked for by name (a create's response), a role's path (another call that passed
//! the role), the stack of a change set, the work group of a query execution. Calls that need it wait here
//! until every record of the principal in the window is read; [`UsageSet::resolve`] then settles them and
//! reports what was resolved. Only records the collector kept (this principal, this window) reach here.

use crate::glob::{has_wildcard, literal_prefix};
use crate::mapper::arn::unescape_value;
use crate::mapper::{Lookup, MappedGrant, Reveal};
use crate::policy::resource_matches;
use crate::report::{Code, Diagnostics, Location};
use crate::usage::{Evidence, UsageKey, UsageSet};
use std::collections::BTreeMap;

/// A grant that waits: what the record gave exactly, and what it waits for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Waiting {
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
    waiting: BTreeMap<Waiting, (Evidence, Option<Location>)>,
    /// `(link, key)` → ARN → the earliest event that made the link.
    links: BTreeMap<(String, String), BTreeMap<String, String>>,
}

impl Revealed {
    pub fn merge(&mut self, other: Revealed) {
        for (waiting, (evidence, location)) in other.waiting {
            self.wait(waiting, evidence, location);
        }
        for (link, targets) in other.links {
            let mine = self.links.entry(link).or_default();
            for (arn, event) in targets {
                keep_earliest(mine, arn, event);
            }
        }
    }

    fn wait(&mut self, waiting: Waiting, evidence: Evidence, location: Option<Location>) {
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

fn keep_earliest(targets: &mut BTreeMap<String, String>, arn: String, event: String) {
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
            keep_earliest(targets, reveal.arn, evidence.sample_event_id.clone());
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
        // Concrete ARN → (as written in a policy, the earliest event that named it).
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
                        keep_earliest(&mut found, written.clone(), event.clone());
                    }
                }
            }
            // Every key must be linked: a call on several query executions needs each one's work group.
            let mut unlinked = false;
            for link in &waiting.lookup.links {
                match revealed.links.get(link) {
                    Some(targets) => {
                        for (arn, event) in targets {
                            keep_earliest(&mut found, arn.clone(), event.clone());
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
