//! Side by side: the shared corpora encoded by sse-wire and by peer encoders, in events per
//! second, with a `memcpy` of the output as the physical limit.
//!
//! Protocol of every cell, the same for every crate: the corpus' events as owned `String`s
//! (cloned before the clock starts) -> the crate's own event type, validation included where the
//! crate validates -> wire bytes, into a buffer reused across runs (or, for the encoders that
//! return one `Bytes` per event, a reused list of them). Encoders that are response bodies
//! (axum's and actix-web-lab's `Sse`) are polled through their body trait, as a server polls
//! them. Before timing, each encoder's output is decoded by sse-wire's decoder and must give
//! back every event with its exact data; each timed run then checks its event count and its
//! output length, so nothing can look fast by skipping work. A cell is the median of
//! several runs.
//!
//! Run: `cargo bench --bench compare_encode` (under a minute). Prints a markdown table.
//! `COMPARE_ENCODE_RUNS=N` changes the number of timed runs per cell (default 101);
//! `COMPARE_ENCODE_CORPUS=text` and `COMPARE_ENCODE_ENCODER=text` keep only the corpora and
//! encoders whose name contains `text` (to profile one cell with callgrind, say).

// A bench binary has no public API to document.
#![allow(missing_docs)]

mod corpus;

use bytes::{Bytes, BytesMut};
use futures::executor::block_on;
use futures::{stream, SinkExt, StreamExt};
use std::borrow::Cow;
use std::convert::Infallible;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// One corpus event as the owned values a server has before it builds an event.
#[derive(Clone)]
enum Item {
    Event {
        event_type: Option<String>,
        id: Option<String>,
        data: String,
    },
    /// A comment-only event (a keep-alive).
    Comment(String),
}

impl Item {
    fn of(event: &sse_wire::Event) -> Self {
        match event.data_bytes() {
            Some(data) => Item::Event {
                event_type: event.event_type().map(ToString::to_string),
                id: event.event_id().map(ToString::to_string),
                data: String::from_utf8(data.to_vec()).expect("corpus data is UTF-8"),
            },
            None => {
                let comments: Vec<&[u8]> = event.comments().collect();
                let [comment] = comments[..] else {
                    panic!("a corpus event without data has exactly one comment")
                };
                Item::Comment(String::from_utf8(comment.to_vec()).expect("UTF-8 comment"))
            }
        }
    }

    fn is_comment(&self) -> bool {
        matches!(self, Item::Comment(_))
    }
}

/// Where an encoder's output goes: kept across runs so no run pays for growing it.
#[derive(Default)]
struct Out {
    buf: BytesMut,
    vec: Vec<u8>,
    frames: Vec<Bytes>,
}

impl Out {
    /// Empties the output (outside the clock: dropping the frames is not encoding).
    fn clear(&mut self) {
        self.buf.clear();
        self.vec.clear();
        self.frames.clear();
    }

    /// The output of the last run, as one stream.
    fn wire(&self) -> Vec<u8> {
        let mut wire = self.buf.to_vec();
        wire.extend_from_slice(&self.vec);
        for frame in &self.frames {
            wire.extend_from_slice(frame);
        }
        wire
    }

    fn len(&self) -> usize {
        self.buf.len() + self.vec.len() + self.frames.iter().map(Bytes::len).sum::<usize>()
    }
}

/// An encoder under test: encodes the items into `out`, returns how many it encoded.
type Encode = fn(Vec<Item>, &mut Out) -> usize;

struct Encoder {
    name: &'static str,
    /// Whether it can write comments; if not, comment-only events are left out of its input.
    comments: bool,
    encode: Encode,
}

fn sse_wire_event(item: Item) -> sse_wire::Event {
    use sse_wire::{Event, EventId, EventType};
    match item {
        Item::Event {
            event_type,
            id,
            data,
        } => {
            let mut event = Event::new();
            if let Some(event_type) = event_type {
                event = event.event(EventType::try_from(event_type).expect("valid type"));
            }
            if let Some(id) = id {
                event = event.id(EventId::try_from(id).expect("valid id"));
            }
            event.data(data)
        }
        Item::Comment(text) => Event::new().comment(text),
    }
}

