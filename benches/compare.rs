//! Side by side: the same corpora, in the same chunks, decoded by sse-wire and by peer
//! crates, each driven the same way (a `Stream` of `Bytes` chunks, polled to the end; the
//! peers that read an `AsyncRead` get that stream as one). Every decoder must find the same
//! number of events, so none can look fast by skipping. The corpora are also encoded by the
//! peers that have an encoder, from owned values, and must produce as many bytes as sse-wire.

// criterion_group! generates undocumented public functions.
#![allow(missing_docs)]

mod corpus;

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures::executor::block_on;
use futures::{stream, SinkExt, Stream, StreamExt, TryStreamExt};
use std::cell::Cell;
use std::convert::Infallible;
use std::time::{Duration, Instant};

type Chunks = Vec<Bytes>;

thread_local! {
    /// When set, the input ends early at this instant: a quadratic peer on the long line is
    /// cut off instead of occupying the shared cores for minutes.
    static CUT_OFF: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The chunks, in order, until the cut-off (if one is set).
fn feed(chunks: &Chunks) -> impl Iterator<Item = Bytes> + '_ {
    chunks
        .iter()
        .take_while(|_| CUT_OFF.get().map_or(true, |at| Instant::now() < at))
        .cloned()
}

fn body(chunks: &Chunks) -> impl Stream<Item = Result<Bytes, Infallible>> + Unpin + '_ {
    stream::iter(feed(chunks).map(Ok))
}

/// Counts the events a decoder yields, failing on any error.
fn count<T, E: std::fmt::Debug>(events: impl Stream<Item = Result<T, E>>) -> usize {
    block_on(events.fold(0, |n, item| async move {
        item.expect("valid input");
        n + 1
    }))
}

/// Counts the items a decoder yields that `is_event` accepts (some peers also yield retry
/// items), failing on any error.
fn count_where<T, E: std::fmt::Debug>(
    events: impl Stream<Item = Result<T, E>>,
    is_event: fn(&T) -> bool,
) -> usize {
    block_on(events.fold(0, |n, item| async move {
        n + usize::from(is_event(&item.expect("valid input")))
    }))
}

