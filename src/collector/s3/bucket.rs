//! The trail bucket as the usage index reads it: every object of every account and region, whatever its
//! day, with its ETag; and objects fetched by key, in order.

use super::list::{list_objects, listing_spinner};
use super::{client, day_folder, discover, get, S3Error, TrailObject, Trails};
use crate::collector::source::{AwsOptions, S3Source};
use crate::collector::{AwsError, Sources};
use aws_sdk_s3::Client;
use futures_util::stream::{self, StreamExt};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

#[derive(Clone)]
pub struct Bucket {
    client: Client,
    pub source: S3Source,
}

/// What the bucket holds for the index.
pub struct Inventory {
    pub trails: Trails,
    /// Every object in a day folder (`REGION/YYYY/MM/DD/`) of a region of a kept account, by key: what
    /// some window's run lists.
    pub objects: Vec<TrailObject>,
}

impl Bucket {
    /// The bucket of `source`, through the run's AWS configuration or, when the run loaded none (a query
    /// on an index, which needs the bucket only to read some objects again), one loaded now.
    pub async fn connect(
        sources: &Sources,
        options: &AwsOptions,
        source: S3Source,
    ) -> Result<Bucket, AwsError> {
        let config = match &sources.aws {
            Some(config) => config.clone(),
            None => Sources::connect(options, true)
                .await?
                .aws
                .ok_or_else(|| AwsError::Credentials("no AWS configuration".to_string()))?,
        };
        Ok(Bucket {
            client: client(&config),
            source,
        })
    }

    /// Lists every region of every kept account whole (no window), region prefixes concurrently. A
    /// prefix that cannot be listed fails the inventory: its objects would be missing without a trace.
    pub async fn inventory(&self) -> Result<Inventory, S3Error> {
        let spinner = listing_spinner(self.source.progress, &self.source.url());
        let trails = discover(&self.client, &self.source).await?;
        let regions = trails.regions(&self.source.regions).count();
        let semaphore = Arc::new(Semaphore::new(self.source.concurrency));
        let mut tasks = JoinSet::new();
        for (_, dir) in trails.regions(&self.source.regions) {
            let (client, bucket, dir) = (
                self.client.clone(),
                self.source.bucket.clone(),
                dir.to_string(),
            );
            let semaphore = semaphore.clone();
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await;
                let listed = list_objects(&client, &bucket, &dir).await;
                (dir, listed)
            });
        }
        let (mut objects, mut done_regions) = (Vec::new(), 0);
        while let Some(done) = tasks.join_next().await {
            let (dir, listed) = done.map_err(|e| S3Error::Aws {
                operation: "ListObjectsV2",
                target: self.source.url(),
                message: format!("listing task failed: {e}"),
                source: Box::new(e),
            })?;
            let (listed, _) = listed?;
            objects.extend(listed.into_iter().filter(|o| {
                o.key
                    .strip_prefix(dir.as_str())
                    .and_then(day_folder)
                    .is_some()
            }));
            done_regions += 1;
            spinner.set_message(format!(
                "{done_regions}/{regions} account/region trails, {} objects",
                objects.len()
            ));
        }
        spinner.finish_and_clear();
        objects.sort();
        Ok(Inventory { trails, objects })
    }

    /// The objects of `keys`, in order, at most `--concurrency` in flight; an error as text.
    pub async fn get_all(&self, keys: &[String]) -> Vec<Result<Vec<u8>, String>> {
        // Owned futures (no borrowing closure held across the awaits): the update spawns this.
        let gets: Vec<_> = keys
            .iter()
            .map(|key| {
                let (client, bucket, key) =
                    (self.client.clone(), self.source.bucket.clone(), key.clone());
                async move { get(&client, &bucket, &key).await }
            })
            .collect();
        stream::iter(gets)
            .buffered(self.source.concurrency.max(1))
            .collect()
            .await
    }
}
