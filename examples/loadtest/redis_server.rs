//! A throwaway `redis-server` on a free loopback port, for the Hub's Redis Streams backend.

use std::io;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// A running `redis-server`, killed when dropped.
pub struct RedisServer {
    _child: Child,
    /// Its `redis://` URL.
    pub url: String,
}

/// Starts `redis-server` without persistence and waits until it answers `PING`.
pub async fn start() -> io::Result<RedisServer> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|error| io::Error::other(format!("cannot start redis-server: {error}")))?;
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if ping(port).await.is_ok() {
            return Ok(RedisServer {
                _child: child,
                url: format!("redis://127.0.0.1:{port}"),
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(io::Error::other(
        "redis-server did not answer PING within 20 s",
    ))
}

async fn ping(port: u16) -> io::Result<()> {
    let mut socket = TcpStream::connect(("127.0.0.1", port)).await?;
    socket.write_all(b"PING\r\n").await?;
    let mut answer = [0; 7];
    socket.read_exact(&mut answer).await?;
    if &answer == b"+PONG\r\n" {
        Ok(())
    } else {
        Err(io::Error::other("unexpected PING answer"))
    }
}
