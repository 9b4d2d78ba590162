//! Two instances of the dashboard app sharing their events through Redis Streams, as behind
//! a load balancer: the same [`Hub`](sse_wire::hub::Hub) API, the Redis backend.
//!
//! ```text
//! redis-server --port 6379 &
//! cargo run --example redis_fanout                 # instances on :3010 and :3011
//! curl -N http://127.0.0.1:3010/events             # follow through instance A
//! curl -N -H 'Last-Event-ID: <an id>' http://127.0.0.1:3011/events   # resume on B
//! curl -X POST -H 'content-type: application/json' -d '{"text":"hi"}' http://127.0.0.1:3011/notify
//! ```
//!
//! `REDIS_URL` (default `redis://127.0.0.1:6379`) picks the broker. Each instance publishes
//! its `metrics` every 5 s; every instance sends every event, with the Redis entry id as the
//! SSE id, and a client resumes on either, even after both restarted.

mod dashboard;

use dashboard::{Config, Dashboard};
use sse_wire::hub::Hub;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let config = Config::default();
    let mut instances = Vec::new();
    for port in [3010, 3011] {
        let hub = Hub::redis(&url, "sse-wire:demo", config.hub.clone()).await?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        println!("instance on http://{}/", listener.local_addr()?);
        let dashboard = Dashboard::with_hub(config.clone(), hub);
        instances.push(tokio::spawn(dashboard::serve(listener, dashboard)));
    }
    for instance in instances {
        instance.await??;
    }
    Ok(())
}
