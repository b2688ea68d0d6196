//! Smoke test of the load generator: every scenario in `--quick` mode must
//! deliver every message exactly once and in order. Speed is not checked
//! (this runs in debug builds, beside other tests).
//!
//! The server runs inside the load generator (`--in-process`), which works
//! on a clean checkout under any `cargo test` invocation; when the server
//! binary has been built next to the load generator (as `cargo test
//! --workspace` does), one scenario also runs against it as a child
//! process, the way benchmarks run. Fan-out and files run over TLS too.
//! `history`, `unread` and `startup` seed a data dir of 20,000 events
//! (quick) and check what the server answers: every resume exactly the 100
//! missed events, every page full and in order, every unread count the
//! one the read positions give, the same last id after each restart, an
//! empty WAL after a graceful stop. `rooms` checks that nothing reaches
//! another room. `search` runs its mix over 20,000 messages: no search
//! refused, every plain common word a full page. `reactions` must match
//! every reaction toggle and typing notice with its send at every other
//! member, with none refused by the rate limits.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

const LOADGEN: &str = env!("CARGO_BIN_EXE_media-chat-loadgen");

/// Runs the load generator with `args` and returns its JSON reports.
fn run(args: &[&str]) -> Vec<Value> {
    let started = Instant::now();
    let output = Command::new(LOADGEN)
        .args(["--quick", "--json", "--fast-hash"])
        .args(args)
        .output()
        .expect("the load generator runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "loadgen {args:?} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "loadgen {args:?} took {:?}",
        started.elapsed()
    );
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

fn check(report: &Value) {
    let scenario = report["scenario"].as_str().unwrap_or("?");
    // `unread` and `search` deliver nothing: their wrong answers are
    // failures.
    let keys: &[&str] = match scenario {
        "unread" | "search" => &["failures"],
        _ => &[
            "lost",
            "duplicated",
            "reordered",
            "misdelivered",
            "failures",
        ],
    };
    for key in keys {
        assert_eq!(
            report[key].as_u64(),
            Some(0),
            "{scenario}: {key} is not 0 in {report}"
        );
    }
    assert_eq!(report["ok"], Value::Bool(true), "{scenario}: {report}");
}

#[test]
fn every_scenario_delivers_everything_once_and_in_order() {
    let reports = run(&["--in-process", "all"]);
    let names: Vec<&str> = reports
        .iter()
        .filter_map(|r| r["scenario"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "fanout",
            "rooms",
            "reactions",
            "idle",
            "idle",
            "files",
            "login",
            "history",
            "unread",
            "startup",
            "search"
        ]
    );
    for report in &reports {
        check(report);
    }
    let fanout = &reports[0];
    assert_eq!(fanout["deliveries"], fanout["expected_deliveries"]);
    assert!(fanout["latency_samples"].as_u64() > Some(0));
    let rooms = &reports[1];
    assert_eq!(rooms["deliveries"], rooms["expected_deliveries"]);
    assert_eq!(rooms["expected_deliveries"].as_u64(), Some(4 * 5 * 4 * 10));
    check_reactions(&reports[2]);
    assert_eq!(reports[3]["protocol"].as_u64(), Some(2));
    assert_eq!(reports[4]["protocol"].as_u64(), Some(3));
    assert_eq!(reports[4]["wakeup_samples"].as_u64(), Some(49));
    assert!(reports[5]["chat_samples"].as_u64() > Some(0));
    assert!(reports[6]["room_samples"].as_u64() > Some(0));
    check_history(&reports[7]);
    check_unread(&reports[8]);
    check_startup(&reports[9]);
    check_search(&reports[10]);
}

/// `reactions --quick`: 10 members, each 14 toggles and 2 typing notices
/// (one line in 8, 16 lines at 2 a second), every one received by the 9
/// others and timed, none refused.
fn check_reactions(report: &Value) {
    assert_eq!(report["members"].as_u64(), Some(10), "{report}");
    for (kind, sent) in [("reaction", 10 * 14), ("typing", 10 * 2)] {
        assert_eq!(
            report[format!("{kind}_sent")].as_u64(),
            Some(sent),
            "{report}"
        );
        let expected = report[format!("{kind}_expected")].as_u64();
        assert_eq!(expected, Some(sent * 9), "{kind}: {report}");
        assert_eq!(report[format!("{kind}_received")].as_u64(), expected);
        assert_eq!(report[format!("{kind}_samples")].as_u64(), expected);
        assert_eq!(report[format!("{kind}_missing")].as_u64(), Some(0));
        assert!(report[format!("{kind}_p99_ms")].is_number(), "{report}");
    }
    assert_eq!(report["refused"].as_u64(), Some(0), "{report}");
}

/// `search --quick`: 10 searches of each of the 12 classes over 20,000
/// messages, and the index measured.
fn check_search(report: &Value) {
    assert_eq!(report["messages"].as_u64(), Some(20_000), "{report}");
    assert_eq!(report["room_messages"].as_u64(), Some(1000), "{report}");
    assert_eq!(report["mix_samples"].as_u64(), Some(120), "{report}");
    for class in ["rare", "common_from", "two_in", "prefix"] {
        let samples = report[format!("{class}_samples")].as_u64();
        assert_eq!(samples, Some(10), "{class}: {report}");
    }
    assert_eq!(report["common_results"].as_f64(), Some(50.0), "{report}");
    assert!(report["index_mib"].as_f64() > Some(0.0), "{report}");
}

/// `unread --quick`: every count of 20 logins of each kind was checked.
fn check_unread(report: &Value) {
    assert_eq!(report["conversations"].as_u64(), Some(20), "{report}");
    assert_eq!(
        report["conversations_unchecked"].as_u64(),
        Some(0),
        "{report}"
    );
    for kind in ["resume", "welcome", "baseline"] {
        let samples = report[format!("{kind}_from_login_samples")].as_u64();
        assert_eq!(samples, Some(20), "{kind}: {report}");
    }
    assert_eq!(report["resume_events_per_login"].as_f64(), Some(0.0));
    assert_eq!(report["welcome_events_per_login"].as_f64(), Some(100.0));
}

#[test]
fn idle_compares_sizes_in_one_run() {
    let reports = run(&[
        "--in-process",
        "idle",
        "--protocol",
        "3",
        "--clients",
        "20,40",
    ]);
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    check(report);
    assert_eq!(report["sizes"], "20,40", "{report}");
    assert_eq!(report["c40_wakeup_samples"].as_u64(), Some(39), "{report}");
    assert!(report["login_wall_ratio"].as_f64() > Some(0.0), "{report}");
}

/// `history --quick`: 50 resumes of 100 events and 50 pages were checked.
fn check_history(report: &Value) {
    assert_eq!(report["events"].as_u64(), Some(20_000), "{report}");
    assert_eq!(report["last_id"].as_u64(), Some(20_000), "{report}");
    assert_eq!(report["resume_events"].as_u64(), Some(100), "{report}");
    assert_eq!(report["resume_samples"].as_u64(), Some(50), "{report}");
    assert_eq!(report["page_samples"].as_u64(), Some(50), "{report}");
}

/// `startup --quick`: an import and two restarts, nothing left in the WAL.
fn check_startup(report: &Value) {
    assert_eq!(report["events"].as_u64(), Some(20_000), "{report}");
    assert_eq!(report["restarts"].as_u64(), Some(2), "{report}");
    assert_eq!(report["wal_bytes_after_stop"].as_u64(), Some(0), "{report}");
    assert!(
        report["import_lines_per_s"].as_f64() > Some(0.0),
        "{report}"
    );
}

#[test]
fn history_and_startup_against_the_server_binary() {
    let server = Path::new(LOADGEN).with_file_name("media-chat-server");
    if !server.is_file() {
        // `cargo test -p media-chat-bench` does not build the server
        // binary; the in-process runs above cover the scenarios.
        return;
    }
    let server_bin = server.to_string_lossy().into_owned();
    let reports = run(&["--server-bin", &server_bin, "--sync", "full", "startup"]);
    assert_eq!(reports.len(), 1);
    check(&reports[0]);
    check_startup(&reports[0]);
    let reports = run(&["--server-bin", &server_bin, "--tls", "history"]);
    assert_eq!(reports.len(), 1);
    check(&reports[0]);
    check_history(&reports[0]);
    assert_eq!(reports[0]["transport"], "tls");
}

#[test]
fn fanout_and_files_over_tls_deliver_everything() {
    for scenario in ["fanout", "files"] {
        let reports = run(&["--in-process", "--tls", scenario]);
        assert_eq!(reports.len(), 1);
        let report = &reports[0];
        check(report);
        assert_eq!(report["transport"], "tls", "{report}");
        if scenario == "fanout" {
            assert_eq!(report["deliveries"], report["expected_deliveries"]);
        } else {
            assert!(report["chat_samples"].as_u64() > Some(0));
        }
    }
}

#[test]
fn flat_out_fanout_against_the_server_binary() {
    let server = Path::new(LOADGEN).with_file_name("media-chat-server");
    let mut args = vec![
        "fanout",
        "--rate",
        "0",
        "--clients",
        "8",
        "--messages",
        "200",
    ];
    let server_bin = server.to_string_lossy().into_owned();
    if server.is_file() {
        args.extend(["--server-bin", &server_bin]);
    } else {
        // `cargo test -p media-chat-bench` does not build the server binary.
        args.insert(0, "--in-process");
    }
    let reports = run(&args);
    assert_eq!(reports.len(), 1);
    check(&reports[0]);
    assert_eq!(reports[0]["deliveries"].as_u64(), Some(8 * 7 * 200));
}

#[test]
fn reactions_against_the_server_binary() {
    let server = Path::new(LOADGEN).with_file_name("media-chat-server");
    let server_bin = server.to_string_lossy().into_owned();
    let mut args = vec!["reactions"];
    if server.is_file() {
        args.extend(["--server-bin", &server_bin]);
    } else {
        // `cargo test -p media-chat-bench` does not build the server binary.
        args.insert(0, "--in-process");
    }
    let reports = run(&args);
    assert_eq!(reports.len(), 1);
    check(&reports[0]);
    check_reactions(&reports[0]);
}
