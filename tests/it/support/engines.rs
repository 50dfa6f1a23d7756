//! What the query engines answer, for tests: moto's Athena seeded with result rows through moto's own API,
//! and CloudTrail Lake's answers canned for the real SDK client (see `canned.rs`).

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;

/// A POST of JSON to the emulator's own API.
pub fn post(endpoint: &str, path: &str, body: &Value) {
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host).expect("emulator reachable");
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("request sent");
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert!(response.starts_with("HTTP/1.1 2"), "{path}: {response}");
}

/// Queues `rows` (values in the order of `columns`) as the result of the next Athena query of moto's
/// default account in `region`, after the header row of column names real Athena returns first. Each test
/// that seeds uses its own region: the results form one queue per account and region.
pub fn seed_athena(endpoint: &str, region: &str, columns: &[&str], rows: &[Vec<Option<String>>]) {
    // NULL is a datum without a value.
    let datum = |v: &Option<String>| match v {
        Some(v) => json!({ "VarCharValue": v }),
        None => json!({}),
    };
    let header =
        json!({ "Data": columns.iter().map(|c| json!({ "VarCharValue": c })).collect::<Vec<_>>() });
    let mut result_rows = vec![header];
    result_rows.extend(
        rows.iter()
            .map(|r| json!({ "Data": r.iter().map(datum).collect::<Vec<_>>() })),
    );
    let column_info: Vec<Value> = columns
        .iter()
        .map(|c| json!({ "CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": c, "Label": c, "Type": "varchar", "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": true }))
        .collect();
    post(
        endpoint,
        "/moto-api/static/athena/query-results",
        &json!({ "account_id": "123456789012", "region": region, "results": [{ "rows": result_rows, "column_info": column_info }] }),
    );
}

/// CloudTrail Lake's answers, in order: StartQuery, DescribeQuery (QUEUED, RUNNING, then `last_status`) and
/// GetQueryResults in pages of `page` rows, each row a list of one-entry maps (column name to value) as
/// Lake returns them.
pub fn lake_answers(
    columns: &[&str],
    rows: &[Vec<Option<String>>],
    page: usize,
    last_status: &str,
) -> Vec<(u16, String)> {
    let mut answers = vec![(200, json!({ "QueryId": "q-1" }).to_string())];
    for status in ["QUEUED", "RUNNING", last_status] {
        let describe = json!({ "QueryId": "q-1", "QueryStatus": status,
            "QueryStatistics": { "BytesScanned": 1234 }, "ErrorMessage": "Query failed: column not found" });
        answers.push((200, describe.to_string()));
    }
    let pages: Vec<&[Vec<Option<String>>]> = rows.chunks(page).collect();
    for (index, chunk) in pages.iter().enumerate() {
        let rows: Vec<Value> = chunk
            .iter()
            .map(|row| {
                columns
                    .iter()
                    .zip(row)
                    .filter_map(|(c, v)| v.as_ref().map(|v| json!({ *c: v })))
                    .collect()
            })
            .collect();
        let mut answer = json!({ "QueryStatus": "FINISHED", "QueryResultRows": rows });
        if index + 1 < pages.len() {
            answer["NextToken"] = json!((index + 1).to_string());
        }
        answers.push((200, answer.to_string()));
    }
    answers
}

/// Runs the real binary from the package root against the emulator at `endpoint`, in `region`.
pub fn policygen_at(endpoint: &str, region: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args)
        .current_dir(super::root())
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", region)
        .env_remove("AWS_PROFILE")
        .output()
        .expect("binary runs")
}
