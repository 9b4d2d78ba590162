//! [`Event`]: one server-sent event, built with chainable setters.

use crate::convert::{IntoData, IntoEventId, IntoEventType};
use crate::field::{EventId, EventType};
use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::vec::Vec;
use bytes::Bytes;
use core::fmt;
use core::time::Duration;

/// One server-sent event: data, event type, id, retry and comments, all optional.
///
/// Setters consume and return the event, so an event reads as one expression. A `String`,
/// `Vec<u8>` or [`Bytes`] given as data is taken over without copying, a `&str` or `&String`
/// is copied once ([`IntoData`]). The event type and id are validated newtypes
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
#[derive(Clone, Default)]
#[must_use = "an event does nothing until it is encoded"]
pub struct Event {
    /// The data, or the one comment of a comment-only event.
    slot: Slot,
    pub(crate) event_type: Option<EventType>,
    pub(crate) id: Option<EventId>,
    /// Comments and retry, out of line: most events have neither. Set, it holds every
    /// comment (the slot then holds no comment).
    extras: Rare,
}

/// The out-of-line parts of an [`Event`], if any. Its drop checks for null in place and
/// frees the box out of line: the compiler's own drop for `Option<Box<Extras>>` was a
/// call saving five registers for what is almost always a null check (callgrind).
#[derive(Clone, Default)]
struct Rare(Option<Box<Extras>>);

impl Drop for Rare {
    #[inline(always)]
    fn drop(&mut self) {
        if self.0.is_some() {
            drop_extras(self.0.take());
        }
    }
}

#[inline(never)]
fn drop_extras(extras: Option<Box<Extras>>) {
    drop(extras);
}

/// What an [`Event`] keeps in place, so that the event stays small: at 112 bytes it moves
/// through the chained setters as registers rather than `memcpy` calls (a build-and-drop of
/// a data-only event took ~20% less wall time than at 136). Out-of-line parts are a plain
/// `Option<Box<_>>`, whose drop is a null check.
#[derive(Clone, Default)]
enum Slot {
    #[default]
    Empty,
    Data(Payload),
    /// A comment-only event with one comment (a keep-alive): no allocation, like an event
    /// with data.
    KeepAlive(Payload),
}

/// A value (data or comment) as the event keeps it until it is encoded: `Ok`, a small
/// owned buffer kept as given (freeing a `Vec` costs less than converting it to a [`Bytes`]
/// and dropping that); `Err`, shared bytes (given as [`Bytes`], or an owned buffer large
/// enough to be worth sharing with [`Event::to_buf`] and clones).
///
/// It is exactly what [`IntoData::into_kept`] returns, not an enum of its own: converting
/// between two layouts put the value on the stack with 8-byte stores and read it back with
/// 16-byte loads, a store-forwarding stall that took half the wall time of building a
/// data-only event (`perf annotate`).
#[derive(Clone)]
pub(crate) struct Payload(Result<Vec<u8>, Bytes>);

impl Default for Payload {
    fn default() -> Self {
        Payload(Ok(Vec::new()))
    }
}

impl Payload {
    #[inline(always)]
    fn new(value: impl IntoData) -> Self {
        Payload(value.into_kept())
    }

    /// Whether the bytes are owned, not shared.
    fn is_owned(&self) -> bool {
        self.0.is_ok()
    }

    /// The bytes.
    #[inline(always)]
    pub(crate) fn as_slice(&self) -> &[u8] {
        match &self.0 {
            Ok(owned) => owned,
            Err(shared) => shared,
        }
    }

    /// The same bytes, shared: O(1) when shared already, else one copy.
    pub(crate) fn to_shared(&self) -> Self {
        Payload(Err(match &self.0 {
            Ok(owned) => Bytes::copy_from_slice(owned),
            Err(shared) => shared.clone(),
        }))
    }

    /// `self[range]` as [`Bytes`]: a slice of shared bytes, a copy of owned ones.
    pub(crate) fn share(&self, range: core::ops::Range<usize>) -> Bytes {
        match &self.0 {
            Ok(owned) => Bytes::copy_from_slice(&owned[range]),
            Err(shared) => shared.slice(range),
        }
    }
}

/// Bytes printed as a byte string literal, like [`Bytes`] prints them.
struct ByteStr<'a>(&'a [u8]);

impl fmt::Debug for ByteStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

#[derive(Clone, Default)]
struct Extras {
    comments: Comments,
    retry: Option<Duration>,
}

/// The comments of an event that has more than a lone comment. One comment is kept in
/// place, so such an event costs one allocation, the box; more go to a `Vec`.
#[derive(Clone)]
enum Comments {
    One(Payload),
    Many(Vec<Payload>),
}

