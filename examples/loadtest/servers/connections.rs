//! The accept loop both Rust servers run: each connection served by hyper's HTTP/1 server
//! directly, every request handed to the app's axum `Router`.
//!
//! Not `axum::serve`, for memory per idle connection (the load test's subject), the same way
//! for both apps. Measured with 10,000 idle streams (`--stack`), `axum::serve` costs about
//! 9.5 KiB more per connection: it clones the router per connection (`Router::with_state`
//! copies its route maps unless the router is unshared: ~2.6 KiB resident), and its
//! connection (hyper-util's `auto` builder, which reads the first bytes itself to tell
//! HTTP/1 from HTTP/2, with upgrades enabled) holds the rest. Here one `Router` (an `Arc`)
//! is shared by every connection, and a connection is HTTP/1 only: an event stream needs
//! nothing more.
//!
//! What stays per idle connection is mostly hyper's 8 KiB read and 8 KiB write buffers (only
//! their written pages are resident). Tried without a measurable change, so hyper's defaults
//! are kept: `half_close`, `writev(false)`, `max_buf_size(8192)`, `keep_alive(false)`, and
//! copying the request head out of hyper's read buffer before the app sees it (hyper
//! allocates its next read buffer while dispatching the request either way).
//!
//! `Stack::AxumServe` keeps `axum::serve` for comparison (`loadtest --stack axum-serve`).

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::io;
use std::time::Duration;
use tokio::net::TcpListener;
use tower_service::Service;

/// How the Rust servers serve connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stack {
    /// hyper's HTTP/1 connection per socket, one shared `Router` (the default).
    Hyper,
    /// `axum::serve`, as most axum apps start.
    AxumServe,
}

impl Stack {
    /// The name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Stack::Hyper => "hyper",
            Stack::AxumServe => "axum-serve",
        }
    }

    /// The stack named `name`.
    pub fn from_name(name: &str) -> Option<Stack> {
        [Stack::Hyper, Stack::AxumServe]
            .into_iter()
            .find(|stack| stack.name() == name)
    }
}

/// Serves `router` on `listener` until the process ends.
pub async fn serve(listener: TcpListener, router: Router, stack: Stack) -> io::Result<()> {
    if stack == Stack::AxumServe {
        return axum::serve(listener, router).await;
    }
    loop {
        let (socket, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of descriptors, or a connection reset while queued: keep accepting, after a
            // pause in case it is the former (as `axum::serve` does).
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            // `Router<()>` is an `Arc`: calling a clone copies no routes.
            router.clone().call(request)
        });
        tokio::spawn(async move {
            // A client going away mid-stream ends the connection with an error: nothing to
            // do about it.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(socket), service)
                .await;
        });
    }
}
