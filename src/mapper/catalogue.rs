//! The embedded service maps: the IAM catalogue (actions, resource types, ARN formats) and the event rules,
//! each service parsed and compiled the first time it is needed.

use super::arn::{placeholders, Expr, LazyRegex};
use super::service_map::{ActionDef, EventRule, ResourceSpec, ResourceTypeDef, ServiceFile, When};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    /// `sources` keyed by lower-case host: CloudTrail writes some hosts in mixed case
    /// (`workmailMessageFlow.amazonaws.com`).
    sources_lowercase: HashMap<String, String>,
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
    /// Every regex of the file, for the integrity check.
    regexes: Vec<Arc<LazyRegex>>,
    /// One regex per resource type, matching the ARNs of its format; built when first needed.
    arn_formats: OnceLock<HashMap<String, regex::Regex>>,
}

pub struct Rule {
    pub kind: RuleKind,
    pub note: Option<String>,
    pub reveals: Vec<RevealRule>,
}

/// A link from a key of the record to a resource it names (see `service_map::RevealSpec`).
pub struct RevealRule {
    pub link: String,
    pub key: Vec<Expr>,
    pub to: ResourceRule,
}

pub enum RuleKind {
    Grants(Vec<GrantRule>),
    None(String),
    Internal(String),
    Console(String),
}

pub struct GrantRule {
    /// `prefix:Name` as the map writes it.
    pub action: String,
    pub when: Option<Condition>,
    pub resources: Vec<ResourceRule>,
    pub facts: BTreeMap<String, FactValue>,
}

/// A condition fact's value: text (with `${Region}` and friends filled in), or an expression read from the
/// record (`req:instanceType`), for facts that differ per call.
pub enum FactValue {
    Text(String),
    Expr(Expr),
}

pub enum Condition {
    Exists(Expr),
    Absent(Expr),
    Matches(Expr, Arc<LazyRegex>),
    All(Vec<Condition>),
}

