//! policygen's own permissions: every AWS SDK operation the binary calls is found in `src/`, is read-only,
//! and is listed in `docs/permissions.md` with its IAM action, so that a new call cannot go undocumented.
//!
//! The operations an SDK crate offers are the modules under its `src/operation/`, in cargo's registry cache
//! at the version `Cargo.lock` pins; a call is a zero-argument method of that name in a source file that
//! names the crate.

use super::support::root;
use policygen::mapper::catalogue::Registry;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each SDK operation policygen calls (crate, fluent-builder method) and the IAM action it needs.
#[rustfmt::skip]
const OPERATIONS: &[(&str, &str, &str)] = &[
    ("aws-sdk-athena", "get_query_execution", "athena:GetQueryExecution"),
    ("aws-sdk-athena", "get_query_results", "athena:GetQueryResults"),
    ("aws-sdk-athena", "start_query_execution", "athena:StartQueryExecution"),
    ("aws-sdk-cloudtrail", "describe_query", "cloudtrail:DescribeQuery"),
    ("aws-sdk-cloudtrail", "get_query_results", "cloudtrail:GetQueryResults"),
    ("aws-sdk-cloudtrail", "lookup_events", "cloudtrail:LookupEvents"),
    ("aws-sdk-cloudtrail", "start_query", "cloudtrail:StartQuery"),
    ("aws-sdk-iam", "get_group_policy", "iam:GetGroupPolicy"),
    ("aws-sdk-iam", "get_policy", "iam:GetPolicy"),
    ("aws-sdk-iam", "get_policy_version", "iam:GetPolicyVersion"),
    ("aws-sdk-iam", "get_role", "iam:GetRole"),
    ("aws-sdk-iam", "get_role_policy", "iam:GetRolePolicy"),
    ("aws-sdk-iam", "get_user", "iam:GetUser"),
    ("aws-sdk-iam", "get_user_policy", "iam:GetUserPolicy"),
    ("aws-sdk-iam", "list_attached_group_policies", "iam:ListAttachedGroupPolicies"),
    ("aws-sdk-iam", "list_attached_role_policies", "iam:ListAttachedRolePolicies"),
    ("aws-sdk-iam", "list_attached_user_policies", "iam:ListAttachedUserPolicies"),
    ("aws-sdk-iam", "list_group_policies", "iam:ListGroupPolicies"),
    ("aws-sdk-iam", "list_groups_for_user", "iam:ListGroupsForUser"),
    ("aws-sdk-iam", "list_role_policies", "iam:ListRolePolicies"),
    ("aws-sdk-iam", "list_user_policies", "iam:ListUserPolicies"),
    ("aws-sdk-s3", "get_object", "s3:GetObject"),
    // ListObjectsV2 is authorised by `s3:ListBucket` on the bucket (no `s3:ListObjectsV2` action exists).
    ("aws-sdk-s3", "list_objects_v2", "s3:ListBucket"),
];

/// Operations that start work without changing anything of the account's: a query engine's start call. The
/// IAM catalogue files them under `Write` because they create a query execution.
const QUERY_STARTS: &[&str] = &["athena:StartQueryExecution", "cloudtrail:StartQuery"];

/// The SDK crates policygen depends on, each with the operations it offers: the versions come from
/// `Cargo.lock`, the sources from cargo's registry cache, which the build filled. (`cargo metadata --offline`
/// would need every platform's crates in the cache, which a Linux build never downloads.)
fn sdk_operations() -> BTreeMap<String, BTreeSet<String>> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    // The `[dependencies]` table only: dev-dependencies are not in the binary.
    let dependencies = manifest
        .split("\n[dependencies]\n")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("a [dependencies] table");
    let sdk_crates: Vec<&str> = dependencies
        .lines()
        .filter_map(|line| line.split_once(" = ").map(|(name, _)| name.trim()))
        .filter(|name| name.starts_with("aws-sdk-"))
        .collect();
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock");
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let registries: Vec<PathBuf> = std::fs::read_dir(cargo_home.join("registry/src"))
        .expect("cargo's registry sources")
        .flatten()
        .map(|e| e.path())
        .collect();
    let mut out = BTreeMap::new();
    for name in sdk_crates {
        let version = locked_version(&lock, name);
        let dir = registries
            .iter()
            .map(|r| r.join(format!("{name}-{version}/src/operation")))
            .find(|d| d.is_dir())
            .unwrap_or_else(|| {
                panic!(
                    "no source of {name} {version} under {}",
                    cargo_home.display()
                )
            });
        let operations: BTreeSet<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.trim_end_matches(".rs").to_string()
            })
            .collect();
        out.insert(name.to_string(), operations);
    }
    out
}

