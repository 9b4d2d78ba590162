//! Side by side: the same corpora, in the same chunks, decoded by sse-wire and by peer
//! crates, each driven the same way (a `Stream` of `Bytes` chunks, polled to the end).
//! Every decoder must find the same number of events, so none can look fast by skipping.

// criterion_group! generates undocumented public functions.
#![allow(missing_docs)]

mod corpus;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures::executor::block_on;
use futures::{stream, Stream, StreamExt};
use std::convert::Infallible;
use std::time::{Duration, Instant};

type Chunks = Vec<Bytes>;

fn body(chunks: &Chunks) -> impl Stream<Item = Result<Bytes, Infallible>> + Unpin + '_ {
    stream::iter(chunks.iter().cloned().map(Ok))
}

/// Counts the events a decoder yields, failing on any error.
fn count<T, E: std::fmt::Debug>(events: impl Stream<Item = Result<T, E>>) -> usize {
    block_on(events.fold(0, |n, item| async move {
        item.expect("valid input");
        n + 1
    }))
}

/// A decoder under test: decodes the chunks, returns the event count.
type Decode = fn(&Chunks) -> usize;

/// The decoders compared, by name.
fn decoders() -> Vec<(&'static str, Decode)> {
    vec![
        ("sse-wire", |chunks| {
            count(sse_wire::stream::DecodeStream::new(body(chunks)))
        }),
        ("eventsource-stream", |chunks| {
            count(eventsource_stream::EventStream::new(body(chunks)))
        }),
        ("sseer", |chunks| {
            count(sseer::EventStream::new(body(chunks)))
        }),
        ("sse-stream", |chunks| {
            count(sse_stream::SseByteStream::new(body(chunks)))
        }),
    ]
}

fn chunked(stream: &[u8], size: usize) -> Chunks {
    stream.chunks(size).map(Bytes::copy_from_slice).collect()
}

fn corpora(c: &mut Criterion) {
    for corpus in corpus::all() {
        let chunks = chunked(&corpus.stream, 16 * 1024);
        let expected = corpus.dispatched();
        let mut group = c.benchmark_group(format!("compare/{}", corpus.name));
        group.throughput(Throughput::Bytes(corpus.stream.len() as u64));
        for (name, decode) in decoders() {
            group.bench_with_input(BenchmarkId::new(name, "16KiB"), &chunks, |b, chunks| {
                b.iter(|| assert_eq!(decode(chunks), expected, "{name}"));
            });
        }
        group.finish();
    }
}

/// One 8 MiB `data:` line in 1,460-byte chunks. A decoder that rescans or recopies the
/// unfinished line per chunk is quadratic here; one run is timed first, and a decoder that
/// needs more than 20 s for it is reported and left out of the criterion group.
fn long_line(c: &mut Criterion) {
    let mut stream = b"data: ".to_vec();
    stream.resize(6 + (8 << 20), b'x');
    stream.extend_from_slice(b"\n\n");
    let chunks = chunked(&stream, 1460);
    let mut group = c.benchmark_group("compare/long_line_8MiB_1460");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.sample_size(10);
    for (name, decode) in decoders() {
        let started = Instant::now();
        assert_eq!(decode(&chunks), 1, "{name}");
        let once = started.elapsed();
        println!("compare/long_line_8MiB_1460/{name}: one run took {once:.2?}");
        if once > Duration::from_secs(20) {
            println!("compare/long_line_8MiB_1460/{name}: too slow to sample, left out");
            continue;
        }
        group.bench_with_input(BenchmarkId::new(name, "8MiB"), &chunks, |b, chunks| {
            b.iter(|| assert_eq!(decode(chunks), 1));
        });
    }
    group.finish();
}

criterion_group!(benches, corpora, long_line);
criterion_main!(benches);
