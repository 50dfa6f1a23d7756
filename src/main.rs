#![forbid(unsafe_code)]
//! Read the command line (and `policygen.toml`), validate it into settings, run the pipeline, write, and
//! exit with the code the run ends with. Everything else is in the library (`policygen::commands`).

use policygen::collector::Sources;
use policygen::commands::{fail, finish, print, run};
use policygen::output::Exit;
use policygen::settings::{config, Settings};
use std::io::IsTerminal;
use std::process::ExitCode;

// jemalloc instead of glibc's allocator: a fleet or an index query allocates and frees across rayon's
// workers, where glibc's arenas contend (fleet -20%, index queries -12%; docs/performance.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match config::parse(std::env::args_os().collect(), std::path::Path::new(".")) {
        Ok(cli) => cli,
        Err(e) => return ExitCode::from(e.report()),
    };
    ExitCode::from(match cli.command {
        Some(policygen::cli::Command::Fleet(args)) => {
            policygen::fleet::run(&args, std::io::stderr().is_terminal()).await
        }
        Some(policygen::cli::Command::Index(args)) => {
            policygen::commands::index(&args, std::io::stderr().is_terminal()).await
        }
        Some(command) => run(command),
        None => generate(&cli.generate).await,
    })
}

async fn generate(args: &policygen::cli::GenerateArgs) -> u8 {
    let mut settings = match Settings::from_args(args, chrono::Utc::now()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("error: {e}\n\nRun `policygen --help` for the options and examples.");
            return Exit::Error.code();
        }
    };
    if settings.print_sql {
        return match settings.query_sql() {
            Some(sql) => print(&sql, Exit::Complete),
            None => Exit::Error.code(),
        };
    }
    settings
        .source
        .show_progress(!settings.output.quiet && std::io::stderr().is_terminal());
    let sources = match Sources::connect(&settings.aws, settings.needs_aws()).await {
        Ok(sources) => sources,
        Err(e) => {
            eprintln!("error: {e}\n\nConfigure AWS credentials (`aws configure`, `aws sso login --profile NAME` with `--profile NAME`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or read local logs with `--logs PATH`.");
            return Exit::Error.code();
        }
    };
    match policygen::generate(&settings, &sources).await {
        Ok(outcome) => finish(&outcome, &settings.output),
        Err(e) => fail(&e),
    }
}
