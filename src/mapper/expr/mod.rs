//! Expressions over a record (`req:bucketName`, `res:AWS::KMS::Key`, `req:items[].tableName|name`,
//! `req:secretId + lit:-??????`): what a rule of a service map reads from a call. Syntax:
//! `service-maps/README.md`, "Expressions".

use super::template::MAX_COMBINATIONS;
use crate::glob::escape_value;
use regex::Regex;
use serde_json::value::RawValue;
use serde_json::Value;
use std::cell::OnceCell;
use std::sync::{Arc, OnceLock};

/// A regex from a map, compiled the first time a record needs it: a run evaluates few of a service's
/// rules, and compiling all of them would dominate start-up.
#[derive(Debug)]
pub struct LazyRegex {
    source: String,
    compiled: OnceLock<Option<Regex>>,
}

impl LazyRegex {
    pub fn new(source: &str) -> Arc<LazyRegex> {
        Arc::new(LazyRegex {
            source: source.to_string(),
            compiled: OnceLock::new(),
        })
    }

    /// The compiled regex; `None` only for a regex that does not compile, which the map integrity test
    /// rules out.
    pub fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| Regex::new(&self.source).ok())
            .as_ref()
    }

    pub fn check(&self) -> Result<(), String> {
        Regex::new(&self.source)
            .map(drop)
            .map_err(|e| format!("regex `{}`: {e}", self.source))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Request,
    Response,
    Additional,
    Resources,
    Literal,
    Caller,
}

#[derive(Debug, Clone)]
struct Segment {
    key: String,
    iterate: bool,
    /// `key[field=value]`: iterate, keeping only the objects whose `field` is the string `value`.
    filter: Option<(String, String)>,
}

impl Segment {
    fn parse(text: &str) -> Result<Segment, String> {
        let Some((key, rest)) = text.split_once('[') else {
            return Ok(Segment {
                key: text.to_string(),
                iterate: false,
                filter: None,
            });
        };
        let inside = rest
            .strip_suffix(']')
            .ok_or_else(|| format!("`{text}`: `[` without a closing `]`"))?;
        let filter = match inside.split_once('=') {
            None if inside.is_empty() => None,
            Some((field, value)) if !field.is_empty() && !value.is_empty() => {
                Some((field.to_string(), value.to_string()))
            }
            _ => return Err(format!("`{text}`: write `key[]` or `key[field=value]`")),
        };
        Ok(Segment {
            key: key.to_string(),
            iterate: true,
            filter,
        })
    }

    fn keeps(&self, item: &Value) -> bool {
        self.filter.as_ref().is_none_or(|(field, value)| {
            lookup(item, field).and_then(Value::as_str) == Some(value.as_str())
        })
    }
}

/// Every value nested in `node` (members and array items, at any depth), not `node` itself.
pub fn descendants<'v>(node: &'v Value, out: &mut Vec<&'v Value>) {
    let children: Box<dyn Iterator<Item = &'v Value>> = match node {
        Value::Object(members) => Box::new(members.values()),
        Value::Array(items) => Box::new(items.iter()),
        _ => return,
    };
    for child in children {
        out.push(child);
        descendants(child, out);
    }
}

/// A member of an object. CloudTrail writes members with a lower-case first letter, but some records
/// (and AWS's own documented examples) keep the SDK's capital (`TableName` beside `tableName` in one
/// request), so a key absent as written is looked up with its first letter's case flipped.
fn lookup<'v>(node: &'v Value, key: &str) -> Option<&'v Value> {
    if let Some(found) = node.get(key) {
        return Some(found);
    }
    // Only an ASCII letter has another case; the flipped key is built on the stack (this runs for
    // every absent key a condition tests).
    let first = *key.as_bytes().first()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let mut buffer = [0u8; 64];
    let mut long = Vec::new();
    let flipped = match buffer.get_mut(..key.len()) {
        Some(short) => short,
        None => {
            long.resize(key.len(), 0);
            &mut long[..]
        }
    };
    flipped.copy_from_slice(key.as_bytes());
    flipped[0] ^= 0x20;
    node.get(std::str::from_utf8(flipped).ok()?)
}

