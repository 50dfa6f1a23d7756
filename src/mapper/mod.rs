//! Pure mapping: one CloudTrail call in, the IAM actions and resource ARNs it needed out.
//! All knowledge lives in `service-maps/`; this module only evaluates it.

pub mod catalogue;
pub mod expand;
pub mod expr;
mod fallback;
mod grant;
pub mod service_map;
pub mod template;

use crate::event::Record;
use catalogue::{Condition, Registry, RuleKind};
use expr::{Body, Caller, Context, Expr};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// Which map entry produced a mapping: shown by `--explain` and `maps explain`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct EntryRef {
    pub prefix: String,
    /// The `events` key of the rule, or for a catalogue name match the action's name.
    pub event: String,
    /// No rule covers the event; its name is an action of the prefix's catalogue.
    pub catalogue_match: bool,
}

impl fmt::Display for EntryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.catalogue_match {
            write!(
                f,
                "service-maps/{}.json actions.{} (catalogue name match)",
                self.prefix, self.event
            )
        } else {
            write!(f, "service-maps/{}.json events.{}", self.prefix, self.event)
        }
    }
}

/// Why an action ended up with `"Resource": "*"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wildcard {
    /// The action supports no resource types: `*` is the only valid resource.
    StarOnly,
    /// The action supports resources, but this record did not give what the ARN needs.
    Unbound(String),
    /// The map puts `*` for a part of the ARN that no record carries (a stack's UUID).
    Segment(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedGrant {
    /// Canonical `prefix:Name` from the catalogue.
    pub action: String,
    /// ARNs, or `["*"]`.
    pub resources: Vec<String>,
    pub facts: BTreeMap<String, String>,
    /// Why a resource is `*` or has a map-authored wildcard; with a `lookup`, what applies if the lookup
    /// finds nothing.
    pub wildcard: Option<Wildcard>,
    /// Resources that other records of the principal may name exactly: resolved once every record is
    /// read (`UsageSet::resolve`), in addition to `resources`.
    pub lookup: Option<Lookup>,
}

/// What a grant waits for: a resource this record names only partially.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Lookup {
    /// Map-authored patterns for one named resource that AWS completes (a secret's random suffix, an IAM
    /// path). An ARN of the principal's records that one of them matches replaces them all; without
    /// one, they are the grant.
    pub narrow: Vec<String>,
    /// `(link, key)`: the resources another record linked to `key` (a query execution's work group).
    pub links: Vec<(String, String)>,
    /// Why `narrow` has a wildcard, reported when no record resolves it (`wildcard-segment`).
    pub why: String,
}

/// What a record tells about a resource that other records name only partially.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reveal {
    pub link: String,
    pub key: String,
    pub arn: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Grants(Vec<MappedGrant>),
    NoPermission(String),
    Internal(String),
    /// A console page action: no API call of its own, so no permission can be derived from it.
    Console(String),
    Unmapped(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub outcome: Outcome,
    pub entry: Option<EntryRef>,
    pub note: Option<String>,
    /// Links this record makes between a key and a resource, for other records' lookups.
    pub reveals: Vec<Reveal>,
}

pub struct Mapper {
    registry: &'static Registry,
}

impl Default for Mapper {
    fn default() -> Self {
        Mapper {
            registry: Registry::embedded(),
        }
    }
}

