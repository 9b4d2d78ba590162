//! [`DecodeStream`] and [`FrameStream`]: a response body's chunks to decoded events (and
//! comments).

use crate::decode::{Decoder, DecoderConfig, Frame, Message};
use crate::error::{DecodeError, StreamError};
use bytes::Buf;
use core::pin::Pin;
use core::task::{Context, Poll};
use futures_core::{FusedStream, Stream};
use pin_project_lite::pin_project;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Reading,
    /// The body ended: the decoder was told, its last complete events are being handed out.
    Draining,
    Done,
}

/// The loop both adapters share: hand out what the decoder has, else read the next chunk.
/// `next` picks the decoder's output (`next_event` or `next_frame`): a generic, not a `fn`
/// pointer, so it inlines and the item is built where `poll_next` returns it.
#[inline]
fn poll_decoded<S, B, E, T, N>(
    mut body: Pin<&mut S>,
    decoder: &mut Decoder,
    state: &mut State,
    cx: &mut Context<'_>,
    next: N,
) -> Poll<Option<Result<T, StreamError<E>>>>
where
    S: Stream<Item = Result<B, E>>,
    B: Buf,
    N: Fn(&mut Decoder) -> Option<Result<T, DecodeError>>,
{
    loop {
        if *state == State::Done {
            return Poll::Ready(None);
        }
        if let Some(item) = next(decoder) {
            #[cfg(feature = "tracing")]
            if let Err(error) = &item {
                crate::trace::debug!(%error, "event stream decode error: that event is skipped");
            }
            return Poll::Ready(Some(item.map_err(StreamError::Decode)));
        }
        if *state == State::Draining {
            *state = State::Done;
            continue;
        }
        match core::task::ready!(body.as_mut().poll_next(cx)) {
            Some(Ok(mut chunk)) => {
                // `Bytes` chunks move in without a copy; other `Buf`s are copied once.
                let bytes = chunk.copy_to_bytes(chunk.remaining());
                decoder.push_bytes(bytes);
            }
            Some(Err(error)) => {
                *state = State::Done;
                return Poll::Ready(Some(Err(StreamError::Transport(error))));
            }
            None => {
                decoder.finish();
                *state = State::Draining;
            }
        }
    }
}

/// The accessors both adapters have, over their `decoder` field.
macro_rules! decoder_accessors {
    () => {
        /// The last event id committed so far: what to send as `Last-Event-ID` on reconnect.
        pub fn last_event_id(&self) -> &str {
            self.decoder.last_event_id()
        }

        /// The reconnection time the server asked for, if any.
        pub fn retry(&self) -> Option<core::time::Duration> {
            self.decoder.retry()
        }

        /// The decoder.
        pub fn decoder(&self) -> &Decoder {
            &self.decoder
        }

        wrapped_stream_accessors!(body: S);

        /// The body stream and the decoder (to [`reset`](Decoder::reset) and reuse it for
        /// the next connection).
        pub fn into_parts(self) -> (S, Decoder) {
            (self.body, self.decoder)
        }
    };
}

pin_project! {
    /// Decodes a `Stream` of `Result<impl Buf, E>` (reqwest's `bytes_stream()`, a hyper
    /// body's data frames) into a `Stream` of `Result<Message, StreamError<E>>`.
    ///
    /// Chunks that are `Bytes` are decoded without copying. A decode error (a limit, or
    /// invalid UTF-8 in strict mode) is an item and decoding goes on; a transport error is
    /// passed through as [`StreamError::Transport`] and ends the stream. At the end of the
    /// body the decoder is [finished](Decoder::finish): the events it completed are handed
    /// out and an unterminated event is discarded, as the standard says. Comments are
    /// skipped; [`FrameStream`] reports them too.
    ///
    /// After the stream ends, [`last_event_id`](Self::last_event_id) and
    /// [`retry`](Self::retry) tell a reconnecting client what to send and how long to wait.
    ///
    /// # Examples
    /// ```
    /// use bytes::Bytes;
    /// use futures::{executor::block_on, stream, StreamExt};
    /// use sse_wire::stream::DecodeStream;
    ///
    /// let body = stream::iter([
    ///     Ok::<_, std::io::Error>(Bytes::from("id: 1\ndata: hel")),
    ///     Ok(Bytes::from("lo\n\n")),
    /// ]);
    /// let mut events = DecodeStream::new(body);
    /// let message = block_on(events.next()).unwrap()?;
    /// assert_eq!(message.data(), "hello");
    /// assert!(block_on(events.next()).is_none());
    /// assert_eq!(events.last_event_id(), "1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct DecodeStream<S> {
        #[pin]
        body: S,
        decoder: Decoder,
        state: State,
    }
}

