//! One subscriber: an event stream read with sse-wire's `Decoder`, every event checked
//! against the publisher's sequence (each exactly once, in order), reconnecting with
//! `Last-Event-ID` whenever its connection ends.

use crate::http1::{self, Dechunk};
use bytes::BytesMut;
use sse_wire::Decoder;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::sync::{watch, Semaphore};

/// Room kept free in each read buffer: one read takes what a fan-out burst brings.
const READ_SPACE: usize = 4096;
/// Wait after a refused or failed connection attempt (a restarting server), plus jitter.
const RETRY_DELAY: Duration = Duration::from_millis(100);
/// Attempts before a subscriber gives up.
const MAX_ATTEMPTS: u32 = 600;

/// What the controller tells every subscriber.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Control {
    /// Incremented to make every subscriber drop its connection and reconnect.
    pub cuts: u32,
    /// Set to end every subscriber.
    pub stop: bool,
}

/// State every subscriber shares with the controller.
pub struct Shared {
    /// The server.
    pub addr: SocketAddr,
    /// The clock publish timestamps count from.
    pub epoch: Instant,
    /// Subscribers with an open stream (a 200 `text/event-stream` answer) right now.
    pub connected: AtomicUsize,
    /// Streams opened so far, over all subscribers.
    pub opened: AtomicU64,
    /// Subscribers that gave up.
    pub gave_up: AtomicUsize,
    /// Events delivered for the first time, over all subscribers.
    pub delivered: AtomicU64,
    /// Limits connection attempts in flight while the subscribers first ramp up.
    pub ramp: Semaphore,
    /// After a lost connection, a subscriber waits a random time below this to reconnect,
    /// as browsers coming back after a server restart spread over about a second.
    pub reconnect_window: Duration,
    /// The controller's orders.
    pub control: watch::Receiver<Control>,
}

/// What one subscriber saw.
#[derive(Debug, Default)]
pub struct Tally {
    /// The next publisher sequence number expected: all below it were delivered or lost.
    pub next_seq: u64,
    /// Events delivered once (counted at first arrival).
    pub delivered: u64,
    /// Events that arrived again.
    pub duplicates: u64,
    /// Events skipped over (a later one came first).
    pub skipped: u64,
    /// Events of a type other than `message` (a hub's resync signal, for example).
    pub signals: u64,
    /// Publish-to-receive latency of each delivered event, in microseconds.
    pub latencies_us: Vec<u32>,
    /// Streams opened.
    pub connects: u32,
    /// Streams that ended without being cut or stopped by the controller.
    pub dropped: u32,
    /// Failed connection attempts.
    pub failed_attempts: u32,
    /// Why the subscriber gave up, if it did.
    pub error: Option<String>,
}

/// Why a stream ended.
enum End {
    /// The controller cut every connection.
    Cut,
    /// The server ended or broke it.
    Closed,
}

/// Runs one subscriber until the controller says stop (or it gives up).
pub async fn run(shared: &Shared, index: u64) -> Tally {
    let mut control = shared.control.clone();
    let mut stop = shared.control.clone();
    let mut tally = Tally::default();
    tokio::select! {
        () = subscribe(shared, index, &mut control, &mut tally) => {}
        () = stopped(&mut stop) => {}
    }
    if tally.error.is_some() {
        shared.gave_up.fetch_add(1, Ordering::Relaxed);
    }
    tally
}

/// Resolves once the controller says stop.
async fn stopped(control: &mut watch::Receiver<Control>) {
    while !control.borrow_and_update().stop {
        if control.changed().await.is_err() {
            return;
        }
    }
}

