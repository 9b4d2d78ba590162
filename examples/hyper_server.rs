//! The same crate under plain hyper 1, no framework: `Sse` is an `http_body::Body`, and
//! `into_http` gives the whole response (status, headers, body).
//!
//! ```text
//! cargo run --example hyper_server --features http-body,tokio   # PORT=3001 by default
//! curl -N http://127.0.0.1:3001/
//! ```

use bytes::Bytes;
use futures::stream;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use sse_wire::{Event, Sse};
use std::convert::Infallible;
use std::time::Duration;

// `Sse` is `Send` but not `Sync` (its timer is a boxed `Send` future): box it unsync.
type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, Infallible>;

/// A clock ticking once a second, as named events with ids, resuming after `Last-Event-ID`.
fn clock(after: u64) -> impl futures::Stream<Item = Event> + Send {
    stream::unfold(after + 1, move |n| async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let event = Event::new()
            .event("tick")
            .id(n)
            .data(format!("tick {n}\nsent by hyper"));
        Some((event, n + 1))
    })
}

async fn handle(request: Request<hyper::body::Incoming>) -> Result<Response<Body>, Infallible> {
    if request.uri().path() != "/" {
        let mut response =
            Response::new(Full::new(Bytes::from_static(b"not found\n")).boxed_unsync());
        *response.status_mut() = StatusCode::NOT_FOUND;
        return Ok(response);
    }
    // Resume after the last id the client saw (ids here are tick numbers).
    let after = sse_wire::http::typed::last_event_id(request.headers())
        .and_then(|id| id.parse().ok())
        .unwrap_or(0);
    let events = Sse::new(clock(after)).keep_alive(Duration::from_secs(15));
    Ok(events.into_http().map(BodyExt::boxed_unsync))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|port| port.parse().ok())
        .unwrap_or(3001);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "hyper event stream: curl -N http://{}/",
        listener.local_addr()?
    );
    loop {
        let (socket, _) = listener.accept().await?;
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(socket), service_fn(handle));
            if let Err(error) = connection.await {
                eprintln!("connection ended: {error}");
            }
        });
    }
}
