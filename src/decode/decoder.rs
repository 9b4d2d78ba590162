//! [`Decoder`]: interprets lines and dispatches events, following the standard's parsing
//! algorithm step by step.

use super::block::{to_text, Block};
use super::config::DecoderConfig;
use super::lines::{Line, LineReader, LineRef};
use super::message::{Comment, Frame, Message};
use crate::error::DecodeError;
use crate::text::Text;
use bytes::Bytes;
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
/// - A dropped event's `id` and `retry` fields still take effect, wherever they stand
///   relative to the line that made it fail, as they would without a limit: the id commits
///   at the empty line ending the event, and later events carry it. Only an `id` line that
///   is itself over the line limit is lost (it was never read whole).
/// - The event size limit counts what the event holds: its data (with the line feeds
///   joining data lines), its event type and its id. A repeated `event` or `id` field
///   replaces the value, and its size.
/// - A comment, or a field the standard does not know, longer than the line limit is
///   skipped without a word and without touching the event around it (the standard ignores
///   those lines anyway); nothing of it is kept.
/// - Once [`finish`](Self::finish) was called and every item pulled,
///   [`buffered_len`](Self::buffered_len) is 0 and no input is held.
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
    reader: LineReader,
    state: Interpreter,
}

/// Everything but the line reader: kept apart so that a line lent by the reader can be
/// interpreted while it is borrowed.
#[derive(Debug, Clone)]
struct Interpreter {
    config: DecoderConfig,
    block: Block,
    /// An `id` field read since the last empty line: the standard's "last event ID buffer"
    /// when it differs from the committed id.
    pending_id: Option<Text>,
    /// The stream's last event id, as committed by the last empty line.
    last_event_id: Text,
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
            reader: LineReader::new(!config.comments),
            state: Interpreter {
                config,
                block: Block::default(),
                pending_id: None,
                last_event_id: Text::default(),
                retry: None,
            },
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &DecoderConfig {
        &self.state.config
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
        self.reader = LineReader::new(!self.state.config.comments);
        self.state.block = Block::default();
        self.state.pending_id = None;
    }

    /// The stream's last event id, as committed by the last empty line: what a reconnecting
    /// client sends as `Last-Event-ID` (when not empty).
    pub fn last_event_id(&self) -> &str {
        self.state.last_event_id.as_str()
    }

    /// The reconnection time set by the last valid `retry` field, if any.
    ///
    /// A value too large for `u64` milliseconds saturates to `u64::MAX` milliseconds.
    pub fn retry(&self) -> Option<Duration> {
        self.state.retry
    }

    /// Bytes held by the decoder: queued input, the unfinished line and the event being
    /// assembled. Bounded by the limits plus the input pushed and not yet pulled; 0 once
    /// [`finish`](Self::finish) was called and every item pulled.
    pub fn buffered_len(&self) -> usize {
        self.reader.buffered_len() + self.state.block.size()
    }

    /// The next event or comment, `None` when the input so far holds no complete one.
    #[must_use = "pull items until this returns None"]
    #[inline]
    pub fn next_frame(&mut self) -> Option<Result<Frame, DecodeError>> {
        loop {
            match self.advance()? {
                Step::Dispatch => {
                    if let Some(message) = self.state.dispatch() {
                        return Some(Ok(Frame::Event(message)));
                    }
                }
                Step::Comment(comment) => return Some(Ok(Frame::Comment(comment))),
                Step::Error(error) => return Some(Err(error)),
            }
        }
    }

    /// The next event, skipping comments; `None` when the input so far holds no complete one.
    #[must_use = "pull items until this returns None"]
    #[inline]
    pub fn next_event(&mut self) -> Option<Result<Message, DecodeError>> {
        loop {
            match self.advance()? {
                Step::Dispatch => {
                    if let Some(message) = self.state.dispatch() {
                        return Some(Ok(message));
                    }
                }
                Step::Comment(_) => {}
                Step::Error(error) => return Some(Err(error)),
            }
        }
    }