/// The chunks as an `AsyncBufRead`, for the peers that read one.
fn reader(chunks: &Chunks) -> impl futures::AsyncBufRead + Unpin + '_ {
    stream::iter(feed(chunks).map(Ok::<_, std::io::Error>)).into_async_read()
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
        ("async-sse", |chunks| {
            count_where(
                async_sse::decode(reader(chunks)),
                async_sse::Event::is_message,
            )
        }),
        ("sse-codec", |chunks| {
            count_where(sse_codec::decode_stream(reader(chunks)), |event| {
                matches!(event, sse_codec::Event::Message { .. })
            })
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
/// unfinished line per chunk is quadratic here. One run is timed first, with the input cut off
/// after 60 s; a decoder slower than 2 s is reported from that run and not sampled (criterion
/// would run it at least 55 times).
fn long_line(c: &mut Criterion) {
    const CUT_OFF_AFTER: Duration = Duration::from_secs(60);
    let mut stream = b"data: ".to_vec();
    stream.resize(6 + (8 << 20), b'x');
    stream.extend_from_slice(b"\n\n");
    let chunks = chunked(&stream, 1460);
    let mut group = c.benchmark_group("compare/long_line_8MiB_1460");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.sample_size(10);
    for (name, decode) in decoders() {
        let started = Instant::now();
        CUT_OFF.set(Some(started + CUT_OFF_AFTER));
        let events = decode(&chunks);
        CUT_OFF.set(None);
        let once = started.elapsed();
        if once >= CUT_OFF_AFTER {
            println!("compare/long_line_8MiB_1460/{name}: did not finish within {CUT_OFF_AFTER:?}");
            continue;
        }
        assert_eq!(events, 1, "{name}");
        println!("compare/long_line_8MiB_1460/{name}: one run took {once:.2?}");
        if once > Duration::from_secs(2) {
            println!("compare/long_line_8MiB_1460/{name}: too slow to sample, left out");
            continue;
        }
        group.bench_with_input(BenchmarkId::new(name, "8MiB"), &chunks, |b, chunks| {
            b.iter(|| assert_eq!(decode(chunks), 1));
        });
    }
    group.finish();
}

/// An event's fields as owned strings, the input every peer encoder takes.
struct Fields {
    event_type: Option<String>,
    id: Option<String>,
    data: String,
}

impl Fields {
    /// `None` for a comment-only event: the peers' encoders cannot write comments.
    fn of(event: &sse_wire::Event) -> Option<Self> {
        Some(Self {
            event_type: event.event_type().map(ToString::to_string),
            id: event.event_id().map(ToString::to_string),
            data: String::from_utf8(event.data_bytes()?.to_vec()).unwrap(),
        })
    }

    fn sse_stream(&self) -> sse_stream::Sse {
        sse_stream::Sse {
            event: self.event_type.clone(),
            id: self.id.clone(),
            data: Some(self.data.clone()),
            ..Default::default()
        }
    }

    fn sse_codec(&self) -> sse_codec::Event {
        sse_codec::Event::Message {
            id: self.id.clone(),
            event: self.event_type.clone().unwrap_or_else(|| "message".into()),
            data: self.data.clone(),
        }
    }
}

/// Encoding the corpora (comment-only keep-alives left out: no peer encoder writes comments).
/// Inputs are built outside the timing: sse-wire events from owned `String`s (taken without
/// a copy), peer events from cloned `String`s. Outputs are dropped outside the timing.
fn encoders(c: &mut Criterion) {
    use criterion::BatchSize::LargeInput;
    for corpus in corpus::all() {
        let events: Vec<sse_wire::Event> = corpus
            .events
            .iter()
            .filter(|event| event.data_bytes().is_some())
            .cloned()
            .collect();
        let fields: Vec<Fields> = events.iter().filter_map(Fields::of).collect();
        let bytes: usize = events.iter().map(sse_wire::Event::encoded_len).sum();
        let sse_codec_out = |events: Vec<sse_codec::Event>| {
            let mut sink = sse_codec::encode_stream(Vec::with_capacity(bytes));
            block_on(sink.send_all(&mut stream::iter(events).map(Ok))).unwrap();
            sink.release().0
        };
        // sse-codec writes the same lines (the id first) but leaves out `event: message`, the
        // default type; every other peer writes exactly sse-wire's bytes.
        let implicit_type = fields
            .iter()
            .filter(|fields| fields.event_type.as_deref() == Some("message"))
            .count()
            * "event: message\n".len();
        let sse_codec_len = bytes - implicit_type;
        assert_eq!(
            sse_codec_out(fields.iter().map(Fields::sse_codec).collect()).len(),
            sse_codec_len,
            "sse-codec output length"
        );

        let mut group = c.benchmark_group(format!("compare_encode/{}", corpus.name));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("sse-wire/to_bytes", |b| {
            b.iter_batched(
                || events.clone(),
                |events| {
                    let out: Vec<Bytes> = events.iter().map(sse_wire::Event::to_bytes).collect();
                    assert_eq!(out.iter().map(Bytes::len).sum::<usize>(), bytes);
                    out
                },
                LargeInput,
            );
        });
        group.bench_function("sse-wire/encode_into", |b| {
            b.iter_batched(
                || events.clone(),
                |events| {
                    let mut out = bytes::BytesMut::new();
                    events.iter().for_each(|event| event.encode_into(&mut out));
                    assert_eq!(out.len(), bytes);
                    out
                },
                LargeInput,
            );
        });
        group.bench_function("sse-stream/encode", |b| {
            b.iter_batched(
                || fields.iter().map(Fields::sse_stream).collect::<Vec<_>>(),
                |events| {
                    let out: Vec<Bytes> = events
                        .into_iter()
                        .map(|event| event.encode().unwrap())
                        .collect();
                    assert_eq!(out.iter().map(Bytes::len).sum::<usize>(), bytes);
                    out
                },
                LargeInput,
            );
        });
        group.bench_function("sse-codec/encode_stream", |b| {
            b.iter_batched(
                || fields.iter().map(Fields::sse_codec).collect::<Vec<_>>(),
                |events| {
                    let out = sse_codec_out(events);
                    assert_eq!(out.len(), sse_codec_len);
                    out
                },
                LargeInput,
            );
        });
        group.finish();
    }
}

criterion_group!(benches, corpora, long_line, encoders);
criterion_main!(benches);
