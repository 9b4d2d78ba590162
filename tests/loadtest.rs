//! The load test's short run, against every server: 500 subscribers on loopback, every one
//! must get every published event exactly once; the reconnect storm must bring every
//! subscriber back with nothing lost on the sse-wire Hub, and the checker must notice the
//! loss where a server has no history.
//!
//! A plain program (`harness = false`): the load test starts its Rust servers by running its
//! own executable as `serve KIND`, which this binary does too. It follows libtest's flags:
//! a name filter, `--ignored` / `--include-ignored` for the runs that need Python or Redis.

#[path = "../examples/loadtest/child.rs"]
mod child;
#[path = "../examples/loadtest/cli.rs"]
mod cli;
#[path = "../examples/loadtest/http1.rs"]
mod http1;
#[path = "../examples/loadtest/limits.rs"]
mod limits;
#[path = "../examples/loadtest/procfs.rs"]
mod procfs;
#[path = "../examples/loadtest/redis_server.rs"]
mod redis_server;
#[path = "../examples/loadtest/report.rs"]
mod report;
#[path = "../examples/loadtest/run.rs"]
mod run;
#[path = "../examples/loadtest/servers/mod.rs"]
mod servers;
#[path = "../examples/loadtest/subscriber.rs"]
mod subscriber;
#[path = "../examples/loadtest/syscalls.rs"]
mod syscalls;

use report::Report;
use std::process::ExitCode;

/// Small enough for a debug build on a busy 2-core machine, big enough to need a raised
/// listen backlog and to interleave many streams.
const SHORT: &[&str] = &["--connections", "500", "--events", "20", "--rate", "50"];

struct Case {
    name: &'static str,
    args: &'static [&'static str],
    ignored: Option<&'static str>,
    check: fn(&Report) -> Result<(), String>,
}

const CASES: &[Case] = &[
    Case {
        name: "sse_wire_hub_delivers_every_event_once_to_500",
        args: &["--servers", "sse-wire"],
        ignored: None,
        check: every_event_once,
    },
    Case {
        name: "axum_broadcast_delivers_every_event_once_to_500",
        args: &["--servers", "axum"],
        ignored: None,
        check: every_event_once,
    },
    Case {
        name: "sse_wire_hub_under_axum_serve_delivers_every_event_once_to_500",
        args: &["--servers", "sse-wire", "--stack", "axum-serve"],
        ignored: None,
        check: under_axum_serve,
    },
    Case {
        name: "starlette_delivers_every_event_once_to_500",
        args: &["--servers", "starlette"],
        ignored: Some("needs python3 with sse-starlette"),
        check: every_event_once,
    },
    Case {
        name: "sse_wire_hub_storm_resumes_every_client_without_loss",
        args: &["--servers", "sse-wire", "--storm", "cut"],
        ignored: None,
        check: storm_recovers,
    },
    Case {
        name: "storm_without_history_is_reported_as_loss",
        args: &["--servers", "axum", "--storm", "cut"],
        ignored: None,
        check: storm_loses,
    },
    Case {
        name: "sse_wire_redis_storm_restart_resumes_every_client_without_loss",
        args: &["--servers", "sse-wire", "--redis", "--storm", "restart"],
        ignored: Some("needs redis-server"),
        check: storm_recovers,
    },
];

fn every_event_once(report: &Report) -> Result<(), String> {
    let asked = report.connections.asked;
    let events = &report.events;
    expect(
        report.connections.held == asked,
        "every subscriber connected",
    )?;
    expect(
        report.connections.held_at_end == asked,
        "every stream open at the end",
    )?;
    expect(events.published == 20, "20 events published")?;
    expect(
        events.complete_subscribers == asked,
        "every subscriber got every event once",
    )?;
    expect(
        events.delivered == 20 * asked as u64,
        "delivered = 20 x subscribers",
    )?;
    expect(
        events.lost == 0 && events.duplicates == 0,
        "nothing lost or repeated",
    )?;
    expect(report.latency_us.p50 > 0, "latency measured")?;
    expect(
        report.server_process.rss_held_bytes > 0,
        "server memory read",
    )
}

