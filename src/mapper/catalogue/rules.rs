//! The compiled form of a map's event rules: what `service_map.rs` reads, with every expression parsed and
//! every regex shared, checked for the shape `service-maps/README.md` gives.

use super::super::expr::{Expr, LazyRegex};
use super::super::service_map::{EventRule, Grant, ResourceSpec, When};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

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

/// An ARN format and its placeholders, in order.
pub struct Template {
    pub format: String,
    pub placeholders: Vec<String>,
}

pub enum ResourceRule {
    /// A resource type of the action's service, with an expression list per placeholder.
    Typed {
        kind: String,
        bind: Vec<(String, Vec<Expr>)>,
        narrow: bool,
        /// The ARN format of `kind` that `bind` fills, and its placeholders, found on first use: the
        /// resource types a rule is bound with are always its grant's service's.
        template: OnceLock<Option<Template>>,
    },
    /// A whole ARN from the record.
    Arn { arn: Vec<Expr>, narrow: bool },
    /// The resource another record of the principal linked to the key's value.
    Link { link: String, key: Vec<Expr> },
    /// The first alternative the record gives.
    First(Vec<ResourceRule>),
}

pub(super) type Parse<'a> = &'a dyn Fn(&str) -> Result<Expr, String>;
pub(super) type RegexFor<'a> = &'a dyn Fn(&str) -> Arc<LazyRegex>;

pub(super) fn compile_rule(rule: EventRule, parse: Parse, regex: RegexFor) -> Result<Rule, String> {
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
            template: OnceLock::new(),
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

fn compile_grant(grant: Grant, parse: Parse, regex: RegexFor) -> Result<GrantRule, String> {
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

pub(super) fn resource_exprs<'a>(resource: &'a ResourceRule, out: &mut Vec<&'a Expr>) {
    match resource {
        ResourceRule::Arn { arn, .. } => out.extend(arn),
        ResourceRule::Typed { bind, .. } => out.extend(bind.iter().flat_map(|(_, a)| a)),
        ResourceRule::Link { key, .. } => out.extend(key),
        ResourceRule::First(options) => options.iter().for_each(|o| resource_exprs(o, out)),
    }
}
