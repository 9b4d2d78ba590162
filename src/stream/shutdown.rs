//! [`Shutdown`]: ends a byte stream when the server shuts down, optionally with a last event.

use crate::event::Event;
use bytes::Bytes;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;

pin_project! {
    /// Ends the wrapped byte stream when `signal` completes, so a server shutting down can
    /// drain its event streams instead of waiting on them forever.
    ///
    /// With [`farewell`](Self::farewell) a last event goes out first: typically a `retry`
    /// telling clients when to come back, or a named event the page understands. The source
    /// is not polled again once the signal has fired.
    ///
    /// # Examples
    /// ```
    /// use futures::{executor::block_on, future, stream, StreamExt};
    /// use sse_wire::{stream::{EncodeStream, Shutdown}, Event};
    /// use std::time::Duration;
    ///
    /// let forever = EncodeStream::new(stream::pending::<Event>());
    /// let body = Shutdown::new(forever, future::ready(()))
    ///     .farewell(&Event::new().retry(Duration::from_secs(30)));
    /// let chunks: Vec<_> = block_on(body.collect());
    /// assert_eq!(chunks.len(), 1);
    /// assert_eq!(chunks[0].as_ref().unwrap(), "retry: 30000\n\n");
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct Shutdown<S, F> {
        #[pin]
        inner: S,
        #[pin]
        signal: F,
        farewell: Option<Bytes>,
        done: bool,
    }
}

impl<S, F: Future> Shutdown<S, F> {
    /// Wraps `inner`, ending it when `signal` completes.
    pub fn new(inner: S, signal: F) -> Self {
        Self {
            inner,
            signal,
            farewell: None,
            done: false,
        }
    }

    /// Sends this event before ending on shutdown.
    pub fn farewell(mut self, event: &Event) -> Self {
        self.farewell = Some(event.to_bytes());
        self
    }

    wrapped_stream_accessors!(inner: S);

    /// Unwraps the stream.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, E, F> Stream for Shutdown<S, F>
where
    S: Stream<Item = Result<Bytes, E>>,
    F: Future,
{
    type Item = Result<Bytes, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        if this.signal.poll(cx).is_ready() {
            *this.done = true;
            return Poll::Ready(this.farewell.take().map(Ok));
        }
        let item = core::task::ready!(this.inner.poll_next(cx));
        *this.done = item.is_none();
        Poll::Ready(item)
    }
}

impl<S, E, F> FusedStream for Shutdown<S, F>
where
    S: Stream<Item = Result<Bytes, E>>,
    F: Future,
{
    fn is_terminated(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::test_support::{poll, ready_bytes, DropFlag, ManualClock, Source};
    use crate::stream::{EncodeStream, KeepAlive};
    use alloc::boxed::Box;
    use alloc::rc::Rc;
    use core::cell::Cell;
    use core::time::Duration;
    use futures::{future, stream};

    /// A shutdown signal the test fires by hand.
    fn signal(fired: &Rc<Cell<bool>>) -> impl Future<Output = ()> {
        let fired = fired.clone();
        future::poll_fn(move |_| {
            if fired.get() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }

    #[test]
    fn sends_the_farewell_then_ends_without_polling_the_source() {
        let source = Source::default();
        let stop = Rc::new(Cell::new(false));
        let farewell = Event::new().retry(Duration::from_secs(10));
        let mut body = Box::pin(
            Shutdown::new(EncodeStream::new(source.stream()), signal(&stop)).farewell(&farewell),
        );
        source.send("live");
        assert_eq!(ready_bytes(&mut body), "data: live\n\n");
        assert!(poll(&mut body).is_pending());
        stop.set(true);
        source.send("after shutdown");
        assert_eq!(ready_bytes(&mut body), "retry: 10000\n\n");
        assert!(matches!(poll(&mut body), Poll::Ready(None)));
        assert!(body.is_terminated());
        assert_eq!(
            source.queued(),
            1,
            "the source was not polled after the signal"
        );
    }

    #[test]
    fn without_a_farewell_it_just_ends() {
        let source = Source::default();
        let stop = Rc::new(Cell::new(false));
        let mut body = Box::pin(Shutdown::new(
            EncodeStream::new(source.stream()),
            signal(&stop),
        ));
        assert!(poll(&mut body).is_pending());
        stop.set(true);
        assert!(matches!(poll(&mut body), Poll::Ready(None)));
        stop.set(false);
        assert!(
            matches!(poll(&mut body), Poll::Ready(None)),
            "fused: the signal is not polled again"
        );
    }

    #[test]
    fn the_source_ending_first_ends_the_stream() {
        let source = Source::default();
        let mut body = Shutdown::new(EncodeStream::new(source.stream()), future::pending::<()>())
            .farewell(&Event::new().data("bye"));
        source.send("a");
        source.end();
        assert_eq!(ready_bytes(&mut body), "data: a\n\n");
        assert!(matches!(poll(&mut body), Poll::Ready(None)));
        assert!(
            matches!(poll(&mut body), Poll::Ready(None)),
            "no farewell when the stream ended on its own"
        );
    }

    #[test]
    fn dropping_the_whole_chain_drops_the_source() {
        let dropped = Rc::new(Cell::new(false));
        let clock = ManualClock::default();
        let source = DropFlag::new(stream::pending::<Event>(), &dropped);
        let body = KeepAlive::new(
            EncodeStream::new(source),
            Duration::from_secs(1),
            clock.sleep(),
        );
        let mut body = Shutdown::new(body, future::pending::<()>());
        assert!(poll(&mut body).is_pending());
        assert!(!dropped.get());
        drop(body);
        assert!(
            dropped.get(),
            "the client went away: the source must go too"
        );
    }
}
