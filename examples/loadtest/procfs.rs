//! What the kernel says about a process and the machine, read from `/proc`. Each reader
//! pairs with a parser of the file's text, tested on samples.

use std::io;

/// CPU time a process has used so far, in clock ticks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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

/// Resident memory of process `pid` in bytes (`VmRSS` of `/proc/PID/status`).
pub fn rss_bytes(pid: u32) -> io::Result<u64> {
    let path = format!("/proc/{pid}/status");
    parse_rss(&std::fs::read_to_string(&path)?).ok_or_else(|| unreadable(&path))
}

/// CPU time process `pid` has used so far (`utime` and `stime` of `/proc/PID/stat`).
pub fn cpu_ticks(pid: u32) -> io::Result<CpuTicks> {
    let path = format!("/proc/{pid}/stat");
    parse_stat(&std::fs::read_to_string(&path)?).ok_or_else(|| unreadable(&path))
}

/// Write system calls of the `write` family (`write`, `writev`, ...) process `pid` has made
/// so far (`syscw` of `/proc/PID/io`); `send` and `sendmsg` are not counted.
pub fn write_calls(pid: u32) -> io::Result<u64> {
    let path = format!("/proc/{pid}/io");
    parse_write_calls(&std::fs::read_to_string(&path)?).ok_or_else(|| unreadable(&path))
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

/// Machine-wide count of connections dropped because a listen queue was full
/// (`TcpExt: ListenOverflows` of `/proc/net/netstat`); other programs count too, so compare
/// two readings around a short phase.
pub fn listen_overflows() -> Option<u64> {
    parse_listen_overflows(&std::fs::read_to_string("/proc/net/netstat").ok()?)
}

fn read_number(path: &str) -> Option<u32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn unreadable(path: &str) -> io::Error {
    io::Error::other(format!("unexpected contents in {path}"))
}

/// `VmRSS:   1234 kB` in bytes.
fn parse_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Fields 14 and 15 of a `stat` line. The command name (field 2, in parentheses) may hold
/// spaces and parentheses itself, so fields are counted after its last `)`.
fn parse_stat(stat: &str) -> Option<CpuTicks> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    // `after_name` starts at field 3 (state), so utime (14) and stime (15) are at 11 and 12.
    let mut fields = after_name.split_whitespace().skip(11);
    Some(CpuTicks {
        user: fields.next()?.parse().ok()?,
        system: fields.next()?.parse().ok()?,
    })
}

/// `syscw: 123`.
fn parse_write_calls(io: &str) -> Option<u64> {
    io.lines()
        .find_map(|line| line.strip_prefix("syscw:"))?
        .trim()
        .parse()
        .ok()
}

/// `TcpExt:` comes as a line of names, then a line of values.
fn parse_listen_overflows(netstat: &str) -> Option<u64> {
    let mut lines = netstat.lines().filter(|line| line.starts_with("TcpExt:"));
    let names = lines.next()?;
    let values = lines.next()?;
    let index = names
        .split_whitespace()
        .position(|name| name == "ListenOverflows")?;
    values.split_whitespace().nth(index)?.parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_rss_in_bytes() {
        let status = "Name:\tloadtest\nVmPeak:\t  9000 kB\nVmRSS:\t   3764 kB\nRssAnon:\t 100 kB\n";
        assert_eq!(super::parse_rss(status), Some(3764 * 1024));
        assert_eq!(super::parse_rss("Name:\tx\n"), None);
    }

    #[test]
    fn reads_cpu_ticks_past_a_command_name_with_spaces_and_parentheses() {
        let stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194304 500 0 0 0 \
                    731 95 0 0 20 0 3 0 100 1000 200 18446744073709551615";
        let ticks = super::parse_stat(stat).unwrap();
        assert_eq!((ticks.user, ticks.system), (731, 95));
        assert_eq!(
            ticks
                .since(super::CpuTicks {
                    user: 700,
                    system: 100
                })
                .total(),
            31
        );
        assert_eq!(super::parse_stat("4242 (cut short) S 1"), None);
    }

    #[test]
    fn reads_write_calls() {
        let io = "rchar: 6976\nwchar: 10\nsyscr: 10\nsyscw: 77\nread_bytes: 0\n";
        assert_eq!(super::parse_write_calls(io), Some(77));
    }

    #[test]
    fn finds_listen_overflows_by_name() {
        let netstat = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\n\
                       TcpExt: 3 5562 5570\n\
                       IpExt: InNoRoutes\nIpExt: 0\n";
        assert_eq!(super::parse_listen_overflows(netstat), Some(5562));
        assert_eq!(super::parse_listen_overflows("IpExt: A\nIpExt: 1\n"), None);
    }
}
