//! Nothing lost, nothing twice: a real server cuts connections at seeded random points (some
//! in the middle of an event), sets a short `retry`, and now and then advances the id with a
//! block without data; the library's `EventSource` must receive every event exactly once, in
//! order, across at least 20 drops, sending the right `Last-Event-ID` on every reconnect.

#![cfg(feature = "reqwest")]

mod support;

use axum::body::Body;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use futures::{stream, StreamExt};
use sse_wire::client::{ClientEvent, Disconnect, EventSource};
use sse_wire::{Event, Reconnect, ReconnectConfig};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::Rng;

const TOTAL: u64 = 300;

/// Every `SILENT`-th id is sent as an id-only block: it moves the id, dispatches nothing.
const SILENT: u64 = 7;

/// One connection as the server saw it.
#[derive(Debug)]
struct Connection {
    /// The `Last-Event-ID` the client sent.
    sent: Option<u64>,
    /// The last id the server sent whole (what the client must send next time).
    committed: u64,
}

struct Flaky {
    rng: Mutex<Rng>,
    connections: Mutex<Vec<Connection>>,
}

fn event(n: u64) -> Bytes {
    if n % SILENT == 0 {
        return Event::new().id(n).to_bytes();
    }
    Event::new()
        .id(n)
        .data(format!("event {n}\nsecond line of {n}"))
        .to_bytes()
}

/// Serves events after `Last-Event-ID`, then cuts the connection after a random number of
/// them, half the time in the middle of the next event.
async fn events(flaky: Arc<Flaky>, headers: HeaderMap) -> Response {
    let sent: Option<u64> = headers
        .get(sse_wire::http::LAST_EVENT_ID)
        .map(|value| value.to_str().unwrap().parse().unwrap());
    let after = sent.unwrap_or(0);
    let (count, cut_mid_event) = {
        let mut rng = flaky.rng.lock().unwrap();
        (1 + rng.below(12), rng.below(2) == 0)
    };
    let last = (after + count).min(TOTAL);
    flaky.connections.lock().unwrap().push(Connection {
        sent,
        committed: last,
    });
    let mut chunks: Vec<Result<Bytes, std::io::Error>> =
        vec![Ok(Event::new().retry(Duration::from_millis(2)).to_bytes())];
    chunks.extend((after + 1..=last).map(|n| Ok(event(n))));
    if last < TOTAL && cut_mid_event {
        let next = event(last + 1);
        chunks.push(Ok(next.slice(..next.len() / 2)));
    }
    let cut = (last < TOTAL).then_some(async {
        // Let the server flush what came before, then make it abort the connection: an
        // error from the body ends the response mid-stream.
        tokio::time::sleep(Duration::from_millis(5)).await;
        Err(std::io::Error::other("connection cut by the test"))
    });
    let body = stream::iter(chunks).chain(stream::iter(cut).then(|cut| cut));
    let mut response = Response::new(Body::from_stream(body));
    response.headers_mut().insert(
        "content-type",
        sse_wire::http::CONTENT_TYPE.parse().unwrap(),
    );
    response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_exactly_once_in_order_across_random_drops() {
    let flaky = Arc::new(Flaky {
        rng: Mutex::new(Rng(0x5EED_2026)),
        connections: Mutex::default(),
    });
    let app = Router::new().route(
        "/events",
        get({
            let flaky = flaky.clone();
            move |headers| events(flaky.clone(), headers)
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let config = ReconnectConfig::default()
        .min_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(20));
    let mut events = EventSource::get(format!("http://{address}/events"))
        .policy(Reconnect::with_seed(config, 7));
    let mut received = Vec::new();
    let mut drops = 0;
    let run = async {
        while let Some(item) = events.next().await {
            match item.unwrap() {
                ClientEvent::Message(message) => {
                    let n: u64 = message.last_event_id().parse().unwrap();
                    assert_eq!(message.data(), format!("event {n}\nsecond line of {n}"));
                    assert_eq!(message.id().unwrap(), message.last_event_id());
                    received.push(n);
                    if n == TOTAL {
                        break;
                    }
                }
                ClientEvent::Reconnecting { delay, cause, .. } => {
                    assert!(matches!(cause, Disconnect::Transport(_)), "{cause}");
                    assert!(delay >= Duration::from_millis(2), "never below the retry");
                    drops += 1;
                }
                ClientEvent::Open => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("finished in time");

    let expected: Vec<u64> = (1..=TOTAL).filter(|n| n % SILENT != 0).collect();
    assert_eq!(received, expected, "every event once, in order");
    let connections = flaky.connections.lock().unwrap();
    println!(
        "{TOTAL} ids over {} connections ({drops} drops)",
        connections.len()
    );
    assert!(drops >= 20, "only {drops} drops");
    assert_eq!(connections.len(), drops + 1);
    assert_eq!(connections[0].sent, None);
    for pair in connections.windows(2) {
        assert_eq!(
            pair[1].sent,
            Some(pair[0].committed),
            "the Last-Event-ID after a drop is the last id committed, id-only blocks included"
        );
    }
    assert_eq!(
        events.reconnect_policy().server_retry(),
        Some(Duration::from_millis(2))
    );
}
