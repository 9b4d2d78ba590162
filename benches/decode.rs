//! Decoder throughput (input bytes): each corpus pushed as `Bytes` in 1, 16 and 64 KiB
//! chunks, and one long `data:` line arriving in 1,460-byte chunks (a TCP segment) at 8 and
//! 32 MiB, where time must grow linearly with the line.
// criterion_group! generates undocumented public functions.
#![allow(missing_docs)]

mod corpus;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sse_wire::{Decoder, DecoderConfig};

/// Decodes `chunks` and returns the number of events; the benches assert it, so a broken
/// decoder cannot look fast.
fn decode(chunks: &[Bytes]) -> usize {
    // The 32 MiB line is over the 16 MiB default line limit.
    let mut decoder = Decoder::with_config(
        DecoderConfig::default()
            .max_line_len(64 << 20)
            .max_event_size(64 << 20),
    );
    let mut events = 0;
    for chunk in chunks {
        decoder.push_bytes(chunk.clone());
        while let Some(item) = decoder.next_event() {
            item.expect("valid corpus");
            events += 1;
        }
    }
    decoder.finish();
    events + decoder.next_event().map_or(0, |_| 1)
}

fn chunked(stream: &[u8], size: usize) -> Vec<Bytes> {
    stream.chunks(size).map(Bytes::copy_from_slice).collect()
}

fn corpora(c: &mut Criterion) {
    for corpus in corpus::all() {
        let mut group = c.benchmark_group(format!("decode/{}", corpus.name));
        group.throughput(Throughput::Bytes(corpus.stream.len() as u64));
        let expected = corpus.dispatched();
        for size in [1024, 16 * 1024, 64 * 1024] {
            let chunks = chunked(&corpus.stream, size);
            group.bench_with_input(BenchmarkId::new("chunk", size), &chunks, |b, chunks| {
                b.iter(|| assert_eq!(decode(chunks), expected));
            });
        }
        group.finish();
    }
}

fn long_line(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode/long_line_1460");
    group.sample_size(10);
    for mib in [8, 32] {
        let mut stream = b"data: ".to_vec();
        stream.resize(6 + (mib << 20), b'x');
        stream.extend_from_slice(b"\n\n");
        let chunks = chunked(&stream, 1460);
        group.throughput(Throughput::Bytes(stream.len() as u64));
        group.bench_with_input(BenchmarkId::new("MiB", mib), &chunks, |b, chunks| {
            b.iter(|| assert_eq!(decode(chunks), 1));
        });
    }
    group.finish();
}

criterion_group!(benches, corpora, long_line);
criterion_main!(benches);
