//! Sources of CloudTrail records. Each turns its input into bytes of CloudTrail JSON and hands them to the
//! shared [`ingest::Ingest`] path, which filters, maps and records usage.
//!
//! `s3`, `lookup`, `iam` and `aws` are the only modules that see AWS SDK types. `iam` is no trail source: it
//! reads the principal's current policies for `--current iam`.

pub mod athena;
pub mod aws;
pub mod files;
pub mod iam;
pub mod inflate;
pub mod ingest;
pub mod lake;
pub mod lookup;
pub mod query;
pub mod s3;
pub mod split;

pub use files::LogInput;
pub use ingest::{Ingest, Partial, Scope, Weight};
