//! How long loading the service maps takes: the event-source table, a typical run's services, and every
//! service (what `maps` subcommands and diffs may touch). Prints figures; asserts nothing.
//! Run with `cargo bench --bench maps`.

use policygen::mapper::catalogue::Registry;
use std::time::Instant;

fn main() {
    let start = Instant::now();
    let registry = Registry::embedded();
    let table = start.elapsed();

    let typical = [
        "s3",
        "sts",
        "ecr",
        "lambda",
        "cloudformation",
        "kms",
        "ssm",
        "logs",
        "ecs",
        "iam",
    ];
    let start = Instant::now();
    for prefix in typical {
        let _ = registry.service(prefix);
    }
    let ten = start.elapsed();

    let start = Instant::now();
    let mut actions = 0;
    let mut failed = 0;
    for prefix in registry.prefixes() {
        match registry.service(prefix) {
            Some(Ok(service)) => actions += service.actions.len(),
            _ => failed += 1,
        }
    }
    let all = start.elapsed() + ten;

    println!("service maps load (release build, this machine):");
    println!(
        "  event-source table            {:>8.2} ms",
        table.as_secs_f64() * 1e3
    );
    println!(
        "  10 services of a typical run  {:>8.2} ms",
        ten.as_secs_f64() * 1e3
    );
    println!(
        "  all {} services ({actions} actions{}) {:>8.2} ms",
        registry.prefixes().len(),
        if failed > 0 { ", some broken!" } else { "" },
        all.as_secs_f64() * 1e3
    );
}