impl<S> DecodeStream<S> {
    /// Decodes `body` with the default [`DecoderConfig`].
    pub fn new(body: S) -> Self {
        Self::with_decoder(body, Decoder::new())
    }

    /// Decodes `body` with the given limits and options.
    pub fn with_config(body: S, config: DecoderConfig) -> Self {
        Self::with_decoder(body, Decoder::with_config(config))
    }

    /// Decodes `body` with a decoder carried over from an earlier connection (after
    /// [`Decoder::reset`]), so the last event id and retry persist across reconnects.
    pub fn with_decoder(body: S, decoder: Decoder) -> Self {
        Self {
            body,
            decoder,
            state: State::Reading,
        }
    }

    decoder_accessors!();
}

impl<S, B, E> Stream for DecodeStream<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Buf,
{
    type Item = Result<Message, StreamError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        poll_decoded(this.body, this.decoder, this.state, cx, Decoder::next_event)
    }
}

impl<S, B, E> FusedStream for DecodeStream<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Buf,
{
    fn is_terminated(&self) -> bool {
        self.state == State::Done
    }
}

pin_project! {
    /// [`DecodeStream`] that also reports comments: a `Stream` of
    /// `Result<Frame, StreamError<E>>`, each [`Frame`] an event or a comment.
    ///
    /// For clients that watch a server's keep-alive comments (to time out a stalled
    /// connection) or read data servers put in comments. Errors, the end of the body and the
    /// accessors behave as in [`DecodeStream`].
    ///
    /// # Examples
    /// ```
    /// use bytes::Bytes;
    /// use futures::{executor::block_on, stream, StreamExt};
    /// use sse_wire::{stream::FrameStream, Frame};
    ///
    /// let body = stream::iter([Ok::<_, std::io::Error>(Bytes::from(": ping\n\ndata: hi\n\n"))]);
    /// let frames: Vec<_> = block_on(FrameStream::new(body).collect());
    /// assert!(matches!(&frames[0], Ok(Frame::Comment(comment)) if comment.text() == "ping"));
    /// assert!(matches!(&frames[1], Ok(Frame::Event(message)) if message.data() == "hi"));
    /// ```
    #[derive(Debug)]
    #[must_use = "streams do nothing unless polled"]
    pub struct FrameStream<S> {
        #[pin]
        body: S,
        decoder: Decoder,
        state: State,
    }
}

impl<S> FrameStream<S> {
    /// Decodes `body` with the default limits, reporting comments.
    pub fn new(body: S) -> Self {
        Self::with_config(body, DecoderConfig::default())
    }

    /// Decodes `body` with the given limits and options; comments are reported whatever
    /// `config` says, since that is what this adapter is for.
    pub fn with_config(body: S, config: DecoderConfig) -> Self {
        Self::with_decoder(body, Decoder::with_config(config.comments(true)))
    }

    /// Decodes `body` with a decoder carried over from an earlier connection (after
    /// [`Decoder::reset`]). Comments are reported only if that decoder's
    /// [config](DecoderConfig::comments) says so.
    pub fn with_decoder(body: S, decoder: Decoder) -> Self {
        Self {
            body,
            decoder,
            state: State::Reading,
        }
    }

    decoder_accessors!();
}

impl<S, B, E> Stream for FrameStream<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Buf,
{
    type Item = Result<Frame, StreamError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        poll_decoded(this.body, this.decoder, this.state, cx, Decoder::next_frame)
    }
}

