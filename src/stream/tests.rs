//! Adapter tests on a manual, deterministic clock and hand-driven sources: no real sleeps.

use super::*;
use crate::{DecodeError, DecoderConfig, Event, StreamError};
use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::rc::Rc;
use alloc::vec;
use alloc::vec::Vec;
use bytes::Bytes;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use futures::task::noop_waker_ref;
use futures::{executor::block_on, stream, Stream, StreamExt};

/// A clock the test moves by hand, and sleeps that complete when it passes their deadline.
#[derive(Clone, Default)]
struct ManualClock(Rc<Cell<Duration>>);

struct ManualSleep {
    clock: ManualClock,
    deadline: Duration,
}

impl Future for ManualSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.clock.0.get() >= self.deadline {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl ManualClock {
    fn sleep(&self) -> impl FnMut(Duration) -> ManualSleep {
        let clock = self.clone();
        move |interval| ManualSleep {
            clock: clock.clone(),
            deadline: clock.0.get() + interval,
        }
    }

    fn advance(&self, by: Duration) {
        self.0.set(self.0.get() + by);
    }
}

/// A source the test feeds by hand: `Pending` while empty, the end after `None`.
/// What the source yields next: an item, or `None` for its end.
type Queue = VecDeque<Option<Result<Event, &'static str>>>;

#[derive(Clone, Default)]
struct Source(Rc<RefCell<Queue>>);

impl Source {
    fn stream(&self) -> impl Stream<Item = Result<Event, &'static str>> + Unpin {
        let queue = self.0.clone();
        stream::poll_fn(move |_| match queue.borrow_mut().pop_front() {
            Some(Some(item)) => Poll::Ready(Some(item)),
            Some(None) => Poll::Ready(None),
            None => Poll::Pending,
        })
    }

    fn send(&self, data: &'static str) {
        self.0
            .borrow_mut()
            .push_back(Some(Ok(Event::new().data(data))));
    }

    fn fail(&self, error: &'static str) {
        self.0.borrow_mut().push_back(Some(Err(error)));
    }

    fn end(&self) {
        self.0.borrow_mut().push_back(None);
    }

    fn queued(&self) -> usize {
        self.0.borrow().len()
    }
}

fn poll<S: Stream + Unpin>(stream: &mut S) -> Poll<Option<S::Item>> {
    stream.poll_next_unpin(&mut Context::from_waker(noop_waker_ref()))
}

fn ready_bytes<S, E>(stream: &mut S) -> Bytes
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: core::fmt::Debug,
{
    match poll(stream) {
        Poll::Ready(Some(Ok(bytes))) => bytes,
        other => panic!(
            "expected bytes, got {:?}",
            other.map(|item| item.map(|r| r.map(|_| ())))
        ),
    }
}

#[test]
fn encode_polls_the_source_only_when_polled() {
    let source = Source::default();
    let mut body = EncodeStream::new(source.stream());
    for _ in 0..100 {
        source.send("x");
    }
    assert_eq!(ready_bytes(&mut body), "data: x\n\n");
    assert_eq!(
        source.queued(),
        99,
        "one poll takes one event: backpressure reaches the source"
    );
}

#[test]
fn coalescing_joins_ready_events_up_to_the_limit() {
    let source = Source::default();
    let mut body = EncodeStream::new(source.stream()).coalesce(20);
    for data in ["a", "b", "c", "d"] {
        source.send(data);
    }
    // Each event is 9 bytes: two fit under 20, the third crosses it and closes the chunk.
    assert_eq!(ready_bytes(&mut body), "data: a\n\ndata: b\n\ndata: c\n\n");
    assert_eq!(ready_bytes(&mut body), "data: d\n\n");
    assert!(poll(&mut body).is_pending());
}

#[test]
fn coalescing_delivers_the_batch_before_an_error_then_ends() {
    let source = Source::default();
    let mut body = EncodeStream::new(source.stream()).coalesce(1024);
    source.send("a");
    source.fail("boom");
    source.send("never");
    assert_eq!(ready_bytes(&mut body), "data: a\n\n");
    assert!(matches!(poll(&mut body), Poll::Ready(Some(Err("boom")))));
    assert!(matches!(poll(&mut body), Poll::Ready(None)));
    assert!(futures::stream::FusedStream::is_terminated(&body));
}

#[test]
fn coalescing_delivers_the_batch_before_the_end() {
    let source = Source::default();
    let mut body = EncodeStream::new(source.stream()).coalesce(1024);
    source.send("a");
    source.end();
    assert_eq!(ready_bytes(&mut body), "data: a\n\n");
    assert!(matches!(poll(&mut body), Poll::Ready(None)));
}

#[test]
fn keep_alive_fires_only_after_a_quiet_interval() {
    let clock = ManualClock::default();
    let source = Source::default();
    let mut body = KeepAlive::new(
        EncodeStream::new(source.stream()),
        Duration::from_secs(15),
        clock.sleep(),
    );

    assert!(poll(&mut body).is_pending());
    clock.advance(Duration::from_secs(14));
    assert!(poll(&mut body).is_pending());
    clock.advance(Duration::from_secs(1));
    assert_eq!(ready_bytes(&mut body), ":\n\n");

    // A real event resets the silence: 10 s later is not yet idle for 15 s.
    clock.advance(Duration::from_secs(5));
    source.send("news");
    assert_eq!(ready_bytes(&mut body), "data: news\n\n");
    assert!(poll(&mut body).is_pending());
    clock.advance(Duration::from_secs(10));
    assert!(poll(&mut body).is_pending());
    clock.advance(Duration::from_secs(5));
    assert_eq!(ready_bytes(&mut body), ":\n\n");
}

