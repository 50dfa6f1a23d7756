//! Pure renderers of a policy (or several, after `--split`): JSON, Terraform, CloudFormation, a PR comment.

pub mod cloudformation;
pub mod json;
pub mod markdown;
pub mod terraform;
