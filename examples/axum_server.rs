//! The main demo: a live notifications and progress dashboard served with axum.
//!
//! ```text
//! cargo run --example axum_server          # then open the printed URL
//! PORT=8080 cargo run --example axum_server
//! ```
//!
//! Named events, ids, multi-line and JSON data, a broadcast channel and per-user streams, a
//! task-progress stream ending with `done`, keep-alive comments, `Last-Event-ID` resume from
//! a bounded history, and a page using the browser's `EventSource`. Ctrl-C shuts down
//! gracefully: every open stream gets a farewell `retry` and ends.

mod dashboard;

use dashboard::{Audience, Config, Dashboard};
use sse_wire::Event;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|_| {
            std::io::Error::other(format!("PORT must be a port number, not {port:?}"))
        })?,
        Err(_) => 3000,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let dashboard = Dashboard::new(Config::default());
    dashboard.publish(
        Audience::Everyone,
        Event::new()
            .event("notification")
            .data("Server started.\nMulti-line data arrives as one event, line breaks included."),
    );
    println!(
        "sse-wire dashboard: open http://{}/",
        listener.local_addr()?
    );
    println!(
        "  events:   curl -N http://{}/events",
        listener.local_addr()?
    );
    println!(
        "  progress: curl -N 'http://{}/tasks/progress?steps=5'",
        listener.local_addr()?
    );

    let on_ctrl_c = dashboard.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            println!("shutting down: closing event streams");
            on_ctrl_c.shutdown();
        }
    });
    dashboard::serve(listener, dashboard).await
}
