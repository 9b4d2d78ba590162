//! Side by side decoding: the same corpora, cut into the same `Bytes` chunks (1, 16 and
//! 64 KiB), decoded by sse-wire and by every peer crate that builds here, each driven through
//! its public API the way its users drive it:
//! - sans-IO decoders get each chunk pushed, then are pulled dry (sse-wire, sse-parse);
//! - `tokio_util` codecs get each chunk appended to their `BytesMut`, then `decode` until
//!   `None`, as `FramedRead` does (russe, tokio_sse_codec);
//! - `Stream` adapters poll a stream of the chunks (sse-wire's `DecodeStream`,
//!   eventsource-stream, sseer, sse-stream, http-body-server-sent-events over a `StreamBody`);
//! - `AsyncBufRead` decoders read the chunk stream as one (async-sse, sse-codec).
//!
//! Every cell checks what came out (the event count AND the total data length, read as text
//! the way a user reads it), so nothing can look fast by skipping work. A cell is the median
//! of 7 samples, each repeating the decode until it used at least 20 ms of the thread's CPU
//! time (on Linux; wall time elsewhere), so time the shared cores spent on other programs is
//! left out; the samples of one column are taken in rounds over all decoders.
//! The `memchr2 scan` row is the physical limit: one `memchr2(b'\n', b'\r')` pass over the
//! same chunks, finding every line break.
//!
//! Prints one markdown table (events/s; rows = decoders, columns = corpus x chunk size) with
//! sse-wire's ratio to the best peer per column, then the 8 MiB long-line run, where a
//! decoder that rescans or recopies its unfinished line is quadratic: those are cut off.
//!
//! `cargo bench --bench compare` runs everything; `cargo bench --bench compare -- logs`
//! keeps only the columns whose name contains `logs` (`-- "tiny 16K"`: one column);
//! `SSE_WIRE_PEERS=sse-stream` keeps only that peer's row besides sse-wire's.

mod corpus;

use bytes::{Bytes, BytesMut};
use futures::executor::block_on;
use futures::{stream, Stream, StreamExt, TryStreamExt};
use std::cell::Cell;
use std::convert::Infallible;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// What a decoder produced: dispatched events and the sum of their data lengths.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Totals {
    events: usize,
    data: usize,
}

impl Totals {
    fn add(&mut self, data_len: usize) {
        self.events += 1;
        self.data += data_len;
    }
}

thread_local! {
    /// When set, the input ends early at this instant: a quadratic peer on the long line is
    /// cut off instead of occupying the shared cores for minutes.
    static CUT_OFF: Cell<Option<Instant>> = const { Cell::new(None) };
    /// Bytes handed to the decoder so far, to report how far a cut-off decoder got.
    static FED: Cell<usize> = const { Cell::new(0) };
}

/// The chunks, in order, until the cut-off (if one is set).
fn feed(chunks: &[Bytes]) -> impl Iterator<Item = Bytes> + '_ {
    chunks
        .iter()
        .take_while(|_| CUT_OFF.get().map_or(true, |at| Instant::now() < at))
        .inspect(|chunk| FED.set(FED.get() + chunk.len()))
        .cloned()
}

fn body(chunks: &[Bytes]) -> impl Stream<Item = Result<Bytes, Infallible>> + Unpin + '_ {
    stream::iter(feed(chunks).map(Ok))
}

/// The chunks as an `AsyncBufRead`, for the peers that read one.
fn reader(chunks: &[Bytes]) -> impl futures::AsyncBufRead + Unpin + '_ {
    stream::iter(feed(chunks).map(Ok::<_, std::io::Error>)).into_async_read()
}

/// Polls a decoder's stream to the end; `data_len` is `None` for items that are not events
/// (retry-only items, comments).
fn drain<T, E: std::fmt::Debug>(
    items: impl Stream<Item = Result<T, E>>,
    data_len: fn(&T) -> Option<usize>,
) -> Totals {
    block_on(
        items.fold(Totals::default(), |mut totals, item| async move {
            if let Some(len) = data_len(&item.expect("valid input")) {
                totals.add(len);
            }
            totals
        }),
    )
}

/// Drives a `tokio_util` codec the way `FramedRead` does: append, decode until `None`, and
/// `decode_eof` at the end.
fn codec<D>(chunks: &[Bytes], mut decoder: D, data_len: fn(&D::Item) -> Option<usize>) -> Totals
where
    D: tokio_util::codec::Decoder,
    D::Error: std::fmt::Debug,
{
    let mut totals = Totals::default();
    let mut buffer = BytesMut::new();
    let mut take = |item: D::Item| {
        if let Some(len) = data_len(&item) {
            totals.add(len);
        }
    };
    for chunk in feed(chunks) {
        buffer.extend_from_slice(&chunk);
        while let Some(item) = decoder.decode(&mut buffer).expect("valid input") {
            take(item);
        }
    }
    while let Some(item) = decoder.decode_eof(&mut buffer).expect("valid input") {
        take(item);
    }
    totals
}