pub enum ResourceRule {
    /// A resource type of the action's service, with an expression list per placeholder.
    Typed {
        kind: String,
        bind: Vec<(String, Vec<Expr>)>,
        narrow: bool,
    },
    /// A whole ARN from the record.
    Arn { arn: Vec<Expr>, narrow: bool },
    /// The resource another record of the principal linked to the key's value.
    Link { link: String, key: Vec<Expr> },
    /// The first alternative the record gives.
    First(Vec<ResourceRule>),
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
            let sources: HashMap<String, String> =
                serde_json::from_str(embedded::EVENT_SOURCES).unwrap_or_default();
            let mut hosts: Vec<(&String, &String)> = sources.iter().collect();
            hosts.sort();
            let mut sources_lowercase = HashMap::new();
            for (host, prefix) in hosts {
                sources_lowercase
                    .entry(host.to_ascii_lowercase())
                    .or_insert_with(|| prefix.clone());
            }
            let services = embedded::SERVICE_FILES
                .iter()
                .map(|&(prefix, text)| (prefix, (text, OnceLock::new())))
                .collect();
            Registry {
                sources,
                sources_lowercase,
                services,
            }
        })
    }

    /// The IAM prefix of an event source host, matched as written, else trimmed and case-insensitively.
    pub fn prefix_for_source(&self, event_source: &str) -> Option<&str> {
        self.sources
            .get(event_source)
            .or_else(|| {
                self.sources_lowercase
                    .get(&event_source.trim().to_ascii_lowercase())
            })
            .map(String::as_str)
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
        // One lazily compiled regex per distinct source, shared by every rule that uses it.
        let regexes: RefCell<HashMap<String, Arc<LazyRegex>>> = RefCell::new(HashMap::new());
        let regex = |source: &str| {
            regexes
                .borrow_mut()
                .entry(source.to_string())
                .or_insert_with(|| LazyRegex::new(source))
                .clone()
        };
        let patterns: HashMap<&str, Arc<LazyRegex>> = file
            .patterns
            .iter()
            .map(|(name, source)| (name.as_str(), regex(source)))
            .collect();
        let lookup = |name: &str| patterns.get(name).cloned();
        let parse = |text: &str| Expr::parse(text, lookup);
        let mut events = HashMap::with_capacity(file.events.len());
        for (event_name, rule) in file.events {
            let rule = compile_rule(rule, &parse, &regex)
                .map_err(|e| format!("event `{event_name}`: {e}"))?;
            events.insert(event_name, rule);
        }
        let regexes = regexes.into_inner().into_values().collect();
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
            regexes,
            arn_formats: OnceLock::new(),
        })
    }

    /// Whether `arn` has the ARN format of one of the action's resource types.
    pub fn resource_of(&self, action_name: &str, arn: &str) -> bool {
        self.actions.get(action_name).is_some_and(|def| {
            def.resources
                .iter()
                .any(|r| self.is_arn_of_type(&r.kind, arn))
        })
    }

    /// Whether `arn` has the ARN format of the resource type `kind`.
    pub fn is_arn_of_type(&self, kind: &str, arn: &str) -> bool {
        let formats = self.arn_formats.get_or_init(|| {
            self.resource_types
                .iter()
                .filter_map(|(kind, def)| Some((kind.clone(), arn_format_regex(&def.arn)?)))
                .collect()
        });
        formats
            .get(kind)
            .is_some_and(|re| arn.starts_with("arn:") && re.is_match(arn))
    }

    /// The rule for an event name, and the key it was found under: as written, else after stripping an
    /// API-version suffix, else the same for the normalised name (see [`normalise_event_name`]).
    pub fn rule(&self, event_name: &str) -> Option<(&str, &Rule)> {
        let exact = |name: &str| {
            if let Some((key, rule)) = self.events.get_key_value(name) {
                return Some((key.as_str(), rule));
            }
            self.without_suffix(name).find_map(|stripped| {
                self.events
                    .get_key_value(stripped)
                    .map(|(key, rule)| (key.as_str(), rule))
            })
        };
        exact(event_name).or_else(|| {
            let normal = normalise_event_name(event_name);
            (normal != event_name).then(|| exact(&normal)).flatten()
        })
    }

    /// The name with each listed API-version suffix it ends with removed, longest suffix first.
    fn without_suffix<'n>(&'n self, name: &'n str) -> impl Iterator<Item = &'n str> + 'n {
        self.suffixes
            .iter()
            .filter_map(move |suffix| name.strip_suffix(suffix.as_str()).filter(|s| !s.is_empty()))
    }

    /// The catalogue action whose name is the (normalised, suffix-stripped) event name, compared
    /// case-insensitively: the fallback for events no rule covers.
    pub fn action_named(&self, event_name: &str) -> Option<&str> {
        let normal = normalise_event_name(event_name);
        let candidates: Vec<String> = std::iter::once(normal.as_str())
            .chain(self.without_suffix(&normal))
            .map(str::to_ascii_lowercase)
            .collect();
        candidates
            .iter()
            .find_map(|name| self.by_lowercase.get(name))
            .map(String::as_str)
    }

    pub fn event_names(&self) -> impl Iterator<Item = (&str, &Rule)> {
        self.events.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Every `(body, top-level key)` of the request, response and additional data that some rule reads.
    pub fn keys_read(&self) -> BTreeSet<(&'static str, String)> {
        fn condition<'a>(c: &'a Condition, out: &mut Vec<&'a Expr>) {
            match c {
                Condition::Exists(e) | Condition::Absent(e) | Condition::Matches(e, _) => {
                    out.push(e)
                }
                Condition::All(list) => list.iter().for_each(|c| condition(c, out)),
            }
        }
        let mut exprs = Vec::new();
        for rule in self.events.values() {
            let RuleKind::Grants(grants) = &rule.kind else {
                continue;
            };
            for grant in grants {
                if let Some(when) = &grant.when {
                    condition(when, &mut exprs);
                }
                for resource in &grant.resources {
                    resource_exprs(resource, &mut exprs);
                }
            }
            for reveal in &rule.reveals {
                exprs.extend(&reveal.key);
                resource_exprs(&reveal.to, &mut exprs);
            }
        }
        exprs
            .iter()
            .flat_map(|e| e.root_keys())
            .map(|(body, key)| (body, key.to_string()))
            .collect()
    }

    /// Whether the action supports any resource type (resource-level permissions).
    pub fn supports_resources(&self, action_name: &str) -> bool {
        self.actions
            .get(action_name)
            .is_some_and(|a| !a.resources.is_empty())
    }
}

fn resource_exprs<'a>(resource: &'a ResourceRule, out: &mut Vec<&'a Expr>) {
    match resource {
        ResourceRule::Arn { arn, .. } => out.extend(arn),
        ResourceRule::Typed { bind, .. } => out.extend(bind.iter().flat_map(|(_, a)| a)),
        ResourceRule::Link { key, .. } => out.extend(key),
        ResourceRule::First(options) => options.iter().for_each(|o| resource_exprs(o, out)),
    }
}

/// A regex matching the ARNs of a catalogue format: `${Partition}`, `${Region}` and `${Account}` as
/// AWS writes them, every other placeholder one path segment (several for `...Path...` names).
fn arn_format_regex(format: &str) -> Option<regex::Regex> {
    let mut pattern = String::from("^");
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        pattern.push_str(&regex::escape(&rest[..start]));
        let after = &rest[start + 2..];
        let end = after.find('}')?;
        pattern.push_str(match &after[..end] {
            "Partition" => "aws[a-z-]*",
            "Region" => "[a-z0-9-]*",
            "Account" => "(?:[0-9]{12}|aws|)",
            name if name.contains("Path") => ".+",
            _ => "[^:/]+",
        });
        rest = &after[end + 1..];
    }
    pattern.push_str(&regex::escape(rest));
    pattern.push('$');
    regex::Regex::new(&pattern).ok()
}

