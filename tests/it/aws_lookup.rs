//! LookupEvents, driven by the real SDK client: against a small CloudTrail server on 127.0.0.1 that speaks
//! the JSON 1.1 protocol (`X-Amz-Target: CloudTrail_20131101.LookupEvents`, 50 events a page, `NextToken`,
//! `LookupAttributes`, `StartTime`/`EndTime`, `ThrottlingException` above 2 calls/s per region), and against
//! a hand-written fake HTTP client for error shapes and retry sequences. Needs no emulator.

use super::support::canned::{Canned, RESET};
use aws_sdk_cloudtrail::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_types::retry::RetryConfig;
use policygen::collector::lookup::{collect_with, LookupReport, Strategy};
use policygen::collector::source::{LookupSource, Regions};
use policygen::collector::{Decoder, Scope};
use policygen::pipeline::run_sink;
use policygen::principal::{Identity, PrincipalFilter};
use policygen::window::{parse_time, TimeWindow};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The example trail's management events (LookupEvents has no data events).
fn management_events() -> Vec<Value> {
    let mut out = Vec::new();
    for (rel, bytes) in super::support::files_under(&super::support::example_trail()) {
        if rel.contains("CloudTrail-Digest") {
            continue;
        }
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .expect("gzip");
        let file: Value = serde_json::from_str(&text).expect("json");
        for record in file["Records"].as_array().expect("records") {
            if record["managementEvent"] != json!(false) {
                out.push(record.clone());
            }
        }
    }
    out
}

#[derive(Default)]
struct ServerState {
    /// Per region: events newest first.
    events: BTreeMap<String, Vec<Value>>,
    /// Regions answering `UnrecognizedClientException` (not enabled).
    disabled: BTreeSet<String>,
    /// Per region: when each call arrived.
    calls: BTreeMap<String, Vec<Instant>>,
    throttled: usize,
    /// Answer `ThrottlingException` above 2 calls/s per region (as CloudTrail does).
    throttle: bool,
}

/// A CloudTrail LookupEvents server on 127.0.0.1, one thread per connection; stops with the test process.
struct Server {
    url: String,
    state: Arc<Mutex<ServerState>>,
}

fn epoch(time: &str) -> f64 {
    chrono::DateTime::parse_from_rfc3339(time)
        .map(|t| t.timestamp() as f64)
        .unwrap_or(0.0)
}

fn matches(event: &Value, key: &str, value: &str) -> bool {
    let identity = &event["userIdentity"];
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    match key {
        "EventName" => text(&event["eventName"]) == value,
        "EventSource" => text(&event["eventSource"]) == value,
        "EventId" => text(&event["eventID"]) == value,
        "AccessKeyId" => text(&identity["accessKeyId"]) == value,
        // For a role session CloudTrail's user name is the session name.
        "Username" => {
            text(&identity["userName"]) == value
                || (text(&identity["type"]) == "AssumedRole"
                    && text(&identity["arn"]).rsplit('/').next() == Some(value))
        }
        _ => false,
    }
}

impl Server {
    fn start(events: Vec<Value>, disabled: &[&str]) -> Server {
        Server::start_with(events, disabled, true)
    }

    fn start_with(events: Vec<Value>, disabled: &[&str], throttle: bool) -> Server {
        let mut state = ServerState::default();
        for event in events {
            let region = event["awsRegion"].as_str().unwrap_or("").to_string();
            state.events.entry(region).or_default().push(event);
        }
        for list in state.events.values_mut() {
            list.sort_by(|a, b| {
                b["eventTime"]
                    .as_str()
                    .cmp(&a["eventTime"].as_str())
                    .then(a["eventID"].as_str().cmp(&b["eventID"].as_str()))
            });
        }
        state.disabled = disabled.iter().map(|r| r.to_string()).collect();
        state.throttle = throttle;
        let state = Arc::new(Mutex::new(state));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || serve(stream, &state));
            }
        });
        Server { url, state }
    }

    fn calls(&self) -> BTreeMap<String, usize> {
        let state = self.state.lock().expect("lock");
        state
            .calls
            .iter()
            .map(|(r, c)| (r.clone(), c.len()))
            .collect()
    }

    fn throttled(&self) -> usize {
        self.state.lock().expect("lock").throttled
    }
}

