//! Does coalescing pay? `EncodeStream` sending one chunk per event versus joined chunks of up
//! to 1, 8 or 16 KiB:
//! - `burst_1000`: 1,000 small events ready at once; the consumer copies each chunk into a
//!   socket-like buffer (the adapter's own cost, and the chunk count).
//! - `burst_1000_tcp`: the same burst, each chunk one `write_all` on a loopback TCP socket
//!   with `TCP_NODELAY` (as a server writes a body chunk), drained by a reader thread.
//! - `trickle_1000`: one event ready per poll, so nothing can be joined: what coalescing
//!   costs when it cannot help.

// criterion_group! generates undocumented public functions.
#![allow(missing_docs)]

use bytes::{Bytes, BytesMut};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures::executor::block_on;
use futures::{stream, Stream, StreamExt};
use sse_wire::stream::EncodeStream;
use sse_wire::Event;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::task::Poll;

const COALESCE: [usize; 4] = [0, 1024, 8 * 1024, 16 * 1024];

fn burst() -> Vec<Event> {
    (0..1000_u32)
        .map(|n| {
            Event::new()
                .id(n)
                .data(format!(r#"{{"n":{n},"status":"ok"}}"#))
        })
        .collect()
}

/// Drains the encoded stream, handing each chunk to `write`; returns the chunk count.
fn drain<S>(source: S, coalesce: usize, mut write: impl FnMut(&[u8])) -> usize
where
    S: Stream<Item = Event>,
{
    let chunks = EncodeStream::new(source).coalesce(coalesce);
    block_on(chunks.fold(0, |writes, chunk: Result<Bytes, _>| {
        write(&chunk.unwrap());
        async move { writes + 1 }
    }))
}

/// The events, one ready per poll: every other poll is `Pending` (with an immediate wake).
fn trickle(events: &[Event]) -> impl Stream<Item = Event> + '_ {
    let mut events = events.iter();
    let mut ready = false;
    stream::poll_fn(move |cx| {
        ready = !ready;
        if ready {
            Poll::Ready(events.next().cloned())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
}

/// A loopback connection whose far end discards everything it reads.
fn loopback() -> TcpStream {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let writer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    writer.set_nodelay(true).unwrap();
    let (mut reader, _) = listener.accept().unwrap();
    std::thread::spawn(move || {
        let mut buf = vec![0; 256 * 1024];
        while matches!(reader.read(&mut buf), Ok(n) if n > 0) {}
    });
    writer
}

fn coalescing(c: &mut Criterion) {
    let events = burst();
    let bytes: usize = events.iter().map(Event::encoded_len).sum();
    let mut socket = BytesMut::with_capacity(bytes);

    let mut group = c.benchmark_group("stream/burst_1000");
    group.throughput(Throughput::Bytes(bytes as u64));
    for coalesce in COALESCE {
        socket.clear();
        let mut write = |chunk: &[u8]| socket.extend_from_slice(chunk);
        let writes = drain(stream::iter(events.iter().cloned()), coalesce, &mut write);
        assert_eq!(socket.len(), bytes);
        println!("stream/burst_1000 coalesce={coalesce}: {writes} writes");
        group.bench_function(BenchmarkId::new("coalesce", coalesce), |b| {
            b.iter(|| {
                socket.clear();
                let write = |chunk: &[u8]| socket.extend_from_slice(chunk);
                assert_eq!(
                    drain(stream::iter(events.iter().cloned()), coalesce, write),
                    writes
                );
            });
        });
    }
    group.finish();

    let mut tcp = loopback();
    let mut group = c.benchmark_group("stream/burst_1000_tcp");
    group.throughput(Throughput::Bytes(bytes as u64));
    for coalesce in COALESCE {
        group.bench_function(BenchmarkId::new("coalesce", coalesce), |b| {
            b.iter(|| {
                let write = |chunk: &[u8]| tcp.write_all(chunk).unwrap();
                drain(stream::iter(events.iter().cloned()), coalesce, write)
            });
        });
    }
    group.finish();

    let mut group = c.benchmark_group("stream/trickle_1000");
    group.throughput(Throughput::Bytes(bytes as u64));
    for coalesce in COALESCE {
        group.bench_function(BenchmarkId::new("coalesce", coalesce), |b| {
            b.iter(|| {
                socket.clear();
                let write = |chunk: &[u8]| socket.extend_from_slice(chunk);
                assert_eq!(drain(trickle(&events), coalesce, write), events.len());
            });
        });
    }
    group.finish();
}

criterion_group!(benches, coalescing);
criterion_main!(benches);
