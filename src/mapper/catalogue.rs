//! The embedded service maps: the IAM catalogue (actions, resource types, ARN formats) and the event rules,
//! each service parsed and compiled the first time it is needed.

use super::arn::{placeholders, Expr};
use super::service_map::{ActionDef, EventRule, ResourceSpec, ResourceTypeDef, ServiceFile, When};
use regex::Regex;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_maps.rs"));
}

/// Placeholders every ARN template may use without a binding: they come from the event.
pub const CONTEXT_PLACEHOLDERS: [&str; 3] = ["Partition", "Region", "Account"];

/// A service map compiled on first use; the error says what is wrong with its file.
type Compiled = OnceLock<Result<Arc<Service>, String>>;

pub struct Registry {
    sources: HashMap<String, String>,
    services: HashMap<&'static str, (&'static str, Compiled)>,
}

/// One IAM service: its catalogue and compiled event rules.
pub struct Service {
    pub prefix: String,
    pub name: String,
    pub resource_types: BTreeMap<String, ResourceTypeDef>,
    pub actions: BTreeMap<String, ActionDef>,
    by_lowercase: HashMap<String, String>,
    suffixes: Vec<String>,
    events: HashMap<String, Rule>,
}

pub struct Rule {
    pub kind: RuleKind,
    pub note: Option<String>,
}

pub enum RuleKind {
    Grants(Vec<GrantRule>),
    None(String),
    Internal(String),
}

pub struct GrantRule {
    /// `prefix:Name` as the map writes it.
    pub action: String,
    pub when: Option<Condition>,
    pub resources: Vec<ResourceRule>,
    pub facts: BTreeMap<String, String>,
}

pub enum Condition {
    Exists(Expr),
    Absent(Expr),
    Matches(Expr, Regex),
    All(Vec<Condition>),
}

pub enum ResourceRule {
    /// A resource type of the action's service, with an expression list per placeholder.
    Typed {
        kind: String,
        bind: Vec<(String, Vec<Expr>)>,
    },
    /// A whole ARN from the record.
    Arn(Vec<Expr>),
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();

/// The embedded text of one service map.
pub fn embedded_file(prefix: &str) -> Option<(&'static str, &'static str)> {
    embedded::SERVICE_FILES
        .iter()
        .find(|(p, _)| *p == prefix)
        .copied()
}

impl Registry {
    /// The maps compiled into this binary.
    pub fn embedded() -> &'static Registry {
        REGISTRY.get_or_init(|| {
            // The table is checked by the map integrity test; an unparseable one maps nothing rather than panic.
            let sources = serde_json::from_str(embedded::EVENT_SOURCES).unwrap_or_default();
            let services = embedded::SERVICE_FILES
                .iter()
                .map(|&(prefix, text)| (prefix, (text, OnceLock::new())))
                .collect();
            Registry { sources, services }
        })
    }

    pub fn prefix_for_source(&self, event_source: &str) -> Option<&str> {
        self.sources.get(event_source).map(String::as_str)
    }

    pub fn event_sources(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sources.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn prefixes(&self) -> Vec<&'static str> {
        let mut prefixes: Vec<&'static str> = self.services.keys().copied().collect();
        prefixes.sort_unstable();
        prefixes
    }

    /// The service of an IAM prefix (case-insensitive), compiled on first use.
    pub fn service(&self, prefix: &str) -> Option<Result<Arc<Service>, String>> {
        let key = prefix.to_ascii_lowercase();
        let (text, cell) = self.services.get(key.as_str())?;
        Some(
            cell.get_or_init(|| Service::compile(text).map(Arc::new))
                .clone(),
        )
    }

    /// The canonical `prefix:Name` of an action, if the catalogue has it (names compare case-insensitively).
    pub fn canonical_action(&self, action: &str) -> Option<(Arc<Service>, String)> {
        let (prefix, name) = action.split_once(':')?;
        let service = self.service(prefix)?.ok()?;
        let canonical = service
            .by_lowercase
            .get(&name.to_ascii_lowercase())?
            .clone();
        Some((service, canonical))
    }
}

impl Service {
    fn compile(text: &str) -> Result<Service, String> {
        let file: ServiceFile =
            serde_json::from_str(text).map_err(|e| format!("invalid service map: {e}"))?;
        let mut patterns = HashMap::new();
        for (name, source) in &file.patterns {
            let re = Regex::new(source).map_err(|e| format!("pattern `{name}`: {e}"))?;
            patterns.insert(name.clone(), Arc::new(re));
        }
        let lookup = |name: &str| patterns.get(name).cloned();
        let parse = |text: &str| Expr::parse(text, lookup);
        let mut events = HashMap::with_capacity(file.events.len());
        for (event_name, rule) in file.events {
            let rule =
                compile_rule(rule, &parse).map_err(|e| format!("event `{event_name}`: {e}"))?;
            events.insert(event_name, rule);
        }
        let by_lowercase = file
            .actions
            .keys()
            .map(|name| (name.to_ascii_lowercase(), name.clone()))
            .collect();
        let mut suffixes = file.event_name_suffixes;
        suffixes.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Ok(Service {
            prefix: file.prefix,
            name: file.name,
            resource_types: file.resource_types,
            actions: file.actions,
            by_lowercase,
            suffixes,
            events,
        })
    }