/// One source of text: `req:bucketName`, `res:AWS::KMS::Key`, `lit:-??????`, `caller:user`.
#[derive(Debug, Clone)]
struct Term {
    source: Source,
    /// The `resources[]` type for `res:`, the text for `lit:`, the identity field for `caller:`.
    argument: String,
    path: Vec<Segment>,
    pattern: Option<Arc<LazyRegex>>,
}

/// A parsed expression: one term, or terms joined by ` + ` whose values are concatenated
/// (`req:secretId|secret_name + lit:-??????`); see `service-maps/README.md`.
#[derive(Debug, Clone)]
pub struct Expr {
    terms: Vec<Term>,
}

/// Who made the call, from the record's `userIdentity`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Caller<'a> {
    /// `userIdentity.type`: `IAMUser`, `AssumedRole`, `Root`, ...
    pub kind: &'a str,
    /// `userIdentity.arn`.
    pub arn: &'a str,
    /// The role (or user) behind a session: `sessionContext.sessionIssuer.arn`, path included.
    pub issuer: &'a str,
}

/// A record's response or additional data, parsed the first time an expression reads it: most rules read
/// only the request, and the response is often the biggest part of a record.
pub struct Body<'a> {
    raw: &'a RawValue,
    parsed: OnceCell<Result<Value, String>>,
}

impl<'a> Body<'a> {
    pub fn new(raw: &'a RawValue) -> Body<'a> {
        Body {
            raw,
            parsed: OnceCell::new(),
        }
    }

    fn value(&self) -> Option<&Value> {
        self.parsed
            .get_or_init(|| serde_json::from_str(self.raw.get()).map_err(|e| e.to_string()))
            .as_ref()
            .ok()
    }

    /// Why the body could not be read, once something tried to.
    pub fn error(&self) -> Option<&str> {
        self.parsed.get()?.as_ref().err().map(String::as_str)
    }
}

/// What an expression is evaluated against: one record's bodies and context.
pub struct Context<'a> {
    pub request: Option<&'a Value>,
    pub response: Option<&'a Body<'a>>,
    pub additional: Option<&'a Body<'a>>,
    /// `(type, ARN)` of `resources[]`.
    pub resources: &'a [(String, String)],
    pub partition: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub caller: Caller<'a>,
}

