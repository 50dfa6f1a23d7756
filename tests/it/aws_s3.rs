//! `--s3` against a real S3 API: moto server on 127.0.0.1, started by `scripts/with-moto.sh`.
//!
//!     scripts/with-moto.sh cargo test --test aws_s3
//!
//! Without `AWS_ENDPOINT_URL` the emulator tests print why and pass, so that a plain `cargo test` works;
//! `.ci/run` always runs them under the script.

use super::support::{emulator, example_trail, files_under, policygen_to_file, write_files};
use aws_sdk_s3::primitives::ByteStream;
use policygen::cli::Cli;
use policygen::collector::s3;
use policygen::collector::Decoder;
use policygen::collector::Source;
use policygen::pipeline::run_sink;
use policygen::settings::Settings;
use std::sync::Arc;

pub(super) async fn client() -> aws_sdk_s3::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await;
    s3::client(&config)
}

/// Creates `bucket` (fresh) and uploads `files` under `prefix`, as real gzip objects.
pub(super) async fn bucket_with(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    files: &[(String, Vec<u8>)],
) {
    // A bucket left by an earlier test run on the same server is emptied first.
    if let Ok(listed) = client.list_objects_v2().bucket(bucket).send().await {
        for object in listed.contents() {
            if let Some(key) = object.key() {
                client
                    .delete_object()
                    .bucket(bucket)
                    .key(key)
                    .send()
                    .await
                    .expect("delete");
            }
        }
    } else {
        client
            .create_bucket()
            .bucket(bucket)
            .send()
            .await
            .expect("create bucket");
    }
    for (key, bytes) in files {
        client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("application/json")
            .content_encoding("gzip")
            .body(ByteStream::from(bytes.clone()))
            .send()
            .await
            .expect("put object");
    }
}

fn prefixed(prefix: &str, files: &[(String, Vec<u8>)]) -> Vec<(String, Vec<u8>)> {
    files
        .iter()
        .map(|(rel, bytes)| (format!("{prefix}{rel}"), bytes.clone()))
        .collect()
}

/// Runs `--s3 URL` and `--logs DIR` with the same other arguments; the policies must be byte-identical.
fn same_policy(url: &str, dir: &std::path::Path, args: &[&str]) -> super::support::Output {
    let mut s3_args = vec!["--s3", url];
    s3_args.extend_from_slice(args);
    let from_s3 = policygen_to_file(&s3_args);
    let dir = dir.display().to_string();
    let mut logs_args = vec!["--logs", dir.as_str()];
    logs_args.extend_from_slice(args);
    let from_logs = policygen_to_file(&logs_args);
    assert_eq!(from_logs.code, 0, "--logs run: {}", from_logs.stderr);
    assert_eq!(from_s3.code, from_logs.code, "--s3 run: {}", from_s3.stderr);
    assert!(!from_s3.policy.is_empty(), "{}", from_s3.stderr);
    assert!(
        from_s3.policy == from_logs.policy,
        "policies differ\n--s3:\n{}\n--logs:\n{}",
        String::from_utf8_lossy(&from_s3.policy),
        String::from_utf8_lossy(&from_logs.policy)
    );
    from_s3
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

#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn standard_layout_matches_local_files_byte_for_byte() {
    emulator();
    let client = client().await;
    let files = files_under(&example_trail());
    bucket_with(&client, "policygen-standard", &files).await;
    let run = same_policy("s3://policygen-standard", &example_trail(), NOVEMBER);
    assert!(
        run.stderr.contains("35 objects"),
        "digest skipped, 35 log objects read: {}",
        run.stderr
    );
    assert!(run
        .stderr
        .contains("111122223333/eu-west-1, 111122223333/us-east-1"));
}

#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn organisation_trail_under_a_custom_prefix() {
    emulator();
    let client = client().await;
    // The example account, moved into an organisation trail, plus another account's objects.
    let mut files: Vec<(String, Vec<u8>)> = files_under(&example_trail())
        .into_iter()
        .map(|(rel, bytes)| (rel.replacen("AWSLogs/", "AWSLogs/o-a1b2c3d4e5/", 1), bytes))
        .collect();
    let other = super::support::root().join("tests/scenarios/account-filter/logs");
    files.extend(
        files_under(&other)
            .into_iter()
            .filter(|(rel, _)| rel.contains("444455556666")),
    );
    let local = tempfile::tempdir().expect("tempdir");
    write_files(local.path(), &files);
    bucket_with(
        &client,
        "policygen-org",
        &prefixed("security/trails/", &files),
    )
    .await;
    let all_accounts = [
        "--role",
        "build-agent",
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-01",
    ];
    let run = same_policy(
        "s3://policygen-org/security/trails",
        local.path(),
        &all_accounts,
    );
    assert!(
        run.stderr.contains("444455556666/us-east-1"),
        "{}",
        run.stderr
    );
    // `--account` narrows the listing as well as the records.
    let only = same_policy(
        "s3://policygen-org/security/trails/",
        local.path(),
        NOVEMBER,
    );
    assert!(!only.stderr.contains("444455556666"), "{}", only.stderr);
    // A prefix that holds no trail is an error, not an empty policy.
    let none = policygen_to_file(&[
        "--s3",
        "s3://policygen-org/elsewhere",
        "--role",
        "build-agent",
        "--since",
        "1d",
    ]);
    assert_eq!(none.code, 2, "{}", none.stderr);
    assert!(
        none.stderr
            .contains("no CloudTrail logs under `s3://policygen-org/elsewhere/AWSLogs/`"),
        "{}",
        none.stderr
    );
}