impl Default for Comments {
    fn default() -> Self {
        Comments::Many(Vec::new())
    }
}

impl Comments {
    fn to_shared(&self) -> Self {
        match self {
            Comments::One(comment) => Comments::One(comment.to_shared()),
            Comments::Many(comments) => {
                Comments::Many(comments.iter().map(Payload::to_shared).collect())
            }
        }
    }

    fn push(&mut self, comment: Payload) {
        match self {
            Comments::Many(comments) if comments.is_empty() => *self = Comments::One(comment),
            Comments::Many(comments) => comments.push(comment),
            Comments::One(first) => {
                let first = core::mem::take(first);
                *self = Comments::Many(alloc::vec![first, comment]);
            }
        }
    }

    fn as_slice(&self) -> &[Payload] {
        match self {
            Comments::One(comment) => core::slice::from_ref(comment),
            Comments::Many(comments) => comments,
        }
    }
}

/// Events are equal when they encode to the same fields: where a part is stored does not
/// matter.
impl PartialEq for Event {
    fn eq(&self, other: &Self) -> bool {
        self.data_bytes() == other.data_bytes()
            && self.event_type == other.event_type
            && self.id == other.id
            && self.retry_duration() == other.retry_duration()
            && self.comments().eq(other.comments())
    }
}

impl Eq for Event {}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Comments<'a>(&'a Event);
        impl fmt::Debug for Comments<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.comments().map(ByteStr))
                    .finish()
            }
        }
        f.debug_struct("Event")
            .field("comments", &Comments(self))
            .field("event_type", &self.event_type)
            .field("id", &self.id)
            .field("retry", &self.retry_duration())
            .field("data", &self.data_bytes().map(ByteStr))
            .finish()
    }
}

