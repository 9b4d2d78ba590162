//! [`EncodeStream`]: a stream of events to a stream of `Bytes`, ready to be an HTTP body.

use crate::event::Event;
use alloc::collections::VecDeque;
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

/// One piece of an event stream on its way out: an [`Event`] to encode, or the bytes of
/// events already encoded (what [`Event::to_bytes`] and
/// [`History::record`](crate::History::record) return, or a [`Replay`](crate::Replay) yields).
///
/// [`EncodeStream`] takes both in the same stream, so a replay of stored bytes and live events
/// flow through one body. Encoded bytes are sent as they are: they must hold whole events,
/// each ending with its empty line (anything from this crate's encoder does).
///
/// # Examples
/// ```
/// use futures::{executor::block_on, stream, StreamExt};
/// use sse_wire::{stream::{EncodeStream, Outgoing}, Event, History};
///
/// let mut history = History::new(100, 1 << 20);
/// for n in 1..=3_u32 {
///     history.record(&Event::new().id(n).data("stored"));
/// }
/// // A client resuming after id 2: the stored event 3, then live events.
/// let replay: Vec<Outgoing> = history.replay_after("2")?.cloned().map(Outgoing::from).collect();
/// let live = stream::iter([Event::new().data("live")]).map(Outgoing::from);
/// let body = EncodeStream::new(stream::iter(replay).chain(live));
/// let chunks: Vec<_> = block_on(body.map(Result::unwrap).collect());
/// assert_eq!(chunks.concat(), b"id: 3\ndata: stored\n\ndata: live\n\n");
/// # Ok::<(), sse_wire::ReplayError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    /// An event, encoded when the stream is polled.
    Event(Event),
    /// Whole events already encoded, sent without a copy when they go out alone.
    Encoded(Bytes),
}

impl Outgoing {
    /// The number of bytes this piece takes on the wire.
    pub fn encoded_len(&self) -> usize {
        match self {
            Outgoing::Event(event) => event.encoded_len(),
            Outgoing::Encoded(bytes) => bytes.len(),
        }
    }

    /// Appends the wire bytes to `buf`.
    fn write_to(&self, buf: &mut BytesMut) {
        match self {
            Outgoing::Event(event) => event.encode_into(buf),
            Outgoing::Encoded(bytes) => buf.extend_from_slice(bytes),
        }
    }

    /// The wire bytes, as one chunk: encoded once for an event, as they are for bytes.
    pub fn into_bytes(self) -> Bytes {
        match self {
            Outgoing::Event(event) => event.to_bytes(),
            Outgoing::Encoded(bytes) => bytes,
        }
    }
}

impl From<Event> for Outgoing {
    fn from(event: Event) -> Self {
        Outgoing::Event(event)
    }
}

impl From<Bytes> for Outgoing {
    fn from(bytes: Bytes) -> Self {
        Outgoing::Encoded(bytes)
    }
}

/// An item an [`EncodeStream`] accepts: an [`Event`], encoded `Bytes`, an [`Outgoing`], or a
/// `Result` of any of them.
pub trait IntoOutgoing {
    /// The error a failed item carries; [`Infallible`] for plain events and bytes.
    type Error;

    /// The piece to send, or the source's error.
    ///
    /// # Errors
    /// The source's own error, passed through.
    fn into_outgoing(self) -> Result<Outgoing, Self::Error>;
}

impl IntoOutgoing for Event {
    type Error = Infallible;

    fn into_outgoing(self) -> Result<Outgoing, Infallible> {
        Ok(Outgoing::Event(self))
    }
}

impl IntoOutgoing for Bytes {
    type Error = Infallible;

    fn into_outgoing(self) -> Result<Outgoing, Infallible> {
        Ok(Outgoing::Encoded(self))
    }
}

impl IntoOutgoing for Outgoing {
    type Error = Infallible;

    fn into_outgoing(self) -> Result<Outgoing, Infallible> {
        Ok(self)
    }
}

impl<T: Into<Outgoing>, E> IntoOutgoing for Result<T, E> {
    type Error = E;

    fn into_outgoing(self) -> Result<Outgoing, E> {
        self.map(Into::into)
    }
}

