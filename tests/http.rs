//! The demo app on a real socket with a real HTTP client: status and headers, the exact event
//! sequence, per-user routing, resume, keep-alive on an idle stream, graceful shutdown, and
//! the server dropping a stream's source when its client goes away.

#[path = "../examples/dashboard/mod.rs"]
mod dashboard;
mod support;

use dashboard::{Audience, Config};
use futures::StreamExt;
use sse_wire::stream::DecodeStream;
use sse_wire::{Event, Message};
use std::net::SocketAddr;
use std::time::Duration;
use support::{get, Events};

const WAIT: Duration = Duration::from_secs(10);

fn config() -> Config {
    Config {
        keep_alive: Duration::from_millis(200),
        tick: None,
        ..Config::default()
    }
}

async fn subscribe(address: SocketAddr, query: &str, last_event_id: Option<&str>) -> Events {
    support::events(get(format!("http://{address}/events{query}"), last_event_id).await)
}

async fn next(events: &mut Events) -> Message {
    tokio::time::timeout(WAIT, events.next())
        .await
        .expect("an event in time")
        .expect("open")
        .unwrap()
}

async fn until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn notification(data: &str) -> Event {
    Event::new().event("notification").data(data.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_headers_and_the_exact_event_sequence() {
    let (address, dashboard) = dashboard::start(config()).await;
    let response = get(format!("http://{address}/events?user=ann"), None).await;
    let headers = response.headers();
    assert_eq!(response.status(), 200);
    assert_eq!(headers["content-type"], "text/event-stream");
    assert_eq!(headers["cache-control"], "no-cache");
    assert_eq!(headers["x-accel-buffering"], "no");
    let mut events = support::events(response);
    until("the subscription", || dashboard.subscribers() == 1).await;

    dashboard.publish(
        Audience::Everyone,
        notification("line one\nline two, ünïcödé ✓"),
    );
    dashboard.publish(Audience::User("bob"), notification("for bob only"));
    dashboard.publish(Audience::User("ann"), Event::new().data(r#"{"for":"ann"}"#));

    let first = next(&mut events).await;
    assert_eq!(
        (first.event_type(), first.data(), first.last_event_id()),
        ("notification", "line one\nline two, ünïcödé ✓", "1")
    );
    let second = next(&mut events).await;
    assert_eq!(
        (second.event_type(), second.data(), second.last_event_id()),
        ("message", r#"{"for":"ann"}"#, "3")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_event_id_resumes_from_the_history_or_asks_for_a_resync() {
    let (address, dashboard) = dashboard::start(config()).await;
    for text in ["a", "b", "c"] {
        dashboard.publish(Audience::Everyone, notification(text));
    }
    let mut events = subscribe(address, "", Some("1")).await;
    assert_eq!(next(&mut events).await.data(), "b");
    assert_eq!(next(&mut events).await.data(), "c");
    dashboard.publish(Audience::Everyone, notification("d"));
    let live = next(&mut events).await;
    assert_eq!((live.data(), live.last_event_id()), ("d", "4"));

    let mut lost = subscribe(address, "", Some("no-such-id")).await;
    assert_eq!(next(&mut lost).await.event_type(), "resync");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_stream_carries_keep_alive_comments() {
    let (address, _dashboard) = dashboard::start(config()).await;
    let response = get(format!("http://{address}/events"), None).await;
    let mut body = Box::pin(response.bytes_stream());
    let mut received = Vec::new();
    while received.len() < 6 {
        let chunk = tokio::time::timeout(WAIT, body.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        received.extend_from_slice(&chunk);
    }
    assert_eq!(
        &received[..6],
        b":\n\n:\n\n",
        "two keep-alives and nothing else on a quiet stream"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_client_drops_the_servers_source_stream() {
    let (address, dashboard) = dashboard::start(config()).await;
    let events = subscribe(address, "?user=gone", None).await;
    until("the subscription", || dashboard.subscribers() == 1).await;
    drop(events);
    until("the server to drop the stream's source", || {
        dashboard.subscribers() == 0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_progress_stream_ends_with_done() {
    let (address, _dashboard) = dashboard::start(config()).await;
    let response = get(
        format!("http://{address}/tasks/progress?steps=3&interval_ms=1"),
        None,
    )
    .await;
    let messages: Vec<Message> = DecodeStream::new(response.bytes_stream())
        .map(|item| item.unwrap())
        .collect()
        .await;
    let types: Vec<&str> = messages.iter().map(Message::event_type).collect();
    assert_eq!(types, ["progress", "progress", "progress", "done"]);
    assert_eq!(messages[2].data(), r#"{"of":3,"percent":100,"step":3}"#);
    assert_eq!(messages[3].data(), "all 3 steps finished\nresult: ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_sends_a_farewell_retry_and_ends_the_stream() {
    let (address, dashboard) = dashboard::start(config()).await;
    let response = get(format!("http://{address}/events"), None).await;
    let mut events = support::events(response);
    until("the subscription", || dashboard.subscribers() == 1).await;
    dashboard.shutdown();
    let end = tokio::time::timeout(WAIT, events.next())
        .await
        .expect("the stream ends in time");
    assert!(
        end.is_none(),
        "a retry-only farewell dispatches no event: {end:?}"
    );
    assert_eq!(events.retry(), Some(Duration::from_secs(5)));
}
