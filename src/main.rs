#![forbid(unsafe_code)]
//! Parse the command line, validate it into settings, run the pipeline, write, map the result to an exit code.

use clap::Parser;
use policygen::cli::{Cli, Command, MapsCommand};
use policygen::collector::{source::athena_ddl, Sources};
use policygen::explain::{coverage, maps_explain};
use policygen::output::{evidence_text, summary_text, write, write_stdout};
use policygen::settings::{log_inputs, Settings};
use std::io::IsTerminal;
use std::process::ExitCode;

/// Complete (and, with `--check`, no difference).
const OK: u8 = 0;
/// Incomplete input, a difference with `--check`, or warnings with `--deny-warnings`.
const INCOMPLETE: u8 = 1;
/// A usage or fatal error: no answer at all.
const FATAL: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(match cli.command {
        Some(Command::Maps(MapsCommand::Explain {
            event_source,
            event_name,
        })) => match maps_explain(&event_source, &event_name) {
            Ok(text) => print(&text, OK),
            Err(e) => {
                eprintln!("error: {e}");
                INCOMPLETE
            }
        },
        Some(Command::Maps(MapsCommand::Coverage { logs })) => {
            let (text, complete) = coverage(&log_inputs(&logs));
            print(&text, if complete { OK } else { INCOMPLETE })
        }
        Some(Command::AthenaDdl {
            s3,
            account,
            organization,
            regions,
            table,
            since,
        }) => match athena_ddl(
            &s3,
            &account,
            organization.as_deref(),
            &regions,
            &table,
            &since,
        ) {
            Ok(ddl) => print(&ddl, OK),
            Err(e) => fail(&e, FATAL),
        },
        None => generate(&cli).await,
    })
}

async fn generate(cli: &Cli) -> u8 {
    let mut settings = match Settings::from_args(&cli.generate, chrono::Utc::now()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("error: {e}\n\nRun `policygen --help` for the options and examples.");
            return FATAL;
        }
    };
    if settings.print_sql {
        return settings.query_sql().map_or(FATAL, |sql| print(&sql, OK));
    }
    let quiet = settings.output.quiet;
    settings
        .source
        .show_progress(!quiet && std::io::stderr().is_terminal());
    let sources = match Sources::connect(&settings.aws, settings.needs_aws()).await {
        Ok(sources) => sources,
        Err(e) => {
            eprintln!("error: {e}\n\nConfigure AWS credentials (`aws configure`, `aws sso login --profile NAME` with `--profile NAME`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or read local logs with `--logs PATH`.");
            return FATAL;
        }
    };
    let outcome = match policygen::generate(&settings, &sources).await {
        Ok(outcome) => outcome,
        Err(e) => return fail(&e, FATAL),
    };
    if let Err(e) = write(&outcome, &settings.output) {
        return fail(&e, FATAL);
    }
    if settings.output.explain {
        eprint!("{}", evidence_text(&outcome));
    }
    if !quiet {
        eprint!(
            "{}",
            summary_text(&outcome, settings.output.verbose, settings.check)
        );
    }
    let differs = settings.check && outcome.differs();
    let denied_warnings = settings.deny_warnings && outcome.has_warnings();
    if outcome.incomplete() || differs || denied_warnings {
        INCOMPLETE
    } else {
        OK
    }
}

/// Prints an error and its causes, one per line; returns `code`.
fn fail(error: &dyn std::error::Error, code: u8) -> u8 {
    eprintln!("error: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    code
}

/// Writes a command's whole output; a closed pipe (`| head`) ends quietly.
fn print(text: &str, code: u8) -> u8 {
    match write_stdout(text) {
        Ok(()) => code,
        Err(e) => fail(&e, FATAL),
    }
}