impl<S, B, E> FusedStream for FrameStream<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Buf,
{
    fn is_terminated(&self) -> bool {
        self.state == State::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::test_support::{chunks, DropFlag};
    use crate::stream::EncodeStream;
    use crate::Event;
    use alloc::borrow::ToOwned;
    use alloc::rc::Rc;
    use alloc::vec;
    use alloc::vec::Vec;
    use core::cell::Cell;
    use core::time::Duration;
    use futures::{executor::block_on, stream, StreamExt};

    #[test]
    fn reads_across_chunks_and_discards_the_unterminated_tail() {
        let body = chunks(vec![
            Ok(&b"retry: 50\nid: 1\ndata: a"[..]),
            Ok(b"\r"),
            Ok(b"\n\r\ndata: b\n\ndata: cut"),
        ]);
        let mut events = DecodeStream::new(body);
        let all: Vec<_> = block_on((&mut events).collect());
        let data: Vec<_> = all.iter().map(|m| m.as_ref().unwrap().data()).collect();
        assert_eq!(data, ["a", "b"]);
        assert_eq!(events.last_event_id(), "1");
        assert_eq!(events.retry(), Some(Duration::from_millis(50)));
        assert!(futures::stream::FusedStream::is_terminated(&events));
        assert!(block_on(events.next()).is_none(), "fused after the end");
    }

    #[test]
    fn decode_errors_are_items_and_transport_errors_end_the_stream() {
        let body = chunks(vec![
            Ok(&b"data: far too long for the limit\n\ndata: ok\n\n"[..]),
            Err("connection reset"),
            Ok(b"data: never read\n\n"),
        ]);
        let config = DecoderConfig::default().max_line_len(16);
        let all: Vec<_> = block_on(DecodeStream::with_config(body, config).collect());
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
    fn strict_utf8_errors_do_not_end_the_stream() {
        let body = chunks(vec![Ok(&b"data: \xff\n\ndata: fine\n\n"[..])]);
        let config = DecoderConfig::default().strict_utf8(true);
        let all: Vec<_> = block_on(DecodeStream::with_config(body, config).collect());
        assert!(matches!(
            all[0],
            Err(StreamError::Decode(DecodeError::InvalidUtf8 { .. }))
        ));
        assert_eq!(all[1].as_ref().unwrap().data(), "fine");
        assert_eq!(all.len(), 2);
    }

    #[test]
    fn accepts_any_buf_not_only_bytes() {
        let body = stream::iter([Ok::<_, ()>(&b"event: note\nda"[..]), Ok(&b"ta: x\n\n"[..])]);
        let all: Vec<_> = block_on(DecodeStream::new(body).collect());
        let message = all[0].as_ref().unwrap();
        assert_eq!((message.event_type(), message.data()), ("note", "x"));
    }

    #[test]
    fn a_carried_over_decoder_keeps_the_last_event_id() {
        let first = DecodeStream::new(chunks(vec![Ok(&b"id: 7\ndata: a\n\ndata: cu"[..])]));
        let (_, mut decoder) = block_on(async {
            let mut first = first;
            while first.next().await.is_some() {}
            first.into_parts()
        });
        decoder.reset();
        let second = DecodeStream::with_decoder(chunks(vec![Ok(&b"data: b\n\n"[..])]), decoder);
        let all: Vec<_> = block_on(second.collect());
        let message = all[0].as_ref().unwrap();
        assert_eq!((message.data(), message.last_event_id()), ("b", "7"));
    }

    #[test]
    fn frame_stream_reports_comments_between_events() {
        let body = chunks(vec![Ok(&b":\n\n: keep"[..]), Ok(b"-alive\ndata: x\n\n")]);
        // Comments are reported even when the given config says otherwise.
        let config = DecoderConfig::default().comments(false).max_line_len(64);
        let frames: Vec<_> = block_on(FrameStream::with_config(body, config).collect());
        let seen: Vec<_> = frames
            .into_iter()
            .map(|frame| match frame.unwrap() {
                Frame::Comment(comment) => ["comment", comment.text()].concat(),
                Frame::Event(message) => ["event ", message.data()].concat(),
            })
            .collect();
        assert_eq!(seen, ["comment", "commentkeep-alive", "event x"]);
    }

    #[test]
    fn frame_stream_ends_on_a_transport_error() {
        let body = chunks(vec![Ok(&b": a\n"[..]), Err("reset"), Ok(b": b\n")]);
        let mut frames = FrameStream::new(body);
        let all: Vec<_> = block_on((&mut frames).collect());
        assert!(matches!(&all[0], Ok(Frame::Comment(c)) if c.text() == "a"));
        assert_eq!(all[1], Err(StreamError::Transport("reset")));
        assert_eq!(all.len(), 2);
        assert!(futures::stream::FusedStream::is_terminated(&frames));
    }

    #[test]
    fn dropping_the_adapter_drops_the_body() {
        let dropped = Rc::new(Cell::new(false));
        let body = DropFlag::new(stream::pending::<Result<bytes::Bytes, ()>>(), &dropped);
        let events = DecodeStream::new(body);
        drop(events);
        assert!(dropped.get());
    }

    #[test]
    fn encode_then_decode_is_the_identity_over_streams() {
        let events = [
            Event::new().data("one\ntwo"),
            Event::new().comment("ping"),
            Event::new().event("named").data("three"),
        ];
        let bytes = EncodeStream::new(stream::iter(events)).coalesce(4096);
        let decoded: Vec<_> = block_on(
            DecodeStream::new(bytes)
                .map(|item| {
                    let message = item.unwrap();
                    (message.event_type().to_owned(), message.data().to_owned())
                })
                .collect(),
        );
        assert_eq!(
            decoded,
            [
                ("message".to_owned(), "one\ntwo".to_owned()),
                ("named".to_owned(), "three".to_owned())
            ]
        );
    }
}
