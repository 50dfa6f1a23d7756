//! Which of an index's objects a run over its source opens for a window, and what that run's source
//! reports. Local files: those the delivery time in the name does not rule out. A bucket: what the run
//! would list (the day prefixes the window touches, in the regions of the accounts it keeps) and not leave
//! out by key time, with the listing's figures (objects, account/regions, objects outside the window by key
//! time, list calls) from the account and region prefixes the last update found and the objects' keys.

use super::query::IndexQuery;
use super::store::{Meta, ObjectEntry, S3Meta};
use super::IndexError;
use crate::collector::files::{log_inputs, opened};
use crate::collector::s3::{self, Listing, TrailObject};
use crate::collector::source::{Regions, S3Source};
use crate::collector::{AwsError, Source, SourceReport};
use crate::window::TimeWindow;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

/// Keys a list call returns at most.
const PAGE: usize = 1000;

pub struct Plan<'a> {
    /// The names of the objects the run opens.
    pub opened: BTreeSet<&'a str>,
    /// Objects a run over local files counts as outside the window (a run over a bucket does not list them).
    pub outside_window: u64,
    pub source: Source,
    pub report: SourceReport,
}

pub fn plan<'a>(
    meta: &Meta,
    objects: &BTreeMap<&'a str, &'a ObjectEntry>,
    window: &TimeWindow,
    query: &IndexQuery,
) -> Result<Plan<'a>, IndexError> {
    let Some(s3) = &meta.s3 else {
        let opened: BTreeSet<&str> = objects
            .keys()
            .copied()
            .filter(|name| opened(name, window))
            .collect();
        return Ok(Plan {
            outside_window: (objects.len() - opened.len()) as u64,
            opened,
            source: Source::Logs {
                inputs: log_inputs(&meta.source),
                progress: false,
            },
            report: SourceReport::Logs,
        });
    };
    let source = S3Source {
        bucket: s3.bucket.clone(),
        prefix: s3.prefix.clone(),
        regions: Regions::Default,
        accounts: query.accounts.clone(),
        concurrency: query.concurrency,
        download: None,
        progress: false,
    };
    let mut listing = Listing::default();
    // The region prefixes the run lists, each with the days it lists there and how many keys each holds.
    let mut regions: BTreeMap<&str, BTreeMap<NaiveDate, usize>> = BTreeMap::new();
    let days = s3::days(window);
    listing.list_calls = s3.trails.calls;
    for (account, prefix) in
        s3::kept(&s3.trails.accounts, &query.accounts, &source.url()).map_err(AwsError::from)?
    {
        let trail = s3
            .trails
            .kept
            .iter()
            .find(|t| t.prefix == *prefix)
            .ok_or_else(|| narrowed(s3, account))?;
        listing.list_calls += trail.calls;
        for (region, dir) in &trail.regions {
            listing.trails.insert(format!("{account}/{region}"));
            regions.insert(dir, days.iter().map(|day| (*day, 0)).collect());
        }
    }
    let mut opened = BTreeSet::new();
    for (name, object) in objects {
        let key = object.path.to_string_lossy();
        // The region prefix the key is under: the greatest one not after it (no prefix holds another).
        let Some((dir, listed)) = regions
            .range_mut::<str, _>((Bound::Unbounded, Bound::Included(&*key)))
            .next_back()
        else {
            continue;
        };
        let day = key.strip_prefix(*dir).and_then(s3::day_folder);
        let Some(count) = day.and_then(|day| listed.get_mut(&day)) else {
            continue;
        };
        *count += 1;
        if s3::wanted(&key, window) {
            opened.insert(*name);
            listing.objects.push(TrailObject {
                key: key.into_owned(),
                size: object.size,
                etag: object.version.clone(),
            });
        } else {
            listing.skipped_by_time += 1;
        }
    }
    listing.list_calls += regions
        .values()
        .flat_map(BTreeMap::values)
        .map(|keys| keys.div_ceil(PAGE).max(1))
        .sum::<usize>();
    listing.objects.sort();
    Ok(Plan {
        opened,
        outside_window: 0,
        report: SourceReport::S3 {
            url: source.url(),
            listing,
        },
        source: Source::S3(source),
    })
}

