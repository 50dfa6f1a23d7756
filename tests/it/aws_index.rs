//! An index of a trail bucket (`policygen index --s3`) against moto: it answers as `--s3` runs over the
//! same objects, byte for byte; updates read only new objects; a rewritten object is an error, an
//! unreadable one is reported and read again by the next update; sources do not mix.
//!
//!     scripts/with-moto.sh cargo test --test main -- aws_index --include-ignored

use super::aws_s3::{bucket_with, client};
use super::index::{fleet_files, run_whole};
use super::support::{emulator, example_trail, files_under, policygen, root, text};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{RestoreRequest, StorageClass};

const WHOLE: [&str; 4] = ["--from", "2026-11-01", "--to", "2026-12-01"];
/// Cuts two days, and leaves out the objects delivered on 3 November by key time (12:05, more than the hour
/// of slack before 13:30).
const SUB_DAY: [&str; 4] = [
    "--from",
    "2026-11-03T13:30:00Z",
    "--to",
    "2026-11-20T07:00:00Z",
];

/// The example trail (one account, two regions, a digest) and another account's object in an organisation
/// trail beside it: `(key, bytes)`.
fn trail() -> Vec<(String, Vec<u8>)> {
    let mut files = files_under(&example_trail());
    let other = root().join("tests/scenarios/account-filter/logs");
    files.extend(
        files_under(&other)
            .into_iter()
            .filter(|(key, _)| key.contains("444455556666")),
    );
    files
}

async fn put(client: &aws_sdk_s3::Client, bucket: &str, key: &str, bytes: &[u8]) {
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(bytes.to_vec()))
        .send()
        .await
        .expect("put object");
}

/// `policygen index ARGS`: exit code, stdout, stderr.
fn index(args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["index"];
    all.extend(args);
    let out = policygen(&all);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// The words of a command line, from its parts.
fn words(parts: &[&[&str]]) -> Vec<String> {
    parts.concat().iter().map(|s| s.to_string()).collect()
}

/// Runs `who window` over the bucket and over the index: the same exit code, stderr, policy and summary.
fn same(who: &[&str], window: &[&str], url: &str, dir: &str) {
    let run = |source: [&str; 2]| run_whole(&words(&[who, window, &source]));
    let from_bucket = run(["--s3", url]);
    assert!(from_bucket.2.is_some(), "{}", from_bucket.1);
    if window == SUB_DAY && !who.contains(&"444455556666") {
        assert!(
            from_bucket
                .1
                .contains("; 2 objects outside the window by key time;"),
            "{}",
            from_bucket.1
        );
    }
    assert_eq!(from_bucket, run(["--index", dir]), "{who:?} {window:?}");
}

#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn an_index_of_a_bucket_answers_as_the_bucket() {
    emulator();
    let client = client().await;
    let files = trail();
    // The last day arrives later.
    let (late, first): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|(key, _)| key.contains("/2026/11/30/"));
    assert_eq!(late.len(), 1);
    bucket_with(&client, "policygen-index", &first).await;
    let url = "s3://policygen-index";
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("index").display().to_string();
    // 35 log objects (the digest is not under `CloudTrail/`), one segment.
    let built = index(&["--s3", url, "--index", &dir]);
    assert_eq!(built.0, Some(0), "{}", built.2);
    assert!(
        built.1.ends_with(": 35 objects read, 0 already there, 0 read again for duplicates, 1 segments written, 2 spans written\n"),
        "{}",
        built.1
    );
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("index/index.json")).expect("meta"))
            .expect("json");
    assert_eq!(meta["source"], serde_json::json!(["s3://policygen-index/"]));
    assert_eq!(meta["s3"]["bucket"], "policygen-index");

    put(&client, "policygen-index", &late[0].0, &late[0].1).await;
    let updated = index(&["--s3", url, "--index", &dir]);
    assert_eq!(updated.0, Some(0), "{}", updated.2);
    assert!(
        updated.1.ends_with(": 1 objects read, 35 already there, 0 read again for duplicates, 1 segments written, 2 spans written\n"),
        "{}",
        updated.1
    );
    let again = index(&["--s3", url, "--index", &dir]);
    assert!(again.1.ends_with(": 0 objects read, 36 already there, 0 read again for duplicates, 0 segments written, 0 spans written\n"), "{}", again.1);

    for who in [
        &["--role", "build-agent", "--account", "111122223333"][..],
        &["--role", "build-agent", "--account", "444455556666"],
        &["--role", "build-agent"],
        &["--user", "alice"],
    ] {
        for window in [WHOLE, SUB_DAY] {
            same(who, &window, url, &dir);
        }
    }
    for window in [WHOLE, SUB_DAY] {
        let out = tempfile::tempdir().expect("tempdir");
        let from_bucket = fleet_files(&out.path().join("s3"), &window, &["--s3", url]);
        assert!(from_bucket.2.len() > 3, "{}", from_bucket.1);
        let from_index = fleet_files(&out.path().join("index"), &window, &["--index", &dir]);
        assert_eq!(from_bucket, from_index, "{window:?}");
    }

    // Without credentials: whole days need only the index; a cut day says why it needs the bucket.
    let offline = |window: &[&str]| {
        let output = tempfile::tempdir().expect("tempdir");
        let policy = output.path().join("p.json").display().to_string();
        let mut args = vec!["--role", "build-agent", "--account", "111122223333"];
        args.extend(window);
        args.extend(["--index", &dir, "-o", &policy]);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_policygen"))
            .args(&args)
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .output()
            .expect("runs");
        (
            out.status.code(),
            text(&out.stderr),
            std::fs::read(policy).ok(),
        )
    };
    let whole = offline(&WHOLE);
    assert_eq!(whole.0, Some(0), "{}", whole.1);
    let cut = offline(&SUB_DAY);
    assert_eq!(cut.0, Some(2), "{}", cut.1);
    assert!(
        cut.1.contains("the window cuts a day")
            && cut.1.contains("`s3://policygen-index/`")
            && cut.1.contains("credentials"),
        "{}",
        cut.1
    );

    // An index of one account answers for it, and refuses the others a run over the bucket would read.
    let one = tmp.path().join("one").display().to_string();
    let built = index(&["--s3", url, "--account", "444455556666", "--index", &one]);
    assert!(built.1.ends_with(": 1 objects read, 0 already there, 0 read again for duplicates, 1 segments written, 2 spans written\n"), "{}", built.1);
    same(
        &["--role", "build-agent", "--account", "444455556666"],
        &WHOLE,
        url,
        &one,
    );
    let refused = run_whole(&words(&[
        &["--role", "build-agent", "--index", &one],
        &WHOLE,
    ]));
    assert_eq!(refused.0, Some(2));
    assert!(
        refused
            .1
            .contains("reads account `111122223333`, and the index reads only `444455556666`"),
        "{}",
        refused.1
    );
}

