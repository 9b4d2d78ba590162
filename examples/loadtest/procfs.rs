//! What the kernel says about a process and the machine, read from `/proc`.

use std::io;

/// Resident memory of process `pid` in bytes (`VmRSS` of `/proc/PID/status`).
pub fn rss_bytes(pid: u32) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .ok_or_else(|| io::Error::other(format!("no VmRSS line in /proc/{pid}/status")))?;
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|kib| kib.parse().ok())
        .ok_or_else(|| io::Error::other(format!("unreadable VmRSS line {line:?}")))?;
    Ok(kib * 1024)
}

/// CPU time a process has used so far, in clock ticks.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuTicks {
    /// In user space (`utime`): the program and its libraries.
    pub user: u64,
    /// In the kernel on its behalf (`stime`): system calls, here mostly loopback TCP.
    pub system: u64,
}

impl CpuTicks {
    /// User plus system time.
    pub fn total(self) -> u64 {
        self.user + self.system
    }

    /// The time used since `earlier`.
    pub fn since(self, earlier: CpuTicks) -> CpuTicks {
        CpuTicks {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
        }
    }
}

/// CPU time process `pid` has used so far (`utime` and `stime`, fields 14 and 15 of
/// `/proc/PID/stat`).
pub fn cpu_ticks(pid: u32) -> io::Result<CpuTicks> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces and parentheses: count fields after its end.
    let after_name = stat
        .rfind(')')
        .map(|end| &stat[end + 1..])
        .ok_or_else(|| io::Error::other(format!("unreadable /proc/{pid}/stat")))?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // `after_name` starts at field 3 (state), so utime (14) and stime (15) are at 11 and 12.
    let field = |index: usize| -> io::Result<u64> {
        fields
            .get(index)
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| io::Error::other(format!("unreadable /proc/{pid}/stat field")))
    };
    Ok(CpuTicks {
        user: field(11)?,
        system: field(12)?,
    })
}

/// Write system calls (`write`, `writev`, `sendmsg`, ...) process `pid` has made so far
/// (`syscw` of `/proc/PID/io`).
pub fn write_calls(pid: u32) -> io::Result<u64> {
    let counters = std::fs::read_to_string(format!("/proc/{pid}/io"))?;
    counters
        .lines()
        .find_map(|line| line.strip_prefix("syscw:"))
        .and_then(|count| count.trim().parse().ok())
        .ok_or_else(|| io::Error::other(format!("no syscw line in /proc/{pid}/io")))
}

/// Clock ticks per second for [`cpu_ticks`] (`getconf CLK_TCK`; 100 on every Linux we know
/// of, used when `getconf` is missing).
pub fn ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100)
}

/// The kernel's cap on any listen backlog (`net.core.somaxconn`).
pub fn somaxconn() -> Option<u32> {
    read_number("/proc/sys/net/core/somaxconn")
}

/// The kernel's cap on half-open connections per listener (`net.ipv4.tcp_max_syn_backlog`).
pub fn max_syn_backlog() -> Option<u32> {
    read_number("/proc/sys/net/ipv4/tcp_max_syn_backlog")
}

fn read_number(path: &str) -> Option<u32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Machine-wide count of connections dropped because a listen queue was full
/// (`TcpExt: ListenOverflows` of `/proc/net/netstat`); other programs count too, so compare
/// two readings around a short phase.
pub fn listen_overflows() -> Option<u64> {
    let netstat = std::fs::read_to_string("/proc/net/netstat").ok()?;
    let mut lines = netstat.lines().filter(|line| line.starts_with("TcpExt:"));
    let names = lines.next()?;
    let values = lines.next()?;
    let index = names
        .split_whitespace()
        .position(|name| name == "ListenOverflows")?;
    values.split_whitespace().nth(index)?.parse().ok()
}
