//! `Sse` under axum 0.8 on a real loopback socket with a real client (reqwest): headers,
//! exact bytes, keep-alive on an idle stream, shutdown, `Last-Event-ID` resume from a
//! history, and the good-citizen paths (a client leaving, a client that stops reading).

use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use futures::{stream, StreamExt};
use sse_wire::axum::{LastEventId, LastEventIdOrQuery};
use sse_wire::stream::{channel, Outgoing};
use sse_wire::{Event, History, SendError, Sse};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

mod support;
use support::first_bytes;

const WAIT: Duration = Duration::from_secs(10);

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

async fn get_events(url: String, last_event_id: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .get(url)
        .header("accept", sse_wire::http::ACCEPT);
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

/// The whole body of a stream that ends.
async fn body(response: reqwest::Response) -> Bytes {
    tokio::time::timeout(WAIT, response.bytes())
        .await
        .expect("the stream ends in time")
        .unwrap()
}

fn progress(n: u64) -> Event {
    Event::new()
        .event("progress")
        .id(n)
        .data(format!("step {n}\nof 3"))
}

#[tokio::test]
async fn headers_and_the_exact_bytes() {
    async fn events() -> Sse<impl futures::Stream<Item = Outgoing>> {
        let stored = Bytes::from_static(b": stored before\nid: 0\ndata: old\n\n");
        let live = stream::iter((1..=3).map(progress)).map(Outgoing::from);
        Sse::new(stream::iter([Outgoing::from(stored)]).chain(live))
    }
    let address = serve(Router::new().route("/events", get(events))).await;
    let response = get_events(format!("http://{address}/events"), None).await;
    let headers = response.headers();
    assert_eq!(headers["content-type"], "text/event-stream");
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["x-accel-buffering"], "no");
    assert_eq!(
        body(response).await,
        concat!(
            ": stored before\nid: 0\ndata: old\n\n",
            "event: progress\nid: 1\ndata: step 1\ndata: of 3\n\n",
            "event: progress\nid: 2\ndata: step 2\ndata: of 3\n\n",
            "event: progress\nid: 3\ndata: step 3\ndata: of 3\n\n",
        )
    );
}

#[tokio::test]
async fn an_idle_stream_carries_keep_alive_comments() {
    async fn events() -> Sse<stream::Pending<Event>> {
        Sse::new(stream::pending()).keep_alive(Duration::from_millis(50))
    }
    let address = serve(Router::new().route("/events", get(events))).await;
    let response = get_events(format!("http://{address}/events"), None).await;
    assert_eq!(
        &first_bytes(response, 6).await[..6],
        b":\n\n:\n\n",
        "two keep-alives and nothing else on a quiet stream"
    );
}

#[tokio::test]
async fn shutdown_sends_the_farewell_and_ends_the_stream() {
    let (stop, stopped) = watch::channel(false);
    let router = Router::new().route(
        "/events",
        get(move || {
            let mut stopped = stopped.clone();
            async move {
                let live = stream::iter([Event::new().data("live")]).chain(stream::pending());
                Sse::new(live)
                    .shutdown(async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    })
                    .farewell(&Event::new().retry(Duration::from_secs(5)))
            }
        }),
    );
    let address = serve(router).await;
    let response = get_events(format!("http://{address}/events"), None).await;
    let mut chunks = Box::pin(response.bytes_stream());
    let first = tokio::time::timeout(WAIT, chunks.next()).await.unwrap();
    assert_eq!(first.unwrap().unwrap(), "data: live\n\n");
    stop.send(true).unwrap();
    let mut rest = Vec::new();
    while let Some(chunk) = tokio::time::timeout(WAIT, chunks.next())
        .await
        .expect("the stream ends in time")
    {
        rest.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(rest, b"retry: 5000\n\n");
}

