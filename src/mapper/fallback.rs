//! The catalogue name match: an event no rule covers whose name is an action of its service.

use super::catalogue::Service;
use super::expr::{descendants, Context};
use super::{EntryRef, MappedGrant, Mapping, Outcome, Wildcard};
use crate::action::Action;
use crate::arn::Arn;
use crate::glob::escape_value;
use serde_json::Value;
use std::collections::BTreeMap;

/// The mapping of an event no rule covers whose name is an action of its service: that action, on the
/// ARNs of its resource types that the request or `resources[]` names (else `*`, reported), plus the
/// dependent actions the request shows it needs: `iam:PassRole` on each role ARN it passes, and the
/// service's tagging action when it carries tags.
pub(super) fn catalogue_match(service: &Service, action: &str, ctx: &Context) -> Mapping {
    let prefix = &service.prefix;
    let entry = EntryRef {
        prefix: prefix.clone(),
        event: action.to_string(),
        catalogue_match: true,
    };
    let mut arns: Vec<&str> = ctx.resources.iter().map(|(_, arn)| arn.as_str()).collect();
    let mut nested = Vec::new();
    if let Some(request) = ctx.request {
        descendants(request, &mut nested);
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
        if let Some(name) = Action::parse(dependent)
            .filter(|d| d.prefix() == prefix)
            .map(|d| d.name())
        {
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
    Arn::parse(value).is_some_and(|arn| {
        arn.partition().starts_with("aws")
            && arn.service() == "iam"
            && arn.region().is_empty()
            && arn.account().len() == 12
            && arn.account().bytes().all(|b| b.is_ascii_digit())
            && arn
                .resource()
                .strip_prefix("role/")
                .is_some_and(|name| !name.is_empty())
    })
}
