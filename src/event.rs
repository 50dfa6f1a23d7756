//! The CloudTrail record model: only the fields policygen reads, borrowed from the input buffer.
//! Request and response bodies stay raw JSON and are parsed only for records that match the principal.

use crate::action::Action;
use crate::arn::Arn;
use serde::de::{Deserializer, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// A string field, borrowed from the input unless it holds an escape. serde's own `Option<Cow<str>>` always
/// copies (its `borrow` reaches only a bare `Cow`): one allocation per field of every record parsed.
fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    struct Text;
    impl<'de> Visitor<'de> for Text {
        type Value = Option<Cow<'de, str>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<Self::Value, D::Error> {
            inner.deserialize_str(self)
        }
        fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(text)))
        }
        fn visit_str<E>(self, text: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(text.to_owned())))
        }
        fn visit_string<E>(self, text: String) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(text)))
        }
    }
    deserializer.deserialize_option(Text)
}

/// One CloudTrail record, as far as policygen needs it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record<'a> {
    #[serde(borrow, default, deserialize_with = "text")]
    pub event_version: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub event_time: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub event_source: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub event_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub event_type: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "eventID", deserialize_with = "text")]
    pub event_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub aws_region: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub recipient_account_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub error_code: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
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
    #[serde(borrow, default, rename = "type", deserialize_with = "text")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub arn: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub account_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub user_name: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
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
    #[serde(borrow, default, rename = "type", deserialize_with = "text")]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub arn: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub account_id: Option<Cow<'a, str>>,
    #[serde(borrow, default, deserialize_with = "text")]
    pub user_name: Option<Cow<'a, str>>,
}

/// An entry of `resources[]`.
#[derive(Debug, Deserialize)]
pub struct ResourceRef<'a> {
    #[serde(borrow, default, rename = "ARN", deserialize_with = "text")]
    pub arn: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "type", deserialize_with = "text")]
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
    fn strings_borrow_unless_escaped_and_keep_serde_errors() {
        let json = r#"{"eventName":"GetObject","eventSource":"s3.amazon\u0061ws.com","errorCode":null,
          "userIdentity":{"arn":"arn:aws:iam::1:user/a"},"resources":[{"ARN":"arn:aws:s3:::b"}]}"#;
        let record: Record = serde_json::from_str(json).expect("valid record");
        assert!(matches!(
            record.event_name,
            Some(Cow::Borrowed("GetObject"))
        ));
        assert!(matches!(record.event_source, Some(Cow::Owned(ref s)) if s == "s3.amazonaws.com"));
        assert!(record.error_code.is_none() && record.event_time.is_none());
        let arn = record.user_identity.and_then(|u| u.arn);
        assert!(matches!(arn, Some(Cow::Borrowed("arn:aws:iam::1:user/a"))));
        let resources = record.resources.unwrap_or_default();
        let resource = resources.first().and_then(ResourceEntry::resource);
        assert!(matches!(
            resource.and_then(|r| r.arn.as_ref()),
            Some(Cow::Borrowed("arn:aws:s3:::b"))
        ));
        let wrong = serde_json::from_str::<Record>(r#"{"eventName":7}"#).expect_err("a number");
        assert_eq!(
            wrong.to_string(),
            "invalid type: integer `7`, expected a string at line 1 column 14"
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
