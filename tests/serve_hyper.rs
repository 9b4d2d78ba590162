//! `Sse` as an `http_body::Body` under plain hyper 1 (no framework) on a real loopback
//! socket with reqwest: headers, exact bytes, keep-alive on an idle stream, shutdown, resume
//! by `Last-Event-ID`, and the server dropping the source when the client leaves.

use futures::{stream, Stream, StreamExt};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use sse_wire::stream::{channel, Outgoing};
use sse_wire::{Event, SendError, Sse};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

mod support;
use support::first_bytes;

const WAIT: Duration = Duration::from_secs(10);

/// Events, encoded bytes, or the pieces of a channel: one body type for every handler here.
type Events = Pin<Box<dyn Stream<Item = Outgoing> + Send>>;

/// Serves `respond` with hyper's HTTP/1 connection, one task per connection.
async fn serve<F>(respond: F) -> SocketAddr
where
    F: Fn(hyper::Request<hyper::body::Incoming>) -> hyper::Response<Sse<Events>>
        + Clone
        + Send
        + Sync
        + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let respond = respond.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request| {
                    let response = respond(request);
                    async move { Ok::<_, Infallible>(response) }
                });
                // A client going away ends the connection with an error: nothing to report.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    address
}

async fn open(address: SocketAddr, last_event_id: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new().get(format!("http://{address}/"));
    if let Some(id) = last_event_id {
        request = request.header(sse_wire::http::LAST_EVENT_ID, id);
    }
    let response = tokio::time::timeout(WAIT, request.send())
        .await
        .expect("a response in time")
        .unwrap();
    sse_wire::check_http_headers(response.status(), response.headers()).unwrap();
    response
}

#[tokio::test]
async fn headers_exact_bytes_and_resume_from_the_last_event_id() {
    let address = serve(|request| {
        let after: u32 = sse_wire::http::typed::last_event_id(request.headers())
            .and_then(|id| id.parse().ok())
            .unwrap_or(0);
        let events =
            (after + 1..=3).map(|n| Event::new().id(n).data(format!("tick {n}\r\nby hyper")));
        Sse::new(Box::pin(stream::iter(events).map(Outgoing::from)) as Events).into_http()
    })
    .await;
    let response = open(address, None).await;
    assert_eq!(response.headers()["cache-control"], "no-cache");
    assert_eq!(response.headers()["x-accel-buffering"], "no");
    assert_eq!(
        response.bytes().await.unwrap(),
        "id: 1\ndata: tick 1\ndata: by hyper\n\nid: 2\ndata: tick 2\ndata: by hyper\n\n\
         id: 3\ndata: tick 3\ndata: by hyper\n\n"
    );
    let resumed = open(address, Some("2")).await.bytes().await.unwrap();
    assert_eq!(resumed, "id: 3\ndata: tick 3\ndata: by hyper\n\n");
}

#[tokio::test]
async fn an_idle_stream_carries_keep_alive_comments() {
    let address = serve(|_| {
        Sse::new(Box::pin(stream::pending()) as Events)
            .keep_alive(Duration::from_millis(50))
            .keep_alive_event(&Event::new().comment("ping"))
            .into_http()
    })
    .await;
    let received = first_bytes(open(address, None).await, 16).await;
    assert_eq!(&received[..16], b": ping\n\n: ping\n\n");
}

#[tokio::test]
async fn shutdown_ends_every_open_stream_with_the_farewell() {
    let (stop, stopped) = watch::channel(false);
    let address = serve(move |_| {
        let mut stopped = stopped.clone();
        Sse::new(Box::pin(stream::pending()) as Events)
            .shutdown(async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            })
            .farewell(&Event::new().retry(Duration::from_secs(5)))
            .into_http()
    })
    .await;
    let (first, second) = (open(address, None).await, open(address, None).await);
    stop.send(true).unwrap();
    for response in [first, second] {
        let rest = tokio::time::timeout(WAIT, response.bytes())
            .await
            .expect("the stream ends in time")
            .unwrap();
        assert_eq!(rest, "retry: 5000\n\n");
    }
}

#[tokio::test]
async fn a_client_leaving_drops_the_body_and_tells_the_job() {
    let (report, mut reports) = mpsc::unbounded_channel();
    let address = serve(move |_| {
        let (sender, receiver) = channel(16);
        sender.send(Event::new().data("hello")).unwrap();
        let report = report.clone();
        tokio::spawn(async move {
            let _ = report.send(sender.closed().await);
        });
        Sse::new(Box::pin(receiver) as Events).into_http()
    })
    .await;
    let response = open(address, None).await;
    assert_eq!(first_bytes(response, 13).await, b"data: hello\n\n");
    let reason = tokio::time::timeout(WAIT, reports.recv())
        .await
        .expect("the job was told in time")
        .unwrap();
    assert_eq!(reason, SendError::Disconnected);
}