impl Event {
    /// An empty event: encoded alone it is just the empty line that ends an event.
    #[inline]
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
    #[inline]
    pub fn data(mut self, data: impl IntoData) -> Self {
        if matches!(self.slot, Slot::KeepAlive(_)) {
            // The slot holds a comment: move it out of the way first.
            self.with_extras(|_| ());
        }
        // Built as a new struct from the old one's fields: LLVM then moves the fields
        // rather than copying the whole event in and out of the setter (callgrind).
        Event {
            slot: Slot::Data(Payload::new(data)),
            ..self
        }
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
    #[inline]
    pub fn event(self, event_type: impl IntoEventType) -> Self {
        Event {
            event_type: Some(event_type.into_event_type()),
            ..self
        }
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
    #[inline]
    pub fn id(self, id: impl IntoEventId) -> Self {
        Event {
            id: Some(id.into_event_id()),
            ..self
        }
    }

    /// Sets the client's reconnection time (the `retry` field), written in whole
    /// milliseconds (anything below a millisecond is dropped).
    #[inline]
    pub fn retry(mut self, retry: Duration) -> Self {
        self.with_extras(|extras| extras.retry = Some(retry));
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
    #[inline]
    pub fn comment(mut self, text: impl IntoData) -> Self {
        let text = Payload::new(text);
        if self.extras.0.is_none() && matches!(self.slot, Slot::Empty) {
            // Built from the old event's fields, like `data`.
            return Event {
                slot: Slot::KeepAlive(text),
                ..self
            };
        }
        self.with_extras(|extras| extras.comments.push(text));
        self
    }

    /// Changes the out-of-line parts, boxing them on first use (and taking a keep-alive's
    /// comment along).
    fn with_extras(&mut self, change: impl FnOnce(&mut Extras)) {
        let extras = self.extras.0.get_or_insert_with(Box::default);
        if let Slot::KeepAlive(_) = self.slot {
            if let Slot::KeepAlive(comment) = core::mem::take(&mut self.slot) {
                extras.comments.push(comment);
            }
        }
        change(extras);
    }

    /// The data, if set.
    #[inline]
    pub fn data_bytes(&self) -> Option<&[u8]> {
        self.data_payload().map(Payload::as_slice)
    }

    /// The data as the event keeps it, if set.
    #[inline(always)]
    pub(crate) fn data_payload(&self) -> Option<&Payload> {
        match &self.slot {
            Slot::Data(data) => Some(data),
            Slot::Empty | Slot::KeepAlive(_) => None,
        }
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
        self.extras.0.as_ref().and_then(|extras| extras.retry)
    }

    /// The comments, in the order they were added.
    pub fn comments(&self) -> impl ExactSizeIterator<Item = &[u8]> + Clone + '_ {
        self.comment_payloads().iter().map(Payload::as_slice)
    }

    /// The event with every value shared ([`Payload::to_shared`]), for the vectored encoding:
    /// borrowed when they are already, else a copy of the owned values (one each).
    pub(crate) fn shared(&self) -> Cow<'_, Event> {
        let owned = Payload::is_owned;
        if !self.data_payload().is_some_and(owned) && !self.comment_payloads().iter().any(owned) {
            return Cow::Borrowed(self);
        }
        let slot = match &self.slot {
            Slot::Empty => Slot::Empty,
            Slot::Data(data) => Slot::Data(data.to_shared()),
            Slot::KeepAlive(comment) => Slot::KeepAlive(comment.to_shared()),
        };
        let extras = Rare(self.extras.0.as_ref().map(|extras| {
            Box::new(Extras {
                comments: extras.comments.to_shared(),
                retry: extras.retry,
            })
        }));
        Cow::Owned(Event {
            slot,
            event_type: self.event_type.clone(),
            id: self.id.clone(),
            extras,
        })
    }

    /// Whether the event has a retry or comments beside data or other comments (else it
    /// has at most the one comment of a keep-alive, a type, an id and data).
    #[inline(always)]
    pub(crate) fn has_extras(&self) -> bool {
        self.extras.0.is_some()
    }

    /// The length of the data or of a keep-alive's comment, whichever the event holds in
    /// place (0 for neither).
    #[inline(always)]
    pub(crate) fn slot_len(&self) -> usize {
        match &self.slot {
            Slot::Data(value) | Slot::KeepAlive(value) => value.as_slice().len(),
            Slot::Empty => 0,
        }
    }

    /// The comment of a keep-alive: an event's only comment when it has no data or retry.
    #[inline(always)]
    pub(crate) fn keep_alive_payload(&self) -> Option<&Payload> {
        match &self.slot {
            Slot::KeepAlive(comment) => Some(comment),
            Slot::Empty | Slot::Data(_) => None,
        }
    }

    /// The comments as the event keeps them.
    #[inline(always)]
    pub(crate) fn comment_payloads(&self) -> &[Payload] {
        match (&self.extras.0, &self.slot) {
            (Some(extras), _) => extras.comments.as_slice(),
            (None, Slot::KeepAlive(comment)) => core::slice::from_ref(comment),
            (None, Slot::Empty | Slot::Data(_)) => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_stays_small_enough_to_move_without_memcpy_calls() {
        assert!(
            core::mem::size_of::<Event>() <= 112,
            "{}",
            core::mem::size_of::<Event>()
        );
    }

    #[test]
    fn comments_keep_their_order_from_one_to_many() {
        let mut event = Event::new();
        assert_eq!(event.comments().len(), 0);
        for n in 0..4_u8 {
            event = event.comment(alloc::vec![b'a' + n]);
            let expected: Vec<Vec<u8>> = (0..=n).map(|k| alloc::vec![b'a' + k]).collect();
            assert!(event.comments().eq(expected.iter().map(Vec::as_slice)));
            assert_eq!(event.comments().len(), expected.len());
        }
    }

    #[test]
    fn a_lone_comment_is_a_keep_alive_until_something_else_is_set() {
        let ping = Event::new().comment("ping");
        assert_eq!(ping.data_bytes(), None);
        assert!(ping.comments().eq([&b"ping"[..]]));
        assert_eq!(ping.retry_duration(), None);

        let with_data = ping.clone().data("d");
        assert_eq!(with_data.data_bytes(), Some(&b"d"[..]));
        assert!(with_data.comments().eq([&b"ping"[..]]));
        assert_eq!(with_data, Event::new().data("d").comment("ping"));

        let with_retry = ping.clone().retry(Duration::from_secs(2));
        assert!(with_retry.comments().eq([&b"ping"[..]]));
        assert_eq!(
            with_retry,
            Event::new().retry(Duration::from_secs(2)).comment("ping")
        );

        let two = ping.comment("pong");
        assert!(two.comments().eq([&b"ping"[..], &b"pong"[..]]));
        assert_eq!(two.data_bytes(), None);
        assert_ne!(two, Event::new().comment("ping"));
    }

    #[test]
    fn rarely_set_parts_do_not_change_equality_or_debug() {
        let event = Event::new()
            .retry(Duration::from_secs(1))
            .comment("x")
            .data("d");
        assert_eq!(event.clone(), event);
        assert_ne!(event, Event::new().comment("x").data("d"));
        assert_eq!(event.retry_duration(), Some(Duration::from_secs(1)));
        let debug = alloc::format!("{event:?}");
        assert!(
            debug.contains("comments: [b\"x\"]") && debug.contains("retry: Some(1s)"),
            "{debug}"
        );
    }
}
