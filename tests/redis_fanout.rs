//! The hub's Redis Streams backend with a real `redis-server` (started by each test on a
//! free loopback port): two instances of the demo app share one stream; a client resumes on
//! the other instance, and on a restarted one, with exactly what it missed; the reader
//! reconnects after its connection is cut without losing or repeating an event; trimmed
//! history gets the resync signal; an unreachable Redis is a clear error.
#![cfg(feature = "redis")]

#[path = "../examples/dashboard/mod.rs"]
mod dashboard;
mod support;

use dashboard::{Audience, Config, Dashboard};
use futures::StreamExt;
use sse_wire::hub::{Hub, HubConfig, HubError, Subscription, Target};
use sse_wire::{Decoder, Event, EventId, Message};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::Events;

const WAIT: Duration = Duration::from_secs(10);
const KEY: &str = "sse-wire:test";

/// Stops redis-server when the test ends, passed or failed.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_redis() -> (Server, String) {
    start_redis_on(free_port()).await
}

async fn start_redis_on(port: u16) -> (Server, String) {
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server must be installed (scripts/test-all installs it)");
    let server = Server(child);
    let url = format!("redis://127.0.0.1:{port}");
    let client = redis::Client::open(url.as_str()).unwrap();
    let started = Instant::now();
    loop {
        if let Ok(mut connection) = client.get_multiplexed_async_connection().await {
            if redis::cmd("PING")
                .query_async::<String>(&mut connection)
                .await
                .is_ok()
            {
                return (server, url);
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "redis-server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How many `XRANGE`s Redis has answered so far.
async fn xrange_calls(url: &str) -> u64 {
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let stats: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut connection)
        .await
        .unwrap();
    stats
        .lines()
        .find_map(|line| line.strip_prefix("cmdstat_xrange:calls="))
        .map_or(0, |rest| rest.split(',').next().unwrap().parse().unwrap())
}

fn config() -> Config {
    Config {
        tick: None,
        ..Config::default()
    }
}

async fn instance(url: &str) -> (SocketAddr, Dashboard) {
    let hub = Hub::redis(url, KEY, HubConfig::default()).await.unwrap();
    dashboard::start_on(config(), hub).await
}

async fn subscribe(address: SocketAddr, last_event_id: Option<&str>) -> Events {
    support::events(support::get(format!("http://{address}/events"), last_event_id).await)
}

async fn next(events: &mut Events) -> Message {
    tokio::time::timeout(WAIT, events.next())
        .await
        .expect("an event in time")
        .unwrap()
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

fn update(data: String) -> Event {
    Event::new().event("update").data(data)
}

/// The next event of a subscription, decoded.
async fn next_message(subscription: &mut Subscription) -> Message {
    let bytes = tokio::time::timeout(WAIT, subscription.next())
        .await
        .expect("an event in time")
        .expect("open")
        .unwrap();
    let mut decoder = Decoder::new();
    decoder.push_bytes(bytes);
    decoder.next_event().expect("one event").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: run by scripts/test-all"]
async fn a_client_resumes_on_the_other_instance_with_exactly_what_it_missed() {
    let (_redis, url) = start_redis().await;
    let (address_a, instance_a) = instance(&url).await;
    let (address_b, _instance_b) = instance(&url).await;

    // Follow A while A publishes three events.
    let mut on_a = subscribe(address_a, None).await;
    until("the subscription", || instance_a.subscribers() == 1).await;
    for n in 1..=3 {
        instance_a
            .publish(Audience::Everyone, update(format!("before {n}")))
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(next(&mut on_a).await);
    }
    assert_eq!(
        seen.iter().map(Message::data).collect::<Vec<_>>(),
        ["before 1", "before 2", "before 3"]
    );
    let last_id = seen[2].last_event_id().to_owned();
    drop(on_a);

    // While the client is away, events go in through A, one of them for another user.
    let mut missed_ids = Vec::new();
    for n in 1..=4 {
        missed_ids.push(
            instance_a
                .publish(Audience::Everyone, update(format!("missed {n}")))
                .await
                .unwrap(),
        );
    }
    instance_a
        .publish(Audience::User("someone-else"), update("private".into()))
        .await
        .unwrap();

    // It comes back through B with its Last-Event-ID.
    let mut on_b = subscribe(address_b, Some(&last_id)).await;
    for (n, id) in missed_ids.iter().enumerate() {
        let message = next(&mut on_b).await;
        assert_eq!(
            (message.event_type(), message.data()),
            ("update", format!("missed {}", n + 1).as_str())
        );
        assert_eq!(
            message.last_event_id(),
            id.as_str(),
            "the Redis entry id is the SSE id"
        );
    }
    // Then live events, published through A, arrive on B: nothing missed, nothing twice.
    let live_id = instance_a
        .publish(Audience::Everyone, update("live".into()))
        .await
        .unwrap();
    let live = next(&mut on_b).await;
    assert_eq!(
        (live.data(), live.last_event_id()),
        ("live", live_id.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: run by scripts/test-all"]
async fn a_restarted_instance_resumes_the_client_from_redis_instead_of_resyncing() {
    let (_redis, url) = start_redis().await;
    let (address, before) = instance(&url).await;
    let mut events = subscribe(address, None).await;
    until("the subscription", || before.subscribers() == 1).await;
    before
        .publish(Audience::Everyone, update("seen".into()))
        .await
        .unwrap();
    let seen = next(&mut events).await;
    drop(events);
    before.shutdown();
    drop(before);

    // The process is gone; events keep coming through another instance meanwhile.
    let other = Hub::redis(&url, KEY, HubConfig::default()).await.unwrap();
    let missed = other
        .publish(Target::Everyone, update("missed".into()))
        .await
        .unwrap();

    let (address, restarted) = instance(&url).await;
    let calls = xrange_calls(&url).await;
    let mut events = subscribe(address, Some(seen.last_event_id())).await;
    let message = next(&mut events).await;
    assert_eq!(
        (message.data(), message.last_event_id()),
        ("missed", missed.as_str())
    );
    assert_eq!(
        xrange_calls(&url).await,
        calls,
        "recent history is loaded at start: resumed from memory"
    );
    let live = restarted
        .publish(Audience::Everyone, update("live".into()))
        .await
        .unwrap();
    let message = next(&mut events).await;
    assert_eq!(
        (message.data(), message.last_event_id()),
        ("live", live.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: run by scripts/test-all"]
async fn the_reader_reconnects_after_a_cut_and_loses_or_repeats_nothing() {
    let (_redis, url) = start_redis().await;
    let publisher = Hub::redis(&url, KEY, HubConfig::default()).await.unwrap();
    let reader = Hub::redis(&url, KEY, HubConfig::default()).await.unwrap();
    let mut subscription = reader.subscribe(&["t"], None).await.unwrap();
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut control = client.get_multiplexed_async_connection().await.unwrap();

    let mut expected = Vec::new();
    let mut received = Vec::new();
    for round in 0..5 {
        for n in 0..20 {
            let data = format!("{round}.{n}");
            // The cut also broke the publisher's connection: its next call reconnects.
            let id = match publisher.publish("t", update(data.clone())).await {
                Ok(id) => id,
                Err(HubError::Redis { .. }) => publisher.publish("t", update(data)).await.unwrap(),
                Err(other) => panic!("{other}"),
            };
            expected.push(id);
        }
        // Cut every connection but this one: the reader's blocking XREAD included.
        let killed: i64 = redis::cmd("CLIENT")
            .arg(&["KILL", "TYPE", "normal", "SKIPME", "yes"])
            .query_async(&mut control)
            .await
            .unwrap();
        assert!(killed >= 2, "killed {killed} connections");
    }
    for _ in 0..expected.len() {
        received.push(
            next_message(&mut subscription)
                .await
                .last_event_id()
                .to_owned(),
        );
    }
    let expected: Vec<String> = expected.iter().map(|id| id.as_str().to_owned()).collect();
    assert_eq!(received, expected);
    let extra = tokio::time::timeout(Duration::from_millis(300), subscription.next()).await;
    assert!(extra.is_err(), "nothing twice: {extra:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: run by scripts/test-all"]
async fn topics_route_across_instances_and_trimmed_history_gets_resync() {
    let (_redis, url) = start_redis().await;
    let config = HubConfig::default().history_events(16).stream_max_len(10);
    let a = Hub::redis(&url, KEY, config.clone()).await.unwrap();
    let b = Hub::redis(&url, KEY, config).await.unwrap();
    let mut ann = b.subscribe(&["user:ann"], None).await.unwrap();
    let first = a.publish("user:bob", update("bob".into())).await.unwrap();
    a.publish(&["user:ann", "user:bob"], update("both".into()))
        .await
        .unwrap();
    a.publish(Target::Everyone, update("all".into()))
        .await
        .unwrap();
    assert_eq!(next_message(&mut ann).await.data(), "both");
    assert_eq!(next_message(&mut ann).await.data(), "all");

    // A third instance, started now, loaded the recent entries: ann's events only.
    let c = Hub::redis(&url, KEY, HubConfig::default()).await.unwrap();
    let mut resumed = c
        .subscribe(&["user:ann"], Some(first.as_str()))
        .await
        .unwrap();
    assert_eq!(next_message(&mut resumed).await.data(), "both");
    assert_eq!(next_message(&mut resumed).await.data(), "all");

    // Hundreds more: Redis trims the stream, the first ids are gone (from c's 1024 events of
    // history too, and from Redis).
    for n in 0..1100 {
        a.publish("user:ann", update(n.to_string())).await.unwrap();
    }
    let calls = xrange_calls(&url).await;
    let mut lost = c
        .subscribe(&["user:ann"], Some(first.as_str()))
        .await
        .unwrap();
    assert_eq!(next_message(&mut lost).await.event_type(), "resync");
    assert_eq!(
        xrange_calls(&url).await,
        calls,
        "XINFO told: no XRANGE needed"
    );
    let mut unknown = c
        .subscribe(&["user:ann"], Some("no-such-id"))
        .await
        .unwrap();
    assert_eq!(next_message(&mut unknown).await.event_type(), "resync");
    let future = EventId::from(u64::MAX);
    let mut ahead = c
        .subscribe(&["user:ann"], Some(&format!("{future}-0")))
        .await
        .unwrap();
    assert_eq!(next_message(&mut ahead).await.event_type(), "resync");
}

#[tokio::test]
async fn an_unreachable_redis_is_a_clear_error() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let error = Hub::redis(&url, KEY, HubConfig::default())
        .await
        .unwrap_err();
    assert!(matches!(error, HubError::Unreachable { .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!("cannot reach redis at 127.0.0.1:{port}")
    );
    let error = Hub::redis("http://nope", KEY, HubConfig::default())
        .await
        .unwrap_err();
    assert_eq!(error.to_string(), "invalid redis url");
}

/// Replay from Redis, then live from the instance's own reader, while events keep coming:
/// instances started in the middle of the run resume clients from ids older than anything
/// they read themselves, and every client gets exactly the events after its id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: run by scripts/test-all"]
async fn replay_from_redis_then_live_under_concurrent_publishing_loses_and_repeats_nothing() {
    const TOTAL: usize = 600;
    let (_redis, url) = start_redis().await;
    let config = HubConfig::default().history_events(64);
    let publisher = Hub::redis(&url, KEY, config.clone()).await.unwrap();
    let (published, mut ids) = tokio::sync::mpsc::unbounded_channel::<EventId>();
    let publishing = {
        let publisher = publisher.clone();
        tokio::spawn(async move {
            for n in 1..=TOTAL {
                let id = publisher.publish("t", update(n.to_string())).await.unwrap();
                published.send(id).unwrap();
            }
        })
    };
    let read_to_the_end = |mut subscription: Subscription| async move {
        let mut received = Vec::new();
        loop {
            let n: usize = next_message(&mut subscription)
                .await
                .data()
                .parse()
                .unwrap();
            received.push(n);
            if n == TOTAL {
                return received;
            }
        }
    };
    let mut history = Vec::new();
    let mut readers = Vec::new();
    while let Some(id) = ids.recv().await {
        history.push(id);
        let n = history.len();
        if n % 50 == 0 {
            // A fresh instance: everything before its start comes from XRANGE, the rest
            // from its reader; 64 events of local history, so older ids also go to Redis.
            let instance = Hub::redis(&url, KEY, config.clone()).await.unwrap();
            for from in [n - 45, n / 2] {
                let subscription = instance
                    .subscribe(&["t"], Some(history[from - 1].as_str()))
                    .await
                    .unwrap();
                readers.push((from, tokio::spawn(read_to_the_end(subscription))));
            }
        }
    }
    publishing.await.unwrap();
    assert_eq!(readers.len(), 2 * (TOTAL / 50));
    for (from, reader) in readers {
        let received = tokio::time::timeout(WAIT, reader).await.unwrap().unwrap();
        let expected: Vec<usize> = (from + 1..=TOTAL).collect();
        assert_eq!(received, expected, "resumed after {from}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: run by scripts/test-all"]
async fn entries_another_program_added_to_the_stream_are_skipped() {
    let (_redis, url) = start_redis().await;
    let hub = Hub::redis(&url, KEY, HubConfig::default()).await.unwrap();
    let mut live = hub.subscribe(&["t"], None).await.unwrap();
    let first = hub.publish("t", update("one".into())).await.unwrap();
    let client = redis::Client::open(url.as_str()).unwrap();
    let mut other = client.get_multiplexed_async_connection().await.unwrap();
    for fields in [&["e", "data: no empty line", "to", "t"][..], &["x", "y"]] {
        let _: String = redis::cmd("XADD")
            .arg(KEY)
            .arg("*")
            .arg(fields)
            .query_async(&mut other)
            .await
            .unwrap();
    }
    let second = hub.publish("t", update("two".into())).await.unwrap();
    for (data, id) in [("one", &first), ("two", &second)] {
        let message = next_message(&mut live).await;
        assert_eq!(
            (message.data(), message.last_event_id()),
            (data, id.as_str())
        );
    }
    // The same from XRANGE: an instance holding only the newest entry resumes from Redis.
    let small = Hub::redis(&url, KEY, HubConfig::default().history_events(1))
        .await
        .unwrap();
    let mut resumed = small.subscribe(&["t"], Some(first.as_str())).await.unwrap();
    assert_eq!(next_message(&mut resumed).await.data(), "two");
    let extra = tokio::time::timeout(Duration::from_millis(300), resumed.next()).await;
    assert!(extra.is_err(), "nothing else: {extra:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: run by scripts/test-all"]
async fn while_redis_is_down_publishing_fails_clearly_and_everything_comes_back_with_it() {
    let port = free_port();
    let (redis, url) = start_redis_on(port).await;
    let hub = Hub::redis(&url, KEY, HubConfig::default()).await.unwrap();
    let mut live = hub.subscribe(&["t"], None).await.unwrap();
    hub.publish("t", update("before".into())).await.unwrap();
    assert_eq!(next_message(&mut live).await.data(), "before");

    drop(redis);
    let error = hub.publish("t", update("lost".into())).await.unwrap_err();
    let again = hub.publish("t", update("lost".into())).await.unwrap_err();
    assert!(
        matches!(
            error,
            HubError::Redis {
                command: "XADD",
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        again.to_string(),
        format!("cannot reach redis at 127.0.0.1:{port}"),
        "the next call tries a new connection"
    );

    // Redis is back (empty: it kept nothing), and so are the publisher and the reader.
    let (_redis, _) = start_redis_on(port).await;
    let id = hub.publish("t", update("after".into())).await.unwrap();
    let message = next_message(&mut live).await;
    assert_eq!(
        (message.data(), message.last_event_id()),
        ("after", id.as_str())
    );
}

/// A subscriber without an id on one instance is told the newest Redis entry id (an id-only
/// frame) and, cut before any live event, resumes on the other instance with exactly what
/// was published since.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: run by scripts/test-all"]
async fn the_resume_point_of_one_instance_resumes_on_another() {
    let (_redis, url) = start_redis().await;
    let a = Hub::redis(&url, KEY, HubConfig::default()).await.unwrap();
    let mut early = a.subscribe(&["t"], None).await.unwrap();
    let nothing = tokio::time::timeout(Duration::from_millis(100), early.next()).await;
    assert!(nothing.is_err(), "no resume point on an empty stream");
    a.publish("t", update("old".into())).await.unwrap();
    let newest = a
        .publish("other", update("elsewhere".into()))
        .await
        .unwrap();

    let b = Hub::redis(&url, KEY, HubConfig::default()).await.unwrap();
    let mut cut = b.subscribe(&["t"], None).await.unwrap();
    let frame = tokio::time::timeout(WAIT, cut.next())
        .await
        .expect("the resume point in time")
        .expect("open")
        .unwrap();
    assert_eq!(frame, format!("id: {newest}\n\n"));
    drop(cut);

    for n in 0..3 {
        a.publish("t", update(format!("missed {n}"))).await.unwrap();
        a.publish("other", update("not for t".into()))
            .await
            .unwrap();
    }
    let mut back = a.subscribe(&["t"], Some(newest.as_str())).await.unwrap();
    for n in 0..3 {
        assert_eq!(next_message(&mut back).await.data(), format!("missed {n}"));
    }
    let extra = tokio::time::timeout(Duration::from_millis(300), back.next()).await;
    assert!(extra.is_err(), "nothing twice: {extra:?}");
}
