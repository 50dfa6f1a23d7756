//! The merged states of months and quarters (`spans/`) answer as the days do: over a trail across a
//! quarter's end, with spans fresh, behind the segments (an update killed before it wrote them), partly
//! behind, or ahead of the segments a query lists; an index of schema 2 (no spans) reads, and its next
//! update writes them.

use super::index::{answer, assert_same, log_object, record, same, update, words, write_trail};
use super::support::settings;
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const WHO: [&str; 4] = [
    "--role build-agent",
    "--role build-agent --account 444455556666",
    "--role deployer",
    "--user alice",
];

/// Records every 29 minutes from 2026-09-26 for ten days, delivered every three hours (records near
/// midnight in the next day's object, September's last in October's first), and a late delivery of
/// September's records among October's.
fn trail() -> Vec<(String, String)> {
    let start = policygen::window::parse_time("2026-09-26T00:00:00Z").expect("valid");
    let mut objects: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
    for i in 0..500 {
        let minutes = 29 * i as i64;
        let time = start + chrono::Duration::minutes(minutes);
        let who = (i * 3 + i / 5) % 4;
        let account = if who == 1 {
            "444455556666"
        } else {
            "111122223333"
        };
        let delivered = start + chrono::Duration::hours(3 * (minutes / 180 + 1));
        objects
            .entry((
                account.to_string(),
                delivered.format("%Y%m%dT%H%MZ").to_string(),
            ))
            .or_default()
            .push(record(
                i,
                who,
                &time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            ));
    }
    let late = vec![
        record(950, 0, "2026-09-30T22:10:00Z"),
        record(951, 2, "2026-09-29T08:00:00Z"),
    ];
    objects.insert(("111122223333".into(), "20261003T0500Z".into()), late);
    objects
        .into_iter()
        .enumerate()
        .map(|(n, ((account, key), records))| {
            let day = &key[..8];
            let path = format!(
                "AWSLogs/{account}/CloudTrail/eu-west-1/{}/{}/{}/{account}_CloudTrail_eu-west-1_{key}_s{n}.json",
                &day[..4],
                &day[4..6],
                &day[6..]
            );
            (path, log_object(&records))
        })
        .collect()
}

/// The trail, the first part of it, and indexes of them in each state the tests compare.
struct Built {
    _dir: tempfile::TempDir,
    logs: String,
    first_logs: String,
    /// Spans as the last update left them.
    fresh: String,
    /// Spans of the first part only: an update killed after its segments, before its spans.
    behind: String,
    /// The months' spans behind, the quarters' fresh: killed between span files.
    partly: String,
    /// Of the first part, with the whole trail's spans: an update's spans a query must not take.
    ahead: String,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("dir") {
        let path = entry.expect("entry").path();
        let target = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

/// Each segment file of `index`, rewritten by `edit`.
fn edit_segments(index: &Path, edit: impl Fn(&mut Vec<u8>)) {
    for entry in std::fs::read_dir(index.join("segments")).expect("segments") {
        let path = entry.expect("entry").path();
        let mut bytes = std::fs::read(&path).expect("read");
        edit(&mut bytes);
        std::fs::write(&path, bytes).expect("write");
    }
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let at = |name: &str| dir.path().join(name);
        let objects = trail();
        let first_part = &objects[..objects.len() * 3 / 5];
        // The first part alone, indexed by one update.
        write_trail(&at("first"), first_part);
        let first_logs = at("first").display().to_string();
        let first = at("first-index");
        let report = update(&first, std::slice::from_ref(&first_logs), 5).expect("builds");
        assert_eq!(report.spans_written, 4, "September, October, Q3, Q4");
        // The whole trail by two updates: its first part, then the rest.
        write_trail(&at("trail"), first_part);
        let logs = at("trail").display().to_string();
        let fresh = at("fresh");
        update(&fresh, std::slice::from_ref(&logs), 5).expect("first part");
        let early_spans = at("early-spans");
        copy_dir(&fresh.join("spans"), &early_spans);
        write_trail(&at("trail"), &objects[first_part.len()..]);
        let report = update(&fresh, std::slice::from_ref(&logs), 5).expect("the rest");
        assert!(report.segments_written > 0 && report.spans_written == 4);
        let behind = at("behind");
        copy_dir(&fresh, &behind);
        std::fs::remove_dir_all(behind.join("spans")).expect("rm");
        copy_dir(&early_spans, &behind.join("spans"));
        let partly = at("partly");
        copy_dir(&fresh, &partly);
        for name in ["2026-09.span", "2026-10.span"] {
            std::fs::copy(early_spans.join(name), partly.join("spans").join(name)).expect("copy");
        }
        let ahead = at("ahead");
        copy_dir(&first, &ahead);
        std::fs::remove_dir_all(ahead.join("spans")).expect("rm");
        copy_dir(&fresh.join("spans"), &ahead.join("spans"));
        let s = |p: PathBuf| p.display().to_string();
        Built {
            logs,
            first_logs,
            fresh: s(fresh),
            behind: s(behind),
            partly: s(partly),
            ahead: s(ahead),
            _dir: dir,
        }
    })
}

