//! Faults on the S3 path, driven by the real SDK client: a small S3 server on 127.0.0.1 that speaks enough of
//! the REST XML protocol (path-style ListObjectsV2 with prefix and delimiter, GetObject) and answers scripted
//! faults per key or prefix: `503 SlowDown`, `500 InternalError`, `403 AccessDenied` (IAM or KMS), `400
//! KMS.DisabledException`, a connection closed before the response, a body that breaks off mid-transfer.
//! Needs no emulator; every loop is bounded and every socket is on loopback.

use super::support::{example_trail, files_under};
use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_s3::config::Credentials;
use policygen::collector::Sources;
use policygen::report::Code;
use policygen::settings::Settings;
use policygen::Outcome;
use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const BUCKET: &str = "trail";

/// What the server does with one request.
#[derive(Debug, Clone)]
enum Fault {
    /// An S3 error document with this status and code.
    Error(u16, &'static str, &'static str),
    /// Reads the request and closes the connection without answering.
    Close,
    /// Sends the headers and half of the body, then closes the connection.
    HalfBody,
}

#[derive(Default)]
struct State {
    objects: BTreeMap<String, Vec<u8>>,
    /// Per object key, or per listed prefix: the faults of the next requests, in order; then normal answers.
    faults: BTreeMap<String, VecDeque<Fault>>,
    /// Requests per object key or listed prefix.
    requests: BTreeMap<String, usize>,
}

/// The fake S3 server; one thread per connection, they end with the test process.
struct S3Server {
    url: String,
    state: Arc<Mutex<State>>,
}

impl S3Server {
    /// Serves the example trail in bucket `trail`.
    fn start() -> S3Server {
        let state = State {
            objects: files_under(&example_trail()).into_iter().collect(),
            ..State::default()
        };
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
        S3Server { url, state }
    }

    /// The first `n` requests for `target` (a key or a listed prefix) get `fault`.
    fn fail(&self, target: &str, fault: Fault, n: usize) {
        let mut state = self.state.lock().expect("lock");
        state
            .faults
            .entry(target.to_string())
            .or_default()
            .extend(std::iter::repeat_n(fault, n));
    }

    fn requests(&self, target: &str) -> usize {
        let state = self.state.lock().expect("lock");
        state.requests.get(target).copied().unwrap_or(0)
    }

    /// The keys of the trail's log objects (no digest), sorted.
    fn log_keys(&self) -> Vec<String> {
        let state = self.state.lock().expect("lock");
        state
            .objects
            .keys()
            .filter(|k| !k.contains("CloudTrail-Digest"))
            .cloned()
            .collect()
    }
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    // Requests without a body (GET): a request line, headers, a blank line.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header.trim_end().is_empty() {
                break;
            }
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let query: BTreeMap<String, String> = query
            .split('&')
            .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect();
        let path = decode(path.trim_start_matches('/'));
        let (bucket, key) = path.split_once('/').unwrap_or((&path, ""));
        let listing = key.is_empty() && query.get("list-type").map(String::as_str) == Some("2");
        let subject = if listing {
            query.get("prefix").cloned().unwrap_or_default()
        } else {
            key.to_string()
        };
        let (fault, reply) = {
            let mut state = state.lock().expect("lock");
            *state.requests.entry(subject.clone()).or_default() += 1;
            let fault = state.faults.get_mut(&subject).and_then(VecDeque::pop_front);
            let reply = if bucket != BUCKET {
                error(404, "NoSuchBucket", "The specified bucket does not exist")
            } else if listing {
                list(&state.objects, &query)
            } else {
                match state.objects.get(key) {
                    Some(bytes) => (200, "application/octet-stream", bytes.clone()),
                    None => error(404, "NoSuchKey", "The specified key does not exist."),
                }
            };
            (fault, reply)
        };
        let (status, kind, body) = match fault {
            None => reply,
            Some(Fault::Error(status, code, message)) => error(status, code, message),
            Some(Fault::Close) => return,
            Some(Fault::HalfBody) => {
                let (_, kind, body) = reply;
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let _ = writer.write_all(head.as_bytes());
                let _ = writer.write_all(&body[..body.len() / 2]);
                let _ = writer.flush();
                let _ = writer.shutdown(Shutdown::Both);
                return;
            }
        };
        let reason = match status {
            200 => "OK",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            500 => "Internal Server Error",
            _ => "Service Unavailable",
        };
        let head = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: {kind}\r\nx-amz-request-id: test\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&body).is_err() {
            return;
        }
    }
}

fn error(status: u16, code: &str, message: &str) -> (u16, &'static str, Vec<u8>) {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>test</RequestId></Error>"
    );
    (status, "application/xml", body.into_bytes())
}

