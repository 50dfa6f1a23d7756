//! `--athena` against moto's Athena (results seeded through moto's API) and `--lake` against a small
//! CloudTrail Lake server speaking the JSON 1.1 protocol, both driven by the real binary: the policy from
//! the engine's rows must equal the policy from reading the same events as files.

use super::support::emulator;
use policygen::collector::query::{keys_from_maps, COLUMNS};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};

const WINDOW: &str = "--role build-agent --from 2026-11-01 --to 2026-12-01";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn policygen(args: &[&str], endpoint: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args)
        .current_dir(root())
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("binary runs")
}

fn args(extra: &str) -> Vec<String> {
    WINDOW
        .split(' ')
        .chain(extra.split(' '))
        .map(str::to_string)
        .collect()
}

/// The rows Athena or Lake would return for the example trail, and the policy from reading it as files.
fn expected() -> (Vec<Vec<Option<String>>>, String) {
    let trail = root().join("examples/trail");
    let mut words = args("--logs");
    words.push(trail.display().to_string());
    let out = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(&words)
        .output()
        .expect("binary runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (identity, _) = policygen::principal::Identity::role("build-agent").expect("valid");
    let principal = policygen::principal::PrincipalFilter {
        identity,
        session: None,
        accounts: Default::default(),
    };
    let window = policygen::window::TimeWindow::new(
        policygen::window::parse_time("2026-11-01").expect("valid"),
        policygen::window::parse_time("2026-12-01").expect("valid"),
    )
    .expect("valid");
    let rows = super::support::aggregate::rows(
        &super::support::aggregate::records_under(&trail),
        &principal,
        &window,
        &keys_from_maps(),
    );
    (rows, String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A POST of JSON to the emulator's own API.
fn post(endpoint: &str, path: &str, body: &Value) {
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

#[test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
fn athena_rows_give_the_policy_of_the_files() {
    let endpoint = emulator();
    let (rows, files_policy) = expected();
    // Athena returns the column names as the first row; NULL is a datum without a value.
    let datum = |v: &Option<String>| match v {
        Some(v) => json!({ "VarCharValue": v }),
        None => json!({}),
    };
    let header =
        json!({ "Data": COLUMNS.iter().map(|c| json!({ "VarCharValue": c })).collect::<Vec<_>>() });
    let mut result_rows = vec![header];
    result_rows.extend(
        rows.iter()
            .map(|r| json!({ "Data": r.iter().map(datum).collect::<Vec<_>>() })),
    );
    let column_info: Vec<Value> = COLUMNS
        .iter()
        .map(|c| json!({ "CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": c, "Label": c, "Type": "varchar", "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": true }))
        .collect();
    post(
        &endpoint,
        "/moto-api/static/athena/query-results",
        &json!({ "account_id": "123456789012", "region": "us-east-1", "results": [{ "rows": result_rows, "column_info": column_info }] }),
    );
    // The query passes through QUEUED and RUNNING first, so the polling is exercised.
    post(
        &endpoint,
        "/moto-api/state-manager/set-transition",
        &json!({ "model_name": "athena::execution", "transition": { "progression": "manual", "times": 2 } }),
    );
    let words = args("--athena db.cloudtrail_logs --athena-output s3://athena-results/policygen/");
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let out = policygen(&words, &endpoint);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        files_policy,
        "{stderr}"
    );
    assert!(stderr.contains("Athena query"), "{stderr}");
    post(
        &endpoint,
        "/moto-api/state-manager/unset-transition",
        &json!({ "model_name": "athena::execution" }),
    );
}

/// A CloudTrail Lake endpoint: StartQuery, DescribeQuery (QUEUED, then RUNNING, then FINISHED) and
/// GetQueryResults in pages of `page` rows, each row a list of one-entry maps as Lake returns them.
fn lake_server(
    rows: Vec<Vec<Option<String>>>,
    page: usize,
    last_status: &'static str,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        let mut describes = 0;
        // Bounded: the test makes a few dozen calls at most.
        for stream in listener.incoming().take(200) {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let (mut target, mut length) = (String::new(), 0usize);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("x-amz-target:") {
                    target = line[line.len() - v.len()..].trim().to_string();
                }
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let operation = target.rsplit('.').next().unwrap_or("").to_string();
            if let Ok(mut log) = log.lock() {
                log.push(format!(
                    "{operation} {}",
                    request
                        .get("QueryStatement")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                ));
            }
            let response = match operation.as_str() {
                "StartQuery" => json!({ "QueryId": "q-1" }),
                "DescribeQuery" => {
                    describes += 1;
                    let status = ["QUEUED", "RUNNING"]
                        .get(describes - 1)
                        .copied()
                        .unwrap_or(last_status);
                    json!({ "QueryId": "q-1", "QueryStatus": status, "QueryStatistics": { "BytesScanned": 1234 },
                            "ErrorMessage": "Query failed: column not found" })
                }
                "GetQueryResults" => {
                    let start: usize = request
                        .get("NextToken")
                        .and_then(Value::as_str)
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(0);
                    let chunk: Vec<Value> = rows
                        .iter()
                        .skip(start)
                        .take(page)
                        .map(|row| {
                            Value::Array(
                                COLUMNS
                                    .iter()
                                    .zip(row)
                                    .filter_map(|(c, v)| v.as_ref().map(|v| json!({ *c: v })))
                                    .collect(),
                            )
                        })
                        .collect();
                    let mut response =
                        json!({ "QueryStatus": "FINISHED", "QueryResultRows": chunk });
                    if start + page < rows.len() {
                        response["NextToken"] = json!((start + page).to_string());
                    }
                    response
                }
                _ => json!({ "__type": "UnknownOperationException" }),
            };
            let body = response.to_string();
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let mut stream = reader.into_inner();
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (endpoint, seen)
}

#[test]
fn lake_rows_give_the_policy_of_the_files() {
    let (rows, files_policy) = expected();
    let (endpoint, seen) = lake_server(rows, 7, "FINISHED");
    let words = args("--lake EXAMPLE-f852-4e8f-8bd1");
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let out = policygen(&words, &endpoint);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        files_policy,
        "{stderr}"
    );
    let calls = seen.lock().map(|c| c.clone()).unwrap_or_default();
    assert!(calls[0].starts_with("StartQuery -- policygen"), "{calls:?}");
    assert!(
        calls[0].contains("FROM EXAMPLE-f852-4e8f-8bd1"),
        "{calls:?}"
    );
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("DescribeQuery"))
            .count(),
        3,
        "{calls:?}"
    );
    assert!(
        calls
            .iter()
            .filter(|c| c.starts_with("GetQueryResults"))
            .count()
            > 1,
        "paged: {calls:?}"
    );
}

/// A query the engine fails is a fatal error naming the query and the engine's reason: no policy is
/// written from a result that does not exist.
#[test]
fn a_failed_lake_query_is_an_error() {
    let (endpoint, _) = lake_server(Vec::new(), 7, "FAILED");
    let words = args("--lake EXAMPLE-f852-4e8f-8bd1");
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let out = policygen(&words, &endpoint);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("q-1") && stderr.contains("failed") && stderr.contains("column not found"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no policy from a failed query");
}

#[test]
fn print_sql_needs_no_credentials() {
    let out = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args("--athena db.trail --print-sql"))
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_PROFILE")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(0));
    let sql = String::from_utf8_lossy(&out.stdout);
    assert!(
        sql.contains("FROM \"db\".\"trail\"") && sql.contains("GROUP BY"),
        "{sql}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args("--logs x --print-sql"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn athena_ddl_writes_a_projected_table() {
    let out = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args([
            "athena-ddl",
            "--s3",
            "s3://trail-bucket/org",
            "--account",
            "111122223333",
            "--organization",
            "o-abc123def4",
            "--regions",
            "us-east-1,eu-west-1",
            "--table",
            "security.cloudtrail",
        ])
        .output()
        .expect("binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ddl = String::from_utf8_lossy(&out.stdout);
    assert!(
        ddl.starts_with("CREATE EXTERNAL TABLE security.cloudtrail ("),
        "{ddl}"
    );
    assert!(ddl.contains("'storage.location.template' = 's3://trail-bucket/org/AWSLogs/o-abc123def4/111122223333/CloudTrail/${region}/${timestamp}'"), "{ddl}");
    assert!(
        ddl.contains("'projection.region.values' = 'us-east-1,eu-west-1'"),
        "{ddl}"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args([
            "athena-ddl",
            "--s3",
            "s3://b",
            "--account",
            "12",
            "--regions",
            "us-east-1",
        ])
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(2));
}
