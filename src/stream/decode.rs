//! [`DecodeStream`]: a response body's chunks to decoded events.

use crate::decode::{Decoder, DecoderConfig, Message};
use crate::error::StreamError;
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

pin_project! {
    /// Decodes a `Stream` of `Result<impl Buf, E>` (reqwest's `bytes_stream()`, a hyper
    /// body's data frames) into a `Stream` of `Result<Message, StreamError<E>>`.
    ///
    /// Chunks that are `Bytes` are decoded without copying. A decode error (a limit, or
    /// invalid UTF-8 in strict mode) is an item and decoding goes on; a transport error is
    /// passed through as [`StreamError::Transport`] and ends the stream. At the end of the
    /// body an unterminated event is discarded, as the standard says. Comments are skipped;
    /// to see them, drive a [`Decoder`] directly.
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

    /// The body stream and the decoder (to [`reset`](Decoder::reset) and reuse it for the
    /// next connection).
    pub fn into_parts(self) -> (S, Decoder) {
        (self.body, self.decoder)
    }
}

impl<S, B, E> Stream for DecodeStream<S>
where
    S: Stream<Item = Result<B, E>>,
    B: Buf,
{
    type Item = Result<Message, StreamError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut this = self.project();
        loop {
            if *this.state == State::Done {
                return Poll::Ready(None);
            }
            if let Some(item) = this.decoder.next_event() {
                return Poll::Ready(Some(item.map_err(StreamError::Decode)));
            }
            if *this.state == State::Draining {
                *this.state = State::Done;
                continue;
            }
            match core::task::ready!(this.body.as_mut().poll_next(cx)) {
                Some(Ok(mut chunk)) => {
                    let bytes = chunk.copy_to_bytes(chunk.remaining());
                    this.decoder.push_bytes(bytes);
                }
                Some(Err(error)) => {
                    *this.state = State::Done;
                    return Poll::Ready(Some(Err(StreamError::Transport(error))));
                }
                None => {
                    this.decoder.finish();
                    *this.state = State::Draining;
                }
            }
        }
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
