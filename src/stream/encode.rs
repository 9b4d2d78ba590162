//! [`EncodeStream`]: a stream of events to a stream of `Bytes`, ready to be an HTTP body.

use crate::event::Event;
use bytes::{Bytes, BytesMut};
use core::convert::Infallible;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;

/// An item an [`EncodeStream`] accepts: an [`Event`], or a `Result` of one.
pub trait IntoEventResult {
    /// The error a failed item carries; [`Infallible`] for plain events.
    type Error;

    /// The event, or the source's error.
    ///
    /// # Errors
    /// The source's own error, passed through.
    fn into_event_result(self) -> Result<Event, Self::Error>;
}

impl IntoEventResult for Event {
    type Error = Infallible;

    fn into_event_result(self) -> Result<Event, Infallible> {
        Ok(self)
    }
}

impl<E> IntoEventResult for Result<Event, E> {
    type Error = E;

    fn into_event_result(self) -> Result<Event, E> {
        self
    }
}

pin_project! {
    /// Encodes a `Stream` of [`Event`]s (or `Result<Event, E>`) into a `Stream` of
    /// `Result<Bytes, E>`: what axum's `Body::from_stream`, hyper's `StreamBody` (as data
    /// frames) and actix's `HttpResponse::streaming` take.
    ///
    /// It polls the source only when it is polled itself, so the socket's backpressure
    /// reaches the source and nothing is buffered without bound. With
    /// [`coalesce`](Self::coalesce), events that are ready at the same time go out as one
    /// chunk (fewer writes under bursts). The stream ends after the source ends or after the
    /// first error, which is passed through.
    ///
    /// # Examples
    /// ```
    /// use futures::{executor::block_on, stream, StreamExt};
    /// use sse_wire::{stream::EncodeStream, Event};
    ///
    /// let events = stream::iter([Event::new().data("one"), Event::new().data("two")]);
    /// let chunks: Vec<_> = block_on(EncodeStream::new(events).collect());
    /// assert_eq!(chunks[0].as_ref().unwrap(), "data: one\n\n");
    /// assert_eq!(chunks.len(), 2);
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct EncodeStream<S>
    where
        S: Stream,
        S::Item: IntoEventResult,
    {
        #[pin]
        source: S,
        coalesce: usize,
        // The end or an error met while coalescing, held back until the batch is out.
        held: Option<Held<<S::Item as IntoEventResult>::Error>>,
        done: bool,
    }
}

/// What ended a coalesced batch, delivered on the next poll.
enum Held<E> {
    End,
    Error(E),
}

impl<S> core::fmt::Debug for EncodeStream<S>
where
    S: Stream + core::fmt::Debug,
    S::Item: IntoEventResult,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EncodeStream")
            .field("source", &self.source)
            .field("coalesce", &self.coalesce)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<S> EncodeStream<S>
where
    S: Stream,
    S::Item: IntoEventResult,
{
    /// Wraps a source of events; each event becomes one chunk.
    pub fn new(source: S) -> Self {
        Self {
            source,
            coalesce: 0,
            held: None,
            done: false,
        }
    }

    /// Joins events that are ready together into chunks of up to `bytes` (a chunk holds at
    /// least one event, however large). `0`, the default, sends each event as its own chunk.
    pub fn coalesce(mut self, bytes: usize) -> Self {
        self.coalesce = bytes;
        self
    }

    wrapped_stream_accessors!(source: S);

    /// Unwraps the source.
    pub fn into_inner(self) -> S {
        self.source
    }
}

impl<S> Stream for EncodeStream<S>
where
    S: Stream,
    S::Item: IntoEventResult,
{
    type Item = Result<Bytes, <S::Item as IntoEventResult>::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        if *this.done {
            return Poll::Ready(None);
        }
        match this.held.take() {
            Some(Held::End) => {
                *this.done = true;
                return Poll::Ready(None);
            }
            Some(Held::Error(error)) => {
                *this.done = true;
                return Poll::Ready(Some(Err(error)));
            }
            None => {}
        }
        let first = match this.source.as_mut().poll_next(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(None) => {
                *this.done = true;
                return Poll::Ready(None);
            }
            Poll::Ready(Some(item)) => match item.into_event_result() {
                Ok(event) => event,
                Err(error) => {
                    *this.done = true;
                    return Poll::Ready(Some(Err(error)));
                }
            },
        };
        if *this.coalesce == 0 {
            return Poll::Ready(Some(Ok(first.to_bytes())));
        }
        let mut buf = BytesMut::with_capacity((*this.coalesce).max(first.encoded_len()));
        first.encode_into(&mut buf);
        while buf.len() < *this.coalesce {
            match this.source.as_mut().poll_next(cx) {
                Poll::Ready(Some(item)) => match item.into_event_result() {
                    Ok(event) => event.encode_into(&mut buf),
                    Err(error) => {
                        // The events before the error go out first.
                        *this.held = Some(Held::Error(error));
                        break;
                    }
                },
                Poll::Ready(None) => {
                    *this.held = Some(Held::End);
                    break;
                }
                Poll::Pending => break,
            }
        }
        Poll::Ready(Some(Ok(buf.freeze())))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.done {
            (0, Some(0))
        } else if self.coalesce == 0 {
            self.source.size_hint()
        } else {
            (
                usize::from(self.source.size_hint().0 > 0),
                self.source.size_hint().1,
            )
        }
    }
}

impl<S> FusedStream for EncodeStream<S>
where
    S: Stream,
    S::Item: IntoEventResult,
{
    fn is_terminated(&self) -> bool {
        self.done
    }
}