async fn subscribe(
    shared: &Shared,
    index: u64,
    control: &mut watch::Receiver<Control>,
    tally: &mut Tally,
) {
    let mut decoder = Decoder::new();
    let mut rng = Jitter(index.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut attempts = 0;
    loop {
        let permit = if tally.connects == 0 {
            shared.ramp.acquire().await.ok()
        } else {
            None
        };
        let mut buf = BytesMut::with_capacity(READ_SPACE);
        let last_event_id = decoder.last_event_id().to_owned();
        let last_event_id = (!last_event_id.is_empty()).then_some(last_event_id.as_str());
        let opened = http1::open_events(shared.addr, last_event_id, &mut buf).await;
        drop(permit);
        let (mut socket, head) = match opened {
            Ok(opened) => opened,
            Err(error) => {
                tally.failed_attempts += 1;
                attempts += 1;
                if attempts >= MAX_ATTEMPTS {
                    tally.error = Some(format!("gave up after {attempts} attempts: {error}"));
                    return;
                }
                tokio::time::sleep(RETRY_DELAY + rng.below(RETRY_DELAY)).await;
                continue;
            }
        };
        let content_type = head.content_type.as_deref().map(str::as_bytes);
        if let Err(error) = sse_wire::check_response(head.status, content_type) {
            tally.error = Some(format!("bad answer: {error}"));
            return;
        }
        attempts = 0;
        tally.connects += 1;
        shared.connected.fetch_add(1, Ordering::Relaxed);
        shared.opened.fetch_add(1, Ordering::Relaxed);
        // A half-read event from the last connection must not merge into this one; the last
        // event id stays for the next reconnect.
        decoder.reset();
        let stream = Stream {
            socket: &mut socket,
            chunked: head.chunked,
            buf: &mut buf,
            decoder: &mut decoder,
        };
        let end = read(shared, stream, control, tally).await;
        shared.connected.fetch_sub(1, Ordering::Relaxed);
        drop(socket);
        if let End::Closed = end {
            tally.dropped += 1;
        }
        tokio::time::sleep(rng.below(shared.reconnect_window)).await;
    }
}

/// One open event stream.
struct Stream<'a> {
    socket: &'a mut tokio::net::TcpStream,
    chunked: bool,
    buf: &'a mut BytesMut,
    decoder: &'a mut Decoder,
}

/// Reads one stream until it ends or the controller cuts it.
async fn read(
    shared: &Shared,
    stream: Stream<'_>,
    control: &mut watch::Receiver<Control>,
    tally: &mut Tally,
) -> End {
    let Stream {
        socket,
        chunked,
        buf,
        decoder,
    } = stream;
    let cuts = control.borrow_and_update().cuts;
    let mut dechunk = Dechunk::default();
    loop {
        // Bytes that came with the response head are decoded before the first read.
        if chunked {
            loop {
                match dechunk.next(buf) {
                    Ok(Some(part)) => decoder.push_bytes(part),
                    Ok(None) => break,
                    Err(_) => return End::Closed,
                }
            }
            if dechunk.is_done() {
                return End::Closed;
            }
        } else if !buf.is_empty() {
            decoder.push_bytes(buf.split().freeze());
        }
        while let Some(message) = decoder.next_event() {
            match message {
                Ok(message) => count(shared, &message, tally),
                Err(_) => tally.signals += 1,
            }
        }
        if buf.capacity() - buf.len() < READ_SPACE / 4 {
            buf.reserve(READ_SPACE);
        }
        tokio::select! {
            biased;
            changed = control.changed() => {
                let now = *control.borrow_and_update();
                if changed.is_err() || now.stop {
                    // The stop future in `run` ends this subscriber.
                    std::future::pending::<()>().await;
                }
                if now.cuts != cuts {
                    return End::Cut;
                }
            }
            read = socket.read_buf(buf) => {
                if !matches!(read, Ok(1..)) {
                    return End::Closed;
                }
            }
        }
    }
}

/// Checks one event against the expected sequence. Event data is `SEQ NANOS [padding]`:
/// the publisher's sequence number and its clock (nanoseconds since the epoch) at publish.
fn count(shared: &Shared, message: &sse_wire::Message, tally: &mut Tally) {
    if message.event_type() != "message" {
        tally.signals += 1;
        return;
    }
    let mut fields = message.data().split(' ');
    let seq = fields.next().and_then(|seq| seq.parse::<u64>().ok());
    let sent = fields.next().and_then(|nanos| nanos.parse::<u64>().ok());
    let (Some(seq), Some(sent)) = (seq, sent) else {
        tally.signals += 1;
        return;
    };
    if seq < tally.next_seq {
        tally.duplicates += 1;
        return;
    }
    tally.skipped += seq - tally.next_seq;
    tally.next_seq = seq + 1;
    tally.delivered += 1;
    shared.delivered.fetch_add(1, Ordering::Relaxed);
    let now = shared.epoch.elapsed().as_nanos() as u64;
    let micros = now.saturating_sub(sent) / 1000;
    tally
        .latencies_us
        .push(micros.min(u64::from(u32::MAX)) as u32);
}

/// A xorshift generator: spreads reconnects without a dependency.
struct Jitter(u64);

impl Jitter {
    fn below(&mut self, bound: Duration) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let nanos = bound.as_nanos() as u64;
        Duration::from_nanos(if nanos == 0 { 0 } else { self.0 % nanos })
    }
}
