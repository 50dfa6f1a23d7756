#![forbid(unsafe_code)]
//! Parse the command line, validate it into settings, run, and map the result to an exit code.

use clap::Parser;
use policygen::cli::{Cli, Command, MapsCommand};
use policygen::collector::aws::SourceReport;
use policygen::collector::{files, Ingest, Scope};
use policygen::current::{read_current, CurrentPolicies};
use policygen::explain::{coverage_text, evidence_text, maps_explain, summary_json};
use policygen::output::{part_path, parts, render, review_run};
use policygen::report::summary_text;
use policygen::settings::{log_inputs, Settings, Source};
use policygen::window::TimeWindow;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

const OK: u8 = 0;
const INCOMPLETE: u8 = 1;
const FATAL: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(match cli.command {
        Some(Command::Maps(command)) => maps(command),
        Some(Command::AthenaDdl {
            s3,
            account,
            organization,
            regions,
            table,
            since,
        }) => {
            match policygen::settings::athena_ddl(
                &s3,
                &account,
                organization.as_deref(),
                &regions,
                &table,
                &since,
            ) {
                Ok(ddl) => print(&ddl),
                Err(e) => {
                    eprintln!("error: {e}");
                    FATAL
                }
            }
        }
        None => generate(&cli).await,
    })
}

/// An error and its causes, one per line.
fn print_chain(error: &dyn std::error::Error) {
    eprintln!("error: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
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
        return match settings.query_sql() {
            Some(sql) => print(&sql),
            None => FATAL,
        };
    }
    let progress = !settings.quiet && std::io::stderr().is_terminal();
    match &mut settings.source {
        Source::S3(s3) => s3.progress = progress,
        Source::Lookup(lookup) => lookup.progress = progress,
        Source::Logs | Source::Athena(_) | Source::Lake(_) => {}
    }
    // One load of the configuration, for the trail sources and `--current iam` alike.
    let config = if settings.needs_aws() {
        let config = policygen::collector::aws::load_config(&settings.aws).await;
        if let Err(e) = policygen::collector::aws::check_credentials(&config, &settings.aws).await {
            eprintln!("error: {e}\n\nConfigure AWS credentials (`aws configure`, `aws sso login --profile NAME` with `--profile NAME`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or read local logs with `--logs PATH`.");
            return FATAL;
        }
        Some(config)
    } else {
        None
    };
    // The current policies first: a missing permission or a typo fails in a second, not after the logs.
    let current = match read_currents(&settings, config.as_ref()).await {
        Ok(current) => current,
        Err(e) => {
            print_chain(e.as_ref());
            return FATAL;
        }
    };
    let (mut run, source_report) = if let (true, Some(config)) = (settings.source.is_aws(), &config)
    {
        match policygen::collector::aws::run(&settings, config).await {
            Ok(done) => done,
            Err(e) => {
                print_chain(&e);
                return FATAL;
            }
        }
    } else {
        let local = settings.clone();
        match tokio::task::spawn_blocking(move || policygen::run(&local)).await {
            Ok(run) => (run, SourceReport::Logs),
            Err(e) => {
                eprintln!("error: reading the logs failed: {e}");
                return FATAL;
            }
        }
    };
    let principal = settings
        .scope
        .principal
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let review = current.map(|current| review_run(&run, &settings, &current));
    let parts = parts(&settings, &mut run, review.as_ref());
    let texts = render(&settings, &run, review.as_ref(), &parts, &principal);
    for (index, text) in texts.iter().enumerate() {
        match &settings.output {
            Some(path) => {
                let path = part_path(path, index);
                if let Err(e) = std::fs::write(&path, text) {
                    eprintln!("error: cannot write `{}`: {e}", path.display());
                    return FATAL;
                }
            }
            None => {
                if !write_stdout(text) {
                    return FATAL;
                }
            }
        }
    }
    let window = settings.scope.window.to_string();
    if let Some(path) = &settings.summary_json {
        if let Err(e) = std::fs::write(path, summary_json(&run, &principal, &window)) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return FATAL;
        }
    }
    if settings.explain {
        eprint!("{}", evidence_text(&run));
    }
    let incomplete = run.incomplete();
    if !settings.quiet {
        eprint!(
            "{}",
            summary_text(&run, &principal, &window, settings.verbose)
        );
        eprint!("{}", source_report.summary());
    }
    let differs = settings.check && review.as_ref().is_some_and(|r| !r.diff.equal);
    if !settings.quiet && settings.check {
        eprintln!(
            "  check    {}",
            if differs {
                "the current policy differs from the proposal"
            } else {
                "the current policy equals the proposal"
            }
        );
    }
    if incomplete || differs || (settings.deny_warnings && run.has_warnings()) {
        INCOMPLETE
    } else {
        OK
    }
}

/// The current policies to review against: from `--current FILE`s or `--current iam`; `None` without any.
async fn read_currents(
    settings: &Settings,
    config: Option<&aws_config::SdkConfig>,
) -> Result<Option<CurrentPolicies>, Box<dyn std::error::Error>> {
    if settings.current_iam {
        let (Some(config), Some(principal)) = (config, settings.scope.principal.as_ref()) else {
            return Err("`--current iam` needs the AWS configuration and a principal".into());
        };
        let client = policygen::collector::iam::client(config);
        return Ok(Some(
            policygen::collector::iam::read_current(&client, principal).await?,
        ));
    }
    if settings.current.is_empty() {
        return Ok(None);
    }
    let mut current = CurrentPolicies::default();
    for path in &settings.current {
        let more = read_current(path, &settings.principal_name())?;
        current.policies.extend(more.policies);
        current.notes.extend(more.notes);
    }
    Ok(Some(current))
}

/// Writes a command's whole output: its exit code.
fn print(text: &str) -> u8 {
    if write_stdout(text) {
        OK
    } else {
        FATAL
    }
}

/// Writes to stdout; a closed pipe (`| head`) ends quietly.
fn write_stdout(text: &str) -> bool {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => true,
        Err(e) => {
            eprintln!("error: cannot write the policy: {e}");
            false
        }
    }
}

fn maps(command: MapsCommand) -> u8 {
    match command {
        MapsCommand::Explain {
            event_source,
            event_name,
        } => match maps_explain(&event_source, &event_name) {
            Ok(text) => print(&text),
            Err(e) => {
                eprintln!("error: {e}");
                INCOMPLETE
            }
        },
        MapsCommand::Coverage { logs } => {
            let window = TimeWindow::unbounded();
            let ingest = Ingest::new(Scope {
                principal: None,
                window,
                include_denied: true,
                strict: false,
                record_calls: true,
                record_days: false,
            });
            let partial = files::collect(&log_inputs(&logs), &ingest);
            let (text, complete) =
                coverage_text(&partial.calls, &partial.stats, &partial.diagnostics);
            if !write_stdout(&text) {
                return FATAL;
            }
            if complete {
                OK
            } else {
                INCOMPLETE
            }
        }
    }
}
