//! [`Decoder`]: interprets lines and dispatches events, following the standard's parsing
//! algorithm step by step.

use super::block::{to_text, Block};
use super::config::DecoderConfig;
use super::lines::{Line, LineReader};
use super::message::{Comment, Frame, Message};
use crate::error::DecodeError;
use crate::text::Text;
use bytes::{Buf, Bytes};
use core::time::Duration;

/// An incremental, sans-IO `text/event-stream` decoder: bytes in, in any chunking, events
/// out.
///
/// # Contract
/// - Push input with [`push`](Self::push) (copies) or [`push_bytes`](Self::push_bytes)
///   (zero-copy), then call [`next_frame`](Self::next_frame) or
///   [`next_event`](Self::next_event) until it returns `None`, which means "no complete item
///   in the input so far". Parsing happens in those calls, so pull before pushing more: the
///   decoder holds whatever you push and have not pulled.
/// - Call [`finish`](Self::finish) at the end of the stream and pull the last items. An event
///   not terminated by an empty line, and a partial last line, are discarded, as the standard
///   says; so is an `id` of that unterminated event.
/// - A [`DecodeError`] is an item, not the end: the offending event is dropped and decoding
///   goes on with the next one. Memory stays within the configured limits whatever the input.
/// - [`reset`](Self::reset) prepares for a new connection and keeps what a reconnecting
///   client needs: [`last_event_id`](Self::last_event_id) and [`retry`](Self::retry).
///
/// # Examples
/// ```
/// use sse_wire::Decoder;
///
/// let mut decoder = Decoder::new();
/// let mut received = Vec::new();
/// for chunk in ["data: hel", "lo\r", "\n\r\nid: 1\ndata: second\n", "\n"] {
///     decoder.push(chunk.as_bytes());
///     while let Some(item) = decoder.next_event() {
///         received.push(item?.data().to_owned());
///     }
/// }
/// decoder.finish();
/// assert!(decoder.next_event().is_none());
/// assert_eq!(received, ["hello", "second"]);
/// assert_eq!(decoder.last_event_id(), "1");
/// # Ok::<(), sse_wire::DecodeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Decoder {
    config: DecoderConfig,
    reader: LineReader,
    block: Block,
    /// The standard's "last event ID buffer": set by `id` fields as they are read.
    id_buffer: Text,
    /// The stream's last event id: the buffer as committed by the last empty line.
    last_event_id: Text,
    /// An `id` field changed the buffer since the last empty line.
    id_pending: bool,
    retry: Option<Duration>,
}

impl Decoder {
    /// A decoder with the default [`DecoderConfig`].
    pub fn new() -> Self {
        Self::with_config(DecoderConfig::default())
    }