pin_project! {
    /// Encodes a `Stream` of [`Event`]s, already encoded `Bytes` or [`Outgoing`] pieces (or
    /// `Result`s of them, see [`IntoOutgoing`]) into a `Stream` of `Result<Bytes, E>`: what
    /// axum's `Body::from_stream`, hyper's `StreamBody` (as data frames) and actix's
    /// `HttpResponse::streaming` take.
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
        S::Item: IntoOutgoing,
    {
        #[pin]
        source: S,
        // Encoded events sent before anything from the source.
        replay: VecDeque<Bytes>,
        coalesce: usize,
        // The end or an error met while coalescing, held back until the batch is out.
        held: Option<Held<<S::Item as IntoOutgoing>::Error>>,
        done: bool,
    }
}

/// The next piece to send: the replay first, then the source.
fn next_piece<S>(
    replay: &mut VecDeque<Bytes>,
    source: Pin<&mut S>,
    cx: &mut Context<'_>,
) -> Poll<Option<Result<Outgoing, <S::Item as IntoOutgoing>::Error>>>
where
    S: Stream,
    S::Item: IntoOutgoing,
{
    if let Some(encoded) = replay.pop_front() {
        return Poll::Ready(Some(Ok(Outgoing::Encoded(encoded))));
    }
    source
        .poll_next(cx)
        .map(|item| item.map(IntoOutgoing::into_outgoing))
}

/// What ended a coalesced batch, delivered on the next poll.
enum Held<E> {
    End,
    Error(E),
}

impl<S> core::fmt::Debug for EncodeStream<S>
where
    S: Stream + core::fmt::Debug,
    S::Item: IntoOutgoing,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EncodeStream")
            .field("source", &self.source)
            .field("replay", &self.replay.len())
            .field("coalesce", &self.coalesce)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<S> EncodeStream<S>
