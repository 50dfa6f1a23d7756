//! A trail's S3 bucket: discover accounts and regions by listing with a delimiter, list only the day
//! prefixes the window touches (`list.rs`), download with bounded concurrency and feed every object through
//! the same [`Decoder::read`] path as local files, on the blocking pool so that network and CPU overlap. The
//! usage index lists and reads the bucket whole (`bucket.rs`).

use super::decode::Decoder;
use super::progress::bytes_bar;
use super::sink::{Collected, Sink};
use super::source::S3Source;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_s3::Client;
use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

mod bucket;
mod list;
pub use bucket::{Bucket, Inventory};
pub use list::*;

#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("s3 `{operation}` of `{target}` failed: {message}")]
    Aws {
        operation: &'static str,
        target: String,
        message: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("no CloudTrail logs under `{0}`: expected `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` (organisation trails: `AWSLogs/<o-id>/<account>/...`), optionally after a prefix")]
    NoTrail(String),
    #[error("no account under `{url}` is one of `--account` {wanted}")]
    NoAccount { url: String, wanted: String },
    #[error("cannot write `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// One S3 object to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TrailObject {
    pub key: String,
    pub size: u64,
    /// As listed (the usage index tells a rewritten object by it).
    pub etag: String,
}

/// What the listing found, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// `account/region` pairs read.
    pub trails: BTreeSet<String>,
    pub objects: Vec<TrailObject>,
    /// Objects listed but left out by their key time.
    pub skipped_by_time: usize,
    pub list_calls: usize,
}

/// The S3 client for `config`; path-style addressing when the endpoint is overridden (an emulator).
pub fn client(config: &aws_config::SdkConfig) -> Client {
    let builder = aws_sdk_s3::config::Builder::from(config);
    let builder = if config.endpoint_url().is_some() {
        builder.force_path_style(true)
    } else {
        builder
    };
    Client::from_conf(builder.build())
}

fn aws_error<E>(operation: &'static str, target: &str, e: E) -> S3Error
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    let message = match (e.code(), e.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => DisplayErrorContext(&e).to_string(),
    };
    let hint = match e.code() {
        Some(
            "PermanentRedirect"
            | "AuthorizationHeaderMalformed"
            | "IllegalLocationConstraintException",
        ) => " (give the bucket's region with `--region`)",
        _ => "",
    };
    S3Error::Aws {
        operation,
        target: target.to_string(),
        message: format!("{message}{hint}"),
        source: Box::new(e),
    }
}

/// Where `--download DIR` keeps `key`; `None` for keys that would leave DIR.
pub fn mirror_path(dir: &Path, key: &str) -> Option<PathBuf> {
    let relative = Path::new(key);
    let safe = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    safe.then(|| dir.join(relative))
}

/// Reads the objects of `listing` through `decoder`, at most `source.concurrency` in flight (downloading or
/// being parsed), which also bounds memory.
pub async fn fetch<S: Sink + 'static>(
    client: &Client,
    source: &S3Source,
    listing: &Listing,
    decoder: &Arc<Decoder<S>>,
    out: &mut Collected<S>,
) -> Result<(), S3Error> {
    let bytes = listing.objects.iter().map(|o| o.size).sum();
    let bar = bytes_bar("s3", bytes, listing.objects.len(), source.progress);
    let total = listing.objects.len();
    let semaphore = Arc::new(Semaphore::new(source.concurrency));
    let mut tasks: JoinSet<Result<Collected<S>, S3Error>> = JoinSet::new();
    let mut done = 0usize;
    let mut first_error = None;
    let mut finish = |result: Result<Result<Collected<S>, S3Error>, tokio::task::JoinError>,
                      out: &mut Collected<S>| {
        done += 1;
        bar.set_message(format!("{done}/{total} objects"));
        match result {
            Ok(Ok(part)) => out.merge(part),
            Ok(Err(e)) => {
                first_error.get_or_insert(e);
            }
            Err(e) => decoder.unreadable(&source.url(), &format!("download task failed: {e}"), out),
        }
    };
    for object in &listing.objects {
        if decoder.stopped() {
            break;
        }
        let Ok(permit) = semaphore.clone().acquire_owned().await else {
            break;
        };
        while let Some(result) = tasks.try_join_next() {
            finish(result, out);
        }
        let client = client.clone();
        let bucket = source.bucket.clone();
        let object = object.clone();
        let download = source.download.clone();
        let decoder = decoder.clone();
        let bar = bar.clone();
        tasks.spawn(async move {
            let part = read_object(&client, &bucket, &object, download.as_deref(), decoder).await;
            bar.inc(object.size);
            drop(permit);
            part
        });
    }
    while let Some(result) = tasks.join_next().await {
        finish(result, out);
    }
    bar.finish_and_clear();
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

async fn read_object<S: Sink + 'static>(
    client: &Client,
    bucket: &str,
    object: &TrailObject,
    download: Option<&Path>,
    decoder: Arc<Decoder<S>>,
) -> Result<Collected<S>, S3Error> {
    let name = format!("s3://{bucket}/{}", object.key);
    let mut part = decoder.fresh();
    let mirror = match download.map(|dir| mirror_path(dir, &object.key)) {
        None => None,
        Some(Some(path)) => Some(path),
        Some(None) => {
            decoder.unreadable(
                &name,
                "the key leaves the `--download` directory",
                &mut part,
            );
            return Ok(part);
        }
    };
    // Resumable: a mirrored copy of the same size is read instead of fetched.
    if let Some(path) = &mirror {
        let same = std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == object.size);
        if same {
            let path = path.clone();
            return tokio::task::spawn_blocking(move || {
                match std::fs::read(&path) {
                    Ok(bytes) => decoder.read(&name, &bytes, &mut part),
                    Err(e) => decoder.unreadable(&name, &e.to_string(), &mut part),
                }
                Ok(part)
            })
            .await
            .unwrap_or_else(|e| Err(join_failed(e)));
        }
    }
    let bytes = match get(client, bucket, &object.key).await {
        Ok(bytes) => bytes,
        Err(why) => {
            decoder.unreadable(&name, &why, &mut part);
            return Ok(part);
        }
    };
    tokio::task::spawn_blocking(move || {
        if let Some(path) = mirror {
            write_mirror(&path, &bytes)?;
        }
        decoder.read(&name, &bytes, &mut part);
        Ok(part)
    })
    .await
    .unwrap_or_else(|e| Err(join_failed(e)))
}

