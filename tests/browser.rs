//! The browser tests (`tests/browser/`, node's test runner driving Debian's chromium through
//! playwright-core) run against this build's `polsearch` binary.
//!
//! `tests/run` installs what they need first and sets `POLSEARCH_REQUIRE_BROWSER=1`, so there
//! a missing browser fails the run. A bare `cargo test` on a machine without chromium or the
//! npm packages prints a notice and skips.

use std::path::Path;
use std::process::Command;

fn missing_tools(dir: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        missing.push(chromium);
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node".into());
    }
    if !dir.join("node_modules/playwright-core").is_dir() {
        missing.push("tests/browser/node_modules (run tests/browser/setup.sh)".into());
    }
    missing
}

#[test]
fn search_page_and_widget_in_headless_chromium() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let missing = missing_tools(&dir);
    if !missing.is_empty() {
        let required = std::env::var("POLSEARCH_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(!required, "browser tests need: {}", missing.join(", "));
        println!(
            "NOTICE: browser tests skipped, missing {} (tests/run installs them)",
            missing.join(", ")
        );
        return;
    }
    let out = Command::new("node")
        .args(["--test", "--test-reporter=spec"])
        .arg(dir.join("polsearch.test.mjs"))
        .env("POLSEARCH_BIN", env!("CARGO_BIN_EXE_polsearch"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "browser tests failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
}
