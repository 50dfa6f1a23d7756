//! `--current iam` against a real IAM API: moto server on 127.0.0.1, started by `scripts/with-moto.sh`.
//!
//!     scripts/with-moto.sh cargo test --test aws_iam
//!
//! Library-level tests give each test its own moto account (the `x-moto-account-id` header, set by an
//! interceptor), so they never see each other's roles. The binary cannot set that header, so its tests use
//! moto's default account with names of their own. Failed IAM calls are made by a small proxy in front of
//! moto that answers one chosen operation with `AccessDenied`. Without `AWS_ENDPOINT_URL` the tests print why
//! and pass, so that a plain `cargo test` works.

use super::support::emulator;
use super::support::generate_with_current;
use aws_sdk_iam::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_iam::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_iam::Client;
use clap::Parser;
use policygen::cli::Cli;
use policygen::collector::iam::{self, IamError};
use policygen::current::CurrentPolicies;
use policygen::principal::{Identity, PrincipalFilter};
use policygen::settings::Settings;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;

/// moto's account when no header names one: the binary's tests live there.
const DEFAULT_ACCOUNT: &str = "123456789012";

/// Sends every request to one moto account.
#[derive(Debug)]
struct MotoAccount(String);

impl Intercept for MotoAccount {
    fn name(&self) -> &'static str {
        "MotoAccount"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        context
            .request_mut()
            .headers_mut()
            .insert("x-moto-account-id", self.0.clone());
        Ok(())
    }
}

/// An IAM client for `account` (`None`: moto's default account, as the binary sees it).
async fn client(account: Option<&str>) -> Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    let mut builder = aws_sdk_iam::config::Builder::from(&config);
    if let Some(account) = account {
        builder = builder.interceptor(MotoAccount(account.to_string()));
    }
    Client::from_conf(builder.build())
}

fn policy(statements: Value) -> String {
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn allow(actions: &[&str], resource: &str) -> Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": resource})
}

const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// A customer-managed policy with `versions` (the first is created with the policy); `default` (1-based) is
/// made the default version. Returns its ARN.
async fn managed(client: &Client, name: &str, versions: &[String], default: usize) -> String {
    let created = client
        .create_policy()
        .policy_name(name)
        .path("/app/")
        .policy_document(&versions[0])
        .send()
        .await
        .expect("create policy");
    let arn = created
        .policy()
        .and_then(|p| p.arn())
        .expect("policy arn")
        .to_string();
    for (index, document) in versions.iter().enumerate().skip(1) {
        client
            .create_policy_version()
            .policy_arn(&arn)
            .policy_document(document)
            .set_as_default(index + 1 == default)
            .send()
            .await
            .expect("create policy version");
    }
    arn
}

/// The role `deployer` under the path `/ci/`: two inline policies and two attached customer-managed ones, one
/// of them with three versions of which the second is the default. Granted: ec2:DescribeInstances,
/// iam:GetRole, iam:DeleteRole, s3:ListAllMyBuckets, s3:CreateBucket, ssm:DeleteParameter. The other
/// versions would grant ssm:GetParameter (v1) and ssm:* (v3): a wrong version shows in the diff.
async fn deployer(client: &Client, account: &str) {
    client
        .create_role()
        .role_name("deployer")
        .path("/ci/")
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .expect("create role");
    for (name, document) in [
        (
            "describe",
            policy(json!([allow(&["ec2:DescribeInstances"], "*")])),
        ),
        (
            "roles",
            policy(json!([allow(
                &["iam:GetRole", "iam:DeleteRole"],
                &format!("arn:aws:iam::{account}:role/*")
            )])),
        ),
    ] {
        client
            .put_role_policy()
            .role_name("deployer")
            .policy_name(name)
            .policy_document(document)
            .send()
            .await
            .expect("put role policy");
    }
    let buckets = managed(
        client,
        "buckets",
        &[policy(json!([allow(
            &["s3:ListAllMyBuckets", "s3:CreateBucket"],
            "*"
        )]))],
        1,
    )
    .await;
    let parameters = managed(
        client,
        "parameters",
        &[
            policy(json!([allow(&["ssm:GetParameter"], "*")])),
            policy(json!([allow(&["ssm:DeleteParameter"], "*")])),
            policy(json!([allow(&["ssm:*"], "*")])),
        ],
        2,
    )
    .await;
    for arn in [buckets, parameters] {
        client
            .attach_role_policy()
            .role_name("deployer")
            .policy_arn(arn)
            .send()
            .await
            .expect("attach role policy");
    }
}

