//! Scale-out on Redis Streams with a real `redis-server`: two server instances share one
//! stream; a client that followed instance A and reconnects to instance B with its
//! `Last-Event-ID` gets exactly the events it missed, then live ones.

#[path = "../examples/redis_hub/mod.rs"]
mod redis_hub;
mod support;

use futures::StreamExt;
use redis_hub::Hub;
use sse_wire::Message;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::Events;

/// Stops redis-server when the test ends, passed or failed.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn start_redis() -> (Server, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
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

async fn subscribe(address: SocketAddr, last_event_id: Option<&str>) -> Events {
    support::events(support::get(format!("http://{address}/events"), last_event_id).await)
}

async fn next(events: &mut Events) -> Message {
    tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("an event in time")
        .unwrap()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: run by scripts/test-all"]
async fn a_client_resumes_on_the_other_instance_with_exactly_what_it_missed() {
    let (_redis, url) = start_redis().await;
    let instance_a = Hub::new(&url, "sse-wire:test").unwrap();
    let instance_b = Hub::new(&url, "sse-wire:test").unwrap();
    let address_a = redis_hub::start(instance_a.clone()).await;
    let address_b = redis_hub::start(instance_b.clone()).await;

    // Follow A while A publishes three events.
    // The instance fixes its starting id before answering, so nothing published after the
    // response head arrived can be missed.
    let mut on_a = subscribe(address_a, None).await;
    for n in 1..=3 {
        instance_a
            .publish("update", &format!("before {n}"))
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

    // While the client is away, events go in through A.
    let mut missed_ids = Vec::new();
    for n in 1..=4 {
        missed_ids.push(
            instance_a
                .publish("update", &format!("missed {n}"))
                .await
                .unwrap(),
        );
    }

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
            id,
            "the Redis entry id is the SSE id"
        );
    }
    // Then live events, published through A, arrive on B: nothing missed, nothing twice.
    let live_id = instance_a.publish("update", "live").await.unwrap();
    let live = next(&mut on_b).await;
    assert_eq!(
        (live.data(), live.last_event_id()),
        ("live", live_id.as_str())
    );
}
