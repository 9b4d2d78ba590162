//! The listening socket, with a backlog sized for a reconnect storm: with the usual 128 (or
//! the 1024 of `TcpListener::bind`), thousands of clients connecting within one second
//! overflow the queue and wait for TCP's one-second SYN retransmit.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use tokio::net::{TcpListener, TcpSocket};

/// Binds 127.0.0.1:`port` (reusing the address, so a restarted server gets its port back at
/// once) and listens with `backlog` (capped by the kernel at `net.core.somaxconn`).
pub fn bind(port: u16, backlog: u32) -> io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    socket.listen(backlog)
}