fn russe_event(item: Item) -> russe::Event {
    match item {
        Item::Event {
            event_type,
            id,
            data,
        } => russe::Event::Message(russe::Message {
            data: data.into(),
            event: event_type.map(Into::into),
            id: id.map(Into::into),
            retry: None,
        }),
        Item::Comment(text) => russe::Event::Comment(text.into()),
    }
}

fn tokio_sse_codec_frame(item: Item) -> tokio_sse_codec::Frame<String> {
    match item {
        Item::Event {
            event_type,
            id,
            data,
        } => tokio_sse_codec::Frame::Event(tokio_sse_codec::Event {
            id: id.map(Cow::Owned),
            name: event_type.map_or(Cow::Borrowed("message"), Cow::Owned),
            data,
        }),
        Item::Comment(text) => tokio_sse_codec::Frame::Comment(text),
    }
}

fn axum_event(item: Item) -> Result<axum::response::sse::Event, Infallible> {
    let event = axum::response::sse::Event::default();
    Ok(match item {
        Item::Event {
            event_type,
            id,
            data,
        } => {
            let mut event = event;
            if let Some(event_type) = event_type {
                event = event.event(event_type);
            }
            if let Some(id) = id {
                event = event.id(id);
            }
            event.data(data)
        }
        Item::Comment(text) => event.comment(text),
    })
}

fn actix_event(item: Item) -> Result<actix_web_lab::sse::Event, Infallible> {
    use actix_web_lab::sse::{Data, Event};
    Ok(match item {
        Item::Event {
            event_type,
            id,
            data,
        } => {
            let mut data = Data::new(data);
            if let Some(event_type) = event_type {
                data = data.event(event_type);
            }
            if let Some(id) = id {
                data = data.id(id);
            }
            Event::Data(data)
        }
        Item::Comment(text) => Event::Comment(text.into()),
    })
}

fn encoders() -> Vec<Encoder> {
    vec![
        Encoder {
            name: "sse-wire `encode_into`",
            comments: true,
            encode: |items, out| {
                let count = items.len();
                for item in items {
                    sse_wire_event(item).encode_into(&mut out.buf);
                }
                count
            },
        },
        Encoder {
            name: "sse-wire `to_bytes`",
            comments: true,
            encode: |items, out| {
                let count = items.len();
                out.frames.extend(
                    items
                        .into_iter()
                        .map(|item| sse_wire_event(item).to_bytes()),
                );
                count
            },
        },
        Encoder {
            name: "russe 0.3 `Encoder`",
            comments: true,
            encode: |items, out| {
                use tokio_util::codec::Encoder as _;
                let count = items.len();
                let mut encoder = russe::Encoder::default();
                for item in items {
                    encoder
                        .encode(russe_event(item), &mut out.buf)
                        .expect("valid event");
                }
                count
            },
        },
        Encoder {
            name: "tokio_sse_codec 0.0.2 `SseEncoder`",
            comments: true,
            encode: |items, out| {
                use tokio_util::codec::Encoder as _;
                let count = items.len();
                let mut encoder = tokio_sse_codec::SseEncoder::new();
                for item in items {
                    encoder
                        .encode(tokio_sse_codec_frame(item), &mut out.buf)
                        .expect("valid event");
                }
                count
            },
        },
        Encoder {
            name: "sse-stream 0.3 `Sse::encode`",
            comments: false,
            encode: |items, out| {
                let count = items.len();
                out.frames.extend(items.into_iter().map(|item| {
                    let Item::Event {
                        event_type,
                        id,
                        data,
                    } = item
                    else {
                        unreachable!("comments are filtered out for this encoder")
                    };
                    sse_stream::Sse {
                        event: event_type,
                        id,
                        data: Some(data),
                        ..Default::default()
                    }
                    .encode()
                    .expect("valid event")
                }));
                count
            },
        },
        Encoder {
            name: "sse-codec 0.3 `encode_stream`",
            comments: false,
            encode: |items, out| {
                let count = items.len();
                let mut sink = sse_codec::encode_stream(std::mem::take(&mut out.vec));
                let events = items.into_iter().map(|item| {
                    let Item::Event {
                        event_type,
                        id,
                        data,
                    } = item
                    else {
                        unreachable!("comments are filtered out for this encoder")
                    };
                    Ok(sse_codec::Event::Message {
                        id,
                        event: event_type.unwrap_or_else(|| "message".into()),
                        data,
                    })
                });
                block_on(sink.send_all(&mut stream::iter(events))).expect("in-memory writer");
                out.vec = sink.release().0;
                count
            },
        },
        Encoder {
            name: "axum 0.8 `Sse` body",
            comments: true,
            encode: |items, out| {
                use axum::response::IntoResponse;
                use http_body_util::BodyExt;
                let count = items.len();
                let events = stream::iter(items).map(axum_event);
                let mut body = axum::response::sse::Sse::new(events)
                    .into_response()
                    .into_body();
                block_on(async {
                    while let Some(frame) = body.frame().await {
                        let frame = frame.expect("infallible events");
                        out.frames.push(frame.into_data().expect("a data frame"));
                    }
                });
                count
            },
        },
        Encoder {
            name: "actix-web-lab 0.29 `Sse` body",
            comments: true,
            encode: |items, out| {
                use actix_web::body::MessageBody;
                use std::task::{Context, Poll};
                let count = items.len();
                let events = stream::iter(items).map(actix_event);
                let mut body = actix_web_lab::sse::Sse::from_stream(events);
                let mut cx = Context::from_waker(futures::task::noop_waker_ref());
                loop {
                    match std::pin::Pin::new(&mut body).poll_next(&mut cx) {
                        Poll::Ready(Some(frame)) => out.frames.push(frame.expect("valid event")),
                        Poll::Ready(None) => break,
                        Poll::Pending => unreachable!("an in-memory stream is always ready"),
                    }
                }
                count
            },
        },
    ]
}

