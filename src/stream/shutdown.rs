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