/// One CloudTrail record of `identity` on 2026-11-01.
fn record(
    identity: &Value,
    account: &str,
    source: &str,
    name: &str,
    params: Value,
    n: usize,
) -> Value {
    json!({
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": format!("2026-11-01T10:{n:02}:00Z"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.7",
        "userAgent": "aws-cli/2.22.35",
        "requestParameters": params,
        "responseElements": null,
        "requestID": format!("req-{n}"),
        "eventID": format!("00000000-0000-0000-0000-{n:012}"),
        "readOnly": true,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management"
    })
}

fn role_identity(account: &str, role: &str) -> Value {
    json!({
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLE:s1",
        "arn": format!("arn:aws:sts::{account}:assumed-role/{role}/s1"),
        "accountId": account,
        "sessionContext": {"sessionIssuer": {
            "type": "Role",
            "principalId": "AROAEXAMPLE",
            "arn": format!("arn:aws:iam::{account}:role/ci/{role}"),
            "accountId": account,
            "userName": role
        }}
    })
}

/// What `identity` did: DescribeInstances, GetRole, ListBuckets (s3:ListAllMyBuckets), GetParameter.
fn events(dir: &Path, identity: &Value, account: &str) -> String {
    let records = [
        ("ec2.amazonaws.com", "DescribeInstances", json!({})),
        (
            "iam.amazonaws.com",
            "GetRole",
            json!({"roleName": "deployer"}),
        ),
        ("s3.amazonaws.com", "ListBuckets", json!({})),
        (
            "ssm.amazonaws.com",
            "GetParameter",
            json!({"name": "/app/token"}),
        ),
    ];
    let records: Vec<Value> = records
        .into_iter()
        .enumerate()
        .map(|(n, (source, name, params))| record(identity, account, source, name, params, n))
        .collect();
    let path = dir.join("events.json");
    std::fs::write(&path, json!({ "Records": records }).to_string()).expect("write events");
    path.display().to_string()
}