fn sse_wire(chunks: &[Bytes]) -> Totals {
    let mut decoder = sse_wire::Decoder::new();
    let mut totals = Totals::default();
    let mut pull = |decoder: &mut sse_wire::Decoder| {
        while let Some(item) = decoder.next_event() {
            totals.add(item.expect("valid input").data().len());
        }
    };
    for chunk in feed(chunks) {
        decoder.push_bytes(chunk);
        pull(&mut decoder);
    }
    decoder.finish();
    pull(&mut decoder);
    totals
}

fn sse_parse(chunks: &[Bytes]) -> Totals {
    let mut parser = sse_parse::SseParser::new();
    let mut totals = Totals::default();
    for chunk in feed(chunks) {
        parser.feed(&chunk);
        while let Some(event) = parser.next_event() {
            totals.add(event.data.len());
        }
    }
    parser.finish();
    while let Some(event) = parser.next_event() {
        totals.add(event.data.len());
    }
    totals
}

/// http-body-server-sent-events wants a body error that a UTF-8 error converts into.
#[derive(Debug)]
struct BodyError;

impl From<std::str::Utf8Error> for BodyError {
    fn from(_: std::str::Utf8Error) -> Self {
        Self
    }
}

fn http_body_sse(chunks: &[Bytes]) -> Totals {
    let frames =
        stream::iter(feed(chunks).map(|chunk| Ok::<_, BodyError>(http_body::Frame::data(chunk))));
    let events = http_body_server_sent_events::decode(http_body_util::StreamBody::new(frames))
        .into_event_stream();
    drain(events, |event| event.data.as_ref().map(String::len))
}

/// A decoder under test: decodes the chunks and says what it found.
type Decode = fn(&[Bytes]) -> Totals;

/// The decoders compared, by name. sse-wire comes first, twice: sans-IO and as a `Stream`.
/// `SSE_WIRE_PEERS=a,b` keeps only the peers whose name contains `a` or `b` (for a quick
/// A/B, or a profile of one peer); sse-wire's rows are always kept.
fn decoders() -> Vec<(&'static str, Decode)> {
    let peers = std::env::var("SSE_WIRE_PEERS").ok();
    let keep = |name: &str| {
        is_sse_wire(name)
            || peers.as_deref().map_or(true, |peers| {
                peers
                    .split(',')
                    .any(|peer| !peer.is_empty() && name.contains(peer))
            })
    };
    let all: Vec<(&'static str, Decode)> = vec![
        ("sse-wire (push_bytes)", sse_wire),
        ("sse-wire (DecodeStream)", |chunks| {
            drain(sse_wire::stream::DecodeStream::new(body(chunks)), |event| {
                Some(event.data().len())
            })
        }),
        ("sse-stream", |chunks| {
            drain(sse_stream::SseByteStream::new(body(chunks)), |event| {
                event.data.as_ref().map(String::len)
            })
        }),
        ("russe", |chunks| {
            codec(chunks, russe::Decoder::default(), |event| match event {
                russe::Event::Message(message) => Some(message.data.len()),
                _ => None,
            })
        }),
        ("tokio_sse_codec", |chunks| {
            let decoder = tokio_sse_codec::SseDecoder::<tokio_sse_codec::BytesStr>::new();
            codec(chunks, decoder, |frame| match frame {
                tokio_sse_codec::Frame::Event(event) => Some(event.data.len()),
                _ => None,
            })
        }),
        ("sse-parse", sse_parse),
        ("sseer", |chunks| {
            drain(sseer::EventStream::new(body(chunks)), |event| {
                Some(event.data.len())
            })
        }),
        ("eventsource-stream", |chunks| {
            drain(
                eventsource_stream::EventStream::new(body(chunks)),
                |event| Some(event.data.len()),
            )
        }),
        ("http-body-server-sent-events", http_body_sse),
        ("async-sse", |chunks| {
            drain(async_sse::decode(reader(chunks)), |event| match event {
                async_sse::Event::Message(message) => Some(message.data().len()),
                async_sse::Event::Retry(_) => None,
            })
        }),
        ("sse-codec", |chunks| {
            drain(
                sse_codec::decode_stream(reader(chunks)),
                |event| match event {
                    sse_codec::Event::Message { data, .. } => Some(data.len()),
                    sse_codec::Event::Retry { .. } => None,
                },
            )
        }),
    ];
    all.into_iter().filter(|(name, _)| keep(name)).collect()
}

