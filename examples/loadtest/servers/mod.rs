//! The three servers of the comparison, one small file each, all the same app:
//! `POST /publish` sends its body as an event's data to every subscriber, with an id;
//! `GET /events` streams those events, a keep-alive comment every 15 s; a subscriber that
//! falls far behind has its stream ended. The Python one is
//! `tests/loadtest/starlette_fanout.py`.

mod axum_broadcast;
mod connections;
mod listener;
mod sse_wire_hub;

pub use connections::Stack;

use std::io;

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// sse-wire's `Hub` under axum (in memory, or on Redis Streams with `--redis`).
    SseWire,
    /// axum's built-in `Sse` over `tokio::sync::broadcast`.
    Axum,
    /// Starlette + sse-starlette under uvicorn.
    Starlette,
}

impl Kind {
    /// Every server, in report order.
    pub const ALL: [Kind; 3] = [Kind::SseWire, Kind::Axum, Kind::Starlette];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::SseWire => "sse-wire",
            Kind::Axum => "axum",
            Kind::Starlette => "starlette",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// Runs a Rust server in this process until it is killed: what `loadtest serve KIND` does.
/// Prints `listening ADDR` once it accepts connections.
pub fn serve(
    kind: Kind,
    stack: Stack,
    port: u16,
    backlog: u32,
    redis: Option<String>,
) -> io::Result<()> {
    if redis.is_some() && kind != Kind::SseWire {
        return Err(io::Error::other("--redis is for the sse-wire server"));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let router = match kind {
            Kind::SseWire => sse_wire_hub::router(redis).await?,
            Kind::Axum => axum_broadcast::router(),
            Kind::Starlette => {
                return Err(io::Error::other("the starlette server runs under python3"))
            }
        };
        let listener = listener::bind(port, backlog)?;
        println!("listening {}", listener.local_addr()?);
        connections::serve(listener, router, stack).await
    })
}
