//! A region's client that keeps CloudTrail's pace, and one query's pages through it.

use super::{LookupError, PAGE_SIZE};
use aws_sdk_cloudtrail::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_cloudtrail::primitives::DateTime as AwsTime;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use aws_sdk_cloudtrail::Client;
use chrono::{DateTime, Utc};
use tokio::time::Instant;

/// A region's client that keeps CloudTrail's pace: one call per `pace`.
pub struct Paced {
    pub region: String,
    pub client: Client,
    pub pace: std::time::Duration,
    pub next: Option<Instant>,
    pub calls: usize,
}

/// One query: an optional attribute over a time range.
#[derive(Debug, Clone)]
pub struct Query {
    pub attribute: Option<(LookupAttributeKey, String)>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Paced {
    /// Every page of `query`; `page` gets each page's `CloudTrailEvent` strings.
    pub async fn run(
        &mut self,
        query: &Query,
        mut page: impl FnMut(Vec<String>, &Paced),
    ) -> Result<(), LookupError> {
        let mut token: Option<String> = None;
        loop {
            let output = self.call(query, token.take()).await?;
            let events: Vec<String> = output
                .events()
                .iter()
                .filter_map(|e| e.cloud_trail_event().map(str::to_string))
                .collect();
            page(events, self);
            match output.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_string()),
                _ => return Ok(()),
            }
        }
    }

    /// One call, after the pace. Throttling is the SDK's to retry (10 attempts with backoff, see [`clients`]);
    /// what still fails makes the region unreadable.
    async fn call(
        &mut self,
        query: &Query,
        token: Option<String>,
    ) -> Result<aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput, LookupError> {
        if let Some(next) = self.next {
            tokio::time::sleep_until(next).await;
        }
        self.calls += 1;
        let mut request = self
            .client
            .lookup_events()
            .start_time(AwsTime::from_secs(query.from.timestamp()))
            .end_time(AwsTime::from_secs(query.to.timestamp()))
            .max_results(PAGE_SIZE)
            .set_next_token(token);
        if let Some((key, value)) = &query.attribute {
            let attribute = LookupAttribute::builder()
                .attribute_key(key.clone())
                .attribute_value(value.clone())
                .build();
            if let Ok(attribute) = attribute {
                request = request.lookup_attributes(attribute);
            }
        }
        let result = request.send().await;
        // Paced from the answer, not the request: the service saw this call before it answered, so the
        // next one reaches it at least `pace` later however long either spent on the way.
        self.next = Some(Instant::now() + self.pace);
        result.map_err(|e| {
            let message = match (e.code(), e.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                _ => DisplayErrorContext(&e).to_string(),
            };
            LookupError::Aws {
                operation: "LookupEvents",
                region: self.region.clone(),
                message,
                code: e.code().map(str::to_string),
                source: Box::new(e),
            }
        })
    }
}