/// What a decoder must get back from any encoder's output: the data of every event, in order.
fn expected_data(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match item {
            Item::Event { data, .. } => Some(data.clone()),
            Item::Comment(_) => None,
        })
        .collect()
}

fn decoded_data(wire: &[u8]) -> Vec<String> {
    let mut decoder = sse_wire::Decoder::new();
    decoder.push(wire);
    decoder.finish();
    let mut data = Vec::new();
    while let Some(message) = decoder.next_event() {
        data.push(message.expect("valid output").data().to_owned());
    }
    data
}

/// Events per second of the median of `runs` timed runs.
fn median_rate(events: usize, mut durations: Vec<Duration>) -> f64 {
    durations.sort();
    events as f64 / durations[durations.len() / 2].as_secs_f64()
}

/// One timed run; not inlined, so that callgrind can count this alone
/// (`--toggle-collect=compare_encode::timed`).
#[inline(never)]
fn timed(encoder: &Encoder, input: Vec<Item>, out: &mut Out) -> usize {
    (encoder.encode)(input, out)
}

/// One encoder's cell: its input, its reused output, and its timings so far.
struct Cell<'a> {
    encoder: &'a Encoder,
    items: Vec<Item>,
    out: Out,
    len: usize,
    durations: Vec<Duration>,
}

impl<'a> Cell<'a> {
    /// Prepares the cell and checks the encoder's output: one untimed run whose output must
    /// decode to the corpus.
    fn new(encoder: &'a Encoder, items: &[Item]) -> Self {
        let items: Vec<Item> = items
            .iter()
            .filter(|item| encoder.comments || !item.is_comment())
            .cloned()
            .collect();
        let mut out = Out::default();
        let count = (encoder.encode)(items.clone(), &mut out);
        assert_eq!(count, items.len(), "{}", encoder.name);
        assert_eq!(
            decoded_data(&out.wire()),
            expected_data(&items),
            "{} output decodes to the corpus",
            encoder.name
        );
        let len = out.len();
        Self {
            encoder,
            items,
            out,
            len,
            durations: Vec::new(),
        }
    }

    /// One timed run, checked: every event encoded, as many bytes as the checked run.
    fn run(&mut self) {
        let input = self.items.clone();
        self.out.clear();
        let started = Instant::now();
        let count = timed(self.encoder, black_box(input), &mut self.out);
        self.durations.push(started.elapsed());
        assert_eq!(
            (count, self.out.len()),
            (self.items.len(), self.len),
            "{}",
            self.encoder.name
        );
    }

    fn rate(self) -> f64 {
        median_rate(self.items.len(), self.durations)
    }
}

