//! Opt-in `Condition` entries (`--condition`): what CloudTrail showed about where and how each action was
//! used, written as `StringEquals` so the policy allows those calls and no others.

use crate::action::Action;
use crate::mapper::catalogue::{Registry, Service};
use crate::usage::UsageKey;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConditionKind {
    /// `aws:RequestedRegion` with the observed regions, on regional services only.
    Region,
    /// `ec2:InstanceType` with the observed types, on the instance resources of `ec2:RunInstances`.
    InstanceType,
    /// `iam:PassedToService`, `kms:ViaService`: the service a call was made for or through, from the maps.
    Service,
    /// `aws:RequestTag/KEY` with the stable tag values every creating call set, on the resources it creates.
    Tags,
}

/// The map facts that `--condition service` writes as conditions.
const SERVICE_FACTS: &[&str] = &["iam:PassedToService", "kms:ViaService"];
/// The map fact `--condition instance-type` writes, on the resources it describes ([`describes`]).
pub const INSTANCE_TYPE_FACT: &str = "ec2:InstanceType";

/// Condition key → values, all `StringEquals`.
pub type Facts = BTreeMap<String, BTreeSet<String>>;

/// The service of an action, from the embedded maps.
fn service_of(action: &str) -> Option<Arc<Service>> {
    Registry::embedded()
        .service(Action::parse(action)?.prefix())?
        .ok()
}

/// Whether `aws:RequestedRegion` may restrict a service: its map's `facts.regional`, which the generator
/// reads from the catalogue's ARN formats (a `${Region}` in one of the service's own), so that no list of
/// global services needs keeping up to date. Global services (IAM, Organizations, CloudFront, Route 53, the
/// STS global endpoint) and services without resource types are not restricted: a wrong region condition
/// would deny calls.
pub fn is_regional(prefix: &str) -> bool {
    matches!(Registry::embedded().service(prefix), Some(Ok(service)) if service.facts.regional)
}

/// The conditions of one action over all of its usage keys: a fact becomes a condition only when every key
/// carries it (a call without it would otherwise be denied).
pub fn action_conditions(keys: &[&UsageKey], kinds: &BTreeSet<ConditionKind>) -> Facts {
    let mut out = Facts::new();
    let Some(first) = keys.first() else {
        return out;
    };
    let prefix = Action::parse(&first.action).map_or("", |a| a.prefix());
    if kinds.contains(&ConditionKind::Region) && is_regional(prefix) {
        let regions: BTreeSet<String> = keys.iter().map(|k| k.region.clone()).collect();
        if regions.iter().all(|r| !r.is_empty()) {
            out.insert("aws:RequestedRegion".into(), regions);
        }
    }
    if kinds.contains(&ConditionKind::Service) {
        for fact in SERVICE_FACTS {
            if let Some(values) = all_have(keys, fact) {
                out.insert(fact.to_string(), values);
            }
        }
    }
    out
}

/// The prefix of the map facts `--condition tags` writes: the tags a request sets.
pub const REQUEST_TAG: &str = "aws:RequestTag/";

/// Whether a request-tag condition applies to a key: to every resource of the call, unless its service
/// evaluates `aws:RequestTag` on the resources the request creates only (`facts.request_tags`, EC2:
/// `instance/*`, `volume/*`, the IDs not known yet), so that the image, subnet and security groups of
/// `ec2:RunInstances` keep working without it; an action the facts except (`ec2:CreateTags`) applies its tags
/// to every resource it names.
pub fn takes_request_tags(key: &UsageKey) -> bool {
    let created_only = Action::parse(&key.action).is_some_and(|action| {
        service_of(&key.action)
            .and_then(|service| {
                service.facts.request_tags.as_ref().map(|tags| {
                    tags.created_only && !tags.except.iter().any(|e| e == action.name())
                })
            })
            .unwrap_or(false)
    });
    !created_only || key.resource.ends_with("/*")
}

/// `aws:RequestTag/KEY` conditions for `keys`: the tags every call set, when each value is a stable name.
/// A per-run value (a run number, a date) would deny the next run, so such a tag is left out.
pub fn request_tags(keys: &[&UsageKey]) -> Facts {
    let mut out = Facts::new();
    let Some(first) = keys.first() else {
        return out;
    };
    for fact in first.facts.keys().filter(|k| k.starts_with(REQUEST_TAG)) {
        let Some(values) = all_have(keys, fact) else {
            continue;
        };
        let stable = values.iter().all(|v| {
            crate::names::identifiers(&crate::names::items(v), &[])
                .iter()
                .all(|span| span.kind == crate::names::IdKind::Varying)
        });
        if stable {
            out.insert(fact.clone(), values);
        }
    }
    out
}

