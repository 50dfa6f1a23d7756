//! CloudTrail Lake: the same aggregation as Athena in Lake's dialect (`query/`), run with StartQuery,
//! polled with DescribeQuery, read with GetQueryResults.

use super::athena::{aws_message, next_poll, QueryReport, QueryRunError};
use aws_sdk_cloudtrail::types::QueryStatus;

/// `--lake EVENT_DATA_STORE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LakeSource {
    /// The event data store ID.
    pub store: String,
    pub regions: Vec<String>,
}

/// Runs `sql`, polls it until it ends, and hands each result row (values in the order of `columns`) to
/// `row`, with the query's name for diagnostics.
pub async fn run(
    config: &aws_config::SdkConfig,
    sql: String,
    columns: &[&str],
    mut row: impl FnMut(&str, Vec<Option<String>>, &mut QueryReport) -> Result<(), QueryRunError>,
) -> Result<QueryReport, QueryRunError> {
    let client = aws_sdk_cloudtrail::Client::new(config);
    let started = client
        .start_query()
        .query_statement(sql)
        .send()
        .await
        .map_err(|e| QueryRunError::Aws {
            operation: "StartQuery",
            message: aws_message(&e),
        })?;
    let id = started.query_id().unwrap_or_default().to_string();
    let mut report = QueryReport {
        engine: "CloudTrail Lake",
        query_id: id.clone(),
        ..QueryReport::default()
    };
    let begun = std::time::Instant::now();
    loop {
        let described = client
            .describe_query()
            .query_id(&id)
            .send()
            .await
            .map_err(|e| QueryRunError::Aws {
                operation: "DescribeQuery",
                message: aws_message(&e),
            })?;
        report.polls += 1;
        match described.query_status() {
            Some(QueryStatus::Finished) => {
                report.bytes_scanned = described.query_statistics().and_then(|s| s.bytes_scanned());
                break;
            }
            Some(
                state @ (QueryStatus::Failed | QueryStatus::Cancelled | QueryStatus::TimedOut),
            ) => {
                let reason = described
                    .error_message()
                    .unwrap_or("no reason given")
                    .to_string();
                return Err(QueryRunError::Failed {
                    id,
                    state: state.as_str().to_lowercase(),
                    reason,
                });
            }
            _ => {}
        }
        next_poll(begun, report.polls, &id).await?;
    }
    let mut token: Option<String> = None;
    let name = format!("cloudtrail lake query {id}");
    loop {
        let page = client
            .get_query_results()
            .query_id(&id)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|e| QueryRunError::Aws {
                operation: "GetQueryResults",
                message: aws_message(&e),
            })?;
        for result in page.query_result_rows() {
            // Lake gives each row as a list of one-entry maps, column name to value.
            let values: Vec<Option<String>> = columns
                .iter()
                .map(|column| result.iter().find_map(|cell| cell.get(*column).cloned()))
                .collect();
            row(&name, values, &mut report)?;
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    Ok(report)
}
