//! [`Event`]: one server-sent event, built with chainable setters.

use crate::convert::{IntoData, IntoEventId, IntoEventType};
use crate::field::{EventId, EventType};
use alloc::vec::Vec;
use bytes::Bytes;
use core::time::Duration;

/// One server-sent event: data, event type, id, retry and comments, all optional.
///
/// Setters consume and return the event, so an event reads as one expression. Data is kept
/// as [`Bytes`]: a `String`, `Vec<u8>` or `Bytes` is taken over without copying, a `&str` or
/// `&String` is copied once ([`IntoData`]). The event type and id are validated newtypes
/// ([`EventType`], [`EventId`]), so a value that would inject a field cannot reach an event:
/// a literal (`"progress"`) is checked like `http::HeaderName::from_static`, an integer id
/// is always valid, and runtime strings go through `try_from`, which returns an error.
///
/// An event with no data is valid: clients apply its `id` and `retry` but dispatch nothing,
/// which is how a server moves a client's last event id, sets its reconnection time, or
/// keeps an idle connection open with a comment.
///
/// Encode it with [`Event::encode_into`], [`Event::to_bytes`] or [`Event::to_buf`]; all three
/// produce the same bytes.
///
/// # Examples
/// ```
/// use sse_wire::{Event, EventType};
/// use std::time::Duration;
///
/// let quotes = String::from("AAPL 189.5\nMSFT 411.2");
/// let event = Event::new()
///     .event("price")
///     .id(17_u64)
///     .retry(Duration::from_secs(5))
///     .data(&quotes);
/// assert_eq!(
///     event.to_bytes(),
///     "event: price\nid: 17\nretry: 5000\ndata: AAPL 189.5\ndata: MSFT 411.2\n\n"
/// );
///
/// // Runtime input is validated and never panics: a line break is an error.
/// let from_user = "price\ndata: injected";
/// assert!(EventType::try_from(from_user).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use = "an event does nothing until it is encoded"]
pub struct Event {
    pub(crate) comments: Vec<Bytes>,
    pub(crate) event_type: Option<EventType>,
    pub(crate) id: Option<EventId>,
    pub(crate) retry: Option<Duration>,
    pub(crate) data: Option<Bytes>,
}

impl Event {
    /// An empty event: encoded alone it is just the empty line that ends an event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the data, replacing any earlier data.
    ///
    /// Any bytes are accepted. Line breaks (LF, CR or CRLF) split the data into several
    /// `data:` lines, which a client joins back with LF. `""` is sent as one empty `data:`
    /// line and dispatches an event with empty data; a trailing line break is kept.
    ///
    /// The stream is UTF-8: clients replace invalid UTF-8 with U+FFFD.
    ///
    /// # Examples
    /// ```
    /// use sse_wire::Event;
    ///
    /// let event = Event::new().data(String::from("line 1\r\nline 2"));
    /// assert_eq!(event.to_bytes(), "data: line 1\ndata: line 2\n\n");
    /// ```
    pub fn data(mut self, data: impl IntoData) -> Self {
        self.data = Some(data.into_data());
        self
    }

    /// Sets the data to the JSON serialization of `value` (compact, so always one line).
    ///
    /// # Errors
    /// Whatever `serde_json` reports for a value it cannot serialize.
    ///
    /// # Examples
    /// ```
    /// use sse_wire::Event;
    ///
    /// let event = Event::new().json_data(&serde_json::json!({"done": 3, "of": 10}))?;
    /// assert_eq!(event.to_bytes(), "data: {\"done\":3,\"of\":10}\n\n");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[cfg(feature = "json")]
    #[cfg_attr(docsrs, doc(cfg(feature = "json")))]
    pub fn json_data<T: serde::Serialize + ?Sized>(
        self,
        value: &T,
    ) -> Result<Self, serde_json::Error> {
        Ok(self.data(serde_json::to_vec(value)?))
    }

    /// Sets the event type (the `event` field), which picks the client-side listener.
    ///
    /// Takes an [`EventType`] or a string literal ([`IntoEventType`]).
    ///
    /// # Panics
    /// For a literal containing a line feed or carriage return (a bug in the program, like a
    /// bad `http::HeaderName::from_static`). Runtime strings go through
    /// [`EventType::try_from`], which returns a [`FieldError`](crate::FieldError) instead.
    ///
    /// # Examples
    /// ```
    /// use sse_wire::{Event, EventType};
    ///
    /// let literal = Event::new().event("update");
    /// let checked = Event::new().event(EventType::try_from(String::from("update"))?);
    /// assert_eq!(literal, checked);
    /// # Ok::<(), sse_wire::FieldError>(())
    /// ```
    pub fn event(mut self, event_type: impl IntoEventType) -> Self {
        self.event_type = Some(event_type.into_event_type());
        self
    }

    /// Sets the event id (the `id` field), which the client sends back as `Last-Event-ID`.
    ///
    /// Takes any integer, an [`EventId`] or a string literal ([`IntoEventId`]).
    ///
    /// # Panics
    /// For a literal containing a line feed, carriage return or NUL. Runtime strings go
    /// through [`EventId::try_from`], which returns a [`FieldError`](crate::FieldError).
    ///
    /// # Examples
    /// ```
    /// use sse_wire::{Event, EventId};
    ///
    /// assert_eq!(Event::new().id(42_u32).to_bytes(), "id: 42\n\n");
    /// let from_header = "2026-12-02/17";
    /// assert_eq!(Event::new().id(EventId::try_from(from_header)?).to_bytes(), "id: 2026-12-02/17\n\n");
    /// # Ok::<(), sse_wire::FieldError>(())
    /// ```
    pub fn id(mut self, id: impl IntoEventId) -> Self {
        self.id = Some(id.into_event_id());
        self
    }

    /// Sets the client's reconnection time (the `retry` field), written in whole
    /// milliseconds (anything below a millisecond is dropped).
    pub fn retry(mut self, retry: Duration) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Adds a comment line (or several, one per line of `text`), written before the fields.
    ///
    /// Clients ignore comments; a comment-only event is the usual keep-alive. Comments are
    /// never rejected: line breaks in them just start another comment line.
    ///
    /// # Examples
    /// ```
    /// use sse_wire::Event;
    ///
    /// assert_eq!(Event::new().comment("ping").to_bytes(), ": ping\n\n");
    /// assert_eq!(Event::new().comment("").to_bytes(), ":\n\n");
    /// ```
    pub fn comment(mut self, text: impl IntoData) -> Self {
        self.comments.push(text.into_data());
        self
    }

    /// The data, if set.
    pub fn data_bytes(&self) -> Option<&Bytes> {
        self.data.as_ref()
    }

    /// The event type, if set.
    pub fn event_type(&self) -> Option<&EventType> {
        self.event_type.as_ref()
    }

    /// The event id, if set.
    pub fn event_id(&self) -> Option<&EventId> {
        self.id.as_ref()
    }

    /// The reconnection time, if set.
    pub fn retry_duration(&self) -> Option<Duration> {
        self.retry
    }

    /// The comments, in the order they were added.
    pub fn comments(&self) -> &[Bytes] {
        &self.comments
    }
}
