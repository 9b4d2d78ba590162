//! Encoder throughput (output bytes) for each output form: a tiny event, a notification,
//! 64 KiB of multi-line data, and the shared corpora.
// criterion_group! generates undocumented public functions.
#![allow(missing_docs)]

mod corpus;

use bytes::{Buf, Bytes, BytesMut};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sse_wire::Event;

fn single_events() -> Vec<(&'static str, Event)> {
    let notification = Event::new()
        .event("notification")
        .id(123_456_u64)
        .data(r#"{"user":42,"kind":"message","text":"your order has shipped","at":"2026-11-24T06:00:00Z"}"#);
    let mut log = String::new();
    while log.len() < 64 * 1024 {
        log.push_str(
            "2026-11-24T06:00:00.000000Z INFO worker: request handled in 12ms status=200\n",
        );
    }
    vec![
        ("tiny", Event::new().data("42")),
        ("notification", notification),
        ("multiline_64k", Event::new().data(Bytes::from(log))),
    ]
}

/// Runs the three output forms over `events`, reporting output bytes per second.
fn forms(c: &mut Criterion, group: &str, events: &[Event]) {
    let bytes: usize = events.iter().map(Event::encoded_len).sum();
    let mut group = c.benchmark_group(group);
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("encode_into", |b| {
        let mut buf = BytesMut::with_capacity(bytes);
        b.iter(|| {
            buf.clear();
            for event in events {
                event.encode_into(&mut buf);
            }
            assert_eq!(buf.len(), bytes);
        });
    });
    group.bench_function("to_bytes", |b| {
        b.iter(|| {
            let total: usize = events
                .iter()
                .map(|event| black_box(event.to_bytes()).len())
                .sum();
            assert_eq!(total, bytes);
        });
    });
    group.bench_function("to_buf", |b| {
        b.iter(|| {
            let total: usize = events
                .iter()
                .map(|event| black_box(event.to_buf()).remaining())
                .sum();
            assert_eq!(total, bytes);
        });
    });
    group.finish();
}

fn encode(c: &mut Criterion) {
    for (name, event) in single_events() {
        forms(c, &format!("encode/{name}"), std::slice::from_ref(&event));
    }
    for corpus in corpus::all() {
        forms(c, &format!("encode/corpus/{}", corpus.name), &corpus.events);
    }
}

criterion_group!(benches, encode);
criterion_main!(benches);