fn join_failed(e: tokio::task::JoinError) -> S3Error {
    S3Error::Io {
        path: PathBuf::new(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Whole GetObject attempts when the body breaks off mid-transfer (a connection reset): the SDK retries a
/// request that fails (throttling, 5xx, connection errors) but not a body that fails after the response began.
const BODY_ATTEMPTS: u32 = 3;

/// GetObject, whole body. The SDK has already retried throttling, 5xx and connection errors when the request
/// fails; access denied (IAM or KMS) is not retried, by the SDK or here.
async fn get(client: &Client, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
    let describe = |code: Option<&str>, message: Option<&str>, fallback: String| {
        let text = match (code, message) {
            (Some(code), Some(message)) => format!("GetObject failed: {code}: {message}"),
            (Some(code), None) => format!("GetObject failed: {code}"),
            _ => format!("GetObject failed: {fallback}"),
        };
        let kms = code.is_some_and(|c| c.starts_with("KMS."))
            || message.is_some_and(|m| m.contains("kms:") || m.contains("KMS"));
        let hint = if kms {
            " (the trail is encrypted with KMS: reading it needs `kms:Decrypt` on the trail's key, see docs/permissions.md)"
        } else if code.is_some_and(|c| c == "AccessDenied") {
            " (reading the trail needs `s3:GetObject` on its objects, see docs/permissions.md)"
        } else {
            ""
        };
        format!("{text}{hint}")
    };
    let mut attempt = 1;
    loop {
        let output = client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| describe(e.code(), e.message(), DisplayErrorContext(&e).to_string()))?;
        match output.body.collect().await {
            Ok(body) => return Ok(body.into_bytes().to_vec()),
            Err(_) if attempt < BODY_ATTEMPTS => {
                tokio::time::sleep(std::time::Duration::from_millis(100 << attempt)).await;
                attempt += 1;
            }
            Err(e) => {
                return Err(format!(
                    "reading the object failed {BODY_ATTEMPTS} times, the last: {}",
                    DisplayErrorContext(&e)
                ))
            }
        }
    }
}

fn write_mirror(path: &Path, bytes: &[u8]) -> Result<(), S3Error> {
    let io = |e| S3Error::Io {
        path: path.to_path_buf(),
        source: e,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".part");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, bytes).map_err(io)?;
    std::fs::rename(&partial, path).map_err(io)
}

/// Lists and reads the trail in `source` for `decoder`'s window.
pub async fn collect<S: Sink + 'static>(
    client: &Client,
    source: &S3Source,
    decoder: &Arc<Decoder<S>>,
) -> Result<(Collected<S>, Listing), S3Error> {
    let mut out = decoder.fresh();
    let window = decoder.scope().window.clone();
    let listing = list(client, source, &window, decoder, &mut out).await?;
    fetch(client, source, &listing, decoder, &mut out).await?;
    Ok((out, listing))
}

#[cfg(test)]
mod tests;
