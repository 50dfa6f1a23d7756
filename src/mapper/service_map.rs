//! The on-disk schema of `service-maps/<prefix>.json` (documented in `service-maps/README.md`).
//! Unknown fields are errors so that a typo in a map never silently drops a rule.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceFile {
    pub prefix: String,
    pub name: String,
    #[serde(default)]
    pub resource_types: BTreeMap<String, ResourceTypeDef>,
    #[serde(default)]
    pub actions: BTreeMap<String, ActionDef>,
    #[serde(default)]
    pub event_name_suffixes: Vec<String>,
    #[serde(default)]
    pub patterns: BTreeMap<String, String>,
    #[serde(default)]
    pub events: BTreeMap<String, EventRule>,
    #[serde(default)]
    pub facts: Facts,
}

/// What the emitter needs to know about a service beyond its catalogue (`service-maps/README.md`, "Facts").
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// Whether `aws:RequestedRegion` may restrict the service: some ARN format of its own has a `${Region}`
    /// (written by the generator from the catalogue). Global services (IAM, CloudFront, Route 53) have none,
    /// nor do services without resource types.
    #[serde(default)]
    pub regional: bool,
    /// Condition keys that describe only some of the service's resource types (`ec2:InstanceType`: the
    /// `instance`): a condition on one goes on those resources only, so that the others of the same call
    /// keep working.
    #[serde(default)]
    pub condition_resource_types: BTreeMap<String, ConditionResourceTypes>,
    /// How the service evaluates `aws:RequestTag/KEY`, where it differs from what its catalogue says.
    #[serde(default)]
    pub request_tags: Option<RequestTags>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionResourceTypes {
    pub types: Vec<String>,
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestTags {
    /// Every action of the service takes the tags of its request (the catalogue lists the key on resource
    /// types rather than actions).
    #[serde(default)]
    pub every_action: bool,
    /// The key is evaluated on the resources the request creates (`instance/*`) only...
    #[serde(default)]
    pub created_only: bool,
    /// ...except for these actions, which apply their tags to every resource they name.
    #[serde(default)]
    pub except: Vec<String>,
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceTypeDef {
    pub arn: String,
    #[serde(default)]
    pub condition_keys: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDef {
    pub access: String,
    #[serde(default)]
    pub resources: Vec<ActionResource>,
    #[serde(default)]
    pub condition_keys: Vec<String>,
    #[serde(default)]
    pub dependent: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionResource {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub required: bool,
}

/// Exactly one of `grants`, `none`, `internal`, `console` (checked when the file is loaded).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventRule {
    #[serde(default)]
    pub grants: Option<Vec<Grant>>,
    #[serde(default)]
    pub none: Option<String>,
    #[serde(default)]
    pub internal: Option<String>,
    #[serde(default)]
    pub console: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub reveals: Vec<RevealSpec>,
}

/// What a call tells about a resource that other calls name only partially: `key` (a query execution ID,
/// a change set ARN) is linked to the resource `to` under the name `link`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevealSpec {
    pub link: String,
    pub key: OneOrMany,
    pub to: ResourceSpec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    pub action: String,
    #[serde(default)]
    pub when: Option<When>,
    #[serde(default)]
    pub resources: Vec<ResourceSpec>,
    #[serde(default)]
    pub facts: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "lowercase")]
pub enum When {
    Exists(String),
    Absent(String),
    Matches((String, String)),
    All(Vec<When>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub bind: BTreeMap<String, OneOrMany>,
    #[serde(default)]
    pub arn: Option<OneOrMany>,
    /// The resource is one named resource that AWS completes (a random suffix, an IAM path), written as
    /// a pattern; an ARN from the principal's records that matches it replaces it.
    #[serde(default)]
    pub narrow: bool,
    /// The resource another call linked to `key` under this name (see [`RevealSpec`]).
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub key: Option<OneOrMany>,
    /// Alternatives: the first that the record gives is the resource.
    #[serde(default)]
    pub first: Vec<ResourceSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(one) => std::slice::from_ref(one),
            OneOrMany::Many(many) => many,
        }
    }
}
