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
        let mapping = self.map(record.source(), record.name(), &ctx);
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
            Some(Err(e)) => return unmapped(format!("service-maps/{prefix}.json is broken: {e}")),
            None => {
                return unmapped(format!(
                    "`{event_source}` maps to `{prefix}`, which has no service map"
                ))
            }
        };
        let Some((key, rule)) = service.rule(event_name) else {
            if let Some(action) = service.action_named(event_name) {
                return catalogue_match(&service, action, ctx);
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
            .flat_map(|r| reveal(r, &service.resource_types, ctx))
            .collect();
        let outcome = match &rule.kind {
            RuleKind::None(why) => Outcome::NoPermission(why.clone()),
            RuleKind::Internal(why) => Outcome::Internal(why.clone()),
            RuleKind::Console(why) => Outcome::Console(why.clone()),
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

    fn apply(&self, grant: &GrantRule, ctx: &Context) -> Result<MappedGrant, String> {
        let Some((target, name)) = self.registry.canonical_action(&grant.action) else {
            return Err(format!(
                "the map names `{}`, which is not in the IAM catalogue",
                grant.action
            ));
        };
        let action = format!("{}:{name}", target.prefix);
        // A fact read from the record and absent there is left out: the emitter then adds no condition.
        let mut facts: BTreeMap<String, String> = grant
            .facts
            .iter()
            .filter_map(|(k, v)| match v {
                FactValue::Text(text) => Some((k.clone(), fill_context(text, ctx))),
                FactValue::Expr(expr) => {
                    expr.values(ctx).into_iter().next().map(|x| (k.clone(), x))
                }
            })
            .collect();
        // The tags a creating request carries, for `--condition tags`. EC2's catalogue lists
        // `aws:RequestTag/${TagKey}` on resource types rather than actions, and every EC2 request with tag
        // specifications supports it (EC2 User Guide, "Grant permission to tag resources during creation").
        let takes_tags = target.prefix == "ec2"
            || target.actions.get(&name).is_some_and(|a| {
                a.condition_keys
                    .iter()
                    .any(|k| k == "aws:RequestTag/${TagKey}")
            });
        if takes_tags {
            for (key, value) in request_tags(ctx.request) {
                facts
                    .entry(format!("aws:RequestTag/{key}"))
                    .or_insert(value);
            }
        }
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
                    let listed: Vec<String> = ctx
                        .resources
                        .iter()
                        .map(|(_, arn)| arn)
                        .filter(|arn| match rule {
                            ResourceRule::Typed { kind, .. } => target.is_arn_of_type(kind, arn),
                            _ => target.resource_of(action, arn),
                        })
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

/// The ARNs a typed or whole-ARN rule gives for one record; `Err` when the map itself is wrong.
fn bind(
    rule: &ResourceRule,
    types: &BTreeMap<String, service_map::ResourceTypeDef>,
    ctx: &Context,
) -> Result<Bound, String> {
    match rule {
        ResourceRule::Arn { arn, .. } => {
            // A literal ARN is the map's own text: `${Partition}` and friends come from the event.
            let found: Vec<String> = match first_alternative(arn, ctx) {
                Some((values, expr)) if expr.is_literal() => {
                    values.iter().map(|v| fill_context(v, ctx)).collect()
                }
                Some((_, expr)) => expr.policy_values(ctx),
                None => Vec::new(),
            }
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
            let template = arn_format(&def.arn, bind);
            let mut values = Vec::new();
            let mut wildcard = None;
            for placeholder in placeholders(template) {
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
                arns: fill(template, &values),
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

/// The tags a request sets: `tags` as a map or a list of `{key, value}` (CloudFormation, DynamoDB, Lambda,
/// ECS), EC2's `tagSpecificationSet.items[].tags[]` and `tagSet.items[]`.
pub fn request_tags(request: Option<&Value>) -> BTreeMap<String, String> {
    fn items(value: &Value) -> Vec<&Value> {
        match value {
            Value::Array(list) => list.iter().collect(),
            Value::Object(object) => match object.get("items") {
                Some(Value::Array(list)) => list.iter().collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
    fn read(tags: &Value, out: &mut BTreeMap<String, String>) {
        match tags {
            Value::Object(map) if !map.contains_key("items") => {
                for (key, value) in map {
                    if let Value::String(value) = value {
                        out.insert(key.clone(), value.clone());
                    }
                }
            }
            _ => {
                for tag in items(tags) {
                    let key = tag.get("key").or_else(|| tag.get("Key"));
                    let value = tag.get("value").or_else(|| tag.get("Value"));
                    if let (Some(Value::String(key)), Some(Value::String(value))) = (key, value) {
                        out.insert(key.clone(), value.clone());
                    }
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    let Some(Value::Object(request)) = request else {
        return out;
    };
    for (field, value) in request {
        match field.as_str() {
            "tagSpecificationSet" | "tagSpecifications" | "TagSpecifications" => {
                for spec in items(value) {
                    if let Some(tags) = spec.get("tags").or_else(|| spec.get("Tags")) {
                        read(tags, &mut out);
                    }
                }
            }
            "tags" | "Tags" | "tagSet" | "tagList" | "TagList" => read(value, &mut out),
            _ => {}
        }
    }
    out
}

/// The ARN format of a resource type that a rule fills: a type can have several (API Gateway's `Stage` is
/// `/restapis/${RestApiId}/stages/${StageName}` for REST APIs and `/apis/${ApiId}/stages/${StageName}` for HTTP
/// APIs), and the rule binds the placeholders of the one the call acts on.
pub(crate) fn arn_format<'a, T>(arn: &'a str, bind: &[(String, T)]) -> &'a str {
    let bound = |format: &str| {
        placeholders(format)
            .iter()
            .all(|p| CONTEXT_PLACEHOLDERS.contains(p) || bind.iter().any(|(n, _)| n == p))
    };
    arn.split(", ").find(|format| bound(format)).unwrap_or(arn)
}

/// The mapping of an event no rule covers whose name is an action of its service: that action, on the
/// ARNs of its resource types that the request or `resources[]` names (else `*`, reported), plus the
/// dependent actions the request shows it needs: `iam:PassRole` on each role ARN it passes, and the
/// service's tagging action when it carries tags.
fn catalogue_match(service: &Service, action: &str, ctx: &Context) -> Mapping {
    let prefix = &service.prefix;
    let entry = EntryRef {
        prefix: prefix.clone(),
        event: action.to_string(),
        catalogue_match: true,
    };
    let mut arns: Vec<&str> = ctx.resources.iter().map(|(_, arn)| arn.as_str()).collect();
    let mut nested = Vec::new();
    if let Some(request) = ctx.request {
        arn::descendants(request, &mut nested);
    }
    arns.extend(nested.iter().filter_map(|v| v.as_str()));
    let on_types = |name: &str| -> MappedGrant {
        let full = format!("{prefix}:{name}");
        if !service.supports_resources(name) {
            return MappedGrant {
                action: full,
                resources: vec!["*".into()],
                facts: BTreeMap::new(),
                wildcard: Some(Wildcard::StarOnly),
                lookup: None,
            };
        }
        let mut bound: Vec<String> = arns
            .iter()
            .filter(|arn| service.resource_of(name, arn))
            .map(|arn| escape_value(arn))
            .collect();
        bound.sort();
        bound.dedup();
        let wildcard = bound.is_empty().then(|| {
            Wildcard::Unbound(
                "catalogue name match: the record names no ARN of the action's resource types"
                    .into(),
            )
        });
        MappedGrant {
            action: full,
            resources: if bound.is_empty() {
                vec!["*".into()]
            } else {
                bound
            },
            facts: BTreeMap::new(),
            wildcard,
            lookup: None,
        }
    };
    let mut grants = vec![on_types(action)];
    let def = &service.actions[action];
    let tagged = ctx
        .request
        .and_then(Value::as_object)
        .is_some_and(|members| {
            members.iter().any(|(key, value)| {
                TAG_MEMBERS.contains(&key.to_ascii_lowercase().as_str())
                    && !matches!(value, Value::Null)
                    && value.as_array().is_none_or(|a| !a.is_empty())
                    && value.as_object().is_none_or(|o| !o.is_empty())
            })
        });
    // A role passed to the service: any role ARN of the request when the catalogue lists iam:PassRole as
    // a dependent action, else (for a write) the role ARN of a member named like a role (`roleArn`).
    let passes = def.dependent.iter().any(|d| d == "iam:PassRole");
    let mut roles: Vec<String> = if passes {
        arns.iter()
            .filter(|arn| is_role_arn(arn))
            .map(|arn| escape_value(arn))
            .collect()
    } else if matches!(def.access.as_str(), "Write" | "Permissions management") {
        let mut found = Vec::new();
        if let Some(request) = ctx.request {
            role_members(request, &mut found);
        }
        found.into_iter().map(escape_value).collect()
    } else {
        Vec::new()
    };
    roles.sort();
    roles.dedup();
    if !roles.is_empty() {
        grants.push(MappedGrant {
            action: "iam:PassRole".into(),
            resources: roles,
            facts: BTreeMap::new(),
            wildcard: None,
            lookup: None,
        });
    }
    for dependent in &def.dependent {
        if let Some(name) = dependent.strip_prefix(&format!("{prefix}:")) {
            let tagging = service
                .actions
                .get(name)
                .is_some_and(|d| d.access == "Tagging");
            if tagging && tagged {
                grants.push(on_types(name));
            }
        }
    }
    Mapping {
        outcome: Outcome::Grants(grants),
        entry: Some(entry),
        note: Some(format!(
            "no rule covers this event; `{prefix}:{action}` is the catalogue action of that name"
        )),
        reveals: Vec::new(),
    }
}

/// Top-level request members that carry tags for the resource a call creates (lower-case).
const TAG_MEMBERS: [&str; 4] = ["tags", "taglist", "tagspecifications", "resourcetags"];

/// Role ARNs held by members whose name ends in `role` or `rolearn` (any case), at any depth.
fn role_members<'v>(node: &'v Value, out: &mut Vec<&'v str>) {
    let children: Box<dyn Iterator<Item = (Option<&String>, &'v Value)>> = match node {
        Value::Object(members) => Box::new(members.iter().map(|(k, v)| (Some(k), v))),
        Value::Array(items) => Box::new(items.iter().map(|v| (None, v))),
        _ => return,
    };
    for (key, value) in children {
        let named = key.is_some_and(|k| {
            let k = k.to_ascii_lowercase();
            k.ends_with("role") || k.ends_with("rolearn")
        });
        match value {
            Value::String(text) if named && is_role_arn(text) => out.push(text),
            _ => role_members(value, out),
        }
    }
}

fn is_role_arn(value: &str) -> bool {
    let mut parts = value.splitn(6, ':');
    parts.next() == Some("arn")
        && parts.next().is_some_and(|p| p.starts_with("aws"))
        && parts.next() == Some("iam")
        && parts.next() == Some("")
        && parts
            .next()
            .is_some_and(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        && parts
            .next()
            .is_some_and(|r| r.strip_prefix("role/").is_some_and(|n| !n.is_empty()))
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
    use super::arn_format;

    #[test]
    fn a_type_with_several_arn_formats_fills_the_one_its_bindings_complete() {
        let stage = "arn:${Partition}:apigateway:${Region}::/apis/${ApiId}/stages/${StageName}, arn:${Partition}:apigateway:${Region}::/restapis/${RestApiId}/stages/${StageName}";
        let rest = [("RestApiId".to_string(), ()), ("StageName".to_string(), ())];
        assert_eq!(
            arn_format(stage, &rest),
            "arn:${Partition}:apigateway:${Region}::/restapis/${RestApiId}/stages/${StageName}"
        );
        let http = [("ApiId".to_string(), ()), ("StageName".to_string(), ())];
        assert!(arn_format(stage, &http).contains("/apis/${ApiId}/"));
        let one = "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}";
        assert_eq!(arn_format(one, &[] as &[(String, ())]), one);
    }
}
