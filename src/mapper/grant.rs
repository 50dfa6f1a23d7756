//! One grant rule of a map, applied to one record: the action, the resources its rules bind (or what they
//! wait for), the condition facts and the tags the request sets.

use super::catalogue::{
    FactValue, GrantRule, Registry, ResourceRule, RevealRule, Service, Template,
};
use super::expr::{first_alternative, Context};
use super::service_map::ResourceTypeDef;
use super::template::{arn_format, fill, placeholders, CONTEXT_PLACEHOLDERS};
use super::{Lookup, MappedGrant, Reveal, Wildcard};
use crate::glob::{escape_value, has_wildcard};
use crate::policy::resource_matches;
use serde_json::Value;
use std::collections::BTreeMap;

/// The grant a rule gives for one record; `Err` when the map itself is wrong (an unknown action or type).
pub(super) fn apply(
    registry: &Registry,
    grant: &GrantRule,
    ctx: &Context,
) -> Result<MappedGrant, String> {
    let Some((target, name)) = registry.canonical_action(&grant.action) else {
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
            FactValue::Text(text) => Some((k.clone(), ctx.fill(text))),
            FactValue::Expr(expr) => expr.values(ctx).into_iter().next().map(|x| (k.clone(), x)),
        })
        .collect();
    // The tags a creating request carries, for `--condition tags`: on actions whose catalogue lists
    // `aws:RequestTag/${TagKey}`, and on every action of a service whose facts say so (EC2 lists the key on
    // resource types rather than actions).
    let takes_tags = target
        .facts
        .request_tags
        .as_ref()
        .is_some_and(|tags| tags.every_action)
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
    types: &BTreeMap<String, ResourceTypeDef>,
    ctx: &Context,
) -> Result<Bound, String> {
    match rule {
        ResourceRule::Arn { arn, .. } => {
            // A literal ARN is the map's own text: `${Partition}` and friends come from the event.
            let found: Vec<String> = match first_alternative(arn, ctx) {
                Some((values, expr)) if expr.is_literal() => {
                    values.iter().map(|v| ctx.fill(v)).collect()
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
        ResourceRule::Typed {
            kind,
            bind,
            template,
            ..
        } => {
            let template = template.get_or_init(|| {
                let format = arn_format(&types.get(kind)?.arn, bind).to_string();
                let placeholders = placeholders(&format)
                    .into_iter()
                    .map(String::from)
                    .collect();
                Some(Template {
                    format,
                    placeholders,
                })
            });
            let Some(Template {
                format: template,
                placeholders,
            }) = template
            else {
                return Err(format!("no resource type `{kind}`"));
            };
            let mut values = Vec::new();
            let mut wildcard = None;
            for placeholder in placeholders.iter().map(String::as_str) {
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
pub(super) fn reveal(
    rule: &RevealRule,
    types: &BTreeMap<String, ResourceTypeDef>,
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

fn context_value<'a>(placeholder: &str, ctx: &Context<'a>) -> Option<&'a str> {
    let value = match placeholder {
        p if p == CONTEXT_PLACEHOLDERS[0] => ctx.partition,
        p if p == CONTEXT_PLACEHOLDERS[1] => ctx.region,
        p if p == CONTEXT_PLACEHOLDERS[2] => ctx.account,
        _ => return None,
    };
    (!value.is_empty()).then_some(value)
}

/// The tags a request sets: `tags` as a map or a list of `{key, value}` (CloudFormation, DynamoDB, Lambda,
/// ECS), EC2's `tagSpecificationSet.items[].tags[]` and `tagSet.items[]`.
fn request_tags(request: Option<&Value>) -> BTreeMap<String, String> {
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
