//! [`KeepAlive`]: a comment (or event) on a quiet stream, so proxies keep the connection.

use super::quiet::QuietTimer;
use crate::event::Event;
use bytes::Bytes;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use core::time::Duration;
use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;

pin_project! {
    /// Sends a keep-alive when the wrapped byte stream has been quiet for an interval.
    ///
    /// Proxies and load balancers drop connections that carry nothing for a while (often 30 to
    /// 60 s), so a quiet event stream should send something at least every 15 s. The default
    /// keep-alive is a bare comment (`:` and the empty line), which clients ignore; since a
    /// browser's `EventSource` never shows comments to the page, [`event`](Self::event) sends
    /// a named event instead, for pages that watch for a stalled stream.
    ///
    /// The timer is the caller's: `make_sleep(duration)` returns a future that completes after
    /// that duration (`tokio::time::sleep`, `async_io::Timer::after`, or a manual clock in
    /// tests), so the core needs no runtime. The silence is measured from the last chunk the
    /// consumer took: a consumer that is slow to take chunks is busy, not idle. The sleep
    /// future lives inside the adapter (no allocation per sleep).
    ///
    /// # When the keep-alive goes out
    /// The silence never exceeds the interval: a keep-alive goes out after between half the
    /// interval and the interval of silence, and on a stream that stays quiet exactly once per
    /// interval. The timer is lazy, so a chunk costs a flag, not a new timer: a sleep of the
    /// whole interval starts when a silence does; the first chunk that goes out drops it, and
    /// from then on the silence is timed by sleeps of half the interval that chunks never
    /// restart (two per interval, however many events flow). When one runs out, the keep-alive
    /// is due if the silence may reach the interval before the next one would.
    ///
    /// # Examples
    /// ```
    /// use futures::{executor::block_on, future, stream, StreamExt};
    /// use sse_wire::stream::{EncodeStream, KeepAlive};
    /// use std::time::Duration;
    ///
    /// // A source that never yields, and a "sleep" that completes at once: every poll
    /// // finds the stream idle.
    /// let quiet = EncodeStream::new(stream::pending::<sse_wire::Event>());
    /// let body = KeepAlive::new(quiet, Duration::from_secs(15), |_| future::ready(()));
    /// let first: Vec<_> = block_on(body.take(2).collect());
    /// assert_eq!(first[0].as_ref().unwrap(), ":\n\n");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct KeepAlive<S, F, T> {
        #[pin]
        inner: S,
        #[pin]
        timer: QuietTimer<F, T>,
        message: Bytes,
        done: bool,
    }
}

impl<S, F, T> KeepAlive<S, F, T>
where
    F: FnMut(Duration) -> T,
    T: Future<Output = ()>,
{
    /// Wraps `inner`; after `interval` of silence, sends a bare comment keep-alive.
    pub fn new(inner: S, interval: Duration, make_sleep: F) -> Self {
        Self {
            inner,
            timer: QuietTimer::new(interval, make_sleep),
            message: Bytes::from_static(b":\n\n"),
            done: false,
        }
    }

    /// Sends this comment text as the keep-alive (for example `"ping"`).
    pub fn comment(mut self, text: impl crate::IntoData) -> Self {
        self.message = Event::new().comment(text).to_bytes();
        self
    }

    /// Sends this event as the keep-alive, for pages that want to see it (for example
    /// `event: keep-alive` with empty data). Encoded once, sent as shared `Bytes`.
    pub fn event(mut self, event: &Event) -> Self {
        self.message = event.to_bytes();
        self
    }

    wrapped_stream_accessors!(inner: S);

    /// Unwraps the stream.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl<S> KeepAlive<S, fn(Duration) -> tokio::time::Sleep, tokio::time::Sleep> {
    /// Keep-alive timed by `tokio::time::sleep`: the one-line setup for tokio servers.
    ///
    /// # Examples
    /// ```
    /// use futures::{stream, StreamExt};
    /// use sse_wire::{stream::{EncodeStream, KeepAlive}, Event};
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let events = stream::iter([Event::new().data("hello")]);
    /// let mut body = Box::pin(KeepAlive::tokio(EncodeStream::new(events), Duration::from_secs(15)));
    /// assert_eq!(body.next().await.unwrap().unwrap(), "data: hello\n\n");
    /// # }
    /// ```
    pub fn tokio(inner: S, interval: Duration) -> Self {
        Self::new(inner, interval, tokio::time::sleep)
    }
}