/// An event name as an API name: surrounding whitespace removed (real records carry
/// `" DescribeTargetHealth "`) and the first letter upper-case (`updateDomainContact`).
pub fn normalise_event_name(event_name: &str) -> String {
    let trimmed = event_name.trim();
    let mut chars = trimmed.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

type Parse<'a> = &'a dyn Fn(&str) -> Result<Expr, String>;
type RegexFor<'a> = &'a dyn Fn(&str) -> Arc<LazyRegex>;

fn compile_rule(rule: EventRule, parse: Parse, regex: RegexFor) -> Result<Rule, String> {
    let kind = match (rule.grants, rule.none, rule.internal, rule.console) {
        (Some(grants), None, None, None) => RuleKind::Grants(
            grants
                .into_iter()
                .map(|g| compile_grant(g, parse, regex))
                .collect::<Result<_, _>>()?,
        ),
        (None, Some(why), None, None) => RuleKind::None(why),
        (None, None, Some(why), None) => RuleKind::Internal(why),
        (None, None, None, Some(why)) => RuleKind::Console(why),
        _ => return Err("needs exactly one of `grants`, `none`, `internal`, `console`".into()),
    };
    let alternatives =
        |list: &[String]| list.iter().map(|e| parse(e)).collect::<Result<Vec<_>, _>>();
    let reveals = rule
        .reveals
        .iter()
        .map(|r| {
            Ok(RevealRule {
                link: r.link.clone(),
                key: alternatives(r.key.as_slice())?,
                to: compile_resource(&r.to, parse, "a reveal")?,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Rule {
        kind,
        note: rule.note,
        reveals,
    })
}

fn compile_resource(
    spec: &ResourceSpec,
    parse: Parse,
    owner: &str,
) -> Result<ResourceRule, String> {
    let alternatives =
        |list: &[String]| list.iter().map(|e| parse(e)).collect::<Result<Vec<_>, _>>();
    if !spec.first.is_empty() {
        let alone = spec.kind.is_none()
            && spec.arn.is_none()
            && spec.link.is_none()
            && spec.key.is_none()
            && spec.bind.is_empty()
            && !spec.narrow;
        if !alone {
            return Err(format!("`first` of {owner} stands alone in its resource"));
        }
        return Ok(ResourceRule::First(
            spec.first
                .iter()
                .map(|s| compile_resource(s, parse, owner))
                .collect::<Result<_, _>>()?,
        ));
    }
    match (&spec.kind, &spec.arn, &spec.link) {
        (Some(kind), None, None) if spec.key.is_none() => Ok(ResourceRule::Typed {
            kind: kind.clone(),
            bind: spec
                .bind
                .iter()
                .map(|(name, exprs)| Ok((name.clone(), alternatives(exprs.as_slice())?)))
                .collect::<Result<_, String>>()?,
            narrow: spec.narrow,
        }),
        (None, Some(arn), None) if spec.bind.is_empty() && spec.key.is_none() => {
            Ok(ResourceRule::Arn {
                arn: alternatives(arn.as_slice())?,
                narrow: spec.narrow,
            })
        }
        (None, None, Some(link)) if spec.bind.is_empty() && !spec.narrow => {
            let key = spec
                .key
                .as_ref()
                .ok_or_else(|| format!("a link resource of {owner} needs `key`"))?;
            Ok(ResourceRule::Link {
                link: link.clone(),
                key: alternatives(key.as_slice())?,
            })
        }
        _ => Err(format!(
            "a resource of {owner} needs either `type` with `bind`, `arn`, or `link` with `key`"
        )),
    }
}

fn compile_grant(
    grant: super::service_map::Grant,
    parse: Parse,
    regex: RegexFor,
) -> Result<GrantRule, String> {
    let owner = format!("`{}`", grant.action);
    let resources = grant
        .resources
        .iter()
        .map(|spec| compile_resource(spec, parse, &owner))
        .collect::<Result<_, _>>()?;
    Ok(GrantRule {
        when: grant
            .when
            .map(|w| compile_when(w, parse, regex))
            .transpose()?,
        action: grant.action,
        resources,
        facts: grant
            .facts
            .into_iter()
            .map(|(key, value)| {
                let expression = ["req:", "resp:", "add:", "res:"]
                    .iter()
                    .any(|source| value.starts_with(source));
                let value = if expression {
                    FactValue::Expr(parse(&value).map_err(|e| format!("fact `{key}`: {e}"))?)
                } else {
                    FactValue::Text(value)
                };
                Ok((key, value))
            })
            .collect::<Result<_, String>>()?,
    })
}

fn compile_when(when: When, parse: Parse, regex: RegexFor) -> Result<Condition, String> {
    Ok(match when {
        When::Exists(e) => Condition::Exists(parse(&e)?),
        When::Absent(e) => Condition::Absent(parse(&e)?),
        When::Matches((e, re)) => Condition::Matches(parse(&e)?, regex(&re)),
        When::All(list) => Condition::All(
            list.into_iter()
                .map(|w| compile_when(w, parse, regex))
                .collect::<Result<_, _>>()?,
        ),
    })
}

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
    for placeholder in placeholders(super::arn_format(&def.arn, bind)) {
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