where
    S: Stream,
    S::Item: IntoOutgoing,
{
    /// Wraps a source of events, joining ready events into chunks of up to
    /// [`DEFAULT_COALESCE`] bytes.
    pub fn new(source: S) -> Self {
        Self {
            source,
            replay: VecDeque::new(),
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

    /// Sends these encoded events (a [`History`](crate::History) replay) before anything
    /// from the source, joined into chunks like the rest: the way to resume a client after
    /// its `Last-Event-ID` with a live source of another item type.
    ///
    /// # Examples
    /// ```
    /// use futures::{executor::block_on, stream, StreamExt};
    /// use sse_wire::{stream::EncodeStream, Event, History};
    ///
    /// let mut history = History::new(100, 1 << 20);
    /// for n in 1..=3_u32 {
    ///     history.record(&Event::new().id(n).data("stored"));
    /// }
    /// let live = stream::iter([Event::new().data("live")]);
    /// let body = EncodeStream::new(live).replay(history.replay_after("2")?.cloned());
    /// let chunks: Vec<_> = block_on(body.map(Result::unwrap).collect());
    /// assert_eq!(chunks.concat(), b"id: 3\ndata: stored\n\ndata: live\n\n");
    /// # Ok::<(), sse_wire::ReplayError>(())
    /// ```
    pub fn replay(mut self, encoded: impl IntoIterator<Item = Bytes>) -> Self {
        self.replay.extend(encoded);
        self
    }

    wrapped_stream_accessors!(source: S);

    /// Unwraps the source (replay events not yet sent are dropped).
    pub fn into_inner(self) -> S {
        self.source
    }
}

impl<S> Stream for EncodeStream<S>
where
    S: Stream,
    S::Item: IntoOutgoing,
{
    type Item = Result<Bytes, <S::Item as IntoOutgoing>::Error>;

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
        let first = match next_piece(this.replay, this.source.as_mut(), cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(None) => {
                *this.done = true;
                return Poll::Ready(None);
            }
            Poll::Ready(Some(Ok(piece))) => piece,
            Poll::Ready(Some(Err(error))) => {
                *this.done = true;
                return Poll::Ready(Some(Err(error)));
            }
        };
        if *this.coalesce <= first.encoded_len() {
            return Poll::Ready(Some(Ok(first.into_bytes())));
        }
        // A lone event gets an exact-size chunk; the batch buffer is only made for a second.
        let second = match next_piece(this.replay, this.source.as_mut(), cx) {
            Poll::Pending => return Poll::Ready(Some(Ok(first.into_bytes()))),
            Poll::Ready(None) => {
                *this.held = Some(Held::End);
                return Poll::Ready(Some(Ok(first.into_bytes())));
            }
            Poll::Ready(Some(Ok(piece))) => piece,
            Poll::Ready(Some(Err(error))) => {
                *this.held = Some(Held::Error(error));
                return Poll::Ready(Some(Ok(first.into_bytes())));
            }
        };
        let pair = first.encoded_len() + second.encoded_len();
        let mut buf = BytesMut::with_capacity((*this.coalesce).max(pair));
        first.write_to(&mut buf);
        second.write_to(&mut buf);
        while buf.len() < *this.coalesce {
            match next_piece(this.replay, this.source.as_mut(), cx) {
                Poll::Ready(Some(Ok(piece))) => piece.write_to(&mut buf),
                Poll::Ready(Some(Err(error))) => {
                    // The events before the error go out first.
                    *this.held = Some(Held::Error(error));
                    break;
                }
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
                let replay = self.replay.len();
                (
                    usize::from(lower > 0 || replay > 0),
                    upper.and_then(|upper| upper.checked_add(replay)),
                )
            }
        }
    }
}

impl<S> FusedStream for EncodeStream<S>
where
    S: Stream,
    S::Item: IntoOutgoing,
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
    fn encoded_bytes_and_events_share_one_stream() {
        let stored = Event::new().id(1_u32).data("old").to_bytes();
        let items = [
            Outgoing::from(stored.clone()),
            Outgoing::from(Event::new().data("new")),
        ];
        let chunks: Vec<Result<Bytes, Infallible>> =
            block_on(EncodeStream::new(stream::iter(items.clone())).collect());
        assert_eq!(chunks, [Ok("id: 1\ndata: old\n\ndata: new\n\n".into())]);

        let chunks: Vec<Result<Bytes, Infallible>> =
            block_on(EncodeStream::new(stream::iter(items)).coalesce(0).collect());
        assert_eq!(
            chunks[0].as_ref().map(|chunk| chunk.as_ptr()),
            Ok(stored.as_ptr()),
            "encoded bytes going out alone are not copied"
        );
        assert_eq!(chunks[1], Ok("data: new\n\n".into()));
    }

    #[test]
    fn the_replay_goes_first_joined_like_the_rest_then_the_source() {
        let source = Source::default();
        let replay = [
            Bytes::from_static(b"id: 1\ndata: old\n\n"),
            Bytes::from_static(b"id: 2\ndata: old\n\n"),
        ];
        let mut body = EncodeStream::new(source.stream()).replay(replay.clone());
        assert_eq!(body.size_hint().0, 1, "the replay is ready");
        source.send("new");
        assert_eq!(
            ready_bytes(&mut body),
            "id: 1\ndata: old\n\nid: 2\ndata: old\n\ndata: new\n\n"
        );
        assert!(poll(&mut body).is_pending());

        let mut body = EncodeStream::new(source.stream())
            .replay(replay.clone())
            .coalesce(0);
        assert_eq!(
            ready_bytes(&mut body).as_ptr(),
            replay[0].as_ptr(),
            "a replayed event going out alone is not copied"
        );
        source.fail("boom");
        assert_eq!(ready_bytes(&mut body), "id: 2\ndata: old\n\n");
        assert!(matches!(poll(&mut body), Poll::Ready(Some(Err("boom")))));
    }

    #[test]
    fn a_stream_of_bytes_or_results_of_bytes_is_accepted() {
        let bytes = [
            Bytes::from_static(b"data: a\n\n"),
            Bytes::from_static(b"data: b\n\n"),
        ];
        let chunks: Vec<Result<Bytes, Infallible>> =
            block_on(EncodeStream::new(stream::iter(bytes)).collect());
        assert_eq!(chunks, [Ok("data: a\n\ndata: b\n\n".into())]);

        let items = [Ok(Bytes::from_static(b"data: a\n\n")), Err("boom")];
        let chunks: Vec<Result<Bytes, &str>> =
            block_on(EncodeStream::new(stream::iter(items)).collect());
        assert_eq!(chunks, [Ok("data: a\n\n".into()), Err("boom")]);
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
        assert_eq!(first.data_bytes(), Some(&b"a"[..]));
        let Poll::Ready(Some(Ok(second))) = poll(&mut body.into_inner()) else {
            panic!("the source had an event ready");
        };
        assert_eq!(second.data_bytes(), Some(&b"b"[..]));
    }
}
