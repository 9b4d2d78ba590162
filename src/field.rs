//! Validated field values: [`EventType`] and [`EventId`].
//!
//! An [`Event`](crate::Event) only takes these types, so no caller can put a line break into an
//! `event` or `id` line: field injection is ruled out by construction, not by a check at
//! encoding time.

use crate::error::{FieldError, FieldKind};
use crate::text::Text;
use alloc::string::String;
use bytes::Bytes;
use core::{fmt, str::FromStr};

/// The first byte that may not appear in a value of `field`, with its index. A `const fn`,
/// so `from_static` can reject a bad literal at compile time.
const fn forbidden(field: FieldKind, value: &[u8]) -> Option<(usize, u8)> {
    let nul_forbidden = matches!(field, FieldKind::EventId);
    let mut index = 0;
    while index < value.len() {
        let byte = value[index];
        if byte == b'\n' || byte == b'\r' || (byte == 0 && nul_forbidden) {
            return Some((index, byte));
        }
        index += 1;
    }
    None
}

/// Values up to this long are checked byte by byte: most types and ids are short, and for
/// them a plain loop costs fewer instructions than memchr's dispatch (callgrind).
const SHORT: usize = 32;

/// Whether a byte of `word` is a LF or CR, or (with `nul`) a NUL: the zero-byte test on
/// `word` XOR each sought byte. It may flag a byte after a real match, never miss one.
#[inline(always)]
fn word_may_hold(word: u64, nul: bool) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let zero = |word: u64| word.wrapping_sub(ONES) & !word;
    let lf = word ^ (ONES * u64::from(b'\n'));
    let cr = word ^ (ONES * u64::from(b'\r'));
    let nul = if nul { zero(word) } else { 0 };
    (zero(lf) | zero(cr) | nul) & HIGHS != 0
}

/// Whether a short value may hold a forbidden byte, eight bytes at a time (the last eight
/// overlapping the previous ones): a type or id of a few bytes costs a handful of
/// instructions instead of a loop per byte. Only a `true` needs the exact search.
#[inline(always)]
fn short_may_hold(field: FieldKind, value: &[u8]) -> bool {
    let nul = matches!(field, FieldKind::EventId);
    let word = |bytes: &[u8]| {
        let mut array = [0; 8];
        array.copy_from_slice(bytes);
        u64::from_ne_bytes(array)
    };
    let len = value.len();
    if len >= 8 {
        let any = value
            .chunks_exact(8)
            .any(|chunk| word_may_hold(word(chunk), nul));
        any || word_may_hold(word(&value[len - 8..]), nul)
    } else if len >= 4 {
        // The first and the last four bytes (overlapping below 8), as one word.
        let mut array = [0; 8];
        array[..4].copy_from_slice(&value[..4]);
        array[4..].copy_from_slice(&value[len - 4..]);
        word_may_hold(u64::from_ne_bytes(array), nul)
    } else {
        forbidden(field, value).is_some()
    }
}

/// Checks that no byte of `value` is forbidden in `field`. Always inlined, so each field's
/// check is compiled for its own forbidden bytes; finding and reporting a bad byte is out
/// of line.
#[inline(always)]
fn validate(field: FieldKind, value: &[u8]) -> Result<(), FieldError> {
    if value.len() <= SHORT {
        if short_may_hold(field, value) {
            return reject(
                field,
                value,
                forbidden(field, value).map(|(index, _)| index),
            );
        }
        return Ok(());
    }
    let found = match field {
        FieldKind::EventId => memchr::memchr3(b'\n', b'\r', 0, value),
        FieldKind::EventType => memchr::memchr2(b'\n', b'\r', value),
    };
    match found {
        None => Ok(()),
        found => reject(field, value, found),
    }
}

/// The error for the forbidden byte of `value` at `found`, if any.
#[cold]
#[inline(never)]
fn reject(field: FieldKind, value: &[u8], found: Option<usize>) -> Result<(), FieldError> {
    match found.map(|index| (index, value[index])) {
        None => Ok(()),
        Some((index, b'\n')) => Err(FieldError::LineFeed { field, index }),
        Some((index, b'\r')) => Err(FieldError::CarriageReturn { field, index }),
        Some((index, _)) => Err(FieldError::Nul { field, index }),
    }
}

