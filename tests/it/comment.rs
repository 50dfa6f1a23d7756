//! The pull-request comment as GitHub shows it: the markdown rendered by a CommonMark renderer with GitHub's
//! extensions (tables, strikethrough, alerts), and the HTML checked for the verdict, the narrowing rows, the
//! collapsed sections and the size. The folded comment has a golden file of its own.

use super::support::{check_golden, generate, root, settings};
use pulldown_cmark::{html, Options, Parser};

const BASE: &[&str] = &[
    "--role",
    "build-agent",
    "--account",
    "111122223333",
    "--from",
    "2026-11-01",
    "--to",
    "2026-12-01",
    "--logs",
    "examples/trail",
    "--current",
    "examples/current-policy.json",
    "--format",
    "markdown",
];

/// GitHub's flavour, as far as a CommonMark renderer goes: tables, task lists, strikethrough, alerts.
fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM;
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(markdown, options));
    out
}

fn words(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// The rows of every rendered table, each as its cells' HTML.
fn rows(html: &str) -> Vec<Vec<String>> {
    html.split("<tr>")
        .skip(1)
        .map(|row| {
            let row = row.split("</tr>").next().unwrap_or("");
            row.split("<td")
                .skip(1)
                .map(|cell| cell.split("</td>").next().unwrap_or("").to_string())
                .collect()
        })
        .filter(|cells: &Vec<String>| !cells.is_empty())
        .collect()
}

fn balanced(html: &str) {
    assert_eq!(
        html.matches("<details>").count(),
        html.matches("</details>").count(),
        "{html}"
    );
    assert_eq!(
        html.matches("<pre>").count(),
        html.matches("</pre>").count()
    );
    // A table that did not parse leaves its pipes in a paragraph.
    assert!(!html.contains("<p>|"), "a table did not render: {html}");
}

#[test]
fn the_review_renders_with_the_verdict_first_and_the_riskiest_narrowing_visible() {
    let settings = settings(&words(BASE));
    let outcome = generate(&settings);
    let markdown = policygen::output::render(&outcome, &settings.output).concat();
    let html = to_html(&markdown);
    balanced(&html);
    // The first paragraph after the heading is the verdict.
    let first = html
        .split("</h2>")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .expect("a paragraph after the heading");
    assert_eq!(
        first.trim(),
        "<p>✅ <strong>Safe to merge</strong>: narrows 9 grants, removes 655 unused actions in 7 services, adds none; input complete."
    );
    let table = rows(&html);
    let row = |needle: &str| {
        table
            .iter()
            .find(|cells| cells[0].contains(needle))
            .unwrap_or_else(|| panic!("no row for {needle}: {html}"))
    };
    // iam:PassRole on * → 2 roles and kms:Decrypt on * → 2 keys are rows of their own, flagged, first.
    let pass = row("<code>iam:PassRole</code>");
    assert!(pass[0].contains("⚠️") && pass[0].contains("privilege escalation"));
    assert!(pass[1].contains("<code>*</code>"));
    assert!(pass[2].contains("<strong>2 roles</strong>") && pass[2].contains("role/acme-api-task"));
    let decrypt = row("<code>kms:Decrypt</code>");
    assert!(
        decrypt[2].contains("<strong>2 keys in 2 regions</strong>"),
        "{decrypt:?}"
    );
    let images = row("<code>ecr:*</code>");
    assert!(
        images[2].contains("1 repository in 2 regions"),
        "{images:?}"
    );
    let first_row = table
        .iter()
        .position(|c| c[0].contains("iam:PassRole"))
        .expect("row");
    assert!(
        table[..first_row]
            .iter()
            .all(|c| !c[0].contains("<code>Deploy</code>")),
        "the riskiest rows come first"
    );
    // No `path#` prefix on any row: the one policy is named once.
    assert!(!table
        .iter()
        .any(|c| c[0].contains("examples/current-policy.json#")));
    assert!(html.contains("Statements of <code>examples/current-policy.json</code>"));
    // Collapsed: the evidence, the statement diff, the copy-ready proposal with its size as IAM counts it.
    let size = policygen::emitter::size::size(&outcome.parts[0]);
    let size = format!("{},{:03}", size / 1000, size % 1000);
    let proposal = format!("<summary>Proposed policy, ready to copy: 17 statements, {size} of the 6,144 characters of a managed policy</summary>");
    for summary in [
        "<summary>Evidence: 24 actions used in the window",
        "<summary>Statement diff: 6 changed, 0 removed, 0 new, 1 unchanged",
        &proposal,
    ] {
        assert!(html.contains(summary), "{summary}: {html}");
    }
    // The proposal in the comment is the policy written, byte for byte.
    let json = markdown
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a json block");
    assert_eq!(json, outcome.parts[0].to_json());
    // Statements are paired by what they grant: PassAnyRole against the proposal's PassRole statement.
    assert!(
        html.contains("<strong><code>PassAnyRole</code></strong> → <code>Iam8EF7A67A</code>"),
        "{html}"
    );
    assert!(markdown.chars().count() < policygen::review::markdown::GITHUB_COMMENT_LIMIT);
}

/// A review over the limit folds its bulkiest sections, least needed first, says so and where the whole
/// review is, and still renders.
#[test]
fn a_long_review_folds_to_the_limit_and_points_to_the_whole() {
    let mut args = words(BASE);
    args.extend(words(&["-o", "review.md"]));
    let settings = settings(&args);
    let outcome = generate(&settings);
    let whole = policygen::output::render(&outcome, &settings.output).concat();
    let unchanged = policygen::output::comment_text(&outcome, &settings.output, 65_536);
    assert_eq!(unchanged, whole, "a review that fits is the whole review");
    let mut failures = Vec::new();
    for limit in [12_000, 6_000] {
        let folded = policygen::output::comment_text(&outcome, &settings.output, limit);
        assert!(folded.chars().count() <= limit, "{limit}");
        let html = to_html(&folded);
        balanced(&html);
        assert!(html.contains("<strong>Safe to merge</strong>"));
        assert!(
            html.contains(
                "the whole review is <code>review.md</code>, written with <code>-o</code>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<code>iam:PassRole</code>"),
            "the narrowing stays"
        );
        check_golden(
            &root().join(format!("tests/golden/review/example-comment-{limit}.md")),
            &folded,
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