fn under_axum_serve(report: &Report) -> Result<(), String> {
    expect(report.stack == "axum-serve", "the server ran axum::serve")?;
    every_event_once(report)
}

fn storm_recovers(report: &Report) -> Result<(), String> {
    every_event_once(report)?;
    let storm = report.storm.as_ref().ok_or("no storm report")?;
    expect(storm.all_back_ms.is_some(), "every subscriber came back")?;
    expect(
        storm.all_caught_up_ms.is_some(),
        "every subscriber caught up",
    )?;
    expect(
        report.events.dropped_streams == 0 || report.mode == "storm-restart",
        "only the storm ended streams",
    )
}

fn storm_loses(report: &Report) -> Result<(), String> {
    let storm = report.storm.as_ref().ok_or("no storm report")?;
    expect(storm.all_back_ms.is_some(), "every subscriber came back")?;
    expect(report.events.duplicates == 0, "nothing repeated")?;
    // Events published while the clients were away never reach them: no history, and
    // Last-Event-ID is ignored. The check must see it.
    expect(report.events.lost > 0, "the loss is reported")
}

fn expect(holds: bool, what: &str) -> Result<(), String> {
    holds
        .then_some(())
        .ok_or_else(|| format!("expected: {what}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("serve") {
        return match cli::serve(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("{error}");
                ExitCode::FAILURE
            }
        };
    }
    let include_ignored = args.iter().any(|arg| arg == "--include-ignored");
    let only_ignored = args.iter().any(|arg| arg == "--ignored");
    // libtest's options that take a value; `--skip NAME` excludes, a bare word selects.
    const WITH_VALUE: [&str; 5] = [
        "--test-threads",
        "--format",
        "--color",
        "--logfile",
        "--skip",
    ];
    let (mut filters, mut skips) = (Vec::new(), Vec::new());
    let mut words = args.iter();
    while let Some(arg) = words.next() {
        if arg == "--skip" {
            skips.extend(words.next());
        } else if WITH_VALUE.contains(&arg.as_str()) {
            words.next();
        } else if !arg.starts_with('-') {
            filters.push(arg);
        }
    }
    let selected: Vec<&Case> = CASES
        .iter()
        .filter(|case| {
            filters.is_empty()
                || filters
                    .iter()
                    .any(|filter| case.name.contains(filter.as_str()))
        })
        .filter(|case| !skips.iter().any(|skip| case.name.contains(skip.as_str())))
        .collect();
    if args.iter().any(|arg| arg == "--list") {
        for case in &selected {
            println!("{}: test", case.name);
        }
        return ExitCode::SUCCESS;
    }
    println!("\nrunning {} tests", selected.len());
    let (mut passed, mut failed, mut ignored) = (0, 0, 0);
    for case in selected {
        let run = match case.ignored {
            Some(_) => include_ignored || only_ignored,
            None => !only_ignored,
        };
        if !run {
            println!(
                "test {} ... ignored, {}",
                case.name,
                case.ignored.unwrap_or("not ignored")
            );
            ignored += 1;
            continue;
        }
        let mut args: Vec<String> = SHORT.iter().map(|arg| arg.to_string()).collect();
        args.extend(case.args.iter().map(|arg| arg.to_string()));
        let outcome = cli::parse(&args)
            .and_then(|command| cli::execute(&command))
            .and_then(|reports| {
                let report = reports.first().ok_or("no report")?;
                (case.check)(report).map_err(|error| {
                    let json = serde_json::to_string_pretty(report).unwrap_or_default();
                    format!("{error}\nreport: {json}")
                })
            });
        match outcome {
            Ok(()) => {
                println!("test {} ... ok", case.name);
                passed += 1;
            }
            Err(error) => {
                println!("test {} ... FAILED\n{error}", case.name);
                failed += 1;
            }
        }
    }
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    println!("\ntest result: {verdict}. {passed} passed; {failed} failed; {ignored} ignored\n");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