#[test]
fn keep_alive_can_be_a_comment_text_or_a_named_event() {
    let clock = ManualClock::default();
    let source = Source::default();
    let quiet = EncodeStream::new(source.stream());
    let mut body = KeepAlive::new(quiet, Duration::from_secs(1), clock.sleep()).comment("ping");
    assert!(poll(&mut body).is_pending());
    clock.advance(Duration::from_secs(1));
    assert_eq!(ready_bytes(&mut body), ": ping\n\n");

    let named = Event::new()
        .event(crate::EventType::from_static("keep-alive").unwrap())
        .data("");
    let mut body = body.event(&named);
    assert!(poll(&mut body).is_pending());
    clock.advance(Duration::from_secs(1));
    assert_eq!(ready_bytes(&mut body), "event: keep-alive\ndata:\n\n");
}

#[test]
fn keep_alive_ends_with_the_source() {
    let clock = ManualClock::default();
    let source = Source::default();
    let mut body = KeepAlive::new(
        EncodeStream::new(source.stream()),
        Duration::from_secs(1),
        clock.sleep(),
    );
    source.end();
    assert!(matches!(poll(&mut body), Poll::Ready(None)));
    clock.advance(Duration::from_secs(5));
    assert!(
        matches!(poll(&mut body), Poll::Ready(None)),
        "no keep-alive after the end"
    );
}

#[test]
fn shutdown_sends_the_farewell_then_ends_without_polling_the_source() {
    let source = Source::default();
    let stop = Rc::new(Cell::new(false));
    let signal = {
        let stop = stop.clone();
        futures::future::poll_fn(move |_| {
            if stop.get() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    };
    let farewell = Event::new().retry(Duration::from_secs(10));
    let mut body =
        Box::pin(Shutdown::new(EncodeStream::new(source.stream()), signal).farewell(&farewell));
    source.send("live");
    assert_eq!(ready_bytes(&mut body), "data: live\n\n");
    stop.set(true);
    source.send("after shutdown");
    assert_eq!(ready_bytes(&mut body), "retry: 10000\n\n");
    assert!(matches!(poll(&mut body), Poll::Ready(None)));
    assert_eq!(
        source.queued(),
        1,
        "the source was not polled after the signal"
    );
}

/// Sets a flag when dropped, as a server's per-client source does when it unsubscribes.
struct DropFlag<S> {
    inner: S,
    dropped: Rc<Cell<bool>>,
}

impl<S: Stream + Unpin> Stream for DropFlag<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

impl<S> Drop for DropFlag<S> {
    fn drop(&mut self) {
        self.dropped.set(true);
    }
}

#[test]
fn dropping_the_body_drops_the_source() {
    let dropped = Rc::new(Cell::new(false));
    let source = DropFlag {
        inner: stream::pending::<Event>(),
        dropped: dropped.clone(),
    };
    let clock = ManualClock::default();
    let body = KeepAlive::new(
        EncodeStream::new(source),
        Duration::from_secs(1),
        clock.sleep(),
    );
    let mut body = Shutdown::new(body, futures::future::pending::<()>());
    assert!(poll(&mut body).is_pending());
    assert!(!dropped.get());
    drop(body);
    assert!(
        dropped.get(),
        "the client went away: the source must go too"
    );
}

fn body(
    chunks: Vec<Result<&'static [u8], &'static str>>,
) -> impl Stream<Item = Result<Bytes, &'static str>> {
    stream::iter(
        chunks
            .into_iter()
            .map(|chunk| chunk.map(Bytes::from_static)),
    )
}

#[test]
fn decode_stream_reads_across_chunks_and_discards_the_unterminated_tail() {
    let chunks = vec![
        Ok(&b"retry: 50\nid: 1\ndata: a"[..]),
        Ok(b"\r"),
        Ok(b"\n\r\ndata: cut"),
    ];
    let mut events = DecodeStream::new(body(chunks));
    let all: Vec<_> = block_on((&mut events).collect());
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].as_ref().unwrap().data(), "a");
    assert_eq!(events.last_event_id(), "1");
    assert_eq!(events.retry(), Some(Duration::from_millis(50)));
    assert!(futures::stream::FusedStream::is_terminated(&events));
}

#[test]
fn decode_errors_are_items_and_transport_errors_end_the_stream() {
    let chunks = vec![
        Ok(&b"data: far too long for the limit\n\ndata: ok\n\n"[..]),
        Err("connection reset"),
        Ok(b"data: never read\n\n"),
    ];
    let config = DecoderConfig::default().max_line_len(16);
    let all: Vec<_> = block_on(DecodeStream::with_config(body(chunks), config).collect());
    assert_eq!(all.len(), 3);
    assert_eq!(
        all[0],
        Err(StreamError::Decode(DecodeError::LineTooLong {
            limit: 16,
            offset: 0
        }))
    );
    assert_eq!(all[1].as_ref().unwrap().data(), "ok");
    assert_eq!(all[2], Err(StreamError::Transport("connection reset")));
}

#[test]
fn encode_then_decode_is_the_identity_over_streams() {
    let events = [
        Event::new().data("one\ntwo"),
        Event::new().comment("ping"),
        Event::new().data("three"),
    ];
    let bytes = EncodeStream::new(stream::iter(events)).coalesce(4096);
    let decoded: Vec<_> = block_on(
        DecodeStream::new(bytes)
            .map(|item| item.unwrap().data().to_owned())
            .collect(),
    );
    assert_eq!(decoded, ["one\ntwo", "three"]);
}