/// The values of `fact` when every key has it.
pub fn all_have(keys: &[&UsageKey], fact: &str) -> Option<BTreeSet<String>> {
    keys.iter()
        .map(|k| k.facts.get(fact).filter(|v| !v.is_empty()).cloned())
        .collect::<Option<BTreeSet<String>>>()
}

/// Whether the condition key `fact` describes `resource` of `action`: the service's facts name the resource
/// types some of its keys describe (`ec2:InstanceType`: the `instance` of `ec2:RunInstances`, not its image,
/// subnet or volume), and a key they do not name describes every resource.
pub fn describes(action: &str, fact: &str, resource: &str) -> bool {
    let Some(service) = service_of(action) else {
        return true;
    };
    match service.facts.condition_resource_types.get(fact) {
        None => true,
        Some(only) => only
            .types
            .iter()
            .any(|kind| service.is_arn_of_type(kind, resource)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(action: &str, region: &str, facts: &[(&str, &str)]) -> UsageKey {
        UsageKey {
            action: action.into(),
            resource: "*".into(),
            region: region.into(),
            facts: facts
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn global_services_are_not_restricted() {
        assert!(is_regional("lambda"));
        assert!(is_regional("ecr"));
        assert!(!is_regional("iam"));
        assert!(!is_regional("cloudfront"));
        assert!(!is_regional("route53"));
        assert!(!is_regional("no-such-service"));
    }

    #[test]
    fn facts_only_when_every_call_has_them() {
        let kinds = BTreeSet::from([ConditionKind::Service, ConditionKind::Region]);
        let a = key(
            "iam:PassRole",
            "us-east-1",
            &[("iam:PassedToService", "ecs-tasks.amazonaws.com")],
        );
        let b = key(
            "iam:PassRole",
            "eu-west-1",
            &[("iam:PassedToService", "lambda.amazonaws.com")],
        );
        let got = action_conditions(&[&a, &b], &kinds);
        assert_eq!(got.len(), 1, "IAM is global: no region condition");
        assert_eq!(got["iam:PassedToService"].len(), 2);
        let c = key(
            "kms:Decrypt",
            "us-east-1",
            &[("kms:ViaService", "s3.us-east-1.amazonaws.com")],
        );
        let d = key("kms:Decrypt", "eu-west-1", &[]);
        let got = action_conditions(&[&c, &d], &kinds);
        assert!(!got.contains_key("kms:ViaService"));
        assert_eq!(got["aws:RequestedRegion"].len(), 2);
        let launch = "ec2:RunInstances";
        assert!(describes(
            launch,
            INSTANCE_TYPE_FACT,
            "arn:aws:ec2:us-east-1:111122223333:instance/*"
        ));
        let tagged = |resource: &str, run: &str| UsageKey {
            action: "ec2:RunInstances".into(),
            resource: resource.into(),
            region: "us-east-1".into(),
            facts: [
                ("aws:RequestTag/team", "platform"),
                ("aws:RequestTag/run", run),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        };
        let (a, b) = (
            tagged("arn:aws:ec2:r:1:instance/*", "4411"),
            tagged("arn:aws:ec2:r:1:instance/*", "4412"),
        );
        let got = request_tags(&[&a, &b]);
        assert_eq!(got.keys().collect::<Vec<_>>(), ["aws:RequestTag/team"]);
        assert!(takes_request_tags(&a));
        assert!(!takes_request_tags(&tagged(
            "arn:aws:ec2:r::image/ami-0123abcd",
            "1"
        )));
        assert!(!describes(
            launch,
            INSTANCE_TYPE_FACT,
            "arn:aws:ec2:us-east-1:111122223333:volume/*"
        ));
        assert!(!describes(
            launch,
            INSTANCE_TYPE_FACT,
            "arn:aws:ec2:us-east-1::image/ami-0123abcd"
        ));
        assert!(describes(
            "s3:GetObject",
            INSTANCE_TYPE_FACT,
            "arn:aws:s3:::b/k"
        ));
    }
}
