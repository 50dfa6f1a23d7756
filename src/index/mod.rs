//! The usage index: ingest the logs once (`policygen index`), answer runs from it (`--index DIR`). It keeps,
//! per principal and UTC day, the state a run builds for that principal (usage with evidence, diagnostics,
//! counters), and per object what a run finds about the object itself, so an answer from the index is the
//! one reading the logs gives. See docs/scale.md.

pub mod ingest;
mod listing;
pub mod origin;
pub mod query;
pub mod span;
pub mod state;
pub mod store;

pub use ingest::{update, Given, UpdateReport};
pub use query::IndexQuery;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("`{path}`: {message}")]
    Io { path: String, message: String },
    #[error("`{path}` is damaged: {message}; build the index again")]
    Corrupt { path: String, message: String },
    #[error("the index `{path}` has schema {found}, newer than this policygen reads ({known}): use a newer policygen, or build the index again")]
    NewerSchema {
        path: String,
        found: u32,
        known: u32,
    },
    #[error("the index `{path}` is being updated by {holder}: wait for it to finish, or stop it (a killed update loses nothing it committed)")]
    Locked { path: String, holder: String },
    #[error("the index `{path}` reads `{source_indexed}`, not `{source_given}`: give the same source, or another `--index`")]
    OtherSource {
        path: String,
        source_given: String,
        source_indexed: String,
    },
    #[error("`{object}` changed since the index `{path}` read it: CloudTrail never rewrites a log object, so build the index again")]
    Changed { object: String, path: String },
    #[error("no index at `{0}`: build it with `policygen index --logs PATH --index {0}` (or `--s3 s3://BUCKET`)")]
    Missing(String),
    #[error("the index cannot answer this exactly: {0}")]
    Unanswerable(String),
    #[error("the index holds no record of {principal} in {window}; a run over the logs suggests close names (the index keeps no others' records)")]
    NoRecords { principal: String, window: String },
    #[error("the window cuts a day, and the index reads that day's records again from `{object}`, which it cannot read: {message}; whole-day windows (`--from DATE --to DATE`) need only the index")]
    SourceGone { object: String, message: String },
    #[error(transparent)]
    Aws(#[from] crate::collector::AwsError),
}

/// The UTC day of an `eventTime`, as the decoder places it in a window: a canonical time by its text,
/// others parsed; `None` when it cannot be placed.
pub fn day_of(time: &str) -> store::Day {
    if crate::window::is_canonical(time) {
        return Some(time[..10].to_string());
    }
    let time = chrono::DateTime::parse_from_rfc3339(time).ok()?;
    Some(
        time.with_timezone(&chrono::Utc)
            .format("%Y-%m-%d")
            .to_string(),
    )
}