/// The version `Cargo.lock` pins for a package (exactly one version of each SDK crate is locked).
fn locked_version(lock: &str, name: &str) -> String {
    let header = format!("name = \"{name}\"\nversion = \"");
    let at = lock
        .find(&header)
        .unwrap_or_else(|| panic!("{name} is not in Cargo.lock"))
        + header.len();
    lock[at..].split('"').next().unwrap_or_default().to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(crate, operation)` of every SDK call in `src/`, with the files that make it.
fn calls_in_src() -> BTreeMap<(String, String), BTreeSet<String>> {
    let sdk = sdk_operations();
    assert!(sdk.contains_key("aws-sdk-s3"), "{:?}", sdk.keys());
    let call = regex::Regex::new(r"\.\s*([a-z][a-z0-9_]*)\s*\(\s*\)").expect("valid regex");
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut out: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        // Comments may name operations; only code calls them.
        let code: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        let named: Vec<&String> = sdk
            .keys()
            .filter(|c| code.contains(&c.replace('-', "_")))
            .collect();
        // A file that names no SDK crate may still hold a client: every crate's operations count there.
        let crates = if named.is_empty() {
            sdk.keys().collect()
        } else {
            named
        };
        let shown = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        for found in call.captures_iter(&code) {
            let method = &found[1];
            for krate in &crates {
                if sdk[*krate].contains(method) {
                    out.entry((krate.to_string(), method.to_string()))
                        .or_default()
                        .insert(shown.clone());
                }
            }
        }
    }
    out
}

/// The rows of the table between the `sdk-operations` markers of `docs/permissions.md`.
fn documented() -> BTreeSet<(String, String, String)> {
    let path = root().join("docs/permissions.md");
    let text = std::fs::read_to_string(&path).expect("docs/permissions.md exists");
    let begin = text
        .find("<!-- sdk-operations:begin -->")
        .expect("begin marker");
    let end = text
        .find("<!-- sdk-operations:end -->")
        .expect("end marker");
    text[begin..end]
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<String> = l
                .split('|')
                .map(|c| c.trim().trim_matches('`').to_string())
                .filter(|c| !c.is_empty())
                .collect();
            assert!(
                cells.len() >= 3,
                "a row is `crate | operation | action`: {l}"
            );
            (cells[0].clone(), cells[1].clone(), cells[2].clone())
        })
        .collect()
}

fn pascal(operation: &str) -> String {
    operation
        .split('_')
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn policygen_calls_only_read_only_operations_and_documents_each() {
    let calls = calls_in_src();
    let table: BTreeMap<(String, String), &str> = OPERATIONS
        .iter()
        .map(|(k, o, a)| ((k.to_string(), o.to_string()), *a))
        .collect();
    for ((krate, operation), files) in &calls {
        assert!(
            table.contains_key(&(krate.clone(), operation.clone())),
            "`{krate}` `{operation}` is called in {files:?} but is not in OPERATIONS: add it with its IAM action, \
             here and in docs/permissions.md"
        );
    }
    for (key, action) in &table {
        assert!(
            calls.contains_key(key),
            "OPERATIONS lists `{}` `{}` ({action}), which src/ no longer calls",
            key.0,
            key.1
        );
    }

    // Read-only by name and by the IAM catalogue's access level.
    let registry = Registry::embedded();
    for ((_, operation), action) in &table {
        let name = pascal(operation);
        let reads = ["Get", "List", "Describe", "Lookup", "Head"]
            .iter()
            .any(|p| name.starts_with(p));
        assert!(
            reads || QUERY_STARTS.contains(action),
            "`{name}` does not read: policygen never calls a mutating AWS API"
        );
        let (service, canonical) = registry
            .canonical_action(action)
            .unwrap_or_else(|| panic!("`{action}` is not in the IAM catalogue"));
        let access = &service.actions[&canonical].access;
        assert!(
            matches!(access.as_str(), "List" | "Read") || QUERY_STARTS.contains(action),
            "`{action}` has access level `{access}`"
        );
    }

    // The documentation lists exactly these operations and actions.
    let expected: BTreeSet<(String, String, String)> = table
        .iter()
        .map(|((k, o), a)| (k.clone(), o.clone(), a.to_string()))
        .collect();
    assert_eq!(
        documented(),
        expected,
        "docs/permissions.md's operations table and the calls in src/"
    );
}

#[test]
fn documented_policies_parse_and_grant_what_the_calls_need() {
    let text = std::fs::read_to_string(root().join("docs/permissions.md")).expect("exists");
    let mut granted = BTreeSet::new();
    for block in text.split("```json").skip(1) {
        let json = block.split("```").next().unwrap_or("");
        let doc: policygen::policy::PolicyDocument =
            serde_json::from_str(json).unwrap_or_else(|e| {
                panic!("a policy in docs/permissions.md does not parse: {e}\n{json}")
            });
        let value: Value = serde_json::from_str(json).expect("json");
        for statement in value["Statement"].as_array().into_iter().flatten() {
            match &statement["Action"] {
                Value::String(a) => {
                    granted.insert(a.clone());
                }
                Value::Array(list) => {
                    granted.extend(list.iter().filter_map(|a| a.as_str().map(str::to_string)))
                }
                _ => {}
            }
        }
        assert!(!doc.statements.is_empty());
    }
    for (_, _, action) in OPERATIONS {
        assert!(
            granted.contains(*action),
            "no policy in docs/permissions.md grants `{action}`"
        );
    }
}