fn args<'a>(principal: &'a [&'a str], logs: &'a str, account: &'a str) -> Vec<&'a str> {
    let mut out = principal.to_vec();
    out.extend([
        "--account",
        account,
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-02",
        "--logs",
        logs,
    ]);
    out
}

fn settings(args: &[&str]) -> Settings {
    let cli = Cli::try_parse_from(std::iter::once("policygen").chain(args.iter().copied()))
        .expect("clap accepts");
    let now = policygen::window::parse_time("2026-11-03T00:00:00Z").expect("valid");
    Settings::from_args(&cli.generate, now).expect("valid settings")
}

fn names(current: &CurrentPolicies) -> Vec<&str> {
    current.policies.iter().map(|p| p.name.as_str()).collect()
}

fn role(name: &str, arn: Option<String>, account: &str) -> PrincipalFilter {
    PrincipalFilter {
        identity: Identity::Role {
            name: name.to_string(),
            arn,
        },
        session: None,
        accounts: [account.parse().expect("an account")].into(),
    }
}

#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn role_policies_inline_and_managed_default_version() {
    emulator();
    let account = "111111111111";
    let client = client(Some(account)).await;
    deployer(&client, account).await;

    // By name (the path is resolved) and by the ARN with the path: the same policies.
    let by_name = iam::read_current(&client, &role("deployer", None, account))
        .await
        .expect("read by name");
    let arn = format!("arn:aws:iam::{account}:role/ci/deployer");
    let by_arn = iam::read_current(&client, &role("deployer", Some(arn), account))
        .await
        .expect("read by ARN");
    assert_eq!(by_name, by_arn);
    assert_eq!(
        names(&by_name),
        [
            "role/deployer#describe".to_string(),
            "role/deployer#roles".to_string(),
            format!("arn:aws:iam::{account}:policy/app/buckets#v1"),
            format!("arn:aws:iam::{account}:policy/app/parameters#v2"),
        ]
    );
    // GetRolePolicy came back URL-encoded and GetPolicyVersion did not: both parse to the same model.
    let parameters = &by_name.policies[3].document;
    assert!(parameters.allows("ssm:DeleteParameter", "arn:aws:ssm:us-east-1:1:parameter/x"));
    assert!(!parameters.allows("ssm:GetParameter", "arn:aws:ssm:us-east-1:1:parameter/x"));
    assert!(by_name.policies[1]
        .document
        .allows("iam:DeleteRole", &format!("arn:aws:iam::{account}:role/x")));

    // A wrong path or another account's ARN is never read as this role.
    let wrong = format!("arn:aws:iam::{account}:role/other/deployer");
    let e = iam::read_current(&client, &role("deployer", Some(wrong), account))
        .await
        .expect_err("wrong path");
    assert!(matches!(e, IamError::OtherPrincipal { .. }), "{e}");
    let e = iam::read_current(&client, &role("nobody", None, account))
        .await
        .expect_err("no such role");
    assert!(
        e.to_string()
            .starts_with("iam `GetRole` of `role/nobody` failed: NoSuchEntity"),
        "{e}"
    );
}

#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn diff_against_a_proposal_from_events() {
    emulator();
    let account = "222222222222";
    let client = client(Some(account)).await;
    deployer(&client, account).await;
    let current = iam::read_current(&client, &role("deployer", None, account))
        .await
        .expect("read");
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = events(dir.path(), &role_identity(account, "deployer"), account);
    let settings = settings(&args(&["--role", "deployer"], &logs, account));
    let run = generate_with_current(&settings, current.clone());
    assert!(!run.incomplete(), "{:?}", run.diagnostics);
    let review = run.review.expect("a review");
    let d = &review.diff;
    let set = |items: &[&str]| {
        items
            .iter()
            .map(|s| s.to_string())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(
        d.kept,
        set(&[
            "ec2:DescribeInstances",
            "iam:GetRole",
            "s3:ListAllMyBuckets"
        ])
    );
    assert_eq!(
        d.added
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        set(&["ssm:GetParameter"])
    );
    assert_eq!(
        d.unused
            .keys()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        set(&["iam:DeleteRole", "s3:CreateBucket", "ssm:DeleteParameter"])
    );
    assert!(!d.equal);
    assert_eq!(d.current, names(&current));
}