/// ListObjectsV2 of every key under `prefix`, grouped by `delimiter`; one page (the trail is small).
fn list(
    objects: &BTreeMap<String, Vec<u8>>,
    query: &BTreeMap<String, String>,
) -> (u16, &'static str, Vec<u8>) {
    let prefix = query.get("prefix").map(String::as_str).unwrap_or("");
    let delimiter = query.get("delimiter").map(String::as_str).unwrap_or("");
    let mut contents = String::new();
    let mut common = std::collections::BTreeSet::new();
    for (key, bytes) in objects.range(prefix.to_string()..) {
        let Some(rest) = key.strip_prefix(prefix) else {
            break;
        };
        match rest.find(delimiter).filter(|_| !delimiter.is_empty()) {
            Some(at) => {
                common.insert(format!("{prefix}{}", &rest[..at + delimiter.len()]));
            }
            None => contents.push_str(&format!(
                "<Contents><Key>{key}</Key><LastModified>2026-12-01T00:00:00.000Z</LastModified><ETag>\"e\"</ETag><Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
                bytes.len()
            )),
        }
    }
    let prefixes: String = common
        .iter()
        .map(|p| format!("<CommonPrefixes><Prefix>{p}</Prefix></CommonPrefixes>"))
        .collect();
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>{BUCKET}</Name><Prefix>{prefix}</Prefix><Delimiter>{delimiter}</Delimiter><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>{contents}{prefixes}</ListBucketResult>"
    );
    (200, "application/xml", body.into_bytes())
}

const NOVEMBER: &[&str] = &[
    "--role",
    "build-agent",
    "--account",
    "111122223333",
    "--from",
    "2026-11-01",
    "--to",
    "2026-12-01",
];

fn settings() -> Settings {
    let cli = <policygen::cli::Cli as clap::Parser>::try_parse_from(
        ["policygen", "--s3", "s3://trail"]
            .into_iter()
            .chain(NOVEMBER.iter().copied()),
    )
    .expect("valid flags");
    Settings::from_args(&cli.generate, chrono::Utc::now()).expect("valid settings")
}

/// The configuration `policygen` loads, pointing at `server`, with the standard retry (3 attempts) and a
/// tiny backoff so that the test is quick.
async fn sources(server: &S3Server) -> Sources {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(&server.url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(5)))
        .load()
        .await;
    Sources { aws: Some(config) }
}

/// Lists and reads the trail from `server`, as `--s3` does.
async fn collect(server: &S3Server) -> Outcome {
    policygen::generate(&settings(), &sources(server).await)
        .await
        .expect("listed")
}

fn unreadable(run: &Outcome) -> Vec<(String, String)> {
    run.diagnostics
        .iter()
        .filter(|d| d.code == Code::UnreadableFile)
        .map(|d| (d.subject.clone(), d.detail.clone()))
        .collect()
}

/// The policy of the example trail read as local files.
async fn local_policy() -> String {
    let dir = example_trail().display().to_string();
    let words = [&["--logs", dir.as_str()], NOVEMBER].concat();
    let cli = <policygen::cli::Cli as clap::Parser>::try_parse_from(
        std::iter::once("policygen").chain(words.iter().copied()),
    )
    .expect("valid flags");
    let settings = Settings::from_args(&cli.generate, chrono::Utc::now()).expect("valid settings");
    policygen::generate(&settings, &Default::default())
        .await
        .expect("an answer")
        .policy
        .to_json()
}

#[tokio::test]
async fn transient_faults_are_retried_to_the_same_policy() {
    let server = S3Server::start();
    let keys = server.log_keys();
    server.fail(
        &keys[0],
        Fault::Error(503, "SlowDown", "Please reduce your request rate."),
        2,
    );
    server.fail(
        &keys[1],
        Fault::Error(500, "InternalError", "We encountered an internal error."),
        1,
    );
    server.fail(&keys[2], Fault::Close, 1);
    server.fail(&keys[3], Fault::HalfBody, 2);
    let run = collect(&server).await;
    assert!(!run.incomplete(), "{:?}", unreadable(&run));
    assert_eq!(
        [0, 1, 2, 3].map(|i| server.requests(&keys[i])),
        [3, 2, 2, 3],
        "the SDK retries 503, 500 and a closed connection; policygen retries a body that broke off"
    );
    assert_eq!(run.policy.to_json(), local_policy().await);
}

