//! The embedded service maps: the IAM catalogue (actions, resource types, ARN formats), each service's facts
//! and its event rules, each service parsed and compiled the first time it is needed. A map that does not
//! load is an error the run reports ([`Registry::broken`]), never a service that silently maps nothing.

mod check;
mod rules;

use super::expr::{Expr, LazyRegex};
use super::service_map::{ActionDef, Facts, ResourceTypeDef, ServiceFile};
use crate::action::Action;
pub use check::check_service;
use rules::{compile_rule, resource_exprs};
pub use rules::{
    Condition, FactValue, GrantRule, ResourceRule, RevealRule, Rule, RuleKind, Template,
};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_maps.rs"));
}

/// An embedded file of `service-maps/` that does not load: a defect of the build, reported by every run
/// that needs the file (`broken-service-map`) and by the map integrity test.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("service-maps/{file} is broken: {why}")]
pub struct MapError {
    /// `s3.json`, `event-sources.json`.
    pub file: String,
    pub why: String,
}

/// A service map compiled on first use; the error says what is wrong with its file.
type Compiled = OnceLock<Result<Arc<Service>, MapError>>;

pub struct Registry {
    sources: HashMap<String, String>,
    /// `sources` keyed by lower-case host: CloudTrail writes some hosts in mixed case
    /// (`workmailMessageFlow.amazonaws.com`).
    sources_lowercase: HashMap<String, String>,
    services: HashMap<&'static str, (&'static str, Compiled)>,
    /// The event-source table, when it does not parse (no event is then mapped).
    sources_error: Option<MapError>,
}

/// One IAM service: its catalogue, its facts and its compiled event rules.
pub struct Service {
    pub prefix: String,
    pub name: String,
    pub resource_types: BTreeMap<String, ResourceTypeDef>,
    pub actions: BTreeMap<String, ActionDef>,
    pub facts: Facts,
    by_lowercase: HashMap<String, String>,
    suffixes: Vec<String>,
    events: HashMap<String, Rule>,
    /// Every regex of the file, for the integrity check.
    regexes: Vec<Arc<LazyRegex>>,
    /// One regex per resource type, matching the ARNs of its format; built when first needed.
    arn_formats: OnceLock<HashMap<String, regex::Regex>>,
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();

/// The embedded text of one service map.
pub fn embedded_file(prefix: &str) -> Option<(&'static str, &'static str)> {
    embedded_files().find(|(p, _)| *p == prefix)
}

/// `(IAM prefix, JSON text)` of every embedded service map; the texts are only pointed to, not read.
fn embedded_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    let texts = embedded::SERVICE_TEXTS.iter().copied();
    embedded::SERVICE_PREFIXES.iter().copied().zip(texts)
}

impl Registry {
    /// The maps compiled into this binary.
    pub fn embedded() -> &'static Registry {
        REGISTRY.get_or_init(|| {
            let files: Vec<_> = embedded_files().collect();
            Registry::load(embedded::EVENT_SOURCES, &files)
        })
    }

    /// A registry of the event-source table `event_sources` and the service maps `files`
    /// (`(prefix, JSON text)`); each map is compiled when first asked for.
    pub fn load(event_sources: &str, files: &[(&'static str, &'static str)]) -> Registry {
        let (sources, sources_error) =
            match serde_json::from_str::<HashMap<String, String>>(event_sources) {
                Ok(sources) => (sources, None),
                Err(e) => (
                    HashMap::new(),
                    Some(MapError {
                        file: "event-sources.json".into(),
                        why: e.to_string(),
                    }),
                ),
            };
        let mut hosts: Vec<(&String, &String)> = sources.iter().collect();
        hosts.sort();
        let mut sources_lowercase = HashMap::new();
        for (host, prefix) in hosts {
            sources_lowercase
                .entry(host.to_ascii_lowercase())
                .or_insert_with(|| prefix.clone());
        }
        let services = files
            .iter()
            .map(|&(prefix, text)| (prefix, (text, OnceLock::new())))
            .collect();
        Registry {
            sources,
            sources_lowercase,
            services,
            sources_error,
        }
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

    /// The service of an IAM prefix (case-insensitive), compiled on first use; `Err` when its file does not
    /// load.
    pub fn service(&self, prefix: &str) -> Option<Result<Arc<Service>, MapError>> {
        // Prefixes are nearly always lowercase already: no copy for those.
        let key = if prefix.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(prefix.to_ascii_lowercase())
        } else {
            Cow::Borrowed(prefix)
        };
        let (text, cell) = self.services.get(key.as_ref())?;
        Some(
            cell.get_or_init(|| {
                Service::compile(text)
                    .map(Arc::new)
                    .map_err(|why| MapError {
                        file: format!("{key}.json"),
                        why,
                    })
            })
            .clone(),
        )
    }

    /// Every file that failed to load so far, in file order: the event-source table at once, a service map
    /// when it was first needed. A run reports each (`broken-service-map`).
    pub fn broken(&self) -> Vec<MapError> {
        let mut services: Vec<MapError> = self
            .services
            .values()
            .filter_map(|(_, cell)| cell.get()?.as_ref().err().cloned())
            .collect();
        services.sort_by(|a, b| a.file.cmp(&b.file));
        self.sources_error.iter().cloned().chain(services).collect()
    }

    /// The canonical `prefix:Name` of an action, if the catalogue has it (names compare case-insensitively).
    pub fn canonical_action(&self, action: &str) -> Option<(Arc<Service>, String)> {
        let action = Action::parse(action)?;
        let service = self.service(action.prefix())?.ok()?;
        // Maps spell actions as the catalogue does: the exact name is found without lowercasing it.
        let canonical = match service.actions.get_key_value(action.name()) {
            Some((name, _)) => name.clone(),
            None => service
                .by_lowercase
                .get(&action.name().to_ascii_lowercase())?
                .clone(),
        };
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
            facts: file.facts,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_that_does_not_load_is_an_error_the_registry_lists() {
        let registry = Registry::load(
            "{\"s3.amazonaws.com\": \"s3\"",
            &[
                (
                    "s3",
                    "{\"prefix\": \"s3\", \"name\": \"Amazon S3\", \"colour\": 1}",
                ),
                ("sts", "{\"prefix\": \"sts\", \"name\": \"AWS STS\"}"),
            ],
        );
        let sources = registry.broken();
        assert_eq!(sources.len(), 1, "the event-source table, at once");
        assert_eq!(sources[0].file, "event-sources.json");
        assert_eq!(registry.prefix_for_source("s3.amazonaws.com"), None);
        let error = registry
            .service("S3")
            .and_then(Result::err)
            .expect("broken");
        assert_eq!(error.file, "s3.json");
        assert!(
            error.to_string().contains("unknown field `colour`"),
            "{error}"
        );
        assert!(registry.service("sts").is_some_and(|s| s.is_ok()));
        let files: Vec<String> = registry.broken().into_iter().map(|e| e.file).collect();
        assert_eq!(files, ["event-sources.json", "s3.json"]);
        assert!(registry.canonical_action("s3:GetObject").is_none());
        assert!(Registry::embedded().broken().is_empty());
    }
}
