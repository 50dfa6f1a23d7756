//! The integrity check of a service's rules against the whole catalogue: every action exists as the
//! catalogue writes it, every typed resource is one the action supports, with each placeholder bound. The
//! map test runs it over every embedded map.

use super::super::template::{arn_format, placeholders, CONTEXT_PLACEHOLDERS};
use super::{Registry, ResourceRule, RuleKind, Service};

/// Integrity problems of one service's rules against the whole catalogue (empty when sound).
pub fn check_service(registry: &Registry, service: &Service) -> Vec<String> {
    let mut problems: Vec<String> = service
        .regexes
        .iter()
        .filter_map(|re| re.check().err())
        .map(|e| format!("{}: {e}", service.prefix))
        .collect();
    for (event, rule) in &service.events {
        let RuleKind::Grants(grants) = &rule.kind else {
            continue;
        };
        if grants.is_empty() {
            problems.push(format!(
                "{}: event `{event}` has no grants (use `none` or `internal`)",
                service.prefix
            ));
        }
        for grant in grants {
            let Some((target, name)) = registry.canonical_action(&grant.action) else {
                problems.push(format!(
                    "{}: event `{event}` names unknown action `{}`",
                    service.prefix, grant.action
                ));
                continue;
            };
            if format!("{}:{name}", target.prefix) != grant.action {
                problems.push(format!(
                    "{}: event `{event}`: write `{}:{name}`, not `{}`",
                    service.prefix, target.prefix, grant.action
                ));
            }
            let supported: Vec<&str> = target.actions[&name]
                .resources
                .iter()
                .map(|r| r.kind.as_str())
                .collect();
            let mut typed = Vec::new();
            for resource in &grant.resources {
                flatten(resource, &mut typed);
            }
            for resource in typed {
                let ResourceRule::Typed { kind, .. } = resource else {
                    continue;
                };
                if !supported.contains(&kind.as_str()) {
                    problems.push(format!(
                        "{}: event `{event}`: `{}` does not support resource type `{kind}`",
                        service.prefix, grant.action
                    ));
                    continue;
                }
                problems.extend(check_typed(
                    &target,
                    resource,
                    &format!("{}: event `{event}`: `{}`", service.prefix, grant.action),
                ));
            }
        }
        for reveal in &rule.reveals {
            let what = format!(
                "{}: event `{event}`: reveal `{}`",
                service.prefix, reveal.link
            );
            match &reveal.to {
                ResourceRule::Link { .. } => problems.push(format!("{what} links to another link")),
                typed @ ResourceRule::Typed { .. } => {
                    problems.extend(check_typed(service, typed, &what))
                }
                ResourceRule::Arn { .. } => {}
                ResourceRule::First(_) => problems.push(format!("{what}: use one resource")),
            }
        }
    }
    problems
}

/// A resource and, for `first`, each of its alternatives.
fn flatten<'a>(resource: &'a ResourceRule, out: &mut Vec<&'a ResourceRule>) {
    match resource {
        ResourceRule::First(options) => options.iter().for_each(|o| flatten(o, out)),
        other => out.push(other),
    }
}

/// A typed resource names a resource type of `service` and binds each of its placeholders.
fn check_typed(service: &Service, resource: &ResourceRule, what: &str) -> Vec<String> {
    let ResourceRule::Typed { kind, bind, .. } = resource else {
        return Vec::new();
    };
    let Some(def) = service.resource_types.get(kind) else {
        return vec![format!(
            "{what}: `{}` has no resource type `{kind}`",
            service.prefix
        )];
    };
    let mut problems = Vec::new();
    for placeholder in placeholders(arn_format(&def.arn, bind)) {
        let bound = bind.iter().any(|(n, _)| n == placeholder);
        if !bound && !CONTEXT_PLACEHOLDERS.contains(&placeholder) {
            problems.push(format!(
                "{what} leaves `${{{placeholder}}}` of `{kind}` unbound"
            ));
        }
    }
    for (name, _) in bind {
        if !placeholders(&def.arn).contains(&name.as_str()) {
            problems.push(format!("{what}: `{kind}` has no placeholder `{name}`"));
        }
    }
    problems
}