/// An account the run would list that the index does not read (`policygen index --account`).
fn narrowed(s3: &S3Meta, account: &str) -> IndexError {
    IndexError::Unanswerable(format!(
        "a run over the bucket reads account `{account}`, and the index reads only `{}` (`policygen index --account`): give `--account` among them, or read the bucket",
        s3.accounts.join("`, `")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collector::s3::{AccountTrail, Trails};
    use crate::window::parse_time;

    fn object(key: &str) -> ObjectEntry {
        ObjectEntry {
            name: format!("s3://b/{key}"),
            path: key.into(),
            size: 10,
            version: "\"e\"".to_string(),
            failed: false,
            stats: Default::default(),
            diagnostics: Vec::new(),
            by_name: false,
            days: Vec::new(),
            slots: Vec::new(),
            accounts: Some(Vec::new()),
        }
    }

    /// Two accounts (one listing of the root), one region each; 1,001 objects on 2 November in the first.
    fn meta() -> Meta {
        let trail = |account: &str| AccountTrail {
            account: account.to_string(),
            prefix: format!("AWSLogs/{account}/"),
            calls: 1,
            regions: vec![(
                "eu-west-1".to_string(),
                format!("AWSLogs/{account}/CloudTrail/eu-west-1/"),
            )],
        };
        let accounts = ["111122223333", "444455556666"];
        Meta {
            schema: 2,
            source: vec!["s3://b/".to_string()],
            s3: Some(S3Meta {
                bucket: "b".to_string(),
                prefix: String::new(),
                accounts: Vec::new(),
                trails: Trails {
                    calls: 1,
                    accounts: accounts
                        .iter()
                        .map(|a| (a.to_string(), format!("AWSLogs/{a}/")))
                        .collect(),
                    kept: accounts.iter().map(|a| trail(a)).collect(),
                },
            }),
            unlisted: Vec::new(),
        }
    }

    #[test]
    fn a_bucket_run_lists_day_prefixes_by_the_page_and_opens_by_key_time() {
        let dir = "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11";
        let mut objects: Vec<ObjectEntry> = (0..1001)
            .map(|i| {
                object(&format!(
                    "{dir}/02/1_CloudTrail_eu-west-1_20261102T{:02}{:02}Z_{i}.json.gz",
                    i / 60 % 24,
                    i % 60
                ))
            })
            .collect();
        objects.push(object(&format!("{dir}/03/custom.json")));
        objects.push(object(&format!("{dir}/3/outside-the-day-folders.json")));
        objects.push(object("AWSLogs/444455556666/CloudTrail/eu-west-1/2026/11/02/4_CloudTrail_eu-west-1_20261102T2300Z_x.json.gz"));
        let objects: BTreeMap<&str, &ObjectEntry> =
            objects.iter().map(|o| (o.name.as_str(), o)).collect();
        let window = TimeWindow::new(
            parse_time("2026-11-02T12:00:00Z").expect("valid"),
            parse_time("2026-11-03T00:00:00Z").expect("valid"),
        )
        .expect("valid");
        let query = |accounts: &[&str]| IndexQuery {
            dir: "index".into(),
            accounts: accounts
                .iter()
                .map(|a| a.parse().expect("account"))
                .collect(),
            concurrency: 1,
            aws: Default::default(),
        };
        let one = plan(&meta(), &objects, &window, &query(&["111122223333"])).expect("planned");
        let SourceReport::S3 { url, listing } = &one.report else {
            panic!("a bucket's report");
        };
        assert_eq!(url, "s3://b/");
        // Keys from 11:00 (an hour of slack) and the custom name are opened, not the one outside the day
        // folders; the 1,001 keys of 2 November take two pages, 3 and 4 November one each; then the root and
        // the account's regions: 2 + 1 + 1 + 1 + 1.
        assert_eq!(
            (
                listing.objects.len(),
                listing.skipped_by_time,
                listing.list_calls
            ),
            (341 + 1, 660, 6)
        );
        assert_eq!(one.opened.len(), 342);
        assert_eq!(one.outside_window, 0);
        assert_eq!(
            listing.trails.iter().collect::<Vec<_>>(),
            ["111122223333/eu-west-1"]
        );
        // Every account: the other's region and its three days too.
        let all = plan(&meta(), &objects, &window, &query(&[])).expect("planned");
        let SourceReport::S3 { listing, .. } = &all.report else {
            panic!("a bucket's report");
        };
        assert_eq!((listing.objects.len(), listing.list_calls), (343, 10));
        let none = plan(&meta(), &objects, &window, &query(&["999999999999"]));
        assert!(matches!(none, Err(IndexError::Aws(_))));
    }
}