/// Rows that are sse-wire itself, not peers.
fn is_sse_wire(name: &str) -> bool {
    name.starts_with("sse-wire")
}

fn chunked(stream: &[u8], size: usize) -> Vec<Bytes> {
    stream.chunks(size).map(Bytes::copy_from_slice).collect()
}

/// The limit row: every line break found with `memchr2`, nothing else.
fn memchr2_scan(chunks: &[Bytes]) -> usize {
    chunks
        .iter()
        .map(|chunk| memchr::memchr2_iter(b'\n', b'\r', chunk).count())
        .sum()
}

/// How many samples each cell takes; rounds interleave the decoders so that a burst of load
/// from elsewhere on the machine hits them all alike.
const ROUNDS: usize = 7;

/// The CPU time this thread has used: unlike wall time, it leaves out the time the core
/// spent on other programs, which on a shared machine is most of the noise.
#[cfg(target_os = "linux")]
fn cpu_time() -> Duration {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    let seconds = u64::try_from(now.tv_sec).unwrap_or(0);
    Duration::new(seconds, u32::try_from(now.tv_nsec).unwrap_or(0))
}

/// Elsewhere: wall time since the first call.
#[cfg(not(target_os = "linux"))]
fn cpu_time() -> Duration {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// One timed sample: repeats `run` `repeats` times, returns (CPU) seconds per run.
fn sample(run: &dyn Fn(), repeats: u32) -> f64 {
    let started = cpu_time();
    for _ in 0..repeats {
        run();
    }
    (cpu_time() - started).as_secs_f64() / f64::from(repeats)
}

/// How often to repeat `run` so that one sample lasts at least 20 ms (one warm-up run).
fn repeats_for(run: &dyn Fn()) -> u32 {
    let once = sample(run, 1);
    (0.020 / once.max(1e-9)).ceil().clamp(1.0, 1e6) as u32
}

fn median(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

fn rate(per_second: f64) -> String {
    match per_second {
        r if r.is_nan() => "wrong output".into(),
        r if r >= 1e9 => format!("{:.2}G", r / 1e9),
        r if r >= 1e6 => format!("{:.2}M", r / 1e6),
        r => format!("{:.0}k", r / 1e3),
    }
}

/// One column: a corpus in chunks of one size.
struct Column {
    name: String,
    chunks: Vec<Bytes>,
    expected: Totals,
    line_breaks: usize,
}

fn columns(filter: Option<&str>) -> Vec<Column> {
    let mut columns = Vec::new();
    for corpus in corpus::all() {
        let expected = corpus
            .events
            .iter()
            .filter_map(sse_wire::Event::data_bytes)
            .fold(Totals::default(), |mut totals, data| {
                totals.add(data.len());
                totals
            });
        let line_breaks = corpus
            .stream
            .iter()
            .filter(|&&byte| byte == b'\n' || byte == b'\r')
            .count();
        for (label, size) in [("1K", 1024), ("16K", 16 * 1024), ("64K", 64 * 1024)] {
            let name = format!("{} {label}", corpus.name);
            if filter.is_some_and(|filter| !name.contains(filter)) {
                continue;
            }
            columns.push(Column {
                name,
                chunks: chunked(&corpus.stream, size),
                expected,
                line_breaks,
            });
        }
    }
    columns
}

fn corpora(filter: Option<&str>) {
    let columns = columns(filter);
    if columns.is_empty() {
        return;
    }
    let decoders = decoders();
    // rates[row][column], events per second.
    let mut rates = vec![vec![0.0; columns.len()]; decoders.len() + 1];
    for (c, column) in columns.iter().enumerate() {
        // Every row that gets timed: (row, the work, repeats per sample).
        let mut timed: Vec<(usize, Box<dyn Fn() + '_>)> = Vec::new();
        for (r, (name, decode)) in decoders.iter().enumerate() {
            // A peer that fails or miscounts gets no number (it is not a best peer either);
            // sse-wire must be right.
            let totals = std::panic::catch_unwind(|| decode(&column.chunks));
            if totals.as_ref().ok() != Some(&column.expected) {
                assert!(!is_sse_wire(name), "{name} on {}: {totals:?}", column.name);
                eprintln!(
                    "{name} on {}: {totals:?}, expected {:?}",
                    column.name, column.expected
                );
                rates[r][c] = f64::NAN;
                continue;
            }
            timed.push((
                r,
                Box::new(move || {
                    black_box(decode(black_box(&column.chunks)));
                }),
            ));
        }
        assert_eq!(memchr2_scan(&column.chunks), column.line_breaks);
        timed.push((
            decoders.len(),
            Box::new(|| {
                black_box(memchr2_scan(black_box(&column.chunks)));
            }),
        ));
        let repeats: Vec<u32> = timed.iter().map(|(_, run)| repeats_for(run)).collect();
        let mut samples = vec![Vec::with_capacity(ROUNDS); timed.len()];
        for _ in 0..ROUNDS {
            for (t, (_, run)) in timed.iter().enumerate() {
                samples[t].push(sample(run, repeats[t]));
            }
        }
        for ((r, _), seconds) in timed.iter().zip(samples) {
            rates[*r][c] = column.expected.events as f64 / median(seconds);
        }
        eprintln!("measured {}", column.name);
    }

    println!(
        "\nDecoding, events/s (median of 7 interleaved samples of >= 20 ms of thread CPU time; every cell checked: events and data bytes;"
    );
    println!("\"wrong output\": the decoder failed or found other events or data than the corpus holds)\n");
    print!("| decoder |");
    columns
        .iter()
        .for_each(|column| print!(" {} |", column.name));
    print!("\n|---|");
    columns.iter().for_each(|_| print!("---:|"));
    println!();
    let names = decoders
        .iter()
        .map(|(name, _)| *name)
        .chain(["memchr2 scan (limit)"]);
    for (name, row) in names.zip(&rates) {
        print!("| {name} |");
        row.iter().for_each(|rate_| print!(" {} |", rate(*rate_)));
        println!();
    }
    let best_peer: Vec<f64> = (0..columns.len())
        .map(|c| {
            decoders
                .iter()
                .enumerate()
                .filter(|(_, (name, _))| !is_sse_wire(name))
                .map(|(r, _)| rates[r][c])
                .filter(|rate| !rate.is_nan())
                .fold(0.0, f64::max)
        })
        .collect();
    for (r, (name, _)) in decoders
        .iter()
        .enumerate()
        .filter(|(_, (name, _))| is_sse_wire(name))
    {
        print!("| **{name} / best peer** |");
        (0..columns.len()).for_each(|c| print!(" {:.2}x |", rates[r][c] / best_peer[c]));
        println!();
    }
    print!("| **sse-wire (push_bytes) / memchr2 scan** |");
    (0..columns.len())
        .for_each(|c| print!(" {:.0}% |", 100.0 * rates[0][c] / rates[decoders.len()][c]));
    println!();
}

/// One 8 MiB `data:` line in 1,460-byte chunks (a TCP segment). A decoder that rescans or
/// recopies its unfinished line per chunk is quadratic here: its input is cut off after 10 s
/// and it is reported as such. The others are timed (median of 7 runs, thread CPU time).
fn long_line() {
    const CUT_OFF_AFTER: Duration = Duration::from_secs(10);
    let mut stream = b"data: ".to_vec();
    stream.resize(6 + (8 << 20), b'x');
    stream.extend_from_slice(b"\n\n");
    let chunks = chunked(&stream, 1460);
    let expected = Totals {
        events: 1,
        data: 8 << 20,
    };
    println!("\nOne 8 MiB data line in 1,460-byte chunks\n");
    println!("| decoder | time | MiB/s |\n|---|---:|---:|");
    for (name, decode) in decoders() {
        let started = Instant::now();
        FED.set(0);
        CUT_OFF.set(Some(started + CUT_OFF_AFTER));
        let totals = std::panic::catch_unwind(|| decode(&chunks));
        CUT_OFF.set(None);
        let once = started.elapsed();
        if FED.get() < stream.len() {
            let fed = FED.get() as f64 / f64::from(1 << 20);
            println!(
                "| {name} | cut off after {CUT_OFF_AFTER:?} at {fed:.1} MiB (quadratic) | - |"
            );
            continue;
        }
        if totals.as_ref().ok() != Some(&expected) {
            assert!(!is_sse_wire(name), "{name} on the long line: {totals:?}");
            println!("| {name} | wrong output: {totals:?} | - |");
            continue;
        }
        let seconds = if once > Duration::from_secs(2) {
            once.as_secs_f64()
        } else {
            let run = || {
                black_box(decode(black_box(&chunks)));
            };
            median((0..ROUNDS).map(|_| sample(&run, 1)).collect())
        };
        let mib_per_s = stream.len() as f64 / f64::from(1 << 20) / seconds;
        println!("| {name} | {:.1} ms | {mib_per_s:.0} |", seconds * 1e3);
    }
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters the columns.
    let filter = std::env::args().skip(1).find(|arg| !arg.starts_with("--"));
    let started = Instant::now();
    corpora(filter.as_deref());
    if filter
        .as_deref()
        .map_or(true, |filter| "long_line".contains(filter))
    {
        long_line();
    }
    eprintln!("\ncompare took {:.0?}", started.elapsed());
}