impl Term {
    fn parse(
        text: &str,
        pattern: &impl Fn(&str) -> Option<Arc<LazyRegex>>,
    ) -> Result<Term, String> {
        // A literal is written by the map's authors and taken whole: its `|` is text, not a pattern.
        if let Some(argument) = text.strip_prefix("lit:") {
            return Ok(Term {
                source: Source::Literal,
                argument: argument.to_string(),
                path: Vec::new(),
                pattern: None,
            });
        }
        let (body, pattern_name) = match text.rsplit_once('|') {
            Some((body, name)) => (body, Some(name)),
            None => (text, None),
        };
        let pattern = match pattern_name {
            Some(name) => {
                Some(pattern(name).ok_or_else(|| format!("unknown pattern `{name}` in `{text}`"))?)
            }
            None => None,
        };
        let (source, rest) = body
            .split_once(':')
            .ok_or_else(|| format!("`{text}` has no source prefix"))?;
        let source = match source {
            "req" => Source::Request,
            "resp" => Source::Response,
            "add" => Source::Additional,
            "res" => Source::Resources,
            "caller" => Source::Caller,
            other => return Err(format!("unknown source `{other}` in `{text}`")),
        };
        if source == Source::Caller && !CALLER_FIELDS.contains(&rest) {
            return Err(format!(
                "`{text}`: the caller has only {}",
                CALLER_FIELDS.join(", ")
            ));
        }
        if matches!(source, Source::Resources | Source::Caller) {
            return Ok(Term {
                source,
                argument: rest.to_string(),
                path: Vec::new(),
                pattern,
            });
        }
        if rest.is_empty() {
            return Err(format!("`{text}` has an empty path"));
        }
        let path = rest
            .split('.')
            .map(Segment::parse)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("in `{text}`: {e}"))?;
        Ok(Term {
            source,
            argument: String::new(),
            path,
            pattern,
        })
    }

    fn nodes<'v>(&self, ctx: &Context<'v>) -> Vec<&'v Value> {
        let root = match self.source {
            Source::Request => ctx.request,
            Source::Response => ctx.response.and_then(Body::value),
            Source::Additional => ctx.additional.and_then(Body::value),
            Source::Resources | Source::Literal | Source::Caller => return Vec::new(),
        };
        let mut current: Vec<&Value> = root.into_iter().collect();
        for segment in &self.path {
            let mut next = Vec::new();
            for node in current {
                if segment.key == "**" {
                    descendants(node, &mut next);
                    continue;
                }
                let child = if segment.key.is_empty() {
                    Some(node)
                } else {
                    lookup(node, &segment.key)
                };
                match (child, segment.iterate) {
                    (Some(Value::Array(items)), true) => {
                        next.extend(items.iter().filter(|item| segment.keeps(item)))
                    }
                    (Some(value), false) => next.push(value),
                    _ => {}
                }
            }
            current = next;
        }
        current.retain(|v| !v.is_null());
        current
    }

    fn values(&self, ctx: &Context) -> Vec<String> {
        if self.source == Source::Literal {
            // Kept even when empty: `lit:` can be the empty part of a concatenation.
            return vec![self.argument.clone()];
        }
        let raw: Vec<String> = match self.source {
            Source::Resources => ctx
                .resources
                .iter()
                .filter(|(kind, _)| *kind == self.argument)
                .map(|(_, arn)| arn.clone())
                .collect(),
            Source::Caller => caller_value(&self.argument, &ctx.caller)
                .map(str::to_string)
                .into_iter()
                .collect(),
            _ => self.nodes(ctx).into_iter().filter_map(scalar).collect(),
        };
        let mut out: Vec<String> = raw
            .into_iter()
            .filter(|v| !v.is_empty())
            .filter_map(|v| match &self.pattern {
                None => Some(v),
                Some(re) => re
                    .get()?
                    .captures(&v)
                    .and_then(|c| c.get(1).or_else(|| c.get(0)))
                    .map(|m| m.as_str().to_string()),
            })
            .filter(|v| !v.is_empty())
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// What `caller:` can read.
const CALLER_FIELDS: [&str; 2] = ["user", "issuer"];

/// `caller:user` is the calling IAM user (an IAM call without `UserName` acts on it); `caller:issuer` the
/// role or user whose credentials made the call, path included.
fn caller_value<'a>(field: &str, caller: &Caller<'a>) -> Option<&'a str> {
    let value = match field {
        "user" if caller.kind == "IAMUser" => caller.arn,
        "issuer" if caller.kind == "IAMUser" => caller.arn,
        "issuer" => caller.issuer,
        _ => return None,
    };
    (!value.is_empty()).then_some(value)
}

impl Expr {
    /// Parses `TERM[ + TERM...]`, each `SOURCE:PATH[|pattern]`; `pattern` resolves a pattern name to its
    /// compiled regex.
    pub fn parse(
        text: &str,
        pattern: impl Fn(&str) -> Option<Arc<LazyRegex>>,
    ) -> Result<Expr, String> {
        let terms = text
            .split(" + ")
            .map(|term| Term::parse(term, &pattern))
            .collect::<Result<Vec<_>, _>>()?;
        if terms.iter().all(|t| t.source == Source::Literal) && terms.len() > 1 {
            return Err(format!("`{text}` joins only literals: write one `lit:`"));
        }
        Ok(Expr { terms })
    }

