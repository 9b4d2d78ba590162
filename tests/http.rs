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

    let everyone = dashboard
        .publish(
            Audience::Everyone,
            notification("line one\nline two, ünïcödé ✓"),
        )
        .await
        .unwrap();
    let bob = dashboard
        .publish(Audience::User("bob"), notification("for bob only"))
        .await
        .unwrap();
    let ann = dashboard
        .publish(Audience::User("ann"), Event::new().data(r#"{"for":"ann"}"#))
        .await
        .unwrap();
    assert!(everyone.as_str() < bob.as_str() && bob.as_str() < ann.as_str());

    let first = next(&mut events).await;
    assert_eq!(
        (first.event_type(), first.data(), first.last_event_id()),
        (
            "notification",
            "line one\nline two, ünïcödé ✓",
            everyone.as_str()
        )
    );
    let second = next(&mut events).await;
    assert_eq!(
        (second.event_type(), second.data(), second.last_event_id()),
        ("message", r#"{"for":"ann"}"#, ann.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_event_id_resumes_from_the_history_or_asks_for_a_resync() {
    let (address, dashboard) = dashboard::start(config()).await;
    let mut ids = Vec::new();
    for text in ["a", "b", "c"] {
        ids.push(
            dashboard
                .publish(Audience::Everyone, notification(text))
                .await
                .unwrap(),
        );
    }
    let mut events = subscribe(address, "?user=ann", Some(ids[0].as_str())).await;
    assert_eq!(next(&mut events).await.data(), "b");
    assert_eq!(next(&mut events).await.data(), "c");
    let live = dashboard
        .publish(Audience::Everyone, notification("d"))
        .await
        .unwrap();
    let message = next(&mut events).await;
    assert_eq!(
        (message.data(), message.last_event_id()),
        ("d", live.as_str())
    );

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restart_an_old_last_event_id_gets_resync_not_the_new_processs_events() {
    // Measured on the old demo: `Last-Event-ID: 1` was answered from the restarted server's
    // event 2 as if the old stream went on, a silent gap.
    let (old_address, old) = dashboard::start(config()).await;
    let mut before = subscribe(old_address, "", None).await;
    until("the subscription", || old.subscribers() == 1).await;
    for text in ["old 1", "old 2"] {
        old.publish(Audience::Everyone, notification(text))
            .await
            .unwrap();
    }
    let seen = next(&mut before).await;
    assert_eq!(seen.data(), "old 1");
    drop(before);
    old.shutdown();

    let (address, restarted) = dashboard::start(config()).await;
    for text in ["new 1", "new 2", "new 3"] {
        restarted
            .publish(Audience::Everyone, notification(text))
            .await
            .unwrap();
    }
    for last_event_id in [seen.last_event_id(), "1"] {
        let mut events = subscribe(address, "", Some(last_event_id)).await;
        let first = next(&mut events).await;
        assert_eq!(
            first.event_type(),
            "resync",
            "Last-Event-ID {last_event_id}"
        );
        let live = restarted
            .publish(Audience::Everyone, notification("live"))
            .await
            .unwrap();
        let message = next(&mut events).await;
        assert_eq!(
            (message.data(), message.last_event_id()),
            ("live", live.as_str()),
            "nothing from before the reconnection"
        );
    }
}

/// A client that stops reading: the publisher goes on without waiting, the server holds no
/// more than the bounded history for it, and once the client reads again it gets what was
/// still in flight, then the resync signal, and its stream ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_never_holds_up_the_publisher_and_gets_resync() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const EVENTS: usize = 300;
    let (address, dashboard) = dashboard::start(Config {
        hub: sse_wire::hub::HubConfig::default().history_events(16),
        ..config()
    })
    .await;
    let mut stalled = tokio::net::TcpStream::connect(address).await.unwrap();
    stalled
        .write_all(b"GET /events HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    until("the subscription", || dashboard.subscribers() == 1).await;

    // 300 events of 64 KiB, far more than the socket buffers hold: the client reads nothing.
    let payload = "x".repeat(64 * 1024);
    let publishing = async {
        for n in 0..EVENTS {
            dashboard
                .publish(
                    Audience::Everyone,
                    Event::new().data(format!("{n} {payload}")),
                )
                .await
                .unwrap();
        }
    };
    tokio::time::timeout(WAIT, publishing)
        .await
        .expect("publishing never waits for a stalled client");

    // Now it reads: the events that were on their way, in order, then resync, then the end.
    let mut received = Vec::new();
    tokio::time::timeout(WAIT, stalled.read_to_end(&mut received))
        .await
        .expect("the server ends the stream")
        .unwrap();
    let body = &received[received.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
    // The body is chunked: decode the chunk contents.
    let mut decoder = sse_wire::Decoder::new();
    let mut rest = body;
    while let Some(line_end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap(), 16).unwrap();
        decoder.push(&rest[line_end + 2..line_end + 2 + size]);
        rest = &rest[line_end + 4 + size..];
    }
    let messages: Vec<Message> = std::iter::from_fn(|| decoder.next_event())
        .map(Result::unwrap)
        .collect();
    let (last, delivered) = messages.split_last().unwrap();
    assert_eq!(last.event_type(), "resync");
    assert!(delivered.len() < EVENTS, "{} delivered", delivered.len());
    for (expected, message) in delivered.iter().enumerate() {
        let n: usize = message.data().split(' ').next().unwrap().parse().unwrap();
        assert_eq!(n, expected, "in order, nothing skipped before the resync");
    }
    until("the stream to leave the hub", || {
        dashboard.subscribers() == 0
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_cut_before_its_first_event_resumes_from_the_resume_point_without_loss() {
    let (address, dashboard) = dashboard::start(config()).await;
    dashboard
        .publish(Audience::Everyone, notification("old"))
        .await
        .unwrap();
    let newest = dashboard
        .publish(Audience::User("bob"), notification("for bob"))
        .await
        .unwrap();
    let mut events = subscribe(address, "?user=ann", None).await;
    // The id-only frame dispatches nothing, but leaves the client an id to come back with.
    let deadline = tokio::time::Instant::now() + WAIT;
    while events.last_event_id().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for the resume point"
        );
        if let Ok(item) = tokio::time::timeout(Duration::from_millis(50), events.next()).await {
            panic!("nothing is dispatched before a live event: {item:?}");
        }
    }
    assert_eq!(events.last_event_id(), newest.as_str());
    let resume = events.last_event_id().to_owned();
    drop(events);
    until("the client gone", || dashboard.subscribers() == 0).await;

    for (audience, text) in [
        (Audience::Everyone, "missed 1"),
        (Audience::User("bob"), "not for ann"),
        (Audience::User("ann"), "missed 2"),
    ] {
        dashboard
            .publish(audience, notification(text))
            .await
            .unwrap();
    }
    let mut back = subscribe(address, "?user=ann", Some(&resume)).await;
    assert_eq!(next(&mut back).await.data(), "missed 1");
    assert_eq!(next(&mut back).await.data(), "missed 2");
    until("the subscription", || dashboard.subscribers() == 1).await;
    dashboard
        .publish(Audience::Everyone, notification("live"))
        .await
        .unwrap();
    assert_eq!(
        next(&mut back).await.data(),
        "live",
        "each missed event once, then live"
    );
}