impl Mapper {
    pub fn registry(&self) -> &'static Registry {
        self.registry
    }

    /// Maps one record: its request, response, additional data and `resources[]` feed the rules.
    pub fn map_record(&self, record: &Record) -> Mapping {
        let unreadable = |e: &dyn fmt::Display| Mapping {
            outcome: Outcome::Unmapped(format!(
                "the record's request or response cannot be read: {e}"
            )),
            entry: None,
            note: None,
            reveals: Vec::new(),
        };
        let request = match record
            .request_parameters
            .map(|r| serde_json::from_str::<Value>(r.get()))
            .transpose()
        {
            Ok(request) => request,
            Err(e) => return unreadable(&e),
        };
        let response = record.response_elements.map(Body::new);
        let additional = record.additional_event_data.map(Body::new);
        let resources: Vec<(String, String)> = record
            .resources
            .iter()
            .flatten()
            .filter_map(|entry| entry.resource())
            .filter_map(|r| {
                Some((
                    r.kind.as_deref()?.to_string(),
                    r.arn.as_deref()?.to_string(),
                ))
            })
            .collect();
        let ctx = Context {
            request: request.as_ref(),
            response: response.as_ref(),
            additional: additional.as_ref(),
            resources: &resources,
            partition: record.partition(),
            region: record.region(),
            account: record.account(),
            caller: caller(record),
        };
        let mapping = self.map(record.source(), record.name(), &ctx);
        // A body that a rule read but could not be parsed makes the mapping unreliable.
        let failed = [&response, &additional]
            .into_iter()
            .flatten()
            .find_map(|body| body.error());
        if let Some(e) = failed {
            return unreadable(&e);
        }
        match mapping.outcome {
            // The console writes page actions of its own (billing console settings, support console
            // pages): no rule or catalogue action matches them, and they are not API calls to allow.
            Outcome::Unmapped(_) if record.event_type.as_deref() == Some("AwsConsoleAction") => {
                Mapping {
                    outcome: Outcome::Console(format!(
                        "`{}` is a console page action (eventType AwsConsoleAction) that is no API call and no catalogue action: nothing to allow",
                        record.name()
                    )),
                    ..mapping
                }
            }
            _ => mapping,
        }
    }

    /// Maps one call. `ctx` holds the record's request, response, resources and location.
    pub fn map(&self, event_source: &str, event_name: &str, ctx: &Context) -> Mapping {
        let unmapped = |why: String| Mapping {
            outcome: Outcome::Unmapped(why),
            entry: None,
            note: None,
            reveals: Vec::new(),
        };
        let Some(prefix) = self.registry.prefix_for_source(event_source) else {
            return unmapped(format!(
                "no service map knows the event source `{event_source}`"
            ));
        };
        let service = match self.registry.service(prefix) {
            Some(Ok(service)) => service,
            Some(Err(e)) => return unmapped(e.to_string()),
            None => {
                return unmapped(format!(
                    "`{event_source}` maps to `{prefix}`, which has no service map"
                ))
            }
        };
        let Some((key, rule)) = service.rule(event_name) else {
            if let Some(action) = service.action_named(event_name) {
                return fallback::catalogue_match(&service, action, ctx);
            }
            if event_name.starts_with("https://") {
                return Mapping {
                    outcome: Outcome::Console(
                        "an AWS access portal page request (its eventName is the page URL), made with a portal session, not IAM credentials".into(),
                    ),
                    entry: None,
                    note: None,
                    reveals: Vec::new(),
                };
            }
            return unmapped(format!(
                "service-maps/{prefix}.json has no rule for `{event_name}`, and `{prefix}` has no action of that name"
            ));
        };
        let entry = Some(EntryRef {
            prefix: prefix.to_string(),
            event: key.to_string(),
            catalogue_match: false,
        });
        let note = rule.note.clone();
        let reveals = rule
            .reveals
            .iter()
            .flat_map(|r| grant::reveal(r, &service.resource_types, ctx))
            .collect();
        let outcome = match &rule.kind {
            RuleKind::None(why) => Outcome::NoPermission(why.clone()),
            RuleKind::Internal(why) => Outcome::Internal(why.clone()),
            RuleKind::Console(why) => Outcome::Console(why.clone()),
            RuleKind::Grants(grants) => {
                let mut mapped = Vec::new();
                for grant in grants {
                    if grant.when.as_ref().is_none_or(|w| holds(w, ctx)) {
                        match grant::apply(self.registry, grant, ctx) {
                            Ok(g) => mapped.push(g),
                            Err(why) => {
                                return Mapping {
                                    outcome: Outcome::Unmapped(why),
                                    entry,
                                    note,
                                    reveals,
                                }
                            }
                        }
                    }
                }
                // Empty when every grant depends on request content this record lacks: the
                // collector reports that as `unsound-result`, never as "mapped".
                Outcome::Grants(mapped)
            }
        };
        Mapping {
            outcome,
            entry,
            note,
            reveals,
        }
    }
}

fn caller<'a>(record: &'a Record) -> Caller<'a> {
    let identity = record.user_identity.as_ref();
    Caller {
        kind: record.identity_type(),
        arn: identity.and_then(|u| u.arn.as_deref()).unwrap_or(""),
        issuer: identity
            .and_then(|u| u.session_context.as_ref())
            .and_then(|s| s.session_issuer.as_ref())
            .and_then(|i| i.arn.as_deref())
            .unwrap_or(""),
    }
}

fn holds(condition: &Condition, ctx: &Context) -> bool {
    match condition {
        Condition::Exists(e) => present(e, ctx),
        Condition::Absent(e) => !present(e, ctx),
        Condition::Matches(e, re) => re
            .get()
            .is_some_and(|re| e.values(ctx).iter().any(|v| re.is_match(v))),
        Condition::All(list) => list.iter().all(|c| holds(c, ctx)),
    }
}

fn present(expr: &Expr, ctx: &Context) -> bool {
    expr.has_values(ctx)
        || !expr.has_pattern()
            && expr.nodes(ctx).iter().any(|v| match v {
                serde_json::Value::Object(o) => !o.is_empty(),
                serde_json::Value::Array(a) => !a.is_empty(),
                serde_json::Value::String(s) => !s.is_empty(),
                _ => true,
            })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_of_a_broken_map_is_unmapped_and_says_why() {
        let registry = Box::leak(Box::new(Registry::load(
            "{\"s3.amazonaws.com\": \"s3\"}",
            &[("s3", "{\"prefix\": \"s3\", \"name\": ")],
        )));
        let mapper = Mapper { registry };
        let request = serde_json::json!({"bucketName": "b"});
        let ctx = Context {
            request: Some(&request),
            response: None,
            additional: None,
            resources: &[],
            partition: "aws",
            region: "us-east-1",
            account: "111122223333",
            caller: Caller::default(),
        };
        let mapping = mapper.map("s3.amazonaws.com", "ListObjects", &ctx);
        match mapping.outcome {
            Outcome::Unmapped(why) => {
                assert!(why.starts_with("service-maps/s3.json is broken: "), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }
}
