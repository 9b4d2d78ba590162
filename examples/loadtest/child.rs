//! The servers run as child processes, so their memory and CPU time can be read apart from
//! the load generator's: the Rust ones are this same program run as `serve KIND`, the
//! Python one is uvicorn.

use crate::servers::{Kind, Stack};
use std::io;
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a server may take to print its address (Python imports are slow on a busy
/// machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Where and how to start a server.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Which app.
    pub kind: Kind,
    /// How a Rust server serves connections.
    pub stack: Stack,
    /// The loopback port; 0 picks a free one (a restart reuses the first one's).
    pub port: u16,
    /// The listen backlog asked for (the kernel caps it at `net.core.somaxconn`).
    pub backlog: u32,
    /// Redis URL for the sse-wire Hub's Redis Streams backend; in memory when `None`.
    pub redis: Option<String>,
}

/// A running server.
pub struct Server {
    child: Child,
    /// Its process id, for `/proc`.
    pub pid: u32,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Spec {
    fn command(&self) -> io::Result<Command> {
        let mut command = match self.kind {
            Kind::Starlette => {
                let mut command = Command::new("python3");
                command.arg(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/loadtest/starlette_fanout.py"
                ));
                command
            }
            Kind::SseWire | Kind::Axum => {
                let mut command = Command::new(std::env::current_exe()?);
                command.args(["serve", self.kind.name(), "--stack", self.stack.name()]);
                if let Some(url) = &self.redis {
                    command.args(["--redis", url]);
                }
                command
            }
        };
        command.args(["--port", &self.port.to_string()]);
        command.args(["--backlog", &self.backlog.to_string()]);
        Ok(command)
    }

    /// Starts the server and waits until it listens (it prints `listening ADDR`).
    pub async fn start(&self) -> io::Result<Server> {
        let mut child = self
            .command()?
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| {
                io::Error::other(format!(
                    "cannot start the {} server: {error}",
                    self.kind.name()
                ))
            })?;
        let pid = child
            .id()
            .ok_or_else(|| io::Error::other("server exited at once"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(START_TIMEOUT, lines.next_line())
            .await
            .map_err(|_| {
                io::Error::other(format!(
                    "the {} server did not start within {START_TIMEOUT:?}",
                    self.kind.name()
                ))
            })??
            .ok_or_else(|| {
                io::Error::other(format!(
                    "the {} server exited before listening",
                    self.kind.name()
                ))
            })?;
        let addr = line
            .strip_prefix("listening ")
            .and_then(|addr| addr.trim().parse().ok())
            .ok_or_else(|| {
                io::Error::other(format!("unexpected first line from the server: {line:?}"))
            })?;
        // Keep draining its stdout so a chatty server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Server { child, pid, addr })
    }
}

impl Server {
    /// Kills the server at once (SIGKILL, like a crash) and reaps it.
    pub async fn kill(mut self) -> io::Result<()> {
        self.child.kill().await
    }
}
