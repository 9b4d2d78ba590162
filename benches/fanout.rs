//! Fan-out: one event encoded once and handed to 10,000 subscribers as clones of the same
//! `Bytes`, against encoding it again for each subscriber.

// criterion_group! generates undocumented public functions.
#![allow(missing_docs)]

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sse_wire::Event;
use std::collections::VecDeque;

const SUBSCRIBERS: usize = 10_000;

fn event() -> Event {
    Event::new()
        .event("notification")
        .id(123_456_u64)
        .data(r#"{"user":42,"kind":"message","text":"your order has shipped","at":"2026-11-24T06:00:00Z"}"#)
}

fn fanout(c: &mut Criterion) {
    let event = event();
    // Each subscriber's outgoing queue, as a server keeps one per connection.
    let mut queues: Vec<VecDeque<Bytes>> = (0..SUBSCRIBERS)
        .map(|_| VecDeque::with_capacity(4))
        .collect();
    let mut group = c.benchmark_group("fanout/10000_subscribers");
    group.throughput(Throughput::Elements(SUBSCRIBERS as u64));
    group.bench_function("encode_once_clone", |b| {
        b.iter(|| {
            let bytes = event.to_bytes();
            for queue in &mut queues {
                queue.push_back(bytes.clone());
            }
            for queue in &mut queues {
                assert_eq!(queue.pop_front().map(|b| b.len()), Some(bytes.len()));
            }
        });
    });
    group.bench_function("encode_per_subscriber", |b| {
        b.iter(|| {
            for queue in &mut queues {
                queue.push_back(event.to_bytes());
            }
            for queue in &mut queues {
                assert!(queue.pop_front().is_some());
            }
        });
    });
    group.finish();
}

criterion_group!(benches, fanout);
criterion_main!(benches);
