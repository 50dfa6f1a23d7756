//! Forward validity: does a policy generated from three weeks of a workload still let the role work in the
//! fourth, while denying what its neighbours use? `benches/forward/workloads.py` writes five weeks of
//! CloudTrail per workload with the truth of every call; this bench runs the real binary on the first three
//! weeks of a window and scores the next week with the project's evaluator (`PolicyDocument::allows`).
//! Method and figures: docs/forward-validity.md. Prints figures; asserts nothing.
//!
//!     cargo bench --bench forward [-- --set train|holdout|limits|all] [--exact] [--verbose] [--binary PATH]
//!
//! `--binary` scores another build of policygen (an older release) on the same workloads.

use policygen::policy::PolicyDocument;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `(name, training from, training to = evaluation from, evaluation to)`, UTC days, half-open.
const WINDOWS: [(&str, &str, &str, &str); 2] = [
    ("mid-month", "2026-11-02", "2026-11-23", "2026-11-30"),
    ("rollover", "2026-11-09", "2026-11-30", "2026-12-07"),
];

#[derive(serde::Deserialize)]
struct Call {
    time: String,
    action: String,
    resource: String,
}

#[derive(serde::Deserialize)]
struct Sibling {
    action: String,
    resource: String,
}

#[derive(Default, Clone, Copy)]
struct Score {
    allowed: usize,
    total: usize,
}

impl Score {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        self.allowed += usize::from(ok);
    }

    fn share(self) -> f64 {
        if self.total == 0 {
            100.0
        } else {
            self.allowed as f64 * 100.0 / self.total as f64
        }
    }

    fn merge(&mut self, other: Score) {
        self.allowed += other.allowed;
        self.total += other.total;
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let set = args
        .iter()
        .position(|a| a == "--set")
        .and_then(|i| args.get(i + 1))
        .map_or("train", String::as_str);
    let exact = args.iter().any(|a| a == "--exact");
    let verbose = args.iter().any(|a| a == "--verbose");
    let binary = args
        .iter()
        .position(|a| a == "--binary")
        .and_then(|i| args.get(i + 1))
        .map_or(
            PathBuf::from(env!("CARGO_BIN_EXE_policygen")),
            PathBuf::from,
        );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("forward-{set}"));
    let generated = Command::new("python3")
        .arg(root.join("benches/forward/workloads.py"))
        .args(["--out", &data.display().to_string(), "--set", set])
        .output();
    match generated {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "workloads.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("python3 is needed to generate the workloads: {e}"),
    }
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&data)
        .expect("generated data")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("meta.json").is_file())
        .collect();
    dirs.sort();

    let flag = if exact { " --exact" } else { "" };
    println!(
        "forward validity, set `{set}`, policygen{flag}: policy from 3 weeks, scored on the 4th"
    );
    println!(
        "{:<20} {:<10} {:>8} {:>9} {:>9} {:>8}  missed next week (distinct action on resource)",
        "workload", "window", "training", "forward", "tightness", "size"
    );
    let mut totals: BTreeMap<&str, (Score, Score, Score, usize, usize)> = BTreeMap::new();
    for dir in &dirs {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_string();
        let meta: serde_json::Value =
            serde_json::from_str(&read(&dir.join("meta.json"))).expect("meta.json");
        let role = meta["role"].as_str().expect("role").to_string();
        let calls: Vec<Call> = lines(&dir.join("calls.jsonl"));
        let siblings: Vec<Sibling> = lines(&dir.join("siblings.jsonl"));
        for (window, from, to, until) in WINDOWS {
            let policy = generate(&binary, &role, from, to, &dir.join("trail"), exact);
            // Kept for benches/forward/simulate.sh, which scores it with another IAM evaluator.
            std::fs::write(dir.join(format!("{window}.policy.json")), policy.to_json())
                .expect("the policy is written beside its workload");
            let (mut training, mut forward, mut tight) =
                (Score::default(), Score::default(), Score::default());
            let mut missed: BTreeMap<(String, String), usize> = BTreeMap::new();
            for call in &calls {
                let day = &call.time[..10];
                let allowed = policy.allows(&call.action, &call.resource);
                if (from..to).contains(&day) {
                    training.add(allowed);
                } else if (to..until).contains(&day) {
                    forward.add(allowed);
                    if !allowed {
                        *missed
                            .entry((call.action.clone(), call.resource.clone()))
                            .or_default() += 1;
                    }
                }
            }
            for sibling in &siblings {
                tight.add(!policy.allows(&sibling.action, &sibling.resource));
            }
            let size: usize = policy
                .to_json()
                .chars()
                .filter(|c| !c.is_whitespace())
                .count();
            let shown: Vec<String> = missed
                .keys()
                .take(if verbose { usize::MAX } else { 2 })
                .map(|(a, r)| format!("{a} {r}"))
                .collect();
            let more = if missed.len() > shown.len() {
                format!(" (+{} more)", missed.len() - shown.len())
            } else {
                String::new()
            };
            println!(
                "{name:<20} {window:<10} {:>7.1}% {:>8.1}% {:>8.1}% {size:>8}  {}{more}",
                training.share(),
                forward.share(),
                tight.share(),
                shown.join("; ")
            );
            let total = totals.entry(window).or_default();
            total.0.merge(training);
            total.1.merge(forward);
            total.2.merge(tight);
            total.3 += usize::from(forward.allowed == forward.total);
            total.4 += 1;
        }
    }
    println!();
    for (window, (training, forward, tight, working, workloads)) in &totals {
        println!(
            "overall {window:<10} training {:.2}% ({}/{}), forward {:.2}% ({}/{}), tightness {:.1}% ({}/{}), {working}/{workloads} workloads fully working",
            training.share(), training.allowed, training.total,
            forward.share(), forward.allowed, forward.total,
            tight.share(), tight.allowed, tight.total,
        );
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn lines<T: serde::de::DeserializeOwned>(path: &Path) -> Vec<T> {
    read(path)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

/// The policy the real binary writes for `role` over `[from, to)`.
fn generate(
    binary: &Path,
    role: &str,
    from: &str,
    to: &str,
    trail: &Path,
    exact: bool,
) -> PolicyDocument {
    let mut command = Command::new(binary);
    command.args([
        "--role", role, "--from", from, "--to", to, "--quiet", "--logs",
    ]);
    command.arg(trail);
    if exact {
        command.arg("--exact");
    }
    let out = command.output().expect("policygen runs");
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "policygen failed for {role}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("policygen writes a policy")
}