    /// The rule for an event name, and the key it was found under (after stripping an API-version suffix).
    pub fn rule(&self, event_name: &str) -> Option<(&str, &Rule)> {
        if let Some((key, rule)) = self.events.get_key_value(event_name) {
            return Some((key.as_str(), rule));
        }
        self.suffixes.iter().find_map(|suffix| {
            let stripped = event_name
                .strip_suffix(suffix.as_str())
                .filter(|s| !s.is_empty())?;
            self.events
                .get_key_value(stripped)
                .map(|(key, rule)| (key.as_str(), rule))
        })
    }

    pub fn event_names(&self) -> impl Iterator<Item = (&str, &Rule)> {
        self.events.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Whether the action supports any resource type (resource-level permissions).
    pub fn supports_resources(&self, action_name: &str) -> bool {
        self.actions
            .get(action_name)
            .is_some_and(|a| !a.resources.is_empty())
    }
}

fn compile_rule(
    rule: EventRule,
    parse: &dyn Fn(&str) -> Result<Expr, String>,
) -> Result<Rule, String> {
    let kind = match (rule.grants, rule.none, rule.internal) {
        (Some(grants), None, None) => RuleKind::Grants(
            grants
                .into_iter()
                .map(|g| compile_grant(g, parse))
                .collect::<Result<_, _>>()?,
        ),
        (None, Some(why), None) => RuleKind::None(why),
        (None, None, Some(why)) => RuleKind::Internal(why),
        _ => return Err("needs exactly one of `grants`, `none`, `internal`".into()),
    };
    Ok(Rule {
        kind,
        note: rule.note,
    })
}

fn compile_grant(
    grant: super::service_map::Grant,
    parse: &dyn Fn(&str) -> Result<Expr, String>,
) -> Result<GrantRule, String> {
    let alternatives =
        |list: &[String]| list.iter().map(|e| parse(e)).collect::<Result<Vec<_>, _>>();
    let resources = grant
        .resources
        .iter()
        .map(|spec: &ResourceSpec| match (&spec.kind, &spec.arn) {
            (Some(kind), None) => Ok(ResourceRule::Typed {
                kind: kind.clone(),
                bind: spec
                    .bind
                    .iter()
                    .map(|(name, exprs)| Ok((name.clone(), alternatives(exprs.as_slice())?)))
                    .collect::<Result<_, String>>()?,
            }),
            (None, Some(arn)) if spec.bind.is_empty() => {
                Ok(ResourceRule::Arn(alternatives(arn.as_slice())?))
            }
            _ => Err(format!(
                "a resource of `{}` needs either `type` with `bind`, or `arn`",
                grant.action
            )),
        })
        .collect::<Result<_, _>>()?;
    Ok(GrantRule {
        when: grant.when.map(|w| compile_when(w, parse)).transpose()?,
        action: grant.action,
        resources,
        facts: grant.facts,
    })
}

fn compile_when(
    when: When,
    parse: &dyn Fn(&str) -> Result<Expr, String>,
) -> Result<Condition, String> {
    Ok(match when {
        When::Exists(e) => Condition::Exists(parse(&e)?),
        When::Absent(e) => Condition::Absent(parse(&e)?),
        When::Matches((e, re)) => Condition::Matches(
            parse(&e)?,
            Regex::new(&re).map_err(|err| format!("regex `{re}`: {err}"))?,
        ),
        When::All(list) => Condition::All(
            list.into_iter()
                .map(|w| compile_when(w, parse))
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// Integrity problems of one service's rules against the whole catalogue (empty when sound).
pub fn check_service(registry: &Registry, service: &Service) -> Vec<String> {
    let mut problems = Vec::new();
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
            for resource in &grant.resources {
                let ResourceRule::Typed { kind, bind } = resource else {
                    continue;
                };
                if !supported.contains(&kind.as_str()) {
                    problems.push(format!(
                        "{}: event `{event}`: `{}` does not support resource type `{kind}`",
                        service.prefix, grant.action
                    ));
                    continue;
                }
                let Some(def) = target.resource_types.get(kind) else {
                    problems.push(format!(
                        "{}: resource type `{kind}` has no ARN format",
                        target.prefix
                    ));
                    continue;
                };
                for placeholder in placeholders(&def.arn) {
                    let bound = bind.iter().any(|(n, _)| n == placeholder);
                    if !bound && !CONTEXT_PLACEHOLDERS.contains(&placeholder) {
                        problems.push(format!("{}: event `{event}`: `{}` leaves `${{{placeholder}}}` of `{kind}` unbound", service.prefix, grant.action));
                    }
                }
                for (name, _) in bind {
                    if !placeholders(&def.arn).contains(&name.as_str()) {
                        problems.push(format!(
                            "{}: event `{event}`: `{kind}` has no placeholder `{name}`",
                            service.prefix
                        ));
                    }
                }
            }
        }
    }
    problems
}
