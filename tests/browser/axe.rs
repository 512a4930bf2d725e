//! axe-core in the page under test: WCAG 2.0/2.1 level A and AA rules, zero violations.
//!
//! The app's CSP allows no inline scripts; axe is injected through WebDriver's script
//! execution, which Chrome runs outside the page's CSP. `audit_page` checks that axe
//! really loaded and ran rules, so a blocked injection fails instead of passing silently.

use std::sync::OnceLock;

use fantoccini::Client;
use serde::Deserialize;
use serde_json::Value;

use crate::browser::save_screenshot;

const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
}).then(
  (results) => done({
    version: axe.version,
    passes: results.passes.length,
    violations: results.violations.map((rule) => ({
      id: rule.id,
      impact: rule.impact,
      help: rule.help,
      nodes: rule.nodes.map((node) => ({
        target: node.target.map(String),
        summary: node.failureSummary || '',
      })),
    })),
  }),
  (error) => done({ error: String(error && error.stack || error) }),
);
"#;

#[derive(Debug, Deserialize)]
struct Outcome {
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    version: String,
    #[serde(default)]
    passes: usize,
    #[serde(default)]
    violations: Vec<Violation>,
}

#[derive(Debug, Deserialize)]
struct Violation {
    id: String,
    impact: Option<String>,
    help: String,
    nodes: Vec<Node>,
}

#[derive(Debug, Deserialize)]
struct Node {
    target: Vec<String>,
    summary: String,
}

/// The axe-core bundle from node_modules (package.json), read once per test run.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/node_modules/axe-core/axe.min.js"
        );
        std::fs::read_to_string(path)
            .unwrap_or_else(|err| panic!("read {path}: {err}. Run `npm ci` first."))
    })
}

/// Runs axe on the page `client` shows and fails, listing every violation with `label`,
/// if there is any. With KORPS_BROWSER_SCREENSHOTS set, every audited page is saved too.
pub async fn audit_page(client: &Client, label: &str) {
    let url = client
        .current_url()
        .await
        .map(|url| url.to_string())
        .unwrap_or_default();
    let injected = client
        .execute(
            &format!("{}\n;return typeof window.axe === 'object';", axe_source()),
            vec![],
        )
        .await;
    if !matches!(injected, Ok(Value::Bool(true))) {
        let shot = save_screenshot(client, label).await;
        panic!(
            "axe-core could not be injected into {label} ({url}): {injected:?}; screenshot: {shot}"
        );
    }
    let raw = client
        .execute_async(RUN_AXE, vec![])
        .await
        .unwrap_or_else(|err| panic!("axe.run on {label} ({url}): {err}"));
    let outcome: Outcome = serde_json::from_value(raw.clone())
        .unwrap_or_else(|err| panic!("axe.run on {label} answered {raw}: {err}"));
    if let Some(error) = outcome.error {
        panic!("axe.run failed on {label} ({url}): {error}");
    }
    assert!(
        !outcome.version.is_empty() && outcome.passes > 0,
        "axe.run on {label} checked nothing: {raw}"
    );
    if std::env::var_os("KORPS_BROWSER_SCREENSHOTS").is_some() {
        save_screenshot(client, label).await;
    }
    if outcome.violations.is_empty() {
        return;
    }
    let mut report = format!(
        "axe-core {} found {} violation(s) on {label} ({url}):",
        outcome.version,
        outcome.violations.len()
    );
    for rule in &outcome.violations {
        report.push_str(&format!(
            "\n- {} ({}): {}",
            rule.id,
            rule.impact.as_deref().unwrap_or("no impact given"),
            rule.help
        ));
        for node in &rule.nodes {
            report.push_str(&format!("\n    {}", node.target.join(" ")));
            let summary = node
                .summary
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if !summary.is_empty() {
                report.push_str(&format!("\n      {summary}"));
            }
        }
    }
    let shot = save_screenshot(client, label).await;
    panic!("{report}\nscreenshot: {shot}");
}
