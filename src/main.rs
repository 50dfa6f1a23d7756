#![forbid(unsafe_code)]
//! Parse the command line, validate it into settings, run, and map the result to an exit code.

use clap::Parser;
use policygen::cli::{Cli, Command, MapsCommand};
use policygen::collector::{files, Ingest, Scope};
use policygen::current::{read_current, CurrentPolicies};
use policygen::explain::{coverage_text, evidence_text, maps_explain, summary_json};
use policygen::output::{part_path, parts, render, review_run};
use policygen::report::summary_text;
use policygen::settings::{log_inputs, Settings};
use policygen::window::TimeWindow;
use std::io::Write;
use std::process::ExitCode;

const OK: u8 = 0;
const INCOMPLETE: u8 = 1;
const FATAL: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(match cli.command {
        Some(Command::Maps(command)) => maps(command),
        None => generate(&cli),
    })
}

fn generate(cli: &Cli) -> u8 {
    let settings = match Settings::from_args(&cli.generate, chrono::Utc::now()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("error: {e}\n\nRun `policygen --help` for the options and examples.");
            return FATAL;
        }
    };
    let mut run = policygen::run(&settings);
    let principal = settings
        .scope
        .principal
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let review = if settings.current.is_empty() {
        None
    } else {
        let mut current = CurrentPolicies::default();
        for path in &settings.current {
            match read_current(path, &settings.principal_name()) {
                Ok(more) => {
                    current.policies.extend(more.policies);
                    current.notes.extend(more.notes);
                }
                Err(e) => {
                    eprintln!("error: {}", chain(&e));
                    return FATAL;
                }
            }
        }
        Some(review_run(&run, &settings, &current))
    };
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
        if run.stopped {
            eprintln!("  result   STOPPED at the first input problem (--strict): the policy is incomplete");
        } else if incomplete {
            eprintln!("  result   INCOMPLETE: the policy may not allow everything the principal did (see above)");
        } else {
            eprintln!("  result   complete");
        }
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

/// An error and its sources, `: `-separated.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
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
            Ok(text) => {
                if write_stdout(&text) {
                    OK
                } else {
                    FATAL
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                INCOMPLETE
            }
        },
        MapsCommand::Coverage { logs } => {
            let all_time = TimeWindow::new(
                chrono::DateTime::UNIX_EPOCH,
                chrono::DateTime::<chrono::Utc>::MAX_UTC,
            );
            let Ok(window) = all_time else { return FATAL };
            let ingest = Ingest::new(Scope {
                principal: None,
                window,
                include_denied: true,
                strict: false,
                record_calls: true,
                record_days: false,
            });
            let partial = files::collect(&log_inputs(&logs), &ingest);
            let (text, all_mapped) = coverage_text(&partial.calls);
            if !write_stdout(&text) {
                return FATAL;
            }
            if all_mapped {
                OK
            } else {
                INCOMPLETE
            }
        }
    }
}