#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn window_across_a_month_end_lists_only_its_days() {
    emulator();
    let client = client().await;
    let mut files = files_under(&example_trail());
    // Objects delivered on 1 and 3 December (copies of the last November object, renamed).
    let last = files
        .iter()
        .find(|(rel, _)| rel.contains("us-east-1_20261130T1205Z"))
        .expect("the example has a 30 November object")
        .clone();
    for (day, stamp) in [("01", "20261201T0010Z"), ("03", "20261203T0010Z")] {
        let key = last
            .0
            .replace("2026/11/30", &format!("2026/12/{day}"))
            .replace("20261130T1205Z", stamp);
        files.push((key, last.1.clone()));
    }
    let local = tempfile::tempdir().expect("tempdir");
    write_files(local.path(), &files);
    bucket_with(&client, "policygen-month-end", &files).await;
    let args = [
        "--role",
        "build-agent",
        "--from",
        "2026-11-27T13:30:00Z",
        "--to",
        "2026-12-01T00:00:00Z",
    ];
    same_policy("s3://policygen-month-end", local.path(), &args);

    // What was listed and read: the days 29 November to 2 December only, and by key time.
    let cli = <Cli as clap::Parser>::try_parse_from(
        std::iter::once("policygen")
            .chain(["--s3", "s3://policygen-month-end"])
            .chain(args),
    )
    .expect("valid flags");
    let settings = Settings::from_args(&cli.generate, chrono::Utc::now()).expect("valid settings");
    let Source::S3(source) = &settings.source else {
        panic!("an S3 source")
    };
    let ingest = Decoder::new(settings.scope.clone(), run_sink(&settings));
    let mut out = ingest.fresh();
    let listing = s3::list(&client, source, &settings.scope.window, &ingest, &mut out)
        .await
        .expect("listed");
    let keys: Vec<&str> = listing
        .objects
        .iter()
        .map(|o| o.key.rsplit('_').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        keys,
        ["20261130T1205Z", "20261201T0010Z"],
        "us-east-1 only (eu-west-1 has no object after 27 November); 3 December is not listed"
    );
    assert_eq!(
        listing.skipped_by_time, 2,
        "27 November 12:05 is before the window and its hour of slack"
    );
}

#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn download_mirrors_and_resumes() {
    emulator();
    let client = client().await;
    let files = files_under(&example_trail());
    bucket_with(&client, "policygen-download", &files).await;
    let mirror = tempfile::tempdir().expect("tempdir");
    let dir = mirror.path().display().to_string();
    let mut args = vec![
        "--s3",
        "s3://policygen-download",
        "--download",
        dir.as_str(),
    ];
    args.extend_from_slice(NOVEMBER);
    let first = policygen_to_file(&args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let mirrored = files_under(mirror.path());
    let expected: Vec<_> = files
        .iter()
        .filter(|(rel, _)| !rel.contains("CloudTrail-Digest"))
        .cloned()
        .collect();
    assert!(
        mirrored == expected,
        "the mirror holds exactly the objects read, byte for byte"
    );
    // A later run reads the mirror with `--logs`, to the same policy.
    let from_mirror = policygen_to_file(&[&["--logs", dir.as_str()], NOVEMBER].concat());
    assert_eq!(from_mirror.policy, first.policy);
    // Resumable: objects present with the same size are not fetched (nor rewritten) again.
    let times = |_: ()| -> Vec<std::time::SystemTime> {
        expected
            .iter()
            .map(|(rel, _)| {
                std::fs::metadata(mirror.path().join(rel))
                    .and_then(|m| m.modified())
                    .expect("mirrored")
            })
            .collect()
    };
    let before = times(());
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = policygen_to_file(&args);
    assert_eq!(second.policy, first.policy);
    assert_eq!(times(()), before);
}

#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn unreadable_objects_are_reported_not_dropped() {
    emulator();
    let client = client().await;
    let files = files_under(&example_trail());
    bucket_with(&client, "policygen-unreadable", &files).await;
    let cli = <Cli as clap::Parser>::try_parse_from(
        ["policygen", "--s3", "s3://policygen-unreadable"]
            .into_iter()
            .chain(NOVEMBER.iter().copied()),
    )
    .expect("valid flags");
    let settings = Settings::from_args(&cli.generate, chrono::Utc::now()).expect("valid settings");
    let Source::S3(source) = &settings.source else {
        panic!("an S3 source")
    };
    let ingest = Arc::new(Decoder::new(settings.scope.clone(), run_sink(&settings)));
    let mut out = ingest.fresh();
    let mut listing = s3::list(&client, source, &settings.scope.window, &ingest, &mut out)
        .await
        .expect("listed");
    // An object deleted between listing and download (NoSuchKey) stands for any object that cannot be read.
    let gone = listing.objects[0].key.clone();
    client
        .delete_object()
        .bucket("policygen-unreadable")
        .key(&gone)
        .send()
        .await
        .expect("deleted");
    listing.objects.truncate(3);
    s3::fetch(&client, source, &listing, &ingest, &mut out)
        .await
        .expect("fetched");
    let run = policygen::pipeline::conclude(&settings, None, out, Default::default());
    assert!(run.incomplete());
    let unreadable: Vec<_> = run
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() == "unreadable-file")
        .collect();
    assert_eq!(unreadable.len(), 1);
    assert_eq!(
        unreadable[0].subject,
        format!("s3://policygen-unreadable/{gone}")
    );
    assert!(
        unreadable[0].detail.contains("NoSuchKey"),
        "{}",
        unreadable[0].detail
    );
}