macro_rules! field_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $example:literal, $bad:literal, $panics:literal) => {
        $(#[$doc])*
        #[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Text);

        impl $name {
            const KIND: FieldKind = $kind;

            /// Validates a static string and keeps it without allocating: for literals, the
            /// way `http::HeaderName::from_static` works. In a `const` a bad literal is a
            /// compile error.
            ///
            /// # Panics
            #[doc = $panics]
            /// Runtime input (user data, anything not a literal) goes through
            #[doc = concat!("[`", stringify!($name), "::try_from`] instead, which returns a [`FieldError`].")]
            ///
            /// # Examples
            /// ```
            #[doc = concat!("use sse_wire::", stringify!($name), ";")]
            ///
            #[doc = concat!("const VALUE: ", stringify!($name), " = ", stringify!($name), "::from_static(", stringify!($example), ");")]
            #[doc = concat!("assert_eq!(VALUE.as_str(), ", stringify!($example), ");")]
            #[doc = concat!("assert!(", stringify!($name), "::try_from(", stringify!($bad), ").is_err());")]
            /// ```
            ///
            /// A bad literal in a `const` does not compile:
            /// ```compile_fail
            #[doc = concat!("use sse_wire::", stringify!($name), ";")]
            #[doc = concat!("const BAD: ", stringify!($name), " = ", stringify!($name), "::from_static(", stringify!($bad), ");")]
            /// ```
            #[must_use]
            pub const fn from_static(value: &'static str) -> Self {
                match forbidden(Self::KIND, value.as_bytes()) {
                    None => Self(Text::from_static(value)),
                    Some((_, b'\n')) => panic!(concat!(stringify!($name), "::from_static: the value contains a line feed")),
                    Some((_, b'\r')) => panic!(concat!(stringify!($name), "::from_static: the value contains a carriage return")),
                    Some(_) => panic!(concat!(stringify!($name), "::from_static: the value contains a NUL byte")),
                }
            }

            /// Validates raw bytes (UTF-8 required) and keeps them without copying.
            ///
            /// # Errors
            /// [`FieldError`] when the bytes are not UTF-8 or contain a forbidden byte.
            pub fn from_bytes(value: Bytes) -> Result<Self, FieldError> {
                validate(Self::KIND, &value)?;
                Text::from_utf8(value).map(Self).map_err(|(_, error)| FieldError::NotUtf8 {
                    field: Self::KIND,
                    index: error.valid_up_to(),
                })
            }

            /// Wraps text the decoder produced: it was cut at line breaks, so only NUL needs
            /// checking, and only for ids (the decoder ignores those).
                        pub(crate) fn from_text(text: Text) -> Result<Self, FieldError> {
                validate(Self::KIND, text.as_bytes())?;
                Ok(Self(text))
            }

            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// The value as shared bytes (an O(1) clone of it is free to keep).
            pub fn as_bytes(&self) -> &Bytes {
                self.0.as_bytes()
            }

            /// Length of the value in bytes.
            pub fn len(&self) -> usize {
                self.0.len()
            }

            /// Whether the value is empty.
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;

            /// Validates the string and keeps its buffer without copying.
            #[inline]
            fn try_from(value: String) -> Result<Self, FieldError> {
                validate(Self::KIND, value.as_bytes())?;
                Ok(Self(Text::from(value)))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = FieldError;

            /// Validates the string and copies it (one allocation).
            fn try_from(value: &str) -> Result<Self, FieldError> {
                validate(Self::KIND, value.as_bytes())?;
                Ok(Self(Text::from(value)))
            }
        }

        impl TryFrom<Bytes> for $name {
            type Error = FieldError;

            fn try_from(value: Bytes) -> Result<Self, FieldError> {
                Self::from_bytes(value)
            }
        }

        impl FromStr for $name {
            type Err = FieldError;

            fn from_str(value: &str) -> Result<Self, FieldError> {
                Self::try_from(value)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

field_type!(
    /// The type of an event (the `event` field); browsers dispatch it to
    /// `addEventListener(type, ...)`, and an event without one is a `message`.
    ///
    /// Cannot contain a line feed or carriage return. Empty is allowed (clients read it as
    /// `message`). Clones are O(1).
    ///
    /// # Examples
    /// ```
    /// use sse_wire::EventType;
    ///
    /// let update: EventType = "update".parse()?;
    /// assert_eq!(update, "update");
    /// assert!(EventType::try_from("update\ndata: injected").is_err());
    /// # Ok::<(), sse_wire::FieldError>(())
    /// ```
    EventType,
    FieldKind::EventType,
    "update",
    "two\nlines",
    "If `value` contains a line feed or carriage return."
);

field_type!(
    /// The id of an event (the `id` field): the value a reconnecting client sends back as
    /// `Last-Event-ID`. An empty id resets the client's last event id.
    ///
    /// Cannot contain a line feed, carriage return or NUL. Clones are O(1). Numeric ids are
    /// common, so integers convert directly.
    ///
    /// # Examples
    /// ```
    /// use sse_wire::EventId;
    ///
    /// assert_eq!(EventId::from(42_u64), "42");
    /// assert!(EventId::try_from("a\0b").is_err());
    /// # Ok::<(), sse_wire::FieldError>(())
    /// ```
    EventId,
    FieldKind::EventId,
    "2026-11-24T06:00:00Z/17",
    "a\0b",
    "If `value` contains a line feed, carriage return or NUL."
);

macro_rules! event_id_from_integer {
    ($($int:ty),*) => {$(
        impl From<$int> for EventId {
            /// Decimal digits of the number: always a valid id.
            fn from(value: $int) -> Self {
                Self(Text::from(alloc::string::ToString::to_string(&value)))
            }
        }
    )*};
}

event_id_from_integer!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn rejects_line_breaks_with_their_position() {
        assert_eq!(
            EventType::try_from("ab\ncd"),
            Err(FieldError::LineFeed {
                field: FieldKind::EventType,
                index: 2
            })
        );
        assert_eq!(
            EventId::try_from("x\r"),
            Err(FieldError::CarriageReturn {
                field: FieldKind::EventId,
                index: 1
            })
        );
        assert_eq!(
            EventId::try_from(String::from("\0")),
            Err(FieldError::Nul {
                field: FieldKind::EventId,
                index: 0
            })
        );
    }

    #[test]
    fn short_and_long_values_report_the_first_forbidden_byte_at_every_position() {
        // Short and long values take different searches; neighbours of the sought bytes, and
        // the same with the high bit set, must pass.
        for len in 0..2 * SHORT + 3 {
            for filler in [b'a', 0x01, 0x09, 0x0b, 0x0e, 0x80, 0x8a, 0x8d, 0xff] {
                let mut value = alloc::vec![filler; len];
                assert_eq!(validate(FieldKind::EventId, &value), Ok(()));
                // Walking down, the bytes after `at` are NULs: fine in a type, not in an id.
                for at in (0..len).rev() {
                    for byte in [b'\n', b'\r', 0] {
                        value[at] = byte;
                        let error = |field, index| match byte {
                            b'\n' => FieldError::LineFeed { field, index },
                            b'\r' => FieldError::CarriageReturn { field, index },
                            _ => FieldError::Nul { field, index },
                        };
                        let id = validate(FieldKind::EventId, &value);
                        assert_eq!(id, Err(error(FieldKind::EventId, at)), "{len} {at}");
                        let event_type = validate(FieldKind::EventType, &value);
                        let expected = match byte {
                            0 => Ok(()),
                            _ => Err(error(FieldKind::EventType, at)),
                        };
                        assert_eq!(event_type, expected, "{len} {at} {filler:#x}");
                    }
                }
            }
        }
    }

    #[test]
    fn nul_is_fine_in_an_event_type() {
        assert!(EventType::try_from("a\0b").is_ok());
    }

    #[test]
    fn raw_bytes_must_be_utf8() {
        assert_eq!(
            EventId::from_bytes(Bytes::from_static(b"ok\xff")),
            Err(FieldError::NotUtf8 {
                field: FieldKind::EventId,
                index: 2
            })
        );
    }

    #[test]
    fn error_messages_say_what_and_where() {
        let error = EventId::try_from("abc\ndef").unwrap_err();
        assert_eq!(error.to_string(), "event id contains a line feed at byte 3");
    }
}
