//! A fixed amount of decoding work, for instruction counting under callgrind
//! (`scripts/instructions`): every corpus decoded once in 16 KiB chunks, each event's text
//! read once. Deterministic: the same instructions every run, whatever the machine's load.
//!
//! A last case, `text_accessors`, reads the text of one 8 MiB event 200 times: O(1)
//! accessors make it a few thousand instructions, a re-check of the UTF-8 per call billions.
//!
//! Run alone it prints what it decoded, so a broken decoder cannot pass by doing nothing.
//! `cargo bench --bench instructions -- NAME` runs only the cases whose name contains NAME;
//! `SSE_WIRE_REPEAT=N` repeats the decoding N times (for a sampling profiler).

mod corpus;

use bytes::Bytes;
use std::hint::black_box;

/// Decodes `chunks`; returns (events, data bytes). Not inlined: callgrind counts only this.
#[inline(never)]
fn decode(chunks: &[Bytes]) -> (usize, usize) {
    let mut decoder = sse_wire::Decoder::new();
    let (mut events, mut data) = (0, 0);
    let mut pull = |decoder: &mut sse_wire::Decoder| {
        while let Some(item) = decoder.next_event() {
            let message = item.expect("valid corpus");
            events += 1;
            data +=
                message.data().len() + message.event_type().len() + message.last_event_id().len();
        }
    };
    for chunk in chunks {
        decoder.push_bytes(chunk.clone());
        pull(&mut decoder);
    }
    decoder.finish();
    pull(&mut decoder);
    (events, data)
}

/// Decodes `chunks` through [`sse_wire::stream::DecodeStream`], polled by hand: the
/// adapter's cost per event on top of [`decode`]. Not inlined: callgrind counts only this.
#[inline(never)]
fn decode_stream(chunks: &[Bytes]) -> (usize, usize) {
    use futures::StreamExt;
    let body = futures::stream::iter(
        chunks
            .iter()
            .cloned()
            .map(Ok::<_, std::convert::Infallible>),
    );
    let mut events = sse_wire::stream::DecodeStream::new(body);
    futures::executor::block_on(async {
        let (mut count, mut data) = (0, 0);
        while let Some(item) = events.next().await {
            count += 1;
            data += item.expect("valid corpus").data().len();
        }
        (count, data)
    })
}

/// Reads the event's text 200 times. Not inlined: callgrind counts only this.
#[inline(never)]
fn read_text(message: &sse_wire::Message) -> usize {
    (0..200)
        .map(|_| {
            let message = black_box(message);
            message.data().len() + message.event_type().len() + message.last_event_id().len()
        })
        .sum()
}

fn text_accessors() {
    let mut decoder = sse_wire::Decoder::new();
    let data = "é".repeat(4 << 20);
    decoder.push(format!("event: big\nid: 1\ndata: {data}\n\n").as_bytes());
    let message = decoder.next_event().unwrap().expect("valid event");
    let read = read_text(&message);
    assert_eq!(read, 200 * (data.len() + 4));
    println!("text_accessors: read {read} bytes of text");
}

/// 16 KiB, or `SSE_WIRE_CHUNK` bytes (to look at lines spanning chunks by hand).
fn chunk_size() -> usize {
    std::env::var("SSE_WIRE_CHUNK")
        .ok()
        .and_then(|size| size.parse().ok())
        .unwrap_or(16 * 1024)
}

/// 1, or `SSE_WIRE_REPEAT` times: long enough for a sampling profiler (`perf record`).
fn repeat() -> usize {
    std::env::var("SSE_WIRE_REPEAT")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(1)
}

fn main() {
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with("--"));
    if filter
        .as_deref()
        .map_or(true, |filter| "text_accessors".contains(filter))
    {
        text_accessors();
    }
    for corpus in corpus::all() {
        let name = filter
            .as_deref()
            .map(|filter| filter.trim_start_matches("stream_"));
        if name.is_some_and(|name| !corpus.name.contains(name)) {
            continue;
        }
        let chunks: Vec<Bytes> = corpus
            .stream
            .chunks(chunk_size())
            .map(Bytes::copy_from_slice)
            .collect();
        let stream = filter
            .as_deref()
            .is_some_and(|filter| filter.starts_with("stream_"));
        for _ in 0..repeat() {
            let (events, text) = black_box(decode(black_box(&chunks)));
            assert_eq!(events, corpus.dispatched(), "{}", corpus.name);
            if stream {
                let (events, _) = black_box(decode_stream(black_box(&chunks)));
                assert_eq!(events, corpus.dispatched(), "{} (stream)", corpus.name);
            }
            if repeat() == 1 {
                println!("{}: {events} events, {text} text bytes", corpus.name);
            }
        }
    }
}
