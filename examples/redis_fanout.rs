//! Several server processes behind a load balancer, sharing events through Redis Streams.
//!
//! ```text
//! redis-server --port 6379 &
//! cargo run --example redis_fanout                 # instances on :3010 and :3011
//! curl -N http://127.0.0.1:3010/events             # follow through instance A
//! curl -N -H 'Last-Event-ID: <an id>' http://127.0.0.1:3011/events   # resume on B
//! curl -X POST -H 'content-type: application/json' -d '{"data":"hi"}' http://127.0.0.1:3011/publish
//! ```
//!
//! `REDIS_URL` (default `redis://127.0.0.1:6379`) picks the broker. A `tick` is published
//! every 2 s, alternately through each instance; every instance sends every event.

mod redis_hub;

use redis_hub::Hub;
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let hubs = [
        Hub::new(&url, "sse-wire:demo")?,
        Hub::new(&url, "sse-wire:demo")?,
    ];
    for (hub, port) in hubs.iter().zip([3010, 3011]) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        println!("instance on http://{}/events", listener.local_addr()?);
        tokio::spawn(redis_hub::serve(listener, hub.clone()));
    }
    for tick in 0_u64.. {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let hub = &hubs[(tick % 2) as usize];
        let id = hub
            .publish(
                "tick",
                &format!(
                    "tick {tick} via instance {}",
                    ["A", "B"][(tick % 2) as usize]
                ),
            )
            .await?;
        println!("published {id}");
    }
    Ok(())
}
