//! The server's system calls while it delivers (`--syscalls`), counted by `perf stat` on the
//! kernel's syscall tracepoints: in-kernel counters, no stop per call as under `strace`, so
//! the server runs at nearly its usual speed. Needs `perf` and the right to trace another
//! process (root, or `kernel.perf_event_paranoid` at most 1 with the tracepoints readable).

use std::collections::BTreeMap;
use std::io;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};

/// The calls counted one by one: writing and reading sockets, waiting for readiness,
/// waking threads. `all` counts every system call.
const CALLS: &[&str] = &[
    "writev",
    "write",
    "sendto",
    "sendmsg",
    "read",
    "recvfrom",
    "recvmsg",
    "epoll_wait",
    "epoll_pwait",
    "epoll_ctl",
    "futex",
    "sched_yield",
];

/// How long `perf` gets to attach to every thread before the counted phase begins.
const ATTACH: Duration = Duration::from_millis(300);

/// `perf stat` attached to a process.
pub struct Counting {
    perf: Child,
}

/// Attaches `perf stat` to every thread of process `pid`.
pub async fn start(pid: u32) -> io::Result<Counting> {
    let mut events: Vec<String> = CALLS
        .iter()
        .map(|call| format!("syscalls:sys_enter_{call}"))
        .collect();
    events.push("raw_syscalls:sys_enter".into());
    let perf = Command::new("perf")
        .args(["stat", "-x", ",", "-e", &events.join(","), "-p"])
        .arg(pid.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| io::Error::other(format!("cannot run perf: {error}")))?;
    tokio::time::sleep(ATTACH).await;
    Ok(Counting { perf })
}

impl Counting {
    /// Stops counting (perf prints its counts on SIGINT) and returns them by call name,
    /// `all` for every call.
    pub async fn stop(mut self) -> io::Result<BTreeMap<String, u64>> {
        let pid = self
            .perf
            .id()
            .ok_or_else(|| io::Error::other("perf exited early"))?;
        std::process::Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()?;
        let mut stderr = String::new();
        if let Some(mut pipe) = self.perf.stderr.take() {
            pipe.read_to_string(&mut stderr).await?;
        }
        let status = self.perf.wait().await?;
        let counts = parse(&stderr);
        if counts.is_empty() {
            return Err(io::Error::other(format!(
                "perf stat counted nothing ({status}): {}",
                stderr.trim()
            )));
        }
        Ok(counts)
    }
}

/// `perf stat -x ,` lines: `COUNT,UNIT,EVENT,...`; a count of `<not counted>` or
/// `<not supported>` is left out.
fn parse(output: &str) -> BTreeMap<String, u64> {
    output
        .lines()
        .filter_map(|line| {
            let mut fields = line.split(',');
            let count = fields.next()?.trim().parse().ok()?;
            let event = fields.nth(1)?.trim();
            let name = match event.strip_prefix("syscalls:sys_enter_") {
                Some(call) => call,
                None if event == "raw_syscalls:sys_enter" => "all",
                None => return None,
            };
            Some((name.to_owned(), count))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_perf_stat_csv_counts() {
        let output = "\
120034,,syscalls:sys_enter_writev,10003412345,100.00,,
<not counted>,,syscalls:sys_enter_sched_yield,0,100.00,,
17,,syscalls:sys_enter_futex,10003412345,100.00,,
150210,,raw_syscalls:sys_enter,10003412345,100.00,,
perf: some warning
";
        let counts = super::parse(output);
        assert_eq!(counts.len(), 3);
        assert_eq!(counts["writev"], 120_034);
        assert_eq!(counts["futex"], 17);
        assert_eq!(counts["all"], 150_210);
    }
}
