//! The same crate under plain hyper 1: no framework, just `StreamBody` of data frames.
//! sse-wire only turns events into bytes, so any server works the same way.
//!
//! ```text
//! cargo run --example hyper_server         # PORT=3001 by default
//! curl -N http://127.0.0.1:3001/
//! ```

use bytes::Bytes;
use futures::{stream, StreamExt};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use sse_wire::stream::{EncodeStream, KeepAlive};
use sse_wire::Event;
use std::convert::Infallible;
use std::time::Duration;

type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, Infallible>;

/// A clock ticking once a second, as named events with ids, resuming after `Last-Event-ID`.
fn clock(after: u64) -> impl futures::Stream<Item = Event> {
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
    let after = request
        .headers()
        .get(sse_wire::http::LAST_EVENT_ID)
        .and_then(|value| value.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let bytes = KeepAlive::new(
        EncodeStream::new(clock(after)),
        Duration::from_secs(15),
        tokio::time::sleep,
    );
    let frames = bytes.map(|chunk| chunk.map(Frame::data));
    let mut response = Response::new(StreamBody::new(frames).boxed_unsync());
    for (name, value) in sse_wire::http::RESPONSE_HEADERS {
        response.headers_mut().insert(name, value.parse().unwrap());
    }
    Ok(response)
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
