//! [`KeepAlive`]: a comment (or event) on a quiet stream, so proxies keep the connection.

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
    /// The timer is the caller's: `make_sleep(interval)` returns a future that completes after
    /// the interval (`tokio::time::sleep`, `async_io::Timer::after`, or a manual clock in
    /// tests), so the core needs no runtime. The silence is measured from the last chunk the
    /// consumer took: a consumer that is slow to take chunks is busy, not idle. The sleep
    /// future lives inside the adapter (no allocation per reset).
    ///
    /// Why a sleep factory rather than a stream of ticks: a keep-alive is about silence, so
    /// its timer must restart at every real event. A tick stream runs on its own schedule
    /// and would send a keep-alive right after a real event; a fresh sleep per quiet period
    /// starts exactly when the silence does, and every runtime has such a sleep.
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
        make_sleep: F,
        #[pin]
        sleep: Option<T>,
        interval: Duration,
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
            make_sleep,
            sleep: None,
            interval,
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
        let mut this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        match this.inner.poll_next(cx) {
            Poll::Ready(Some(item)) => {
                this.sleep.set(None);
                Poll::Ready(Some(item))
            }
            Poll::Ready(None) => {
                *this.done = true;
                this.sleep.set(None);
                Poll::Ready(None)
            }
            Poll::Pending => {
                if this.sleep.is_none() {
                    this.sleep.set(Some((this.make_sleep)(*this.interval)));
                }
                let Some(sleep) = this.sleep.as_mut().as_pin_mut() else {
                    return Poll::Pending;
                };
                if sleep.poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.sleep.set(None);
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
    use core::cell::Cell;
    use futures::stream;

    #[test]
    fn fires_only_after_a_quiet_interval() {
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

        // A real event resets the silence: the timer started at 15 s would fire at 30 s, but
        // at 30 s the stream has been quiet only since the event at 20 s.
        assert!(poll(&mut body).is_pending());
        clock.advance(Duration::from_secs(5));
        source.send("news");
        assert_eq!(ready_bytes(&mut body), "data: news\n\n");
        assert!(poll(&mut body).is_pending());
        clock.advance(Duration::from_secs(10));
        assert!(poll(&mut body).is_pending());
        clock.advance(Duration::from_secs(5));
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
        let mut body = KeepAlive::new(
            EncodeStream::new(source.stream()),
            Duration::from_secs(15),
            clock.sleep(),
        );
        for _ in 0..10 {
            assert!(poll(&mut body).is_pending());
        }
        assert_eq!(clock.sleeps_made(), 1);
        source.send("a");
        assert_eq!(ready_bytes(&mut body), "data: a\n\n");
        assert!(poll(&mut body).is_pending());
        assert_eq!(clock.sleeps_made(), 2, "the event restarted the timer");
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