#[tokio::test]
async fn persistent_faults_make_the_object_unreadable_and_the_run_incomplete() {
    let server = S3Server::start();
    let keys = server.log_keys();
    let cases = [
        (
            Fault::Error(503, "SlowDown", "Please reduce your request rate."),
            3,
            "SlowDown",
        ),
        (
            Fault::Error(500, "InternalError", "We encountered an internal error."),
            3,
            "InternalError",
        ),
        (Fault::Close, 3, "GetObject failed"),
        (Fault::HalfBody, 3, "reading the object failed 3 times"),
        (Fault::Error(403, "AccessDenied", "Access Denied"), 1, "reading the trail needs `s3:GetObject`"),
        (
            Fault::Error(
                403,
                "AccessDenied",
                "User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/k because no identity-based policy allows the kms:Decrypt action",
            ),
            1,
            "needs `kms:Decrypt` on the trail's key",
        ),
        (
            Fault::Error(400, "KMS.DisabledException", "arn:aws:kms:us-east-1:111122223333:key/k is disabled."),
            1,
            "KMS.DisabledException",
        ),
    ];
    for (key, (fault, _, _)) in keys.iter().zip(&cases) {
        // More faults than any retry takes: the object never comes back.
        server.fail(key, fault.clone(), 10);
    }
    let run = collect(&server).await;
    assert!(run.incomplete());
    let found: BTreeMap<String, String> = unreadable(&run).into_iter().collect();
    assert_eq!(found.len(), cases.len(), "{found:?}");
    for (key, (fault, requests, detail)) in keys.iter().zip(&cases) {
        let subject = format!("s3://{BUCKET}/{key}");
        let got = found.get(&subject).map(String::as_str).unwrap_or("");
        assert!(got.contains(detail), "{fault:?}: `{got}` lacks `{detail}`");
        assert_eq!(
            server.requests(key),
            *requests,
            "{fault:?}: requests (access denied is not retried)"
        );
    }
    assert_eq!(run.stats.files_failed, cases.len() as u64);
    assert_eq!(run.stats.files_read, (keys.len() - cases.len()) as u64);
}

#[tokio::test]
async fn listing_faults() {
    let server = S3Server::start();
    // A day prefix that cannot be listed: reported, the other days are read, the run is incomplete.
    let day = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/15/";
    server.fail(
        day,
        Fault::Error(500, "InternalError", "We encountered an internal error."),
        10,
    );
    let run = collect(&server).await;
    assert!(run.incomplete());
    let found = unreadable(&run);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, format!("s3://{BUCKET}/{day}"));
    assert!(found[0].1.contains("InternalError"), "{}", found[0].1);
    assert_eq!(server.requests(day), 3);
    assert!(run.stats.files_read > 0);

    // Access denied on the account listing: nothing can be read, a fatal error that names the permission.
    let denied = S3Server::start();
    denied.fail(
        "AWSLogs/",
        Fault::Error(403, "AccessDenied", "Access Denied"),
        10,
    );
    let error = policygen::generate(&settings(), &sources(&denied).await)
        .await
        .expect_err("denied");
    let text = error.to_string();
    assert!(
        text.contains("`ListObjectsV2` of `s3://trail/AWSLogs/`") && text.contains("AccessDenied"),
        "{text}"
    );
    assert_eq!(
        denied.requests("AWSLogs/"),
        1,
        "access denied is not retried"
    );
}

/// The real binary against the fake server (with the SDK's default retry and backoff).
fn policygen(server: &S3Server, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(["--s3", "s3://trail"])
        .args(NOVEMBER)
        .args(args)
        .env("AWS_ENDPOINT_URL", &server.url)
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("policygen runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_run_that_lost_an_object_exits_1_and_says_so_at_the_top() {
    let server = S3Server::start();
    let keys = server.log_keys();
    server.fail(
        &keys[0],
        Fault::Error(403, "AccessDenied", "Access Denied"),
        10,
    );
    let lost = format!("s3://{BUCKET}/{}", keys[0]);

    let summary = tempfile::NamedTempFile::new().expect("tempfile");
    let summary_path = summary.path().display().to_string();
    let (code, json, stderr) = policygen(&server, &["--summary-json", &summary_path]);
    assert_eq!(code, 1, "{stderr}");
    assert!(json.starts_with('{'), "the policy is still written: {json}");
    assert!(stderr.contains("result   INCOMPLETE"), "{stderr}");
    assert!(stderr.contains(&lost), "{stderr}");
    let machine: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(summary.path()).expect("summary"))
            .expect("json");
    assert_eq!(machine["complete"], serde_json::json!(false));

    let (code, markdown, _) = policygen(&server, &["--format", "markdown"]);
    assert_eq!(code, 1);
    let top: Vec<&str> = markdown.lines().take(4).collect();
    assert!(top[0].starts_with("## policygen"), "{markdown}");
    assert_eq!(top[2], "> [!WARNING]", "{markdown}");
    assert!(top[3].contains("**Incomplete run**"), "{markdown}");
    let warning: Vec<&str> = markdown
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('>'))
        .collect();
    assert!(
        warning
            .iter()
            .any(|l| l.contains("unreadable-file") && l.contains(&lost)),
        "{markdown}"
    );

    // A review: the same warning first, and nothing is proposed for removal.
    let current = super::support::root().join("examples/current-policy.json");
    let current = current.display().to_string();
    let (code, review, _) = policygen(&server, &["--format", "markdown", "--current", &current]);
    assert_eq!(code, 1);
    assert_eq!(review.lines().nth(2), Some("> [!WARNING]"), "{review}");
    assert!(review.contains("every removal is withheld"), "{review}");
    let (code, diff, _) = policygen(&server, &["--format", "diff-json", "--current", &current]);
    assert_eq!(code, 1);
    let diff: serde_json::Value = serde_json::from_str(&diff).expect("json");
    assert_eq!(
        diff["coverage"]["complete"],
        serde_json::json!(false),
        "{diff}"
    );
    assert!(diff["removals_withheld"].is_string(), "{diff}");
}
