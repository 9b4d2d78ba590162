//! [`EncodeStream`]: a stream of events to a stream of `Bytes`, ready to be an HTTP body.

use crate::event::Event;
use bytes::{Bytes, BytesMut};
use core::convert::Infallible;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;

/// How many bytes of ready events [`EncodeStream`] joins into one chunk unless told
/// otherwise: 8 KiB.
///
/// Measured (`cargo bench --bench stream`): a burst of 1,000 small events written to a
/// loopback TCP socket, one write per chunk, takes about 20x less time joined into 8 KiB
/// chunks than as one chunk per event (5 writes instead of 1,000); 16 KiB gains little more.
/// Lone events cost nothing extra: they are never held back and get exact-size chunks.
pub const DEFAULT_COALESCE: usize = 8 * 1024;

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
    /// reaches the source and nothing is buffered without bound. Events that are ready at
    /// the same time go out as one chunk of up to [`DEFAULT_COALESCE`] bytes (fewer writes
    /// under bursts; see [`coalesce`](Self::coalesce)). The stream ends after the source ends
    /// or after the first error, which is passed through.
    ///
    /// # Examples
    /// ```
    /// use futures::{executor::block_on, stream, StreamExt};
    /// use sse_wire::{stream::EncodeStream, Event};
    ///
    /// let events = [Event::new().data("one"), Event::new().data("two")];
    /// // Both events are ready at once: they go out as one chunk.
    /// let chunks: Vec<_> = block_on(EncodeStream::new(stream::iter(events.clone())).collect());
    /// assert_eq!(chunks, [Ok("data: one\n\ndata: two\n\n".into())]);
    ///
    /// // One chunk per event.
    /// let chunks: Vec<_> = block_on(EncodeStream::new(stream::iter(events)).coalesce(0).collect());
    /// assert_eq!(chunks.len(), 2);
    /// # let _: &[Result<bytes::Bytes, std::convert::Infallible>] = &chunks;
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
    /// Wraps a source of events, joining ready events into chunks of up to
    /// [`DEFAULT_COALESCE`] bytes.
    pub fn new(source: S) -> Self {
        Self {
            source,
            coalesce: DEFAULT_COALESCE,
            held: None,
            done: false,
        }
    }

    /// Joins events that are ready together into one chunk, adding events until the chunk
    /// reaches `bytes` (so it exceeds `bytes` by less than one event); the default is
    /// [`DEFAULT_COALESCE`]. `0` sends each event as its own chunk.
    ///
    /// It never waits for events: only those the source has ready at the time of the poll
    /// are joined, so no latency is added, and a lone event still goes out in a chunk of its
    /// exact size. The cost is one copy of each joined event into the batch buffer.
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
        if *this.coalesce <= first.encoded_len() {
            return Poll::Ready(Some(Ok(first.to_bytes())));
        }
        // A lone event gets an exact-size chunk; the batch buffer is only made for a second.
        let second = match this.source.as_mut().poll_next(cx) {
            Poll::Pending => return Poll::Ready(Some(Ok(first.to_bytes()))),
            Poll::Ready(None) => {
                *this.held = Some(Held::End);
                return Poll::Ready(Some(Ok(first.to_bytes())));
            }
            Poll::Ready(Some(item)) => match item.into_event_result() {
                Ok(event) => event,
                Err(error) => {
                    *this.held = Some(Held::Error(error));
                    return Poll::Ready(Some(Ok(first.to_bytes())));
                }
            },
        };
        let pair = first.encoded_len() + second.encoded_len();
        let mut buf = BytesMut::with_capacity((*this.coalesce).max(pair));
        first.encode_into(&mut buf);
        second.encode_into(&mut buf);
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
        match (&self.held, self.done) {
            (_, true) | (Some(Held::End), _) => (0, Some(0)),
            (Some(Held::Error(_)), _) => (1, Some(1)),
            // A source item may be an error that ends the stream, or be joined with others:
            // at least one chunk if the source has an item, at most one per source item.
            (None, false) => {
                let (lower, upper) = self.source.size_hint();
                (usize::from(lower > 0), upper)
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::test_support::{poll, ready_bytes, DropFlag, Source};
    use alloc::rc::Rc;
    use alloc::vec::Vec;
    use core::cell::Cell;
    use futures::{executor::block_on, stream, StreamExt};

    #[test]
    fn polls_the_source_only_when_polled() {
        let source = Source::default();
        let mut body = EncodeStream::new(source.stream()).coalesce(0);
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
    fn by_default_one_poll_takes_at_most_a_default_chunk_of_events() {
        let source = Source::default();
        let mut body = EncodeStream::new(source.stream());
        for _ in 0..2000 {
            source.send("x");
        }
        let chunk = ready_bytes(&mut body);
        // Each event is 9 bytes: the chunk stops at the first event reaching the limit.
        assert_eq!(chunk.len(), DEFAULT_COALESCE.div_ceil(9) * 9);
        assert_eq!(source.queued(), 2000 - DEFAULT_COALESCE.div_ceil(9));
    }

    #[test]
    fn plain_events_give_infallible_chunks() {
        let events = stream::iter([Event::new().data("a"), Event::new().data("b")]);
        let chunks: Vec<Result<Bytes, Infallible>> =
            block_on(EncodeStream::new(events).coalesce(0).collect());
        assert_eq!(chunks, [Ok("data: a\n\n".into()), Ok("data: b\n\n".into())]);
    }

    #[test]
    fn an_error_passes_through_and_ends_the_stream() {
        let source = Source::default();
        let mut body = EncodeStream::new(source.stream()).coalesce(0);
        source.send("a");
        source.fail("boom");
        source.send("never");
        assert_eq!(ready_bytes(&mut body), "data: a\n\n");
        assert!(matches!(poll(&mut body), Poll::Ready(Some(Err("boom")))));
        assert!(matches!(poll(&mut body), Poll::Ready(None)));
        assert!(body.is_terminated());
        assert_eq!(source.queued(), 1, "not polled after the error");
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
        assert_eq!(source.queued(), 1, "the batch stops at the limit");
        assert_eq!(ready_bytes(&mut body), "data: d\n\n");
        assert!(poll(&mut body).is_pending());
    }

    #[test]
    fn coalescing_sends_what_is_ready_without_waiting_for_more() {
        let source = Source::default();
        let mut body = EncodeStream::new(source.stream()).coalesce(16 * 1024);
        source.send("only");
        assert_eq!(ready_bytes(&mut body), "data: only\n\n");
        assert!(poll(&mut body).is_pending());
        source.send("later");
        assert_eq!(ready_bytes(&mut body), "data: later\n\n");
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
        assert!(body.is_terminated());
    }

    #[test]
    fn coalescing_delivers_a_longer_batch_before_an_error_or_the_end() {
        let source = Source::default();
        let mut body = EncodeStream::new(source.stream()).coalesce(1024);
        source.send("a");
        source.send("b");
        source.send("c");
        source.fail("boom");
        assert_eq!(ready_bytes(&mut body), "data: a\n\ndata: b\n\ndata: c\n\n");
        assert!(matches!(poll(&mut body), Poll::Ready(Some(Err("boom")))));
        assert!(matches!(poll(&mut body), Poll::Ready(None)));

        let source = Source::default();
        let mut body = EncodeStream::new(source.stream()).coalesce(1024);
        source.send("a");
        source.send("b");
        source.end();
        assert_eq!(ready_bytes(&mut body), "data: a\n\ndata: b\n\n");
        assert!(matches!(poll(&mut body), Poll::Ready(None)));
    }

    #[test]
    fn coalescing_delivers_the_batch_before_the_end() {
        let source = Source::default();
        let mut body = EncodeStream::new(source.stream()).coalesce(1024);
        source.send("a");
        source.end();
        assert_eq!(ready_bytes(&mut body), "data: a\n\n");
        assert!(!body.is_terminated());
        assert!(matches!(poll(&mut body), Poll::Ready(None)));
        assert!(body.is_terminated());
    }

    #[test]
    fn size_hint_holds_whatever_the_source_yields() {
        for coalesce in [0, 1024] {
            for taken in 0..3 {
                let items = stream::iter([
                    Ok(Event::new().data("a")),
                    Err("boom"),
                    Ok(Event::new().data("never")),
                ]);
                let mut body = EncodeStream::new(items).coalesce(coalesce);
                for _ in 0..taken {
                    let _ = poll(&mut body);
                }
                let (lower, upper) = body.size_hint();
                let rest = block_on((&mut body).collect::<Vec<_>>()).len();
                assert!(
                    lower <= rest,
                    "coalesce {coalesce}, after {taken}: {lower} > {rest}"
                );
                assert!(
                    upper.map_or(true, |upper| rest <= upper),
                    "coalesce {coalesce}, after {taken}: {rest} > {upper:?}"
                );
            }
        }
    }

    #[test]
    fn dropping_the_body_drops_the_source() {
        let dropped = Rc::new(Cell::new(false));
        let mut body = EncodeStream::new(DropFlag::new(stream::pending::<Event>(), &dropped));
        assert!(poll(&mut body).is_pending());
        drop(body);
        assert!(
            dropped.get(),
            "the client went away: the source must go too"
        );
    }

    #[test]
    fn accessors_reach_the_source() {
        let source = Source::default();
        let mut body = EncodeStream::new(source.stream());
        source.send("a");
        source.send("b");
        let Poll::Ready(Some(Ok(first))) = poll(body.get_mut()) else {
            panic!("the source had an event ready");
        };
        assert_eq!(first.data_bytes().map(|data| &data[..]), Some(&b"a"[..]));
        let Poll::Ready(Some(Ok(second))) = poll(&mut body.into_inner()) else {
            panic!("the source had an event ready");
        };
        assert_eq!(second.data_bytes().map(|data| &data[..]), Some(&b"b"[..]));
    }
}
