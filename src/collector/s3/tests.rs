//! Key layouts, day prefixes and key times, without a network.
use super::*;
use crate::window::parse_time;
use crate::window::TimeWindow;
use chrono::NaiveDate;

fn window(from: &str, to: &str) -> TimeWindow {
    TimeWindow::new(
        parse_time(from).expect("valid"),
        parse_time(to).expect("valid"),
    )
    .expect("valid")
}

#[test]
fn prefixes() {
    assert_eq!(split_prefix(""), ("AWSLogs/".into(), vec![]));
    assert_eq!(split_prefix("trails"), ("trails/AWSLogs/".into(), vec![]));
    assert_eq!(split_prefix("trails/"), ("trails/AWSLogs/".into(), vec![]));
    assert_eq!(split_prefix("a/AWSLogs"), ("a/AWSLogs/".into(), vec![]));
    assert_eq!(
        split_prefix("a/AWSLogs/o-abc/111122223333/"),
        (
            "a/AWSLogs/".into(),
            vec!["o-abc".to_string(), "111122223333".to_string()]
        )
    );
    assert_eq!(
        split_prefix("NotAWSLogs"),
        ("NotAWSLogs/AWSLogs/".into(), vec![])
    );
}

#[test]
fn day_prefixes_span_month_end_with_slack() {
    let days = days(&window("2026-11-29T00:30:00Z", "2026-12-02T00:00:00Z"));
    let names: Vec<String> = days
        .iter()
        .map(|d| d.format("%Y/%m/%d").to_string())
        .collect();
    assert_eq!(
        names,
        [
            "2026/11/28",
            "2026/11/29",
            "2026/11/30",
            "2026/12/01",
            "2026/12/02",
            "2026/12/03"
        ]
    );
}

#[test]
fn key_times_and_digests() {
    let key = "AWSLogs/1/CloudTrail/us-east-1/2026/11/15/111122223333_CloudTrail_us-east-1_20261115T1205Z_abcDEF.json.gz";
    assert_eq!(
        key_time(key),
        Some(parse_time("2026-11-15T12:05:00Z").expect("valid"))
    );
    assert_eq!(key_time("AWSLogs/x/other.json.gz"), None);
    let w = window("2026-11-15T13:00:00Z", "2026-11-16T00:00:00Z");
    assert!(wanted(key, &w), "an hour of slack before");
    assert!(!wanted(
        key,
        &window("2026-11-15T13:06:00Z", "2026-11-16T00:00:00Z")
    ));
    assert!(
        wanted(key, &window("2026-11-14T00:00:00Z", "2026-11-14T12:05:00Z")),
        "a day after"
    );
    assert!(!wanted(
        key,
        &window("2026-11-14T00:00:00Z", "2026-11-14T12:04:00Z")
    ));
    assert!(!wanted(
        "AWSLogs/1/CloudTrail-Digest/us-east-1/2026/11/15/1_CloudTrail-Digest_x.json.gz",
        &w
    ));
    assert!(wanted(
        "AWSLogs/1/CloudTrail/us-east-1/2026/11/15/custom.json",
        &w
    ));
}

#[test]
fn mirror_paths_stay_inside() {
    let dir = Path::new("/tmp/m");
    assert_eq!(
        mirror_path(dir, "AWSLogs/1/x.json.gz"),
        Some(PathBuf::from("/tmp/m/AWSLogs/1/x.json.gz"))
    );
    assert_eq!(mirror_path(dir, "../x"), None);
    assert_eq!(mirror_path(dir, "/etc/passwd"), None);
}

#[test]
fn day_folders_are_as_day_listings_name_them() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 3);
    assert_eq!(day_folder("2026/11/03/x.json.gz"), day);
    assert_eq!(day_folder("2026/11/03/nested/x.json"), day);
    assert_eq!(day_folder("2026/11/03"), None, "not inside the folder");
    assert_eq!(day_folder("2026/1/03/x.json"), None);
    assert_eq!(day_folder("2026/11/31/x.json"), None);
    assert_eq!(day_folder("x.json"), None);
}