    /// The JSON nodes the first term's path reaches (any type): what `exists` and `absent` test.
    pub fn nodes<'v>(&self, ctx: &Context<'v>) -> Vec<&'v Value> {
        self.terms.first().map(|t| t.nodes(ctx)).unwrap_or_default()
    }

    /// The record bodies and top-level keys the expression reads (`("req", "bucketName")`).
    pub fn root_keys(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.terms.iter().filter_map(|term| {
            let body = match term.source {
                Source::Request => "req",
                Source::Response => "resp",
                Source::Additional => "add",
                Source::Resources | Source::Literal | Source::Caller => return None,
            };
            term.path
                .first()
                .map(|segment| (body, segment.key.as_str()))
        })
    }

    /// Whether a `|pattern` filters the values: then only what it yields counts as present.
    pub fn has_pattern(&self) -> bool {
        self.terms.iter().any(|t| t.pattern.is_some())
    }

    /// A `lit:` value is written by the map's authors, so its `*` and `?` are deliberate wildcards.
    pub fn is_literal(&self) -> bool {
        self.terms.iter().all(|t| t.source == Source::Literal)
    }

    /// The map-authored wildcard text of the expression (`-??????`), if a literal term has one.
    pub fn deliberate_wildcard(&self) -> Option<&str> {
        self.terms
            .iter()
            .filter(|t| t.source == Source::Literal)
            .map(|t| t.argument.as_str())
            .find(|text| text.contains(['*', '?']))
    }

    /// The string values the expression yields, after each term's pattern: one per combination of its
    /// terms' values.
    pub fn values(&self, ctx: &Context) -> Vec<String> {
        let mut out = self.combine(ctx, |_, v| v);
        self.drop_empty(&mut out);
        out.sort();
        out.dedup();
        out
    }

    /// The values as they go into a policy: what a record says is escaped (IAM would read its `*`, `?`
    /// and `$` as wildcards and variables), what the map says is kept.
    pub fn policy_values(&self, ctx: &Context) -> Vec<String> {
        let mut out = self.combine(ctx, |term, v| {
            if term.source == Source::Literal {
                v
            } else {
                escape_value(&v)
            }
        });
        self.drop_empty(&mut out);
        out.sort();
        out.dedup();
        out
    }

    /// Whether [`Expr::values`] yields anything, without building the values where that is plain: one
    /// term read from a body, with no pattern (what most conditions test).
    pub fn has_values(&self, ctx: &Context) -> bool {
        match self.terms.as_slice() {
            [term]
                if term.pattern.is_none()
                    && matches!(
                        term.source,
                        Source::Request | Source::Response | Source::Additional
                    ) =>
            {
                term.nodes(ctx).iter().any(|v| match v {
                    Value::String(s) => !s.is_empty(),
                    Value::Number(_) | Value::Bool(_) => true,
                    _ => false,
                })
            }
            _ => !self.values(ctx).is_empty(),
        }
    }

    /// An empty value is no value, except from a map author's `lit:` (an AWS-owned SSM document has an
    /// empty account in its ARN).
    fn drop_empty(&self, values: &mut Vec<String>) {
        if !self.is_literal() {
            values.retain(|v| !v.is_empty());
        }
    }

    fn combine(&self, ctx: &Context, shape: impl Fn(&Term, String) -> String) -> Vec<String> {
        if let [term] = self.terms.as_slice() {
            return term
                .values(ctx)
                .into_iter()
                .map(|v| shape(term, v))
                .collect();
        }
        let mut results = vec![String::new()];
        for term in &self.terms {
            let values = term.values(ctx);
            let mut next = Vec::new();
            'outer: for partial in &results {
                for value in &values {
                    next.push(format!("{partial}{}", shape(term, value.clone())));
                    if next.len() >= MAX_COMBINATIONS {
                        break 'outer;
                    }
                }
            }
            results = next;
        }
        results
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The values of the first alternative that yields any, and that alternative.
pub fn first_alternative<'e>(
    alternatives: &'e [Expr],
    ctx: &Context,
) -> Option<(Vec<String>, &'e Expr)> {
    alternatives.iter().find_map(|e| {
        let values = e.values(ctx);
        (!values.is_empty()).then_some((values, e))
    })
}

impl Context<'_> {
    /// `${Partition}`, `${Region}` and `${Account}` of a map's text, from the record.
    pub fn fill(&self, text: &str) -> String {
        text.replace("${Partition}", self.partition)
            .replace("${Region}", self.region)
            .replace("${Account}", self.account)
    }
}

#[cfg(test)]
mod tests;
