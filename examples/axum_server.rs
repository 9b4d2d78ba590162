//! The main demo: a live notifications and progress dashboard served with axum, on the
//! [`Hub`](sse_wire::hub::Hub).
//!
//! ```text
//! cargo run --example axum_server          # then open the printed URL
//! PORT=8080 cargo run --example axum_server
//! REDIS_URL=redis://127.0.0.1:6379 cargo run --example axum_server   # history in Redis
//! ```
//!
//! Named events, ids, multi-line and JSON data, events for everyone and per-user ones, a
//! task-progress stream ending with `done`, keep-alive comments, `Last-Event-ID` resume
//! (or `resync` when the history cannot serve it: after a restart, unless the hub is on
//! Redis), and a page
//! using the browser's `EventSource`. Ctrl-C shuts down gracefully: every open stream gets a
//! farewell `retry` and ends.

mod dashboard;

use dashboard::{Audience, Config, Dashboard};
use sse_wire::hub::Hub;
use sse_wire::Event;

/// Connections waiting to be accepted: when a restarted server sees every browser come back
/// within the same second, the default (128) overflows and clients wait for TCP's 1 s
/// retransmit. The kernel caps it at `net.core.somaxconn`.
const BACKLOG: u32 = 4096;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT must be a port number, not {port:?}"))?,
        Err(_) => 3000,
    };
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(([127, 0, 0, 1], port).into())?;
    let listener = socket.listen(BACKLOG)?;
    let address = listener.local_addr()?;
    let config = Config::default();
    let dashboard = match std::env::var("REDIS_URL") {
        Ok(url) => {
            let hub = Hub::redis(&url, "sse-wire:dashboard", config.hub.clone()).await?;
            Dashboard::with_hub(config, hub)
        }
        Err(_) => Dashboard::new(config),
    };
    dashboard
        .publish(
            Audience::Everyone,
            Event::new().event("notification").data(
                "Server started.\nMulti-line data arrives as one event, line breaks included.",
            ),
        )
        .await?;
    println!("sse-wire dashboard: open http://{address}/");
    println!("  events:   curl -N http://{address}/events");
    println!("  progress: curl -N 'http://{address}/tasks/progress?steps=5'");

    let on_ctrl_c = dashboard.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            println!("shutting down: closing event streams");
            on_ctrl_c.shutdown();
        }
    });
    Ok(dashboard::serve(listener, dashboard).await?)
}
