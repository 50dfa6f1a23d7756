//! Amazon Athena over the trail bucket: one aggregation query (see `query/`), polled until it ends, its
//! rows fed through the same ingest path as every other source.

use super::decode::Decoder;
use super::query::{self, Engine, Row, COLUMNS};
use super::sink::{Collected, Origin, Sink};
use aws_sdk_athena::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_athena::types::{QueryExecutionContext, QueryExecutionState, ResultConfiguration};
use std::time::Duration;

/// `--athena TABLE` with its options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AthenaSource {
    pub database: String,
    pub table: String,
    pub layout: query::Layout,
    pub workgroup: Option<String>,
    /// `s3://…` for the results, when the workgroup does not set one.
    pub output: Option<String>,
    pub regions: Vec<String>,
}

impl AthenaSource {
    pub fn engine(&self) -> Engine {
        Engine::Athena {
            database: self.database.clone(),
            table: self.table.clone(),
            layout: self.layout,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum QueryRunError {
    #[error("`{operation}` failed: {message}")]
    Aws {
        operation: &'static str,
        message: String,
    },
    #[error("the query `{id}` ended {state}: {reason}")]
    Failed {
        id: String,
        state: String,
        reason: String,
    },
    #[error("the query `{id}` did not finish within {minutes} minutes")]
    Timeout { id: String, minutes: u64 },
    #[error("a result row of the query `{id}` has the wrong columns: {columns}")]
    Columns { id: String, columns: String },
}

/// What the query did, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryReport {
    pub engine: &'static str,
    pub query_id: String,
    pub rows: u64,
    pub events: u64,
    pub bytes_scanned: Option<i64>,
    pub polls: u32,
}

/// The code and message of a service error, or the whole chain of a transport error.
pub fn aws_message<E, R>(e: &aws_sdk_athena::error::SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match e.as_service_error() {
        Some(service) => format!(
            "{}: {}",
            service.code().unwrap_or("error"),
            service.message().unwrap_or("")
        ),
        None => DisplayErrorContext(e).to_string(),
    }
}

fn aws<E, R>(operation: &'static str, e: aws_sdk_athena::error::SdkError<E, R>) -> QueryRunError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    QueryRunError::Aws {
        operation,
        message: aws_message(&e),
    }
}

/// How long a query may run before policygen gives up (Athena's own limit is 30 minutes by default).
pub const MAX_WAIT: Duration = Duration::from_secs(60 * 60);

/// Polling interval: starts short for small queries, grows to a few seconds for long ones.
pub fn poll_delay(poll: u32) -> Duration {
    Duration::from_millis((200u64 << poll.min(5)).min(5_000))
}

/// Waits before the next poll of a query; gives up once it has run for `MAX_WAIT`.
pub async fn next_poll(
    begun: std::time::Instant,
    polls: u32,
    id: &str,
) -> Result<(), QueryRunError> {
    if begun.elapsed() > MAX_WAIT {
        return Err(QueryRunError::Timeout {
            id: id.to_string(),
            minutes: MAX_WAIT.as_secs() / 60,
        });
    }
    tokio::time::sleep(poll_delay(polls)).await;
    Ok(())
}

/// Runs `sql`, polls it until it ends, and hands each result row (values in the order of `columns`) to
/// `row`, with the query's name for diagnostics.
pub async fn run(
    config: &aws_config::SdkConfig,
    source: &AthenaSource,
    sql: String,
    columns: &[&str],
    mut row: impl FnMut(&str, Vec<Option<String>>, &mut QueryReport) -> Result<(), QueryRunError>,
) -> Result<QueryReport, QueryRunError> {
    let client = aws_sdk_athena::Client::new(config);
    let mut start = client
        .start_query_execution()
        .query_string(sql)
        .query_execution_context(
            QueryExecutionContext::builder()
                .database(&source.database)
                .build(),
        );
    if let Some(workgroup) = &source.workgroup {
        start = start.work_group(workgroup);
    }
    if let Some(output) = &source.output {
        start = start.result_configuration(
            ResultConfiguration::builder()
                .output_location(output)
                .build(),
        );
    }
    let started = start
        .send()
        .await
        .map_err(|e| aws("StartQueryExecution", e))?;
    let id = started.query_execution_id().unwrap_or_default().to_string();
    let mut report = QueryReport {
        engine: "Athena",
        query_id: id.clone(),
        ..QueryReport::default()
    };
    let begun = std::time::Instant::now();
    loop {
        let execution = client
            .get_query_execution()
            .query_execution_id(&id)
            .send()
            .await
            .map_err(|e| aws("GetQueryExecution", e))?;
        report.polls += 1;
        let execution = execution.query_execution();
        let status = execution.and_then(|q| q.status());
        match status.and_then(|s| s.state()) {
            Some(QueryExecutionState::Succeeded) => {
                report.bytes_scanned = execution
                    .and_then(|q| q.statistics())
                    .and_then(|s| s.data_scanned_in_bytes());
                break;
            }
            Some(state @ (QueryExecutionState::Failed | QueryExecutionState::Cancelled)) => {
                let reason = status
                    .and_then(|s| s.state_change_reason())
                    .unwrap_or("no reason given");
                return Err(QueryRunError::Failed {
                    id,
                    state: state.as_str().to_lowercase(),
                    reason: reason.to_string(),
                });
            }
            _ => {}
        }
        next_poll(begun, report.polls, &id).await?;
    }
    let mut token: Option<String> = None;
    let mut first = true;
    let name = format!("athena query {id}");
    loop {
        let page = client
            .get_query_results()
            .query_execution_id(&id)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| aws("GetQueryResults", e))?;
        for result in page.result_set().map(|r| r.rows()).unwrap_or_default() {
            let values: Vec<Option<String>> = result
                .data()
                .iter()
                .map(|d| d.var_char_value().map(str::to_string))
                .collect();
            // Athena returns the column names as the first row of the first page.
            let header = first
                && values
                    .iter()
                    .map(|v| v.as_deref().unwrap_or(""))
                    .eq(columns.iter().copied());
            first = false;
            if !header {
                row(&name, values, &mut report)?;
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(report)
}

/// One result row through the decoder, as the record it stands for.
pub fn feed<S: Sink>(
    name: &str,
    index: usize,
    values: Vec<Option<String>>,
    decoder: &Decoder<S>,
    out: &mut Collected<S>,
    report: &mut QueryReport,
) -> Result<(), QueryRunError> {
    if values.len() != COLUMNS.len() {
        return Err(QueryRunError::Columns {
            id: report.query_id.clone(),
            columns: values.len().to_string(),
        });
    }
    let Some(row) = Row::new(values) else {
        return Err(QueryRunError::Columns {
            id: report.query_id.clone(),
            columns: "a row without its call or count".into(),
        });
    };
    report.rows += 1;
    report.events += row.weight.count;
    let origin = Origin { file: name, index };
    decoder.aggregated(&row.record(), origin, &row.weight, out);
    Ok(())
}