/// Times every encoder on `items`, `runs` rounds of one run each: the encoders take turns,
/// so a change in the machine's load (it is shared) hits them all alike.
fn measure(encoders: &[Encoder], items: &[Item], runs: usize) -> Vec<f64> {
    let mut cells: Vec<Cell> = encoders
        .iter()
        .map(|encoder| Cell::new(encoder, items))
        .collect();
    for _ in 0..runs {
        cells.iter_mut().for_each(Cell::run);
    }
    cells.into_iter().map(Cell::rate).collect()
}

/// The limit: one `memcpy` of sse-wire's output into a reused buffer, per event of the corpus.
fn memcpy_rate(wire: &[u8], events: usize, runs: usize) -> f64 {
    let mut buf = Vec::with_capacity(wire.len());
    let mut durations = Vec::with_capacity(runs);
    for _ in 0..runs {
        buf.clear();
        let started = Instant::now();
        buf.extend_from_slice(black_box(wire));
        black_box(&mut buf);
        durations.push(started.elapsed());
        assert_eq!(buf.len(), wire.len());
    }
    median_rate(events, durations)
}

fn format_rate(rate: f64) -> String {
    if rate >= 1e9 {
        format!("{:.2} G", rate / 1e9)
    } else if rate >= 1e6 {
        format!("{:.2} M", rate / 1e6)
    } else {
        format!("{:.0} k", rate / 1e3)
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this once, quickly.
    let quick = !std::env::args().any(|arg| arg == "--bench");
    let runs = std::env::var("COMPARE_ENCODE_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(if quick { 1 } else { 101 });
    let started = Instant::now();
    let only = |var| std::env::var(var).unwrap_or_default();
    let (only_corpus, only_encoder) = (
        only("COMPARE_ENCODE_CORPUS"),
        only("COMPARE_ENCODE_ENCODER"),
    );
    let mut corpora = corpus::all();
    corpora.retain(|corpus| corpus.name.contains(&only_corpus));
    let mut encoders = encoders();
    encoders.retain(|encoder| encoder.name.contains(&only_encoder));
    // rates[encoder][corpus]; the memcpy limit comes last.
    let mut rates = vec![Vec::new(); encoders.len() + 1];
    for corpus in &corpora {
        let items: Vec<Item> = corpus.events.iter().map(Item::of).collect();
        for (row, rate) in measure(&encoders, &items, runs).into_iter().enumerate() {
            rates[row].push(rate);
        }
        let wire: Vec<u8> = corpus
            .events
            .iter()
            .flat_map(sse_wire::Event::to_bytes)
            .collect();
        rates[encoders.len()].push(memcpy_rate(&wire, items.len(), runs));
    }

    let names: Vec<&str> = corpora.iter().map(|corpus| corpus.name).collect();
    println!("Encode, events/s (median of {runs} runs; higher is better)\n");
    println!("| encoder | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    for (encoder, row) in encoders.iter().zip(&rates) {
        let note = if encoder.comments { "" } else { " (1)" };
        let cells: Vec<String> = row.iter().map(|rate| format_rate(*rate)).collect();
        println!("| {}{note} | {} |", encoder.name, cells.join(" | "));
    }
    let limit: Vec<String> = rates[encoders.len()]
        .iter()
        .map(|rate| format_rate(*rate))
        .collect();
    println!("| limit: `memcpy` of the output | {} |", limit.join(" | "));
    if !only_encoder.is_empty() {
        return;
    }
    let peers = 2..encoders.len();
    for (row, form) in [(0, "encode_into"), (1, "to_bytes")] {
        let ratios: Vec<String> = (0..names.len())
            .map(|column| {
                let best = peers
                    .clone()
                    .map(|peer| rates[peer][column])
                    .fold(0.0, f64::max);
                format!("{:.2}x", rates[row][column] / best)
            })
            .collect();
        println!("| sse-wire `{form}` / best peer | {} |", ratios.join(" | "));
    }
    let of_memcpy: Vec<String> = (0..names.len())
        .map(|column| {
            format!(
                "{:.0}%",
                100.0 * rates[0][column] / rates[encoders.len()][column]
            )
        })
        .collect();
    println!(
        "| sse-wire `encode_into` / `memcpy` | {} |",
        of_memcpy.join(" | ")
    );
    println!(
        "\n(1) cannot write comments: the keep-alive comments of crlf_keep_alive are left out of \
         its input, and its rate counts only the events it wrote.\n\nTook {:.0?}.",
        started.elapsed()
    );
}
