//! Does coalescing pay? A burst of 1,000 small events, ready at once, through
//! `EncodeStream` sending one chunk per event versus joined chunks of up to 16 KiB. The
//! consumer copies each chunk into a socket-like buffer and counts chunks, as one write each.

// criterion_group! generates undocumented public functions.
#![allow(missing_docs)]

use bytes::{Bytes, BytesMut};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures::executor::block_on;
use futures::{stream, StreamExt};
use sse_wire::stream::EncodeStream;
use sse_wire::{Event, EventId};

fn burst() -> Vec<Event> {
    (0..1000_u32)
        .map(|n| {
            Event::new()
                .id(EventId::from(n))
                .data(format!(r#"{{"n":{n},"status":"ok"}}"#))
        })
        .collect()
}

/// Drains the encoded stream like a server writing chunks to a socket; returns the writes.
fn drain(events: &[Event], coalesce: usize, socket: &mut BytesMut) -> usize {
    socket.clear();
    let chunks = EncodeStream::new(stream::iter(events.iter().cloned())).coalesce(coalesce);
    block_on(chunks.fold(0, |writes, chunk: Result<Bytes, _>| {
        socket.extend_from_slice(&chunk.unwrap());
        async move { writes + 1 }
    }))
}

fn coalescing(c: &mut Criterion) {
    let events = burst();
    let bytes: usize = events.iter().map(Event::encoded_len).sum();
    let mut socket = BytesMut::with_capacity(bytes);
    let mut group = c.benchmark_group("stream/burst_1000");
    group.throughput(Throughput::Bytes(bytes as u64));
    for coalesce in [0, 1024, 16 * 1024] {
        let writes = drain(&events, coalesce, &mut socket);
        println!("stream/burst_1000 coalesce={coalesce}: {writes} writes");
        group.bench_with_input(
            BenchmarkId::new("coalesce", coalesce),
            &coalesce,
            |b, &coalesce| {
                b.iter(|| assert_eq!(drain(&events, coalesce, &mut socket), writes));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, coalescing);
criterion_main!(benches);
