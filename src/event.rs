//! The CloudTrail record model: only the fields policygen reads, borrowed from the input buffer.
//! Request and response bodies stay raw JSON and are parsed only for records that match the principal.

use crate::action::Action;
use crate::arn::Arn;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// One CloudTrail record, as far as policygen needs it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record<'a> {
    #[serde(borrow, default)]
    pub event_version: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub event_time: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub event_source: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub event_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub event_type: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "eventID")]
    pub event_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub aws_region: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub recipient_account_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub error_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub error_message: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub user_identity: Option<UserIdentity<'a>>,
    #[serde(borrow, default)]
    pub request_parameters: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub response_elements: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub additional_event_data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub resources: Option<Vec<ResourceEntry<'a>>>,
}

/// An entry of `resources[]`; entries of another shape (seen in hand-edited fixtures) are ignored.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ResourceEntry<'a> {
    Resource(#[serde(borrow)] ResourceRef<'a>),
    Other(serde::de::IgnoredAny),
}

impl<'a> ResourceEntry<'a> {
    pub fn resource(&self) -> Option<&ResourceRef<'a>> {
        match self {
            ResourceEntry::Resource(r) => Some(r),
            ResourceEntry::Other(_) => None,
        }
    }
}

/// `userIdentity`: who made the call.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity<'a> {
    #[serde(borrow, default, rename = "type")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub arn: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub account_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub user_name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub invoked_by: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub session_context: Option<SessionContext<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext<'a> {
    #[serde(borrow, default)]
    pub session_issuer: Option<SessionIssuer<'a>>,
}

/// The role (or user, for federation tokens) whose session made the call.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionIssuer<'a> {
    #[serde(borrow, default, rename = "type")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub arn: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub account_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub user_name: Option<Cow<'a, str>>,
}

/// An entry of `resources[]`.
#[derive(Debug, Deserialize)]
pub struct ResourceRef<'a> {
    #[serde(borrow, default, rename = "ARN")]
    pub arn: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "type")]
    pub kind: Option<Cow<'a, str>>,
}

impl Record<'_> {
    pub fn source(&self) -> &str {
        self.event_source.as_deref().unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.event_name.as_deref().unwrap_or("")
    }

    pub fn time(&self) -> &str {
        self.event_time.as_deref().unwrap_or("")
    }

    pub fn id(&self) -> &str {
        self.event_id.as_deref().unwrap_or("")
    }

    pub fn region(&self) -> &str {
        self.aws_region.as_deref().unwrap_or("")
    }

    pub fn identity_type(&self) -> &str {
        self.user_identity
            .as_ref()
            .and_then(|u| u.kind.as_deref())
            .unwrap_or("")
    }

    /// The account the call was made in: the resource owner's, where ARNs are built.
    pub fn account(&self) -> &str {
        self.recipient_account_id
            .as_deref()
            .or_else(|| {
                self.user_identity
                    .as_ref()
                    .and_then(|u| u.account_id.as_deref())
            })
            .unwrap_or("")
    }

    /// The AWS partition: from the region where it decides (`cn-*`, `us-gov-*`), else the caller's ARN.
    pub fn partition(&self) -> &str {
        let region = self.region();
        for (prefix, partition) in REGION_PARTITIONS {
            if region.starts_with(prefix) {
                return partition;
            }
        }
        let from_arn = self
            .user_identity
            .as_ref()
            .and_then(|u| u.arn.as_deref())
            .and_then(Arn::parse)
            .map(|arn| arn.partition())
            .filter(|p| !p.is_empty());
        from_arn.unwrap_or("aws")
    }

    /// Events that are not API calls of a principal (Insights, service events) carry no permission.
    pub fn is_api_call(&self) -> bool {
        !matches!(
            self.event_type.as_deref(),
            Some("AwsCloudTrailInsight") | Some("AwsServiceEvent")
        )
    }
}

/// Region name prefixes of the partitions other than `aws` (AWS General Reference, "Partitions").
const REGION_PARTITIONS: [(&str, &str); 6] = [
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("eusc-", "aws-eusc"),
];

/// How CloudTrail names the access-denied family of errors.
pub fn is_access_denied(error_code: &str) -> bool {
    let code = error_code.to_ascii_lowercase();
    code.contains("accessdenied") || code.contains("unauthorized") || code.contains("forbidden")
}

/// The action named in an AccessDenied message (`... not authorized to perform: iam:CreateRole on ...`).
pub fn denied_action(message: &str) -> Option<&str> {
    let rest = message.split("perform: ").nth(1)?;
    let action = rest.split(|c: char| c.is_whitespace() || c == ',').next()?;
    Action::parse(action)
        .filter(|a| !a.is_pattern())
        .map(|a| a.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_assumed_role_record() {
        let json = r#"{"eventVersion":"1.08","eventTime":"2026-11-15T12:05:00Z","eventSource":"s3.amazonaws.com",
          "eventName":"GetObject","awsRegion":"us-east-1","recipientAccountId":"111122223333",
          "userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/build-agent/gh-1",
            "sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/ci/build-agent","userName":"build-agent"}}},
          "requestParameters":{"bucketName":"b","key":"k"},"resources":[{"ARN":"arn:aws:s3:::b/k","type":"AWS::S3::Object"}]}"#;
        let record: Record = serde_json::from_str(json).expect("valid record");
        assert_eq!(record.name(), "GetObject");
        assert_eq!(record.partition(), "aws");
        let issuer = record
            .user_identity
            .and_then(|u| u.session_context)
            .and_then(|s| s.session_issuer);
        assert_eq!(
            issuer.and_then(|i| i.user_name).as_deref(),
            Some("build-agent")
        );
    }

    #[test]
    fn partition_from_arn_or_region() {
        let record: Record = serde_json::from_str(r#"{"awsRegion":"cn-north-1"}"#).expect("valid");
        assert_eq!(record.partition(), "aws-cn");
        let record: Record =
            serde_json::from_str(r#"{"userIdentity":{"arn":"arn:aws-us-gov:iam::1:user/a"}}"#)
                .expect("valid");
        assert_eq!(record.partition(), "aws-us-gov");
    }

    #[test]
    fn denied_action_from_message() {
        let message = "User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: iam:CreateRole on resource: x";
        assert_eq!(denied_action(message), Some("iam:CreateRole"));
        assert_eq!(denied_action("Access Denied"), None);
        assert!(is_access_denied("Client.UnauthorizedOperation"));
        assert!(is_access_denied("AccessDeniedException"));
        assert!(!is_access_denied("NoSuchKey"));
    }
}