impl<S, E, F, T> Stream for KeepAlive<S, F, T>
where
    S: Stream<Item = Result<Bytes, E>>,
    F: FnMut(Duration) -> T,
    T: Future<Output = ()>,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        match this.inner.poll_next(cx) {
            Poll::Ready(Some(item)) => {
                this.timer.sent();
                Poll::Ready(Some(item))
            }
            Poll::Ready(None) => {
                *this.done = true;
                this.timer.stop();
                Poll::Ready(None)
            }
            Poll::Pending => {
                core::task::ready!(this.timer.poll_due(cx));
                Poll::Ready(Some(Ok(this.message.clone())))
            }
        }
    }
}

impl<S, E, F, T> FusedStream for KeepAlive<S, F, T>
where
    S: Stream<Item = Result<Bytes, E>>,
    F: FnMut(Duration) -> T,
    T: Future<Output = ()>,
{
    fn is_terminated(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::test_support::{poll, ready_bytes, DropFlag, ManualClock, Source};
    use crate::stream::EncodeStream;

    use alloc::rc::Rc;
    use alloc::vec::Vec;
    use core::cell::Cell;
    use futures::stream;

    fn keep_alive(
        clock: &ManualClock,
        source: &Source,
    ) -> impl Stream<Item = Result<Bytes, &'static str>> + Unpin {
        KeepAlive::new(
            EncodeStream::new(source.stream()),
            Duration::from_secs(15),
            clock.sleep(),
        )
    }

    #[test]
    fn fires_only_after_a_quiet_interval() {
        let clock = ManualClock::default();
        let source = Source::default();
        let mut body = keep_alive(&clock, &source);

        assert!(poll(&mut body).is_pending());
        clock.advance(Duration::from_secs(14));
        assert!(poll(&mut body).is_pending());
        clock.advance(Duration::from_secs(1));
        assert_eq!(ready_bytes(&mut body), ":\n\n");

        // A real event ends the silence: the sleep started at 15 s would run out at 30 s, but
        // the event at 20 s drops it; ticks of 7.5 s from then find the silence at the
        // interval at 35 s.
        assert!(poll(&mut body).is_pending());
        clock.advance(Duration::from_secs(5));
        source.send("news");
        assert_eq!(ready_bytes(&mut body), "data: news\n\n");
        assert!(poll(&mut body).is_pending());
        clock.advance(Duration::from_millis(7_500));
        assert!(poll(&mut body).is_pending());
        clock.advance(Duration::from_millis(7_499));
        assert!(poll(&mut body).is_pending());
        clock.advance(Duration::from_millis(1));
        assert_eq!(ready_bytes(&mut body), ":\n\n");

        // Keeps firing while the silence lasts, once per interval.
        assert!(poll(&mut body).is_pending());
        clock.advance(Duration::from_secs(15));
        assert_eq!(ready_bytes(&mut body), ":\n\n");
    }

    #[test]
    fn one_timer_per_quiet_period_however_often_it_is_polled() {
        let clock = ManualClock::default();
        let source = Source::default();
        let mut body = keep_alive(&clock, &source);
        for _ in 0..10 {
            assert!(poll(&mut body).is_pending());
        }
        assert_eq!(clock.sleeps_made(), 1);
        source.send("a");
        assert_eq!(ready_bytes(&mut body), "data: a\n\n");
        assert!(poll(&mut body).is_pending());
        assert_eq!(
            clock.sleeps_made(),
            2,
            "the first event ends the idle sleep"
        );
    }

    #[test]
    fn events_set_a_flag_instead_of_restarting_the_timer() {
        let clock = ManualClock::default();
        let source = Source::default();
        let mut body = keep_alive(&clock, &source);
        assert!(poll(&mut body).is_pending());
        source.send("first");
        assert_eq!(ready_bytes(&mut body), "data: first\n\n");
        for _ in 0..1_000 {
            clock.advance(Duration::from_millis(10));
            source.send("a");
            assert_eq!(ready_bytes(&mut body), "data: a\n\n");
            assert!(poll(&mut body).is_pending());
        }
        // 10 s of events: the idle sleep, then one tick of 7.5 s and the next one.
        assert_eq!(clock.sleeps_made(), 3);
    }

    /// Times of the chunks `body` sends while `events` (times in ms) go into it, polled
    /// every 100 ms for `until` ms, and whether each was a keep-alive.
    fn schedule(events: &[u64], until: u64) -> Vec<(u64, bool)> {
        let clock = ManualClock::default();
        let source = Source::default();
        let mut body = keep_alive(&clock, &source);
        let mut sent = Vec::new();
        for now in (0..=until).step_by(100) {
            if events.contains(&now) {
                source.send("x");
            }
            while let Poll::Ready(Some(Ok(chunk))) = poll(&mut body) {
                sent.push((now, chunk == ":\n\n"));
            }
            clock.advance(Duration::from_millis(100));
        }
        sent
    }

    #[test]
    fn silence_never_exceeds_the_interval_nor_ends_before_half_of_it() {
        // Event times that land on every phase of the 7.5 s ticks, bursts and gaps.
        let mut events: Vec<u64> = (1..40).map(|n| n * n * 700 % 90_000).collect();
        events.extend((0..50).map(|n| 100_000 + n * 300));
        events.sort_unstable();
        let sent = schedule(&events, 150_000);
        let mut last = 0;
        let mut keep_alives = 0;
        for &(at, is_keep_alive) in &sent {
            assert!(
                at - last <= 15_000,
                "{} ms of silence before {at}",
                at - last
            );
            if is_keep_alive {
                keep_alives += 1;
                assert!(
                    at - last >= 7_500,
                    "keep-alive at {at} after {} ms",
                    at - last
                );
            }
            last = at;
        }
        assert!(150_000 - last <= 15_000);
        assert!(keep_alives >= 3, "{keep_alives} keep-alives in {sent:?}");
    }

    #[test]
    fn a_quiet_stream_gets_one_keep_alive_per_interval() {
        let sent = schedule(&[], 60_000);
        assert_eq!(
            sent,
            [
                (15_000, true),
                (30_000, true),
                (45_000, true),
                (60_000, true)
            ]
        );
    }

    #[test]
    fn events_ready_in_a_row_never_wait_for_the_timer() {
        let clock = ManualClock::default();
        let source = Source::default();
        let mut body = KeepAlive::new(
            EncodeStream::new(source.stream()).coalesce(0),
            Duration::from_secs(15),
            clock.sleep(),
        );
        source.send("a");
        source.send("b");
        assert_eq!(ready_bytes(&mut body), "data: a\n\n");
        assert_eq!(ready_bytes(&mut body), "data: b\n\n");
        assert_eq!(clock.sleeps_made(), 0, "no timer while events flow");
    }

    #[test]
    fn can_be_a_comment_text_or_a_named_event() {
        let clock = ManualClock::default();
        let source = Source::default();
        let quiet = EncodeStream::new(source.stream());
        let mut body = KeepAlive::new(quiet, Duration::from_secs(1), clock.sleep()).comment("ping");
        assert!(poll(&mut body).is_pending());
        clock.advance(Duration::from_secs(1));
        assert_eq!(ready_bytes(&mut body), ": ping\n\n");

        let named = Event::new().event("keep-alive").data("");
        let mut body = body.event(&named);
        assert!(poll(&mut body).is_pending());
        clock.advance(Duration::from_secs(1));
        assert_eq!(ready_bytes(&mut body), "event: keep-alive\ndata:\n\n");
    }

    #[test]
    fn passes_errors_through_and_ends_with_the_source() {
        let clock = ManualClock::default();
        let source = Source::default();
        let mut body = KeepAlive::new(
            EncodeStream::new(source.stream()),
            Duration::from_secs(1),
            clock.sleep(),
        );
        source.fail("boom");
        assert!(matches!(poll(&mut body), Poll::Ready(Some(Err("boom")))));
        assert!(matches!(poll(&mut body), Poll::Ready(None)));
        assert!(body.is_terminated());
        clock.advance(Duration::from_secs(5));
        assert!(
            matches!(poll(&mut body), Poll::Ready(None)),
            "no keep-alive after the end"
        );
    }

    #[test]
    fn dropping_it_drops_the_source() {
        let dropped = Rc::new(Cell::new(false));
        let clock = ManualClock::default();
        let source = DropFlag::new(stream::pending::<Event>(), &dropped);
        let mut body = KeepAlive::new(
            EncodeStream::new(source),
            Duration::from_secs(1),
            clock.sleep(),
        );
        assert!(poll(&mut body).is_pending());
        drop(body);
        assert!(dropped.get());
    }
}
