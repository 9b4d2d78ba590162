//! Nothing lost, nothing twice: a real server cuts connections at seeded random points (some
//! in the middle of an event) and a real client using `Reconnect` and `Last-Event-ID` must
//! receive every event exactly once, in order, across at least 20 drops.

#[path = "../examples/follow/mod.rs"]
mod follow;
mod support;

use axum::body::Body;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use futures::{stream, StreamExt};
use sse_wire::{Event, Reconnect, ReconnectConfig};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::Rng;

const TOTAL: u64 = 300;

struct Flaky {
    rng: Mutex<Rng>,
    drops: AtomicU32,
}

fn event(n: u64) -> Bytes {
    Event::new()
        .id(n)
        .data(format!("event {n}\nsecond line of {n}"))
        .to_bytes()
}

/// Serves events after `Last-Event-ID`, then cuts the connection after a random number of
/// them, half the time in the middle of the next event.
async fn events(flaky: Arc<Flaky>, headers: HeaderMap) -> Response {
    let after: u64 = headers
        .get(sse_wire::http::LAST_EVENT_ID)
        .and_then(|value| value.to_str().ok()?.parse().ok())
        .unwrap_or(0);
    let (count, cut_mid_event) = {
        let mut rng = flaky.rng.lock().unwrap();
        (1 + rng.below(12), rng.below(2) == 0)
    };
    let last = (after + count).min(TOTAL);
    let mut chunks: Vec<Result<Bytes, std::io::Error>> =
        vec![Ok(Event::new().retry(Duration::from_millis(2)).to_bytes())];
    chunks.extend((after + 1..=last).map(|n| Ok(event(n))));
    if last < TOTAL {
        flaky.drops.fetch_add(1, Ordering::SeqCst);
        if cut_mid_event {
            let next = event(last + 1);
            chunks.push(Ok(next.slice(..next.len() / 2)));
        }
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
        drops: AtomicU32::new(0),
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

    let client = reqwest::Client::new();
    let config = ReconnectConfig::default()
        .min_delay(Duration::from_millis(1))
        .max_delay(Duration::from_millis(20));
    let mut policy = Reconnect::new(config, 7);
    let mut received = Vec::new();
    let run = follow::follow(
        || client.get(format!("http://{address}/events")),
        &mut policy,
        |message| {
            let n: u64 = message.last_event_id().parse().unwrap();
            assert_eq!(message.data(), format!("event {n}\nsecond line of {n}"));
            received.push(n);
            if n == TOTAL {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    );
    let followed = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("finished in time");

    assert_eq!(
        received,
        (1..=TOTAL).collect::<Vec<_>>(),
        "every event once, in order"
    );
    let drops = flaky.drops.load(Ordering::SeqCst);
    println!(
        "{TOTAL} events over {} connections ({drops} drops)",
        followed.connections
    );
    assert!(drops >= 20, "only {drops} drops");
    assert_eq!(followed.connections, drops + 1);
    assert!(followed.stopped.is_none());
    assert_eq!(policy.server_retry(), Some(Duration::from_millis(2)));
}