#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn user_with_a_group() {
    emulator();
    let account = "333333333333";
    let client = client(Some(account)).await;
    client
        .create_user()
        .user_name("alice")
        .path("/people/")
        .send()
        .await
        .expect("create user");
    client
        .put_user_policy()
        .user_name("alice")
        .policy_name("own")
        .policy_document(policy(json!([allow(&["ec2:DescribeInstances"], "*")])))
        .send()
        .await
        .expect("put user policy");
    let shared = managed(
        &client,
        "shared",
        &[policy(json!([allow(&["s3:ListAllMyBuckets"], "*")]))],
        1,
    )
    .await;
    let own = managed(
        &client,
        "own-managed",
        &[policy(json!([allow(&["iam:GetRole"], "*")]))],
        1,
    )
    .await;
    for group in ["devs", "ops"] {
        client
            .create_group()
            .group_name(group)
            .send()
            .await
            .expect("create group");
        client
            .add_user_to_group()
            .group_name(group)
            .user_name("alice")
            .send()
            .await
            .expect("add user to group");
        // Both groups and the user attach `shared`: it is read once.
        client
            .attach_group_policy()
            .group_name(group)
            .policy_arn(&shared)
            .send()
            .await
            .expect("attach group policy");
    }
    client
        .put_group_policy()
        .group_name("ops")
        .policy_name("parameters")
        .policy_document(policy(json!([allow(&["ssm:GetParameter"], "*")])))
        .send()
        .await
        .expect("put group policy");
    for arn in [&shared, &own] {
        client
            .attach_user_policy()
            .user_name("alice")
            .policy_arn(arn)
            .send()
            .await
            .expect("attach user policy");
    }
    let alice = PrincipalFilter {
        identity: Identity::User {
            name: "alice".into(),
            arn: None,
        },
        session: None,
        accounts: Default::default(),
    };
    let current = iam::read_current(&client, &alice).await.expect("read");
    assert_eq!(
        names(&current),
        [
            "user/alice#own".to_string(),
            "group/ops#parameters".to_string(),
            format!("arn:aws:iam::{account}:policy/app/own-managed#v1"),
            format!("arn:aws:iam::{account}:policy/app/shared#v1"),
        ]
    );

    // Everything alice did is granted by her own, her group's and the attached policies.
    let dir = tempfile::tempdir().expect("tempdir");
    let identity = json!({
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLE",
        "arn": format!("arn:aws:iam::{account}:user/people/alice"),
        "accountId": account,
        "userName": "alice"
    });
    let logs = events(dir.path(), &identity, account);
    let settings = settings(&args(&["--user", "alice"], &logs, account));
    let review = generate_with_current(&settings, current)
        .review
        .expect("a review");
    assert!(review.diff.added.is_empty(), "{:?}", review.diff.added);
    assert_eq!(review.diff.kept.len(), 4, "{:?}", review.diff.kept);
}

/// Runs the real binary with `--current iam` against `endpoint`; returns the exit code, stdout and stderr.
fn binary(endpoint: &str, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_policygen"))
        .args(args)
        .env("AWS_ENDPOINT_URL", endpoint)
        .output()
        .expect("policygen runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn check_exit_codes_through_the_binary() {
    let endpoint = emulator();
    let account = DEFAULT_ACCOUNT;
    let client = client(None).await;
    deployer(&client, account).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = events(dir.path(), &role_identity(account, "deployer"), account);
    let mut run_args = args(&["--role", "deployer"], &logs, account);
    run_args.extend(["--current", "iam", "--check"]);

    // The role grants more (and less) than it used: exit 3 (drift), and the proposal is printed.
    let (code, proposal, stderr) = binary(&endpoint, &run_args);
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("the current policy differs from the proposal"),
        "{stderr}"
    );
    let proposed: Value = serde_json::from_str(&proposal).expect("proposal is JSON");

    // Replace the role's policies by the proposal: now it is exactly what was used, exit 0.
    for name in ["describe", "roles"] {
        client
            .delete_role_policy()
            .role_name("deployer")
            .policy_name(name)
            .send()
            .await
            .expect("delete role policy");
    }
    let attached = client
        .list_attached_role_policies()
        .role_name("deployer")
        .send()
        .await
        .expect("list attached");
    for p in attached.attached_policies() {
        client
            .detach_role_policy()
            .role_name("deployer")
            .policy_arn(p.policy_arn().expect("arn"))
            .send()
            .await
            .expect("detach");
    }
    client
        .put_role_policy()
        .role_name("deployer")
        .policy_name("proposal")
        .policy_document(proposed.to_string())
        .send()
        .await
        .expect("put the proposal");
    let (code, _, stderr) = binary(&endpoint, &run_args);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("the current policy equals the proposal"),
        "{stderr}"
    );

    // A call the credentials may not make: exit 2, naming the operation, never a partial policy.
    for (operation, needs) in [
        ("GetRolePolicy", "iam:GetRolePolicy"),
        ("ListAttachedRolePolicies", "iam:ListAttachedRolePolicies"),
    ] {
        let proxy = deny_proxy(&endpoint, operation);
        let (code, stdout, stderr) = binary(&proxy, &run_args);
        assert_eq!(code, 2, "{operation}: {stderr}");
        assert!(
            stdout.is_empty(),
            "{operation}: no policy on stdout: {stdout}"
        );
        assert!(
            stderr.contains(&format!("error: iam `{operation}` of `role/deployer")),
            "{stderr}"
        );
        assert!(stderr.contains("AccessDenied"), "{stderr}");
        assert!(
            stderr.contains(&format!("the credentials need `{needs}`")),
            "{stderr}"
        );
    }
}

