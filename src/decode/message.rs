//! What the decoder yields: [`Frame`], [`Message`] and [`Comment`].

use crate::event::Event;
use crate::field::{EventId, EventType};
use crate::text::Text;
use bytes::Bytes;
use core::time::Duration;

/// One item decoded from a stream: an event, or a comment when comments are reported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Frame {
    /// A dispatched event.
    Event(Message),
    /// A comment line (only with [`DecoderConfig::comments`](crate::DecoderConfig::comments)).
    Comment(Comment),
}

/// A dispatched event, as a browser's `EventSource` would deliver it.
///
/// Its text is shared with the decoder's input where possible (a single-line data value
/// pushed as [`Bytes`] is a slice of that chunk), and clones are O(1). The text was checked
/// for UTF-8 once, when the event was decoded: every accessor is O(1).
///
/// # Examples
/// ```
/// use sse_wire::Decoder;
///
/// let mut decoder = Decoder::new();
/// decoder.push(b"event: greeting\nid: 7\ndata: hello\ndata: world\n\n");
/// let message = decoder.next_event().unwrap()?;
/// assert_eq!(message.event_type(), "greeting");
/// assert_eq!(message.data(), "hello\nworld");
/// assert_eq!(message.last_event_id(), "7");
/// # Ok::<(), sse_wire::DecodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub(super) event_type: Option<Text>,
    pub(super) data: Text,
    pub(super) last_event_id: Text,
    pub(super) id_in_block: bool,
    /// The event's `retry` in milliseconds, when `has_retry`: two plain fields rather than
    /// an `Option<Duration>` keep the message at 112 bytes (it is moved on every poll).
    pub(super) has_retry: bool,
    pub(super) retry_millis: u64,
}

impl Message {
    /// The event type: the last `event` field of the event, or `message` when it had none
    /// (or an empty one).
    pub fn event_type(&self) -> &str {
        self.event_type.as_ref().map_or("message", Text::as_str)
    }

    /// The data: the `data` lines joined with LF. O(1).
    pub fn data(&self) -> &str {
        self.data.as_str()
    }

    /// The data as shared bytes (always valid UTF-8). O(1).
    pub fn data_bytes(&self) -> &Bytes {
        self.data.as_bytes()
    }

    /// The last event id in force when the event was dispatched: set by this event's `id`
    /// field or carried over from an earlier one; empty when none was ever set.
    pub fn last_event_id(&self) -> &str {
        self.last_event_id.as_str()
    }

    /// The reconnection time, if this event itself carried a valid `retry` field.
    pub fn retry(&self) -> Option<Duration> {
        self.has_retry
            .then(|| Duration::from_millis(self.retry_millis))
    }

    /// The same event as an [`Event`], ready to be encoded again (for example by a proxy).
    ///
    /// The id is included only when this event had an `id` field, so re-encoding does not
    /// add ids the source never sent. Costs no copy of the data.
    ///
    /// # Examples
    /// ```
    /// use sse_wire::Decoder;
    ///
    /// let mut decoder = Decoder::new();
    /// decoder.push(b"event: tick\nid: 1\ndata: a\r\ndata: b\r\n\r\n");
    /// let event = decoder.next_event().unwrap()?.to_event();
    /// assert_eq!(event.to_bytes(), "event: tick\nid: 1\ndata: a\ndata: b\n\n");
    /// # Ok::<(), sse_wire::DecodeError>(())
    /// ```
    pub fn to_event(&self) -> Event {
        let mut event = Event::new().data(self.data.as_bytes().clone());
        // Decoded values never hold CR, LF or (for ids) NUL, so these conversions succeed.
        if let Some(event_type) = self
            .event_type
            .clone()
            .and_then(|t| EventType::from_text(t).ok())
        {
            event = event.event(event_type);
        }
        if self.id_in_block {
            if let Ok(id) = EventId::from_text(self.last_event_id.clone()) {
                event = event.id(id);
            }
        }
        if let Some(retry) = self.retry() {
            event = event.retry(retry);
        }
        event
    }
}

impl From<Message> for Event {
    fn from(message: Message) -> Self {
        message.to_event()
    }
}

/// A comment line, without its leading colon (and without one space after it, the way field
/// values lose theirs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment(pub(super) Text);

impl Comment {
    /// The comment's text.
    pub fn text(&self) -> &str {
        self.0.as_str()
    }
}
