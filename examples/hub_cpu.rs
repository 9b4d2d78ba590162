//! CPU per delivered event inside one process, no HTTP: 10,000 subscriber tasks on a 2-thread
//! tokio runtime receive 200 events each, through the hub (alone, or behind `KeepAlive` as a
//! server would), and through `tokio::sync::broadcast` with each subscriber encoding the event
//! itself (what an app on axum's `Sse` does).
//!
//! ```text
//! cargo run --release --example hub_cpu            # all three, one after the other
//! cargo run --release --example hub_cpu -- hub     # one: hub, keep-alive or broadcast
//! ```
//!
//! The time is the process's CPU time (user + system, from `/proc/self/stat`, Linux) spent
//! while the events are published 5 ms apart and delivered, divided by the deliveries.

use futures::StreamExt;
use sse_wire::hub::{Hub, HubConfig, Target};
use sse_wire::stream::KeepAlive;
use sse_wire::Event;
use std::time::Duration;

const SUBSCRIBERS: usize = 10_000;
const EVENTS: usize = 200;

/// CPU seconds used by this process so far.
fn cpu_seconds() -> std::io::Result<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|field| field.parse::<f64>().ok())
    };
    match (ticks(11), ticks(12)) {
        // Clock ticks are 1/100 s on Linux.
        (Some(user), Some(system)) => Ok((user + system) / 100.0),
        _ => Err(std::io::Error::other("unexpected /proc/self/stat")),
    }
}

fn data(n: usize) -> String {
    format!(r#"{{"n":{n},"text":"your order has shipped","at":"2026-11-24T06:00:00Z"}}"#)
}

async fn run(mode: &str) -> std::io::Result<f64> {
    let hub = Hub::new(HubConfig::default());
    let (sender, _) = tokio::sync::broadcast::channel::<String>(1024);
    let (done, mut finished) = tokio::sync::mpsc::unbounded_channel();
    for _ in 0..SUBSCRIBERS {
        let done = done.clone();
        match mode {
            "broadcast" => {
                let mut receiver = sender.subscribe();
                tokio::spawn(async move {
                    for _ in 0..EVENTS {
                        let Ok(data) = receiver.recv().await else {
                            break;
                        };
                        std::hint::black_box(Event::new().data(data).to_bytes());
                    }
                    let _ = done.send(());
                });
            }
            _ => {
                let events = hub
                    .subscribe(&[], None)
                    .await
                    .map_err(std::io::Error::other)?;
                let keep_alive = mode == "keep-alive";
                tokio::spawn(async move {
                    let mut events = if keep_alive {
                        KeepAlive::tokio(events, Duration::from_secs(15)).boxed()
                    } else {
                        events.boxed()
                    };
                    for _ in 0..EVENTS {
                        let Some(Ok(bytes)) = events.next().await else {
                            break;
                        };
                        std::hint::black_box(bytes);
                    }
                    let _ = done.send(());
                });
            }
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = cpu_seconds()?;
    for n in 0..EVENTS {
        if mode == "broadcast" {
            let _ = sender.send(data(n));
        } else {
            let event = Event::new().data(data(n));
            hub.publish(Target::Everyone, event)
                .await
                .map_err(std::io::Error::other)?;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for _ in 0..SUBSCRIBERS {
        finished.recv().await;
    }
    Ok((cpu_seconds()? - before) * 1e9 / (SUBSCRIBERS * EVENTS) as f64)
}

fn main() -> std::io::Result<()> {
    let modes: Vec<String> = match std::env::args().nth(1) {
        Some(mode) => vec![mode],
        None => ["hub", "keep-alive", "broadcast"]
            .map(String::from)
            .to_vec(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    for mode in modes {
        let nanos = runtime.block_on(run(&mode))?;
        println!("{mode:>10}: {nanos:.0} ns CPU per delivered event");
    }
    Ok(())
}