/// The error a run gives.
fn fails(line: &str) -> String {
    let run = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(policygen::generate(
            &settings(&words(line)),
            &Default::default(),
        ));
    match run {
        Err(e) => e.to_string(),
        Ok(_) => panic!("{line}: answered"),
    }
}

/// Whole months, whole quarters, and windows that cut them.
const WINDOWS: [&str; 6] = [
    "--from 2026-07-01 --to 2027-01-01",
    "--from 2026-09-01 --to 2026-11-01",
    "--from 2026-10-01 --to 2026-10-31",
    "--from 2026-09-28 --to 2026-10-04",
    "--from 2026-09-27T10:00:00Z --to 2026-10-02T03:00:00Z",
    "--from 2026-09-30 --to 2026-10-01",
];

#[test]
fn spans_fresh_behind_or_ahead_answer_as_the_logs() {
    let b = built();
    for who in WHO {
        for window in WINDOWS {
            for index in [&b.fresh, &b.behind, &b.partly] {
                same(who, window, &b.logs, index);
            }
            same(who, window, &b.first_logs, &b.ahead);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Any window over the quarter's end, whole days or to the minute, whatever the spans' state.
    #[test]
    fn span_answers_equal_log_answers(who in 0..WHO.len(), state in 0..3usize, from in 0i64..(16 * 1440), length in 1i64..(16 * 1440), whole in any::<bool>()) {
        let b = built();
        let start = policygen::window::parse_time("2026-09-22T00:00:00Z").expect("valid");
        let (from, length) = if whole { (from / 1440 * 1440, (length / 1440).max(1) * 1440) } else { (from, length) };
        let at = |m: i64| (start + chrono::Duration::minutes(m)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let window = format!("--from {} --to {}", at(from), at(from + length));
        let index = [&b.fresh, &b.behind, &b.partly][state];
        same(WHO[who], &window, &b.logs, index);
    }
}

/// The segments' per-day states cleared: what reads only spans still answers.
#[test]
fn whole_quarters_are_read_from_their_spans_alone() {
    let b = built();
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    copy_dir(Path::new(&b.fresh), &index);
    edit_segments(&index, |bytes| {
        let table = u64::from_le_bytes(bytes[20..28].try_into().expect("8 bytes")) as usize;
        bytes[28 + table..].fill(0);
    });
    let index = index.display().to_string();
    let whole = "--from 2026-07-01 --to 2027-01-01";
    for who in WHO {
        assert_same(
            &answer(&words(&format!("{who} {whole} --logs {}", b.logs))),
            &answer(&words(&format!("{who} {whole} --index {index}"))),
            who,
        );
    }
    let cut = fails(&format!(
        "--role deployer --from 2026-09-28 --to 2026-10-04 --index {index}"
    ));
    assert!(cut.contains("is damaged"), "{cut}");
}

/// An index of schema 2 has no spans: it answers from its days, and its next update writes the spans and
/// says the index is of schema 3. A span of a newer schema is refused.
#[test]
fn an_index_of_schema_2_reads_and_gets_its_spans() {
    let b = built();
    let dir = tempfile::tempdir().expect("tempdir");
    let index = dir.path().join("index");
    copy_dir(Path::new(&b.fresh), &index);
    std::fs::remove_dir_all(index.join("spans")).expect("rm");
    let meta = index.join("index.json");
    let text = std::fs::read_to_string(&meta).expect("meta");
    std::fs::write(&meta, text.replace("\"schema\": 3", "\"schema\": 2")).expect("write");
    edit_segments(&index, |bytes| {
        bytes[16..20].copy_from_slice(&2u32.to_le_bytes())
    });
    let index_arg = index.display().to_string();
    for window in WINDOWS {
        same("--role build-agent", window, &b.logs, &index_arg);
    }
    let report = update(&index, std::slice::from_ref(&b.logs), 5).expect("updates");
    assert_eq!((report.objects_read, report.spans_written), (0, 4));
    assert!(std::fs::read_to_string(&meta)
        .expect("meta")
        .contains("\"schema\": 3"));
    for window in WINDOWS {
        same("--role build-agent", window, &b.logs, &index_arg);
    }
    let span = index.join("spans").join("2026-Q4.span");
    let mut bytes = std::fs::read(&span).expect("read");
    bytes[16..20].copy_from_slice(&99u32.to_le_bytes());
    std::fs::write(&span, bytes).expect("write");
    let refused = fails(&format!(
        "--role deployer --from 2026-10-01 --to 2026-10-03 --index {index_arg}"
    ));
    assert!(refused.contains("has schema 99"), "{refused}");
}
