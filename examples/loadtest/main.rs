//! The side-by-side load test and reconnect storm: N concurrent SSE subscribers on loopback
//! against three servers running the same fan-out app (sse-wire's `Hub`, axum's built-in
//! `Sse` over `tokio::sync::broadcast`, Starlette + sse-starlette under uvicorn). Every
//! subscriber must get every event exactly once; the report (JSON, one per server) gives
//! connections held, delivery, publish-to-receive latency, and the server's memory per idle
//! connection and CPU per delivered event, read from `/proc`.
//!
//! ```text
//! cargo run --release --example loadtest                       # 10,000 subscribers, each server
//! cargo run --release --example loadtest -- --connections 500 --servers axum
//! cargo run --release --example loadtest -- --servers sse-wire --storm cut
//! cargo run --release --example loadtest -- --servers sse-wire --redis --storm restart
//! cargo run --release --example loadtest -- --servers sse-wire,axum --syscalls
//! cargo run --release --example loadtest -- --help
//! ```
//!
//! The load generator raises its own open-file limit (the report's notes say so, or it stops
//! saying why). The Python server needs `pip install sse-starlette 'uvicorn[standard]'`,
//! `--redis` needs `redis-server` (both installed by `scripts/test-all`), `--syscalls` needs
//! `perf`. Linux only: the measurements read `/proc`.

mod child;
mod cli;
mod http1;
mod limits;
mod procfs;
mod redis_server;
mod report;
mod run;
mod servers;
mod subscriber;
mod syscalls;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => cli::serve(&args[1..]),
        _ => cli::parse(&args).and_then(|command| {
            for report in cli::execute(&command)? {
                let json =
                    serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
                println!("{json}");
            }
            Ok(())
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("loadtest: {error}");
            ExitCode::FAILURE
        }
    }
}