#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn an_unreadable_managed_policy_is_an_error() {
    let endpoint = emulator();
    let account = DEFAULT_ACCOUNT;
    let client = client(None).await;
    client
        .create_role()
        .role_name("reader")
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .expect("create role");
    let arn = managed(
        &client,
        "reader-policy",
        &[policy(json!([allow(&["ec2:DescribeInstances"], "*")]))],
        1,
    )
    .await;
    client
        .attach_role_policy()
        .role_name("reader")
        .policy_arn(&arn)
        .send()
        .await
        .expect("attach");
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = events(dir.path(), &role_identity(account, "reader"), account);
    let mut run_args = args(&["--role", "reader"], &logs, account);
    run_args.extend(["--current", "iam"]);
    let (code, _, stderr) = binary(&endpoint, &run_args);
    assert_eq!(code, 0, "readable, and no `--check`: {stderr}");
    let proxy = deny_proxy(&endpoint, "GetPolicyVersion");
    let (code, stdout, stderr) = binary(&proxy, &run_args);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(&format!(
            "error: iam `GetPolicyVersion` of `{arn}#v1` failed: AccessDenied"
        )),
        "{stderr}"
    );
}

/// A proxy on 127.0.0.1 in front of moto that answers IAM `operation` with `AccessDenied` (as IAM does, HTTP
/// 403 with a query-protocol error body) and forwards everything else. One request per connection.
fn deny_proxy(upstream: &str, operation: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let upstream = upstream
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let upstream = upstream.clone();
            std::thread::spawn(move || {
                let _ = proxy_one(stream, &upstream, operation);
            });
        }
    });
    url
}

fn proxy_one(mut client: TcpStream, upstream: &str, operation: &str) -> std::io::Result<()> {
    let mut request = Vec::new();
    let mut buf = [0u8; 8192];
    let header_end = loop {
        let n = client.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        request.extend_from_slice(&buf[..n]);
        if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&request[..header_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while request.len() < header_end + length {
        let n = client.read(&mut buf)?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let body = String::from_utf8_lossy(&request[header_end..]).to_string();
    if body.contains(&format!("Action={operation}&"))
        || body.ends_with(&format!("Action={operation}"))
    {
        let error = format!(
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::{DEFAULT_ACCOUNT}:assumed-role/reviewer/s is not authorized to perform: iam:{operation}</Message></Error><RequestId>denied</RequestId></ErrorResponse>"
        );
        let response = format!(
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{error}",
            error.len()
        );
        return client.write_all(response.as_bytes());
    }
    // Forward with `Connection: close`, so that the whole response is what moto writes before it closes.
    let mut forwarded: Vec<u8> = Vec::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        if line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        forwarded.extend_from_slice(line.as_bytes());
        forwarded.extend_from_slice(b"\r\n");
    }
    forwarded.extend_from_slice(b"Connection: close\r\n\r\n");
    forwarded.extend_from_slice(&request[header_end..]);
    let mut server = TcpStream::connect(upstream)?;
    server.write_all(&forwarded)?;
    let mut response = Vec::new();
    server.read_to_end(&mut response)?;
    client.write_all(&response)
}
