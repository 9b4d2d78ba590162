//! What the [`Event`](crate::Event) setters accept: [`IntoEventType`], [`IntoEventId`] and
//! [`IntoData`].
//!
//! The traits exist so a literal, an integer or a borrowed `String` can go straight into a
//! setter: `Event::new().event("progress").id(7_u64).data(&text)`. `From` cannot carry the
//! literal cases, because `TryFrom<&str>` (for runtime input) already covers `&'static str`.

use crate::field::{EventId, EventType};
use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use bytes::{Bytes, BytesMut};

/// A value [`Event::event`](crate::Event::event) accepts.
///
/// - [`EventType`] (or a reference to one): validated already.
/// - `&'static str`: a literal, checked like [`EventType::from_static`], which panics on a
///   line break. Runtime strings go through [`EventType::try_from`], which returns an error.
pub trait IntoEventType {
    /// The validated event type.
    ///
    /// # Panics
    /// For a `&'static str` containing a line feed or carriage return.
    fn into_event_type(self) -> EventType;
}

impl IntoEventType for EventType {
    #[inline]
    fn into_event_type(self) -> EventType {
        self
    }
}

impl IntoEventType for &EventType {
    /// An O(1) clone.
    fn into_event_type(self) -> EventType {
        self.clone()
    }
}

impl IntoEventType for &'static str {
    fn into_event_type(self) -> EventType {
        EventType::from_static(self)
    }
}

/// A value [`Event::id`](crate::Event::id) accepts.
///
/// - Any integer: its decimal digits, always valid.
/// - [`EventId`] (or a reference to one): validated already.
/// - `&'static str`: a literal, checked like [`EventId::from_static`], which panics on a line
///   break or NUL. Runtime strings go through [`EventId::try_from`], which returns an error.
pub trait IntoEventId {
    /// The validated event id.
    ///
    /// # Panics
    /// For a `&'static str` containing a line feed, carriage return or NUL.
    fn into_event_id(self) -> EventId;
}

impl IntoEventId for EventId {
    #[inline]
    fn into_event_id(self) -> EventId {
        self
    }
}

impl IntoEventId for &EventId {
    /// An O(1) clone.
    fn into_event_id(self) -> EventId {
        self.clone()
    }
}

impl IntoEventId for &'static str {
    fn into_event_id(self) -> EventId {
        EventId::from_static(self)
    }
}

macro_rules! integer_ids {
    ($($int:ty),*) => {$(
        impl IntoEventId for $int {
            fn into_event_id(self) -> EventId {
                EventId::from(self)
            }
        }
    )*};
}

integer_ids!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

/// A value [`Event::data`](crate::Event::data) and [`Event::comment`](crate::Event::comment)
/// accept: any bytes, kept as [`Bytes`].
///
/// Owned buffers (`String`, `Vec<u8>`, `Box<str>`, `Bytes`, `BytesMut`) are taken over without
/// copying. Borrowed ones (`&str`, `&String`, `&[u8]`, a borrowed `Cow`) are copied once,
/// since the event outlives the borrow. For static data without a copy, pass
/// `Bytes::from_static(..)`.
pub trait IntoData {
    /// The bytes, as one [`Bytes`].
    fn into_data(self) -> Bytes;

    /// How an event keeps the bytes: an owned buffer below [`SHARE_FROM`] bytes as it is
    /// (`Ok`), anything else as [`Bytes`] (`Err`). Not part of the API: implement
    /// [`IntoData::into_data`] only.
    #[doc(hidden)]
    #[inline]
    fn into_kept(self) -> Result<Vec<u8>, Bytes>
    where
        Self: Sized,
    {
        Err(self.into_data())
    }
}

/// From this length on, an owned buffer given to an event becomes a [`Bytes`], so that
/// [`Event::to_buf`](crate::Event::to_buf) and clones of the event share it. Below it the
/// event keeps the `Vec` itself: freeing a `Vec` costs less than converting it to a `Bytes`
/// and dropping that (about 45 instructions per value, callgrind), and copying a small
/// value in the rare `to_buf` costs about what sharing it does.
const SHARE_FROM: usize = 1024;

/// The owned buffer as an event keeps it (see [`IntoData::into_kept`]).
#[inline]
fn kept(bytes: Vec<u8>) -> Result<Vec<u8>, Bytes> {
    if bytes.len() < SHARE_FROM {
        Ok(bytes)
    } else {
        Err(shared(bytes))
    }
}

/// A large owned buffer as [`Bytes`], out of line: the small case, which is most events,
/// then writes its `Vec` straight into the event.
#[cold]
#[inline(never)]
fn shared(bytes: Vec<u8>) -> Bytes {
    Bytes::from(bytes)
}

/// A borrowed value as an event keeps it: one copy either way.
#[inline]
fn kept_copy(bytes: &[u8]) -> Result<Vec<u8>, Bytes> {
    if bytes.len() < SHARE_FROM {
        Ok(bytes.to_vec())
    } else {
        Err(Bytes::copy_from_slice(bytes))
    }
}

