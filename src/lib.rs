//! policygen: least-privilege AWS IAM policies from what a principal actually did, read from CloudTrail.
//!
//! The pipeline ([`pipeline::generate`], the one entry point): [`collector`] (sources → the records of one
//! principal in one window) → [`mapper`] (each call → IAM actions and ARNs, from `service-maps/`) →
//! [`usage`] (distinct usage with evidence) → [`emitter`] (the smallest policy that allows exactly that) →
//! [`verify`] → [`review`] (against the current policies) → [`output`].
#![forbid(unsafe_code)]

pub mod action;
pub mod arn;
pub mod cli;
pub mod collector;
pub mod commands;
pub mod current;
pub mod emitter;
pub mod event;
pub mod explain;
pub mod fleet;
pub mod glob;
pub mod ids;
pub mod index;
pub mod mapper;
pub mod names;
pub mod output;
pub mod pipeline;
pub mod policy;
pub mod principal;
pub mod report;
pub mod review;
pub mod settings;
pub mod usage;
pub mod verify;
pub mod version;
pub mod window;

pub use pipeline::{generate, Error, Outcome};
