//! Grants whose use CloudTrail cannot show: the review never proposes removing them.

use crate::glob::wildcard_match;

/// Where CloudTrail cannot show a use. Sources: AWS CloudTrail User Guide, "Logging data events" (data event
/// resource types: off unless the trail selects them), and the services' CloudTrail pages for calls that are
/// never logged (RDS IAM authentication, API Gateway invocations, OpenSearch HTTP, MSK and Neptune data plane).
pub struct Unlogged {
    pub what: &'static str,
    /// Data events: observable once any of them was seen in the window. Otherwise never logged.
    pub data_event: bool,
    pub patterns: &'static [&'static str],
}

pub const UNLOGGED: &[Unlogged] = &[
    Unlogged {
        what: "S3 object-level calls (data events)",
        data_event: true,
        patterns: &[
            "s3:GetObject*",
            "s3:PutObject*",
            "s3:DeleteObject*",
            "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts",
            "s3:RestoreObject",
        ],
    },
    Unlogged {
        what: "Lambda invocations (data events)",
        data_event: true,
        patterns: &["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"],
    },
    Unlogged {
        what: "DynamoDB item calls (data events)",
        data_event: true,
        patterns: &[
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:Batch*Item",
            "dynamodb:ConditionCheckItem",
            "dynamodb:PartiQL*",
        ],
    },
    Unlogged {
        what: "SQS message calls (data events)",
        data_event: true,
        patterns: &[
            "sqs:SendMessage",
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
        ],
    },
    Unlogged {
        what: "SNS publishing (data events)",
        data_event: true,
        patterns: &["sns:Publish"],
    },
    Unlogged {
        what: "Kinesis record calls (data events)",
        data_event: true,
        patterns: &[
            "kinesis:PutRecord",
            "kinesis:PutRecords",
            "kinesis:GetRecords",
            "kinesis:GetShardIterator",
            "kinesis:SubscribeToShard",
        ],
    },
    Unlogged {
        what: "calls CloudTrail never logs (database IAM authentication, API invocations, data-plane HTTP)",
        data_event: false,
        patterns: &[
            "rds-db:*",
            "execute-api:*",
            "es:ESHttp*",
            "kafka-cluster:*",
            "neptune-db:*",
        ],
    },
];

pub fn matches_any(patterns: &[&str], action: &str) -> bool {
    patterns.iter().any(|p| wildcard_match(p, action, false))
}
