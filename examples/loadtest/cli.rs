//! The command line: `loadtest [OPTIONS]` runs and prints JSON; `loadtest serve KIND ...` is
//! how the load test starts its Rust servers as child processes.

use crate::run::{Options, StormKind};
use crate::servers::{self, Kind, Stack};
use crate::{limits, procfs, report::Report, run};
use std::time::Duration;

/// The help text.
pub const USAGE: &str = "\
loadtest: N concurrent SSE subscribers on loopback against each server, events published at a
rate, every subscriber checked to get every event exactly once; prints one JSON report per run.

USAGE: loadtest [OPTIONS]
  --servers LIST       comma-separated: sse-wire,axum,starlette (default: all three)
  --connections N      concurrent subscribers (default 10000)
  --events N           events to publish (default 100)
  --rate N             events per second (default 10)
  --payload N          padding bytes per event (default 0)
  --storm cut|restart  halfway through publishing, every client drops its connection (cut)
                       or the server is killed and started again (restart); all reconnect
                       with Last-Event-ID within --reconnect-window
  --redis              the sse-wire Hub on Redis Streams (starts redis-server on a free port)
  --stack hyper|axum-serve
                       how the Rust servers serve connections: hyper's HTTP/1 connection
                       with the request head copied out of its read buffer (default), or
                       axum::serve
  --backlog N          listen backlog asked for (default 65535, capped by net.core.somaxconn)
  --ramp N             connection attempts in flight while ramping up (default 1000)
  --reconnect-window S reconnects spread over S seconds (default 1)
  --deadline S         seconds to wait for delivery after the last publish (default 30)
  --client-threads N   load generator threads (default 1; the servers get the rest)
  --syscalls           count the server's system calls while it delivers (perf stat on
                       the syscall tracepoints; needs perf and the right to trace)
  --repeat N           run the servers N times, interleaved (default 1): a shared machine is
                       noisy, compare medians
INTERNAL: loadtest serve sse-wire|axum --port P --backlog B [--stack S] [--redis URL]";

/// Parsed command line of a run.
#[derive(Debug, Clone)]
pub struct Command {
    /// One run per server.
    pub runs: Vec<Options>,
    /// Threads of the load generator's runtime.
    pub client_threads: usize,
}

/// Parses the run options (without the program name).
pub fn parse(args: &[String]) -> Result<Command, String> {
    let mut kinds = Kind::ALL.to_vec();
    let mut options = Options {
        kind: Kind::SseWire,
        stack: Stack::Hyper,
        connections: 10_000,
        events: 100,
        rate: 10.0,
        payload: 0,
        storm: None,
        redis: false,
        backlog: 65_535,
        ramp: 1000,
        reconnect_window: Duration::from_secs(1),
        deadline: Duration::from_secs(30),
        syscalls: false,
    };
    let mut client_threads = 1;
    let mut repeat = 1;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value"))
                .map(String::as_str)
        };
        match flag.as_str() {
            "--servers" => {
                kinds = value()?
                    .split(',')
                    .map(|name| Kind::from_name(name).ok_or(format!("unknown server {name:?}")))
                    .collect::<Result<_, _>>()?
            }
            "--connections" => options.connections = number(flag, value()?)?,
            "--events" => options.events = number(flag, value()?)?,
            "--rate" => options.rate = number(flag, value()?)?,
            "--payload" => options.payload = number(flag, value()?)?,
            "--storm" => {
                options.storm = Some(match value()? {
                    "cut" => StormKind::Cut,
                    "restart" => StormKind::Restart,
                    other => return Err(format!("--storm is cut or restart, not {other:?}")),
                })
            }
            "--redis" => options.redis = true,
            "--syscalls" => options.syscalls = true,
            "--stack" => options.stack = parse_stack(value()?)?,
            "--backlog" => options.backlog = number(flag, value()?)?,
            "--ramp" => options.ramp = number(flag, value()?)?,
            "--reconnect-window" => {
                options.reconnect_window = Duration::from_secs_f64(number(flag, value()?)?)
            }
            "--deadline" => options.deadline = Duration::from_secs_f64(number(flag, value()?)?),
            "--client-threads" => client_threads = number(flag, value()?)?,
            "--repeat" => repeat = number(flag, value()?)?,
            "--help" | "-h" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown option {other:?}\n\n{USAGE}")),
        }
    }
    if options.redis && kinds != [Kind::SseWire] {
        return Err("--redis needs --servers sse-wire (only the Hub has a Redis backend)".into());
    }
    if options.rate.is_nan() || options.rate <= 0.0 {
        return Err("--rate must be above 0".into());
    }
    let runs = (0..repeat)
        .flat_map(|_| kinds.iter())
        .map(|&kind| Options {
            kind,
            ..options.clone()
        })
        .collect();
    Ok(Command {
        runs,
        client_threads,
    })
}

fn parse_stack(name: &str) -> Result<Stack, String> {
    Stack::from_name(name).ok_or(format!("--stack is hyper or axum-serve, not {name:?}"))
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} takes a number, not {value:?}"))
}

/// Runs every server of `command` in turn. The setup notes (open-file limit, backlog) go
/// into each report.
pub fn execute(command: &Command) -> Result<Vec<Report>, String> {
    let most = command
        .runs
        .iter()
        .map(|run| run.connections)
        .max()
        .unwrap_or(0);
    // Each connection costs the client one descriptor and the server one (separate
    // processes, same inherited limit), plus room for the runtime and Python.
    let limit_note = limits::raise_open_files(most as u64 + 1024)?;
    let backlog = command.runs.first().map_or(0, |run| run.backlog);
    let backlog_note = match procfs::somaxconn() {
        Some(cap) if cap < backlog => format!(
            "listen backlog {backlog} asked, capped at net.core.somaxconn = {cap} \
             (tcp_max_syn_backlog = {})",
            procfs::max_syn_backlog().map_or("?".into(), |value| value.to_string())
        ),
        Some(cap) => format!("listen backlog {backlog} (net.core.somaxconn = {cap})"),
        None => format!("listen backlog {backlog} (net.core.somaxconn unreadable)"),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(command.client_threads.max(1))
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    let mut reports = Vec::new();
    for options in &command.runs {
        let mut report = runtime
            .block_on(run::run(options))
            .map_err(|error| format!("{} run failed: {error}", options.kind.name()))?;
        report.notes = vec![limit_note.clone(), backlog_note.clone()];
        reports.push(report);
    }
    Ok(reports)
}

/// `serve KIND --port P --backlog B [--stack S] [--redis URL]`: runs a Rust server until killed.
pub fn serve(args: &[String]) -> Result<(), String> {
    let mut args = args.iter();
    let name = args.next().ok_or("serve needs a server name")?;
    let kind = Kind::from_name(name).ok_or(format!("unknown server {name:?}"))?;
    let (mut port, mut backlog, mut stack, mut redis) = (0, 1024, Stack::Hyper, None);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--port" => port = number(flag, value)?,
            "--backlog" => backlog = number(flag, value)?,
            "--stack" => stack = parse_stack(value)?,
            "--redis" => redis = Some(value.clone()),
            other => return Err(format!("unknown serve option {other:?}")),
        }
    }
    servers::serve(kind, stack, port, backlog, redis)
        .map_err(|error| format!("{name} server: {error}"))
}
