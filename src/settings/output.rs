//! What a run writes and where, as the output stage takes it (`output::write`): chosen here, where every
//! stage's options are validated, so that the output stage, which renders a finished run, does not sit
//! between the settings and the pipeline.

use crate::emitter::size::SizeLimit;
use crate::report::Levels;
use std::path::PathBuf;

/// `--color`: whether the summary on stderr is coloured (`output::color_enabled` decides `Auto`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Terraform,
    Cloudformation,
    Markdown,
    DiffJson,
}

/// What to write, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputOptions {
    pub format: Format,
    /// `-o FILE`; `None` is stdout.
    pub path: Option<PathBuf>,
    pub summary_json: Option<PathBuf>,
    pub explain: bool,
    pub verbose: bool,
    pub quiet: bool,
    pub size_limit: SizeLimit,
    pub split: bool,
    /// `--comment FILE`: the markdown review fitted to GitHub's comment limit.
    pub comment: Option<PathBuf>,
    /// `--check`: a difference from the current policy fails the run (exit 3).
    pub check: bool,
    /// What each diagnostic code does: hidden, shown, or failing the run.
    pub levels: Levels,
    pub color: ColorChoice,
}