    /// Reads lines up to the next one that yields something.
    ///
    /// The event itself is not built here: `dispatch` (inlined) builds it straight into the
    /// caller's return value. Handing a ~120-byte message through one more return costs a
    /// copy whose reads stall on the writes just made (store forwarding).
    #[inline]
    fn advance(&mut self) -> Option<Step> {
        loop {
            let joining = self.state.block.data.is_joining();
            let Some(line) = self
                .reader
                .next_line(self.state.config.max_line_len, joining)
            else {
                if self.reader.is_finished() {
                    // The standard discards an event the stream did not terminate.
                    self.state.block.clear();
                    self.state.pending_id = None;
                }
                return None;
            };
            let step = match line {
                Line::Complete(line, _) if line.bytes().is_empty() => return Some(Step::Dispatch),
                Line::Complete(line, offset) => self.state.interpret(&line, offset),
                Line::TooLong(offset) => self.state.too_long(offset),
            };
            if step.is_some() {
                return step;
            }
            // After a data line, more data lines (multi-line data) and then the empty line
            // ending the event are the likely next lines: read them straight from the chunk,
            // without a full line-reader round each.
            if self.state.block.data.is_some() {
                if self.reader.take_empty_line() {
                    return Some(Step::Dispatch);
                }
                let max_line_len = self.state.config.max_line_len;
                let mut appended = false;
                while let Some((value, offset)) = self.reader.next_data_value(max_line_len) {
                    if let Some(step) = self.state.append_data(value, offset) {
                        return Some(step);
                    }
                    appended = true;
                }
                if appended && self.reader.take_empty_line() {
                    return Some(Step::Dispatch);
                }
            }
        }
    }
}

/// What a line asks of the caller of [`Decoder::advance`].
enum Step {
    /// An empty line: dispatch the event (if there is one).
    Dispatch,
    /// A reported comment.
    Comment(Comment),
    /// The event was dropped.
    Error(DecodeError),
}

impl Interpreter {
    /// One non-empty line of the standard's "interpret an event stream".
    #[inline]
    fn interpret(&mut self, line: &LineRef<'_>, offset: u64) -> Option<Step> {
        let bytes = line.bytes();
        let Some(&first) = bytes.first() else {
            return Some(Step::Dispatch);
        };
        if first == b':' {
            return self.comment(line, offset);
        }
        let (field, value_start) = field(bytes)?;
        let value = value_start..bytes.len();
        let strict = self.config.strict_utf8;
        match field {
            Field::Data if self.block.discarding => {}
            Field::Data if self.block.data.is_some() => {
                return self.append_data(&bytes[value_start..], offset);
            }
            Field::Data => {
                // No overflow: every term is the length of something held in memory.
                let size = value.len() + self.block.event_type_len + self.block.id_len;
                if let Some(error) = self.check_size(size, offset) {
                    return Some(Step::Error(error));
                }
                self.block.data_len = value.len();
                let Some(text) = to_text(line, value_start, strict) else {
                    return self.invalid_utf8(offset);
                };
                self.block.data.set_first(text);
            }
            Field::Event if self.block.discarding => {}
            Field::Event => {
                let size = self.block.data_len + value.len() + self.block.id_len;
                if let Some(error) = self.check_size(size, offset) {
                    return Some(Step::Error(error));
                }
                self.block.event_type_len = value.len();
                self.block.event_type = if value.is_empty() {
                    None
                } else {
                    let Some(text) = to_text(line, value_start, strict) else {
                        return self.invalid_utf8(offset);
                    };
                    Some(text)
                };
            }
            // `contains` (core's short-slice search) rather than `memchr`: ids are short and
            // `memchr`'s vector setup costs more than it saves on a few bytes.
            Field::Id if bytes[value_start..].contains(&0) => {}
            Field::Id => {
                if !self.block.discarding {
                    let size = self.block.data_len + self.block.event_type_len + value.len();
                    if let Some(error) = self.check_size(size, offset) {
                        // The id still takes effect (see the contract on `Decoder`).
                        if let Some(text) = to_text(line, value_start, strict) {
                            self.pending_id = Some(text);
                        }
                        return Some(Step::Error(error));
                    }
                }
                match to_text(line, value_start, strict) {
                    Some(text) => {
                        self.pending_id = Some(text);
                        self.block.id_len = value.len();
                        self.block.id_set = true;
                    }
                    // Strict mode: an id that is not UTF-8 is not an id; once per event.
                    None if self.block.discarding => {}
                    None => return self.invalid_utf8(offset),
                }
            }
            Field::Retry => {
                if let Some(millis) = parse_retry(&bytes[value_start..]) {
                    let retry = Duration::from_millis(millis);
                    self.retry = Some(retry);
                    self.block.retry = Some(millis);
                }
            }
        }
        None
    }