impl IntoData for Bytes {
    /// The same bytes: no copy.
    #[inline]
    fn into_data(self) -> Bytes {
        self
    }
}

impl IntoData for String {
    /// Takes the buffer over without copying.
    #[inline]
    fn into_data(self) -> Bytes {
        Bytes::from(self)
    }

    #[inline]
    fn into_kept(self) -> Result<Vec<u8>, Bytes> {
        kept(self.into_bytes())
    }
}

impl IntoData for Vec<u8> {
    /// Takes the buffer over without copying.
    #[inline]
    fn into_data(self) -> Bytes {
        Bytes::from(self)
    }

    #[inline]
    fn into_kept(self) -> Result<Vec<u8>, Bytes> {
        kept(self)
    }
}

impl IntoData for Box<[u8]> {
    /// Takes the buffer over without copying.
    #[inline]
    fn into_data(self) -> Bytes {
        Bytes::from(self)
    }

    #[inline]
    fn into_kept(self) -> Result<Vec<u8>, Bytes> {
        kept(self.into_vec())
    }
}

impl IntoData for BytesMut {
    /// Freezes the buffer without copying.
    fn into_data(self) -> Bytes {
        self.freeze()
    }
}

impl IntoData for Box<str> {
    /// Takes the buffer over without copying.
    fn into_data(self) -> Bytes {
        Bytes::from(String::from(self))
    }

    fn into_kept(self) -> Result<Vec<u8>, Bytes> {
        kept(self.into_boxed_bytes().into_vec())
    }
}

impl IntoData for &str {
    /// Copies the text (one allocation).
    fn into_data(self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }

    #[inline]
    fn into_kept(self) -> Result<Vec<u8>, Bytes> {
        kept_copy(self.as_bytes())
    }
}

impl IntoData for &String {
    /// Copies the text (one allocation).
    fn into_data(self) -> Bytes {
        Bytes::copy_from_slice(self.as_bytes())
    }

    #[inline]
    fn into_kept(self) -> Result<Vec<u8>, Bytes> {
        kept_copy(self.as_bytes())
    }
}

impl IntoData for &[u8] {
    /// Copies the bytes (one allocation).
    fn into_data(self) -> Bytes {
        Bytes::copy_from_slice(self)
    }

    #[inline]
    fn into_kept(self) -> Result<Vec<u8>, Bytes> {
        kept_copy(self)
    }
}

impl IntoData for &Bytes {
    /// An O(1) clone: no copy.
    fn into_data(self) -> Bytes {
        self.clone()
    }
}

impl IntoData for Cow<'_, str> {
    /// Takes an owned string over; copies a borrowed one.
    fn into_data(self) -> Bytes {
        match self {
            Cow::Owned(text) => Bytes::from(text),
            Cow::Borrowed(text) => text.into_data(),
        }
    }

    fn into_kept(self) -> Result<Vec<u8>, Bytes> {
        match self {
            Cow::Owned(text) => text.into_kept(),
            Cow::Borrowed(text) => text.into_kept(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Event;
    use alloc::string::ToString;

    #[test]
    fn literals_integers_and_borrowed_strings_go_straight_into_the_setters() {
        let text = String::from("step 7");
        let event = Event::new().event("progress").id(7_u64).data(&text);
        assert_eq!(event.to_bytes(), "event: progress\nid: 7\ndata: step 7\n\n");
        let event = Event::new().id(-3_i8).data(text.as_str()).comment(&text);
        assert_eq!(event.to_bytes(), ": step 7\nid: -3\ndata: step 7\n\n");
    }

    #[test]
    fn owned_buffers_are_taken_over_without_a_copy() {
        let text = "x".repeat(64);
        let pointer = text.as_ptr();
        let event = Event::new().data(text);
        assert_eq!(event.data_bytes().map(|data| data.as_ptr()), Some(pointer));
        let bytes = Bytes::from(alloc::vec![b'y'; 8]);
        let event = Event::new().data(&bytes);
        assert_eq!(
            event.data_bytes().map(|data| data.as_ptr()),
            Some(bytes.as_ptr())
        );
    }

    #[test]
    #[should_panic(expected = "EventType::from_static: the value contains a line feed")]
    fn a_bad_event_type_literal_panics_with_a_clear_message() {
        let _ = Event::new().event("a\nb");
    }

    #[test]
    #[should_panic(expected = "EventId::from_static: the value contains a NUL byte")]
    fn a_bad_id_literal_panics_with_a_clear_message() {
        let _ = Event::new().id("a\0b");
    }

    #[test]
    fn runtime_input_is_an_error_not_a_panic() {
        let input = "7\ndata: injected".to_string();
        assert!(EventId::try_from(input.as_str()).is_err());
        assert!(EventType::try_from(input).is_err());
    }
}
