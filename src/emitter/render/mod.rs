//! Pure renderers of a policy (or several, after `--split`): JSON, Terraform, CloudFormation. (The
//! pull-request comment is the review's: `review::markdown`.)

pub mod cloudformation;
pub mod json;
pub mod terraform;
