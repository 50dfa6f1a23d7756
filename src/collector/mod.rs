//! Sources of CloudTrail records. Each turns its input into bytes of CloudTrail JSON and hands them to the
//! shared [`ingest::Ingest`] path, which filters, maps and records usage.

pub mod files;
pub mod inflate;
pub mod ingest;
pub mod split;

pub use files::LogInput;
pub use ingest::{Ingest, Partial, Scope};