    /// A decoder with the given limits and options.
    pub fn with_config(config: DecoderConfig) -> Self {
        Self {
            config,
            reader: LineReader::new(!config.comments),
            block: Block::default(),
            id_buffer: Text::default(),
            last_event_id: Text::default(),
            id_pending: false,
            retry: None,
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &DecoderConfig {
        &self.config
    }

    /// Queues a chunk of input, copying it (one allocation).
    pub fn push(&mut self, chunk: impl AsRef<[u8]>) {
        self.reader.push(Bytes::copy_from_slice(chunk.as_ref()));
    }

    /// Queues a chunk of input without copying: single-line data values lying whole inside
    /// the chunk reach the caller as slices of it.
    pub fn push_bytes(&mut self, chunk: Bytes) {
        self.reader.push(chunk);
    }

    /// Marks the end of the stream. Pull the remaining items afterwards.
    pub fn finish(&mut self) {
        self.reader.finish();
    }

    /// Whether [`finish`](Self::finish) was called since the last reset.
    pub fn is_finished(&self) -> bool {
        self.reader.is_finished()
    }

    /// Prepares for a new connection: drops queued input and the unterminated event, and
    /// keeps the last event id and the reconnection time.
    pub fn reset(&mut self) {
        self.reader = LineReader::new(!self.config.comments);
        self.block = Block::default();
        self.id_buffer = self.last_event_id.clone();
        self.id_pending = false;
    }

    /// The stream's last event id, as committed by the last empty line: what a reconnecting
    /// client sends as `Last-Event-ID` (when not empty).
    pub fn last_event_id(&self) -> &str {
        self.last_event_id.as_str()
    }

    /// The reconnection time set by the last valid `retry` field, if any.
    ///
    /// A value too large for `u64` milliseconds saturates to `u64::MAX` milliseconds.
    pub fn retry(&self) -> Option<Duration> {
        self.retry
    }

    /// Bytes held by the decoder: queued input, the unfinished line and the event being
    /// assembled. Bounded by the limits plus the input pushed and not yet pulled.
    pub fn buffered_len(&self) -> usize {
        self.reader.buffered_len() + self.block.size
    }

    /// The next event or comment, `None` when the input so far holds no complete one.
    #[must_use = "pull items until this returns None"]
    pub fn next_frame(&mut self) -> Option<Result<Frame, DecodeError>> {
        loop {
            match self.reader.next_line(self.config.max_line_len)? {
                Line::Complete(line, offset) => {
                    if let Some(item) = self.interpret(line, offset) {
                        return Some(item);
                    }
                }
                // One error per event: the rest of a dropped event is skipped quietly.
                Line::TooLong(_) if self.block.discarding => {}
                Line::TooLong(offset) => {
                    self.block.discard();
                    let limit = self.config.max_line_len;
                    return Some(Err(DecodeError::LineTooLong { limit, offset }));
                }
            }
        }
    }

    /// The next event, skipping comments; `None` when the input so far holds no complete one.
    #[must_use = "pull items until this returns None"]
    pub fn next_event(&mut self) -> Option<Result<Message, DecodeError>> {
        loop {
            match self.next_frame()? {
                Ok(Frame::Event(message)) => return Some(Ok(message)),
                Ok(Frame::Comment(_)) => {}
                Err(error) => return Some(Err(error)),
            }
        }
    }

    /// One line of the standard's "interpret an event stream".
    fn interpret(&mut self, mut line: Bytes, offset: u64) -> Option<Result<Frame, DecodeError>> {
        if line.is_empty() {
            return self.dispatch().map(|message| Ok(Frame::Event(message)));
        }
        if self.block.discarding {
            return None;
        }
        // Known field names are at most five bytes, so a colon that matters is among the
        // first six: a short scalar scan beats a vectorised search on typical short lines.
        let colon = line.iter().take(6).position(|&byte| byte == b':');
        if colon.is_none() && line.len() > 5 {
            return None;
        }
        let (name_end, value_start) = match colon {
            Some(0) => return self.comment(line.slice(1..), offset),
            // The value starts after the colon and one optional space.
            Some(colon) => (
                colon,
                colon + 1 + usize::from(line.get(colon + 1) == Some(&b' ')),
            ),
            None => (line.len(), line.len()),
        };
        let field = match &line[..name_end] {
            b"data" => Field::Data,
            b"event" => Field::Event,
            b"id" => Field::Id,
            b"retry" => Field::Retry,
            _ => return None,
        };
        // The line becomes its value in place: no new reference to the chunk.
        line.advance(value_start);
        let value = line;
        match field {
            Field::Data => {
                if self.config.strict_utf8 && core::str::from_utf8(&value).is_err() {
                    return self.invalid_utf8(offset);
                }
                let joining_lf = usize::from(self.block.data.is_some());
                if let Some(error) = self.grow(joining_lf + value.len(), offset) {
                    return Some(Err(error));
                }
                self.block.data.append(value);
            }
            Field::Event => {
                if let Some(error) = self.grow(value.len(), offset) {
                    return Some(Err(error));
                }
                let Some(text) = to_text(value, self.config.strict_utf8) else {
                    return self.invalid_utf8(offset);
                };
                self.block.event_type = Some(text);
            }
            Field::Id if memchr::memchr(0, &value).is_none() => {
                if let Some(error) = self.grow(value.len(), offset) {
                    return Some(Err(error));
                }
                let Some(text) = to_text(value, self.config.strict_utf8) else {
                    return self.invalid_utf8(offset);
                };
                self.id_buffer = text;
                self.id_pending = true;
                self.block.id_set = true;
            }
            Field::Retry => {
                if let Some(millis) = parse_retry(&value) {
                    let retry = Duration::from_millis(millis);
                    self.retry = Some(retry);
                    self.block.retry = Some(retry);
                }
            }
            Field::Id => {}
        }
        None
    }

    /// The standard's dispatch, at an empty line.
    fn dispatch(&mut self) -> Option<Message> {
        if core::mem::take(&mut self.id_pending) {
            self.last_event_id = self.id_buffer.clone();
        }
        let block = &mut self.block;
        let data = block.data.take();
        let event_type = block.event_type.take();
        let (discarding, id_set, retry) = (block.discarding, block.id_set, block.retry);
        block.clear();
        if discarding {
            return None;
        }
        // Strict mode checked every data line as it arrived, so only lossy decoding is left.
        let data = to_text(data?, false)?;
        Some(Message {
            event_type: event_type.filter(|event_type| !event_type.is_empty()),
            data,
            // An empty id is the common case: a fresh empty `Text` skips `Bytes`' clone call.
            last_event_id: if self.last_event_id.is_empty() {
                Text::default()
            } else {
                self.last_event_id.clone()
            },
            id_in_block: id_set,
            retry,
        })
    }

    fn comment(&mut self, text: Bytes, offset: u64) -> Option<Result<Frame, DecodeError>> {
        if !self.config.comments {
            return None;
        }
        match to_text(strip_one_space(text), self.config.strict_utf8) {
            Some(text) => Some(Ok(Frame::Comment(Comment(text)))),
            None => Some(Err(DecodeError::InvalidUtf8 { offset })),
        }
    }

    fn invalid_utf8(&mut self, offset: u64) -> Option<Result<Frame, DecodeError>> {
        self.block.discard();
        Some(Err(DecodeError::InvalidUtf8 { offset }))
    }

    /// Counts `bytes` more toward the event size; over the limit, drops the event.
    fn grow(&mut self, bytes: usize, offset: u64) -> Option<DecodeError> {
        let size = self.block.size.saturating_add(bytes);
        let limit = self.config.max_event_size;
        if size > limit {
            self.block.discard();
            return Some(DecodeError::EventTooLarge {
                limit,
                size,
                offset,
            });
        }
        self.block.size = size;
        None
    }
}

/// The fields the standard knows; every other name is ignored.
enum Field {
    Data,
    Event,
    Id,
    Retry,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

/// Removes the one space the standard allows after the colon.
fn strip_one_space(value: Bytes) -> Bytes {
    if value.first() == Some(&b' ') {
        value.slice(1..)
    } else {
        value
    }
}

/// A `retry` value: one or more ASCII digits and nothing else. Saturates at `u64::MAX`.
fn parse_retry(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(value.iter().fold(0_u64, |millis, digit| {
        millis
            .saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    }))
}