    /// A data line after the first one of the event, `value` being its value: counts it
    /// against the event size limit, checks it in strict mode, and joins it to the data.
    #[inline(always)]
    fn append_data(&mut self, value: &[u8], offset: u64) -> Option<Step> {
        let data_len = self.block.data_len + 1 + value.len();
        // No overflow: every term is the length of something held in memory.
        let size = data_len + self.block.event_type_len + self.block.id_len;
        if let Some(error) = self.check_size(size, offset) {
            return Some(Step::Error(error));
        }
        self.block.data_len = data_len;
        if self.config.strict_utf8 && core::str::from_utf8(value).is_err() {
            return self.invalid_utf8(offset);
        }
        self.block.data.append(value);
        None
    }

    /// The standard's dispatch, at an empty line. Inlined, so the message is built where
    /// the caller returns it.
    #[inline(always)]
    fn dispatch(&mut self) -> Option<Message> {
        if let Some(id) = self.pending_id.take() {
            self.last_event_id = id;
        }
        let block = &mut self.block;
        let data = block.data.take();
        let event_type = block.event_type.take();
        let (discarding, id_set, retry) = (block.discarding, block.id_set, block.retry);
        block.reset_sizes_and_flags();
        if discarding {
            return None;
        }
        Some(Message {
            event_type,
            data: data?,
            // An empty id is the common case: a fresh empty `Text` skips `Bytes`' clone call.
            last_event_id: if self.last_event_id.is_empty() {
                Text::default()
            } else {
                self.last_event_id.clone()
            },
            id_in_block: id_set,
            has_retry: retry.is_some(),
            retry_millis: retry.unwrap_or(0),
        })
    }

    fn comment(&mut self, line: &LineRef<'_>, offset: u64) -> Option<Step> {
        if !self.config.comments {
            return None;
        }
        // Drop the colon, and one space after it the way field values lose theirs.
        let bytes = line.bytes();
        let skip = 1 + usize::from(bytes.get(1) == Some(&b' '));
        match to_text(line, skip, self.config.strict_utf8) {
            Some(text) => Some(Step::Comment(Comment(text))),
            None => Some(Step::Error(DecodeError::InvalidUtf8 { offset })),
        }
    }

    /// A known field's line over the line limit: drops the event (once).
    fn too_long(&mut self, offset: u64) -> Option<Step> {
        if self.block.discarding {
            return None;
        }
        self.block.discard();
        let limit = self.config.max_line_len;
        Some(Step::Error(DecodeError::LineTooLong { limit, offset }))
    }

    fn invalid_utf8(&mut self, offset: u64) -> Option<Step> {
        self.block.discard();
        Some(Step::Error(DecodeError::InvalidUtf8 { offset }))
    }

    /// Over the event size limit with `size` bytes: drops the event.
    #[inline(always)]
    fn check_size(&mut self, size: usize, offset: u64) -> Option<DecodeError> {
        if size <= self.config.max_event_size {
            return None;
        }
        self.too_large(size, offset)
    }

    #[cold]
    fn too_large(&mut self, size: usize, offset: u64) -> Option<DecodeError> {
        let limit = self.config.max_event_size;
        self.block.discard();
        Some(DecodeError::EventTooLarge {
            limit,
            size,
            offset,
        })
    }
}

/// The fields the standard knows; every other name is ignored.
enum Field {
    Data,
    Event,
    Id,
    Retry,
}

/// The field a (non-empty, non-comment) line sets and where its value starts, or `None` for
/// a field the standard ignores. The name is everything before the first colon; the value
/// loses one space after the colon.
#[inline]
fn field(line: &[u8]) -> Option<(Field, usize)> {
    let (field, name_len) = match line.first()? {
        b'd' if line.starts_with(b"data") => (Field::Data, 4),
        b'e' if line.starts_with(b"event") => (Field::Event, 5),
        b'i' if line.starts_with(b"id") => (Field::Id, 2),
        b'r' if line.starts_with(b"retry") => (Field::Retry, 5),
        _ => return None,
    };
    match line.get(name_len) {
        None => Some((field, name_len)),
        Some(b':') => {
            let space = usize::from(line.get(name_len + 1) == Some(&b' '));
            Some((field, name_len + 1 + space))
        }
        Some(_) => None,
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
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