#[tokio::test]
#[ignore = "needs the emulator: scripts/with-moto.sh cargo test -- --include-ignored"]
async fn unreadable_objects_are_read_again_and_rewritten_ones_refused() {
    emulator();
    let client = client().await;
    let files = files_under(&example_trail());
    let bucket = "policygen-index-faults";
    bucket_with(&client, bucket, &files).await;
    let url = format!("s3://{bucket}");
    // Archived by a lifecycle rule: GetObject fails until it is restored.
    let archived = "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/17/111122223333_CloudTrail_eu-west-1_20261117T1205Z_ixIXX1mwu3lXLYig.json.gz";
    let bytes = &files
        .iter()
        .find(|(key, _)| key == archived)
        .expect("in the trail")
        .1;
    client
        .put_object()
        .bucket(bucket)
        .key(archived)
        .storage_class(StorageClass::Glacier)
        .body(ByteStream::from(bytes.clone()))
        .send()
        .await
        .expect("put");
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("index").display().to_string();
    let built = index(&["--s3", &url, "--index", &dir]);
    assert_eq!(built.0, Some(1), "{}", built.2);
    assert!(
        built
            .2
            .contains(&format!("error: `{url}/{archived}` could not be read")),
        "{}",
        built.2
    );
    assert!(
        built.1.contains(": 35 objects read, 0 already there"),
        "{}",
        built.1
    );
    // Queries report it, as the run over the bucket does.
    let who = ["--role", "build-agent", "--account", "111122223333"];
    same(&who, &WHOLE, &url, &dir);
    let (code, stderr, ..) = run_whole(&words(&[&who, &WHOLE, &["--index", &dir]]));
    assert_eq!(code, Some(1));
    assert!(stderr.contains("InvalidObjectState"), "{stderr}");

    client
        .restore_object()
        .bucket(bucket)
        .key(archived)
        .restore_request(RestoreRequest::builder().days(1).build())
        .send()
        .await
        .expect("restore");
    let retried = index(&["--s3", &url, "--index", &dir]);
    assert_eq!(retried.0, Some(0), "{}", retried.2);
    assert!(
        retried.1.contains(": 1 objects read, 34 already there"),
        "{}",
        retried.1
    );
    same(&who, &WHOLE, &url, &dir);
    same(&who, &SUB_DAY, &url, &dir);
    // The same bucket spelled another way is the same source: nothing new to read.
    let spelled = index(&["--s3", &format!("{url}/AWSLogs/"), "--index", &dir]);
    assert_eq!(spelled.0, Some(0), "{}", spelled.2);
    assert!(
        spelled.1.contains(": 0 objects read, 35 already there"),
        "{}",
        spelled.1
    );

    // CloudTrail never rewrites an object: one that changed is an error, not read again.
    let (rewritten, other) = (&files[1], &files[2]);
    put(&client, bucket, &rewritten.0, &other.1).await;
    let changed = index(&["--s3", &url, "--index", &dir]);
    assert_eq!(changed.0, Some(2));
    assert!(
        changed
            .2
            .contains(&format!("`{url}/{}` changed since the index", rewritten.0)),
        "{}",
        changed.2
    );

    // Sources do not mix: local logs, another bucket, a bucket into an index of local logs.
    let logs = index(&["--logs", "examples/trail", "--index", &dir]);
    assert_eq!(logs.0, Some(2));
    assert!(
        logs.2
            .contains(&format!("reads `{url}/`, not `examples/trail`")),
        "{}",
        logs.2
    );
    let elsewhere = index(&["--s3", "s3://policygen-index", "--index", &dir]);
    assert!(
        elsewhere
            .2
            .contains(&format!("reads `{url}/`, not `s3://policygen-index/`")),
        "{}",
        elsewhere.2
    );
    let local = tmp.path().join("local").display().to_string();
    assert_eq!(
        index(&["--logs", "examples/trail", "--index", &local]).0,
        Some(0)
    );
    let into_local = index(&["--s3", &url, "--index", &local]);
    assert_eq!(into_local.0, Some(2));
    assert!(
        into_local
            .2
            .contains(&format!("reads `examples/trail`, not `{url}/`")),
        "{}",
        into_local.2
    );
}
