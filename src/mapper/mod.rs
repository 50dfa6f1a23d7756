//! Pure mapping: one CloudTrail call in, the IAM actions and resource ARNs it needed out.
//! All knowledge lives in `service-maps/`; this module only evaluates it.

pub mod arn;
pub mod catalogue;
pub mod expand;
pub mod service_map;

use crate::event::Record;
use crate::glob::has_wildcard;
use crate::policy::resource_matches;
use arn::{escape_value, fill, fill_context, first_alternative, placeholders, Caller, Context};
use catalogue::{
    Condition, FactValue, GrantRule, Registry, ResourceRule, RevealRule, RuleKind, Service,
    CONTEXT_PLACEHOLDERS,
};
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// Which map entry produced a mapping: shown by `--explain` and `maps explain`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryRef {
    pub prefix: String,
    pub event: String,
}

impl fmt::Display for EntryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "service-maps/{}.json events.{}", self.prefix, self.event)
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
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
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
        let parse = |raw: Option<&RawValue>| {
            raw.map(|r| serde_json::from_str::<Value>(r.get()))
                .transpose()
        };
        let (request, response, additional) = match (
            parse(record.request_parameters),
            parse(record.response_elements),
            parse(record.additional_event_data),
        ) {
            (Ok(request), Ok(response), Ok(additional)) => (request, response, additional),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                let why = format!("the record's request or response cannot be read: {e}");
                return Mapping {
                    outcome: Outcome::Unmapped(why),
                    entry: None,
                    note: None,
                    reveals: Vec::new(),
                };
            }
        };
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
        self.map(record.source(), record.name(), &ctx)
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
            Some(Err(e)) => return unmapped(format!("service-maps/{prefix}.json is broken: {e}")),
            None => {
                return unmapped(format!(
                    "`{event_source}` maps to `{prefix}`, which has no service map"
                ))
            }
        };
        let Some((key, rule)) = service.rule(event_name) else {
            return unmapped(format!(
                "service-maps/{prefix}.json has no rule for `{event_name}`"
            ));
        };
        let entry = Some(EntryRef {
            prefix: prefix.to_string(),
            event: key.to_string(),
        });
        let note = rule.note.clone();
        let reveals = rule
            .reveals
            .iter()
            .flat_map(|r| reveal(r, &service.resource_types, ctx))
            .collect();
        let outcome = match &rule.kind {
            RuleKind::None(why) => Outcome::NoPermission(why.clone()),
            RuleKind::Internal(why) => Outcome::Internal(why.clone()),
            RuleKind::Grants(grants) => {
                let mut mapped = Vec::new();
                for grant in grants {
                    if grant.when.as_ref().is_none_or(|w| holds(w, ctx)) {
                        match self.apply(grant, ctx) {
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

    fn apply(&self, grant: &GrantRule, ctx: &Context) -> Result<MappedGrant, String> {
        let Some((target, name)) = self.registry.canonical_action(&grant.action) else {
            return Err(format!(
                "the map names `{}`, which is not in the IAM catalogue",
                grant.action
            ));
        };
        let action = format!("{}:{name}", target.prefix);
        // A fact read from the record and absent there is left out: the emitter then adds no condition.
        let facts = grant
            .facts
            .iter()
            .filter_map(|(k, v)| match v {
                FactValue::Text(text) => Some((k.clone(), fill_context(text, ctx))),
                FactValue::Expr(expr) => {
                    expr.values(ctx).into_iter().next().map(|x| (k.clone(), x))
                }
            })
            .collect();
        let star = |wildcard| MappedGrant {
            action: action.clone(),
            resources: vec!["*".into()],
            facts: BTreeMap::new(),
            wildcard: Some(wildcard),
            lookup: None,
        };
        if !target.supports_resources(&name) {
            return Ok(MappedGrant {
                facts,
                ..star(Wildcard::StarOnly)
            });
        }
        if grant.resources.is_empty() {
            return Ok(MappedGrant {
                facts,
                ..star(Wildcard::Unbound(
                    "the map binds no resource for this call".into(),
                ))
            });
        }
        let mut arns = Vec::new();
        let mut narrow = Vec::new();
        let mut links = Vec::new();
        let mut segment = None;
        let mut narrow_why = None;
        for resource in &grant.resources {
            match take(resource, &target, &name, ctx)? {
                Taken::Arns {
                    arns: found,
                    wildcard,
                    narrow: true,
                } => {
                    narrow_why = narrow_why.or(wildcard);
                    narrow.extend(found);
                }
                Taken::Arns {
                    arns: found,
                    wildcard,
                    narrow: false,
                } => {
                    segment = wildcard.map(Wildcard::Segment).or(segment);
                    arns.extend(found);
                }
                Taken::Links(found) => links.extend(found),
                Taken::Unbound(why) => {
                    return Ok(MappedGrant {
                        facts,
                        ..star(Wildcard::Unbound(why))
                    })
                }
            }
        }
        narrow.sort();
        narrow.dedup();
        // Patterns without a wildcard are already exact, and the caller's own ARN settles a pattern at
        // once: neither waits for other records.
        if narrow.iter().all(|p| !has_wildcard(p)) {
            arns.append(&mut narrow);
        } else if let Some(own) = [ctx.caller.issuer, ctx.caller.arn]
            .into_iter()
            .find(|own| narrow.iter().any(|p| resource_matches(p, own)))
        {
            arns.push(escape_value(own));
            narrow.clear();
        }
        arns.sort();
        arns.dedup();
        let lookup = (!narrow.is_empty() || !links.is_empty()).then(|| Lookup {
            narrow,
            links,
            why: narrow_why.unwrap_or_default(),
        });
        Ok(MappedGrant {
            action,
            resources: arns,
            facts,
            wildcard: segment,
            lookup,
        })
    }
}

/// What a resource rule gave for one record.
enum Bound {
    /// ARNs (escaped where they come from the record), and why a map-authored wildcard is in them.
    Arns {
        arns: Vec<String>,
        wildcard: Option<String>,
    },
    /// Why the record does not give the resource.
    Unbound(String),
}

/// What one resource rule of a grant took from the record.
enum Taken {
    Arns {
        arns: Vec<String>,
        wildcard: Option<String>,
        narrow: bool,
    },
    /// `(link, key)` pairs to look up once every record is read.
    Links(Vec<(String, String)>),
    Unbound(String),
}

/// What one resource rule gives for a record; `action` is the name of the grant's action in `target`.
fn take(
    rule: &ResourceRule,
    target: &Service,
    action: &str,
    ctx: &Context,
) -> Result<Taken, String> {
    let types = &target.resource_types;
    Ok(match rule {
        ResourceRule::Link { link, key } => {
            let keys = first_alternative(key, ctx)
                .map(|(values, _)| values)
                .unwrap_or_default();
            if keys.is_empty() {
                Taken::Unbound(format!("the record gives no key for the `{link}` link"))
            } else {
                Taken::Links(keys.into_iter().map(|k| (link.clone(), k)).collect())
            }
        }
        ResourceRule::First(options) => {
            let mut last = Taken::Unbound("the map lists no alternative".into());
            for option in options {
                last = take(option, target, action, ctx)?;
                if !matches!(last, Taken::Unbound(_)) {
                    break;
                }
            }
            last
        }
        ResourceRule::Typed { narrow, .. } | ResourceRule::Arn { narrow, .. } => {
            match bind(rule, types, ctx)? {
                Bound::Arns { arns, wildcard } => Taken::Arns {
                    arns,
                    wildcard,
                    narrow: *narrow,
                },
                Bound::Unbound(why) => {
                    // The request may not name what `resources[]` does (a stream behind a shard iterator):
                    // an ARN there of the rule's type, or of one of the action's types, is the resource.
                    let own: Vec<&str> = match rule {
                        ResourceRule::Typed { kind, .. } => types
                            .get(kind)
                            .map(|def| def.arn.as_str())
                            .into_iter()
                            .collect(),
                        _ => target.actions[action]
                            .resources
                            .iter()
                            .filter_map(|r| types.get(&r.kind))
                            .map(|def| def.arn.as_str())
                            .collect(),
                    };
                    let listed: Vec<String> = ctx
                        .resources
                        .iter()
                        .map(|(_, arn)| arn)
                        .filter(|arn| own.iter().any(|t| template_matches(t, arn)))
                        .map(|arn| escape_value(arn))
                        .collect();
                    if listed.is_empty() {
                        Taken::Unbound(why)
                    } else {
                        Taken::Arns {
                            arns: listed,
                            wildcard: None,
                            narrow: false,
                        }
                    }
                }
            }
        }
    })
}

/// Whether an ARN has the shape of a catalogue ARN template: its text between placeholders, and for each
/// placeholder a name without `:` or `/` (the partition, region and account may be empty).
fn template_matches(template: &str, arn: &str) -> bool {
    let mut rest = arn;
    let mut literal_rest = template;
    loop {
        let Some(start) = literal_rest.find("${") else {
            return rest == literal_rest;
        };
        let Some(stripped) = rest.strip_prefix(&literal_rest[..start]) else {
            return false;
        };
        let after = &literal_rest[start + 2..];
        let Some(end) = after.find('}') else {
            return false;
        };
        let may_be_empty = CONTEXT_PLACEHOLDERS.contains(&&after[..end]);
        let taken = stripped.find([':', '/']).unwrap_or(stripped.len());
        if taken == 0 && !may_be_empty {
            return false;
        }
        rest = &stripped[taken..];
        literal_rest = &after[end + 1..];
    }
}

/// The ARNs a typed or whole-ARN rule gives for one record; `Err` when the map itself is wrong.
fn bind(
    rule: &ResourceRule,
    types: &BTreeMap<String, service_map::ResourceTypeDef>,
    ctx: &Context,
) -> Result<Bound, String> {
    match rule {
        ResourceRule::Arn { arn, .. } => {
            let found: Vec<String> = first_alternative(arn, ctx)
                .map(|(_, expr)| expr.policy_values(ctx))
                .unwrap_or_default()
                .into_iter()
                .filter(|v| v.starts_with("arn:"))
                .collect();
            if found.is_empty() {
                return Ok(Bound::Unbound("the record has no resource ARN".into()));
            }
            Ok(Bound::Arns {
                arns: found,
                wildcard: None,
            })
        }
        ResourceRule::Typed { kind, bind, .. } => {
            let Some(def) = types.get(kind) else {
                return Err(format!("no resource type `{kind}`"));
            };
            let mut values = Vec::new();
            let mut wildcard = None;
            for placeholder in placeholders(&def.arn) {
                let bound = match bind.iter().find(|(n, _)| n == placeholder) {
                    Some((_, alternatives)) => match first_alternative(alternatives, ctx) {
                        Some((_, expr)) => {
                            if let Some(text) = expr.deliberate_wildcard() {
                                wildcard = Some(format!(
                                    "the map writes `${{{placeholder}}}` of `{kind}` with `{text}`, for what the record does not carry (`maps explain` says why)"
                                ));
                            }
                            expr.policy_values(ctx)
                        }
                        None => Vec::new(),
                    },
                    None => context_value(placeholder, ctx)
                        .map(|v| vec![escape_value(v)])
                        .unwrap_or_default(),
                };
                if bound.is_empty() {
                    let why =
                        format!("the record gives no `{placeholder}` for resource type `{kind}`");
                    return Ok(Bound::Unbound(why));
                }
                values.push((placeholder, bound));
            }
            Ok(Bound::Arns {
                arns: fill(&def.arn, &values),
                wildcard,
            })
        }
        ResourceRule::Link { .. } | ResourceRule::First(_) => {
            Err("only a typed or whole-ARN resource is bound from one record".into())
        }
    }
}

/// The links a record makes: every value of the key to every ARN of the target.
fn reveal(
    rule: &RevealRule,
    types: &BTreeMap<String, service_map::ResourceTypeDef>,
    ctx: &Context,
) -> Vec<Reveal> {
    let keys = first_alternative(&rule.key, ctx)
        .map(|(values, _)| values)
        .unwrap_or_default();
    let arns = match bind(&rule.to, types, ctx) {
        Ok(Bound::Arns {
            arns,
            wildcard: None,
        }) => arns,
        _ => return Vec::new(),
    };
    keys.iter()
        .flat_map(|key| {
            arns.iter().map(|arn| Reveal {
                link: rule.link.clone(),
                key: key.clone(),
                arn: arn.clone(),
            })
        })
        .collect()
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

fn context_value<'a>(placeholder: &str, ctx: &Context<'a>) -> Option<&'a str> {
    let value = match placeholder {
        p if p == CONTEXT_PLACEHOLDERS[0] => ctx.partition,
        p if p == CONTEXT_PLACEHOLDERS[1] => ctx.region,
        p if p == CONTEXT_PLACEHOLDERS[2] => ctx.account,
        _ => return None,
    };
    (!value.is_empty()).then_some(value)
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

fn present(expr: &arn::Expr, ctx: &Context) -> bool {
    !expr.values(ctx).is_empty()
        || expr.nodes(ctx).iter().any(|v| match v {
            serde_json::Value::Object(o) => !o.is_empty(),
            serde_json::Value::Array(a) => !a.is_empty(),
            serde_json::Value::String(s) => !s.is_empty(),
            _ => true,
        })
}

#[cfg(test)]
mod tests {
    use super::template_matches;

    #[test]
    fn arns_of_a_resource_type() {
        let stream = "arn:${Partition}:kinesis:${Region}:${Account}:stream/${StreamName}";
        assert!(template_matches(
            stream,
            "arn:aws:kinesis:us-east-1:111122223333:stream/clicks"
        ));
        assert!(!template_matches(
            stream,
            "arn:aws:kinesis:us-east-1:111122223333:stream/clicks/consumer/c:1"
        ));
        assert!(!template_matches(
            stream,
            "arn:aws:kinesis:us-east-1:111122223333:stream/"
        ));
        assert!(!template_matches(
            stream,
            "arn:aws:sqs:us-east-1:111122223333:clicks"
        ));
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        assert!(template_matches(bucket, "arn:aws:s3:::artifacts"));
        assert!(!template_matches(bucket, "arn:aws:s3:::artifacts/key"));
    }
}