/// Events 1 to 5 stored, and event 6 live: the handler resumes a client after its id.
fn resume(after: Option<&str>, history: &History) -> impl axum::response::IntoResponse {
    let replay: Vec<Bytes> = match after {
        Some(id) => history
            .replay_after(id)
            .map(|replay| replay.cloned().collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let live = stream::iter([Event::new().id(6_u32).data("live 6")]);
    Sse::new(live).replay(replay)
}

#[tokio::test]
async fn last_event_id_resumes_from_the_history_header_or_opt_in_query() {
    let mut history = History::new(100, 1 << 20);
    for n in 1..=5_u32 {
        history.record(&Event::new().id(n).data(format!("stored {n}")));
    }
    let history = Arc::new(Mutex::new(history));
    let (for_header, for_query) = (history.clone(), history.clone());
    let router = Router::new()
        .route(
            "/events",
            get(move |last: Option<LastEventId>| async move {
                resume(
                    last.as_ref().map(LastEventId::as_str),
                    &for_header.lock().unwrap(),
                )
            }),
        )
        .route(
            "/events-or-query",
            get(move |last: Option<LastEventIdOrQuery>| async move {
                let last = last.as_ref().map(LastEventIdOrQuery::as_str);
                resume(last, &for_query.lock().unwrap())
            }),
        );
    let address = serve(router).await;
    let expected_after_3 =
        "id: 4\ndata: stored 4\n\nid: 5\ndata: stored 5\n\nid: 6\ndata: live 6\n\n";

    let response = get_events(format!("http://{address}/events"), Some("3")).await;
    assert_eq!(body(response).await, expected_after_3);
    let response = get_events(format!("http://{address}/events"), None).await;
    assert_eq!(body(response).await, "id: 6\ndata: live 6\n\n");
    let response = get_events(format!("http://{address}/events?lastEventId=3"), None).await;
    assert_eq!(
        body(response).await,
        "id: 6\ndata: live 6\n\n",
        "the plain extractor ignores the query"
    );
    let response = get_events(
        format!("http://{address}/events-or-query?lastEventId=3"),
        None,
    )
    .await;
    assert_eq!(body(response).await, expected_after_3);
    let response = get_events(
        format!("http://{address}/events-or-query?lastEventId=1"),
        Some("4"),
    )
    .await;
    assert_eq!(
        body(response).await,
        "id: 5\ndata: stored 5\n\nid: 6\ndata: live 6\n\n",
        "the header wins over the query"
    );

    let response = reqwest::Client::new()
        .get(format!("http://{address}/events"))
        .header(sse_wire::http::LAST_EVENT_ID, &b"\xff"[..])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.text().await.unwrap(),
        "last-event-id is not valid utf-8"
    );
}

/// A route whose handler starts a job for its one listener; the job sends `size`-byte
/// events (at most `max_events`) until the channel refuses one, and reports why.
fn job_route(
    max_queued: usize,
    stall_timeout: Option<Duration>,
    size: usize,
    max_events: usize,
) -> (Router, mpsc::UnboundedReceiver<(SendError, usize)>) {
    let (report, reports) = mpsc::unbounded_channel();
    let payload = Bytes::from(vec![b'x'; size]);
    let router = Router::new().route(
        "/job",
        get(move || {
            let (sender, receiver) = channel(max_queued);
            if let Some(timeout) = stall_timeout {
                sender.stall_timeout(timeout);
            }
            let (report, payload) = (report.clone(), payload.clone());
            tokio::spawn(async move {
                for sent in 0..max_events {
                    if let Err(reason) = sender.send(Event::new().data(payload.clone())) {
                        let _ = report.send((reason, sent));
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                // Never let go within the bound: wait for the listener, so the test sees it.
                let reason = sender.closed().await;
                let _ = report.send((reason, max_events));
            });
            async move { Sse::new(receiver) }
        }),
    );
    (router, reports)
}

#[tokio::test]
async fn a_client_leaving_stops_its_job() {
    let (router, mut reports) = job_route(64, None, 10, 100_000);
    let address = serve(router).await;
    let response = get_events(format!("http://{address}/job"), None).await;
    assert_eq!(&first_bytes(response, 11).await[..11], b"data: xxxxx");
    // `response` is gone: the client closed the connection.
    let (reason, sent) = tokio::time::timeout(WAIT, reports.recv())
        .await
        .expect("the job noticed in time")
        .unwrap();
    assert_eq!(reason, SendError::Disconnected);
    assert!(sent < 100_000, "the job stopped early, after {sent} events");
}

#[tokio::test]
async fn a_client_that_stops_reading_is_let_go_when_it_lags() {
    // 16 KiB events: the socket buffers fill after a few hundred, then 32 more queue up.
    let (router, mut reports) = job_route(32, None, 16 * 1024, 20_000);
    let address = serve(router).await;
    let response = get_events(format!("http://{address}/job"), None).await;
    let (reason, sent) = tokio::time::timeout(WAIT, reports.recv())
        .await
        .expect("the job was told in time")
        .unwrap();
    assert_eq!(reason, SendError::Lagged { limit: 32 });
    assert!(sent < 20_000, "let go after {sent} events");
    eprintln!("lagging client let go after {sent} events of 16 KiB");
    drop(response);
}

#[tokio::test]
async fn a_client_that_stops_reading_is_let_go_after_the_stall_timeout() {
    let timeout = Duration::from_millis(300);
    let (router, mut reports) = job_route(1_000_000, Some(timeout), 16 * 1024, 20_000);
    let address = serve(router).await;
    let response = get_events(format!("http://{address}/job"), None).await;
    let (reason, sent) = tokio::time::timeout(WAIT, reports.recv())
        .await
        .expect("the job was told in time")
        .unwrap();
    assert_eq!(reason, SendError::Stalled { timeout });
    assert!(sent < 20_000, "let go after {sent} events");
    eprintln!("stalled client let go after {sent} events of 16 KiB");
    drop(response);
}
