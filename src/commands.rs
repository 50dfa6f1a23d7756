//! What the binary runs: the subcommands, and the end of a main run (files written, stderr, exit code).

use crate::cli::{Cli, Command, IndexArgs, MapsCommand};
use crate::collector::files::log_inputs;
use crate::collector::source::{athena_ddl, parse_s3_url, AwsOptions, Regions, S3Source};
use crate::explain::{coverage, maps_explain};
use crate::index::Given;
use crate::output::{
    color_enabled, evidence_text, summary_text, write, write_stdout, Exit, OutputOptions,
};
use crate::pipeline::Outcome;
use crate::settings::SettingsError;
use clap::CommandFactory;

/// Runs a subcommand; returns the exit code.
pub fn run(command: Command) -> u8 {
    match command {
        Command::Maps(MapsCommand::Explain {
            event_source,
            event_name,
        }) => match maps_explain(&event_source, &event_name) {
            Ok(text) => print(&text, Exit::Complete),
            Err(e) => {
                eprintln!("error: {e}");
                Exit::Incomplete.code()
            }
        },
        Command::Maps(MapsCommand::Coverage { logs }) => {
            let (text, complete) = coverage(&log_inputs(&logs));
            print(
                &text,
                if complete {
                    Exit::Complete
                } else {
                    Exit::Incomplete
                },
            )
        }
        Command::AthenaDdl {
            s3,
            account,
            organization,
            regions,
            table,
            since,
        } => match athena_ddl(
            &s3,
            &account,
            organization.as_deref(),
            &regions,
            &table,
            &since,
        ) {
            Ok(ddl) => print(&ddl, Exit::Complete),
            Err(e) => fail(&e),
        },
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "policygen", &mut out);
            print(&String::from_utf8_lossy(&out), Exit::Complete)
        }
        // Asynchronous: `main` runs them.
        Command::Fleet(_) | Command::Index(_) => Exit::Error.code(),
        Command::Man => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut out) {
                Ok(()) => print(&String::from_utf8_lossy(&out), Exit::Complete),
                Err(e) => fail(&e),
            }
        }
    }
}

/// `policygen index`: builds or updates the index, and says what it read; `progress`: a bar on stderr (set by
/// the binary when stderr is a terminal).
pub async fn index(args: &IndexArgs, progress: bool) -> u8 {
    let progress = progress && !args.quiet;
    let given = match index_source(args, progress) {
        Ok(given) => given,
        Err(e) => return fail(&e),
    };
    match crate::index::update(&args.index, &given, args.batch.max(1), progress).await {
        Ok(report) => {
            for failed in &report.failed {
                eprintln!("error: `{failed}` could not be read: queries report it, and the next update reads it again");
            }
            for unlisted in &report.unlisted {
                eprintln!(
                    "error: `{}` could not be listed: {}: queries report it, and the next update lists it again",
                    unlisted.subject, unlisted.detail
                );
            }
            let text = format!(
                "index {}: {} objects read, {} already there, {} read again for duplicates, {} segments written, {} spans written\n",
                args.index.display(),
                report.objects_read,
                report.objects_known,
                report.objects_reread,
                report.segments_written,
                report.spans_written
            );
            let complete = report.failed.is_empty() && report.unlisted.is_empty();
            if let Some(path) = &args.summary_json {
                if let Err(e) = std::fs::write(path, index_summary(args, &report, complete)) {
                    eprintln!("error: cannot write `{}`: {e}", path.display());
                    return Exit::Error.code();
                }
            }
            print(
                if args.quiet { "" } else { &text },
                if complete {
                    Exit::Complete
                } else {
                    Exit::Incomplete
                },
            )
        }
        Err(e) => fail(&e),
    }
}

/// `policygen index --summary-json`: the update's report for machines (docs/scale.md, "The update's
/// report"). Keys sorted, so the same update writes the same bytes.
fn index_summary(args: &IndexArgs, report: &crate::index::UpdateReport, complete: bool) -> String {
    let unlisted: Vec<serde_json::Value> = report
        .unlisted
        .iter()
        .map(|d| serde_json::json!({ "path": d.subject, "reason": d.detail }))
        .collect();
    let summary = serde_json::json!({
        "schema": 1,
        "index": args.index.display().to_string(),
        "complete": complete,
        "objects_read": report.objects_read,
        "objects_known": report.objects_known,
        "objects_reread": report.objects_reread,
        "segments_written": report.segments_written,
        "spans_written": report.spans_written,
        "failed": report.failed,
        "unlisted": unlisted,
    });
    let mut text = serde_json::to_string_pretty(&summary).unwrap_or_default();
    text.push('\n');
    text
}

/// What `policygen index` is given to read, validated; `progress`: the bucket's listing draws a spinner.
fn index_source(args: &IndexArgs, progress: bool) -> Result<Given, SettingsError> {
    if let Some(path) = &args.summary_json {
        crate::settings::writable(path)?;
    }
    let Some(url) = &args.s3 else {
        crate::settings::logs_exist(&crate::collector::files::log_inputs(&args.logs))?;
        return Ok(Given::Logs(args.logs.clone()));
    };
    let (bucket, prefix) = parse_s3_url(url)?;
    if args.concurrency == 0 || args.concurrency > 256 {
        return Err(SettingsError::BadConcurrency);
    }
    let source = S3Source {
        bucket,
        prefix,
        regions: Regions::Default,
        accounts: args
            .accounts
            .iter()
            .map(|a| a.parse())
            .collect::<Result<_, _>>()?,
        concurrency: args.concurrency,
        download: None,
        progress,
    };
    let aws = AwsOptions {
        profile: args.profile.clone(),
        region: args.region.clone(),
    };
    Ok(Given::S3(source, aws))
}

/// Writes what a run produced, prints `--explain` and the summary on stderr, and gives the exit code.
pub fn finish(outcome: &Outcome, options: &OutputOptions) -> u8 {
    if let Err(e) = write(outcome, options) {
        return fail(&e);
    }
    if options.explain {
        eprint!("{}", evidence_text(outcome));
    }
    if !options.quiet {
        eprint!(
            "{}",
            summary_text(outcome, options, color_enabled(options.color))
        );
    }
    Exit::of(outcome, &options.levels, options.check).code()
}

/// Prints an error and its causes, one per line; returns the error exit code.
pub fn fail(error: &dyn std::error::Error) -> u8 {
    eprintln!("error: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    Exit::Error.code()
}

/// Writes a command's whole output; a closed pipe (`| head`) ends quietly.
pub fn print(text: &str, exit: Exit) -> u8 {
    match write_stdout(text) {
        Ok(()) => exit.code(),
        Err(e) => fail(&e),
    }
}