fn serve(stream: TcpStream, state: &Mutex<ServerState>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut writer = stream;
    loop {
        let mut headers = BTreeMap::new();
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((k, v)) = header.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let length: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (status, reply) = answer(&headers, &body, state);
        let text = reply.to_string();
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: test\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

fn answer(
    headers: &BTreeMap<String, String>,
    body: &[u8],
    state: &Mutex<ServerState>,
) -> (&'static str, Value) {
    let error =
        |status, kind: &str, message: &str| (status, json!({"__type": kind, "message": message}));
    if headers.get("x-amz-target").map(String::as_str) != Some("CloudTrail_20131101.LookupEvents") {
        return error(
            "400 Bad Request",
            "UnknownOperationException",
            "only LookupEvents",
        );
    }
    // The region is in the signature's credential scope: `Credential=KEY/DATE/REGION/cloudtrail/aws4_request`.
    let region = headers
        .get("authorization")
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(2))
        .unwrap_or("")
        .to_string();
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return error("400 Bad Request", "SerializationException", "bad JSON");
    };
    let mut state = state.lock().expect("lock");
    if state.disabled.contains(&region) {
        return error(
            "400 Bad Request",
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        );
    }
    let now = Instant::now();
    let calls = state.calls.entry(region.clone()).or_default();
    let recent = calls
        .iter()
        .filter(|t| now.duration_since(**t) < Duration::from_secs(1))
        .count();
    calls.push(now);
    if state.throttle && recent >= 2 {
        state.throttled += 1;
        return error("400 Bad Request", "ThrottlingException", "Rate exceeded");
    }
    let attributes = request["LookupAttributes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if attributes.len() > 1 {
        return error(
            "400 Bad Request",
            "InvalidLookupAttributesException",
            "one attribute only",
        );
    }
    let start = request["StartTime"].as_f64().unwrap_or(f64::MIN);
    let end = request["EndTime"].as_f64().unwrap_or(f64::MAX);
    let max = request["MaxResults"].as_u64().unwrap_or(50).clamp(1, 50) as usize;
    let offset: usize = request["NextToken"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let selected: Vec<&Value> = state
        .events
        .get(&region)
        .map(|events| {
            events
                .iter()
                .filter(|e| {
                    let t = epoch(e["eventTime"].as_str().unwrap_or(""));
                    start <= t && t <= end
                })
                .filter(|e| {
                    attributes.iter().all(|a| {
                        matches(
                            e,
                            a["AttributeKey"].as_str().unwrap_or(""),
                            a["AttributeValue"].as_str().unwrap_or(""),
                        )
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let page: Vec<Value> = selected
        .iter()
        .skip(offset)
        .take(max)
        .map(|e| {
            json!({
                "EventId": e["eventID"],
                "EventName": e["eventName"],
                "EventSource": e["eventSource"],
                "EventTime": epoch(e["eventTime"].as_str().unwrap_or("")),
                "Username": e["userIdentity"]["userName"],
                "AccessKeyId": e["userIdentity"]["accessKeyId"],
                "CloudTrailEvent": e.to_string(),
            })
        })
        .collect();
    let mut reply = json!({ "Events": page });
    if offset + max < selected.len() {
        reply["NextToken"] = json!((offset + max).to_string());
    }
    ("200 OK", reply)
}

fn client(url: &str, region: &str, partition: &str) -> aws_sdk_cloudtrail::Client {
    client_with_backoff(url, region, partition, Duration::from_millis(5))
}

/// policygen's client for one region (10 attempts), with its own retry partition, so that tests do not
/// share the SDK's retry budget, and the given first backoff.
fn client_with_backoff(
    url: &str,
    region: &str,
    partition: &str,
    initial_backoff: Duration,
) -> aws_sdk_cloudtrail::Client {
    let conf = aws_sdk_cloudtrail::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new(region.to_string()))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(10)
                .with_initial_backoff(initial_backoff),
        )
        .retry_partition(aws_sdk_cloudtrail::config::retry::RetryPartition::new(
            partition.to_string(),
        ))
        .build();
    aws_sdk_cloudtrail::Client::from_conf(conf)
}

fn clients(
    url: &str,
    regions: &[&str],
    partition: &str,
) -> BTreeMap<String, aws_sdk_cloudtrail::Client> {
    regions
        .iter()
        .map(|r| (r.to_string(), client(url, r, &format!("{partition}-{r}"))))
        .collect()
}

fn scope(identity: Identity) -> Scope {
    Scope {
        principal: Some(PrincipalFilter {
            identity,
            session: None,
            accounts: ["111122223333".parse().expect("an account")].into(),
        }),
        window: TimeWindow::new(
            parse_time("2026-11-01").expect("valid"),
            parse_time("2026-12-01").expect("valid"),
        )
        .expect("valid"),
        strict: false,
    }
}

fn source(regions: Regions, pace_ms: u64) -> LookupSource {
    LookupSource {
        regions,
        pace: Duration::from_millis(pace_ms),
        progress: false,
    }
}

/// The policy from the same management events read as a local file.
fn local_policy(events: &[Value], scope: Scope) -> String {
    let settings = settings_for(scope);
    let decoder = Decoder::new(settings.scope.clone(), run_sink(&settings));
    let mut part = decoder.fresh();
    let bytes = json!({ "Records": events }).to_string();
    decoder.read("local.json", bytes.as_bytes(), &mut part);
    policygen::pipeline::conclude(&settings, None, part, Default::default())
        .policy
        .to_json()
}

fn settings_for(scope: Scope) -> policygen::settings::Settings {
    let cli = <policygen::cli::Cli as clap::Parser>::try_parse_from([
        "policygen",
        "--role",
        "build-agent",
        "--since",
        "1d",
        "--logs",
        "-",
    ])
    .expect("valid flags");
    let mut settings =
        policygen::settings::Settings::from_args(&cli.generate, chrono::Utc::now()).expect("valid");
    settings.scope = scope;
    settings
}

async fn lookup(
    clients: BTreeMap<String, aws_sdk_cloudtrail::Client>,
    source: &LookupSource,
    scope: Scope,
) -> (policygen::Outcome, LookupReport) {
    let settings = settings_for(scope);
    let decoder = Arc::new(Decoder::new(settings.scope.clone(), run_sink(&settings)));
    let (partial, report) = collect_with(clients, source, &decoder).await;
    (
        policygen::pipeline::conclude(&settings, None, partial, Default::default()),
        report,
    )
}

fn role() -> Identity {
    Identity::role("build-agent").expect("valid").0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_by_session_keys_paced_without_throttling() {
    let events = management_events();
    let server = Server::start(events.clone(), &[]);
    let started = Instant::now();
    let (run, report) = lookup(
        clients(&server.url, &["eu-west-1", "us-east-1"], "keys"),
        &source(Regions::List(BTreeSet::new()), 550),
        scope(role()),
    )
    .await;
    eprintln!(
        "access-key strategy: {} calls {:?} in {:.1} s, {} events",
        report.total_calls(),
        report.calls,
        started.elapsed().as_secs_f64(),
        report.events
    );
    assert_eq!(report.strategy, Strategy::AccessKeys { sessions: 31 });
    assert_eq!(
        server.throttled(),
        0,
        "pacing keeps under 2 calls/s per region"
    );
    assert_eq!(report.calls, server.calls());
    assert!(!run.incomplete(), "{:?}", run.diagnostics);
    assert_eq!(run.policy.to_json(), local_policy(&events, scope(role())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_scan_when_the_sessions_cannot_be_found() {
    // Sessions opened before LookupEvents' 90 days leave no AssumeRole event: the role falls back to a scan.
    let events: Vec<Value> = management_events()
        .into_iter()
        .filter(|e| {
            !e["eventName"]
                .as_str()
                .unwrap_or("")
                .starts_with("AssumeRole")
        })
        .collect();
    let server = Server::start(events.clone(), &[]);
    let (run, report) = lookup(
        clients(&server.url, &["eu-west-1", "us-east-1"], "scan"),
        &source(Regions::List(BTreeSet::new()), 550),
        scope(role()),
    )
    .await;
    eprintln!(
        "full scan: {} calls {:?}, {} events",
        report.total_calls(),
        report.calls,
        report.events
    );
    assert!(
        matches!(report.strategy, Strategy::FullScan { ref why } if why.contains("no AssumeRole"))
    );
    assert_eq!(
        report.events,
        events.len(),
        "every event of the window was read"
    );
    assert_eq!(server.throttled(), 0);
    assert_eq!(run.policy.to_json(), local_policy(&events, scope(role())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_by_name_and_disabled_regions_skipped() {
    let events = management_events();
    let server = Server::start(events.clone(), &["ap-east-2"]);
    let alice = Identity::user("alice").expect("valid");
    let (run, report) = lookup(
        clients(
            &server.url,
            &["ap-east-2", "eu-west-1", "us-east-1"],
            "user",
        ),
        &source(Regions::All, 550),
        scope(alice.clone()),
    )
    .await;
    assert_eq!(report.strategy, Strategy::Username("alice".into()));
    assert_eq!(
        report.skipped,
        BTreeMap::from([(
            "ap-east-2".to_string(),
            "UnrecognizedClientException".to_string()
        )])
    );
    assert!(!run.incomplete(), "{:?}", run.diagnostics);
    assert_eq!(run.policy.to_json(), local_policy(&events, scope(alice)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpaced_calls_are_throttled_and_retried() {
    let events = management_events();
    let server = Server::start(events.clone(), &[]);
    // An SSO role has no lookup attribute: a full scan, the most calls.
    let sso = Identity::role("AWSReservedSSO_AdministratorAccess_0123456789abcdef")
        .expect("valid")
        .0;
    // The SDK's own first backoff (1 s): its 10 attempts, exponential and jittered, are enough.
    let client = client_with_backoff(&server.url, "us-east-1", "unpaced", Duration::from_secs(1));
    let (run, report) = lookup(
        BTreeMap::from([("us-east-1".to_string(), client)]),
        &source(Regions::List(BTreeSet::new()), 0),
        scope(sso),
    )
    .await;
    assert!(matches!(report.strategy, Strategy::FullScan { .. }));
    assert!(server.throttled() > 0, "unpaced calls were throttled");
    let in_region = events
        .iter()
        .filter(|e| e["awsRegion"] == json!("us-east-1"))
        .count();
    assert_eq!(
        report.events, in_region,
        "and retried until every page was read"
    );
    assert!(run.stats.records_matched > 0);
    assert!(!run.incomplete(), "{:?}", run.diagnostics);
}

fn canned_client(
    responses: Vec<(u16, String)>,
    partition: &str,
) -> (aws_sdk_cloudtrail::Client, Canned) {
    let canned = Canned::new(responses);
    let conf = aws_sdk_cloudtrail::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .http_client(canned.clone())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(10)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .retry_partition(aws_sdk_cloudtrail::config::retry::RetryPartition::new(
            partition.to_string(),
        ))
        .build();
    (aws_sdk_cloudtrail::Client::from_conf(conf), canned)
}

fn page(events: &[Value], next: Option<&str>) -> String {
    let mut reply = json!({
        "Events": events.iter().map(|e| json!({"EventId": e["eventID"], "CloudTrailEvent": e.to_string()})).collect::<Vec<_>>()
    });
    if let Some(next) = next {
        reply["NextToken"] = json!(next);
    }
    reply.to_string()
}

#[tokio::test]
async fn fake_throttling_sequence_then_pages() {
    let alice = alice_in_us_east_1();
    let throttled = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.to_string();
    let (client, canned) = canned_client(
        vec![
            (400, throttled.clone()),
            (400, throttled),
            (200, page(&alice[..10], Some("t1"))),
            (200, page(&alice[10..], None)),
        ],
        "fake-throttle",
    );
    let identity = Identity::user("alice").expect("valid");
    let (run, report) = lookup(
        BTreeMap::from([("us-east-1".to_string(), client)]),
        &source(Regions::List(BTreeSet::new()), 0),
        scope(identity.clone()),
    )
    .await;
    assert_eq!(report.events, alice.len());
    assert!(canned.left() == 0, "every canned response was used");
    assert_eq!(run.policy.to_json(), local_policy(&alice, scope(identity)));
}

fn alice_in_us_east_1() -> Vec<Value> {
    management_events()
        .into_iter()
        .filter(|e| {
            e["userIdentity"]["userName"] == json!("alice") && e["awsRegion"] == json!("us-east-1")
        })
        .collect()
}

#[tokio::test]
async fn fake_connection_resets_are_retried() {
    let alice = alice_in_us_east_1();
    let (client, canned) = canned_client(
        vec![
            (RESET, String::new()),
            (RESET, String::new()),
            (200, page(&alice, None)),
        ],
        "fake-reset",
    );
    let identity = Identity::user("alice").expect("valid");
    let (run, report) = lookup(
        BTreeMap::from([("us-east-1".to_string(), client)]),
        &source(Regions::List(BTreeSet::new()), 0),
        scope(identity.clone()),
    )
    .await;
    assert!(canned.left() == 0);
    assert_eq!(report.events, alice.len());
    assert!(!run.incomplete(), "{:?}", run.diagnostics);
    assert_eq!(run.policy.to_json(), local_policy(&alice, scope(identity)));
}

/// Throttling that never ends: 10 SDK attempts, 4 times with policygen's own backoff (1, 2 and 4 s), then
/// the region is reported and the run is incomplete. Bounded: 40 calls, about 8 s.
#[tokio::test]
async fn fake_endless_throttling_is_bounded_and_reported() {
    let throttled = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.to_string();
    let (client, canned) = canned_client(vec![(400, throttled); 45], "fake-endless");
    let started = Instant::now();
    let (run, report) = lookup(
        BTreeMap::from([("us-east-1".to_string(), client)]),
        &source(Regions::List(BTreeSet::new()), 0),
        scope(Identity::user("alice").expect("valid")),
    )
    .await;
    assert_eq!(canned.left(), 35, "the SDK's 10 attempts, no more");
    assert_eq!(report.total_calls(), 1, "policygen's own calls");
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(run.incomplete());
    let unreadable: Vec<_> = run
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "unreadable-file")
        .collect();
    assert_eq!(unreadable.len(), 1, "{:?}", run.diagnostics);
    assert_eq!(unreadable[0].subject, "LookupEvents us-east-1");
    assert!(
        unreadable[0].detail.contains("ThrottlingException"),
        "{}",
        unreadable[0].detail
    );
}

#[tokio::test]
async fn fake_access_denied_makes_the_run_incomplete() {
    let denied = r#"{"__type":"AccessDeniedException","message":"User: arn:aws:iam::111122223333:user/x is not authorized to perform: cloudtrail:LookupEvents"}"#;
    let (client, _) = canned_client(vec![(400, denied.to_string())], "fake-denied");
    let (run, _) = lookup(
        BTreeMap::from([("us-east-1".to_string(), client)]),
        &source(Regions::List(BTreeSet::new()), 0),
        scope(Identity::user("alice").expect("valid")),
    )
    .await;
    assert!(run.incomplete());
    let unreadable: Vec<_> = run
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "unreadable-file")
        .collect();
    assert_eq!(unreadable.len(), 1, "{:?}", run.diagnostics);
    assert_eq!(unreadable[0].subject, "LookupEvents us-east-1");
    assert!(
        unreadable[0].detail.contains("AccessDeniedException"),
        "{}",
        unreadable[0].detail
    );
}

/// A busy account: the example's management events plus 20,000 events of other principals in us-east-1
/// (1,000 of them `AssumeRole` into other roles). Prints the calls each strategy needs (`docs/sources.md`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_per_strategy_on_a_busy_account() {
    let mut events = management_events();
    let example = events.len();
    for i in 0..20_000u32 {
        let assume = i % 20 == 0;
        let day = 1 + i % 30;
        let time = format!(
            "2026-11-{day:02}T{:02}:{:02}:{:02}Z",
            i % 24,
            i % 60,
            (i / 60) % 60
        );
        events.push(json!({
            "eventVersion": "1.08",
            "userIdentity": {"type": "AssumedRole", "arn": format!("arn:aws:sts::111122223333:assumed-role/app-{}/s{i}", i % 7),
                "accountId": "111122223333", "accessKeyId": format!("ASIANOISE{i:08}")},
            "eventTime": time,
            "eventSource": if assume { "sts.amazonaws.com" } else { "ec2.amazonaws.com" },
            "eventName": if assume { "AssumeRole" } else { "DescribeInstances" },
            "awsRegion": "us-east-1",
            "eventID": format!("00000000-0000-0000-0000-{i:012}"),
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": "111122223333",
            "requestParameters": if assume { json!({"roleArn": format!("arn:aws:iam::111122223333:role/app-{}", i % 7)}) } else { json!({}) },
            "responseElements": if assume { json!({"credentials": {"accessKeyId": format!("ASIANEW{i:08}")}}) } else { Value::Null },
        }));
    }
    let server = Server::start_with(events.clone(), &[], false);
    let regions = ["eu-west-1", "us-east-1"];
    let (keys_run, keys) = lookup(
        clients(&server.url, &regions, "busy-keys"),
        &source(Regions::List(BTreeSet::new()), 0),
        scope(role()),
    )
    .await;
    let root = Identity::from_arn("arn:aws:iam::111122223333:root")
        .expect("valid")
        .0;
    let (_, scan) = lookup(
        clients(&server.url, &regions, "busy-scan"),
        &source(Regions::List(BTreeSet::new()), 0),
        scope(root),
    )
    .await;
    let alice = Identity::user("alice").expect("valid");
    let (_, user) = lookup(
        clients(&server.url, &regions, "busy-user"),
        &source(Regions::List(BTreeSet::new()), 0),
        scope(alice),
    )
    .await;
    let _ = writeln!(
        std::io::stderr(),
        "busy account ({} events, {example} of them the example's): role by session keys {} calls {:?}; full scan {} calls {:?}; user by name {} calls {:?}",
        events.len(),
        keys.total_calls(), keys.calls, scan.total_calls(), scan.calls, user.total_calls(), user.calls
    );
    assert_eq!(keys.strategy, Strategy::AccessKeys { sessions: 31 });
    assert!(keys.total_calls() * 4 < scan.total_calls());
    assert_eq!(
        keys_run.policy.to_json(),
        local_policy(&management_events(), scope(role()))
    );
}
