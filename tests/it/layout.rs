//! What issue 15 asks a reader to be able to check of the source: a thin `main.rs`, no file over 600 lines, and
//! no import circle between the top-level modules (`crate::x` in `src/y/**` is an edge y → x; doc comments and
//! test modules do not count).

use super::support::root;
use std::collections::{BTreeMap, BTreeSet};

fn sources() -> Vec<(String, String)> {
    walkdir::WalkDir::new(root().join("src"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(root().join("src"))
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(e.path()).expect("source reads");
            (rel, text)
        })
        .collect()
}

#[test]
fn main_is_thin_and_files_are_short() {
    for (path, text) in sources() {
        let lines = text.lines().count();
        assert!(lines <= 600, "src/{path} has {lines} lines");
        if path == "main.rs" {
            assert!(lines < 120, "src/main.rs has {lines} lines");
        }
    }
}

#[test]
fn no_import_circle_between_modules() {
    let sources = sources();
    let top = |path: &str| {
        let first = path.split('/').next().unwrap_or(path);
        first.strip_suffix(".rs").unwrap_or(first).to_string()
    };
    let modules: BTreeSet<String> = sources
        .iter()
        .map(|(p, _)| top(p))
        .filter(|m| m != "lib" && m != "main")
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, text) in &sources {
        let from = top(path);
        if !modules.contains(&from) || path.ends_with("tests.rs") {
            continue;
        }
        let code = text.split("#[cfg(test)]").next().unwrap_or(text);
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (at, _) in line.match_indices("crate::") {
                let name: String = line[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if modules.contains(&name) && name != from {
                    edges.entry(from.clone()).or_default().insert(name);
                }
            }
        }
    }
    // A circle is an edge a → b with a path back from b to a.
    let reaches = |start: &str, goal: &str| {
        let (mut seen, mut todo) = (BTreeSet::new(), vec![start.to_string()]);
        while let Some(m) = todo.pop() {
            if m == goal {
                return true;
            }
            if seen.insert(m.clone()) {
                todo.extend(edges.get(&m).into_iter().flatten().cloned());
            }
        }
        false
    };
    let circles: Vec<String> = edges
        .iter()
        .flat_map(|(a, bs)| bs.iter().map(move |b| (a, b)))
        .filter(|(a, b)| reaches(b, a))
        .map(|(a, b)| format!("{a} → {b}"))
        .collect();
    assert!(circles.is_empty(), "edges on a circle: {circles:?}");
}
